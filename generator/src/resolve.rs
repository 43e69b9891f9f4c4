//! Resolve stage: `$ref`s followed, `allOf` merged, object unions flattened, into `Shape`s —
//! the simple view of a schema the IR stage needs.

use crate::error::{Error, Result};
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Response, Schema,
    SchemaKind, StatusCode, Type, VariantOrUnknownOrEmpty,
};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Array(Box<Shape>),
    Object { properties: IndexMap<String, Shape>, required: BTreeSet<String>, additional: Option<Box<Shape>> },
    Any,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shape {
    pub kind: Kind,
    pub nullable: bool,
    pub description: String,
    pub deprecated: bool,
    pub enum_values: Vec<String>,
    pub format: Option<String>,
    pub pattern: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    pub max_properties: Option<u64>,
    pub property_name_max_length: Option<u64>,
    pub default: Option<serde_json::Value>,
    pub read_only: bool,
    pub write_only: bool,
    pub extensions: BTreeMap<String, serde_json::Value>,
}

impl Shape {
    pub fn any() -> Shape {
        Shape {
            kind: Kind::Any,
            nullable: false,
            description: String::new(),
            deprecated: false,
            enum_values: vec![],
            format: None,
            pattern: None,
            min_length: None,
            max_length: None,
            minimum: None,
            maximum: None,
            min_items: None,
            max_items: None,
            unique_items: false,
            max_properties: None,
            property_name_max_length: None,
            default: None,
            read_only: false,
            write_only: false,
            extensions: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    pub name: String,
    pub required: bool,
    pub description: String,
    pub shape: Shape,
    pub explode: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationInfo {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub tags: Vec<String>,
    pub deprecated: bool,
    pub path_params: Vec<Param>,
    pub query_params: Vec<Param>,
    pub request_body: Option<Shape>,
    pub request_body_required: bool,
    pub success_status: u16,
    pub response: Option<Shape>,
}

pub struct Resolver<'a> {
    api: &'a OpenAPI,
    stack: RefCell<Vec<String>>,
}

fn ref_name<'r>(r: &'r str, prefix: &str) -> Option<&'r str> {
    r.strip_prefix(prefix)
}

impl<'a> Resolver<'a> {
    pub fn new(api: &'a OpenAPI) -> Self {
        Self { api, stack: RefCell::new(vec![]) }
    }

    fn all_ops(&self) -> Vec<(String, String, &'a Operation, Vec<ReferenceOr<Parameter>>)> {
        let mut out = vec![];
        for (path, item) in &self.api.paths.paths {
            let ReferenceOr::Item(item) = item else { continue };
            for (method, op) in item.iter() {
                out.push((path.clone(), method.to_uppercase(), op, item.parameters.clone()));
            }
        }
        out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        out
    }

    pub fn operations(&self) -> Vec<OperationInfo> {
        self.all_ops().into_iter().filter_map(|(p, m, op, common)| self.info(&p, &m, op, &common).ok()).collect()
    }

    pub fn operation(&self, operation_id: &str) -> Result<OperationInfo> {
        for (p, m, op, common) in self.all_ops() {
            if op.operation_id.as_deref() == Some(operation_id) {
                return self.info(&p, &m, op, &common);
            }
        }
        Err(Error::UnknownOperation(operation_id.to_string()))
    }

    pub fn component(&self, name: &str) -> Result<Shape> {
        self.shape(&ReferenceOr::Reference { reference: format!("#/components/schemas/{name}") })
    }

    fn parameter(&self, p: &ReferenceOr<Parameter>) -> Result<Parameter> {
        match p {
            ReferenceOr::Item(p) => Ok(p.clone()),
            ReferenceOr::Reference { reference } => {
                let name = ref_name(reference, "#/components/parameters/").ok_or_else(|| Error::Resolve(format!("unsupported $ref {reference}")))?;
                let c = self.api.components.as_ref().and_then(|c| c.parameters.get(name)).ok_or_else(|| Error::Resolve(format!("missing {reference}")))?;
                self.parameter(c)
            }
        }
    }

    fn request_body(&self, b: &ReferenceOr<RequestBody>) -> Result<RequestBody> {
        match b {
            ReferenceOr::Item(b) => Ok(b.clone()),
            ReferenceOr::Reference { reference } => {
                let name = ref_name(reference, "#/components/requestBodies/").ok_or_else(|| Error::Resolve(format!("unsupported $ref {reference}")))?;
                let c = self.api.components.as_ref().and_then(|c| c.request_bodies.get(name)).ok_or_else(|| Error::Resolve(format!("missing {reference}")))?;
                self.request_body(c)
            }
        }
    }

    fn response(&self, r: &ReferenceOr<Response>) -> Result<Response> {
        match r {
            ReferenceOr::Item(r) => Ok(r.clone()),
            ReferenceOr::Reference { reference } => {
                let name = ref_name(reference, "#/components/responses/").ok_or_else(|| Error::Resolve(format!("unsupported $ref {reference}")))?;
                let c = self.api.components.as_ref().and_then(|c| c.responses.get(name)).ok_or_else(|| Error::Resolve(format!("missing {reference}")))?;
                self.response(c)
            }
        }
    }

    fn info(&self, path: &str, method: &str, op: &Operation, common: &[ReferenceOr<Parameter>]) -> Result<OperationInfo> {
        let mut path_params = vec![];
        let mut query_params = vec![];
        for p in common.iter().chain(op.parameters.iter()) {
            let p = self.parameter(p)?;
            let (data, is_path, explode) = match &p {
                Parameter::Path { parameter_data, .. } => (parameter_data, true, false),
                Parameter::Query { parameter_data, .. } => (parameter_data, false, parameter_data.explode.unwrap_or(true)),
                _ => continue,
            };
            let shape = match &data.format {
                ParameterSchemaOrContent::Schema(s) => self.shape(s)?,
                ParameterSchemaOrContent::Content(_) => Shape::any(),
            };
            let param = Param { name: data.name.clone(), required: data.required, description: data.description.clone().unwrap_or_default(), shape, explode };
            let list = if is_path { &mut path_params } else { &mut query_params };
            list.retain(|q: &Param| q.name != param.name);
            list.push(param);
        }
        let (request_body, request_body_required) = match &op.request_body {
            Some(b) => {
                let b = self.request_body(b)?;
                let shape = match b.content.get("application/json").and_then(|m| m.schema.as_ref()) {
                    Some(s) => Some(self.shape(s)?),
                    None => None,
                };
                (shape, b.required)
            }
            None => (None, false),
        };
        let mut success_status = 0;
        let mut response = None;
        for (code, r) in &op.responses.responses {
            let StatusCode::Code(c) = code else { continue };
            if !(200..300).contains(c) {
                continue;
            }
            let r = self.response(r)?;
            let schema = r.content.get("application/json").and_then(|m| m.schema.as_ref());
            if success_status == 0 {
                success_status = *c;
            }
            if let Some(s) = schema {
                success_status = *c;
                response = Some(self.shape(s)?);
                break;
            }
        }
        Ok(OperationInfo {
            operation_id: op.operation_id.clone().unwrap_or_else(|| format!("{method} {path}")),
            method: method.to_string(),
            path: path.to_string(),
            summary: op.summary.clone().unwrap_or_default(),
            description: op.description.clone().unwrap_or_default(),
            tags: op.tags.clone(),
            deprecated: op.deprecated,
            path_params,
            query_params,
            request_body,
            request_body_required,
            success_status,
            response,
        })
    }

    fn boxed(&self, s: &ReferenceOr<Box<Schema>>) -> Result<Shape> {
        match s {
            ReferenceOr::Item(b) => self.schema(b),
            ReferenceOr::Reference { reference } => self.shape(&ReferenceOr::Reference { reference: reference.clone() }),
        }
    }

    pub fn shape(&self, schema: &ReferenceOr<Schema>) -> Result<Shape> {
        match schema {
            ReferenceOr::Item(s) => self.schema(s),
            ReferenceOr::Reference { reference } => {
                let name = ref_name(reference, "#/components/schemas/").ok_or_else(|| Error::Resolve(format!("unsupported $ref {reference}")))?;
                if self.stack.borrow().iter().any(|n| n == name) {
                    let mut s = Shape::any();
                    s.extensions.insert("x-recursive-ref".into(), serde_json::Value::String(name.to_string()));
                    return Ok(s);
                }
                let target = self.api.components.as_ref().and_then(|c| c.schemas.get(name)).ok_or_else(|| Error::Resolve(format!("missing {reference}")))?;
                self.stack.borrow_mut().push(name.to_string());
                let out = self.shape(target);
                self.stack.borrow_mut().pop();
                out
            }
        }
    }

    fn schema(&self, s: &Schema) -> Result<Shape> {
        let d = &s.schema_data;
        let mut shape = Shape::any();
        shape.nullable = d.nullable;
        shape.description = d.description.clone().unwrap_or_default();
        shape.deprecated = d.deprecated;
        shape.default = d.default.clone();
        shape.read_only = d.read_only;
        shape.write_only = d.write_only;
        shape.extensions = d.extensions.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        shape.property_name_max_length = d.extensions.get("x-property-names-max-length").and_then(|v| v.as_u64());
        match &s.schema_kind {
            SchemaKind::Type(t) => self.typed(t, &mut shape)?,
            SchemaKind::AllOf { all_of } => {
                let parts = all_of.iter().map(|p| self.shape(p)).collect::<Result<Vec<_>>>()?;
                merge_all(&mut shape, parts);
            }
            SchemaKind::OneOf { one_of } => self.union(one_of, &mut shape)?,
            SchemaKind::AnyOf { any_of } => self.union(any_of, &mut shape)?,
            SchemaKind::Not { .. } => {}
            SchemaKind::Any(a) => {
                // Mixed keywords: combine what is there.
                let mut parts = vec![];
                if !a.properties.is_empty() || a.typ.as_deref() == Some("object") || a.additional_properties.is_some() {
                    let mut o = Shape::any();
                    let mut properties = IndexMap::new();
                    for (k, v) in &a.properties {
                        properties.insert(k.clone(), self.boxed(v)?);
                    }
                    let additional = self.additional(&a.additional_properties)?;
                    o.kind = Kind::Object { properties, required: a.required.iter().cloned().collect(), additional };
                    o.max_properties = a.max_properties.map(|n| n as u64);
                    parts.push(o);
                }
                for p in &a.all_of {
                    parts.push(self.shape(p)?);
                }
                if !a.one_of.is_empty() || !a.any_of.is_empty() {
                    let mut u = Shape::any();
                    let variants: Vec<_> = a.one_of.iter().chain(a.any_of.iter()).cloned().collect();
                    self.union(&variants, &mut u)?;
                    parts.push(u);
                }
                if parts.is_empty() {
                    match a.typ.as_deref() {
                        Some("string") => {
                            shape.kind = Kind::String;
                            shape.enum_values = a.enumeration.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
                            shape.pattern = a.pattern.clone();
                            shape.format = a.format.clone();
                            shape.max_length = a.max_length.map(|n| n as u64);
                            shape.min_length = a.min_length.map(|n| n as u64);
                        }
                        Some("integer") => shape.kind = Kind::Integer,
                        Some("number") => shape.kind = Kind::Number,
                        Some("boolean") => shape.kind = Kind::Boolean,
                        Some("array") => {
                            let items = match &a.items {
                                Some(i) => self.boxed(i)?,
                                None => Shape::any(),
                            };
                            shape.kind = Kind::Array(Box::new(items));
                        }
                        _ => {}
                    }
                } else {
                    merge_all(&mut shape, parts);
                }
            }
        }
        Ok(shape)
    }

    fn additional(&self, a: &Option<AdditionalProperties>) -> Result<Option<Box<Shape>>> {
        Ok(match a {
            Some(AdditionalProperties::Schema(s)) => Some(Box::new(self.shape(s)?)),
            Some(AdditionalProperties::Any(true)) => Some(Box::new(Shape::any())),
            _ => None,
        })
    }

    fn typed(&self, t: &Type, shape: &mut Shape) -> Result<()> {
        match t {
            Type::String(s) => {
                shape.kind = Kind::String;
                shape.format = match &s.format {
                    VariantOrUnknownOrEmpty::Item(f) => Some(format!("{f:?}").to_lowercase().replace("datetime", "date-time")),
                    VariantOrUnknownOrEmpty::Unknown(u) => Some(u.clone()),
                    VariantOrUnknownOrEmpty::Empty => None,
                };
                shape.pattern = s.pattern.clone();
                shape.enum_values = s.enumeration.iter().flatten().cloned().collect();
                shape.min_length = s.min_length.map(|n| n as u64);
                shape.max_length = s.max_length.map(|n| n as u64);
            }
            Type::Number(n) => {
                shape.kind = Kind::Number;
                shape.minimum = n.minimum;
                shape.maximum = n.maximum;
            }
            Type::Integer(n) => {
                shape.kind = Kind::Integer;
                shape.minimum = n.minimum.map(|x| x as f64);
                shape.maximum = n.maximum.map(|x| x as f64);
            }
            Type::Boolean(_) => shape.kind = Kind::Boolean,
            Type::Array(a) => {
                let items = match &a.items {
                    Some(i) => self.boxed(i)?,
                    None => Shape::any(),
                };
                shape.kind = Kind::Array(Box::new(items));
                shape.min_items = a.min_items.map(|n| n as u64);
                shape.max_items = a.max_items.map(|n| n as u64);
                shape.unique_items = a.unique_items;
            }
            Type::Object(o) => {
                let mut properties = IndexMap::new();
                for (k, v) in &o.properties {
                    properties.insert(k.clone(), self.boxed(v)?);
                }
                shape.kind = Kind::Object { properties, required: o.required.iter().cloned().collect(), additional: self.additional(&o.additional_properties)? };
                shape.max_properties = o.max_properties.map(|n| n as u64);
            }
        }
        Ok(())
    }

    /// oneOf/anyOf: all-object variants become one object with the union of their properties
    /// (required only if required in every variant); a single non-null variant is that variant.
    fn union(&self, variants: &[ReferenceOr<Schema>], shape: &mut Shape) -> Result<()> {
        let parts = variants.iter().map(|v| self.shape(v)).collect::<Result<Vec<_>>>()?;
        let parts: Vec<Shape> = parts.into_iter().filter(|p| !(matches!(p.kind, Kind::Any) && p.extensions.is_empty() && p.description.is_empty() && p.enum_values.is_empty())).collect();
        if parts.len() == 1 {
            let desc = std::mem::take(&mut shape.description);
            let nullable = shape.nullable;
            *shape = Shape { nullable: nullable || parts[0].nullable, ..parts[0].clone() };
            if !desc.is_empty() {
                shape.description = desc;
            }
            return Ok(());
        }
        if !parts.is_empty() && parts.iter().all(|p| matches!(p.kind, Kind::Object { .. })) {
            let mut properties = IndexMap::new();
            let mut required: Option<BTreeSet<String>> = None;
            let mut groups = vec![];
            for p in &parts {
                if let Kind::Object { properties: ps, required: rq, .. } = &p.kind {
                    groups.push(serde_json::Value::Array(ps.keys().map(|k| serde_json::Value::String(k.clone())).collect()));
                    for (k, v) in ps {
                        properties.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    required = Some(match required {
                        None => rq.clone(),
                        Some(r) => r.intersection(rq).cloned().collect(),
                    });
                }
            }
            shape.kind = Kind::Object { properties, required: required.unwrap_or_default(), additional: None };
            shape.extensions.insert("x-one-of-groups".into(), serde_json::Value::Array(groups));
        } else if !parts.is_empty() && parts.iter().all(|p| p.kind == Kind::String) {
            shape.kind = Kind::String;
            shape.enum_values = parts.iter().flat_map(|p| p.enum_values.clone()).collect();
            if parts.iter().any(|p| p.enum_values.is_empty()) {
                shape.enum_values.clear();
            }
        }
        Ok(())
    }
}

/// allOf: properties and required sets unioned, scalar facets taken from the first part
/// that has them.
fn merge_all(shape: &mut Shape, parts: Vec<Shape>) {
    let mut properties = IndexMap::new();
    let mut required = BTreeSet::new();
    let mut additional = None;
    let mut is_object = false;
    for p in parts {
        shape.nullable |= p.nullable;
        if shape.description.is_empty() {
            shape.description = p.description.clone();
        }
        for (k, v) in p.extensions {
            shape.extensions.entry(k).or_insert(v);
        }
        match p.kind {
            Kind::Object { properties: ps, required: rq, additional: ad } => {
                is_object = true;
                for (k, v) in ps {
                    properties.insert(k, v);
                }
                required.extend(rq);
                additional = additional.or(ad);
            }
            Kind::Any => {}
            other => {
                if !is_object {
                    shape.kind = other;
                    shape.enum_values = p.enum_values;
                    shape.format = p.format;
                    shape.pattern = p.pattern;
                    shape.max_length = p.max_length;
                    shape.min_length = p.min_length;
                }
            }
        }
    }
    if is_object {
        shape.kind = Kind::Object { properties, required, additional };
    }
}
