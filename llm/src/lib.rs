//! invex-llm: the cascade's fourth stage. An OpenAI-compatible language
//! model is asked about the invoices the local stages are unsure of, and
//! nothing it says is booked without our own checks.
//!
//! - [`prompt`]: the versioned system prompt, the page's words sent in
//!   reading order with positions (first and last page only), and the strict
//!   JSON schema generated from our field types.
//! - [`client`]: one chat completion through async-openai, with a
//!   concurrency limit, retries of 429/5xx honouring `Retry-After`, a
//!   timeout and a circuit breaker.
//! - [`check`]: every returned value is parsed, validated and must be
//!   printed on the page (its words and box are found), else it is refused.
//! - [`LlmFallback`]: [`invex_domain::fallback::Fallback`] for the pipeline
//!   and the service: cache by (content hash, model, prompt version), one
//!   retry of a refusal or malformed answer, usage and cost per call and per
//!   tenant, a monthly budget per tenant, counters for `/metrics`.
//! - [`batch`]: the OpenAI Batch API path: a run's unsure invoices in one
//!   batch (upload, create, poll, download), resumable from a state file.
//! - `test_server` (feature `test-server`): a local OpenAI-compatible server
//!   that validates requests against OpenAI's published OpenAPI description
//!   and answers from a fixture, with faults on demand.
//!
//! async-openai lives in this crate only. What leaves the machine: the
//! words of the first and last page with their positions, and the file's
//! sha256; nothing else (no file, no image, no tenant name).

pub mod batch;
pub mod check;
pub mod client;
pub mod config;
pub mod prompt;
mod stage;
#[cfg(feature = "test-server")]
pub mod test_server;

pub use batch::BatchOptions;
pub use client::{CallError, LlmClient, RawAnswer};
pub use config::{ApiKey, LlmConfig, Price, PriceTable};
pub use stage::{LlmFallback, LlmStats, StatsSnapshot};

/// Why the fallback could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("language model fallback: {0}")]
    Config(String),
}
