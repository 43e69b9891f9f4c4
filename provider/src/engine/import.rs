//! ImportResourceState (import ID → attributes, extra ID forms through hooks) and
//! UpgradeResourceState (stored JSON → the current schema).

use super::convert;
use crate::core::{ImportResponse, UpgradeResponse};
use crate::diag::{Diagnostic, Diagnostics};
use crate::hooks::ResourceHooks;
use crate::transport::Client;
use crate::value::{codec, Value};
use descriptor::ResourceDesc;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The schema version this provider writes.
pub const SCHEMA_VERSION: i64 = 0;

fn failed(diagnostics: Diagnostics) -> ImportResponse {
    ImportResponse {
        diagnostics,
        ..Default::default()
    }
}

/// Import: a hook may translate an extra ID form first; then the ID is split into the
/// attributes the descriptor names.
pub async fn import(
    r: &ResourceDesc,
    hooks: &dyn ResourceHooks,
    client: Option<Client>,
    id: &str,
) -> ImportResponse {
    let translated = match client {
        Some(c) => hooks.import_id(&c, id).await,
        None => None,
    };
    match translated {
        None => split(r, id),
        Some(Ok(id)) => split(r, &id),
        Some(Err(d)) => failed(d),
    }
}

/// Split an import ID into the attributes named by the descriptor.
pub fn split(r: &ResourceDesc, id: &str) -> ImportResponse {
    let n = r.import.parts.len();
    let parts: Vec<&str> = if n == 1 {
        vec![id]
    } else {
        id.splitn(n, r.import.separator).collect()
    };
    if parts.len() != n || parts.iter().any(|p| p.trim().is_empty()) {
        let form = r.import.parts.join(r.import.separator);
        let shown: String = id.chars().take(80).collect();
        return failed(
            Diagnostic::error(
                "Invalid import ID",
                format!(
                    "{} is imported by an ID of the form `{form}`; got {shown:?}.",
                    r.name
                ),
            )
            .into(),
        );
    }
    let mut obj = convert::null_object(r.attrs);
    for (name, part) in r.import.parts.iter().zip(parts) {
        obj.insert(name.to_string(), Value::String(part.to_string()));
    }
    ImportResponse {
        imported: vec![(r.name.to_string(), Value::Object(obj))],
        ..Default::default()
    }
}

fn upgrade_failed(summary: &str, detail: String) -> UpgradeResponse {
    UpgradeResponse {
        diagnostics: Diagnostic::error(summary.to_string(), detail).into(),
        ..Default::default()
    }
}

/// Upgrade a stored state (JSON) to the current schema: attributes the schema no longer has
/// are dropped, new ones are null; a value of the wrong type or a state written by a newer
/// schema version is an error, never silently dropped.
pub fn upgrade(r: &ResourceDesc, version: i64, raw_json: &[u8]) -> UpgradeResponse {
    if version > SCHEMA_VERSION {
        return upgrade_failed(
            "State written by a newer provider",
            format!(
                "The stored state of {} has schema version {version}; this provider understands up to {SCHEMA_VERSION}. Use the provider version that wrote it, or a newer one.",
                r.name
            ),
        );
    }
    let j: Json = match serde_json::from_slice(raw_json) {
        Ok(Json::Object(o)) => Json::Object(o),
        Ok(_) => {
            return upgrade_failed(
                "Unreadable stored state",
                format!("The stored state of {} is not a JSON object.", r.name),
            )
        }
        Err(e) => {
            return upgrade_failed(
                "Unreadable stored state",
                format!("The stored state of {} is not valid JSON: {e}", r.name),
            )
        }
    };
    let mut obj = BTreeMap::new();
    for a in r.attrs {
        let ty = super::schema::ty_to_type(&a.ty);
        match codec::json_to_value(j.get(a.name).unwrap_or(&Json::Null), &ty) {
            Ok(v) => {
                obj.insert(a.name.to_string(), v);
            }
            Err(e) => {
                return upgrade_failed(
                    "Unreadable stored state",
                    format!(
                        "The stored `{}` of {} does not fit its type: {e}",
                        a.name, r.name
                    ),
                )
            }
        }
    }
    UpgradeResponse {
        upgraded_state: Value::Object(obj),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::RES;

    #[test]
    fn import_ids_split_into_their_parts() {
        let r = split(&RES, "t_9");
        assert_eq!(r.imported[0].1.attr("id"), &Value::String("t_9".into()));
        assert!(split(&RES, " ").diagnostics.has_errors());
        let blank = " ".repeat(100_000);
        let d = split(&RES, &blank);
        assert!(
            d.diagnostics.0[0].detail.len() < 300,
            "a short prefix is quoted"
        );
    }

    #[test]
    fn upgrade_drops_unknown_attributes_and_refuses_wrong_types() {
        let up = upgrade(&RES, 0, br#"{"id":"t_1","name":"a","gone":"x"}"#);
        assert_eq!(up.upgraded_state.attr("name"), &Value::String("a".into()));
        assert!(up.upgraded_state.get("gone").is_none());
        assert!(upgrade(&RES, 0, b"{").diagnostics.has_errors());
        let wrong = upgrade(&RES, 0, br#"{"id":"t_1","name":{"x":1}}"#);
        assert!(
            wrong.diagnostics.0[0].detail.contains("`name`"),
            "{wrong:?}"
        );
        let newer = upgrade(&RES, 7, br#"{"id":"t_1"}"#);
        assert!(
            newer.diagnostics.0[0].summary.contains("newer"),
            "{newer:?}"
        );
    }
}
