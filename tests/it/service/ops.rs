//! Health, metrics, OpenAPI, request ids, CORS, and signed webhooks.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::json;
use tower::ServiceExt;

use super::harness::{Backend, Harness, sample};

async fn health_metrics_and_openapi(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Ops").await;
    let (status, live, _) = h.call(Method::GET, "/health/live", None, Body::empty(), None).await;
    assert_eq!((status, live["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (status, ready, _) = h.call(Method::GET, "/health/ready", None, Body::empty(), None).await;
    assert_eq!(status, StatusCode::OK, "{ready}");
    for part in ["database", "blob_store", "model"] {
        assert_eq!(ready[part]["status"], "ok", "{part}: {ready}");
    }
    let (_, body) = h.upload(&admin, "m.pdf", sample(13)).await;
    h.processed(&admin, body["id"].as_str().expect("id")).await;
    let (status, _, metrics) = h.call(Method::GET, "/metrics", None, Body::empty(), None).await;
    assert_eq!(status, StatusCode::OK);
    let metrics = String::from_utf8(metrics).expect("text");
    for needle in [
        "invex_http_requests_total{method=\"POST\",route=\"/v1/invoices\",status=\"202\"} 1",
        "invex_uploads_total{outcome=\"stored\"} 1",
        "invex_job_queue{state=\"queued\"} 0",
        "invex_jobs_total",
    ] {
        assert!(metrics.contains(needle), "{needle} in\n{metrics}");
    }
    let (status, spec, _) = h.call(Method::GET, "/openapi.json", None, Body::empty(), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(spec["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{spec}");
    for path in [
        "/v1/invoices",
        "/v1/invoices/{id}",
        "/v1/review",
        "/v1/invoices/{id}/approve",
        "/v1/export",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} documented");
    }
    let (status, _, docs) = h.call(Method::GET, "/docs", None, Body::empty(), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&docs).contains("/v1/invoices/{id}/approve"));
    let (status, missing, _) = h.call(Method::GET, "/nowhere", None, Body::empty(), None).await;
    assert_eq!(
        (status, missing["error_type"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

async fn request_ids_and_cors(backend: Backend) {
    let options = invex_api::ServiceOptions {
        cors_origins: vec!["https://portal.example.se".into()],
        ..Default::default()
    };
    let h = Harness::with_options(backend, options).await;
    let call = |origin: &str, id: Option<&str>| {
        let mut r = Request::builder().uri("/health/live").header("origin", origin);
        if let Some(id) = id {
            r = r.header("x-request-id", id);
        }
        h.router.clone().oneshot(r.body(Body::empty()).expect("request"))
    };
    let allowed = call("https://portal.example.se", Some("req-123")).await.expect("response");
    assert_eq!(allowed.headers()["x-request-id"], "req-123", "a caller's request id is echoed");
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://portal.example.se");
    let other = call("https://evil.example", None).await.expect("response");
    assert!(other.headers().get("access-control-allow-origin").is_none());
    assert!(other.headers().get("x-request-id").is_some(), "one is made when absent");
}

/// A receiver on loopback that fails the first delivery and checks signatures.
async fn receiver() -> (String, Arc<Mutex<Vec<(HeaderMap, String)>>>) {
    let seen: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let log = log.clone();
            async move {
                let mut log = log.lock().expect("lock");
                log.push((headers, body));
                if log.len() == 1 { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn webhooks_are_signed_retried_and_logged(backend: Backend) {
    let h = Harness::start(backend).await;
    let (_, admin) = h.tenant("Hooks").await;
    let (url, seen) = receiver().await;
    let (status, hook) =
        h.json(Method::PUT, "/v1/webhook", &admin, json!({"url": url, "secret": "s3cret"})).await;
    assert_eq!(status, StatusCode::OK, "{hook}");
    let (status, bad) = h.json(Method::PUT, "/v1/webhook", &admin, json!({"url": "ftp://x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let options = invex_api::WebhookOptions {
        retry_base: Duration::from_millis(100),
        poll_interval: Duration::from_millis(50),
        ..Default::default()
    };
    let sender =
        Arc::new(invex_api::WebhookSender::new(h.repo.clone(), h.state.metrics.clone(), options));
    let (_stop, shutdown) = tokio::sync::watch::channel(false);
    tokio::spawn(sender.run(shutdown));

    let (_, body) = h.upload(&admin, "w.pdf", sample(14)).await;
    let id = body["id"].as_str().expect("id").to_string();
    h.processed(&admin, &id).await;
    let started = Instant::now();
    while seen.lock().expect("lock").len() < 2 {
        assert!(started.elapsed() < Duration::from_secs(20), "no retry arrived");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deliveries = seen.lock().expect("lock").clone();
    for (headers, body) in &deliveries {
        let timestamp: i64 =
            headers["x-invex-timestamp"].to_str().expect("ascii").parse().expect("number");
        let expected = invex_api::webhooks::signature("s3cret", timestamp, body);
        assert_eq!(headers["x-invex-signature"], expected.as_str());
        assert_eq!(headers["x-invex-event"], "invoice.processed");
        let payload: serde_json::Value = serde_json::from_str(body).expect("JSON body");
        assert_eq!(payload["invoice_id"], id.as_str());
    }
    // The log shows one delivery, delivered on its second attempt.
    let started = Instant::now();
    loop {
        let (_, hook) = h.get("/v1/webhook", &admin).await;
        let log = &hook["deliveries"][0];
        if log["state"] == "delivered" {
            assert_eq!(log["attempts"], 2, "{hook}");
            assert_eq!(log["last_status_code"], 200, "{hook}");
            assert_eq!(hook["deliveries"].as_array().map(Vec::len), Some(1));
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{hook}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

crate::both_backends!(
    health_metrics_and_openapi,
    request_ids_and_cors,
    webhooks_are_signed_retried_and_logged
);
