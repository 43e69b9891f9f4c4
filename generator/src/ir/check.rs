//! Every "does the spec (or the resource) have this?" check of an override key, and the sink
//! that collects the errors, each naming the override file and key.

use super::model::*;
use crate::error::Error;
use crate::overrides::{Bind, ResourceOverride};
use crate::resolve::{OperationInfo, Resolver, Shape};
use descriptor::EXTRA_CONFIGURATION;
use std::collections::BTreeSet;
use std::path::Path;

/// Collects errors, each naming the override file and key.
pub struct Errors<'a> {
    file: &'a Path,
    pub list: Vec<Error>,
}

impl<'a> Errors<'a> {
    pub fn new(file: &'a Path) -> Self {
        Errors { file, list: vec![] }
    }

    pub fn push(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.list.push(Error::Override {
            file: self.file.display().to_string(),
            key: key.into(),
            message: message.into(),
        });
    }
}

/// The operation `id`, or an error at `key`.
pub fn operation(
    resolver: &Resolver,
    id: &str,
    errs: &mut Errors,
    key: &str,
) -> Option<OperationInfo> {
    match resolver.operation(id) {
        Ok(o) => Some(o),
        Err(_) => {
            errs.push(key, format!("the spec has no operation {id:?}"));
            None
        }
    }
}

/// Each `<prefix>.<name>` key names something `known` accepts; each other one is an error
/// saying `message`.
pub fn known_keys<'k>(
    prefix: &str,
    keys: impl IntoIterator<Item = &'k String>,
    known: &dyn Fn(&str) -> bool,
    message: &str,
    errs: &mut Errors,
) {
    for k in keys.into_iter().filter(|k| !known(k)) {
        errs.push(format!("{prefix}.{k}"), message);
    }
}

/// Every name the resource's keys refer to is one of its attributes, and no two attributes
/// share a name.
pub fn resource_names(r: &ResourceOverride, ir: &ResourceIr, errs: &mut Errors) {
    let mut names = BTreeSet::new();
    for a in &ir.attrs {
        if a.name == EXTRA_CONFIGURATION && (a.create_field.is_some() || a.update_field.is_some()) {
            errs.push(
                format!("attributes.{}", a.name),
                format!("the request body has a field named {EXTRA_CONFIGURATION}, the name of the provider's pass-through attribute; rename it"),
            );
        } else if !names.insert(a.name.as_str()) {
            errs.push(format!("attributes.{}", a.name), duplicate(ir, &a.name));
        }
    }
    if r.import.is_empty() && !r.singleton {
        errs.push(
            "import",
            "an empty list makes any import ID import this object, which is right only when one exists per environment or per parent; list the attributes the import ID is made of (e.g. import: [id]), or declare `singleton: true`",
        );
    }
    for part in r.import.iter().filter(|p| !names.contains(p.as_str())) {
        errs.push(
            format!("import.{part}"),
            "not an attribute of this resource",
        );
    }
    if let ReadIr::ListFind { attr, .. } = &ir.read {
        if !names.contains(attr.as_str()) {
            errs.push("read_by_list.attr", format!("{attr:?} is not an attribute"));
        }
    }
    for a in ir
        .actions
        .iter()
        .filter(|a| !r.local.contains_key(&a.when_true))
    {
        errs.push(
            format!("actions.{}.when_true", a.op.operation_id),
            format!("{:?} is not a local attribute", a.when_true),
        );
    }
    for h in r.hooks.iter().filter(|h| h.is_empty()) {
        errs.push("hooks", format!("empty hook name {h:?}"));
    }
}

/// The message for two attributes of one name: how to part them, which for a path parameter is
/// `bind` (a path parameter can be neither renamed nor ignored).
fn duplicate(ir: &ResourceIr, name: &str) -> String {
    let read = match &ir.read {
        ReadIr::Get(op) | ReadIr::ListFind { op, .. } => op,
    };
    let ops = [
        Some(&ir.create),
        Some(read),
        ir.update.as_ref(),
        ir.delete.as_ref(),
    ];
    let param = (ops.into_iter().flatten())
        .flat_map(|o| o.path_params.iter().map(move |b| (o, b)))
        .find(|(_, b)| b.attr == name);
    match param {
        Some((o, b)) => format!(
            "two fields map to this attribute name, one of them path parameter {{{}}} of {}; a path parameter can be neither renamed nor ignored: bind it to the attribute that holds its value (`bind: {{{}: {{{}: <attribute>}}}}`, or \"*\" for every operation) and keep the body field's own name or rename",
            b.param, o.operation_id, o.operation_id, b.param
        ),
        None => "two fields map to this attribute name; rename or ignore one".into(),
    }
}

/// Every path parameter of every bound operation (`(key, op, before_any_response)`) has a value
/// when the call is made: an attribute the user sets, or, for calls after create, one the
/// create response fills (`filled`). Each error says what to write instead.
pub fn path_params_resolve(
    ops: &[(String, &OpIr, bool)],
    attrs: &[AttrIr],
    bind: &Bind,
    filled: &dyn Fn(&AttrIr) -> bool,
    errs: &mut Errors,
) {
    for (key, op, before_response) in ops {
        for b in &op.path_params {
            let id = &op.operation_id;
            let how = if super::explicitly_bound(bind, id, &b.param) {
                "by `bind`"
            } else {
                "by the naming rule"
            };
            let what = format!(
                "path parameter {{{}}} of {id} is bound {how} to {:?}",
                b.param, b.attr
            );
            let fix_bind = format!("bind: {{{id}: {{{}: <attribute>}}}}", b.param);
            let message = match attrs.iter().find(|a| a.name == b.attr) {
                None => format!("{what}, which is not an attribute of this object (renaming an attribute does not move a path parameter); bind the parameter to the attribute that holds its value: `{fix_bind}`"),
                Some(a) if a.mode != descriptor::Mode::Computed => continue,
                Some(_) if *before_response => format!("{what}, which is computed, and this call is made before the API has answered; bind it to an attribute the user sets (`{fix_bind}`), or make it one (`attributes.{}.mode: required`)", b.attr),
                Some(a) if filled(a) => continue,
                Some(_) => format!("{what}, which is computed and not in the create response, so nothing fills it; bind it to an attribute the user sets or the create response fills (`{fix_bind}`, e.g. `id`), or make {:?} an attribute the user sets", b.attr),
            };
            errs.push(key.as_str(), message);
        }
    }
}

/// Shapes by field name.
pub type Props = indexmap::IndexMap<String, Shape>;
