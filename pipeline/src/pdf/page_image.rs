//! Page images for the review UI: a PDF page drawn by pdfium, or an uploaded
//! photo or scan scaled down, as PNG ([`PageRenderer`]).

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, imageops::FilterType};
use invex_domain::sniff::{FileKind, check_upload};
use invex_domain::{DocumentError, PageRenderer};
use pdfium_render::prelude::*;

use super::{PdfiumReader, load_error};

/// The widest page image drawn, in pixels.
pub const MAX_PAGE_IMAGE_WIDTH: u32 = 2400;

impl PageRenderer for PdfiumReader {
    fn render_png(&self, bytes: &[u8], page: u32, width: u32) -> Result<Vec<u8>, DocumentError> {
        let width = width.clamp(100, MAX_PAGE_IMAGE_WIDTH);
        let image = match check_upload(bytes, self.max_bytes)? {
            FileKind::Pdf => self.draw_pdf_page(bytes, page, width)?,
            FileKind::Png | FileKind::Jpeg | FileKind::Tiff => {
                if page != 1 {
                    return Err(no_such_page(page, 1));
                }
                let image = image::load_from_memory(bytes)
                    .map_err(|e| DocumentError::CorruptImage(e.to_string()))?;
                if image.width() > width {
                    let height = (u64::from(image.height()) * u64::from(width)
                        / u64::from(image.width().max(1)))
                    .max(1) as u32;
                    image.resize_exact(width, height, FilterType::Triangle)
                } else {
                    image
                }
            }
            FileKind::Xml => {
                return Err(DocumentError::Other(
                    "an e-invoice XML file has no page to draw".into(),
                ));
            }
        };
        let mut png = Vec::new();
        DynamicImage::ImageRgb8(image.to_rgb8())
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .map_err(|e| DocumentError::Other(format!("could not encode the page image: {e}")))?;
        Ok(png)
    }
}

impl PdfiumReader {
    fn draw_pdf_page(
        &self,
        bytes: &[u8],
        page: u32,
        width: u32,
    ) -> Result<DynamicImage, DocumentError> {
        let pdfium = self.lock()?;
        let document = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(load_error)?;
        let pages = document.pages();
        let count = u32::try_from(pages.len()).unwrap_or(0);
        if page == 0 || page > count {
            return Err(no_such_page(page, count));
        }
        let pdf_page = pages
            .get((page - 1) as PdfPageIndex)
            .map_err(|e| DocumentError::Corrupt(format!("page {page}: {e}")))?;
        let config = PdfRenderConfig::new()
            .set_target_width(width as i32)
            .set_maximum_height((width * 3) as i32)
            .render_form_data(true);
        let bitmap = pdf_page
            .render_with_config(&config)
            .map_err(|e| DocumentError::Corrupt(format!("page {page}: could not render: {e}")))?;
        bitmap
            .as_image()
            .map_err(|e| DocumentError::Corrupt(format!("page {page}: could not render: {e}")))
    }
}

fn no_such_page(page: u32, count: u32) -> DocumentError {
    DocumentError::Other(format!("page {page} does not exist: the document has {count} page(s)"))
}
