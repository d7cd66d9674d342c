//! Pure mapping from a [`Booking`] to Fortnox API v3 JSON: the supplier
//! invoice (`POST /3/supplierinvoices`) and the supplier (`POST /3/suppliers`).
//! No I/O; [`super::client`] sends what this builds. Types and lengths follow
//! Fortnox's published OpenAPI description (`exporters/openapi/`), which the
//! test server enforces:
//!
//! - `Total`, `VAT` and `CurrencyRate` are strings there; `Total` and `VAT`
//!   are document amounts in the invoice currency, negative on a credit
//!   invoice (`Credit: true`), as Fortnox shows credit invoices.
//! - `SupplierInvoiceRows` are the booking's ledger rows: `Debit`/`Credit` in
//!   SEK (non-negative), with `DebitCurrency`/`CreditCurrency` for foreign
//!   currency. The payable row has code `TOT`, input VAT rows `VAT`, the
//!   öresavrundning `ROV`; cost rows and a reverse charge's four rows (base,
//!   offset, fictive output and input VAT) have none. They balance.
//! - `DueDate` is always set: printed, else from the payment terms.
//! - The invoice's "Er referens" (the buyer's person) is Fortnox's
//!   `OurReference`, its "Vår referens" (the supplier's) is `YourReference`:
//!   the supplier invoice is seen from the buyer's side.
//! - `VATType` (`NORMAL`, `EUINTERNAL`, `REVERSE`) follows the booking's
//!   [`VatTreatment`]: `EUINTERNAL` for goods and services from another EU
//!   country, `REVERSE` for a Swedish reverse charge and services from
//!   outside the EU (the buyer accounts for the VAT in both), else `NORMAL`.
//! - A credit invoice names the invoice it credits in `Comments`, and links
//!   it by `CreditReference` when Fortnox has it (the client looks it up).

use invex_domain::tax::VatTreatment;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::Error;
use crate::booking::{Booking, RowKind};

pub const TARGET: &str = "Fortnox";

/// Field lengths, in characters, from Fortnox's published OpenAPI
/// description (`maxLength`); a test checks them against it.
pub mod limits {
    /// `SupplierInvoice.InvoiceNumber`.
    pub const INVOICE_NUMBER: usize = 64;
    /// `SupplierInvoice.Comments`.
    pub const COMMENTS: usize = 1000;
    /// `SupplierInvoice.YourReference` and `OurReference`.
    pub const REFERENCE: usize = 50;
    /// `Supplier.Name`.
    pub const SUPPLIER_NAME: usize = 1024;
    /// `Supplier.City`.
    pub const CITY: usize = 1024;
    /// `Supplier.CountryCode`.
    pub const COUNTRY_CODE: usize = 2;
    /// `SupplierInvoiceRow.TransactionInformation`.
    pub const TRANSACTION_INFORMATION: usize = 100;
}

/// `NORMAL`, `EUINTERNAL` or `REVERSE` (see the module docs).
pub fn vat_type(booking: &Booking) -> &'static str {
    match booking.vat_treatment {
        VatTreatment::EuGoods | VatTreatment::EuServices => "EUINTERNAL",
        VatTreatment::DomesticReverseCharge | VatTreatment::ImportServices => "REVERSE",
        VatTreatment::Standard | VatTreatment::Exempt => "NORMAL",
    }
}

/// The body of `POST /3/supplierinvoices` for `booking` on supplier
/// `supplier_number`; `credits` is the `GivenNumber` of the invoice a credit
/// invoice credits, when Fortnox has it.
pub fn supplier_invoice(
    booking: &Booking,
    supplier_number: &str,
    credits: Option<&str>,
) -> Result<Value, Error> {
    let refuse =
        |detail: String| Error::Refused { target: TARGET, invoice: booking.label(), detail };
    let number = booking.invoice_number.trim();
    if number.chars().count() > limits::INVOICE_NUMBER {
        return Err(refuse(format!(
            "the invoice number {number:?} is longer than Fortnox's {} characters",
            limits::INVOICE_NUMBER
        )));
    }
    if booking.currency.chars().count() != 3 {
        return Err(refuse(format!("currency {:?} is not an ISO 4217 code", booking.currency)));
    }
    let foreign = booking.currency != "SEK";
    let mut rows = Vec::with_capacity(booking.rows.len());
    for row in &booking.rows {
        let mut r = Map::new();
        r.insert("Account".into(), json!(row.account));
        match row.kind {
            RowKind::Payable => r.insert("Code".into(), json!("TOT")),
            RowKind::InputVat => r.insert("Code".into(), json!("VAT")),
            RowKind::Rounding => r.insert("Code".into(), json!("ROV")),
            _ => None,
        };
        let (debit, credit) = sides(row.amount);
        r.insert("Debit".into(), json!(debit));
        r.insert("Credit".into(), json!(credit));
        if foreign {
            let (debit, credit) = sides(row.amount_currency);
            r.insert("DebitCurrency".into(), json!(debit));
            r.insert("CreditCurrency".into(), json!(credit));
        }
        rows.push(Value::Object(r));
    }
    let mut comments = booking.text();
    if let Some(order) = &booking.order_number {
        comments.push_str(&format!(", order {order}"));
    }
    if let Some(reason) = &booking.vat_treatment_reason {
        comments.push_str(&format!(". Moms: {reason}"));
    }
    let mut invoice = Map::new();
    let mut put = |key: &str, value: Value| {
        invoice.insert(key.to_string(), value);
    };
    put("SupplierNumber", json!(supplier_number));
    put("InvoiceNumber", json!(number));
    put("InvoiceDate", json!(booking.invoice_date.to_string()));
    put("DueDate", json!(booking.pay_by.to_string()));
    if let Some(ocr) = booking.ocr.as_deref() {
        put("OCR", json!(ocr));
    }
    put("Currency", json!(booking.currency));
    put("CurrencyRate", json!(booking.currency_rate.normalize().to_string()));
    put("CurrencyUnit", json!(1));
    put("Total", json!(amount(booking.signed(booking.total))));
    // A foreign supplier's VAT and the share not deducted are in the cost rows.
    put("VAT", json!(amount(booking.signed(booking.input_vat()))));
    put("VATType", json!(vat_type(booking)));
    put("Credit", json!(booking.credit_note));
    if let Some(given) = credits.and_then(|g| g.parse::<i32>().ok()) {
        put("CreditReference", json!(given));
    }
    if let Some(ours) = &booking.buyer_reference {
        put("OurReference", json!(clip(ours, limits::REFERENCE)));
    }
    if let Some(yours) = &booking.supplier_reference {
        put("YourReference", json!(clip(yours, limits::REFERENCE)));
    }
    put("Comments", json!(clip(&comments, limits::COMMENTS)));
    put("SupplierInvoiceRows", Value::Array(rows));
    Ok(json!({ "SupplierInvoice": invoice }))
}

/// An amount as the description's string: two decimals.
fn amount(a: Decimal) -> String {
    format!("{:.2}", a)
}

/// The body of `POST /3/suppliers` for the booking's supplier.
pub fn supplier(booking: &Booking) -> Value {
    let s = &booking.supplier;
    let name = if s.name.trim().is_empty() {
        format!("Leverantör {}", s.org_nr.as_deref().unwrap_or(&booking.invoice_number))
    } else {
        s.name.trim().to_string()
    };
    let mut supplier = Map::new();
    supplier.insert("Name".into(), json!(clip(&name, limits::SUPPLIER_NAME)));
    let optional = [
        ("OrganisationNumber", s.org_nr.as_deref()),
        ("VATNumber", s.vat_nr.as_deref()),
        ("BG", s.bankgiro.as_deref()),
        ("PG", s.plusgiro.as_deref()),
        ("IBAN", s.iban.as_deref()),
        ("BIC", s.bic.as_deref()),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            supplier.insert(key.into(), json!(v));
        }
    }
    if let Some(country) = s.country().filter(|c| c.len() == limits::COUNTRY_CODE) {
        supplier.insert("CountryCode".into(), json!(country));
    }
    let (street, zip, city) = crate::peppol::lines::address(s.address.as_deref());
    for (key, value) in [("Address1", street), ("ZipCode", zip)] {
        if let Some(v) = value {
            supplier.insert(key.into(), json!(v));
        }
    }
    if let Some(city) = city {
        supplier.insert("City".into(), json!(clip(&city, limits::CITY)));
    }
    json!({ "Supplier": supplier })
}

/// (debit, credit) of a signed amount, both non-negative.
fn sides(amount: Decimal) -> (Decimal, Decimal) {
    if amount >= Decimal::ZERO { (amount, Decimal::ZERO) } else { (Decimal::ZERO, -amount) }
}

/// At most `max` characters.
pub fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
