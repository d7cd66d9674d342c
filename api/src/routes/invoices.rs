//! Reading, listing, correcting, approving and erasing invoices.
//! Every lookup is scoped to the caller's tenant: another tenant's invoice is 404.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use invex_domain::service::review::{
    failed_checks, parse_correction, parse_line_corrections, status_after_extraction, summarize,
};
use invex_domain::service::{
    AuditEntry, Correction, InvoiceFilter, InvoiceRecord, InvoiceStatus, LineCorrection, Role,
};
use invex_domain::{FieldName, Invoice, LineItem};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value as JsonValue, json};
use uuid::Uuid;

use super::suppliers::{Reviewed, learn};
use super::view::{
    Edits, corrected_invoice, decode_cursor, encode_cursor, invoice_view, summary_view,
};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::SharedState;

pub async fn load(state: &SharedState, caller: &Caller, id: &str) -> ApiResult<InvoiceRecord> {
    state.repo.invoice(&caller.tenant_id, id).await?.ok_or(ApiError::NotFound)
}

/// What reviewers changed on the invoice `id` of `tenant_id`, oldest first.
pub async fn edits(state: &SharedState, tenant_id: &str, id: &str) -> ApiResult<Edits> {
    let fields = state.repo.corrections(tenant_id, id).await?;
    let lines = state.repo.line_corrections(tenant_id, id).await?;
    Ok(Edits { fields, lines })
}

pub async fn audit(
    state: &SharedState,
    caller: &Caller,
    action: &str,
    invoice: Option<&str>,
    detail: JsonValue,
) -> ApiResult<()> {
    let entry = AuditEntry {
        id: Uuid::new_v4().to_string(),
        tenant_id: caller.tenant_id.clone(),
        actor: caller.key_id.clone(),
        action: action.to_string(),
        invoice_id: invoice.map(str::to_string),
        detail,
        at: Utc::now(),
    };
    Ok(state.repo.append_audit(&entry).await?)
}

/// Audits a read, once per key, invoice, action and minute ([`ReadLog`]).
///
/// [`ReadLog`]: crate::state::ReadLog
pub async fn audit_read(
    state: &SharedState,
    caller: &Caller,
    action: &str,
    id: &str,
) -> ApiResult<()> {
    let minute = Utc::now().timestamp().div_euclid(60);
    if state.reads.first_in_minute(&caller.key_id, id, action, minute) {
        audit(state, caller, action, Some(id), json!({"logged": "once per key and minute"}))
            .await?;
    }
    Ok(())
}

/// An invoice: status, fields with confidence and boxes, line items, errors, extractor.
#[utoipa::path(get, path = "/v1/invoices/{id}", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id")),
    responses((status = 200, description = "The invoice"), (status = 404, description = "No such invoice for this tenant")),
    security(("api_key" = [])))]
pub async fn get_invoice(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<JsonValue>> {
    let record = load(&state, &caller, &id).await?;
    let edits = edits(&state, &caller.tenant_id, &id).await?;
    audit_read(&state, &caller, "read", &id).await?;
    Ok(Json(invoice_view(&record, &edits)?))
}

/// The original file, as uploaded.
#[utoipa::path(get, path = "/v1/invoices/{id}/file", tag = "invoices",
    params(("id" = String, Path, description = "Invoice id")),
    responses((status = 200, description = "The original bytes"), (status = 404, description = "No such invoice")),
    security(("api_key" = [])))]
pub async fn get_file(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let record = load(&state, &caller, &id).await?;
    let bytes = state.blobs.get(&record.blob_key).await?;
    audit_read(&state, &caller, "read_file", &id).await?;
    let disposition = content_disposition(&record.file_name);
    Ok((
        [(header::CONTENT_TYPE, record.content_type), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}

/// `attachment` with the file's name: an ASCII fallback, and the exact name
/// percent-encoded (RFC 6266 `filename*`), so any name is a valid header.
pub(crate) fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let exact = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{exact}")
}

/// The largest amount a filter takes (in absolute value): far above any
/// invoice, and its minor units still fit the amount column (i64).
const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// queued, processing, done, needs_review or failed
    status: Option<String>,
    /// Substring of the supplier name, any case.
    supplier: Option<String>,
    /// Invoice date from (YYYY-MM-DD, inclusive).
    date_from: Option<NaiveDate>,
    date_to: Option<NaiveDate>,
    /// Total amount from (inclusive).
    amount_min: Option<Decimal>,
    amount_max: Option<Decimal>,
    /// Lowest field confidence at least this.
    min_confidence: Option<f64>,
    max_confidence: Option<f64>,
    /// Text search over field values and the file name.
    q: Option<String>,
    /// Page size, 1 to 500 (default 50).
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Lists invoices, newest first, with filters and cursor pagination.
#[utoipa::path(get, path = "/v1/invoices", tag = "invoices", params(ListQuery),
    responses((status = 200, description = "`{invoices: [...], next_cursor}`")),
    security(("api_key" = [])))]
pub async fn list_invoices(
    State(state): State<SharedState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<JsonValue>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let status = match q.status.as_deref() {
        Some(s) => Some(InvoiceStatus::parse(s).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "unknown status {s:?}: use queued, processing, done, needs_review or failed"
            ))
        })?),
        None => None,
    };
    let amount = |name: &str, v: Option<Decimal>| match v {
        Some(a) if a.abs() > Decimal::from(MAX_AMOUNT) => Err(ApiError::BadRequest(format!(
            "{name} {a} is out of range: amounts are at most {MAX_AMOUNT} in absolute value"
        ))),
        _ => Ok(v),
    };
    let confidence = |name: &str, v: Option<f64>| match v {
        Some(c) if !(0.0..=1.0).contains(&c) => {
            Err(ApiError::BadRequest(format!("{name} {c} is out of range: use 0 to 1")))
        }
        _ => Ok(v),
    };
    let filter = InvoiceFilter {
        status,
        supplier: q.supplier.filter(|s| !s.is_empty()),
        date_from: q.date_from,
        date_to: q.date_to,
        amount_min: amount("amount_min", q.amount_min)?,
        amount_max: amount("amount_max", q.amount_max)?,
        min_confidence: confidence("min_confidence", q.min_confidence)?,
        max_confidence: confidence("max_confidence", q.max_confidence)?,
        text: q.q.filter(|s| !s.is_empty()),
        after: q.cursor.as_deref().map(decode_cursor).transpose()?,
        limit: limit + 1,
    };
    let mut rows = state.repo.invoices(&caller.tenant_id, &filter).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(encode_cursor) } else { None };
    Ok(Json(
        json!({"invoices": rows.iter().map(summary_view).collect::<Vec<_>>(), "next_cursor": next_cursor}),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CorrectionRequest {
    /// Field name → corrected value (`null` removes the field).
    #[schema(value_type = Object)]
    fields: BTreeMap<String, JsonValue>,
}

/// Applies field corrections; each is checked by the field's validator.
/// The supplier memory learns where the page prints each corrected value.
#[utoipa::path(patch, path = "/v1/invoices/{id}", tag = "invoices", request_body = CorrectionRequest,
    params(("id" = String, Path, description = "Invoice id")),
    responses((status = 200, description = "The corrected invoice"), (status = 404, description = "No such invoice"),
        (status = 409, description = "Still being processed"), (status = 422, description = "A value fails its validator; the message says why")),
    security(("api_key" = [])))]
pub async fn correct_invoice(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CorrectionRequest>,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Reviewer)?;
    if body.fields.is_empty() {
        return Err(ApiError::BadRequest(
            "no fields to correct: send {\"fields\": {name: value}}".into(),
        ));
    }
    let record = load(&state, &caller, &id).await?;
    require_processed(&record)?;
    let edits = edits(&state, &caller.tenant_id, &id).await?;
    let current = corrected_invoice(&record, &edits)?;
    let new = validated_corrections(&current, &id, &caller.key_id, &body.fields).map_err(|p| {
        let p: Vec<String> = p.iter().map(|(name, why)| format!("{name}: {why}")).collect();
        ApiError::Invalid(p.join("; "))
    })?;
    let (record, edits) = store_corrections(&state, &caller, record, edits, new).await?;
    Ok(Json(invoice_view(&record, &edits)?))
}

/// The corrections `fields` (name → value, `null` removes) make to the
/// `current` invoice, each checked by its field's validator; or every
/// field's problem, as (field name, why).
pub fn validated_corrections(
    current: &Invoice,
    invoice_id: &str,
    by: &str,
    fields: &BTreeMap<String, JsonValue>,
) -> Result<Vec<Correction>, Vec<(String, String)>> {
    let now = Utc::now();
    let mut problems = Vec::new();
    let mut new = Vec::new();
    for (name, value) in fields {
        let Some(field) = FieldName::parse(name) else {
            problems.push((name.clone(), "unknown field".to_string()));
            continue;
        };
        let normal = if value.is_null() {
            JsonValue::Null
        } else {
            match parse_correction(field, value) {
                Ok(v) => v.to_json(),
                Err(why) => {
                    problems.push((name.clone(), why));
                    continue;
                }
            }
        };
        new.push(Correction {
            id: Uuid::new_v4().to_string(),
            invoice_id: invoice_id.to_string(),
            field,
            previous: current.get(field).map(|f| f.value.to_json()),
            value: normal,
            corrected_by: by.to_string(),
            corrected_at: now,
        });
    }
    if problems.is_empty() { Ok(new) } else { Err(problems) }
}

/// Stores `new` corrections after the existing `edits` with the new summary
/// and status, audits them, and teaches the supplier memory; returns the
/// invoice as stored and all its edits.
pub async fn store_corrections(
    state: &SharedState,
    caller: &Caller,
    record: InvoiceRecord,
    mut edits: Edits,
    new: Vec<Correction>,
) -> ApiResult<(InvoiceRecord, Edits)> {
    let id = record.id.clone();
    edits.fields.extend(new.iter().cloned());
    let corrections = &edits.fields;
    let corrected = corrected_invoice(&record, &edits)?;
    let summary = summarize(&corrected, &record.file_name);
    let status = status_after_extraction(&corrected);
    state.repo.add_corrections(&caller.tenant_id, &id, &new, &summary, status).await?;
    let names: Vec<&str> = new.iter().map(|c| c.field.as_str()).collect();
    audit(state, caller, "correct", Some(&id), json!({"fields": names})).await?;
    let record = load(state, caller, &id).await?;
    let fields: Vec<FieldName> = new.iter().map(|c| c.field).collect();
    learn(state, &caller.tenant_id, &record, corrections, Reviewed::Corrected(&fields)).await;
    Ok((record, edits))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LinesRequest {
    /// The invoice's line items as they should be, in order; they replace the
    /// extracted ones. Each is `{description, amount}` with optional
    /// `quantity`, `unit`, `unit_price`, `vat_rate` (percent) and `kind`
    /// (`item`, `allowance` with a negative amount, or `charge`); numbers
    /// may also be text like "1 234,56". `[]` means the invoice has no lines.
    #[schema(value_type = Vec<Object>)]
    lines: Vec<JsonValue>,
}

/// Replaces the invoice's line items with a reviewer's. Every line needs a
/// description and an amount, and quantity × unit price must equal the
/// amount where all three are given. Lines that do not add up to the net
/// amount are stored, and the invoice shows that as a failed check.
#[utoipa::path(put, path = "/v1/invoices/{id}/lines", tag = "review", request_body = LinesRequest,
    params(("id" = String, Path, description = "Invoice id")),
    responses((status = 200, description = "The corrected invoice"), (status = 404, description = "No such invoice"),
        (status = 409, description = "Still being processed"), (status = 422, description = "A line is invalid; the message says which and why")),
    security(("api_key" = [])))]
pub async fn correct_lines(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LinesRequest>,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Reviewer)?;
    let record = load(&state, &caller, &id).await?;
    require_processed(&record)?;
    let edits = edits(&state, &caller.tenant_id, &id).await?;
    let lines = parse_line_corrections(&body.lines).map_err(|p| {
        let p: Vec<String> = p.iter().map(|(n, why)| format!("line {n}: {why}")).collect();
        ApiError::Invalid(p.join("; "))
    })?;
    let (record, edits) = store_lines(&state, &caller, record, edits, lines).await?;
    Ok(Json(invoice_view(&record, &edits)?))
}

/// `Conflict` while the invoice is queued or being read: a person corrects
/// what the extractor has finished.
pub fn require_processed(record: &InvoiceRecord) -> ApiResult<()> {
    if matches!(record.status, InvoiceStatus::Queued | InvoiceStatus::Processing) {
        return Err(ApiError::Conflict(format!(
            "the invoice is {}; correct it once it is processed",
            record.status
        )));
    }
    Ok(())
}

/// Stores a reviewer's `lines` after the existing `edits` with the new
/// summary and status, and audits it; returns the invoice as stored and
/// all its edits.
pub async fn store_lines(
    state: &SharedState,
    caller: &Caller,
    record: InvoiceRecord,
    mut edits: Edits,
    lines: Vec<LineItem>,
) -> ApiResult<(InvoiceRecord, Edits)> {
    let id = record.id.clone();
    let mut corrected = corrected_invoice(&record, &edits)?;
    let correction = LineCorrection {
        id: Uuid::new_v4().to_string(),
        invoice_id: id.clone(),
        previous: std::mem::replace(&mut corrected.line_items, lines.clone()),
        lines,
        corrected_by: caller.key_id.clone(),
        corrected_at: Utc::now(),
    };
    edits.lines.push(correction.clone());
    let summary = summarize(&corrected, &record.file_name);
    let status = status_after_extraction(&corrected);
    state.repo.add_line_correction(&caller.tenant_id, &correction, &summary, status).await?;
    let count = correction.lines.len();
    audit(state, caller, "correct_lines", Some(&id), json!({"lines": count})).await?;
    let record = load(state, caller, &id).await?;
    Ok((record, edits))
}

/// Approves an invoice for booking; the supplier memory learns where the
/// page prints each of its fields.
#[utoipa::path(post, path = "/v1/invoices/{id}/approve", tag = "review",
    params(("id" = String, Path, description = "Invoice id")),
    responses((status = 200, description = "The approved invoice"), (status = 404, description = "No such invoice"),
        (status = 409, description = "Not processed yet, or failed")),
    security(("api_key" = [])))]
pub async fn approve_invoice(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Reviewer)?;
    let (record, edits) = approve(&state, &caller, &id).await?;
    Ok(Json(invoice_view(&record, &edits)?))
}

/// Approves the invoice, audits it and teaches the supplier memory;
/// `Conflict` unless it is processed and not failed.
pub async fn approve(
    state: &SharedState,
    caller: &Caller,
    id: &str,
) -> ApiResult<(InvoiceRecord, Edits)> {
    if !state.repo.approve(&caller.tenant_id, id, &caller.key_id, Utc::now()).await? {
        let record = load(state, caller, id).await?;
        return Err(ApiError::Conflict(format!(
            "an invoice that is {} cannot be approved",
            record.status
        )));
    }
    audit(state, caller, "approve", Some(id), json!({})).await?;
    let record = load(state, caller, id).await?;
    let edits = edits(state, &caller.tenant_id, id).await?;
    learn(state, &caller.tenant_id, &record, &edits.fields, Reviewed::Approved).await;
    Ok((record, edits))
}

/// Erases an invoice, its corrections and its original file (GDPR).
#[utoipa::path(delete, path = "/v1/invoices/{id}", tag = "gdpr",
    params(("id" = String, Path, description = "Invoice id")),
    responses((status = 204, description = "Erased"), (status = 404, description = "No such invoice")),
    security(("api_key" = [])))]
pub async fn delete_invoice(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require(Role::Admin)?;
    erase(&state, &caller.tenant_id, &id, &caller.key_id, "delete").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes the rows, then the blob when nothing else refers to it, and logs it.
pub async fn erase(
    state: &SharedState,
    tenant_id: &str,
    id: &str,
    actor: &str,
    action: &str,
) -> ApiResult<()> {
    let blob = state.repo.delete_invoice(tenant_id, id).await?;
    if let Some(key) = &blob {
        state.blobs.delete(key).await?;
        // The review UI's page images of the file go with it.
        for image in state.blobs.list(&crate::ui::invoice::page_cache_prefix(key)).await? {
            state.blobs.delete(&image).await?;
        }
    }
    let entry = AuditEntry {
        id: Uuid::new_v4().to_string(),
        tenant_id: tenant_id.to_string(),
        actor: actor.to_string(),
        action: action.to_string(),
        invoice_id: Some(id.to_string()),
        detail: json!({"blob_deleted": blob.is_some()}),
        at: Utc::now(),
    };
    Ok(state.repo.append_audit(&entry).await?)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReviewQuery {
    /// At most this many (1 to 200, default 50).
    limit: Option<u32>,
}

/// Invoices that need a person, most uncertain first: most failed checks, then lowest confidence.
#[utoipa::path(get, path = "/v1/review", tag = "review", params(ReviewQuery),
    responses((status = 200, description = "`{invoices: [...]}` with each invoice's failed checks")),
    security(("api_key" = [])))]
pub async fn review_queue(
    State(state): State<SharedState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ReviewQuery>,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Reviewer)?;
    let rows =
        state.repo.review_queue(&caller.tenant_id, q.limit.unwrap_or(50).clamp(1, 200)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for record in &rows {
        let edits = edits(&state, &caller.tenant_id, &record.id).await?;
        let invoice = corrected_invoice(record, &edits)?;
        let mut row = summary_view(record);
        row["checks_failed"] = json!(failed_checks(&invoice));
        out.push(row);
    }
    Ok(Json(json!({"invoices": out})))
}
