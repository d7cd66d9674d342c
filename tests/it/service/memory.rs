//! Supplier memory through the API (issue 14): a reviewer corrects one
//! invoice of a supplier whose invoice-number caption the rules do not
//! know; the supplier's next invoices are read right, with source `memory`,
//! for that tenant only; the memory is listed, edited and erased.

use axum::http::{Method, StatusCode};
use invex_datasets::pdf::{Doc, FontId, TextStyle, write_pdf};
use invex_datasets::truth::Tag;
use serde_json::{Value, json};

use super::harness::{Backend, Harness};

/// One invoice of "Norrlands Kontorsvaror AB", a supplier that prints its
/// invoice number after the caption "Vårt ID" (no invoice-number caption).
fn kontorsvaror(number: &str, date: &str, net: &str, vat: &str, total: &str) -> Vec<u8> {
    let mut doc = Doc::new();
    let body = TextStyle::new(FontId::Sans, 10.0);
    let bold = TextStyle::new(FontId::SansBold, 14.0);
    let rows: [(f32, f32, &TextStyle, &str); 22] = [
        (50.0, 60.0, &bold, "Norrlands Kontorsvaror AB"),
        (50.0, 80.0, &body, "Storgatan 12, 903 26 Umeå"),
        (380.0, 60.0, &bold, "FAKTURA"),
        (380.0, 100.0, &body, "Vårt ID"),
        (470.0, 100.0, &body, number),
        (380.0, 116.0, &body, "Fakturadatum"),
        (470.0, 116.0, &body, date),
        (380.0, 132.0, &body, "Betalningsvillkor"),
        (470.0, 132.0, &body, "30 dagar"),
        (50.0, 140.0, &body, "Umeå kommun"),
        (50.0, 156.0, &body, "Box 100, 901 84 Umeå"),
        (50.0, 240.0, &body, "Kontorsmaterial enligt avtal"),
        (470.0, 240.0, &body, net),
        (380.0, 400.0, &body, "Netto"),
        (470.0, 400.0, &body, net),
        (380.0, 416.0, &body, "Moms 25 %"),
        (470.0, 416.0, &body, vat),
        (380.0, 432.0, &body, "Att betala SEK"),
        (470.0, 432.0, &body, total),
        (50.0, 760.0, &body, "Bankgiro 5050-1055"),
        (200.0, 760.0, &body, "Org.nr 556677-8899"),
        (340.0, 760.0, &body, "Momsreg.nr SE556677889901"),
    ];
    for (x, y, style, text) in rows {
        doc.text(x, y, style, text, Tag::O);
    }
    write_pdf(&doc, "Faktura").expect("a PDF")
}

/// (file, invoice number, date, net, VAT, total)
const INVOICES: [(&str, &str, &str, &str, &str, &str); 4] = [
    ("kv-1.pdf", "KV-24017", "2026-03-02", "1 000,00", "250,00", "1 250,00"),
    ("kv-2.pdf", "KV-24102", "2026-04-01", "2 400,00", "600,00", "3 000,00"),
    ("kv-3.pdf", "KV-24188", "2026-05-04", "80,00", "20,00", "100,00"),
    ("kv-4.pdf", "KV-24250", "2026-06-01", "4 000,00", "1 000,00", "5 000,00"),
];

fn pdf(n: usize) -> Vec<u8> {
    let (_, number, date, net, vat, total) = INVOICES[n];
    kontorsvaror(number, date, net, vat, total)
}

async fn upload_processed(h: &Harness, key: &str, n: usize) -> (String, Value) {
    let (status, body) = h.upload(key, INVOICES[n].0, pdf(n)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["id"].as_str().expect("id").to_string();
    let invoice = h.processed(key, &id).await;
    (id, invoice)
}

fn number(invoice: &Value) -> (&Value, &Value) {
    let f = &invoice["fields"]["invoice_number"];
    (&f["value"], &f["source"])
}

async fn a_correction_teaches_the_tenants_memory_of_that_supplier(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Umeå").await;
    let (_, other) = h.tenant("Luleå").await;

    // The premise: the rules do not read this supplier's invoice number.
    let (first, invoice) = upload_processed(&h, &admin, 0).await;
    assert_ne!(number(&invoice).0, &json!("KV-24017"), "{invoice}");
    assert_eq!(invoice["fields"]["supplier_vat"]["value"], "SE556677889901", "{invoice}");

    let uri = format!("/v1/invoices/{first}");
    let (status, body) = h
        .json(Method::PATCH, &uri, &admin, json!({"fields": {"invoice_number": "KV-24017"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = h.json(Method::POST, &format!("{uri}/approve"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The supplier is known by its identifiers, with what it learned.
    let (status, listed) = h.get("/v1/suppliers", &admin).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let suppliers = listed["suppliers"].as_array().expect("suppliers");
    assert_eq!(suppliers.len(), 1, "{listed}");
    let supplier = &suppliers[0];
    let keys = supplier["keys"].to_string();
    for key in ["vat:SE556677889901", "org_nr:556677-8899", "bankgiro:50501055"] {
        assert!(keys.contains(key), "{key} in {keys}");
    }
    assert!(supplier["fields"].to_string().contains("invoice_number"), "{supplier}");
    let supplier_id = supplier["id"].as_str().expect("id").to_string();
    let memory_uri = format!("/v1/suppliers/{supplier_id}/memory");
    let (status, memory) = h.get(&memory_uri, &admin).await;
    assert_eq!(status, StatusCode::OK, "{memory}");
    let learned = memory["memory"]
        .as_array()
        .and_then(|m| m.iter().find(|f| f["field"] == "invoice_number"))
        .unwrap_or_else(|| panic!("invoice_number remembered: {memory}"));
    assert_eq!(learned["placements"][0]["label"], json!(["vårt", "id"]), "{learned}");
    assert_eq!(learned["placements"][0]["direction"], "right", "{learned}");

    // The supplier's next invoices are read with the memory.
    for n in [1, 2] {
        let (_, invoice) = upload_processed(&h, &admin, n).await;
        assert_eq!(number(&invoice), (&json!(INVOICES[n].1), &json!("memory")), "{invoice}");
        let confidence = invoice["fields"]["invoice_number"]["confidence"].as_f64();
        assert!(confidence.is_some_and(|c| c >= 0.9), "{invoice}");
    }

    // Another tenant's uploads do not see it.
    let (_, theirs) = upload_processed(&h, &other, 1).await;
    assert_ne!(number(&theirs).1, &json!("memory"), "{theirs}");
    let (_, their_list) = h.get("/v1/suppliers", &other).await;
    assert_eq!(their_list["suppliers"], json!([]), "{their_list}");
    let (status, _) = h.get(&memory_uri, &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Editing: an unknown field is refused; forgetting the field stops it.
    for (query, expected) in [
        ("?field=no_such_field", StatusCode::BAD_REQUEST),
        ("?field=due_date", StatusCode::NOT_FOUND),
        ("?field=invoice_number", StatusCode::NO_CONTENT),
        ("?field=invoice_number", StatusCode::NOT_FOUND),
    ] {
        let (status, body, _) = h
            .call(
                Method::DELETE,
                &format!("{memory_uri}{query}"),
                Some(&admin),
                Default::default(),
                None,
            )
            .await;
        assert_eq!(status, expected, "{query}: {body}");
    }
    let (fourth, invoice) = upload_processed(&h, &admin, 3).await;
    assert_ne!(number(&invoice).1, &json!("memory"), "{invoice}");

    // Erasing an invoice the memory learned from erases the memory.
    let (status, _) = h
        .json(
            Method::PATCH,
            &format!("/v1/invoices/{fourth}"),
            &admin,
            json!({"fields": {"invoice_number": "KV-24250"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = h.get("/v1/suppliers", &admin).await;
    assert_eq!(listed["suppliers"].as_array().map(Vec::len), Some(1), "{listed}");
    let (status, _, _) = h
        .call(
            Method::DELETE,
            &format!("/v1/invoices/{first}"),
            Some(&admin),
            Default::default(),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, listed) = h.get("/v1/suppliers", &admin).await;
    assert_eq!(listed["suppliers"], json!([]), "{listed}");
}

crate::both_backends!(a_correction_teaches_the_tenants_memory_of_that_supplier);
