//! ReadResource (404 → removed), import, state upgrade, and the response → state mapping
//! shared with apply.

use super::api;
use super::convert;
use crate::core::{ImportResponse, ReadRequest, ReadResponse, UpgradeResponse};
use crate::diag::Diagnostic;
use crate::transport::{ApiError, Client};
use crate::value::{Number, Type, Value};
use descriptor::{ReadDesc, ResourceDesc};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Fetch the object's current JSON; `None` when it no longer exists.
pub async fn fetch(
    client: &Client,
    r: &ResourceDesc,
    obj: &Value,
) -> Result<Option<Json>, ApiError> {
    match &r.read {
        ReadDesc::Get(op) => match api::call(client, op, obj, None).await {
            Ok(j) => Ok(Some(j)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        },
        ReadDesc::ListFind { op, field, attr } => {
            let want = obj.attr(attr).as_str().unwrap_or_default().to_string();
            let items = match api::list_all(client, op, obj).await {
                Ok(items) => items,
                Err(e) if e.is_not_found() => return Ok(None),
                Err(e) => return Err(e),
            };
            Ok(items
                .into_iter()
                .find(|i| i.get(*field).and_then(Json::as_str) == Some(want.as_str())))
        }
    }
}

/// Map an API object onto the state. Attributes the response does not carry keep `base`'s
/// value; write-only attributes are always null.
pub fn state_from_response(r: &ResourceDesc, resp: &Json, base: &Value, is_create: bool) -> Value {
    let mut out = BTreeMap::new();
    for a in r.attrs {
        let v = if a.write_only {
            Value::Null
        } else {
            match (a.response_field, resp.get(a.response_field.unwrap_or(""))) {
                (Some(_), Some(j)) if is_create || !a.response_create_only => {
                    let v = convert::from_json(j, &a.ty, a.response_item_field);
                    if a.empty_is_null && convert::is_empty_value(&v) {
                        Value::Null
                    } else {
                        v
                    }
                }
                _ => base.attr(a.name).clone(),
            }
        };
        out.insert(a.name.to_string(), v);
    }
    Value::Object(out)
}

/// The applied state: every value known in the plan is kept as planned (Terraform requires
/// it); the rest comes from the API; nothing stays unknown.
pub fn settle(r: &ResourceDesc, state: Value, planned: &Value) -> Value {
    let mut out = BTreeMap::new();
    for a in r.attrs {
        let p = planned.attr(a.name);
        let v = if a.write_only {
            Value::Null
        } else if p.is_known() && !p.is_null() {
            p.clone()
        } else if p.is_null()
            && a.mode != descriptor::Mode::Computed
            && a.mode != descriptor::Mode::ComputedOptional
        {
            Value::Null
        } else {
            state.attr(a.name).clone()
        };
        out.insert(a.name.to_string(), v);
    }
    no_unknowns(r, Value::Object(out))
}

/// Replace any unknown left in a state with null.
pub fn no_unknowns(r: &ResourceDesc, state: Value) -> Value {
    let mut out = BTreeMap::new();
    for a in r.attrs {
        let v = state.attr(a.name);
        out.insert(
            a.name.to_string(),
            if v.contains_unknown() {
                Value::Null
            } else {
                v.clone()
            },
        );
    }
    Value::Object(out)
}

pub async fn read(client: &Client, r: &ResourceDesc, req: ReadRequest) -> ReadResponse {
    match fetch(client, r, &req.current_state).await {
        Ok(None) => ReadResponse {
            new_state: Value::Null,
            private: req.private,
            ..Default::default()
        },
        Ok(Some(j)) => {
            let state = no_unknowns(r, state_from_response(r, &j, &req.current_state, false));
            ReadResponse {
                new_state: state,
                private: req.private,
                ..Default::default()
            }
        }
        Err(e) => ReadResponse {
            new_state: req.current_state,
            private: req.private,
            diagnostics: crate::diag::Diagnostics(api::error_diag("Read", r.name, &e, r.attrs)),
        },
    }
}

/// Split an import ID into the attributes named by the descriptor.
pub fn import(r: &ResourceDesc, id: &str) -> ImportResponse {
    let parts: Vec<&str> = if r.import.parts.len() == 1 {
        vec![id]
    } else {
        id.splitn(r.import.parts.len(), r.import.separator)
            .collect()
    };
    if parts.len() != r.import.parts.len() || parts.iter().any(|p| p.trim().is_empty()) {
        let form = r.import.parts.join(r.import.separator);
        return ImportResponse {
            diagnostics: Diagnostic::error(
                "Invalid import ID",
                format!(
                    "{} is imported by an ID of the form `{form}`; got {id:?}.",
                    r.name
                ),
            )
            .into(),
            ..Default::default()
        };
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

/// Upgrade a stored state (JSON) to the current schema: attributes the schema no longer has
/// are dropped, new ones are null.
pub fn upgrade(r: &ResourceDesc, _version: i64, raw_json: &[u8]) -> UpgradeResponse {
    let j: Json = match serde_json::from_slice(raw_json) {
        Ok(j) => j,
        Err(e) => {
            return UpgradeResponse {
                diagnostics: Diagnostic::error(
                    "Unreadable stored state",
                    format!("The stored state of {} is not valid JSON: {e}", r.name),
                )
                .into(),
                ..Default::default()
            }
        }
    };
    let mut obj = BTreeMap::new();
    for a in r.attrs {
        let ty = super::schema::ty_to_type(&a.ty);
        obj.insert(
            a.name.to_string(),
            from_state_json(j.get(a.name).unwrap_or(&Json::Null), &ty),
        );
    }
    UpgradeResponse {
        upgraded_state: Value::Object(obj),
        ..Default::default()
    }
}

/// Terraform's JSON state encoding → value.
pub fn from_state_json(j: &Json, ty: &Type) -> Value {
    match (j, ty) {
        (Json::Null, _) => Value::Null,
        (Json::String(s), Type::String) => Value::String(s.clone()),
        (Json::Bool(b), Type::Bool) => Value::Bool(*b),
        (Json::Number(n), Type::Number) => match n.as_i64() {
            Some(i) => Value::Number(Number::Int(i)),
            None => Value::Number(Number::Float(n.as_f64().unwrap_or(0.0))),
        },
        (Json::Array(a), Type::List(t)) => {
            Value::List(a.iter().map(|e| from_state_json(e, t)).collect())
        }
        (Json::Array(a), Type::Set(t)) => {
            Value::Set(a.iter().map(|e| from_state_json(e, t)).collect())
        }
        (Json::Object(o), Type::Map(t)) => Value::Map(
            o.iter()
                .map(|(k, v)| (k.clone(), from_state_json(v, t)))
                .collect(),
        ),
        (Json::Object(o), Type::Object(attrs)) => Value::Object(
            attrs
                .iter()
                .map(|(k, t)| {
                    (
                        k.clone(),
                        from_state_json(o.get(k).unwrap_or(&Json::Null), t),
                    )
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::plan::tests::{obj, RES};
    use serde_json::json;

    #[test]
    fn response_maps_onto_state_and_keeps_what_it_lacks() {
        let base = obj(&[
            ("password", Value::String("pw".into())),
            ("slug", Value::String("kept".into())),
        ]);
        let st = state_from_response(
            &RES,
            &json!({"id": "t_1", "name": "a", "external_id": null, "updated_at": "t1"}),
            &base,
            false,
        );
        assert_eq!(st.attr("id"), &Value::String("t_1".into()));
        assert_eq!(st.attr("external_id"), &Value::Null);
        assert_eq!(st.attr("slug"), &Value::String("kept".into()));
        assert_eq!(
            st.attr("password"),
            &Value::Null,
            "write-only never reaches state"
        );
    }

    #[test]
    fn settle_keeps_planned_known_values_and_leaves_no_unknowns() {
        let planned = obj(&[
            ("id", Value::Unknown),
            ("name", Value::String("a".into())),
            ("updated_at", Value::Unknown),
        ]);
        let from_api = obj(&[
            ("id", Value::String("t_1".into())),
            ("name", Value::String("A".into())),
        ]);
        let st = settle(&RES, from_api, &planned);
        assert_eq!(st.attr("name"), &Value::String("a".into()));
        assert_eq!(st.attr("id"), &Value::String("t_1".into()));
        assert_eq!(st.attr("updated_at"), &Value::Null);
    }

    #[test]
    fn import_ids_split_into_their_parts() {
        let r = import(&RES, "t_9");
        assert_eq!(r.imported[0].1.attr("id"), &Value::String("t_9".into()));
        assert!(import(&RES, " ").diagnostics.has_errors());
    }

    #[test]
    fn upgrade_drops_unknown_attributes() {
        let up = upgrade(&RES, 0, br#"{"id":"t_1","name":"a","gone":"x"}"#);
        assert_eq!(up.upgraded_state.attr("name"), &Value::String("a".into()));
        assert!(up.upgraded_state.get("gone").is_none());
        assert!(upgrade(&RES, 0, b"{").diagnostics.has_errors());
    }
}
