//! The language-model fallback in the service: the worker asks it after the
//! supplier memory, for the invoice's tenant; a tenant that turned it off
//! sends nothing; the outcome is on the invoice and on `/metrics`.

use std::sync::Arc;

use axum::http::StatusCode;
use invex_domain::fallback::{Fallback, FallbackPolicy, LlmStore, TenantLlm};
use invex_llm::test_server::{Fixture, ServerOptions, TestServer};
use invex_llm::{ApiKey, LlmConfig, LlmFallback};
use serde_json::{Value, json};

use super::harness::{Backend, Harness};

/// A redistributable real invoice and the truth about it.
fn invoice() -> (Vec<u8>, Value) {
    let (files, gold) = crate::real::corpus();
    let i = files
        .iter()
        .position(|f| f.ends_with("digital/files/openai--invoice.pdf"))
        .expect("in the corpus");
    (std::fs::read(&files[i]).unwrap(), gold[i].clone())
}

async fn the_worker_asks_for_the_tenant_and_respects_its_switch(backend: Backend) {
    let (bytes, truth) = invoice();
    let hash = invex_pipeline::fallback::content_hash(&bytes);
    let mut answer = truth.as_object().unwrap().clone();
    answer.remove("file");
    let fixture: Fixture = [(hash, answer)].into_iter().collect();
    let server = Arc::new(TestServer::start(fixture, ServerOptions::default()).unwrap());
    let (url, key) = (server.base_url(), server.api_key().to_string());
    let h = Harness::with_fallback(
        backend,
        Box::new(move |repo| {
            let mut config = LlmConfig::new(url, "gpt-4o-mini");
            config.api_key = Some(ApiKey::new(key));
            config.policy = FallbackPolicy::Always;
            let store: Arc<dyn LlmStore> = repo;
            let handle = tokio::runtime::Handle::current();
            Arc::new(LlmFallback::on_runtime(config, store, handle).unwrap()) as Arc<dyn Fallback>
        }),
    )
    .await;
    let (tenant, admin) = h.tenant("kommun").await;

    let (status, body) = h.upload(&admin, "openai.pdf", bytes.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let invoice = h.processed(&admin, body["id"].as_str().unwrap()).await;
    let llm = &invoice["llm"];
    assert_eq!(llm["outcome"], "answered", "{invoice}");
    assert_eq!(server.chat_requests(), 1);
    let (_, _, metrics) =
        h.call(axum::http::Method::GET, "/metrics", None, axum::body::Body::empty(), None).await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(metrics.contains("invex_llm_invoices_total{outcome=\"answered\"} 1"), "{metrics}");
    let (spent, calls) =
        h.repo.spent(&tenant, &chrono::Utc::now().format("%Y-%m").to_string()).await.unwrap();
    assert_eq!(calls, 1, "the tenant paid for its call");
    assert!(spent > 0.0);

    // The tenant turns it off: its next invoice is not sent, and says why.
    h.repo
        .set_tenant_llm(&tenant, &TenantLlm { enabled: false, monthly_budget_usd: None })
        .await
        .unwrap();
    let mut other = bytes;
    other.extend_from_slice(b"\n%another copy\n");
    let (_, body) = h.upload(&admin, "openai-2.pdf", other).await;
    let invoice = h.processed(&admin, body["id"].as_str().unwrap()).await;
    assert_eq!(invoice["llm"]["outcome"], "skipped", "{invoice}");
    assert!(
        invoice["checks_failed"].to_string().contains("turned the language model fallback off"),
        "{invoice}"
    );
    assert_eq!(invoice["status"], json!("needs_review"));
    assert_eq!(server.chat_requests(), 1, "nothing was sent");
    assert_eq!(server.violations(), Vec::<String>::new());
}

crate::both_backends!(the_worker_asks_for_the_tenant_and_respects_its_switch);
