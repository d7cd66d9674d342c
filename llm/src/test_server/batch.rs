//! The Batch API side of the test server: `POST /v1/files` (multipart,
//! purpose `batch`), `POST /v1/batches`, `GET /v1/batches/{id}` (one state
//! further per poll) and `GET /v1/files/{id}/content`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value as Json, json};

use super::{Shared, answer, error, unauthorised, violation};

/// Files and batches, by id.
#[derive(Default)]
pub(super) struct Store {
    files: HashMap<String, (String, Vec<u8>)>,
    pub(super) batches: HashMap<String, Json>,
}

const CREATED: u64 = 1_765_000_000;

fn object(shared: &Shared, body: Json, check: &invex_testkit::SchemaCheck, what: &str) -> Response {
    let errors = check.errors(&body);
    if !errors.is_empty() {
        let mut log = shared.log.lock().unwrap_or_else(|p| p.into_inner());
        log.violations.push(format!("response breaks {what}: {}", errors.join("; ")));
    }
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// OpenAI's 404 for an unknown file or batch (`what`: `file` or `batch`).
fn not_found(shared: &Shared, what: &str, id: &str) -> Response {
    let object = if what == "file" { "File" } else { "Batch" };
    let message = format!("No such {object} object: {id}");
    let code = format!("{what}_not_found");
    error(shared, StatusCode::NOT_FOUND, "invalid_request_error", &code, &message, None)
}

fn file_object(id: &str, name: &str, bytes: usize, purpose: &str) -> Json {
    json!({"id": id, "object": "file", "bytes": bytes, "created_at": CREATED,
        "filename": name, "purpose": purpose, "status": "processed"})
}

pub(super) async fn upload(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    if let Some(denied) = unauthorised(&shared, &headers) {
        return denied;
    }
    let (mut purpose, mut file) = (None, None);
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("purpose") => purpose = field.text().await.ok(),
            Some("file") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                file = field.bytes().await.ok().map(|b| (name, b.to_vec()));
            }
            _ => {}
        }
    }
    let (Some(purpose), Some((name, bytes))) = (purpose, file) else {
        return violation(&shared, "a file upload needs the fields purpose and file".into());
    };
    if purpose != "batch" {
        return violation(&shared, format!("this server takes batch files only, not {purpose:?}"));
    }
    // Every line is a request the chat endpoint would take.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut ids = std::collections::HashSet::new();
    for (n, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let Ok(line) = serde_json::from_str::<Json>(line) else {
            return violation(&shared, format!("batch file line {}: not JSON", n + 1));
        };
        let id = line["custom_id"].as_str().unwrap_or_default().to_string();
        if id.is_empty() || !ids.insert(id.clone()) {
            return violation(
                &shared,
                format!("batch file line {}: custom_id missing or repeated", n + 1),
            );
        }
        if line["method"] != "POST" || line["url"] != "/v1/chat/completions" {
            return violation(
                &shared,
                format!(
                    "batch file line {}: method and url must be POST /v1/chat/completions",
                    n + 1
                ),
            );
        }
        if let Some(refused) = super::contract(&shared, &line["body"]) {
            return refused;
        }
    }
    let mut store = shared.batches.lock().unwrap_or_else(|p| p.into_inner());
    let id = format!("file-{}", store.files.len() + 1);
    let body = file_object(&id, &name, bytes.len(), "batch");
    store.files.insert(id, (name, bytes));
    drop(store);
    let check = &shared.file_schema;
    object(&shared, body, check, "OpenAIFile")
}

pub(super) async fn content(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(denied) = unauthorised(&shared, &headers) {
        return denied;
    }
    let store = shared.batches.lock().unwrap_or_else(|p| p.into_inner());
    match store.files.get(&id) {
        Some((_, bytes)) => (StatusCode::OK, bytes.clone()).into_response(),
        None => {
            drop(store);
            not_found(&shared, "file", &id)
        }
    }
}

pub(super) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(denied) = unauthorised(&shared, &headers) {
        return denied;
    }
    let Ok(request) = serde_json::from_str::<Json>(&body) else {
        return violation(&shared, "batch request is not JSON".into());
    };
    let errors = shared.create_batch_schema.errors(&request);
    if !errors.is_empty() {
        return violation(
            &shared,
            format!("request breaks CreateBatchRequest: {}", errors.join("; ")),
        );
    }
    if request["endpoint"] != "/v1/chat/completions" || request["completion_window"] != "24h" {
        return violation(
            &shared,
            "this server batches /v1/chat/completions in the 24h window".into(),
        );
    }
    let input = request["input_file_id"].as_str().unwrap_or_default().to_string();
    let mut store = shared.batches.lock().unwrap_or_else(|p| p.into_inner());
    if !store.files.contains_key(&input) {
        drop(store);
        return not_found(&shared, "file", &input);
    }
    let id = format!("batch_{}", store.batches.len() + 1);
    let mut batch = json!({"id": id, "object": "batch", "endpoint": "/v1/chat/completions",
        "input_file_id": input, "completion_window": "24h", "status": "validating",
        "created_at": CREATED, "request_counts": {"total": 0, "completed": 0, "failed": 0}});
    if let Some(metadata) = request.get("metadata").filter(|m| m.is_object()) {
        batch["metadata"] = metadata.clone();
    }
    store.batches.insert(id, batch.clone());
    drop(store);
    let check = &shared.batch_schema;
    object(&shared, batch, check, "Batch")
}

/// Each poll moves the batch one state on; on completing, every line is
/// answered as the chat endpoint would (faults included) into the output
/// file, and failures into the error file.
pub(super) async fn retrieve(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(denied) = unauthorised(&shared, &headers) {
        return denied;
    }
    let current =
        shared.batches.lock().unwrap_or_else(|p| p.into_inner()).batches.get(&id).cloned();
    let Some(mut batch) = current else {
        return not_found(&shared, "batch", &id);
    };
    let status = batch["status"].as_str().unwrap_or_default().to_string();
    let next = match status.as_str() {
        "validating" => "in_progress",
        "in_progress" => "finalizing",
        "finalizing" => "completed",
        other => other,
    }
    .to_string();
    if next == "completed" && batch["status"] != "completed" {
        let input = batch["input_file_id"].as_str().unwrap_or_default().to_string();
        let lines = {
            let store = shared.batches.lock().unwrap_or_else(|p| p.into_inner());
            store
                .files
                .get(&input)
                .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        };
        let (mut output, mut errors, mut done, mut failed) = (String::new(), String::new(), 0, 0);
        for (n, line) in lines.lines().filter(|l| !l.trim().is_empty()).enumerate() {
            let line: Json = serde_json::from_str(line).unwrap_or_default();
            let custom_id = line["custom_id"].clone();
            match answer(&shared, &line["body"]).await {
                Ok(body) => {
                    done += 1;
                    let row = json!({"id": format!("batch_req_{}", n + 1), "custom_id": custom_id,
                        "response": {"status_code": 200, "request_id": format!("req_{}", n + 1), "body": body},
                        "error": null});
                    output.push_str(&format!("{row}\n"));
                }
                Err(refused) => {
                    failed += 1;
                    let status = refused.status().as_u16();
                    let bytes = axum::body::to_bytes(refused.into_body(), usize::MAX)
                        .await
                        .unwrap_or_default();
                    let body: Json = serde_json::from_slice(&bytes).unwrap_or_default();
                    let row = json!({"id": format!("batch_req_{}", n + 1), "custom_id": custom_id,
                        "response": {"status_code": status, "request_id": format!("req_{}", n + 1), "body": body},
                        "error": null});
                    errors.push_str(&format!("{row}\n"));
                }
            }
        }
        let mut store = shared.batches.lock().unwrap_or_else(|p| p.into_inner());
        for (text, key) in [(output, "output_file_id"), (errors, "error_file_id")] {
            if text.is_empty() {
                continue;
            }
            let file = format!("file-{}", store.files.len() + 1);
            store.files.insert(file.clone(), (format!("{id}_{key}.jsonl"), text.into_bytes()));
            batch[key] = json!(file);
        }
        batch["request_counts"] =
            json!({"total": done + failed, "completed": done, "failed": failed});
        batch["completed_at"] = json!(CREATED + 60);
    }
    batch["status"] = json!(next);
    shared.batches.lock().unwrap_or_else(|p| p.into_inner()).batches.insert(id, batch.clone());
    let check = &shared.batch_schema;
    object(&shared, batch, check, "Batch")
}
