//! Snapshots of the Fortnox request bodies for the nine format cases, each
//! also checked against Fortnox's published description and by the test
//! server's rules, and the client's limits against the description.

use serde_json::{Value, json};

use super::map;
use crate::fixtures::bookings;
use crate::test_servers::fortnox_rules::check_invoice;
use crate::test_servers::spec::fortnox;

/// The supplier number a case is booked on: the tenant's mapping, else the
/// number Fortnox would give a new supplier.
fn supplier_number(b: &crate::Booking) -> String {
    b.supplier.number.clone().unwrap_or_else(|| "2001".into())
}

/// Each case's bodies. The rows of the reverse-charge cases are checked
/// against BAS in the fixtures' comments; here the `VATType` each gets:
/// EU services and goods `EUINTERNAL`, the Swedish construction reverse
/// charge `REVERSE` (Fortnox's VATType enum: NORMAL, EUINTERNAL, REVERSE).
#[test]
fn snapshots_of_the_nine_cases() {
    let types = [
        ("single_rate", "NORMAL"),
        ("mixed_rates", "NORMAL"),
        ("credit_note", "NORMAL"),
        ("eur", "NORMAL"),
        ("no_ocr", "NORMAL"),
        ("eu_service_reverse_charge", "EUINTERNAL"),
        ("construction_reverse_charge", "REVERSE"),
        ("eu_goods", "EUINTERNAL"),
        ("representation", "NORMAL"),
    ];
    let all = bookings();
    assert_eq!(all.len(), types.len());
    for (b, (case, vat_type)) in all.iter().zip(types) {
        let name = b.source.replace(".pdf", "");
        assert_eq!(name, case);
        // The credit note credits F-1001, which Fortnox holds as number 7.
        let credits = b.credited_invoice.as_ref().map(|_| "7");
        let invoice = map::supplier_invoice(b, &supplier_number(b), credits).expect("maps");
        assert_eq!(invoice["SupplierInvoice"]["VATType"], vat_type, "{name}");
        let bodies = json!({
            "POST /3/suppliers": map::supplier(b),
            "POST /3/supplierinvoices": invoice,
        });
        insta::assert_snapshot!(name, serde_json::to_string_pretty(&bodies).expect("json"));
    }
}

/// Every case fits the published description (names, types, lengths,
/// enums) and the stand-in's rules (balanced rows, TOT = Total, VAT = VAT,
/// the credit sign).
#[test]
fn the_nine_cases_fit_the_description_and_the_server_rules() {
    for b in bookings() {
        let credits = b.credited_invoice.as_ref().map(|_| "7");
        let body = map::supplier_invoice(&b, &supplier_number(&b), credits).expect("maps");
        let broken = fortnox().request("POST", "/3/supplierinvoices", &body);
        assert!(broken.is_empty(), "{}: {broken:?}", b.label());
        let broken = fortnox().request("POST", "/3/suppliers", &map::supplier(&b));
        assert!(broken.is_empty(), "{}: {broken:?}", b.label());
        let Value::Object(invoice) = &body["SupplierInvoice"] else { panic!("an object") };
        check_invoice(invoice).unwrap_or_else(|e| panic!("{}: {e:?}", b.label()));
    }
}

/// The client's limits are the description's `maxLength`s.
#[test]
fn limits_are_the_published_ones() {
    use map::limits::*;
    let schemas = &fortnox().spec()["components"]["schemas"];
    let max = |schema: &str, field: &str| -> Value {
        schemas[schema]["properties"][field]["maxLength"].clone()
    };
    let table = [
        ("fortnox_SupplierInvoice", "InvoiceNumber", INVOICE_NUMBER),
        ("fortnox_SupplierInvoice", "Comments", COMMENTS),
        ("fortnox_SupplierInvoice", "YourReference", REFERENCE),
        ("fortnox_SupplierInvoice", "OurReference", REFERENCE),
        ("fortnox_Supplier", "Name", SUPPLIER_NAME),
        ("fortnox_Supplier", "City", CITY),
        ("fortnox_Supplier", "CountryCode", COUNTRY_CODE),
        (
            "fortnox_SupplierInvoice_SupplierInvoiceRow",
            "TransactionInformation",
            TRANSACTION_INFORMATION,
        ),
    ];
    for (schema, field, ours) in table {
        assert_eq!(max(schema, field), json!(ours), "{schema}.{field}");
    }
}
