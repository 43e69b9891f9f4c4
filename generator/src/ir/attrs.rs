//! Attribute derivation shared by resources and data sources: spec shape → Terraform type and
//! validators, response fields → computed candidates, override knobs applied, and the last
//! step that settles `on_write` and writes the complete description.

use super::check::Errors;
use super::model::*;
use crate::names;
use crate::overrides::{AttrOverride, Format, LitOverride};
use crate::resolve::{Kind, OperationInfo, Shape};
use descriptor::{Clear, Mode, OnWrite};
use indexmap::IndexMap;
use std::collections::BTreeSet;

/// Where a shape comes from: request fields are set by the user, response fields by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Request,
    Response,
}

/// The properties and required set of an object shape (empty for anything else).
pub fn object_props(shape: Option<&Shape>) -> (IndexMap<String, Shape>, BTreeSet<String>) {
    match shape.map(|s| &s.kind) {
        Some(Kind::Object {
            properties,
            required,
            ..
        }) => (properties.clone(), required.clone()),
        _ => (IndexMap::new(), BTreeSet::new()),
    }
}

/// The item shape of a paginated list operation (`data[]`), if it is one.
pub fn list_item(info: &OperationInfo) -> Option<Shape> {
    match object_props(info.response.as_ref())
        .0
        .get("data")
        .map(|s| &s.kind)
    {
        Some(Kind::Array(item)) => Some((**item).clone()),
        _ => None,
    }
}

/// A shape that constrains nothing (`{}`, `true`).
fn is_unconstrained(s: &Shape) -> bool {
    matches!(s.kind, Kind::Any) && s.extensions.is_empty() && s.enum_values.is_empty()
}

/// A free-form JSON object: no properties, and no additional-properties schema that says more.
fn is_free_form(s: &Shape) -> bool {
    match &s.kind {
        Kind::Object {
            properties,
            additional,
            ..
        } => properties.is_empty() && additional.as_deref().is_none_or(is_unconstrained),
        _ => false,
    }
}

/// Validators from spec constraints.
pub fn validators(s: &Shape) -> Vec<ValidatorIr> {
    match &s.kind {
        Kind::String => string_validators(s),
        Kind::Integer if s.minimum.is_some() || s.maximum.is_some() => vec![ValidatorIr::Range(
            s.minimum.map(|x| x as i64),
            s.maximum.map(|x| x as i64),
        )],
        Kind::Array(items) => {
            let mut v = vec![];
            if let Some(n) = s.min_items.filter(|n| *n > 0) {
                v.push(ValidatorIr::MinItems(n));
            }
            if let Some(n) = s.max_items {
                v.push(ValidatorIr::MaxItems(n));
            }
            let each = validators(items);
            if !each.is_empty() && !matches!(items.kind, Kind::Object { .. }) {
                v.push(ValidatorIr::Each(each));
            }
            v
        }
        Kind::Object {
            properties,
            additional: Some(add),
            ..
        } if properties.is_empty() && !is_free_form(s) => {
            let mut v = vec![];
            if let Some(n) = s.max_properties {
                v.push(ValidatorIr::MaxItems(n));
            }
            if let Some(n) = s.property_name_max_length {
                v.push(ValidatorIr::KeyMaxLength(n));
            }
            let each = validators(add);
            if !each.is_empty() {
                v.push(ValidatorIr::Each(each));
            }
            v
        }
        _ => vec![],
    }
}

fn string_validators(s: &Shape) -> Vec<ValidatorIr> {
    let mut v = vec![];
    if let Some(n) = s.min_length.filter(|n| *n > 0) {
        v.push(ValidatorIr::MinLength(n));
    }
    if let Some(n) = s.max_length {
        v.push(ValidatorIr::MaxLength(n));
    }
    if let Some(p) = &s.pattern {
        let p = p.trim_start_matches('^').trim_end_matches('$').to_string();
        v.push(ValidatorIr::Pattern(p));
    }
    if !s.enum_values.is_empty() && !s.extensions.contains_key("x-extensible-enum") {
        v.push(ValidatorIr::OneOf(s.enum_values.clone()));
    }
    match s.format.as_deref() {
        Some("email") => v.push(ValidatorIr::Email),
        Some("uri") | Some("url") => v.push(ValidatorIr::Url),
        _ => {}
    }
    v
}

/// Map a shape to a Terraform type. Fields of a nested object from a request are Required when
/// the request's object requires them, else Optional; from a response they are Computed.
pub fn ty_of(s: &Shape, origin: Origin, errs: &mut Errors, key: &str) -> Option<TyIr> {
    Some(match &s.kind {
        Kind::String => TyIr::String,
        Kind::Boolean => TyIr::Bool,
        Kind::Integer => TyIr::Int,
        Kind::Number => TyIr::Float,
        Kind::Array(items) => {
            let t = Box::new(ty_of(items, origin, errs, key)?);
            if s.unique_items {
                TyIr::Set(t)
            } else {
                TyIr::List(t)
            }
        }
        Kind::Object { .. } if is_free_form(s) => TyIr::Json,
        Kind::Object {
            properties,
            additional: Some(add),
            ..
        } if properties.is_empty() => TyIr::Map(Box::new(ty_of(add, origin, errs, key)?)),
        Kind::Object {
            properties,
            required,
            ..
        } => TyIr::Object(nested_fields(properties, required, origin, errs, key)?),
        Kind::Any => {
            errs.push(key, "no Terraform type fits this field (a union or untyped value); ignore it in the override");
            return None;
        }
    })
}

fn nested_fields(
    properties: &IndexMap<String, Shape>,
    required: &BTreeSet<String>,
    origin: Origin,
    errs: &mut Errors,
    key: &str,
) -> Option<Vec<AttrIr>> {
    let mut attrs = vec![];
    for (name, p) in properties {
        let ty = ty_of(p, origin, errs, &format!("{key}.{name}"))?;
        let mode = match origin {
            Origin::Response => Mode::Computed,
            Origin::Request if required.contains(name) => Mode::Required,
            Origin::Request => Mode::Optional,
        };
        attrs.push(AttrIr {
            name: names::attr_name(name),
            ty,
            mode,
            description: p.description.clone(),
            validators: match origin {
                Origin::Request => validators(p),
                Origin::Response => vec![],
            },
            create_field: Some(name.clone()),
            response_field: Some(name.clone()),
            ..AttrIr::default()
        });
    }
    Some(attrs)
}

/// The computed candidate for a response field.
pub fn response_attr(field: &str, shape: &Shape, errs: &mut Errors) -> Option<AttrIr> {
    let ty = ty_of(
        shape,
        Origin::Response,
        errs,
        &format!("attributes.{field}"),
    )?;
    Some(AttrIr {
        name: names::attr_name(field),
        ty,
        description: shape.description.clone(),
        response_field: Some(field.to_string()),
        ..AttrIr::default()
    })
}

/// Computed candidates for response fields not in `skip`, with their overrides applied.
pub fn computed_attrs(
    props: &IndexMap<String, Shape>,
    skip: &dyn Fn(&str) -> bool,
    overrides: &IndexMap<String, AttrOverride>,
    errs: &mut Errors,
) -> Vec<AttrIr> {
    let mut out = vec![];
    for (f, shape) in props.iter().filter(|(f, _)| !skip(f)) {
        if let Some(mut a) = response_attr(f, shape, errs) {
            if let Some(o) = overrides.get(f) {
                apply_override(&mut a, o, errs, &format!("attributes.{f}"));
            }
            out.push(a);
        }
    }
    out
}

pub fn lit(v: &LitOverride) -> LitIr {
    match v {
        LitOverride::Str(s) => LitIr::Str(s.clone()),
        LitOverride::Bool(b) => LitIr::Bool(*b),
        LitOverride::Int(i) => LitIr::Int(*i),
    }
}

/// Apply one attribute override (the knobs, in phase order).
pub fn apply_override(a: &mut AttrIr, o: &AttrOverride, errs: &mut Errors, key: &str) {
    // schema
    if let Some(n) = &o.rename {
        a.name = n.clone();
    }
    if let Some(m) = o.mode {
        a.mode = m;
    }
    if o.set == Some(true) {
        a.ty = match std::mem::take(&mut a.ty) {
            TyIr::List(t) | TyIr::Set(t) => TyIr::Set(t),
            other => {
                errs.push(format!("{key}.set"), "only arrays can be sets");
                other
            }
        };
    }
    a.sensitive = o.sensitive.unwrap_or(a.sensitive);
    if o.write_only == Some(true) {
        // Never read back and never in plan or state: optional by nature. Sensitive unless the
        // override says the value is no secret (`sensitive: false`).
        a.write_only = true;
        a.sensitive = o.sensitive.unwrap_or(true);
        a.response_field = None;
        a.mode = Mode::Optional;
    }
    a.force_new = o.force_new.unwrap_or(a.force_new);
    if let Some(d) = &o.default {
        a.default = Some(lit(d));
    }
    match o.format {
        Some(Format::Url) => a.validators.push(ValidatorIr::Url),
        Some(Format::HttpsUrl) => {
            // Stricter than a spec's `format: uri`, which it replaces.
            a.validators.retain(|v| *v != ValidatorIr::Url);
            a.validators.push(ValidatorIr::HttpsUrl)
        }
        Some(Format::Email) => a.validators.push(ValidatorIr::Email),
        None => {}
    }
    if let Some(d) = &o.description {
        a.description = d.clone();
    }
    // write
    a.clear = o.clear.unwrap_or(a.clear);
    // read
    if let Some(f) = &o.response_field {
        a.response_field = Some(f.clone());
    }
    if let Some(f) = &o.response_item_field {
        a.response_item_field = Some(f.clone());
    }
    a.response_create_only = o.response_create_only.unwrap_or(a.response_create_only);
    a.empty_is_null = o.empty_is_null.unwrap_or(a.empty_is_null);
}

/// A value read from a field in `changes_on_write` changes on every write (top-level
/// attributes and list items; the fields of nested objects keep theirs).
pub fn settle_on_write(a: &mut AttrIr, changes_on_write: &[String]) {
    if a.response_field
        .as_ref()
        .is_some_and(|f| changes_on_write.contains(f))
    {
        a.on_write = OnWrite::Changes;
    }
}

/// The last step for every attribute: its description gets the derived sentences (nested
/// fields too). Run once per attribute.
pub fn settle_description(a: &mut AttrIr) {
    if let Some(fields) = a.ty.nested_mut() {
        fields.iter_mut().for_each(settle_description);
    }
    a.description = describe(a);
}

/// Where the spec's site-relative links (`[user](/reference/authkit/user)`) point: WorkOS's
/// documentation site. Made absolute so they resolve on any page that shows them.
const SPEC_LINK_BASE: &str = "https://workos.com/docs";

/// The complete description: the text itself on one line, then one sentence per derived fact.
/// Schema and docs both show exactly this.
fn describe(a: &AttrIr) -> String {
    let text = a
        .description
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut d: Vec<String> = vec![text.replace("](/", &format!("]({SPEC_LINK_BASE}/"))];
    if a.write_only {
        d.push("Write-only: never stored in state; sent when its value changes (Terraform 1.11 or later).".into());
    }
    if a.force_new {
        d.push("Changing this replaces the object.".into());
    }
    if a.mode == Mode::ComputedOptional {
        d.push("When not set, the remote value is kept.".into());
    }
    if a.mode == Mode::Optional && a.clear != Clear::Never {
        d.push("Removing it from the configuration clears it.".into());
    }
    match &a.default {
        Some(LitIr::Str(s)) => d.push(format!("Default: `{s}`.")),
        Some(LitIr::Bool(b)) => d.push(format!("Default: `{b}`.")),
        Some(LitIr::Int(i)) => d.push(format!("Default: `{i}`.")),
        None => {}
    }
    for v in &a.validators {
        match v {
            ValidatorIr::MaxLength(n) => d.push(format!("At most {n} characters.")),
            ValidatorIr::OneOf(vs) if vs.len() <= 8 => {
                let vs: Vec<String> = vs.iter().map(|v| format!("`{v}`")).collect();
                d.push(format!("One of: {}.", vs.join(", ")));
            }
            _ => {}
        }
    }
    d.retain(|s| !s.is_empty());
    d.join(" ")
}
