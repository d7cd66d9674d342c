//! Parsed Donut elements to an [`Invoice`]: every element named after an
//! invex field (`<s_total_amount>`, the snake_case [`FieldName`]) is a
//! candidate value, typed and validated as the layout model's spans are
//! ([`crate::values::field_value`]); the surest candidate of a field wins.
//!
//! - An element with an unknown name is not a field; the fields inside it
//!   are still read (a schema may group them, `<s_header>…</s_header>`).
//! - A field element with elements inside spells its value in parts: their
//!   texts are joined with `, ` (an address in lines).
//! - `<sep/>` items of one field are separate candidates.
//! - Confidence: the mean probability of the value's tokens (1 when the
//!   value was parsed from text without probabilities), halved
//!   ([`INVALID_FACTOR`]) when the value fails its validator.
//! - A Donut reads a page image, not words: fields have no box.

use invex_domain::parse::{DateOrder, date_order_for, detect_language, looks_like_date};
use invex_domain::{Field, FieldName, Invoice, Source, Value, ValueKind};

use super::tags::Node;
use crate::fields::INVALID_FACTOR;
use crate::values::field_value;

/// One value the model gave for a field.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub name: FieldName,
    pub text: String,
    /// Mean token probability, if known.
    pub probability: Option<f32>,
}

/// Every field value in `nodes`, in sequence order.
pub fn candidates(nodes: &[Node]) -> Vec<Candidate> {
    let mut out = Vec::new();
    collect(nodes, &mut out);
    out
}

fn collect(nodes: &[Node], out: &mut Vec<Candidate>) {
    for node in nodes {
        match FieldName::parse(&node.name) {
            Some(name) if node.children.is_empty() => {
                out.extend(node.values.iter().map(|v| Candidate {
                    name,
                    text: v.text.clone(),
                    probability: v.mean_probability(),
                }));
            }
            Some(name) => {
                let mut parts = Vec::new();
                let mut probabilities = Vec::new();
                gather(node, &mut parts, &mut probabilities);
                let n = probabilities.len();
                out.push(Candidate {
                    name,
                    text: parts.join(", "),
                    probability: (n > 0).then(|| probabilities.iter().sum::<f32>() / n as f32),
                });
            }
            None => collect(&node.children, out),
        }
    }
}

/// All texts of `node` and the elements inside it, in order.
fn gather(node: &Node, parts: &mut Vec<String>, probabilities: &mut Vec<f32>) {
    for value in &node.values {
        parts.push(value.text.clone());
        probabilities.extend_from_slice(&value.probabilities);
    }
    for child in &node.children {
        gather(child, parts, probabilities);
    }
}

/// The invoice that `nodes` spell; `page` is the page the image showed.
pub fn invoice_from_nodes(nodes: &[Node], page: Option<u32>) -> Invoice {
    let candidates = candidates(nodes);
    let order = date_order(&candidates);
    let mut invoice = Invoice::default();
    for candidate in &candidates {
        let Some((value, valid)) = typed(candidate.name, &candidate.text, order) else { continue };
        let factor = if valid { 1.0 } else { INVALID_FACTOR };
        let field = Field {
            value,
            confidence: (candidate.probability.unwrap_or(1.0) * factor).clamp(0.0, 1.0),
            page,
            bbox: None,
            source: Source::Donut,
            xml_path: None,
        };
        if invoice.get(candidate.name).is_none_or(|best| field.confidence > best.confidence) {
            invoice.set(candidate.name, field);
        }
    }
    invoice
}

/// How to read numeric dates, from the language of all values.
fn date_order(candidates: &[Candidate]) -> DateOrder {
    let words = candidates.iter().flat_map(|c| c.text.split_whitespace());
    let dates: Vec<&str> =
        candidates.iter().map(|c| c.text.as_str()).filter(|t| looks_like_date(t)).collect();
    date_order_for(detect_language(words), &dates)
}

/// A value of the field's kind and whether it passed its validator.
pub fn typed(name: FieldName, text: &str, order: DateOrder) -> Option<(Value, bool)> {
    if name.kind() == ValueKind::Bool {
        return boolean(text).map(|b| (Value::Bool(b), true));
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    field_value(name, &[words], order).map(|t| (t.value, t.valid))
}

fn boolean(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "true" | "yes" | "ja" | "1" | "x" => Some(true),
        "false" | "no" | "nej" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::*;
    use crate::donut::tags::{Piece, lex, parse};

    fn invoice(sequence: &str) -> Invoice {
        invoice_from_nodes(&parse(&lex(sequence)), Some(1))
    }

    /// `field=value` per field, sorted by field, with confidences to 2 places.
    fn render(invoice: &Invoice) -> String {
        invoice
            .fields
            .iter()
            .map(|(name, f)| format!("{name}={}@{:.2}", f.value, f.confidence))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn check(sequence: &str, expected: &str) {
        assert_eq!(render(&invoice(sequence)), expected, "{sequence}");
    }

    #[test]
    fn fields_are_typed_and_validated() {
        check(
            "<s_invoice_number>F-1043</s_invoice_number><s_total_amount>1 234,56</s_total_amount>",
            "invoice_number=F-1043@1.00; total_amount=1234.56@1.00",
        );
        check(
            "<s_invoice_date>2026-11-22</s_invoice_date><s_due_date>22.12.2026</s_due_date>",
            "invoice_date=2026-11-22@1.00; due_date=2026-12-22@1.00",
        );
        check("<s_currency>kr</s_currency>", "currency=SEK@1.00");
        check("<s_bankgiro>5050-1055</s_bankgiro>", "bankgiro=50501055@1.00");
        // A Luhn failure is kept, with half the confidence.
        check("<s_bankgiro>5050-1056</s_bankgiro>", "bankgiro=50501056@0.50");
        check("<s_is_credit_note>ja</s_is_credit_note>", "is_credit_note=true@1.00");
        // Values that do not parse are dropped.
        check("<s_total_amount>many</s_total_amount><s_invoice_date>soon</s_invoice_date>", "");
    }

    #[test]
    fn unknown_tags_groups_and_lists() {
        check(
            "<s_note>hello</s_note><s_invoice_number>7</s_invoice_number>",
            "invoice_number=7@1.00",
        );
        check(
            "<s_header><s_invoice_number>7</s_invoice_number></s_header>",
            "invoice_number=7@1.00",
        );
        check(
            "<s_supplier_address><s_line>Storgatan 1</s_line><s_line>111 22 Stockholm</s_line></s_supplier_address>",
            "supplier_address=Storgatan 1, 111 22 Stockholm@1.00",
        );
        // Repeated: the first of equally sure values wins; a valid one
        // beats an invalid one.
        check("<s_invoice_number>1<sep/>2</s_invoice_number>", "invoice_number=1@1.00");
        check(
            "<s_bankgiro>5050-1056</s_bankgiro><s_bankgiro>5050-1055</s_bankgiro>",
            "bankgiro=50501055@1.00",
        );
        // Cut short: the finished field survives.
        check("<s_invoice_number>7</s_invoice_number><s_total_amount>12", "invoice_number=7@1.00");
    }

    #[test]
    fn confidence_is_the_mean_token_probability() {
        let pieces = vec![
            Piece::Open("total_amount".into()),
            Piece::Text { text: " 1 234,56".into(), probabilities: vec![0.9, 0.8, 0.7] },
            Piece::Close("total_amount".into()),
            Piece::Open("total_amount".into()),
            Piece::Text { text: " 99,00".into(), probabilities: vec![0.5] },
            Piece::Close("total_amount".into()),
        ];
        let invoice = invoice_from_nodes(&parse(&pieces), Some(2));
        let field = invoice.get(FieldName::TotalAmount).expect("total");
        assert_eq!(field.value, Value::Amount(Decimal::from_str("1234.56").unwrap()));
        assert!((field.confidence - 0.8).abs() < 1e-6);
        assert_eq!((field.page, field.source, field.bbox), (Some(2), Source::Donut, None));
        let date =
            invoice_from_nodes(&parse(&lex("<s_invoice_date>03/04/2026</s_invoice_date>")), None);
        assert_eq!(
            date.date(FieldName::InvoiceDate),
            Some(NaiveDate::from_ymd_opt(2026, 4, 3).unwrap())
        );
    }
}
