//! Test invoices shared by the format tests: the five cases every format is
//! snapshot-tested on (single rate, mixed rates, credit note, EUR, no OCR),
//! and a tenant config with a company, a supplier mapping and a EUR rate.

use chrono::NaiveDate;
use invex_domain::{Field, FieldName, Invoice, LineItem, Source, Value, VatLine};
use rust_decimal::Decimal;

use crate::{Booking, TenantConfig};

pub fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

pub fn config() -> TenantConfig {
    TenantConfig::from_toml(
        r#"
        [company]
        name = "Köpare & Söner AB"
        org_nr = "5566778899"
        vat_nr = "SE556677889901"
        [exchange_rates]
        EUR = "11.4825"
        [suppliers."556036-0793"]
        number = "1042"
        cost_account = 5460
        "#,
        "fixtures",
    )
    .expect("fixture config")
}

/// Sets a field as the rules would have read it on page 1.
pub fn set(inv: &mut Invoice, name: FieldName, value: Value) {
    inv.set(name, Field { page: Some(1), ..Field::new(value, 0.9, Source::Rules) });
}

fn text(inv: &mut Invoice, name: FieldName, s: &str) {
    set(inv, name, Value::Text(s.into()));
}

fn amount(inv: &mut Invoice, name: FieldName, s: &str) {
    set(inv, name, Value::Amount(dec(s)));
}

fn line(description: &str, quantity: &str, unit_price: &str, rate: &str, total: &str) -> LineItem {
    LineItem {
        description: Some(description.into()),
        quantity: Some(dec(quantity)),
        unit: Some("st".into()),
        unit_price: Some(dec(unit_price)),
        vat_rate: Some(dec(rate)),
        amount: Some(dec(total)),
        confidence: 0.9,
        ..LineItem::default()
    }
}

/// A Swedish supplier invoice with the given number, date and amounts.
fn base(number: &str, day: u32, supplier: &str, org_nr: &str) -> Invoice {
    let mut inv = Invoice::default();
    text(&mut inv, FieldName::InvoiceNumber, number);
    set(&mut inv, FieldName::InvoiceDate, Value::Date(date(2026, 3, day)));
    set(&mut inv, FieldName::DueDate, Value::Date(date(2026, 4, day)));
    text(&mut inv, FieldName::Currency, "SEK");
    text(&mut inv, FieldName::SupplierName, supplier);
    text(&mut inv, FieldName::SupplierOrgNr, org_nr);
    text(&mut inv, FieldName::SupplierVat, &format!("SE{}01", org_nr.replace('-', "")));
    text(&mut inv, FieldName::SupplierAddress, "Storgatan 1, 111 22 Stockholm");
    set(&mut inv, FieldName::SupplierFSkatt, Value::Bool(true));
    text(&mut inv, FieldName::BuyerName, "Köpare & Söner AB");
    text(&mut inv, FieldName::BuyerReference, "Åsa Öberg");
    inv
}

/// The five format cases, as `(file name, invoice)`.
pub fn invoices() -> Vec<(&'static str, Invoice)> {
    let mut single = base("F-1001", 2, "Åkerö Bygg & Färg AB", "556036-0793");
    amount(&mut single, FieldName::TotalAmount, "1250.00");
    amount(&mut single, FieldName::NetAmount, "1000.00");
    amount(&mut single, FieldName::VatAmount, "250.00");
    text(&mut single, FieldName::Bankgiro, "5050-1055");
    text(&mut single, FieldName::PaymentReference, "1234567897");
    single.line_items = vec![line("Målarfärg \"Vit\" 10 l", "2", "500", "25", "1000")];

    // 1 507.50 rounded to whole kronor: an öresavrundning of 0.50.
    let mut mixed = base("2026-118", 5, "Livs & Café i Göteborg AB", "559012-3450");
    amount(&mut mixed, FieldName::TotalAmount, "1508.00");
    amount(&mut mixed, FieldName::NetAmount, "1300.00");
    amount(&mut mixed, FieldName::VatAmount, "207.50");
    text(&mut mixed, FieldName::Plusgiro, "902003-3");
    text(&mut mixed, FieldName::PaymentReference, "1234567897");
    mixed.vat_breakdown = vec![
        VatLine {
            rate: dec("25"),
            base: Some(dec("500")),
            amount: dec("125"),
            category: None,
            exemption_reason: None,
        },
        VatLine {
            rate: dec("12"),
            base: Some(dec("575")),
            amount: dec("69"),
            category: None,
            exemption_reason: None,
        },
        VatLine {
            rate: dec("6"),
            base: Some(dec("225")),
            amount: dec("13.50"),
            category: None,
            exemption_reason: None,
        },
    ];
    mixed.line_items = vec![
        line("Kaffe, 12 kg", "1", "500", "25", "500"),
        line("Smörgåsar", "23", "25", "12", "575"),
        line("Tidningar", "9", "25", "6", "225"),
    ];

    let mut credit = base("K-77", 9, "Åkerö Bygg & Färg AB", "556036-0793");
    set(&mut credit, FieldName::IsCreditNote, Value::Bool(true));
    amount(&mut credit, FieldName::TotalAmount, "-312.50");
    amount(&mut credit, FieldName::NetAmount, "-250.00");
    amount(&mut credit, FieldName::VatAmount, "-62.50");
    text(&mut credit, FieldName::Bankgiro, "5050-1055");
    text(&mut credit, FieldName::OrderNumber, "F-1001");
    credit.line_items = vec![line("Retur målarfärg", "-1", "250", "25", "-250")];

    let mut eur = base("INV-2026-0042", 12, "Nordic Tools Oy", "556123-4567");
    text(&mut eur, FieldName::Currency, "EUR");
    amount(&mut eur, FieldName::TotalAmount, "100.01");
    amount(&mut eur, FieldName::VatAmount, "20.00");
    text(&mut eur, FieldName::Iban, "SE4550000000058398257466");
    text(&mut eur, FieldName::Bic, "ESSESESS");
    text(&mut eur, FieldName::PaymentReference, "INV-2026-0042");

    let mut no_ocr = base("5512", 16, "Telia Sverige AB", "502044-7107");
    amount(&mut no_ocr, FieldName::TotalAmount, "499.00");
    amount(&mut no_ocr, FieldName::VatAmount, "99.80");
    text(&mut no_ocr, FieldName::Bankgiro, "5050-1055");
    no_ocr.fields.remove(&FieldName::SupplierFSkatt);

    vec![
        ("single_rate.pdf", single),
        ("mixed_rates.pdf", mixed),
        ("credit_note.pdf", credit),
        ("eur.pdf", eur),
        ("no_ocr.pdf", no_ocr),
    ]
}

/// The five cases booked with [`config`].
pub fn bookings() -> Vec<Booking> {
    let config = config();
    invoices()
        .iter()
        .map(|(file, inv)| Booking::from_invoice(file, inv, &config).expect("fixture books"))
        .collect()
}
