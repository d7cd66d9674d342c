//! invex-testkit: what the local stand-ins for outside services (the OpenAI,
//! Fortnox and Visma eEkonomi test servers) share, so that each checks the
//! vendor's published contract rather than our client's assumptions.
//!
//! [`OpenApi`] reads a vendored OpenAPI description (3.0 or 3.1) and checks
//! JSON against its schemas ([`OpenApi::schema`]) and its operations
//! ([`OpenApi::request`], [`OpenApi::response`], [`OpenApi::query`]).
//! Validators are compiled once per schema and process.
//!
//! This crate is the only one that links `jsonschema`.

pub mod openapi;

pub use openapi::{OpenApi, SchemaCheck};
