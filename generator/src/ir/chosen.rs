//! Operations chosen by a value rather than by the lifecycle: `import_by` (an import ID form
//! `<attr>=<value>` found with a get-by-value operation) and `transitions` (an attribute whose
//! planned value chooses the operation that moves the object there).
//!
//! Rules:
//! - an `import_by` operation is a GET whose every path parameter is bound to the attribute
//!   it is keyed by, and whose answer carries each import part (it is read from there);
//! - a `transitions` attribute exists and is settable (`mode: computed_optional` for one the
//!   API only returns); its values are among the spec's enum when it has one, and become its
//!   only allowed values; each operation takes no required body.

use super::check::{self, Errors};
use super::model::*;
use super::{check_method, op_ir, Role};
use crate::overrides::ResourceOverride;
use crate::resolve::{OperationInfo, Resolver};
use descriptor::Mode;

/// The resolved operations of `import_by` and `transitions`, with their override keys.
pub struct Chosen {
    import_by: Vec<(String, OperationInfo)>,
    transitions: Vec<(String, String, OperationInfo)>,
}

impl Chosen {
    pub fn resolve(r: &ResourceOverride, resolver: &Resolver, errs: &mut Errors) -> Chosen {
        let mut op = |id: &str, key: String| check::operation(resolver, id, errs, &key);
        let import_by = (r.import_by.iter())
            .filter_map(|(attr, id)| Some((attr.clone(), op(id, format!("import_by.{attr}"))?)))
            .collect();
        let mut transitions = vec![];
        for (attr, to) in &r.transitions {
            for (value, id) in to {
                if let Some(info) = op(id, format!("transitions.{attr}.{value}")) {
                    transitions.push((attr.clone(), value.clone(), info));
                }
            }
        }
        Chosen {
            import_by,
            transitions,
        }
    }

    /// Every operation (for `bind` checks).
    pub fn ops(&self) -> impl Iterator<Item = &OperationInfo> {
        (self.import_by.iter().map(|(_, o)| o)).chain(self.transitions.iter().map(|(_, _, o)| o))
    }

    /// The `import_by` forms, checked against the resource's attributes and import parts.
    pub fn import_by(
        &self,
        r: &ResourceOverride,
        attrs: &[AttrIr],
        errs: &mut Errors,
    ) -> Vec<ImportByIr> {
        let mut out = vec![];
        for (attr, info) in &self.import_by {
            let key = format!("import_by.{attr}");
            let op = op_ir(info, vec![], &r.bind, errs, &key);
            check_method(Role::Lookup, &op, errs, &key);
            if !attrs.iter().any(|a| &a.name == attr) {
                errs.push(
                    &key,
                    format!("{attr:?} is not an attribute of this resource"),
                );
            }
            for b in op.path_params.iter().filter(|b| &b.attr != attr) {
                errs.push(
                    &key,
                    format!(
                        "path parameter {} maps to {:?}, not to {attr:?}",
                        b.param, b.attr
                    ),
                );
            }
            if op.path_params.is_empty() {
                errs.push(
                    &key,
                    "the operation has no path parameter to put the value in",
                );
            }
            let answer = super::attrs::object_props(info.response.as_ref()).0;
            for part in &r.import {
                let field = (attrs.iter().find(|a| &a.name == part))
                    .and_then(|a| a.response_field.as_ref());
                if !field.is_some_and(|f| answer.contains_key(f)) {
                    errs.push(
                        &key,
                        format!("the answer does not carry the import part {part:?}"),
                    );
                }
            }
            out.push(ImportByIr {
                attr: attr.clone(),
                op,
            });
        }
        out
    }

    /// The transitions, grouped by attribute in the override's order.
    pub fn transitions(&self, r: &ResourceOverride, errs: &mut Errors) -> Vec<TransitionIr> {
        let mut out: Vec<TransitionIr> = vec![];
        for (attr, value, info) in &self.transitions {
            let key = format!("transitions.{attr}.{value}");
            let op = op_ir(info, vec![], &r.bind, errs, &key);
            check_method(Role::Write, &op, errs, &key);
            let (_, required) = super::attrs::object_props(info.request_body.as_ref());
            if !required.is_empty() {
                errs.push(
                    &key,
                    "the operation requires a request body; a transition sends none",
                );
            }
            let to = TransitionToIr {
                value: value.clone(),
                op,
            };
            match out.iter_mut().find(|t| &t.attr == attr) {
                Some(t) => t.to.push(to),
                None => out.push(TransitionIr {
                    attr: attr.clone(),
                    to: vec![to],
                }),
            }
        }
        out
    }
}

/// Makes an attribute a transition attribute: settable, and only the values that have an
/// operation allowed. Runs before its description is completed.
pub fn narrow(r: &ResourceOverride, a: &mut AttrIr, errs: &mut Errors) {
    let Some(to) = r.transitions.get(&a.name) else {
        return;
    };
    let key = format!("transitions.{}", a.name);
    if a.mode == Mode::Computed {
        errs.push(
            &key,
            "the attribute is computed: set `mode: computed_optional` (or optional) in `attributes`",
        );
    }
    if a.ty != TyIr::String {
        errs.push(
            &key,
            "only a string attribute can choose operations by value",
        );
    }
    let values: Vec<String> = to.keys().cloned().collect();
    for v in &mut a.validators {
        if let ValidatorIr::OneOf(allowed) = v {
            for x in values.iter().filter(|x| !allowed.contains(x)) {
                errs.push(
                    format!("{key}.{x}"),
                    format!("not a value the spec allows (one of {allowed:?})"),
                );
            }
            *allowed = values.clone();
        }
    }
    if !a
        .validators
        .iter()
        .any(|v| matches!(v, ValidatorIr::OneOf(_)))
    {
        a.validators.push(ValidatorIr::OneOf(values));
    }
}

/// Is `name` an attribute `transitions` names that does not exist?
pub fn check_names(r: &ResourceOverride, attrs: &[AttrIr], errs: &mut Errors) {
    for attr in r.transitions.keys() {
        if !attrs.iter().any(|a| &a.name == attr) {
            errs.push(
                format!("transitions.{attr}"),
                "not an attribute of this resource",
            );
        }
    }
}
