//! Load stage: the spec file (YAML or JSON) as a JSON value, key order preserved.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Reads `path` as JSON (`.json`) or YAML (anything else) into a JSON value. YAML anchors and
/// aliases are expanded; non-string mapping keys (e.g. unquoted status codes) become strings.
pub fn load(path: &Path) -> Result<serde_json::Value> {
    let err = |message: String| Error::Load {
        path: path.display().to_string(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        return serde_json::from_slice(&bytes).map_err(|e| err(e.to_string()));
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| err(e.to_string()))?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| err(e.to_string()))?;
    yaml_to_json(yaml).map_err(err)
}

fn yaml_to_json(v: serde_yaml::Value) -> std::result::Result<serde_json::Value, String> {
    use serde_json::Value as J;
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => J::Null,
        Y::Bool(b) => J::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_u64() {
                J::from(i)
            } else if let Some(i) = n.as_i64() {
                J::from(i)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(J::Number)
                    .ok_or_else(|| format!("number {f} has no JSON form"))?
            }
        }
        Y::String(s) => J::String(s),
        Y::Sequence(items) => J::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<std::result::Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            J::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value)?,
    })
}

/// Lower-case hex SHA-256 of `bytes` (the spec's fingerprint in generated output).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
