//! invex-storage: where the upload service keeps things.
//!
//! - [`sql`]: [`SqlRepository`], the one implementation of
//!   [`invex_domain::service::Repository`] for both SQLite (the embedded
//!   default, a file under the data directory) and PostgreSQL (chosen by a
//!   `postgres://` URL). Queries are written once in portable SQL through
//!   sqlx's `Any` driver; only schema migrations and the job-claim statement
//!   differ per backend.
//! - [`blobs`]: [`LocalBlobStore`] (a folder) and [`S3BlobStore`] (any
//!   S3-compatible server through aws-sdk-s3), both
//!   [`invex_domain::service::BlobStore`]s.
//!
//! sqlx and aws-sdk-s3 live in this crate only.

pub mod blobs;
pub mod sql;
#[cfg(feature = "testing")]
pub mod test_database;
#[cfg(feature = "testing")]
pub mod testing;

pub use blobs::{LocalBlobStore, S3BlobStore, S3Config};
pub use sql::SqlRepository;

use thiserror::Error;

/// Why a store could not be opened. Errors of individual operations are
/// [`invex_domain::service::StoreError`]s.
#[derive(Debug, Error)]
pub enum StorageError {
    #[error("could not connect to the database {url}: {cause}")]
    Connect { url: String, cause: String },
    #[error("could not migrate the database schema: {0}")]
    Migrate(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error("blob store {location}: {cause}")]
    Blob { location: String, cause: String },
}
