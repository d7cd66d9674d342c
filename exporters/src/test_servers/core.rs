//! What both test servers share: tokens, rate limit, storm, request log,
//! and starting on a free port (in the caller's runtime or a thread of its own).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use serde_json::Value;

use crate::http::RateLimit;

/// How a test server behaves.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// How long access tokens really live.
    pub token_ttl: Duration,
    /// The `expires_in` the token endpoint announces (seconds); by default
    /// the real lifetime. A longer one makes tokens expire unannounced.
    pub announced_ttl: Option<u64>,
    /// Requests per window per access token (and endpoint, for Visma).
    pub rate_limit: RateLimit,
    pub storm: Storm,
    pub client_id: String,
    pub client_secret: String,
    /// The refresh token the integration starts with.
    pub refresh_token: String,
}

impl ServerOptions {
    /// The published rate limit and one-hour tokens.
    pub fn published(rate_limit: RateLimit) -> ServerOptions {
        ServerOptions {
            token_ttl: Duration::from_secs(3600),
            announced_ttl: None,
            rate_limit,
            storm: Storm::default(),
            client_id: "invex-test-client".into(),
            client_secret: "invex-test-secret".into(),
            refresh_token: "initial-refresh-token".into(),
        }
    }
}

/// 429s regardless of the rate limit.
#[derive(Debug, Clone, Default)]
pub struct Storm {
    /// Every n-th API request is answered 429.
    pub every_nth: Option<u64>,
    /// The `Retry-After` of storm answers.
    pub retry_after: Duration,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    /// The JSON body; for a file upload `{"file": name, "size": bytes}`.
    pub body: Value,
    /// Why a 429 was sent: `rate limit` or `storm`.
    pub reason: Option<&'static str>,
}

/// Tokens, limits and the log.
#[derive(Debug)]
pub struct Core {
    pub options: ServerOptions,
    tokens: Mutex<Tokens>,
    windows: Mutex<HashMap<String, VecDeque<Instant>>>,
    storm_until: Mutex<Option<Instant>>,
    counter: AtomicU64,
    log: Mutex<Vec<Recorded>>,
    /// Token refreshes still to be answered too late (after rotating).
    lost_token_replies: AtomicU64,
    /// Token requests received, answered or not.
    token_requests: AtomicU64,
}

#[derive(Debug, Default)]
struct Tokens {
    access: HashMap<String, Instant>,
    refresh: Option<String>,
    issued: u64,
}

/// How late a lost token reply comes ([`Core::lose_token_replies`]).
pub const LOST_REPLY_DELAY: Duration = Duration::from_secs(5);

/// A refusal: status, body, `Retry-After`, 429 reason.
pub type Refusal = (StatusCode, Value, Option<Duration>, Option<&'static str>);

impl Core {
    pub fn new(options: ServerOptions) -> Core {
        let tokens = Tokens { refresh: Some(options.refresh_token.clone()), ..Tokens::default() };
        Core {
            options,
            tokens: Mutex::new(tokens),
            windows: Mutex::new(HashMap::new()),
            storm_until: Mutex::new(None),
            counter: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
            lost_token_replies: AtomicU64::new(0),
            token_requests: AtomicU64::new(0),
        }
    }

    /// The token endpoint: HTTP Basic client credentials and a form with
    /// `grant_type=refresh_token`. The refresh token rotates.
    pub fn token(
        &self,
        headers: &HeaderMap,
        form: &HashMap<String, String>,
    ) -> (StatusCode, Value) {
        self.token_requests.fetch_add(1, Ordering::SeqCst);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", self.options.client_id, self.options.client_secret));
        let basic = headers.get("authorization").and_then(|v| v.to_str().ok());
        if basic != Some(&format!("Basic {expected}")) {
            return (StatusCode::UNAUTHORIZED, serde_json::json!({"error": "invalid_client"}));
        }
        if form.get("grant_type").map(String::as_str) != Some("refresh_token") {
            return (
                StatusCode::BAD_REQUEST,
                serde_json::json!({"error": "unsupported_grant_type"}),
            );
        }
        let mut tokens = self.tokens.lock().unwrap();
        if form.get("refresh_token").is_none()
            || form.get("refresh_token") != tokens.refresh.as_ref()
        {
            return (StatusCode::BAD_REQUEST, serde_json::json!({"error": "invalid_grant"}));
        }
        tokens.issued += 1;
        let access = format!("access-{}-{}", tokens.issued, std::process::id());
        let refresh = format!("refresh-{}", tokens.issued);
        tokens.access.insert(access.clone(), Instant::now() + self.options.token_ttl);
        tokens.refresh = Some(refresh.clone());
        let expires_in =
            self.options.announced_ttl.unwrap_or(self.options.token_ttl.as_secs().max(1));
        (
            StatusCode::OK,
            serde_json::json!({
                "access_token": access, "refresh_token": refresh, "expires_in": expires_in,
                "token_type": "bearer", "scope": "supplierinvoice supplier inbox connectfile",
            }),
        )
    }

    /// Storm, then bearer token, then rate limit (per token and `bucket`).
    /// Returns the token, or the refusal to send.
    pub fn admit(&self, headers: &HeaderMap, bucket: &str) -> Result<String, Refusal> {
        let n = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        let storm = &self.options.storm;
        // A storm window answers with the time it has left; every n-th with the fixed wait.
        let left = self
            .storm_until
            .lock()
            .unwrap()
            .map(|until| until.saturating_duration_since(Instant::now()));
        let wait = match left.filter(|l| !l.is_zero()) {
            Some(left) => Some(left),
            None => storm
                .every_nth
                .filter(|e| *e > 0 && n.is_multiple_of(*e))
                .map(|_| storm.retry_after),
        };
        if let Some(wait) = wait {
            let body = serde_json::json!({"message": "Too many requests (storm)"});
            return Err((StatusCode::TOO_MANY_REQUESTS, body, Some(wait), Some("storm")));
        }
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default()
            .to_string();
        let valid =
            self.tokens.lock().unwrap().access.get(&token).is_some_and(|exp| Instant::now() < *exp);
        if !valid {
            return Err((StatusCode::UNAUTHORIZED, Value::Null, None, None));
        }
        let limit = self.options.rate_limit;
        let mut windows = self.windows.lock().unwrap();
        let sent = windows.entry(format!("{token} {bucket}")).or_default();
        let now = Instant::now();
        while sent.front().is_some_and(|t| now.duration_since(*t) >= limit.per) {
            sent.pop_front();
        }
        if sent.len() >= limit.requests as usize {
            let wait =
                sent.front().map_or(limit.per, |t| (*t + limit.per).saturating_duration_since(now));
            let body = serde_json::json!({"message": "Too many requests"});
            return Err((StatusCode::TOO_MANY_REQUESTS, body, Some(wait), Some("rate limit")));
        }
        sent.push_back(now);
        Ok(token)
    }

    pub fn record(&self, entry: Recorded) {
        self.log.lock().unwrap().push(entry);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    /// How many 429s were sent for `reason` (`rate limit` or `storm`).
    pub fn too_many(&self, reason: &str) -> usize {
        self.log.lock().unwrap().iter().filter(|r| r.reason == Some(reason)).count()
    }

    /// Every access token stops working now (as if it expired unannounced).
    pub fn expire_access_tokens(&self) {
        self.tokens.lock().unwrap().access.clear();
    }

    /// How many token pairs the token endpoint has issued.
    pub fn tokens_issued(&self) -> u64 {
        self.tokens.lock().unwrap().issued
    }

    /// The refresh token now valid (after rotation).
    pub fn current_refresh_token(&self) -> Option<String> {
        self.tokens.lock().unwrap().refresh.clone()
    }

    /// The next `n` token refreshes rotate the refresh token as usual but
    /// answer only after [`LOST_REPLY_DELAY`]: a reply lost on the way, as
    /// the client's timeout sees it.
    pub fn lose_token_replies(&self, n: u64) {
        self.lost_token_replies.store(n, Ordering::SeqCst);
    }

    /// Token requests received so far, answered or not (a lost reply's
    /// request is counted, though its log entry never comes: the client
    /// hung up first).
    pub fn token_requests(&self) -> u64 {
        self.token_requests.load(Ordering::SeqCst)
    }

    /// Whether this token reply is one to lose (counts it down).
    pub fn take_lost_token_reply(&self) -> bool {
        self.lost_token_replies
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    /// The user authorises the integration again: a new refresh token
    /// replaces whatever the server held, and is returned.
    pub fn authorise_again(&self) -> String {
        let mut tokens = self.tokens.lock().unwrap();
        tokens.issued += 1;
        let refresh = format!("reauthorised-{}", tokens.issued);
        tokens.refresh = Some(refresh.clone());
        refresh
    }

    /// Every API request is answered 429 for `duration` from now.
    pub fn storm_for(&self, duration: Duration) {
        *self.storm_until.lock().unwrap() = Some(Instant::now() + duration);
    }
}

/// A running server: its address and the task or thread serving it.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    /// Set when the server runs on a thread of its own; dropping it stops the server.
    _shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Serves `router` on 127.0.0.1:0 in the current tokio runtime.
pub async fn serve(router: axum::Router) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(Running { addr, _shutdown: None })
}

/// Serves `router` on a thread with its own runtime, for synchronous tests
/// (the CLI end-to-end tests). The server stops when [`Running`] is dropped.
pub fn serve_in_thread(router: axum::Router) -> std::io::Result<Running> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
        let runtime = match runtime {
            Ok(r) => r,
            Err(e) => return ready_tx.send(Err(e)).unwrap_or(()),
        };
        runtime.block_on(async move {
            let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                Ok(l) => l,
                Err(e) => return ready_tx.send(Err(e)).unwrap_or(()),
            };
            let _ = ready_tx.send(listener.local_addr());
            let stop = async {
                let _ = stop_rx.await;
            };
            let _ = axum::serve(listener, router).with_graceful_shutdown(stop).await;
        });
    });
    let addr = ready_rx.recv().map_err(std::io::Error::other)??;
    Ok(Running { addr, _shutdown: Some(stop_tx) })
}

/// A JSON number, or a string holding one (Fortnox types amounts as
/// strings), as an exact decimal.
pub fn decimal(value: &Value) -> Option<rust_decimal::Decimal> {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.as_number()?.to_string(),
    };
    text.parse().ok().or_else(|| rust_decimal::Decimal::from_scientific(&text).ok())
}

/// A `YYYY-MM-DD` date.
pub fn is_date(value: &Value) -> bool {
    value.as_str().is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok())
}

/// `a=1&b=x%20y` as decoded pairs.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent-decoding (and `+` as space).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
