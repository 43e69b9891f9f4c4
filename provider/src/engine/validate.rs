//! Plan-time validation of configuration values against the generated validators.

use crate::diag::{Diagnostic, Diagnostics};
use crate::value::{AttributePath, Value};
use descriptor::{Attr, Ty, Validator};

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
        if let Ty::Object(nested) = &a.ty {
            validate_object(nested, v, &path, diags);
        }
        if let (
            Ty::List(Ty::Object(nested)) | Ty::Set(Ty::Object(nested)),
            Value::List(items) | Value::Set(items),
        ) = (&a.ty, v)
        {
            for (i, item) in items.iter().enumerate() {
                validate_object(nested, item, &path.then_index(i as i64), diags);
            }
        }
    }
}

fn err(path: &AttributePath, summary: &str, detail: String) -> Diagnostic {
    Diagnostic::error(summary, detail).at(path.clone())
}

/// Run validators on one value (unknown and null values pass).
pub fn check(validators: &[Validator], v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if v.is_null() || v.is_unknown() {
        return;
    }
    for val in validators {
        match (val, v) {
            (Validator::MinLength(n), Value::String(s)) if (s.chars().count() as u64) < *n => diags
                .push(err(
                    path,
                    "Value too short",
                    format!(
                        "{path} must be at least {n} characters long, got {}.",
                        s.chars().count()
                    ),
                )),
            (Validator::MaxLength(n), Value::String(s)) if (s.chars().count() as u64) > *n => diags
                .push(err(
                    path,
                    "Value too long",
                    format!(
                        "{path} must be at most {n} characters long, got {}.",
                        s.chars().count()
                    ),
                )),
            (Validator::Pattern(p), Value::String(s)) => {
                match regex::Regex::new(&format!("^(?:{p})$")) {
                    Ok(re) if !re.is_match(s) => diags.push(err(
                        path,
                        "Invalid value",
                        format!("{path} must match the pattern {p}."),
                    )),
                    _ => {}
                }
            }
            (Validator::OneOf(allowed), Value::String(s)) if !allowed.contains(&s.as_str()) => {
                let shown: Vec<String> =
                    allowed.iter().take(12).map(|a| format!("{a:?}")).collect();
                let more = if allowed.len() > 12 {
                    format!(" and {} more", allowed.len() - 12)
                } else {
                    String::new()
                };
                diags.push(err(
                    path,
                    "Invalid value",
                    format!(
                        "{path} must be one of {}{more}; got {s:?}.",
                        shown.join(", ")
                    ),
                ))
            }
            (Validator::Email, Value::String(s)) if !is_email(s) => diags.push(err(
                path,
                "Invalid email address",
                format!("{path} must be an email address like name@example.com; got {s:?}."),
            )),
            (Validator::Url, Value::String(s)) if !is_url(s) => diags.push(err(
                path,
                "Invalid URL",
                format!("{path} must be an absolute URL like https://example.com/path; got {s:?}."),
            )),
            (Validator::MinItems(n), Value::List(x) | Value::Set(x)) if (x.len() as u64) < *n => {
                diags.push(err(
                    path,
                    "Too few elements",
                    format!("{path} needs at least {n} elements."),
                ))
            }
            (Validator::MaxItems(n), Value::List(x) | Value::Set(x)) if (x.len() as u64) > *n => {
                diags.push(err(
                    path,
                    "Too many elements",
                    format!("{path} may have at most {n} elements."),
                ))
            }
            (Validator::MaxItems(n), Value::Map(m)) if (m.len() as u64) > *n => diags.push(err(
                path,
                "Too many elements",
                format!("{path} may have at most {n} keys."),
            )),
            (Validator::KeyMaxLength(n), Value::Map(m)) => {
                for k in m.keys().filter(|k| k.chars().count() as u64 > *n) {
                    diags.push(err(
                        &path.then_key(k.clone()),
                        "Key too long",
                        format!(
                            "Keys of {path} must be at most {n} characters long; {k:?} is {}.",
                            k.chars().count()
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
            (Validator::Range(lo, hi), Value::Number(n)) => {
                let x = n.as_f64();
                if lo.is_some_and(|l| x < l as f64) || hi.is_some_and(|h| x > h as f64) {
                    diags.push(err(
                        path,
                        "Value out of range",
                        format!(
                            "{path} must be between {} and {}.",
                            lo.map_or("-inf".into(), |l| l.to_string()),
                            hi.map_or("inf".into(), |h| h.to_string())
                        ),
                    ))
                }
            }
            _ => {}
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

fn is_url(s: &str) -> bool {
    match s.split_once("://") {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && !rest.starts_with('/')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(v: &[Validator], x: Value) -> Diagnostics {
        let mut d = Diagnostics::default();
        check(v, &x, &AttributePath::attr("a"), &mut d);
        d
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
        assert!(run(&[Validator::Url], Value::String("example.com".into())).has_errors());
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
