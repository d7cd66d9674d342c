use std::str::FromStr;

use invex_domain::{BBox, Document, FieldName, Page, Source, Value, Word};
use rust_decimal::Decimal;

use super::{INVALID_FACTOR, LabelledWord, invoice_from_words};
use crate::labels::{LineColumn, Tag, Target};

/// A page of `(text, x0, y0, tag)` words, 10 pt high, 6 pt per character.
fn page(number: u32, words: &[(&str, f32, f32)]) -> Page {
    let words = words
        .iter()
        .map(|&(text, x, y)| Word {
            text: text.to_string(),
            bbox: BBox::new(x, y, x + 6.0 * text.chars().count() as f32, y + 10.0),
            confidence: 1.0,
        })
        .collect();
    Page { number, width: 595.0, height: 842.0, words }
}

fn labelled<'a>(document: &'a Document, tags: &[(Tag, f32)]) -> Vec<LabelledWord<'a>> {
    let words = document.pages.iter().flat_map(|p| p.words.iter().map(move |w| (p.number, w)));
    words
        .zip(tags)
        .map(|((page, w), &(tag, probability))| LabelledWord {
            text: &w.text,
            bbox: w.bbox,
            page,
            tag,
            probability,
        })
        .collect()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

const O: Tag = Tag::Outside;
fn b(f: FieldName) -> Tag {
    Tag::Begin(Target::Field(f))
}
fn i(f: FieldName) -> Tag {
    Tag::Inside(Target::Field(f))
}
fn bl(c: LineColumn) -> Tag {
    Tag::Begin(Target::Line(c))
}
fn il(c: LineColumn) -> Tag {
    Tag::Inside(Target::Line(c))
}

#[test]
fn fields_take_the_surest_span_that_parses() {
    use FieldName::*;
    let document = Document {
        pages: vec![
            page(
                1,
                &[
                    ("Bankgiro", 50.0, 50.0),
                    ("5050-1056", 110.0, 50.0),
                    ("Totalt", 50.0, 70.0),
                    ("12", 110.0, 70.0),
                    ("500,00", 125.0, 70.0),
                    ("Summa", 50.0, 90.0),
                ],
            ),
            page(2, &[("Bankgiro", 50.0, 50.0), ("5050-1055", 110.0, 50.0)]),
        ],
    };
    let tags = [
        (O, 0.99),
        (b(Bankgiro), 0.9), // fails Luhn: 0.45
        (O, 0.9),
        (b(TotalAmount), 0.8),
        (i(TotalAmount), 0.6),
        (b(TotalAmount), 0.99), // "Summa" does not parse
        (O, 0.9),
        (b(Bankgiro), 0.7), // valid: 0.7 beats 0.45
    ];
    let invoice = invoice_from_words(&document, &labelled(&document, &tags));
    let giro = invoice.get(Bankgiro).expect("bankgiro");
    assert_eq!(giro.value, Value::Text("50501055".into()));
    assert_eq!((giro.page, giro.source), (Some(2), Source::Model));
    assert!((giro.confidence - 0.7).abs() < 1e-6, "0.9 * {INVALID_FACTOR} loses to 0.7");
    let total = invoice.get(TotalAmount).expect("total");
    assert_eq!(total.value, Value::Amount(dec("12500.00")));
    assert!((total.confidence - 0.7).abs() < 1e-6);
    assert_eq!(total.bbox, Some(BBox::new(110.0, 70.0, 161.0, 80.0)));
    assert_eq!(invoice.fields.len(), 2);
}

#[test]
fn line_items_group_by_visual_row() {
    use LineColumn::*;
    let document = Document {
        pages: vec![page(
            1,
            &[
                ("Konsult", 50.0, 300.0),
                ("10", 250.0, 300.0),
                ("tim", 280.0, 300.0),
                ("950,00", 330.0, 300.0),
                ("25%", 400.0, 300.0),
                ("9", 450.0, 300.0),
                ("500,00", 460.0, 300.0),
                ("senior", 50.0, 311.0), // the description's second line
                ("Resa", 50.0, 330.0),
                ("1", 250.0, 330.0),
                ("1 200,00", 450.0, 330.0),
                ("3", 250.0, 360.0), // a quantity on a row of its own
            ],
        )],
    };
    let tags = [
        (bl(Description), 0.9),
        (bl(Quantity), 0.9),
        (bl(Unit), 0.9),
        (bl(UnitPrice), 0.9),
        (bl(VatRate), 0.9),
        (bl(Amount), 0.9),
        (il(Amount), 0.9),
        (il(Description), 0.6),
        (bl(Description), 0.8),
        (bl(Quantity), 0.8),
        (bl(Amount), 0.8),
        (bl(Quantity), 0.5),
    ];
    let invoice = invoice_from_words(&document, &labelled(&document, &tags));
    let items = &invoice.line_items;
    assert_eq!(items.len(), 2, "{items:#?}");
    assert_eq!(items[0].description.as_deref(), Some("Konsult senior"));
    assert_eq!(items[0].quantity, Some(dec("10")));
    assert_eq!(items[0].unit.as_deref(), Some("tim"));
    assert_eq!(items[0].unit_price, Some(dec("950.00")));
    assert_eq!(items[0].vat_rate, Some(dec("25")));
    assert_eq!(items[0].amount, Some(dec("9500.00")));
    assert_eq!(items[1].description.as_deref(), Some("Resa"));
    assert_eq!((items[1].quantity, items[1].amount), (Some(dec("1")), Some(dec("1200.00"))));
    assert_eq!(items[1].source, Some(Source::Model));
    assert!(invoice.fields.is_empty());
}
