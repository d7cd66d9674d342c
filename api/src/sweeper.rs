//! The retention sweeper: erases invoices older than their tenant's
//! retention period, with their blobs, and logs each erasure as `system`;
//! and forgets the review UI's expired sessions.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;
use tracing::{info, warn};

use crate::routes::invoices::erase;
use crate::state::SharedState;

/// One sweep; returns how many invoices were erased.
pub async fn sweep_once(state: &SharedState) -> usize {
    let expired = match state.repo.expired_invoices(Utc::now(), 500).await {
        Ok(expired) => expired,
        Err(e) => {
            warn!(error = %e, "retention sweep could not list expired invoices");
            return 0;
        }
    };
    let mut erased = 0;
    for (tenant, id) in expired {
        match erase(state, &tenant, &id, "system", "retention_delete").await {
            Ok(()) => erased += 1,
            Err(e) => {
                warn!(tenant, invoice = id, error = %e, "retention sweep could not erase an invoice")
            }
        }
    }
    if erased > 0 {
        info!(erased, "retention sweep");
    }
    match state.repo.delete_expired_sessions(Utc::now()).await {
        Ok(0) => {}
        Ok(n) => info!(sessions = n, "expired UI sessions deleted"),
        Err(e) => warn!(error = %e, "could not delete expired UI sessions"),
    }
    erased
}

pub async fn run(state: SharedState, every: Duration, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        sweep_once(&state).await;
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => {}
        }
    }
}
