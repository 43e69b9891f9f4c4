//! A mutation fuzz loop on the stable toolchain, beside the cargo-fuzz targets in
//! `provider/fuzz/` (which need nightly): valid values of random types and of the provider's
//! own schemas are encoded (msgpack and JSON), then mutated — bits flipped, bytes inserted,
//! removed, spliced, truncated — and decoded again, as codec input and as the `DynamicValue`s
//! of real RPCs served in process. Nothing may panic; every unmutated encoding must decode to
//! the value it came from.
//!
//! By default a short run (a few thousand inputs). A long one:
//! `FUZZ_LOOP_SECS=600 cargo test -p terraform-provider-workos --test fuzz_loop -- --nocapture`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use terraform_provider_workos::engine;
use terraform_provider_workos::protocol::proto::tfplugin6 as pb;
use terraform_provider_workos::protocol::proto::tfplugin6::provider_server::Provider;
use terraform_provider_workos::protocol::ProviderService;
use terraform_provider_workos::value::codec::{
    decode_json, decode_msgpack, encode_json, encode_msgpack,
};
use terraform_provider_workos::value::{Number, Type, Value};
use tonic::Request;

/// xorshift64*: deterministic for a seed, so a failure reproduces.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

fn arb_type(r: &mut Rng, depth: u32) -> Type {
    let leaf = [Type::Bool, Type::Number, Type::String, Type::Dynamic];
    if depth == 0 {
        return leaf[r.below(4) as usize].clone();
    }
    match r.below(9) {
        0..=3 => leaf[r.below(4) as usize].clone(),
        4 => Type::List(Box::new(arb_type(r, depth - 1))),
        5 => Type::Set(Box::new(arb_type(r, depth - 1))),
        6 => Type::Map(Box::new(arb_type(r, depth - 1))),
        7 => Type::Object(
            (0..r.below(4))
                .map(|i| (format!("a{i}"), arb_type(r, depth - 1)))
                .collect(),
        ),
        _ => Type::Tuple((0..r.below(3)).map(|_| arb_type(r, depth - 1)).collect()),
    }
}

fn arb_string(r: &mut Rng) -> String {
    let pool = ["", "a", "é", "\u{0}", "\u{202e}", "🙂", "\"", "\\", "k"];
    let mut s: String = (0..r.below(6))
        .map(|_| pool[r.below(pool.len() as u64) as usize])
        .collect();
    if r.chance(50) {
        s.push_str(&"x".repeat(r.below(70_000) as usize));
    }
    s
}

/// A value of type `ty`; unknowns only when `unknowns` (JSON cannot carry them).
fn arb_value(r: &mut Rng, ty: &Type, unknowns: bool, depth: u32) -> Value {
    if r.chance(8) {
        return Value::Null;
    }
    if unknowns && r.chance(10) {
        return Value::Unknown;
    }
    let n = |r: &mut Rng| if depth > 3 { 0 } else { r.below(4) };
    match ty {
        Type::Bool => Value::Bool(r.chance(2)),
        Type::Number => Value::Number(match r.below(3) {
            0 => Number::Int(r.next() as i64),
            1 => Number::Int(r.below(100) as i64),
            _ => Number::Float((r.next() as f64) / 7.0),
        }),
        Type::String => Value::String(arb_string(r)),
        Type::Dynamic => {
            let inner = match arb_type(r, 2) {
                Type::Dynamic => Type::String,
                t => t,
            };
            let v = arb_value(r, &inner, unknowns, depth + 1);
            if v.is_null() || v.is_unknown() {
                return v;
            }
            Value::Dynamic(Box::new(inner), Box::new(v))
        }
        Type::List(e) => Value::List(
            (0..n(r))
                .map(|_| arb_value(r, e, unknowns, depth + 1))
                .collect(),
        ),
        Type::Set(e) => Value::Set(
            (0..n(r))
                .map(|_| arb_value(r, e, unknowns, depth + 1))
                .collect(),
        ),
        Type::Tuple(ts) => Value::List(
            ts.iter()
                .map(|t| arb_value(r, t, unknowns, depth + 1))
                .collect(),
        ),
        Type::Map(e) => Value::Map(
            (0..n(r))
                .map(|_| (arb_string(r), arb_value(r, e, unknowns, depth + 1)))
                .collect(),
        ),
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(k, t)| (k.clone(), arb_value(r, t, unknowns, depth + 1)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

fn mutate(r: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..=r.below(4) {
        let len = bytes.len() as u64;
        match r.below(6) {
            0 if len > 0 => {
                let i = r.below(len) as usize;
                bytes[i] ^= 1 << r.below(8);
            }
            1 => {
                let i = r.below(len + 1) as usize;
                bytes.insert(i, r.next() as u8);
            }
            2 if len > 0 => {
                bytes.remove(r.below(len) as usize);
            }
            3 => bytes.truncate(r.below(len + 1) as usize),
            4 if len > 1 => {
                let (a, b) = (r.below(len) as usize, r.below(len) as usize);
                let (lo, hi) = (a.min(b), a.max(b));
                let chunk = bytes[lo..hi].to_vec();
                let at = r.below(len + 1) as usize;
                bytes.splice(at..at, chunk);
            }
            _ => {
                let i = r.below(len + 1) as usize;
                let magic = [0xc1, 0xd4, 0xdd, 0xdf, 0xdb, 0xcb, 0xff, b'{', b'"', b'['];
                bytes.insert(i, magic[r.below(magic.len() as u64) as usize]);
            }
        }
    }
}

/// One round on the codecs: a valid encoding round-trips, mutations never panic.
fn codec_round(r: &mut Rng) {
    let ty = arb_type(r, 4);
    let v = arb_value(r, &ty, true, 0);
    let mut b = encode_msgpack(&v, &ty).expect("a generated value encodes");
    let back = decode_msgpack(&b, &ty).expect("its encoding decodes");
    assert!(
        back.semantic_eq(&v) || back == v,
        "msgpack round trip of {v:?}"
    );
    mutate(r, &mut b);
    if let Ok(w) = decode_msgpack(&b, &ty) {
        encode_msgpack(&w, &ty).expect("what decodes encodes");
    }
    let known = arb_value(r, &ty, false, 0);
    let mut j = encode_json(&known, &ty).expect("a known value encodes as JSON");
    let back = decode_json(&j, &ty).expect("its JSON decodes");
    assert!(
        back.semantic_eq(&known),
        "JSON round trip of {known:?} as {ty:?}: {back:?}"
    );
    mutate(r, &mut j);
    if let Ok(w) = decode_json(&j, &ty) {
        encode_json(&w, &ty).expect("what decodes encodes");
    }
}

struct Schemas {
    resources: Vec<(String, Type)>,
}

/// One round through the service: a mutated config or state of a real resource type.
async fn rpc_round(r: &mut Rng, svc: &ProviderService, s: &Schemas) {
    let (name, ty) = &s.resources[r.below(s.resources.len() as u64) as usize];
    let v = arb_value(r, ty, true, 0);
    let mut b = encode_msgpack(&v, ty).expect("encode");
    if !r.chance(4) {
        mutate(r, &mut b);
    }
    let dv = Some(pb::DynamicValue {
        msgpack: b,
        json: vec![],
    });
    let answered = match r.below(3) {
        0 => svc
            .validate_resource_config(Request::new(pb::validate_resource_config::Request {
                type_name: name.clone(),
                config: dv,
                ..Default::default()
            }))
            .await
            .is_ok(),
        1 => svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: name.clone(),
                prior_state: dv.clone(),
                proposed_new_state: dv.clone(),
                config: dv,
                ..Default::default()
            }))
            .await
            .is_ok(),
        _ => svc
            .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
                type_name: name.clone(),
                version: r.below(3) as i64 - 1,
                raw_state: Some(pb::RawState {
                    json: dv.map(|d| d.msgpack).unwrap_or_default(),
                    flatmap: Default::default(),
                }),
            }))
            .await
            .is_ok(),
    };
    assert!(answered, "the service failed a call for {name}");
}

#[tokio::test]
async fn mutated_values_never_panic_the_codecs_or_the_service() {
    let secs: u64 = std::env::var("FUZZ_LOOP_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let seed: u64 = std::env::var("FUZZ_LOOP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let core = engine::new_provider();
    let schemas = Schemas {
        resources: core
            .schemas()
            .resources
            .iter()
            .map(|(n, s)| (n.clone(), s.block.value_type()))
            .collect(),
    };
    let svc = ProviderService::new(core);
    let mut r = Rng(seed);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let mut rounds: u64 = 0;
    loop {
        codec_round(&mut r);
        rpc_round(&mut r, &svc, &schemas).await;
        rounds += 1;
        let done = if secs == 0 {
            rounds >= 2_000
        } else {
            Instant::now() >= deadline
        };
        if done {
            break;
        }
    }
    println!(
        "fuzz loop: {rounds} rounds ({} codec + {} RPC inputs) in {:.0?}, seed {seed}",
        rounds * 2,
        rounds,
        start.elapsed()
    );
}
