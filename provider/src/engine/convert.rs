//! JSON (API bodies) ↔ Terraform values, by descriptor type.

use crate::value::{Number, Value};
use descriptor::{Attr, Ty};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;

/// Convert an API JSON value to a Terraform value of type `ty`.
/// `item_field`: for collections of scalars read from arrays of objects, the field to take.
pub fn from_json(j: &Json, ty: &Ty, item_field: Option<&str>) -> Value {
    if j.is_null() {
        return Value::Null;
    }
    match ty {
        Ty::Json => Value::String(j.to_string()),
        Ty::Dynamic => dynamic_from_json(j),
        Ty::String | Ty::Bool | Ty::Int | Ty::Float => scalar_from_json(j, ty),
        Ty::List(t) | Ty::Set(t) => match j {
            Json::Array(a) => collection_from_json(a, ty, t, item_field),
            _ => Value::Null,
        },
        Ty::Map(t) => match j {
            Json::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), from_json(v, t, None)))
                    .collect(),
            ),
            _ => Value::Null,
        },
        Ty::Object(attrs) => match j {
            Json::Object(o) => object_from_json(o, attrs),
            _ => Value::Null,
        },
    }
}

fn scalar_from_json(j: &Json, ty: &Ty) -> Value {
    match (ty, j) {
        (Ty::String, Json::String(s)) => Value::String(s.clone()),
        (Ty::String, other) => Value::String(other.to_string()),
        (Ty::Bool, Json::Bool(b)) => Value::Bool(*b),
        (Ty::Bool, Json::String(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
        (Ty::Int | Ty::Float, Json::Number(n)) => match n.as_i64() {
            Some(i) => Value::Number(Number::Int(i)),
            None => Value::Number(Number::Float(n.as_f64().unwrap_or(0.0))),
        },
        (Ty::Int | Ty::Float, Json::String(s)) => s
            .parse::<i64>()
            .map(|i| Value::Number(Number::Int(i)))
            .or_else(|_| s.parse::<f64>().map(|f| Value::Number(Number::Float(f))))
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

fn collection_from_json(a: &[Json], ty: &Ty, elem: &Ty, item_field: Option<&str>) -> Value {
    let items = a
        .iter()
        .map(|e| match (item_field, e) {
            (Some(f), Json::Object(o)) => from_json(o.get(f).unwrap_or(&Json::Null), elem, None),
            _ => from_json(e, elem, None),
        })
        .filter(|v| !v.is_null());
    if !matches!(ty, Ty::Set(_)) {
        return Value::List(items.collect());
    }
    let mut uniq: Vec<Value> = Vec::new();
    for v in items {
        if !uniq.iter().any(|u| u.semantic_eq(&v)) {
            uniq.push(v);
        }
    }
    Value::Set(uniq)
}

fn object_from_json(o: &Map<String, Json>, attrs: &[Attr]) -> Value {
    Value::Object(
        attrs
            .iter()
            .map(|a| {
                let f = a.response_field.unwrap_or(a.name);
                let j = o.get(f).unwrap_or(&Json::Null);
                (
                    a.name.to_string(),
                    from_json(j, &a.ty, a.response_item_field),
                )
            })
            .collect(),
    )
}

/// Convert a known Terraform value to a JSON request value.
pub fn to_json(v: &Value, ty: &Ty) -> Json {
    match (v, ty) {
        (Value::Null | Value::Unknown, _) => Json::Null,
        (Value::String(s), Ty::Json) => serde_json::from_str(s).unwrap_or(Json::Null),
        (v, Ty::Dynamic) => plain_json(v),
        (Value::String(s), _) => Json::String(s.clone()),
        (Value::Bool(b), _) => Json::Bool(*b),
        (Value::Number(Number::Int(i)), _) => Json::from(*i),
        (Value::Number(Number::Float(f)), Ty::Int) => Json::from(*f as i64),
        (Value::Number(Number::Float(f)), _) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        (Value::List(items) | Value::Set(items), Ty::List(t) | Ty::Set(t)) => {
            Json::Array(items.iter().map(|i| to_json(i, t)).collect())
        }
        (Value::Map(m), Ty::Map(t)) => {
            Json::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v, t))).collect())
        }
        (Value::Object(m), Ty::Object(attrs)) => Json::Object(
            attrs
                .iter()
                .filter_map(|a| {
                    let v = m.get(a.name)?;
                    if v.is_null() {
                        return None;
                    }
                    Some((
                        a.create_field.unwrap_or(a.name).to_string(),
                        to_json(v, &a.ty),
                    ))
                })
                .collect(),
        ),
        (Value::Dynamic(_, inner), t) => to_json(inner, t),
        _ => Json::Null,
    }
}

/// A JSON value as a Terraform value of its own (dynamic) type: objects become objects,
/// arrays tuples.
pub fn dynamic_from_json(j: &Json) -> Value {
    let v = plain_value(j);
    Value::Dynamic(Box::new(v.inferred_type()), Box::new(v))
}

pub fn plain_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Number(Number::Int(i)),
            None => Value::Number(Number::Float(n.as_f64().unwrap_or(0.0))),
        },
        Json::String(s) => Value::String(s.clone()),
        Json::Array(a) => Value::List(a.iter().map(plain_value).collect()),
        Json::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), plain_value(v))).collect())
        }
    }
}

/// A known Terraform value as JSON, by the value's own shape (for dynamic attributes).
pub fn plain_json(v: &Value) -> Json {
    match v {
        Value::Null | Value::Unknown => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(Number::Int(i)) => Json::from(*i),
        Value::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) | Value::Set(items) => {
            Json::Array(items.iter().map(plain_json).collect())
        }
        Value::Map(m) | Value::Object(m) => {
            Json::Object(m.iter().map(|(k, v)| (k.clone(), plain_json(v))).collect())
        }
        Value::Dynamic(_, inner) => plain_json(inner),
    }
}

/// The empty JSON value of a type ("" / [] / {}), used to clear attributes.
pub fn empty_json(ty: &Ty) -> Json {
    match ty {
        Ty::String => Json::String(String::new()),
        Ty::Json | Ty::Map(_) | Ty::Object(_) => Json::Object(Default::default()),
        Ty::List(_) | Ty::Set(_) => Json::Array(vec![]),
        Ty::Bool | Ty::Int | Ty::Float | Ty::Dynamic => Json::Null,
    }
}

/// True for "", [] and {}.
pub fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::List(x) | Value::Set(x) => x.is_empty(),
        Value::Map(m) | Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// A null object with every attribute present.
pub fn null_object(attrs: &[Attr]) -> BTreeMap<String, Value> {
    attrs
        .iter()
        .map(|a| (a.name.to_string(), Value::Null))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static S: Ty = Ty::String;

    #[test]
    fn scalars_and_nulls() {
        assert_eq!(
            from_json(&json!("a"), &Ty::String, None),
            Value::String("a".into())
        );
        assert_eq!(from_json(&json!(null), &Ty::String, None), Value::Null);
        assert_eq!(
            from_json(&json!(3), &Ty::Int, None),
            Value::Number(Number::Int(3))
        );
        assert_eq!(from_json(&json!(true), &Ty::Bool, None), Value::Bool(true));
    }

    #[test]
    fn set_from_array_of_objects_by_item_field() {
        let v = from_json(
            &json!([{"slug": "a"}, {"slug": "b"}, {"slug": "a"}]),
            &Ty::Set(&S),
            Some("slug"),
        );
        assert!(v.semantic_eq(&Value::Set(vec![
            Value::String("b".into()),
            Value::String("a".into())
        ])));
    }

    #[test]
    fn map_round_trip() {
        let v = from_json(&json!({"k": "v"}), &Ty::Map(&S), None);
        assert_eq!(to_json(&v, &Ty::Map(&S)), json!({"k": "v"}));
        assert_eq!(empty_json(&Ty::Map(&S)), json!({}));
        assert!(is_empty_value(&from_json(&json!({}), &Ty::Map(&S), None)));
    }
}
