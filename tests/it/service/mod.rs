//! The upload service, tested with real parts: SQLite and PostgreSQL (every
//! test runs on both), a blob folder, the real pipeline, the router through
//! `oneshot`, and real `invex serve`/`invex worker` processes.

mod auth;
mod bookings;
mod flow;
pub mod harness;
mod llm;
mod memory;
mod models;
mod ops;
mod ops_support;
mod processes;
mod ui;
mod uploads;
