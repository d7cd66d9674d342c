//! Pure mapping from a [`Booking`] to Visma eEkonomi API v2 JSON: the
//! supplier invoice draft (`POST /v2/supplierinvoicedrafts`) and the supplier
//! (`POST /v2/suppliers`). No I/O; [`super::client`] sends what this builds.
//!
//! - Amounts are in the invoice currency with at most two decimals:
//!   `TotalAmount` and `Vat` (split into `VatHigh`/`VatMedium`/`VatLow` for
//!   25/12/6 %), negative on a credit invoice (`IsCreditInvoice: true`).
//! - `Rows` are the cost rows (and any öresavrundning) with `AccountNumber`,
//!   `DebitAmount`/`CreditAmount` and, for cost rows, the purchase
//!   `VatCodeId` of their rate; eEkonomi books the input VAT and the payable
//!   from the header. The rows sum to `TotalAmount - Vat`.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::Error;
use crate::booking::{Booking, RowKind};

pub const TARGET: &str = "Visma eEkonomi";

/// Field lengths eEkonomi accepts, in characters.
pub mod limits {
    pub const INVOICE_NUMBER: usize = 50;
    pub const OCR_NUMBER: usize = 25;
    pub const MESSAGE: usize = 25;
    pub const CURRENCY_CODE: usize = 3;
    pub const SUPPLIER_NAME: usize = 50;
    pub const CORPORATE_IDENTITY_NUMBER: usize = 20;
    pub const GIRO_NUMBER: usize = 10;
    /// `Address1` and `City`.
    pub const ADDRESS: usize = 50;
    pub const POSTAL_CODE: usize = 10;
}

/// The purchase VAT code id per rate (percent), from `GET /v2/vatcodes`.
pub type VatCodes = [(Decimal, String)];

/// The body of `POST /v2/supplierinvoicedrafts`.
pub fn supplier_invoice_draft(
    booking: &Booking,
    supplier_id: &str,
    vat_codes: &VatCodes,
) -> Result<Value, Error> {
    let refuse =
        |detail: String| Error::Refused { target: TARGET, invoice: booking.label(), detail };
    let number = booking.invoice_number.trim();
    if number.chars().count() > limits::INVOICE_NUMBER {
        return Err(refuse(format!(
            "the invoice number {number:?} is longer than eEkonomi's {} characters",
            limits::INVOICE_NUMBER
        )));
    }
    if booking.currency.chars().count() != limits::CURRENCY_CODE {
        return Err(refuse(format!("currency {:?} is not an ISO 4217 code", booking.currency)));
    }
    // A foreign supplier's VAT is in the cost rows, with no purchase VAT code.
    let deductible = booking.vat_deductible();
    let vat_at = |rate: i64| -> Decimal {
        let rate = Decimal::from(rate);
        let sum = booking.vat.iter().filter(|p| deductible && p.rate == rate).map(|p| p.amount);
        booking.signed(sum.sum())
    };
    let mut rows = Vec::new();
    for row in &booking.rows {
        if !matches!(row.kind, RowKind::Cost | RowKind::Rounding) || row.amount_currency.is_zero() {
            continue;
        }
        let amount = row.amount_currency.round_dp(2);
        let mut r = Map::new();
        r.insert("AccountNumber".into(), json!(row.account));
        r.insert("DebitAmount".into(), json!(amount.max(Decimal::ZERO)));
        r.insert("CreditAmount".into(), json!((-amount).max(Decimal::ZERO)));
        if let Some(rate) = row.vat_rate.filter(|_| deductible && row.kind == RowKind::Cost)
            && let Some((_, id)) = vat_codes.iter().find(|(r, _)| *r == rate)
        {
            r.insert("VatCodeId".into(), json!(id));
        }
        r.insert("TransactionText".into(), json!(clip(&booking.text(), 60)));
        rows.push(Value::Object(r));
    }
    let mut draft = Map::new();
    let mut put = |key: &str, value: Value| {
        draft.insert(key.to_string(), value);
    };
    put("SupplierId", json!(supplier_id));
    put("InvoiceNumber", json!(number));
    put("InvoiceDate", json!(booking.invoice_date.to_string()));
    if let Some(due) = booking.due_date {
        put("DueDate", json!(due.to_string()));
    }
    put("CurrencyCode", json!(booking.currency));
    if booking.currency != "SEK" {
        put("CurrencyRate", json!(booking.currency_rate));
    }
    put("TotalAmount", json!(booking.signed(booking.total).round_dp(2)));
    put("Vat", json!(booking.signed(booking.input_vat()).round_dp(2)));
    put("VatHigh", json!(vat_at(25).round_dp(2)));
    put("VatMedium", json!(vat_at(12).round_dp(2)));
    put("VatLow", json!(vat_at(6).round_dp(2)));
    put("IsCreditInvoice", json!(booking.credit_note));
    if let Some(ocr) = booking.ocr.as_deref().filter(|o| o.len() <= limits::OCR_NUMBER) {
        put("OcrNumber", json!(ocr));
    }
    let message = booking.supplier_reference.as_deref().unwrap_or(&booking.invoice_number);
    put("Message", json!(clip(message, limits::MESSAGE)));
    put("Rows", Value::Array(rows));
    Ok(Value::Object(draft))
}

/// The body of `POST /v2/suppliers`.
pub fn supplier(booking: &Booking, terms_of_payment_id: &str) -> Value {
    let s = &booking.supplier;
    let name = if s.name.trim().is_empty() {
        format!("Leverantör {}", s.org_nr.as_deref().unwrap_or(&booking.invoice_number))
    } else {
        s.name.trim().to_string()
    };
    let mut supplier = Map::new();
    supplier.insert("Name".into(), json!(clip(&name, limits::SUPPLIER_NAME)));
    supplier.insert("TermsOfPaymentId".into(), json!(terms_of_payment_id));
    supplier.insert("IsActive".into(), json!(true));
    if let Some(org) = s.org_nr.as_deref().filter(|o| o.len() <= limits::CORPORATE_IDENTITY_NUMBER)
    {
        supplier.insert("CorporateIdentityNumber".into(), json!(org));
    }
    for (key, value) in [("BankgiroNumber", &s.bankgiro), ("PlusgiroNumber", &s.plusgiro)] {
        if let Some(v) = value.as_deref().filter(|v| v.len() <= limits::GIRO_NUMBER) {
            supplier.insert(key.into(), json!(v));
        }
    }
    let (street, postal_code, city) = crate::peppol::lines::address(s.address.as_deref());
    let address = [("Address1", street), ("PostalCode", postal_code), ("City", city)];
    for (key, value) in address {
        if let Some(v) = value {
            let max = if key == "PostalCode" { limits::POSTAL_CODE } else { limits::ADDRESS };
            supplier.insert(key.into(), json!(clip(&v, max)));
        }
    }
    if booking.ocr.is_some() {
        supplier.insert("UsesPaymentReferenceNumbers".into(), json!(true));
    }
    Value::Object(supplier)
}

/// At most `max` characters.
fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
