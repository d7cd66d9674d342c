//! An OCR-free [`ImageExtractor`] (Donut) beside the words-based extractor:
//! asked when the words-based result is unsure, always, or instead of it.
//!
//! Its fields join through the same [`merge`] as the layout model's: a
//! second opinion overrules an unsure value (below 0.5) only when it is sure
//! (0.9 and up) and passes the field's validator, and adds a missing field
//! only on the same terms. So a weak image model cannot make a good words
//! result worse, and a strong one fills what OCR could not read.
//!
//! A file in which OCR finds no words at all (a photo it cannot read) takes
//! the image extractor's reading whatever the usage, when it found anything.

use invex_domain::{DocumentError, FieldName, ImageExtractor, Invoice};
use tracing::{info_span, warn};

use crate::combine::merge;

/// When the pipeline asks the image extractor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ImageExtractorUse {
    /// When a field the bookkeeping needs is missing, or any field's
    /// confidence (capped by OCR's) is below `below`.
    WhenUnsure { below: f32 },
    /// For every document, merged with the words-based result.
    Always,
    /// Instead of reading words: the image extractor alone.
    Instead,
}

/// The fields without which an invoice cannot be booked: when one is
/// missing, a second opinion is worth its time.
pub const NEEDED: [FieldName; 4] = [
    FieldName::InvoiceNumber,
    FieldName::InvoiceDate,
    FieldName::TotalAmount,
    FieldName::SupplierName,
];

/// The image extractor and when to ask it.
pub struct SecondOpinion {
    extractor: Box<dyn ImageExtractor>,
    usage: ImageExtractorUse,
}

impl SecondOpinion {
    pub fn new(extractor: Box<dyn ImageExtractor>, usage: ImageExtractorUse) -> Self {
        SecondOpinion { extractor, usage }
    }

    pub fn name(&self) -> &'static str {
        self.extractor.name()
    }

    /// True when the image extractor replaces reading words altogether.
    pub fn replaces_words(&self) -> bool {
        self.usage == ImageExtractorUse::Instead
    }

    /// The image extractor alone (for [`ImageExtractorUse::Instead`]).
    pub fn extract_file(&self, bytes: &[u8]) -> Result<(Invoice, usize), DocumentError> {
        let _span = info_span!("extract_images", extractor = self.name()).entered();
        self.extractor.extract_file(bytes)
    }

    /// A file in which no words were found (`no_words`, a photo OCR could not
    /// read): the image extractor's reading if it found anything, whatever
    /// the usage; else the original error.
    pub fn read_without_words(
        &self,
        bytes: &[u8],
        no_words: DocumentError,
    ) -> Result<(Invoice, usize), DocumentError> {
        match self.extract_file(bytes) {
            Ok((invoice, pages)) if !invoice.fields.is_empty() => Ok((invoice, pages)),
            _ => Err(no_words),
        }
    }

    /// Whether `invoice`, from the words, should get a second opinion.
    pub fn wanted(&self, invoice: &Invoice) -> bool {
        match self.usage {
            ImageExtractorUse::Always | ImageExtractorUse::Instead => true,
            ImageExtractorUse::WhenUnsure { below } => {
                NEEDED.iter().any(|&n| invoice.get(n).is_none())
                    || invoice.fields.values().any(|f| f.confidence < below)
            }
        }
    }

    /// `invoice` from the words, with the image extractor's fields merged in
    /// when it is wanted. A failing image extractor leaves `invoice` as is.
    pub fn review(&self, file: &str, bytes: &[u8], invoice: Invoice) -> Invoice {
        if !self.wanted(&invoice) {
            return invoice;
        }
        match self.extract_file(bytes) {
            Ok((second, _pages)) => merge(invoice, second),
            Err(e) => {
                warn!(file, extractor = self.name(), error = %e, "no second opinion");
                invoice
            }
        }
    }
}

#[cfg(test)]
#[path = "second_opinion_tests.rs"]
mod tests;
