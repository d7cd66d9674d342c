//! invex-pipeline: from a file to a validated [`invex_domain::Invoice`].
//!
//! - [`pdf`]: the pdfium-backed [`invex_domain::DocumentReader`] for digital PDFs,
//!   with content sniffing and clear per-file errors.
//! - [`ocr`]: [`ocr::OcrReader`] wraps it: pages without a text layer and
//!   PNG/JPEG/TIFF images are read by Tesseract (upright, deskewed), with
//!   per-word confidence.
//! - [`rules`]: the layout-aware rules extractor, the accuracy floor.
//! - [`combine`]: merges the rules with a learned extractor, field by field;
//!   validators decide disagreements, and each field records which source won.
//! - [`second_opinion`]: an OCR-free image extractor (Donut) asked when the
//!   words-based result is unsure, or instead of it.
//! - [`calibrated`]: an extractor whose field scores are mapped to calibrated
//!   probabilities (the rules' shipped table: `domain/calibration.json`).
//! - [`e_invoice`]: the cascade's first stage: a PDF's embedded e-invoice
//!   XML (pdfium's attachments) read by an `EInvoiceReader`, checked
//!   against the page; XML files read directly.
//! - [`fallback`]: the language-model fallback's place in the pipeline: which
//!   files are handed to an `invex_domain::fallback::Fallback`, and how its
//!   checked answer joins the page's reading.
//! - [`isolated`]: [`isolated::IsolatedReader`] reads each file in a helper
//!   process (`invex reader`) under memory, CPU and wall-clock limits, so a
//!   native crash or hang fails that file alone.
//! - [`Pipeline`]: reader + extractor for one file; [`Pipeline::run_batch`]
//!   fans files out over rayon and hands each result to a sink, in input order.
//!
//! pdfium and Tesseract live in this crate and nowhere else.

pub mod calibrated;
pub mod combine;
pub mod e_invoice;
mod error;
pub mod fallback;
pub mod isolated;
pub mod ocr;
pub mod pdf;
mod pipeline;
pub mod rules;
pub mod second_opinion;

pub use calibrated::Calibrated;
pub use combine::CombinedExtractor;
pub use e_invoice::EInvoiceStage;
pub use error::Error;
pub use pipeline::{Pipeline, Sink};
pub use rules::RulesExtractor;
pub use second_opinion::{ImageExtractorUse, SecondOpinion};
