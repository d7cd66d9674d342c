//! Turning XML elements into invex fields: typed values (normalised as
//! `MAPPING.md` says), source `e-invoice`, and the element's path as evidence.

use std::str::FromStr;

use chrono::NaiveDate;
use invex_domain::{Field, FieldName, Invoice, Source, Value};
use roxmltree::Node;
use rust_decimal::Decimal;

use crate::xml::{path, text};

/// How sure a value read from the XML is before the page confirms it. The
/// XML is read exactly; what is left is the chance that it disagrees with
/// the invoice the supplier meant (the page). Agreement raises it to 1.
pub const XML_CONFIDENCE: f32 = 0.98;

/// Invoice type codes (UNTDID 1001) that are credit notes.
pub const CREDIT_NOTE_CODES: &[&str] =
    &["81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"];

pub fn field(value: Value, node: Node) -> Field {
    Field {
        value,
        confidence: XML_CONFIDENCE,
        page: None,
        bbox: None,
        source: Source::EInvoice,
        xml_path: Some(path(node)),
    }
}

/// A decimal as written (`-12.50`, `1000`); `None` for anything else.
pub fn decimal(node: Node) -> Option<Decimal> {
    let t = text(node)?;
    if !t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+')) {
        return None;
    }
    Decimal::from_str(&t).ok()
}

/// A CII `DateTimeString` (format 102, or none given: `YYYYMMDD`).
pub fn cii_date(node: Node) -> Option<NaiveDate> {
    let format = node.attribute("format").unwrap_or("102");
    if format != "102" {
        return None;
    }
    NaiveDate::parse_from_str(&text(node)?, "%Y%m%d").ok()
}

/// A UBL date (`YYYY-MM-DD`).
pub fn ubl_date(node: Node) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&text(node)?, "%Y-%m-%d").ok()
}

/// Identifiers compared and booked without spaces, upper case (VAT, IBAN, BIC).
pub fn compact_upper(node: Node) -> Option<String> {
    let t: String = text(node)?.chars().filter(|c| !c.is_whitespace()).collect();
    (!t.is_empty()).then(|| t.to_uppercase())
}

pub fn digits(node: Node) -> Option<String> {
    let t: String = text(node)?.chars().filter(char::is_ascii_digit).collect();
    (!t.is_empty()).then_some(t)
}

/// Whether a normalised account id has an IBAN's shape.
pub fn iban_shaped(s: &str) -> bool {
    let b = s.as_bytes();
    (15..=34).contains(&b.len())
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Collects fields; the first value set for a field wins (mappings try the
/// preferred element first).
#[derive(Default)]
pub struct Fields {
    pub invoice: Invoice,
}

impl Fields {
    pub fn set(&mut self, name: FieldName, value: Option<Value>, node: Node) {
        if let Some(value) = value
            && !self.invoice.fields.contains_key(&name)
        {
            self.invoice.set(name, field(value, node));
        }
    }
    pub fn text(&mut self, name: FieldName, node: Option<Node>) {
        if let Some(node) = node {
            self.set(name, text(node).map(Value::Text), node);
        }
    }
    pub fn amount(&mut self, name: FieldName, node: Option<Node>) {
        if let Some(node) = node {
            self.set(name, decimal(node).map(Value::Amount), node);
        }
    }
}
