//! [`AppState`]: what every route and worker shares, and [`ServiceOptions`],
//! the knobs the binary's config sets.

use std::sync::Arc;
use std::time::Duration;

use invex_domain::memory::MemoryStage;
use invex_domain::service::{BlobStore, Repository};
use invex_domain::{BookingExport, PageRenderer};
use tokio::sync::{Notify, watch};

use crate::auth::KeyCache;
use crate::metrics::Metrics;

/// Service settings; the binary fills them from its clap config.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// Largest file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Most files in one multipart upload.
    pub max_files_per_request: usize,
    /// Requests per minute per API key.
    pub rate_limit_per_minute: u32,
    /// Origins allowed by CORS; empty allows none (same-origin only).
    pub cors_origins: Vec<String>,
    /// How long a verified key is trusted before it is checked again
    /// (a revocation made through another process takes effect within this).
    pub key_cache_ttl: Duration,
    /// How long a review-UI sign-in lasts.
    pub ui_session_ttl: Duration,
    /// Mark the UI's cookies `Secure` (the service is reached over TLS).
    /// Also set per request when a proxy says `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        ServiceOptions {
            max_upload_bytes: 50 * 1024 * 1024,
            max_files_per_request: 100,
            rate_limit_per_minute: 600,
            cors_origins: Vec::new(),
            key_cache_ttl: Duration::from_secs(30),
            ui_session_ttl: Duration::from_secs(8 * 3600),
            secure_cookies: false,
        }
    }
}

/// Whether the extraction model loaded, for `/health/ready`.
#[derive(Debug, Clone)]
pub struct ModelStatus {
    pub ready: bool,
    /// The extractor's name and model version, or why it is not ready.
    pub detail: String,
}

pub struct AppState {
    pub repo: Arc<dyn Repository>,
    pub blobs: Arc<dyn BlobStore>,
    pub options: ServiceOptions,
    pub model: ModelStatus,
    pub keys: KeyCache,
    pub metrics: Arc<Metrics>,
    /// Woken on every new upload, so in-process workers start at once
    /// instead of at their next poll.
    pub new_jobs: Arc<Notify>,
    /// Turns true when the process starts shutting down.
    pub shutdown: watch::Receiver<bool>,
    /// Reads already written to the audit log this minute.
    pub reads: ReadLog,
    /// The supplier memory stage, which reviews teach; `None` turns it off.
    pub memory: Option<Arc<dyn MemoryStage>>,
    /// Draws page images for the review UI; `None`: the UI shows no page.
    pub pages: Option<Arc<dyn PageRenderer>>,
    /// Books approved invoices for `GET /v1/bookings` (absent: 404).
    pub exports: Option<Arc<dyn BookingExport>>,
}

#[cfg(test)]
mod tests {
    use super::ReadLog;

    #[test]
    fn reads_are_audited_once_per_key_invoice_action_and_minute() {
        let log = ReadLog::default();
        // (key, invoice, action, minute) → first in its minute?
        let table = [
            ("k1", "inv1", "read", 10, true),
            ("k1", "inv1", "read", 10, false),
            ("k1", "inv1", "read_file", 10, true),
            ("k2", "inv1", "read", 10, true),
            ("k1", "inv2", "read", 10, true),
            ("k1", "inv1", "read", 11, true),
            ("k1", "inv1", "read", 11, false),
        ];
        for (key, invoice, action, minute, want) in table {
            assert_eq!(
                log.first_in_minute(key, invoice, action, minute),
                want,
                "{key} {invoice} {action} {minute}"
            );
        }
    }
}

/// Reads of an invoice are audited once per key, invoice, action and
/// minute (per process), so a client polling an invoice every second adds
/// one audit row a minute instead of sixty. Changes (corrections,
/// approvals, erasure, keys, exports) are always written.
#[derive(Default)]
pub struct ReadLog {
    seen: std::sync::Mutex<std::collections::HashMap<(String, String, String), i64>>,
}

impl ReadLog {
    /// Whether this read is the first of its key, invoice and action in
    /// `minute` (minutes since the epoch), noting it if so.
    pub fn first_in_minute(&self, key: &str, invoice: &str, action: &str, minute: i64) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() > 100_000 {
            seen.retain(|_, m| *m == minute);
        }
        let k = (key.to_string(), invoice.to_string(), action.to_string());
        match seen.get(&k) {
            Some(&m) if m == minute => false,
            _ => {
                seen.insert(k, minute);
                true
            }
        }
    }
}

pub type SharedState = Arc<AppState>;

impl AppState {
    pub fn new(
        repo: Arc<dyn Repository>,
        blobs: Arc<dyn BlobStore>,
        options: ServiceOptions,
        model: ModelStatus,
        memory: Option<Arc<dyn MemoryStage>>,
        pages: Option<Arc<dyn PageRenderer>>,
        exports: Option<Arc<dyn BookingExport>>,
        shutdown: watch::Receiver<bool>,
    ) -> SharedState {
        let keys = KeyCache::new(options.key_cache_ttl);
        Arc::new(AppState {
            repo,
            blobs,
            options,
            model,
            keys,
            metrics: Arc::new(Metrics::new()),
            new_jobs: Arc::new(Notify::new()),
            shutdown,
            reads: ReadLog::default(),
            memory,
            pages,
            exports,
        })
    }
}
