//! Pure mapping from a [`Booking`] to Fortnox API v3 JSON: the supplier
//! invoice (`POST /3/supplierinvoices`) and the supplier (`POST /3/suppliers`).
//! No I/O; [`super::client`] sends what this builds.
//!
//! - `Total` and `VAT` are document amounts in the invoice currency, negative
//!   on a credit invoice (`Credit: true`), as Fortnox shows credit invoices.
//! - `SupplierInvoiceRows` are the booking's ledger rows: `Debit`/`Credit` in
//!   SEK (non-negative), with `DebitCurrency`/`CreditCurrency` for foreign
//!   currency. The payable row has code `TOT`, input VAT rows `VAT`; cost and
//!   rounding rows have none. They balance.
//! - The invoice's "Er referens" (the buyer's person) is Fortnox's
//!   `OurReference`, its "Vår referens" (the supplier's) is `YourReference`:
//!   the supplier invoice is seen from the buyer's side.
//! - `VATType` is `EUINTERNAL` for a supplier with a VAT number from another
//!   EU country on an invoice without VAT (Fortnox then adds the fictive VAT
//!   rows itself), else `NORMAL`.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::Error;
use crate::booking::{Booking, RowKind};

pub const TARGET: &str = "Fortnox";

/// Field lengths Fortnox accepts, in characters.
pub mod limits {
    pub const INVOICE_NUMBER: usize = 30;
    pub const OCR: usize = 30;
    pub const COMMENTS: usize = 1024;
    pub const REFERENCE: usize = 50;
    pub const SUPPLIER_NAME: usize = 1024;
    pub const ORGANISATION_NUMBER: usize = 30;
    pub const CURRENCY: usize = 3;
    pub const ADDRESS: usize = 1024;
    pub const ZIP_CODE: usize = 10;
    pub const CITY: usize = 1024;
}

const EU: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// `NORMAL` or `EUINTERNAL` (see the module docs).
pub fn vat_type(booking: &Booking) -> &'static str {
    let eu_foreign = booking
        .supplier
        .vat_nr
        .as_deref()
        .and_then(|v| v.get(..2))
        .is_some_and(|cc| cc != "SE" && EU.contains(&cc));
    if eu_foreign && booking.vat_total.is_zero() { "EUINTERNAL" } else { "NORMAL" }
}

/// The body of `POST /3/supplierinvoices` for `booking` on supplier `supplier_number`.
pub fn supplier_invoice(booking: &Booking, supplier_number: &str) -> Result<Value, Error> {
    let refuse =
        |detail: String| Error::Refused { target: TARGET, invoice: booking.label(), detail };
    let number = booking.invoice_number.trim();
    if number.chars().count() > limits::INVOICE_NUMBER {
        return Err(refuse(format!(
            "the invoice number {number:?} is longer than Fortnox's {} characters",
            limits::INVOICE_NUMBER
        )));
    }
    if booking.currency.chars().count() != limits::CURRENCY {
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
            RowKind::Cost | RowKind::Rounding => None,
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
    let mut invoice = Map::new();
    let mut put = |key: &str, value: Value| {
        invoice.insert(key.to_string(), value);
    };
    put("SupplierNumber", json!(supplier_number));
    put("InvoiceNumber", json!(number));
    put("InvoiceDate", json!(booking.invoice_date.to_string()));
    if let Some(due) = booking.due_date {
        put("DueDate", json!(due.to_string()));
    }
    if let Some(ocr) = booking.ocr.as_deref().filter(|o| o.len() <= limits::OCR) {
        put("OCR", json!(ocr));
    }
    put("Currency", json!(booking.currency));
    put("CurrencyRate", json!(booking.currency_rate));
    put("CurrencyUnit", json!(1));
    put("Total", json!(booking.signed(booking.total)));
    // A foreign supplier's VAT is in the cost rows, not input VAT.
    put("VAT", json!(booking.signed(booking.input_vat())));
    put("VATType", json!(vat_type(booking)));
    put("Credit", json!(booking.credit_note));
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
    let (street, zip, city) = crate::peppol::lines::address(s.address.as_deref());
    let address = [("Address1", street, limits::ADDRESS), ("ZipCode", zip, limits::ZIP_CODE)];
    for (key, value, max) in address.into_iter().chain([("City", city, limits::CITY)]) {
        if let Some(v) = value {
            supplier.insert(key.into(), json!(clip(&v, max)));
        }
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
