//! A data source: either a paginated list into one list attribute, or a single object found by
//! exactly one of several lookups. Arguments come from the operations' parameters (path
//! parameters by the naming rule or `bind`, query parameters as the override binds them),
//! results from the response fields; a lookup argument that is also a result is
//! ComputedOptional. A list's path parameters (`/organizations/{organizationId}/groups`) are
//! Required arguments; a lookup's path parameter is its argument; a lookup's query binds only
//! arguments (never a result the user cannot set). Lookups and lists are GETs.

use super::attrs::{self, list_item, object_props, Origin};
use super::check::{self, Errors, Props};
use super::groups;
use super::model::*;
use super::{bind_query, bound_attr, check_bind, check_method, op_ir, Role};
use crate::overrides::{DataSourceOverride, ListOverride, LookupOverride, Overrides};
use crate::resolve::{Kind, OperationInfo, Resolver, Shape};
use descriptor::Mode;

pub fn data_source(
    ov: &Overrides,
    d: &DataSourceOverride,
    resolver: &Resolver,
    errs: &mut Errors,
) -> Option<DataSourceIr> {
    if !d.ignore.request.is_empty() {
        errs.push("ignore.request", "a data source sends no request body");
    }
    let (kind, mut attrs) = match (&d.list, d.lookups.is_empty()) {
        (Some(_), false) => {
            errs.push("list", "a data source has either lookups or list, not both");
            return None;
        }
        (None, true) => {
            errs.push("lookups", "a data source needs lookups or list");
            return None;
        }
        (Some(l), true) => list(ov, d, l, resolver, errs)?,
        (None, false) => lookups(ov, d, resolver, errs),
    };
    attrs.iter_mut().for_each(attrs::settle_description);
    let (groups, spec_notes) = groups_and_notes(&kind, resolver, errs);
    Some(DataSourceIr {
        name: d.data_source.clone(),
        description: d.description.clone(),
        attrs,
        kind,
        groups,
        example: d.example.clone(),
        spec_notes,
    })
}

/// The query-parameter groups of the lookups and the list (each parameter as the argument
/// bound to it), and what their extensions say for the docs.
fn groups_and_notes(
    kind: &DataKindIr,
    resolver: &Resolver,
    errs: &mut Errors,
) -> (Vec<GroupIr>, SpecNotesIr) {
    let ops: Vec<(String, &OpIr)> = match kind {
        DataKindIr::Single(lookups) => (lookups.iter())
            .map(|l| (format!("lookups.{}.query", l.arg), &l.op))
            .collect(),
        DataKindIr::List { op, .. } => vec![("list.query".to_string(), op)],
    };
    let mut out: Vec<GroupIr> = vec![];
    let mut infos = vec![];
    for (key, op) in ops {
        let Ok(info) = resolver.operation(&op.operation_id) else {
            continue;
        };
        let attr_of = |f: &str| {
            (op.query_params.iter())
                .find(|b| b.param == f)
                .map(|b| b.attr.clone())
        };
        for g in groups::groups(&[&info], groups::PARAM_GROUPS, &attr_of, errs, &key) {
            if !out.iter().any(|o| o.name == g.name) {
                out.push(g);
            }
        }
        infos.push(info);
    }
    let roles: Vec<(&str, &OperationInfo)> = (infos.iter())
        .map(|i| (i.operation_id.as_str(), i))
        .collect();
    (out, groups::spec_notes(&roles))
}

/// The result attributes: computed, from `props` minus the ignored fields, overrides applied.
fn results(
    ov: &Overrides,
    d: &DataSourceOverride,
    props: &Props,
    what: &str,
    errs: &mut Errors,
) -> Vec<AttrIr> {
    let has = |f: &str| props.contains_key(f);
    let message = format!("no such field in {what}");
    check::known_keys("ignore.response", &d.ignore.response, &has, &message, errs);
    let known = |k: &str| has(k) || d.lookups.contains_key(k);
    let message = format!("no such field in {what}, and not a lookup argument");
    check::known_keys("attributes", d.attributes.keys(), &known, &message, errs);
    let skip = |f: &str| {
        d.ignore.response.iter().any(|x| x == f)
            || ov.provider.defaults.ignore_response.iter().any(|x| x == f)
    };
    let mut out = attrs::computed_attrs(props, &skip, &d.attributes, errs);
    for a in &mut out {
        attrs::settle_on_write(a, &ov.provider.defaults.changes_on_write);
    }
    out
}

fn list(
    ov: &Overrides,
    d: &DataSourceOverride,
    l: &ListOverride,
    resolver: &Resolver,
    errs: &mut Errors,
) -> Option<(DataKindIr, Vec<AttrIr>)> {
    let info = check::operation(resolver, &l.operation, errs, "list.operation")?;
    check_bind(&d.bind, &[&info], errs);
    let Some(item) = list_item(&info) else {
        errs.push(
            "list.operation",
            format!("{} does not return a list (`data`)", l.operation),
        );
        return None;
    };
    let query = bind_query(&info, &l.query, errs, "list.query");
    let mut attrs = path_args(d, &info, errs);
    for b in &query {
        let Some(p) = info.query_params.iter().find(|p| p.name == b.param) else {
            continue;
        };
        let key = format!("list.query.{}", b.param);
        attrs.push(AttrIr {
            name: b.attr.clone(),
            ty: attrs::ty_of(&p.shape, Origin::Request, errs, &key).unwrap_or_default(),
            mode: Mode::Optional,
            description: p.description.clone(),
            validators: attrs::validators(&p.shape),
            ..AttrIr::default()
        });
    }
    for dup in
        (attrs.iter().enumerate()).filter(|(i, a)| attrs[..*i].iter().any(|b| b.name == a.name))
    {
        errs.push(
            format!("list.query.{}", dup.1.name),
            format!("{:?} is already the argument of a path parameter of {}; bind the query parameter to another argument", dup.1.name, l.operation),
        );
    }
    let items = results(ov, d, &object_props(Some(&item)).0, "the list items", errs);
    attrs.push(AttrIr {
        name: l.into.clone(),
        ty: TyIr::List(Box::new(TyIr::Object(items))),
        description: "Every matching object, across all pages.".into(),
        ..AttrIr::default()
    });
    let op = op_ir(&info, query, &d.bind, errs, "list.operation");
    check_method(Role::List, &op, errs, "list.operation");
    Some((
        DataKindIr::List {
            op,
            into: l.into.clone(),
        },
        attrs,
    ))
}

/// The Required arguments a list's path parameters are filled from (sent in the path).
fn path_args(d: &DataSourceOverride, info: &OperationInfo, errs: &mut Errors) -> Vec<AttrIr> {
    let mut out = vec![];
    for p in &info.path_params {
        let key = format!("list.operation.{}", p.name);
        out.push(AttrIr {
            name: bound_attr(&d.bind, &info.operation_id, &p.name),
            ty: attrs::ty_of(&p.shape, Origin::Request, errs, &key).unwrap_or_default(),
            mode: Mode::Required,
            description: p.description.clone(),
            validators: attrs::validators(&p.shape),
            ..AttrIr::default()
        });
    }
    out
}

/// One lookup argument: its name, the shape of the parameter it fills, its description.
struct Arg {
    name: String,
    shape: Shape,
    description: String,
}

fn lookups(
    ov: &Overrides,
    d: &DataSourceOverride,
    resolver: &Resolver,
    errs: &mut Errors,
) -> (DataKindIr, Vec<AttrIr>) {
    let mut found = vec![];
    let mut infos = vec![];
    let mut result_props = Props::new();
    let mut args = vec![];
    for (arg, l) in &d.lookups {
        let key = format!("lookups.{arg}");
        let Some(info) =
            check::operation(resolver, &l.operation, errs, &format!("{key}.operation"))
        else {
            continue;
        };
        let Some((lookup, shape)) = lookup(arg, l, &info, &d.bind, errs, &key) else {
            continue;
        };
        for (k, v) in object_props(shape.as_ref()).0 {
            result_props.entry(k).or_insert(v);
        }
        match arg_shape(arg, l, &info, &d.bind) {
            Some(shape) => args.push(Arg {
                name: arg.clone(),
                shape,
                description: l.description.clone().unwrap_or_default(),
            }),
            None => errs.push(
                key,
                format!(
                    "operation {} takes no parameter bound to {arg:?}",
                    l.operation
                ),
            ),
        }
        found.push(lookup);
        infos.push(info);
    }
    check_bind(&d.bind, &infos.iter().collect::<Vec<_>>(), errs);
    let mut attrs = results(ov, d, &result_props, "the lookup responses", errs);
    for a in args {
        match attrs.iter_mut().find(|r| r.name == a.name) {
            Some(r) => {
                r.mode = Mode::ComputedOptional;
                if !a.description.is_empty() {
                    r.description = a.description;
                }
            }
            None => attrs.push(AttrIr {
                name: a.name,
                mode: Mode::Optional,
                description: if a.description.is_empty() {
                    a.shape.description.clone()
                } else {
                    a.description
                },
                validators: attrs::validators(&a.shape),
                ..AttrIr::default()
            }),
        }
    }
    query_binds_arguments(&found, &attrs, errs);
    (DataKindIr::Single(found), attrs)
}

/// A lookup's query binds only attributes the user sets: a result attribute is never known
/// when the lookup is sent.
fn query_binds_arguments(found: &[LookupIr], attrs: &[AttrIr], errs: &mut Errors) {
    for l in found {
        for b in &l.op.query_params {
            let settable = (attrs.iter()).any(|a| a.name == b.attr && a.mode != Mode::Computed);
            if !settable {
                errs.push(
                    format!("lookups.{}.query.{}", l.arg, b.param),
                    format!("binds query parameter {} to {:?}, a result the user cannot set (only lookup arguments can be set); bind it to the lookup's argument {:?}, or remove it", b.param, b.attr, l.arg),
                );
            }
        }
    }
}

/// The lookup's operation bound to its argument, and the shape of the object it returns.
fn lookup(
    arg: &str,
    l: &LookupOverride,
    info: &OperationInfo,
    bind: &crate::overrides::Bind,
    errs: &mut Errors,
    key: &str,
) -> Option<(LookupIr, Option<Shape>)> {
    let bound = |p: &str| bound_attr(bind, &info.operation_id, p);
    for p in info.path_params.iter().filter(|p| bound(&p.name) != arg) {
        errs.push(
            key,
            format!(
                "path parameter {{{}}} of {} is bound to {:?}, not to the argument {arg:?}; a lookup sets exactly one argument, so its path has one parameter, bound to it (`bind: {{{}: {{{}: {arg}}}}}` when the names differ)",
                p.name,
                l.operation,
                bound(&p.name),
                l.operation,
                p.name
            ),
        );
    }
    if info.method != "GET" {
        errs.push(
            format!("{key}.operation"),
            format!(
                "{} is {} {}: a lookup must be a GET (POST lookups are not supported yet)",
                l.operation, info.method, info.path
            ),
        );
        return None;
    }
    // A lookup argument is one value: bound to an array parameter it is sent as one element.
    let query = bind_query(info, &l.query, errs, &format!("{key}.query"))
        .into_iter()
        .map(|b| BindingIr { explode: true, ..b })
        .collect();
    let shape = if l.expect_one {
        let item = list_item(info);
        if item.is_none() {
            errs.push(
                format!("{key}.expect_one"),
                format!("{} does not return a list", l.operation),
            );
            return None;
        }
        item
    } else {
        info.response.clone()
    };
    let op = op_ir(info, query, bind, errs, &format!("{key}.operation"));
    Some((
        LookupIr {
            arg: arg.to_string(),
            op,
            expect_one: l.expect_one,
        },
        shape,
    ))
}

/// The shape of the parameter `arg` fills (an array parameter's item).
fn arg_shape(
    arg: &str,
    l: &LookupOverride,
    info: &OperationInfo,
    bind: &crate::overrides::Bind,
) -> Option<Shape> {
    let bound = |p: &&crate::resolve::Param| {
        bound_attr(bind, &info.operation_id, &p.name) == arg
            && info.path_params.iter().any(|q| q.name == p.name)
            || l.query.get(&p.name).is_some_and(|a| a == arg)
    };
    let p = info
        .path_params
        .iter()
        .chain(&info.query_params)
        .find(bound)?;
    Some(match &p.shape.kind {
        Kind::Array(item) => (**item).clone(),
        _ => p.shape.clone(),
    })
}
