//! Tenant administration: API keys, the webhook, retention, the audit log,
//! and the GDPR data export. All need the admin role.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use invex_domain::service::{Role, Webhook};
use serde::Deserialize;
use serde_json::{Value as JsonValue, json};
use uuid::Uuid;

use super::invoices::audit;
use super::view::timestamp;
use crate::auth::{Caller, NewKey, generate_key};
use crate::error::{ApiError, ApiResult};
use crate::export::tenant_export;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::SharedState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewKeyRequest {
    /// uploader, reviewer or admin
    role: String,
    /// A label, for example the system that uses the key.
    #[serde(default)]
    name: String,
}

/// Makes an API key. The key is in this response only.
#[utoipa::path(post, path = "/v1/keys", tag = "admin", request_body = NewKeyRequest,
    responses((status = 201, description = "`{id, key, role, name}`; store the key now, it is not shown again")),
    security(("api_key" = [])))]
pub async fn create_key(
    State(state): State<SharedState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewKeyRequest>,
) -> ApiResult<Response> {
    caller.require(Role::Admin)?;
    let role = Role::parse(&body.role).ok_or_else(|| {
        ApiError::Invalid(format!("unknown role {:?}: use uploader, reviewer or admin", body.role))
    })?;
    let key = make_key(&state, &caller, role, &body.name).await?;
    let body =
        json!({"id": key.record.id, "key": key.plaintext, "role": role, "name": key.record.name});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Lists the tenant's keys (never their secrets).
#[utoipa::path(get, path = "/v1/keys", tag = "admin", responses((status = 200, description = "`{keys: [...]}`")),
    security(("api_key" = [])))]
pub async fn list_keys(
    State(state): State<SharedState>,
    caller: Caller,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Admin)?;
    let keys = state.repo.keys(&caller.tenant_id).await?;
    let keys: Vec<JsonValue> = keys
        .iter()
        .map(|k| {
            json!({"id": k.id, "role": k.role, "name": k.name, "created_at": timestamp(k.created_at),
                   "revoked_at": k.revoked_at.map(timestamp)})
        })
        .collect();
    Ok(Json(json!({"keys": keys})))
}

/// Revokes a key at once.
#[utoipa::path(delete, path = "/v1/keys/{id}", tag = "admin", params(("id" = String, Path, description = "Key id")),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such active key")),
    security(("api_key" = [])))]
pub async fn revoke_key(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(Role::Admin)?;
    revoke(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes, stores and audits a key of the caller's tenant (argon2 on the
/// blocking pool); the plaintext is in the result only.
pub async fn make_key(
    state: &SharedState,
    caller: &Caller,
    role: Role,
    name: &str,
) -> ApiResult<NewKey> {
    let (tenant, name) = (caller.tenant_id.clone(), name.to_string());
    let key = tokio::task::spawn_blocking(move || generate_key(&tenant, role, &name, Utc::now()))
        .await
        .map_err(|e| ApiError::Internal(format!("key generation task: {e}")))?;
    state.repo.insert_key(&key.record).await?;
    audit(state, caller, "key_create", None, json!({"key_id": key.record.id, "role": role}))
        .await?;
    Ok(key)
}

/// Revokes a key of the caller's tenant at once (this process forgets it;
/// others within `REVOCATION_CHECK`); `NotFound` unless it is an active one.
pub async fn revoke(state: &SharedState, caller: &Caller, id: &str) -> ApiResult<()> {
    if !state.repo.revoke_key(&caller.tenant_id, id, Utc::now()).await? {
        return Err(ApiError::NotFound);
    }
    state.keys.forget(id);
    audit(state, caller, "key_revoke", None, json!({"key_id": id})).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WebhookRequest {
    /// http(s) URL that receives `POST`s.
    url: String,
    /// HMAC secret; one is generated when absent.
    secret: Option<String>,
}

/// Registers (or replaces) the tenant's webhook. Bodies are signed with
/// HMAC-SHA256 over `<timestamp>.<body>`, sent as `X-Invex-Signature: sha256=<hex>`.
#[utoipa::path(put, path = "/v1/webhook", tag = "webhooks", request_body = WebhookRequest,
    responses((status = 200, description = "`{url, secret}`; the secret is shown only here")),
    security(("api_key" = [])))]
pub async fn set_webhook(
    State(state): State<SharedState>,
    caller: Caller,
    ApiJson(body): ApiJson<WebhookRequest>,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Admin)?;
    let url = body.url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://"))
        || reqwest::Url::parse(url).is_err()
    {
        return Err(ApiError::Invalid(format!("{url:?} is not an http(s) URL")));
    }
    let secret = body
        .secret
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| Uuid::new_v4().simple().to_string());
    let hook = Webhook {
        tenant_id: caller.tenant_id.clone(),
        url: url.to_string(),
        secret: secret.clone(),
    };
    state.repo.set_webhook(&hook).await?;
    audit(&state, &caller, "webhook_set", None, json!({"url": url})).await?;
    Ok(Json(json!({"url": url, "secret": secret})))
}

/// The webhook and its recent deliveries.
#[utoipa::path(get, path = "/v1/webhook", tag = "webhooks",
    responses((status = 200, description = "`{url, deliveries: [...]}`"), (status = 404, description = "No webhook")),
    security(("api_key" = [])))]
pub async fn get_webhook(
    State(state): State<SharedState>,
    caller: Caller,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Admin)?;
    let hook = state.repo.webhook(&caller.tenant_id).await?.ok_or(ApiError::NotFound)?;
    let deliveries = state.repo.deliveries(&caller.tenant_id, 100).await?;
    let deliveries: Vec<JsonValue> = deliveries
        .iter()
        .map(|d| {
            json!({"id": d.id, "event": d.event, "state": d.state, "attempts": d.attempts,
                   "last_status_code": d.last_status_code, "last_error": d.last_error,
                   "created_at": timestamp(d.created_at), "updated_at": timestamp(d.updated_at)})
        })
        .collect();
    Ok(Json(json!({"url": hook.url, "deliveries": deliveries})))
}

/// Removes the webhook.
#[utoipa::path(delete, path = "/v1/webhook", tag = "webhooks",
    responses((status = 204, description = "Removed"), (status = 404, description = "No webhook")),
    security(("api_key" = [])))]
pub async fn delete_webhook(
    State(state): State<SharedState>,
    caller: Caller,
) -> ApiResult<StatusCode> {
    caller.require(Role::Admin)?;
    if !state.repo.delete_webhook(&caller.tenant_id).await? {
        return Err(ApiError::NotFound);
    }
    audit(&state, &caller, "webhook_delete", None, json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A century: longer is a mistake, not a retention policy.
const MAX_RETENTION_DAYS: u32 = 36_500;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RetentionRequest {
    /// Erase invoices older than this many days; `null` keeps them.
    days: Option<u32>,
}

/// Sets the tenant's retention period, enforced by the sweeper.
#[utoipa::path(put, path = "/v1/tenant/retention", tag = "gdpr", request_body = RetentionRequest,
    responses((status = 200, description = "`{retention_days}`")), security(("api_key" = [])))]
pub async fn set_retention(
    State(state): State<SharedState>,
    caller: Caller,
    ApiJson(body): ApiJson<RetentionRequest>,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Admin)?;
    if body.days.is_some_and(|d| d == 0 || d > MAX_RETENTION_DAYS) {
        return Err(ApiError::Invalid(format!(
            "retention must be 1 to {MAX_RETENTION_DAYS} days, or null"
        )));
    }
    state.repo.set_retention(&caller.tenant_id, body.days).await?;
    audit(&state, &caller, "retention_set", None, json!({"days": body.days})).await?;
    Ok(Json(json!({"retention_days": body.days})))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// At most this many entries, oldest first (default 1000).
    limit: Option<u32>,
}

/// The append-only audit log.
#[utoipa::path(get, path = "/v1/audit", tag = "gdpr", params(AuditQuery),
    responses((status = 200, description = "`{entries: [...]}`")), security(("api_key" = [])))]
pub async fn audit_log(
    State(state): State<SharedState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Admin)?;
    let entries = state
        .repo
        .audit_entries(&caller.tenant_id, q.limit.unwrap_or(1000).clamp(1, 100_000))
        .await?;
    Ok(Json(json!({"entries": entries})))
}

/// Everything the service holds for the tenant, as a zip of JSON and originals.
#[utoipa::path(get, path = "/v1/export", tag = "gdpr",
    responses((status = 200, description = "application/zip")), security(("api_key" = [])))]
pub async fn export(State(state): State<SharedState>, caller: Caller) -> ApiResult<Response> {
    caller.require(Role::Admin)?;
    let zip = tenant_export(&state, &caller.tenant_id).await?;
    audit(&state, &caller, "export", None, json!({"bytes": zip.len()})).await?;
    let name = format!("attachment; filename=\"invex-export-{}.zip\"", Utc::now().format("%Y%m%d"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        zip,
    )
        .into_response())
}
