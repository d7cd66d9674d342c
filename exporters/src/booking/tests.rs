use chrono::NaiveDate;
use invex_domain::{FieldName, Invoice, LineItem, Value, VatLine};
use rust_decimal::Decimal;

use crate::fixtures::set;
use crate::{Booking, RowKind, TenantConfig};

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// An invoice with number, date and the given `name=value` fields: amounts
/// for the amount fields, `true` for booleans, text otherwise.
fn invoice(fields: &[(&str, &str)]) -> Invoice {
    let mut inv = Invoice::default();
    set(&mut inv, FieldName::InvoiceNumber, Value::Text("F1".into()));
    let date = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
    set(&mut inv, FieldName::InvoiceDate, Value::Date(date));
    for (name, value) in fields {
        let name = FieldName::parse(name).expect("field name");
        let value = match name.kind() {
            invex_domain::ValueKind::Amount => Value::Amount(dec(value)),
            invex_domain::ValueKind::Bool => Value::Bool(*value == "true"),
            _ => Value::Text(value.to_string()),
        };
        set(&mut inv, name, value);
    }
    inv
}

fn breakdown(inv: &mut Invoice, parts: &[(&str, Option<&str>, &str)]) {
    inv.vat_breakdown = parts
        .iter()
        .map(|(r, b, a)| VatLine {
            rate: dec(r),
            base: b.map(dec),
            amount: dec(a),
            category: None,
            exemption_reason: None,
        })
        .collect();
}

fn lines(inv: &mut Invoice, parts: &[(&str, &str)]) {
    inv.line_items = parts
        .iter()
        .map(|(rate, amount)| LineItem {
            vat_rate: Some(dec(rate)),
            amount: Some(dec(amount)),
            ..LineItem::default()
        })
        .collect();
}

/// The rows as `account:amount` (SEK), for compact expectations.
fn rows(b: &Booking) -> String {
    b.rows
        .iter()
        .map(|r| format!("{}:{}", r.account, r.amount.normalize()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn config() -> TenantConfig {
    TenantConfig::from_toml(
        r#"
        [accounts]
        vat = { "25" = 2641, "12" = 2642, "6" = 2643 }
        [exchange_rates]
        EUR = "11.5"
        [suppliers."556036-0793"]
        number = "77"
        cost_account = 5460
        [[categories]]
        name = "telecom"
        keywords = ["Telia"]
        cost_account = 6212
        "#,
        "test",
    )
    .expect("config")
}

#[test]
fn books_balanced_rows() {
    let check = |name: &str, inv: Invoice, expected: &str| {
        let got = Booking::from_invoice("a.pdf", &inv, &config()).map_err(|e| e.to_string());
        let b = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(rows(&b), expected, "{name}");
        let sum: Decimal = b.rows.iter().map(|r| r.amount).sum();
        let sum_currency: Decimal = b.rows.iter().map(|r| r.amount_currency).sum();
        assert!(
            sum.is_zero() && sum_currency.is_zero(),
            "{name}: rows sum to {sum}/{sum_currency}"
        );
    };
    let mut mixed = invoice(&[("total_amount", "1913.33"), ("vat_amount", "280")]);
    breakdown(&mut mixed, &[("25", Some("800"), "200"), ("12", None, "60"), ("6", None, "20")]);
    let mut mixed_lines = invoice(&[("total_amount", "1285"), ("net_amount", "1100")]);
    lines(&mut mixed_lines, &[("25", "400"), ("12", "500"), ("25", "100"), ("0", "100")]);
    // Bases from the items; 298.51 / 12 % would give 2487.58, the items say 2487.55.
    let mut items_bases = invoice(&[("total_amount", "3197.31"), ("net_amount", "2816.55")]);
    breakdown(&mut items_bases, &[("25", None, "82.25"), ("12", None, "298.51")]);
    lines(&mut items_bases, &[("12", "1200"), ("12", "988"), ("12", "299.55"), ("25", "329")]);
    // No items: derived bases, the lost öre on the largest.
    let mut derived = invoice(&[("total_amount", "58197.64"), ("net_amount", "47974.74")]);
    breakdown(&mut derived, &[("25", None, "9663.70"), ("6", None, "559.20")]);
    // 0 % items the breakdown leaves out.
    let mut zero_items = invoice(&[("total_amount", "1350"), ("net_amount", "1200")]);
    breakdown(&mut zero_items, &[("25", Some("400"), "100"), ("12", Some("416.67"), "50")]);
    lines(&mut zero_items, &[("25", "400"), ("12", "416.67"), ("0", "383.33")]);
    let mut credit_lines = invoice(&[("total_amount", "-125"), ("vat_amount", "-25")]);
    lines(&mut credit_lines, &[("25", "-100")]);
    let cases = [
        (
            "single rate, net and VAT",
            invoice(&[("total_amount", "1250"), ("net_amount", "1000"), ("vat_amount", "250")]),
            "4010:1000 2641:250 2440:-1250",
        ),
        (
            "VAT derived from total and net",
            invoice(&[("total_amount", "1120"), ("net_amount", "1000")]),
            "4010:1000 2642:120 2440:-1120",
        ),
        (
            "net derived from total and VAT",
            invoice(&[("total_amount", "106"), ("vat_amount", "6")]),
            "4010:100 2643:6 2440:-106",
        ),
        (
            "zero VAT",
            invoice(&[("total_amount", "500"), ("vat_amount", "0")]),
            "4010:500 2440:-500",
        ),
        (
            // German VAT at a German rate: part of the cost, not input VAT.
            "a German supplier's 19 %",
            invoice(&[
                ("total_amount", "119"),
                ("vat_amount", "19"),
                ("supplier_vat", "DE136695976"),
            ]),
            "4010:119 2440:-119",
        ),
        (
            "a French supplier's 5.5 % from total and net",
            invoice(&[
                ("total_amount", "105.50"),
                ("net_amount", "100"),
                ("supplier_vat", "FR40303265045"),
            ]),
            "4010:105.5 2440:-105.5",
        ),
        (
            "mixed rates from the breakdown",
            mixed,
            "4010:800 4010:500 4010:333.33 2641:200 2642:60 2643:20 2440:-1913.33",
        ),
        (
            "breakdown without bases, bases from items",
            items_bases,
            "4010:329 4010:2487.55 2641:82.25 2642:298.51 2440:-3197.31",
        ),
        (
            "breakdown without bases, derived",
            derived,
            "4010:38654.74 4010:9320 2641:9663.7 2643:559.2 2440:-58197.64",
        ),
        (
            "0 % items outside the breakdown",
            zero_items,
            "4010:400 4010:416.67 4010:383.33 2641:100 2642:50 2440:-1350",
        ),
        (
            "mixed rates from line items",
            mixed_lines,
            "4010:500 4010:500 4010:100 2641:125 2642:60 2440:-1285",
        ),
        (
            "öresavrundning: rounded total",
            invoice(&[
                ("total_amount", "1235"),
                ("net_amount", "987.65"),
                ("vat_amount", "246.91"),
            ]),
            "4010:987.65 2641:246.91 2440:-1235 3740:0.44",
        ),
        (
            "credit note by flag, positive amounts",
            invoice(&[("total_amount", "125"), ("vat_amount", "25"), ("is_credit_note", "true")]),
            "4010:-100 2641:-25 2440:125",
        ),
        (
            "credit note by negative total",
            invoice(&[("total_amount", "-125"), ("net_amount", "-100"), ("vat_amount", "-25")]),
            "4010:-100 2641:-25 2440:125",
        ),
        ("credit note with negative line items", credit_lines, "4010:-100 2641:-25 2440:125"),
        (
            "EUR converted at the tenant's rate",
            invoice(&[("total_amount", "100.01"), ("vat_amount", "20.00"), ("currency", "eur")]),
            "4010:920.12 2641:230 2440:-1150.12",
        ),
        (
            "supplier's own cost account",
            invoice(&[
                ("total_amount", "125"),
                ("vat_amount", "25"),
                ("supplier_org_nr", "5560360793"),
            ]),
            "5460:100 2641:25 2440:-125",
        ),
        (
            "category by supplier name",
            invoice(&[
                ("total_amount", "125"),
                ("vat_amount", "25"),
                ("supplier_name", "TELIA Sverige AB"),
            ]),
            "6212:100 2641:25 2440:-125",
        ),
    ];
    for (name, inv, expected) in cases {
        check(name, inv, expected);
    }
}

#[test]
fn refuses_what_cannot_be_booked() {
    let check = |name: &str, inv: Invoice, expected: &str| {
        let got =
            Booking::from_invoice("b.pdf", &inv, &config()).map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(got, Err(expected.to_string()), "{name}");
    };
    let mut no_number = invoice(&[("total_amount", "125")]);
    no_number.fields.remove(&FieldName::InvoiceNumber);
    let mut bad_breakdown = invoice(&[("total_amount", "125"), ("vat_amount", "30")]);
    breakdown(&mut bad_breakdown, &[("25", Some("100"), "25")]);
    let cases = [
        (
            "no total",
            invoice(&[("vat_amount", "25")]),
            "b.pdf (invoice F1): cannot book without total_amount",
        ),
        ("no number", no_number, "b.pdf: cannot book without invoice_number"),
        (
            "only a total",
            invoice(&[("total_amount", "125")]),
            "b.pdf (invoice F1): cannot book without vat_amount",
        ),
        (
            "odd rate",
            invoice(&[("total_amount", "119"), ("vat_amount", "19")]),
            "b.pdf (invoice F1): VAT 19 on net 100 is none of the supplier's country's rates (SE), and the invoice has no VAT breakdown or line items with rates",
        ),
        (
            "a country whose rates are unknown",
            invoice(&[
                ("total_amount", "110"),
                ("vat_amount", "10"),
                ("supplier_vat", "AU51824753556"),
            ]),
            "b.pdf (invoice F1): the supplier's VAT number is from AU, whose VAT rates invex does not know; the invoice needs a VAT breakdown or line items with rates",
        ),
        (
            "amounts that do not add up",
            invoice(&[("total_amount", "200"), ("net_amount", "100"), ("vat_amount", "25")]),
            "b.pdf (invoice F1): net 100 + VAT 25 = 125 does not add up to the total 200 (more than öresavrundning)",
        ),
        (
            "breakdown against printed VAT",
            bad_breakdown,
            "b.pdf (invoice F1): cannot book: the VAT breakdown (net 100, VAT 25) disagrees with the printed net - and VAT 30",
        ),
        (
            "unknown currency",
            invoice(&[("total_amount", "125"), ("vat_amount", "25"), ("currency", "NOK")]),
            "b.pdf (invoice F1): the invoice is in NOK; add `NOK = <SEK per unit>` under [exchange_rates] in the tenant config",
        ),
    ];
    for (name, inv, expected) in cases {
        check(name, inv, expected);
    }
}

#[test]
fn reads_the_invoice_around_the_rows() {
    let inv = invoice(&[
        ("total_amount", "-125"),
        ("vat_amount", "-25"),
        ("supplier_name", "Åhléns AB"),
        ("supplier_org_nr", "556036 0793"),
        ("supplier_vat", "se556036079301"),
        ("bankgiro", "5050-1055"),
        ("payment_reference", "1234567897"),
        ("currency", "kr"),
    ]);
    let b = Booking::from_invoice("dir/c.pdf", &inv, &config()).expect("booking");
    assert!(b.credit_note);
    assert_eq!((b.total, b.net, b.vat_total), (dec("125"), dec("100"), dec("25")));
    assert_eq!(b.currency, "SEK");
    assert_eq!(b.supplier.org_nr.as_deref(), Some("556036-0793"));
    assert_eq!(b.supplier.vat_nr.as_deref(), Some("SE556036079301"));
    assert_eq!(b.supplier.number.as_deref(), Some("77"));
    assert_eq!(b.supplier.bankgiro.as_deref(), Some("50501055"));
    assert_eq!(b.ocr.as_deref(), Some("1234567897"));
    assert_eq!(b.label(), "dir/c.pdf (invoice F1)");
    assert_eq!(b.text(), "Åhléns AB Kreditfaktura F1");
    let kinds: Vec<RowKind> = b.rows.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [RowKind::Cost, RowKind::InputVat, RowKind::Payable]);
}

#[test]
fn config_errors_name_the_key() {
    let check = |toml: &str, expected: &str| {
        let got = TenantConfig::from_toml(toml, "t.toml").map(|_| ()).map_err(|e| e.to_string());
        assert!(got.as_ref().is_err_and(|e| e.contains(expected)), "{toml}: {got:?}");
    };
    let cases = [
        ("[accounts]\npayable = 244", "account 244 is not a four-digit BAS account"),
        ("[company]\nfiscal_year_start = \"13-01\"", "fiscal_year_start \"13-01\" is not MM-DD"),
        (
            "[suppliers.\"123\"]\nnumber = \"1\"",
            "supplier key \"123\" is not a valid organisationsnummer",
        ),
        ("[accounts]\nvat = { \"moms\" = 2641 }", "VAT rate \"moms\" is not a number"),
        ("[exchange_rates]\nEUR = -1", "exchange rate for EUR must be positive"),
        ("[acounts]\npayable = 2440", "unknown field `acounts`"),
    ];
    for (toml, expected) in cases {
        check(toml, expected);
    }
    let empty = TenantConfig::from_toml("", "empty").expect("defaults");
    assert_eq!(empty, TenantConfig::default());
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let july =
        TenantConfig::from_toml("[company]\nfiscal_year_start = \"07-01\"", "t").expect("ok");
    assert_eq!(july.fiscal_year(date(2026, 3, 2)), (date(2025, 7, 1), date(2026, 6, 30)));
    assert_eq!(empty.fiscal_year(date(2026, 3, 2)), (date(2026, 1, 1), date(2026, 12, 31)));
}
