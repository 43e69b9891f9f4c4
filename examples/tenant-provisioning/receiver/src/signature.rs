//! Verification of the `WorkOS-Signature` header of a webhook delivery.
//!
//! The header is `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. The check runs
//! over the raw body bytes, before anything parses them:
//!
//! - the header is parsed strictly: comma-separated `key=value` items (spaces around items are
//!   allowed), exactly one `t` made of ASCII digits, at least one `v1` of 64 hex digits; items of
//!   other schemes (`v0=…`, `v2=…`) are ignored, anything else is an error;
//! - several `v1` values are accepted (a sender signing with an old and a new secret during a
//!   rotation), and several secrets can be configured (a receiver between two secrets);
//! - each candidate is compared with the expected MAC in constant time;
//! - the timestamp must be within `tolerance` of the receiver's clock, in either direction, so
//!   a captured delivery cannot be replayed later.
//!
//! The timestamp unit: the local emulator sends Unix **seconds**; WorkOS's own SDKs compare `t`
//! with a clock in **milliseconds**. A value above 10^11 (year 5138 in seconds) is therefore
//! read as milliseconds, anything else as seconds; the MAC always covers `t` exactly as sent.

use std::fmt;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The default timestamp tolerance, either side of now.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Timestamps above this are milliseconds (see the module documentation).
const MILLIS_THRESHOLD: u64 = 100_000_000_000;

/// Why a delivery was refused. The messages name the problem, never a secret or a MAC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// No `WorkOS-Signature` header, or an empty one.
    Missing,
    /// The header is not `t=…,v1=…` as described in the module documentation.
    Malformed(&'static str),
    /// The timestamp is further than the tolerance from now (`age` is now minus `t`, seconds).
    OutsideTolerance { age_secs: i64 },
    /// No `v1` value matches the body under any configured secret.
    NoMatch,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Missing => write!(f, "missing WorkOS-Signature header"),
            SignatureError::Malformed(why) => write!(f, "malformed WorkOS-Signature header: {why}"),
            SignatureError::OutsideTolerance { age_secs } => write!(
                f,
                "signature timestamp outside the tolerance (now - t = {age_secs} s)"
            ),
            SignatureError::NoMatch => write!(f, "no signature matches the body"),
        }
    }
}

impl std::error::Error for SignatureError {}

/// A parsed header: the timestamp exactly as sent, its value in seconds, and the `v1` MACs.
#[derive(Debug, PartialEq, Eq)]
pub struct ParsedHeader<'a> {
    pub timestamp: &'a str,
    pub unix_secs: u64,
    pub v1: Vec<[u8; 32]>,
}

/// Parses a `WorkOS-Signature` header value strictly.
pub fn parse_header(header: &str) -> Result<ParsedHeader<'_>, SignatureError> {
    if header.trim().is_empty() {
        return Err(SignatureError::Missing);
    }
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for item in header.split(',') {
        let item = item.trim_matches(' ');
        let (key, value) = item
            .split_once('=')
            .ok_or(SignatureError::Malformed("an item is not key=value"))?;
        match key {
            "t" => {
                if timestamp.is_some() {
                    return Err(SignatureError::Malformed("more than one t"));
                }
                if value.is_empty()
                    || value.len() > 19
                    || !value.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(SignatureError::Malformed("t is not a decimal timestamp"));
                }
                timestamp = Some(value);
            }
            "v1" => {
                let mut mac = [0u8; 32];
                hex::decode_to_slice(value, &mut mac)
                    .map_err(|_| SignatureError::Malformed("v1 is not 64 hex digits"))?;
                v1.push(mac);
            }
            "" => return Err(SignatureError::Malformed("an item has an empty key")),
            _ if key.bytes().all(|b| b.is_ascii_alphanumeric()) => {} // another scheme
            _ => return Err(SignatureError::Malformed("an item has an invalid key")),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed("no t"))?;
    if v1.is_empty() {
        return Err(SignatureError::Malformed("no v1 signature"));
    }
    let raw: u64 = timestamp
        .parse()
        .map_err(|_| SignatureError::Malformed("t is not a decimal timestamp"))?;
    let unix_secs = if raw > MILLIS_THRESHOLD {
        raw / 1000
    } else {
        raw
    };
    Ok(ParsedHeader {
        timestamp,
        unix_secs,
        v1,
    })
}

/// A webhook signing secret. Its `Debug` output never shows the value.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(value: impl Into<Vec<u8>>) -> Secret {
        Secret(value.into())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Verifies deliveries against one or more secrets.
#[derive(Debug, Clone)]
pub struct Verifier {
    secrets: Vec<Secret>,
    tolerance: Duration,
}

impl Verifier {
    /// A verifier for the given secrets (at least one) and tolerance.
    pub fn new(secrets: Vec<Secret>, tolerance: Duration) -> Verifier {
        assert!(!secrets.is_empty(), "a verifier needs at least one secret");
        Verifier { secrets, tolerance }
    }

    /// Checks `header` against the raw `body` at the current time.
    pub fn verify(&self, header: Option<&str>, body: &[u8]) -> Result<(), SignatureError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.verify_at(header, body, now)
    }

    /// Checks `header` against the raw `body` as if the time were `now_secs` (Unix seconds).
    pub fn verify_at(
        &self,
        header: Option<&str>,
        body: &[u8],
        now_secs: u64,
    ) -> Result<(), SignatureError> {
        let parsed = parse_header(header.ok_or(SignatureError::Missing)?)?;
        let age_secs = now_secs as i64 - parsed.unix_secs as i64;
        if age_secs.unsigned_abs() > self.tolerance.as_secs() {
            return Err(SignatureError::OutsideTolerance { age_secs });
        }
        let mut matched = subtle::Choice::from(0);
        for secret in &self.secrets {
            let expected = sign(&secret.0, parsed.timestamp, body);
            for candidate in &parsed.v1 {
                // Every pair is compared, so the time taken does not depend on which matched.
                matched |= expected.ct_eq(candidate);
            }
        }
        if bool::from(matched) {
            Ok(())
        } else {
            Err(SignatureError::NoMatch)
        }
    }
}

/// HMAC-SHA256(secret, "<timestamp>.<body>").
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// The header value a sender would put on `body` at `timestamp` (used by tests and tools).
pub fn header_for(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(sign(secret, timestamp, body))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_secret";
    const BODY: &[u8] =
        br#"{"id":"event_01","event":"organization.created","data":{"id":"org_01","name":"Acme"}}"#;
    const NOW: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    fn verifier() -> Verifier {
        Verifier::new(vec![Secret::new(SECRET)], DEFAULT_TOLERANCE)
    }

    fn header(secret: &[u8], t: u64, body: &[u8]) -> String {
        header_for(secret, &t.to_string(), body)
    }

    #[test]
    fn valid_signature_is_accepted() {
        let h = header(SECRET, NOW, BODY);
        assert_eq!(verifier().verify_at(Some(&h), BODY, NOW), Ok(()));
    }

    #[test]
    fn matches_a_signature_computed_independently() {
        // HMAC-SHA256("test_secret", "") from the CryptoProvider contract of WorkOS's Node SDK,
        // so `sign` agrees with what WorkOS computes; then the `t.body` framing.
        let mut mac = HmacSha256::new_from_slice(b"test_secret").unwrap();
        mac.update(b"");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "f7f9bd47fb987337b5796fdc1fdb9ba221d0d5396814bfcaf9521f43fd8927fd"
        );
        let mut mac = HmacSha256::new_from_slice(b"k").unwrap();
        mac.update(b"12.{}");
        assert_eq!(
            sign(b"k", "12", b"{}"),
            <[u8; 32]>::from(mac.finalize().into_bytes())
        );
    }

    #[test]
    fn tampered_body_is_refused() {
        let h = header(SECRET, NOW, BODY);
        let tampered = String::from_utf8(BODY.to_vec())
            .unwrap()
            .replace("Acme", "Evil");
        assert_eq!(
            verifier().verify_at(Some(&h), tampered.as_bytes(), NOW),
            Err(SignatureError::NoMatch)
        );
        // One byte appended is enough.
        let mut longer = BODY.to_vec();
        longer.push(b' ');
        assert_eq!(
            verifier().verify_at(Some(&h), &longer, NOW),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn wrong_secret_is_refused() {
        let h = header(b"another_secret", NOW, BODY);
        assert_eq!(
            verifier().verify_at(Some(&h), BODY, NOW),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn tampered_timestamp_is_refused() {
        // A valid MAC moved to another timestamp: the MAC covers t.
        let h = header(SECRET, NOW, BODY).replace(&format!("t={NOW}"), &format!("t={}", NOW + 1));
        assert_eq!(
            verifier().verify_at(Some(&h), BODY, NOW),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn old_timestamp_is_refused() {
        let t = NOW - 301;
        let h = header(SECRET, t, BODY);
        assert_eq!(
            verifier().verify_at(Some(&h), BODY, NOW),
            Err(SignatureError::OutsideTolerance { age_secs: 301 })
        );
        // At the edge of the tolerance it still passes.
        let h = header(SECRET, NOW - 300, BODY);
        assert_eq!(verifier().verify_at(Some(&h), BODY, NOW), Ok(()));
    }

    #[test]
    fn future_timestamp_is_refused() {
        let h = header(SECRET, NOW + 301, BODY);
        assert_eq!(
            verifier().verify_at(Some(&h), BODY, NOW),
            Err(SignatureError::OutsideTolerance { age_secs: -301 })
        );
        let h = header(SECRET, NOW + 300, BODY);
        assert_eq!(verifier().verify_at(Some(&h), BODY, NOW), Ok(()));
    }

    #[test]
    fn tolerance_is_configurable() {
        let strict = Verifier::new(vec![Secret::new(SECRET)], Duration::from_secs(5));
        let h = header(SECRET, NOW - 6, BODY);
        assert!(matches!(
            strict.verify_at(Some(&h), BODY, NOW),
            Err(SignatureError::OutsideTolerance { .. })
        ));
        let lenient = Verifier::new(vec![Secret::new(SECRET)], Duration::from_secs(3600));
        let h = header(SECRET, NOW - 3000, BODY);
        assert_eq!(lenient.verify_at(Some(&h), BODY, NOW), Ok(()));
    }

    #[test]
    fn millisecond_timestamps_are_read_as_milliseconds() {
        let t = NOW * 1000 + 123;
        let h = header(SECRET, t, BODY);
        assert_eq!(verifier().verify_at(Some(&h), BODY, NOW), Ok(()));
        let old = (NOW - 301) * 1000;
        let h = header(SECRET, old, BODY);
        assert!(matches!(
            verifier().verify_at(Some(&h), BODY, NOW),
            Err(SignatureError::OutsideTolerance { age_secs: 301 })
        ));
    }

    #[test]
    fn missing_header_is_refused() {
        assert_eq!(
            verifier().verify_at(None, BODY, NOW),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verifier().verify_at(Some(""), BODY, NOW),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verifier().verify_at(Some("   "), BODY, NOW),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn missing_parts_are_refused() {
        let mac = hex::encode(sign(SECRET, &NOW.to_string(), BODY));
        let cases: Vec<(String, &str)> = vec![
            (format!("v1={mac}"), "no t"),
            (format!("t={NOW}"), "no v1 signature"),
            (format!("t={NOW},v0={mac}"), "no v1 signature"),
            (format!("t=,v1={mac}"), "t is not a decimal timestamp"),
            (format!("t={NOW},v1="), "v1 is not 64 hex digits"),
            (
                format!("t={NOW},v1={}", &mac[..63]),
                "v1 is not 64 hex digits",
            ),
            (format!("t={NOW},v1={mac}00"), "v1 is not 64 hex digits"),
            (
                format!("t={NOW},v1={}", mac.replacen(&mac[..1], "g", 1)),
                "v1 is not 64 hex digits",
            ),
            (format!("t={NOW},{mac}"), "an item is not key=value"),
            (format!("t={NOW},,v1={mac}"), "an item is not key=value"),
            (format!("t={NOW};v1={mac}"), "t is not a decimal timestamp"),
            (format!("t={NOW},t={NOW},v1={mac}"), "more than one t"),
            (format!("t={NOW},=x,v1={mac}"), "an item has an empty key"),
            (
                format!("t={NOW},v-1=x,v1={mac}"),
                "an item has an invalid key",
            ),
            (format!("T={NOW},v1={mac}"), "no t"),
        ];
        for (h, why) in cases {
            assert_eq!(
                verifier().verify_at(Some(&h), BODY, NOW),
                Err(SignatureError::Malformed(why)),
                "header {h:?}"
            );
        }
    }

    #[test]
    fn non_numeric_timestamp_is_refused() {
        let mac = hex::encode(sign(SECRET, "abc", BODY));
        for t in ["abc", "-5", "+5", "1.5", "1e9", " 12 3", "0x10", "١٢٣"] {
            let h = format!("t={t},v1={mac}");
            assert_eq!(
                verifier().verify_at(Some(&h), BODY, NOW),
                Err(SignatureError::Malformed("t is not a decimal timestamp")),
                "t={t:?}"
            );
        }
        // Too many digits for a timestamp (would overflow).
        let h = format!("t={},v1={mac}", "9".repeat(25));
        assert!(matches!(
            verifier().verify_at(Some(&h), BODY, NOW),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn several_v1_values_are_accepted_when_one_matches() {
        let good = hex::encode(sign(SECRET, &NOW.to_string(), BODY));
        let other = hex::encode(sign(b"old_secret", &NOW.to_string(), BODY));
        for h in [
            format!("t={NOW},v1={other},v1={good}"),
            format!("t={NOW},v1={good},v1={other}"),
            format!("v1={other}, t={NOW}, v1={good}"),
            format!("t={NOW},v0=legacy,v1={good}"),
        ] {
            assert_eq!(verifier().verify_at(Some(&h), BODY, NOW), Ok(()), "{h}");
        }
        let h = format!("t={NOW},v1={other},v1={other}");
        assert_eq!(
            verifier().verify_at(Some(&h), BODY, NOW),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn several_configured_secrets_are_tried() {
        let both = Verifier::new(
            vec![Secret::new(b"old_secret".to_vec()), Secret::new(SECRET)],
            DEFAULT_TOLERANCE,
        );
        for s in [&b"old_secret"[..], SECRET] {
            let h = header(s, NOW, BODY);
            assert_eq!(both.verify_at(Some(&h), BODY, NOW), Ok(()));
        }
        let h = header(b"third", NOW, BODY);
        assert_eq!(
            both.verify_at(Some(&h), BODY, NOW),
            Err(SignatureError::NoMatch)
        );
    }

    #[test]
    fn spaces_after_commas_and_uppercase_hex_are_accepted() {
        let mac = hex::encode_upper(sign(SECRET, &NOW.to_string(), BODY));
        let h = format!("t={NOW}, v1={mac}");
        assert_eq!(verifier().verify_at(Some(&h), BODY, NOW), Ok(()));
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let v = verifier();
        let shown = format!("{v:?} {:?}", Secret::new(SECRET));
        assert!(!shown.contains("whsec_test_secret"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn errors_never_show_the_mac() {
        let h = header(b"wrong", NOW, BODY);
        let err = verifier().verify_at(Some(&h), BODY, NOW).unwrap_err();
        let mac = &h[h.find("v1=").unwrap() + 3..];
        assert!(!err.to_string().contains(mac));
    }
}
