//! Masking of secret values before JSON bodies are logged: by schema (the body fields the
//! caller registered as carrying sensitive or write-only values, [`mask_fields`]) and by name
//! and shape (secret-looking keys and values).

use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::RwLock;

/// Body field names whose values are always masked, registered by the caller from its schema.
static MASKED_FIELDS: RwLock<BTreeSet<String>> = RwLock::new(BTreeSet::new());

/// Mask the values of these body fields (at any depth, in requests, responses and query
/// strings) from now on, in every log line of this process.
pub fn mask_fields<S: AsRef<str>>(names: impl IntoIterator<Item = S>) {
    if let Ok(mut set) = MASKED_FIELDS.write() {
        for n in names {
            if !set.contains(n.as_ref()) {
                set.insert(n.as_ref().to_string());
            }
        }
    }
}

fn is_masked_field(key: &str) -> bool {
    MASKED_FIELDS.read().is_ok_and(|s| s.contains(key))
}

/// Replacement text for masked values.
pub const REDACTED: &str = "***";

/// Substrings of (normalised, lower-case) object keys whose values are always
/// masked.
const SECRET_KEY_PARTS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "signing_key",
    "access_key",
    "credential",
    "authorization",
    "cookie",
    "session",
];

/// Keys whose values are masked only when the value itself looks like a
/// secret (a generic field that often carries key material).
const MAYBE_SECRET_KEYS: &[&str] = &["value", "key", "code"];

/// Known prefixes of API keys and similar credentials.
const SECRET_PREFIXES: &[&str] = &["sk_", "pk_live_", "rk_", "ghp_", "xox", "eyJ"];

fn normalise_key(k: &str) -> String {
    k.chars()
        .map(|c| match c {
            '-' | ' ' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// True when a key names something secret (`password`, `client_secret`,
/// `apiKey`, `refresh_token`, …).
pub fn is_secret_key(key: &str) -> bool {
    let k = normalise_key(key);
    let compact: String = k.chars().filter(|c| *c != '_').collect();
    SECRET_KEY_PARTS.iter().any(|part| {
        let part_compact: String = part.chars().filter(|c| *c != '_').collect();
        k.contains(part) || compact.contains(&part_compact)
    })
}

/// Heuristic for strings that look like credentials: a known prefix, or a
/// long run without whitespace that mixes letters and digits.
pub fn looks_like_secret(s: &str) -> bool {
    let s = s.trim();
    if SECRET_PREFIXES.iter().any(|p| s.starts_with(p)) && s.len() >= 12 {
        return true;
    }
    if s.len() < 24 || s.chars().any(char::is_whitespace) {
        return false;
    }
    let token_chars = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '/' | '=' | '.'));
    let has_digit = s.chars().any(|c| c.is_ascii_digit());
    let has_alpha = s.chars().any(|c| c.is_ascii_alphabetic());
    token_chars && has_digit && has_alpha && !s.contains("://")
}

/// Returns a copy of `v` with secret-looking values replaced by `"***"`.
/// Nulls stay null (an absent secret reveals nothing).
pub fn redact_json(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, val) in map {
                let masked = if val.is_null() {
                    Value::Null
                } else if is_secret_key(k) || is_masked_field(k) {
                    Value::String(REDACTED.to_string())
                } else if MAYBE_SECRET_KEYS.contains(&normalise_key(k).as_str()) {
                    match val {
                        Value::String(s) if looks_like_secret(s) => {
                            Value::String(REDACTED.to_string())
                        }
                        other => redact_json(other),
                    }
                } else {
                    redact_json(val)
                };
                out.insert(k.clone(), masked);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

/// Redacts a raw body for logging: JSON is redacted structurally; other text
/// is shortened. Output is capped at `max` characters.
pub(crate) fn redact_body_text(body: &[u8], max: usize) -> String {
    if body.is_empty() {
        return String::new();
    }
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(v) => redact_json(&v).to_string(),
        Err(_) => format!("<{} bytes, not JSON>", body.len()),
    };
    truncate(&text, max)
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_secret_named_fields() {
        let v = json!({
            "name": "Example",
            "password": "hunter2",
            "client_secret": "abc",
            "apiKey": "k",
            "api_key": "k",
            "refresh_token": {"nested": true},
            "Authorization": "Bearer x",
            "empty_secret": null,
        });
        let r = redact_json(&v);
        assert_eq!(r["name"], "Example");
        assert_eq!(r["password"], REDACTED);
        assert_eq!(r["client_secret"], REDACTED);
        assert_eq!(r["apiKey"], REDACTED);
        assert_eq!(r["api_key"], REDACTED);
        assert_eq!(r["refresh_token"], REDACTED);
        assert_eq!(r["Authorization"], REDACTED);
        assert_eq!(r["empty_secret"], Value::Null);
    }

    #[test]
    fn masks_nested_and_arrays() {
        let v = json!({"data": [{"id": "a1", "secret": "s"}, {"id": "a2", "inner": {"password": "p"}}]});
        let r = redact_json(&v);
        assert_eq!(r["data"][0]["id"], "a1");
        assert_eq!(r["data"][0]["secret"], REDACTED);
        assert_eq!(r["data"][1]["inner"]["password"], REDACTED);
    }

    #[test]
    fn value_masked_only_when_secret_looking() {
        let v = json!([
            {"value": "example.com"},
            {"value": "sk_test_a1b2c3d4e5f6g7h8"},
            {"value": "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"},
            {"value": 42},
            {"value": "https://example.com/a1b2c3d4e5f6g7h8i9j0"},
        ]);
        let r = redact_json(&v);
        assert_eq!(r[0]["value"], "example.com");
        assert_eq!(r[1]["value"], REDACTED);
        assert_eq!(r[2]["value"], REDACTED);
        assert_eq!(r[3]["value"], 42);
        assert_eq!(r[4]["value"], "https://example.com/a1b2c3d4e5f6g7h8i9j0");
    }

    #[test]
    fn masks_registered_schema_fields_at_any_depth() {
        let v = json!({"first_name": "Ada", "deep": [{"x_registered_field": {"a": 1}}]});
        assert_eq!(redact_json(&v), v, "not yet registered");
        mask_fields(["x_registered_field"]);
        let r = redact_json(&v);
        assert_eq!(r["first_name"], "Ada");
        assert_eq!(r["deep"][0]["x_registered_field"], REDACTED);
    }

    #[test]
    fn leaves_plain_values_alone() {
        let v = json!({"id": "obj_01HXYZ", "count": 3, "enabled": true, "tags": ["a", "b"]});
        assert_eq!(redact_json(&v), v);
    }

    #[test]
    fn body_text() {
        assert_eq!(redact_body_text(b"", 10), "");
        assert_eq!(
            redact_body_text(br#"{"password":"p"}"#, 100),
            r#"{"password":"***"}"#
        );
        assert_eq!(redact_body_text(b"hello", 100), "<5 bytes, not JSON>");
        assert_eq!(truncate("abcdef", 3), "abc…");
    }
}
