//! [`SqlRepository`]: the service's database, SQLite or PostgreSQL.
//!
//! Every query is written once, in portable SQL with `$1, $2` placeholders,
//! and runs through sqlx's `Any` driver. The schema follows a few rules so
//! that both backends decode to the same Rust types:
//!
//! - timestamps are BIGINT epoch milliseconds, booleans BIGINT 0/1;
//! - JSON is TEXT, dates are TEXT `YYYY-MM-DD`;
//! - amounts are TEXT (the exact decimal) plus BIGINT minor units (öre) to filter on;
//! - every integer column is BIGINT, so `Any` always hands back an `i64`.
//!
//! Only the migrations (`storage/migrations/{sqlite,postgres}`) and the
//! row-claiming statements (`FOR UPDATE SKIP LOCKED` on PostgreSQL) differ.
//!
//! The [`Repository`] traits are implemented in the sibling modules:
//! [`tenants`] (tenants, keys, rate windows, audit log), [`invoices`], [`jobs`] and
//! [`webhooks`], [`suppliers`] (the supplier memory), [`ui`] (the review UI's sessions and dashboard); [`rows`] turns rows into records.

mod filter;
mod invoices;
mod jobs;
mod llm;
mod models;
mod rows;
mod suppliers;
mod tenants;
mod ui;
mod webhooks;

use std::borrow::Cow;

use async_trait::async_trait;
use invex_domain::service::{Repository, StoreError, StoreResult};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Any, AnyPool, Executor, Transaction};

use crate::StorageError;

/// Which database a [`SqlRepository`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// The upload service's database: tenants, keys, invoices, jobs, webhook
/// deliveries and the audit log, in SQLite or PostgreSQL.
///
/// Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct SqlRepository {
    pool: AnyPool,
    dialect: Dialect,
}

/// The schema, embedded in the binary. A migration that has been released is
/// never edited: a change is a new file with the next number, for both backends.
const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "schema", include_str!("../../migrations/sqlite/0001_schema.sql")),
    (2, "rate windows", include_str!("../../migrations/sqlite/0002_rate_windows.sql")),
    (3, "supplier memory", include_str!("../../migrations/sqlite/0003_supplier_memory.sql")),
    (4, "model versions", include_str!("../../migrations/sqlite/0004_model_versions.sql")),
    (5, "llm fallback", include_str!("../../migrations/sqlite/0005_llm.sql")),
    (6, "review ui", include_str!("../../migrations/sqlite/0006_ui.sql")),
    (7, "line corrections", include_str!("../../migrations/sqlite/0007_line_corrections.sql")),
];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "schema", include_str!("../../migrations/postgres/0001_schema.sql")),
    (2, "rate windows", include_str!("../../migrations/postgres/0002_rate_windows.sql")),
    (3, "supplier memory", include_str!("../../migrations/postgres/0003_supplier_memory.sql")),
    (4, "model versions", include_str!("../../migrations/postgres/0004_model_versions.sql")),
    (5, "llm fallback", include_str!("../../migrations/postgres/0005_llm.sql")),
    (6, "review ui", include_str!("../../migrations/postgres/0006_ui.sql")),
    (7, "line corrections", include_str!("../../migrations/postgres/0007_line_corrections.sql")),
];

/// How long an SQLite connection waits for another writer before failing.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

impl SqlRepository {
    /// Opens the database at `url` and brings its schema up to date.
    ///
    /// - `sqlite://PATH`: the file is created when missing; WAL journal, foreign
    ///   keys on, and writers wait for each other instead of failing.
    /// - `postgres://...` (or `postgresql://`): the database must exist.
    pub async fn connect(url: &str, max_connections: u32) -> Result<SqlRepository, StorageError> {
        sqlx::any::install_default_drivers();
        let (dialect, url) = if url.starts_with("sqlite:") {
            (Dialect::Sqlite, sqlite_url(url))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Dialect::Postgres, url.to_string())
        } else {
            return Err(StorageError::UnsupportedUrl(url.to_string()));
        };
        let connect_error =
            |e: sqlx::Error| StorageError::Connect { url: redact(&url), cause: e.to_string() };
        let options: AnyConnectOptions = url.parse().map_err(connect_error)?;
        let mut pool_options = AnyPoolOptions::new().max_connections(max_connections.max(1));
        if dialect == Dialect::Sqlite {
            pool_options = pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    let pragmas = format!(
                        "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA foreign_keys = ON;"
                    );
                    conn.execute(sqlx::AssertSqlSafe(pragmas)).await?;
                    Ok(())
                })
            });
        }
        let pool = pool_options.connect_with(options).await.map_err(connect_error)?;
        if dialect == Dialect::Sqlite {
            // Persistent in the file; set once, while this is the only connection.
            sqlx::query("PRAGMA journal_mode = WAL")
                .fetch_all(&pool)
                .await
                .map_err(connect_error)?;
        }
        let repo = SqlRepository { pool, dialect };
        repo.migrate().await?;
        tracing::info!(backend = repo.backend_name(), "database ready");
        Ok(repo)
    }

    /// "sqlite" or "postgres".
    pub fn backend_name(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    async fn migrate(&self) -> Result<(), StorageError> {
        let files = match self.dialect {
            Dialect::Sqlite => SQLITE_MIGRATIONS,
            Dialect::Postgres => POSTGRES_MIGRATIONS,
        };
        let migrations = files
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sqlx::SqlStr::from_static(sql),
                    false,
                )
            })
            .collect();
        Migrator::with_migrations(migrations)
            .run(&self.pool)
            .await
            .map_err(|e| StorageError::Migrate(e.to_string()))
    }

    /// Starts a transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so that a transaction which reads before it
    /// writes waits for other writers instead of failing with SQLITE_BUSY.
    async fn begin(&self) -> StoreResult<Transaction<'static, Any>> {
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        };
        tx.map_err(db_error)
    }

    /// Picks the statement for this backend, where the two must differ
    /// (claiming queue rows with or without `FOR UPDATE SKIP LOCKED`).
    fn pick(&self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => sqlite,
            Dialect::Postgres => postgres,
        }
    }
}

#[async_trait]
impl Repository for SqlRepository {
    fn backend(&self) -> &'static str {
        self.backend_name()
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(db_error)?;
        Ok(())
    }
}

/// Makes sure SQLite creates the file when it does not exist yet.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// The URL without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.find(':') {
                Some(colon) => {
                    format!("{}{}:***{}", &url[..scheme + 3], &credentials[..colon], &url[at..])
                }
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Maps a database error to the storage boundary's error: unique and foreign
/// key violations are conflicts, everything else a backend failure (logged).
fn db_error(err: sqlx::Error) -> StoreError {
    if let Some(db) = err.as_database_error() {
        if db.is_unique_violation() {
            return StoreError::Conflict(db.message().to_string());
        }
        if db.is_foreign_key_violation() {
            return StoreError::Conflict(format!("refers to a missing row: {}", db.message()));
        }
    }
    tracing::error!(error = %err, "database error");
    StoreError::Backend(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(sqlite_url("sqlite://data/invex.db"), "sqlite://data/invex.db?mode=rwc");
        assert_eq!(sqlite_url("sqlite://a.db?cache=shared"), "sqlite://a.db?cache=shared&mode=rwc");
        assert_eq!(sqlite_url("sqlite://a.db?mode=ro"), "sqlite://a.db?mode=ro");
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
