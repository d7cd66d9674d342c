//! Invoices: uploads (idempotent per tenant and sha256), the filtered list,
//! the review queue, corrections, approval, erasure and retention.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use invex_domain::LineItem;
use invex_domain::service::{
    Correction, InvoiceFilter, InvoiceRecord, InvoiceStatus, InvoiceStore, InvoiceSummary,
    LineCorrection, NewUpload, StoreError, StoreResult, UploadOutcome,
};
use sqlx::AssertSqlSafe;
use sqlx::{Any, Transaction};

use super::filter::invoice_conditions;
use super::rows::{self, INVOICE_COLUMNS, bind_summary, get, millis, summary_assignments};
use super::{SqlRepository, db_error};

#[async_trait]
impl InvoiceStore for SqlRepository {
    async fn insert_upload(
        &self,
        upload: &NewUpload,
        at: DateTime<Utc>,
    ) -> StoreResult<UploadOutcome> {
        let mut tx = self.begin().await?;
        // ON CONFLICT DO NOTHING settles a race between two uploads of the
        // same file: the second one finds the first one's row below.
        let inserted = sqlx::query(
            "INSERT INTO invoices (id, tenant_id, sha256, file_name, content_type, size_bytes, \
             blob_key, status, uploaded_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9, $9) \
             ON CONFLICT (tenant_id, sha256) DO NOTHING RETURNING id",
        )
        .bind(&upload.id)
        .bind(&upload.tenant_id)
        .bind(&upload.sha256)
        .bind(&upload.file_name)
        .bind(&upload.content_type)
        .bind(i64::try_from(upload.size_bytes).unwrap_or(i64::MAX))
        .bind(&upload.blob_key)
        .bind(&upload.uploaded_by)
        .bind(millis(at))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        if inserted.is_none() {
            let existing =
                sqlx::query("SELECT id FROM invoices WHERE tenant_id = $1 AND sha256 = $2")
                    .bind(&upload.tenant_id)
                    .bind(&upload.sha256)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
            let Some(row) = existing else {
                return Err(StoreError::Conflict("the same upload was erased meanwhile".into()));
            };
            let invoice_id: String = get(&row, "id")?;
            tx.rollback().await.map_err(db_error)?;
            tracing::debug!(tenant = %upload.tenant_id, invoice = %invoice_id, "duplicate upload");
            return Ok(UploadOutcome { invoice_id, duplicate: true });
        }
        sqlx::query(
            "INSERT INTO jobs (id, invoice_id, tenant_id, status, run_at, attempts, created_at, \
             updated_at) VALUES ($1, $2, $3, 'queued', $4, 0, $4, $4)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&upload.id)
        .bind(&upload.tenant_id)
        .bind(millis(at))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        tracing::debug!(tenant = %upload.tenant_id, invoice = %upload.id, "upload queued");
        Ok(UploadOutcome { invoice_id: upload.id.clone(), duplicate: false })
    }

    async fn invoice(&self, tenant_id: &str, id: &str) -> StoreResult<Option<InvoiceRecord>> {
        let sql =
            format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE tenant_id = $1 AND id = $2");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        row.as_ref().map(rows::invoice).transpose()
    }

    async fn invoices(
        &self,
        tenant_id: &str,
        filter: &InvoiceFilter,
    ) -> StoreResult<Vec<InvoiceRecord>> {
        let mut conditions = invoice_conditions(tenant_id, filter);
        let limit = conditions.arg(i64::from(filter.limit));
        let (clause, args) = conditions.finish();
        let sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM invoices {clause} \
             ORDER BY created_at DESC, id DESC LIMIT {limit}"
        );
        let found = sqlx::query_with(AssertSqlSafe(sql), args)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        found.iter().map(rows::invoice).collect()
    }

    async fn add_corrections(
        &self,
        tenant_id: &str,
        invoice_id: &str,
        corrections: &[Correction],
        summary: &InvoiceSummary,
        status: InvoiceStatus,
    ) -> StoreResult<()> {
        // The invoice changed when the last correction was made (or now, for
        // a summary/status change without corrections).
        let at = corrections.iter().map(|c| c.corrected_at).max().unwrap_or_else(Utc::now);
        let mut tx = self.begin().await?;
        set_summary(&mut tx, tenant_id, invoice_id, summary, status, at).await?;
        for c in corrections {
            sqlx::query(
                "INSERT INTO corrections (id, invoice_id, tenant_id, field, previous, value, \
                 corrected_by, corrected_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&c.id)
            .bind(invoice_id)
            .bind(tenant_id)
            .bind(c.field.as_str())
            .bind(c.previous.as_ref().map(|p| p.to_string()))
            .bind(c.value.to_string())
            .bind(&c.corrected_by)
            .bind(millis(c.corrected_at))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        tracing::debug!(
            tenant = %tenant_id,
            invoice = %invoice_id,
            count = corrections.len(),
            "corrections stored"
        );
        Ok(())
    }

    async fn add_line_correction(
        &self,
        tenant_id: &str,
        correction: &LineCorrection,
        summary: &InvoiceSummary,
        status: InvoiceStatus,
    ) -> StoreResult<()> {
        let c = correction;
        let json = |lines: &[LineItem]| {
            serde_json::to_string(lines)
                .map_err(|e| StoreError::Backend(format!("line items not serialisable: {e}")))
        };
        let mut tx = self.begin().await?;
        set_summary(&mut tx, tenant_id, &c.invoice_id, summary, status, c.corrected_at).await?;
        sqlx::query(
            "INSERT INTO line_corrections (id, invoice_id, tenant_id, lines, previous, \
             corrected_by, corrected_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&c.id)
        .bind(&c.invoice_id)
        .bind(tenant_id)
        .bind(json(&c.lines)?)
        .bind(json(&c.previous)?)
        .bind(&c.corrected_by)
        .bind(millis(c.corrected_at))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        tracing::debug!(tenant = %tenant_id, invoice = %c.invoice_id, lines = c.lines.len(), "line items corrected");
        Ok(())
    }

    async fn line_corrections(
        &self,
        tenant_id: &str,
        invoice_id: &str,
    ) -> StoreResult<Vec<LineCorrection>> {
        let found = sqlx::query(
            "SELECT id, invoice_id, lines, previous, corrected_by, corrected_at \
             FROM line_corrections WHERE tenant_id = $1 AND invoice_id = $2 \
             ORDER BY corrected_at, seq",
        )
        .bind(tenant_id)
        .bind(invoice_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        found.iter().map(rows::line_correction).collect()
    }

    async fn invoice_words(&self, tenant_id: &str, id: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT words FROM invoices WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(row.map(|row| get::<Option<String>>(&row, "words")).transpose()?.flatten())
    }

    async fn corrections(&self, tenant_id: &str, invoice_id: &str) -> StoreResult<Vec<Correction>> {
        let found = sqlx::query(
            "SELECT id, invoice_id, field, previous, value, corrected_by, corrected_at \
             FROM corrections WHERE tenant_id = $1 AND invoice_id = $2 ORDER BY corrected_at, seq",
        )
        .bind(tenant_id)
        .bind(invoice_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        found.iter().map(rows::correction).collect()
    }

    async fn review_queue(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<InvoiceRecord>> {
        // Round by round across suppliers: each supplier's most uncertain
        // invoice first, then each one's second, ...; within a round, most
        // uncertain first. An invoice without a supplier name is its own.
        const UNCERTAIN_FIRST: &str =
            "failed_checks DESC, min_confidence ASC NULLS FIRST, created_at ASC, id ASC";
        let sql = format!(
            "SELECT {INVOICE_COLUMNS} FROM (SELECT *, ROW_NUMBER() OVER (\
             PARTITION BY COALESCE(supplier_search, id) ORDER BY {UNCERTAIN_FIRST}) AS round \
             FROM invoices WHERE tenant_id = $1 AND status = 'needs_review') queue \
             ORDER BY round, {UNCERTAIN_FIRST} LIMIT $2"
        );
        let found = sqlx::query(AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        found.iter().map(rows::invoice).collect()
    }

    async fn approve(
        &self,
        tenant_id: &str,
        id: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE invoices \
             SET status = 'done', approved_by = $1, approved_at = $2, updated_at = $2 \
             WHERE tenant_id = $3 AND id = $4 AND status IN ('done', 'needs_review')",
        )
        .bind(by)
        .bind(millis(at))
        .bind(tenant_id)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_invoice(&self, tenant_id: &str, id: &str) -> StoreResult<Option<String>> {
        let mut tx = self.begin().await?;
        let found = sqlx::query("SELECT blob_key FROM invoices WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        let Some(row) = found else { return Err(StoreError::NotFound) };
        let blob_key: String = get(&row, "blob_key")?;
        super::suppliers::forget_learned_from(&mut tx, tenant_id, id).await?;
        for table in ["corrections", "line_corrections", "jobs", "deliveries"] {
            let sql = format!("DELETE FROM {table} WHERE invoice_id = $1");
            sqlx::query(AssertSqlSafe(sql)).bind(id).execute(&mut *tx).await.map_err(db_error)?;
        }
        sqlx::query("DELETE FROM invoices WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        let still_used = sqlx::query("SELECT COUNT(*) AS n FROM invoices WHERE blob_key = $1")
            .bind(&blob_key)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
        let still_used: i64 = get(&still_used, "n")?;
        tx.commit().await.map_err(db_error)?;
        tracing::info!(
            tenant = %tenant_id,
            invoice = %id,
            blob_shared = still_used > 0,
            "invoice erased"
        );
        Ok((still_used == 0).then_some(blob_key))
    }

    async fn expired_invoices(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<(String, String)>> {
        let found = sqlx::query(
            "SELECT i.tenant_id, i.id FROM invoices i JOIN tenants t ON t.id = i.tenant_id \
             WHERE t.retention_days IS NOT NULL \
             AND i.created_at < $1 - t.retention_days * 86400000 \
             ORDER BY i.created_at, i.id LIMIT $2",
        )
        .bind(millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        found.iter().map(|row| Ok((get(row, "tenant_id")?, get(row, "id")?))).collect()
    }

    async fn status_counts(&self) -> StoreResult<Vec<(InvoiceStatus, u64)>> {
        let found = sqlx::query("SELECT status, COUNT(*) AS n FROM invoices GROUP BY status")
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        // Every status, zeros included, in a fixed order: steady metrics.
        let mut counts: Vec<(InvoiceStatus, u64)> =
            InvoiceStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for row in &found {
            let status = rows::status(&get::<String>(row, "status")?)?;
            let n: i64 = get(row, "n")?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == status) {
                slot.1 = n.max(0) as u64;
            }
        }
        Ok(counts)
    }

    async fn correction_counts(&self, tenant_id: Option<&str>) -> StoreResult<Vec<(String, u64)>> {
        let found = sqlx::query(
            "SELECT field, COUNT(*) AS n FROM corrections \
             WHERE $1 IS NULL OR tenant_id = $1 GROUP BY field ORDER BY field",
        )
        .bind(tenant_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        found
            .iter()
            .map(|row| Ok((get::<String>(row, "field")?, get::<i64>(row, "n")?.max(0) as u64)))
            .collect()
    }
}

/// Sets an invoice's summary and status after a review (`at` is when it
/// changed), in `tx`; `NotFound` when the tenant has no such invoice.
async fn set_summary(
    tx: &mut Transaction<'static, Any>,
    tenant_id: &str,
    invoice_id: &str,
    summary: &InvoiceSummary,
    status: InvoiceStatus,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let sql = format!(
        "UPDATE invoices SET status = $1, updated_at = $2, {} \
         WHERE tenant_id = $13 AND id = $14",
        summary_assignments(3)
    );
    let query = sqlx::query(AssertSqlSafe(sql)).bind(status.as_str()).bind(millis(at));
    let updated = bind_summary(query, summary)
        .bind(tenant_id)
        .bind(invoice_id)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
