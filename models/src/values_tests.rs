use std::str::FromStr;

use chrono::NaiveDate;
use invex_domain::parse::DateOrder;
use invex_domain::{FieldName, Value};
use rust_decimal::Decimal;

use super::field_value;

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}
fn amount(s: &str) -> Value {
    Value::Amount(Decimal::from_str(s).expect("decimal"))
}
fn date(y: i32, m: u32, d: u32) -> Value {
    Value::Date(NaiveDate::from_ymd_opt(y, m, d).expect("date"))
}

/// `(field, span lines, expected value and validity)`.
type Case<'a> = (FieldName, &'a [&'a [&'a str]], Option<(Value, bool)>);

fn check(cases: &[Case<'_>]) {
    let mut failures = Vec::new();
    for (field, lines, expected) in cases {
        let lines: Vec<Vec<&str>> = lines.iter().map(|l| l.to_vec()).collect();
        let got = field_value(*field, &lines, DateOrder::DayFirst).map(|t| (t.value, t.valid));
        if &got != expected {
            failures.push(format!("{field} {lines:?}: got {got:?}, expected {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn identifiers_table() {
    use FieldName::*;
    check(&[
        (Bankgiro, &[&["5050-1055"]], Some((text("50501055"), true))),
        (Bankgiro, &[&["5050-1056"]], Some((text("50501056"), false))),
        (Bankgiro, &[&["Bankgiro"]], None),
        (Plusgiro, &[&["90", "20", "03-3"]], Some((text("9020033"), true))),
        (SupplierOrgNr, &[&["556036-0793"]], Some((text("556036-0793"), true))),
        (BuyerOrgNr, &[&["5560360794"]], Some((text("556036-0794"), false))),
        (SupplierOrgNr, &[&["12345"]], None),
        (SupplierVat, &[&["SE", "5560", "3607", "9301"]], Some((text("SE556036079301"), true))),
        (SupplierVat, &[&["SE556036079401"]], Some((text("SE556036079401"), false))),
        (
            Iban,
            &[&["SE45", "5000", "0000", "0583", "9825", "7466"]],
            Some((text("SE4550000000058398257466"), true)),
        ),
        (
            Iban,
            &[&["SE45", "5000", "0000", "0583", "9825", "7467"]],
            Some((text("SE4550000000058398257467"), false)),
        ),
        (Bic, &[&["ESSESESS"]], Some((text("ESSESESS"), true))),
        (Bic, &[&["(ESSESESS)"]], Some((text("ESSESESS"), true))),
        (Bic, &[&["QQQQQQQQ"]], Some((text("QQQQQQQQ"), false))),
        (PaymentReference, &[&["1234", "567897"]], Some((text("1234567897"), true))),
        (PaymentReference, &[&["1234567898"]], Some((text("1234567898"), false))),
        (
            PaymentReference,
            &[&["RF18", "5390", "0754", "7034"]],
            Some((text("RF18539007547034"), true)),
        ),
        (PaymentReference, &[&["F2026-1043."]], Some((text("F2026-1043"), true))),
        (InvoiceNumber, &[&["F2026-1043,"]], Some((text("F2026-1043"), true))),
        (OrderNumber, &[&[":"]], None),
    ]);
}

#[test]
fn dates_amounts_and_currency_table() {
    use FieldName::*;
    check(&[
        (InvoiceDate, &[&["2026-03-04"]], Some((date(2026, 3, 4), true))),
        (DueDate, &[&["04.03.2026"]], Some((date(2026, 3, 4), true))),
        (DueDate, &[&["4", "mars", "2026"]], Some((date(2026, 3, 4), true))),
        (InvoiceDate, &[&["2026-02-30"]], None),
        (TotalAmount, &[&["12", "500,00"]], Some((amount("12500.00"), true))),
        (VatAmount, &[&["2", "500,00", "kr"]], Some((amount("2500.00"), true))),
        (NetAmount, &[&["Summa", "1.234,56"]], Some((amount("1234.56"), true))),
        (NetAmount, &[&["Summa"]], None),
        (Currency, &[&["kr"]], Some((text("SEK"), true))),
        (Currency, &[&["Valuta:", "EUR"]], Some((text("EUR"), true))),
        (Currency, &[&["Valuta"]], None),
    ]);
}

#[test]
fn names_and_addresses_table() {
    use FieldName::*;
    check(&[
        (SupplierName, &[&["Acme", "AB,"]], Some((text("Acme AB"), true))),
        (BuyerName, &[&["(Kund", "AB)"]], Some((text("Kund AB"), true))),
        (BuyerReference, &[&["Anna", "Svensson"]], Some((text("Anna Svensson"), true))),
        (
            SupplierAddress,
            &[&["Storgatan", "1,"], &["123", "45", "Stad"]],
            Some((text("Storgatan 1, 123 45 Stad"), true)),
        ),
        (
            SupplierAddress,
            &[&["Flugzeugallee", "17", "·", "12345", "Papierfeld"]],
            Some((text("Flugzeugallee 17, 12345 Papierfeld"), true)),
        ),
        (SupplierAddress, &[&["|"]], None),
        (IsCreditNote, &[&["Kreditfaktura"]], None),
    ]);
}
