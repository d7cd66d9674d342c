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
    Field { xml_path: Some(path(node)), ..Field::new(value, XML_CONFIDENCE, Source::EInvoice) }
}

/// The most integer digits and decimals of an amount, as on the page
/// (`invex_domain::parse`): more is not an invoice amount, and would let
/// later arithmetic overflow.
const MAX_INTEGER_DIGITS: usize = 15;
const MAX_DECIMALS: usize = 6;

/// A decimal as written (`-12.50`, `1000`); `None` for anything else.
pub fn decimal(node: Node) -> Option<Decimal> {
    let t = text(node)?;
    if !t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+')) {
        return None;
    }
    let (whole, frac) = t.trim_start_matches(['+', '-']).split_once('.').unwrap_or((&t, ""));
    let whole = whole.trim_start_matches(['+', '-']);
    if whole.trim_start_matches('0').len() > MAX_INTEGER_DIGITS || frac.len() > MAX_DECIMALS {
        return None;
    }
    Decimal::from_str(&t).ok()
}

/// A total (BT-112) plus its rounding amount (BT-114) where there is one: the
/// amount to pay before prepayments, which is what invex books as the total.
pub fn plus_rounding(total: Option<Node>, rounding: Option<Node>) -> Option<Decimal> {
    let total = decimal(total?)?;
    match rounding.and_then(decimal) {
        Some(r) => total.checked_add(r),
        None => Some(total),
    }
}

/// A price per base quantity as a unit price, to 6 decimals (half to even).
pub fn per_base(price: Option<Node>, base: Option<Node>) -> Option<Decimal> {
    let price = decimal(price?)?;
    match base.and_then(decimal).filter(|b| !b.is_zero()) {
        Some(b) => price.checked_div(b).map(|p| p.round_dp(MAX_DECIMALS as u32)),
        None => Some(price),
    }
}

/// A CII `DateTimeString` (format 102, or none given: `YYYYMMDD`).
pub fn cii_date(node: Node) -> Option<NaiveDate> {
    let format = node.attribute("format").unwrap_or("102");
    if format != "102" {
        return None;
    }
    NaiveDate::parse_from_str(&text(node)?, "%Y%m%d").ok().filter(plausible)
}

/// A date an invoice can carry: placeholders some generators write for "no
/// date" (`00010101`, `99991231`) are absent, not dates to book.
fn plausible(date: &NaiveDate) -> bool {
    (1900..=2199).contains(&chrono::Datelike::year(date))
}

/// A UBL date (`YYYY-MM-DD`, perhaps with a time zone: `Z`, `+01:00`).
pub fn ubl_date(node: Node) -> Option<NaiveDate> {
    let t = text(node)?;
    let (day, zone) = t.split_at_checked(10)?;
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || (zone.len() == 6
            && zone.starts_with(['+', '-'])
            && zone.as_bytes()[3] == b':'
            && zone.bytes().enumerate().all(|(i, b)| i == 0 || i == 3 || b.is_ascii_digit()));
    if !zone_ok || day.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok().filter(plausible)
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
