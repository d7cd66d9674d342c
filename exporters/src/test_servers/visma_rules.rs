//! What the eEkonomi stand-in checks on suppliers and supplier invoice
//! drafts beyond the published description (which [`super::spec`]
//! enforces: field names, types, lengths, decimals, required fields): the
//! references must exist (terms of payment, VAT codes), a credit invoice has
//! a negative total, `VatHigh + VatMedium + VatLow = Vat`, and the rows sum
//! to `TotalAmount - Vat`.

use rust_decimal::Decimal;
use serde_json::Value;

use super::core::decimal;

/// `POST /v2/suppliers`.
pub fn check_supplier(body: &Value, terms: &[&str]) -> Result<(), String> {
    if body["Name"].as_str().is_none_or(|n| n.trim().is_empty()) {
        return Err("Supplier: Name is required".into());
    }
    if !body["TermsOfPaymentId"].as_str().is_some_and(|t| terms.contains(&t)) {
        return Err(
            "Supplier: TermsOfPaymentId must name terms of payment (/v2/termsofpayments)".into()
        );
    }
    Ok(())
}

/// `POST /v2/supplierinvoicedrafts`.
pub fn check_draft(body: &Value, vat_codes: &[&str]) -> Result<(), String> {
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
    let mut sum = Decimal::ZERO;
    for (i, row) in body["Rows"].as_array().into_iter().flatten().enumerate() {
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
