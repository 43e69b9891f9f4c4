//! Terraform values and types.
//!
//! `Value` is the in-memory form of a Terraform value: it may be null or unknown at any depth.
//! `Type` is a Terraform type constraint. The wire codecs (msgpack and JSON) live in `codec`.

use std::collections::BTreeMap;

pub mod codec;
pub mod path;

pub use path::{AttributePath, PathStep};

/// A Terraform type constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    Number,
    String,
    /// `"dynamic"`: the concrete type travels with the value.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

/// A Terraform value. Collections hold values of their element type.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    /// Ordered collection (list or tuple).
    List(Vec<Value>),
    /// Unordered collection; kept in the order received, compared as a set by `set_eq`.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    /// A value of type `dynamic`: its concrete type and the value.
    Dynamic(Box<Type>, Box<Value>),
}

/// A Terraform number. Integers are kept exact; everything else is a float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            Number::Float(_) => None,
        }
    }
}

impl Value {
    /// The concrete type of a value in a `dynamic` position: lists are tuples, maps objects;
    /// a wrapped dynamic value answers its own type.
    pub fn inferred_type(&self) -> Type {
        match self {
            Value::Null | Value::Unknown => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => Type::Tuple(items.iter().map(Value::inferred_type).collect()),
            Value::Set(items) => Type::Set(Box::new(
                items
                    .first()
                    .map(Value::inferred_type)
                    .unwrap_or(Type::String),
            )),
            Value::Map(m) | Value::Object(m) => Type::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), v.inferred_type()))
                    .collect(),
            ),
            Value::Dynamic(t, _) => (**t).clone(),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
    /// True when the value or anything inside it is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::List(v) | Value::Set(v) => v.iter().any(Value::contains_unknown),
            Value::Map(m) | Value::Object(m) => m.values().any(Value::contains_unknown),
            Value::Dynamic(_, v) => v.contains_unknown(),
            _ => false,
        }
    }
    pub fn is_known(&self) -> bool {
        !self.contains_unknown()
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// Attribute of an object value (None if not an object or absent).
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(name),
            _ => None,
        }
    }
    /// Attribute of an object value, or `Value::Null` when missing.
    pub fn attr(&self, name: &str) -> &Value {
        const NULL: Value = Value::Null;
        self.get(name).unwrap_or(&NULL)
    }
    pub fn object_mut(&mut self) -> Option<&mut BTreeMap<String, Value>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
    /// Semantic equality: sets compare without order, everything else structurally.
    pub fn semantic_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Set(a), Value::Set(b)) => {
                a.len() == b.len()
                    && a.iter().all(|x| b.iter().any(|y| x.semantic_eq(y)))
                    && b.iter().all(|y| a.iter().any(|x| x.semantic_eq(y)))
            }
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.semantic_eq(y))
            }
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|w| v.semantic_eq(w)))
            }
            (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (Value::Dynamic(t1, v1), Value::Dynamic(t2, v2)) => t1 == t2 && v1.semantic_eq(v2),
            (Value::Dynamic(_, v), o) | (o, Value::Dynamic(_, v)) => v.semantic_eq(o),
            _ => self == other,
        }
    }
}
