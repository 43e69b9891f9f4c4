//! ReadResource (404 → removed) and the response → state mapping shared with apply.

use super::api;
use super::convert;
use super::extra;
use super::refresh::Refreshes;
use crate::core::{ReadRequest, ReadResponse};
use crate::diag::Diagnostics;
use crate::hooks::ResourceHooks;
use crate::transport::{ApiError, Client};
use crate::value::Value;
use descriptor::{Attr, Mode, ReadDesc, ResourceDesc, Ty, EXTRA_CONFIGURATION};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Fetch the object's current JSON; `None` when it no longer exists.
pub async fn fetch(
    client: &Client,
    r: &ResourceDesc,
    obj: &Value,
) -> Result<Option<Json>, ApiError> {
    match &r.read {
        // An answer that is not the object is an error, never "no drift".
        ReadDesc::Get(op) => {
            match api::call_object(client, op, obj, None, &api::identity_fields(r.attrs)).await {
                Ok(j) => Ok(Some(j)),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e),
            }
        }
        ReadDesc::ListFind { op, field, attr } => {
            let want = obj.attr(attr).as_str().unwrap_or_default().to_string();
            let items = match api::list_objects(client, op, obj, &[]).await {
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

/// Fetch through the resource's read hook when it has one, else generically.
pub async fn fetch_with(
    client: &Client,
    r: &ResourceDesc,
    hooks: &dyn ResourceHooks,
    obj: &Value,
) -> Result<Option<Json>, ApiError> {
    match hooks.read(client, obj).await {
        Some(result) => result,
        None => fetch(client, r, obj).await,
    }
}

/// Is the response's value for a JSON-string attribute the same document as `base`'s?
fn same_json(base: &Value, j: &Json) -> bool {
    match base {
        Value::String(s) => serde_json::from_str::<Json>(s).is_ok_and(|b| &b == j),
        _ => false,
    }
}

/// One attribute's value from the response, or `None` when the response does not carry it
/// (or must not be believed for it).
fn response_value(a: &Attr, resp: &Json, base: &Value, is_create: bool) -> Option<Value> {
    if a.name == EXTRA_CONFIGURATION {
        return Some(extra::read_back(base.attr(a.name), resp).0);
    }
    let j = resp.get(a.response_field?)?;
    if a.response_create_only && !is_create {
        return None;
    }
    if matches!(a.ty, Ty::Json) && same_json(base.attr(a.name), j) {
        return Some(base.attr(a.name).clone());
    }
    let v = convert::from_json(j, &a.ty, a.response_item_field);
    Some(if a.empty_is_null && convert::is_empty_value(&v) {
        Value::Null
    } else {
        v
    })
}

/// Map an API object onto the state. Attributes the response does not carry keep `base`'s
/// value; write-only attributes are always null.
pub fn state_from_response(r: &ResourceDesc, resp: &Json, base: &Value, is_create: bool) -> Value {
    let mut out = BTreeMap::new();
    for a in r.attrs {
        let v = if a.write_only {
            Value::Null
        } else {
            response_value(a, resp, base, is_create).unwrap_or_else(|| base.attr(a.name).clone())
        };
        out.insert(a.name.to_string(), v);
    }
    Value::Object(out)
}

/// The warning for `extra_configuration` keys the response lacks (none when it has them all).
pub fn extra_warnings(r: &ResourceDesc, resp: &Json, base: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    if extra::has(r) {
        let (_, missing) = extra::read_back(base.attr(EXTRA_CONFIGURATION), resp);
        if let Some(w) = extra::missing_warning(r, &missing) {
            d.push(w);
        }
    }
    d
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
        } else if p.is_null() && matches!(a.mode, Mode::Required | Mode::Optional) {
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

/// Waits before each re-read confirming that an object answered 404 is gone: one stray 404 (a
/// proxy, read-after-write lag) must not drop a live object from state.
const GONE_CONFIRM: [std::time::Duration; 2] = [
    std::time::Duration::from_millis(200),
    std::time::Duration::from_millis(600),
];

/// `fetched`, where "gone" is believed only once direct re-reads confirm it.
pub async fn confirm_gone(
    client: &Client,
    r: &ResourceDesc,
    hooks: &dyn ResourceHooks,
    obj: &Value,
    mut fetched: Result<Option<Json>, ApiError>,
) -> Result<Option<Json>, ApiError> {
    for wait in GONE_CONFIRM {
        if !matches!(fetched, Ok(None)) {
            break;
        }
        tokio::time::sleep(wait).await;
        fetched = fetch_with(client, r, hooks, obj).await;
    }
    fetched
}

/// Fetch for a refresh: the read hook first, then the type's list pages where it has them
/// (`refresh`), else generically.
async fn fetch_for_refresh(
    client: &Client,
    r: &'static ResourceDesc,
    hooks: &dyn ResourceHooks,
    refreshes: &Refreshes,
    obj: &Value,
) -> Result<Option<Json>, ApiError> {
    if let Some(result) = hooks.read(client, obj).await {
        return result;
    }
    match &r.refresh {
        Some(list) => refreshes.fetch(client, r, list, obj).await,
        None => fetch(client, r, obj).await,
    }
}

pub async fn read(
    client: &Client,
    r: &'static ResourceDesc,
    hooks: &dyn ResourceHooks,
    req: ReadRequest,
    refreshes: &Refreshes,
) -> ReadResponse {
    let current = &req.current_state;
    let fetched = fetch_for_refresh(client, r, hooks, refreshes, current).await;
    let fetched = confirm_gone(client, r, hooks, current, fetched).await;
    let (new_state, diagnostics) = match fetched {
        Ok(None) => (Value::Null, Diagnostics::default()),
        Ok(Some(j)) => (
            no_unknowns(r, state_from_response(r, &j, current, false)),
            extra_warnings(r, &j, current),
        ),
        Err(e) => (
            current.clone(),
            Diagnostics(api::error_diag("Read", r.name, &e, r.attrs)),
        ),
    };
    ReadResponse {
        new_state,
        private: req.private,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::{obj, RES};
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
}
