//! The vendored OpenAPI spec as the bench's guard reads it: every operation (method, path
//! template, operationId) and the whole document. The proxy uses it to refuse requests that
//! are no spec operation (see `proxy.rs`); `conformance.rs` validates request and response
//! bodies against the operation's schemas with a JSON Schema validator.
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
    /// The raw operation object (parameters, request body, responses).
    pub raw: Value,
}

impl Operation {
    /// The JSON pointer of this operation object in the spec document
    /// (`/paths/<escaped path>/<method>`).
    pub fn pointer(&self) -> String {
        let esc = self.path.replace('~', "~0").replace('/', "~1");
        format!("/paths/{esc}/{}", self.method.to_lowercase())
    }
}

#[derive(Debug, PartialEq)]
enum Seg {
    Lit(String),
    Param,
}

pub struct Spec {
    pub operations: Vec<Operation>,
    /// The whole spec document (JSON view of the YAML).
    pub doc: Value,
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
        Spec { operations, doc }
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
}
