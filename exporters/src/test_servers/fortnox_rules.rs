//! What the Fortnox stand-in checks on `POST /3/supplierinvoices` beyond
//! the published description (which [`super::spec`] enforces: field names,
//! types, lengths, enums): what any voucher must satisfy. The rows balance;
//! exactly one `TOT` row holds the total and the `VAT` rows hold the VAT
//! (both converted to SEK); a credit invoice has a negative total.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::core::decimal;

/// (Fortnox error code, message).
pub type Rejection = (u32, String);

fn reject<T>(code: u32, message: String) -> Result<T, Rejection> {
    Err((code, message))
}

/// Checks one supplier invoice's bookkeeping; the first problem is the answer.
pub fn check_invoice(invoice: &Map<String, Value>) -> Result<(), Rejection> {
    let total = invoice.get("Total").and_then(decimal).unwrap_or_default();
    let vat = invoice.get("VAT").and_then(decimal).unwrap_or_default();
    let credit = invoice.get("Credit").and_then(Value::as_bool).unwrap_or(false);
    if !total.is_zero() && credit != total.is_sign_negative() {
        return reject(
            2000588,
            format!("Credit {credit} does not match the sign of Total {total}"),
        );
    }
    let rate = invoice.get("CurrencyRate").and_then(decimal).unwrap_or(Decimal::ONE);
    let rows = invoice.get("SupplierInvoiceRows").and_then(Value::as_array);
    let rows = rows.map_or(&[][..], Vec::as_slice);
    check_rows(rows, (total * rate).round_dp(2), (vat * rate).round_dp(2))
}

fn check_rows(rows: &[Value], total_sek: Decimal, vat_sek: Decimal) -> Result<(), Rejection> {
    let (mut debit, mut credit, mut tot, mut tot_rows, mut vat, mut vat_rows) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, 0, Decimal::ZERO, 0);
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
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
            _ => {}
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
