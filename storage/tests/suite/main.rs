//! The storage test suite: one binary, run against SQLite and PostgreSQL,
//! and against a real S3-compatible server on loopback.

mod blobs;
mod repository;
