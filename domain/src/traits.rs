//! The small traits at crate boundaries. Implementations live in the crates
//! that own the heavy dependency (pdfium in `pipeline`, ONNX Runtime in `models`).

use crate::error::DocumentError;
use crate::geometry::Document;
use crate::invoice::Invoice;
use crate::prediction::Prediction;

/// Turns the bytes of one file into words with boxes.
///
/// Implementations are synchronous and CPU-bound; async callers run them on
/// rayon or a dedicated thread. `Send + Sync` so one reader serves many threads.
pub trait DocumentReader: Send + Sync {
    fn read(&self, bytes: &[u8]) -> Result<Document, DocumentError>;
    /// The XML files embedded in a PDF (its `*.xml` attachments), for the
    /// e-invoice stage. Readers of formats without attachments return none.
    fn attachments(&self, bytes: &[u8]) -> Result<Vec<Attachment>, DocumentError> {
        let _ = bytes;
        Ok(Vec::new())
    }
}

/// One file embedded in a PDF.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads an e-invoice XML document (UBL Invoice/CreditNote, UN/CEFACT CII,
/// ZUGFeRD 1.0) exactly. The first stage of the cascade.
///
/// Every field of the returned invoice has source `e-invoice` and its XML
/// path; `Invoice::e_invoice` names the syntax and profile. An XML that is
/// not an invoice is `NotAnInvoice`, a broken one `InvalidXml`, a hostile
/// one (DTD, too deep, too large) `UnsafeXml`.
pub trait EInvoiceReader: Send + Sync {
    fn read_xml(&self, xml: &[u8]) -> Result<Invoice, DocumentError>;
}

/// Turns words into invoice fields. Never fails: a field it cannot find is
/// simply absent from the returned invoice.
pub trait Extractor: Send + Sync {
    /// A short name for logs and reports, for example "rules".
    fn name(&self) -> &'static str;
    fn extract(&self, document: &Document) -> Invoice;
    /// Extracts several documents at once. Learned extractors override this
    /// to run one batched inference; the result has one invoice per document,
    /// in order.
    fn extract_batch(&self, documents: &[&Document]) -> Vec<Invoice> {
        documents.iter().map(|d| self.extract(d)).collect()
    }
}

/// Reads and extracts one file held in memory, as the upload service's
/// workers need it. Synchronous and CPU-bound: async callers run it on a
/// blocking thread. Never fails: problems become a failed [`Prediction`].
pub trait InvoiceProcessor: Send + Sync {
    /// The extractor's name, stored with each result.
    fn extractor_name(&self) -> &'static str;
    fn process(&self, file_name: String, bytes: &[u8]) -> Prediction;
    /// As [`InvoiceProcessor::process`], with the page's words when the
    /// invoice was read from its page (what the supplier memory reads).
    fn process_with_words(
        &self,
        file_name: String,
        bytes: &[u8],
    ) -> (Prediction, Option<Document>) {
        (self.process(file_name, bytes), None)
    }
    /// `prediction` with a language-model fallback's `outcome` joined in,
    /// by the processor's own merge rules (the service asks the fallback
    /// after the supplier memory, then hands the answer back here).
    fn join_fallback(
        &self,
        prediction: Prediction,
        reasons: Vec<String>,
        outcome: crate::fallback::FallbackOutcome,
    ) -> Prediction;
}

/// Reads an invoice straight from a file's page images, without words: an
/// OCR-free model such as Donut. The pipeline asks it as a second opinion
/// when the words-based extractor is unsure, or instead of reading words.
///
/// Synchronous and CPU-bound, like [`DocumentReader`]. A page it cannot make
/// sense of gives an empty invoice; a file it cannot open is an error.
pub trait ImageExtractor: Send + Sync {
    /// A short name for logs and reports, for example "donut".
    fn name(&self) -> &'static str;
    /// The invoice on the file's pages, and how many pages it has.
    fn extract_file(&self, bytes: &[u8]) -> Result<(Invoice, usize), DocumentError>;
}

/// One file of an export: its name and bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What an export wrote, and what it could not.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Export {
    /// One file for a ledger format (SIE), one per invoice for documents (PEPPOL).
    pub files: Vec<ExportedFile>,
    /// `(source, why)` for each invoice that could not be exported.
    pub skipped: Vec<(String, String)>,
}

/// Books invoices a person has approved and writes them in an accounting
/// format, for the service's export (`GET /v1/bookings`). Synchronous and
/// CPU-bound; async callers run it on a blocking thread.
pub trait BookingExport: Send + Sync {
    /// The formats it writes, by the names the API takes (`sie`, `peppol`).
    fn formats(&self) -> &'static [&'static str];
    /// Writes `invoices` (each with a source name for messages) in `format`.
    /// An invoice that cannot be booked is skipped with why; `Err` says why
    /// nothing could be written (a format it does not write, a booking
    /// config the format cannot do without).
    fn export(&self, format: &str, invoices: &[(String, Invoice)]) -> Result<Export, String>;
}

/// Draws one page of an uploaded file as a PNG, for the review UI's page
/// view. Synchronous and CPU-bound (pdfium, image decoding): async callers
/// run it on a blocking thread. `page` is 1-based; the image is `width`
/// pixels wide (smaller pages are not enlarged beyond it).
pub trait PageRenderer: Send + Sync {
    fn render_png(&self, bytes: &[u8], page: u32, width: u32) -> Result<Vec<u8>, DocumentError>;
}
