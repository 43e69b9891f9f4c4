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
//! Object attributes missing from the input decode as null; attributes the type does not know
//! are skipped when decoding.

use super::{Number, Type, Value};
use rmp::Marker;
use std::collections::BTreeMap;

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
    format!("[{k:?}]")
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

// ---------------------------------------------------------------------------------------------
// Type constraints as JSON
// ---------------------------------------------------------------------------------------------

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

/// Best-effort concrete type of a value held by a `dynamic` attribute that was not wrapped in
/// `Value::Dynamic`.
fn infer_type(v: &Value) -> Type {
    match v {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::Tuple(items.iter().map(infer_type).collect()),
        Value::Set(items) => Type::Set(Box::new(
            items.first().map(infer_type).unwrap_or(Type::String),
        )),
        Value::Map(m) | Value::Object(m) => {
            Type::Object(m.iter().map(|(k, v)| (k.clone(), infer_type(v))).collect())
        }
        Value::Dynamic(t, _) => (**t).clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// MessagePack
// ---------------------------------------------------------------------------------------------

/// Decode a msgpack `DynamicValue` payload as a value of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value> {
    let mut r = Reader { buf: bytes, pos: 0 };
    let v = r.value(ty, 0)?;
    if r.pos != bytes.len() {
        return Err(CodecError::Trailing(bytes.len() - r.pos));
    }
    Ok(v)
}

/// Encode a value of type `ty` as msgpack.
pub fn encode_msgpack(v: &Value, ty: &Type) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(64);
    write_value(&mut out, v, ty)?;
    Ok(out)
}

/// Nesting limit, so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 256;

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.buf.len());
        match end {
            Some(end) => {
                let s = &self.buf[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(CodecError::Eof {
                path: String::new(),
            }),
        }
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn be<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn peek(&self) -> Result<Marker> {
        self.buf
            .get(self.pos)
            .map(|b| Marker::from_u8(*b))
            .ok_or(CodecError::Eof {
                path: String::new(),
            })
    }
    fn marker(&mut self) -> Result<Marker> {
        Ok(Marker::from_u8(self.u8()?))
    }

    /// Length of a str/bin/ext payload or an array/map, after its marker.
    fn len8(&mut self) -> Result<usize> {
        Ok(self.u8()? as usize)
    }
    fn len16(&mut self) -> Result<usize> {
        Ok(u16::from_be_bytes(self.be()?) as usize)
    }
    fn len32(&mut self) -> Result<usize> {
        Ok(u32::from_be_bytes(self.be()?) as usize)
    }

    /// If the next item is an extension (an unknown value), skip it and return true.
    fn skip_ext(&mut self) -> Result<bool> {
        let fixed = match self.peek()? {
            Marker::FixExt1 => Some(1),
            Marker::FixExt2 => Some(2),
            Marker::FixExt4 => Some(4),
            Marker::FixExt8 => Some(8),
            Marker::FixExt16 => Some(16),
            _ => None,
        };
        let n = match fixed {
            Some(n) => {
                self.pos += 1;
                n
            }
            None => match self.peek()? {
                Marker::Ext8 => {
                    self.pos += 1;
                    self.len8()?
                }
                Marker::Ext16 => {
                    self.pos += 1;
                    self.len16()?
                }
                Marker::Ext32 => {
                    self.pos += 1;
                    self.len32()?
                }
                _ => return Ok(false),
            },
        };
        // Extension type byte, then the payload (ignored, refinements included).
        self.take(1)?;
        self.take(n)?;
        Ok(true)
    }

    fn str_len(&mut self, m: Marker) -> Result<Option<usize>> {
        Ok(Some(match m {
            Marker::FixStr(n) => n as usize,
            Marker::Str8 => self.len8()?,
            Marker::Str16 => self.len16()?,
            Marker::Str32 => self.len32()?,
            _ => return Ok(None),
        }))
    }
    fn bin_len(&mut self, m: Marker) -> Result<Option<usize>> {
        Ok(Some(match m {
            Marker::Bin8 => self.len8()?,
            Marker::Bin16 => self.len16()?,
            Marker::Bin32 => self.len32()?,
            _ => return Ok(None),
        }))
    }
    fn array_len(&mut self, m: Marker) -> Result<Option<usize>> {
        Ok(Some(match m {
            Marker::FixArray(n) => n as usize,
            Marker::Array16 => self.len16()?,
            Marker::Array32 => self.len32()?,
            _ => return Ok(None),
        }))
    }
    fn map_len(&mut self, m: Marker) -> Result<Option<usize>> {
        Ok(Some(match m {
            Marker::FixMap(n) => n as usize,
            Marker::Map16 => self.len16()?,
            Marker::Map32 => self.len32()?,
            _ => return Ok(None),
        }))
    }

    fn string(&mut self) -> Result<String> {
        let m = self.marker()?;
        let n = self
            .str_len(m)?
            .ok_or_else(|| CodecError::invalid(format!("expected a string, found {m:?}")))?;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| CodecError::invalid("string is not valid UTF-8"))
    }

    fn number(&mut self) -> Result<Number> {
        let m = self.marker()?;
        let n = match m {
            Marker::FixPos(n) => Number::Int(n as i64),
            Marker::FixNeg(n) => Number::Int(n as i64),
            Marker::U8 => Number::Int(self.u8()? as i64),
            Marker::U16 => Number::Int(u16::from_be_bytes(self.be()?) as i64),
            Marker::U32 => Number::Int(u32::from_be_bytes(self.be()?) as i64),
            Marker::U64 => {
                let u = u64::from_be_bytes(self.be()?);
                match i64::try_from(u) {
                    Ok(i) => Number::Int(i),
                    Err(_) => Number::Float(u as f64),
                }
            }
            Marker::I8 => Number::Int(i8::from_be_bytes(self.be()?) as i64),
            Marker::I16 => Number::Int(i16::from_be_bytes(self.be()?) as i64),
            Marker::I32 => Number::Int(i32::from_be_bytes(self.be()?) as i64),
            Marker::I64 => Number::Int(i64::from_be_bytes(self.be()?)),
            Marker::F32 => Number::Float(f32::from_be_bytes(self.be()?) as f64),
            Marker::F64 => Number::Float(f64::from_be_bytes(self.be()?)),
            m => match self.str_len(m)? {
                Some(n) => {
                    let b = self.take(n)?;
                    let s = std::str::from_utf8(b)
                        .map_err(|_| CodecError::invalid("number string is not valid UTF-8"))?;
                    parse_number(s)?
                }
                None => {
                    return Err(CodecError::invalid(format!(
                        "expected a number, found {m:?}"
                    )))
                }
            },
        };
        Ok(n)
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(CodecError::invalid("value nested too deeply"));
        }
        if self.peek()? == Marker::Null {
            self.pos += 1;
            return Ok(Value::Null);
        }
        if self.skip_ext()? {
            return Ok(Value::Unknown);
        }
        match ty {
            Type::Bool => match self.marker()? {
                Marker::True => Ok(Value::Bool(true)),
                Marker::False => Ok(Value::Bool(false)),
                m => Err(CodecError::invalid(format!("expected a bool, found {m:?}"))),
            },
            Type::Number => Ok(Value::Number(self.number()?)),
            Type::String => Ok(Value::String(self.string()?)),
            Type::List(e) | Type::Set(e) => {
                let m = self.marker()?;
                let n = self.array_len(m)?.ok_or_else(|| {
                    CodecError::invalid(format!("expected an array, found {m:?}"))
                })?;
                let mut items = Vec::with_capacity(n.min(1024));
                for i in 0..n {
                    items.push(
                        self.value(e, depth + 1)
                            .map_err(|err| err.within(&index_seg(i)))?,
                    );
                }
                Ok(if matches!(ty, Type::Set(_)) {
                    Value::Set(items)
                } else {
                    Value::List(items)
                })
            }
            Type::Tuple(elems) => {
                let m = self.marker()?;
                let n = self.array_len(m)?.ok_or_else(|| {
                    CodecError::invalid(format!("expected an array, found {m:?}"))
                })?;
                if n != elems.len() {
                    return Err(CodecError::invalid(format!(
                        "tuple needs {} elements, found {n}",
                        elems.len()
                    )));
                }
                let mut items = Vec::with_capacity(n);
                for (i, t) in elems.iter().enumerate() {
                    items.push(
                        self.value(t, depth + 1)
                            .map_err(|err| err.within(&index_seg(i)))?,
                    );
                }
                Ok(Value::List(items))
            }
            Type::Map(e) => {
                let m = self.marker()?;
                let n = self
                    .map_len(m)?
                    .ok_or_else(|| CodecError::invalid(format!("expected a map, found {m:?}")))?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.string()?;
                    let v = self
                        .value(e, depth + 1)
                        .map_err(|err| err.within(&key_seg(&k)))?;
                    out.insert(k, v);
                }
                Ok(Value::Map(out))
            }
            Type::Object(attrs) => {
                let m = self.marker()?;
                let n = self.map_len(m)?.ok_or_else(|| {
                    CodecError::invalid(format!("expected an object, found {m:?}"))
                })?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.string()?;
                    match attrs.get(&k) {
                        Some(t) => {
                            let v = self
                                .value(t, depth + 1)
                                .map_err(|err| err.within(&attr_seg(&k)))?;
                            out.insert(k, v);
                        }
                        None => self.skip(depth + 1)?,
                    }
                }
                for k in attrs.keys() {
                    out.entry(k.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
            Type::Dynamic => {
                let m = self.marker()?;
                match self.array_len(m)? {
                    Some(2) => {}
                    _ => {
                        return Err(CodecError::invalid(
                            "a dynamic value must be a [type, value] array",
                        ))
                    }
                }
                let tm = self.marker()?;
                let n = match (self.bin_len(tm)?, tm) {
                    (Some(n), _) => n,
                    (None, tm) => self.str_len(tm)?.ok_or_else(|| {
                        CodecError::invalid("a dynamic value's type must be JSON bytes")
                    })?,
                };
                let inner_ty = type_from_json_bytes(self.take(n)?)?;
                let v = self.value(&inner_ty, depth + 1)?;
                Ok(Value::Dynamic(Box::new(inner_ty), Box::new(v)))
            }
        }
    }

    /// Skip one item of any kind.
    fn skip(&mut self, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(CodecError::invalid("value nested too deeply"));
        }
        if self.skip_ext()? {
            return Ok(());
        }
        let m = self.marker()?;
        let n = match m {
            Marker::Null | Marker::True | Marker::False | Marker::FixPos(_) | Marker::FixNeg(_) => {
                0
            }
            Marker::U8 | Marker::I8 => 1,
            Marker::U16 | Marker::I16 => 2,
            Marker::U32 | Marker::I32 | Marker::F32 => 4,
            Marker::U64 | Marker::I64 | Marker::F64 => 8,
            m => {
                if let Some(n) = self.str_len(m)? {
                    n
                } else if let Some(n) = self.bin_len(m)? {
                    n
                } else if let Some(n) = self.array_len(m)? {
                    for _ in 0..n {
                        self.skip(depth + 1)?;
                    }
                    0
                } else if let Some(n) = self.map_len(m)? {
                    for _ in 0..n {
                        self.skip(depth + 1)?;
                        self.skip(depth + 1)?;
                    }
                    0
                } else {
                    return Err(CodecError::invalid(format!(
                        "unexpected msgpack marker {m:?}"
                    )));
                }
            }
        };
        self.take(n)?;
        Ok(())
    }
}

fn parse_number(s: &str) -> Result<Number> {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Ok(Number::Int(i));
    }
    match t.parse::<f64>() {
        Ok(f) if !f.is_nan() => Ok(Number::Float(f)),
        _ => Err(CodecError::invalid(format!("{s:?} is not a number"))),
    }
}

fn write_err<E: std::fmt::Display>(e: E) -> CodecError {
    CodecError::invalid(format!("msgpack write failed: {e}"))
}

fn write_len_checked(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| CodecError::invalid("collection too large"))
}

fn write_value(out: &mut Vec<u8>, v: &Value, ty: &Type) -> Result<()> {
    use rmp::encode as e;
    match v {
        Value::Null => {
            e::write_nil(out).map_err(write_err)?;
            return Ok(());
        }
        Value::Unknown => {
            // fixext1, extension type 0, one zero byte: an unrefined unknown value.
            out.extend_from_slice(&[0xd4, 0x00, 0x00]);
            return Ok(());
        }
        _ => {}
    }
    match (ty, v) {
        (Type::Bool, Value::Bool(b)) => e::write_bool(out, *b).map_err(write_err)?,
        (Type::Number, Value::Number(Number::Int(i))) => {
            e::write_sint(out, *i).map_err(write_err)?;
        }
        (Type::Number, Value::Number(Number::Float(f))) => {
            if f.is_nan() {
                return Err(CodecError::invalid("NaN is not a valid number"));
            }
            e::write_f64(out, *f).map_err(write_err)?;
        }
        (Type::String, Value::String(s)) => {
            e::write_str(out, s).map_err(write_err)?;
        }
        (Type::List(t) | Type::Set(t), Value::List(items) | Value::Set(items)) => {
            e::write_array_len(out, write_len_checked(items.len())?).map_err(write_err)?;
            for (i, item) in items.iter().enumerate() {
                write_value(out, item, t).map_err(|err| err.within(&index_seg(i)))?;
            }
        }
        (Type::Tuple(ts), Value::List(items)) => {
            if ts.len() != items.len() {
                return Err(CodecError::invalid(format!(
                    "tuple needs {} elements, found {}",
                    ts.len(),
                    items.len()
                )));
            }
            e::write_array_len(out, write_len_checked(items.len())?).map_err(write_err)?;
            for (i, (item, t)) in items.iter().zip(ts).enumerate() {
                write_value(out, item, t).map_err(|err| err.within(&index_seg(i)))?;
            }
        }
        (Type::Map(t), Value::Map(m) | Value::Object(m)) => {
            e::write_map_len(out, write_len_checked(m.len())?).map_err(write_err)?;
            for (k, item) in m {
                e::write_str(out, k).map_err(write_err)?;
                write_value(out, item, t).map_err(|err| err.within(&key_seg(k)))?;
            }
        }
        (Type::Object(attrs), Value::Object(m) | Value::Map(m)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::invalid(format!(
                    "unsupported attribute {extra:?}"
                )));
            }
            e::write_map_len(out, write_len_checked(attrs.len())?).map_err(write_err)?;
            const NULL: Value = Value::Null;
            for (k, t) in attrs {
                e::write_str(out, k).map_err(write_err)?;
                let item = m.get(k).unwrap_or(&NULL);
                write_value(out, item, t).map_err(|err| err.within(&attr_seg(k)))?;
            }
        }
        (Type::Dynamic, v) => {
            let (inner_ty, inner) = match v {
                Value::Dynamic(t, inner) => ((**t).clone(), &**inner),
                other => (infer_type(other), other),
            };
            if inner_ty == Type::Dynamic {
                return Err(CodecError::invalid("a dynamic value needs a concrete type"));
            }
            e::write_array_len(out, 2).map_err(write_err)?;
            e::write_bin(out, &type_to_json_bytes(&inner_ty)).map_err(write_err)?;
            write_value(out, inner, &inner_ty)?;
        }
        (ty, Value::Dynamic(t, inner)) if **t == *ty => write_value(out, inner, ty)?,
        (ty, v) => return Err(mismatch(ty, v)),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

/// Decode a JSON `DynamicValue` payload (or stored JSON state) as a value of type `ty`.
/// Attributes the type does not know are ignored; missing attributes become null.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value> {
    let j: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| CodecError::invalid(format!("invalid JSON: {e}")))?;
    json_to_value(&j, ty)
}

/// Encode a value of type `ty` as JSON. Fails on unknown values (JSON cannot carry them).
pub fn encode_json(v: &Value, ty: &Type) -> Result<Vec<u8>> {
    let j = value_to_json(v, ty)?;
    serde_json::to_vec(&j).map_err(|e| CodecError::invalid(format!("JSON write failed: {e}")))
}

/// Convert an already-parsed JSON document to a value of type `ty`.
pub fn json_to_value(j: &serde_json::Value, ty: &Type) -> Result<Value> {
    json_to_value_at(j, ty, 0)
}

fn json_to_value_at(j: &serde_json::Value, ty: &Type, depth: usize) -> Result<Value> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(CodecError::invalid("value nested too deeply"));
    }
    if j.is_null() {
        return Ok(Value::Null);
    }
    let wrong =
        |what: &str| CodecError::invalid(format!("expected {what}, found {}", json_kind(j)));
    match ty {
        Type::Bool => j.as_bool().map(Value::Bool).ok_or_else(|| wrong("a bool")),
        Type::Number => match j {
            J::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Ok(Value::Number(Number::Int(i)))
                } else {
                    n.as_f64()
                        .map(|f| Value::Number(Number::Float(f)))
                        .ok_or_else(|| wrong("a number"))
                }
            }
            J::String(s) => Ok(Value::Number(parse_number(s)?)),
            _ => Err(wrong("a number")),
        },
        Type::String => j
            .as_str()
            .map(|s| Value::String(s.to_string()))
            .ok_or_else(|| wrong("a string")),
        Type::List(e) | Type::Set(e) => {
            let a = j.as_array().ok_or_else(|| wrong("an array"))?;
            let items = a
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    json_to_value_at(x, e, depth + 1).map_err(|err| err.within(&index_seg(i)))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            })
        }
        Type::Tuple(ts) => {
            let a = j.as_array().ok_or_else(|| wrong("an array"))?;
            if a.len() != ts.len() {
                return Err(CodecError::invalid(format!(
                    "tuple needs {} elements, found {}",
                    ts.len(),
                    a.len()
                )));
            }
            let items = a
                .iter()
                .zip(ts)
                .enumerate()
                .map(|(i, (x, t))| {
                    json_to_value_at(x, t, depth + 1).map_err(|err| err.within(&index_seg(i)))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Value::List(items))
        }
        Type::Map(e) => {
            let m = j.as_object().ok_or_else(|| wrong("an object"))?;
            let mut out = BTreeMap::new();
            for (k, x) in m {
                out.insert(
                    k.clone(),
                    json_to_value_at(x, e, depth + 1).map_err(|err| err.within(&key_seg(k)))?,
                );
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let m = j.as_object().ok_or_else(|| wrong("an object"))?;
            let mut out = BTreeMap::new();
            for (k, t) in attrs {
                let v = match m.get(k) {
                    Some(x) => {
                        json_to_value_at(x, t, depth + 1).map_err(|err| err.within(&attr_seg(k)))?
                    }
                    None => Value::Null,
                };
                out.insert(k.clone(), v);
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            let m = j
                .as_object()
                .ok_or_else(|| wrong("a {\"type\",\"value\"} object"))?;
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
    }
}

fn json_kind(j: &serde_json::Value) -> &'static str {
    use serde_json::Value as J;
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
pub fn value_to_json(v: &Value, ty: &Type) -> Result<serde_json::Value> {
    use serde_json::Value as J;
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
        (Type::List(t) | Type::Set(t), Value::List(items) | Value::Set(items)) => J::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| value_to_json(x, t).map_err(|err| err.within(&index_seg(i))))
                .collect::<Result<_>>()?,
        ),
        (Type::Tuple(ts), Value::List(items)) => {
            if ts.len() != items.len() {
                return Err(CodecError::invalid(format!(
                    "tuple needs {} elements, found {}",
                    ts.len(),
                    items.len()
                )));
            }
            J::Array(
                items
                    .iter()
                    .zip(ts)
                    .enumerate()
                    .map(|(i, (x, t))| value_to_json(x, t).map_err(|err| err.within(&index_seg(i))))
                    .collect::<Result<_>>()?,
            )
        }
        (Type::Map(t), Value::Map(m) | Value::Object(m)) => {
            let mut out = serde_json::Map::new();
            for (k, x) in m {
                out.insert(
                    k.clone(),
                    value_to_json(x, t).map_err(|err| err.within(&key_seg(k)))?,
                );
            }
            J::Object(out)
        }
        (Type::Object(attrs), Value::Object(m) | Value::Map(m)) => {
            if let Some(extra) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::invalid(format!(
                    "unsupported attribute {extra:?}"
                )));
            }
            let mut out = serde_json::Map::new();
            for (k, t) in attrs {
                let x = match m.get(k) {
                    Some(x) => value_to_json(x, t).map_err(|err| err.within(&attr_seg(k)))?,
                    None => J::Null,
                };
                out.insert(k.clone(), x);
            }
            J::Object(out)
        }
        (Type::Dynamic, v) => {
            let (inner_ty, inner) = match v {
                Value::Dynamic(t, inner) => ((**t).clone(), &**inner),
                other => (infer_type(other), other),
            };
            if inner_ty == Type::Dynamic {
                return Err(CodecError::invalid("a dynamic value needs a concrete type"));
            }
            let mut out = serde_json::Map::new();
            out.insert("value".into(), value_to_json(inner, &inner_ty)?);
            out.insert("type".into(), type_to_json(&inner_ty));
            J::Object(out)
        }
        (ty, Value::Dynamic(t, inner)) if **t == *ty => value_to_json(inner, ty)?,
        (ty, v) => return Err(mismatch(ty, v)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn unknown_is_fixext1_type0() {
        assert_eq!(
            encode_msgpack(&Value::Unknown, &Type::String).unwrap(),
            vec![0xd4, 0, 0]
        );
        assert_eq!(
            decode_msgpack(&[0xd4, 0, 0], &Type::String).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn refined_unknown_ext12_decodes_as_unknown() {
        // ext8 (len 3), type 12, payload: fixmap{1: true} (not-null refinement).
        let bytes = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3];
        assert_eq!(
            decode_msgpack(&bytes, &Type::String).unwrap(),
            Value::Unknown
        );
        // fixext4 with any other type code
        let bytes = [0xd6, 0x05, 1, 2, 3, 4];
        assert_eq!(
            decode_msgpack(&bytes, &Type::Number).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn number_as_string_and_big_uint() {
        let mut b = Vec::new();
        rmp::encode::write_str(&mut b, "12").unwrap();
        assert_eq!(
            decode_msgpack(&b, &Type::Number).unwrap(),
            Value::Number(Number::Int(12))
        );
        let mut b = Vec::new();
        rmp::encode::write_str(&mut b, "1.5").unwrap();
        assert_eq!(
            decode_msgpack(&b, &Type::Number).unwrap(),
            Value::Number(Number::Float(1.5))
        );
        let mut b = Vec::new();
        rmp::encode::write_u64(&mut b, u64::MAX).unwrap();
        assert!(matches!(
            decode_msgpack(&b, &Type::Number).unwrap(),
            Value::Number(Number::Float(_))
        ));
    }

    #[test]
    fn missing_object_attributes_are_null_and_extra_are_skipped() {
        let ty = Type::Object(BTreeMap::from([
            ("a".to_string(), Type::String),
            ("b".to_string(), Type::Number),
        ]));
        let mut b = Vec::new();
        rmp::encode::write_map_len(&mut b, 2).unwrap();
        rmp::encode::write_str(&mut b, "a").unwrap();
        rmp::encode::write_str(&mut b, "x").unwrap();
        rmp::encode::write_str(&mut b, "zzz").unwrap();
        rmp::encode::write_array_len(&mut b, 1).unwrap();
        rmp::encode::write_map_len(&mut b, 0).unwrap();
        let v = decode_msgpack(&b, &ty).unwrap();
        assert_eq!(
            v,
            obj(&[("a", Value::String("x".into())), ("b", Value::Null)])
        );

        let v = decode_json(br#"{"a":"x","old":1}"#, &ty).unwrap();
        assert_eq!(
            v,
            obj(&[("a", Value::String("x".into())), ("b", Value::Null)])
        );
    }

    #[test]
    fn dynamic_msgpack_and_json() {
        let v = Value::Dynamic(
            Box::new(Type::List(Box::new(Type::String))),
            Box::new(Value::List(vec![Value::String("a".into())])),
        );
        let b = encode_msgpack(&v, &Type::Dynamic).unwrap();
        assert_eq!(decode_msgpack(&b, &Type::Dynamic).unwrap(), v);
        let j = encode_json(&v, &Type::Dynamic).unwrap();
        assert_eq!(
            String::from_utf8(j.clone()).unwrap(),
            r#"{"value":["a"],"type":["list","string"]}"#
        );
        assert_eq!(decode_json(&j, &Type::Dynamic).unwrap(), v);
        // Unknown dynamic travels bare.
        assert_eq!(
            decode_msgpack(&[0xd4, 0, 0], &Type::Dynamic).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn type_json_round_trip() {
        let ty = Type::Object(BTreeMap::from([
            (
                "a".to_string(),
                Type::Set(Box::new(Type::Map(Box::new(Type::Bool)))),
            ),
            (
                "t".to_string(),
                Type::Tuple(vec![Type::String, Type::Dynamic]),
            ),
        ]));
        let b = type_to_json_bytes(&ty);
        assert_eq!(
            String::from_utf8(b.clone()).unwrap(),
            r#"["object",{"a":["set",["map","bool"]],"t":["tuple",["string","dynamic"]]}]"#
        );
        assert_eq!(type_from_json_bytes(&b).unwrap(), ty);
        // optional attribute list is accepted
        let t = type_from_json_bytes(br#"["object",{"a":"string"},["a"]]"#).unwrap();
        assert_eq!(
            t,
            Type::Object(BTreeMap::from([("a".to_string(), Type::String)]))
        );
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bytes in [
            &[][..],
            &[0x92, 0x01],
            &[0xdd, 0xff, 0xff, 0xff, 0xff],
            &[0xc1],
            &[0xd9, 0x05, b'a'],
        ] {
            let _ = decode_msgpack(bytes, &Type::List(Box::new(Type::String)));
            let _ = decode_msgpack(bytes, &Type::Dynamic);
        }
        assert!(decode_msgpack(&[0xc3], &Type::String).is_err());
        assert!(decode_msgpack(&[0xc0, 0xc0], &Type::String).is_err());
        assert!(decode_json(b"{", &Type::String).is_err());
        assert!(encode_json(&Value::Unknown, &Type::String).is_err());
        assert!(encode_msgpack(&Value::Bool(true), &Type::String).is_err());
    }

    #[test]
    fn error_paths_name_the_attribute() {
        let ty = Type::Object(BTreeMap::from([(
            "tags".to_string(),
            Type::List(Box::new(Type::String)),
        )]));
        let err = decode_json(br#"{"tags":["a",1]}"#, &ty).unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected a string, found a number at tags[1]"
        );
    }
}
