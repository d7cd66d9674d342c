//! Uploads: bad files get a clear 4xx, duplicates the same id, multipart
//! several at once.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::Value;

use super::harness::{Backend, Harness, drawn, sample};

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

/// Any upload body (raw or multipart: a sample PDF, photo or e-invoice
/// mutated, random bytes, nothing), under any content type and file name, is
/// a 202 or a clear 4xx with `{error, error_type}`, never a 500; and every
/// accepted file ends `done`, `needs_review` or `failed` with an error type,
/// never stuck (proptest's generator, driven by hand because the harness is
/// async).
async fn any_upload_body_is_accepted_or_refused_clearly(backend: Backend) {
    use proptest::prelude::*;
    let options = invex_api::ServiceOptions { max_upload_bytes: 400_000, ..Default::default() };
    let h = Harness::with_options(backend, options).await;
    let (_, key) = h.tenant("Any body").await;
    let photo = std::fs::read(crate::repo().join("tests/fixtures/photo.png")).expect("fixture");
    let xml = std::fs::read(
        crate::repo().join("tests/fixtures/einvoice/peppol/se_rantefaktura_enkel.xml"),
    )
    .expect("fixture");
    let seeds = [sample(5), photo, xml, Vec::new(), b"%PDF-1.7\n%%EOF".to_vec()];
    // (seed, cut at a fraction, bytes flipped at fractions, appended bytes)
    let bytes = (
        0..seeds.len(),
        0.0f64..=1.0,
        proptest::collection::vec((0.0f64..1.0, any::<u8>()), 0..6),
        proptest::collection::vec(any::<u8>(), 0..64),
    );
    let content_type = proptest::sample::select(vec![
        "application/pdf",
        "image/png",
        "application/xml",
        "text/plain",
        "application/octet-stream",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=b",
        "",
    ]);
    let name = prop_oneof![
        Just(String::from("a.pdf")),
        "[ -~]{0,40}",
        Just("../../etc/passwd".to_string()),
        Just("fa\u{0301}ktura \u{1F9FE}.pdf".to_string()),
        Just("x".repeat(5000)),
    ];
    let multipart = any::<bool>();
    let draws = drawn((bytes, content_type, name, multipart), 120);
    let mut accepted = Vec::new();
    for ((seed, cut, flips, tail), content_type, name, multipart) in draws {
        let mut body = seeds[seed].clone();
        body.truncate((body.len() as f64 * cut).round() as usize);
        let len = body.len();
        for (at, byte) in flips {
            if len > 0 {
                body[((len as f64 * at) as usize).min(len - 1)] = byte;
            }
        }
        body.extend(tail);
        let header_name = name.replace(|c: char| c.is_control() || !c.is_ascii(), "_");
        let (status, json) = if multipart {
            let mut form = format!(
                "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{header_name}\"\r\n\r\n"
            )
            .into_bytes();
            form.extend(&body);
            form.extend(b"\r\n--b--\r\n");
            let ct = "multipart/form-data; boundary=b";
            let (s, j, _) =
                h.call(Method::POST, "/v1/invoices", Some(&key), Body::from(form), Some(ct)).await;
            (s, j)
        } else {
            h.upload_as(&key, &header_name, body.clone(), content_type).await
        };
        let what = format!(
            "{} bytes as {content_type:?} named {name:?} (multipart {multipart})",
            body.len()
        );
        assert!(status.is_success() || status.is_client_error(), "{what}: {status} {json}");
        if status.is_client_error() {
            assert!(json["error_type"].is_string(), "{what}: {json}");
        }
        if let Some(id) = json["id"].as_str() {
            accepted.push(id.to_string());
        }
        for invoice in json["invoices"].as_array().into_iter().flatten() {
            accepted.extend(invoice["id"].as_str().map(str::to_string));
        }
    }
    assert!(accepted.len() >= 10, "only {} of 120 uploads accepted", accepted.len());
    for id in accepted {
        let done = h.processed(&key, &id).await;
        let status = done["status"].as_str().unwrap_or_default();
        assert!(matches!(status, "done" | "needs_review" | "failed"), "{done}");
        if status == "failed" {
            assert!(done["error_type"].is_string(), "{done}");
        }
    }
}

/// A file on which the reader helper aborts (a native crash) and one on
/// which it hangs fail with `reader_crashed` and `reader_timeout`; the API
/// answers all the while, and the next file is read as usual.
async fn a_reader_crash_or_hang_fails_that_file_alone(backend: Backend) {
    use invex_pipeline::isolated::{ABORT_MARK, HANG_MARK};
    let pipeline = super::harness::isolated_pipeline(std::time::Duration::from_secs(2));
    let h = Harness::with_pipeline(backend, Default::default(), pipeline).await;
    let (_, key) = h.tenant("Isolation").await;
    let marked = |n: usize, mark: &[u8]| {
        let mut pdf = sample(n);
        pdf.extend_from_slice(b"\n");
        pdf.extend_from_slice(mark);
        pdf.extend_from_slice(b"\n");
        pdf
    };
    let mut ids = Vec::new();
    for (name, bytes) in [
        ("aborts.pdf", marked(6, ABORT_MARK)),
        ("hangs.pdf", marked(7, HANG_MARK)),
        ("good.pdf", sample(8)),
    ] {
        let (status, body) = h.upload(&key, name, bytes).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{name}: {body}");
        ids.push(body["id"].as_str().expect("id").to_string());
    }
    // While the helpers crash and hang, the API answers at once.
    for _ in 0..5 {
        let started = std::time::Instant::now();
        let (status, _) = h.get("/v1/invoices", &key).await;
        assert_eq!(status, StatusCode::OK);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    let expected = [("failed", Some("reader_crashed")), ("failed", Some("reader_timeout"))];
    for (id, (status, error_type)) in ids.iter().zip(expected) {
        let done = h.processed(&key, id).await;
        assert_eq!(done["status"], status, "{done}");
        assert_eq!(done["error_type"].as_str(), error_type, "{done}");
    }
    let good = h.processed(&key, &ids[2]).await;
    assert!(matches!(good["status"].as_str(), Some("done" | "needs_review")), "{good}");
    assert!(good["fields"]["invoice_number"].is_object(), "{good}");
}

crate::both_backends!(
    a_reader_crash_or_hang_fails_that_file_alone,
    any_upload_body_is_accepted_or_refused_clearly,
    e_invoices_are_read_and_a_disagreeing_xml_goes_to_review,
    a_job_that_keeps_failing_is_retried_then_dead_lettered,
    bad_uploads_get_a_clear_4xx,
    a_duplicate_upload_returns_the_same_id,
    multipart_uploads_several_files_and_reports_each_bad_one,
    an_unreadable_file_ends_failed_with_its_cause,
);
