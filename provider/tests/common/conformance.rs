//! Request and response conformance against the vendored spec, with a JSON Schema validator
//! (the `jsonschema` crate; OpenAPI 3.1 schemas are JSON Schema 2020-12).
//!
//! The whole spec document is registered once as a schema resource under [`SPEC_URI`] (never
//! fetched: the crate is built without remote resolving), so every schema is compiled in
//! place by its JSON pointer and its `#/components/schemas/...` references resolve within the
//! document. One validator per schema pointer (request body, query parameter, response per
//! status) is compiled on first use and cached. OpenAPI-only keywords (`discriminator`,
//! `example`, …) are unknown to JSON Schema and ignored; `format` is asserted (date-time,
//! email, uri: WorkOS validates them).
//!
//! What is checked (see [`check_request`] and [`check_response`]):
//! - query: every parameter present is one of the operation's query parameters, its value
//!   (coerced from text per the schema type: integer, number, boolean; arrays repeated or,
//!   for `explode: false`, comma-separated) is valid; required ones are present;
//! - request body: present when required, JSON, valid against the body schema; no body when
//!   the operation takes none;
//! - response: a 2xx status the operation gives; the body valid against the schema the spec
//!   gives for that status (exact, `NXX`, then `default`). A status the spec does not list
//!   outside 2xx has no schema to check.
//!
//! Messages never carry instance values (the validator's masked form), so request bodies
//! with secrets cannot leak into a test failure.
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Registry, ValidationError, Validator};
use serde_json::{json, Value};

use super::spec::{spec, Operation};

/// The base URI the spec document is registered under (a name only, never retrieved).
pub const SPEC_URI: &str = "https://spec.workos-bench.invalid/openapi.json";

/// At most this many findings per checked part (body, parameter, response).
const MAX_FINDINGS: usize = 8;

/// One way a request or a response departs from the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Where: a JSON pointer into the body (`""` is the body itself), or `?name` for a query
    /// parameter (`?name/0` for an item of an array parameter).
    pub at: String,
    /// The JSON Schema keyword that failed (`required`, `type`, `enum`, …), or one of the
    /// bench's own: `unknown_parameter`, `repeated_parameter`, `body`, `json`, `status`,
    /// `schema` (the spec schema does not compile).
    pub code: String,
    /// Human-readable, instance values masked.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.at.is_empty() {
            "(body)"
        } else {
            &self.at
        };
        write!(f, "{at}: {} [{}]", self.message, self.code)
    }
}

impl Finding {
    fn new(at: impl Into<String>, code: &str, message: impl Into<String>) -> Finding {
        Finding {
            at: at.into(),
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// The field as WorkOS names it in a 422 `errors` item: path segments joined with `.`.
    pub fn field(&self) -> String {
        let at = self.at.trim_start_matches('?').trim_start_matches('/');
        at.replace('/', ".")
    }
}

type Compiled = Arc<Result<Validator, String>>;

struct Checker {
    registry: Registry<'static>,
    /// The spec document as registered (see [`normalized`]).
    doc: &'static Value,
    validators: Mutex<HashMap<String, Compiled>>,
}

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    static DOC: OnceLock<Value> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let doc = DOC.get_or_init(|| normalized(spec().doc.clone()));
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(SPEC_URI, doc)
            .expect("spec URI")
            .prepare()
            .expect("spec document as a schema resource");
        Checker {
            registry,
            doc,
            validators: Mutex::new(HashMap::new()),
        }
    })
}

/// The spec document with each `required` list deduplicated. Some of the spec's schemas
/// (`OrganizationList`, `DirectoryList`, … in v0.61.0) name a property twice in `required`,
/// which JSON Schema forbids (its items must be unique) and which the validator then reports
/// as missing although present. Dropping the repetition keeps the meaning.
fn normalized(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(req)) = m.get_mut("required") {
                    let mut seen = Vec::new();
                    req.retain(|r| {
                        let fresh = !seen.contains(r);
                        seen.push(r.clone());
                        fresh
                    });
                }
                m.values_mut().for_each(walk);
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

/// Escapes one JSON pointer token.
fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Percent-encodes a JSON pointer for a URI fragment.
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"/~-._".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Checker {
    /// The validator of the schema at `pointer` in the spec document (compiled once).
    fn validator(&self, pointer: &str) -> Compiled {
        if let Some(v) = self.validators.lock().unwrap().get(pointer) {
            return v.clone();
        }
        let schema = json!({ "$ref": format!("{SPEC_URI}#{}", fragment(pointer)) });
        let built = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| e.to_string());
        let v = Arc::new(built);
        self.validators
            .lock()
            .unwrap()
            .insert(pointer.to_string(), v.clone());
        v
    }

    /// Validates `instance` against the schema at `pointer`; findings' `at` get `prefix`.
    fn validate(&self, pointer: &str, instance: &Value, prefix: &str, out: &mut Vec<Finding>) {
        match &*self.validator(pointer) {
            Err(e) => out.push(Finding::new(
                prefix,
                "schema",
                format!("the spec schema #{pointer} does not compile: {e}"),
            )),
            Ok(v) => out.extend(
                v.iter_errors(instance)
                    .take(MAX_FINDINGS)
                    .map(|e| finding(prefix, &e)),
            ),
        }
    }
}

fn finding(prefix: &str, e: &ValidationError<'_>) -> Finding {
    let mut at = format!("{prefix}{}", e.instance_path().as_str());
    if let ValidationErrorKind::Required { property } = e.kind() {
        at = format!("{at}/{}", property.as_str().unwrap_or_default());
    }
    let mut message = e.masked().to_string();
    // For a failed oneOf/anyOf, name what each alternative objected to first.
    if let ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } =
        e.kind()
    {
        let why: Vec<String> = context
            .iter()
            .filter_map(|branch| branch.first())
            .map(|b| format!("{}: {}", b.instance_path().as_str(), b.masked()))
            .collect();
        if !why.is_empty() {
            message = format!("{message} ({})", why.join("; "));
        }
    }
    Finding::new(at, e.kind().keyword(), message)
}

/// Findings for a request to `op`: its query string (without `?`) and its JSON body (empty
/// for none).
pub fn check_request(op: &Operation, query: Option<&str>, body: &[u8]) -> Vec<Finding> {
    let mut out = Vec::new();
    check_query(op, query, &mut out);
    check_request_body(op, body, &mut out);
    out
}

fn check_request_body(op: &Operation, body: &[u8], out: &mut Vec<Finding>) {
    let empty = body.iter().all(u8::is_ascii_whitespace);
    let Some(rb) = op.raw.get("requestBody") else {
        if !empty {
            out.push(Finding::new(
                "",
                "body",
                "the operation takes no request body",
            ));
        }
        return;
    };
    if empty {
        if rb.get("required").and_then(Value::as_bool) == Some(true) {
            out.push(Finding::new("", "required", "the request body is required"));
        }
        return;
    }
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            out.push(Finding::new("", "json", format!("not JSON: {e}")));
            return;
        }
    };
    let Some(ct) = json_content(rb) else { return };
    let pointer = format!("{}/requestBody/content/{}/schema", op.pointer(), token(ct));
    checker().validate(&pointer, &v, "", out);
}

/// The JSON media type key of a request body or response object that gives a schema.
fn json_content(r: &Value) -> Option<&str> {
    let content = r.get("content")?.as_object()?;
    content
        .iter()
        .find(|(k, v)| {
            (k.as_str() == "application/json" || k.ends_with("+json")) && v.get("schema").is_some()
        })
        .map(|(k, _)| k.as_str())
}

/// The schema `s` refers to (following `$ref`s into the spec's components).
fn resolve(mut s: &Value) -> &Value {
    for _ in 0..16 {
        let Some(r) = s.get("$ref").and_then(Value::as_str) else {
            return s;
        };
        let Some(target) = r.strip_prefix('#').and_then(|p| checker().doc.pointer(p)) else {
            return s;
        };
        s = target;
    }
    s
}

fn types(s: &Value) -> Vec<&str> {
    match resolve(s).get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A query value as the schema's type reads it (text that is no such value stays text, so
/// the validator reports the wrong type).
fn coerce(text: &str, schema: &Value) -> Value {
    let ts = types(schema);
    if ts.contains(&"integer") {
        if let Ok(n) = text.parse::<i64>() {
            return json!(n);
        }
    }
    if ts.contains(&"number") {
        if let Some(n) = text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            return Value::Number(n);
        }
    }
    if ts.contains(&"boolean") && (text == "true" || text == "false") {
        return Value::Bool(text == "true");
    }
    Value::String(text.to_string())
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    let Some(q) = query.filter(|q| !q.is_empty()) else {
        return Vec::new();
    };
    reqwest::Url::parse(&format!("http://bench/?{q}"))
        .map(|u| {
            u.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn check_query(op: &Operation, query: Option<&str>, out: &mut Vec<Finding>) {
    let pairs = query_pairs(query);
    let params: Vec<(usize, &Value)> = op
        .raw
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .enumerate()
                .filter(|(_, p)| p["in"] == "query")
                .collect()
        })
        .unwrap_or_default();
    let name_of = |p: &Value| p["name"].as_str().unwrap_or_default().to_string();
    let mut seen: Vec<&str> = Vec::new();
    for (k, _) in &pairs {
        if seen.contains(&k.as_str()) {
            continue;
        }
        seen.push(k);
        if !params.iter().any(|(_, p)| name_of(p) == *k) {
            out.push(Finding::new(
                format!("?{k}"),
                "unknown_parameter",
                "not a query parameter of this operation",
            ));
        }
    }
    for (i, p) in params {
        let name = name_of(p);
        let values: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            if p["required"] == true {
                out.push(Finding::new(
                    format!("?{name}"),
                    "required",
                    "a required query parameter is missing",
                ));
            }
            continue;
        }
        let schema = &p["schema"];
        let value = if types(schema).contains(&"array") {
            let items = resolve(schema).get("items").unwrap_or(&Value::Null);
            let split = p.get("explode") == Some(&Value::Bool(false));
            let texts: Vec<&str> = if split {
                values.iter().flat_map(|v| v.split(',')).collect()
            } else {
                values
            };
            Value::Array(texts.iter().map(|t| coerce(t, items)).collect())
        } else {
            if values.len() > 1 {
                out.push(Finding::new(
                    format!("?{name}"),
                    "repeated_parameter",
                    "given more than once",
                ));
            }
            coerce(values[0], schema)
        };
        let pointer = format!("{}/parameters/{i}/schema", op.pointer());
        checker().validate(&pointer, &value, &format!("?{name}"), out);
    }
}

/// The key of `op`'s responses that covers `status`: exact, `NXX`, then `default`.
fn response_key(op: &Operation, status: u16) -> Option<String> {
    let responses = op.raw.get("responses")?.as_object()?;
    [
        status.to_string(),
        format!("{}XX", status / 100),
        "default".to_string(),
    ]
    .into_iter()
    .find(|k| responses.contains_key(k))
}

/// Findings for `op`'s answer `status` with `body` (empty for none).
pub fn check_response(op: &Operation, status: u16, body: &[u8]) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(key) = response_key(op, status) else {
        if (200..300).contains(&status) {
            let given: Vec<&String> = op.raw["responses"]
                .as_object()
                .map(|r| r.keys().collect())
                .unwrap_or_default();
            out.push(Finding::new(
                "",
                "status",
                format!("{status} is no response of this operation (the spec gives {given:?})"),
            ));
        }
        return out;
    };
    let response = &op.raw["responses"][&key];
    let Some(ct) = json_content(response) else {
        return out;
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        out.push(Finding::new(
            "",
            "body",
            "empty, the spec gives a JSON body",
        ));
        return out;
    }
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            out.push(Finding::new("", "json", format!("not JSON: {e}")));
            return out;
        }
    };
    let pointer = format!(
        "{}/responses/{}/content/{}/schema",
        op.pointer(),
        token(&key),
        token(ct)
    );
    checker().validate(&pointer, &v, "", &mut out);
    out
}

/// The 422 answer for a nonconforming request, in WorkOS's validation error shape.
pub fn rejection(findings: &[Finding]) -> Value {
    let errors: Vec<Value> = findings
        .iter()
        .map(|f| json!({"field": f.field(), "code": f.code}))
        .collect();
    let detail: Vec<String> = findings.iter().map(ToString::to_string).collect();
    json!({
        "message": format!("Validation failed (the bench's spec conformance check): {}", detail.join("; ")),
        "code": "invalid_request_parameters",
        "errors": errors,
    })
}
