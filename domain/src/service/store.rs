//! The storage boundary of the upload service: an invoice [`Repository`]
//! (SQLite or PostgreSQL in `invex-storage`) and a [`BlobStore`] for the
//! original files (a local folder or S3).
//!
//! Every method that takes a `tenant_id` only ever sees that tenant's rows:
//! a row of another tenant is reported as absent, never as forbidden.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value as Json;
use thiserror::Error;

use super::records::*;
use crate::memory::SupplierKey;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database or blob store failed; the message is for logs, not clients.
    #[error("storage backend: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait TenantStore: Send + Sync {
    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    async fn tenant(&self, id: &str) -> StoreResult<Option<Tenant>>;
    async fn tenant_by_name(&self, name: &str) -> StoreResult<Option<Tenant>>;
    async fn tenants(&self) -> StoreResult<Vec<Tenant>>;
    async fn set_retention(&self, tenant_id: &str, days: Option<u32>) -> StoreResult<()>;
    async fn insert_key(&self, key: &ApiKey) -> StoreResult<()>;
    async fn key(&self, id: &str) -> StoreResult<Option<ApiKey>>;
    async fn keys(&self, tenant_id: &str) -> StoreResult<Vec<ApiKey>>;
    /// Returns false when the tenant has no such unrevoked key.
    async fn revoke_key(&self, tenant_id: &str, id: &str, at: DateTime<Utc>) -> StoreResult<bool>;
    /// Counts one request of key `key_id` in rate window `window` (minutes
    /// since the epoch) and returns the window's count so far, this one
    /// included, and the previous window's count: shared by every process
    /// on the store. Windows older than the previous one may be deleted.
    async fn count_request(&self, key_id: &str, window: i64) -> StoreResult<(u64, u64)>;
}

#[async_trait]
pub trait InvoiceStore: Send + Sync {
    /// Records an upload and queues its job, in one transaction. When the
    /// tenant already has a file with the same sha256, nothing is written and
    /// the earlier invoice's id comes back with `duplicate: true`.
    async fn insert_upload(
        &self,
        upload: &NewUpload,
        at: DateTime<Utc>,
    ) -> StoreResult<UploadOutcome>;
    async fn invoice(&self, tenant_id: &str, id: &str) -> StoreResult<Option<InvoiceRecord>>;
    /// Newest first, at most `filter.limit` rows.
    async fn invoices(
        &self,
        tenant_id: &str,
        filter: &InvoiceFilter,
    ) -> StoreResult<Vec<InvoiceRecord>>;
    /// Stores corrections and the summary/status they lead to, in one
    /// transaction. The extracted result is left as it was.
    async fn add_corrections(
        &self,
        tenant_id: &str,
        invoice_id: &str,
        corrections: &[Correction],
        summary: &InvoiceSummary,
        status: InvoiceStatus,
    ) -> StoreResult<()>;
    /// Stores a reviewer's line items and the summary/status they lead to,
    /// in one transaction. The extracted result is left as it was.
    async fn add_line_correction(
        &self,
        tenant_id: &str,
        correction: &LineCorrection,
        summary: &InvoiceSummary,
        status: InvoiceStatus,
    ) -> StoreResult<()>;
    /// The invoice's line corrections, oldest first.
    async fn line_corrections(
        &self,
        tenant_id: &str,
        invoice_id: &str,
    ) -> StoreResult<Vec<LineCorrection>>;
    /// The words stored with the invoice's result (JSON), if any.
    async fn invoice_words(&self, tenant_id: &str, id: &str) -> StoreResult<Option<String>>;
    /// Oldest first.
    async fn corrections(&self, tenant_id: &str, invoice_id: &str) -> StoreResult<Vec<Correction>>;
    /// Invoices in `needs_review`, most uncertain first (most failed checks,
    /// then lowest field confidence, then oldest), spread across suppliers:
    /// every supplier's most uncertain invoice comes before any supplier's
    /// second, so one bad supplier does not fill the queue.
    async fn review_queue(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<InvoiceRecord>>;
    /// Marks a `done` or `needs_review` invoice approved (status `done`).
    /// Returns false when there is no such invoice in an approvable state.
    async fn approve(
        &self,
        tenant_id: &str,
        id: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Erases the invoice with its corrections, jobs and pending deliveries,
    /// and the memory of every supplier that learned from it.
    /// Returns its blob key when no other invoice still refers to that blob,
    /// so that the caller deletes the blob too; `Err(NotFound)` when absent.
    async fn delete_invoice(&self, tenant_id: &str, id: &str) -> StoreResult<Option<String>>;
    /// `(tenant_id, invoice_id)` of invoices older than their tenant's retention.
    async fn expired_invoices(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<(String, String)>>;
    /// Counts per status, for the metrics.
    async fn status_counts(&self) -> StoreResult<Vec<(InvoiceStatus, u64)>>;
    /// Corrections per field name, of one tenant or (`None`) of all, for the
    /// metrics: which fields people fix most.
    async fn correction_counts(&self, tenant_id: Option<&str>) -> StoreResult<Vec<(String, u64)>>;
}

#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Claims the oldest due job: a queued one whose `run_at` has come, or a
    /// running one whose lease expired (its worker died). Marks the invoice
    /// `processing`. PostgreSQL uses `FOR UPDATE SKIP LOCKED`; SQLite's single
    /// writer makes the one `UPDATE ... RETURNING` atomic.
    async fn claim_job(
        &self,
        worker: &str,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Job>>;
    /// Pushes the lease out; false when the lease was lost.
    async fn extend_lease(&self, job: &Job, until: DateTime<Utc>) -> StoreResult<bool>;
    /// Writes the result, marks the job done and, when the tenant has a
    /// webhook, queues `webhook_payload` for delivery, in one transaction and
    /// only while `job.lease_token` still holds the job. False (and nothing
    /// written) when the lease was lost: another worker owns the job now.
    async fn complete_job(
        &self,
        job: &Job,
        result: &ProcessedResult,
        webhook_event: &str,
        webhook_payload: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Records a failed attempt. With `retry_at` the job is queued again for
    /// then; without it the job is dead-lettered and the invoice `failed`
    /// with the error. False when the lease was lost.
    async fn fail_job(
        &self,
        job: &Job,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Gives the job back untouched (graceful shutdown), without using up an attempt.
    async fn release_job(&self, job: &Job) -> StoreResult<bool>;
    async fn queue_depth(&self) -> StoreResult<QueueDepth>;
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn set_webhook(&self, webhook: &Webhook) -> StoreResult<()>;
    async fn webhook(&self, tenant_id: &str) -> StoreResult<Option<Webhook>>;
    async fn delete_webhook(&self, tenant_id: &str) -> StoreResult<bool>;
    /// Claims the oldest due delivery for `lease` (another sender takes it
    /// over if this one dies).
    async fn claim_delivery(
        &self,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Delivery>>;
    async fn record_attempt(
        &self,
        delivery: &Delivery,
        attempt: &DeliveryAttempt,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Newest first.
    async fn deliveries(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<DeliveryLog>>;
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// Oldest first.
    async fn audit_entries(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<AuditEntry>>;
}

/// The supplier memory's suppliers, per tenant.
#[async_trait]
pub trait SupplierStore: Send + Sync {
    /// The supplier that the first of `keys` (strongest first) to name one names.
    async fn find_supplier(
        &self,
        tenant_id: &str,
        keys: &[SupplierKey],
    ) -> StoreResult<Option<SupplierRecord>>;
    /// Creates (version 0) or replaces the supplier's record and memory,
    /// adds its keys (a key another supplier of the tenant holds stays
    /// theirs), and records that the memory was learned from invoice
    /// `learned_from`, so that erasing that invoice erases the memory.
    /// `Err(Conflict)`, with nothing written, when the stored version is no
    /// longer the one `supplier` was read at, or when a new supplier's keys
    /// all belong to another supplier already: another review saved first,
    /// and the caller reads again and retries.
    async fn save_supplier(
        &self,
        supplier: &SupplierRecord,
        learned_from: Option<&str>,
    ) -> StoreResult<()>;
    async fn supplier(&self, tenant_id: &str, id: &str) -> StoreResult<Option<SupplierRecord>>;
    /// Most recently taught first, at most `limit`.
    async fn suppliers(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<SupplierRecord>>;
    /// Forgets the supplier: its memory, keys and record. False when absent.
    async fn delete_supplier(&self, tenant_id: &str, id: &str) -> StoreResult<bool>;
}

/// Layout model versions and which one the workers run (shared by every
/// tenant). Active is what [`active_model`] makes of the event log.
#[async_trait]
pub trait ModelStore: Send + Sync {
    /// `Err(Conflict)` when the id exists.
    async fn insert_model_version(&self, version: &ModelVersion) -> StoreResult<()>;
    async fn model_version(&self, id: &str) -> StoreResult<Option<ModelVersion>>;
    /// Newest first.
    async fn model_versions(&self) -> StoreResult<Vec<ModelVersion>>;
    /// Replaces a version's metrics (the gate's report).
    async fn set_model_metrics(&self, id: &str, metrics: &Json) -> StoreResult<()>;
    /// Appends a promotion or rollback; `Err(NotFound)` when a promotion
    /// names an unknown version.
    async fn append_model_event(&self, event: &ModelEvent) -> StoreResult<()>;
    /// Oldest first.
    async fn model_events(&self) -> StoreResult<Vec<ModelEvent>>;
    /// The active version's id; `None` for the workers' built-in model.
    async fn active_model_version(&self) -> StoreResult<Option<String>> {
        Ok(active_model(&self.model_events().await?))
    }
    /// Accuracy from approved invoices per model version, of one tenant or all.
    async fn model_accuracy(&self, tenant_id: Option<&str>) -> StoreResult<Vec<ModelAccuracy>>;
}

/// What the review UI keeps: browser sessions, the tenant's UI language,
/// and the reads behind the invoice page's audit trail and the dashboard.
#[async_trait]
pub trait UiStore: Send + Sync {
    async fn create_session(&self, session: &UiSession) -> StoreResult<()>;
    /// The session whose token hashes to `token_hash`, if it has not expired
    /// at `now` and its API key is not revoked.
    async fn session(&self, token_hash: &str, now: DateTime<Utc>)
    -> StoreResult<Option<UiSession>>;
    /// Signs out; deleting an absent session is not an error.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Deletes sessions expired at `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    /// `sv` or `en`; `None` until an admin chooses.
    async fn tenant_language(&self, tenant_id: &str) -> StoreResult<Option<String>>;
    async fn set_tenant_language(&self, tenant_id: &str, language: &str) -> StoreResult<()>;
    /// The audit log of one invoice, oldest first, at most `limit`.
    async fn invoice_audit(
        &self,
        tenant_id: &str,
        invoice_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<AuditEntry>>;
    /// How many of the tenant's invoices wait for a worker (queued or being read).
    async fn waiting(&self, tenant_id: &str) -> StoreResult<u64>;
    /// The invoices uploaded in `[from, to)`, oldest first, with what the
    /// dashboard counts of each.
    async fn activity(
        &self,
        tenant_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<ActivityRow>>;
}

/// Everything the service keeps in its database.
#[async_trait]
pub trait Repository:
    TenantStore
    + InvoiceStore
    + UiStore
    + JobQueue
    + WebhookStore
    + AuditLog
    + SupplierStore
    + ModelStore
    + crate::fallback::LlmStore
{
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
    /// A cheap round trip, for `/health/ready`.
    async fn ping(&self) -> StoreResult<()>;
}

/// Where original files live, by key. Writes are durable when `put` returns.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// "local" or "s3".
    fn kind(&self) -> &'static str;
    async fn put(&self, key: &str, bytes: &[u8]) -> StoreResult<()>;
    /// `Err(NotFound)` when absent.
    async fn get(&self, key: &str) -> StoreResult<Vec<u8>>;
    async fn exists(&self, key: &str) -> StoreResult<bool>;
    /// Deleting an absent key is not an error.
    async fn delete(&self, key: &str) -> StoreResult<()>;
    /// Keys under `prefix`, sorted.
    async fn list(&self, prefix: &str) -> StoreResult<Vec<String>>;
    /// A cheap round trip, for `/health/ready`.
    async fn ping(&self) -> StoreResult<()>;
}
