//! Operations: liveness, readiness (database, blob store and model apart),
//! the OpenAPI document and a docs page that needs nothing from the internet.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value as JsonValue, json};

use crate::openapi::openapi_json;
use crate::state::SharedState;

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "operations", responses((status = 200, description = "`{status: ok}`")))]
pub async fn live() -> Json<JsonValue> {
    Json(json!({"status": "ok"}))
}

/// Whether the database, the blob store and the model are usable, each apart.
#[utoipa::path(get, path = "/health/ready", tag = "operations",
    responses((status = 200, description = "All ready"), (status = 503, description = "Something is not; the body says what")))]
pub async fn ready(State(state): State<SharedState>) -> Response {
    let check = |r: &Result<(), String>| match r {
        Ok(()) => json!({"status": "ok"}),
        Err(e) => json!({"status": "error", "error": e}),
    };
    let db = state.repo.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "database not ready");
        "the database does not answer".to_string()
    });
    let blobs = state.blobs.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "blob store not ready");
        "the blob store does not answer".to_string()
    });
    let model = if state.model.ready { Ok(()) } else { Err(state.model.detail.clone()) };
    let all_ok = db.is_ok() && blobs.is_ok() && model.is_ok();
    let body = json!({
        "status": if all_ok { "ok" } else { "error" },
        "database": with(check(&db), "backend", state.repo.backend()),
        "blob_store": with(check(&blobs), "kind", state.blobs.kind()),
        "model": with(check(&model), "detail", &state.model.detail),
        "shutting_down": *state.shutdown.borrow(),
    });
    let code = if all_ok && !*state.shutdown.borrow() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

fn with(mut v: JsonValue, key: &str, value: &str) -> JsonValue {
    v[key] = json!(value);
    v
}

pub async fn openapi() -> Json<JsonValue> {
    Json(openapi_json())
}

/// A self-contained HTML page listing every operation of the OpenAPI document.
pub async fn docs() -> Html<String> {
    let spec = openapi_json();
    let mut rows = String::new();
    if let Some(paths) = spec["paths"].as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let Some(op) = item.get(method) else { continue };
                let summary = op["summary"].as_str().or(op["description"].as_str()).unwrap_or("");
                let responses = op["responses"]
                    .as_object()
                    .map(|r| {
                        r.iter()
                            .map(|(code, v)| {
                                format!(
                                    "<li><b>{code}</b> {}</li>",
                                    esc(v["description"].as_str().unwrap_or(""))
                                )
                            })
                            .collect::<String>()
                    })
                    .unwrap_or_default();
                rows.push_str(&format!(
                    "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}<ul>{}</ul></td></tr>\n",
                    method.to_uppercase(),
                    esc(path),
                    esc(summary),
                    responses
                ));
            }
        }
    }
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>invex API</title>\
         <style>body{{font-family:sans-serif;margin:2em}}td{{vertical-align:top;padding:.4em;border-bottom:1px solid #ddd}}</style></head>\
         <body><h1>invex API {}</h1><p>Send <code>Authorization: Bearer &lt;key&gt;</code>. Errors are \
         <code>{{\"error\", \"error_type\"}}</code> JSON. Machine-readable: <a href=\"/openapi.json\">/openapi.json</a>.</p>\
         <table>{rows}</table></body></html>",
        esc(spec["info"]["version"].as_str().unwrap_or(""))
    ))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('`', "")
}
