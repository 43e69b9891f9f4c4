//! Normalize stage: OpenAPI 3.1 → the 3.0 form `openapiv3` parses, keeping what 3.0 cannot say
//! in `x-` extensions.
//!
//! The walk is schema-aware: only values in schema positions (`components.schemas.*`, every
//! `schema` key, and the sub-schemas of those) get the schema rules, so examples, defaults and
//! property *names* are never rewritten. The output depends only on the input (no hashing, no
//! clocks), and key order is preserved except where a keyword is replaced in place.
//!
//! Rules, per schema object:
//! - `$ref` with sibling keywords (3.1 allows them) → `allOf: [{$ref}]` plus the siblings, so
//!   a sibling `description` is not lost.
//! - `type: [T, "null"]` → `type: T, nullable: true`; `type: "null"` / `["null"]` → no type,
//!   `nullable: true`; several non-null types → no type (any), the list kept in `x-types`.
//! - `const: x` → `enum: [x]`; `examples: [a, ...]` → `example: a`.
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` → `minimum`/`maximum` + boolean flag, the
//!   bound also kept as `x-exclusive-minimum`/`x-exclusive-maximum`.
//! - `propertyNames: {maxLength: n}` → `x-property-names-max-length: n` (and `pattern` →
//!   `x-property-names-pattern`).
//! - `oneOf`/`anyOf` branches that only say "null" are removed and `nullable: true` is set; an
//!   emptied list is dropped.
//! - boolean schemas: `true` → `{}`, `false` → `{not: {}}` (except `additionalProperties`,
//!   where 3.0 accepts booleans).
//! - `items` as an array (tuple form) → `x-prefix-items`, `items: {}`.
//! - any other keyword 3.0 does not know (`patternProperties`, `unevaluatedProperties`,
//!   `$schema`, `$id`, `$defs`, `contentMediaType`, `if`/`then`/`else`, ...) → `x-<kebab-name>`
//!   (e.g. `x-pattern-properties`); sub-schemas inside are normalized too.

use serde_json::{Map, Value};

/// Keywords of the OpenAPI 3.0 Schema Object (plus `$ref`), which are left where they are.
const KNOWN: &[&str] = &[
    "$ref",
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
];

/// Normalizes a whole OpenAPI 3.1 document (see the module docs for the rules).
pub fn normalize(mut doc: Value) -> Value {
    if let Value::Object(m) = &mut doc {
        if m.contains_key("openapi") {
            m.insert("openapi".into(), Value::String("3.0.3".into()));
        }
        if let Some(d) = m.shift_remove("jsonSchemaDialect") {
            m.insert("x-json-schema-dialect".into(), d);
        }
    }
    walk_doc(&mut doc);
    doc
}

/// Walks the non-schema part of the document, looking for schema positions.
fn walk_doc(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                match k.as_str() {
                    "schema" => schema(child),
                    "schemas" => {
                        if let Value::Object(defs) = child {
                            defs.values_mut().for_each(schema);
                        }
                    }
                    // Example values are data, not document structure.
                    "example" | "examples" | "default" => {}
                    _ => walk_doc(child),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(walk_doc),
        _ => {}
    }
}

/// A schema that only says "null".
fn is_null_schema(v: &Value) -> bool {
    let Value::Object(m) = v else { return false };
    let says_null = match m.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => !ts.is_empty() && ts.iter().all(|t| t.as_str() == Some("null")),
        _ => {
            matches!(m.get("const"), Some(Value::Null))
                || matches!(m.get("enum"), Some(Value::Array(e)) if e.len() == 1 && e[0].is_null())
        }
    };
    says_null
        && m.keys().all(|k| {
            matches!(
                k.as_str(),
                "type" | "const" | "enum" | "description" | "title" | "nullable"
            ) || k.starts_with("x-")
        })
}

fn kebab_extension(key: &str) -> String {
    let mut out = String::from("x-");
    for (i, c) in key.trim_start_matches('$').chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Replaces key `old` by `new` at the same position.
fn rename_in_place(m: &mut Map<String, Value>, old: &str, new: String, value: Value) {
    let idx = m.keys().position(|k| k == old).unwrap_or(m.len());
    m.shift_remove(old);
    let idx = idx.min(m.len());
    m.shift_insert(idx, new, value);
}

/// Applies the schema rules to one schema and, recursively, its sub-schemas.
fn schema(v: &mut Value) {
    match v {
        Value::Bool(true) => *v = Value::Object(Map::new()),
        Value::Bool(false) => {
            let mut m = Map::new();
            m.insert("not".into(), Value::Object(Map::new()));
            *v = Value::Object(m);
        }
        Value::Object(m) => schema_object(m),
        _ => {}
    }
}

/// The rules of the module doc, in order, applied to one schema object.
const RULES: &[fn(&mut Map<String, Value>)] = &[
    ref_siblings,
    type_arrays,
    const_to_enum,
    examples,
    exclusive_bounds,
    property_names,
    null_branches,
    null_in_enum,
    tuple_items,
    sub_schemas,
    unknown_keywords,
];

fn schema_object(m: &mut Map<String, Value>) {
    for rule in RULES {
        rule(m);
    }
}

/// `$ref` with siblings: wrap the reference so the siblings survive parsing.
fn ref_siblings(m: &mut Map<String, Value>) {
    if !(m.contains_key("$ref") && m.len() > 1) {
        return;
    }
    if let Some(r) = m.shift_remove("$ref") {
        let mut inner = Map::new();
        inner.insert("$ref".into(), r);
        let mut list = vec![Value::Object(inner)];
        if let Some(Value::Array(existing)) = m.shift_remove("allOf") {
            list.extend(existing);
        }
        m.shift_insert(0, "allOf".into(), Value::Array(list));
    }
}

/// `type: [T, "null"]` → `type: T, nullable`; `"null"` alone → nullable; several → `x-types`.
fn type_arrays(m: &mut Map<String, Value>) {
    match m.get("type").cloned() {
        Some(Value::Array(types)) => {
            let non_null: Vec<Value> = types
                .iter()
                .filter(|t| t.as_str() != Some("null"))
                .cloned()
                .collect();
            let has_null = non_null.len() != types.len();
            if non_null.len() == 1 {
                m.insert("type".into(), non_null[0].clone());
            } else {
                let idx = m.keys().position(|k| k == "type").unwrap_or(0);
                m.shift_remove("type");
                if non_null.len() > 1 {
                    m.shift_insert(idx.min(m.len()), "x-types".into(), Value::Array(non_null));
                }
            }
            if has_null {
                m.insert("nullable".into(), Value::Bool(true));
            }
        }
        Some(Value::String(t)) if t == "null" => {
            m.shift_remove("type");
            m.insert("nullable".into(), Value::Bool(true));
        }
        _ => {}
    }
}

/// `const: x` → `enum: [x]`.
fn const_to_enum(m: &mut Map<String, Value>) {
    if m.contains_key("const") {
        let c = m.get("const").cloned().unwrap_or(Value::Null);
        rename_in_place(m, "const", "enum".into(), Value::Array(vec![c]));
    }
}

/// `examples: [a, ...]` → `example: a`.
fn examples(m: &mut Map<String, Value>) {
    match m.get("examples").cloned() {
        Some(Value::Array(items)) => {
            m.shift_remove("examples");
            if let Some(first) = items.into_iter().next() {
                if !m.contains_key("example") {
                    m.insert("example".into(), first);
                }
            }
        }
        Some(other) => rename_in_place(m, "examples", "x-examples".into(), other),
        None => {}
    }
}

/// 3.1 numeric exclusive bounds → bound + boolean flag, the bound kept as an extension.
fn exclusive_bounds(m: &mut Map<String, Value>) {
    for (key, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Number(n)) = m.get(key).cloned() {
            m.insert(key.into(), Value::Bool(true));
            m.insert(bound.into(), Value::Number(n.clone()));
            // The resolved shape has no exclusivity flag; keep it visible as an extension.
            m.insert(kebab_extension(key), Value::Number(n));
        }
    }
}

/// `propertyNames` → `x-property-names-max-length` / `x-property-names-pattern`.
fn property_names(m: &mut Map<String, Value>) {
    if let Some(pn) = m.shift_remove("propertyNames") {
        if let Some(n) = pn.get("maxLength") {
            m.insert("x-property-names-max-length".into(), n.clone());
        }
        if let Some(p) = pn.get("pattern") {
            m.insert("x-property-names-pattern".into(), p.clone());
        }
    }
}

/// Null branches of unions → nullable (an emptied list is dropped).
fn null_branches(m: &mut Map<String, Value>) {
    for k in ["oneOf", "anyOf"] {
        if let Some(Value::Array(variants)) = m.get(k) {
            if variants.iter().any(is_null_schema) {
                let kept: Vec<Value> = variants
                    .iter()
                    .filter(|v| !is_null_schema(v))
                    .cloned()
                    .collect();
                if kept.is_empty() {
                    m.shift_remove(k);
                } else {
                    m.insert(k.into(), Value::Array(kept));
                }
                m.insert("nullable".into(), Value::Bool(true));
            }
        }
    }
}

/// null inside an enum of a typed schema → nullable.
fn null_in_enum(m: &mut Map<String, Value>) {
    if let Some(Value::Array(values)) = m.get("enum") {
        if values.iter().any(Value::is_null) && m.contains_key("type") {
            m.insert("nullable".into(), Value::Bool(true));
        }
    }
}

/// Tuple-form `items` and `prefixItems` → `x-prefix-items`, `items: {}`.
fn tuple_items(m: &mut Map<String, Value>) {
    if let Some(Value::Array(_)) = m.get("items") {
        let tuple = m.get("items").cloned().unwrap_or(Value::Null);
        rename_in_place(m, "items", "x-prefix-items".into(), tuple);
        m.insert("items".into(), Value::Object(Map::new()));
    }
    if let Some(prefix) = m.shift_remove("prefixItems") {
        m.insert("x-prefix-items".into(), prefix);
    }
}

/// Recurse into sub-schemas (before unknown keywords move, so their schemas are normalized too).
fn sub_schemas(m: &mut Map<String, Value>) {
    for (k, child) in m.iter_mut() {
        match k.as_str() {
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                if let Value::Object(props) = child {
                    props.values_mut().for_each(schema);
                }
            }
            "items" | "not" | "contains" | "if" | "then" | "else" | "unevaluatedItems"
            | "contentSchema" => schema(child),
            "additionalProperties" | "unevaluatedProperties" if child.is_object() => schema(child),
            "allOf" | "oneOf" | "anyOf" | "x-prefix-items" => {
                if let Value::Array(list) = child {
                    list.iter_mut().for_each(schema);
                }
            }
            _ => {}
        }
    }
}

/// Everything else 3.0 does not know → x- extension (openapiv3 would silently drop it).
fn unknown_keywords(m: &mut Map<String, Value>) {
    let unknown: Vec<String> = m
        .keys()
        .filter(|k| !k.starts_with("x-") && !KNOWN.contains(&k.as_str()))
        .cloned()
        .collect();
    for k in unknown {
        if let Some(v) = m.get(&k).cloned() {
            let new = kebab_extension(&k);
            if m.contains_key(&new) {
                m.shift_remove(&k);
            } else {
                rename_in_place(m, &k, new, v);
            }
        }
    }
}
