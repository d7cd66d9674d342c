//! Fortnox (API v3): [`map`] builds the JSON, [`client`] sends it.

pub mod client;
pub mod map;

pub use client::{FortnoxClient, FortnoxConfig};

#[cfg(test)]
mod tests;
