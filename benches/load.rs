//! Load test of the upload service on loopback: N concurrent clients upload
//! generated invoices to a real `invex serve` for a bounded time while the
//! results are polled; it prints throughput, p50/p99/max upload latency,
//! p50/p99/max upload-to-result latency, errors by kind and the final statuses.
//! Goal (the issue's): 0 errors and p99 upload latency < 2 s. No assertions.
//!
//! Run (after `scripts/setup.sh`, which puts pdfium in `.native/lib`):
//!
//! ```text
//! cargo bench --bench load
//! INVEX_LOAD_SECONDS=20 INVEX_LOAD_CLIENTS=32 INVEX_LOAD_WORKERS=2 cargo bench --bench load
//! INVEX_DATABASE_URL=postgres://invex@localhost/invex cargo bench --bench load
//! ```
//!
//! Settings (environment): `INVEX_LOAD_SECONDS` (upload phase, default 30),
//! `INVEX_LOAD_CLIENTS` (default 32), `INVEX_LOAD_WORKERS` (server `--workers`,
//! default 2), `INVEX_LOAD_EXTRACTOR` (server `--extractor`, default `auto`),
//! `INVEX_LOAD_INVOICES` (corpus size, default 300 per second of upload phase),
//! `INVEX_LOAD_RESULT_TIMEOUT` (seconds to wait for results after the upload
//! phase, default 600) and `INVEX_DATABASE_URL` (passed as `--database-url`;
//! default SQLite in a temp data dir). The server logs at its own default level
//! to `$TMPDIR/invex-load-server.log`; it is killed when the bench ends.
//!
//! Uploads are idempotent per tenant by sha256, so every upload must be new
//! bytes: the clients take files from one shared cursor over a corpus of
//! distinct generated invoices (cached in the temp dir by count and seed, read
//! from disk per upload), and the upload phase ends early, saying so, when the
//! corpus runs out (200 to 260 uploads/s were accepted on a 2-core machine).
//!
//! Results are polled while uploads go on, by one task every 200 ms: it pages
//! through `GET /v1/invoices?status=queued` and `?status=processing` (a fresh
//! tenant, so only ours); an accepted id missing from both has finished as of
//! that sweep, and one `GET /v1/invoices/{id}` confirms it and reads its final
//! status. (Polling each id with `GET /v1/invoices/{id}` every 200 ms would
//! write an audit row per poll and load the database more than the uploads do.)

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use invex_datasets::GenerateOptions;
use serde_json::Value;

const SEED: u64 = 4242;
const POLL_EVERY: Duration = Duration::from_millis(200);

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// Paths of distinct generated invoices, generated once per count and seed.
fn corpus(count: usize) -> Vec<PathBuf> {
    let dir = std::env::temp_dir().join(format!("invex-load-{count}-{SEED}"));
    if !dir.join("groundtruth.jsonl").is_file() {
        eprintln!("generating {count} invoices into {} ...", dir.display());
        let opts = GenerateOptions {
            count,
            seed: SEED,
            out_dir: dir.clone(),
            families: None,
            per_supplier: None,
        };
        invex_datasets::generate(&opts, &|_| {}).expect("generate the load corpus");
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read the load corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    files.sort();
    files
}

/// The `invex serve` child process; killed when dropped, even on a panic.
struct Server {
    child: Child,
    base: String,
    key: String,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `invex serve` (its log, at its default level, goes to `log`).
fn start_server(workers: usize, extractor: &str, database_url: Option<&str>, log: &Path) -> Server {
    let bin = env!("CARGO_BIN_EXE_invex");
    let data = tempfile::tempdir().expect("temp data dir");
    let mut store = vec!["--data-dir".to_string(), data.path().display().to_string()];
    if let Some(url) = database_url {
        store.extend(["--database-url".to_string(), url.to_string()]);
    }
    // A fresh tenant per run, so a shared PostgreSQL database holds no earlier invoices of ours.
    let unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let tenant = format!("Bench-{}-{}", unix.as_secs(), std::process::id());
    let out = Command::new(bin)
        .args(["tenants", "create", &tenant])
        .args(&store)
        .output()
        .expect("run invex tenants create");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "tenants create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = stdout
        .split_whitespace()
        .find(|w| w.starts_with("ivx_"))
        .unwrap_or_else(|| panic!("no ivx_ key in {stdout:?}"))
        .to_string();

    let mut child = Command::new(bin)
        .args(["serve", "--listen", "127.0.0.1:0", "--rate-limit-per-minute", "1000000"])
        .args(["--workers", &workers.to_string(), "--extractor", extractor])
        .args(&store)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).expect("create the server log"))
        .spawn()
        .expect("start invex serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let base = first.split("listening on ").nth(1).map(|u| u.trim().to_string());
    let server = Server { child, base: base.clone().unwrap_or_default(), key, _data: data };
    assert!(base.is_some(), "invex serve did not start (first line {first:?})");
    std::thread::spawn(move || lines.for_each(drop)); // keep its stdout drained
    server
}

/// What the clients and the poller share.
#[derive(Default)]
struct Ctx {
    http: reqwest::Client,
    base: String,
    key: String,
    upload_latencies: Mutex<Vec<Duration>>,
    /// Accepted and not finished yet: id → when its 202 arrived.
    pending: Mutex<HashMap<String, Instant>>,
    /// Finished: (upload-to-result latency, when it was seen finished, final status).
    results: Mutex<Vec<(Duration, Instant, String)>>,
    errors: Mutex<BTreeMap<String, usize>>,
}

impl Ctx {
    fn error(&self, kind: impl Into<String>) {
        *self.errors.lock().unwrap().entry(kind.into()).or_default() += 1;
    }
}

/// An error kind for a failed request.
fn transport(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() { "timeout" } else { "transport" };
    format!("{kind}{}", if e.is_connect() { " (connect)" } else { "" })
}

async fn client(ctx: Arc<Ctx>, corpus: Arc<Vec<PathBuf>>, next: Arc<AtomicUsize>, until: Instant) {
    while Instant::now() < until {
        let Some(path) = corpus.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
        let bytes = tokio::fs::read(path).await.expect("read a corpus pdf");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let start = Instant::now();
        let sent = ctx
            .http
            .post(format!("{}/v1/invoices", ctx.base))
            .bearer_auth(&ctx.key)
            .header("X-File-Name", name)
            .header("Content-Type", "application/pdf")
            .body(bytes)
            .send()
            .await;
        let body = match sent {
            Ok(r) if r.status() == reqwest::StatusCode::ACCEPTED => {
                r.json().await.map_err(transport)
            }
            Ok(r) => Err(format!("HTTP {}", r.status().as_u16())),
            Err(e) => Err(transport(e)),
        };
        let body: Value = match body {
            Ok(v) => v,
            Err(kind) => {
                ctx.error(format!("upload: {kind}"));
                continue;
            }
        };
        let accepted = Instant::now();
        ctx.upload_latencies.lock().unwrap().push(accepted - start);
        match (body["id"].as_str(), body["duplicate"].as_bool()) {
            (Some(_), Some(true)) => ctx.error("upload: duplicate (corpus not distinct)"),
            (Some(id), _) => _ = ctx.pending.lock().unwrap().insert(id.to_string(), accepted),
            (None, _) => ctx.error("upload: 202 without an id"),
        }
    }
}

async fn get_json(ctx: &Ctx, url: String) -> Result<Value, String> {
    let r = ctx.http.get(url).bearer_auth(&ctx.key).send().await.map_err(transport)?;
    if !r.status().is_success() {
        return Err(format!("HTTP {}", r.status().as_u16()));
    }
    r.json().await.map_err(transport)
}

/// The ids listed with `status` (all pages).
async fn listed(ctx: &Ctx, status: &str) -> Result<HashSet<String>, String> {
    let mut ids = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{}/v1/invoices?status={status}&limit=500", ctx.base);
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page = get_json(ctx, url).await?;
        let rows = page["invoices"].as_array().cloned().unwrap_or_default();
        ids.extend(rows.iter().filter_map(|r| r["id"].as_str().map(str::to_string)));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return Ok(ids),
        }
    }
}

/// Sweeps every 200 ms (or back to back, when a sweep takes longer) until the uploads
/// are over and nothing is pending, or `timeout` after the uploads; returns (sweeps, time sweeping).
async fn poller(
    ctx: Arc<Ctx>,
    uploads_over: Arc<AtomicBool>,
    timeout: Duration,
) -> (u32, Duration) {
    let (mut sweeps, mut busy) = (0, Duration::ZERO);
    let mut over_since: Option<Instant> = None;
    let mut report = Instant::now();
    loop {
        let sweep = Instant::now();
        if uploads_over.load(Ordering::Relaxed) {
            let since = *over_since.get_or_insert(sweep);
            let left = ctx.pending.lock().unwrap().len();
            if left == 0 {
                return (sweeps, busy);
            }
            if since.elapsed() > timeout {
                ctx.errors.lock().unwrap().insert("result: timed out".into(), left);
                return (sweeps, busy);
            }
            if report.elapsed() > Duration::from_secs(10) {
                eprintln!("waiting for {left} results ...");
                report = Instant::now();
            }
        }
        let mut unfinished = HashSet::new();
        let mut failed = false;
        for status in ["queued", "processing"] {
            match listed(&ctx, status).await {
                Ok(ids) => unfinished.extend(ids),
                Err(kind) => {
                    ctx.error(format!("poll list: {kind}"));
                    failed = true;
                }
            }
        }
        let seen = Instant::now();
        let candidates: Vec<(String, Instant)> = match failed {
            true => Vec::new(),
            false => (ctx.pending.lock().unwrap().iter())
                .filter(|(id, at)| **at < sweep && !unfinished.contains(*id))
                .map(|(id, at)| (id.clone(), *at))
                .collect(),
        };
        for (id, accepted) in candidates {
            match get_json(&ctx, format!("{}/v1/invoices/{id}", ctx.base)).await {
                Ok(v) => {
                    let status = v["status"].as_str().unwrap_or("?").to_string();
                    if !matches!(status.as_str(), "queued" | "processing") {
                        ctx.pending.lock().unwrap().remove(&id);
                        ctx.results.lock().unwrap().push((seen - accepted, seen, status));
                    }
                }
                Err(kind) => ctx.error(format!("poll get: {kind}")),
            }
        }
        sweeps += 1;
        busy += sweep.elapsed();
        tokio::time::sleep_until((sweep + POLL_EVERY).into()).await;
    }
}

/// p-th percentile (0..=100) of a sorted slice, nearest rank.
fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// p50, p99 and max of a sorted slice.
fn summary(v: &[Duration]) -> String {
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let max = v.last().copied().unwrap_or_default();
    format!("p50 {}, p99 {}, max {} (n={})", ms(pct(v, 50.0)), ms(pct(v, 99.0)), ms(max), v.len())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let seconds: u64 = setting("INVEX_LOAD_SECONDS", 30);
    let clients: usize = setting("INVEX_LOAD_CLIENTS", 32);
    let workers: usize = setting("INVEX_LOAD_WORKERS", 2);
    let count: usize = setting("INVEX_LOAD_INVOICES", 300 * seconds as usize);
    let timeout = Duration::from_secs(setting("INVEX_LOAD_RESULT_TIMEOUT", 600));
    let extractor: String = setting("INVEX_LOAD_EXTRACTOR", "auto".to_string());
    let database_url = std::env::var("INVEX_DATABASE_URL").ok().filter(|u| !u.is_empty());

    let corpus = Arc::new(tokio::task::spawn_blocking(move || corpus(count)).await.unwrap());
    let log = std::env::temp_dir().join("invex-load-server.log");
    let server = start_server(workers, &extractor, database_url.as_deref(), &log);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let database =
        if database_url.is_some() { "PostgreSQL (INVEX_DATABASE_URL)" } else { "SQLite" };
    println!("machine: {cores} cores; server log: {}", log.display());
    println!(
        "server: --workers {workers} --extractor {extractor} (rate limit 1000000/min), {database}"
    );
    println!("load: {clients} clients for {seconds} s over {} distinct invoices", corpus.len());

    let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let (base, key) = (server.base.clone(), server.key.clone());
    let ctx = Arc::new(Ctx { http, base, key, ..Default::default() });
    let uploads_over = Arc::new(AtomicBool::new(false));
    let polling = tokio::spawn(poller(ctx.clone(), uploads_over.clone(), timeout));

    let start = Instant::now();
    let until = start + Duration::from_secs(seconds);
    let next = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..clients)
        .map(|_| tokio::spawn(client(ctx.clone(), corpus.clone(), next.clone(), until)))
        .collect();
    for t in tasks {
        t.await.expect("client task");
    }
    let upload_phase = start.elapsed();
    uploads_over.store(true, Ordering::Relaxed);
    let exhausted = next.load(Ordering::Relaxed) >= corpus.len();
    let (sweeps, busy) = polling.await.expect("poller task");
    drop(server);

    let s = &ctx;
    let mut latencies = std::mem::take(&mut *s.upload_latencies.lock().unwrap());
    let results = std::mem::take(&mut *s.results.lock().unwrap());
    let errors = std::mem::take(&mut *s.errors.lock().unwrap());
    let last = results.iter().map(|r| r.1).max().unwrap_or(start);
    let span = (last - start).as_secs_f64().max(1e-9);
    let mut statuses: Vec<(&str, usize)> = vec![("done", 0), ("needs_review", 0), ("failed", 0)];
    for (_, _, status) in &results {
        match statuses.iter_mut().find(|(k, _)| *k == status.as_str()) {
            Some((_, n)) => *n += 1,
            None => statuses.push((status.as_str(), 1)),
        }
    }

    let (uploads, phase) = (latencies.len(), upload_phase.as_secs_f64());
    let note = if exhausted { " (corpus exhausted: raise INVEX_LOAD_INVOICES)" } else { "" };
    println!("uploads: {uploads} in {phase:.1} s: {:.1} uploads/s{note}", uploads as f64 / phase);
    let processed = results.len();
    println!(
        "processed: {processed} in {span:.1} s, first upload to last result: {:.1} invoices/s",
        processed as f64 / span
    );
    latencies.sort();
    println!("upload latency: {}", summary(&latencies));
    let mut to_result: Vec<Duration> = results.iter().map(|r| r.0).collect();
    to_result.sort();
    println!("upload-to-result latency: {}", summary(&to_result));
    let mean_sweep = busy.as_secs_f64() * 1000.0 / f64::from(sweeps.max(1));
    println!("polling: {sweeps} sweeps, {mean_sweep:.1} ms each on average");
    let statuses: Vec<String> = statuses.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("final statuses: {}", statuses.join(", "));
    let total_errors: usize = errors.values().sum();
    let kinds: Vec<String> = errors.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    println!(
        "errors: {total_errors}{}",
        if kinds.is_empty() { String::new() } else { format!(" ({})", kinds.join(", ")) }
    );
    let met = total_errors == 0 && uploads > 0 && pct(&latencies, 99.0) < Duration::from_secs(2);
    println!("goal: 0 errors and p99 upload < 2 s: {}", if met { "MET" } else { "NOT MET" });
}
