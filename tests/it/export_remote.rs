//! `invex export --to fortnox|visma` end to end: generate invoices, extract
//! them, and export through the real binary to the local Fortnox and Visma
//! eEkonomi stand-ins; a rerun creates nothing.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use invex_exporters::http::RateLimit;
use invex_exporters::test_servers::{FortnoxServer, ServerOptions, VismaServer};

use crate::*;

/// Generated and extracted invoices: the results file.
fn extracted(dir: &Path, count: usize, seed: u64) -> std::path::PathBuf {
    let data = dir.join("data");
    generate(&data, count, seed);
    let results = dir.join("results.jsonl");
    let out = extract(&[&data], &results);
    assert!(out.status.success(), "extract: {}", stderr(&out));
    results
}

/// A stand-in limit of 25 requests per 200 ms, so the test stays quick.
fn options() -> ServerOptions {
    ServerOptions::published(RateLimit { requests: 25, per: Duration::from_millis(200) })
}

fn export(
    to: &str,
    env: &str,
    base: &str,
    o: &ServerOptions,
    dir: &Path,
    results: &Path,
) -> Output {
    let var = |name: &str| format!("INVEX_{env}_{name}");
    // Every bookable invoice: what the stand-ins check is the API contract,
    // not which invoices need a person first (tests/it/export.rs does).
    run(invex()
        .args(["export", "--to", to, "--include-unreviewed"])
        .arg(results)
        .env(var("BASE_URL"), base)
        .env(var("CLIENT_ID"), &o.client_id)
        .env(var("CLIENT_SECRET"), &o.client_secret)
        .env(var("REFRESH_TOKEN"), &o.refresh_token)
        .env("INVEX_EXPORT_LEDGER", dir.join("ledger.json"))
        .env("INVEX_EXPORT_RATE_LIMIT", "25/0.3"))
}

/// (created, already present, failed) from the summary line.
fn counts(out: &Output) -> (usize, usize, usize) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = stdout
        .lines()
        .find(|l| l.contains(" created, "))
        .unwrap_or_else(|| panic!("{stdout}{}", stderr(out)));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(3)
        .map(|s| s.parse().expect("count"))
        .collect();
    (numbers[0], numbers[1], numbers[2])
}

#[test]
fn export_to_fortnox_and_again() {
    let dir = tempdir();
    let results = extracted(dir.path(), 6, 71);
    let options = options();
    let server = FortnoxServer::start_in_thread(options.clone()).expect("server");
    let out = export("fortnox", "FORTNOX", &server.base_url(), &options, dir.path(), &results);
    let (created, present, failed) = counts(&out);
    assert_eq!(failed, 0, "{}", stderr(&out));
    assert!(created >= 5, "generated invoices book: {created}\n{}", stderr(&out));
    assert_eq!(present, 0);
    assert_eq!(server.invoices().len(), created);
    let data = server.data.lock().expect("data");
    assert_eq!(data.connections.len(), created, "every PDF connected");
    drop(data);
    // The refresh token rotated; the next run starts from the saved one.
    let saved =
        std::fs::read_to_string(dir.path().join("ledger.json.fortnox-token")).expect("token file");
    let first = saved.lines().next().unwrap_or_default().to_string();
    assert_eq!(Some(first), server.core.current_refresh_token());
    assert!(!saved.contains("sent"), "the refresh was answered: {saved}");

    let again = export("fortnox", "FORTNOX", &server.base_url(), &options, dir.path(), &results);
    assert_eq!(counts(&again), (0, created, 0), "{}", stderr(&again));
    assert_eq!(server.invoices().len(), created, "no duplicates");
}

#[test]
fn export_to_visma() {
    let dir = tempdir();
    let results = extracted(dir.path(), 4, 72);
    let options = options();
    let server = VismaServer::start_in_thread(options.clone()).expect("server");
    let out = export("visma", "VISMA", &server.base_url(), &options, dir.path(), &results);
    let (created, _, failed) = counts(&out);
    assert_eq!(failed, 0, "{}", stderr(&out));
    assert!(created >= 3, "{created}\n{}", stderr(&out));
    assert_eq!(server.drafts().len(), created);
    assert_eq!(server.data.lock().expect("data").links.len(), created);
}

#[test]
fn missing_credentials_are_named() {
    let dir = tempdir();
    let results = dir.path().join("results.jsonl");
    std::fs::write(&results, "").expect("write");
    let out = run(invex()
        .args(["export", "--to", "fortnox"])
        .arg(&results)
        .env_remove("INVEX_FORTNOX_CLIENT_ID")
        .env("INVEX_EXPORT_LEDGER", dir.path().join("l.json")));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("INVEX_FORTNOX_CLIENT_ID"), "{}", stderr(&out));
}
