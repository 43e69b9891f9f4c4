//! A data source: either a paginated list into one list attribute, or a single object found by
//! exactly one of several lookups. Arguments come from the operations' parameters (path
//! parameters by the naming rule, query parameters as the override binds them), results from
//! the response fields; a lookup argument that is also a result is ComputedOptional.

use super::attrs::{self, list_item, object_props, Origin};
use super::check::{self, Errors, Props};
use super::model::*;
use super::{bind_query, op_ir};
use crate::names;
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
    Some(DataSourceIr {
        name: d.data_source.clone(),
        description: d.description.clone(),
        attrs,
        kind,
        example: d.example.clone(),
    })
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
    let Some(item) = list_item(&info) else {
        errs.push(
            "list.operation",
            format!("{} does not return a list (`data`)", l.operation),
        );
        return None;
    };
    let query = bind_query(&info, &l.query, errs, "list.query");
    let mut attrs = vec![];
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
    let items = results(ov, d, &object_props(Some(&item)).0, "the list items", errs);
    attrs.push(AttrIr {
        name: l.into.clone(),
        ty: TyIr::List(Box::new(TyIr::Object(items))),
        description: "Every matching object, across all pages.".into(),
        ..AttrIr::default()
    });
    let op = op_ir(&info, query, errs, "list.operation");
    Some((
        DataKindIr::List {
            op,
            into: l.into.clone(),
        },
        attrs,
    ))
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
    let mut result_props = Props::new();
    let mut args = vec![];
    for (arg, l) in &d.lookups {
        let key = format!("lookups.{arg}");
        let Some(info) =
            check::operation(resolver, &l.operation, errs, &format!("{key}.operation"))
        else {
            continue;
        };
        let Some((lookup, shape)) = lookup(arg, l, &info, errs, &key) else {
            continue;
        };
        for (k, v) in object_props(shape.as_ref()).0 {
            result_props.entry(k).or_insert(v);
        }
        match arg_shape(arg, l, &info) {
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
    }
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
    (DataKindIr::Single(found), attrs)
}

/// The lookup's operation bound to its argument, and the shape of the object it returns.
fn lookup(
    arg: &str,
    l: &LookupOverride,
    info: &OperationInfo,
    errs: &mut Errors,
    key: &str,
) -> Option<(LookupIr, Option<Shape>)> {
    for p in info
        .path_params
        .iter()
        .filter(|p| names::attr_name(&p.name) != arg)
    {
        errs.push(
            key,
            format!(
                "path parameter {} of {} maps to {:?}, not to the argument {arg:?}",
                p.name,
                l.operation,
                names::attr_name(&p.name)
            ),
        );
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
    let op = op_ir(info, query, errs, &format!("{key}.operation"));
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
fn arg_shape(arg: &str, l: &LookupOverride, info: &OperationInfo) -> Option<Shape> {
    let bound = |p: &&crate::resolve::Param| {
        names::attr_name(&p.name) == arg && info.path_params.iter().any(|q| q.name == p.name)
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
