use std::str::FromStr;

use invex_domain::{Field, FieldName, Invoice, Source, Value};
use rust_decimal::Decimal;

use super::merge;

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn amount(s: &str) -> Value {
    Value::Amount(Decimal::from_str(s).unwrap())
}

fn field(value: Value, confidence: f32, source: Source) -> Field {
    Field { value, confidence, page: Some(1), bbox: None, source, xml_path: None }
}

fn invoice(fields: &[(FieldName, Value, f32)], source: Source) -> Invoice {
    let mut inv = Invoice::default();
    for (name, value, conf) in fields {
        inv.set(*name, field(value.clone(), *conf, source));
    }
    inv
}

/// (rules' fields, model's fields, expected (field, value, winning source)).
type Case = (
    &'static str,
    Vec<(FieldName, Value, f32)>,
    Vec<(FieldName, Value, f32)>,
    Vec<(FieldName, Value, Source)>,
);

#[test]
fn validators_and_confidence_decide_between_sources() {
    use FieldName::*;
    let cases: Vec<Case> = vec![
        (
            "agreement keeps the value",
            vec![(InvoiceNumber, text("F-1001"), 0.9)],
            vec![(InvoiceNumber, text("F-1001"), 0.8)],
            vec![(InvoiceNumber, text("F-1001"), Source::Rules)],
        ),
        (
            "a Luhn-valid Bankgiro beats a more confident invalid one",
            vec![(Bankgiro, text("5050-1055"), 0.5)],
            vec![(Bankgiro, text("5050-1056"), 0.95)],
            vec![(Bankgiro, text("5050-1055"), Source::Rules)],
        ),
        (
            "the model's valid org.nr beats the rules' invalid one",
            vec![(SupplierOrgNr, text("556036-0794"), 0.9)],
            vec![(SupplierOrgNr, text("556036-0793"), 0.6)],
            vec![(SupplierOrgNr, text("556036-0793"), Source::Model)],
        ),
        (
            "both valid: a sure model overrules unsure rules",
            vec![(InvoiceNumber, text("A"), 0.4)],
            vec![(InvoiceNumber, text("B"), 0.95)],
            vec![(InvoiceNumber, text("B"), Source::Model)],
        ),
        (
            "both valid: rules that are fairly sure keep the field",
            vec![(InvoiceNumber, text("A"), 0.55)],
            vec![(InvoiceNumber, text("B"), 0.99)],
            vec![(InvoiceNumber, text("A"), Source::Rules)],
        ),
        (
            "both valid: an unsure model does not overrule unsure rules",
            vec![(InvoiceNumber, text("A"), 0.3)],
            vec![(InvoiceNumber, text("B"), 0.8)],
            vec![(InvoiceNumber, text("A"), Source::Rules)],
        ),
        (
            "fields only one source found are kept",
            vec![(InvoiceNumber, text("A"), 0.9)],
            vec![(OrderNumber, text("PO-7"), 0.95)],
            vec![
                (InvoiceNumber, text("A"), Source::Rules),
                (OrderNumber, text("PO-7"), Source::Model),
            ],
        ),
        (
            "amounts that add up are kept together",
            vec![
                (NetAmount, amount("100"), 0.4),
                (VatAmount, amount("25"), 0.4),
                (TotalAmount, amount("125"), 0.4),
            ],
            vec![(NetAmount, amount("1000"), 0.95), (VatAmount, amount("25"), 0.95)],
            vec![
                (NetAmount, amount("100"), Source::Rules),
                (VatAmount, amount("25"), Source::Rules),
                (TotalAmount, amount("125"), Source::Rules),
            ],
        ),
    ];
    for (what, rules, model, expected) in cases {
        let merged = merge(invoice(&rules, Source::Rules), invoice(&model, Source::Model));
        for (name, value, source) in expected {
            let got = merged.get(name).unwrap_or_else(|| panic!("{what}: {name} missing"));
            assert_eq!((&got.value, got.source), (&value, source), "{what}: {name}");
        }
    }
}

#[test]
fn unsure_or_invalid_model_only_fields_are_dropped() {
    use FieldName::*;
    let model = invoice(
        &[
            (OrderNumber, text("PO-7"), 0.7),
            (Bankgiro, text("5050-1056"), 0.99),
            (Bankgiro, text("5050-1056"), 0.99),
        ],
        Source::Model,
    );
    let merged = merge(Invoice::default(), model);
    assert!(merged.fields.is_empty(), "{:?}", merged.fields.keys().collect::<Vec<_>>());
}

#[test]
fn agreement_raises_and_disagreement_lowers_confidence() {
    let one = |conf_r: f32, v_m: &str, conf_m: f32| {
        let r = invoice(&[(FieldName::InvoiceNumber, text("A"), conf_r)], Source::Rules);
        let m = invoice(&[(FieldName::InvoiceNumber, text(v_m), conf_m)], Source::Model);
        merge(r, m).get(FieldName::InvoiceNumber).unwrap().confidence
    };
    assert!((one(0.8, "A", 0.5) - 0.9).abs() < 1e-6);
    assert!((one(0.8, "B", 0.5) - 0.6).abs() < 1e-6);
}
