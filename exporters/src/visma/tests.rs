//! Snapshots of the Visma eEkonomi request bodies for the five format cases,
//! each also checked by the test server's rules.

use rust_decimal::Decimal;
use serde_json::json;

use super::map;
use crate::fixtures::bookings;
use crate::test_servers::visma::{TERMS, VAT_CODES};
use crate::test_servers::visma_rules::{check_draft, check_supplier};

const SUPPLIER_ID: &str = "d1000000-0000-4000-8000-000000001042";

/// The purchase VAT codes by rate, as the client reads them from the stand-in.
fn vat_codes() -> Vec<(Decimal, String)> {
    VAT_CODES
        .iter()
        .filter(|(_, code, _)| code.starts_with("MP"))
        .map(|(id, _, rate)| (Decimal::try_from(rate * 100.0).expect("rate"), id.to_string()))
        .collect()
}

#[test]
fn snapshots_of_the_five_cases() {
    let codes = vat_codes();
    for b in bookings() {
        let draft = map::supplier_invoice_draft(&b, SUPPLIER_ID, &codes).expect("maps");
        let bodies = json!({
            "POST /v2/suppliers": map::supplier(&b, TERMS[1].0),
            "POST /v2/supplierinvoicedrafts": draft,
        });
        let name = b.source.replace(".pdf", "");
        insta::assert_snapshot!(name, serde_json::to_string_pretty(&bodies).expect("json"));
    }
}

/// Every case passes the stand-in's checks: field names, types, lengths,
/// two decimals, the credit sign, the VAT split and rows that sum to
/// `TotalAmount - Vat`.
#[test]
fn the_five_cases_pass_the_server_rules() {
    let codes = vat_codes();
    let ids: Vec<&str> = VAT_CODES.iter().map(|(id, _, _)| *id).collect();
    let terms: Vec<&str> = TERMS.iter().map(|(id, _)| *id).collect();
    for b in bookings() {
        let draft = map::supplier_invoice_draft(&b, SUPPLIER_ID, &codes).expect("maps");
        check_draft(&draft, &ids).unwrap_or_else(|e| panic!("{}: {e}", b.label()));
        check_supplier(&map::supplier(&b, TERMS[1].0), &terms)
            .unwrap_or_else(|e| panic!("{}: {e}", b.label()));
    }
}
