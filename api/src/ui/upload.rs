//! Uploading from the browser: the page's script sends each dropped file as
//! its own request to `POST /ui/upload` (progress per file), which is the
//! API's upload with the session's key; then it polls
//! `GET /ui/invoices/{id}/status` until the file is read.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use invex_domain::service::Role;
use serde_json::{Value as JsonValue, json};

use super::{Chrome, Signed, UiError, render};
use crate::routes::invoices::load;
use crate::routes::upload::store_raw;
use crate::state::SharedState;

#[derive(Template)]
#[template(path = "ui/upload.html")]
struct UploadPage {
    chrome: Chrome,
    max_mb: u64,
}

/// `GET /ui/upload`.
pub async fn page(State(state): State<SharedState>, user: Signed) -> Result<Response, UiError> {
    user.require(Role::Uploader)?;
    let page = UploadPage {
        chrome: Chrome::new(&user, "upload", user.lang.texts().upload_title),
        max_mb: state.options.max_upload_bytes / (1024 * 1024),
    };
    Ok(render(&page))
}

/// `POST /ui/upload`: one file as the raw body, named by `X-File-Name`
/// (percent-encoded, so any file name travels), with the session's
/// `X-CSRF-Token`. Answers as `POST /v1/invoices` does for one file: 202
/// `{id, file_name, status, duplicate}`, or `{error, error_type}` for the
/// script to show beside the file.
pub async fn upload(
    State(state): State<SharedState>,
    user: Signed,
    request: Request,
) -> Result<Response, UiError> {
    user.check_csrf_header(request.headers())?;
    user.require(Role::Uploader)?;
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(|v| percent_encoding::percent_decode_str(v.trim()).decode_utf8_lossy().into_owned())
        // A decoded name may hold what a header cannot (a line break); the
        // download's Content-Disposition must still be a valid header.
        .map(|n| n.chars().map(|c| if c.is_control() { '_' } else { c }).collect::<String>())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "upload".to_string());
    Ok(store_raw(&state, &user.caller, name, request)
        .await
        .unwrap_or_else(IntoResponse::into_response))
}

/// `GET /ui/invoices/{id}/status`: `{status, status_text, error}` for the
/// upload page's polling.
pub async fn status(
    State(state): State<SharedState>,
    user: Signed,
    Path(id): Path<String>,
) -> Result<Json<JsonValue>, UiError> {
    let record = load(&state, &user.caller, &id).await?;
    Ok(Json(json!({
        "status": record.status,
        "status_text": user.lang.status(record.status.as_str()),
        "error": record.error,
        "supplier_name": record.summary.supplier_name,
    })))
}
