//! The text of a span to a field's typed, normalised value, in the forms the
//! rules extractor writes (so that the two compare equal): dates and amounts
//! parsed, Bankgiro/Plusgiro/OCR as digits, org.nr `NNNNNN-NNNN`, VAT, IBAN
//! and BIC compact upper-case, names and references trimmed of the
//! punctuation around them, an address's lines joined with `, `.
//!
//! Identifiers that are shaped right but fail their check (a Bankgiro whose
//! Luhn digit is wrong) are still returned, marked invalid; the caller
//! lowers their confidence.

use invex_domain::parse::{DateOrder, normalize_currency, parse_amount, parse_date};
use invex_domain::validate::{
    bankgiro, bic, iban, ocr_reference, org_nr, plusgiro, rf_reference, vat_number,
};
use invex_domain::{FieldName, Value};

/// A span's value and whether it passed its validator.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    pub value: Value,
    pub valid: bool,
}

/// The value of `field` from a span's words, grouped into visual lines.
pub fn field_value(field: FieldName, lines: &[Vec<&str>], order: DateOrder) -> Option<Typed> {
    use FieldName::*;
    let words: Vec<&str> = lines.iter().flatten().copied().collect();
    let text = words.join(" ");
    let ok = |value: Value| Some(Typed { value, valid: true });
    match field {
        InvoiceDate | DueDate => ok(Value::Date(parse_date(&text, order)?)),
        NetAmount | VatAmount | TotalAmount => ok(Value::Amount(amount(&text, &words)?)),
        Currency => {
            let code = normalize_currency(&text)
                .or_else(|| words.iter().find_map(|w| normalize_currency(w)))?;
            ok(Value::Text(code.to_string()))
        }
        InvoiceNumber | OrderNumber => non_empty(trim_value(&text).trim_end_matches('.')),
        SupplierName | BuyerName | BuyerReference | SupplierReference => non_empty(&display(&text)),
        SupplierAddress => non_empty(&address_parts(lines).join(", ")),
        SupplierOrgNr | BuyerOrgNr => checked(&text, org_nr, |s| {
            let d = digits(s).filter(|d| d.len() == 10)?;
            Some(format!("{}-{}", &d[..6], &d[6..]))
        }),
        SupplierVat => checked(&text, vat_number, |s| {
            compact(s)
                .filter(|c| c.len() >= 8 && c.as_bytes()[..2].iter().all(u8::is_ascii_alphabetic))
        }),
        Iban => checked(&text, iban, |s| {
            let c = compact(s)?;
            let b = c.as_bytes();
            let shaped = (15..=34).contains(&b.len())
                && b[..2].iter().all(u8::is_ascii_alphabetic)
                && b[2..4].iter().all(u8::is_ascii_digit);
            shaped.then_some(c)
        }),
        Bic => checked(&text, bic, |s| compact(s).filter(|c| c.len() == 8 || c.len() == 11)),
        Bankgiro => checked(&text, bankgiro, |s| digits(s).filter(|d| (5..=8).contains(&d.len()))),
        Plusgiro => checked(&text, plusgiro, |s| digits(s).filter(|d| (2..=8).contains(&d.len()))),
        PaymentReference => payment_reference(&text),
        IsCreditNote | SupplierFSkatt => None,
    }
}

/// The validator's value, else the fallback's, marked invalid.
fn checked(
    text: &str,
    validator: fn(&str) -> Option<String>,
    fallback: impl Fn(&str) -> Option<String>,
) -> Option<Typed> {
    if let Some(v) = validator(text) {
        return Some(Typed { value: Value::Text(v), valid: true });
    }
    fallback(trim_value(text)).map(|v| Typed { value: Value::Text(v), valid: false })
}

/// An OCR number (Luhn-checked), a creditor reference, or any other
/// reference text; digits that fail the OCR check are marked invalid.
fn payment_reference(text: &str) -> Option<Typed> {
    let valid = |v: String| Some(Typed { value: Value::Text(v), valid: true });
    if let Some(ocr) = ocr_reference(text) {
        return valid(ocr);
    }
    if let Some(rf) = rf_reference(text) {
        return valid(rf);
    }
    let t = trim_value(text);
    if let Some(d) = digits(t) {
        return Some(Typed { value: Value::Text(d), valid: false });
    }
    non_empty(t.trim_end_matches('.'))
}

/// A valid text value, unless empty.
fn non_empty(s: &str) -> Option<Typed> {
    (!s.is_empty()).then(|| Typed { value: Value::Text(s.to_string()), valid: true })
}

/// An amount: the whole span, else its last word that parses.
pub fn amount(text: &str, words: &[&str]) -> Option<rust_decimal::Decimal> {
    parse_amount(text).or_else(|| words.iter().rev().find_map(|w| parse_amount(w)))
}

/// Trims punctuation that clings to a value from the text around it (as the
/// rules' `trim_value`).
pub fn trim_value(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | ';' | ',' | '(' | ')' | '[' | ']' | '"' | '\'' | '*')
    })
}

/// A name or reference as the rules print it.
fn display(text: &str) -> String {
    trim_value(text).trim_end_matches(['·', ',', '|']).trim().to_string()
}

/// Address parts: each line, split at `·`, `|` and `•`, without a trailing comma.
fn address_parts(lines: &[Vec<&str>]) -> Vec<String> {
    let mut parts = Vec::new();
    for line in lines {
        for segment in line.split(|w| matches!(*w, "·" | "|" | "•")) {
            let part = segment.join(" ");
            let part = part.trim().trim_end_matches(',').trim();
            if !part.is_empty() {
                parts.push(part.to_string());
            }
        }
    }
    parts
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2014}' | '\u{2212}' | '.')
}

/// The digits of `s` when only digits and separators are there.
fn digits(s: &str) -> Option<String> {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if !is_separator(c) {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Letters and digits, upper-cased, when only those and separators are there.
fn compact(s: &str) -> Option<String> {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !is_separator(c) {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
#[path = "values_tests.rs"]
mod tests;
