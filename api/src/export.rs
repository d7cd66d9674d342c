//! The GDPR tenant export: a zip with `tenant.json`, `audit.json`, and for
//! each invoice `invoices/<id>.json` (the record, its corrections and its
//! corrected view) and `originals/<id>/<file name>`. Built in memory, so it
//! suits tenants whose originals fit in memory; the zip is written on a
//! blocking thread.

use std::io::{Cursor, Write};

use invex_domain::service::InvoiceFilter;
use serde_json::json;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::error::{ApiError, ApiResult};
use crate::routes::invoices::edits;
use crate::routes::view::{invoice_view, timestamp};
use crate::state::SharedState;

pub async fn tenant_export(state: &SharedState, tenant_id: &str) -> ApiResult<Vec<u8>> {
    let tenant = state.repo.tenant(tenant_id).await?.ok_or(ApiError::NotFound)?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let tenant_json = json!({"id": tenant.id, "name": tenant.name, "retention_days": tenant.retention_days,
                             "created_at": timestamp(tenant.created_at)});
    files.push(("tenant.json".into(), pretty(&tenant_json)));
    let mut filter = InvoiceFilter { limit: 200, ..InvoiceFilter::default() };
    loop {
        let page = state.repo.invoices(tenant_id, &filter).await?;
        for record in &page {
            let edits = edits(state, tenant_id, &record.id).await?;
            let body = json!({
                "view": invoice_view(record, &edits)?,
                "extracted": record.result,
                "uploaded_by": record.uploaded_by,
            });
            files.push((format!("invoices/{}.json", record.id), pretty(&body)));
            let original = state.blobs.get(&record.blob_key).await?;
            files.push((
                format!("originals/{}/{}", record.id, safe_name(&record.file_name)),
                original,
            ));
        }
        if !filter.next_page(&page) {
            break;
        }
    }
    let audit = state.repo.audit_entries(tenant_id, u32::MAX).await?;
    files.push(("audit.json".into(), pretty(&json!(audit))));
    tokio::task::spawn_blocking(move || write_zip(files))
        .await
        .map_err(|e| ApiError::Internal(format!("export task: {e}")))?
}

fn write_zip(files: Vec<(String, Vec<u8>)>) -> ApiResult<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(name, options).map_err(|e| ApiError::Internal(format!("zip: {e}")))?;
        zip.write_all(&bytes).map_err(|e| ApiError::Internal(format!("zip: {e}")))?;
    }
    let cursor = zip.finish().map_err(|e| ApiError::Internal(format!("zip: {e}")))?;
    Ok(cursor.into_inner())
}

fn pretty(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_default()
}

/// The file name without directories, so an upload named `../x` stays in its folder.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    if base.is_empty() || base == ".." || base == "." {
        "original".into()
    } else {
        base.to_string()
    }
}
