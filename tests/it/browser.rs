//! Browser tests in a real headless Chromium, driven over WebDriver
//! (chromedriver, fantoccini), with accessibility checks by the vendored
//! axe-core (`tests/vendor/axe-core`). `scripts/setup.sh` installs Debian's
//! `chromium` and `chromium-driver`; a test that needs them and does not find
//! them fails rather than skips.
//!
//! Each [`Browser`] has its own chromedriver on its own loopback port and its
//! own Chromium profile, so tests may run at the same time.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// axe-core 4.14.1 from the npm registry (see its README for provenance).
const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

/// How long [`Browser::wait_for`] waits for an element.
const WAIT: Duration = Duration::from_secs(15);

/// A headless Chromium under its own chromedriver.
pub struct Browser {
    pub client: Client,
    driver: Child,
    port: u16,
    /// The Chromium profile (`--user-data-dir`) and chromedriver's log,
    /// removed on drop.
    _dir: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session in a
    /// fresh headless Chromium. Panics if either is missing.
    pub async fn start() -> Browser {
        let chromedriver = tool("INVEX_CHROMEDRIVER", "/usr/bin/chromedriver", "chromedriver");
        let chromium = tool("INVEX_CHROMIUM", "/usr/bin/chromium", "chromium");
        let dir = tempfile::Builder::new().prefix("invex-browser-").tempdir().expect("temp dir");
        let profile = dir.path().join("profile");
        let log = dir.path().join("chromedriver.log");

        // A port is free when we bind it, not necessarily when chromedriver
        // does: on a lost race chromedriver exits, and we try another.
        let mut tries = 0;
        let (driver, port) = loop {
            tries += 1;
            let port = free_port();
            let mut driver = Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("could not start {}: {e}", chromedriver.display()));
            match wait_ready(&mut driver, port).await {
                Ok(()) => break (driver, port),
                Err(why) => {
                    let _ = driver.kill();
                    let _ = driver.wait();
                    if tries == 3 {
                        panic!(
                            "chromedriver did not come up on port {port}: {why}\n{}",
                            log_tail(&log)
                        );
                    }
                }
            }
        };

        let capabilities = json!({
            "browserName": "chrome",
            "timeouts": { "script": 60_000, "pageLoad": 30_000 },
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let Value::Object(capabilities) = capabilities else { unreachable!() };
        let connected = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        match connected {
            Ok(client) => Browser { client, driver, port, _dir: dir },
            Err(e) => {
                let mut driver = driver;
                stop(&mut driver, port);
                panic!(
                    "chromedriver could not start {}: {e}\n{}",
                    chromium.display(),
                    log_tail(&log)
                )
            }
        }
    }

    /// Ends the WebDriver session (closing Chromium), then stops chromedriver.
    pub async fn close(self) {
        if let Err(e) = self.client.clone().close().await {
            eprintln!("browser: closing the session: {e}");
        }
        // Drop stops chromedriver.
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("could not open {url}: {e}"));
    }

    /// The first element matching `css`, waiting up to 15 s for one to appear;
    /// on timeout, panics with the selector and the start of the page source.
    pub async fn wait_for(&self, css: &str) -> Element {
        let found = self
            .client
            .wait()
            .at_most(WAIT)
            .every(Duration::from_millis(100))
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(e) => {
                let source =
                    self.client.source().await.unwrap_or_else(|e| format!("(no page source: {e})"));
                let url =
                    self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
                panic!(
                    "no element matches `{css}` after {WAIT:?} on {url} ({e}); the page begins:\n{}",
                    head(&source, 2000)
                )
            }
        }
    }

    /// The rendered text of the first element matching `css` (waiting for it).
    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.unwrap_or_else(|e| panic!("text of `{css}`: {e}"))
    }

    /// Runs axe-core on the current page and returns its violations (axe's
    /// result objects: `id`, `impact`, `help`, `helpUrl`, `nodes`, ...).
    pub async fn axe_violations(&self) -> Vec<Value> {
        let present = self.client.execute("return typeof window.axe === 'object';", vec![]).await;
        if present.ok() != Some(Value::Bool(true)) {
            self.client
                .execute(AXE, vec![])
                .await
                .unwrap_or_else(|e| panic!("could not inject axe-core: {e}"));
        }
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] }).then(
                (r) => done(JSON.stringify(r.violations)),
                (e) => done(JSON.stringify({ error: String(e) })),
            );
        "#;
        let answer = self
            .client
            .execute_async(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("axe.run: {e}"));
        let text = answer.as_str().unwrap_or_else(|| panic!("axe.run answered {answer}"));
        match serde_json::from_str(text).unwrap_or_else(|e| panic!("axe.run answered {text}: {e}"))
        {
            Value::Array(violations) => violations,
            other => panic!("axe.run failed: {other}"),
        }
    }

    /// The violations of impact `serious` or `critical`, each as
    /// `"id: help (N nodes: first target)"`, for an assertion message.
    pub async fn serious_violations(&self) -> Vec<String> {
        self.axe_violations()
            .await
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                let nodes = v["nodes"].as_array().map(Vec::as_slice).unwrap_or_default();
                let target = nodes.first().map(|n| target(&n["target"])).unwrap_or_default();
                format!(
                    "{}: {} ({} nodes: {target})",
                    v["id"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or("?"),
                    nodes.len()
                )
            })
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        stop(&mut self.driver, self.port);
    }
}

/// Stops chromedriver: its `/shutdown` quits its sessions' Chromium and
/// exits (a bare kill would leave Chromium behind when `close` was not
/// called); then a kill, in case it did not.
fn stop(driver: &mut Child, port: u16) {
    if matches!(driver.try_wait(), Ok(None)) {
        shutdown(port);
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(driver.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

/// `env`'s path, or `default`; panics if there is no file there.
fn tool(env: &str, default: &str, what: &str) -> PathBuf {
    let path = std::env::var_os(env).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.is_file(),
        "{what} not found at {} (set {env} to override): run scripts/setup.sh, which installs \
         Debian's chromium and chromium-driver",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

/// Polls chromedriver's `/status` until it says ready (up to 10 s).
async fn wait_ready(driver: &mut Child, port: u16) -> Result<(), String> {
    let http =
        reqwest::Client::builder().timeout(Duration::from_secs(2)).build().expect("HTTP client");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(Some(status)) = driver.try_wait() {
            return Err(format!("chromedriver exited: {status}"));
        }
        if let Ok(response) = http.get(format!("http://127.0.0.1:{port}/status")).send().await
            && let Ok(body) = response.json::<Value>().await
            && body["value"]["ready"] == Value::Bool(true)
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err("not ready after 10 s".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `GET /shutdown`, blocking briefly (Drop cannot await).
fn shutdown(port: u16) {
    let Ok(mut stream) =
        TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), Duration::from_secs(1))
    else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ =
        stream.write_all(b"GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    let _ = stream.read_to_end(&mut Vec::new());
}

fn log_tail(log: &std::path::Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    format!(
        "chromedriver log ({}):\n{}",
        log.display(),
        lines[lines.len().saturating_sub(40)..].join("\n")
    )
}

/// axe's `target`: a list of selectors (nested lists for frames and shadow roots).
fn target(target: &Value) -> String {
    match target {
        Value::Array(parts) => parts.iter().map(target_part).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

fn target_part(part: &Value) -> String {
    match part {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts.iter().map(target_part).collect::<Vec<_>>().join(" >>> "),
        other => other.to_string(),
    }
}

fn head(text: &str, chars: usize) -> &str {
    text.char_indices().nth(chars).map_or(text, |(at, _)| &text[..at])
}

const ACCESSIBLE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Invoices</title></head>
<body>
<main>
<h1>Find an invoice</h1>
<form>
<label for="supplier">Supplier</label>
<input id="supplier" name="supplier" type="text">
<button type="submit">Search</button>
</form>
</main>
</body>
</html>"#;

const INACCESSIBLE: &str = r#"<!doctype html>
<html>
<head><meta charset="utf-8"><title>Invoices</title></head>
<body>
<h1>Find an invoice</h1>
<input type="text">
</body>
</html>"#;

/// Serves the two pages on a loopback port; returns the base URL.
async fn serve_pages() -> String {
    use axum::response::Html;
    let app = axum::Router::new()
        .route("/good", axum::routing::get(|| async { Html(ACCESSIBLE) }))
        .route("/bad", axum::routing::get(|| async { Html(INACCESSIBLE) }));
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.expect("bind");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// The harness itself: two browsers at once, each under its own
/// chromedriver, and axe finds what is wrong with a page (and only that).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_runs_axe_on_a_local_page() {
    let base = serve_pages().await;
    let (good, bad) = tokio::join!(Browser::start(), Browser::start());
    assert_ne!(good.port, bad.port, "each browser has its own chromedriver");

    good.goto(&format!("{base}/good")).await;
    assert_eq!(good.text("main h1").await, "Find an invoice");
    assert_eq!(good.client.title().await.unwrap(), "Invoices");
    let serious = good.serious_violations().await;
    assert!(serious.is_empty(), "the accessible page has serious violations: {serious:#?}");
    // The vendored axe-core is in the page.
    let ran = good.client.execute("return typeof axe.version === 'string';", vec![]).await.unwrap();
    assert_eq!(ran, Value::Bool(true));

    bad.goto(&format!("{base}/bad")).await;
    bad.wait_for("input").await;
    let serious = bad.serious_violations().await;
    let ids: Vec<&str> = serious.iter().map(|v| v.split(':').next().unwrap()).collect();
    assert!(
        ids.contains(&"label") && ids.contains(&"html-has-lang"),
        "axe missed the unlabelled input or the missing lang: {serious:#?}"
    );
    assert!(
        serious.iter().any(|v| v.starts_with("label: ") && v.ends_with("(1 nodes: input)")),
        "{serious:#?}"
    );

    good.close().await;
    bad.close().await;
}
