//! Uploads: bad files get a clear 4xx, duplicates the same id, multipart
//! several at once.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::Value;

use super::harness::{Backend, Harness, sample};

async fn bad_uploads_get_a_clear_4xx(backend: Backend) {
    let options = invex_api::ServiceOptions { max_upload_bytes: 200_000, ..Default::default() };
    let h = Harness::with_options(backend, options).await;
    let (_, key) = h.tenant("Uploads").await;
    let pdf = sample(0);
    let truncated = pdf[..pdf.len() / 2].to_vec();
    let mut huge = b"%PDF-1.7\n".to_vec();
    huge.resize(300_000, b' ');
    let png = std::fs::read(crate::repo().join("tests/fixtures/photo.png")).expect("fixture");
    // (name, bytes, status, error_type)
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("empty.pdf", Vec::new(), 400, "empty_file"),
        ("truncated.pdf", truncated, 422, "corrupt"),
        ("huge.pdf", huge, 413, "too_large"),
        ("letter.docx", b"PK\x03\x04 word document".to_vec(), 415, "not_a_pdf"),
        ("notes.txt", b"just some text, not an invoice".to_vec(), 415, "not_a_pdf"),
        ("photo.png", png, 202, ""),
        ("ok.pdf", pdf, 202, ""),
    ];
    for (name, bytes, expected, error_type) in cases {
        let (status, body) = h.upload(&key, name, bytes).await;
        assert_eq!(status.as_u16(), expected, "{name}: {body}");
        if !error_type.is_empty() {
            assert_eq!(body["error_type"], error_type, "{name}: {body}");
            let error = body["error"].as_str().unwrap_or("");
            assert!(error.starts_with(name), "the error names the file: {error}");
        }
    }
    let (_, list) = h.get("/v1/invoices", &key).await;
    assert_eq!(
        list["invoices"].as_array().map(Vec::len),
        Some(2),
        "only the good files are stored: {list}"
    );
}

async fn a_duplicate_upload_returns_the_same_id(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, key_a) = h.tenant("A").await;
    let (_, key_b) = h.tenant("B").await;
    let (s1, first) = h.upload(&key_a, "x.pdf", sample(2)).await;
    let (s2, second) = h.upload(&key_a, "x-again.pdf", sample(2)).await;
    let (_, other_tenant) = h.upload(&key_b, "x.pdf", sample(2)).await;
    assert_eq!((s1, s2), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    assert_eq!(first["id"], second["id"]);
    assert_eq!(
        (first["duplicate"].as_bool(), second["duplicate"].as_bool()),
        (Some(false), Some(true))
    );
    assert_ne!(first["id"], other_tenant["id"], "idempotency is per tenant");
}

async fn multipart_uploads_several_files_and_reports_each_bad_one(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, key) = h.tenant("Multi").await;
    let boundary = "invexboundary";
    let mut body = Vec::new();
    for (name, bytes) in [("a.pdf", sample(3)), ("b.pdf", sample(4)), ("empty.pdf", Vec::new())] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let (status, json, _) = h
        .call(Method::POST, "/v1/invoices", Some(&key), Body::from(body), Some(&content_type))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{json}");
    let names: Vec<&str> = json["invoices"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|i| i["file_name"].as_str())
        .collect();
    assert_eq!(names, ["a.pdf", "b.pdf"]);
    let errors = json["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["file_name"], "empty.pdf");
    assert_eq!(errors[0]["error_type"], "empty_file");
    for invoice in json["invoices"].as_array().expect("list") {
        let done = h.processed(&key, invoice["id"].as_str().expect("id")).await;
        assert_ne!(done["status"], "failed", "{done}");
    }
}

async fn an_unreadable_file_ends_failed_with_its_cause(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, key) = h.tenant("Hostile").await;
    let encrypted =
        std::fs::read(crate::repo().join("tests/fixtures/encrypted.pdf")).expect("fixture");
    let (status, body) = h.upload(&key, "encrypted.pdf", encrypted).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let done: Value = h.processed(&key, body["id"].as_str().expect("id")).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["error_type"], "encrypted", "{done}");
}

async fn a_job_that_keeps_failing_is_retried_then_dead_lettered(backend: Backend) {
    use invex_domain::service::NewUpload;
    let h = Harness::start(backend).await;
    let (tenant, key) = h.tenant("Dead letters").await;
    // An invoice whose original is missing from the blob store: every attempt fails.
    let upload = NewUpload {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: tenant,
        sha256: "f".repeat(64),
        file_name: "lost.pdf".into(),
        content_type: "application/pdf".into(),
        size_bytes: 10,
        blob_key: "tenants/nowhere/lost".into(),
        uploaded_by: "test".into(),
    };
    h.repo.insert_upload(&upload, chrono::Utc::now()).await.expect("insert");
    h.state.new_jobs.notify_one();
    let failed = h.processed(&key, &upload.id).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["error_type"], "processing_failed", "{failed}");
    assert!(
        failed["error"].as_str().is_some_and(|e| e.contains("could not read the original")),
        "{failed}"
    );
    let depth = h.repo.queue_depth().await.expect("depth");
    assert_eq!(
        (depth.queued, depth.running, depth.dead),
        (0, 0, 1),
        "nothing is dropped: {depth:?}"
    );
}

/// E-invoices through the API: an XML upload is sniffed by content and read
/// exactly; a ZUGFeRD PDF whose XML disagrees with its page goes to review
/// with the disagreement as a failed check, and a correction settles it.
async fn e_invoices_are_read_and_a_disagreeing_xml_goes_to_review(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("E-invoices").await;
    let fixtures = crate::repo().join("tests/fixtures/einvoice");
    let xml = std::fs::read(fixtures.join("peppol/se_invoice_max.xml")).expect("fixture");
    let (status, body) = h.upload_as(&admin, "faktura.xml", xml, "application/xml").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let invoice = h.processed(&admin, body["id"].as_str().unwrap()).await;
    assert_eq!(invoice["content_type"], "application/xml", "{invoice}");
    assert_eq!(invoice["fields"]["bankgiro"]["source"], "e-invoice", "{invoice}");
    assert_eq!(invoice["e_invoice"]["syntax"], "ubl", "{invoice}");

    let pdf = fixtures.join("zugferd/akretion_en16931_f20260023.pdf");
    let xml = std::fs::read_to_string(pdf.with_extension("embedded.xml")).unwrap();
    let total = xml.split("<ram:GrandTotalAmount>").nth(1).unwrap().split('<').next().unwrap();
    let edited = xml.replacen(
        &format!("<ram:GrandTotalAmount>{total}<"),
        "<ram:GrandTotalAmount>98765.43<",
        1,
    );
    let reader = crate::pdfium();
    let bytes = std::fs::read(&pdf).unwrap();
    let bytes =
        invex_pipeline::pdf::replace_attachment(&reader, &bytes, "factur-x.xml", edited.as_bytes())
            .unwrap();
    let (status, body) = h.upload(&admin, "edited.pdf", bytes).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let invoice = h.processed(&admin, &id).await;
    assert_eq!(invoice["status"], "needs_review", "{invoice}");
    let checks: Vec<&str> =
        invoice["checks_failed"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(
        checks.iter().any(|c| c.starts_with("the XML says total amount 98 765,43; the page says")),
        "{checks:?}"
    );
    // The reviewer decides the total: the disagreement is settled.
    let (status, corrected) = h
        .json(
            Method::PATCH,
            &format!("/v1/invoices/{id}"),
            &admin,
            serde_json::json!({"fields": {"total_amount": 98765.43}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{corrected}");
    let checks = corrected["checks_failed"].as_array().unwrap();
    assert!(
        !checks.iter().any(|c| c.as_str().unwrap().starts_with("the XML says total")),
        "{checks:?}"
    );
}

crate::both_backends!(
    e_invoices_are_read_and_a_disagreeing_xml_goes_to_review,
    a_job_that_keeps_failing_is_retried_then_dead_lettered,
    bad_uploads_get_a_clear_4xx,
    a_duplicate_upload_returns_the_same_id,
    multipart_uploads_several_files_and_reports_each_bad_one,
    an_unreadable_file_ends_failed_with_its_cause,
);
