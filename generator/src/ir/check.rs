//! Every "does the spec (or the resource) have this?" check of an override key, and the sink
//! that collects the errors, each naming the override file and key.

use super::model::*;
use crate::error::Error;
use crate::overrides::ResourceOverride;
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
            errs.push(
                format!("attributes.{}", a.name),
                "two fields map to this attribute name; rename or ignore one",
            );
        }
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
    let read = match &ir.read {
        ReadIr::Get(op) | ReadIr::ListFind { op, .. } => op,
    };
    let ops = [
        ("operations.create", Some(&ir.create)),
        ("operations.read", Some(read)),
        ("operations.update", ir.update.as_ref()),
        ("operations.delete", ir.delete.as_ref()),
    ];
    for (key, op) in ops.iter().filter_map(|(k, o)| o.map(|o| (k, o))) {
        for b in op
            .path_params
            .iter()
            .filter(|b| !names.contains(b.attr.as_str()))
        {
            errs.push(
                *key,
                format!(
                    "path parameter {} maps to {:?}, which is not an attribute",
                    b.param, b.attr
                ),
            );
        }
    }
    for h in r.hooks.iter().filter(|h| h.is_empty()) {
        errs.push("hooks", format!("empty hook name {h:?}"));
    }
}

/// Shapes by field name.
pub type Props = indexmap::IndexMap<String, Shape>;
