//! What the Fortnox stand-in checks on `POST /3/supplierinvoices`: known
//! field names, types, lengths, dates, the OCR check, the VAT type, and rows
//! that balance, with one `TOT` row equal to the total and `VAT` rows equal
//! to the VAT (both converted to SEK).

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::core::{decimal, is_date};
use crate::fortnox::map::limits;

/// (Fortnox error code, message).
pub type Rejection = (u32, String);

enum Kind {
    Text(usize),
    Date,
    Number,
    Bool,
    Rows,
}

const FIELDS: [(&str, Kind); 17] = [
    ("SupplierNumber", Kind::Text(50)),
    ("InvoiceNumber", Kind::Text(limits::INVOICE_NUMBER)),
    ("InvoiceDate", Kind::Date),
    ("DueDate", Kind::Date),
    ("OCR", Kind::Text(limits::OCR)),
    ("Currency", Kind::Text(limits::CURRENCY)),
    ("CurrencyRate", Kind::Number),
    ("CurrencyUnit", Kind::Number),
    ("Total", Kind::Number),
    ("VAT", Kind::Number),
    ("VATType", Kind::Text(20)),
    ("Credit", Kind::Bool),
    ("YourReference", Kind::Text(limits::REFERENCE)),
    ("OurReference", Kind::Text(limits::REFERENCE)),
    ("Comments", Kind::Text(limits::COMMENTS)),
    ("SupplierInvoiceRows", Kind::Rows),
    ("RoundOffValue", Kind::Number),
];

const ROW_FIELDS: [&str; 7] = [
    "Account",
    "Code",
    "Debit",
    "Credit",
    "DebitCurrency",
    "CreditCurrency",
    "TransactionInformation",
];

fn reject<T>(code: u32, message: String) -> Result<T, Rejection> {
    Err((code, message))
}

/// Checks one supplier invoice; the first problem is the answer.
pub fn check_invoice(invoice: &Map<String, Value>) -> Result<(), Rejection> {
    for (key, value) in invoice {
        let Some((_, kind)) = FIELDS.iter().find(|(name, _)| name == key) else {
            return reject(2000311, format!("Ogiltigt fält: {key}"));
        };
        let ok = match kind {
            Kind::Text(max) => value.as_str().is_some_and(|s| s.chars().count() <= *max),
            Kind::Date => is_date(value),
            Kind::Number => decimal(value).is_some(),
            Kind::Bool => value.is_boolean(),
            Kind::Rows => value.as_array().is_some_and(|rows| !rows.is_empty()),
        };
        if !ok {
            let what = match kind {
                Kind::Text(max) => format!("a text of at most {max} characters"),
                Kind::Date => "a date YYYY-MM-DD".into(),
                Kind::Number => "a number".into(),
                Kind::Bool => "true or false".into(),
                Kind::Rows => "a non-empty list of rows".into(),
            };
            return reject(2000588, format!("{key} must be {what}"));
        }
    }
    for required in ["SupplierNumber", "InvoiceDate", "Total", "SupplierInvoiceRows"] {
        if !invoice.contains_key(required) {
            return reject(2000357, format!("{required} saknas (required)"));
        }
    }
    if let Some(ocr) = invoice.get("OCR").and_then(Value::as_str)
        && invex_domain::validate::ocr_reference(ocr).as_deref() != Some(ocr)
    {
        return reject(2001207, format!("OCR {ocr} är inte ett giltigt OCR-nummer"));
    }
    let vat_type = invoice.get("VATType").and_then(Value::as_str).unwrap_or("NORMAL");
    if !["NORMAL", "EUINTERNAL", "REVERSE", "EXPORT"].contains(&vat_type) {
        return reject(
            2000588,
            format!("VATType {vat_type} is not NORMAL, EUINTERNAL, REVERSE or EXPORT"),
        );
    }
    let total = invoice.get("Total").and_then(decimal).unwrap_or_default();
    let vat = invoice.get("VAT").and_then(decimal).unwrap_or_default();
    let credit = invoice.get("Credit").and_then(Value::as_bool).unwrap_or(false);
    if !total.is_zero() && credit != total.is_sign_negative() {
        return reject(
            2000588,
            format!("Credit {credit} does not match the sign of Total {total}"),
        );
    }
    if vat_type == "EUINTERNAL" && !vat.is_zero() {
        return reject(2000588, "an EUINTERNAL invoice carries no VAT of its own".into());
    }
    let rate = invoice.get("CurrencyRate").and_then(decimal).unwrap_or(Decimal::ONE);
    let rows = invoice["SupplierInvoiceRows"].as_array().map_or(&[][..], Vec::as_slice);
    check_rows(rows, (total * rate).round_dp(2), (vat * rate).round_dp(2))
}

fn check_rows(rows: &[Value], total_sek: Decimal, vat_sek: Decimal) -> Result<(), Rejection> {
    let (mut debit, mut credit, mut tot, mut tot_rows, mut vat, mut vat_rows) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, 0, Decimal::ZERO, 0);
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        let Some(row) = row.as_object() else {
            return reject(2000588, format!("row {n} is not an object"));
        };
        if let Some(key) = row.keys().find(|k| !ROW_FIELDS.contains(&k.as_str())) {
            return reject(2000311, format!("row {n}: Ogiltigt fält: {key}"));
        }
        let account = row.get("Account").and_then(Value::as_u64).unwrap_or(0);
        if !(1000..=9999).contains(&account) {
            return reject(2000423, format!("row {n}: Account must be a four-digit account"));
        }
        let amount = |key: &str| row.get(key).map_or(Some(Decimal::ZERO), decimal);
        let (Some(d), Some(c)) = (amount("Debit"), amount("Credit")) else {
            return reject(2000588, format!("row {n}: Debit and Credit must be numbers"));
        };
        if d.is_sign_negative() || c.is_sign_negative() || (!d.is_zero() && !c.is_zero()) {
            return reject(2000588, format!("row {n}: one of Debit and Credit, not negative"));
        }
        debit += d;
        credit += c;
        match row.get("Code").and_then(Value::as_str).unwrap_or("") {
            "TOT" => (tot, tot_rows) = (tot + c - d, tot_rows + 1),
            "VAT" => (vat, vat_rows) = (vat + d - c, vat_rows + 1),
            "" | "PRE" => {}
            other => return reject(2000588, format!("row {n}: unknown Code {other}")),
        }
    }
    if debit != credit {
        return reject(2000740, format!("Obalanserad faktura: debet {debit} ≠ kredit {credit}"));
    }
    if tot_rows != 1 || tot != total_sek {
        return reject(2000741, format!("the TOT row(s) hold {tot}, the total is {total_sek} SEK"));
    }
    let slack = Decimal::new(vat_rows.max(1), 2);
    if (vat - vat_sek).abs() > slack {
        return reject(2000742, format!("the VAT rows hold {vat}, VAT is {vat_sek} SEK"));
    }
    Ok(())
}
