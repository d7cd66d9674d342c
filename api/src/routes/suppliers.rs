//! The supplier memory through the API: teaching it when a reviewer corrects
//! or approves an invoice ([`learn`]), and listing, reading and erasing it.
//! Every lookup is scoped to the caller's tenant; memory is never shared.
//! Also what reviews say about the layout model versions (`GET /v1/models`).

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use std::sync::Arc;

use invex_domain::memory::{Confirmed, FieldMemory, MemoryStage, SupplierKey, supplier_keys};
use invex_domain::service::review::apply_corrections;
use invex_domain::service::{Correction, InvoiceRecord, Role, StoreError, SupplierRecord};
use invex_domain::{Document, FieldName, Invoice, Source};
use serde::Deserialize;
use serde_json::{Value as JsonValue, json};
use tracing::{info, warn};
use uuid::Uuid;

use super::invoices::audit;
use super::view::extracted_invoice;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::SharedState;

/// What a review confirmed: the fields just corrected, or (`None`) every
/// field of the reviewed invoice.
pub enum Reviewed<'a> {
    Corrected(&'a [FieldName]),
    Approved,
}

/// Teaches the tenant's memory of the invoice's supplier what a review
/// confirmed. Learning never fails the review: the correction or approval
/// is stored already, so a problem here is logged and the memory left as
/// it was.
pub async fn learn(
    state: &SharedState,
    tenant_id: &str,
    record: &InvoiceRecord,
    corrections: &[Correction],
    what: Reviewed<'_>,
) {
    if let Err(e) = try_learn(state, tenant_id, record, corrections, what).await {
        warn!(invoice = %record.id, error = %e, "the supplier memory could not learn from a review");
    }
}

async fn try_learn(
    state: &SharedState,
    tenant_id: &str,
    record: &InvoiceRecord,
    corrections: &[Correction],
    what: Reviewed<'_>,
) -> ApiResult<()> {
    let Some(stage) = state.memory.clone() else { return Ok(()) };
    let Some(words) = state.repo.invoice_words(tenant_id, &record.id).await? else {
        return Ok(());
    };
    let extracted = extracted_invoice(record)?.invoice;
    let mut invoice = extracted.clone();
    apply_corrections(&mut invoice, corrections);
    // The reviewed identifiers, then those as extracted: a supplier whose
    // name the page reading gets wrong is found by that wrong name next time.
    let mut keys = supplier_keys(&invoice);
    for key in supplier_keys(&extracted) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    if keys.is_empty() {
        return Ok(());
    }
    let confirmed: Vec<Confirmed> = match what {
        Reviewed::Corrected(fields) => fields
            .iter()
            .map(|&field| Confirmed {
                field,
                value: invoice.get(field).map(|f| f.value.clone()),
                corrected: true,
            })
            .collect(),
        Reviewed::Approved => invoice
            .fields
            .iter()
            .map(|(&field, f)| Confirmed {
                field,
                value: Some(f.value.clone()),
                corrected: f.source == Source::Human,
            })
            .collect(),
    };
    // Read, learn, save; a save that lost a race with another review of
    // the same supplier is refused by the store, and learning starts again
    // from what that review saved.
    let mut attempt = 0;
    let supplier = loop {
        attempt += 1;
        let known = state.repo.find_supplier(tenant_id, &keys).await?;
        let supplier = teach(&stage, known, tenant_id, &invoice, &keys, &words, &confirmed).await?;
        match state.repo.save_supplier(&supplier, Some(&record.id)).await {
            Ok(()) => break supplier,
            Err(StoreError::Conflict(why)) if attempt < 5 => {
                info!(invoice = %record.id, attempt, %why, "supplier memory saved concurrently; learning again");
            }
            Err(e) => return Err(e.into()),
        }
    };
    info!(supplier = %supplier.id, invoice = %record.id, fields = supplier.memory.len(), "supplier memory learned");
    Ok(())
}

/// The supplier (`known`, or a new one) with its memory taught what the
/// review confirmed on the stored words, and the invoice's keys and name.
async fn teach(
    stage: &Arc<dyn MemoryStage>,
    known: Option<SupplierRecord>,
    tenant_id: &str,
    invoice: &Invoice,
    keys: &[SupplierKey],
    words: &str,
    confirmed: &[Confirmed],
) -> ApiResult<SupplierRecord> {
    let now = Utc::now();
    let mut supplier = known.unwrap_or_else(|| SupplierRecord {
        id: Uuid::new_v4().to_string(),
        tenant_id: tenant_id.to_string(),
        name: None,
        keys: Vec::new(),
        memory: Vec::new(),
        version: 0,
        created_at: now,
        updated_at: now,
    });
    let memory = std::mem::take(&mut supplier.memory);
    let (stage, words, confirmed) = (stage.clone(), words.to_string(), confirmed.to_vec());
    supplier.memory = tokio::task::spawn_blocking(move || {
        let document: Document = serde_json::from_str(&words)
            .map_err(|e| ApiError::Internal(format!("stored words do not decode: {e}")))?;
        Ok::<_, ApiError>(stage.learn(&document, memory, &confirmed))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("the supplier memory crashed: {e}")))??;
    for key in keys {
        if !supplier.keys.contains(key) {
            supplier.keys.push(key.clone());
        }
    }
    supplier.keys.sort_by_key(|k| k.kind);
    if let Some(name) = invoice.get(FieldName::SupplierName) {
        supplier.name = Some(name.value.to_string());
    }
    supplier.updated_at = now;
    Ok(supplier)
}

fn fields_of(memory: &[FieldMemory]) -> Vec<&'static str> {
    memory.iter().map(|m| m.field.as_str()).collect()
}

fn supplier_view(s: &SupplierRecord) -> JsonValue {
    json!({
        "id": s.id,
        "name": s.name,
        "keys": s.keys.iter().map(|k| k.as_key()).collect::<Vec<_>>(),
        "fields": fields_of(&s.memory),
        "created_at": s.created_at.to_rfc3339(),
        "updated_at": s.updated_at.to_rfc3339(),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SuppliersQuery {
    /// At most this many (1 to 500, default 100).
    limit: Option<u32>,
}

/// The suppliers the tenant's memory knows, most recently taught first.
#[utoipa::path(get, path = "/v1/suppliers", tag = "memory", params(SuppliersQuery),
    responses((status = 200, description = "`{suppliers: [{id, name, keys, fields, ...}]}`")),
    security(("api_key" = [])))]
pub async fn list_suppliers(
    State(state): State<SharedState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<SuppliersQuery>,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Reviewer)?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let rows = state.repo.suppliers(&caller.tenant_id, limit).await?;
    Ok(Json(json!({"suppliers": rows.iter().map(supplier_view).collect::<Vec<_>>()})))
}

/// What the memory holds for one supplier: per field, its placements
/// (caption, direction, offset, pattern, zone, hits and misses).
#[utoipa::path(get, path = "/v1/suppliers/{id}/memory", tag = "memory",
    params(("id" = String, Path, description = "Supplier id")),
    responses((status = 200, description = "The supplier and its memory"), (status = 404, description = "No such supplier")),
    security(("api_key" = [])))]
pub async fn get_memory(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Reviewer)?;
    let s = state.repo.supplier(&caller.tenant_id, &id).await?.ok_or(ApiError::NotFound)?;
    let mut view = supplier_view(&s);
    view["memory"] = serde_json::to_value(&s.memory)
        .map_err(|e| ApiError::Internal(format!("memory does not encode: {e}")))?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ForgetQuery {
    /// Forget only this field (a field name such as `invoice_number`); the
    /// whole supplier when absent.
    field: Option<String>,
}

/// Forgets a supplier's memory: one field, or all of it (the supplier and
/// its keys too).
#[utoipa::path(delete, path = "/v1/suppliers/{id}/memory", tag = "memory", params(ForgetQuery,
        ("id" = String, Path, description = "Supplier id")),
    responses((status = 204, description = "Forgotten"), (status = 404, description = "No such supplier, or no memory of that field"),
        (status = 400, description = "Unknown field")),
    security(("api_key" = [])))]
pub async fn delete_memory(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ForgetQuery>,
) -> ApiResult<StatusCode> {
    caller.require(Role::Reviewer)?;
    let Some(name) = q.field else {
        if !state.repo.delete_supplier(&caller.tenant_id, &id).await? {
            return Err(ApiError::NotFound);
        }
        audit(&state, &caller, "forget_supplier", None, json!({"supplier": id})).await?;
        return Ok(StatusCode::NO_CONTENT);
    };
    let field = FieldName::parse(&name)
        .ok_or_else(|| ApiError::BadRequest(format!("unknown field {name:?}")))?;
    let mut s = state.repo.supplier(&caller.tenant_id, &id).await?.ok_or(ApiError::NotFound)?;
    let before: BTreeSet<_> = s.memory.iter().map(|m| m.field).collect();
    s.memory.retain(|m| m.field != field);
    if !before.contains(&field) {
        return Err(ApiError::NotFound);
    }
    s.updated_at = Utc::now();
    state.repo.save_supplier(&s, None).await?;
    audit(
        &state,
        &caller,
        "forget_supplier_field",
        None,
        json!({"supplier": id, "field": field.as_str()}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How often the tenant's reviewers corrected each field: where extraction
/// fails them most.
#[utoipa::path(get, path = "/v1/corrections", tag = "memory",
    responses((status = 200, description = "`{fields: {name: count}, total}`")),
    security(("api_key" = [])))]
pub async fn correction_counts(
    State(state): State<SharedState>,
    caller: Caller,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Reviewer)?;
    let counts = state.repo.correction_counts(Some(&caller.tenant_id)).await?;
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let fields: serde_json::Map<String, JsonValue> =
        counts.into_iter().map(|(f, n)| (f, json!(n))).collect();
    Ok(Json(json!({"fields": fields, "total": total})))
}

/// The layout model versions the workers can run, which one is active, and
/// accuracy from this tenant's reviewed invoices per model version (the
/// share of booked fields no reviewer corrected). Versions are promoted and
/// rolled back by the operator (`invex models promote|rollback`), not per tenant.
#[utoipa::path(get, path = "/v1/models", tag = "memory",
    responses((status = 200, description = "`{active, versions: [...], accuracy: [...]}`")),
    security(("api_key" = [])))]
pub async fn models(
    State(state): State<SharedState>,
    caller: Caller,
) -> ApiResult<Json<JsonValue>> {
    caller.require(Role::Reviewer)?;
    let active = state.repo.active_model_version().await?;
    let versions: Vec<JsonValue> = state
        .repo
        .model_versions()
        .await?
        .into_iter()
        .map(|v| {
            let gate = v.gate_passed();
            json!({
                "id": v.id,
                "name": v.name,
                "parent": v.parent,
                "created_at": v.created_at,
                "active": active.as_deref() == Some(v.id.as_str()),
                "gate_passed": gate,
            })
        })
        .collect();
    let accuracy = state.repo.model_accuracy(Some(&caller.tenant_id)).await?;
    Ok(Json(json!({"active": active, "versions": versions, "accuracy": accuracy})))
}
