//! ApplyResourceChange: create (then follow-up writes, saving state after the first
//! success), update (only what changed; removed values cleared), delete.

use super::api::{self, error_diag};
use super::convert;
use super::private::Private;
use super::read;
use crate::core::{ApplyRequest, ApplyResponse};
use crate::diag::Diagnostics;
use crate::transport::Client;
use crate::value::Value;
use descriptor::{Attr, Clear, FieldBinding, Mode, ResourceDesc};
use serde_json::{Map, Value as Json};

pub async fn apply(client: &Client, r: &ResourceDesc, req: ApplyRequest) -> ApplyResponse {
    if req.planned_state.is_null() {
        return delete(client, r, req).await;
    }
    if req.prior_state.is_null() {
        create(client, r, req).await
    } else {
        update(client, r, req).await
    }
}

/// The value to send for an attribute: write-only values come from config.
fn send_value<'a>(a: &Attr, planned: &'a Value, config: &'a Value) -> &'a Value {
    if a.write_only {
        config.attr(a.name)
    } else {
        planned.attr(a.name)
    }
}

async fn create(client: &Client, r: &ResourceDesc, req: ApplyRequest) -> ApplyResponse {
    let planned = &req.planned_state;
    let config = &req.config;
    let mut body = Map::new();
    for a in r.attrs {
        if let Some(field) = a.create_field {
            let v = send_value(a, planned, config);
            if !v.is_null() && v.is_known() {
                body.insert(field.to_string(), api::body_value(a, v));
            }
        }
    }
    let mut diags = Diagnostics::default();
    let resp = match api::call(client, &r.create, planned, Some(&Json::Object(body))).await {
        Ok(j) => j,
        Err(e) => {
            diags.0.extend(error_diag("Create", r.name, &e, r.attrs));
            return ApplyResponse {
                new_state: Value::Null,
                diagnostics: diags,
                ..Default::default()
            };
        }
    };
    let mut private = Private::default();
    for a in r.attrs.iter().filter(|a| a.write_only) {
        if let Value::String(s) = config.attr(a.name) {
            private.remember(a.name, s);
        }
    }
    // The object exists from here on: every return below carries its state.
    let mut state = read::state_from_response(r, &resp, planned, true);
    let mut follow_up = false;

    // Attributes the create operation cannot carry but the update operation can.
    let mut later = Map::new();
    for a in r
        .attrs
        .iter()
        .filter(|a| a.create_field.is_none() && a.update_field.is_some())
    {
        let v = send_value(a, planned, config);
        if !v.is_null() && v.is_known() && a.mode != Mode::Computed {
            later.insert(
                a.update_field.unwrap_or(a.name).to_string(),
                api::body_value(a, v),
            );
        }
    }
    if let (false, Some(op)) = (later.is_empty(), &r.update) {
        follow_up = true;
        if let Err(e) = api::call(client, op, &state, Some(&Json::Object(later))).await {
            diags.0.extend(error_diag(
                "Create (follow-up update of)",
                r.name,
                &e,
                r.attrs,
            ));
            return finish_partial(r, state, private, diags);
        }
    }
    for w in r.extra_writes {
        let set: Vec<_> = w
            .fields
            .iter()
            .filter(|f| !planned.attr(f.attr).is_null() && planned.attr(f.attr).is_known())
            .collect();
        if set.is_empty() {
            continue;
        }
        follow_up = true;
        let body = extra_body(r, w.fields, planned);
        if let Err(e) = api::call(client, &w.op, &state, Some(&body)).await {
            diags.0.extend(error_diag(
                "Create (follow-up write of)",
                r.name,
                &e,
                r.attrs,
            ));
            return finish_partial(r, state, private, diags);
        }
    }
    for act in r.actions {
        if planned.attr(act.when_true).as_bool() == Some(true) {
            follow_up = true;
            if let Err(e) = api::call(client, &act.op, &state, None).await {
                diags.0.extend(error_diag(
                    "Create (follow-up action of)",
                    r.name,
                    &e,
                    r.attrs,
                ));
                return finish_partial(r, state, private, diags);
            }
        }
    }
    if follow_up {
        match read::fetch(client, r, &state).await {
            Ok(Some(j)) => state = read::state_from_response(r, &j, planned, false),
            Ok(None) => {}
            Err(e) => diags
                .0
                .extend(error_diag("Read after create of", r.name, &e, r.attrs)),
        }
    }
    ApplyResponse {
        new_state: read::settle(r, state, planned),
        private: private.encode(),
        diagnostics: diags,
    }
}

/// After a later step failed: keep the created object in state (Terraform marks it tainted).
fn finish_partial(
    r: &ResourceDesc,
    state: Value,
    private: Private,
    diags: Diagnostics,
) -> ApplyResponse {
    let state = read::no_unknowns(r, state);
    ApplyResponse {
        new_state: state,
        private: private.encode(),
        diagnostics: diags,
    }
}

fn extra_body(r: &ResourceDesc, fields: &[FieldBinding], planned: &Value) -> Json {
    let mut body = Map::new();
    for FieldBinding { attr, field } in fields {
        let a = r.attrs.iter().find(|a| a.name == *attr);
        let v = planned.attr(attr);
        let j = match (a, v) {
            (Some(a), Value::Null) => convert::empty_json(&a.ty),
            (Some(a), v) => api::body_value(a, v),
            (None, _) => Json::Null,
        };
        body.insert(field.to_string(), j);
    }
    Json::Object(body)
}

async fn update(client: &Client, r: &ResourceDesc, req: ApplyRequest) -> ApplyResponse {
    let planned = &req.planned_state;
    let prior = &req.prior_state;
    let config = &req.config;
    let mut diags = Diagnostics::default();
    let mut private = Private::decode(&req.planned_private);
    let wo_changed = super::plan::write_only_changes(r, config, &private);

    let mut body = Map::new();
    for a in r.attrs {
        let Some(field) = a.update_field else {
            continue;
        };
        if a.mode == Mode::Computed {
            continue;
        }
        if a.write_only {
            if wo_changed.contains(&a.name) {
                body.insert(field.to_string(), api::body_value(a, config.attr(a.name)));
            }
            continue;
        }
        let (p, old) = (planned.attr(a.name), prior.attr(a.name));
        if p.is_unknown() || p.semantic_eq(old) {
            continue;
        }
        if p.is_null() {
            match a.clear {
                Clear::Null => {
                    body.insert(field.to_string(), Json::Null);
                }
                Clear::Empty => {
                    body.insert(field.to_string(), convert::empty_json(&a.ty));
                }
                Clear::Never => {}
            }
        } else {
            body.insert(field.to_string(), api::body_value(a, p));
        }
    }
    // Start from the prior state with the planned values: the object as it will be.
    let mut state = planned.clone();
    let mut last: Option<Json> = None;
    let mut wrote_more = false;
    if let (false, Some(op)) = (body.is_empty(), &r.update) {
        match api::call(client, op, prior, Some(&Json::Object(body))).await {
            Ok(j) => last = Some(j),
            Err(e) => {
                diags.0.extend(error_diag("Update", r.name, &e, r.attrs));
                return ApplyResponse {
                    new_state: prior.clone(),
                    private: req.planned_private,
                    diagnostics: diags,
                };
            }
        }
    }
    for a in r.attrs.iter().filter(|a| a.write_only) {
        if wo_changed.contains(&a.name) {
            if let Value::String(s) = config.attr(a.name) {
                private.remember(a.name, s);
            }
        }
        if config.attr(a.name).is_null() {
            private.forget(a.name);
        }
    }
    for w in r.extra_writes {
        let changed = w.fields.iter().any(|FieldBinding { attr, .. }| {
            let p = planned.attr(attr);
            p.is_known() && !p.semantic_eq(prior.attr(attr))
        });
        if !changed {
            continue;
        }
        wrote_more = true;
        if let Err(e) = api::call(
            client,
            &w.op,
            prior,
            Some(&extra_body(r, w.fields, planned)),
        )
        .await
        {
            diags.0.extend(error_diag("Update", r.name, &e, r.attrs));
            let state = read::no_unknowns(r, prior.clone());
            return ApplyResponse {
                new_state: state,
                private: private.encode(),
                diagnostics: diags,
            };
        }
    }
    for act in r.actions {
        let now = planned.attr(act.when_true).as_bool() == Some(true);
        let before = prior.attr(act.when_true).as_bool() == Some(true);
        if now && !before {
            wrote_more = true;
            if let Err(e) = api::call(client, &act.op, prior, None).await {
                diags.0.extend(error_diag("Update", r.name, &e, r.attrs));
            }
        }
    }
    let fresh = if wrote_more || last.as_ref().is_none_or(|j| !j.is_object()) {
        match read::fetch(client, r, prior).await {
            Ok(j) => j,
            Err(e) => {
                diags
                    .0
                    .extend(error_diag("Read after update of", r.name, &e, r.attrs));
                None
            }
        }
    } else {
        last
    };
    if let Some(j) = fresh {
        state = read::state_from_response(r, &j, planned, false);
    }
    ApplyResponse {
        new_state: read::settle(r, state, planned),
        private: private.encode(),
        diagnostics: diags,
    }
}

async fn delete(client: &Client, r: &ResourceDesc, req: ApplyRequest) -> ApplyResponse {
    let mut diags = Diagnostics::default();
    if let Some(op) = &r.delete {
        if let Err(e) = api::call(client, op, &req.prior_state, None).await {
            if !e.is_not_found() {
                diags.0.extend(error_diag("Delete", r.name, &e, r.attrs));
                return ApplyResponse {
                    new_state: req.prior_state,
                    diagnostics: diags,
                    ..Default::default()
                };
            }
        }
    } else {
        diags.push(crate::diag::Diagnostic::warning(
            "Removed from state only",
            format!("The API has no delete operation for {}: the object was removed from Terraform state but still exists.", r.name),
        ));
    }
    ApplyResponse {
        new_state: Value::Null,
        diagnostics: diags,
        ..Default::default()
    }
}
