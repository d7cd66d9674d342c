//! invex-datasets: synthetic Swedish supplier invoices with exact ground truth.
//!
//! [`generate`] writes `inv-NNNNN.pdf` files (real PDFs with a text layer and
//! embedded, subsetted DejaVu fonts), one `inv-NNNNN.truth.json` per invoice
//! (fields, VAT breakdown, line items, every printed word with its box and BIO
//! label) and the `groundtruth.jsonl` / `groundtruth_lines.jsonl` files that
//! `../shared/eval/score.py` reads.
//!
//! - [`synth`]: the invoice's content: companies, people, addresses, line
//!   items, valid identifiers (org.nr, VAT, Bankgiro, Plusgiro, IBAN, OCR) and
//!   consistent amounts.
//! - [`layout`]: the layout families that draw the content, each with its own
//!   label placement, header/footer blocks, fonts and jitter.
//! - [`pdf`]: font embedding and a small page/text drawing API.
//! - [`truth`]: label types ([`LABELS`]) and ground-truth records.
//!
//! Output is deterministic: each invoice draws from its own ChaCha RNG seeded
//! from (seed, index), so the same seed and count give byte-identical files
//! however rayon schedules the work.

pub mod error;
pub mod format;
pub mod generate;
pub mod layout;
pub mod pdf;
pub mod record;
pub mod scan;
pub mod synth;
pub mod truth;
pub mod vocab;

pub use error::Error;
pub use generate::{GenerateOptions, GenerateSummary, family_names, generate};
pub use truth::LABELS;
pub mod eval;

#[cfg(test)]
mod tests;
