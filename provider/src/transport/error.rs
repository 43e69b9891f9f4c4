//! Errors returned by the HTTP layer and the parsing of JSON error bodies.

use std::fmt;

use serde_json::Value;

/// The code of a request cancelled by StopProvider.
const STOPPED: &str = "stopped";
/// The code of a request that could not be built (never sent, never retried).
const LOCAL: &str = "invalid_request";
/// Longest part of a request path quoted in messages: a path can carry a user value of any size.
pub const PATH_QUOTE_MAX: usize = 200;

/// At most `max` characters of `s`, with `…` and the total length when cut, for quoting user
/// values in messages.
pub fn prefix(s: &str, max: usize) -> String {
    let mut chars = s.char_indices();
    match chars.nth(max) {
        None => s.to_string(),
        Some((end, _)) => format!("{}… ({} bytes in all)", &s[..end], s.len()),
    }
}

/// One field-level validation problem reported by the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: Option<String>,
    pub message: Option<String>,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`", self.field)?;
        match (&self.code, &self.message) {
            (Some(c), Some(m)) if c != m => write!(f, ": {c}: {m}"),
            (Some(c), _) => write!(f, ": {c}"),
            (None, Some(m)) => write!(f, ": {m}"),
            (None, None) => Ok(()),
        }
    }
}

/// A failed API call: either a non-success HTTP status (`status` is set) or a
/// transport failure before any response arrived (`status` is `None`).
///
/// Never carries request headers, so the API key cannot leak through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: Option<u16>,
    pub message: String,
    pub code: Option<String>,
    pub field_errors: Vec<FieldError>,
    pub request_id: Option<String>,
    pub method: String,
    pub path: String,
    /// The request may have reached the server and been carried out although no success answer
    /// came back (a timeout or broken connection after sending, a 5xx), and it was not repeated
    /// because repeating it is not safe (POST, PUT, PATCH). The caller should find out whether
    /// it took effect before trying again.
    pub outcome_unknown: bool,
}

impl ApiError {
    /// An error that happened before or instead of an HTTP response.
    pub fn transport(method: &str, path: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: None,
            message: message.into(),
            code: None,
            field_errors: Vec::new(),
            request_id: None,
            method: method.to_string(),
            path: path.to_string(),
            outcome_unknown: false,
        }
    }

    /// A request that could not be built (bad URL, header value, body): nothing was sent.
    pub fn local(method: &str, path: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: Some(LOCAL.to_string()),
            ..ApiError::transport(method, path, message)
        }
    }

    /// True for an error of [`ApiError::local`]: the request never left the provider.
    pub fn is_local(&self) -> bool {
        self.status.is_none() && self.code.as_deref() == Some(LOCAL)
    }

    /// True when the request may have taken effect on the server although it failed
    /// (see [`ApiError::outcome_unknown`]).
    /// Besides what the transport flags, a 2xx whose body made no sense (the engine's answer
    /// checks build those) and a stop while the request was in flight count: the server may
    /// have acted. A refused connection, a 4xx or a request never built: the server did nothing.
    pub fn is_outcome_unknown(&self) -> bool {
        self.outcome_unknown
            || self.status.is_some_and(|s| (200..300).contains(&s))
            || self.is_stopped()
    }

    /// Builds an error from a non-success response.
    pub fn from_response(
        method: &str,
        path: &str,
        status: u16,
        request_id: Option<String>,
        body: &[u8],
    ) -> ApiError {
        let parsed = parse_error_body(status, body);
        ApiError {
            status: Some(status),
            message: parsed.message,
            code: parsed.code,
            field_errors: parsed.field_errors,
            request_id,
            method: method.to_string(),
            path: path.to_string(),
            outcome_unknown: false,
        }
    }

    /// The error of a request cancelled because Terraform asked the provider to stop.
    pub fn stopped(method: &str, path: &str) -> ApiError {
        ApiError {
            code: Some(STOPPED.to_string()),
            ..ApiError::transport(
                method,
                path,
                "cancelled because Terraform asked the provider to stop",
            )
        }
    }

    /// True for a request cancelled by [`ApiError::stopped`].
    pub fn is_stopped(&self) -> bool {
        self.status.is_none() && self.code.as_deref() == Some(STOPPED)
    }

    /// True when the remote object does not exist (404, or 410 Gone).
    pub fn is_not_found(&self) -> bool {
        matches!(self.status, Some(404) | Some(410))
    }

    /// True for 429 responses.
    pub fn is_rate_limited(&self) -> bool {
        self.status == Some(429)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: ",
            self.method,
            prefix(&self.path, PATH_QUOTE_MAX)
        )?;
        match (self.status, &self.code) {
            (Some(s), Some(c)) => write!(f, "{s} {c}: ")?,
            (Some(s), None) => write!(f, "{s}: ")?,
            (None, Some(c)) => write!(f, "{c}: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)?;
        if !self.field_errors.is_empty() {
            f.write_str(" (")?;
            for (i, fe) in self.field_errors.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                write!(f, "{fe}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The interesting parts of an error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedErrorBody {
    pub message: String,
    pub code: Option<String>,
    pub field_errors: Vec<FieldError>,
}

/// Maximum number of body characters quoted when the body is not JSON.
const EXCERPT_CHARS: usize = 200;

fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Parses `{"message", "code", "errors": [{"field", "code", "message"}]}` as
/// well as the OAuth-style `{"error", "error_description"}` form. Anything
/// else yields the status text plus a short excerpt of the body.
pub(crate) fn parse_error_body(status: u16, body: &[u8]) -> ParsedErrorBody {
    let reason = status_text(status);
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let Some(Value::Object(_)) = json.as_ref() else {
        return ParsedErrorBody {
            message: with_excerpt(reason, body),
            code: None,
            field_errors: Vec::new(),
        };
    };
    let v = json.as_ref().expect("checked above");

    let mut code = str_field(v, "code");
    let mut message = str_field(v, "message");
    // OAuth-style: "error" is a code, "error_description" the text.
    if let Some(err) = str_field(v, "error") {
        if code.is_none() {
            code = Some(err.clone());
        }
        if message.is_none() {
            message = str_field(v, "error_description").or(Some(err));
        }
    } else if message.is_none() {
        message = str_field(v, "error_description");
    }

    let mut field_errors = Vec::new();
    if let Some(Value::Array(items)) = v.get("errors") {
        for item in items {
            match item {
                Value::Object(_) => {
                    let field = str_field(item, "field")
                        .or_else(|| str_field(item, "param"))
                        .unwrap_or_default();
                    let fcode = str_field(item, "code");
                    let fmsg = str_field(item, "message");
                    if field.is_empty() && fcode.is_none() && fmsg.is_none() {
                        continue;
                    }
                    field_errors.push(FieldError {
                        field,
                        code: fcode,
                        message: fmsg,
                    });
                }
                Value::String(s) => field_errors.push(FieldError {
                    field: String::new(),
                    code: None,
                    message: Some(s.clone()),
                }),
                _ => {}
            }
        }
    }

    let message = message.unwrap_or_else(|| {
        if field_errors.is_empty() && code.is_none() {
            with_excerpt(reason, body)
        } else {
            reason.to_string()
        }
    });
    ParsedErrorBody {
        message,
        code,
        field_errors,
    }
}

fn with_excerpt(reason: &str, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return reason.to_string();
    }
    let mut excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        excerpt.push('…');
    }
    format!("{reason}: {excerpt}")
}

/// Canonical reason phrase for a status code.
pub(crate) fn status_text(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown Status")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_error_body() {
        let body = br#"{"message":"Validation failed","code":"unprocessable_entity","errors":[{"field":"email","code":"invalid"},{"field":"name","code":"required","message":"Name is required"}]}"#;
        let p = parse_error_body(422, body);
        assert_eq!(p.message, "Validation failed");
        assert_eq!(p.code.as_deref(), Some("unprocessable_entity"));
        assert_eq!(p.field_errors.len(), 2);
        assert_eq!(p.field_errors[0].field, "email");
        assert_eq!(p.field_errors[0].code.as_deref(), Some("invalid"));
        assert_eq!(p.field_errors[0].message, None);
        assert_eq!(
            p.field_errors[1].message.as_deref(),
            Some("Name is required")
        );
    }

    #[test]
    fn missing_message_falls_back_to_reason() {
        let p = parse_error_body(422, br#"{"code":"bad","errors":[]}"#);
        assert_eq!(p.message, "Unprocessable Entity");
        assert_eq!(p.code.as_deref(), Some("bad"));
    }

    #[test]
    fn oauth_style_body() {
        let p = parse_error_body(
            400,
            br#"{"error":"invalid_grant","error_description":"The code has expired"}"#,
        );
        assert_eq!(p.code.as_deref(), Some("invalid_grant"));
        assert_eq!(p.message, "The code has expired");
        let p = parse_error_body(401, br#"{"error":"unauthorized"}"#);
        assert_eq!(p.message, "unauthorized");
    }

    #[test]
    fn non_json_body_gets_excerpt() {
        let p = parse_error_body(502, b"<html>\n  upstream   down\n</html>");
        assert_eq!(p.message, "Bad Gateway: <html> upstream down </html>");
        let long = "x".repeat(1000);
        let p = parse_error_body(500, long.as_bytes());
        assert!(p.message.chars().count() < 250);
        let p = parse_error_body(503, b"");
        assert_eq!(p.message, "Service Unavailable");
    }

    #[test]
    fn display_format() {
        let e = ApiError::from_response(
            "POST",
            "/x",
            422,
            Some("req_1".into()),
            br#"{"message":"Bad input","code":"unprocessable_entity","errors":[{"field":"email","code":"invalid"}]}"#,
        );
        assert_eq!(
            e.to_string(),
            "POST /x: 422 unprocessable_entity: Bad input (field `email`: invalid)"
        );
        let t = ApiError::transport("GET", "/y", "connection refused");
        assert_eq!(t.to_string(), "GET /y: connection refused");
        assert!(!t.is_not_found());
    }

    #[test]
    fn long_paths_are_quoted_by_prefix() {
        let long = format!("/users/{}", "x".repeat(70_000));
        let e = ApiError::local("GET", &long, "URL too long");
        let text = e.to_string();
        assert!(text.len() < 400, "{}", text.len());
        assert!(text.contains("(70007 bytes in all)"), "{text}");
        assert!(e.is_local() && !e.is_outcome_unknown());
        assert_eq!(prefix("héllo", 2), "hé… (6 bytes in all)");
        assert_eq!(prefix("abc", 3), "abc");
    }

    #[test]
    fn outcome_unknown_only_when_the_server_may_have_acted() {
        let status = |s| ApiError::from_response("POST", "/x", s, None, b"");
        // The transport flags what it did not repeat (a 5xx, a timeout, a broken connection).
        let flagged = ApiError {
            outcome_unknown: true,
            ..status(500)
        };
        assert!(flagged.is_outcome_unknown());
        // A 2xx the engine found senseless, and a stop in flight, count too.
        assert!(status(200).is_outcome_unknown());
        assert!(ApiError::stopped("POST", "/x").is_outcome_unknown());
        // A 4xx or a refused connection: the server did nothing.
        assert!(!status(409).is_outcome_unknown());
        assert!(!status(429).is_outcome_unknown());
        assert!(
            !ApiError::transport("POST", "/x", "connection failed: refused").is_outcome_unknown()
        );
    }
}
