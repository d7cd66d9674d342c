//! OAuth2 for Fortnox and Visma eEkonomi: a refresh token is traded for a
//! short-lived access token at the token endpoint (`grant_type=refresh_token`,
//! HTTP Basic with the client id and secret), again whenever the access token
//! is about to expire or the API answers 401 to it.
//!
//! Both targets rotate refresh tokens: the answer carries a new one and the
//! old one stops working, and Fortnox's are single-use. So:
//!
//! - Before a refresh is sent, the [`TokenStore`] marks the token as sent;
//!   the new token replaces it (atomically) before the new access token is
//!   used. A refresh that may have reached the endpoint without its answer
//!   reaching us (a timeout, a lost connection, a 5xx) is never sent again:
//!   the token may be used up, and resending a used token can get the
//!   integration revoked. The export stops with a clear "authorise the
//!   integration again" error; the invoices not yet exported stay in the
//!   input and are exported by the next run, which finds the ones already
//!   created instead of creating them twice.
//! - A run that finds its stored token marked as sent without an answer
//!   stops the same way, unless a new refresh token was configured (the
//!   integration was authorised again: a token the store never held). The
//!   stored token is otherwise preferred over the configured one, which
//!   the first rotation made stale.
//! - Only a refusal before use is retried: a connection that never opened,
//!   or 429.

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
    /// Saves a new refresh token (clearing the mark of [`TokenStore::sending`]).
    fn save(&self, refresh_token: &Secret) -> Result<(), Error>;
    /// Marks `refresh_token` as sent to the token endpoint, before it is.
    fn sending(&self, refresh_token: &Secret) -> Result<(), Error>;
    /// Whether the stored token was sent and no answer was saved since.
    fn unanswered(&self) -> bool;
    /// Whether `refresh_token` is one the store held before: sent, and
    /// replaced or unanswered. A configured token it never held is a new
    /// authorisation.
    fn held_before(&self, refresh_token: &Secret) -> bool;
}

/// A [`TokenStore`] in a file (mode 0600): the refresh token on the first
/// line, `sent` on the second while a refresh with it is unanswered (else an
/// empty line), then `used <token>` for the tokens it replaced (the last
/// 20; used tokens are worthless, and knowing them tells a new
/// authorisation from an old configured token).
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    pub fn new(path: impl Into<PathBuf>) -> FileTokenStore {
        FileTokenStore { path: path.into() }
    }
}

impl FileTokenStore {
    fn read(&self) -> Vec<String> {
        std::fs::read_to_string(&self.path)
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// The tokens the file lists as used.
    fn used(&self) -> Vec<String> {
        let lines = self.read();
        lines.iter().filter_map(|l| l.strip_prefix("used ")).map(str::to_string).collect()
    }

    /// Holds `token` (marked `sent` or not); a different token held until
    /// now joins the used ones.
    fn hold(&self, token: &Secret, sent: bool) -> Result<(), Error> {
        let mut used = self.used();
        if let Some(old) = self.load().filter(|old| old.expose() != token.expose()) {
            used.push(old.expose().to_string());
        }
        self.write(token.expose(), sent, &used)
    }

    fn write(&self, token: &str, sent: bool, used: &[String]) -> Result<(), Error> {
        let mut text = format!("{token}\n{}\n", if sent { "sent" } else { "" });
        let keep = used.len().saturating_sub(20);
        for old in used.iter().skip(keep) {
            text.push_str(&format!("used {old}\n"));
        }
        write_private(&self.path, &text).map_err(|e| Error::Auth {
            target: "token store",
            detail: format!("could not save the refresh token to {}: {e}", self.path.display()),
        })
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> Option<Secret> {
        let lines = self.read();
        let token = lines.first().map(|l| l.trim()).unwrap_or_default();
        (!token.is_empty()).then(|| Secret::new(token))
    }

    fn save(&self, refresh_token: &Secret) -> Result<(), Error> {
        self.hold(refresh_token, false)
    }

    fn sending(&self, refresh_token: &Secret) -> Result<(), Error> {
        self.hold(refresh_token, true)
    }

    fn unanswered(&self) -> bool {
        self.read().get(1).is_some_and(|l| l.trim() == "sent")
    }

    fn held_before(&self, refresh_token: &Secret) -> bool {
        let t = refresh_token.expose();
        self.load().is_some_and(|held| held.expose() == t) || self.used().iter().any(|u| u == t)
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
    /// Sent without an answer: it may be used up, and is never sent again.
    spent: bool,
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
        let stored = store.as_ref().and_then(|s| s.load().map(|t| (t, s.unanswered())));
        let configured = config.refresh_token.clone();
        let fresh =
            !configured.is_empty() && store.as_ref().is_some_and(|s| !s.held_before(&configured));
        let (refresh, spent) = match stored {
            // Authorised again since: the configured token is one the store
            // never held, so it is newer than the stored one.
            Some(_) if fresh => (configured, false),
            Some((token, unanswered)) => (token, unanswered),
            None => (configured, false),
        };
        OAuth {
            target,
            config,
            http,
            retry,
            store,
            state: Mutex::new(State { refresh, spent, access: None, generation: 0 }),
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
        let reauthorise = |why: String| {
            auth_error(format!(
                "{why}; the refresh token may be used up and is not sent again: authorise the integration again and give the new refresh token (nothing was lost: invoices not exported yet are exported by the next run, which skips those already created)"
            ))
        };
        if state.refresh.is_empty() {
            return Err(auth_error("no refresh token configured".into()));
        }
        if state.spent {
            return Err(reauthorise("an earlier refresh with this token got no answer".into()));
        }
        if let Some(store) = &self.store {
            store.sending(&state.refresh)?;
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
            // Only a refusal before the token was looked at may be retried.
            let unused = match &sent {
                Ok(r) => r.status().as_u16() == 429,
                Err(e) => e.is_connect(),
            };
            if unused && attempt <= self.retry.max_retries {
                let after = sent.as_ref().ok().and_then(|r| retry_after(r.headers()));
                tokio::time::sleep(self.retry.delay(attempt, after)).await;
                continue;
            }
            let response = match sent {
                Ok(response) => response,
                Err(e) if e.is_connect() => {
                    return Err(auth_error(format!(
                        "token endpoint {} unreachable: {e}",
                        self.config.token_url
                    )));
                }
                Err(e) => {
                    state.spent = true;
                    return Err(reauthorise(format!("the token refresh got no answer ({e})")));
                }
            };
            let status = response.status();
            let body = match response.text().await {
                Ok(body) => body,
                Err(e) => {
                    state.spent = true;
                    return Err(reauthorise(format!("the token refresh's answer was cut ({e})")));
                }
            };
            if status.as_u16() == 429 {
                return Err(auth_error(format!("the token endpoint keeps answering 429: {body}")));
            }
            if status.is_server_error() {
                state.spent = true;
                return Err(reauthorise(format!(
                    "the token refresh failed ({status}): {}",
                    body.trim()
                )));
            }
            if !status.is_success() {
                // A clear refusal: the endpoint answered, so the token is not
                // marked as sent without an answer.
                if let Some(store) = &self.store {
                    store.save(&state.refresh)?;
                }
                return Err(auth_error(format!(
                    "token refresh refused ({status}): {}; authorise the integration again",
                    body.trim()
                )));
            }
            match serde_json::from_str::<TokenReply>(&body) {
                Ok(reply) => break reply,
                Err(e) => {
                    state.spent = true;
                    return Err(reauthorise(format!("unreadable token reply ({e})")));
                }
            }
        };
        // The rotated token is saved before the access token is used.
        let refresh = match reply.refresh_token.filter(|t| !t.is_empty()) {
            Some(new) => Secret::new(new),
            None => state.refresh.clone(),
        };
        if let Some(store) = &self.store
            && let Err(e) = store.save(&refresh)
        {
            state.spent = true;
            return Err(e);
        }
        state.refresh = refresh;
        let lifetime = Duration::from_secs(reply.expires_in.unwrap_or(3600));
        state.access = Some(Access {
            token: Secret::new(reply.access_token),
            renew_at: Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN.min(lifetime / 2)),
        });
        state.generation += 1;
        Ok(())
    }
}
