//! `GET /v1/bookings`: the tenant's approved invoices, booked and written as
//! SIE 4I (one `.se` file) or PEPPOL BIS 3 (a zip of one UBL document per
//! invoice). Only invoices a person approved are exported, each as the
//! reviewers left it (corrections and line items applied); an invoice that
//! cannot be booked is named with why (`skipped.txt` in the zip, the
//! `X-Invex-Skipped` header and the audit log).

use std::io::Write;

use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::Response;
use chrono::NaiveDate;
use invex_domain::service::{InvoiceFilter, InvoiceStatus, Role};
use invex_domain::{Export, Invoice};
use serde::Deserialize;
use serde_json::json;

use super::invoices::{audit, content_disposition, edits};
use super::view::corrected_invoice;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::SharedState;

/// At most this many invoices in one export; narrow the dates for more.
const MAX_EXPORTED: usize = 5_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// `sie` (SIE 4I) or `peppol` (PEPPOL BIS 3 UBL, zipped).
    format: String,
    /// Approved on or after this day (YYYY-MM-DD, UTC).
    from: Option<NaiveDate>,
    /// Approved on or before this day (YYYY-MM-DD, UTC).
    to: Option<NaiveDate>,
}

/// The approved invoices (oldest approval first) booked and written in
/// `format`. Invoices still waiting for a person are never exported.
#[utoipa::path(get, path = "/v1/bookings", tag = "review", params(ExportQuery),
    responses((status = 200, description = "SIE 4I (`text/plain`) or a zip of PEPPOL UBL documents; `X-Invex-Exported` and `X-Invex-Skipped` count the invoices"),
        (status = 400, description = "Unknown format or dates"), (status = 404, description = "This service has no booking export"),
        (status = 422, description = "Nothing could be written (SIE without the company's name in the booking config)")),
    security(("api_key" = [])))]
pub async fn export(
    State(state): State<SharedState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    caller.require(Role::Reviewer)?;
    let exporter = state.exports.clone().ok_or(ApiError::NotFound)?;
    if !exporter.formats().contains(&q.format.as_str()) {
        return Err(ApiError::BadRequest(format!(
            "format {:?} is not one of {}",
            q.format,
            exporter.formats().join(", ")
        )));
    }
    if let (Some(from), Some(to)) = (q.from, q.to)
        && from > to
    {
        return Err(ApiError::BadRequest(format!("from {from} is after to {to}")));
    }
    let approved = approved_invoices(&state, &caller.tenant_id, q.from, q.to).await?;
    let count = approved.len();
    let format = q.format.clone();
    let out = tokio::task::spawn_blocking(move || exporter.export(&format, &approved))
        .await
        .map_err(|e| ApiError::Internal(format!("the export stopped: {e}")))?
        .map_err(|why| ApiError::Invalid(format!("nothing exported: {why}")))?;
    // Every approved invoice is written (one SIE voucher, one PEPPOL
    // document) or skipped with why.
    let exported = count.saturating_sub(out.skipped.len());
    let skipped: Vec<String> = out.skipped.iter().map(|(s, why)| format!("{s}: {why}")).collect();
    let detail = json!({"format": q.format, "approved": count, "files": out.files.len(), "skipped": skipped});
    audit(&state, &caller, "export", None, detail).await?;
    let (content_type, name, bytes) = match q.format.as_str() {
        "sie" => {
            let bytes = out.files.into_iter().next().map(|f| f.bytes).unwrap_or_default();
            ("text/plain; charset=IBM437", "invex.se", bytes)
        }
        _ => ("application/zip", "invex-peppol.zip", zipped(&out)?),
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_DISPOSITION, content_disposition(name))
        .header("x-invex-exported", exported.to_string())
        .header("x-invex-skipped", out.skipped.len().to_string())
        .body(Body::from(bytes))
        .map_err(|e| ApiError::Internal(format!("export response: {e}")))
}

/// The tenant's approved invoices, as the reviewers left them, with the
/// file name as their source; approved within `from..=to` when given.
async fn approved_invoices(
    state: &SharedState,
    tenant_id: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ApiResult<Vec<(String, Invoice)>> {
    let mut out = Vec::new();
    let mut filter =
        InvoiceFilter { status: Some(InvoiceStatus::Done), limit: 200, ..InvoiceFilter::default() };
    loop {
        let page = state.repo.invoices(tenant_id, &filter).await?;
        for record in &page {
            let Some(at) = record.approved_at.filter(|_| record.approved_by.is_some()) else {
                continue;
            };
            let day = at.date_naive();
            if from.is_some_and(|f| day < f) || to.is_some_and(|t| day > t) {
                continue;
            }
            let edits = edits(state, tenant_id, &record.id).await?;
            out.push((at, record.file_name.clone(), corrected_invoice(record, &edits)?));
            if out.len() > MAX_EXPORTED {
                return Err(ApiError::BadRequest(format!(
                    "more than {MAX_EXPORTED} approved invoices: narrow from and to"
                )));
            }
        }
        if !filter.next_page(&page) {
            break;
        }
    }
    out.sort_by_key(|(at, _, _)| *at);
    Ok(out.into_iter().map(|(_, name, invoice)| (name, invoice)).collect())
}

/// The export's documents in one zip, with `skipped.txt` when any was skipped.
fn zipped(out: &Export) -> ApiResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let fail = |e: &dyn std::fmt::Display| ApiError::Internal(format!("export zip: {e}"));
    for f in &out.files {
        zip.start_file(f.name.as_str(), options).map_err(|e| fail(&e))?;
        zip.write_all(&f.bytes).map_err(|e| fail(&e))?;
    }
    if !out.skipped.is_empty() {
        zip.start_file("skipped.txt", options).map_err(|e| fail(&e))?;
        for (source, why) in &out.skipped {
            writeln!(zip, "{source}: {why}").map_err(|e| fail(&e))?;
        }
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}
