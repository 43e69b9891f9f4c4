//! The vendored OpenAPI spec as the bench's guard reads it: every operation (method, path
//! template, operationId) and, per response status, the top-level `required` properties of
//! its JSON schema. The proxy uses it to refuse requests that are no spec operation and to
//! flag 2xx answers that lack a required property (see `proxy.rs`).
//!
//! Only `required` is checked (following `$ref` into components/schemas and `allOf`; for list
//! envelopes also each `data` item). Full JSON-schema validation of bodies is not done.
use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::Value;

/// One spec operation.
#[derive(Debug)]
pub struct Operation {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template with `{param}` segments.
    pub path: String,
    pub operation_id: String,
    segments: Vec<Seg>,
    /// The raw operation object (for its responses).
    raw: Value,
}

#[derive(Debug, PartialEq)]
enum Seg {
    Lit(String),
    Param,
}

pub struct Spec {
    pub operations: Vec<Operation>,
    components: Value,
}

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

/// Relative to the repository root.
pub const SPEC_PATH: &str = "spec/workos-openapi-v0.61.0.yaml";

/// The parsed spec (read once per test binary).
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = super::repo_root().join(SPEC_PATH);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let doc: Value = serde_yaml::from_str(&text)
            .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
        Spec::from_doc(doc)
    })
}

fn segments(path: &str) -> Vec<Seg> {
    path.split('/')
        .skip(1)
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Seg::Param
            } else {
                Seg::Lit(s.to_string())
            }
        })
        .collect()
}

impl Spec {
    fn from_doc(doc: Value) -> Spec {
        let mut operations = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (path, item) in paths {
                for m in METHODS {
                    let Some(op) = item.get(*m) else { continue };
                    operations.push(Operation {
                        method: m.to_uppercase(),
                        path: path.clone(),
                        operation_id: op
                            .get("operationId")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        segments: segments(path),
                        raw: op.clone(),
                    });
                }
            }
        }
        operations.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
        Spec {
            operations,
            components: doc.get("components").cloned().unwrap_or(Value::Null),
        }
    }

    /// The operation a concrete request path (no query) matches. Among several matching
    /// templates, a literal segment beats a parameter at the first place they differ.
    pub fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        let actual: Vec<&str> = path.split('/').skip(1).collect();
        self.operations
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method))
            .filter(|op| {
                op.segments.len() == actual.len()
                    && op.segments.iter().zip(&actual).all(|(s, a)| match s {
                        Seg::Lit(l) => l == a,
                        Seg::Param => !a.is_empty(),
                    })
            })
            .max_by(|a, b| {
                let key = |o: &Operation| -> Vec<bool> {
                    o.segments
                        .iter()
                        .map(|s| matches!(s, Seg::Lit(_)))
                        .collect()
                };
                key(a).cmp(&key(b))
            })
    }

    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..32 {
            let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
                return schema;
            };
            let Some(name) = r.strip_prefix("#/components/schemas/") else {
                return schema;
            };
            match self.components.get("schemas").and_then(|s| s.get(name)) {
                Some(s) => schema = s,
                None => return schema,
            }
        }
        schema
    }

    /// Required property names and the property schemas of `schema` (following `$ref`
    /// and `allOf`).
    fn required_and_props<'a>(
        &'a self,
        schema: &'a Value,
        req: &mut BTreeSet<String>,
        props: &mut Vec<(String, &'a Value)>,
    ) {
        let s = self.resolve(schema);
        if let Some(r) = s.get("required").and_then(Value::as_array) {
            req.extend(r.iter().filter_map(Value::as_str).map(String::from));
        }
        if let Some(p) = s.get("properties").and_then(Value::as_object) {
            props.extend(p.iter().map(|(k, v)| (k.clone(), v)));
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.required_and_props(part, req, props);
            }
        }
    }

    /// The JSON schema of `op`'s answer with `status`, if the spec gives one.
    fn response_schema<'a>(&'a self, op: &'a Operation, status: u16) -> Option<&'a Value> {
        let responses = op.raw.get("responses")?;
        let r = responses
            .get(status.to_string())
            .or_else(|| responses.get(format!("{}XX", status / 100)))?;
        let content = r.get("content")?;
        content
            .get("application/json")
            .or_else(|| content.as_object()?.values().next())?
            .get("schema")
    }

    /// Required top-level properties the answer lacks (`data[i].x` for list items).
    /// Empty when the spec gives no schema for this status.
    pub fn missing_required(&self, op: &Operation, status: u16, body: &Value) -> Vec<String> {
        let Some(schema) = self.response_schema(op, status) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        self.check(schema, body, "", &mut out, true);
        out
    }

    fn check(&self, schema: &Value, body: &Value, at: &str, out: &mut Vec<String>, top: bool) {
        let Some(obj) = body.as_object() else {
            return;
        };
        let mut req = BTreeSet::new();
        let mut props = Vec::new();
        self.required_and_props(schema, &mut req, &mut props);
        for r in &req {
            if !obj.contains_key(r) {
                out.push(format!("{at}{r}"));
            }
        }
        if !top {
            return;
        }
        // List envelopes: each `data` item's required properties.
        let items_schema = props
            .iter()
            .find(|(k, _)| k == "data")
            .map(|(_, s)| self.resolve(s))
            .filter(|s| s.get("type").and_then(Value::as_str) == Some("array"))
            .and_then(|s| s.get("items"));
        if let (Some(items), Some(Value::Array(data))) = (items_schema, obj.get("data")) {
            for (i, item) in data.iter().enumerate() {
                self.check(items, item, &format!("data[{i}]."), out, false);
            }
        }
    }
}
