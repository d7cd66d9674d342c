use invex_domain::{BBox, Document, Field, FieldName, Invoice, Page, Source, Value, Word};

use super::*;

/// A page of lines; each line's words sit side by side at its height.
fn page(lines: &[&str]) -> Document {
    let mut words = Vec::new();
    for (row, line) in lines.iter().enumerate() {
        let y = 20.0 * row as f32;
        for (col, text) in line.split(' ').enumerate() {
            let x = 60.0 * col as f32;
            words.push(Word {
                text: text.into(),
                bbox: BBox::new(x, y, x + 50.0, y + 10.0),
                confidence: 1.0,
            });
        }
    }
    Document { pages: vec![Page { number: 1, width: 600.0, height: 800.0, words }] }
}

fn invoice(source: Source, fields: &[(FieldName, Value)]) -> Invoice {
    invoice_at(source, 0.9, fields)
}

fn invoice_at(source: Source, confidence: f32, fields: &[(FieldName, Value)]) -> Invoice {
    let mut inv = Invoice::default();
    for (name, value) in fields {
        let field = Field {
            value: value.clone(),
            confidence,
            page: None,
            bbox: None,
            source,
            xml_path: None,
        };
        inv.set(*name, field);
    }
    inv
}

fn amount(s: &str) -> Value {
    Value::Amount(s.parse().unwrap())
}
fn text(s: &str) -> Value {
    Value::Text(s.into())
}
fn date(s: &str) -> Value {
    Value::Date(s.parse().unwrap())
}

#[test]
fn cross_check_table() {
    let printed = page(&[
        "Rechnung Nr.:RE-1001",
        "Bestellung 4711",
        "Datum 1. März 2024",
        "Summe netto 1.000,00 EUR",
        "MwSt 19 % 190,00",
        "Gesamtbetrag 1.190,00 EUR",
        "IBAN DE89 3704 0044 0532 0130 00",
    ]);
    let xml_fields = || {
        vec![
            (FieldName::InvoiceNumber, text("RE-1001")),
            (FieldName::InvoiceDate, date("2024-03-01")),
            (FieldName::VatAmount, amount("190.00")),
            (FieldName::TotalAmount, amount("1190.00")),
            (FieldName::Iban, text("DE89370400440532013000")),
            (FieldName::PaymentReference, text("RF18 5390 0754 7034")),
        ]
    };
    // (case, edit to the XML, what the page reading found, expected mismatch messages)
    type Fields = Vec<(FieldName, Value)>;
    let cases: Vec<(&str, Fields, Fields, Vec<&str>)> = vec![
        ("all agree, found on the page", vec![], vec![], vec![]),
        (
            "edited total, page read right",
            vec![(FieldName::TotalAmount, amount("1520.00"))],
            vec![(FieldName::TotalAmount, amount("1190.00"))],
            vec!["the XML says total amount 1 520,00; the page says 1 190,00"],
        ),
        (
            "edited total, page reading found none",
            vec![(FieldName::TotalAmount, amount("1520.00"))],
            vec![],
            vec!["the XML says total amount 1 520,00; the page does not show it"],
        ),
        (
            "edited IBAN and date",
            vec![
                (FieldName::Iban, text("DE02120300000000202051")),
                (FieldName::InvoiceDate, date("2024-03-02")),
            ],
            vec![(FieldName::Iban, text("DE89370400440532013000"))],
            vec![
                "the XML says invoice date 2024-03-02; the page does not show it",
                "the XML says iban DE02120300000000202051; the page says DE89370400440532013000",
            ],
        ),
        (
            "number edited to another printed identifier, page reading sure of the number",
            vec![(FieldName::InvoiceNumber, text("4711"))],
            vec![(FieldName::InvoiceNumber, text("RE-1001"))],
            vec!["the XML says invoice number 4711; the page says RE-1001"],
        ),
        (
            "page reading sure of another printed amount (the net) as the total",
            vec![],
            vec![(FieldName::TotalAmount, amount("1000.00"))],
            vec![],
        ),
        (
            "day and month swapped",
            vec![(FieldName::InvoiceDate, date("2024-01-03"))],
            vec![],
            vec!["the XML says invoice date 2024-01-03; the page does not show it"],
        ),
        (
            "a credit note printed without its sign",
            vec![(FieldName::VatAmount, amount("-190.00"))],
            vec![],
            vec![],
        ),
    ];
    for (case, edits, page_fields, expected) in cases {
        let mut fields = xml_fields();
        for (name, value) in edits {
            fields.retain(|(n, _)| *n != name);
            fields.push((name, value));
        }
        let xml = invoice(Source::EInvoice, &fields);
        let mut page_fields = page_fields;
        page_fields.push((FieldName::Bic, text("COBADEFFXXX")));
        let out = cross_check(xml, invoice(Source::Rules, &page_fields), Some(&printed));
        let info = out.e_invoice.as_ref().unwrap();
        let got: Vec<String> = info.mismatches.iter().map(|m| m.to_string()).collect();
        assert_eq!(got, expected, "{case}");
        assert!(info.page_checked, "{case}");
        // The page adds what the XML lacks, with its own source.
        assert_eq!(out.get(FieldName::Bic).unwrap().source, Source::Rules, "{case}");
        for name in [FieldName::InvoiceNumber, FieldName::TotalAmount, FieldName::Iban] {
            let field = out.get(name).unwrap();
            let flagged = info.mismatches.iter().any(|m| m.field == name);
            let want = if flagged { MISMATCH_CONFIDENCE } else { 1.0 };
            assert_eq!(field.confidence, want, "{case}: {name}");
            assert_eq!(field.source, Source::EInvoice, "{case}: {name}");
        }
        // Not printed and not read from the page: left unverified, not flagged.
        assert_eq!(out.get(FieldName::PaymentReference).unwrap().confidence, 0.9, "{case}");
    }
}

#[test]
fn an_unsure_page_reading_yields_to_the_value_found_on_the_page() {
    let printed = page(&["Summe netto 1.000,00", "Gesamtbetrag 1.190,00 EUR"]);
    let xml = invoice(Source::EInvoice, &[(FieldName::TotalAmount, amount("1190"))]);
    let unsure = invoice_at(Source::Rules, 0.5, &[(FieldName::TotalAmount, amount("1000"))]);
    let out = cross_check(xml.clone(), unsure, Some(&printed));
    assert_eq!(out.e_invoice.unwrap().mismatches, []);
    // Without the page's words, a value the reading missed is not flagged.
    let out = cross_check(xml, Invoice::default(), None);
    let info = out.e_invoice.unwrap();
    assert_eq!(info.mismatches, []);
    assert_eq!(info.warnings.len(), 1);
}

#[test]
fn agreement_takes_the_page_box() {
    let printed = page(&["Invoice no. 77-A", "Total EUR 12.50"]);
    let xml = invoice(Source::EInvoice, &[(FieldName::TotalAmount, amount("12.5"))]);
    let out = cross_check(xml, Invoice::default(), Some(&printed));
    let total = out.get(FieldName::TotalAmount).unwrap();
    assert_eq!((total.page, total.confidence), (Some(1), 1.0));
    assert_eq!(total.bbox.map(|b| b.y0), Some(20.0));
}
