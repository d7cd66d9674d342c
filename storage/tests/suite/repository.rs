//! `SqlRepository` against real databases: every test runs once on SQLite (a
//! file in a temporary folder) and once on PostgreSQL (a fresh database on
//! the server at `INVEX_TEST_POSTGRES_URL`, default
//! `postgres://root@127.0.0.1:5432/postgres`, dropped afterwards).
//!
//! A test is an `async fn(SqlRepository)`; [`backends!`] turns a list of
//! them into `sqlite::NAME` and `postgres::NAME` tokio tests.

mod invoices;
mod jobs;
mod listing;
mod llm;
mod models;
mod suppliers;
mod tenants;
mod ui;
mod webhooks;

use std::future::Future;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use invex_domain::service::*;
use invex_storage::SqlRepository;
use invex_storage::test_database::TestDatabase;
use rust_decimal::Decimal;
use serde_json::json;

/// `backends!(a, b)` makes `sqlite::a`, `sqlite::b`, `postgres::a` and
/// `postgres::b`, each running the test of that name from the enclosing module.
macro_rules! backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    crate::repository::on_sqlite(super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    crate::repository::on_postgres(super::$name).await;
                }
            )*
        }
    };
}
use backends;

/// Runs `test` on a new SQLite database file.
pub async fn on_sqlite<F, Fut>(test: F)
where
    F: FnOnce(SqlRepository) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temporary folder");
    let database = TestDatabase::sqlite(dir.path());
    let repo = SqlRepository::connect(database.url(), 4).await.expect("open the SQLite database");
    assert_eq!(repo.backend(), "sqlite");
    assert!(dir.path().join("invex.db-wal").exists(), "the database is in WAL mode");
    test(repo).await;
}

/// Runs `test` on a new PostgreSQL database, dropped afterwards whether the
/// test passed or not (`TestDatabase` drops it when unwinding too).
pub async fn on_postgres<F, Fut>(test: F)
where
    F: FnOnce(SqlRepository) -> Fut,
    Fut: Future<Output = ()>,
{
    let database = TestDatabase::postgres().await;
    let repo =
        SqlRepository::connect(database.url(), 4).await.expect("open the PostgreSQL database");
    assert_eq!(repo.backend(), "postgres");
    test(repo).await;
}

// ---- shared fixtures ----

/// A fixed instant `secs` seconds after 2026-01-01 (millisecond precision,
/// as stored).
pub fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_767_225_600_000).unwrap() + Duration::seconds(secs)
}

/// A readable UUID-shaped id: `id(7)` is `00000000-0000-4000-8000-000000000007`.
pub fn id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

pub async fn tenant(repo: &SqlRepository, name: &str) -> Tenant {
    let tenant = Tenant {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.into(),
        retention_days: None,
        created_at: t(0),
    };
    repo.create_tenant(&tenant).await.unwrap();
    tenant
}

pub fn new_upload(tenant: &Tenant, id: &str, sha: &str) -> NewUpload {
    NewUpload {
        id: id.into(),
        tenant_id: tenant.id.clone(),
        sha256: sha.into(),
        file_name: format!("{sha}.pdf"),
        content_type: "application/pdf".into(),
        size_bytes: 1234,
        blob_key: format!("blobs/{sha}"),
        uploaded_by: "key-1".into(),
    }
}

/// Uploads a file, for an invoice with the given id, and returns the id.
pub async fn upload(repo: &SqlRepository, tenant: &Tenant, id: &str, at: DateTime<Utc>) -> String {
    let outcome =
        repo.insert_upload(&new_upload(tenant, id, &format!("sha-{id}")), at).await.unwrap();
    assert!(!outcome.duplicate);
    outcome.invoice_id
}

pub fn summary(supplier: &str, total: &str, confidence: f64, failed_checks: u32) -> InvoiceSummary {
    InvoiceSummary {
        supplier_name: Some(supplier.into()),
        invoice_number: Some("1001".into()),
        invoice_date: Some(NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()),
        total_amount: Some(total.parse::<Decimal>().unwrap()),
        currency: Some("SEK".into()),
        min_confidence: Some(confidence),
        failed_checks,
        search_text: supplier.to_lowercase(),
    }
}

pub fn processed(status: InvoiceStatus, summary: InvoiceSummary) -> ProcessedResult {
    ProcessedResult {
        status,
        result: json!({ "fields": { "supplier_name": summary.supplier_name } }),
        extractor: "rules".into(),
        error: None,
        error_type: None,
        summary,
        words: Some(r#"{"pages":[]}"#.into()),
        model_version: Some("m-1".into()),
    }
}

/// Uploads an invoice at `at` and has a worker process it right away into
/// `result` (it must be the only queued job). Returns the invoice id.
pub async fn processed_invoice(
    repo: &SqlRepository,
    tenant: &Tenant,
    id: &str,
    at: DateTime<Utc>,
    result: &ProcessedResult,
) -> String {
    let invoice_id = upload(repo, tenant, id, at).await;
    let job = repo.claim_job("worker", Duration::minutes(5), at).await.unwrap().expect("a job");
    assert_eq!(job.invoice_id, invoice_id);
    assert!(repo.complete_job(&job, result, "invoice.processed", "{}", at).await.unwrap());
    invoice_id
}
