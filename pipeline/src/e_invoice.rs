//! The e-invoice stage: find the XML in a PDF, read it exactly, and compare
//! it with what the page says.
//!
//! A PDF's XML attachments are tried in order: the standard names
//! ([`ATTACHMENT_NAMES`]: Factur-X, ZUGFeRD 1/2, XRechnung) first, then any
//! other `.xml` attachment whose root is an invoice. (pdfium does not expose
//! the `/AFRelationship` key, so "by relationship" means "an XML attachment
//! that is an invoice".)
//!
//! [`cross_check`] compares the key fields ([`CHECKED_FIELDS`]) with the
//! page. A value found on the page agrees (confidence 1, the page's box); a
//! value the page contradicts, or a required one the page does not show, is
//! a [`Mismatch`], reported as a failed check, so the service sends the
//! invoice to review. Fields only the page has are kept with their own source.

pub use invex_domain::locate::{find_on_page, locate_on_page};
use invex_domain::{
    Attachment, BBox, Document, DocumentError, EInvoiceInfo, EInvoiceReader, Field, FieldName,
    Invoice, Mismatch, Value,
};

/// The attachment names the standards give, compared case-insensitively.
pub const ATTACHMENT_NAMES: &[&str] =
    &["factur-x.xml", "zugferd-invoice.xml", "zugferd_invoice.xml", "xrechnung.xml"];

/// The fields compared with the page: the ones a wrong booking or payment
/// would follow from.
pub const CHECKED_FIELDS: [FieldName; 8] = [
    FieldName::InvoiceNumber,
    FieldName::InvoiceDate,
    FieldName::TotalAmount,
    FieldName::VatAmount,
    FieldName::Iban,
    FieldName::Bankgiro,
    FieldName::Plusgiro,
    FieldName::PaymentReference,
];

/// Fields every printed invoice shows: not finding the XML's value on the
/// page is a mismatch even when the page reading found no value of its own.
const ALWAYS_PRINTED: [FieldName; 3] =
    [FieldName::InvoiceNumber, FieldName::InvoiceDate, FieldName::TotalAmount];

/// The confidence of an XML value the page contradicts.
pub const MISMATCH_CONFIDENCE: f32 = 0.3;

/// A page reading of an identifier (number, account, reference) at least
/// this sure (a calibrated probability) is taken as what the page says: a
/// different XML value is then a mismatch even if it is printed elsewhere on
/// the page (as the order or customer number). Below it, finding the XML's
/// value on the page is agreement enough. Amounts and dates are exempt: on
/// the corpus a page reading sure of the amount due after a prepayment, one
/// rate's VAT, or a stylesheet's "vom 01.07.2020" is wrong about the field,
/// not contradicting an XML value that is printed too.
pub const PAGE_SURE: f32 = 0.8;

/// The e-invoice reader and how far to trust it.
pub struct EInvoiceStage {
    pub reader: Box<dyn EInvoiceReader>,
    /// Skip reading the page when the XML is read (faster, no cross-check).
    pub trust_xml: bool,
}

/// What a PDF's attachments gave.
pub enum Embedded {
    /// No e-invoice attachment.
    None,
    /// The invoice read from the named attachment.
    Read(Box<Invoice>),
    /// A standard-named attachment that could not be read; the page is read instead.
    Broken { attachment: String, reason: DocumentError },
}

impl EInvoiceStage {
    pub fn from_attachments(&self, mut attachments: Vec<Attachment>) -> Embedded {
        let standard = |a: &Attachment| ATTACHMENT_NAMES.contains(&a.name.to_lowercase().as_str());
        attachments.sort_by_key(|a| !standard(a));
        for attachment in attachments {
            let is_standard = standard(&attachment);
            match self.reader.read_xml(&attachment.bytes) {
                Ok(mut invoice) => {
                    if let Some(info) = invoice.e_invoice.as_mut() {
                        info.attachment = Some(attachment.name);
                    }
                    return Embedded::Read(Box::new(invoice));
                }
                Err(reason) if is_standard => {
                    return Embedded::Broken { attachment: attachment.name, reason };
                }
                Err(_) => continue,
            }
        }
        Embedded::None
    }
}

/// The page's invoice with a note that the embedded XML could not be used.
pub fn with_broken_xml(mut page: Invoice, attachment: String, reason: &DocumentError) -> Invoice {
    page.e_invoice = Some(EInvoiceInfo {
        attachment: Some(attachment.clone()),
        warnings: vec![format!(
            "the embedded {attachment} could not be used ({}: {reason}); the page was read instead",
            reason.code()
        )],
        page_checked: true,
        ..Default::default()
    });
    page
}

/// Merges the XML's invoice with the page's: the XML's values win, checked
/// against the page; the page adds what the XML lacks. Without the page's
/// words (an image extractor read it), only the page reading's values are
/// compared.
pub fn cross_check(mut xml: Invoice, page: Invoice, document: Option<&Document>) -> Invoice {
    let mut mismatches = Vec::new();
    // A page may print the total before rounding as its total.
    let printed_totals: Vec<Value> = xml
        .e_invoice
        .as_ref()
        .map_or(Vec::new(), |e| e.printed_totals.iter().map(|t| Value::Amount(*t)).collect());
    for name in CHECKED_FIELDS {
        let Some(field) = xml.fields.get_mut(&name) else { continue };
        let on_page = page.get(name);
        let alternatives: &[Value] =
            if name == FieldName::TotalAmount { &printed_totals } else { &[] };
        let found = || {
            let d = document?;
            find_on_page(d, &field.value)
                .or_else(|| alternatives.iter().find_map(|v| find_on_page(d, v)))
        };
        let agrees = |p: &&Field| {
            same(&p.value, &field.value) || alternatives.iter().any(|v| same(&p.value, v))
        };
        if let Some(p) = on_page.filter(agrees) {
            agree(field, p.page, p.bbox);
        } else if let Some(p) =
            on_page.filter(|p| p.confidence >= PAGE_SURE && matches!(p.value, Value::Text(_)))
        {
            field.confidence = field.confidence.min(MISMATCH_CONFIDENCE);
            mismatches.push(Mismatch::new(name, &field.value, Some(&p.value)));
        } else if let Some((number, bbox)) = found() {
            agree(field, Some(number), Some(bbox));
        } else if on_page.is_some() || (document.is_some() && ALWAYS_PRINTED.contains(&name)) {
            field.confidence = field.confidence.min(MISMATCH_CONFIDENCE);
            mismatches.push(Mismatch::new(name, &field.value, on_page.map(|p| &p.value)));
        }
    }
    for (name, field) in page.fields {
        xml.fields.entry(name).or_insert(field);
    }
    if xml.line_items.is_empty() {
        xml.line_items = page.line_items;
    }
    if xml.vat_breakdown.is_empty() {
        xml.vat_breakdown = page.vat_breakdown;
    }
    if xml.vat_statement.is_none() {
        xml.vat_statement = page.vat_statement;
    }
    if xml.credited_invoice.is_none() {
        xml.credited_invoice = page.credited_invoice;
    }
    let info = xml.e_invoice.get_or_insert_with(EInvoiceInfo::default);
    info.page_checked = true;
    if document.is_none() {
        info.warnings.push(
            "the page was read without words (an image extractor); only its values were compared"
                .into(),
        );
    }
    info.mismatches = mismatches;
    xml
}

fn agree(field: &mut Field, page: Option<u32>, bbox: Option<BBox>) {
    field.confidence = 1.0;
    field.page = page;
    field.bbox = bbox;
}

/// The same value, as a person comparing the two would say: amounts equal
/// up to the sign (credit notes often print none), identifiers equal up to
/// spaces, punctuation and case.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Amount(a), Value::Amount(b)) => a.abs() == b.abs(),
        (Value::Text(a), Value::Text(b)) => squash(a) == squash(b),
        (a, b) => a == b,
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

#[cfg(test)]
#[path = "e_invoice_tests.rs"]
mod tests;
