//! PlanResourceChange: computed values unknown unless they can be kept, defaults,
//! requires-replace, write-only change detection.

use super::private::Private;
use crate::core::{PlanRequest, PlanResponse};
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::{AttributePath, Value};
use descriptor::{Attr, Lit, Mode, OnWrite, ResourceDesc};
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

/// Is the attribute's value decided by the user (as opposed to the server)?
fn user_set(a: &Attr, config: &Value) -> bool {
    match a.mode {
        Mode::Required | Mode::Optional => true,
        Mode::ComputedOptional => !config.attr(a.name).is_null(),
        Mode::Computed => false,
    }
}

pub fn plan(r: &ResourceDesc, req: PlanRequest) -> PlanResponse {
    let mut diags = Diagnostics::default();
    if req.proposed_new_state.is_null() {
        // Destroy.
        return PlanResponse {
            planned_state: Value::Null,
            planned_private: req.prior_private,
            ..Default::default()
        };
    }
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
    let create = req.prior_state.is_null();
    let config = &req.config;
    let prior = &req.prior_state;
    let mut planned: BTreeMap<String, Value> = match &req.proposed_new_state {
        Value::Object(m) => m.clone(),
        _ => BTreeMap::new(),
    };
    for a in r.attrs {
        let cfg = config.attr(a.name).clone();
        let v = if a.write_only {
            Value::Null
        } else {
            match a.mode {
                Mode::Computed => {
                    if create {
                        Value::Unknown
                    } else {
                        prior.attr(a.name).clone()
                    }
                }
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
        };
        planned.insert(a.name.to_string(), v);
    }
    let mut requires_replace = vec![];
    let private = Private::decode(&req.prior_private);
    if !create {
        for a in r
            .attrs
            .iter()
            .filter(|a| a.force_new && user_set(a, config))
        {
            let p = &planned[a.name];
            if p.is_unknown() || !p.semantic_eq(prior.attr(a.name)) {
                requires_replace.push(AttributePath::attr(a.name));
            }
        }
        let changed = r
            .attrs
            .iter()
            .filter(|a| !a.write_only && user_set(a, config))
            .any(|a| !planned[a.name].semantic_eq(prior.attr(a.name)))
            || !write_only_changes(r, config, &private).is_empty();
        if !requires_replace.is_empty() {
            // A new object: everything the server decides is unknown again.
            for a in r
                .attrs
                .iter()
                .filter(|a| !a.write_only && !user_set(a, config))
            {
                planned.insert(a.name.to_string(), Value::Unknown);
            }
        } else if changed {
            for a in r
                .attrs
                .iter()
                .filter(|a| a.on_write == OnWrite::Changes && !user_set(a, config))
            {
                planned.insert(a.name.to_string(), Value::Unknown);
            }
        }
    }
    PlanResponse {
        planned_state: Value::Object(planned),
        requires_replace,
        planned_private: req.prior_private,
        diagnostics: diags,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::ClientCaps;
    use descriptor::*;

    pub const fn attr(name: &'static str, mode: Mode) -> Attr {
        Attr {
            name,
            ty: Ty::String,
            mode,
            description: "",
            sensitive: false,
            write_only: false,
            force_new: false,
            on_write: OnWrite::Stable,
            clear: Clear::Null,
            default: None,
            validators: &[],
            create_field: Some(name),
            update_field: Some(name),
            response_field: Some(name),
            response_item_field: None,
            response_create_only: false,
            empty_is_null: false,
            deprecated: None,
        }
    }

    const OP: Op = Op {
        operation_id: "x",
        method: Method::Get,
        path: "/x/{id}",
        path_params: &[ParamBinding {
            param: "id",
            attr: "id",
            explode: false,
        }],
        query_params: &[],
        paginated: false,
    };

    pub static RES: ResourceDesc = ResourceDesc {
        name: "test_thing",
        description: "",
        attrs: &[
            Attr {
                create_field: None,
                update_field: None,
                ..attr("id", Mode::Computed)
            },
            attr("name", Mode::Required),
            attr("external_id", Mode::Optional),
            Attr {
                update_field: None,
                force_new: true,
                ..attr("slug", Mode::ComputedOptional)
            },
            Attr {
                on_write: OnWrite::Changes,
                create_field: None,
                update_field: None,
                ..attr("updated_at", Mode::Computed)
            },
            Attr {
                write_only: true,
                sensitive: true,
                response_field: None,
                ..attr("password", Mode::Optional)
            },
        ],
        create: OP,
        read: ReadDesc::Get(OP),
        update: Some(OP),
        delete: Some(OP),
        extra_writes: &[],
        actions: &[],
        import: ImportDesc {
            parts: &["id"],
            separator: "/",
        },
        hooks: &[],
    };

    pub fn obj(pairs: &[(&str, Value)]) -> Value {
        let mut m: BTreeMap<String, Value> = RES
            .attrs
            .iter()
            .map(|a| (a.name.to_string(), Value::Null))
            .collect();
        for (k, v) in pairs {
            m.insert(k.to_string(), v.clone());
        }
        Value::Object(m)
    }
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
        let p = plan(&RES, req(stored(), config, vec![]));
        assert_eq!(p.planned_state, stored());
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn update_keeps_stable_values_and_unknowns_changing_ones() {
        let config = obj(&[("name", s("b")), ("external_id", s("e"))]);
        let p = plan(&RES, req(stored(), config, vec![]));
        assert_eq!(p.planned_state.attr("id"), &s("t_1"));
        assert_eq!(p.planned_state.attr("slug"), &s("sl"));
        assert!(p.planned_state.attr("updated_at").is_unknown());
    }

    #[test]
    fn removing_an_optional_value_plans_null() {
        let p = plan(&RES, req(stored(), obj(&[("name", s("a"))]), vec![]));
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
        let p = plan(&RES, req(stored(), config, vec![]));
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
        let p = plan(&RES, req(stored(), same, private.encode()));
        assert_eq!(p.planned_state, stored());
        let other = obj(&[
            ("name", s("a")),
            ("external_id", s("e")),
            ("password", s("two")),
        ]);
        let p = plan(&RES, req(stored(), other, private.encode()));
        assert!(p.planned_state.attr("updated_at").is_unknown());
        assert_eq!(p.planned_state.attr("password"), &Value::Null);
    }

    #[test]
    fn write_only_on_old_terraform_is_a_clear_error() {
        let mut r = req(
            Value::Null,
            obj(&[("name", s("a")), ("password", s("pw"))]),
            vec![],
        );
        r.caps.write_only_attributes_allowed = false;
        let p = plan(&RES, r);
        assert!(p.diagnostics.has_errors());
        assert_eq!(
            p.diagnostics.0[0].attribute,
            Some(AttributePath::attr("password"))
        );
    }
}
