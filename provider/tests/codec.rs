//! Property tests for the value codecs: decode(encode(v)) == v for arbitrary types and values,
//! including nulls and unknowns at any depth (msgpack) and nulls (JSON).

use proptest::prelude::*;
use terraform_provider_workos::value::codec::{
    decode_json, decode_msgpack, encode_json, encode_msgpack, type_from_json_bytes,
    type_to_json_bytes,
};
use terraform_provider_workos::value::{Number, Type, Value};

fn type_strategy(allow_dynamic: bool) -> BoxedStrategy<Type> {
    let leaf = if allow_dynamic {
        prop_oneof![
            Just(Type::Bool),
            Just(Type::Number),
            Just(Type::String),
            Just(Type::Dynamic)
        ]
        .boxed()
    } else {
        prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String)].boxed()
    };
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| Type::List(Box::new(t))),
            inner.clone().prop_map(|t| Type::Set(Box::new(t))),
            inner.clone().prop_map(|t| Type::Map(Box::new(t))),
            prop::collection::btree_map("[a-z_]{1,6}", inner.clone(), 0..4).prop_map(Type::Object),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
    .boxed()
}

fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        any::<i64>().prop_map(|i| Value::Number(Number::Int(i))),
        // Floats with short exact decimal forms (JSON round-trips them bit for bit).
        (-1_000_000_000i64..1_000_000_000)
            .prop_map(|i| Value::Number(Number::Float(i as f64 / 64.0 + 1.0 / 128.0))),
    ]
    .boxed()
}

fn value_strategy(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => number(),
        Type::String => ".{0,12}".prop_map(Value::String).boxed(),
        Type::List(e) => prop::collection::vec(value_strategy(e, unknowns), 0..3)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(e) => prop::collection::vec(value_strategy(e, unknowns), 0..3)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(e) => {
            prop::collection::btree_map("[a-z]{0,4}", value_strategy(e, unknowns), 0..3)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object(attrs) => {
            let fields: Vec<BoxedStrategy<(String, Value)>> = attrs
                .iter()
                .map(|(k, t)| {
                    let k = k.clone();
                    value_strategy(t, unknowns)
                        .prop_map(move |v| (k.clone(), v))
                        .boxed()
                })
                .collect();
            fields
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
                .boxed()
        }
        Type::Tuple(ts) => {
            let items: Vec<BoxedStrategy<Value>> =
                ts.iter().map(|t| value_strategy(t, unknowns)).collect();
            items.prop_map(Value::List).boxed()
        }
        Type::Dynamic => type_strategy(false)
            .prop_flat_map(move |t| {
                value_strategy(&t, unknowns)
                    .prop_map(move |v| Value::Dynamic(Box::new(t.clone()), Box::new(v)))
            })
            .boxed(),
    };
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
    }
}

fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    type_strategy(true).prop_flat_map(move |t| (Just(t.clone()), value_strategy(&t, unknowns)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn msgpack_round_trip((ty, v) in typed_value(true)) {
        let bytes = encode_msgpack(&v, &ty).expect("encode");
        prop_assert_eq!(decode_msgpack(&bytes, &ty).expect("decode"), v);
    }

    #[test]
    fn json_round_trip((ty, v) in typed_value(false)) {
        let bytes = encode_json(&v, &ty).expect("encode");
        prop_assert_eq!(decode_json(&bytes, &ty).expect("decode"), v);
    }

    #[test]
    fn type_json_round_trip(ty in type_strategy(true)) {
        prop_assert_eq!(type_from_json_bytes(&type_to_json_bytes(&ty)).expect("parse"), ty);
    }

    #[test]
    fn garbage_never_panics(ty in type_strategy(true), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode_msgpack(&bytes, &ty);
        let _ = decode_json(&bytes, &ty);
        let _ = type_from_json_bytes(&bytes);
    }
}

#[test]
fn stored_json_state_decodes_with_the_current_schema() {
    // As in UpgradeResourceState: stored JSON may lack new attributes and carry removed ones.
    let ty = type_from_json_bytes(
        br#"["object",{"id":"string","tags":["map","string"],"count":"number"}]"#,
    )
    .unwrap();
    // The removed one is reported, for UpgradeResourceState's warning.
    let stored = br#"{"id":"org_1","removed":true,"count":3}"#;
    let mut dropped = vec![];
    let j = terraform_provider_workos::value::codec::parse_json(stored).unwrap();
    let v = terraform_provider_workos::value::codec::stored_json_to_value(&j, &ty, &mut dropped)
        .unwrap();
    assert_eq!(v.attr("id"), &Value::String("org_1".into()));
    assert_eq!(v.attr("tags"), &Value::Null);
    assert_eq!(v.attr("count"), &Value::Number(Number::Int(3)));
    assert_eq!(dropped, vec!["removed".to_string()]);
    // A DynamicValue from Terraform is held to the schema: both are errors there.
    assert!(decode_json(stored, &ty).is_err());
}
