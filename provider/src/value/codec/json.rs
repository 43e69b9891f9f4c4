//! JSON, the fallback `DynamicValue` encoding and the stored state format (no unknowns).

use super::{
    attr_seg, check_attrs, check_depth, check_tuple_len, dynamic_parts, index_seg, key_seg,
    mismatch, parse_number, type_from_json, type_to_json, CodecError, Result,
};
use crate::value::{Number, Type, Value};
use serde_json::Value as J;
use std::collections::BTreeMap;

/// Decode a JSON `DynamicValue` payload (or stored JSON state) as a value of type `ty`.
/// Attributes the type does not know are ignored; missing attributes become null.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value> {
    let j: J = serde_json::from_slice(bytes)
        .map_err(|e| CodecError::invalid(format!("invalid JSON: {e}")))?;
    json_to_value(&j, ty)
}

/// Encode a value of type `ty` as JSON. Fails on unknown values (JSON cannot carry them).
pub fn encode_json(v: &Value, ty: &Type) -> Result<Vec<u8>> {
    let j = value_to_json(v, ty)?;
    serde_json::to_vec(&j).map_err(|e| CodecError::invalid(format!("JSON write failed: {e}")))
}

/// Convert an already-parsed JSON document to a value of type `ty`.
pub fn json_to_value(j: &J, ty: &Type) -> Result<Value> {
    json_to_value_at(j, ty, 0)
}

fn json_to_value_at(j: &J, ty: &Type, depth: usize) -> Result<Value> {
    check_depth(depth)?;
    if j.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::Bool => j
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| wrong(j, "a bool")),
        Type::Number => number(j).map(Value::Number),
        Type::String => j
            .as_str()
            .map(|s| Value::String(s.to_string()))
            .ok_or_else(|| wrong(j, "a string")),
        Type::List(e) => Ok(Value::List(items(j, depth, |_| e)?)),
        Type::Set(e) => Ok(Value::Set(items(j, depth, |_| e)?)),
        Type::Tuple(ts) => {
            if let Some(a) = j.as_array() {
                check_tuple_len(ts.len(), a.len())?;
            }
            Ok(Value::List(items(j, depth, |i| &ts[i])?))
        }
        Type::Map(e) => map(j, e, depth),
        Type::Object(attrs) => object(j, attrs, depth),
        Type::Dynamic => dynamic(j, depth),
    }
}

fn wrong(j: &J, what: &str) -> CodecError {
    CodecError::invalid(format!("expected {what}, found {}", json_kind(j)))
}

/// A JSON number, or a number written as a string.
fn number(j: &J) -> Result<Number> {
    match j {
        J::Number(n) => match n.as_i64() {
            Some(i) => Ok(Number::Int(i)),
            None => n
                .as_f64()
                .map(Number::Float)
                .ok_or_else(|| wrong(j, "a number")),
        },
        J::String(s) => parse_number(s),
        _ => Err(wrong(j, "a number")),
    }
}

/// The elements of an array, the `i`th of type `ty(i)`.
fn items<'t>(j: &J, depth: usize, ty: impl Fn(usize) -> &'t Type) -> Result<Vec<Value>> {
    let a = j.as_array().ok_or_else(|| wrong(j, "an array"))?;
    a.iter()
        .enumerate()
        .map(|(i, x)| {
            json_to_value_at(x, ty(i), depth + 1).map_err(|err| err.within(&index_seg(i)))
        })
        .collect()
}

fn map(j: &J, e: &Type, depth: usize) -> Result<Value> {
    let m = j.as_object().ok_or_else(|| wrong(j, "an object"))?;
    let mut out = BTreeMap::new();
    for (k, x) in m {
        let v = json_to_value_at(x, e, depth + 1).map_err(|err| err.within(&key_seg(k)))?;
        out.insert(k.clone(), v);
    }
    Ok(Value::Map(out))
}

/// Attributes the type does not know are ignored; missing ones are null.
fn object(j: &J, attrs: &BTreeMap<String, Type>, depth: usize) -> Result<Value> {
    let m = j.as_object().ok_or_else(|| wrong(j, "an object"))?;
    let mut out = BTreeMap::new();
    for (k, t) in attrs {
        let v = match m.get(k) {
            Some(x) => json_to_value_at(x, t, depth + 1).map_err(|err| err.within(&attr_seg(k)))?,
            None => Value::Null,
        };
        out.insert(k.clone(), v);
    }
    Ok(Value::Object(out))
}

/// `{"type": ..., "value": ...}`.
fn dynamic(j: &J, depth: usize) -> Result<Value> {
    let m = j
        .as_object()
        .ok_or_else(|| wrong(j, "a {\"type\",\"value\"} object"))?;
    let t = m
        .get("type")
        .ok_or_else(|| CodecError::invalid("dynamic value lacks \"type\""))?;
    let inner_ty = type_from_json(t)?;
    let v = match m.get("value") {
        Some(x) => json_to_value_at(x, &inner_ty, depth + 1)?,
        None => Value::Null,
    };
    Ok(Value::Dynamic(Box::new(inner_ty), Box::new(v)))
}

fn json_kind(j: &J) -> &'static str {
    match j {
        J::Null => "null",
        J::Bool(_) => "a bool",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

/// Convert a value of type `ty` to a JSON document. Fails on unknown values.
pub fn value_to_json(v: &Value, ty: &Type) -> Result<J> {
    Ok(match (ty, v) {
        (_, Value::Null) => J::Null,
        (_, Value::Unknown) => {
            return Err(CodecError::invalid(
                "unknown values cannot be encoded as JSON",
            ))
        }
        (Type::Bool, Value::Bool(b)) => J::Bool(*b),
        (Type::Number, Value::Number(Number::Int(i))) => J::from(*i),
        (Type::Number, Value::Number(Number::Float(f))) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .ok_or_else(|| {
                CodecError::invalid("infinite or NaN numbers cannot be encoded as JSON")
            })?,
        (Type::String, Value::String(s)) => J::String(s.clone()),
        (Type::List(t) | Type::Set(t), Value::List(items) | Value::Set(items)) => {
            items_to_json(items, |_| t)?
        }
        (Type::Tuple(ts), Value::List(items)) => {
            check_tuple_len(ts.len(), items.len())?;
            items_to_json(items, |i| &ts[i])?
        }
        (Type::Map(t), Value::Map(m) | Value::Object(m)) => map_to_json(m, t)?,
        (Type::Object(attrs), Value::Object(m) | Value::Map(m)) => object_to_json(m, attrs)?,
        (Type::Dynamic, v) => {
            let (inner_ty, inner) = dynamic_parts(v)?;
            let mut out = serde_json::Map::new();
            out.insert("value".into(), value_to_json(inner, &inner_ty)?);
            out.insert("type".into(), type_to_json(&inner_ty));
            J::Object(out)
        }
        (ty, Value::Dynamic(t, inner)) if **t == *ty => value_to_json(inner, ty)?,
        (ty, v) => return Err(mismatch(ty, v)),
    })
}

/// An array of `items`, the `i`th of type `ty(i)`.
fn items_to_json<'t>(items: &[Value], ty: impl Fn(usize) -> &'t Type) -> Result<J> {
    items
        .iter()
        .enumerate()
        .map(|(i, x)| value_to_json(x, ty(i)).map_err(|err| err.within(&index_seg(i))))
        .collect::<Result<_>>()
        .map(J::Array)
}

fn map_to_json(m: &BTreeMap<String, Value>, t: &Type) -> Result<J> {
    let mut out = serde_json::Map::new();
    for (k, x) in m {
        let v = value_to_json(x, t).map_err(|err| err.within(&key_seg(k)))?;
        out.insert(k.clone(), v);
    }
    Ok(J::Object(out))
}

/// Every attribute of the type, null where the value lacks it.
fn object_to_json(m: &BTreeMap<String, Value>, attrs: &BTreeMap<String, Type>) -> Result<J> {
    check_attrs(attrs, m)?;
    let mut out = serde_json::Map::new();
    for (k, t) in attrs {
        let x = match m.get(k) {
            Some(x) => value_to_json(x, t).map_err(|err| err.within(&attr_seg(k)))?,
            None => J::Null,
        };
        out.insert(k.clone(), x);
    }
    Ok(J::Object(out))
}
