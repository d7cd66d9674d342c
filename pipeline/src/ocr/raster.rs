//! PNG, JPEG and TIFF (multi-page too) → grayscale pages, with their
//! resolution, refusing oversized images before any pixel is allocated.

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageReader};
use invex_domain::DocumentError;
use invex_domain::sniff::FileKind;

/// The resolution assumed when the file does not say and the image is not
/// page-shaped (see [`guess_dpi`]).
pub const DEFAULT_DPI: f32 = 300.0;

/// The resolution of an image whose file does not say: a page-shaped image
/// (height/width between 1.25 and 1.6, as A4 and Letter) is taken to be an
/// A4-wide page (8.27 in), anything else [`DEFAULT_DPI`]. So a phone photo or
/// a downscaled scan gets page-sized boxes and is resampled to 300 dpi for OCR.
pub fn guess_dpi(width: u32, height: u32) -> f32 {
    let aspect = height as f32 / width.max(1) as f32;
    if (1.25..=1.6).contains(&aspect) { width as f32 / 8.27 } else { DEFAULT_DPI }
}

/// How large an image may be. Checked against the header's declared size
/// before decoding, so a 50 KB PNG that claims 100 000 × 100 000 pixels (a
/// decompression bomb) is refused without allocating.
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    /// Longest side, pixels.
    pub max_side: u32,
    /// Width × height.
    pub max_pixels: u64,
    /// Pages in a multi-page TIFF (whose pages together may have at most
    /// 4 × `max_pixels`).
    pub max_pages: usize,
}

impl Default for ImageLimits {
    /// A0 at 300 dpi fits (9933 × 14043); so does A4 at 1200 dpi.
    fn default() -> Self {
        ImageLimits { max_side: 15_000, max_pixels: 150_000_000, max_pages: 500 }
    }
}

impl ImageLimits {
    pub fn check(&self, width: u64, height: u64) -> Result<(), DocumentError> {
        if width == 0 || height == 0 {
            return Err(DocumentError::CorruptImage(format!(
                "the image is {width}×{height} pixels"
            )));
        }
        if width.max(height) > u64::from(self.max_side) {
            return Err(DocumentError::ImageTooLarge {
                width,
                height,
                limit: format!("{} pixels a side", self.max_side),
            });
        }
        if width * height > self.max_pixels {
            return Err(DocumentError::ImageTooLarge {
                width,
                height,
                limit: format!("{} megapixels", self.max_pixels / 1_000_000),
            });
        }
        Ok(())
    }

    fn image_limits(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(self.max_side);
        limits.max_image_height = Some(self.max_side);
        // RGBA at 16 bits a channel is the largest decoded form.
        limits.max_alloc = Some(self.max_pixels * 8);
        limits
    }
}

/// One decoded page.
pub struct RasterPage {
    pub image: GrayImage,
    /// Pixels per inch, when the file says (and it is plausible).
    pub dpi: Option<f32>,
}

/// Decodes an image file of `kind` into pages.
pub fn decode(
    bytes: &[u8],
    kind: FileKind,
    limits: &ImageLimits,
) -> Result<Vec<RasterPage>, DocumentError> {
    match kind {
        FileKind::Tiff => decode_tiff(bytes, limits),
        FileKind::Png | FileKind::Jpeg => {
            let format = if kind == FileKind::Png {
                image::ImageFormat::Png
            } else {
                image::ImageFormat::Jpeg
            };
            // The header's size first (no pixels read), then decode under limits.
            let (w, h) = ImageReader::with_format(Cursor::new(bytes), format)
                .into_dimensions()
                .map_err(image_error)?;
            limits.check(u64::from(w), u64::from(h))?;
            let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
            reader.limits(limits.image_limits());
            let decoder = reader.into_decoder().map_err(image_error)?;
            let image = DynamicImage::from_decoder(decoder).map_err(image_error)?;
            let dpi = match kind {
                FileKind::Png => png_dpi(bytes),
                _ => jpeg_dpi(bytes),
            };
            Ok(vec![RasterPage { image: image.into_luma8(), dpi }])
        }
        FileKind::Pdf | FileKind::Xml => {
            Err(DocumentError::Other("a PDF or XML file is not an image".into()))
        }
    }
}

fn image_error(e: image::ImageError) -> DocumentError {
    match e {
        image::ImageError::Limits(l) => DocumentError::ImageTooLarge {
            width: 0,
            height: 0,
            limit: format!("the decoder's memory limit ({l})"),
        },
        other => DocumentError::CorruptImage(other.to_string().trim_end().to_string()),
    }
}

/// Resolutions outside this range are treated as unset (scanners write 1 or 72
/// when they do not know).
fn plausible(dpi: f32) -> Option<f32> {
    (100.0..=1200.0).contains(&dpi).then_some(dpi)
}

/// The `pHYs` chunk (pixels per metre, unit 1), if any.
fn png_dpi(bytes: &[u8]) -> Option<f32> {
    let mut at = 8;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = bytes.get(at + 8..at + 8 + len)?;
        match kind {
            b"pHYs" if len >= 9 && data[8] == 1 => {
                let ppm = u32::from_be_bytes(data[0..4].try_into().ok()?);
                return plausible(ppm as f32 * 0.0254);
            }
            b"IDAT" | b"IEND" => return None,
            _ => {}
        }
        at += 12 + len;
    }
    None
}

/// The JFIF APP0 density (units 1 = dpi, 2 = dots per cm), if any.
fn jpeg_dpi(bytes: &[u8]) -> Option<f32> {
    let app0 = bytes.get(2..20)?;
    if app0[0] != 0xff || app0[1] != 0xe0 || &app0[4..9] != b"JFIF\0" {
        return None;
    }
    let x = f32::from(u16::from_be_bytes([app0[12], app0[13]]));
    match app0[11] {
        1 => plausible(x),
        2 => plausible(x * 2.54),
        _ => None,
    }
}

fn decode_tiff(bytes: &[u8], limits: &ImageLimits) -> Result<Vec<RasterPage>, DocumentError> {
    use tiff::ColorType;
    use tiff::decoder::{Decoder, DecodingResult, Limits};
    use tiff::tags::Tag;

    let tiff_error = |e: tiff::TiffError| match e {
        tiff::TiffError::LimitsExceeded => DocumentError::ImageTooLarge {
            width: 0,
            height: 0,
            limit: "the TIFF decoder's memory limit".into(),
        },
        other => DocumentError::CorruptImage(format!("TIFF: {other}")),
    };
    let mut tiff_limits = Limits::default();
    tiff_limits.decoding_buffer_size = (limits.max_pixels * 8) as usize;
    let mut decoder =
        Decoder::new(Cursor::new(bytes)).map_err(tiff_error)?.with_limits(tiff_limits);
    let mut pages = Vec::new();
    // All pages are held at once (8 bits a pixel), so their sum is capped too:
    // a thousand tiny compressed blank pages are a bomb as well.
    let mut total: u64 = 0;
    loop {
        if pages.len() >= limits.max_pages {
            return Err(DocumentError::Other(format!(
                "the TIFF has more than {} pages",
                limits.max_pages
            )));
        }
        let (w, h) = decoder.dimensions().map_err(tiff_error)?;
        limits.check(u64::from(w), u64::from(h))?;
        total += u64::from(w) * u64::from(h);
        if total > 4 * limits.max_pixels {
            return Err(DocumentError::ImageTooLarge {
                width: u64::from(w),
                height: u64::from(h),
                limit: format!(
                    "{} megapixels over all pages (reached at page {})",
                    4 * limits.max_pixels / 1_000_000,
                    pages.len() + 1
                ),
            });
        }
        let color = decoder.colortype().map_err(tiff_error)?;
        let white_is_zero =
            decoder.find_tag_unsigned::<u16>(Tag::PhotometricInterpretation).ok().flatten()
                == Some(0);
        let dpi = tiff_dpi(&mut decoder);
        let data = decoder.read_image().map_err(tiff_error)?;
        let (w, h) = (w as usize, h as usize);
        let gray: Vec<u8> = match (color, data) {
            (ColorType::Gray(1), DecodingResult::U8(packed)) => {
                let stride = w.div_ceil(8);
                let mut out = Vec::with_capacity(w * h);
                for y in 0..h {
                    for x in 0..w {
                        let byte = packed.get(y * stride + x / 8).copied().unwrap_or(0);
                        let bit = (byte >> (7 - x % 8)) & 1;
                        out.push(if bit == 1 { 255 } else { 0 });
                    }
                }
                out
            }
            (ColorType::Gray(8), DecodingResult::U8(v)) => v,
            (ColorType::Gray(16), DecodingResult::U16(v)) => {
                v.into_iter().map(|p| (p >> 8) as u8).collect()
            }
            (ColorType::GrayA(8), DecodingResult::U8(v)) => v.chunks(2).map(|p| p[0]).collect(),
            (ColorType::RGB(8), DecodingResult::U8(v)) => v.chunks(3).map(luma).collect(),
            (ColorType::RGBA(8), DecodingResult::U8(v)) => v.chunks(4).map(luma).collect(),
            (ColorType::RGB(16), DecodingResult::U16(v)) => v
                .chunks(3)
                .map(|p| luma(&[(p[0] >> 8) as u8, (p[1] >> 8) as u8, (p[2] >> 8) as u8]))
                .collect(),
            (other, _) => {
                return Err(DocumentError::CorruptImage(format!(
                    "TIFF colour type {other:?} is not supported (use 1-bit, 8/16-bit gray or RGB)"
                )));
            }
        };
        let mut gray = gray;
        if white_is_zero {
            gray.iter_mut().for_each(|p| *p = 255 - *p);
        }
        let image = GrayImage::from_raw(w as u32, h as u32, gray).ok_or_else(|| {
            DocumentError::CorruptImage("TIFF: fewer pixels than its size says".into())
        })?;
        pages.push(RasterPage { image, dpi });
        if !decoder.more_images() {
            break;
        }
        decoder.next_image().map_err(tiff_error)?;
    }
    Ok(pages)
}

fn luma(p: &[u8]) -> u8 {
    ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8
}

fn tiff_dpi<R: std::io::Read + std::io::Seek>(
    decoder: &mut tiff::decoder::Decoder<R>,
) -> Option<f32> {
    use tiff::tags::Tag;
    let x = match decoder.find_tag(Tag::XResolution).ok()?? {
        tiff::decoder::ifd::Value::Rational(n, d) if d != 0 => n as f32 / d as f32,
        other => other.into_f32().ok()?,
    };
    let unit = decoder.find_tag_unsigned::<u16>(Tag::ResolutionUnit).ok().flatten().unwrap_or(2);
    match unit {
        2 => plausible(x),
        3 => plausible(x * 2.54),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG whose header declares `w` × `h` pixels, with a tiny zlib stream.
    pub fn bomb_png(w: u32, h: u32) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        chunk(&mut out, b"IHDR", &ihdr);
        chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        chunk(&mut out, b"IEND", &[]);
        out
    }

    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc32(kind, data).to_be_bytes());
    }

    fn crc32(kind: &[u8], data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in kind.iter().chain(data) {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    fn encode(image: &GrayImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).expect("encode");
        out.into_inner()
    }

    #[test]
    fn size_limits() {
        let limits = ImageLimits { max_side: 1000, max_pixels: 500_000, max_pages: 3 };
        let check = |(w, h): (u64, u64), expected: &str| {
            let got = limits.check(w, h).err().map(|e| e.code()).unwrap_or("ok");
            assert_eq!(got, expected, "{w}×{h}");
        };
        check((1000, 500), "ok");
        check((1001, 10), "image_too_large");
        check((10, 1001), "image_too_large");
        check((800, 800), "image_too_large");
        check((0, 10), "corrupt_image");
    }

    #[test]
    fn decompression_bombs_are_refused_before_decoding() {
        let limits = ImageLimits::default();
        for (w, h) in [(100_000, 100_000), (14_000, 14_000), (60_000, 10)] {
            let bytes = bomb_png(w, h);
            assert!(bytes.len() < 100);
            let err = decode(&bytes, FileKind::Png, &limits).err().expect("refused");
            assert_eq!(err.code(), "image_too_large", "{w}×{h}: {err}");
            assert!(err.to_string().contains(&format!("{w}×{h}")), "{err}");
        }
    }

    #[test]
    fn png_jpeg_and_multipage_tiff_decode_with_their_resolution() {
        let page = GrayImage::from_fn(40, 30, |x, _| image::Luma([(x * 6) as u8]));
        let png =
            decode(&encode(&page, image::ImageFormat::Png), FileKind::Png, &ImageLimits::default())
                .expect("png");
        assert_eq!((png.len(), png[0].image.dimensions(), png[0].dpi), (1, (40, 30), None));
        let jpeg = encode(&page, image::ImageFormat::Jpeg);
        let jpeg = decode(&jpeg, FileKind::Jpeg, &ImageLimits::default()).expect("jpeg");
        assert_eq!(jpeg[0].image.dimensions(), (40, 30));

        let mut tiff = Cursor::new(Vec::new());
        {
            let mut encoder = tiff::encoder::TiffEncoder::new(&mut tiff).expect("tiff");
            for shade in [10u8, 200] {
                let data = vec![shade; 40 * 30];
                let mut img =
                    encoder.new_image::<tiff::encoder::colortype::Gray8>(40, 30).expect("page");
                img.resolution(
                    tiff::tags::ResolutionUnit::Inch,
                    tiff::encoder::Rational { n: 200, d: 1 },
                );
                img.write_data(&data).expect("write");
            }
        }
        let pages = decode(tiff.get_ref(), FileKind::Tiff, &ImageLimits::default()).expect("tiff");
        let got: Vec<(u8, Option<f32>)> =
            pages.iter().map(|p| (p.image.get_pixel(0, 0)[0], p.dpi)).collect();
        assert_eq!(got, [(10, Some(200.0)), (200, Some(200.0))]);

        let limits = ImageLimits { max_pages: 1, ..ImageLimits::default() };
        assert!(decode(tiff.get_ref(), FileKind::Tiff, &limits).is_err());
        // 2 × 1200 px is above 4 × 500 px in all.
        let limits = ImageLimits { max_side: 100, max_pixels: 500, max_pages: 10 };
        let err = decode(tiff.get_ref(), FileKind::Tiff, &limits).err().expect("too many pixels");
        assert_eq!(err.code(), "image_too_large", "{err}");
        let truncated = &tiff.get_ref()[..tiff.get_ref().len() / 2];
        assert!(decode(truncated, FileKind::Tiff, &ImageLimits::default()).is_err());
    }
}
