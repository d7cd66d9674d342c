//! A client-side rate limiter that keeps to a target's published limit
//! before the target has to say 429.
//!
//! Fortnox counts requests per access token in a *sliding* 5 s window (25
//! requests). A classic token bucket with a burst of 25 refilled at 5/s lets
//! 50 requests through in one 5 s window (a full bucket, then the refill),
//! which such a window answers with 429. So the bucket here holds one token
//! per request sent in the last window: a request may go when fewer than
//! `requests` were sent in the `per` before it, which is exactly the
//! sliding-window rule. `margin` widens the window a little, since the
//! server counts arrival times and the client only knows send times.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// At most `requests` per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub per: Duration,
}

impl RateLimit {
    /// Fortnox: 25 requests per 5 s per access token (300 per minute).
    pub const FORTNOX: RateLimit = RateLimit { requests: 25, per: Duration::from_secs(5) };
    /// Visma eEkonomi: 600 requests per minute per client and endpoint. One
    /// budget is shared over all endpoints, which keeps under it for any mix.
    pub const VISMA: RateLimit = RateLimit { requests: 600, per: Duration::from_secs(60) };
}

/// Waits until a request may be sent under a [`RateLimit`]. Fair: waiters
/// go in arrival order (the lock is a FIFO `tokio` mutex).
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    window: Duration,
    sent: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    /// A limiter whose window is `limit.per` plus 5 % (at least 10 ms).
    pub fn new(limit: RateLimit) -> RateLimiter {
        let margin = (limit.per / 20).max(Duration::from_millis(10));
        RateLimiter::with_margin(limit, margin)
    }

    pub fn with_margin(limit: RateLimit, margin: Duration) -> RateLimiter {
        let requests = limit.requests.max(1) as usize;
        RateLimiter {
            limit,
            window: limit.per + margin,
            sent: Mutex::new(VecDeque::with_capacity(requests)),
        }
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Returns when one more request fits in the window, and counts it.
    pub async fn acquire(&self) {
        let max = self.limit.requests.max(1) as usize;
        let mut sent = self.sent.lock().await;
        loop {
            let now = Instant::now();
            while sent.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
                sent.pop_front();
            }
            if sent.len() < max {
                sent.push_back(now);
                return;
            }
            if let Some(oldest) = sent.front() {
                tokio::time::sleep_until(*oldest + self.window).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_more_than_the_limit_in_any_window() {
        let limit = RateLimit { requests: 5, per: Duration::from_secs(1) };
        let limiter = RateLimiter::with_margin(limit, Duration::ZERO);
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..23 {
            limiter.acquire().await;
            times.push(start.elapsed());
        }
        for (i, t) in times.iter().enumerate().skip(5) {
            assert!(*t >= times[i - 5] + limit.per, "request {i} at {t:?} breaks the window");
        }
        // Paused time: 23 requests at 5 per second need exactly 4 full windows.
        assert_eq!(times[22], Duration::from_secs(4));
    }
}
