use chrono::NaiveDate;
use invex_domain::memory::{Confirmed, Direction, FieldMemory, MemoryStage};
use invex_domain::{BBox, Document, Field, FieldName, Invoice, Page, Source, Value, Word};
use rust_decimal::Decimal;

use super::*;

/// A one-page document: each line is `(y, [(x, text)])`; words are 6 points
/// wide per character and 10 high.
fn doc(lines: &[(f32, &[(f32, &str)])]) -> Document {
    let mut words = Vec::new();
    for (y, line) in lines {
        for (x, text) in line.iter() {
            words.push(Word {
                text: text.to_string(),
                bbox: BBox {
                    x0: *x,
                    y0: *y,
                    x1: x + 6.0 * text.chars().count() as f32,
                    y1: y + 10.0,
                },
                confidence: 1.0,
            });
        }
    }
    Document { pages: vec![Page { number: 1, width: 595.0, height: 842.0, words }] }
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn date(y: i32, m: u32, d: u32) -> Value {
    Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn amount(s: &str) -> Value {
    Value::Amount(s.parse::<Decimal>().unwrap())
}

/// A supplier's layout: its name at the top, an unusual caption for the
/// invoice number, a date under a column caption, a total and a Bankgiro.
fn invoice(number: &str, day: &str, total: &str, name: &str) -> Document {
    doc(&[
        (40.0, &[(50.0, name)]),
        (80.0, &[(50.0, "Our"), (74.0, "ref"), (96.0, "no:"), (200.0, number)]),
        (120.0, &[(50.0, "Issued"), (200.0, "Customer")]),
        (134.0, &[(50.0, day), (200.0, "4411")]),
        (400.0, &[(300.0, "To"), (318.0, "pay"), (420.0, total), (480.0, "SEK")]),
        (700.0, &[(50.0, "Bankgiro"), (110.0, "5050-1055")]),
    ])
}

fn learned(document: &Document, field: FieldName, value: &Value) -> FieldMemory {
    let memory = SupplierMemory.learn(
        document,
        Vec::new(),
        &[Confirmed { field, value: Some(value.clone()), corrected: true }],
    );
    memory.into_iter().next().unwrap_or(FieldMemory { field, placements: Vec::new() })
}

#[test]
fn a_placement_learned_on_one_invoice_reads_the_next() {
    let first = invoice("A-1001", "2026-03-05", "1 250,00", "Acme Tools AB");
    let second = invoice("A-1002", "2026-04-07", "980,50", "Acme Tools AB");
    // field, value on the first invoice, its direction, the value on the second
    let cases: [(FieldName, Value, Direction, Option<Value>); 5] = [
        (FieldName::InvoiceNumber, text("A-1001"), Direction::Right, Some(text("A-1002"))),
        (FieldName::InvoiceDate, date(2026, 3, 5), Direction::Below, Some(date(2026, 4, 7))),
        (FieldName::TotalAmount, amount("1250.00"), Direction::Right, Some(amount("980.50"))),
        (
            FieldName::SupplierName,
            text("Acme Tools AB"),
            Direction::Zone,
            Some(text("Acme Tools AB")),
        ),
        (FieldName::Bankgiro, text("5050-1055"), Direction::Zone, Some(text("50501055"))),
    ];
    for (field, value, direction, expected) in cases {
        let memory = learned(&first, field, &value);
        let p = memory.placements.first().unwrap_or_else(|| panic!("{field:?}: nothing learned"));
        assert_eq!(p.direction, direction, "{field:?}: {p:?}");
        let found = find(&second, field, p).map(|f| f.value);
        assert_eq!(found, expected, "{field:?}: {p:?}");
    }
}

#[test]
fn without_its_evidence_a_placement_finds_nothing() {
    let first = invoice("A-1001", "2026-03-05", "1 250,00", "Acme Tools AB");
    // field, learned value, the next page: each lacks the evidence or the shape
    let cases: [(FieldName, Value, Document); 5] = [
        // the caption is gone
        (
            FieldName::InvoiceNumber,
            text("A-1001"),
            doc(&[(80.0, &[(50.0, "Invoice"), (96.0, "no:"), (200.0, "A-1002")])]),
        ),
        // the caption is there, the value has another shape
        (
            FieldName::InvoiceNumber,
            text("A-1001"),
            invoice("2026/77", "2026-03-05", "1,00", "Acme Tools AB"),
        ),
        // the date caption is there, no date under it
        (
            FieldName::InvoiceDate,
            date(2026, 3, 5),
            invoice("A-1", "see below", "1,00", "Acme Tools AB"),
        ),
        // another supplier's name
        (
            FieldName::SupplierName,
            text("Acme Tools AB"),
            invoice("A-1", "2026-03-05", "1,00", "Other AB"),
        ),
        // a Bankgiro that fails its Luhn check
        (
            FieldName::Bankgiro,
            text("5050-1055"),
            doc(&[(700.0, &[(50.0, "Bankgiro"), (110.0, "5050-1056")])]),
        ),
    ];
    for (field, value, next) in cases {
        let memory = learned(&first, field, &value);
        let p = &memory.placements[0];
        assert_eq!(find(&next, field, p), None, "{field:?}: {p:?}");
    }
}

#[test]
fn a_value_the_page_does_not_print_is_not_learned() {
    let first = invoice("A-1001", "2026-03-05", "1 250,00", "Acme Tools AB");
    let cases = [
        (FieldName::InvoiceNumber, text("B-2002")),
        (FieldName::DueDate, date(2026, 4, 5)),
        (FieldName::IsCreditNote, Value::Bool(false)),
    ];
    for (field, value) in cases {
        assert!(learned(&first, field, &value).placements.is_empty(), "{field:?}");
    }
}

#[test]
fn recall_overrides_the_page_reading_but_not_the_xml() {
    let first = invoice("A-1001", "2026-03-05", "1 250,00", "Acme Tools AB");
    let second = invoice("A-1002", "2026-04-07", "980,50", "Acme Tools AB");
    let memory = SupplierMemory.learn(
        &first,
        Vec::new(),
        &[
            Confirmed {
                field: FieldName::InvoiceNumber,
                value: Some(text("A-1001")),
                corrected: true,
            },
            Confirmed {
                field: FieldName::TotalAmount,
                value: Some(amount("1250.00")),
                corrected: true,
            },
            Confirmed {
                field: FieldName::InvoiceDate,
                value: Some(date(2026, 3, 5)),
                corrected: true,
            },
        ],
    );
    let field = |value: Value, source: Source| Field {
        value,
        confidence: 0.6,
        page: Some(1),
        bbox: None,
        source,
        xml_path: None,
    };
    let mut page_reading = Invoice::default();
    // a wrong number from the rules, the XML's total, the date missing
    page_reading.fields.insert(FieldName::InvoiceNumber, field(text("4411"), Source::Rules));
    page_reading.fields.insert(FieldName::TotalAmount, field(amount("980.50"), Source::EInvoice));
    let recalled = SupplierMemory.recall(&second, &memory, page_reading);
    let number = recalled.get(FieldName::InvoiceNumber).unwrap();
    assert_eq!(
        (&number.value, number.source, number.confidence),
        (&text("A-1002"), Source::Memory, SURE)
    );
    let total = recalled.get(FieldName::TotalAmount).unwrap();
    assert_eq!((total.source, total.confidence), (Source::EInvoice, 0.6));
    let day = recalled.get(FieldName::InvoiceDate).unwrap();
    assert_eq!((&day.value, day.source), (&date(2026, 4, 7), Source::Memory));
}

#[test]
fn a_contradicted_placement_is_weakened_then_forgotten() {
    let first = invoice("A-1001", "2026-03-05", "1 250,00", "Acme Tools AB");
    let confirm = |value: &str| {
        [Confirmed { field: FieldName::InvoiceNumber, value: Some(text(value)), corrected: true }]
    };
    let memory = SupplierMemory.learn(&first, Vec::new(), &confirm("A-1001"));
    assert_eq!(memory[0].placements.len(), 1);
    // The reviewer says the number is printed elsewhere: the next invoice's
    // "Our ref no" is not it. The old placement misses once: weak.
    let second = doc(&[
        (80.0, &[(50.0, "Our"), (74.0, "ref"), (96.0, "no:"), (200.0, "A-1002")]),
        (100.0, &[(50.0, "Invoice"), (110.0, "7781")]),
    ]);
    let memory = SupplierMemory.learn(&second, memory, &confirm("7781"));
    let old = memory[0].placements.iter().find(|p| p.label == ["our", "ref", "no"]).unwrap();
    assert!(old.is_weak(), "{old:?}");
    assert!(memory[0].placements.iter().any(|p| p.label == ["invoice"]));
    // Recall now prefers the new placement.
    let third = doc(&[
        (80.0, &[(50.0, "Our"), (74.0, "ref"), (96.0, "no:"), (200.0, "A-1003")]),
        (100.0, &[(50.0, "Invoice"), (110.0, "7782")]),
    ]);
    let recalled = SupplierMemory.recall(&third, &memory, Invoice::default());
    assert_eq!(recalled.get(FieldName::InvoiceNumber).map(|f| &f.value), Some(&text("7782")));
    // A second contradiction forgets the old placement.
    let memory = SupplierMemory.learn(&third, memory, &confirm("7782"));
    assert!(memory[0].placements.iter().all(|p| p.label != ["our", "ref", "no"]), "{memory:?}");
    // A weak placement alone sends its value to review.
    let mut weak = learned(&first, FieldName::InvoiceNumber, &text("A-1001"));
    weak.placements[0].misses = 1;
    let recalled = SupplierMemory.recall(&first, &[weak], Invoice::default());
    assert_eq!(recalled.get(FieldName::InvoiceNumber).map(|f| f.confidence), Some(WEAK));
}

#[test]
fn a_removed_field_counts_as_a_miss() {
    let first = invoice("A-1001", "2026-03-05", "1 250,00", "Acme Tools AB");
    let memory = SupplierMemory.learn(
        &first,
        Vec::new(),
        &[Confirmed {
            field: FieldName::OrderNumber,
            value: Some(text("A-1001")),
            corrected: true,
        }],
    );
    let memory = SupplierMemory.learn(
        &first,
        memory,
        &[Confirmed { field: FieldName::OrderNumber, value: None, corrected: true }],
    );
    assert!(memory[0].placements[0].is_weak());
}

#[test]
fn an_approved_placement_confirms_and_fills_in_but_does_not_override() {
    let first = invoice("A-1001", "2026-03-05", "1 250,00", "Acme Tools AB");
    let second = invoice("A-1002", "2026-04-07", "980,50", "Acme Tools AB");
    let approved = SupplierMemory.learn(
        &first,
        Vec::new(),
        &[Confirmed {
            field: FieldName::InvoiceNumber,
            value: Some(text("A-1001")),
            corrected: false,
        }],
    );
    let reading = |value: &str| {
        let mut inv = Invoice::default();
        let field = Field {
            value: text(value),
            confidence: 0.6,
            page: Some(1),
            bbox: None,
            source: Source::Rules,
            xml_path: None,
        };
        inv.fields.insert(FieldName::InvoiceNumber, field);
        inv
    };
    // page reading → (value, source, confidence) after recall
    let cases = [
        (Some("4411"), ("4411", Source::Rules, 0.6)),
        (Some("A-1002"), ("A-1002", Source::Rules, SURE)),
        (None, ("A-1002", Source::Memory, SURE)),
    ];
    for (read, (value, source, confidence)) in cases {
        let inv = read.map_or_else(Invoice::default, reading);
        let recalled = SupplierMemory.recall(&second, &approved, inv);
        let f = recalled.get(FieldName::InvoiceNumber).unwrap();
        assert_eq!(
            (&f.value, f.source, f.confidence),
            (&text(value), source, confidence),
            "{read:?}"
        );
    }
    // A correction that the placement reads back makes it override.
    let corrected = SupplierMemory.learn(
        &second,
        approved,
        &[Confirmed {
            field: FieldName::InvoiceNumber,
            value: Some(text("A-1002")),
            corrected: true,
        }],
    );
    let recalled = SupplierMemory.recall(&first, &corrected, reading("4411"));
    assert_eq!(recalled.get(FieldName::InvoiceNumber).map(|f| f.source), Some(Source::Memory));
}

#[test]
fn amounts_are_whole_numbers_and_must_still_add_up() {
    let first = invoice("A-1001", "2026-03-05", "1 250,00", "Acme Tools AB");
    let memory = learned(&first, FieldName::TotalAmount, &amount("1250.00"));
    // The next total is right-aligned and longer: all its groups are read.
    let next = invoice("A-1002", "2026-04-07", "35 389,79", "Acme Tools AB");
    let found = find(&next, FieldName::TotalAmount, &memory.placements[0]).map(|f| f.value);
    assert_eq!(found, Some(amount("35389.79")));
    // A page reading whose amounts add up keeps them when memory's would not.
    let field = |a: &str| Field {
        value: amount(a),
        confidence: 0.9,
        page: Some(1),
        bbox: None,
        source: Source::Rules,
        xml_path: None,
    };
    let mut reading = Invoice::default();
    reading.fields.insert(FieldName::NetAmount, field("100.00"));
    reading.fields.insert(FieldName::VatAmount, field("25.00"));
    reading.fields.insert(FieldName::TotalAmount, field("125.00"));
    let mut overriding = memory.clone();
    overriding.placements[0].overrides = true;
    let recalled = SupplierMemory.recall(&next, &[overriding.clone()], reading.clone());
    assert_eq!(recalled.get(FieldName::TotalAmount).map(|f| &f.value), Some(&amount("125.00")));
    // One that does not add up takes memory's total.
    reading.fields.insert(FieldName::TotalAmount, field("389.79"));
    let recalled = SupplierMemory.recall(&next, &[overriding], reading);
    let total = recalled.get(FieldName::TotalAmount).unwrap();
    assert_eq!((&total.value, total.source), (&amount("35389.79"), Source::Memory));
}

#[test]
fn a_remembered_currency_stands_on_its_code_or_its_symbol() {
    let memory = [FieldMemory {
        field: FieldName::Currency,
        placements: vec![invex_domain::memory::Placement {
            label: Vec::new(),
            direction: Direction::Zone,
            offset: [0.0, 0.0],
            pattern: "A".into(),
            words: 1,
            page: 1,
            zone: [0.5, 0.5, 0.6, 0.51],
            value: Some("USD".into()),
            hits: 0,
            misses: 0,
            overrides: true,
        }],
    }];
    // the page's words → the currency recalled
    type Words = &'static [(f32, &'static str)];
    let cases: [(Words, Option<&str>); 4] = [
        (&[(50.0, "Total"), (300.0, "USD"), (340.0, "1,250.00")], Some("USD")),
        (&[(50.0, "Total"), (300.0, "$1,250.00")], Some("USD")),
        (&[(50.0, "Total"), (300.0, "1"), (310.0, "250,00"), (350.0, "€")], None),
        (&[(50.0, "Total"), (300.0, "1,250.00")], None),
    ];
    for (words, expected) in cases {
        let page = doc(&[(400.0, words)]);
        let recalled = SupplierMemory.recall(&page, &memory, Invoice::default());
        let got = recalled.get(FieldName::Currency).map(|f| f.value.clone());
        assert_eq!(got, expected.map(text), "{words:?}");
    }
}

#[test]
fn patterns_collapse_runs() {
    for (printed, shape) in
        [("INV-2026-0012", "A-9-9"), ("2026/77", "9/9"), ("Anna Berg", "A A"), ("12 345", "9 9")]
    {
        assert_eq!(page::pattern(printed), shape);
    }
}

#[test]
fn a_currency_nobody_prints_is_recalled_only_where_none_is_printed() {
    // A US supplier with an Irish IBAN prints no currency; its reviewer says USD.
    let first = doc(&[(400.0, &[(50.0, "Amount"), (120.0, "due:"), (300.0, "1,562.57")])]);
    let memory = [learned(&first, FieldName::Currency, &text("USD"))];
    assert_eq!(memory[0].placements.len(), 1, "{memory:?}");
    let eur = Field {
        value: text("EUR"),
        confidence: 0.6,
        page: None,
        bbox: None,
        source: Source::Rules,
        xml_path: None,
    };
    // the next invoice's words → its currency after recall (the page reading: EUR from the IBAN)
    type Words = &'static [(f32, &'static str)];
    let cases: [(Words, &str); 4] = [
        (&[(50.0, "Amount"), (120.0, "due:"), (300.0, "2,010.00")], "USD"),
        (&[(50.0, "Total"), (300.0, "EUR"), (340.0, "2,010.00")], "EUR"),
        (&[(50.0, "Total"), (300.0, "2"), (310.0, "010,00"), (350.0, "€")], "EUR"),
        (&[(50.0, "Summa"), (300.0, "2 010:-")], "EUR"),
    ];
    for (words, expected) in cases {
        let page = doc(&[(400.0, words)]);
        let mut reading = Invoice::default();
        reading.fields.insert(FieldName::Currency, eur.clone());
        let recalled = SupplierMemory.recall(&page, &memory, reading);
        let got = recalled.get(FieldName::Currency).map(|f| f.value.clone());
        assert_eq!(got, Some(text(expected)), "{words:?}");
    }
    // Learned from a page that prints a currency, no such placement.
    let printed = doc(&[(400.0, &[(50.0, "Total"), (300.0, "1,562.57"), (360.0, "SEK")])]);
    let learned_there = learned(&printed, FieldName::Currency, &text("USD"));
    assert!(learned_there.placements.is_empty(), "{learned_there:?}");
}
