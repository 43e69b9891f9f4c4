//! ApplyResourceChange: create (then follow-up writes, saving state after the first
//! success), update (only what changed; removed values cleared), delete.

use super::adopt;
use super::api::{self, error_diag};
use super::convert;
use super::extra;
use super::private::Private;
use super::read;
use super::transition;
use crate::core::{ApplyRequest, ApplyResponse};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::hooks::{Destroy, ResourceHooks};
use crate::transport::{ApiError, Client};
use crate::value::Value;
use descriptor::{Attr, Clear, FieldBinding, Mode, Op, ResourceDesc};
use serde_json::{Map, Value as Json};

pub async fn apply(
    client: &Client,
    r: &ResourceDesc,
    hooks: &dyn ResourceHooks,
    req: ApplyRequest,
) -> ApplyResponse {
    if req.planned_state.is_null() {
        return delete(client, r, hooks, req).await;
    }
    if req.prior_state.is_null() {
        create(client, r, hooks, req).await
    } else {
        update(client, r, hooks, req).await
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

/// Is this value something to send?
fn sendable(v: &Value) -> bool {
    !v.is_null() && v.is_known()
}

/// One call after the main write: what it is (for diagnostics), the operation, the body.
struct Step<'a> {
    what: &'static str,
    op: &'a Op,
    body: Option<Json>,
}

/// Run the steps in order; the first failure stops them and is returned as diagnostics.
async fn run_steps(
    client: &Client,
    r: &ResourceDesc,
    obj: &Value,
    steps: Vec<Step<'_>>,
) -> Result<(), Diagnostics> {
    for step in steps {
        if let Err(e) = api::call(client, step.op, obj, step.body.as_ref()).await {
            return Err(Diagnostics(error_diag(step.what, r.name, &e, r.attrs)));
        }
    }
    Ok(())
}

/// Read the object again after follow-up writes: its state from the answer, and warnings.
async fn refresh(
    client: &Client,
    r: &ResourceDesc,
    hooks: &dyn ResourceHooks,
    obj: &Value,
    base: &Value,
    what: &str,
) -> (Option<Value>, Diagnostics) {
    match read::fetch_with(client, r, hooks, obj).await {
        Ok(Some(j)) => (
            Some(read::state_from_response(r, &j, base, false)),
            read::extra_warnings(r, &j, base),
        ),
        Ok(None) => (None, Diagnostics::default()),
        Err(e) => (None, Diagnostics(error_diag(what, r.name, &e, r.attrs))),
    }
}

fn create_body(r: &ResourceDesc, planned: &Value, config: &Value) -> Map<String, Json> {
    let mut body = Map::new();
    for a in r.attrs {
        if let Some(field) = a.create_field {
            let v = send_value(a, planned, config);
            if sendable(v) {
                body.insert(field.to_string(), api::body_value(a, v));
            }
        }
    }
    extra::merge_create(r, planned, &mut body);
    body
}

/// What a create must do after the create call: attributes only the update operation can
/// carry, secondary writes, actions.
fn create_steps<'a>(r: &'a ResourceDesc, planned: &Value, config: &Value) -> Vec<Step<'a>> {
    let mut steps = vec![];
    let later: Map<String, Json> = r
        .attrs
        .iter()
        .filter(|a| a.create_field.is_none() && a.mode != Mode::Computed)
        .filter_map(|a| Some((a, a.update_field?)))
        .filter(|(a, _)| sendable(send_value(a, planned, config)))
        .map(|(a, f)| {
            (
                f.to_string(),
                api::body_value(a, send_value(a, planned, config)),
            )
        })
        .collect();
    if let (false, Some(op)) = (later.is_empty(), &r.update) {
        let body = Some(Json::Object(later));
        steps.push(Step {
            what: "Create (follow-up update of)",
            op,
            body,
        });
    }
    steps.extend(secondary_steps(
        r,
        &Value::Null,
        planned,
        [
            "Create (follow-up write of)",
            "Create (follow-up action of)",
        ],
    ));
    steps
}

fn remember_write_only(r: &ResourceDesc, config: &Value, private: &mut Private, sent: &[&str]) {
    for a in r.attrs.iter().filter(|a| a.write_only) {
        match config.attr(a.name) {
            Value::String(s) if sent.contains(&a.name) => private.remember(a.name, s),
            Value::Null => private.forget(a.name),
            _ => {}
        }
    }
}

async fn create(
    client: &Client,
    r: &ResourceDesc,
    hooks: &dyn ResourceHooks,
    req: ApplyRequest,
) -> ApplyResponse {
    let (planned, config) = (&req.planned_state, &req.config);
    let (resp, adopted) = match create_call(client, r, planned, config).await {
        Ok(created) => created,
        Err(diagnostics) => {
            return ApplyResponse {
                new_state: Value::Null,
                diagnostics,
                ..Default::default()
            }
        }
    };
    let mut private = Private::default();
    let all: Vec<&str> = r.attrs.iter().map(|a| a.name).collect();
    remember_write_only(r, config, &mut private, &all);
    // The object exists from here on: every return below carries its state.
    let mut state = read::state_from_response(r, &resp, planned, true);
    let mut diags = read::extra_warnings(r, &resp, planned);
    diags.extend(hooks.after_create(client, &mut state).await);
    let mut steps = create_steps(r, planned, config);
    steps.extend(transition_steps(
        r,
        &state,
        planned,
        "Create (follow-up change of)",
    ));
    let follow_up = !steps.is_empty();
    if !diags.has_errors() {
        if let Err(d) = run_steps(client, r, &state, steps).await {
            diags.extend(d);
        }
    }
    if diags.has_errors() {
        // What exists remotely, not what was planned: the later steps did not happen.
        let (fresh, _) = refresh(client, r, hooks, &state, planned, "Read after create of").await;
        let state = fresh.unwrap_or(state);
        return finish_partial(r, state, private, with_first(adopted, diags));
    }
    if follow_up {
        let (fresh, d) = refresh(client, r, hooks, &state, planned, "Read after create of").await;
        diags = d;
        state = fresh.unwrap_or(state);
    }
    ApplyResponse {
        new_state: read::settle(r, state, planned),
        private: private.encode(),
        diagnostics: with_first(adopted, diags),
    }
}

fn with_first(mut first: Diagnostics, then: Diagnostics) -> Diagnostics {
    first.extend(then);
    first
}

/// The create call: the created object (an answer carrying its identifier) and warnings. A
/// lost answer (the outcome is unknown) is recovered by looking the object up by its unique key
/// ([`adopt`]), never by sending the create again.
#[allow(clippy::result_large_err)]
async fn create_call(
    client: &Client,
    r: &ResourceDesc,
    planned: &Value,
    config: &Value,
) -> Result<(Json, Diagnostics), Diagnostics> {
    let body = Json::Object(create_body(r, planned, config));
    let required = api::identity_fields(r.attrs);
    match api::call_object(client, &r.create, planned, Some(&body), &required).await {
        Ok(j) => Ok((j, Diagnostics::default())),
        Err(e) if e.is_outcome_unknown() => {
            let (j, warning) = adopt::recover(client, r, planned, &e).await?;
            Ok((j, warning.into()))
        }
        Err(e) => Err(Diagnostics(error_diag("Create", r.name, &e, r.attrs))),
    }
}

/// What an error after the create call adds: where the object is and how to finish it.
const PARTIAL_CREATE: &str = "The object was created and is saved in state with what it has now. \
Terraform marks it tainted, so the next apply replaces it; to keep it instead, run \
`terraform untaint <address>` and apply again, which finishes what is left.";

/// After a later step failed: keep the created object in state (Terraform marks it tainted),
/// each error saying so.
fn finish_partial(
    r: &ResourceDesc,
    state: Value,
    private: Private,
    mut diags: Diagnostics,
) -> ApplyResponse {
    let state = read::no_unknowns(r, state);
    for d in diags.0.iter_mut().filter(|d| d.severity == Severity::Error) {
        d.detail = format!("{}\n\n{PARTIAL_CREATE}", d.detail);
    }
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

/// The value that clears an attribute removed from the configuration (None: cannot clear).
fn clear_value(a: &Attr) -> Option<Json> {
    match a.clear {
        Clear::Null => Some(Json::Null),
        Clear::Empty => Some(convert::empty_json(&a.ty)),
        Clear::Never => None,
    }
}

/// The update body: changed values, cleared values, changed write-only values, and the
/// pass-through keys that changed.
fn update_body(r: &ResourceDesc, req: &ApplyRequest, wo_changed: &[&str]) -> Map<String, Json> {
    let (planned, prior, config) = (&req.planned_state, &req.prior_state, &req.config);
    let mut body = Map::new();
    for a in r.attrs.iter().filter(|a| a.mode != Mode::Computed) {
        let Some(field) = a.update_field else {
            continue;
        };
        let (p, old) = (planned.attr(a.name), prior.attr(a.name));
        let value = if a.write_only {
            wo_changed
                .contains(&a.name)
                .then(|| api::body_value(a, config.attr(a.name)))
        } else if p.is_unknown() || p.semantic_eq(old) {
            None
        } else if p.is_null() {
            clear_value(a)
        } else {
            Some(api::body_value(a, p))
        };
        if let Some(v) = value {
            body.insert(field.to_string(), v);
        }
    }
    super::exclusive::complete_update(r, planned, config, &mut body);
    extra::merge_update(r, prior, planned, &mut body);
    body
}

/// Secondary writes whose attributes changed since `before` (null before a create), and
/// actions whose trigger became true; `what` names the two kinds in diagnostics.
fn secondary_steps<'a>(
    r: &'a ResourceDesc,
    before: &Value,
    planned: &Value,
    what: [&'static str; 2],
) -> Vec<Step<'a>> {
    let changed = |attr: &str| {
        let p = planned.attr(attr);
        p.is_known() && !p.semantic_eq(before.attr(attr))
    };
    let writes = r
        .extra_writes
        .iter()
        .filter(|w| w.fields.iter().any(|f| changed(f.attr)))
        .map(|w| Step {
            what: what[0],
            op: &w.op,
            body: Some(extra_body(r, w.fields, planned)),
        });
    let is_true = |v: &Value, attr: &str| v.attr(attr).as_bool() == Some(true);
    let actions = r
        .actions
        .iter()
        .filter(|act| is_true(planned, act.when_true) && !is_true(before, act.when_true))
        .map(|act| Step {
            what: what[1],
            op: &act.op,
            body: None,
        });
    writes.chain(actions).collect()
}

/// The calls of the attributes whose planned value chooses an operation ([`transition`]).
fn transition_steps<'a>(
    r: &'a ResourceDesc,
    before: &Value,
    planned: &Value,
    what: &'static str,
) -> Vec<Step<'a>> {
    (transition::ops(r, before, planned).into_iter())
        .map(|(_, op)| Step {
            what,
            op,
            body: None,
        })
        .collect()
}

async fn update(
    client: &Client,
    r: &ResourceDesc,
    hooks: &dyn ResourceHooks,
    req: ApplyRequest,
) -> ApplyResponse {
    let (planned, prior, config) = (&req.planned_state, &req.prior_state, &req.config);
    let mut private = Private::decode(&req.planned_private);
    let wo_changed = super::plan::write_only_changes(r, config, &private);
    let body = update_body(r, &req, &wo_changed);
    let mut last: Option<Json> = None;
    if let (false, Some(op)) = (body.is_empty(), &r.update) {
        match api::call(client, op, prior, Some(&Json::Object(body))).await {
            Ok(j) => last = Some(j),
            Err(e) => {
                return ApplyResponse {
                    new_state: prior.clone(),
                    private: req.planned_private,
                    diagnostics: Diagnostics(error_diag("Update", r.name, &e, r.attrs)),
                }
            }
        }
    }
    remember_write_only(r, config, &mut private, &wo_changed);
    let mut steps = secondary_steps(r, prior, planned, ["Update", "Update"]);
    steps.extend(transition_steps(r, prior, planned, "Update"));
    let wrote_more = !steps.is_empty();
    if let Err(mut diags) = run_steps(client, r, prior, steps).await {
        // Keep what the API now holds, not what was planned.
        let (fresh, d) = refresh(client, r, hooks, prior, prior, "Read after update of").await;
        diags.extend(d);
        return ApplyResponse {
            new_state: read::no_unknowns(r, fresh.unwrap_or_else(|| prior.clone())),
            private: private.encode(),
            diagnostics: diags,
        };
    }
    let (state, diags) = match last {
        Some(j) if j.is_object() && !wrote_more => (
            read::state_from_response(r, &j, planned, false),
            read::extra_warnings(r, &j, planned),
        ),
        _ => {
            let (fresh, d) =
                refresh(client, r, hooks, prior, planned, "Read after update of").await;
            (fresh.unwrap_or_else(|| planned.clone()), d)
        }
    };
    ApplyResponse {
        new_state: read::settle(r, state, planned),
        private: private.encode(),
        diagnostics: diags,
    }
}

async fn delete(
    client: &Client,
    r: &ResourceDesc,
    hooks: &dyn ResourceHooks,
    req: ApplyRequest,
) -> ApplyResponse {
    let gone = ApplyResponse {
        new_state: Value::Null,
        ..Default::default()
    };
    let op = match (&r.delete, hooks.before_delete(&req.prior_state)) {
        (_, Destroy::Forget) => return gone,
        (Some(op), Destroy::Delete) => op,
        (None, Destroy::Delete) => {
            return ApplyResponse {
                diagnostics: Diagnostic::warning(
                    "Removed from state only",
                    format!("The API has no delete operation for {}: the object was removed from Terraform state but still exists.", r.name),
                )
                .into(),
                ..gone
            }
        }
    };
    let failed = |e: &ApiError| Diagnostics(error_diag("Delete", r.name, e, r.attrs));
    let diagnostics = match api::call(client, op, &req.prior_state, None).await {
        Ok(_) => return gone,
        Err(e) if !e.is_not_found() => failed(&e),
        // A 404 is believed once a read confirms it: a stray one must not orphan the object.
        Err(e) => match read::fetch_with(client, r, hooks, &req.prior_state).await {
            Ok(Some(_)) => failed(&ApiError {
                message: format!("{} (but the object still exists)", e.message),
                ..e
            }),
            _ => return gone,
        },
    };
    ApplyResponse {
        new_state: req.prior_state,
        diagnostics,
        ..Default::default()
    }
}
