//! A resource, built in stages a reader can follow:
//! 1. resolve its operations ([`Sources`]);
//! 2. check every override key against them;
//! 3. collect candidate attributes per source — request bodies (create ∪ update ∪ extra
//!    writes), path parameters, the response, local attributes, `extra_configuration`;
//! 4. merge them (a request field joins its response field; a path parameter or response
//!    field already covered by a request attribute adds nothing);
//! 5. apply the overrides, then settle `on_write` and the descriptions;
//! 6. bind the operations and check the names they use.
//!
//! Derivation rules (before overrides):
//! - a field the create body requires (and that is not nullable) is Required;
//! - an optional field that is nullable (in every body that has it) is Optional and clears
//!   with `null`; an optional field the response also returns is ComputedOptional (the remote
//!   value is kept when unset); anything else is Optional;
//! - a field the create operation takes but no update can change forces replacement;
//! - a path parameter is bound to the attribute of its snake_case name, or to the one `bind`
//!   names; it merges with a request attribute of that name;
//! - path parameters of create are Required and force replacement, also when the response
//!   echoes them (they are then read back from it); other path parameters are filled by the
//!   response field of their name, else Computed (and refused below unless an override fills
//!   them);
//! - every path parameter of every bound operation must have a value when the call is made:
//!   an attribute the user sets, or (after create) one the create response fills;
//! - each operation's HTTP method fits its role.
//! - response fields not claimed by a request attribute are Computed.

use super::attrs::{self, apply_override, object_props, Origin};
use super::check::{self, Errors, Props};
use super::chosen::{self, Chosen};
use super::groups;
use super::model::*;
use super::{bound_attr, check_bind, check_method, explicitly_bound, op_ir, Role};
use crate::names;
use crate::overrides::{AttrOverride, LocalType, Overrides, ResourceOverride};
use crate::resolve::{OperationInfo, Resolver};
use descriptor::{Clear, Mode, EXTRA_CONFIGURATION};
use std::collections::BTreeSet;

/// The resolved operations of a resource and the fields of their bodies.
struct Sources {
    create: OperationInfo,
    read: OperationInfo,
    update: Option<OperationInfo>,
    delete: Option<OperationInfo>,
    extra_writes: Vec<OperationInfo>,
    actions: Vec<OperationInfo>,
    /// The `adopt_by` lookup (not a source of attributes).
    adopt: Option<OperationInfo>,
    create_props: Props,
    create_required: BTreeSet<String>,
    update_props: Props,
    /// Extra-write body fields, keyed by the attribute they fill.
    extra_props: Props,
    response_props: Props,
    /// Fields of the create response (what the engine has after create).
    create_response: Props,
}

/// A candidate attribute and the override that applies to it.
struct Candidate<'r> {
    attr: AttrIr,
    over: Option<&'r AttrOverride>,
    key: String,
}

pub fn resource(
    ov: &Overrides,
    r: &ResourceOverride,
    resolver: &Resolver,
    errs: &mut Errors,
) -> Option<ResourceIr> {
    let src = Sources::resolve(r, resolver, errs)?;
    let chosen = Chosen::resolve(r, resolver, errs);
    let ops: Vec<&OperationInfo> = (src.all_ops().chain(&src.adopt))
        .chain(chosen.ops())
        .collect();
    check_bind(&r.bind, &ops, errs);
    check_keys(r, &src, errs);
    let mut request = request_attrs(&src, r, errs);
    let params = param_attrs(&src, r, &request);
    let claimed: Vec<String> = (request.iter().chain(&params))
        .filter_map(|c| c.attr.response_field.clone())
        .collect();
    let response = response_attrs(&src, r, ov, &claimed, errs);
    request.extend(params);
    request.extend(response);
    request.extend(local_attrs(r));
    request.extend(extra_configuration(&src));
    let mut attrs = vec![];
    for mut c in request {
        if let Some(o) = c.over {
            apply_override(&mut c.attr, o, errs, &c.key);
        }
        chosen::narrow(r, &mut c.attr, errs);
        attrs::settle_on_write(&mut c.attr, &ov.provider.defaults.changes_on_write);
        attrs::settle_description(&mut c.attr);
        attrs.push(c.attr);
    }
    chosen::check_names(r, &attrs, errs);
    let mut ir = bind_operations(r, &src, attrs, errs);
    ir.groups = resource_groups(&src, &ir.attrs, errs);
    ir.spec_notes = groups::spec_notes(&src.roles());
    ir.import_by = chosen.import_by(r, &ir.attrs, errs);
    ir.transitions = chosen.transitions(r, errs);
    ir.refresh = super::refresh::refresh_list(&src.read, &ir, resolver, errs);
    check::resource_names(r, &ir, errs);
    let filled = |a: &AttrIr| {
        (a.response_field.as_ref()).is_some_and(|f| src.create_response.contains_key(f))
    };
    check::path_params_resolve(&bound_ops(&ir), &ir.attrs, &r.bind, &filled, errs);
    Some(ir)
}

impl Sources {
    /// Every bound operation with how the docs name its role.
    fn roles(&self) -> Vec<(&str, &OperationInfo)> {
        let mut out = vec![("create", &self.create), ("read", &self.read)];
        out.extend(self.update.iter().map(|o| ("update", o)));
        out.extend(self.delete.iter().map(|o| ("delete", o)));
        let more = self.extra_writes.iter().chain(&self.actions);
        out.extend(more.map(|o| (o.operation_id.as_str(), o)));
        out.extend(self.adopt.iter().map(|o| (o.operation_id.as_str(), o)));
        out
    }

    fn resolve(r: &ResourceOverride, resolver: &Resolver, errs: &mut Errors) -> Option<Sources> {
        let mut op = |id: &str, key: String| check::operation(resolver, id, errs, &key);
        let ops = &r.operations;
        let create = op(&ops.create, "operations.create".into());
        let read = op(&ops.read, "operations.read".into());
        let update = ops
            .update
            .as_ref()
            .and_then(|id| op(id, "operations.update".into()));
        let delete = ops
            .delete
            .as_ref()
            .and_then(|id| op(id, "operations.delete".into()));
        let extra_writes: Vec<_> = (r.extra_writes.iter().enumerate())
            .filter_map(|(i, w)| op(&w.operation, format!("extra_writes[{i}].operation")))
            .collect();
        let actions: Vec<_> = (r.actions.iter().enumerate())
            .filter_map(|(i, a)| op(&a.operation, format!("actions[{i}].operation")))
            .collect();
        let adopt =
            (r.adopt_by.as_ref()).and_then(|a| op(&a.operation, "adopt_by.operation".into()));
        let (create, read) = (create?, read?);
        if extra_writes.len() != r.extra_writes.len() || actions.len() != r.actions.len() {
            return None;
        }
        let (create_props, create_required) = object_props(create.request_body.as_ref());
        let update_props = object_props(update.as_ref().and_then(|u| u.request_body.as_ref())).0;
        let mut extra_props = Props::new();
        for (w, o) in r.extra_writes.iter().zip(&extra_writes) {
            let props = object_props(o.request_body.as_ref()).0;
            for (field, attr) in &w.fields {
                match props.get(field) {
                    Some(s) => drop(extra_props.insert(attr.clone(), s.clone())),
                    None => errs.push(
                        format!("extra_writes.{}.fields.{field}", w.operation),
                        format!("operation {} has no body field {field:?}", o.operation_id),
                    ),
                }
            }
        }
        let response_props = response_props(r, &create, &read);
        let create_response = object_props(create.response.as_ref()).0;
        Some(Sources {
            create,
            read,
            update,
            delete,
            extra_writes,
            actions,
            adopt,
            create_props,
            create_required,
            update_props,
            extra_props,
            response_props,
            create_response,
        })
    }

    /// Every operation, in the order their path parameters become attributes.
    fn all_ops(&self) -> impl Iterator<Item = &OperationInfo> {
        [
            Some(&self.create),
            Some(&self.read),
            self.update.as_ref(),
            self.delete.as_ref(),
        ]
        .into_iter()
        .flatten()
        .chain(&self.extra_writes)
        .chain(&self.actions)
    }
}

/// The response object's fields: the read response's (for a list read, the create response's
/// item shape), completed by the create response's.
fn response_props(r: &ResourceOverride, create: &OperationInfo, read: &OperationInfo) -> Props {
    let create_resp = object_props(create.response.as_ref()).0;
    let mut props = object_props(read.response.as_ref()).0;
    if props.is_empty() || r.read_by_list.is_some() {
        props = create_resp.clone();
    }
    for (k, v) in create_resp {
        props.entry(k).or_insert(v);
    }
    props
}

fn check_keys(r: &ResourceOverride, src: &Sources, errs: &mut Errors) {
    let in_request = |f: &str| src.create_props.contains_key(f) || src.update_props.contains_key(f);
    let in_response = |f: &str| src.response_props.contains_key(f);
    let message = "no such field in the create or update request body";
    check::known_keys(
        "ignore.request",
        &r.ignore.request,
        &in_request,
        message,
        errs,
    );
    let message = "no such field in the response";
    check::known_keys(
        "ignore.response",
        &r.ignore.response,
        &in_response,
        message,
        errs,
    );
    let mut params: Vec<String> = vec![];
    for o in src.all_ops() {
        for p in &o.path_params {
            params.push(bound_attr(&r.bind, &o.operation_id, &p.name));
            if !explicitly_bound(&r.bind, &o.operation_id, &p.name) {
                params.extend([p.name.clone(), names::attr_name(&p.name)]);
            }
        }
    }
    let known = |k: &str| {
        in_request(k)
            || in_response(k)
            || src.extra_props.contains_key(k)
            || params.iter().any(|p| p == k)
    };
    let message = format!(
        "{} has no field or parameter of this name in the spec",
        r.resource
    );
    check::known_keys("attributes", r.attributes.keys(), &known, &message, errs);
}

/// Candidates from the request bodies (create ∪ update ∪ extra writes), each joined to its
/// response field: the one its override names, else the field of the same name.
fn request_attrs<'r>(
    src: &Sources,
    r: &'r ResourceOverride,
    errs: &mut Errors,
) -> Vec<Candidate<'r>> {
    let mut fields: Vec<&String> = src.create_props.keys().collect();
    for k in src.update_props.keys().chain(src.extra_props.keys()) {
        if !fields.contains(&k) {
            fields.push(k);
        }
    }
    let mut out = vec![];
    for f in fields.into_iter().filter(|f| !r.ignore.request.contains(f)) {
        let key = format!("attributes.{f}");
        let over = r.attributes.get(f);
        let (create, update) = (src.create_props.get(f), src.update_props.get(f));
        let Some(shape) = create.or(update).or(src.extra_props.get(f)) else {
            continue;
        };
        let Some(ty) = attrs::ty_of(shape, Origin::Request, errs, &key) else {
            continue;
        };
        let nullable = match (create, update) {
            (Some(c), Some(u)) => c.nullable && u.nullable,
            (Some(s), None) | (None, Some(s)) => s.nullable,
            (None, None) => false,
        };
        let response_field = over
            .and_then(|o| o.response_field.clone())
            .or_else(|| src.response_props.contains_key(f).then(|| f.clone()));
        let mode = if create.is_some() && src.create_required.contains(f) && !shape.nullable {
            Mode::Required
        } else if nullable || response_field.is_none() {
            Mode::Optional
        } else {
            Mode::ComputedOptional
        };
        let attr = AttrIr {
            name: names::attr_name(f),
            ty,
            mode,
            description: shape.description.clone(),
            force_new: create.is_some() && update.is_none() && !src.extra_props.contains_key(f),
            clear: if nullable && update.is_some() {
                Clear::Null
            } else {
                Clear::Never
            },
            validators: attrs::validators(shape),
            create_field: create.map(|_| f.clone()),
            update_field: update.map(|_| f.clone()),
            response_field,
            deprecated: shape
                .deprecated
                .then(|| "Deprecated by the API.".to_string()),
            sensitive: shape.format.as_deref() == Some("password"),
            ..AttrIr::default()
        };
        out.push(Candidate { attr, over, key });
    }
    out
}

/// Candidates from path parameters not already covered by a request attribute: Required and
/// force-new when create's path has them (read back from the response field of their name when
/// there is one); else nothing when a response field of their name fills them, else Computed.
/// A parameter bound by `bind` takes overrides under its attribute's name only, so a body
/// field of the parameter's name keeps its own.
fn param_attrs<'r>(
    src: &Sources,
    r: &'r ResourceOverride,
    request: &[Candidate],
) -> Vec<Candidate<'r>> {
    let mut out: Vec<Candidate> = vec![];
    for o in src.all_ops() {
        let in_create = std::ptr::eq(o, &src.create);
        for p in &o.path_params {
            let name = bound_attr(&r.bind, &o.operation_id, &p.name);
            let echoed = src.response_props.get(&name);
            let taken = request.iter().chain(&out).any(|c| c.attr.name == name);
            if taken || (echoed.is_some() && !in_create) {
                continue;
            }
            let description = match (&p.description, echoed) {
                (d, Some(s)) if d.is_empty() => s.description.clone(),
                (d, _) => d.clone(),
            };
            let attr = AttrIr {
                name: name.clone(),
                mode: if in_create {
                    Mode::Required
                } else {
                    Mode::Computed
                },
                force_new: in_create,
                response_field: echoed.map(|_| name.clone()),
                description,
                ..AttrIr::default()
            };
            let own = r.attributes.get(&p.name);
            let explicit = explicitly_bound(&r.bind, &o.operation_id, &p.name);
            let over = (r.attributes.get(&name)).or(if explicit { None } else { own });
            out.push(Candidate {
                attr,
                over,
                key: format!("attributes.{name}"),
            });
        }
    }
    out
}

/// Computed candidates from response fields no request attribute claims.
fn response_attrs<'r>(
    src: &Sources,
    r: &'r ResourceOverride,
    ov: &Overrides,
    claimed: &[String],
    errs: &mut Errors,
) -> Vec<Candidate<'r>> {
    let ignored = |f: &String| {
        claimed.contains(f)
            || r.ignore.response.contains(f)
            || ov.provider.defaults.ignore_response.contains(f)
    };
    (src.response_props.iter().filter(|(f, _)| !ignored(f)))
        .filter_map(|(f, shape)| {
            let attr = attrs::response_attr(f, shape, errs)?;
            Some(Candidate {
                attr,
                over: r.attributes.get(f),
                key: format!("attributes.{f}"),
            })
        })
        .collect()
}

/// Attributes the API does not have (they trigger actions).
fn local_attrs(r: &ResourceOverride) -> Vec<Candidate<'_>> {
    (r.local.iter())
        .map(|(name, l)| Candidate {
            attr: AttrIr {
                name: name.clone(),
                ty: match l.ty {
                    LocalType::String => TyIr::String,
                    LocalType::Bool => TyIr::Bool,
                },
                mode: Mode::Optional,
                description: l.description.clone(),
                default: l.default.as_ref().map(attrs::lit),
                ..AttrIr::default()
            },
            over: None,
            key: format!("local.{name}"),
        })
        .collect()
}

/// The pass-through attribute of every resource with a request body.
fn extra_configuration<'r>(src: &Sources) -> Option<Candidate<'r>> {
    let has_body = src.create.request_body.is_some()
        || src
            .update
            .as_ref()
            .is_some_and(|u| u.request_body.is_some());
    has_body.then(|| Candidate {
        attr: AttrIr {
            name: EXTRA_CONFIGURATION.into(),
            ty: TyIr::Dynamic,
            mode: Mode::Optional,
            description: EXTRA_CONFIGURATION_TEXT.into(),
            ..AttrIr::default()
        },
        over: None,
        key: EXTRA_CONFIGURATION.into(),
    })
}

/// The description of `extra_configuration` (schema and docs).
pub const EXTRA_CONFIGURATION_TEXT: &str = "Fields the provider's schema does not have yet, merged into the create and update request bodies with their types kept (an object: `{ flag = true, limit = 5 }`). Only the keys you set are read back; a key that equals an attribute of this resource is an error; removing a key sends `null` for it.";

fn bind_operations(
    r: &ResourceOverride,
    src: &Sources,
    attrs: Vec<AttrIr>,
    errs: &mut Errors,
) -> ResourceIr {
    let mut op = |o: &OperationInfo, role: Role, key: &str| {
        let op = op_ir(o, vec![], &r.bind, errs, key);
        check_method(role, &op, errs, key);
        op
    };
    let read = match &r.read_by_list {
        Some(l) => ReadIr::ListFind {
            op: op(&src.read, Role::Read, "operations.read"),
            field: l.field.clone(),
            attr: l.attr.clone(),
        },
        None => ReadIr::Get(op(&src.read, Role::Read, "operations.read")),
    };
    let extra_writes = (r.extra_writes.iter().zip(&src.extra_writes))
        .enumerate()
        .map(|(i, (w, o))| ExtraWriteIr {
            op: op(o, Role::Write, &format!("extra_writes[{i}].operation")),
            fields: (w.fields.iter())
                .map(|(field, attr)| FieldBindingIr {
                    attr: attr.clone(),
                    field: field.clone(),
                })
                .collect(),
        })
        .collect();
    let actions = (r.actions.iter().zip(&src.actions))
        .enumerate()
        .map(|(i, (a, o))| ActionIr {
            op: op(o, Role::Write, &format!("actions[{i}].operation")),
            when_true: a.when_true.clone(),
        })
        .collect();
    let create = op(&src.create, Role::Create, "operations.create");
    let update = (src.update.as_ref()).map(|u| op(u, Role::Update, "operations.update"));
    let delete = (src.delete.as_ref()).map(|d| op(d, Role::Delete, "operations.delete"));
    let adopt = adopt_ir(r, src, &attrs, errs);
    ResourceIr {
        name: r.resource.clone(),
        description: r.description.clone(),
        attrs,
        create,
        read,
        refresh: None,
        update,
        delete,
        extra_writes,
        actions,
        transitions: vec![],
        import_parts: r.import.clone(),
        import_by: vec![],
        singleton: r.singleton,
        hooks: r.hooks.clone(),
        adopt,
        groups: vec![],
        example: r.example.clone(),
        spec_notes: SpecNotesIr::default(),
    }
}

/// The exclusive groups of the create and update bodies, each field as the attribute that
/// sends it.
fn resource_groups(src: &Sources, attrs: &[AttrIr], errs: &mut Errors) -> Vec<GroupIr> {
    let attr_of = |f: &str| {
        (attrs.iter())
            .find(|a| a.create_field.as_deref() == Some(f) || a.update_field.as_deref() == Some(f))
            .map(|a| a.name.clone())
    };
    let ops: Vec<&OperationInfo> = std::iter::once(&src.create).chain(&src.update).collect();
    groups::groups(&ops, groups::BODY_GROUPS, &attr_of, errs, "ignore.request")
}

/// The `adopt_by` lookup: its operation (query bound as given) and each key attribute with the
/// response field that carries it.
fn adopt_ir(
    r: &ResourceOverride,
    src: &Sources,
    attrs: &[AttrIr],
    errs: &mut Errors,
) -> Option<AdoptIr> {
    let (a, info) = (r.adopt_by.as_ref()?, src.adopt.as_ref()?);
    let query = super::bind_query(info, &a.query, errs, "adopt_by.query");
    for b in (query.iter()).filter(|b| !attrs.iter().any(|x| x.name == b.attr)) {
        errs.push(
            format!("adopt_by.query.{}", b.param),
            format!("{:?} is not an attribute", b.attr),
        );
    }
    let op = op_ir(info, query, &r.bind, errs, "adopt_by.operation");
    check_method(Role::Lookup, &op, errs, "adopt_by.operation");
    for b in (op.path_params.iter()).filter(|b| !a.key.contains(&b.attr)) {
        errs.push(
            "adopt_by.operation",
            format!(
                "path parameter {} maps to {:?}, which is not a key attribute",
                b.param, b.attr
            ),
        );
    }
    // A key the lookup's path selects by needs no comparison; every other one is compared.
    let in_path = |k: &str| op.path_params.iter().any(|b| b.attr == k);
    let mut keys = vec![];
    for k in &a.key {
        match attrs.iter().find(|x| &x.name == k) {
            Some(AttrIr {
                response_field: Some(f),
                ..
            }) => keys.push(FieldBindingIr {
                attr: k.clone(),
                field: f.clone(),
            }),
            Some(_) if in_path(k) => {}
            Some(_) => errs.push(
                format!("adopt_by.key.{k}"),
                "the response does not carry this attribute, so a found object cannot be compared",
            ),
            None => errs.push(
                format!("adopt_by.key.{k}"),
                "not an attribute of this resource",
            ),
        }
    }
    if a.key.is_empty() {
        errs.push("adopt_by.key", "a unique key needs at least one attribute");
    }
    Some(AdoptIr { op, keys })
}

/// Every bound operation with its override key, and whether only attributes the user sets can
/// fill its path (create, and the lookup of a lost create, run before any response is known).
fn bound_ops(ir: &ResourceIr) -> Vec<(String, &OpIr, bool)> {
    let read = match &ir.read {
        ReadIr::Get(op) | ReadIr::ListFind { op, .. } => op,
    };
    let mut ops = vec![
        ("operations.create".to_string(), &ir.create, true),
        ("operations.read".to_string(), read, false),
    ];
    ops.extend((ir.update.iter()).map(|o| ("operations.update".to_string(), o, false)));
    ops.extend((ir.delete.iter()).map(|o| ("operations.delete".to_string(), o, false)));
    for (i, w) in ir.extra_writes.iter().enumerate() {
        ops.push((format!("extra_writes[{i}].operation"), &w.op, false));
    }
    for (i, a) in ir.actions.iter().enumerate() {
        ops.push((format!("actions[{i}].operation"), &a.op, false));
    }
    ops.extend((ir.adopt.iter()).map(|a| ("adopt_by.operation".to_string(), &a.op, true)));
    for t in &ir.transitions {
        let key = |v: &str| format!("transitions.{}.{v}", t.attr);
        ops.extend((t.to.iter()).map(|to| (key(&to.value), &to.op, false)));
    }
    ops
}
