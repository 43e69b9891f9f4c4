//! Resolve stage: `$ref`s followed, `allOf` merged, object unions flattened, into `Shape`s —
//! the simple view of a schema the IR stage needs.
//!
//! Rules:
//! - `$ref`s (schemas, parameters, request bodies, responses) are followed; a schema reference
//!   met again while it is being resolved becomes `Kind::Any` with the extension
//!   `x-recursive-ref: <name>` instead of recursing forever.
//! - `allOf` merges its parts: properties and required sets unioned, the first non-empty
//!   description and the first value of each facet kept, `nullable`/`deprecated` OR'ed.
//! - `oneOf`/`anyOf` of objects become one object with the union of the variants' properties;
//!   a property is required only if every variant requires it; the variants' property names are
//!   kept in `x-one-of-groups` (an array of arrays, in variant order). A union of one non-null
//!   variant is that variant (nullable if the union allowed null); a union of one scalar kind is
//!   that kind (string enums unioned); other unions are `Kind::Any` with the description kept.
//! - `not` is ignored for shape purposes.
//! - Property order is the spec's.

use crate::error::{Error, Result};
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, AnySchema, Components, IntegerFormat, NumberFormat, OpenAPI, Operation,
    Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Response, Schema, SchemaKind,
    StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde::Serialize;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Array(Box<Shape>),
    Object {
        properties: IndexMap<String, Shape>,
        required: BTreeSet<String>,
        additional: Option<Box<Shape>>,
    },
    #[default]
    Any,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
    /// A shape that says nothing (`Kind::Any`, every facet unset).
    pub fn any() -> Shape {
        Shape::default()
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
    /// The operation's `x-` extensions (e.g. `x-mutually-exclusive-body-groups`,
    /// `x-sends-email`, `x-feature-flag`), YAML anchors already expanded.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: BTreeMap<String, Value>,
}

/// Resolves operations and schemas of a parsed spec into [`OperationInfo`]s and [`Shape`]s.
pub struct Resolver<'a> {
    api: &'a OpenAPI,
    /// Names of the component schemas being resolved (cycle protection).
    stack: RefCell<Vec<String>>,
}

/// How many `$ref` hops a parameter / request body / response may take.
const MAX_REF_HOPS: usize = 32;

/// A component kind reached through `$ref`s: where its components live and what it is called.
trait Component: Sized {
    const KIND: &'static str;
    const PREFIX: &'static str;
    fn lookup(c: &Components) -> &IndexMap<String, ReferenceOr<Self>>;
}

/// `impl Component for $ty`: its kind's name, `$ref` prefix and `Components` field.
macro_rules! component {
    ($ty:ty, $kind:literal, $prefix:literal, $field:ident) => {
        impl Component for $ty {
            const KIND: &'static str = $kind;
            const PREFIX: &'static str = $prefix;
            fn lookup(c: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
                &c.$field
            }
        }
    };
}

component!(
    Parameter,
    "parameter",
    "#/components/parameters/",
    parameters
);
component!(
    RequestBody,
    "request body",
    "#/components/requestBodies/",
    request_bodies
);
component!(Response, "response", "#/components/responses/", responses);
component!(Schema, "schema", "#/components/schemas/", schemas);

/// The component name of a local `$ref` under `prefix`, JSON-pointer unescaped.
fn ref_name(reference: &str, prefix: &str) -> Result<String> {
    reference
        .strip_prefix(prefix)
        .map(|n| n.replace("~1", "/").replace("~0", "~"))
        .ok_or_else(|| {
            Error::Resolve(format!(
                "unsupported $ref {reference:?} (expected {prefix}...)"
            ))
        })
}

/// A JSON media type key (`application/json`, `application/problem+json`, ...).
fn is_json(media: &str) -> bool {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    m == "application/json" || m.ends_with("+json")
}

/// The schema of the JSON media type if there is one, else of the first media type with a schema.
fn pick_schema(
    content: &IndexMap<String, openapiv3::MediaType>,
    json_only: bool,
) -> Option<&ReferenceOr<Schema>> {
    content
        .iter()
        .find(|(k, m)| is_json(k) && m.schema.is_some())
        .or_else(|| {
            if json_only {
                None
            } else {
                content.iter().find(|(_, m)| m.schema.is_some())
            }
        })
        .and_then(|(_, m)| m.schema.as_ref())
}

impl<'a> Resolver<'a> {
    pub fn new(api: &'a OpenAPI) -> Self {
        Self {
            api,
            stack: RefCell::new(vec![]),
        }
    }

    /// Every operation with its path, upper-case method and the path-level parameters,
    /// sorted by (path, method).
    fn all_ops(&self) -> Vec<(&'a str, String, &'a Operation, &'a [ReferenceOr<Parameter>])> {
        let mut out = vec![];
        for (path, item) in &self.api.paths.paths {
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            for (method, op) in item.iter() {
                out.push((
                    path.as_str(),
                    method.to_uppercase(),
                    op,
                    item.parameters.as_slice(),
                ));
            }
        }
        out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        out
    }

    /// All operations, sorted by (path, method). An operation that fails to resolve is left
    /// out; [`Resolver::operation`] on its id reports why.
    pub fn operations(&self) -> Vec<OperationInfo> {
        self.all_ops()
            .into_iter()
            .filter_map(|(p, m, op, common)| self.info(p, &m, op, common).ok())
            .collect()
    }

    /// The operation with this `operationId`; `Error::UnknownOperation` if there is none.
    pub fn operation(&self, operation_id: &str) -> Result<OperationInfo> {
        for (p, m, op, common) in self.all_ops() {
            if op.operation_id.as_deref() == Some(operation_id) {
                return self.info(p, &m, op, common);
            }
        }
        Err(Error::UnknownOperation(operation_id.to_string()))
    }

    /// The shape of `#/components/schemas/<name>`.
    pub fn component(&self, name: &str) -> Result<Shape> {
        if self
            .api
            .components
            .as_ref()
            .and_then(|c| c.schemas.get(name))
            .is_none()
        {
            return Err(Error::Resolve(format!("no component schema {name:?}")));
        }
        self.shape(&ReferenceOr::Reference {
            reference: format!("#/components/schemas/{name}"),
        })
    }

    /// Follow `$ref`s to a parameter, request body or response (at most [`MAX_REF_HOPS`]).
    fn follow<T: Component>(&self, r: &'a ReferenceOr<T>) -> Result<&'a T> {
        let mut cur = r;
        for _ in 0..MAX_REF_HOPS {
            match cur {
                ReferenceOr::Item(item) => return Ok(item),
                ReferenceOr::Reference { reference } => {
                    let name = ref_name(reference, T::PREFIX)?;
                    cur = (self.api.components.as_ref())
                        .and_then(|c| T::lookup(c).get(&name))
                        .ok_or_else(|| Error::Resolve(format!("missing {reference}")))?;
                }
            }
        }
        Err(Error::Resolve(format!(
            "{} $ref chain too long (cycle?)",
            T::KIND
        )))
    }

    fn info(
        &self,
        path: &str,
        method: &str,
        op: &'a Operation,
        common: &'a [ReferenceOr<Parameter>],
    ) -> Result<OperationInfo> {
        let id = op
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{method} {path}"));
        let ctx = |e: Error| match e {
            Error::Resolve(m) => Error::Resolve(format!("operation {id}: {m}")),
            other => other,
        };
        let (path_params, query_params) = self.params(common, &op.parameters).map_err(ctx)?;
        let (request_body, request_body_required) = self.request_body(op).map_err(ctx)?;
        let (success_status, response) = self.success_response(op).map_err(ctx)?;
        Ok(OperationInfo {
            operation_id: id.clone(),
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
            extensions: (op.extensions.iter())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }

    /// Path and query parameters (path-level ones first; an operation-level parameter
    /// replaces a path-level one of the same name). Header and cookie parameters are left out.
    fn params(
        &self,
        common: &'a [ReferenceOr<Parameter>],
        own: &'a [ReferenceOr<Parameter>],
    ) -> Result<(Vec<Param>, Vec<Param>)> {
        let (mut path_params, mut query_params) = (vec![], vec![]);
        for p in common.iter().chain(own) {
            let (data, is_path, explode) = match self.follow(p)? {
                Parameter::Path { parameter_data, .. } => (
                    parameter_data,
                    true,
                    parameter_data.explode.unwrap_or(false),
                ),
                Parameter::Query {
                    parameter_data,
                    style,
                    ..
                } => {
                    let form = matches!(style, openapiv3::QueryStyle::Form);
                    (
                        parameter_data,
                        false,
                        parameter_data.explode.unwrap_or(form),
                    )
                }
                _ => continue,
            };
            let mut shape = match &data.format {
                ParameterSchemaOrContent::Schema(s) => self.shape(s)?,
                ParameterSchemaOrContent::Content(c) => match pick_schema(c, false) {
                    Some(s) => self.shape(s)?,
                    None => Shape::any(),
                },
            };
            shape.deprecated |= data.deprecated == Some(true);
            let param = Param {
                name: data.name.clone(),
                required: data.required || is_path,
                description: data.description.clone().unwrap_or_default(),
                shape,
                explode,
            };
            let list = if is_path {
                &mut path_params
            } else {
                &mut query_params
            };
            match list.iter().position(|q: &Param| q.name == param.name) {
                Some(i) => list[i] = param,
                None => list.push(param),
            }
        }
        Ok((path_params, query_params))
    }

    /// The request body's shape (JSON preferred) and whether the body is required.
    fn request_body(&self, op: &'a Operation) -> Result<(Option<Shape>, bool)> {
        let Some(b) = &op.request_body else {
            return Ok((None, false));
        };
        let b = self.follow(b)?;
        let shape = pick_schema(&b.content, false)
            .map(|s| self.shape(s))
            .transpose()?;
        Ok((shape, b.required))
    }

    /// The first 2xx response with a JSON body, in numeric order (a `2XX` range counts as 200,
    /// after the explicit codes): its status and shape. Without one, the first 2xx status.
    fn success_response(&self, op: &'a Operation) -> Result<(u16, Option<Shape>)> {
        let mut codes: Vec<(u16, u16, &'a ReferenceOr<Response>)> = (op.responses.responses)
            .iter()
            .filter_map(|(code, r)| match code {
                StatusCode::Code(c) if (200..300).contains(c) => Some((*c, 0, r)),
                StatusCode::Range(2) => Some((200, 1, r)),
                _ => None,
            })
            .collect();
        codes.sort_by_key(|(c, rank, _)| (*rank, *c));
        for (c, _, r) in &codes {
            if let Some(s) = pick_schema(&self.follow(r)?.content, true) {
                return Ok((*c, Some(self.shape(s)?)));
            }
        }
        Ok((codes.first().map_or(0, |(c, _, _)| *c), None))
    }

    fn boxed(&self, s: &ReferenceOr<Box<Schema>>) -> Result<Shape> {
        match s {
            ReferenceOr::Item(b) => self.schema(b),
            ReferenceOr::Reference { reference } => self.reference(reference),
        }
    }

    /// The shape of a schema or schema reference.
    pub fn shape(&self, schema: &ReferenceOr<Schema>) -> Result<Shape> {
        match schema {
            ReferenceOr::Item(s) => self.schema(s),
            ReferenceOr::Reference { reference } => self.reference(reference),
        }
    }

    fn reference(&self, reference: &str) -> Result<Shape> {
        let name = ref_name(reference, Schema::PREFIX)?;
        if self.stack.borrow().contains(&name) {
            let mut s = Shape::any();
            s.extensions
                .insert("x-recursive-ref".into(), Value::String(name));
            return Ok(s);
        }
        let target = (self.api.components.as_ref())
            .and_then(|c| Schema::lookup(c).get(&name))
            .ok_or_else(|| Error::Resolve(format!("missing schema {reference}")))?;
        self.stack.borrow_mut().push(name.clone());
        let out = self.shape(target).map_err(|e| match e {
            Error::Resolve(m) if !m.contains(" in schema ") => {
                Error::Resolve(format!("{m} in schema {name}"))
            }
            other => other,
        });
        self.stack.borrow_mut().pop();
        out
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
        shape.extensions = d
            .extensions
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        shape.property_name_max_length = d
            .extensions
            .get("x-property-names-max-length")
            .and_then(Value::as_u64);
        match &s.schema_kind {
            SchemaKind::Type(t) => self.typed(t, &mut shape)?,
            SchemaKind::AllOf { all_of } => {
                let parts = all_of
                    .iter()
                    .map(|p| self.shape(p))
                    .collect::<Result<Vec<_>>>()?;
                merge_all(&mut shape, parts);
            }
            SchemaKind::OneOf { one_of } => self.union(one_of, &mut shape)?,
            SchemaKind::AnyOf { any_of } => self.union(any_of, &mut shape)?,
            SchemaKind::Not { .. } => {}
            SchemaKind::Any(a) => self.any_schema(a, &mut shape)?,
        }
        Ok(shape)
    }

    /// A schema mixing keywords (e.g. `type: object` + `oneOf`, or no `type` at all): its own
    /// keywords, its `allOf` parts and its union are combined like an `allOf`.
    fn any_schema(&self, a: &AnySchema, shape: &mut Shape) -> Result<()> {
        let mut own = Shape::any();
        let is_object = a.typ.as_deref() == Some("object")
            || !a.properties.is_empty()
            || a.additional_properties.is_some()
            || !a.required.is_empty()
            || a.max_properties.is_some();
        match a.typ.as_deref() {
            _ if is_object => {
                let mut properties = IndexMap::new();
                for (k, v) in &a.properties {
                    properties.insert(k.clone(), self.boxed(v)?);
                }
                let additional = self.additional(&a.additional_properties)?;
                own.kind = Kind::Object {
                    properties,
                    required: a.required.iter().cloned().collect(),
                    additional,
                };
                own.max_properties = a.max_properties.map(|n| n as u64);
            }
            Some("string") => own.kind = Kind::String,
            Some("integer") => own.kind = Kind::Integer,
            Some("number") => own.kind = Kind::Number,
            Some("boolean") => own.kind = Kind::Boolean,
            Some("array") => {
                let items = match &a.items {
                    Some(i) => self.boxed(i)?,
                    None => Shape::any(),
                };
                own.kind = Kind::Array(Box::new(items));
            }
            None if !a.enumeration.is_empty()
                && a.enumeration.iter().all(|v| v.is_string() || v.is_null()) =>
            {
                own.kind = Kind::String
            }
            _ => {}
        }
        if matches!(own.kind, Kind::String) {
            own.enum_values = a
                .enumeration
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            own.pattern = a.pattern.clone();
            own.min_length = a.min_length.map(|n| n as u64);
            own.max_length = a.max_length.map(|n| n as u64);
        }
        if matches!(own.kind, Kind::Integer | Kind::Number) {
            own.minimum = a.minimum;
            own.maximum = a.maximum;
        }
        if matches!(own.kind, Kind::Array(_)) {
            own.min_items = a.min_items.map(|n| n as u64);
            own.max_items = a.max_items.map(|n| n as u64);
            own.unique_items = a.unique_items.unwrap_or(false);
        }
        own.format = a.format.clone();

        let mut parts = vec![own];
        for p in &a.all_of {
            parts.push(self.shape(p)?);
        }
        if !a.one_of.is_empty() || !a.any_of.is_empty() {
            let mut u = Shape::any();
            let variants: Vec<_> = a.one_of.iter().chain(a.any_of.iter()).cloned().collect();
            self.union(&variants, &mut u)?;
            parts.push(u);
        }
        merge_all(shape, parts);
        Ok(())
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
                shape.format = format_name(&s.format, |f| match f {
                    StringFormat::Date => "date",
                    StringFormat::DateTime => "date-time",
                    StringFormat::Password => "password",
                    StringFormat::Byte => "byte",
                    StringFormat::Binary => "binary",
                });
                shape.pattern = s.pattern.clone();
                shape.enum_values = s.enumeration.iter().flatten().cloned().collect();
                shape.min_length = s.min_length.map(|n| n as u64);
                shape.max_length = s.max_length.map(|n| n as u64);
            }
            Type::Number(n) => {
                shape.kind = Kind::Number;
                shape.format = format_name(&n.format, |f| match f {
                    NumberFormat::Float => "float",
                    NumberFormat::Double => "double",
                });
                shape.minimum = n.minimum;
                shape.maximum = n.maximum;
            }
            Type::Integer(n) => {
                shape.kind = Kind::Integer;
                shape.format = format_name(&n.format, |f| match f {
                    IntegerFormat::Int32 => "int32",
                    IntegerFormat::Int64 => "int64",
                });
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
                shape.kind = Kind::Object {
                    properties,
                    required: o.required.iter().cloned().collect(),
                    additional: self.additional(&o.additional_properties)?,
                };
                shape.max_properties = o.max_properties.map(|n| n as u64);
            }
        }
        Ok(())
    }

    /// `oneOf`/`anyOf` (see the module docs).
    fn union(&self, variants: &[ReferenceOr<Schema>], shape: &mut Shape) -> Result<()> {
        let parts = variants
            .iter()
            .map(|v| self.shape(v))
            .collect::<Result<Vec<_>>>()?;
        // Variants that constrain nothing we can represent (e.g. only a `not`) are dropped.
        let parts: Vec<Shape> = parts.into_iter().filter(|p| !is_unconstrained(p)).collect();
        shape.nullable |= parts.iter().any(|p| p.nullable);
        match parts.len() {
            0 => {}
            1 => union_single(shape, parts.into_iter().next().unwrap_or_else(Shape::any)),
            _ if parts.iter().all(|p| matches!(p.kind, Kind::Object { .. })) => {
                union_objects(shape, &parts)
            }
            _ => union_scalars(shape, &parts),
        }
        Ok(())
    }
}

/// A union of one variant is that variant, keeping what the outer schema says about it.
fn union_single(shape: &mut Shape, variant: Shape) {
    let outer = std::mem::replace(shape, variant);
    shape.nullable |= outer.nullable;
    shape.deprecated |= outer.deprecated;
    shape.read_only |= outer.read_only;
    shape.write_only |= outer.write_only;
    if !outer.description.is_empty() {
        shape.description = outer.description;
    }
    if outer.default.is_some() {
        shape.default = outer.default;
    }
    if outer.property_name_max_length.is_some() {
        shape.property_name_max_length = outer.property_name_max_length;
    }
    shape.extensions.extend(outer.extensions);
}

/// A union of objects: every variant's properties, required only where every variant
/// requires them; the variants' property names kept in `x-one-of-groups`.
fn union_objects(shape: &mut Shape, parts: &[Shape]) {
    let mut properties = IndexMap::new();
    let mut required: Option<BTreeSet<String>> = None;
    let mut additional = None;
    let mut groups = vec![];
    for p in parts {
        if let Kind::Object {
            properties: ps,
            required: rq,
            additional: ad,
        } = &p.kind
        {
            groups.push(Value::Array(
                ps.keys().map(|k| Value::String(k.clone())).collect(),
            ));
            for (k, v) in ps {
                properties.entry(k.clone()).or_insert_with(|| v.clone());
            }
            required = Some(match required {
                None => rq.clone(),
                Some(r) => r.intersection(rq).cloned().collect(),
            });
            if additional.is_none() {
                additional = ad.clone();
            }
        }
        shape.max_properties = shape.max_properties.or(p.max_properties);
        shape.property_name_max_length = shape
            .property_name_max_length
            .or(p.property_name_max_length);
    }
    shape.kind = Kind::Object {
        properties,
        required: required.unwrap_or_default(),
        additional,
    };
    shape
        .extensions
        .insert("x-one-of-groups".into(), Value::Array(groups));
}

/// A union of one scalar kind is that kind (string enums unioned, facets kept where every
/// variant agrees); anything else stays `Kind::Any` (description and extensions kept).
fn union_scalars(shape: &mut Shape, parts: &[Shape]) {
    let first = &parts[0];
    let scalar = matches!(
        first.kind,
        Kind::String | Kind::Integer | Kind::Number | Kind::Boolean
    );
    if !scalar || parts.iter().any(|p| p.kind != first.kind) {
        return;
    }
    shape.kind = first.kind.clone();
    let all = |f: &dyn Fn(&Shape) -> bool| parts.iter().all(f);
    if all(&|p| !p.enum_values.is_empty()) {
        let mut values: Vec<String> = vec![];
        for v in parts.iter().flat_map(|p| p.enum_values.iter()) {
            if !values.contains(v) {
                values.push(v.clone());
            }
        }
        shape.enum_values = values;
    }
    if all(&|p| p.format == first.format) {
        shape.format = first.format.clone();
    }
    if all(&|p| p.pattern == first.pattern) {
        shape.pattern = first.pattern.clone();
    }
    if all(&|p| p.max_length == first.max_length && p.min_length == first.min_length) {
        shape.max_length = first.max_length;
        shape.min_length = first.min_length;
    }
    if all(&|p| p.minimum == first.minimum && p.maximum == first.maximum) {
        shape.minimum = first.minimum;
        shape.maximum = first.maximum;
    }
}

/// A schema's `format` as written in the spec (a known format by `name`, else as given).
fn format_name<T>(
    f: &VariantOrUnknownOrEmpty<T>,
    name: impl Fn(&T) -> &'static str,
) -> Option<String> {
    match f {
        VariantOrUnknownOrEmpty::Item(f) => Some(name(f).to_string()),
        VariantOrUnknownOrEmpty::Unknown(u) => Some(u.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

/// A shape that says nothing: `Kind::Any` with no enum and no extensions.
fn is_unconstrained(p: &Shape) -> bool {
    matches!(p.kind, Kind::Any)
        && p.extensions.is_empty()
        && p.enum_values.is_empty()
        && !p.nullable
}

/// `allOf`: object parts' properties and required sets unioned (a later part's property
/// replaces an earlier one of the same name, in place); otherwise the first part with a
/// concrete kind gives the kind. Each facet takes the first value found (the outer schema's
/// own first); `nullable`, `deprecated`, `readOnly`, `writeOnly`, `uniqueItems` are OR'ed;
/// extensions are merged, the first value of a key winning.
fn merge_all(shape: &mut Shape, parts: Vec<Shape>) {
    let mut properties = IndexMap::new();
    let mut required = BTreeSet::new();
    let mut additional: Option<Box<Shape>> = None;
    let mut is_object = false;
    let mut kind: Option<Kind> = None;
    for p in parts {
        shape.nullable |= p.nullable;
        shape.deprecated |= p.deprecated;
        shape.read_only |= p.read_only;
        shape.write_only |= p.write_only;
        shape.unique_items |= p.unique_items;
        if shape.description.is_empty() {
            shape.description = p.description;
        }
        if shape.enum_values.is_empty() {
            shape.enum_values = p.enum_values;
        }
        shape.format = shape.format.take().or(p.format);
        shape.pattern = shape.pattern.take().or(p.pattern);
        shape.min_length = shape.min_length.or(p.min_length);
        shape.max_length = shape.max_length.or(p.max_length);
        shape.minimum = shape.minimum.or(p.minimum);
        shape.maximum = shape.maximum.or(p.maximum);
        shape.min_items = shape.min_items.or(p.min_items);
        shape.max_items = shape.max_items.or(p.max_items);
        shape.max_properties = shape.max_properties.or(p.max_properties);
        shape.property_name_max_length = shape
            .property_name_max_length
            .or(p.property_name_max_length);
        shape.default = shape.default.take().or(p.default);
        for (k, v) in p.extensions {
            shape.extensions.entry(k).or_insert(v);
        }
        match p.kind {
            Kind::Object {
                properties: ps,
                required: rq,
                additional: ad,
            } => {
                is_object = true;
                for (k, v) in ps {
                    properties.insert(k, v);
                }
                required.extend(rq);
                if additional.is_none() {
                    additional = ad;
                }
            }
            Kind::Any => {}
            other => {
                if kind.is_none() {
                    kind = Some(other);
                }
            }
        }
    }
    if is_object {
        shape.kind = Kind::Object {
            properties,
            required,
            additional,
        };
    } else if let Some(k) = kind {
        shape.kind = k;
    }
}
