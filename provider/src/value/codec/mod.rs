//! Wire codecs for Terraform values, driven by a `Type`:
//!
//! - MessagePack (the preferred `DynamicValue` encoding; can carry unknowns),
//! - JSON (the fallback `DynamicValue` encoding and the stored state format; no unknowns),
//! - JSON type constraints (`"string"`, `["list","number"]`, `["object",{...}]`, ...).
//!
//! The rules follow Terraform's object wire format: null is msgpack nil, any msgpack extension
//! decodes as an unknown value (refinements are ignored), and unknowns are written as extension
//! 0 with a one-byte zero payload. Lists, sets and tuples are arrays; maps and objects are maps;
//! `dynamic` is `[type JSON bytes, value]` in msgpack and `{"type":..,"value":..}` in JSON.
//! Decoding is strict, because what Terraform sends is checked, never guessed: an object must
//! carry every attribute of its type and no other (Terraform's encoders always write all of
//! them), a map or object may not repeat a key, and numbers must be finite. Error messages
//! quote at most a short prefix of a user's key or value ([`short`]).

//!
//! - [`msgpack`]: the MessagePack reader and writer,
//! - [`json`]: the JSON reader and writer,
//! - [`type_json`]: type constraints as JSON.

mod json;
mod msgpack;
#[cfg(test)]
mod tests;
mod type_json;

pub use json::{
    decode_json, encode_json, json_to_value, parse_json, stored_json_to_value, value_to_json,
};
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use type_json::{type_from_json, type_from_json_bytes, type_to_json, type_to_json_bytes};

use super::{Number, Type, Value};

/// Why a value could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CodecError {
    /// The input ended before the value was complete.
    #[error("unexpected end of input{}", at(.path))]
    Eof { path: String },
    /// The bytes do not match the expected type.
    #[error("{message}{}", at(.path))]
    Invalid { path: String, message: String },
    /// Bytes left over after the value.
    #[error("{0} unexpected trailing bytes after the value")]
    Trailing(usize),
}

fn at(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at {path}")
    }
}

impl CodecError {
    fn invalid(message: impl Into<String>) -> Self {
        CodecError::Invalid {
            path: String::new(),
            message: message.into(),
        }
    }

    /// Prefix the error's location with one more path segment (added while unwinding).
    fn within(self, segment: &str) -> Self {
        let join = |p: String| {
            if p.is_empty() || p.starts_with('[') {
                format!("{segment}{p}")
            } else {
                format!("{segment}.{p}")
            }
        };
        match self {
            CodecError::Eof { path } => CodecError::Eof { path: join(path) },
            CodecError::Invalid { path, message } => CodecError::Invalid {
                path: join(path),
                message,
            },
            other => other,
        }
    }
}

type Result<T> = std::result::Result<T, CodecError>;

fn attr_seg(name: &str) -> String {
    name.to_string()
}
fn index_seg(i: usize) -> String {
    format!("[{i}]")
}
fn key_seg(k: &str) -> String {
    format!("[{}]", short(k))
}

/// Longest prefix of a user's value (in characters) quoted in an error message.
pub const QUOTE_MAX: usize = 40;

/// A user's key or value for an error message: quoted, at most [`QUOTE_MAX`] characters of it,
/// with the full length when it was cut.
pub fn short(s: &str) -> String {
    let n = s.chars().count();
    if n <= QUOTE_MAX {
        return format!("{s:?}");
    }
    let head: String = s.chars().take(QUOTE_MAX).collect();
    format!("{head:?}… ({n} characters)")
}

/// Short name of a value's kind, for error messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown => "unknown",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Dynamic(..) => "dynamic",
    }
}

fn mismatch(ty: &Type, v: &Value) -> CodecError {
    CodecError::invalid(format!(
        "value of kind {} does not conform to type {}",
        kind(v),
        type_to_json(ty)
    ))
}

/// Nesting limit, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 256;

fn check_depth(depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        Err(CodecError::invalid("value nested too deeply"))
    } else {
        Ok(())
    }
}

fn check_tuple_len(want: usize, found: usize) -> Result<()> {
    if want == found {
        Ok(())
    } else {
        Err(CodecError::invalid(format!(
            "tuple needs {want} elements, found {found}"
        )))
    }
}

/// An object value may not carry attributes its type does not have.
fn check_attrs<T>(
    attrs: &std::collections::BTreeMap<String, Type>,
    m: &std::collections::BTreeMap<String, T>,
) -> Result<()> {
    match m.keys().find(|k| !attrs.contains_key(*k)) {
        Some(extra) => Err(unsupported_attr(extra)),
        None => Ok(()),
    }
}

fn unsupported_attr(name: &str) -> CodecError {
    CodecError::invalid(format!(
        "unsupported attribute {}: the type has no attribute of that name",
        short(name)
    ))
}

/// Every attribute of the type must be present (Terraform always sends all of them).
fn check_complete<T>(
    attrs: &std::collections::BTreeMap<String, Type>,
    m: &std::collections::BTreeMap<String, T>,
) -> Result<()> {
    match attrs.keys().find(|k| !m.contains_key(*k)) {
        Some(missing) => Err(CodecError::invalid(format!(
            "attribute {missing:?} is missing (every attribute must be present, null when unset)"
        ))),
        None => Ok(()),
    }
}

fn duplicate_key(k: &str) -> CodecError {
    CodecError::invalid(format!("duplicate key {}", short(k)))
}

/// Terraform numbers are finite.
fn finite(n: Number) -> Result<Number> {
    match n {
        Number::Float(f) if !f.is_finite() => Err(CodecError::invalid(
            "a number must be finite (not NaN or infinite)",
        )),
        n => Ok(n),
    }
}

/// The concrete type and value a `dynamic` attribute holds.
fn dynamic_parts(v: &Value) -> Result<(Type, &Value)> {
    let (ty, inner) = match v {
        Value::Dynamic(t, inner) => ((**t).clone(), &**inner),
        other => (other.inferred_type(), other),
    };
    if ty == Type::Dynamic {
        return Err(CodecError::invalid("a dynamic value needs a concrete type"));
    }
    Ok((ty, inner))
}

/// A number written as a string (both wire formats allow it).
fn parse_number(s: &str) -> Result<Number> {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Ok(Number::Int(i));
    }
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(Number::Float(f)),
        _ => Err(CodecError::invalid(format!("{} is not a number", short(s)))),
    }
}
