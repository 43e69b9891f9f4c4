//! The intermediate representation: the spec's operations and shapes merged with the
//! overrides into Terraform resources and data sources. Serializable, so tests can snapshot it.
//!
//! Merge rules (per resource):
//! - request bodies of create, update and extra writes give the settable attributes; the
//!   create body's `required` stays required; optional fields the response also returns are
//!   optional+computed (the remote value is kept when unset) unless the field is nullable,
//!   in which case removing it from config clears it (sends null);
//! - fields the create operation takes but no update can change force replacement;
//! - response fields add computed attributes; path parameters of create add required,
//!   force-new attributes;
//! - anything that cannot be mapped to a Terraform type is an error unless ignored.

use crate::error::Error;
use crate::overrides::{AttrOverride, DataSourceOverride, Overrides, ResourceOverride};
use crate::resolve::{Kind, OperationInfo, Resolver, Shape};
use heck::ToSnakeCase;
use indexmap::IndexMap;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum TyIr {
    String,
    Bool,
    Int,
    Float,
    List(Box<TyIr>),
    Set(Box<TyIr>),
    Map(Box<TyIr>),
    Object(Vec<AttrIr>),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum ValidatorIr {
    MinLength(u64),
    MaxLength(u64),
    Pattern(String),
    OneOf(Vec<String>),
    Email,
    Url,
    MinItems(u64),
    MaxItems(u64),
    KeyMaxLength(u64),
    Each(Vec<ValidatorIr>),
    Range(Option<i64>, Option<i64>),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum LitIr {
    Str(String),
    Bool(bool),
    Int(i64),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AttrIr {
    pub name: String,
    pub ty: TyIr,
    /// Required | Optional | OptionalComputed | Computed
    pub mode: String,
    pub description: String,
    pub sensitive: bool,
    pub write_only: bool,
    pub force_new: bool,
    /// Stable | Changes
    pub on_write: String,
    /// Null | Empty | Never
    pub clear: String,
    pub default: Option<LitIr>,
    pub validators: Vec<ValidatorIr>,
    pub create_field: Option<String>,
    pub update_field: Option<String>,
    pub response_field: Option<String>,
    pub response_item_field: Option<String>,
    pub response_create_only: bool,
    pub empty_is_null: bool,
    pub deprecated: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BindingIr {
    pub param: String,
    pub attr: String,
    pub explode: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OpIr {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub path_params: Vec<BindingIr>,
    pub query_params: Vec<BindingIr>,
    pub paginated: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum ReadIr {
    Get(OpIr),
    ListFind {
        op: OpIr,
        field: String,
        attr: String,
    },
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResourceIr {
    pub name: String,
    pub description: String,
    pub attrs: Vec<AttrIr>,
    pub create: OpIr,
    pub read: ReadIr,
    pub update: Option<OpIr>,
    pub delete: Option<OpIr>,
    pub extra_writes: Vec<(OpIr, Vec<(String, String)>)>,
    pub actions: Vec<(OpIr, String)>,
    pub import_parts: Vec<String>,
    pub import_separator: String,
    pub hooks: Vec<String>,
    pub example: Option<String>,
    pub file: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LookupIr {
    pub arg: String,
    pub op: OpIr,
    pub expect_one: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum DataKindIr {
    Single(Vec<LookupIr>),
    List { op: OpIr, into: String },
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DataSourceIr {
    pub name: String,
    pub description: String,
    pub attrs: Vec<AttrIr>,
    pub kind: DataKindIr,
    pub example: Option<String>,
    pub file: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConfigIr {
    pub name: String,
    pub description: String,
    pub env: Option<String>,
    pub sensitive: bool,
    pub required: bool,
    pub default: Option<String>,
    pub role: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProviderIr {
    pub type_name: String,
    pub source_address: String,
    pub default_base_url: String,
    pub description: String,
    pub spec_file: String,
    pub spec_sha256: String,
    pub spec_version: String,
    pub config: Vec<ConfigIr>,
    pub resources: Vec<ResourceIr>,
    pub data_sources: Vec<DataSourceIr>,
}

/// Collects errors, each naming the override file and key.
struct Errs<'a> {
    file: &'a Path,
    list: Vec<Error>,
}

impl Errs<'_> {
    fn push(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.list.push(Error::Override {
            file: self.file.display().to_string(),
            key: key.into(),
            message: message.into(),
        });
    }
}

/// Build the IR; every error found is returned, not only the first.
pub fn build(
    ov: &Overrides,
    resolver: &Resolver,
    spec_sha256: &str,
    spec_version: &str,
) -> Result<ProviderIr, Vec<Error>> {
    let mut errors = vec![];
    let p = &ov.provider;
    let mut config = vec![];
    for (name, c) in &p.config {
        if !["api_key", "base_url", "informational"].contains(&c.role.as_str()) {
            errors.push(Error::Override {
                file: ov.provider_file.display().to_string(),
                key: format!("config.{name}.role"),
                message: format!(
                    "unknown role {:?} (expected api_key, base_url or informational)",
                    c.role
                ),
            });
        }
        config.push(ConfigIr {
            name: name.clone(),
            description: c.description.clone(),
            env: c.env.clone(),
            sensitive: c.sensitive,
            required: c.required,
            default: c.default.clone(),
            role: c.role.clone(),
        });
    }
    let mut resources = vec![];
    for (file, r) in &ov.resources {
        let mut errs = Errs { file, list: vec![] };
        let res = resource(ov, r, resolver, &mut errs);
        errors.extend(errs.list);
        if let Some(res) = res {
            resources.push(ResourceIr {
                file: file.display().to_string(),
                ..res
            });
        }
    }
    let mut data_sources = vec![];
    for (file, d) in &ov.data_sources {
        let mut errs = Errs { file, list: vec![] };
        let ds = data_source(ov, d, resolver, &mut errs);
        errors.extend(errs.list);
        if let Some(ds) = ds {
            data_sources.push(DataSourceIr {
                file: file.display().to_string(),
                ..ds
            });
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for n in resources
        .iter()
        .map(|r| format!("resource {}", r.name))
        .chain(
            data_sources
                .iter()
                .map(|d| format!("data source {}", d.name)),
        )
    {
        if !seen.insert(n.clone()) {
            errors.push(Error::Override {
                file: "overrides/".into(),
                key: n.clone(),
                message: "defined twice".into(),
            });
        }
    }
    resources.sort_by(|a, b| a.name.cmp(&b.name));
    data_sources.sort_by(|a, b| a.name.cmp(&b.name));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ProviderIr {
        type_name: p.type_name.clone(),
        source_address: p.source_address.clone(),
        default_base_url: p.default_base_url.clone(),
        description: p.description.clone(),
        spec_file: p.spec.clone(),
        spec_sha256: spec_sha256.to_string(),
        spec_version: spec_version.to_string(),
        config,
        resources,
        data_sources,
    })
}

fn op_ir(
    info: &OperationInfo,
    params: &IndexMap<String, String>,
    query: &IndexMap<String, String>,
    errs: &mut Errs,
    key: &str,
) -> OpIr {
    let path_params = info
        .path_params
        .iter()
        .map(|p| BindingIr {
            param: p.name.clone(),
            attr: params
                .get(&p.name)
                .cloned()
                .unwrap_or_else(|| p.name.to_snake_case()),
            explode: false,
        })
        .collect();
    let mut query_params = vec![];
    for (q, attr) in query {
        match info.query_params.iter().find(|p| &p.name == q) {
            Some(p) => query_params.push(BindingIr {
                param: q.clone(),
                attr: attr.clone(),
                explode: p.explode,
            }),
            None => errs.push(
                format!("{key}.{q}"),
                format!(
                    "operation {} has no query parameter {q:?}",
                    info.operation_id
                ),
            ),
        }
    }
    let paginated = matches!(&info.response, Some(Shape { kind: Kind::Object { properties, .. }, .. }) if properties.contains_key("data") && properties.contains_key("list_metadata"));
    OpIr {
        operation_id: info.operation_id.clone(),
        method: info.method.clone(),
        path: info.path.clone(),
        path_params,
        query_params,
        paginated,
    }
}

fn operation(resolver: &Resolver, id: &str, errs: &mut Errs, key: &str) -> Option<OperationInfo> {
    match resolver.operation(id) {
        Ok(o) => Some(o),
        Err(_) => {
            errs.push(key, format!("the spec has no operation {id:?}"));
            None
        }
    }
}

fn object_props(
    shape: &Option<Shape>,
) -> (IndexMap<String, Shape>, std::collections::BTreeSet<String>) {
    match shape {
        Some(Shape {
            kind:
                Kind::Object {
                    properties,
                    required,
                    ..
                },
            ..
        }) => (properties.clone(), required.clone()),
        _ => (IndexMap::new(), Default::default()),
    }
}

/// Validators from spec constraints.
fn validators(s: &Shape) -> Vec<ValidatorIr> {
    let mut v = vec![];
    match &s.kind {
        Kind::String => {
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
        }
        Kind::Integer if s.minimum.is_some() || s.maximum.is_some() => {
            v.push(ValidatorIr::Range(
                s.minimum.map(|x| x as i64),
                s.maximum.map(|x| x as i64),
            ));
        }
        Kind::Array(items) => {
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
        }
        Kind::Object {
            properties,
            additional: Some(add),
            ..
        } if properties.is_empty() => {
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
        }
        _ => {}
    }
    v
}

/// Map a shape to a Terraform type. Nested object attributes are computed unless `settable`.
fn ty_of(s: &Shape, set: bool, settable: bool, errs: &mut Errs, key: &str) -> Option<TyIr> {
    Some(match &s.kind {
        Kind::String => TyIr::String,
        Kind::Boolean => TyIr::Bool,
        Kind::Integer => TyIr::Int,
        Kind::Number => TyIr::Float,
        Kind::Array(items) => {
            let t = ty_of(items, false, settable, errs, key)?;
            if set || s.unique_items {
                TyIr::Set(Box::new(t))
            } else {
                TyIr::List(Box::new(t))
            }
        }
        Kind::Object {
            properties,
            additional,
            required,
        } => {
            if properties.is_empty() {
                match additional {
                    Some(a) => TyIr::Map(Box::new(ty_of(a, false, settable, errs, key)?)),
                    None => {
                        errs.push(key, "free-form object: no Terraform type fits it; ignore the field or describe it in an override");
                        return None;
                    }
                }
            } else {
                let mut attrs = vec![];
                for (name, p) in properties {
                    let t = ty_of(p, false, settable, errs, &format!("{key}.{name}"))?;
                    let mode = if !settable {
                        "Computed"
                    } else if required.contains(name) {
                        "Required"
                    } else {
                        "Optional"
                    };
                    attrs.push(AttrIr {
                        name: name.to_snake_case(),
                        ty: t,
                        mode: mode.into(),
                        description: p.description.clone(),
                        validators: if settable { validators(p) } else { vec![] },
                        create_field: Some(name.clone()),
                        response_field: Some(name.clone()),
                        ..blank_attr()
                    });
                }
                TyIr::Object(attrs)
            }
        }
        Kind::Any => {
            errs.push(key, "no Terraform type fits this field (a union or untyped value); ignore it in the override");
            return None;
        }
    })
}

fn blank_attr() -> AttrIr {
    AttrIr {
        name: String::new(),
        ty: TyIr::String,
        mode: "Computed".into(),
        description: String::new(),
        sensitive: false,
        write_only: false,
        force_new: false,
        on_write: "Stable".into(),
        clear: "Never".into(),
        default: None,
        validators: vec![],
        create_field: None,
        update_field: None,
        response_field: None,
        response_item_field: None,
        response_create_only: false,
        empty_is_null: false,
        deprecated: None,
    }
}

fn lit(v: &serde_yaml::Value, errs: &mut Errs, key: &str) -> Option<LitIr> {
    match v {
        serde_yaml::Value::String(s) => Some(LitIr::Str(s.clone())),
        serde_yaml::Value::Bool(b) => Some(LitIr::Bool(*b)),
        serde_yaml::Value::Number(n) if n.as_i64().is_some() => {
            Some(LitIr::Int(n.as_i64().unwrap_or_default()))
        }
        _ => {
            errs.push(key, "default must be a string, bool or integer");
            None
        }
    }
}

/// Apply one attribute override.
fn apply_override(a: &mut AttrIr, o: &AttrOverride, errs: &mut Errs, key: &str) {
    if let Some(n) = &o.rename {
        a.name = n.clone();
    }
    if let Some(m) = &o.mode {
        a.mode = match m.as_str() {
            "required" => "Required",
            "optional" => "Optional",
            "optional_computed" => "OptionalComputed",
            "computed" => "Computed",
            other => {
                errs.push(
                    format!("{key}.mode"),
                    format!(
                        "unknown mode {other:?} (required, optional, optional_computed, computed)"
                    ),
                );
                return;
            }
        }
        .into();
    }
    if let Some(true) = o.set {
        a.ty = match std::mem::replace(&mut a.ty, TyIr::String) {
            TyIr::List(t) | TyIr::Set(t) => TyIr::Set(t),
            other => {
                errs.push(format!("{key}.set"), "only arrays can be sets");
                other
            }
        };
    }
    if let Some(s) = o.sensitive {
        a.sensitive = s;
    }
    if let Some(w) = o.write_only {
        a.write_only = w;
        if w {
            a.sensitive = true;
            a.response_field = None;
            if a.mode == "Required" || a.mode == "OptionalComputed" || a.mode == "Computed" {
                a.mode = "Optional".into();
            }
        }
    }
    if let Some(f) = o.force_new {
        a.force_new = f;
    }
    if let Some(w) = &o.on_write {
        a.on_write = match w.as_str() {
            "stable" => "Stable".into(),
            "changes" => "Changes".into(),
            other => {
                errs.push(
                    format!("{key}.on_write"),
                    format!("unknown value {other:?} (stable, changes)"),
                );
                a.on_write.clone()
            }
        };
    }
    if let Some(c) = &o.clear {
        a.clear = match c.as_str() {
            "null" => "Null".into(),
            "empty" => "Empty".into(),
            "never" => "Never".into(),
            other => {
                errs.push(
                    format!("{key}.clear"),
                    format!("unknown value {other:?} (null, empty, never)"),
                );
                a.clear.clone()
            }
        };
    }
    if let Some(d) = &o.default {
        a.default = lit(d, errs, &format!("{key}.default"));
    }
    if let Some(d) = &o.description {
        a.description = d.clone();
    }
    if let Some(f) = &o.response_field {
        a.response_field = Some(f.clone());
    }
    if let Some(f) = &o.response_item_field {
        a.response_item_field = Some(f.clone());
    }
    if let Some(b) = o.response_create_only {
        a.response_create_only = b;
    }
    if let Some(b) = o.empty_is_null {
        a.empty_is_null = b;
    }
    match o.format.as_deref() {
        Some("url") => a.validators.push(ValidatorIr::Url),
        Some("email") => a.validators.push(ValidatorIr::Email),
        Some(other) => errs.push(
            format!("{key}.format"),
            format!("unknown format {other:?} (url, email)"),
        ),
        None => {}
    }
}

fn resource(
    ov: &Overrides,
    r: &ResourceOverride,
    resolver: &Resolver,
    errs: &mut Errs,
) -> Option<ResourceIr> {
    let create = operation(resolver, &r.operations.create, errs, "operations.create");
    let read = operation(resolver, &r.operations.read, errs, "operations.read");
    let update = r
        .operations
        .update
        .as_ref()
        .and_then(|id| operation(resolver, id, errs, "operations.update"));
    let delete = r
        .operations
        .delete
        .as_ref()
        .and_then(|id| operation(resolver, id, errs, "operations.delete"));
    let extra: Vec<_> = r
        .extra_writes
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            operation(
                resolver,
                &w.operation,
                errs,
                &format!("extra_writes[{i}].operation"),
            )
            .map(|o| (o, w))
        })
        .collect();
    let actions: Vec<_> = r
        .actions
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            operation(
                resolver,
                &a.operation,
                errs,
                &format!("actions[{i}].operation"),
            )
            .map(|o| (o, a))
        })
        .collect();
    let (create, read) = (create?, read?);

    // Path parameters named in `params` must exist in some operation.
    let all_ops: Vec<&OperationInfo> =
        [Some(&create), Some(&read), update.as_ref(), delete.as_ref()]
            .into_iter()
            .flatten()
            .chain(extra.iter().map(|(o, _)| o))
            .chain(actions.iter().map(|(o, _)| o))
            .collect();
    for p in r.params.keys() {
        if !all_ops
            .iter()
            .any(|o| o.path_params.iter().any(|q| &q.name == p))
        {
            errs.push(
                format!("params.{p}"),
                format!("no operation of {} has a path parameter {p:?}", r.resource),
            );
        }
    }

    let (create_props, create_req) = object_props(&create.request_body);
    let (update_props, _) = object_props(&update.as_ref().and_then(|u| u.request_body.clone()));
    let response_shape = create.response.clone().or(read.response.clone());
    let (mut resp_props, _) = object_props(&read.response);
    if resp_props.is_empty() {
        resp_props = object_props(&response_shape).0;
    }
    if r.read_by_list.is_some() {
        // A list read: the item shape is the create response's.
        resp_props = object_props(&create.response).0;
    }
    for (k, v) in object_props(&create.response).0 {
        resp_props.entry(k).or_insert(v);
    }
    let mut extra_props: IndexMap<String, Shape> = IndexMap::new();
    for (o, w) in &extra {
        let (props, _) = object_props(&o.request_body);
        for (field, attr) in &w.fields {
            match props.get(field) {
                Some(s) => {
                    extra_props.insert(attr.clone(), s.clone());
                }
                None => errs.push(
                    format!("extra_writes.{}.fields.{field}", w.operation),
                    format!("operation {} has no body field {field:?}", o.operation_id),
                ),
            }
        }
    }

    // Check every override and ignore key names something in the spec.
    for f in &r.ignore.request {
        if !create_props.contains_key(f) && !update_props.contains_key(f) {
            errs.push(
                format!("ignore.request.{f}"),
                "no such field in the create or update request body",
            );
        }
    }
    for f in &r.ignore.response {
        if !resp_props.contains_key(f) {
            errs.push(
                format!("ignore.response.{f}"),
                "no such field in the response",
            );
        }
    }
    let path_param_names: Vec<String> = all_ops
        .iter()
        .flat_map(|o| o.path_params.iter().map(|p| p.name.clone()))
        .collect();
    for k in r.attributes.keys() {
        let known = create_props.contains_key(k)
            || update_props.contains_key(k)
            || resp_props.contains_key(k)
            || extra_props.contains_key(k)
            || path_param_names.contains(k)
            || r.params.values().any(|v| v == k);
        if !known {
            errs.push(
                format!("attributes.{k}"),
                format!(
                    "{} has no field, parameter or attribute {k:?} in the spec",
                    r.resource
                ),
            );
        }
    }

    let mut attrs: IndexMap<String, AttrIr> = IndexMap::new(); // keyed by spec field
    let ignored_req = |f: &str| r.ignore.request.iter().any(|x| x == f);
    let changes: &[String] = &ov.provider.defaults.changes_on_write;

    // 1. Request fields (create ∪ update ∪ extra writes).
    let mut fields: Vec<String> = create_props.keys().cloned().collect();
    for k in update_props.keys().chain(extra_props.keys()) {
        if !fields.contains(k) {
            fields.push(k.clone());
        }
    }
    for f in fields.iter().filter(|f| !ignored_req(f)) {
        let key = format!("attributes.{f}");
        let o = r.attributes.get(f).cloned().unwrap_or_default();
        let shape = create_props
            .get(f)
            .or(update_props.get(f))
            .or(extra_props.get(f))
            .cloned()?;
        let in_create = create_props.contains_key(f);
        let in_update = update_props.contains_key(f);
        let in_extra = extra_props.contains_key(f);
        let nullable = create_props.get(f).is_some_and(|s| s.nullable)
            && (!in_update || update_props.get(f).is_some_and(|s| s.nullable))
            || (!in_create && update_props.get(f).is_some_and(|s| s.nullable));
        let response_field = o
            .response_field
            .clone()
            .or_else(|| resp_props.contains_key(f).then(|| f.clone()));
        let Some(ty) = ty_of(&shape, o.set.unwrap_or(false), true, errs, &key) else {
            continue;
        };
        let mode = if in_create && create_req.contains(f) && !shape.nullable {
            "Required"
        } else if nullable || response_field.is_none() {
            "Optional"
        } else {
            "OptionalComputed"
        };
        let mut a = AttrIr {
            name: f.to_snake_case(),
            ty,
            mode: mode.into(),
            description: shape.description.clone(),
            force_new: in_create && !in_update && !in_extra,
            clear: if nullable && in_update {
                "Null".into()
            } else {
                "Never".into()
            },
            validators: validators(&shape),
            create_field: in_create.then(|| f.clone()),
            update_field: in_update.then(|| f.clone()),
            response_field,
            deprecated: shape
                .deprecated
                .then(|| "Deprecated by the API.".to_string()),
            sensitive: shape.format.as_deref() == Some("password"),
            ..blank_attr()
        };
        apply_override(&mut a, &o, errs, &key);
        attrs.insert(f.clone(), a);
    }

    // 2. Path parameters → attributes.
    for op in &all_ops {
        for p in &op.path_params {
            let name = r
                .params
                .get(&p.name)
                .cloned()
                .unwrap_or_else(|| p.name.to_snake_case());
            if attrs.values().any(|a| a.name == name) || resp_props.contains_key(&name) {
                continue;
            }
            let in_create_path = create.path_params.iter().any(|q| q.name == p.name);
            let mut a = AttrIr {
                name: name.clone(),
                mode: if in_create_path {
                    "Required"
                } else {
                    "Computed"
                }
                .into(),
                force_new: in_create_path,
                description: p.description.clone(),
                ..blank_attr()
            };
            if let Some(o) = r.attributes.get(&name).or(r.attributes.get(&p.name)) {
                apply_override(&mut a, o, errs, &format!("attributes.{name}"));
            }
            attrs.insert(format!("param:{name}"), a);
        }
    }

    // 3. Response fields → computed attributes.
    let claimed: Vec<String> = attrs
        .values()
        .filter_map(|a| a.response_field.clone())
        .collect();
    for a in computed_attrs(
        &resp_props,
        ov,
        &r.ignore.response,
        &claimed,
        &r.attributes,
        errs,
    ) {
        attrs.insert(a.response_field.clone().unwrap_or_default(), a);
    }
    // Request attributes the server may change on writes.
    for a in attrs.values_mut() {
        if a.response_field
            .as_ref()
            .is_some_and(|f| changes.contains(f))
            && a.mode != "Computed"
        {
            a.on_write = "Changes".into();
        }
    }

    // 4. Local attributes.
    for (name, l) in &r.local {
        let key = format!("local.{name}");
        let ty = match l.ty.as_str() {
            "string" => TyIr::String,
            "bool" => TyIr::Bool,
            other => {
                errs.push(
                    format!("{key}.type"),
                    format!("unknown type {other:?} (string, bool)"),
                );
                continue;
            }
        };
        let default = l
            .default
            .as_ref()
            .and_then(|d| lit(d, errs, &format!("{key}.default")));
        attrs.insert(
            format!("local:{name}"),
            AttrIr {
                name: name.clone(),
                ty,
                mode: "Optional".into(),
                description: l.description.clone(),
                default,
                ..blank_attr()
            },
        );
    }

    let mut names = std::collections::BTreeSet::new();
    for a in attrs.values() {
        if !names.insert(a.name.clone()) {
            errs.push(
                format!("attributes.{}", a.name),
                "two fields map to this attribute name; rename or ignore one",
            );
        }
    }
    let attr_names: Vec<String> = attrs.values().map(|a| a.name.clone()).collect();
    for part in &r.import {
        if !attr_names.contains(part) {
            errs.push(
                format!("import.{part}"),
                "not an attribute of this resource",
            );
        }
    }
    for h in &r.hooks {
        if h.is_empty() {
            errs.push("hooks", "empty hook name");
        }
    }
    let no_q = IndexMap::new();
    let mk = |o: &OperationInfo, errs: &mut Errs, key: &str| op_ir(o, &r.params, &no_q, errs, key);
    let read_ir = match &r.read_by_list {
        Some(l) => {
            if !attr_names.contains(&l.attr) {
                errs.push(
                    "read_by_list.attr",
                    format!("{:?} is not an attribute", l.attr),
                );
            }
            ReadIr::ListFind {
                op: mk(&read, errs, "operations.read"),
                field: l.field.clone(),
                attr: l.attr.clone(),
            }
        }
        None => ReadIr::Get(mk(&read, errs, "operations.read")),
    };
    let extra_ir = extra
        .iter()
        .map(|(o, w)| {
            (
                mk(o, errs, "extra_writes"),
                w.fields
                    .iter()
                    .map(|(f, a)| (a.clone(), f.clone()))
                    .collect(),
            )
        })
        .collect();
    let mut actions_ir = vec![];
    for (o, a) in &actions {
        if !r.local.contains_key(&a.when_true) {
            errs.push(
                format!("actions.{}.when_true", a.operation),
                format!("{:?} is not a local attribute", a.when_true),
            );
        }
        actions_ir.push((mk(o, errs, "actions"), a.when_true.clone()));
    }
    for op in [Some(&create), Some(&read), update.as_ref(), delete.as_ref()]
        .into_iter()
        .flatten()
    {
        for p in &op.path_params {
            let name = r
                .params
                .get(&p.name)
                .cloned()
                .unwrap_or_else(|| p.name.to_snake_case());
            if !attr_names.contains(&name) {
                errs.push(
                    format!("params.{}", p.name),
                    format!("path parameter maps to {name:?}, which is not an attribute"),
                );
            }
        }
    }
    Some(ResourceIr {
        name: r.resource.clone(),
        description: r.description.clone(),
        attrs: attrs.into_values().collect(),
        create: mk(&create, errs, "operations.create"),
        read: read_ir,
        update: update.as_ref().map(|u| mk(u, errs, "operations.update")),
        delete: delete.as_ref().map(|d| mk(d, errs, "operations.delete")),
        extra_writes: extra_ir,
        actions: actions_ir,
        import_parts: r.import.clone(),
        import_separator: r.import_separator.clone().unwrap_or_else(|| "/".into()),
        hooks: r.hooks.clone(),
        example: r.example.clone(),
        file: String::new(),
    })
}

/// Computed attributes from response fields (resources and data sources alike): fields in
/// `skip` or `ignore` are left out; `defaults.changes_on_write` fields change on every write.
fn computed_attrs(
    props: &IndexMap<String, Shape>,
    ov: &Overrides,
    ignore: &[String],
    skip: &[String],
    overrides: &IndexMap<String, AttrOverride>,
    errs: &mut Errs,
) -> Vec<AttrIr> {
    let defaults = &ov.provider.defaults;
    let mut out = vec![];
    for (f, shape) in props {
        if skip.contains(f) || ignore.contains(f) || defaults.ignore_response.contains(f) {
            continue;
        }
        let key = format!("attributes.{f}");
        let o = overrides.get(f).cloned().unwrap_or_default();
        let Some(ty) = ty_of(shape, o.set.unwrap_or(false), false, errs, &key) else {
            continue;
        };
        let mut a = AttrIr {
            name: f.to_snake_case(),
            ty,
            description: shape.description.clone(),
            on_write: if defaults.changes_on_write.contains(f) {
                "Changes"
            } else {
                "Stable"
            }
            .into(),
            response_field: Some(f.clone()),
            ..blank_attr()
        };
        apply_override(&mut a, &o, errs, &key);
        out.push(a);
    }
    out
}

/// The item shape of a paginated list operation (`data[]`), if it is one.
fn list_item(info: &OperationInfo) -> Option<Shape> {
    match &info.response {
        Some(Shape {
            kind: Kind::Object { properties, .. },
            ..
        }) => match properties.get("data").map(|s| &s.kind) {
            Some(Kind::Array(item)) => Some((**item).clone()),
            _ => None,
        },
        _ => None,
    }
}

fn data_source(
    ov: &Overrides,
    d: &DataSourceOverride,
    resolver: &Resolver,
    errs: &mut Errs,
) -> Option<DataSourceIr> {
    match (&d.list, d.lookups.is_empty()) {
        (Some(_), false) => errs.push("list", "a data source has either lookups or list, not both"),
        (None, true) => errs.push("lookups", "a data source needs lookups or list"),
        _ => {}
    }
    if let Some(l) = &d.list {
        let info = operation(resolver, &l.operation, errs, "list.operation")?;
        let Some(item) = list_item(&info) else {
            errs.push(
                "list.operation",
                format!("{} does not return a list (`data`)", l.operation),
            );
            return None;
        };
        let items = object_props(&Some(item)).0;
        for f in &d.ignore {
            if !items.contains_key(f) {
                errs.push(format!("ignore.{f}"), "no such field in the list items");
            }
        }
        let mut attrs = vec![];
        for (q, arg) in &l.filters {
            match info.query_params.iter().find(|p| &p.name == q) {
                Some(p) => {
                    let ty = ty_of(&p.shape, false, true, errs, &format!("list.filters.{q}"))
                        .unwrap_or(TyIr::String);
                    attrs.push(AttrIr {
                        name: arg.clone(),
                        ty,
                        mode: "Optional".into(),
                        description: p.description.clone(),
                        validators: validators(&p.shape),
                        ..blank_attr()
                    });
                }
                None => errs.push(
                    format!("list.filters.{q}"),
                    format!("operation {} has no query parameter {q:?}", l.operation),
                ),
            }
        }
        let item_attrs = computed_attrs(&items, ov, &d.ignore, &[], &d.attributes, errs);
        attrs.push(AttrIr {
            name: l.into.clone(),
            ty: TyIr::List(Box::new(TyIr::Object(item_attrs))),
            description: "Every matching object, across all pages.".into(),
            ..blank_attr()
        });
        let op = op_ir(&info, &IndexMap::new(), &l.filters, errs, "list.filters");
        return Some(DataSourceIr {
            name: d.data_source.clone(),
            description: d.description.clone(),
            attrs,
            kind: DataKindIr::List {
                op,
                into: l.into.clone(),
            },
            example: d.example.clone(),
            file: String::new(),
        });
    }
    let mut lookups = vec![];
    let mut result_props: IndexMap<String, Shape> = IndexMap::new();
    let mut args: Vec<(String, Shape, String)> = vec![];
    for (arg, l) in &d.lookups {
        let key = format!("lookups.{arg}");
        let Some(info) = operation(resolver, &l.operation, errs, &format!("{key}.operation"))
        else {
            continue;
        };
        for p in l.params.keys() {
            if !info.path_params.iter().any(|q| &q.name == p) {
                errs.push(
                    format!("{key}.params.{p}"),
                    format!("operation {} has no path parameter {p:?}", l.operation),
                );
            }
        }
        let mut params = l.params.clone();
        for p in &info.path_params {
            params.entry(p.name.clone()).or_insert(arg.clone());
        }
        let op = op_ir(&info, &params, &l.query, errs, &format!("{key}.query"));
        let shape = if l.expect_one {
            let item = list_item(&info);
            if item.is_none() {
                errs.push(
                    format!("{key}.expect_one"),
                    format!("{} does not return a list", l.operation),
                );
            }
            item
        } else {
            info.response.clone()
        };
        for (k, v) in object_props(&shape).0 {
            result_props.entry(k).or_insert(v);
        }
        let arg_shape = info
            .path_params
            .iter()
            .chain(info.query_params.iter())
            .find(|p| params.get(&p.name) == Some(arg) || l.query.get(&p.name) == Some(arg))
            .map(|p| p.shape.clone());
        let arg_shape = match arg_shape {
            Some(Shape {
                kind: Kind::Array(item),
                ..
            }) => *item,
            Some(s) => s,
            None => {
                errs.push(
                    key.clone(),
                    format!(
                        "operation {} takes no parameter bound to {arg:?}",
                        l.operation
                    ),
                );
                continue;
            }
        };
        args.push((
            arg.clone(),
            arg_shape,
            l.description.clone().unwrap_or_default(),
        ));
        lookups.push(LookupIr {
            arg: arg.clone(),
            op,
            expect_one: l.expect_one,
        });
    }
    for f in &d.ignore {
        if !result_props.contains_key(f) {
            errs.push(
                format!("ignore.{f}"),
                "no such field in the lookup responses",
            );
        }
    }
    for k in d.attributes.keys() {
        if !result_props.contains_key(k) && !d.lookups.contains_key(k) {
            errs.push(
                format!("attributes.{k}"),
                "no such field in the lookup responses",
            );
        }
    }
    let mut attrs = computed_attrs(&result_props, ov, &d.ignore, &[], &d.attributes, errs);
    for (arg, shape, desc) in args {
        // A lookup argument that is also a result: optional+computed; otherwise optional.
        let single_query = lookups
            .iter()
            .any(|l| l.arg == arg && l.op.query_params.iter().any(|q| q.attr == arg));
        match attrs.iter_mut().find(|a| a.name == arg) {
            Some(a) => {
                a.mode = "OptionalComputed".into();
                if !desc.is_empty() {
                    a.description = desc;
                }
            }
            None => {
                let mut validators = validators(&shape);
                if single_query {
                    validators.retain(|v| !matches!(v, ValidatorIr::Each(_)));
                }
                attrs.push(AttrIr {
                    name: arg.clone(),
                    ty: TyIr::String,
                    mode: "Optional".into(),
                    description: if desc.is_empty() {
                        shape.description.clone()
                    } else {
                        desc
                    },
                    validators,
                    ..blank_attr()
                })
            }
        }
    }
    // Single-value query arguments bound to array parameters are sent as one element.
    for l in &mut lookups {
        for q in &mut l.op.query_params {
            q.explode = true;
        }
    }
    Some(DataSourceIr {
        name: d.data_source.clone(),
        description: d.description.clone(),
        attrs,
        kind: DataKindIr::Single(lookups),
        example: d.example.clone(),
        file: String::new(),
    })
}
