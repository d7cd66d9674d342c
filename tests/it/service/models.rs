//! Model versions in the running service (issue 14, part 2): a promoted
//! version is copied from the blob store and swapped in between jobs, every
//! result records the version that made it, a version that cannot load
//! leaves the running one in place, a rollback brings back what ran before,
//! and reviews give accuracy per version (`GET /v1/models`, `/metrics`).
//! The model is the real shipped ONNX model; the base processor is the
//! rules pipeline.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use chrono::Utc;
use invex_api::{ModelLoader, ModelSwap};
use invex_domain::InvoiceProcessor;
use invex_domain::service::{ModelEvent, ModelVersion, Role};
use invex_models::{LayoutExtractor, LayoutModel, ModelOptions};
use invex_pipeline::Pipeline;
use serde_json::{Value, json};

use super::harness::{Backend, Harness, sample};
use crate::both_backends;

both_backends!(promoted_versions_are_swapped_in_between_jobs_and_rolled_back);

/// The pipeline with the layout model alone, from a model directory.
struct LayoutLoader;

impl ModelLoader for LayoutLoader {
    fn load(&self, dir: &Path) -> Result<Arc<dyn InvoiceProcessor>, String> {
        invex_models::init_onnxruntime(&crate::repo().join(".native/lib/libonnxruntime.so"))
            .map_err(|e| e.to_string())?;
        let model = LayoutModel::load(dir, ModelOptions::default()).map_err(|e| e.to_string())?;
        let extractor = Box::new(LayoutExtractor::new(model));
        Ok(Arc::new(Pipeline::new(Box::new(crate::pdfium()), extractor, 200 << 20)))
    }
}

const POLL: Duration = Duration::from_millis(50);

async fn register(h: &Harness, id: &str, with_files: bool) {
    let version = ModelVersion {
        id: id.into(),
        parent: None,
        name: format!("invex-layout@{id}"),
        data_hash: None,
        metrics: None,
        created_at: Utc::now(),
        created_by: "test".into(),
    };
    if with_files {
        let shipped = crate::repo().join("models/shipped/invex-layout");
        for file in
            ["manifest.json", "model.onnx", "model_quantized.onnx", "config.json", "tokenizer.json"]
        {
            let bytes = std::fs::read(shipped.join(file)).expect("shipped model file");
            h.state.blobs.put(&format!("{}{file}", version.blob_prefix()), &bytes).await.unwrap();
        }
    }
    h.repo.insert_model_version(&version).await.unwrap();
}

async fn event(h: &Harness, action: &str, version: Option<&str>) {
    let event = ModelEvent {
        action: action.into(),
        version: version.map(str::to_string),
        by: "test".into(),
        at: Utc::now(),
    };
    h.repo.append_model_event(&event).await.unwrap();
    // The workers ask at most once per poll.
    tokio::time::sleep(POLL * 3).await;
}

/// Uploads sample `n` and returns the processed invoice.
async fn made(h: &Harness, key: &str, n: usize) -> Value {
    let (status, body) = h.upload(key, &format!("inv-{n}.pdf"), sample(n)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    h.processed(key, body["id"].as_str().unwrap()).await
}

async fn promoted_versions_are_swapped_in_between_jobs_and_rolled_back(backend: Backend) {
    let make: super::harness::MakeSwap = Box::new(|dir: &Path, base| {
        ModelSwap::new(
            Arc::new(LayoutLoader),
            dir.join("model-cache"),
            POLL,
            base,
            Some("built-in".into()),
        )
    });
    let h = Harness::with_models(backend, make).await;
    let (tenant, admin) = h.tenant("acme").await;
    let uploader = h.key(&tenant, Role::Uploader).await;

    // (what happens, sample uploaded next, model version and extractor of its result)
    register(&h, "m-good", true).await;
    register(&h, "m-broken", false).await;
    let steps: [(&str, Option<&str>, usize, &str, &str); 5] = [
        ("nothing promoted", None, 0, "built-in", "rules"),
        ("promote", Some("m-good"), 1, "m-good", "model"),
        // No files: it cannot load, the running version stays.
        ("promote", Some("m-broken"), 2, "m-good", "model"),
        ("rollback", None, 3, "m-good", "model"),
        ("rollback", None, 4, "built-in", "rules"),
    ];
    let mut by_good = None;
    for (action, version, n, wanted, extractor) in steps {
        if action != "nothing promoted" {
            event(&h, action, version).await;
        }
        let invoice = made(&h, &admin, n).await;
        assert!(matches!(invoice["status"].as_str(), Some("done" | "needs_review")), "{invoice}");
        assert_eq!(invoice["model_version"], json!(wanted), "{action} {version:?}: {invoice}");
        assert_eq!(invoice["extractor"], json!(extractor), "{action} {version:?}");
        if wanted == "m-good" && by_good.is_none() {
            by_good = Some(invoice["id"].as_str().unwrap().to_string());
        }
    }
    let (_, _, metrics) = h.call(Method::GET, "/metrics", None, Default::default(), None).await;
    let metrics = String::from_utf8_lossy(&metrics).into_owned();
    assert!(metrics.contains("invex_model_swaps_total{outcome=\"swapped\"} 2"), "{metrics}");
    assert!(metrics.contains("invex_model_swaps_total{outcome=\"failed\"}"), "{metrics}");

    // A review of an invoice m-good made: one booked field corrected.
    let id = by_good.expect("an invoice made by m-good");
    let (status, body) = h
        .json(
            Method::PATCH,
            &format!("/v1/invoices/{id}"),
            &admin,
            json!({"fields": {"invoice_number": "X-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        h.json(Method::POST, &format!("/v1/invoices/{id}/approve"), &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, models) = h.get("/v1/models", &admin).await;
    assert_eq!(status, StatusCode::OK, "{models}");
    assert_eq!(models["active"], Value::Null, "{models}");
    let ids: Vec<&str> =
        models["versions"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2, "{models}");
    let accuracy = &models["accuracy"];
    assert_eq!(
        accuracy,
        &json!([{"model_version": "m-good", "reviewed_invoices": 1, "corrected_fields": 1, "accuracy": 1.0 - 1.0 / 12.0}]),
        "{models}"
    );
    let (status, _) = h.get("/v1/models", &uploader).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, _, metrics) = h.call(Method::GET, "/metrics", None, Default::default(), None).await;
    let metrics = String::from_utf8_lossy(&metrics).into_owned();
    assert!(metrics.contains("invex_reviewed_invoices{model_version=\"m-good\"} 1"), "{metrics}");
    assert!(
        metrics.contains("invex_reviewed_field_accuracy{model_version=\"m-good\"} 0.91"),
        "{metrics}"
    );
}
