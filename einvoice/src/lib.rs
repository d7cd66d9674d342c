//! E-invoice XML in: the first and exact stage of the cascade.
//!
//! [`XmlInvoiceReader`] implements `invex_domain::EInvoiceReader`. It reads
//! - UBL 2.1 `Invoice` and `CreditNote` (PEPPOL BIS Billing 3.0, XRechnung UBL),
//! - UN/CEFACT CII D16B `CrossIndustryInvoice` (ZUGFeRD 2.x, Factur-X in
//!   every profile from MINIMUM to EXTENDED, XRechnung CII),
//! - ZUGFeRD 1.0 `CrossIndustryDocument`,
//!
//! and maps them onto invex's fields, VAT breakdown and line items, as the
//! table in `MAPPING.md` says (that table is also what the differential
//! test's independent reader implements). Every field has source
//! `e-invoice` and the XML path it was read from.
//!
//! The parse is guarded ([`Limits`]): no DTD (so no entity expansion and no
//! external entities), a size limit, a node limit and a nesting limit, each
//! refused with its own reason. A well-formed XML that is not an invoice is
//! `not_an_invoice`. Business-rule breaches ([`rules`]) are warnings on the
//! invoice, not a refusal; so are, when a [`Validator`] is given, the
//! official XSD's and EN 16931 schematron's findings ([`validate`]).
//!
//! Finding the XML inside a PDF (pdfium's attachments) and comparing it with
//! the printed page happen in `invex-pipeline`, which owns pdfium.

mod build;
mod cii;
mod error;
pub mod rules;
mod ubl;
pub mod validate;
mod xml;

pub use build::XML_CONFIDENCE;
pub use error::Error;
pub use validate::Validator;

use invex_domain::{DocumentError, EInvoiceReader, Invoice};

/// What the parser accepts. The defaults are far above any real invoice
/// (a 1,000-line EXTENDED invoice is about 2 MB and 12 levels deep).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_nodes: u32,
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 32 << 20, max_nodes: 2_000_000, max_depth: 64 }
    }
}

/// Reads e-invoice XML; see the crate documentation.
#[derive(Debug, Clone, Default)]
pub struct XmlInvoiceReader {
    pub limits: Limits,
    /// Also run the official XSD and EN 16931 schematron (slow; opt-in).
    pub validator: Option<Validator>,
}

impl XmlInvoiceReader {
    pub fn new(limits: Limits) -> Self {
        XmlInvoiceReader { limits, validator: None }
    }

    pub fn with_validator(mut self, validator: Validator) -> Self {
        self.validator = Some(validator);
        self
    }

    /// Parses and maps one XML document.
    pub fn read(&self, bytes: &[u8]) -> Result<Invoice, Error> {
        let doc = xml::parse(bytes, &self.limits)?;
        let root = doc.root_element();
        let namespace = root.tag_name().namespace().unwrap_or("");
        let mut invoice = match (root.tag_name().name(), namespace) {
            ("CrossIndustryInvoice", ns) if ns.contains("CrossIndustryInvoice") => {
                cii::read(root, false)
            }
            ("CrossIndustryDocument", ns) if ns.starts_with("urn:ferd:CrossIndustryDocument") => {
                cii::read(root, true)
            }
            ("Invoice", "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2")
            | ("CreditNote", "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2") => {
                ubl::read(root)
            }
            (name, ns) => {
                let ns = if ns.is_empty() {
                    "no namespace".to_string()
                } else {
                    format!("namespace {ns}")
                };
                return Err(Error::NotAnInvoice(format!(
                    "its root element is {name} ({ns}); expected a UBL Invoice or CreditNote, or a CII CrossIndustryInvoice"
                )));
            }
        };
        statements(&mut invoice);
        let mut warnings = rules::check(&invoice);
        if let Some(validator) = &self.validator {
            let syntax =
                invoice.e_invoice.as_ref().and_then(|i| i.syntax.clone()).unwrap_or_default();
            warnings.extend(validator.validate(bytes, &syntax, root.tag_name().name()));
        }
        if let Some(info) = invoice.e_invoice.as_mut() {
            info.warnings = warnings;
        }
        Ok(invoice)
    }
}

/// What the XML states beside the amounts, in the form a page reading
/// gives it: the VAT statement of the first breakdown line with a reverse
/// charge, intra-community or exempt category (its exemption reason as the
/// text), and the first preceding invoice as the credited one.
fn statements(invoice: &mut Invoice) {
    use invex_domain::tax::{VatNote, VatStatement};
    use invex_domain::{Field, Source, Value};
    invoice.vat_statement = invoice.vat_breakdown.iter().find_map(|line| {
        let note = VatNote::from_category(line.category.as_deref()?)?;
        let text = line
            .exemption_reason
            .clone()
            .unwrap_or_else(|| format!("VAT category {}", note.category()));
        Some(VatStatement {
            note,
            text,
            confidence: 1.0,
            page: None,
            bbox: None,
            source: Source::EInvoice,
        })
    });
    let preceding = invoice.e_invoice.as_ref().and_then(|i| i.preceding_invoices.first()).cloned();
    invoice.credited_invoice =
        preceding.map(|id| Field::new(Value::Text(id), 1.0, Source::EInvoice));
}

impl EInvoiceReader for XmlInvoiceReader {
    fn read_xml(&self, xml: &[u8]) -> Result<Invoice, DocumentError> {
        self.read(xml).map_err(DocumentError::from)
    }
}

#[cfg(test)]
mod tests;
