//! The acceptance test: 500 invoices through a 429 storm end up exactly
//! once in the server, and reruns add nothing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use invex_exporters::ledger::{JsonLedger, MemoryLedger};
use invex_exporters::remote::{BatchSummary, Outcome, export_batch};
use invex_exporters::test_servers::{FortnoxServer, VismaServer};

use crate::support::{CLIENT_LIMIT, fortnox_client, jobs, quiet, server_options, visma_client};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_invoices_through_a_429_storm_land_exactly_once() {
    // Every 5th request is refused regardless, and all of them for 300 ms mid-run.
    let server = FortnoxServer::start(server_options(Some(5))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ledger = JsonLedger::open(dir.path().join("ledger.json")).unwrap();
    let client = fortnox_client(&server, CLIENT_LIMIT, None);
    let jobs = jobs(500, 20);
    let done = AtomicUsize::new(0);
    let progress = |_: &invex_exporters::remote::InvoiceReport| {
        if done.fetch_add(1, Ordering::SeqCst) == 100 {
            server.core.storm_for(Duration::from_millis(300));
        }
    };
    let started = Instant::now();
    let reports = export_batch(&client, &ledger, &jobs, 8, &progress).await;
    let first = started.elapsed();
    let failed: Vec<String> = reports
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .map(|r| r.summary())
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(BatchSummary::of(&reports).created, 500);
    assert_eq!(done.load(Ordering::SeqCst), 500, "progress saw every invoice");
    let invoices = server.invoices();
    assert_eq!(invoices.len(), 500);
    let mut keys: Vec<(String, String)> = invoices
        .iter()
        .map(|i| (i["SupplierNumber"].to_string(), i["InvoiceNumber"].to_string()))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 500, "no supplier and invoice number twice");
    assert_eq!(server.suppliers().len(), 20);
    let storms = server.core.too_many("storm");
    assert!(storms > 100, "the storm refused {storms} requests");
    eprintln!("500 invoices, {storms} storm 429s: {first:?}");

    // Rerun with the same ledger: nothing is asked of the server at all.
    let asked = server.core.requests().len();
    let rerun = export_batch(&client, &ledger, &jobs, 8, &quiet).await;
    assert_eq!(BatchSummary::of(&rerun).already_present, 500);
    assert!(
        rerun
            .iter()
            .all(|r| matches!(r.outcome, Outcome::AlreadyPresent { from_ledger: true, .. }))
    );
    assert_eq!(server.core.requests().len(), asked);

    // Rerun with the ledger lost: every invoice is found by lookup, none created.
    let rerun = export_batch(&client, &MemoryLedger::default(), &jobs, 8, &quiet).await;
    assert_eq!(BatchSummary::of(&rerun).already_present, 500);
    assert_eq!(server.invoices().len(), 500);
    let posts = server.core.requests()[asked..].iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts, 0, "a rerun creates nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visma_through_a_429_storm_lands_exactly_once() {
    let server = VismaServer::start(server_options(Some(4))).await.unwrap();
    let client = visma_client(&server, CLIENT_LIMIT);
    let ledger = MemoryLedger::default();
    let jobs = jobs(120, 6);
    let reports = export_batch(&client, &ledger, &jobs, 6, &quiet).await;
    let failed: Vec<String> = reports
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .map(|r| r.summary())
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(server.drafts().len(), 120);
    assert!(server.core.too_many("storm") > 0);
    let rerun = export_batch(&client, &MemoryLedger::default(), &jobs, 6, &quiet).await;
    assert_eq!(BatchSummary::of(&rerun).already_present, 120);
    assert_eq!(server.drafts().len(), 120);
    assert_eq!(server.suppliers().len(), 6);
}
