//! Shared HTTP transport of the remote exporters: a `reqwest` client (rustls)
//! with OAuth2 bearer tokens ([`oauth`]), a proactive [`RateLimiter`], and
//! retries ([`RetryPolicy`]): 429 waits for `Retry-After` or backs off
//! exponentially with jitter, 5xx and connection errors are retried when the
//! request is safe to repeat, and a 401 refreshes the token and retries once.
//! Every error names what the request was for (the invoice) and the cause.

pub mod limiter;
pub mod oauth;
pub mod retry;
pub mod secret;

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

pub use limiter::{RateLimit, RateLimiter};
pub use oauth::{FileTokenStore, OAuth, OAuthConfig, TokenStore};
pub use retry::RetryPolicy;
pub use secret::Secret;

use crate::Error;

/// How a target writes its error bodies, turned into one line of text.
pub type ErrorText = fn(&Value) -> Option<String>;

/// What a request carries.
#[derive(Debug, Clone)]
pub enum Body {
    Empty,
    Json(Value),
    /// One file as `multipart/form-data`, field `file`.
    File {
        name: String,
        mime: &'static str,
        bytes: Arc<Vec<u8>>,
    },
}

/// One API request, rebuilt for every attempt.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// Relative to the base URL, with the query string.
    pub path: String,
    pub body: Body,
    /// Whether repeating it after a 5xx or a lost connection is harmless.
    /// A create (POST) is not: the target may have made it before failing,
    /// so the caller looks it up again instead.
    pub idempotent: bool,
}

impl Request {
    pub fn get(path: impl Into<String>) -> Request {
        Request { method: Method::GET, path: path.into(), body: Body::Empty, idempotent: true }
    }

    pub fn post(path: impl Into<String>, body: Value) -> Request {
        Request {
            method: Method::POST,
            path: path.into(),
            body: Body::Json(body),
            idempotent: false,
        }
    }
}

/// A final answer: any status but 401, 429 and retried 5xx.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

/// Settings of a [`Transport`].
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// `Fortnox`, `Visma eEkonomi`: for messages.
    pub target: &'static str,
    pub base_url: String,
    pub oauth: OAuthConfig,
    pub rate_limit: RateLimit,
    pub retry: RetryPolicy,
    pub timeout: Duration,
}

/// Authenticated, rate-limited, retrying requests to one target.
#[derive(Debug)]
pub struct Transport {
    target: &'static str,
    base_url: String,
    http: reqwest::Client,
    oauth: OAuth,
    limiter: RateLimiter,
    retry: RetryPolicy,
    error_text: ErrorText,
}

impl Transport {
    pub fn new(
        config: TransportConfig,
        error_text: ErrorText,
        store: Option<Arc<dyn TokenStore>>,
    ) -> Result<Transport, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("invex/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Auth {
                target: config.target,
                detail: format!("HTTP client: {e}"),
            })?;
        let oauth = OAuth::new(config.target, config.oauth, http.clone(), config.retry, store);
        Ok(Transport {
            target: config.target,
            base_url: config.base_url.trim_end_matches('/').to_string(),
            http,
            oauth,
            limiter: RateLimiter::new(config.rate_limit),
            retry: config.retry,
            error_text,
        })
    }

    pub fn target(&self) -> &'static str {
        self.target
    }

    /// Sends `request` for `what` (the invoice label, for errors) until it
    /// gets a final answer.
    pub async fn send(&self, what: &str, request: &Request) -> Result<Reply, Error> {
        let mut retries = 0;
        let mut refreshed = false;
        loop {
            let token = self.oauth.access_token().await?;
            self.limiter.acquire().await;
            let sent = self.build(request, token.token.expose()).send().await;
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    let retry = request.idempotent && (e.is_connect() || e.is_timeout());
                    if retry && retries < self.retry.max_retries {
                        retries += 1;
                        tokio::time::sleep(self.retry.delay(retries, None)).await;
                        continue;
                    }
                    return Err(Error::Transport {
                        target: self.target,
                        invoice: what.into(),
                        source: e,
                    });
                }
            };
            let status = response.status();
            let wait = retry::retry_after(response.headers());
            if status == StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                self.oauth.invalidate(&token).await;
                continue;
            }
            let retryable = status == StatusCode::TOO_MANY_REQUESTS
                || (status.is_server_error() && request.idempotent);
            if retryable {
                if retries >= self.retry.max_retries {
                    return Err(Error::GaveUp {
                        target: self.target,
                        invoice: what.into(),
                        status: status.as_u16(),
                        attempts: retries + 1,
                    });
                }
                retries += 1;
                tokio::time::sleep(self.retry.delay(retries, wait)).await;
                continue;
            }
            let text = response.text().await.unwrap_or_default();
            let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
            return Ok(Reply { status, body });
        }
    }

    /// [`Transport::send`], and any answer but 2xx becomes an error naming
    /// `what`, the status and the target's message.
    pub async fn send_ok(&self, what: &str, request: &Request) -> Result<Value, Error> {
        let reply = self.send(what, request).await?;
        if reply.status.is_success() {
            return Ok(reply.body);
        }
        Err(self.refused(what, &reply))
    }

    /// The error for a non-2xx reply.
    pub fn refused(&self, what: &str, reply: &Reply) -> Error {
        let detail = (self.error_text)(&reply.body).unwrap_or_else(|| match &reply.body {
            Value::String(s) if !s.trim().is_empty() => s.trim().chars().take(500).collect(),
            Value::String(_) => reply.status.canonical_reason().unwrap_or("no message").to_string(),
            other => other.to_string().chars().take(500).collect(),
        });
        Error::Remote {
            target: self.target,
            invoice: what.into(),
            status: reply.status.as_u16(),
            detail,
        }
    }

    fn build(&self, request: &Request, token: &str) -> reqwest::RequestBuilder {
        let url = format!("{}{}", self.base_url, request.path);
        let builder = self
            .http
            .request(request.method.clone(), url)
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT, "application/json");
        match &request.body {
            Body::Empty => builder,
            Body::Json(value) => builder.json(value),
            Body::File { name, mime, bytes } => {
                let part = reqwest::multipart::Part::bytes(bytes.as_ref().clone())
                    .file_name(name.clone())
                    .mime_str(mime)
                    .unwrap_or_else(|_| reqwest::multipart::Part::bytes(bytes.as_ref().clone()));
                builder.multipart(reqwest::multipart::Form::new().part("file", part))
            }
        }
    }
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
