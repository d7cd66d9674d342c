//! The service as real processes: `invex tenants create`, `invex serve`
//! and `invex worker` sharing one database and blob folder. A worker killed
//! mid-job has its job finished by another, once; a SIGTERM releases work
//! in flight instead of losing it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use invex_domain::service::{InvoiceStore, JobQueue, TenantStore, WebhookStore};
use invex_storage::SqlRepository;
use invex_storage::test_database::TestDatabase;
use serde_json::{Value, json};

use super::harness::{Backend, sample};
use crate::invex;

struct Service {
    dir: tempfile::TempDir,
    database: TestDatabase,
    /// `--blob-store` and the environment it needs, when not the local folder.
    blobs: Option<(String, Vec<(&'static str, String)>)>,
}

/// Kills the process when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Service {
    async fn new(backend: Backend) -> Service {
        let dir = crate::tempdir();
        let database = match backend {
            Backend::Sqlite => TestDatabase::sqlite(dir.path()),
            Backend::Postgres => TestDatabase::postgres().await,
        };
        Service { dir, database, blobs: None }
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = invex();
        cmd.args(args).arg("--data-dir").arg(self.dir.path()).args([
            "--database-url",
            self.database.url(),
            "--extractor",
            "rules",
            "--log-format",
            "text",
        ]);
        if let Some((store, env)) = &self.blobs {
            cmd.args(["--blob-store", store]).envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        }
        cmd
    }

    fn admin_key(&self) -> String {
        let mut cmd = invex();
        cmd.args(["tenants", "create", "Kommun"])
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(["--database-url", self.database.url()]);
        let out = crate::run(&mut cmd);
        assert!(out.status.success(), "{}", crate::stderr(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        stdout
            .split_whitespace()
            .find(|w| w.starts_with("ivx_"))
            .expect("the key is printed")
            .to_string()
    }

    /// `invex serve` on a free port; returns the process and its base URL.
    fn serve(&self, extra: &[&str]) -> (Running, String) {
        let mut cmd = self.command(&["serve", "--listen", "127.0.0.1:0"]);
        cmd.args(extra);
        spawn_announced(cmd)
    }

    fn worker(&self, extra: &[&str]) -> Running {
        let mut cmd = self.command(&["worker", "--workers", "1", "--poll-ms", "100"]);
        Running(
            cmd.args(extra)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start invex worker"),
        )
    }

    async fn repo(&self) -> SqlRepository {
        SqlRepository::connect(self.database.url(), 2).await.expect("open the database")
    }
}

/// Starts a process that prints its address first ("… on http://ADDR"),
/// and returns it with that address.
fn spawn_announced(mut cmd: std::process::Command) -> (Running, String) {
    let mut child =
        cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("start the process");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read the address");
    let url = line.trim().rsplit(' ').next().expect("address").to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    (running, url)
}

async fn upload(client: &reqwest::Client, url: &str, key: &str, bytes: Vec<u8>) -> String {
    let response = client
        .post(format!("{url}/v1/invoices"))
        .bearer_auth(key)
        .header("x-file-name", "crash.pdf")
        .body(bytes)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.expect("JSON");
    body["id"].as_str().expect("id").to_string()
}

async fn get_json(client: &reqwest::Client, url: &str) -> Value {
    client.get(url).send().await.expect("GET").json().await.expect("JSON")
}

async fn wait_for(
    client: &reqwest::Client,
    url: &str,
    key: &str,
    id: &str,
    wanted: &[&str],
) -> Value {
    let started = Instant::now();
    loop {
        let body: Value = client
            .get(format!("{url}/v1/invoices/{id}"))
            .bearer_auth(key)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("JSON");
        if wanted.contains(&body["status"].as_str().unwrap_or("")) {
            return body;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "never reached {wanted:?}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_killed_worker_s_job_is_finished_by_another_exactly_once(backend: Backend) {
    let service = Service::new(backend).await;
    let key = service.admin_key();
    let (_api, url) = service.serve(&["--workers", "0"]);
    let client = reqwest::Client::new();
    let (hook_url, hits) = super::ops_support::counting_receiver().await;
    let set = client
        .put(format!("{url}/v1/webhook"))
        .bearer_auth(&key)
        .json(&json!({"url": hook_url}))
        .send()
        .await
        .expect("webhook");
    assert_eq!(set.status(), 200);

    // Worker 1 claims the job, then hangs; it is killed (SIGKILL) mid-job.
    let mut doomed = service.worker(&["--lease-seconds", "2", "--stall-after-claim-ms", "600000"]);
    let id = upload(&client, &url, &key, sample(3)).await;
    wait_for(&client, &url, &key, &id, &["processing"]).await;
    doomed.0.kill().expect("kill the worker");
    doomed.0.wait().expect("reap");

    // Worker 2 takes the job over once the lease has expired.
    let _rescuer = service.worker(&["--lease-seconds", "2", "--webhook-retry-base-ms", "100"]);
    let done = wait_for(&client, &url, &key, &id, &["done", "needs_review"]).await;
    assert!(done["fields"]["invoice_number"]["value"].is_string(), "{done}");

    let repo = service.repo().await;
    let depth = repo.queue_depth().await.expect("depth");
    assert_eq!((depth.queued, depth.running, depth.dead), (0, 0, 0), "{depth:?}");
    let started = Instant::now();
    while hits.load(std::sync::atomic::Ordering::SeqCst) < 1
        && started.elapsed() < Duration::from_secs(20)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1, "one result, one event");
    let tenant = repo.tenant_by_name("Kommun").await.expect("query").expect("tenant");
    assert_eq!(repo.deliveries(&tenant.id, 10).await.expect("log").len(), 1);
}

async fn sigterm_releases_work_in_flight(backend: Backend) {
    let service = Service::new(backend).await;
    let key = service.admin_key();
    let (mut api, url) = service.serve(&[
        "--workers",
        "1",
        "--stall-after-claim-ms",
        "600000",
        "--shutdown-grace-seconds",
        "1",
    ]);
    let client = reqwest::Client::new();
    let id = upload(&client, &url, &key, sample(4)).await;
    wait_for(&client, &url, &key, &id, &["processing"]).await;
    let pid = api.0.id().to_string();
    let status =
        std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = api.0.try_wait().expect("wait") {
            break exit;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "{exit:?}");
    let repo = service.repo().await;
    let tenant = repo.tenant_by_name("Kommun").await.expect("query").expect("tenant");
    let invoice = repo.invoice(&tenant.id, &id).await.expect("query").expect("kept");
    assert_eq!(invoice.status.as_str(), "queued", "released, not lost");
    // A new process picks it up.
    let (_api, url) = service.serve(&["--workers", "1"]);
    wait_for(&client, &url, &key, &id, &["done", "needs_review"]).await;
}

async fn originals_can_live_in_s3(backend: Backend) {
    let moto = invex_storage::testing::MotoServer::start();
    let bucket = moto.bucket("originals", "invex/").await;
    let mut service = Service::new(backend).await;
    service.blobs = Some(("s3://originals/invex/".into(), moto.env()));
    let key = service.admin_key();
    let (_api, url) = service.serve(&["--workers", "1"]);
    let client = reqwest::Client::new();
    let ready = get_json(&client, &format!("{url}/health/ready")).await;
    assert_eq!(ready["blob_store"]["kind"], "s3", "{ready}");
    assert_eq!(ready["blob_store"]["status"], "ok", "{ready}");
    let original = sample(6);
    let id = upload(&client, &url, &key, original.clone()).await;
    let keys = invex_domain::service::BlobStore::list(&bucket, "tenants/").await.expect("list");
    assert_eq!(keys.len(), 1, "the upload is in the bucket before the 202: {keys:?}");
    wait_for(&client, &url, &key, &id, &["done", "needs_review"]).await;
    let file = client
        .get(format!("{url}/v1/invoices/{id}/file"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("file");
    assert_eq!(file.bytes().await.expect("bytes").to_vec(), original);
    let erased = client
        .delete(format!("{url}/v1/invoices/{id}"))
        .bearer_auth(&key)
        .send()
        .await
        .expect("delete");
    assert_eq!(erased.status(), 204);
    let keys = invex_domain::service::BlobStore::list(&bucket, "tenants/").await.expect("list");
    assert!(keys.is_empty(), "erasure removes the object: {keys:?}");
}

/// `invex serve --donut DIR --donut-use instead`: an uploaded image is read
/// by the Donut (the tiny fixture, on the image it memorised).
async fn uploads_can_be_read_by_a_donut(backend: Backend) {
    let service = Service::new(backend).await;
    let key = service.admin_key();
    let donut = crate::repo().join("models/tests/fixtures/tiny-donut");
    let donut = donut.to_str().expect("utf-8 path");
    let (_api, url) =
        service.serve(&["--workers", "1", "--donut", donut, "--donut-use", "instead"]);
    let client = reqwest::Client::new();
    let ready = get_json(&client, &format!("{url}/health/ready")).await;
    assert!(
        ready["model"]["detail"].as_str().unwrap_or("").contains("second opinion donut"),
        "{ready}"
    );
    let image = std::fs::read(crate::repo().join("models/tests/fixtures/tiny-donut/sample-b.png"))
        .expect("fixture");
    let id = upload(&client, &url, &key, image).await;
    let done = wait_for(&client, &url, &key, &id, &["done", "needs_review", "failed"]).await;
    let number = &done["fields"]["invoice_number"];
    assert_eq!(number["value"], "2026-117", "{done}");
    assert_eq!(number["source"], "donut", "{done}");
}

/// A key revoked through one `invex serve` stops working in another within
/// a second, though the other had just verified (and cached) it.
async fn revocation_reaches_every_process_within_a_second(backend: Backend) {
    let service = Service::new(backend).await;
    let admin = service.admin_key();
    let (_a, url_a) = service.serve(&["--workers", "0"]);
    let (_b, url_b) = service.serve(&["--workers", "0"]);
    let client = reqwest::Client::new();
    let made: Value = client
        .post(format!("{url_a}/v1/keys"))
        .bearer_auth(&admin)
        .json(&json!({"role": "uploader", "name": "scanner"}))
        .send()
        .await
        .expect("POST /v1/keys")
        .json()
        .await
        .expect("JSON");
    let (id, key) = (made["id"].as_str().expect("id"), made["key"].as_str().expect("key"));
    let status = |url: String| {
        let (client, key) = (client.clone(), key.to_string());
        async move {
            let res = client.get(format!("{url}/v1/invoices")).bearer_auth(&key).send().await;
            res.expect("GET /v1/invoices").status().as_u16()
        }
    };
    for url in [&url_a, &url_b] {
        assert_eq!(status(url.clone()).await, 200, "{url} takes the new key");
    }
    let revoked = client
        .delete(format!("{url_a}/v1/keys/{id}"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("DELETE /v1/keys/{id}");
    assert!(revoked.status().is_success(), "{}", revoked.status());
    let started = Instant::now();
    assert_eq!(status(url_a.clone()).await, 401, "the revoking process forgets at once");
    loop {
        if status(url_b.clone()).await == 401 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(1), "still accepted after 1 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `invex worker --listen`: health and metrics of a worker process, its
/// processed jobs counted there.
async fn a_worker_serves_health_and_metrics(backend: Backend) {
    let service = Service::new(backend).await;
    let key = service.admin_key();
    let (_api, url) = service.serve(&["--workers", "0"]);
    let mut cmd = service.command(&["worker", "--workers", "1", "--poll-ms", "100"]);
    cmd.args(["--listen", "127.0.0.1:0"]);
    // The worker goes on printing after its reader has gone (announce).
    let (_worker, ops) = spawn_announced(cmd);
    let client = reqwest::Client::new();
    let live = get_json(&client, &format!("{ops}/health/live")).await;
    assert_eq!(live["status"], "ok", "{live}");
    let ready = get_json(&client, &format!("{ops}/health/ready")).await;
    assert_eq!(ready["status"], "ok", "{ready}");
    assert_eq!(ready["database"]["status"], "ok", "{ready}");
    let missing = client.get(format!("{ops}/v1/invoices")).send().await.expect("GET");
    assert_eq!(missing.status(), 404, "the worker serves no API");
    let id = upload(&client, &url, &key, sample(2)).await;
    let invoice = wait_for(&client, &url, &key, &id, &["done", "needs_review"]).await;
    let metrics = client.get(format!("{ops}/metrics")).send().await.expect("GET /metrics");
    let text = metrics.text().await.expect("text");
    let outcome = invoice["status"].as_str().unwrap_or_default();
    assert!(text.contains(&format!("invex_jobs_total{{outcome=\"{outcome}\"}} 1")), "{text}");
}

/// A key's rate limit holds across API processes: requests spread over two
/// `invex serve` processes share one budget.
async fn the_rate_limit_is_shared_by_every_process(backend: Backend) {
    let service = Service::new(backend).await;
    let key = service.admin_key();
    let limit = ["--workers", "0", "--rate-limit-per-minute", "4"];
    let (_a, url_a) = service.serve(&limit);
    let (_b, url_b) = service.serve(&limit);
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for url in [&url_a, &url_b, &url_a, &url_b, &url_a, &url_b] {
        let res = client.get(format!("{url}/v1/invoices")).bearer_auth(&key).send().await;
        let res = res.expect("GET /v1/invoices");
        if res.status() == 429 {
            let wait = res.headers().get("retry-after").and_then(|v| v.to_str().ok());
            assert!(
                wait.and_then(|w| w.parse::<u64>().ok()).is_some_and(|w| (1..=60).contains(&w))
            );
        }
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429], "4 a minute, whichever process");
}

crate::both_backends!(
    the_rate_limit_is_shared_by_every_process,
    a_worker_serves_health_and_metrics,
    revocation_reaches_every_process_within_a_second,
    a_killed_worker_s_job_is_finished_by_another_exactly_once,
    sigterm_releases_work_in_flight,
    originals_can_live_in_s3,
    uploads_can_be_read_by_a_donut,
);
