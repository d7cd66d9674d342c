//! Blob stores for original files: a local folder ([`LocalBlobStore`]) or any
//! S3-compatible server ([`S3BlobStore`]). Both implement
//! [`invex_domain::service::BlobStore`]; keys are relative paths such as
//! `tenants/<tenant>/<sha256>`.

mod local;
mod s3;
mod s3_config;

pub use local::LocalBlobStore;
pub use s3::S3BlobStore;
pub use s3_config::S3Config;
