//! Wires a Donut export (models crate) to the page images pdfium renders and
//! the OCR path decodes (pipeline crate), as the pipeline's
//! [`ImageExtractor`]: `invex extract --donut DIR`.

use std::path::Path;

use anyhow::{Context, Result};
use image::{DynamicImage, RgbImage};
use invex_domain::{DocumentError, ImageExtractor, Invoice};
use invex_models::{DonutExtractor, DonutModel, DonutOptions};
use invex_pipeline::ocr::{image_kind, raster};
use invex_pipeline::pdf::PdfiumReader;
use invex_pipeline::{ImageExtractorUse, SecondOpinion};
use tracing::info;

use crate::cli::{DonutArgs, DonutUse};

/// Pages read per document: an invoice's fields are on its first pages, and
/// each page costs a full decode.
const MAX_PAGES: usize = 4;
/// The height of an A4 page in PDF points.
const A4_HEIGHT_PT: f32 = 842.0;

/// Page images of a file, read by a Donut model.
pub struct DonutPages {
    pdf: PdfiumReader,
    donut: DonutExtractor,
    limits: raster::ImageLimits,
    /// PDF pages are rendered so that an A4 page is about as tall as the
    /// model's input: more pixels would only be thrown away by its resize.
    dpi: u32,
}

impl DonutPages {
    /// Loads libonnxruntime (if the layout model has not), then the export in `dir`.
    pub fn load(dir: &Path) -> Result<DonutPages> {
        crate::model_dir::init_onnxruntime()?;
        let model = DonutModel::load(dir, DonutOptions::default())
            .with_context(|| format!("loading the Donut model in {}", dir.display()))?;
        let height = model.processor().height as f32;
        let dpi = ((height * 72.0 / A4_HEIGHT_PT).ceil() as u32).clamp(72, 300);
        info!(model = %dir.display(), dpi, "Donut model loaded");
        let pdf = super::pdfium()?;
        Ok(DonutPages {
            pdf,
            donut: DonutExtractor::new(model),
            limits: raster::ImageLimits::default(),
            dpi,
        })
    }

    fn page_images(&self, bytes: &[u8]) -> Result<(Vec<RgbImage>, usize), DocumentError> {
        match image_kind(bytes) {
            Some(kind) => {
                let pages = raster::decode(bytes, kind, &self.limits)?;
                let count = pages.len();
                let images = pages
                    .into_iter()
                    .take(MAX_PAGES)
                    .map(|p| DynamicImage::ImageLuma8(p.image).into_rgb8())
                    .collect();
                Ok((images, count))
            }
            None => self.pdf.render_first_pages(bytes, self.dpi, MAX_PAGES),
        }
    }
}

impl ImageExtractor for DonutPages {
    fn name(&self) -> &'static str {
        "donut"
    }

    /// Each page read on its own; a field takes the first page's value that
    /// has it, and line items follow page order.
    fn extract_file(&self, bytes: &[u8]) -> Result<(Invoice, usize), DocumentError> {
        if bytes.is_empty() {
            return Err(DocumentError::Empty);
        }
        let (images, count) = self.page_images(bytes)?;
        let mut invoice = Invoice::default();
        for (i, image) in images.iter().enumerate() {
            let page = self.donut.extract_page(image, Some(i as u32 + 1));
            for (name, field) in page.fields {
                invoice.fields.entry(name).or_insert(field);
            }
            invoice.line_items.extend(page.line_items);
            if invoice.vat_breakdown.is_empty() {
                invoice.vat_breakdown = page.vat_breakdown;
            }
        }
        Ok((invoice, count))
    }
}

/// The second opinion `--donut` asks for, if any.
pub fn second_opinion(args: &DonutArgs) -> Result<Option<SecondOpinion>> {
    let Some(dir) = &args.donut else { return Ok(None) };
    let usage = match args.donut_use {
        DonutUse::WhenUnsure => ImageExtractorUse::WhenUnsure { below: args.donut_below },
        DonutUse::Always => ImageExtractorUse::Always,
        DonutUse::Instead => ImageExtractorUse::Instead,
    };
    Ok(Some(SecondOpinion::new(Box::new(DonutPages::load(dir)?), usage)))
}
