//! The life of an invoice: upload, result, correction, review, approval,
//! listing, the original, export, erasure and the audit trail.

use std::io::Read;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::harness::{Backend, Harness, drawn, sample};

fn field<'a>(invoice: &'a Value, name: &str) -> &'a Value {
    &invoice["fields"][name]
}

async fn an_invoice_is_read_corrected_reviewed_and_approved(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Flow").await;
    let original = sample(5);
    let (status, body) = h.upload(&admin, "inv-00005.pdf", original.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["id"].as_str().expect("id").to_string();
    let invoice = h.processed(&admin, &id).await;
    assert!(matches!(invoice["status"].as_str(), Some("done" | "needs_review")), "{invoice}");
    assert_eq!(invoice["extractor"], "rules");
    let number = field(&invoice, "invoice_number");
    assert!(number["value"].is_string() && number["confidence"].is_number(), "{invoice}");
    assert!(
        number["bbox"].is_array() && number["page"].is_number(),
        "fields carry boxes: {invoice}"
    );
    assert!(invoice["line_items"].is_array());

    // A bad Bankgiro is refused with the reason; nothing is stored.
    let uri = format!("/v1/invoices/{id}");
    let (status, refused) =
        h.json(Method::PATCH, &uri, &admin, json!({"fields": {"bankgiro": "5050-1056"}})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error_type"], "validation_failed");
    assert!(
        refused["error"].as_str().is_some_and(|e| e.contains("bankgiro") && e.contains("Luhn")),
        "{refused}"
    );

    // A good correction is stored with who and when; the extraction stays.
    let extracted_number = number["value"].clone();
    let (status, corrected) = h
        .json(
            Method::PATCH,
            &uri,
            &admin,
            json!({"fields": {"invoice_number": "FIX-1", "bankgiro": "5050-1055"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{corrected}");
    let fixed = field(&corrected, "invoice_number");
    assert_eq!(fixed["value"], "FIX-1");
    assert_eq!(fixed["source"], "human");
    assert_eq!(
        fixed["extracted"]["value"], extracted_number,
        "the model's original stays: {corrected}"
    );
    let corrections = corrected["corrections"].as_array().expect("corrections");
    assert_eq!(corrections.len(), 2);
    assert!(
        corrections.iter().all(|c| c["corrected_by"].is_string() && c["corrected_at"].is_string())
    );

    // Approve, then the original comes back byte for byte.
    let (status, approved) =
        h.json(Method::POST, &format!("{uri}/approve"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "done");
    assert!(approved["approved_by"].is_string());
    let (status, _, bytes) =
        h.call(Method::GET, &format!("{uri}/file"), Some(&admin), Body::empty(), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, original);

    // Listing finds it by the corrected text.
    let (_, found) = h.get("/v1/invoices?q=fix-1", &admin).await;
    assert_eq!(found["invoices"].as_array().map(Vec::len), Some(1), "{found}");
}

async fn the_review_queue_puts_the_most_uncertain_first(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Review").await;
    let mut ids = Vec::new();
    for n in 6..10 {
        let (_, body) = h.upload(&admin, &format!("inv-{n}.pdf"), sample(n)).await;
        let id = body["id"].as_str().expect("id").to_string();
        h.processed(&admin, &id).await;
        ids.push(id);
    }
    // Break two invoices: one loses its total (a failed check), one gets an unbalanced total (another).
    let total = |id: &str| format!("/v1/invoices/{id}");
    h.json(Method::PATCH, &total(&ids[0]), &admin, json!({"fields": {"total_amount": null}})).await;
    h.json(
        Method::PATCH,
        &total(&ids[1]),
        &admin,
        json!({"fields": {"total_amount": 1.0, "invoice_number": null}}),
    )
    .await;
    let (status, queue) = h.get("/v1/review", &admin).await;
    assert_eq!(status, StatusCode::OK);
    let rows = queue["invoices"].as_array().expect("rows");
    let order: Vec<&str> = rows.iter().filter_map(|r| r["id"].as_str()).collect();
    assert!(order.len() >= 2, "{queue}");
    assert_eq!(order[0], ids[1], "two failed checks come first: {queue}");
    assert_eq!(order[1], ids[0], "{queue}");
    let failed = |r: &Value| r["failed_checks"].as_u64().unwrap_or(0);
    assert!(rows.windows(2).all(|w| failed(&w[0]) >= failed(&w[1])), "{queue}");
    assert!(
        rows[0]["checks_failed"].as_array().is_some_and(|c| c.len() >= 2),
        "the reasons are listed: {queue}"
    );
}

async fn listing_filters_and_pages_with_a_cursor(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("List").await;
    for n in 0..7 {
        let (_, body) = h.upload(&admin, &format!("inv-{n}.pdf"), sample(n)).await;
        h.processed(&admin, body["id"].as_str().expect("id")).await;
    }
    // Pages of 3 cover all 7 once, newest first.
    let mut seen = Vec::new();
    let mut uri = "/v1/invoices?limit=3".to_string();
    loop {
        let (status, page) = h.get(&uri, &admin).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["invoices"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|r| r["id"].as_str().expect("id").to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/v1/invoices?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (7, 7), "{seen:?}");

    let (_, all) = h.get("/v1/invoices?limit=100", &admin).await;
    let rows = all["invoices"].as_array().expect("rows").clone();
    let first = &rows[0];
    let supplier = first["supplier_name"].as_str().expect("supplier");
    let amount = first["total_amount"].as_str().expect("total");
    let date = first["invoice_date"].as_str().expect("date");
    let count = |pred: &dyn Fn(&Value) -> bool| rows.iter().filter(|r| pred(r)).count();
    let fragment: String = supplier.chars().take(5).collect::<String>().to_uppercase();
    let checks: Vec<(String, usize)> = vec![
        (
            format!("supplier={}", encode(&fragment)),
            count(&|r| {
                r["supplier_name"].as_str().is_some_and(|s| s.to_uppercase().contains(&fragment))
            }),
        ),
        (
            format!("amount_min={amount}&amount_max={amount}"),
            count(&|r| r["total_amount"].as_str() == Some(amount)),
        ),
        (
            format!("date_from={date}&date_to={date}"),
            count(&|r| r["invoice_date"].as_str() == Some(date)),
        ),
        ("status=failed".into(), 0),
        ("min_confidence=0&max_confidence=1".into(), rows.len()),
        ("q=no-such-text-anywhere".into(), 0),
    ];
    for (query, expected) in checks {
        let (status, page) = h.get(&format!("/v1/invoices?limit=100&{query}"), &admin).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(page["invoices"].as_array().map(Vec::len), Some(expected), "{query}: {page}");
    }
    // Out-of-range values are clear 400s, never a panic (1e27 once
    // overflowed the amount's minor units and dropped the connection).
    for query in [
        "status=lost",
        "cursor=garbage!",
        "amount_min=1e27",
        "amount_max=-79228162514264337593543950335",
        "amount_min=1000000000000001",
        "min_confidence=1.5",
        "max_confidence=-0.1",
        "min_confidence=NaN",
        "max_confidence=inf",
        "limit=-1",
        "date_from=2026-13-01",
    ] {
        let (status, bad) = h.get(&format!("/v1/invoices?{query}"), &admin).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {bad}");
        assert!(bad["error"].is_string() && bad["error_type"].is_string(), "{query}: {bad}");
    }
    let (status, edge) = h.get("/v1/invoices?amount_min=-1000000000000000", &admin).await;
    assert_eq!(status, StatusCode::OK, "{edge}");

    // Any value of any filter: a 200 or a clear 400, never a 500 or a
    // dropped connection (proptest's generator, driven by hand because the
    // harness is async).
    let params = proptest::sample::select(vec![
        "status",
        "supplier",
        "date_from",
        "date_to",
        "amount_min",
        "amount_max",
        "min_confidence",
        "max_confidence",
        "q",
        "limit",
        "cursor",
    ]);
    let values = proptest::prop_oneof![
        "-?[0-9]{0,40}(\\.[0-9]{0,30})?(e[+-]?[0-9]{1,3})?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "(NaN|inf|-inf|1e309|-0|0x10|%00|%FF|%C3%28)",
        "[ -~]{0,30}",
    ];
    let query = proptest::collection::vec((params, values), 1..4);
    for pairs in drawn(query, 300) {
        let uri = format!(
            "/v1/invoices?{}",
            pairs.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
        );
        let (status, body) = h.get(&uri, &admin).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{uri}: {status} {body}"
        );
        if status == StatusCode::BAD_REQUEST {
            assert!(body["error_type"].is_string(), "{uri}: {body}");
        }
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(
            |b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            },
        )
        .collect()
}

async fn gdpr_export_erasure_and_audit(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("GDPR").await;
    let (_, body) = h.upload(&admin, "inv-00010.pdf", sample(10)).await;
    let id = body["id"].as_str().expect("id").to_string();
    h.processed(&admin, &id).await;
    // Polling adds one audit row per key, invoice and minute, not one per GET.
    for _ in 0..5 {
        let (status, _) = h.get(&format!("/v1/invoices/{id}"), &admin).await;
        assert_eq!(status, StatusCode::OK);
    }

    let (status, _, zip) =
        h.call(Method::GET, "/v1/export", Some(&admin), Body::empty(), None).await;
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    let names: Vec<String> =
        archive.file_names().map(|n| n.expect("entry name").to_string()).collect();
    for expected in [
        "tenant.json".to_string(),
        "audit.json".into(),
        format!("invoices/{id}.json"),
        format!("originals/{id}/inv-00010.pdf"),
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let mut original = Vec::new();
    archive
        .by_name(&format!("originals/{id}/inv-00010.pdf"))
        .expect("original")
        .read_to_end(&mut original)
        .expect("read");
    assert_eq!(original, sample(10));

    let blob = h.dir.path().join("blobs").join("tenants");
    let files_before = count_files(&blob);
    let (status, _, _) = h
        .call(Method::DELETE, &format!("/v1/invoices/{id}"), Some(&admin), Body::empty(), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(count_files(&blob), files_before - 1, "the original is erased too");
    let (status, _) = h.get(&format!("/v1/invoices/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, audit) = h.get("/v1/audit", &admin).await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for expected in ["upload", "read", "export", "delete"] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let reads = actions.iter().filter(|a| **a == "read").count();
    assert!(reads <= 2, "at least 5 reads within a minute or two, audited {reads} times");
}

fn count_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .map(|e| if e.path().is_dir() { count_files(&e.path()) } else { 1 })
        .sum()
}

async fn retention_erases_old_invoices(backend: Backend) {
    use chrono::{Duration, Utc};
    use invex_domain::service::NewUpload;
    let h = Harness::start(backend).await;
    let (tenant, admin) = h.tenant("Retention").await;
    let (status, _) =
        h.json(Method::PUT, "/v1/tenant/retention", &admin, json!({"days": 30})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, fresh) = h.upload(&admin, "fresh.pdf", sample(11)).await;
    // An upload from 40 days ago, written straight to the stores.
    let old_bytes = sample(12);
    h.state.blobs.put("tenants/old/blob", &old_bytes).await.expect("put");
    let old = NewUpload {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: tenant.clone(),
        sha256: "0".repeat(64),
        file_name: "old.pdf".into(),
        content_type: "application/pdf".into(),
        size_bytes: old_bytes.len() as u64,
        blob_key: "tenants/old/blob".into(),
        uploaded_by: "test".into(),
    };
    h.repo.insert_upload(&old, Utc::now() - Duration::days(40)).await.expect("insert");
    assert_eq!(invex_api::sweeper::sweep_once(&h.state).await, 1);
    let (status, _) = h.get(&format!("/v1/invoices/{}", old.id), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!h.state.blobs.exists("tenants/old/blob").await.expect("exists"));
    let (status, _) =
        h.get(&format!("/v1/invoices/{}", fresh["id"].as_str().expect("id")), &admin).await;
    assert_eq!(status, StatusCode::OK, "younger invoices stay");
}

/// A reviewer replaces the line items (`PUT /v1/invoices/{id}/lines`): each
/// line is checked, the extracted lines stay visible, the status follows
/// whether the lines add up, and roles and tenants hold as for fields.
async fn line_items_are_replaced_by_a_reviewer(backend: Backend) {
    use invex_domain::service::Role;
    let h = Harness::start(backend).await;
    let (tenant, admin) = h.tenant("Lines").await;
    let (_, body) = h.upload(&admin, "inv-00007.pdf", sample(7)).await;
    let id = body["id"].as_str().expect("id").to_string();
    let invoice = h.processed(&admin, &id).await;
    let extracted = invoice["line_items"].clone();
    assert!(extracted.as_array().is_some_and(|l| !l.is_empty()), "{invoice}");
    let net = field(&invoice, "net_amount")["value"].clone();
    assert!(net.is_number(), "{invoice}");
    let uri = format!("/v1/invoices/{id}/lines");

    // (lines sent, status, part of the error) — nothing is stored on a refusal.
    let refused = [
        (json!({"lines": [{"amount": 10}]}), "line 1: a line needs a description"),
        (
            json!({"lines": [{"description": "a", "amount": 1}, {"description": "b"}]}),
            "line 2: a line needs an amount",
        ),
        (
            json!({"lines": [{"description": "a", "quantity": 2, "unit_price": "10,00", "amount": 25}]}),
            "2 × 10.00 = 20.00, not 25",
        ),
        (json!({"lines": [{"description": "a", "amount": "ten"}]}), "is not a number"),
        (json!({"lines": "none"}), ""),
        (json!({}), ""),
    ];
    for (body, part) in refused {
        let (status, answer) = h.json(Method::PUT, &uri, &admin, body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status} {answer}");
        assert!(answer["error"].as_str().is_some_and(|e| e.contains(part)), "{body}: {answer}");
        assert!(answer["error_type"].is_string(), "{answer}");
    }
    let (_, unchanged) = h.get(&format!("/v1/invoices/{id}"), &admin).await;
    assert_eq!(unchanged["line_items"], extracted);
    assert_eq!(unchanged["line_corrections"], json!([]));

    // One line that adds up to the net: stored, with the extraction kept.
    let one = json!({"lines": [{"description": "Allt", "quantity": "1", "unit_price": net, "amount": net, "vat_rate": 25}]});
    let (status, corrected) = h.json(Method::PUT, &uri, &admin, one).await;
    assert_eq!(status, StatusCode::OK, "{corrected}");
    let lines = corrected["line_items"].as_array().expect("lines");
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (lines[0]["description"].as_str(), lines[0]["confidence"].as_f64()),
        (Some("Allt"), Some(1.0))
    );
    assert!(corrected["line_corrections"][0]["corrected_by"].is_string(), "{corrected}");
    assert_eq!(corrected["extracted_line_items"], extracted);
    assert_eq!(
        corrected["line_corrections"][0]["previous_lines"],
        json!(extracted.as_array().map(Vec::len))
    );
    let checks = corrected["checks_failed"].as_array().expect("checks");
    assert!(
        !checks.iter().any(|c| c.as_str().is_some_and(|c| c.contains("line items"))),
        "{corrected}"
    );

    // Lines that do not add up are stored, and the invoice says so.
    let short = json!({"lines": [{"description": "Halva", "amount": "1,00"}]});
    let (status, corrected) = h.json(Method::PUT, &uri, &admin, short).await;
    assert_eq!(status, StatusCode::OK, "{corrected}");
    assert_eq!(corrected["status"], "needs_review");
    let checks = corrected["checks_failed"].as_array().expect("checks");
    assert!(
        checks.iter().any(|c| c.as_str().is_some_and(|c| c.contains("line items add up to 1.00"))),
        "{corrected}"
    );
    assert_eq!(corrected["line_corrections"].as_array().map(Vec::len), Some(2));

    // An empty list: the invoice has no lines.
    let (status, corrected) = h.json(Method::PUT, &uri, &admin, json!({"lines": []})).await;
    assert_eq!(status, StatusCode::OK, "{corrected}");
    assert_eq!(corrected["line_items"], json!([]));

    // Roles and tenants: an uploader may not, another tenant sees nothing.
    let uploader = h.key(&tenant, Role::Uploader).await;
    let (status, _) = h.json(Method::PUT, &uri, &uploader, json!({"lines": []})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, stranger) = h.tenant("Other").await;
    let (status, _) = h.json(Method::PUT, &uri, &stranger, json!({"lines": []})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, audit) = h.get("/v1/audit?limit=50", &admin).await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "correct_lines").count(), 3, "{audit}");
}

/// Any JSON a client sends as corrections is a 200 or a clear 4xx with
/// `{error, error_type}`, never a 500 or a dropped connection (proptest's
/// generator, driven by hand because the harness is async).
async fn corrections_take_any_json(backend: Backend) {
    use proptest::prelude::*;
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Fuzzy").await;
    let (_, body) = h.upload(&admin, "inv-00011.pdf", sample(11)).await;
    let id = body["id"].as_str().expect("id").to_string();
    h.processed(&admin, &id).await;
    // Every field the API knows, and two it does not.
    let mut names: Vec<&str> = invex_domain::FieldName::ALL.iter().map(|f| f.as_str()).collect();
    names.extend(["no_such_field", ""]);
    let names = proptest::sample::select(names);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[ -~]{0,40}".prop_map(Value::from),
        "(1e27|-79228162514264337593543950336|2026-02-30|NaN|SE556036079301|5050-1055)"
            .prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            proptest::collection::btree_map("[a-z]{1,5}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    let fields = proptest::collection::btree_map(names, value, 0..4);
    for fields in drawn(fields, 200) {
        let body = json!({ "fields": fields });
        let uri = format!("/v1/invoices/{id}");
        let (status, answer) = h.json(Method::PATCH, &uri, &admin, body.clone()).await;
        assert!(status == StatusCode::OK || status.is_client_error(), "{body}: {status} {answer}");
        if status.is_client_error() {
            assert!(answer["error_type"].is_string(), "{body}: {answer}");
        }
    }
    let (status, _) = h.get(&format!("/v1/invoices/{id}"), &admin).await;
    assert_eq!(status, StatusCode::OK, "the invoice is still readable");
}

crate::both_backends!(
    corrections_take_any_json,
    line_items_are_replaced_by_a_reviewer,
    an_invoice_is_read_corrected_reviewed_and_approved,
    the_review_queue_puts_the_most_uncertain_first,
    listing_filters_and_pages_with_a_cursor,
    gdpr_export_erasure_and_audit,
    retention_erases_old_invoices,
);
