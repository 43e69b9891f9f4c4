//! Retry timing: exponential backoff with jitter and `Retry-After` parsing.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::Rng;

/// First backoff step.
pub const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Largest single backoff step.
pub const BACKOFF_CAP: Duration = Duration::from_secs(30);

/// Largest random delay added to a server's `Retry-After`.
pub const RETRY_AFTER_JITTER_MAX: Duration = Duration::from_secs(1);

/// The ceiling of the backoff before retry number `attempt` (0-based): `base · 2^attempt`,
/// capped at [`BACKOFF_CAP`].
pub fn backoff_ceiling(attempt: u32) -> Duration {
    BACKOFF_BASE
        .checked_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX))
        .unwrap_or(BACKOFF_CAP)
        .min(BACKOFF_CAP)
}

/// Backoff before retry number `attempt` with "full jitter": uniformly random between zero and
/// [`backoff_ceiling`], so that concurrent requests failing together do not retry together.
pub fn backoff(attempt: u32) -> Duration {
    random_up_to(backoff_ceiling(attempt))
}

/// The wait for a server's `Retry-After`: the delay asked for plus a little jitter (a tenth of
/// it, at least 100 ms, at most [`RETRY_AFTER_JITTER_MAX`]), so that requests held by the same
/// limit do not all start again in the same millisecond.
pub fn retry_after_wait(retry_after: Duration) -> Duration {
    let spread = (retry_after / 10)
        .max(Duration::from_millis(100))
        .min(RETRY_AFTER_JITTER_MAX);
    retry_after + random_up_to(spread)
}

fn random_up_to(max: Duration) -> Duration {
    let ms = max.as_millis() as u64;
    if ms == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(rand::rng().random_range(0..=ms))
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP-date. A date in the
/// past means "now" (zero). Returns `None` when the value is unusable.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    // Some servers send fractional seconds.
    if let Ok(f) = value.parse::<f64>() {
        if f.is_finite() && f >= 0.0 {
            return Some(Duration::from_secs_f64(f.min(1e9)));
        }
        return None;
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parses the three HTTP-date forms of RFC 9110:
/// `Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT` and
/// `Sun Nov  6 08:49:37 1994`.
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let (day, month, year, time) = if let Some((_, rest)) = s.split_once(", ") {
        let rest = rest.trim();
        let parts: Vec<&str> = rest.split_whitespace().collect();
        if parts.len() == 5 && parts[4].eq_ignore_ascii_case("GMT") {
            // IMF-fixdate: 06 Nov 1994 08:49:37 GMT
            (parts[0], parts[1], parts[2].to_string(), parts[3])
        } else if parts.len() == 3 && parts[2].eq_ignore_ascii_case("GMT") {
            // RFC 850: 06-Nov-94 08:49:37 GMT
            let dmy: Vec<&str> = parts[0].split('-').collect();
            if dmy.len() != 3 {
                return None;
            }
            let yy: i64 = dmy[2].parse().ok()?;
            let year = if dmy[2].len() == 2 {
                if yy < 70 {
                    2000 + yy
                } else {
                    1900 + yy
                }
            } else {
                yy
            };
            (dmy[0], dmy[1], year.to_string(), parts[1])
        } else {
            return None;
        }
    } else {
        // asctime: Sun Nov  6 08:49:37 1994
        let parts: Vec<&str> = s.split_whitespace().collect();
        if parts.len() != 5 {
            return None;
        }
        (parts[2], parts[1], parts[4].to_string(), parts[3])
    };
    let day: u32 = day.parse().ok()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u32 + 1;
    let year: i64 = year.parse().ok()?;
    let hms: Vec<&str> = time.split(':').collect();
    if hms.len() != 3 {
        return None;
    }
    let (h, mi, se): (u64, u64, u64) = (
        hms[0].parse().ok()?,
        hms[1].parse().ok()?,
        hms[2].parse().ok()?,
    );
    if !(1..=31).contains(&day) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if days < 0 {
        return None;
    }
    let secs = days as u64 * 86_400 + h * 3600 + mi * 60 + se;
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

/// Days since 1970-01-01 for a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_full_jitter_under_a_growing_cap() {
        assert_eq!(backoff_ceiling(0), Duration::from_millis(500));
        assert_eq!(backoff_ceiling(1), Duration::from_secs(1));
        assert_eq!(backoff_ceiling(5), Duration::from_secs(16));
        assert_eq!(backoff_ceiling(6), BACKOFF_CAP);
        assert_eq!(backoff_ceiling(40), BACKOFF_CAP);
        let mut low = false;
        for attempt in 0..40 {
            for _ in 0..50 {
                let d = backoff(attempt);
                assert!(d <= backoff_ceiling(attempt), "attempt {attempt}: {d:?}");
                low |= attempt >= 6 && d < BACKOFF_CAP / 2;
            }
        }
        // Full jitter reaches below half the ceiling (equal jitter never would).
        assert!(low);
    }

    #[test]
    fn retry_after_gets_bounded_jitter() {
        for _ in 0..100 {
            let w = retry_after_wait(Duration::from_secs(30));
            assert!(
                w >= Duration::from_secs(30) && w <= Duration::from_secs(31),
                "{w:?}"
            );
            let w = retry_after_wait(Duration::ZERO);
            assert!(w <= Duration::from_millis(100), "{w:?}");
        }
    }

    #[test]
    fn retry_after_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("0.5", now),
            Some(Duration::from_millis(500))
        );
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn http_dates() {
        let expected = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(expected)
        );
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(expected)
        );
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(expected));
        assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("garbage"), None);
    }

    #[test]
    fn retry_after_date() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
    }
}
