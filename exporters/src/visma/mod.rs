//! Visma eEkonomi (eAccounting API v2): [`map`] builds the JSON, [`client`]
//! sends it.

pub mod client;
pub mod map;

pub use client::{VismaClient, VismaConfig};

#[cfg(test)]
mod tests;
