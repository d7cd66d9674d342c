//! OAuth2 for Fortnox and Visma eEkonomi: a refresh token is traded for a
//! short-lived access token at the token endpoint (`grant_type=refresh_token`,
//! HTTP Basic with the client id and secret), again whenever the access token
//! is about to expire or the API answers 401 to it.
//!
//! Both targets rotate refresh tokens: the answer carries a new one and the
//! old one stops working. The new one is handed to a [`TokenStore`] so that
//! the next run can start from it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::retry::{RetryPolicy, retry_after};
use super::secret::Secret;
use crate::Error;

/// Client credentials and where to trade tokens.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub refresh_token: Secret,
}

/// Keeps the latest refresh token between runs.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// A refresh token saved by an earlier run, preferred over the configured one.
    fn load(&self) -> Option<Secret>;
    fn save(&self, refresh_token: &Secret) -> Result<(), Error>;
}

/// A [`TokenStore`] in a file holding just the refresh token (mode 0600).
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    pub fn new(path: impl Into<PathBuf>) -> FileTokenStore {
        FileTokenStore { path: path.into() }
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> Option<Secret> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        let token = text.trim();
        (!token.is_empty()).then(|| Secret::new(token))
    }

    fn save(&self, refresh_token: &Secret) -> Result<(), Error> {
        write_private(&self.path, refresh_token.expose()).map_err(|e| Error::Auth {
            target: "token store",
            detail: format!("could not save the new refresh token to {}: {e}", self.path.display()),
        })
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(&tmp)?, text.as_bytes())?;
    std::fs::rename(&tmp, path)
}

/// Renews access tokens ahead of expiry by this much.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

#[derive(Debug)]
struct State {
    refresh: Secret,
    access: Option<Access>,
    /// Bumped on every refresh, so a 401 only discards the token it was for.
    generation: u64,
}

#[derive(Debug)]
struct Access {
    token: Secret,
    renew_at: Instant,
}

/// An access token and the generation it belongs to.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: Secret,
    pub generation: u64,
}

/// Hands out valid access tokens; one refresh at a time however many
/// requests run in parallel.
#[derive(Debug)]
pub struct OAuth {
    target: &'static str,
    config: OAuthConfig,
    http: reqwest::Client,
    retry: RetryPolicy,
    store: Option<Arc<dyn TokenStore>>,
    state: Mutex<State>,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<u64>,
}

impl OAuth {
    pub fn new(
        target: &'static str,
        config: OAuthConfig,
        http: reqwest::Client,
        retry: RetryPolicy,
        store: Option<Arc<dyn TokenStore>>,
    ) -> OAuth {
        let refresh =
            store.as_ref().and_then(|s| s.load()).unwrap_or_else(|| config.refresh_token.clone());
        OAuth {
            target,
            config,
            http,
            retry,
            store,
            state: Mutex::new(State { refresh, access: None, generation: 0 }),
        }
    }

    /// A token valid for at least [`EXPIRY_MARGIN`] more, refreshed if need be.
    pub async fn access_token(&self) -> Result<AccessToken, Error> {
        let mut state = self.state.lock().await;
        if let Some(access) = &state.access
            && Instant::now() < access.renew_at
        {
            return Ok(AccessToken { token: access.token.clone(), generation: state.generation });
        }
        self.refresh(&mut state).await?;
        let token = state.access.as_ref().map(|a| a.token.clone()).unwrap_or_default();
        Ok(AccessToken { token, generation: state.generation })
    }

    /// The target answered 401 to `rejected`: forget it (unless another
    /// request already replaced it), so the next call refreshes.
    pub async fn invalidate(&self, rejected: &AccessToken) {
        let mut state = self.state.lock().await;
        if state.generation == rejected.generation {
            state.access = None;
        }
    }

    async fn refresh(&self, state: &mut State) -> Result<(), Error> {
        let auth_error = |detail: String| Error::Auth { target: self.target, detail };
        if state.refresh.is_empty() {
            return Err(auth_error("no refresh token configured".into()));
        }
        let mut attempt = 0;
        let reply = loop {
            attempt += 1;
            let sent = self
                .http
                .post(&self.config.token_url)
                .basic_auth(&self.config.client_id, Some(self.config.client_secret.expose()))
                .form(&[("grant_type", "refresh_token"), ("refresh_token", state.refresh.expose())])
                .send()
                .await;
            let retryable = match &sent {
                Ok(r) => r.status().as_u16() == 429 || r.status().is_server_error(),
                Err(e) => e.is_connect() || e.is_timeout(),
            };
            if retryable && attempt <= self.retry.max_retries {
                let after = sent.as_ref().ok().and_then(|r| retry_after(r.headers()));
                tokio::time::sleep(self.retry.delay(attempt, after)).await;
                continue;
            }
            let response = sent.map_err(|e| {
                auth_error(format!("token endpoint {} unreachable: {e}", self.config.token_url))
            })?;
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            if !status.is_success() {
                return Err(auth_error(format!(
                    "token refresh refused ({status}): {}; authorise the integration again",
                    body.trim()
                )));
            }
            break serde_json::from_str::<TokenReply>(&body)
                .map_err(|e| auth_error(format!("unreadable token reply: {e}")))?;
        };
        let lifetime = Duration::from_secs(reply.expires_in.unwrap_or(3600));
        state.access = Some(Access {
            token: Secret::new(reply.access_token),
            renew_at: Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN.min(lifetime / 2)),
        });
        state.generation += 1;
        if let Some(new) = reply.refresh_token.filter(|t| !t.is_empty()) {
            state.refresh = Secret::new(new);
            if let Some(store) = &self.store {
                store.save(&state.refresh)?;
            }
        }
        Ok(())
    }
}
