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

fn ab() -> Type {
    Type::Object(BTreeMap::from([
        ("a".to_string(), Type::String),
        ("b".to_string(), Type::Number),
    ]))
}

/// A msgpack map of `pairs`, each value a string.
fn mp_map(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut b = Vec::new();
    rmp::encode::write_map_len(&mut b, pairs.len() as u32).unwrap();
    for (k, v) in pairs {
        rmp::encode::write_str(&mut b, k).unwrap();
        rmp::encode::write_str(&mut b, v).unwrap();
    }
    b
}

#[test]
fn objects_need_exactly_their_attributes() {
    let ty = Type::Object(BTreeMap::from([("a".to_string(), Type::String)]));
    assert_eq!(
        decode_msgpack(&mp_map(&[("a", "x")]), &ty).unwrap(),
        obj(&[("a", Value::String("x".into()))])
    );
    let extra = decode_msgpack(&mp_map(&[("a", "x"), ("zzz", "y")]), &ty).unwrap_err();
    assert!(
        extra.to_string().contains("unsupported attribute \"zzz\""),
        "{extra}"
    );
    let missing = decode_msgpack(&mp_map(&[("a", "x")]), &ab()).unwrap_err();
    assert!(
        missing.to_string().contains("\"b\" is missing"),
        "{missing}"
    );
    let dup = decode_msgpack(&mp_map(&[("a", "x"), ("a", "y")]), &ty).unwrap_err();
    assert!(dup.to_string().contains("duplicate key \"a\""), "{dup}");

    assert!(decode_json(br#"{"a":"x","b":null}"#, &ab()).is_ok());
    let e = decode_json(br#"{"a":"x","b":1,"old":1}"#, &ab()).unwrap_err();
    assert!(
        e.to_string().contains("unsupported attribute \"old\""),
        "{e}"
    );
    let e = decode_json(br#"{"a":"x"}"#, &ab()).unwrap_err();
    assert!(e.to_string().contains("\"b\" is missing"), "{e}");
    let e = decode_json(br#"{"a":"x","a":"y","b":1}"#, &ab()).unwrap_err();
    assert!(e.to_string().contains("duplicate key \"a\""), "{e}");
}

#[test]
fn duplicate_map_keys_are_refused_in_both_codecs() {
    let ty = Type::Map(Box::new(Type::String));
    let e = decode_msgpack(&mp_map(&[("k", "1"), ("k", "2")]), &ty).unwrap_err();
    assert!(e.to_string().contains("duplicate key \"k\""), "{e}");
    let e = decode_json(br#"{"k":"1","k":"2"}"#, &ty).unwrap_err();
    assert!(e.to_string().contains("duplicate key \"k\""), "{e}");
    // Nested inside a list, too.
    let lt = Type::List(Box::new(ty));
    assert!(decode_json(br#"[{"k":"1"},{"k":"1","k":"2"}]"#, &lt).is_err());
}

#[test]
fn stored_json_drops_and_reports_attributes_the_type_lost() {
    let j = parse_json(br#"{"a":"x","old":{"deep":1}}"#).unwrap();
    let mut dropped = vec![];
    let v = stored_json_to_value(&j, &ab(), &mut dropped).unwrap();
    assert_eq!(
        v,
        obj(&[("a", Value::String("x".into())), ("b", Value::Null)])
    );
    assert_eq!(dropped, vec!["old".to_string()]);
}

#[test]
fn unknowns_inside_collections_and_nulls_in_sets_decode() {
    let set = Type::Set(Box::new(Type::String));
    // [unknown, null, "a"]
    let b = [0x93, 0xd4, 0x00, 0x00, 0xc0, 0xa1, b'a'];
    assert_eq!(
        decode_msgpack(&b, &set).unwrap(),
        Value::Set(vec![Value::Unknown, Value::Null, Value::String("a".into())])
    );
    let map = Type::Map(Box::new(Type::Number));
    // {"k": unknown with a refinement payload (ext 12, two bytes)}
    let b = [0x81, 0xa1, b'k', 0xd5, 0x0c, 0x01, 0x02];
    let v = decode_msgpack(&b, &map).unwrap();
    assert!(v.contains_unknown());
    assert_eq!(
        encode_msgpack(&v, &map).unwrap(),
        [0x81, 0xa1, b'k', 0xd4, 0, 0]
    );
    // JSON cannot carry unknowns: a null in a set is a null.
    assert_eq!(
        decode_json(b"[null]", &set).unwrap(),
        Value::Set(vec![Value::Null])
    );
}

#[test]
fn huge_strings_and_deep_nesting_are_bounded() {
    let big = "x".repeat(5_000_000);
    let mut b = Vec::new();
    rmp::encode::write_str(&mut b, &big).unwrap();
    assert_eq!(
        decode_msgpack(&b, &Type::String).unwrap(),
        Value::String(big.clone())
    );
    // A string header claiming more bytes than there are.
    assert!(matches!(
        decode_msgpack(&[0xdb, 0xff, 0xff, 0xff, 0xff, b'a'], &Type::String),
        Err(CodecError::Eof { .. })
    ));
    // An error quotes a short prefix of a huge key, not the key.
    let key = "k".repeat(100_000);
    let e = decode_json(
        format!("{{\"{key}\":1}}").as_bytes(),
        &Type::Map(Box::new(Type::Bool)),
    )
    .unwrap_err()
    .to_string();
    assert!(e.len() < 200, "{} characters", e.len());
    assert!(e.contains("100000 characters"), "{e}");
    // 10 000 nested lists: an error, not a stack overflow.
    let mut ty = Type::String;
    for _ in 0..300 {
        ty = Type::List(Box::new(ty));
    }
    let deep = [vec![0x91u8; 10_000], vec![0xa0]].concat();
    assert!(decode_msgpack(&deep, &ty).is_err());
    assert!(decode_msgpack(&deep, &Type::Dynamic).is_err());
    let deep_json = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(decode_json(deep_json.as_bytes(), &ty).is_err());
    assert!(decode_json(deep_json.as_bytes(), &Type::Dynamic).is_err());
}

#[test]
fn non_utf8_bytes_are_an_error() {
    // fixstr of two bytes that are not UTF-8.
    let e = decode_msgpack(&[0xa2, 0xff, 0xfe], &Type::String).unwrap_err();
    assert!(e.to_string().contains("UTF-8"), "{e}");
    // ... as a map key, and as a number written as a string.
    assert!(decode_msgpack(&[0x81, 0xa1, 0xff, 0xc3], &Type::Map(Box::new(Type::Bool))).is_err());
    assert!(decode_msgpack(&[0xa1, 0xff], &Type::Number).is_err());
    assert!(decode_json(b"\"\xff\"", &Type::String).is_err());
}

#[test]
fn numbers_must_be_finite() {
    let mut nan = vec![0xcb];
    nan.extend_from_slice(&f64::NAN.to_be_bytes());
    assert!(decode_msgpack(&nan, &Type::Number).is_err());
    let mut inf = vec![0xcb];
    inf.extend_from_slice(&f64::INFINITY.to_be_bytes());
    assert!(decode_msgpack(&inf, &Type::Number).is_err());
    assert!(decode_json(br#""1e999""#, &Type::Number).is_err());
    assert!(decode_json(br#""NaN""#, &Type::Number).is_err());
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

#[test]
fn json_numbers_read_back_exactly() {
    // Found by the fuzz loop: without exact float parsing the last digit drifted.
    let f = 2.2996832046769887e18;
    let v = Value::Number(Number::Float(f));
    let back = decode_json(&encode_json(&v, &Type::Number).unwrap(), &Type::Number).unwrap();
    assert_eq!(back, v);
}
