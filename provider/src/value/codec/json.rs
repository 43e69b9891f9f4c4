//! JSON, the fallback `DynamicValue` encoding and the stored state format (no unknowns).

use super::{
    attr_seg, check_attrs, check_complete, check_depth, check_tuple_len, duplicate_key,
    dynamic_parts, finite, index_seg, key_seg, mismatch, parse_number, type_from_json,
    type_to_json, unsupported_attr, CodecError, Result,
};
use crate::value::{Number, Type, Value};
use serde_json::Value as J;
use std::collections::BTreeMap;

/// Decode a JSON `DynamicValue` payload as a value of type `ty`: strictly (every attribute of
/// an object present, no other, no repeated key).
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value> {
    json_to_value(&parse_json(bytes)?, ty)
}

/// Parse JSON, refusing a repeated key in any object (serde_json would keep the last one).
pub fn parse_json(bytes: &[u8]) -> Result<J> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let j = NoDuplicates
        .deserialize(&mut de)
        .and_then(|j| de.end().map(|()| j))
        .map_err(|e| CodecError::invalid(format!("invalid JSON: {e}")))?;
    Ok(j)
}

/// Builds a `serde_json::Value`, failing on a repeated object key.
#[derive(Clone, Copy)]
struct NoDuplicates;

impl<'de> serde::de::DeserializeSeed<'de> for NoDuplicates {
    type Value = J;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<J, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicates {
    type Value = J;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> std::result::Result<J, E> {
        Ok(J::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> std::result::Result<J, E> {
        Ok(J::from(i))
    }
    fn visit_u64<E>(self, u: u64) -> std::result::Result<J, E> {
        Ok(J::from(u))
    }
    fn visit_f64<E>(self, f: f64) -> std::result::Result<J, E> {
        Ok(serde_json::Number::from_f64(f).map_or(J::Null, J::Number))
    }
    fn visit_str<E>(self, s: &str) -> std::result::Result<J, E> {
        Ok(J::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> std::result::Result<J, E> {
        Ok(J::String(s))
    }
    fn visit_unit<E>(self) -> std::result::Result<J, E> {
        Ok(J::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> std::result::Result<J, A::Error> {
        let mut out = Vec::new();
        while let Some(x) = a.next_element_seed(self)? {
            out.push(x);
        }
        Ok(J::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> std::result::Result<J, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(k) = a.next_key::<String>()? {
            let v = a.next_value_seed(self)?;
            if out.contains_key(&k) {
                return Err(serde::de::Error::custom(duplicate_key(&k)));
            }
            out.insert(k, v);
        }
        Ok(J::Object(out))
    }
}

/// Encode a value of type `ty` as JSON. Fails on unknown values (JSON cannot carry them).
pub fn encode_json(v: &Value, ty: &Type) -> Result<Vec<u8>> {
    let j = value_to_json(v, ty)?;
    serde_json::to_vec(&j).map_err(|e| CodecError::invalid(format!("JSON write failed: {e}")))
}

/// Convert an already-parsed JSON document to a value of type `ty`, strictly.
pub fn json_to_value(j: &J, ty: &Type) -> Result<Value> {
    json_to_value_at(j, ty, 0, &mut Strict)
}

/// Convert stored JSON (a state written by an earlier provider) to a value of type `ty`: an
/// attribute the type has gained since is null; one the type no longer has is dropped and its
/// name added to `dropped`, for the caller to report.
pub fn stored_json_to_value(j: &J, ty: &Type, dropped: &mut Vec<String>) -> Result<Value> {
    json_to_value_at(j, ty, 0, &mut Stored(dropped))
}

/// How objects are read: strictly (wire values) or as stored state.
trait Objects {
    /// A missing attribute: an error, or null.
    fn missing(
        &mut self,
        attrs: &BTreeMap<String, Type>,
        m: &BTreeMap<String, Value>,
    ) -> Result<()>;
    /// An attribute the type does not have: an error, or noted and dropped.
    fn unsupported(&mut self, name: &str) -> Result<()>;
}

struct Strict;
impl Objects for Strict {
    fn missing(&mut self, a: &BTreeMap<String, Type>, m: &BTreeMap<String, Value>) -> Result<()> {
        check_complete(a, m)
    }
    fn unsupported(&mut self, name: &str) -> Result<()> {
        Err(unsupported_attr(name))
    }
}

struct Stored<'a>(&'a mut Vec<String>);
impl Objects for Stored<'_> {
    fn missing(&mut self, _: &BTreeMap<String, Type>, _: &BTreeMap<String, Value>) -> Result<()> {
        Ok(())
    }
    fn unsupported(&mut self, name: &str) -> Result<()> {
        self.0.push(name.to_string());
        Ok(())
    }
}

fn json_to_value_at(j: &J, ty: &Type, depth: usize, o: &mut dyn Objects) -> Result<Value> {
    check_depth(depth)?;
    if j.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::Bool => j
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| wrong(j, "a bool")),
        Type::Number => number(j).and_then(finite).map(Value::Number),
        Type::String => j
            .as_str()
            .map(|s| Value::String(s.to_string()))
            .ok_or_else(|| wrong(j, "a string")),
        Type::List(e) => Ok(Value::List(items(j, depth, o, |_| e)?)),
        Type::Set(e) => Ok(Value::Set(items(j, depth, o, |_| e)?)),
        Type::Tuple(ts) => {
            if let Some(a) = j.as_array() {
                check_tuple_len(ts.len(), a.len())?;
            }
            Ok(Value::List(items(j, depth, o, |i| &ts[i])?))
        }
        Type::Map(e) => map(j, e, depth, o),
        Type::Object(attrs) => object(j, attrs, depth, o),
        Type::Dynamic => dynamic(j, depth, o),
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
fn items<'t>(
    j: &J,
    depth: usize,
    o: &mut dyn Objects,
    ty: impl Fn(usize) -> &'t Type,
) -> Result<Vec<Value>> {
    let a = j.as_array().ok_or_else(|| wrong(j, "an array"))?;
    let mut out = Vec::with_capacity(a.len());
    for (i, x) in a.iter().enumerate() {
        let v = json_to_value_at(x, ty(i), depth + 1, o).map_err(|err| err.within(&index_seg(i)));
        out.push(v?);
    }
    Ok(out)
}

fn map(j: &J, e: &Type, depth: usize, o: &mut dyn Objects) -> Result<Value> {
    let m = j.as_object().ok_or_else(|| wrong(j, "an object"))?;
    let mut out = BTreeMap::new();
    for (k, x) in m {
        let v = json_to_value_at(x, e, depth + 1, o).map_err(|err| err.within(&key_seg(k)))?;
        if out.insert(k.clone(), v).is_some() {
            return Err(duplicate_key(k));
        }
    }
    Ok(Value::Map(out))
}

/// The type's attributes; what a missing or an unsupported one means is `o`'s to say.
fn object(
    j: &J,
    attrs: &BTreeMap<String, Type>,
    depth: usize,
    o: &mut dyn Objects,
) -> Result<Value> {
    let m = j.as_object().ok_or_else(|| wrong(j, "an object"))?;
    for k in m.keys().filter(|k| !attrs.contains_key(*k)) {
        o.unsupported(k)?;
    }
    let mut out = BTreeMap::new();
    for (k, t) in attrs {
        if let Some(x) = m.get(k) {
            let v = json_to_value_at(x, t, depth + 1, o).map_err(|err| err.within(&attr_seg(k)))?;
            out.insert(k.clone(), v);
        }
    }
    o.missing(attrs, &out)?;
    for k in attrs.keys() {
        out.entry(k.clone()).or_insert(Value::Null);
    }
    Ok(Value::Object(out))
}

/// `{"type": ..., "value": ...}`.
fn dynamic(j: &J, depth: usize, o: &mut dyn Objects) -> Result<Value> {
    let m = j
        .as_object()
        .ok_or_else(|| wrong(j, "a {\"type\",\"value\"} object"))?;
    let t = m
        .get("type")
        .ok_or_else(|| CodecError::invalid("dynamic value lacks \"type\""))?;
    let inner_ty = type_from_json(t)?;
    let v = match m.get("value") {
        Some(x) => json_to_value_at(x, &inner_ty, depth + 1, o)?,
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
