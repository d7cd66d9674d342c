//! Test invoices shared by the format tests: the nine cases every format is
//! snapshot-tested on (single rate, mixed rates, a credit note referencing
//! the invoice it credits, EUR, no OCR, an EU service with reverse charge, a
//! construction service with Swedish reverse charge, an EU goods purchase,
//! representation with half the VAT deductible), and a tenant config with a
//! company, a supplier mapping, a representation category and a EUR rate.

use chrono::NaiveDate;
use invex_domain::tax::{VatNote, VatStatement};
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
        [[categories]]
        name = "representation"
        keywords = ["restaurang"]
        cost_account = 6071
        vat_deductible = "0.5"
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
    credit.credited_invoice = Some(Field::new(Value::Text("F-1001".into()), 0.85, Source::Rules));
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

    // A German SaaS supplier's invoice to a Swedish company: no VAT, the
    // German wording of Article 196 (BAS: 4535/4598, 2614/2645).
    let mut eu_service = foreign("RE-2026-0310", 13, "Nordlicht Software GmbH", "DE123456789");
    text(&mut eu_service, FieldName::Iban, "DE89370400440532013000");
    text(&mut eu_service, FieldName::Bic, "COBADEFFXXX");
    amount(&mut eu_service, FieldName::TotalAmount, "1200.00");
    amount(&mut eu_service, FieldName::NetAmount, "1200.00");
    amount(&mut eu_service, FieldName::VatAmount, "0.00");
    eu_service.vat_statement =
        Some(statement(VatNote::ReverseCharge, "Steuerschuldnerschaft des Leistungsempfängers"));
    eu_service.line_items = vec![line("Cloud-Abonnement März", "1", "1200", "0", "1200")];

    // A Swedish builder's invoice under the construction reverse charge
    // (ML 16 kap. 13 §; BAS: 4425/4598, 2617/2647).
    let mut construction = base("B-2026-77", 17, "Mälardalens Bygg & Rör AB", "556412-3452");
    amount(&mut construction, FieldName::TotalAmount, "40000.00");
    amount(&mut construction, FieldName::NetAmount, "40000.00");
    amount(&mut construction, FieldName::VatAmount, "0.00");
    text(&mut construction, FieldName::Bankgiro, "5050-1055");
    construction.vat_statement =
        Some(statement(VatNote::ReverseCharge, "Omvänd skattskyldighet för byggtjänster gäller"));
    construction.line_items = vec![line("Badrumsrenovering, arbete", "80", "500", "0", "40000")];

    // Goods from Austria, an intra-community supply (BAS: 4515/4598, 2614/2645).
    let mut eu_goods = foreign("AT-55102", 19, "Alpenholz Handels GmbH", "ATU12345678");
    text(&mut eu_goods, FieldName::Iban, "AT611904300234573201");
    amount(&mut eu_goods, FieldName::TotalAmount, "3000.00");
    amount(&mut eu_goods, FieldName::NetAmount, "3000.00");
    amount(&mut eu_goods, FieldName::VatAmount, "0.00");
    eu_goods.vat_statement = Some(statement(
        VatNote::IntraCommunityGoods,
        "Steuerfreie innergemeinschaftliche Lieferung",
    ));
    eu_goods.line_items = vec![line("Eichenparkett, m²", "100", "30", "0", "3000")];

    // A business dinner: 12 % VAT, half of it deductible by the tenant's
    // representation category (BAS 6071, 2641).
    let mut dinner = base("R-4410", 20, "Restaurang Gyllene Gåsen AB", "559876-5435");
    amount(&mut dinner, FieldName::TotalAmount, "2240.00");
    amount(&mut dinner, FieldName::NetAmount, "2000.00");
    amount(&mut dinner, FieldName::VatAmount, "240.00");
    text(&mut dinner, FieldName::Bankgiro, "5050-1055");
    dinner.line_items = vec![line("Middag 4 personer", "4", "500", "12", "2000")];

    vec![
        ("single_rate.pdf", single),
        ("mixed_rates.pdf", mixed),
        ("credit_note.pdf", credit),
        ("eur.pdf", eur),
        ("no_ocr.pdf", no_ocr),
        ("eu_service_reverse_charge.pdf", eu_service),
        ("construction_reverse_charge.pdf", construction),
        ("eu_goods.pdf", eu_goods),
        ("representation.pdf", dinner),
    ]
}

/// A supplier in another EU country invoicing in EUR, with its VAT number
/// and no Swedish identifiers.
fn foreign(number: &str, day: u32, supplier: &str, vat_nr: &str) -> Invoice {
    let mut inv = Invoice::default();
    text(&mut inv, FieldName::InvoiceNumber, number);
    set(&mut inv, FieldName::InvoiceDate, Value::Date(date(2026, 3, day)));
    set(&mut inv, FieldName::DueDate, Value::Date(date(2026, 4, day)));
    text(&mut inv, FieldName::Currency, "EUR");
    text(&mut inv, FieldName::SupplierName, supplier);
    text(&mut inv, FieldName::SupplierVat, vat_nr);
    text(&mut inv, FieldName::SupplierAddress, "Hauptstraße 5, 10115 Berlin");
    text(&mut inv, FieldName::BuyerName, "Köpare & Söner AB");
    text(&mut inv, FieldName::BuyerReference, "Åsa Öberg");
    inv
}

fn statement(note: VatNote, text: &str) -> VatStatement {
    VatStatement {
        note,
        text: text.into(),
        confidence: 0.9,
        page: Some(1),
        bbox: None,
        source: Source::Rules,
    }
}

/// The five cases booked with [`config`].
pub fn bookings() -> Vec<Booking> {
    let config = config();
    invoices()
        .iter()
        .map(|(file, inv)| Booking::from_invoice(file, inv, &config).expect("fixture books"))
        .collect()
}
