//! Type constraints in Terraform's JSON form (`"string"`, `["list","number"]`,
//! `["object",{...}]`, ...).

use super::{CodecError, Result};
use crate::value::Type;
use std::collections::BTreeMap;

/// A type constraint in Terraform's JSON form.
pub fn type_to_json(ty: &Type) -> serde_json::Value {
    use serde_json::Value as J;
    match ty {
        Type::Bool => J::from("bool"),
        Type::Number => J::from("number"),
        Type::String => J::from("string"),
        Type::Dynamic => J::from("dynamic"),
        Type::List(e) => J::Array(vec![J::from("list"), type_to_json(e)]),
        Type::Set(e) => J::Array(vec![J::from("set"), type_to_json(e)]),
        Type::Map(e) => J::Array(vec![J::from("map"), type_to_json(e)]),
        Type::Object(attrs) => {
            let m: serde_json::Map<String, J> = attrs
                .iter()
                .map(|(k, t)| (k.clone(), type_to_json(t)))
                .collect();
            J::Array(vec![J::from("object"), J::Object(m)])
        }
        Type::Tuple(elems) => J::Array(vec![
            J::from("tuple"),
            J::Array(elems.iter().map(type_to_json).collect()),
        ]),
    }
}

/// A type constraint as JSON bytes (what `Schema.Attribute.type` carries).
pub fn type_to_json_bytes(ty: &Type) -> Vec<u8> {
    type_to_json(ty).to_string().into_bytes()
}

/// Parse a type constraint from its JSON form. The optional-attributes list that may follow an
/// object's attribute map is accepted and ignored.
pub fn type_from_json(j: &serde_json::Value) -> Result<Type> {
    use serde_json::Value as J;
    match j {
        J::String(s) => match s.as_str() {
            "bool" => Ok(Type::Bool),
            "number" => Ok(Type::Number),
            "string" => Ok(Type::String),
            "dynamic" => Ok(Type::Dynamic),
            other => Err(CodecError::invalid(format!(
                "unknown primitive type {other:?}"
            ))),
        },
        J::Array(items) => {
            let kind = items.first().and_then(J::as_str).ok_or_else(|| {
                CodecError::invalid("a complex type constraint must start with its kind")
            })?;
            let arg = items
                .get(1)
                .ok_or_else(|| CodecError::invalid(format!("type {kind:?} lacks its argument")))?;
            match kind {
                "list" => Ok(Type::List(Box::new(type_from_json(arg)?))),
                "set" => Ok(Type::Set(Box::new(type_from_json(arg)?))),
                "map" => Ok(Type::Map(Box::new(type_from_json(arg)?))),
                "object" => {
                    let m = arg
                        .as_object()
                        .ok_or_else(|| CodecError::invalid("object type needs an attribute map"))?;
                    let mut attrs = BTreeMap::new();
                    for (k, t) in m {
                        attrs.insert(k.clone(), type_from_json(t)?);
                    }
                    Ok(Type::Object(attrs))
                }
                "tuple" => {
                    let a = arg
                        .as_array()
                        .ok_or_else(|| CodecError::invalid("tuple type needs an element list"))?;
                    Ok(Type::Tuple(
                        a.iter().map(type_from_json).collect::<Result<_>>()?,
                    ))
                }
                other => Err(CodecError::invalid(format!("unknown type kind {other:?}"))),
            }
        }
        _ => Err(CodecError::invalid(
            "a type constraint must be a string or an array",
        )),
    }
}

/// Parse a type constraint from JSON bytes.
pub fn type_from_json_bytes(bytes: &[u8]) -> Result<Type> {
    let j: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| CodecError::invalid(format!("invalid type constraint JSON: {e}")))?;
    type_from_json(&j)
}
