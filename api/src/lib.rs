//! invex-api: the multi-tenant upload service (`invex serve`, `invex worker`).
//!
//! - [`routes`]: the axum [`router`]. Uploads are checked, stored by content
//!   hash in the [`BlobStore`](invex_domain::service::BlobStore), and recorded
//!   with a job in the [`Repository`](invex_domain::service::Repository)
//!   before the 202; results, corrections, the review queue, keys, webhooks,
//!   GDPR erasure/export/audit, health, metrics and OpenAPI.
//! - [`auth`]: `ivx_<id>_<secret>` keys stored as argon2 hashes, roles
//!   uploader < reviewer < admin, per-key rate limits.
//! - [`worker`]: claims jobs from the durable queue and runs the shared
//!   pipeline ([`InvoiceProcessor`](invex_domain::InvoiceProcessor)) on the
//!   blocking pool; leases make a crashed worker's job run again, once.
//! - [`model_swap`]: workers swap in the promoted layout model version
//!   between jobs, and roll back the same way.
//! - [`webhooks`]: signed, retried, logged deliveries. [`sweeper`]: retention.
//! - [`ui`]: the review UI at `/ui` (server-rendered HTML, sessions from API
//!   keys), through the same functions as the `/v1` routes.
//!
//! This crate knows storage and the pipeline only through the `invex_domain`
//! traits; the binary wires in `invex-storage` and `invex-pipeline`.

pub mod auth;
pub mod error;
pub mod export;
pub mod extract;
pub mod metrics;
pub mod model_swap;
pub mod openapi;
pub mod routes;
pub mod state;
pub mod sweeper;
pub mod ui;
pub mod webhooks;
pub mod worker;

pub use auth::{Caller, NewKey, generate_key};
pub use error::ApiError;
pub use model_swap::{ModelLoader, ModelSwap, copy_model_files};
pub use routes::{ops_router, router};
pub use state::{AppState, ModelStatus, ServiceOptions, SharedState};
pub use webhooks::{WebhookOptions, WebhookSender};
pub use worker::{Worker, WorkerOptions};

/// Serves the API on `listener` until the state's shutdown signal, then
/// finishes the requests in flight.
pub async fn serve(listener: tokio::net::TcpListener, state: SharedState) -> std::io::Result<()> {
    serve_router(listener, router(state.clone()), state).await
}

/// Serves only health and metrics ([`ops_router`]), for `invex worker --listen`.
pub async fn serve_ops(
    listener: tokio::net::TcpListener,
    state: SharedState,
) -> std::io::Result<()> {
    serve_router(listener, ops_router(state.clone()), state).await
}

async fn serve_router(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    state: SharedState,
) -> std::io::Result<()> {
    let mut stop = state.shutdown.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await
}
