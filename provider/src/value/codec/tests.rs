//! Codec unit tests.

use super::*;
use std::collections::BTreeMap;

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
