//! What the eEkonomi stand-in checks on suppliers and supplier invoice
//! drafts: known field names, types, lengths, at most two decimals (six for
//! the currency rate), the credit sign, `VatHigh + VatMedium + VatLow = Vat`,
//! and rows that sum to `TotalAmount - Vat`.

use rust_decimal::Decimal;
use serde_json::Value;

use super::core::{decimal, is_date};
use crate::visma::map::limits;

enum Kind {
    Text(usize),
    Id,
    Date,
    Amount,
    /// An exchange rate: positive, at most 6 decimals (Riksbanken publishes 4).
    Rate,
    Bool,
    Rows,
}

const DRAFT: [(&str, Kind); 16] = [
    ("SupplierId", Kind::Id),
    ("InvoiceNumber", Kind::Text(limits::INVOICE_NUMBER)),
    ("InvoiceDate", Kind::Date),
    ("DueDate", Kind::Date),
    ("CurrencyCode", Kind::Text(limits::CURRENCY_CODE)),
    ("CurrencyRate", Kind::Rate),
    ("TotalAmount", Kind::Amount),
    ("Vat", Kind::Amount),
    ("VatHigh", Kind::Amount),
    ("VatMedium", Kind::Amount),
    ("VatLow", Kind::Amount),
    ("IsCreditInvoice", Kind::Bool),
    ("OcrNumber", Kind::Text(limits::OCR_NUMBER)),
    ("Message", Kind::Text(limits::MESSAGE)),
    ("Rows", Kind::Rows),
    ("BankAccountId", Kind::Id),
];

const ROW: [(&str, Kind); 5] = [
    ("AccountNumber", Kind::Amount),
    ("DebitAmount", Kind::Amount),
    ("CreditAmount", Kind::Amount),
    ("VatCodeId", Kind::Id),
    ("TransactionText", Kind::Text(60)),
];

const SUPPLIER: [(&str, Kind); 10] = [
    ("Name", Kind::Text(limits::SUPPLIER_NAME)),
    ("TermsOfPaymentId", Kind::Id),
    ("IsActive", Kind::Bool),
    ("CorporateIdentityNumber", Kind::Text(limits::CORPORATE_IDENTITY_NUMBER)),
    ("Address1", Kind::Text(limits::ADDRESS)),
    ("PostalCode", Kind::Text(limits::POSTAL_CODE)),
    ("City", Kind::Text(limits::ADDRESS)),
    ("BankgiroNumber", Kind::Text(limits::GIRO_NUMBER)),
    ("PlusgiroNumber", Kind::Text(limits::GIRO_NUMBER)),
    ("UsesPaymentReferenceNumbers", Kind::Bool),
];

/// Field names, types and lengths of one object against `fields`.
fn check_fields(what: &str, value: &Value, fields: &[(&str, Kind)]) -> Result<(), String> {
    let object = value.as_object().ok_or_else(|| format!("{what} must be a JSON object"))?;
    for (key, value) in object {
        let Some((_, kind)) = fields.iter().find(|(name, _)| name == key) else {
            return Err(format!("{what}: unknown property {key}"));
        };
        let problem = match kind {
            Kind::Text(max) => (value.as_str().is_none_or(|s| s.chars().count() > *max))
                .then(|| format!("a string of at most {max} characters")),
            Kind::Id => {
                (value.as_str().is_none_or(|s| s.len() != 36)).then(|| "a GUID".to_string())
            }
            Kind::Date => (!is_date(value)).then(|| "a date YYYY-MM-DD".to_string()),
            Kind::Amount => match decimal(value) {
                Some(d) if d.round_dp(2) == d => None,
                _ => Some("a number with at most 2 decimals".to_string()),
            },
            Kind::Rate => match decimal(value) {
                Some(d) if d > Decimal::ZERO && d.round_dp(6) == d => None,
                _ => Some("a positive number with at most 6 decimals".to_string()),
            },
            Kind::Bool => (!value.is_boolean()).then(|| "true or false".to_string()),
            Kind::Rows => {
                (value.as_array().is_none_or(Vec::is_empty)).then(|| "a non-empty list".to_string())
            }
        };
        if let Some(expected) = problem {
            return Err(format!("{what}: {key} must be {expected}"));
        }
    }
    Ok(())
}

/// `POST /v2/suppliers`.
pub fn check_supplier(body: &Value, terms: &[&str]) -> Result<(), String> {
    check_fields("Supplier", body, &SUPPLIER)?;
    if body["Name"].as_str().is_none_or(|n| n.trim().is_empty()) {
        return Err("Supplier: Name is required".into());
    }
    if !body["TermsOfPaymentId"].as_str().is_some_and(|t| terms.contains(&t)) {
        return Err("Supplier: TermsOfPaymentId is required (from /v2/termsofpayment)".into());
    }
    Ok(())
}

/// `POST /v2/supplierinvoicedrafts`.
pub fn check_draft(body: &Value, vat_codes: &[&str]) -> Result<(), String> {
    check_fields("SupplierInvoiceDraft", body, &DRAFT)?;
    for required in ["SupplierId", "IsCreditInvoice", "Rows"] {
        if body.get(required).is_none() {
            return Err(format!("SupplierInvoiceDraft: {required} is required"));
        }
    }
    let amount = |key: &str| body.get(key).and_then(decimal).unwrap_or_default();
    let (total, vat) = (amount("TotalAmount"), amount("Vat"));
    let credit = body["IsCreditInvoice"].as_bool().unwrap_or(false);
    if !total.is_zero() && credit != total.is_sign_negative() {
        return Err(format!("IsCreditInvoice {credit} does not match TotalAmount {total}"));
    }
    let parts = amount("VatHigh") + amount("VatMedium") + amount("VatLow");
    if parts != vat {
        return Err(format!("VatHigh + VatMedium + VatLow = {parts}, but Vat is {vat}"));
    }
    if let Some(ocr) = body["OcrNumber"].as_str()
        && invex_domain::validate::ocr_reference(ocr).as_deref() != Some(ocr)
    {
        return Err(format!("OcrNumber {ocr} is not a valid OCR number"));
    }
    let mut sum = Decimal::ZERO;
    for (i, row) in body["Rows"].as_array().into_iter().flatten().enumerate() {
        check_fields(&format!("Rows[{i}]"), row, &ROW)?;
        let account = row["AccountNumber"].as_u64().unwrap_or(0);
        if !(1000..=9999).contains(&account) {
            return Err(format!("Rows[{i}]: AccountNumber must be a four-digit account"));
        }
        let (debit, credit) = (
            row.get("DebitAmount").and_then(decimal).unwrap_or_default(),
            row.get("CreditAmount").and_then(decimal).unwrap_or_default(),
        );
        if debit.is_sign_negative() || credit.is_sign_negative() {
            return Err(format!("Rows[{i}]: DebitAmount and CreditAmount cannot be negative"));
        }
        if let Some(code) = row["VatCodeId"].as_str()
            && !vat_codes.contains(&code)
        {
            return Err(format!("Rows[{i}]: VatCodeId {code} does not exist"));
        }
        sum += debit - credit;
    }
    if sum != total - vat {
        return Err(format!("the rows sum to {sum}, but TotalAmount - Vat is {}", total - vat));
    }
    Ok(())
}
