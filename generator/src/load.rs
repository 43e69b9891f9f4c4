//! Load stage: the spec file (YAML or JSON) as a JSON value, order preserved.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::Path;

pub fn load(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Load { path: path.display().to_string(), message: e.to_string() })?;
    serde_yaml::from_str(&text).map_err(|e| Error::Load { path: path.display().to_string(), message: e.to_string() })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
