//! invex-api: the multi-tenant upload API (`invex serve`).
//!
//! Empty for now: the service issue fills it in with axum routes for uploads,
//! results, corrections and the review queue, storage behind a repository
//! trait (SQLite by default, PostgreSQL by URL) and a blob store (local folder
//! or S3). It will reach the extraction pipeline only through the
//! `invex_domain` traits, so that CPU work stays on rayon and off tokio's
//! worker threads.
