//! Snapshots of the Visma eEkonomi request bodies for the nine format cases,
//! each also checked against Visma's published description and by the
//! test server's rules, and the client's limits against the description.

use serde_json::{Value, json};

use super::map;
use crate::fixtures::bookings;
use crate::test_servers::spec::visma;
use crate::test_servers::visma::{TERMS, VAT_CODES};
use crate::test_servers::visma_rules::{check_draft, check_supplier};

const SUPPLIER_ID: &str = "d1000000-0000-4000-8000-000000001042";

/// Each case's bodies, checked against eEkonomi's accounts: the cost rows
/// of a reverse charge go on its base account (4535 EU services, 4425
/// construction, 4515 EU goods), whose VAT code makes eEkonomi book the
/// fictive VAT (its "Omvänd skattskyldighet" and "EU" VAT codes, chosen by
/// account since the API derives `VatCodeId` from `AccountNumber`).
#[test]
fn snapshots_of_the_nine_cases() {
    let accounts = [
        ("single_rate", 5460),
        ("mixed_rates", 4010),
        ("credit_note", 5460),
        ("eur", 4010),
        ("no_ocr", 4010),
        ("eu_service_reverse_charge", 4535),
        ("construction_reverse_charge", 4425),
        ("eu_goods", 4515),
        ("representation", 6071),
    ];
    let all = bookings();
    assert_eq!(all.len(), accounts.len());
    for (b, (case, account)) in all.iter().zip(accounts) {
        let name = b.source.replace(".pdf", "");
        assert_eq!(name, case);
        let draft = map::supplier_invoice_draft(b, SUPPLIER_ID).expect("maps");
        assert_eq!(draft["Rows"][0]["AccountNumber"], json!(account), "{name}");
        let bodies = json!({
            "POST /v2/suppliers": map::supplier(b, TERMS[1].0),
            "POST /v2/supplierinvoicedrafts?calculateVatOnCostAccounts=true": draft,
        });
        insta::assert_snapshot!(name, serde_json::to_string_pretty(&bodies).expect("json"));
    }
}

/// Every case fits the published description (names, types, lengths, two
/// decimals, required fields) and the stand-in's rules (the credit sign,
/// the VAT split, rows that sum to `TotalAmount - Vat`).
#[test]
fn the_nine_cases_fit_the_description_and_the_server_rules() {
    let ids: Vec<&str> = VAT_CODES.iter().map(|(id, _, _)| *id).collect();
    let terms: Vec<&str> = TERMS.iter().map(|(id, _)| *id).collect();
    for b in bookings() {
        let draft = map::supplier_invoice_draft(&b, SUPPLIER_ID).expect("maps");
        let supplier = map::supplier(&b, TERMS[1].0);
        let broken = visma().request("POST", "/supplierinvoicedrafts", &draft);
        assert!(broken.is_empty(), "{}: {broken:?}", b.label());
        let broken = visma().request("POST", "/suppliers", &supplier);
        assert!(broken.is_empty(), "{}: {broken:?}", b.label());
        check_draft(&draft, &ids).unwrap_or_else(|e| panic!("{}: {e}", b.label()));
        check_supplier(&supplier, &terms).unwrap_or_else(|e| panic!("{}: {e}", b.label()));
    }
}

/// The client's limits are the description's `maxLength`s.
#[test]
fn limits_are_the_published_ones() {
    use map::limits::*;
    let schemas = &visma().spec()["components"]["schemas"];
    let max = |schema: &str, field: &str| -> Value {
        schemas[schema]["properties"][field]["maxLength"].clone()
    };
    let table = [
        ("SupplierInvoiceDraftApi", "InvoiceNumber", INVOICE_NUMBER),
        ("SupplierInvoiceDraftApi", "OcrNumber", OCR_NUMBER),
        ("SupplierInvoiceDraftApi", "Message", MESSAGE),
        ("SupplierInvoiceDraftRowApi", "TransactionText", TRANSACTION_TEXT),
        ("SupplierApi", "Name", SUPPLIER_NAME),
        ("SupplierApi", "CorporateIdentityNumber", CORPORATE_IDENTITY_NUMBER),
        ("SupplierApi", "BankgiroNumber", GIRO_NUMBER),
        ("SupplierApi", "PlusgiroNumber", GIRO_NUMBER),
        ("SupplierApi", "Address1", ADDRESS),
        ("SupplierApi", "City", ADDRESS),
        ("SupplierApi", "PostalCode", POSTAL_CODE),
        ("SupplierApi", "BankIban", BANK_ID),
        ("SupplierApi", "BankBic", BANK_ID),
    ];
    for (schema, field, ours) in table {
        assert_eq!(max(schema, field), json!(ours), "{schema}.{field}");
    }
}
