//! ImportResourceState (import ID → attributes; extra ID forms looked up by [`import_by`] or
//! translated by hooks) and
//! UpgradeResourceState (stored JSON → the current schema).

use super::convert;
use super::import_by;
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

/// Import: an extra ID form (the descriptor's `import.by`, else a hook's) is translated into
/// the canonical ID first; then the ID is split into the attributes the descriptor names.
pub async fn import(
    r: &'static ResourceDesc,
    hooks: &dyn ResourceHooks,
    client: Option<Client>,
    id: &str,
) -> ImportResponse {
    let translated = match client {
        Some(c) => match import_by::translate(r, &c, id).await {
            None => hooks.import_id(&c, id).await,
            found => found,
        },
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

/// Upgrade a stored state (JSON) to the current schema. Refused, with a diagnostic: a version
/// this provider never wrote (negative, or newer than [`SCHEMA_VERSION`]), JSON that is not an
/// object or repeats a key, a value of the wrong type. An attribute the schema no longer has is
/// dropped with a warning naming it; one the schema has gained since is null (how a schema grows
/// without a version bump).
pub fn upgrade(r: &ResourceDesc, version: i64, raw_json: &[u8]) -> UpgradeResponse {
    if !(0..=SCHEMA_VERSION).contains(&version) {
        let why = if version < 0 {
            "no provider writes a negative version".to_string()
        } else {
            format!("this provider understands up to {SCHEMA_VERSION}; use the provider version that wrote it, or a newer one")
        };
        return upgrade_failed(
            if version < 0 {
                "Invalid state version"
            } else {
                "State written by a newer provider"
            },
            format!(
                "The stored state of {} has schema version {version}: {why}.",
                r.name
            ),
        );
    }
    let j = match codec::parse_json(raw_json) {
        Ok(Json::Object(o)) => o,
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
    let mut dropped: Vec<String> = j
        .keys()
        .filter(|k| !r.attrs.iter().any(|a| a.name == k.as_str()))
        .map(|k| codec::short(k))
        .collect();
    let mut obj = BTreeMap::new();
    for a in r.attrs {
        let ty = super::schema::ty_to_type(&a.ty);
        let mut inner = vec![];
        let stored = j.get(a.name).unwrap_or(&Json::Null);
        match codec::stored_json_to_value(stored, &ty, &mut inner) {
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
        dropped.extend(
            inner
                .iter()
                .map(|k| format!("{} (in `{}`)", codec::short(k), a.name)),
        );
    }
    UpgradeResponse {
        upgraded_state: Value::Object(obj),
        diagnostics: dropped_warning(r, &dropped),
    }
}

/// The warning for stored attributes the schema does not have.
fn dropped_warning(r: &ResourceDesc, dropped: &[String]) -> Diagnostics {
    if dropped.is_empty() {
        return Diagnostics::default();
    }
    Diagnostic::warning(
        "Stored state has attributes this provider does not know",
        format!(
            "The stored state of {} has {}, which the schema of this provider does not have; the stored values are dropped. A state written by a newer provider version, or edited by hand, shows this; the next apply writes the state without them.",
            r.name,
            dropped.join(", ")
        ),
    )
    .into()
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
    fn upgrade_drops_unknown_attributes_with_a_warning_and_refuses_wrong_types() {
        let up = upgrade(&RES, 0, br#"{"id":"t_1","name":"a","gone":"x"}"#);
        assert_eq!(up.upgraded_state.attr("name"), &Value::String("a".into()));
        assert!(up.upgraded_state.get("gone").is_none());
        let d = &up.diagnostics.0;
        assert!(!up.diagnostics.has_errors() && d.len() == 1, "{d:?}");
        assert!(d[0].detail.contains("\"gone\""), "{d:?}");
        let clean = upgrade(&RES, 0, br#"{"id":"t_1","name":"a"}"#);
        assert!(
            clean.diagnostics.is_empty(),
            "a missing attribute is null, silently"
        );
        let dup = upgrade(&RES, 0, br#"{"id":"t_1","name":"a","name":"b"}"#);
        assert!(
            dup.diagnostics.0[0].detail.contains("duplicate key"),
            "{dup:?}"
        );
        let negative = upgrade(&RES, -1, br#"{"id":"t_1"}"#);
        assert!(negative.diagnostics.has_errors(), "{negative:?}");
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
