//! The upload service, tested with real parts: SQLite and PostgreSQL (every
//! test runs on both), a blob folder, the real pipeline, the router through
//! `oneshot`, and real `invex serve`/`invex worker` processes.

pub mod harness;
mod auth;
mod flow;
mod ops;
mod ops_support;
mod processes;
mod uploads;
