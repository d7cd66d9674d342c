//! invex-domain: the vocabulary every other invex crate speaks.
//!
//! - [`geometry`]: words with boxes on pages, what readers produce.
//! - [`invoice`]: the [`Invoice`], its [`FieldName`]s and [`Field`]s, each with
//!   value, confidence, page, box and the [`Source`] that produced it.
//! - [`validate`]: Luhn (Bankgiro, Plusgiro, org.nr, personnummer), OCR
//!   reference, VAT number, IBAN, and the invoice arithmetic.
//! - [`parse`]: amounts (`1 234,56`, `1,234.56`, `−12,00`) and dates in
//!   sv/en/de/fr forms.
//! - [`traits`]: [`DocumentReader`] and [`Extractor`], the boundaries that the
//!   heavy crates implement.
//! - [`sniff`]: what kind of file some bytes are, and the upload checks.
//! - [`service`]: the upload service's records, storage traits
//!   ([`service::Repository`], [`service::BlobStore`]) and review rules.
//! - [`memory`]: supplier memory's records, its [`memory::MemoryStage`] trait
//!   and how a supplier is recognised ([`memory::supplier_keys`]).
//! - [`fallback`]: the language-model fallback's contract ([`fallback::Fallback`],
//!   [`fallback::LlmStore`]) and when it is asked.
//! - [`locate`]: where a value another stage read is printed on the page.
//! - [`calibration`]: raw field scores mapped to probabilities (isotonic, per field).
//! - [`prediction`]: one line of `invex extract` output; [`read`] parses it back.
//!
//! This crate has no heavy dependencies and does no I/O; the service traits
//! are async (`async-trait`) so that storage crates can implement them.

pub mod calibration;
pub mod error;
pub mod fallback;
pub mod geometry;
pub mod invoice;
pub mod locate;
pub mod memory;
pub mod parse;
pub mod prediction;
pub mod read;
pub mod service;
pub mod sniff;
pub mod tax;
pub mod traits;
pub mod validate;

pub use error::DocumentError;
pub use geometry::{BBox, Document, Page, Word};
pub use invoice::{
    EInvoiceInfo, Field, FieldName, Invoice, LineItem, LineKind, Mismatch, Source, Value,
    ValueKind, VatLine,
};
pub use prediction::{Prediction, Status};
pub use read::MalformedPrediction;
pub use traits::{
    Attachment, BookingExport, DocumentReader, EInvoiceReader, Export, ExportedFile, Extractor,
    ImageExtractor, InvoiceProcessor, PageRenderer,
};
