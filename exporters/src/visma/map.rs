//! Pure mapping from a [`Booking`] to Visma eEkonomi API v2 JSON: the
//! supplier invoice draft (`POST /v2/supplierinvoicedrafts`, sent with
//! `calculateVatOnCostAccounts=true`) and the supplier (`POST /v2/suppliers`).
//! No I/O; [`super::client`] sends what this builds. Types and lengths follow
//! Visma's published OpenAPI description (`exporters/openapi/`), which the
//! test server enforces.
//!
//! - Amounts are in the invoice currency with at most two decimals:
//!   `TotalAmount` and `Vat` (split into `VatHigh`/`VatMedium`/`VatLow` for
//!   25/12/6 %), negative on a credit invoice (`IsCreditInvoice: true`).
//! - `Rows` are the cost rows (and any öresavrundning) with `AccountNumber`
//!   and `DebitAmount`/`CreditAmount`; eEkonomi books the input VAT and the
//!   payable from the header. The rows sum to `TotalAmount - Vat`.
//! - No `VatCodeId`: eEkonomi derives the VAT code from the account. So the
//!   VAT treatment is chosen by account: a purchase whose VAT the buyer
//!   accounts for is booked on the reverse-charge account of its kind
//!   (4515/4535/4531/4425 by default, whose VAT codes make eEkonomi book the
//!   fictive VAT), not on the category's cost account.
//! - Dates are `date-time`s, as the description types them.
//! - A credit invoice names the invoice it credits in `Message`.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::Error;
use crate::booking::{Booking, RowKind};

pub const TARGET: &str = "Visma eEkonomi";

/// Field lengths, in characters, from Visma's published OpenAPI
/// description (`maxLength`); a test checks them against it.
pub mod limits {
    /// `SupplierInvoiceDraftApi.InvoiceNumber`.
    pub const INVOICE_NUMBER: usize = 50;
    /// `SupplierInvoiceDraftApi.OcrNumber`.
    pub const OCR_NUMBER: usize = 25;
    /// `SupplierInvoiceDraftApi.Message`.
    pub const MESSAGE: usize = 25;
    /// `SupplierInvoiceDraftRowApi.TransactionText`.
    pub const TRANSACTION_TEXT: usize = 100;
    /// `SupplierApi.Name`.
    pub const SUPPLIER_NAME: usize = 50;
    /// `SupplierApi.CorporateIdentityNumber`.
    pub const CORPORATE_IDENTITY_NUMBER: usize = 20;
    /// `SupplierApi.BankgiroNumber` and `PlusgiroNumber`.
    pub const GIRO_NUMBER: usize = 10;
    /// `SupplierApi.Address1` and `City`.
    pub const ADDRESS: usize = 50;
    /// `SupplierApi.PostalCode`.
    pub const POSTAL_CODE: usize = 10;
    /// `SupplierApi.BankIban` and `BankBic`.
    pub const BANK_ID: usize = 50;
}

/// The account a purchase's cost rows go on: a reverse charge's base
/// account (the booking's `ReverseBase` row), else the booking's own.
fn cost_account(booking: &Booking, account: u32) -> u32 {
    let reverse = booking.rows.iter().find(|r| r.kind == RowKind::ReverseBase);
    reverse.map_or(account, |r| r.account)
}

/// A date as the `date-time` the description asks for.
fn date_time(d: chrono::NaiveDate) -> String {
    format!("{d}T00:00:00Z")
}

/// The body of `POST /v2/supplierinvoicedrafts`.
pub fn supplier_invoice_draft(booking: &Booking, supplier_id: &str) -> Result<Value, Error> {
    let refuse =
        |detail: String| Error::Refused { target: TARGET, invoice: booking.label(), detail };
    let number = booking.invoice_number.trim();
    if number.chars().count() > limits::INVOICE_NUMBER {
        return Err(refuse(format!(
            "the invoice number {number:?} is longer than eEkonomi's {} characters",
            limits::INVOICE_NUMBER
        )));
    }
    if booking.currency.chars().count() != 3 {
        return Err(refuse(format!("currency {:?} is not an ISO 4217 code", booking.currency)));
    }
    let vat_at = |rate: i64| -> Decimal {
        let rate = Decimal::from(rate);
        let sum = booking
            .vat
            .iter()
            .filter(|p| p.rate == rate)
            .map(|p| booking.deductible_part(p.amount));
        booking.signed(sum.sum())
    };
    let mut rows = Vec::new();
    for row in &booking.rows {
        if !matches!(row.kind, RowKind::Cost | RowKind::Rounding) || row.amount_currency.is_zero() {
            continue;
        }
        let amount = row.amount_currency.round_dp(2);
        let account = match row.kind {
            RowKind::Cost => cost_account(booking, row.account),
            _ => row.account,
        };
        let mut r = Map::new();
        r.insert("AccountNumber".into(), json!(account));
        r.insert("DebitAmount".into(), json!(amount.max(Decimal::ZERO)));
        r.insert("CreditAmount".into(), json!((-amount).max(Decimal::ZERO)));
        r.insert("TransactionText".into(), json!(clip(&booking.text(), limits::TRANSACTION_TEXT)));
        rows.push(Value::Object(r));
    }
    let mut draft = Map::new();
    let mut put = |key: &str, value: Value| {
        draft.insert(key.to_string(), value);
    };
    put("SupplierId", json!(supplier_id));
    put("InvoiceNumber", json!(number));
    put("InvoiceDate", json!(date_time(booking.invoice_date)));
    put("DueDate", json!(date_time(booking.pay_by)));
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
    let message = match (&booking.credited_invoice, &booking.supplier_reference) {
        (Some(credited), _) => format!("Avser faktura {credited}"),
        (None, Some(reference)) => reference.clone(),
        (None, None) => booking.invoice_number.clone(),
    };
    put("Message", json!(clip(&message, limits::MESSAGE)));
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
    for (key, value) in [("BankIban", &s.iban), ("BankBic", &s.bic)] {
        if let Some(v) = value.as_deref().filter(|v| v.len() <= limits::BANK_ID) {
            supplier.insert(key.into(), json!(v));
        }
    }
    if let Some(country) = s.country() {
        supplier.insert("CountryCode".into(), json!(country));
    }
    if let Some(bank_country) = s.iban.as_deref().and_then(|i| i.get(..2)) {
        supplier.insert("BankCountryCode".into(), json!(bank_country));
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
