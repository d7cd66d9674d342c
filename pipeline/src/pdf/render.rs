//! Rasterising PDF pages with pdfium: the OCR path reads scanned pages from
//! these images, and the scan generator degrades them into synthetic scans.

use image::{GrayImage, RgbImage};
use invex_domain::DocumentError;
use pdfium_render::prelude::*;

use super::{PdfiumReader, load_error};

/// The largest page image rendered, in pixels per side (an A0 page at 300 dpi
/// is about 14 000 px); bigger pages are rendered at a lower resolution.
pub const MAX_RENDER_SIDE: u32 = 12_000;

impl PdfiumReader {
    /// Renders every page at `dpi` (300 for OCR), white background, RGB.
    pub fn render_pages(&self, bytes: &[u8], dpi: u32) -> Result<Vec<RgbImage>, DocumentError> {
        Ok(self.render_first_pages(bytes, dpi, usize::MAX)?.0)
    }

    /// Renders at most the first `max` pages at `dpi`, white background, RGB;
    /// also returns how many pages the document has.
    pub fn render_first_pages(
        &self,
        bytes: &[u8],
        dpi: u32,
        max: usize,
    ) -> Result<(Vec<RgbImage>, usize), DocumentError> {
        let pdfium = self
            .pdfium
            .lock()
            .map_err(|_| DocumentError::Other("pdfium lock poisoned by an earlier panic".into()))?;
        let document = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(load_error)?;
        let mut images = Vec::new();
        for (index, page) in document.pages().iter().enumerate().take(max) {
            images.push(render_page(&page, dpi).map_err(|e| {
                DocumentError::Corrupt(format!("page {}: could not render: {e}", index + 1))
            })?);
        }
        Ok((images, document.pages().len() as usize))
    }
}

impl PdfiumReader {
    /// Renders the pages at 0-based `indices` at `dpi`, as grayscale (what OCR
    /// reads), one lock and one document load for all of them.
    pub fn render_gray_pages(
        &self,
        bytes: &[u8],
        dpi: u32,
        indices: &[usize],
    ) -> Result<Vec<GrayImage>, DocumentError> {
        let pdfium = self
            .pdfium
            .lock()
            .map_err(|_| DocumentError::Other("pdfium lock poisoned by an earlier panic".into()))?;
        let document = pdfium.load_pdf_from_byte_slice(bytes, None).map_err(load_error)?;
        let pages = document.pages();
        indices
            .iter()
            .map(|&index| {
                let failed = |e: String| {
                    DocumentError::Corrupt(format!("page {}: could not render: {e}", index + 1))
                };
                let page = pages.get(index as PdfPageIndex).map_err(|e| failed(e.to_string()))?;
                let rgb = render_page(&page, dpi).map_err(|e| failed(e.to_string()))?;
                Ok(image::DynamicImage::ImageRgb8(rgb).into_luma8())
            })
            .collect()
    }
}

/// One page at `dpi`, its longer side capped at [`MAX_RENDER_SIDE`].
pub fn render_page(page: &PdfPage, dpi: u32) -> Result<RgbImage, PdfiumError> {
    let scale = dpi as f32 / 72.0;
    let (w, h) = (page.width().value * scale, page.height().value * scale);
    let shrink = (MAX_RENDER_SIDE as f32 / w.max(h)).min(1.0);
    let config = PdfRenderConfig::new()
        .set_target_width((w * shrink).round().max(1.0) as i32)
        .set_maximum_height((h * shrink).round().max(1.0) as i32)
        .render_form_data(true);
    let bitmap = page.render_with_config(&config)?;
    Ok(bitmap.as_image()?.to_rgb8())
}
