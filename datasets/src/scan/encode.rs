//! Writes degraded pages as files: an image-only PDF (one JPEG per page, as
//! scanners write them), a multi-page TIFF, or PNG/JPEG files per page.

use std::io::Cursor;

use image::RgbImage;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};
use serde::Serialize;

use crate::error::Error;
use crate::scan::ops::encode_jpeg;

/// JPEG quality of the page images inside scanned PDFs and `--scan-format
/// jpeg` files: what office scanners typically write.
pub const CONTAINER_JPEG_QUALITY: u8 = 90;

/// The file format of the scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanFormat {
    /// An image-only PDF, one JPEG (quality 90) per page, page size from the dpi.
    Pdf,
    /// One PNG per page.
    Png,
    /// One JPEG (quality 90) per page.
    Jpeg,
    /// One TIFF with a page (IFD) per page, RGB, Deflate-compressed.
    Tiff,
}

impl ScanFormat {
    pub fn parse(s: &str) -> Result<ScanFormat, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pdf" => Ok(ScanFormat::Pdf),
            "png" => Ok(ScanFormat::Png),
            "jpeg" | "jpg" => Ok(ScanFormat::Jpeg),
            "tiff" | "tif" => Ok(ScanFormat::Tiff),
            other => Err(Error::Scan(format!(
                "unknown scan format {other:?}; known: pdf, png, jpeg, tiff"
            ))),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ScanFormat::Pdf => "pdf",
            ScanFormat::Png => "png",
            ScanFormat::Jpeg => "jpg",
            ScanFormat::Tiff => "tif",
        }
    }

    /// Whether every page goes into the one file.
    pub fn multi_page(self) -> bool {
        matches!(self, ScanFormat::Pdf | ScanFormat::Tiff)
    }
}

/// The files of one invoice's scan: the first is the one the ground truth
/// names (`STEM.EXT`); PNG and JPEG write pages 2.. as `STEM-pN.EXT`.
pub fn encode(
    pages: &[RgbImage],
    format: ScanFormat,
    dpi: u32,
    stem: &str,
    title: &str,
) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let ext = format.extension();
    let main = format!("{stem}.{ext}");
    match format {
        ScanFormat::Pdf => Ok(vec![(main, image_pdf(pages, dpi, title)?)]),
        ScanFormat::Tiff => Ok(vec![(main, tiff(pages, dpi)?)]),
        ScanFormat::Png | ScanFormat::Jpeg => pages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let name = if i == 0 { main.clone() } else { format!("{stem}-p{}.{ext}", i + 1) };
                let bytes = if format == ScanFormat::Png {
                    png(p)?
                } else {
                    encode_jpeg(p, CONTAINER_JPEG_QUALITY, Some(dpi.min(u16::MAX as u32) as u16))?
                };
                Ok((name, bytes))
            })
            .collect(),
    }
}

pub fn png(img: &RgbImage) -> Result<Vec<u8>, Error> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| Error::Scan(format!("encoding a PNG: {e}")))?;
    Ok(out.into_inner())
}

/// A multi-page RGB TIFF, Deflate-compressed, with the resolution tags set.
pub fn tiff(pages: &[RgbImage], dpi: u32) -> Result<Vec<u8>, Error> {
    use tiff::encoder::{Compression, Rational, TiffEncoder, colortype, compression::DeflateLevel};
    let err = |e: tiff::TiffError| Error::Scan(format!("encoding a TIFF: {e}"));
    let mut out = Cursor::new(Vec::new());
    {
        let mut enc = TiffEncoder::new(&mut out)
            .map_err(err)?
            .with_compression(Compression::Deflate(DeflateLevel::Fast));
        for p in pages {
            let mut image = enc.new_image::<colortype::RGB8>(p.width(), p.height()).map_err(err)?;
            image.resolution(tiff::tags::ResolutionUnit::Inch, Rational { n: dpi, d: 1 });
            image.write_data(p.as_raw()).map_err(err)?;
        }
    }
    Ok(out.into_inner())
}

/// Every page of a (multi-page) TIFF, as RGB.
pub fn decode_tiff_pages(bytes: &[u8]) -> Result<Vec<RgbImage>, Error> {
    use tiff::decoder::{Decoder, DecodingResult};
    let err = |e: tiff::TiffError| Error::Scan(format!("decoding a TIFF: {e}"));
    let mut dec = Decoder::new(Cursor::new(bytes)).map_err(err)?;
    let mut pages = Vec::new();
    loop {
        let (w, h) = dec.dimensions().map_err(err)?;
        let DecodingResult::U8(data) = dec.read_image().map_err(err)? else {
            return Err(Error::Scan("a TIFF page that is not 8-bit".into()));
        };
        let page = match data.len() {
            n if n == (w * h * 3) as usize => RgbImage::from_raw(w, h, data),
            n if n == (w * h) as usize => image::GrayImage::from_raw(w, h, data)
                .map(|g| image::DynamicImage::from(g).to_rgb8()),
            _ => None,
        };
        pages.push(page.ok_or_else(|| Error::Scan("a TIFF page that is not RGB or grey".into()))?);
        if !dec.more_images() {
            return Ok(pages);
        }
        dec.next_image().map_err(err)?;
    }
}

/// An image-only PDF: each page one DCT (JPEG) image filling a page of
/// `width / dpi` × `height / dpi` inches. No text layer, no fonts.
pub fn image_pdf(pages: &[RgbImage], dpi: u32, title: &str) -> Result<Vec<u8>, Error> {
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = alloc();
    let tree_id = alloc();
    let info_id = alloc();
    let mut pdf = Pdf::new();
    let mut page_ids = Vec::new();
    let dpi = dpi.max(1) as f32;
    for img in pages {
        let (page_id, image_id, content_id) = (alloc(), alloc(), alloc());
        page_ids.push(page_id);
        let (w, h) = (img.width() as f32 * 72.0 / dpi, img.height() as f32 * 72.0 / dpi);
        let jpeg = encode_jpeg(img, CONTAINER_JPEG_QUALITY, None)?;
        let mut x = pdf.image_xobject(image_id, &jpeg);
        x.filter(Filter::DctDecode);
        x.width(img.width() as i32);
        x.height(img.height() as i32);
        x.color_space().device_rgb();
        x.bits_per_component(8);
        x.finish();
        let mut content = Content::new();
        content.save_state();
        content.transform([w, 0.0, 0.0, h, 0.0, 0.0]);
        content.x_object(Name(b"Im0"));
        content.restore_state();
        pdf.stream(content_id, &content.finish());
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, w, h));
        page.parent(tree_id);
        page.contents(content_id);
        page.resources().x_objects().pair(Name(b"Im0"), image_id);
        page.finish();
    }
    let count = page_ids.len() as i32;
    pdf.pages(tree_id).kids(page_ids).count(count);
    pdf.catalog(catalog_id).pages(tree_id);
    let mut info = pdf.document_info(info_id);
    info.title(TextStr(title));
    info.producer(TextStr("invex dataset generate --scan"));
    info.finish();
    Ok(pdf.finish())
}
