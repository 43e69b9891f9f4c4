//! PlanResourceChange: computed values unknown unless they can be kept, defaults,
//! requires-replace, write-only change detection.

use super::private::Private;
use crate::core::{PlanRequest, PlanResponse};
use crate::diag::{Diagnostic, Diagnostics};
use crate::hooks::{PlanInputs, ResourceHooks};
use crate::value::{AttributePath, Value};
use descriptor::{Attr, Lit, Mode, OnWrite, ResourceDesc, EXTRA_CONFIGURATION};
use std::collections::BTreeMap;

pub fn lit(l: &Lit) -> Value {
    match l {
        Lit::Str(s) => Value::String(s.to_string()),
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Int(i) => Value::Number(crate::value::Number::Int(*i)),
    }
}

/// Names of write-only attributes whose configured value differs from the one last sent.
pub fn write_only_changes(
    r: &ResourceDesc,
    config: &Value,
    private: &Private,
) -> Vec<&'static str> {
    r.attrs
        .iter()
        .filter(|a| a.write_only)
        .filter(|a| match config.attr(a.name) {
            Value::String(s) => private.changed(a.name, s),
            _ => false,
        })
        .map(|a| a.name)
        .collect()
}

/// The plan shows no write-only value, so a changed one is named in a warning: the update it
/// causes is otherwise only an unexplained change of server-decided values.
fn write_only_warning(name: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("Write-only attribute `{name}` changed"),
        format!("The configured `{name}` differs from the value last sent (compared by a salted digest kept in private state; the value itself is never stored). This plan sends the new value in an update."),
    )
    .at(AttributePath::attr(name))
}

/// Is the attribute's value decided by the user (as opposed to the server)?
fn user_set(a: &Attr, config: &Value) -> bool {
    match a.mode {
        Mode::Required | Mode::Optional => true,
        Mode::ComputedOptional => !config.attr(a.name).is_null(),
        Mode::Computed => false,
    }
}

/// Write-only values configured on a Terraform that cannot keep them out of state.
fn refuse_write_only(r: &ResourceDesc, req: &PlanRequest, diags: &mut Diagnostics) {
    for a in r.attrs.iter().filter(|a| a.write_only) {
        if !req.config.attr(a.name).is_null() && !req.caps.write_only_attributes_allowed {
            diags.push(
                Diagnostic::error(
                    "Write-only attribute needs Terraform 1.11 or later",
                    format!("`{}` is write-only: it is sent to the API but never stored. This Terraform does not support write-only attributes; upgrade to Terraform 1.11 or later.", a.name),
                )
                .at(AttributePath::attr(a.name)),
            );
        }
    }
}

/// One attribute's planned value before replacement and unknown marking.
fn planned_value(a: &Attr, config: &Value, prior: &Value, create: bool) -> Value {
    if a.write_only {
        return Value::Null;
    }
    let cfg = config.attr(a.name).clone();
    match a.mode {
        Mode::Computed if create => Value::Unknown,
        Mode::Computed => prior.attr(a.name).clone(),
        Mode::Required | Mode::Optional => match (&cfg, &a.default) {
            (Value::Null, Some(d)) => lit(d),
            _ => cfg,
        },
        Mode::ComputedOptional => match (&cfg, create, &a.default) {
            (Value::Null, true, Some(d)) => lit(d),
            (Value::Null, true, None) => Value::Unknown,
            (Value::Null, false, _) => prior.attr(a.name).clone(),
            _ => cfg,
        },
    }
}

/// Does a change of this attribute replace the object? (Forced, or the pass-through
/// attribute of a resource that cannot be updated.)
fn replaces(r: &ResourceDesc, a: &Attr) -> bool {
    a.force_new || (a.name == EXTRA_CONFIGURATION && r.update.is_none())
}

/// The attributes whose change replaces the object.
fn requires_replace(
    r: &ResourceDesc,
    planned: &BTreeMap<String, Value>,
    config: &Value,
    prior: &Value,
) -> Vec<AttributePath> {
    r.attrs
        .iter()
        .filter(|a| replaces(r, a) && user_set(a, config))
        .filter(|a| {
            let p = &planned[a.name];
            p.is_unknown() || !p.semantic_eq(prior.attr(a.name))
        })
        .map(|a| AttributePath::attr(a.name))
        .collect()
}

/// Server-decided values become unknown again when the object is replaced, and `Changes`
/// values when it is updated.
fn mark_unknowns(
    r: &ResourceDesc,
    planned: &mut BTreeMap<String, Value>,
    config: &Value,
    replace: bool,
    changed: bool,
) {
    for a in r
        .attrs
        .iter()
        .filter(|a| !a.write_only && !user_set(a, config))
    {
        if replace || (changed && a.on_write == OnWrite::Changes) {
            planned.insert(a.name.to_string(), Value::Unknown);
        }
    }
}

pub fn plan(r: &ResourceDesc, hooks: &dyn ResourceHooks, req: PlanRequest) -> PlanResponse {
    if req.proposed_new_state.is_null() {
        // Destroy.
        return PlanResponse {
            planned_state: Value::Null,
            planned_private: req.prior_private,
            ..Default::default()
        };
    }
    let mut diags = Diagnostics::default();
    refuse_write_only(r, &req, &mut diags);
    let create = req.prior_state.is_null();
    let (config, prior) = (&req.config, &req.prior_state);
    let mut planned: BTreeMap<String, Value> = match &req.proposed_new_state {
        Value::Object(m) => m.clone(),
        _ => BTreeMap::new(),
    };
    for a in r.attrs {
        planned.insert(a.name.to_string(), planned_value(a, config, prior, create));
    }
    let mut replace = vec![];
    if !create {
        replace = requires_replace(r, &planned, config, prior);
        let private = Private::decode(&req.prior_private);
        let write_only = write_only_changes(r, config, &private);
        diags
            .0
            .extend(write_only.iter().map(|n| write_only_warning(n)));
        let changed = r
            .attrs
            .iter()
            .filter(|a| !a.write_only && user_set(a, config))
            .any(|a| !planned[a.name].semantic_eq(prior.attr(a.name)))
            || !write_only.is_empty();
        mark_unknowns(r, &mut planned, config, !replace.is_empty(), changed);
    }
    let mut resp = PlanResponse {
        planned_state: Value::Object(planned),
        requires_replace: replace,
        planned_private: req.prior_private.clone(),
        diagnostics: diags,
    };
    hooks.modify_plan(&PlanInputs { prior, config }, &mut resp);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ClientCaps;
    use crate::engine::testing::{obj, RES};

    fn s(x: &str) -> Value {
        Value::String(x.into())
    }
    fn req(prior: Value, config: Value, private: Vec<u8>) -> PlanRequest {
        PlanRequest {
            type_name: "test_thing".into(),
            prior_state: prior,
            proposed_new_state: config.clone(),
            config,
            prior_private: private,
            caps: ClientCaps {
                write_only_attributes_allowed: true,
                ..Default::default()
            },
        }
    }
    fn stored() -> Value {
        obj(&[
            ("id", s("t_1")),
            ("name", s("a")),
            ("slug", s("sl")),
            ("updated_at", s("t0")),
            ("external_id", s("e")),
        ])
    }

    #[test]
    fn create_marks_server_values_unknown_and_write_only_null() {
        let p = plan(
            &RES,
            crate::hooks::none(),
            req(
                Value::Null,
                obj(&[("name", s("a")), ("password", s("pw"))]),
                vec![],
            ),
        );
        let st = &p.planned_state;
        assert!(st.attr("id").is_unknown());
        assert!(st.attr("slug").is_unknown());
        assert_eq!(st.attr("external_id"), &Value::Null);
        assert_eq!(st.attr("password"), &Value::Null);
        assert!(p.diagnostics.is_empty());
    }

    #[test]
    fn unchanged_config_plans_no_change() {
        let config = obj(&[("name", s("a")), ("external_id", s("e"))]);
        let p = plan(&RES, crate::hooks::none(), req(stored(), config, vec![]));
        assert_eq!(p.planned_state, stored());
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn update_keeps_stable_values_and_unknowns_changing_ones() {
        let config = obj(&[("name", s("b")), ("external_id", s("e"))]);
        let p = plan(&RES, crate::hooks::none(), req(stored(), config, vec![]));
        assert_eq!(p.planned_state.attr("id"), &s("t_1"));
        assert_eq!(p.planned_state.attr("slug"), &s("sl"));
        assert!(p.planned_state.attr("updated_at").is_unknown());
    }

    #[test]
    fn removing_an_optional_value_plans_null() {
        let p = plan(
            &RES,
            crate::hooks::none(),
            req(stored(), obj(&[("name", s("a"))]), vec![]),
        );
        assert_eq!(p.planned_state.attr("external_id"), &Value::Null);
        assert!(p.planned_state.attr("updated_at").is_unknown());
    }

    #[test]
    fn force_new_change_requires_replace() {
        let config = obj(&[
            ("name", s("a")),
            ("external_id", s("e")),
            ("slug", s("other")),
        ]);
        let p = plan(&RES, crate::hooks::none(), req(stored(), config, vec![]));
        assert_eq!(p.requires_replace, vec![AttributePath::attr("slug")]);
        assert!(p.planned_state.attr("id").is_unknown());
    }

    #[test]
    fn write_only_change_is_detected_through_private_digest() {
        let mut private = Private::default();
        private.remember("password", "one");
        let same = obj(&[
            ("name", s("a")),
            ("external_id", s("e")),
            ("password", s("one")),
        ]);
        let p = plan(
            &RES,
            crate::hooks::none(),
            req(stored(), same, private.encode()),
        );
        assert_eq!(p.planned_state, stored());
        assert!(p.diagnostics.is_empty(), "unchanged: no warning");
        let other = obj(&[
            ("name", s("a")),
            ("external_id", s("e")),
            ("password", s("two")),
        ]);
        let p = plan(
            &RES,
            crate::hooks::none(),
            req(stored(), other, private.encode()),
        );
        assert!(p.planned_state.attr("updated_at").is_unknown());
        assert_eq!(p.planned_state.attr("password"), &Value::Null);
        let d = &p.diagnostics.0;
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].severity, crate::diag::Severity::Warning);
        assert!(d[0].summary.contains("`password`"), "{d:?}");
        assert_eq!(d[0].attribute, Some(AttributePath::attr("password")));
        assert!(!d[0].detail.contains("two"), "the value is never shown");
    }

    #[test]
    fn write_only_on_old_terraform_is_a_clear_error() {
        let mut r = req(
            Value::Null,
            obj(&[("name", s("a")), ("password", s("pw"))]),
            vec![],
        );
        r.caps.write_only_attributes_allowed = false;
        let p = plan(&RES, crate::hooks::none(), r);
        assert!(p.diagnostics.has_errors());
        assert_eq!(
            p.diagnostics.0[0].attribute,
            Some(AttributePath::attr("password"))
        );
    }
}
