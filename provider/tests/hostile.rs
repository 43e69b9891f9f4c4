//! Hostile input over gRPC, from outside: the built provider binary is started as Terraform
//! starts it, and an independent client sends it what Terraform never would — garbage
//! `DynamicValue`s, wrong and empty type names, empty requests, wholly unknown states, objects
//! with attributes the schema lacks or missing ones, repeated keys, state versions no provider
//! wrote — to every RPC of tfplugin6. Each answer must be a response (never a failed call or a
//! crash: a panic would take Terraform's plugin down), the provider must still answer the next
//! call, and each item of the checked inputs gets its diagnostic at the earliest RPC that can
//! see it, quoting at most a short prefix of a user's value.

#[path = "common/plugin.rs"]
mod plugin;

use std::collections::BTreeMap;

use terraform_provider_workos::engine;
use terraform_provider_workos::protocol::proto::tfplugin6 as pb;
use terraform_provider_workos::protocol::proto::tfplugin6::provider_client::ProviderClient;
use terraform_provider_workos::value::codec::encode_msgpack;
use terraform_provider_workos::value::{Type, Value};
use tonic::transport::Channel;

type Client = ProviderClient<Channel>;

const ERROR: i32 = pb::diagnostic::Severity::Error as i32;
const WARNING: i32 = pb::diagnostic::Severity::Warning as i32;

fn errors(d: &[pb::Diagnostic]) -> Vec<String> {
    d.iter()
        .filter(|d| d.severity == ERROR)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

/// The one error diagnostic whose text holds `needle`, or a failure showing all of them.
fn assert_error(d: &[pb::Diagnostic], needle: &str, case: &str) {
    let all = errors(d);
    assert!(
        all.iter().any(|e| e.contains(needle)),
        "{case}: no error containing {needle:?} in {all:#?}"
    );
    for e in &all {
        assert!(e.len() < 1200, "{case}: a diagnostic of {} bytes", e.len());
    }
}

fn mp(bytes: Vec<u8>) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: bytes,
        json: vec![],
    })
}

fn js(bytes: &[u8]) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: vec![],
        json: bytes.to_vec(),
    })
}

/// A small deterministic generator, so a failure reproduces.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u8 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 56) as u8
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next()).collect()
    }
}

/// Payloads no schema type decodes from: broken msgpack, broken JSON, non-UTF-8 bytes, huge
/// headers, nesting far past any limit, a repeated key, random bytes.
fn garbage() -> Vec<Option<pb::DynamicValue>> {
    let mut out = vec![
        mp(vec![0xc1]),
        mp(vec![0xff, 0xff, 0xff]),
        mp(vec![0xdf, 0xff, 0xff, 0xff, 0xff]),
        mp(vec![0xdb, 0xff, 0xff, 0xff, 0xff, b'a']),
        mp(vec![0x81, 0xa1, b'x']),
        mp(vec![0x81, 0xa2, 0xff, 0xfe, 0xc0]),
        mp(vec![0xa2, 0xff, 0xfe]),
        mp([vec![0x91; 100_000], vec![0xc0]].concat()),
        mp(vec![0x82, 0xa1, b'a', 0xc0, 0xa1, b'a', 0xc0]),
        mp(vec![0xc3]),
        js(b"{"),
        js(b"[1,2"),
        js(b"\xff\xfe"),
        js(b"{\"a\":1,\"a\":2}"),
        js(b"7"),
        js(format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)).as_bytes()),
    ];
    let mut r = Lcg(0x5eed);
    for n in [1, 2, 3, 5, 8, 16, 64, 256, 1024] {
        out.push(mp(r.bytes(n)));
        out.push(js(&r.bytes(n)));
    }
    out
}

/// Type names: unknown, empty, hostile, and real ones.
fn type_names(real: &str) -> Vec<String> {
    vec![
        real.to_string(),
        String::new(),
        "workos_no_such_thing".into(),
        "\u{0}\u{202e}".into(),
        "x".repeat(70_000),
    ]
}

/// The provider is still alive and answering.
async fn alive(p: &mut Client, plugin: &mut plugin::Plugin, after: &str) {
    assert!(
        plugin.child.try_wait().expect("try_wait").is_none(),
        "the provider exited after {after}"
    );
    let meta = p
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap_or_else(|e| panic!("GetMetadata after {after}: {e}"))
        .into_inner();
    assert!(!meta.resources.is_empty(), "after {after}");
}

fn schema_type(resource: &str) -> Type {
    let core = engine::new_provider();
    let s = &core.schemas().resources[resource];
    s.block.value_type()
}

fn attrs(ty: &Type) -> &BTreeMap<String, Type> {
    match ty {
        Type::Object(a) => a,
        other => panic!("not an object type: {other:?}"),
    }
}

/// An object of type `ty` with every attribute null except `set`.
fn object(ty: &Type, set: &[(&str, Value)]) -> Value {
    let mut m: BTreeMap<String, Value> =
        attrs(ty).keys().map(|k| (k.clone(), Value::Null)).collect();
    for (k, v) in set {
        m.insert(k.to_string(), v.clone());
    }
    Value::Object(m)
}

fn s(x: &str) -> Value {
    Value::String(x.into())
}

/// Every unary RPC with a request that carries `dv` where it can, and `name` as the type.
async fn every_rpc(p: &mut Client, name: &str, dv: Option<pb::DynamicValue>) -> Vec<String> {
    let mut failed = vec![];
    macro_rules! call {
        ($rpc:ident, $req:expr) => {
            if let Err(status) = p.$rpc($req).await {
                failed.push(format!("{} -> {status}", stringify!($rpc)));
            }
        };
    }
    // A server-streaming RPC: the call and then every event of its stream.
    macro_rules! stream {
        ($rpc:ident, $req:expr) => {
            match p.$rpc($req).await {
                Err(status) => failed.push(format!("{} -> {status}", stringify!($rpc))),
                Ok(resp) => {
                    let mut events = resp.into_inner();
                    loop {
                        match events.message().await {
                            Ok(Some(_)) => {}
                            Ok(None) => break,
                            Err(status) => {
                                failed.push(format!("{} stream -> {status}", stringify!($rpc)));
                                break;
                            }
                        }
                    }
                }
            }
        };
    }
    let n = || name.to_string();
    call!(get_metadata, pb::get_metadata::Request {});
    call!(get_provider_schema, pb::get_provider_schema::Request {});
    call!(
        get_resource_identity_schemas,
        pb::get_resource_identity_schemas::Request {}
    );
    call!(
        validate_provider_config,
        pb::validate_provider_config::Request { config: dv.clone() }
    );
    call!(
        validate_resource_config,
        pb::validate_resource_config::Request {
            type_name: n(),
            config: dv.clone(),
            ..Default::default()
        }
    );
    call!(
        validate_data_resource_config,
        pb::validate_data_resource_config::Request {
            type_name: n(),
            config: dv.clone(),
        }
    );
    call!(
        validate_ephemeral_resource_config,
        pb::validate_ephemeral_resource_config::Request {
            type_name: n(),
            config: dv.clone(),
        }
    );
    call!(
        validate_list_resource_config,
        pb::validate_list_resource_config::Request {
            type_name: n(),
            config: dv.clone(),
            ..Default::default()
        }
    );
    call!(
        upgrade_resource_state,
        pb::upgrade_resource_state::Request {
            type_name: n(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: dv.as_ref().map(|d| d.json.clone()).unwrap_or_default(),
                flatmap: Default::default(),
            }),
        }
    );
    call!(
        upgrade_resource_identity,
        pb::upgrade_resource_identity::Request {
            type_name: n(),
            ..Default::default()
        }
    );
    call!(
        read_resource,
        pb::read_resource::Request {
            type_name: n(),
            current_state: dv.clone(),
            private: vec![0xff; 3],
            ..Default::default()
        }
    );
    call!(
        plan_resource_change,
        pb::plan_resource_change::Request {
            type_name: n(),
            prior_state: dv.clone(),
            proposed_new_state: dv.clone(),
            config: dv.clone(),
            prior_private: b"{not json".to_vec(),
            ..Default::default()
        }
    );
    call!(
        apply_resource_change,
        pb::apply_resource_change::Request {
            type_name: n(),
            prior_state: dv.clone(),
            planned_state: dv.clone(),
            config: dv.clone(),
            planned_private: vec![0; 4],
            ..Default::default()
        }
    );
    call!(
        import_resource_state,
        pb::import_resource_state::Request {
            type_name: n(),
            id: "\u{0}".repeat(10),
            ..Default::default()
        }
    );
    call!(
        move_resource_state,
        pb::move_resource_state::Request {
            source_type_name: n(),
            target_type_name: n(),
            ..Default::default()
        }
    );
    call!(
        read_data_source,
        pb::read_data_source::Request {
            type_name: n(),
            config: dv.clone(),
            ..Default::default()
        }
    );
    call!(
        generate_resource_config,
        pb::generate_resource_config::Request {
            type_name: n(),
            state: dv.clone(),
        }
    );
    call!(
        open_ephemeral_resource,
        pb::open_ephemeral_resource::Request {
            type_name: n(),
            config: dv.clone(),
            ..Default::default()
        }
    );
    call!(
        renew_ephemeral_resource,
        pb::renew_ephemeral_resource::Request {
            type_name: n(),
            ..Default::default()
        }
    );
    call!(
        close_ephemeral_resource,
        pb::close_ephemeral_resource::Request {
            type_name: n(),
            ..Default::default()
        }
    );
    call!(get_functions, pb::get_functions::Request {});
    call!(
        call_function,
        pb::call_function::Request {
            name: n(),
            arguments: dv.clone().into_iter().collect(),
        }
    );
    call!(
        validate_state_store_config,
        pb::validate_state_store::Request {
            type_name: n(),
            config: dv.clone(),
        }
    );
    call!(
        configure_state_store,
        pb::configure_state_store::Request {
            type_name: n(),
            config: dv.clone(),
            ..Default::default()
        }
    );
    call!(
        lock_state,
        pb::lock_state::Request {
            type_name: n(),
            ..Default::default()
        }
    );
    stream!(
        read_state_bytes,
        pb::read_state_bytes::Request {
            type_name: n(),
            ..Default::default()
        }
    );
    // The one client-streaming RPC: chunks carrying the payload.
    let chunk = pb::write_state_bytes::RequestChunk {
        meta: Some(pb::RequestChunkMeta {
            type_name: n(),
            ..Default::default()
        }),
        bytes: dv.as_ref().map(|d| d.msgpack.clone()).unwrap_or_default(),
        total_length: -1,
        ..Default::default()
    };
    call!(
        write_state_bytes,
        tokio_stream::iter(vec![chunk.clone(), chunk])
    );
    call!(unlock_state, pb::unlock_state::Request::default());
    call!(get_states, pb::get_states::Request::default());
    call!(delete_state, pb::delete_state::Request::default());
    call!(plan_action, pb::plan_action::Request::default());
    stream!(invoke_action, pb::invoke_action::Request::default());
    call!(
        validate_action_config,
        pb::validate_action_config::Request::default()
    );
    stream!(
        list_resource,
        pb::list_resource::Request {
            type_name: n(),
            config: dv.clone(),
            ..Default::default()
        }
    );
    call!(
        configure_provider,
        pb::configure_provider::Request {
            config: dv.clone(),
            ..Default::default()
        }
    );
    failed
}

/// Garbage payloads and hostile names to every RPC: every call answers, the process lives, and
/// every RPC that decodes a value says why it cannot.
async fn garbage_to_every_rpc(p: &mut Client, plugin: &mut plugin::Plugin) {
    let mut rounds = 0;
    for (n, name) in type_names("workos_organization").into_iter().enumerate() {
        // Every payload with the real type name; a few with the hostile ones.
        let payloads = garbage().into_iter().chain([None]);
        let payloads: Vec<_> = if n == 0 {
            payloads.collect()
        } else {
            payloads.step_by(9).collect()
        };
        for dv in payloads {
            let failed = every_rpc(p, &name, dv).await;
            assert!(failed.is_empty(), "calls failed: {failed:#?}");
            rounds += 1;
        }
        alive(p, plugin, &format!("garbage for type {:.40?}", name)).await;
    }
    assert!(rounds > 40, "{rounds} rounds");
    for (i, dv) in garbage().into_iter().enumerate() {
        let case = format!("garbage #{i}");
        let org = || "workos_organization".to_string();
        let v = p
            .validate_resource_config(pb::validate_resource_config::Request {
                type_name: org(),
                config: dv.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_error(&v.diagnostics, "resource configuration", &case);
        let plan = p
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: org(),
                prior_state: dv.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_error(&plan.diagnostics, "prior state", &case);
        assert!(plan.planned_state.is_none(), "{case}: planned anyway");
        let apply = p
            .apply_resource_change(pb::apply_resource_change::Request {
                type_name: org(),
                planned_state: dv.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_error(&apply.diagnostics, "planned state", &case);
        let read = p
            .read_resource(pb::read_resource::Request {
                type_name: org(),
                current_state: dv,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_error(&read.diagnostics, "current state", &case);
    }
    // An empty request names no known type: an error, never an answer for a guessed one.
    let v = p
        .validate_resource_config(pb::validate_resource_config::Request::default())
        .await
        .unwrap()
        .into_inner();
    assert!(!errors(&v.diagnostics).is_empty(), "{v:?}");
    alive(p, plugin, "the checked garbage").await;
}

fn encode(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    mp(encode_msgpack(v, ty).expect("encode"))
}

async fn validate(p: &mut Client, dv: Option<pb::DynamicValue>) -> Vec<pb::Diagnostic> {
    p.validate_resource_config(pb::validate_resource_config::Request {
        type_name: "workos_organization".into(),
        config: dv,
        ..Default::default()
    })
    .await
    .unwrap()
    .into_inner()
    .diagnostics
}

/// Objects with an attribute the schema lacks, without one it has, with a repeated key.
async fn wrong_attributes(p: &mut Client) {
    let ty = schema_type("workos_organization");
    let good = object(&ty, &[("name", s("Acme"))]);
    assert!(errors(&validate(p, encode(&good, &ty)).await).is_empty());

    let mut wider = attrs(&ty).clone();
    wider.insert("not_in_schema".into(), Type::String);
    let wider = Type::Object(wider);
    let extra = object(&wider, &[("name", s("Acme")), ("not_in_schema", s("x"))]);
    let d = validate(p, encode(&extra, &wider)).await;
    assert_error(
        &d,
        "unsupported attribute \"not_in_schema\"",
        "unknown attribute",
    );

    let mut narrower = attrs(&ty).clone();
    narrower.remove("name");
    let narrower = Type::Object(narrower);
    let d = validate(p, encode(&object(&narrower, &[]), &narrower)).await;
    assert_error(&d, "attribute \"name\" is missing", "missing attribute");

    // Every attribute null, then `name` once more.
    let mut b = Vec::new();
    rmp::encode::write_map_len(&mut b, attrs(&ty).len() as u32 + 1).unwrap();
    for k in attrs(&ty).keys() {
        rmp::encode::write_str(&mut b, k).unwrap();
        rmp::encode::write_nil(&mut b).unwrap();
    }
    rmp::encode::write_str(&mut b, "name").unwrap();
    rmp::encode::write_str(&mut b, "again").unwrap();
    assert_error(
        &validate(p, mp(b)).await,
        "duplicate key \"name\"",
        "repeated key",
    );

    let huge = "k".repeat(65_536);
    let mut wide = attrs(&ty).clone();
    wide.insert(huge.clone(), Type::String);
    let wide = Type::Object(wide);
    let d = validate(p, encode(&object(&wide, &[]), &wide)).await;
    assert_error(&d, "unsupported attribute", "huge unknown attribute");
    assert!(
        errors(&d).iter().all(|e| !e.contains(&huge[..200])),
        "a huge key is quoted whole"
    );

    // JSON DynamicValues are held to the same rules.
    let d = validate(p, js(br#"{"name":"a","name":"b"}"#)).await;
    assert_error(&d, "duplicate key", "repeated JSON key");
    let d = validate(p, js(br#"{"name":"a"}"#)).await;
    assert_error(&d, "is missing", "JSON missing attributes");
}

/// A state is never unknown, wholly or in part: plan, apply and read refuse one, and apply
/// never answers with an invented object.
async fn unknown_states(p: &mut Client) {
    let ty = schema_type("workos_organization");
    let org = || "workos_organization".to_string();
    let config = object(&ty, &[("name", s("Acme"))]);
    let unknown = mp(vec![0xd4, 0x00, 0x00]);
    let plan = p
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: org(),
            prior_state: unknown.clone(),
            proposed_new_state: encode(&config, &ty),
            config: encode(&config, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_error(
        &plan.diagnostics,
        "wholly unknown",
        "unknown prior state in plan",
    );
    assert!(plan.planned_state.is_none());

    let apply = p
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: org(),
            prior_state: unknown.clone(),
            planned_state: encode(&config, &ty),
            config: encode(&config, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_error(
        &apply.diagnostics,
        "wholly unknown",
        "unknown prior state in apply",
    );
    assert!(apply.new_state.is_none(), "apply invented a state");

    let apply = p
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: org(),
            prior_state: None,
            planned_state: unknown.clone(),
            config: encode(&config, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_error(
        &apply.diagnostics,
        "wholly unknown",
        "unknown planned state",
    );
    assert!(apply.new_state.is_none(), "apply invented a state");

    let partly = object(&ty, &[("name", s("Acme")), ("id", Value::Unknown)]);
    let plan = p
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: org(),
            prior_state: encode(&partly, &ty),
            proposed_new_state: encode(&config, &ty),
            config: encode(&config, &ty),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_error(
        &plan.diagnostics,
        "holds unknown values (at id)",
        "partly unknown state",
    );

    let read = p
        .read_resource(pb::read_resource::Request {
            type_name: org(),
            current_state: unknown,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_error(&read.diagnostics, "wholly unknown", "unknown current state");

    let v = p
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: org(),
            config: None,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_error(
        &v.diagnostics,
        "Terraform sent no resource configuration",
        "no config",
    );
}

async fn upgrade(
    p: &mut Client,
    version: i64,
    json: &[u8],
) -> pb::upgrade_resource_state::Response {
    p.upgrade_resource_state(pb::upgrade_resource_state::Request {
        type_name: "workos_organization".into(),
        version,
        raw_state: Some(pb::RawState {
            json: json.to_vec(),
            flatmap: Default::default(),
        }),
    })
    .await
    .unwrap()
    .into_inner()
}

/// UpgradeResourceState: versions no provider wrote, wrong types, repeated keys are refused;
/// attributes the schema lacks are dropped with a warning naming them.
async fn upgrades(p: &mut Client) {
    let ok = upgrade(p, 0, br#"{"id":"org_1","name":"Acme"}"#).await;
    assert!(ok.diagnostics.is_empty(), "{:?}", ok.diagnostics);
    assert!(ok.upgraded_state.is_some());

    let newer = upgrade(p, 99, br#"{"id":"org_1","name":"Acme"}"#).await;
    assert_error(&newer.diagnostics, "schema version 99", "newer version");
    assert!(newer.upgraded_state.is_none());
    let negative = upgrade(p, -3, br#"{"id":"org_1","name":"Acme"}"#).await;
    assert_error(
        &negative.diagnostics,
        "schema version -3",
        "negative version",
    );

    let wrong = upgrade(p, 0, br#"{"id":"org_1","name":{"not":"a string"}}"#).await;
    assert_error(&wrong.diagnostics, "`name`", "wrong type");
    assert!(wrong.upgraded_state.is_none(), "a wrong type became null");

    let dup = upgrade(p, 0, br#"{"id":"org_1","name":"a","name":"b"}"#).await;
    assert_error(&dup.diagnostics, "duplicate key", "repeated key in state");

    let extra = upgrade(p, 0, br#"{"id":"org_1","name":"Acme","retired_attr":1}"#).await;
    assert!(
        errors(&extra.diagnostics).is_empty(),
        "{:?}",
        extra.diagnostics
    );
    let warned = extra
        .diagnostics
        .iter()
        .any(|d| d.severity == WARNING && d.detail.contains("\"retired_attr\""));
    assert!(warned, "no warning names the dropped attribute: {extra:?}");

    let flat = p
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: "workos_organization".into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: vec![],
                flatmap: [("id".to_string(), "x".to_string())].into(),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_error(&flat.diagnostics, "flatmap", "flatmap state");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_to_every_rpc_is_answered_with_diagnostics() {
    let cert = plugin::client_cert();
    let mut plugin = plugin::start(&cert.pem);
    let channel = plugin::connect(&plugin, &cert).await.expect("connect");
    let mut p = ProviderClient::new(channel).max_decoding_message_size(256 << 20);
    garbage_to_every_rpc(&mut p, &mut plugin).await;
    wrong_attributes(&mut p).await;
    alive(&mut p, &mut plugin, "wrong attributes").await;
    unknown_states(&mut p).await;
    upgrades(&mut p).await;
    alive(&mut p, &mut plugin, "every hostile input").await;
}
