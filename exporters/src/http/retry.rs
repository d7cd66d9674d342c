//! When and how long to wait before trying a request again: `Retry-After`
//! when the target sends one, else exponential backoff, both with jitter.

use std::hash::BuildHasher;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Retry limits for 429, 5xx and connection errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `max_retries + 1` attempts).
    pub max_retries: u32,
    /// The first backoff; doubled per retry.
    pub base_delay: Duration,
    /// No single wait is longer than this, `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based): the target's
    /// `Retry-After` if it sent one, else `base_delay * 2^(retry-1)`; plus up
    /// to 25 % jitter so that parallel requests do not come back together.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self.base_delay.saturating_mul(1 << retry.saturating_sub(1).min(16));
        let wait = retry_after.unwrap_or(exp).min(self.max_delay);
        (wait + jitter(wait / 4)).min(self.max_delay.max(wait))
    }
}

/// `Retry-After` as seconds (fractions accepted; HTTP dates are not used by
/// Fortnox or Visma and are ignored).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let seconds: f64 = value.parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

/// A random duration in `0..=max`, from the standard library's per-process
/// random hash keys (no RNG dependency needed for jitter).
fn jitter(max: Duration) -> Duration {
    let nanos = max.as_nanos() as u64;
    if nanos == 0 {
        return Duration::ZERO;
    }
    let random = std::collections::hash_map::RandomState::new().hash_one(std::time::Instant::now());
    Duration::from_nanos(random % (nanos + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_honours_retry_after_and_is_capped() {
        let p = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        // (retry, Retry-After, lowest, highest)
        let table = [
            (1, None, 100, 125),
            (2, None, 200, 250),
            (3, None, 400, 500),
            (9, None, 2000, 2000),
            (1, Some(1500), 1500, 1875),
            (4, Some(30_000), 2000, 2000),
            (2, Some(0), 0, 0),
        ];
        for (retry, after, lo, hi) in table {
            let d = p.delay(retry, after.map(Duration::from_millis)).as_millis();
            assert!((lo..=hi).contains(&d), "retry {retry} after {after:?}: {d} ms");
        }
    }

    #[test]
    fn retry_after_header_forms() {
        for (value, expected) in
            [("2", Some(2000)), ("0.25", Some(250)), ("soon", None), ("-1", None)]
        {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, value.parse().unwrap());
            assert_eq!(retry_after(&headers).map(|d| d.as_millis() as u64), expected, "{value}");
        }
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }
}
