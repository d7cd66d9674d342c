//! The rows the upload service keeps: tenants, API keys, invoices with their
//! results, corrections, jobs, webhook deliveries and the audit log.
//!
//! Ids are UUID strings made by the caller, timestamps are UTC, and amounts
//! are kept in minor units (öre) where the database filters on them.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::invoice::{FieldName, LineItem};

/// What a key may do. Ordered: an admin may do everything a reviewer may,
/// and a reviewer everything an uploader may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Uploader,
    Reviewer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Uploader => "uploader",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        [Role::Uploader, Role::Reviewer, Role::Admin].into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    /// Invoices older than this many days are erased by the retention sweeper.
    pub retention_days: Option<u32>,
    pub created_at: DateTime<Utc>,
}

/// An API key as stored: only the argon2 hash of its secret.
#[derive(Clone, PartialEq)]
pub struct ApiKey {
    pub id: String,
    pub tenant_id: String,
    pub role: Role,
    pub name: String,
    /// PHC string (`$argon2id$...`) of the secret part of the key.
    pub secret_hash: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("role", &self.role)
            .field("name", &self.name)
            .field("secret_hash", &"<hidden>")
            .field("revoked_at", &self.revoked_at)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Queued,
    Processing,
    Done,
    NeedsReview,
    Failed,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 5] = [
        InvoiceStatus::Queued,
        InvoiceStatus::Processing,
        InvoiceStatus::Done,
        InvoiceStatus::NeedsReview,
        InvoiceStatus::Failed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Queued => "queued",
            InvoiceStatus::Processing => "processing",
            InvoiceStatus::Done => "done",
            InvoiceStatus::NeedsReview => "needs_review",
            InvoiceStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<InvoiceStatus> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for InvoiceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An upload about to be recorded. The blob is already durable under `blob_key`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUpload {
    pub id: String,
    pub tenant_id: String,
    /// Hex sha256 of the file; uploads are idempotent per tenant on it.
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: u64,
    pub blob_key: String,
    pub uploaded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadOutcome {
    pub invoice_id: String,
    /// True when the tenant had already uploaded the same bytes; the id is the earlier one.
    pub duplicate: bool,
}

/// The columns the list filters and the review queue use, computed from the
/// (corrected) extraction result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    pub supplier_name: Option<String>,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<NaiveDate>,
    pub total_amount: Option<Decimal>,
    pub currency: Option<String>,
    /// The lowest confidence over the extracted fields; 0 when none was found.
    pub min_confidence: Option<f64>,
    /// How many fields fail their validator (Luhn, VAT form, arithmetic, ...).
    pub failed_checks: u32,
    /// Lower-cased text of every field value, for `?q=` search.
    pub search_text: String,
}

/// An invoice with its processing state and result.
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceRecord {
    pub id: String,
    pub tenant_id: String,
    pub sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: u64,
    pub blob_key: String,
    pub status: InvoiceStatus,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The extraction as `invex extract` writes it (`Prediction::to_json`), as
    /// the extractor produced it; corrections are kept apart.
    pub result: Option<Json>,
    pub extractor: Option<String>,
    pub error: Option<String>,
    pub error_type: Option<String>,
    pub summary: InvoiceSummary,
    /// The layout model version that made the result, when a model did.
    pub model_version: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
}

/// What a worker writes when it has processed an invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessedResult {
    pub status: InvoiceStatus,
    pub result: Json,
    pub extractor: String,
    pub error: Option<String>,
    pub error_type: Option<String>,
    pub summary: InvoiceSummary,
    /// The page's words (a [`crate::Document`] as JSON), kept so that a
    /// review can teach the supplier memory where each field is printed.
    pub words: Option<String>,
    /// The layout model version that made the result, when a model did.
    pub model_version: Option<String>,
}

/// A reviewer's correction of one field. The extracted value stays in the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    pub id: String,
    pub invoice_id: String,
    pub field: FieldName,
    /// The value before this correction (extracted or an earlier correction).
    pub previous: Option<Json>,
    pub value: Json,
    /// The id of the API key that made it.
    pub corrected_by: String,
    pub corrected_at: DateTime<Utc>,
}

/// A reviewer's line items: the whole list as the person left it, which
/// replaces the extracted lines (the newest such correction wins). The
/// extracted lines stay in the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineCorrection {
    pub id: String,
    pub invoice_id: String,
    pub lines: Vec<LineItem>,
    /// The lines before this correction (extracted or an earlier correction).
    pub previous: Vec<LineItem>,
    /// The id of the API key that made it.
    pub corrected_by: String,
    pub corrected_at: DateTime<Utc>,
}

/// Filters for listing invoices. Every filter is optional; the list is newest
/// first, and `after` is the last row of the previous page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvoiceFilter {
    pub status: Option<InvoiceStatus>,
    /// Case-insensitive substring of the supplier name.
    pub supplier: Option<String>,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub amount_min: Option<Decimal>,
    pub amount_max: Option<Decimal>,
    pub min_confidence: Option<f64>,
    pub max_confidence: Option<f64>,
    /// Case-insensitive substring of any field value or the file name.
    pub text: Option<String>,
    pub after: Option<PageCursor>,
    pub limit: u32,
}

impl InvoiceFilter {
    /// Moves the filter past `page`, the rows it just listed: `true` when
    /// the page was full, so another may follow. For walking every match:
    /// `loop { let page = repo.invoices(t, &f).await?; ...; if !f.next_page(&page) { break } }`.
    pub fn next_page(&mut self, page: &[InvoiceRecord]) -> bool {
        match page.last() {
            Some(last) if page.len() >= self.limit as usize => {
                self.after = Some(PageCursor { created_at: last.created_at, id: last.id.clone() });
                true
            }
            _ => false,
        }
    }
}

/// Position in the newest-first invoice list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    pub created_at: DateTime<Utc>,
    pub id: String,
}

/// A claimed job: the worker holds it until `lease_until`, and only the
/// holder of `lease_token` may finish it.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    pub invoice_id: String,
    pub tenant_id: String,
    pub blob_key: String,
    pub file_name: String,
    /// Attempts including this one.
    pub attempts: u32,
    pub lease_token: String,
    pub lease_until: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueDepth {
    pub queued: u64,
    pub running: u64,
    pub dead: u64,
}

/// A tenant's webhook: where to POST and the HMAC secret to sign with.
#[derive(Clone, PartialEq)]
pub struct Webhook {
    pub tenant_id: String,
    pub url: String,
    pub secret: String,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("tenant_id", &self.tenant_id)
            .field("url", &self.url)
            .field("secret", &"<hidden>")
            .finish()
    }
}

/// A webhook delivery due to be sent (claimed under a lease like a job).
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub tenant_id: String,
    pub event: String,
    pub payload: String,
    /// Attempts including this one.
    pub attempts: u32,
    pub webhook: Webhook,
}

/// The outcome of one delivery attempt, as logged.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryAttempt {
    pub status_code: Option<u16>,
    pub error: Option<String>,
    pub delivered: bool,
    /// When to try again; `None` with `delivered == false` gives up.
    pub retry_at: Option<DateTime<Utc>>,
}

/// One row of the delivery log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryLog {
    pub id: String,
    pub event: String,
    pub state: String,
    pub attempts: u32,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An audit-log entry. The log is append-only: nothing updates or deletes it,
/// not even erasure (which itself is logged, without the erased content).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: String,
    pub tenant_id: String,
    /// Key id, or `system` for the sweeper and workers.
    pub actor: String,
    /// upload, read, correct, approve, export, delete, retention_delete, key_create, key_revoke, webhook_set
    pub action: String,
    pub invoice_id: Option<String>,
    pub detail: Json,
    pub at: DateTime<Utc>,
}

/// One supplier of a tenant, as the supplier memory knows it: its
/// identifiers, and what reviews taught about its invoices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplierRecord {
    pub id: String,
    pub tenant_id: String,
    pub name: Option<String>,
    /// Strongest first; each key names at most one supplier of the tenant.
    pub keys: Vec<crate::memory::SupplierKey>,
    pub memory: Vec<crate::memory::FieldMemory>,
    /// The stored version this record was read at; 0 for a new supplier.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A layout model version the service knows (issue 14, part 2). Its files
/// live in the blob store under [`ModelVersion::blob_prefix`]; workers copy
/// them to a local cache before loading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelVersion {
    pub id: String,
    /// The version it was fine-tuned from; `None` for one trained from
    /// scratch or imported.
    pub parent: Option<String>,
    /// The model's own name and version (its manifest), for people.
    pub name: String,
    /// SHA-256 of the training data, when known.
    pub data_hash: Option<String>,
    /// The gate's report (or any metrics given at registration), JSON.
    pub metrics: Option<Json>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

impl ModelVersion {
    /// Where this version's files are in the blob store.
    pub fn blob_prefix(&self) -> String {
        model_blob_prefix(&self.id)
    }

    /// The gate's verdict, when the version has been through it.
    pub fn gate_passed(&self) -> Option<bool> {
        self.metrics.as_ref()?.get("promote")?.as_bool()
    }
}

/// Where the files of model version `id` are in the blob store.
pub fn model_blob_prefix(id: &str) -> String {
    format!("models/{id}/")
}

/// A promotion or a rollback, as the `model_events` log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelEvent {
    /// `promote` or `rollback`.
    pub action: String,
    /// The version made active; `None` for the built-in model.
    pub version: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Which version is active after `events` (oldest first): a promotion
/// stacks its version, a rollback returns to the one below it. `None` is
/// the model the workers were started with.
pub fn active_model(events: &[ModelEvent]) -> Option<String> {
    let mut stack = Vec::new();
    for event in events {
        match event.action.as_str() {
            "promote" => stack.extend(event.version.clone()),
            _ => {
                stack.pop();
            }
        }
    }
    stack.pop()
}

/// Accuracy from reviewed (approved) invoices, per model version: the share
/// of the fields a reviewer did not have to correct.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelAccuracy {
    /// `None`: invoices made without a model version (rules alone, or
    /// before versions were recorded).
    pub model_version: Option<String>,
    pub reviewed_invoices: u64,
    pub corrected_fields: u64,
    /// 1 - corrected / (invoices × the 12 booked fields).
    pub accuracy: f64,
}

/// A signed-in browser session of the review UI. The cookie holds a random
/// token; only its sha256 is stored, so a copy of the database signs no one in.
#[derive(Debug, Clone, PartialEq)]
pub struct UiSession {
    /// Hex sha256 of the cookie's token.
    pub token_hash: String,
    pub tenant_id: String,
    /// The API key the person signed in with; revoking it ends the session.
    pub key_id: String,
    pub role: Role,
    /// Sent back in every form and in the `X-CSRF-Token` header.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// One uploaded invoice as the dashboard counts it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    pub invoice_id: String,
    pub created_at: DateTime<Utc>,
    pub status: InvoiceStatus,
    /// When its job finished (the result was stored); absent while queued.
    pub processed_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub supplier_name: Option<String>,
    /// The fields people corrected on it (one entry per correction).
    pub corrected_fields: Vec<FieldName>,
}
