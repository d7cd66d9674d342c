//! Snapshots of the Fortnox request bodies for the five format cases, each
//! also checked by the test server's rules.

use serde_json::{Value, json};

use super::map;
use crate::fixtures::bookings;
use crate::test_servers::fortnox_rules::check_invoice;

/// The supplier number a case is booked on: the tenant's mapping, else the
/// number Fortnox would give a new supplier.
fn supplier_number(b: &crate::Booking) -> String {
    b.supplier.number.clone().unwrap_or_else(|| "2001".into())
}

#[test]
fn snapshots_of_the_five_cases() {
    for b in bookings() {
        let invoice = map::supplier_invoice(&b, &supplier_number(&b)).expect("maps");
        let bodies = json!({
            "POST /3/suppliers": map::supplier(&b),
            "POST /3/supplierinvoices": invoice,
        });
        let name = b.source.replace(".pdf", "");
        insta::assert_snapshot!(name, serde_json::to_string_pretty(&bodies).expect("json"));
    }
}

/// Every case passes the stand-in's checks: field names, types, lengths,
/// OCR, the credit sign and rows that balance with TOT = Total, VAT = VAT.
#[test]
fn the_five_cases_pass_the_server_rules() {
    for b in bookings() {
        let body = map::supplier_invoice(&b, &supplier_number(&b)).expect("maps");
        let Value::Object(invoice) = &body["SupplierInvoice"] else { panic!("an object") };
        check_invoice(invoice).unwrap_or_else(|e| panic!("{}: {e:?}", b.label()));
    }
}
