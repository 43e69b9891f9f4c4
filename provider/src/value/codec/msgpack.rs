//! MessagePack, the preferred `DynamicValue` encoding: the only one that can carry unknowns.

use super::{
    attr_seg, check_attrs, check_complete, check_depth, check_tuple_len, duplicate_key,
    dynamic_parts, finite, index_seg, key_seg, mismatch, parse_number, type_from_json_bytes,
    type_to_json_bytes, unsupported_attr, CodecError, Result,
};
use crate::value::{Number, Type, Value};
use rmp::encode as e;
use rmp::Marker;
use std::collections::BTreeMap;

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
        check_depth(depth)?;
        if self.peek()? == Marker::Null {
            self.pos += 1;
            return Ok(Value::Null);
        }
        if self.skip_ext()? {
            return Ok(Value::Unknown);
        }
        match ty {
            Type::Bool => self.bool(),
            Type::Number => Ok(Value::Number(finite(self.number()?)?)),
            Type::String => Ok(Value::String(self.string()?)),
            Type::List(e) => Ok(Value::List(self.items(e, depth)?)),
            Type::Set(e) => Ok(Value::Set(self.items(e, depth)?)),
            Type::Tuple(elems) => self.tuple(elems, depth),
            Type::Map(e) => self.map(e, depth),
            Type::Object(attrs) => self.object(attrs, depth),
            Type::Dynamic => self.dynamic(depth),
        }
    }

    fn bool(&mut self) -> Result<Value> {
        match self.marker()? {
            Marker::True => Ok(Value::Bool(true)),
            Marker::False => Ok(Value::Bool(false)),
            m => Err(CodecError::invalid(format!("expected a bool, found {m:?}"))),
        }
    }

    /// An array header; `what` names the expected kind in the error.
    fn array_header(&mut self, what: &str) -> Result<usize> {
        let m = self.marker()?;
        self.array_len(m)?
            .ok_or_else(|| CodecError::invalid(format!("expected {what}, found {m:?}")))
    }

    /// A map header; `what` names the expected kind in the error.
    fn map_header(&mut self, what: &str) -> Result<usize> {
        let m = self.marker()?;
        self.map_len(m)?
            .ok_or_else(|| CodecError::invalid(format!("expected {what}, found {m:?}")))
    }

    /// The elements of a list or set.
    fn items(&mut self, e: &Type, depth: usize) -> Result<Vec<Value>> {
        let n = self.array_header("an array")?;
        let mut items = Vec::with_capacity(n.min(1024));
        for i in 0..n {
            let v = self.value(e, depth + 1);
            items.push(v.map_err(|err| err.within(&index_seg(i)))?);
        }
        Ok(items)
    }

    fn tuple(&mut self, elems: &[Type], depth: usize) -> Result<Value> {
        let n = self.array_header("an array")?;
        check_tuple_len(elems.len(), n)?;
        let mut items = Vec::with_capacity(n);
        for (i, t) in elems.iter().enumerate() {
            let v = self.value(t, depth + 1);
            items.push(v.map_err(|err| err.within(&index_seg(i)))?);
        }
        Ok(Value::List(items))
    }

    fn map(&mut self, e: &Type, depth: usize) -> Result<Value> {
        let n = self.map_header("a map")?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let k = self.string()?;
            let v = self.value(e, depth + 1);
            let v = v.map_err(|err| err.within(&key_seg(&k)))?;
            if out.insert(k.clone(), v).is_some() {
                return Err(duplicate_key(&k));
            }
        }
        Ok(Value::Map(out))
    }

    /// Exactly the type's attributes, each once.
    fn object(&mut self, attrs: &BTreeMap<String, Type>, depth: usize) -> Result<Value> {
        let n = self.map_header("an object")?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let k = self.string()?;
            let t = attrs.get(&k).ok_or_else(|| unsupported_attr(&k))?;
            let v = self.value(t, depth + 1);
            let v = v.map_err(|err| err.within(&attr_seg(&k)))?;
            if out.insert(k.clone(), v).is_some() {
                return Err(duplicate_key(&k));
            }
        }
        check_complete(attrs, &out)?;
        Ok(Value::Object(out))
    }

    /// `[type JSON bytes, value]`.
    fn dynamic(&mut self, depth: usize) -> Result<Value> {
        let m = self.marker()?;
        if self.array_len(m)? != Some(2) {
            return Err(CodecError::invalid(
                "a dynamic value must be a [type, value] array",
            ));
        }
        let tm = self.marker()?;
        let n = match (self.bin_len(tm)?, tm) {
            (Some(n), _) => n,
            (None, tm) => self
                .str_len(tm)?
                .ok_or_else(|| CodecError::invalid("a dynamic value's type must be JSON bytes"))?,
        };
        let inner_ty = type_from_json_bytes(self.take(n)?)?;
        let v = self.value(&inner_ty, depth + 1)?;
        Ok(Value::Dynamic(Box::new(inner_ty), Box::new(v)))
    }
}

fn write_err<E: std::fmt::Display>(e: E) -> CodecError {
    CodecError::invalid(format!("msgpack write failed: {e}"))
}

fn write_len_checked(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| CodecError::invalid("collection too large"))
}

fn write_value(out: &mut Vec<u8>, v: &Value, ty: &Type) -> Result<()> {
    match (ty, v) {
        (_, Value::Null) => e::write_nil(out).map_err(write_err),
        // fixext1, extension type 0, one zero byte: an unrefined unknown value.
        (_, Value::Unknown) => {
            out.extend_from_slice(&[0xd4, 0x00, 0x00]);
            Ok(())
        }
        (Type::Bool, Value::Bool(b)) => e::write_bool(out, *b).map_err(write_err),
        (Type::Number, Value::Number(n)) => write_number(out, n),
        (Type::String, Value::String(s)) => e::write_str(out, s).map_err(write_err),
        (Type::List(t) | Type::Set(t), Value::List(items) | Value::Set(items)) => {
            write_items(out, items, |_| t)
        }
        (Type::Tuple(ts), Value::List(items)) => {
            check_tuple_len(ts.len(), items.len())?;
            write_items(out, items, |i| &ts[i])
        }
        (Type::Map(t), Value::Map(m) | Value::Object(m)) => write_map(out, m, t),
        (Type::Object(attrs), Value::Object(m) | Value::Map(m)) => write_object(out, m, attrs),
        (Type::Dynamic, v) => {
            let (inner_ty, inner) = dynamic_parts(v)?;
            e::write_array_len(out, 2).map_err(write_err)?;
            e::write_bin(out, &type_to_json_bytes(&inner_ty)).map_err(write_err)?;
            write_value(out, inner, &inner_ty)
        }
        (ty, Value::Dynamic(t, inner)) if **t == *ty => write_value(out, inner, ty),
        (ty, v) => Err(mismatch(ty, v)),
    }
}

fn write_number(out: &mut Vec<u8>, n: &Number) -> Result<()> {
    match n {
        Number::Int(i) => e::write_sint(out, *i).map(drop).map_err(write_err),
        Number::Float(f) if f.is_nan() => Err(CodecError::invalid("NaN is not a valid number")),
        Number::Float(f) => e::write_f64(out, *f).map_err(write_err),
    }
}

/// An array of `items`, the `i`th of type `ty(i)`.
fn write_items<'t>(
    out: &mut Vec<u8>,
    items: &[Value],
    ty: impl Fn(usize) -> &'t Type,
) -> Result<()> {
    e::write_array_len(out, write_len_checked(items.len())?).map_err(write_err)?;
    for (i, item) in items.iter().enumerate() {
        write_value(out, item, ty(i)).map_err(|err| err.within(&index_seg(i)))?;
    }
    Ok(())
}

fn write_map(out: &mut Vec<u8>, m: &BTreeMap<String, Value>, t: &Type) -> Result<()> {
    e::write_map_len(out, write_len_checked(m.len())?).map_err(write_err)?;
    for (k, item) in m {
        e::write_str(out, k).map_err(write_err)?;
        write_value(out, item, t).map_err(|err| err.within(&key_seg(k)))?;
    }
    Ok(())
}

/// Every attribute of the type, null where the value lacks it.
fn write_object(
    out: &mut Vec<u8>,
    m: &BTreeMap<String, Value>,
    attrs: &BTreeMap<String, Type>,
) -> Result<()> {
    check_attrs(attrs, m)?;
    e::write_map_len(out, write_len_checked(attrs.len())?).map_err(write_err)?;
    for (k, t) in attrs {
        e::write_str(out, k).map_err(write_err)?;
        let item = m.get(k).unwrap_or(&Value::Null);
        write_value(out, item, t).map_err(|err| err.within(&attr_seg(k)))?;
    }
    Ok(())
}
