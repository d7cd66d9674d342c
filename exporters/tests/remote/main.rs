//! The Fortnox and Visma eEkonomi exporters: pure mapping tables, and the
//! real client code against the local test servers (`test_servers`).

mod fortnox;
mod mapping;
mod storm;
mod support;
mod visma;
