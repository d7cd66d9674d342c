use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::json;

use crate::{BBox, Field, FieldName, Invoice, LineItem, Prediction, Source, Value, VatLine};

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn field(value: Value) -> Field {
    Field {
        value,
        confidence: 0.75,
        page: Some(1),
        bbox: Some(BBox::new(10.5, 20.0, 110.5, 32.5)),
        source: Source::Rules,
        xml_path: None,
    }
}

/// An invoice with every kind of value, a breakdown and a line item.
fn invoice() -> Invoice {
    let mut inv = Invoice::default();
    inv.set(FieldName::InvoiceNumber, field(Value::Text("F-1001".into())));
    inv.set(FieldName::SupplierName, field(Value::Text("Åkerö Bygg & Färg AB".into())));
    let date = NaiveDate::from_ymd_opt(2026, 3, 31).expect("date");
    inv.set(FieldName::InvoiceDate, field(Value::Date(date)));
    inv.set(FieldName::TotalAmount, field(Value::Amount(dec("1234.56"))));
    inv.set(FieldName::VatAmount, field(Value::Amount(dec("-0.1"))));
    inv.set(FieldName::IsCreditNote, field(Value::Bool(true)));
    let mut derived = field(Value::Amount(dec("1000")));
    (derived.page, derived.bbox, derived.source) = (None, None, Source::Derived);
    inv.set(FieldName::NetAmount, derived);
    inv.vat_breakdown = vec![
        VatLine {
            rate: dec("25"),
            base: Some(dec("800")),
            amount: dec("200"),
            category: None,
            exemption_reason: None,
        },
        VatLine {
            rate: dec("12"),
            base: None,
            amount: dec("34.56"),
            category: None,
            exemption_reason: None,
        },
    ];
    inv.line_items = vec![
        LineItem {
            description: Some("Målarfärg, 10 l".into()),
            quantity: Some(dec("2.5")),
            unit: Some("st".into()),
            unit_price: Some(dec("320")),
            vat_rate: Some(dec("25")),
            amount: Some(dec("800")),
            confidence: 0.5,
            page: Some(2),
            bbox: Some(BBox::new(1.0, 2.0, 3.0, 4.5)),
            source: None,
            ..Default::default()
        },
        LineItem {
            kind: crate::LineKind::Allowance,
            description: Some("Rabatt 10 %".into()),
            amount: Some(dec("-80")),
            unsure: Some("the line items add up to 720; the net amount is 800".into()),
            ..Default::default()
        },
        LineItem::default(),
    ];
    inv.vat_statement = Some(crate::tax::VatStatement {
        note: crate::tax::VatNote::ReverseCharge,
        text: "Omvänd skattskyldighet".into(),
        confidence: 0.9,
        page: Some(1),
        bbox: Some(BBox::new(40.0, 700.0, 180.5, 712.0)),
        source: Source::Rules,
    });
    inv.credited_invoice = Some(field(Value::Text("F-0999".into())));
    inv
}

#[test]
fn predictions_round_trip_through_json() {
    let cases = [
        Prediction::ok("dir/a.pdf".into(), invoice(), 2),
        Prediction::ok("empty.pdf".into(), Invoice::default(), 1),
        Prediction::failed("b.pdf".into(), "encrypted", "the PDF is encrypted".into()),
    ];
    for p in cases {
        let line = p.to_json().to_string();
        let json: serde_json::Value = serde_json::from_str(&line).expect("json");
        assert_eq!(Prediction::from_json(&json).as_ref(), Ok(&p), "{line}");
    }
}

#[test]
fn malformed_lines_name_the_problem() {
    let check = |input: serde_json::Value, expected: &str| {
        let got = Prediction::from_json(&input).map(|_| ()).map_err(|e| e.to_string());
        assert!(got.as_ref().is_err_and(|e| e.contains(expected)), "{input}: {got:?}");
    };
    let cases = [
        (json!([1]), "not a JSON object"),
        (json!({"status": "ok"}), "no \"file\""),
        (json!({"file": "a.pdf", "status": "done"}), "a.pdf: status Some(\"done\")"),
        (
            json!({"file": "a.pdf", "status": "ok", "fields": {"total_amount": {"value": "lots"}}}),
            "a.pdf: total_amount lots is not a decimal number",
        ),
        (
            json!({"file": "a.pdf", "status": "ok", "fields": {"invoice_date": {"value": "31/03/2026"}}}),
            "invoice_date value",
        ),
        (
            json!({"file": "a.pdf", "status": "ok", "vat_breakdown": [{"rate": 25}]}),
            "lacks rate or amount",
        ),
        (
            json!({"file": "a.pdf", "status": "ok", "line_items": {}}),
            "\"line_items\" is not an array",
        ),
        (
            json!({"file": "a.pdf", "status": "ok", "line_items": [{"kind": "discount"}]}),
            "line kind \"discount\" is not item, allowance or charge",
        ),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

#[test]
fn unknown_fields_are_ignored_and_amounts_keep_their_digits() {
    let json = json!({"file": "a.pdf", "status": "ok", "fields": {
        "new_field": {"value": 1},
        "total_amount": {"value": 0.3, "confidence": 0.9},
        "net_amount": {"value": "1234.10"}
    }});
    let p = Prediction::from_json(&json).expect("parses");
    assert_eq!(p.invoice.fields.len(), 2);
    assert_eq!(p.invoice.amount(FieldName::TotalAmount), Some(dec("0.3")));
    assert_eq!(p.invoice.amount(FieldName::NetAmount), Some(dec("1234.1")));
}
