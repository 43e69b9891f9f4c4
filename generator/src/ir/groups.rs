//! Exclusive choices and operation notes, from the spec's operation extensions.
//!
//! `x-mutually-exclusive-body-groups` (body fields) and `x-mutually-exclusive-parameter-groups`
//! (query parameters) map a group name to `{optional, variants: {<variant>: [field]},
//! optionalFields: {<variant>: [field]}}`: at most one variant may be sent, exactly one unless
//! `optional`; a variant's fields go together, except its `optionalFields`.
//!
//! Rules:
//! - a field becomes the attribute that sends it (renames applied); a variant none of whose
//!   fields is an attribute is left out (the object cannot set it); a group left with a
//!   single one-attribute optional variant constrains nothing and is left out;
//! - a variant whose required fields are only partly attributes is refused: the object could
//!   never send it whole (ignore all of them or none);
//! - a resource's groups are its create operation's, then those of its update operation that
//!   create lacks; a data source's are its lookups' and list's parameter groups;
//! - `x-sends-email: true` and `x-feature-flag: <flag>` on a bound operation become
//!   [`SpecNotesIr`].

use super::check::Errors;
use super::model::{GroupIr, SpecNotesIr, VariantIr};
use crate::resolve::OperationInfo;
use serde_json::Value;

/// The extension naming body-field groups.
pub const BODY_GROUPS: &str = "x-mutually-exclusive-body-groups";
/// The extension naming query-parameter groups.
pub const PARAM_GROUPS: &str = "x-mutually-exclusive-parameter-groups";

/// A group as the spec states it (field names).
struct SpecGroup {
    name: String,
    optional: bool,
    /// (variant, required fields, optional fields)
    variants: Vec<(String, Vec<String>, Vec<String>)>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    (v.and_then(Value::as_array).into_iter().flatten())
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// The groups of extension `ext` of `op`, in the spec's order.
fn spec_groups(op: &OperationInfo, ext: &str) -> Vec<SpecGroup> {
    let Some(groups) = op.extensions.get(ext).and_then(Value::as_object) else {
        return vec![];
    };
    let mut out = vec![];
    for (name, g) in groups {
        let variants = g.get("variants").and_then(Value::as_object);
        let optional_fields = g.get("optionalFields");
        let variants = (variants.into_iter().flatten())
            .map(|(v, fields)| {
                let opt = strings(optional_fields.and_then(|o| o.get(v)));
                let (o, r): (Vec<String>, Vec<String>) = strings(Some(fields))
                    .into_iter()
                    .partition(|f| opt.contains(f));
                (v.clone(), r, o)
            })
            .collect();
        out.push(SpecGroup {
            name: name.clone(),
            optional: g.get("optional").and_then(Value::as_bool).unwrap_or(false),
            variants,
        });
    }
    out
}

/// A spec group in attribute names, `attr_of` mapping a field to the attribute sending it;
/// `None` when it constrains nothing the object can set. A partly mapped variant is an error.
fn to_ir(
    g: SpecGroup,
    attr_of: &dyn Fn(&str) -> Option<String>,
    errs: &mut Errors,
    key: &str,
) -> Option<GroupIr> {
    let mut variants = vec![];
    for (name, required, optional) in g.variants {
        let attrs: Vec<String> = required.iter().filter_map(|f| attr_of(f)).collect();
        let optional_attrs: Vec<String> = optional.iter().filter_map(|f| attr_of(f)).collect();
        if attrs.is_empty() && optional_attrs.is_empty() {
            continue;
        }
        if attrs.len() != required.len() {
            let missing: Vec<&String> = required.iter().filter(|f| attr_of(f).is_none()).collect();
            errs.push(
                key,
                format!(
                    "the spec's exclusive group `{}` sends {required:?} together (variant `{name}`), but {missing:?} is no attribute of this object: ignore all of them or none",
                    g.name
                ),
            );
            continue;
        }
        variants.push(VariantIr {
            name,
            attrs,
            optional_attrs,
        });
    }
    let constrains = variants.len() > 1
        || !g.optional
        || (variants.iter()).any(|v| v.attrs.len() + v.optional_attrs.len() > 1);
    (!variants.is_empty() && constrains).then_some(GroupIr {
        name: g.name,
        optional: g.optional,
        variants,
    })
}

/// The groups of `ops` (extension `ext`), a group named twice kept once (the first).
pub fn groups(
    ops: &[&OperationInfo],
    ext: &str,
    attr_of: &dyn Fn(&str) -> Option<String>,
    errs: &mut Errors,
    key: &str,
) -> Vec<GroupIr> {
    let mut out: Vec<GroupIr> = vec![];
    for op in ops {
        for g in spec_groups(op, ext) {
            if out.iter().any(|o| o.name == g.name) {
                continue;
            }
            out.extend(to_ir(g, attr_of, errs, key));
        }
    }
    out
}

/// What the bound operations' extensions say: `(what, operation)` pairs, `what` being how the
/// docs name the operation's role ("create", "update", or the operation id).
pub fn spec_notes(ops: &[(&str, &OperationInfo)]) -> SpecNotesIr {
    let mut notes = SpecNotesIr::default();
    for (what, op) in ops {
        let sends = op.extensions.get("x-sends-email") == Some(&Value::Bool(true));
        if sends && !notes.sends_email.iter().any(|w| w == what) {
            notes.sends_email.push(what.to_string());
        }
        if let Some(flag) = op.extensions.get("x-feature-flag").and_then(Value::as_str) {
            notes.feature_flags.push(flag.to_string());
        }
    }
    notes.feature_flags.sort();
    notes.feature_flags.dedup();
    notes
}

/// How the docs say a group: "Exactly one of …" / "At most one of …" / "… go together".
pub fn describe(g: &GroupIr) -> String {
    let variant = |v: &VariantIr| {
        let mut s = list(&v.attrs, "with");
        if !v.optional_attrs.is_empty() {
            let opt = list(&v.optional_attrs, "and");
            s = if s.is_empty() {
                opt
            } else {
                format!("{s} (optionally with {opt})")
            };
        }
        s
    };
    let vs: Vec<String> = g.variants.iter().map(variant).collect();
    match (vs.as_slice(), g.optional) {
        ([one], true) => format!("{one}: set all of them or none."),
        ([one], false) => format!("{one} must be set."),
        (_, optional) => format!(
            "{} of: {}.",
            if optional {
                "At most one"
            } else {
                "Exactly one"
            },
            vs.join("; or ")
        ),
    }
}

/// `` `a` ``, `` `a` <word> `b` ``, `` `a`, `b` <word> `c` ``.
fn list(items: &[String], word: &str) -> String {
    let q: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match q.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}
