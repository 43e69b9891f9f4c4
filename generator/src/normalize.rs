//! Normalize stage: OpenAPI 3.1 → the 3.0 form `openapiv3` parses, keeping what 3.0 cannot say
//! in `x-` extensions.

use serde_json::{Map, Value};

pub fn normalize(mut doc: Value) -> Value {
    if let Some(v) = doc.get_mut("openapi") {
        *v = Value::String("3.0.3".into());
    }
    walk(&mut doc);
    doc
}

fn walk(v: &mut Value) {
    match v {
        Value::Object(m) => {
            schema_rules(m);
            for (_, child) in m.iter_mut() {
                walk(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(walk),
        _ => {}
    }
}

fn schema_rules(m: &mut Map<String, Value>) {
    // type: [T, "null"]
    if let Some(Value::Array(types)) = m.get("type").cloned() {
        let non_null: Vec<Value> = types.iter().filter(|t| t.as_str() != Some("null")).cloned().collect();
        let has_null = non_null.len() != types.len();
        match non_null.len() {
            1 => {
                m.insert("type".into(), non_null[0].clone());
            }
            _ => {
                m.remove("type");
            }
        }
        if has_null {
            m.insert("nullable".into(), Value::Bool(true));
        }
    }
    if let Some(c) = m.remove("const") {
        m.insert("enum".into(), Value::Array(vec![c]));
    }
    if let Some(Value::Array(ex)) = m.remove("examples") {
        if let Some(first) = ex.into_iter().next() {
            m.entry("example").or_insert(first);
        }
    }
    for (key, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(Value::Number(n)) = m.get(key).cloned() {
            m.insert(bound.into(), Value::Number(n));
            m.insert(key.into(), Value::Bool(true));
        }
    }
    if let Some(pn) = m.remove("propertyNames") {
        if let Some(n) = pn.get("maxLength") {
            m.insert("x-property-names-max-length".into(), n.clone());
        }
    }
    for k in ["patternProperties", "unevaluatedProperties", "$schema", "contentMediaType", "contentEncoding", "$id", "$comment", "dependentRequired", "if", "then", "else"] {
        if let Some(v) = m.remove(k) {
            m.insert(format!("x-{}", k.trim_start_matches('$')), v);
        }
    }
    // A oneOf/anyOf with a null branch: nullable.
    for k in ["oneOf", "anyOf"] {
        if let Some(Value::Array(variants)) = m.get(k).cloned() {
            let non_null: Vec<Value> = variants.iter().filter(|v| v.get("type").and_then(Value::as_str) != Some("null")).cloned().collect();
            if non_null.len() != variants.len() {
                m.insert("nullable".into(), Value::Bool(true));
                m.insert(k.into(), Value::Array(non_null));
            }
        }
    }
}
