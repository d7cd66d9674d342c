//! `POST /v1/invoices`: a raw PDF or image as the body, or multipart with
//! several files. Each file is checked (empty, type, truncated, size), stored
//! by content hash, recorded with its job in one transaction, and only then
//! answered with 202. The same bytes uploaded again by the same tenant give
//! back the same id.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use invex_domain::service::{AuditEntry, NewUpload};
use invex_domain::sniff::check_upload;
use invex_domain::{DocumentError, service::Role};
use serde_json::{Value as Json_, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::SharedState;

/// Upload one invoice (raw body) or several (multipart/form-data).
#[utoipa::path(
    post,
    path = "/v1/invoices",
    tag = "invoices",
    request_body(content = Vec<u8>, description = "A PDF, e-invoice XML (UBL, CII; sniffed by content), PNG, JPEG or TIFF file as the raw body (name it with the X-File-Name header), or multipart/form-data with one or more file parts", content_type = "application/pdf"),
    responses(
        (status = 202, description = "Stored and queued; `{id, file_name, status, duplicate}` for a raw body, `{invoices: [...], errors: [...]}` for multipart"),
        (status = 400, description = "Empty file or malformed request"),
        (status = 413, description = "File above the size limit"),
        (status = 415, description = "Not a PDF or a supported image"),
        (status = 422, description = "Corrupt or truncated PDF"),
    ),
    security(("api_key" = []))
)]
pub async fn upload(
    State(state): State<SharedState>,
    caller: Caller,
    request: Request,
) -> ApiResult<Response> {
    caller.require(Role::Uploader)?;
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| ApiError::BadRequest(format!("malformed multipart body: {e}")))?;
        return upload_multipart(&state, &caller, multipart).await;
    }
    let name = file_name_from_headers(&request);
    store_raw(&state, &caller, name, request).await
}

/// One file as the raw request body, named `name`: refused from its declared
/// size before it is read, then checked, stored and answered 202.
pub(crate) async fn store_raw(
    state: &SharedState,
    caller: &Caller,
    name: String,
    request: Request,
) -> ApiResult<Response> {
    let limit = state.options.max_upload_bytes;
    refuse_if_declared_too_large(&request, &name, limit)?;
    let bytes = Bytes::from_request(request, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BadUpload {
                file: name.clone(),
                cause: DocumentError::TooLarge { size: limit + 1, limit },
            }
        } else {
            ApiError::BadRequest(format!("could not read the request body: {e}"))
        }
    })?;
    let stored = store_one(state, caller, name, &bytes).await?;
    Ok((StatusCode::ACCEPTED, Json(stored)).into_response())
}

async fn upload_multipart(
    state: &SharedState,
    caller: &Caller,
    mut multipart: Multipart,
) -> ApiResult<Response> {
    let mut stored = Vec::new();
    let mut errors = Vec::new();
    let mut first_error = None;
    let mut index = 0usize;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::BadRequest(format!("malformed multipart body: {e}")))?
    {
        index += 1;
        if index > state.options.max_files_per_request {
            return Err(ApiError::BadRequest(format!(
                "at most {} files per request",
                state.options.max_files_per_request
            )));
        }
        let name = field
            .file_name()
            .or(field.name())
            .map_or_else(|| format!("file-{index}"), str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ApiError::BadRequest(format!("{name}: could not read the part: {e}")))?;
        match store_one(state, caller, name.clone(), &bytes).await {
            Ok(item) => stored.push(item),
            Err(e @ (ApiError::BadUpload { .. } | ApiError::Invalid(_))) => {
                errors.push(json!({"file_name": name, "error": e.to_string(), "error_type": e.error_type()}));
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    if stored.is_empty() {
        return Err(first_error
            .unwrap_or_else(|| ApiError::BadRequest("the multipart body has no files".into())));
    }
    Ok((StatusCode::ACCEPTED, Json(json!({"invoices": stored, "errors": errors}))).into_response())
}

/// Checks, stores and records one file; the blob is durable before the row is written.
async fn store_one(
    state: &SharedState,
    caller: &Caller,
    file_name: String,
    bytes: &[u8],
) -> ApiResult<Json_> {
    let kind = match check_upload(bytes, state.options.max_upload_bytes) {
        Ok(kind) => kind,
        Err(cause) => {
            state.metrics.uploads.with_label_values(&["refused"]).inc();
            return Err(ApiError::BadUpload { file: file_name, cause });
        }
    };
    let sha256 = hex(&Sha256::digest(bytes));
    let blob_key = format!("tenants/{}/{}", caller.tenant_id, sha256);
    state.blobs.put(&blob_key, bytes).await?;
    let now = Utc::now();
    let upload = NewUpload {
        id: Uuid::new_v4().to_string(),
        tenant_id: caller.tenant_id.clone(),
        sha256,
        file_name: file_name.clone(),
        content_type: kind.content_type().to_string(),
        size_bytes: bytes.len() as u64,
        blob_key,
        uploaded_by: caller.key_id.clone(),
    };
    let outcome = state.repo.insert_upload(&upload, now).await?;
    let status = match outcome.duplicate {
        true => state.repo.invoice(&caller.tenant_id, &outcome.invoice_id).await?.map(|r| r.status),
        false => None,
    };
    state
        .repo
        .append_audit(&AuditEntry {
            id: Uuid::new_v4().to_string(),
            tenant_id: caller.tenant_id.clone(),
            actor: caller.key_id.clone(),
            action: "upload".into(),
            invoice_id: Some(outcome.invoice_id.clone()),
            detail: json!({"file_name": file_name, "size_bytes": bytes.len(), "duplicate": outcome.duplicate}),
            at: now,
        })
        .await?;
    let label = if outcome.duplicate { "duplicate" } else { "stored" };
    state.metrics.uploads.with_label_values(&[label]).inc();
    if !outcome.duplicate {
        state.new_jobs.notify_one();
    }
    Ok(json!({
        "id": outcome.invoice_id,
        "file_name": file_name,
        "status": status.map_or("queued", |s| s.as_str()),
        "duplicate": outcome.duplicate,
    }))
}

/// `X-File-Name`, or the filename of `Content-Disposition`, or `upload`.
fn file_name_from_headers(request: &Request) -> String {
    let headers = request.headers();
    if let Some(name) = headers.get("x-file-name").and_then(|v| v.to_str().ok()) {
        return name.trim().to_string();
    }
    headers
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').find_map(|part| part.trim().strip_prefix("filename=")))
        .map_or_else(|| "upload".to_string(), |n| n.trim_matches('"').to_string())
}

/// Answers 413 from `Content-Length` alone, before reading a huge body.
fn refuse_if_declared_too_large(request: &Request, name: &str, limit: u64) -> ApiResult<()> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(size) if size > limit => Err(ApiError::BadUpload {
            file: name.to_string(),
            cause: DocumentError::TooLarge { size, limit },
        }),
        _ => Ok(()),
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
