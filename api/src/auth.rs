//! API keys and the [`Caller`] extractor.
//!
//! A key reads `ivx_<id>_<secret>`. Only the argon2id hash of the secret is
//! stored; the plaintext is shown once, when the key is made. Verifying
//! argon2 costs tens of milliseconds, so a verified key is remembered (by the
//! sha256 of the whole key) for `key_cache_ttl`, and revoking through this
//! process forgets it at once. A revocation through another process (another
//! `invex serve` on the same database) is seen within [`REVOCATION_CHECK`]:
//! a remembered key's record is read again (one indexed row, no argon2) when
//! it was last read longer ago than that. Each key has its own rate limit,
//! counted in the database so that every API process shares it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use invex_domain::service::{ApiKey, Role};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::SharedState;

/// A key just made: the plaintext (show it once) and the record to store.
pub struct NewKey {
    pub plaintext: String,
    pub record: ApiKey,
}

/// Makes a random key for `tenant_id`. Hashing costs tens of milliseconds.
pub fn generate_key(tenant_id: &str, role: Role, name: &str, now: DateTime<Utc>) -> NewKey {
    let id = Uuid::new_v4().simple().to_string()[..16].to_string();
    let secret = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let salt_bytes = *Uuid::new_v4().as_bytes();
    let salt = SaltString::encode_b64(&salt_bytes).expect("16 bytes is a valid salt");
    let secret_hash = Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string();
    NewKey {
        plaintext: format!("ivx_{id}_{secret}"),
        record: ApiKey {
            id,
            tenant_id: tenant_id.to_string(),
            role,
            name: name.to_string(),
            secret_hash,
            created_at: now,
            revoked_at: None,
        },
    }
}

/// `(id, secret)` of a well-formed key.
fn split_key(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix("ivx_")?;
    let (id, secret) = rest.split_once('_')?;
    (id.len() == 16 && !secret.is_empty()).then_some((id, secret))
}

fn verify_secret(secret: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
}

/// Who is calling: the key's tenant, id and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub tenant_id: String,
    pub key_id: String,
    pub role: Role,
}

impl Caller {
    /// `Forbidden` unless the key's role is at least `needed`.
    pub fn require(&self, needed: Role) -> Result<(), ApiError> {
        if self.role >= needed {
            Ok(())
        } else {
            Err(ApiError::Forbidden { needed: needed.as_str(), has: self.role.as_str() })
        }
    }
}

struct Cached {
    caller: Caller,
    key_digest: [u8; 32],
    until: Instant,
    /// When the key's record was last read (revoked or not).
    checked: Instant,
}

/// How stale a remembered key's revocation status may be.
pub const REVOCATION_CHECK: Duration = Duration::from_millis(500);

/// Verified keys.
pub struct KeyCache {
    verified: Mutex<HashMap<String, Cached>>,
    ttl: Duration,
}

impl KeyCache {
    pub fn new(ttl: Duration) -> Self {
        KeyCache { verified: Mutex::new(HashMap::new()), ttl }
    }

    /// Drops a key from the cache (after revocation).
    pub fn forget(&self, key_id: &str) {
        self.verified.lock().expect("key cache lock").remove(key_id);
    }

    /// The remembered caller, and whether its revocation status is due a re-read.
    fn cached(&self, key_id: &str, digest: &[u8; 32]) -> Option<(Caller, bool)> {
        let map = self.verified.lock().expect("key cache lock");
        let now = Instant::now();
        map.get(key_id)
            .filter(|c| &c.key_digest == digest && c.until > now)
            .map(|c| (c.caller.clone(), now.duration_since(c.checked) >= REVOCATION_CHECK))
    }

    /// Notes that the key's record was just read and is not revoked.
    fn checked(&self, key_id: &str) {
        if let Some(c) = self.verified.lock().expect("key cache lock").get_mut(key_id) {
            c.checked = Instant::now();
        }
    }

    fn remember(&self, caller: &Caller, digest: [u8; 32]) {
        let now = Instant::now();
        let entry = Cached {
            caller: caller.clone(),
            key_digest: digest,
            until: now + self.ttl,
            checked: now,
        };
        self.verified.lock().expect("key cache lock").insert(caller.key_id.clone(), entry);
    }
}

/// The per-key rate limit, shared by every process through the database: a
/// sliding window over minutes (this minute's requests, plus the previous
/// minute's weighted by the part of it still inside the last 60 s).
pub(crate) async fn check_rate(state: &SharedState, key_id: &str) -> Result<(), ApiError> {
    let now_ms = Utc::now().timestamp_millis();
    let minute = now_ms.div_euclid(60_000);
    let (current, previous) = state.repo.count_request(key_id, minute).await?;
    let into = now_ms.rem_euclid(60_000) as f64 / 60_000.0;
    let estimate = current as f64 + previous as f64 * (1.0 - into);
    let limit = f64::from(state.options.rate_limit_per_minute.max(1));
    if estimate > limit {
        // Until enough of the previous minute has slid out, or the next minute.
        let wait = if current as f64 > limit {
            60.0 * (1.0 - into)
        } else {
            60.0 * ((estimate - limit) / (previous.max(1) as f64)).min(1.0 - into)
        };
        return Err(ApiError::RateLimited { retry_after_s: (wait.ceil() as u64).max(1) });
    }
    Ok(())
}

/// Checks a bearer key against the repository (or the cache).
pub async fn authenticate(state: &SharedState, key: &str) -> Result<Caller, ApiError> {
    let (id, secret) = split_key(key).ok_or(ApiError::InvalidKey)?;
    let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
    if let Some((caller, stale)) = state.keys.cached(id, &digest) {
        if !stale {
            return Ok(caller);
        }
        match state.repo.key(id).await? {
            Some(record) if record.revoked_at.is_none() => {
                state.keys.checked(id);
                return Ok(caller);
            }
            _ => {
                state.keys.forget(id);
                return Err(ApiError::InvalidKey);
            }
        }
    }
    let record = state.repo.key(id).await?.ok_or(ApiError::InvalidKey)?;
    if record.revoked_at.is_some() {
        return Err(ApiError::InvalidKey);
    }
    let (secret, phc) = (secret.to_string(), record.secret_hash.clone());
    let ok = tokio::task::spawn_blocking(move || verify_secret(&secret, &phc))
        .await
        .map_err(|e| ApiError::Internal(format!("key verification task: {e}")))?;
    if !ok {
        return Err(ApiError::InvalidKey);
    }
    let caller = Caller { tenant_id: record.tenant_id, key_id: record.id, role: record.role };
    state.keys.remember(&caller, digest);
    Ok(caller)
}

impl FromRequestParts<SharedState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).ok_or(ApiError::MissingKey)?;
        let value = header.to_str().map_err(|_| ApiError::InvalidKey)?;
        let key = value.strip_prefix("Bearer ").ok_or(ApiError::MissingKey)?.trim();
        let caller = authenticate(state, key).await?;
        check_rate(state, &caller.key_id).await?;
        tracing::Span::current().record("tenant", caller.tenant_id.as_str());
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_wrong_secrets_fail() {
        let key = generate_key("t1", Role::Reviewer, "ci", Utc::now());
        let (id, secret) = split_key(&key.plaintext).expect("well-formed");
        assert_eq!(id, key.record.id);
        assert!(verify_secret(secret, &key.record.secret_hash));
        assert!(!verify_secret("not-the-secret", &key.record.secret_hash));
        assert!(!key.record.secret_hash.contains(secret));
        for bad in ["", "ivx_", "ivx_short_x", "Bearer x", "ivx_0123456789abcdef_"] {
            assert_eq!(split_key(bad), None, "{bad}");
        }
    }
}
