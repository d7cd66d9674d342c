use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a document could not be turned into words. Each variant names the cause
/// in words an operator understands; the file name is added by the caller.
#[derive(Debug, Error, Clone, PartialEq, Serialize, Deserialize)]
pub enum DocumentError {
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error("not a PDF or a PNG/JPEG/TIFF image: the content looks like {detected}")]
    NotAPdf { detected: String },
    #[error("the PDF is encrypted and needs a password")]
    Encrypted,
    #[error("the PDF is corrupt or truncated: {0}")]
    Corrupt(String),
    #[error("the file is {size} bytes, above the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("the PDF has no pages")]
    NoPages,
    #[error(
        "no text on {pages} page(s): no text layer, and OCR found no words (a blank or unreadable scan?)"
    )]
    NoTextLayer { pages: usize },
    #[error(
        "the image is {width}×{height} pixels, above the limit of {limit}; refused before decoding (a decompression bomb?)"
    )]
    ImageTooLarge { width: u64, height: u64, limit: String },
    #[error("the image is corrupt or truncated: {0}")]
    CorruptImage(String),
    #[error("OCR failed: {0}")]
    Ocr(String),
    #[error("could not read the file: {0}")]
    Io(String),
    #[error("the XML is not an invoice: {0}")]
    NotAnInvoice(String),
    #[error("the XML is not well-formed: {0}")]
    InvalidXml(String),
    #[error("the XML was refused as unsafe: {0}")]
    UnsafeXml(String),
    /// The helper process reading the file died (a crash in pdfium or
    /// Tesseract, or its memory limit); nothing else was affected.
    #[error("the document reader crashed on this file ({0})")]
    ReaderCrashed(String),
    /// The helper process reading the file took longer than its limit and
    /// was stopped.
    #[error("reading the file took longer than {seconds} s and was stopped")]
    ReaderTimeout { seconds: u64 },
    #[error("{0}")]
    Other(String),
}

impl DocumentError {
    /// A short stable machine-readable code, written as `error_type` in outputs.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::Empty => "empty_file",
            DocumentError::NotAPdf { .. } => "not_a_pdf",
            DocumentError::Encrypted => "encrypted",
            DocumentError::Corrupt(_) => "corrupt",
            DocumentError::TooLarge { .. } => "too_large",
            DocumentError::NoPages => "no_pages",
            DocumentError::NoTextLayer { .. } => "no_text_layer",
            DocumentError::ImageTooLarge { .. } => "image_too_large",
            DocumentError::CorruptImage(_) => "corrupt_image",
            DocumentError::Ocr(_) => "ocr_failed",
            DocumentError::Io(_) => "io",
            DocumentError::NotAnInvoice(_) => "not_an_invoice",
            DocumentError::InvalidXml(_) => "invalid_xml",
            DocumentError::UnsafeXml(_) => "unsafe_xml",
            DocumentError::ReaderCrashed(_) => "reader_crashed",
            DocumentError::ReaderTimeout { .. } => "reader_timeout",
            DocumentError::Other(_) => "other",
        }
    }
}
