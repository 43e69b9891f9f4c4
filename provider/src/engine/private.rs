//! Private state: salted digests of write-only values, so a changed value is detected and
//! sent without the value itself ever being stored.

use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Private {
    /// attribute name → "salt-hex:digest-hex"
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub write_only: BTreeMap<String, String>,
}

impl Private {
    pub fn decode(bytes: &[u8]) -> Private {
        if bytes.is_empty() {
            return Private::default();
        }
        serde_json::from_slice(bytes).unwrap_or_default()
    }
    pub fn encode(&self) -> Vec<u8> {
        if self.write_only.is_empty() {
            return Vec::new();
        }
        serde_json::to_vec(self).unwrap_or_default()
    }
    /// Does `value` differ from the value whose digest is stored for `attr`?
    /// With no stored digest, any non-empty value counts as changed.
    pub fn changed(&self, attr: &str, value: &str) -> bool {
        match self.write_only.get(attr).and_then(|s| s.split_once(':')) {
            Some((salt, digest)) => digest_hex(salt, value) != digest,
            None => true,
        }
    }
    /// Remember `value` (salted digest only).
    pub fn remember(&mut self, attr: &str, value: &str) {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = hex::encode(salt);
        let d = digest_hex(&salt, value);
        self.write_only
            .insert(attr.to_string(), format!("{salt}:{d}"));
    }
    pub fn forget(&mut self, attr: &str) {
        self.write_only.remove(attr);
    }
}

fn digest_hex(salt: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update([0u8]);
    h.update(value.as_bytes());
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_changes_without_storing_the_value() {
        let mut p = Private::default();
        assert!(p.changed("password", "s3cret-one"));
        p.remember("password", "s3cret-one");
        let bytes = p.encode();
        assert!(!String::from_utf8_lossy(&bytes).contains("s3cret"));
        let q = Private::decode(&bytes);
        assert!(!q.changed("password", "s3cret-one"));
        assert!(q.changed("password", "s3cret-two"));
        assert_eq!(Private::decode(b""), Private::default());
    }
}
