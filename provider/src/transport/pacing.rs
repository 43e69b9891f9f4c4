//! Client-side pacing: one token bucket per WorkOS rate-limit class, shared by every request of a
//! [`super::Client`] (and so by every resource of one provider process, which holds one client).
//!
//! # Bucket semantics
//!
//! A limit of `N` requests per window `T` (WorkOS publishes e.g. 6,000 per 60 s) becomes a bucket
//! of capacity `b = clamp(N·1s/T, 1, N/2)` tokens (one second's worth, at most half the limit) that
//! refills continuously at `(N − b)/T` tokens per second. Each request takes one token. A full
//! bucket lets `b` requests start at once; after that they start at the refill rate. In any
//! interval of length `T` at most `b + (N − b) = N` requests start, so the published limit holds
//! whatever window the server counts in (fixed or sliding). (A limit of 1 per `T` refills at
//! `1/T`, so at most 2 start in a window.)
//!
//! Waiters are served first come, first served: each request reserves the next free slot under a
//! lock and sleeps until it, so 10–30 concurrent operations share the bucket fairly and no one
//! starves. A `429` from the server can also [`Pacer::hold`] a class until its `Retry-After`
//! has passed, so the other waiting requests do not run into the same limit.
//!
//! Time is tokio's clock ([`tokio::time::Instant`]), so tests can pause and advance it.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use descriptor::RateClass;
use tokio::time::Instant;

/// `requests` per `per`: a rate limit as WorkOS publishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub requests: u32,
    pub per: Duration,
}

impl Limit {
    pub const fn new(requests: u32, per: Duration) -> Limit {
        Limit { requests, per }
    }

    /// Parses `<requests>/<duration>` (`6000/60s`, `500/10s`, `100/1m`); `off` (or `0`) means no
    /// pacing and yields `None`.
    pub fn parse(s: &str) -> Result<Option<Limit>, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("off") || s == "0" {
            return Ok(None);
        }
        let (n, per) = s
            .split_once('/')
            .ok_or_else(|| "expected <requests>/<duration> such as 6000/60s, or off".to_string())?;
        let requests: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("{:?} is not a whole number of requests", short(n)))?;
        let per = parse_duration(per)?;
        if requests == 0 || per.is_zero() {
            return Err("the request count and the duration must be above zero".into());
        }
        Ok(Some(Limit { requests, per }))
    }

    /// Bucket capacity and refill rate (tokens per second), as the module documentation says.
    fn bucket(&self) -> (f64, f64) {
        let n = f64::from(self.requests);
        let t = self.per.as_secs_f64();
        if self.requests == 1 {
            return (1.0, 1.0 / t);
        }
        let burst = (n / t).clamp(1.0, (n / 2.0).floor());
        (burst, (n - burst) / t)
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}",
            self.requests,
            super::client::fmt_duration(self.per)
        )
    }
}

/// The pacing settings of the three classes; `None` means the class is not paced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub general: Option<Limit>,
    pub authkit_read: Option<Limit>,
    pub authkit_write: Option<Limit>,
}

impl Default for RateLimits {
    /// WorkOS's published limits: 6,000 requests per 60 s in general, and for AuthKit
    /// (`/user_management/*`) 1,000 reads and 500 writes per 10 s.
    fn default() -> Self {
        RateLimits {
            general: Some(Limit::new(6000, Duration::from_secs(60))),
            authkit_read: Some(Limit::new(1000, Duration::from_secs(10))),
            authkit_write: Some(Limit::new(500, Duration::from_secs(10))),
        }
    }
}

impl RateLimits {
    /// No pacing at all.
    pub const OFF: RateLimits = RateLimits {
        general: None,
        authkit_read: None,
        authkit_write: None,
    };

    pub fn get(&self, class: RateClass) -> Option<Limit> {
        match class {
            RateClass::General => self.general,
            RateClass::AuthkitRead => self.authkit_read,
            RateClass::AuthkitWrite => self.authkit_write,
        }
    }
}

struct State {
    tokens: f64,
    last: Instant,
    /// No request of the class starts before this (a server's `Retry-After`).
    held_until: Option<Instant>,
}

struct Bucket {
    burst: f64,
    rate: f64,
    state: Mutex<State>,
}

impl Bucket {
    fn new(limit: Limit) -> Bucket {
        let (burst, rate) = limit.bucket();
        Bucket {
            burst,
            rate,
            state: Mutex::new(State {
                tokens: burst,
                last: Instant::now(),
                held_until: None,
            }),
        }
    }

    /// Takes one token and returns when the request may start (now or later). Tokens may go
    /// negative: each waiter owns the slot it reserved, in arrival order.
    fn reserve(&self, now: Instant) -> Instant {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let elapsed = now.saturating_duration_since(s.last).as_secs_f64();
        s.tokens = (s.tokens + elapsed * self.rate).min(self.burst);
        s.last = now;
        s.tokens -= 1.0;
        let start = if s.tokens >= 0.0 {
            now
        } else {
            now + Duration::from_secs_f64(-s.tokens / self.rate)
        };
        match s.held_until {
            Some(h) if h > start => h,
            _ => start,
        }
    }

    fn hold(&self, until: Instant) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.held_until.is_none_or(|h| h < until) {
            s.held_until = Some(until);
        }
    }
}

/// The buckets of one client. Cheap to clone; clones share the buckets.
#[derive(Clone)]
pub struct Pacer {
    limits: RateLimits,
    buckets: Arc<[Option<Bucket>; 3]>,
}

impl fmt::Debug for Pacer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pacer")
            .field("limits", &self.limits)
            .finish()
    }
}

fn index(class: RateClass) -> usize {
    match class {
        RateClass::General => 0,
        RateClass::AuthkitRead => 1,
        RateClass::AuthkitWrite => 2,
    }
}

impl Pacer {
    pub fn new(limits: RateLimits) -> Pacer {
        let b = |c| limits.get(c).map(Bucket::new);
        Pacer {
            limits,
            buckets: Arc::new([
                b(RateClass::General),
                b(RateClass::AuthkitRead),
                b(RateClass::AuthkitWrite),
            ]),
        }
    }

    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// Reserves a start slot for one request of `class` and returns how long to wait for it
    /// (zero when the request may start now). The slot is taken even if the caller then gives up.
    pub fn reserve(&self, class: RateClass) -> Duration {
        match &self.buckets[index(class)] {
            None => Duration::ZERO,
            Some(b) => {
                let now = Instant::now();
                b.reserve(now).saturating_duration_since(now)
            }
        }
    }

    /// Waits until one request of `class` may start.
    pub async fn acquire(&self, class: RateClass) {
        let wait = self.reserve(class);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Starts no further request of `class` for `wait` (the server said so with a 429).
    pub fn hold(&self, class: RateClass, wait: Duration) {
        if let Some(b) = &self.buckets[index(class)] {
            b.hold(Instant::now() + wait);
        }
    }
}

/// Parses a duration such as `30s`, `500ms`, `5m`, `1h`, `1m30s` (units `ms`, `s`, `m`, `h`;
/// fractions such as `1.5s` allowed). A bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let bad = || {
        format!(
            "{:?} is not a duration such as 30s, 500ms, 5m or 1m30s",
            short(t)
        )
    };
    if t.is_empty() {
        return Err(bad());
    }
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = 0f64;
    let mut rest = t;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let n: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += n * scale;
        rest = &rest[unit_len..];
    }
    if !total.is_finite() || total > 1e9 {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(total))
}

/// At most 40 characters of a user value, for error messages.
fn short(s: &str) -> String {
    super::error::prefix(s, 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        let d = |s| parse_duration(s).unwrap();
        assert_eq!(d("30s"), Duration::from_secs(30));
        assert_eq!(d("500ms"), Duration::from_millis(500));
        assert_eq!(d("5m"), Duration::from_secs(300));
        assert_eq!(d("1m30s"), Duration::from_secs(90));
        assert_eq!(d("1.5s"), Duration::from_millis(1500));
        assert_eq!(d("2h"), Duration::from_secs(7200));
        assert_eq!(d("45"), Duration::from_secs(45));
        for bad in ["", "s", "10x", "ten seconds", "-1s", "1e400s", "5 m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits_parse() {
        assert_eq!(
            Limit::parse("6000/60s").unwrap(),
            Some(Limit::new(6000, Duration::from_secs(60)))
        );
        assert_eq!(
            Limit::parse(" 100/1m ").unwrap(),
            Some(Limit::new(100, Duration::from_secs(60)))
        );
        assert_eq!(Limit::parse("off").unwrap(), None);
        assert_eq!(Limit::parse("0").unwrap(), None);
        for bad in ["6000", "x/60s", "10/0s", "0/10s", "10/", "-1/10s"] {
            assert!(Limit::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bucket_shapes() {
        // 6,000/60 s: burst 100, then (6000-100)/60 per second.
        let (b, r) = Limit::new(6000, Duration::from_secs(60)).bucket();
        assert_eq!(b, 100.0);
        assert!((r - 5900.0 / 60.0).abs() < 1e-9);
        // 500/10 s: burst 50, refill 45/s.
        assert_eq!(
            Limit::new(500, Duration::from_secs(10)).bucket(),
            (50.0, 45.0)
        );
        // 10/1 s: burst capped at half.
        assert_eq!(Limit::new(10, Duration::from_secs(1)).bucket(), (5.0, 5.0));
        assert_eq!(Limit::new(1, Duration::from_secs(2)).bucket(), (1.0, 0.5));
    }

    #[tokio::test(start_paused = true)]
    async fn hold_delays_every_class_member() {
        let p = Pacer::new(RateLimits::default());
        assert_eq!(p.reserve(RateClass::General), Duration::ZERO);
        p.hold(RateClass::General, Duration::from_secs(7));
        assert_eq!(p.reserve(RateClass::General), Duration::from_secs(7));
        // Other classes are not held.
        assert_eq!(p.reserve(RateClass::AuthkitWrite), Duration::ZERO);
        tokio::time::advance(Duration::from_secs(8)).await;
        assert_eq!(p.reserve(RateClass::General), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn unpaced_class_never_waits() {
        let p = Pacer::new(RateLimits::OFF);
        for _ in 0..10_000 {
            assert_eq!(p.reserve(RateClass::General), Duration::ZERO);
        }
    }
}
