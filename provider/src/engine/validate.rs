//! Plan-time validation of configuration values against the generated validators.

use crate::diag::{Diagnostic, Diagnostics};
use crate::value::codec::short;
use crate::value::{AttributePath, Value};
use descriptor::{Attr, Ty, Validator};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Validate every known, non-null configured value of `attrs` in `config`.
pub fn validate_object(
    attrs: &[Attr],
    config: &Value,
    base: &AttributePath,
    diags: &mut Diagnostics,
) {
    for a in attrs {
        let v = config.attr(a.name);
        let path = base.then_attr(a.name);
        check(a.validators, v, &path, diags);
        validate_nested(&a.ty, v, &path, diags);
    }
}

/// Fields of nested objects, and JSON strings.
fn validate_nested(ty: &Ty, v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    match (ty, v) {
        (Ty::Object(fields), Value::Object(_)) => validate_object(fields, v, path, diags),
        (
            Ty::List(Ty::Object(fields)) | Ty::Set(Ty::Object(fields)),
            Value::List(items) | Value::Set(items),
        ) => {
            for (i, item) in items.iter().enumerate() {
                validate_object(fields, item, &path.then_index(i as i64), diags);
            }
        }
        (Ty::Map(Ty::Object(fields)), Value::Map(m)) => {
            for (k, item) in m {
                validate_object(fields, item, &path.then_key(k.clone()), diags);
            }
        }
        (Ty::Json, Value::String(s)) => {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(s) {
                diags.push(err(
                    path,
                    "Invalid JSON",
                    format!("{path} must be a JSON document: {e}."),
                ));
            }
        }
        _ => {}
    }
}

fn err(path: &AttributePath, summary: &str, detail: String) -> Diagnostic {
    Diagnostic::error(summary, detail).at(path.clone())
}

/// The compiled form of a generated pattern, anchored; compiled once per process.
fn pattern(p: &'static str) -> Option<regex::Regex> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<regex::Regex>>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().ok()?;
    cache
        .entry(p)
        .or_insert_with(|| regex::Regex::new(&format!("^(?:{p})$")).ok())
        .clone()
}

fn chars(s: &str) -> u64 {
    s.chars().count() as u64
}

fn one_of(path: &AttributePath, allowed: &[&str], s: &str) -> Diagnostic {
    let shown: Vec<String> = allowed.iter().take(12).map(|a| format!("{a:?}")).collect();
    let more = if allowed.len() > 12 {
        format!(" and {} more", allowed.len() - 12)
    } else {
        String::new()
    };
    err(
        path,
        "Invalid value",
        format!(
            "{path} must be one of {}{more}; got {}.",
            shown.join(", "),
            short(s)
        ),
    )
}

fn out_of_range(path: &AttributePath, lo: Option<i64>, hi: Option<i64>) -> Diagnostic {
    err(
        path,
        "Value out of range",
        format!(
            "{path} must be between {} and {}.",
            lo.map_or("-inf".into(), |l| l.to_string()),
            hi.map_or("inf".into(), |h| h.to_string())
        ),
    )
}

/// The one diagnostic a scalar or size validator gives for a value, if any.
fn violation(val: &Validator, v: &Value, path: &AttributePath) -> Option<Diagnostic> {
    let d = match (val, v) {
        (Validator::MinLength(n), Value::String(s)) if chars(s) < *n => err(
            path,
            "Value too short",
            format!(
                "{path} must be at least {n} characters long, got {}.",
                chars(s)
            ),
        ),
        (Validator::MaxLength(n), Value::String(s)) if chars(s) > *n => err(
            path,
            "Value too long",
            format!(
                "{path} must be at most {n} characters long, got {}.",
                chars(s)
            ),
        ),
        (Validator::Pattern(p), Value::String(s))
            if pattern(p).is_some_and(|re| !re.is_match(s)) =>
        {
            err(
                path,
                "Invalid value",
                format!("{path} must match the pattern {p}."),
            )
        }
        (Validator::OneOf(allowed), Value::String(s)) if !allowed.contains(&s.as_str()) => {
            one_of(path, allowed, s)
        }
        (Validator::Email, Value::String(s)) if !is_email(s) => err(
            path,
            "Invalid email address",
            format!(
                "{path} must be an email address like name@example.com; got {}.",
                short(s)
            ),
        ),
        (Validator::Url, Value::String(s)) if !is_url(s) => err(
            path,
            "Invalid URL",
            format!(
                "{path} must be an absolute URL like https://example.com/path; got {}.",
                short(s)
            ),
        ),
        (Validator::HttpsUrl, Value::String(s)) => return https_violation(path, s),
        (Validator::MinItems(n), Value::List(x) | Value::Set(x)) if (x.len() as u64) < *n => err(
            path,
            "Too few elements",
            format!("{path} needs at least {n} elements."),
        ),
        (Validator::MaxItems(n), Value::List(x) | Value::Set(x)) if (x.len() as u64) > *n => err(
            path,
            "Too many elements",
            format!("{path} may have at most {n} elements."),
        ),
        (Validator::MaxItems(n), Value::Map(m)) if (m.len() as u64) > *n => err(
            path,
            "Too many elements",
            format!("{path} may have at most {n} keys."),
        ),
        (Validator::Range(lo, hi), Value::Number(n))
            if lo.is_some_and(|l| n.as_f64() < l as f64)
                || hi.is_some_and(|h| n.as_f64() > h as f64) =>
        {
            out_of_range(path, *lo, *hi)
        }
        _ => return None,
    };
    Some(d)
}

/// Run validators on one value (unknown and null values pass).
pub fn check(validators: &[Validator], v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if v.is_null() || v.is_unknown() {
        return;
    }
    for val in validators {
        match (val, v) {
            (Validator::KeyMaxLength(n), Value::Map(m)) => {
                for k in m.keys().filter(|k| chars(k) > *n) {
                    diags.push(err(
                        &path.then_key(k.clone()),
                        "Key too long",
                        format!(
                            "Keys of {path} must be at most {n} characters long; {k:?} is {}.",
                            chars(k)
                        ),
                    ))
                }
            }
            (Validator::Each(inner), Value::List(items) | Value::Set(items)) => {
                for (i, item) in items.iter().enumerate() {
                    check(inner, item, &path.then_index(i as i64), diags);
                }
            }
            (Validator::Each(inner), Value::Map(m)) => {
                for (k, item) in m {
                    check(inner, item, &path.then_key(k.clone()), diags);
                }
            }
            _ => diags.0.extend(violation(val, v, path)),
        }
    }
}

fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && !domain.is_empty()
                && !s.chars().any(char::is_whitespace)
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        _ => false,
    }
}

fn https_violation(path: &AttributePath, s: &str) -> Option<Diagnostic> {
    let why = https_url_problem(s)?;
    Some(err(
        path,
        "Invalid URL",
        format!(
            "{path} must be an https URL like https://example.com/path (http only for a loopback host, for local testing): {why}; got {}.",
            short(s)
        ),
    ))
}

/// Why `s` is not a URL the API may be told to call, if it is not.
fn https_url_problem(s: &str) -> Option<&'static str> {
    let Ok(u) = url::Url::parse(s) else {
        return Some("it is not an absolute URL");
    };
    // A URL parser repairs `https:///hook` into host `hook`; the text as written must name one.
    if written_host(s).is_none() {
        return Some("it has no host");
    }
    let loopback = match u.host() {
        None => return Some("it has no host"),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
    };
    match u.scheme() {
        "https" => None,
        "http" if loopback => None,
        "http" => Some("http is accepted only for a loopback host"),
        _ => Some("its scheme is neither https nor http"),
    }
}

fn is_url(s: &str) -> bool {
    match s.split_once("://") {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && written_host(s).is_some()
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// The host of `scheme://[userinfo@]host[:port]/…` as written: `None` when there is no `://`
/// or the authority names no host (`https:///x`, `https://user@/x`, `https://:443/x`).
fn written_host(s: &str) -> Option<&str> {
    let (_, rest) = s.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or("", |(h, _)| h),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_urls_only_with_a_loopback_exception() {
        let ok = |s: &str| !run(&[Validator::HttpsUrl], Value::String(s.into())).has_errors();
        for good in [
            "https://example.com/hooks",
            "HTTPS://Example.com:8443/x?y=1",
            "http://localhost:8080/hook",
            "http://127.0.0.1/hook",
            "http://[::1]:9000/",
        ] {
            assert!(ok(good), "{good} is refused");
        }
        for bad in [
            "ftp://example.com/hooks",
            "http://example.com/hooks",
            "http://localhost.example.com/",
            "file:///etc/passwd",
            "example.com/hooks",
            "https://",
            "https:///hook",
            "https:hook",
            "https://user@/hook",
            "https://:443/hook",
            "http://[]/hook",
            "javascript:alert(1)",
            "",
        ] {
            assert!(!ok(bad), "{bad:?} is accepted");
        }
        let d = run(
            &[Validator::HttpsUrl],
            Value::String("ftp://x.example/".into()),
        );
        assert_eq!(d.0[0].attribute, Some(AttributePath::attr("a")));
        assert!(d.0[0].detail.contains("neither https nor http"), "{d:?}");
        let long = format!("ftp://{}", "h".repeat(10_000));
        let d = run(&[Validator::HttpsUrl], Value::String(long));
        assert!(d.0[0].detail.len() < 400, "a short prefix is quoted");
    }

    fn run(v: &[Validator], x: Value) -> Diagnostics {
        let mut d = Diagnostics::default();
        check(v, &x, &AttributePath::attr("a"), &mut d);
        d
    }

    fn patterns_of(validators: &[Validator], out: &mut Vec<&'static str>) {
        for v in validators {
            match v {
                Validator::Pattern(p) => out.push(p),
                Validator::Each(inner) => patterns_of(inner, out),
                _ => {}
            }
        }
    }

    fn attr_patterns(attrs: &[Attr], out: &mut Vec<&'static str>) {
        for a in attrs {
            patterns_of(a.validators, out);
            if let Ty::Object(f)
            | Ty::List(Ty::Object(f))
            | Ty::Set(Ty::Object(f))
            | Ty::Map(Ty::Object(f)) = &a.ty
            {
                attr_patterns(f, out);
            }
        }
    }

    #[test]
    fn every_generated_pattern_compiles() {
        let mut all = vec![];
        for r in generated::PROVIDER.resources {
            attr_patterns(r.attrs, &mut all);
        }
        for d in generated::PROVIDER.data_sources {
            attr_patterns(d.attrs, &mut all);
        }
        for p in all {
            assert!(pattern(p).is_some(), "pattern {p:?} does not compile");
        }
    }

    #[test]
    fn json_strings_must_parse() {
        static ATTRS: [Attr; 1] = [Attr {
            name: "doc",
            ty: Ty::Json,
            mode: descriptor::Mode::Optional,
            ..Attr::DEFAULT
        }];
        let mut d = Diagnostics::default();
        let cfg = Value::Object([("doc".to_string(), Value::String("{nope".into()))].into());
        validate_object(&ATTRS, &cfg, &AttributePath::root(), &mut d);
        assert!(d.0[0].summary.contains("Invalid JSON"), "{d:?}");
        let mut d = Diagnostics::default();
        let cfg =
            Value::Object([("doc".to_string(), Value::String(r#"{"a": [1]}"#.into()))].into());
        validate_object(&ATTRS, &cfg, &AttributePath::root(), &mut d);
        assert!(d.is_empty());
    }

    #[test]
    fn lengths_patterns_enums() {
        assert!(run(&[Validator::MaxLength(3)], Value::String("abcd".into())).has_errors());
        assert!(!run(&[Validator::MaxLength(3)], Value::String("abc".into())).has_errors());
        assert!(run(
            &[Validator::Pattern("[\\x00-\\x7F]+")],
            Value::String("é".into())
        )
        .has_errors());
        assert!(!run(
            &[Validator::Pattern("[\\x00-\\x7F]+")],
            Value::String("ok".into())
        )
        .has_errors());
        let d = run(
            &[Validator::OneOf(&["enabled", "disabled"])],
            Value::String("on".into()),
        );
        assert!(d.0[0].detail.contains("\"enabled\""));
        assert_eq!(d.0[0].attribute, Some(AttributePath::attr("a")));
    }

    #[test]
    fn emails_and_urls() {
        for bad in ["x", "a@b", "a b@c.com", "a@@b.com", "@b.com"] {
            assert!(
                run(&[Validator::Email], Value::String(bad.into())).has_errors(),
                "{bad}"
            );
        }
        assert!(!run(
            &[Validator::Email],
            Value::String("a.b+c@example.com".into())
        )
        .has_errors());
        for bad in [
            "example.com",
            "https:///hook",
            "https://user@/hook",
            "https://:8080/x",
            "https://?q=1",
        ] {
            assert!(
                run(&[Validator::Url], Value::String(bad.into())).has_errors(),
                "{bad:?} is accepted"
            );
        }
        for good in [
            "https://user@example.com:8443/x",
            "http://[::1]/",
            "urn://x",
        ] {
            assert!(
                !run(&[Validator::Url], Value::String(good.into())).has_errors(),
                "{good:?} is refused"
            );
        }
        let d = run(
            &[Validator::HttpsUrl],
            Value::String("https:///hook".into()),
        );
        assert!(d.0[0].detail.contains("it has no host"), "{d:?}");
        assert!(!run(
            &[Validator::Url],
            Value::String("http://127.0.0.1:9/x".into())
        )
        .has_errors());
    }

    #[test]
    fn nested_paths_for_map_keys_and_elements() {
        let mut m = std::collections::BTreeMap::new();
        m.insert("k".repeat(41), Value::String("v".into()));
        let d = run(&[Validator::KeyMaxLength(40)], Value::Map(m));
        assert_eq!(d.0.len(), 1);
        let d = run(
            &[Validator::Each(&[Validator::OneOf(&["x"])])],
            Value::Set(vec![Value::String("y".into())]),
        );
        assert_eq!(
            d.0[0].attribute,
            Some(AttributePath::attr("a").then_index(0))
        );
        assert!(!run(&[Validator::MaxLength(1)], Value::Unknown).has_errors());
    }
}
