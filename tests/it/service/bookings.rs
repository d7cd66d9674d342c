//! `GET /v1/bookings`: the tenant's approved invoices, and only those,
//! booked and written as SIE 4I or zipped PEPPOL BIS 3, as the reviewers
//! left them; read back with an independent check (the PEPPOL rules) and
//! the text itself.

use std::io::Read;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use invex_domain::service::Role;
use serde_json::json;
use tower::ServiceExt;

use super::harness::{Backend, Harness, sample};

/// `GET uri` with `key`: status, the export count headers, the bytes.
async fn get_bytes(h: &Harness, uri: &str, key: &str) -> (StatusCode, Option<(u64, u64)>, Vec<u8>) {
    let request = Request::builder()
        .method(Method::GET)
        .uri(uri)
        .header("authorization", format!("Bearer {key}"))
        .body(Body::empty())
        .expect("request");
    let response = h.router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let count =
        |name: &str| -> Option<u64> { response.headers().get(name)?.to_str().ok()?.parse().ok() };
    let counts = count("x-invex-exported").zip(count("x-invex-skipped"));
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
    (status, counts, bytes.to_vec())
}

async fn approved_invoices_are_exported_as_sie_and_peppol(backend: Backend) {
    let h = Harness::start(backend).await;
    let (tenant, admin) = h.tenant("Bookings").await;
    // Three invoices: one corrected and approved, one approved as read, one waiting.
    let mut numbers = Vec::new();
    let mut ids = Vec::new();
    for n in [5, 6, 8] {
        let (_, body) = h.upload(&admin, &format!("inv-{n}.pdf"), sample(n)).await;
        let id = body["id"].as_str().expect("id").to_string();
        let read = h.processed(&admin, &id).await;
        numbers
            .push(read["fields"]["invoice_number"]["value"].as_str().expect("number").to_string());
        ids.push(id);
    }
    let fix = json!({"fields": {"invoice_number": "FIX-77"}});
    let (status, body) =
        h.json(Method::PATCH, &format!("/v1/invoices/{}", ids[0]), &admin, fix).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for id in &ids[..2] {
        let (status, body) =
            h.json(Method::POST, &format!("/v1/invoices/{id}/approve"), &admin, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    // SIE: one voucher per approved invoice, the corrected number, not the waiting one.
    let (status, counts, sie) = get_bytes(&h, "/v1/bookings?format=sie", &admin).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&sie));
    assert_eq!(counts, Some((2, 0)));
    let text: String = sie.iter().map(|&b| if b.is_ascii() { b as char } else { '?' }).collect();
    assert!(text.starts_with("#FLAGGA 0"), "{text}");
    assert_eq!(text.matches("#VER ").count(), 2, "{text}");
    for (number, exported) in [
        ("FIX-77", true),
        (numbers[1].as_str(), true),
        (numbers[2].as_str(), false),
        (numbers[0].as_str(), false),
    ] {
        assert_eq!(text.contains(number), exported, "{number} in {text}");
    }

    // PEPPOL: one UBL document per approved invoice, each passing the PEPPOL rules.
    let (status, counts, zip) = get_bytes(&h, "/v1/bookings?format=peppol", &admin).await;
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    let exported = counts.expect("counts").0 as usize;
    assert_eq!(archive.len(), exported + usize::from(counts.unwrap().1 > 0));
    assert_eq!(exported, 2, "both approved invoices are written");
    let mut numbers_in_zip = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let name = file.name().expect("entry name").to_string();
        let mut xml = String::new();
        file.read_to_string(&mut xml).expect("utf-8");
        if name == "skipped.txt" {
            continue;
        }
        let fatal: Vec<_> = invex_exporters::peppol::check_xml(&xml)
            .into_iter()
            .filter(|v| v.flag == invex_exporters::peppol::Flag::Fatal)
            .collect();
        assert!(fatal.is_empty(), "{name}: {fatal:?}");
        numbers_in_zip.extend(
            ["FIX-77", numbers[1].as_str()].into_iter().filter(|n| xml.contains(&format!(">{n}<"))),
        );
    }
    numbers_in_zip.sort();
    let mut want = vec!["FIX-77", numbers[1].as_str()];
    want.sort();
    assert_eq!(numbers_in_zip, want);

    // (query, status): dates select by approval day; bad input is a 400.
    let table = [
        ("/v1/bookings?format=sie&from=2999-01-01", StatusCode::OK),
        ("/v1/bookings?format=fortnox", StatusCode::BAD_REQUEST),
        ("/v1/bookings?format=sie&from=2026-02-01&to=2026-01-01", StatusCode::BAD_REQUEST),
        ("/v1/bookings?format=sie&from=yesterday", StatusCode::BAD_REQUEST),
        ("/v1/bookings", StatusCode::BAD_REQUEST),
    ];
    for (uri, want) in table {
        let (status, counts, body) = get_bytes(&h, uri, &admin).await;
        assert_eq!(status, want, "{uri}: {}", String::from_utf8_lossy(&body));
        if status == StatusCode::OK {
            assert_eq!(counts, Some((0, 0)), "{uri}: nothing approved then");
        } else {
            let answer: serde_json::Value = serde_json::from_slice(&body).expect("json error");
            assert!(answer["error_type"].is_string(), "{uri}: {answer}");
        }
    }

    // Roles and tenants: an uploader may not; another tenant has nothing approved.
    let uploader = h.key(&tenant, Role::Uploader).await;
    assert_eq!(get_bytes(&h, "/v1/bookings?format=sie", &uploader).await.0, StatusCode::FORBIDDEN);
    let (_, stranger) = h.tenant("Other").await;
    let (status, counts, _) = get_bytes(&h, "/v1/bookings?format=sie", &stranger).await;
    assert_eq!((status, counts), (StatusCode::OK, Some((0, 0))));
    let (_, audit) = h.get("/v1/audit?limit=100", &admin).await;
    let exports = audit["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["action"] == "export")
        .count();
    assert!(exports >= 3, "every export is audited: {audit}");
}

crate::both_backends!(approved_invoices_are_exported_as_sie_and_peppol);
