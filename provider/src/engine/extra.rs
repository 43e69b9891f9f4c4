//! `extra_configuration`: a dynamic attribute whose top-level keys are merged into the create
//! and update request bodies, for fields the spec does not have yet.
//!
//! - Values keep their types (string, bool, number, list, object).
//! - Only the keys the user set are read back; a key the response no longer returns keeps
//!   its configured value and is reported in a warning.
//! - A key equal to a body field the resource already has is an error at plan.
//! - A key removed from the configuration is sent as `null` on the next update.

use super::convert;
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::{AttributePath, Value};
use descriptor::{ResourceDesc, EXTRA_CONFIGURATION};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;

/// Does this resource have the pass-through attribute?
pub fn has(r: &ResourceDesc) -> bool {
    r.attr(EXTRA_CONFIGURATION).is_some()
}

/// The configured keys of an `extra_configuration` value (`None` when null or unknown).
fn entries(v: &Value) -> Option<&BTreeMap<String, Value>> {
    match v {
        Value::Dynamic(_, inner) => entries(inner),
        Value::Object(m) | Value::Map(m) => Some(m),
        _ => None,
    }
}

fn key_path(key: &str) -> AttributePath {
    AttributePath::attr(EXTRA_CONFIGURATION).then_key(key)
}

/// The attribute that already sends `key` as a body field, if any.
fn conflicting_attr(r: &ResourceDesc, key: &str) -> Option<&'static str> {
    r.attrs
        .iter()
        .find(|a| {
            a.name != EXTRA_CONFIGURATION
                && (a.create_field == Some(key) || a.update_field == Some(key) || a.name == key)
        })
        .map(|a| a.name)
        .or_else(|| {
            r.extra_writes
                .iter()
                .flat_map(|w| w.fields)
                .find(|f| f.field == key)
                .map(|f| f.attr)
        })
}

/// Plan-time checks: an object, and no key that an attribute already sends.
pub fn validate(r: &ResourceDesc, config: &Value, diags: &mut Diagnostics) {
    if !has(r) {
        return;
    }
    let v = config.attr(EXTRA_CONFIGURATION);
    if v.is_null() || v.is_unknown() {
        return;
    }
    let Some(keys) = entries(v) else {
        diags.push(
            Diagnostic::error(
                "Invalid extra_configuration",
                "`extra_configuration` must be an object of request body fields, e.g. `{ new_flag = true }`.",
            )
            .at(AttributePath::attr(EXTRA_CONFIGURATION)),
        );
        return;
    };
    for key in keys.keys() {
        if let Some(attr) = conflicting_attr(r, key) {
            diags.push(
                Diagnostic::error(
                    "Conflicting extra_configuration key",
                    format!(
                        "`{key}` is a field {} already manages: set the attribute `{attr}` instead of `extra_configuration.{key}`.",
                        r.name
                    ),
                )
                .at(key_path(key)),
            );
        }
    }
}

/// The values of `extra_configuration` are the user's, for fields the schema does not know:
/// nothing says they are not secrets, so the transport masks them in its logs (the keys stay
/// visible). Terraform itself shows them in plans and keeps them in state like any attribute.
pub fn mask_in_logs(v: &Value) {
    if let Some(m) = entries(v) {
        crate::transport::redact::mask_fields(m.keys());
    }
}

/// Adds every configured key to a create body.
pub fn merge_create(r: &ResourceDesc, planned: &Value, body: &mut Map<String, Json>) {
    if !has(r) {
        return;
    }
    mask_in_logs(planned.attr(EXTRA_CONFIGURATION));
    for (k, v) in entries(planned.attr(EXTRA_CONFIGURATION))
        .into_iter()
        .flatten()
    {
        if !v.is_null() {
            body.insert(k.clone(), convert::plain_json(v));
        }
    }
}

/// Adds the keys that changed to an update body; removed keys are sent as null.
pub fn merge_update(
    r: &ResourceDesc,
    prior: &Value,
    planned: &Value,
    body: &mut Map<String, Json>,
) {
    if !has(r) {
        return;
    }
    mask_in_logs(prior.attr(EXTRA_CONFIGURATION));
    mask_in_logs(planned.attr(EXTRA_CONFIGURATION));
    let empty = BTreeMap::new();
    let before = entries(prior.attr(EXTRA_CONFIGURATION)).unwrap_or(&empty);
    let now = entries(planned.attr(EXTRA_CONFIGURATION)).unwrap_or(&empty);
    for (k, v) in now {
        if before.get(k).is_none_or(|b| !b.semantic_eq(v)) {
            body.insert(k.clone(), convert::plain_json(v));
        }
    }
    for k in before.keys().filter(|k| !now.contains_key(*k)) {
        body.insert(k.clone(), Json::Null);
    }
}

/// The read-back value: the keys of `base` (the state or plan), each from the response when
/// it has the key (the base value kept when they are equal, so its type stays), and the
/// names of keys the response lacks.
pub fn read_back(base: &Value, resp: &Json) -> (Value, Vec<String>) {
    let Some(keys) = entries(base) else {
        return (base.clone(), vec![]);
    };
    let mut out = BTreeMap::new();
    let mut missing = vec![];
    for (k, v) in keys {
        let value = match resp.get(k) {
            Some(j) => {
                let remote = convert::plain_value(j);
                if remote.semantic_eq(v) {
                    v.clone()
                } else {
                    remote
                }
            }
            None => {
                missing.push(k.clone());
                v.clone()
            }
        };
        out.insert(k.clone(), value);
    }
    let obj = Value::Object(out);
    (
        Value::Dynamic(Box::new(obj.inferred_type()), Box::new(obj)),
        missing,
    )
}

/// A warning for keys the API did not return.
pub fn missing_warning(r: &ResourceDesc, missing: &[String]) -> Option<Diagnostic> {
    if missing.is_empty() {
        return None;
    }
    Some(
        Diagnostic::warning(
            "extra_configuration keys not returned by the API",
            format!(
                "The API's answer for {} has no {}: the configured values are kept in state, but their remote values cannot be checked.",
                r.name,
                missing
                    .iter()
                    .map(|k| format!("`{}`", k.chars().take(40).collect::<String>()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .at(AttributePath::attr(EXTRA_CONFIGURATION)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::{obj, RES};
    use crate::value::Number;
    use serde_json::json;

    fn extra(pairs: &[(&str, Value)]) -> Value {
        let o = Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        );
        Value::Dynamic(Box::new(o.inferred_type()), Box::new(o))
    }

    fn with_extra(v: Value) -> Value {
        obj(&[
            ("name", Value::String("n".into())),
            (EXTRA_CONFIGURATION, v),
        ])
    }

    #[test]
    fn conflicting_and_non_object_values_are_refused() {
        let mut d = Diagnostics::default();
        validate(
            &RES,
            &with_extra(extra(&[("name", Value::Bool(true))])),
            &mut d,
        );
        assert_eq!(d.0.len(), 1, "{d:?}");
        assert!(d.0[0].detail.contains("attribute `name`"), "{d:?}");
        assert_eq!(
            d.0[0].attribute.as_ref().unwrap().to_string(),
            "extra_configuration[\"name\"]"
        );
        let mut d = Diagnostics::default();
        validate(
            &RES,
            &with_extra(Value::Dynamic(
                Box::new(crate::value::Type::String),
                Box::new(Value::String("x".into())),
            )),
            &mut d,
        );
        assert!(d.0[0].detail.contains("must be an object"), "{d:?}");
        let mut d = Diagnostics::default();
        validate(
            &RES,
            &with_extra(extra(&[("brand_new", Value::Bool(true))])),
            &mut d,
        );
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn bodies_get_typed_values_and_removed_keys_are_nulled() {
        let planned = with_extra(extra(&[
            ("flag", Value::Bool(true)),
            ("limit", Value::Number(Number::Int(5))),
            ("label", Value::String("x".into())),
        ]));
        let mut body = Map::new();
        merge_create(&RES, &planned, &mut body);
        assert_eq!(
            Json::Object(body),
            json!({"flag": true, "limit": 5, "label": "x"})
        );

        let next = with_extra(extra(&[
            ("flag", Value::Bool(true)),
            ("limit", Value::Number(Number::Int(6))),
        ]));
        let mut body = Map::new();
        merge_update(&RES, &planned, &next, &mut body);
        assert_eq!(Json::Object(body), json!({"limit": 6, "label": null}));
    }

    #[test]
    fn only_configured_keys_are_read_back() {
        let base = extra(&[
            ("flag", Value::Bool(true)),
            ("gone", Value::String("a".into())),
        ]);
        let (v, missing) = read_back(&base, &json!({"flag": false, "other": 1}));
        assert_eq!(missing, vec!["gone".to_string()]);
        let m = entries(&v).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m["flag"], Value::Bool(false));
        assert_eq!(m["gone"], Value::String("a".into()));
        assert!(missing_warning(&RES, &missing)
            .unwrap()
            .detail
            .contains("`gone`"));
    }
}
