//! The job queue: workers claim jobs under a lease, and only the holder of a
//! job's current `lease_token` can finish it, so a result is written exactly
//! once even when a lease ran out and another worker took the job over.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use invex_domain::service::{Job, JobQueue, ProcessedResult, QueueDepth, StoreResult};
use sqlx::AssertSqlSafe;

use super::rows::{self, bind_summary, get, get_time, millis, summary_assignments};
use super::{SqlRepository, db_error};

/// Claims the oldest due job: queued and due, or running with an expired
/// lease. `$1` token, `$2` lease end, `$3` worker, `$4` now.
macro_rules! claim_job_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE jobs SET status = 'running', lease_token = $1, lease_until = $2, ",
            "attempts = attempts + 1, worker = $3, updated_at = $4 ",
            "WHERE id = (SELECT id FROM jobs ",
            "WHERE (status = 'queued' AND run_at <= $4) ",
            "OR (status = 'running' AND lease_until < $4) ",
            "ORDER BY run_at, created_at, id LIMIT 1",
            $lock,
            ") RETURNING id, invoice_id, tenant_id, attempts, lease_token, lease_until"
        )
    };
}
const CLAIM_JOB_SQLITE: &str = claim_job_sql!("");
const CLAIM_JOB_POSTGRES: &str = claim_job_sql!(" FOR UPDATE SKIP LOCKED");

/// The condition under which `$1` (job id) and `$2` (lease token) still hold the job.
const HELD: &str = "id = $1 AND lease_token = $2 AND status = 'running'";

#[async_trait]
impl JobQueue for SqlRepository {
    async fn claim_job(
        &self,
        worker: &str,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Job>> {
        let mut tx = self.begin().await?;
        let token = uuid::Uuid::new_v4().to_string();
        let claimed = sqlx::query(self.pick(CLAIM_JOB_SQLITE, CLAIM_JOB_POSTGRES))
            .bind(&token)
            .bind(millis(now + lease))
            .bind(worker)
            .bind(millis(now))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        let Some(row) = claimed else { return Ok(None) };
        let invoice_id: String = get(&row, "invoice_id")?;
        let invoice = sqlx::query(
            "UPDATE invoices SET status = 'processing', updated_at = $1 WHERE id = $2 \
             RETURNING blob_key, file_name",
        )
        .bind(millis(now))
        .bind(&invoice_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        let job = Job {
            id: get(&row, "id")?,
            invoice_id,
            tenant_id: get(&row, "tenant_id")?,
            blob_key: get(&invoice, "blob_key")?,
            file_name: get(&invoice, "file_name")?,
            attempts: rows::attempts(&row)?,
            lease_token: get(&row, "lease_token")?,
            lease_until: get_time(&row, "lease_until")?,
        };
        tx.commit().await.map_err(db_error)?;
        tracing::debug!(
            job = %job.id,
            invoice = %job.invoice_id,
            worker,
            attempts = job.attempts,
            "job claimed"
        );
        Ok(Some(job))
    }

    async fn extend_lease(&self, job: &Job, until: DateTime<Utc>) -> StoreResult<bool> {
        let sql = format!("UPDATE jobs SET lease_until = $3 WHERE {HELD}");
        let done = sqlx::query(AssertSqlSafe(sql))
            .bind(&job.id)
            .bind(&job.lease_token)
            .bind(millis(until))
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(done.rows_affected() > 0)
    }

    async fn complete_job(
        &self,
        job: &Job,
        result: &ProcessedResult,
        webhook_event: &str,
        webhook_payload: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "UPDATE jobs SET status = 'done', lease_token = NULL, lease_until = NULL, \
             last_error = NULL, updated_at = $3 WHERE {HELD}"
        );
        let held = sqlx::query(AssertSqlSafe(sql))
            .bind(&job.id)
            .bind(&job.lease_token)
            .bind(millis(at))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if held.rows_affected() == 0 {
            tracing::info!(job = %job.id, "lease lost before completion; result dropped");
            return Ok(false);
        }
        let sql = format!(
            "UPDATE invoices SET status = $1, result = $2, extractor = $3, error = $4, \
             error_type = $5, updated_at = $6, {}, words = $17, model_version = $18 WHERE id = $19",
            summary_assignments(7)
        );
        let query = sqlx::query(AssertSqlSafe(sql))
            .bind(result.status.as_str())
            .bind(result.result.to_string())
            .bind(&result.extractor)
            .bind(result.error.as_deref())
            .bind(result.error_type.as_deref())
            .bind(millis(at));
        bind_summary(query, &result.summary)
            .bind(result.words.as_deref())
            .bind(result.model_version.as_deref())
            .bind(&job.invoice_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        // Queued for the tenant's webhook as it is now; the sender looks the
        // webhook up again when it sends.
        sqlx::query(
            "INSERT INTO deliveries (id, tenant_id, invoice_id, event, payload, state, attempts, \
             next_attempt_at, created_at, updated_at) \
             SELECT $1, tenant_id, $2, $3, $4, 'pending', 0, $5, $5, $5 FROM webhooks \
             WHERE tenant_id = $6",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&job.invoice_id)
        .bind(webhook_event)
        .bind(webhook_payload)
        .bind(millis(at))
        .bind(&job.tenant_id)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        tracing::debug!(
            job = %job.id,
            invoice = %job.invoice_id,
            status = %result.status,
            "job done"
        );
        Ok(true)
    }

    async fn fail_job(
        &self,
        job: &Job,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let (job_status, run_at) = match retry_at {
            Some(retry_at) => ("queued", Some(millis(retry_at))),
            None => ("dead", None),
        };
        let sql = format!(
            "UPDATE jobs SET status = $3, run_at = COALESCE($4, run_at), last_error = $5, \
             lease_token = NULL, lease_until = NULL, updated_at = $6 WHERE {HELD}"
        );
        let held = sqlx::query(AssertSqlSafe(sql))
            .bind(&job.id)
            .bind(&job.lease_token)
            .bind(job_status)
            .bind(run_at)
            .bind(error)
            .bind(millis(at))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if held.rows_affected() == 0 {
            return Ok(false);
        }
        let invoice = match retry_at {
            Some(_) => {
                sqlx::query("UPDATE invoices SET status = 'queued', updated_at = $1 WHERE id = $2")
                    .bind(millis(at))
                    .bind(&job.invoice_id)
            }
            None => sqlx::query(
                "UPDATE invoices SET status = 'failed', updated_at = $1, error = $2, \
                 error_type = 'processing_failed' WHERE id = $3",
            )
            .bind(millis(at))
            .bind(error)
            .bind(&job.invoice_id),
        };
        invoice.execute(&mut *tx).await.map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        match retry_at {
            Some(retry_at) => {
                tracing::info!(job = %job.id, %retry_at, error, "job failed; will retry")
            }
            None => {
                tracing::warn!(job = %job.id, invoice = %job.invoice_id, error, "job dead-lettered")
            }
        }
        Ok(true)
    }

    async fn release_job(&self, job: &Job) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "UPDATE jobs SET status = 'queued', attempts = attempts - 1, lease_token = NULL, \
             lease_until = NULL, worker = NULL WHERE {HELD}"
        );
        let held = sqlx::query(AssertSqlSafe(sql))
            .bind(&job.id)
            .bind(&job.lease_token)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        if held.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE invoices SET status = 'queued' WHERE id = $1")
            .bind(&job.invoice_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        tracing::debug!(job = %job.id, "job released");
        Ok(true)
    }

    async fn queue_depth(&self) -> StoreResult<QueueDepth> {
        let found = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM jobs \
             WHERE status IN ('queued', 'running', 'dead') GROUP BY status",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let mut depth = QueueDepth::default();
        for row in &found {
            let n = get::<i64>(row, "n")?.max(0) as u64;
            match get::<String>(row, "status")?.as_str() {
                "queued" => depth.queued = n,
                "running" => depth.running = n,
                _ => depth.dead = n,
            }
        }
        Ok(depth)
    }
}
