//! The protocol adapters against a fake engine (what is decoded, passed on and encoded), and
//! against the real engine for what the engine owns (unknown type names, StopProvider).

use super::convert::{decode_dynamic, encode_dynamic};
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::Provider;
use super::ProviderService;
use crate::core::*;
use crate::diag::{Diagnostic, Diagnostics};
use crate::schema::{Attribute, Block, Schema};
use crate::value::{AttributePath, Type, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tonic::Request;

/// A fake engine with one resource `t_thing { id (computed), name }` recording its calls.
#[derive(Default)]
struct Fake {
    schemas: ProviderSchemas,
    planned: Mutex<Vec<PlanRequest>>,
    applied: Mutex<Vec<ApplyRequest>>,
    upgraded: Mutex<Vec<Vec<u8>>>,
}

fn fake() -> Arc<Fake> {
    let attr = |name: &str, computed: bool| Attribute {
        name: name.into(),
        ty: Some(Type::String),
        optional: !computed,
        computed,
        ..Default::default()
    };
    let thing = Schema {
        version: 1,
        block: Block {
            attributes: vec![attr("id", true), attr("name", false)],
            ..Default::default()
        },
    };
    Arc::new(Fake {
        schemas: ProviderSchemas {
            resources: BTreeMap::from([("t_thing".to_string(), thing.clone())]),
            data_sources: BTreeMap::from([("t_thing".to_string(), thing)]),
            ..Default::default()
        },
        ..Default::default()
    })
}

fn obj(id: Value, name: &str) -> Value {
    Value::Object(BTreeMap::from([
        ("id".to_string(), id),
        ("name".to_string(), Value::String(name.into())),
    ]))
}

#[tonic::async_trait]
impl ProviderCore for Fake {
    fn schemas(&self) -> &ProviderSchemas {
        &self.schemas
    }
    fn validate_provider_config(&self, _: &Value) -> Diagnostics {
        Diagnostics::default()
    }
    async fn configure(&self, _: &Value) -> Diagnostics {
        Diagnostics::default()
    }
    fn validate_resource_config(&self, _: &str, _: &Value) -> Diagnostics {
        Diagnostic::warning("checked", "")
            .at(AttributePath::attr("name"))
            .into()
    }
    fn validate_data_source_config(&self, _: &str, _: &Value) -> Diagnostics {
        Diagnostics::default()
    }
    async fn plan_resource_change(&self, r: PlanRequest) -> PlanResponse {
        self.planned.lock().unwrap().push(r.clone());
        let mut planned = r.proposed_new_state;
        if let Some(m) = planned.object_mut() {
            m.insert("id".into(), Value::Unknown);
        }
        PlanResponse {
            planned_state: planned,
            requires_replace: vec![AttributePath::attr("name")],
            ..Default::default()
        }
    }
    /// A destroy fails and keeps the object; anything else is created.
    async fn apply_resource_change(&self, r: ApplyRequest) -> ApplyResponse {
        self.applied.lock().unwrap().push(r.clone());
        if r.planned_state.is_null() {
            return ApplyResponse {
                new_state: r.prior_state,
                diagnostics: Diagnostic::error("Delete failed", "").into(),
                ..Default::default()
            };
        }
        ApplyResponse {
            new_state: obj(Value::String("x".into()), "n"),
            ..Default::default()
        }
    }
    async fn read_resource(&self, r: ReadRequest) -> ReadResponse {
        ReadResponse {
            new_state: r.current_state,
            private: r.private,
            ..Default::default()
        }
    }
    async fn import_resource_state(&self, t: &str, id: &str) -> ImportResponse {
        ImportResponse {
            imported: vec![(t.to_string(), obj(Value::String(id.into()), "imported"))],
            ..Default::default()
        }
    }
    fn upgrade_resource_state(&self, _: &str, _: i64, raw: &[u8]) -> UpgradeResponse {
        self.upgraded.lock().unwrap().push(raw.to_vec());
        UpgradeResponse {
            upgraded_state: obj(Value::String("up".into()), "graded"),
            ..Default::default()
        }
    }
    async fn read_data_source(&self, _: &str, config: &Value) -> DataReadResponse {
        DataReadResponse {
            state: config.clone(),
            ..Default::default()
        }
    }
    fn stop(&self) {}
}

fn ty() -> Type {
    fake().schemas.resources["t_thing"].block.value_type()
}

fn dv(v: &Value) -> Option<pb::DynamicValue> {
    Some(encode_dynamic(v, &ty()).unwrap())
}

fn decode(dv: Option<pb::DynamicValue>) -> Value {
    decode_dynamic(dv.as_ref(), &ty()).unwrap()
}

#[tokio::test]
async fn plan_carries_unknowns_and_requires_replace() {
    let svc = ProviderService::new(fake());
    let proposed = obj(Value::Null, "a");
    let resp = svc
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "t_thing".into(),
            prior_state: dv(&Value::Null),
            proposed_new_state: dv(&proposed),
            config: dv(&proposed),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(decode(resp.planned_state), obj(Value::Unknown, "a"));
    assert_eq!(resp.requires_replace.len(), 1);
}

#[tokio::test]
async fn a_planned_destroy_is_the_engines_to_answer() {
    let core = fake();
    let svc = ProviderService::new(core.clone());
    let prior = obj(Value::String("x".into()), "n");
    let resp = svc
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "t_thing".into(),
            prior_state: dv(&prior),
            proposed_new_state: dv(&Value::Null),
            config: dv(&Value::Null),
            prior_private: b"p".to_vec(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(decode(resp.planned_state), Value::Null);
    let planned = core.planned.lock().unwrap();
    assert_eq!(planned.len(), 1, "the engine plans the destroy");
    assert!(planned[0].proposed_new_state.is_null());
    assert_eq!(planned[0].prior_state, prior);
    assert_eq!(planned[0].prior_private, b"p");
}

#[tokio::test]
async fn a_failed_destroy_keeps_the_state_the_engine_answers() {
    let core = fake();
    let svc = ProviderService::new(core.clone());
    let prior = obj(Value::String("x".into()), "n");
    let resp = svc
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "t_thing".into(),
            prior_state: dv(&prior),
            planned_state: dv(&Value::Null),
            config: dv(&Value::Null),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(decode(resp.new_state), prior);
    assert_eq!(resp.diagnostics[0].summary, "Delete failed");
    let applied = core.applied.lock().unwrap();
    assert_eq!(applied.len(), 1);
    assert!(applied[0].planned_state.is_null());
}

#[tokio::test]
async fn upgrade_passes_the_stored_json_to_the_engine() {
    let core = fake();
    let svc = ProviderService::new(core.clone());
    let raw = br#"{"id":"x","name":"n","gone":1}"#.to_vec();
    let upgrade = |raw_state| {
        svc.upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
            type_name: "t_thing".into(),
            version: 0,
            raw_state: Some(raw_state),
        }))
    };
    let resp = upgrade(pb::RawState {
        json: raw.clone(),
        flatmap: Default::default(),
    })
    .await
    .unwrap()
    .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(core.upgraded.lock().unwrap().as_slice(), [raw]);
    let state = resp.upgraded_state.unwrap();
    assert!(!state.msgpack.is_empty());
    assert_eq!(
        decode(Some(state)),
        obj(Value::String("up".into()), "graded")
    );

    let resp = upgrade(pb::RawState {
        json: Vec::new(),
        flatmap: [("id".to_string(), "x".to_string())].into(),
    })
    .await
    .unwrap()
    .into_inner();
    assert_eq!(resp.diagnostics[0].summary, "Unsupported state format");
    assert!(resp.upgraded_state.is_none());
}

#[tokio::test]
async fn import_encodes_with_the_schema_and_validation_keeps_paths() {
    let svc = ProviderService::new(fake());
    let resp = svc
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "t_thing".into(),
            id: "abc".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.imported_resources.len(), 1);
    assert_eq!(
        decode(resp.imported_resources[0].state.clone()),
        obj(Value::String("abc".into()), "imported")
    );

    let resp = svc
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "t_thing".into(),
            config: dv(&obj(Value::Null, "a")),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        resp.diagnostics[0].severity,
        pb::diagnostic::Severity::Warning as i32
    );
    assert!(resp.diagnostics[0].attribute.is_some());
}

#[tokio::test]
async fn json_dynamic_values_are_accepted() {
    let svc = ProviderService::new(fake());
    let resp = svc
        .read_data_source(Request::new(pb::read_data_source::Request {
            type_name: "t_thing".into(),
            config: Some(pb::DynamicValue {
                msgpack: vec![],
                json: br#"{"id":null,"name":"j"}"#.to_vec(),
            }),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty());
    assert_eq!(decode(resp.state), obj(Value::Null, "j"));
}

#[tokio::test]
async fn unknown_type_names_are_answered_by_the_engine_alone() {
    let svc = ProviderService::new(crate::engine::new_provider());
    // Whatever the value, it is not decoded: the one diagnostic is the engine's.
    let garbage = Some(pb::DynamicValue {
        msgpack: vec![0xc1],
        json: vec![],
    });
    let resp = svc
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "t_nope".into(),
            config: garbage.clone(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
    assert_eq!(resp.diagnostics[0].summary, "Unknown resource type");

    let resp = svc
        .read_data_source(Request::new(pb::read_data_source::Request {
            type_name: "t_nope".into(),
            config: garbage,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
    assert!(resp.diagnostics[0]
        .summary
        .starts_with("Unknown data source"));
    assert!(resp.state.is_none());
}

/// A loopback HTTP server answering every request with 429 and a 30 s Retry-After; `arrived`
/// is notified at each request.
async fn rate_limited_server(arrived: Arc<tokio::sync::Notify>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let arrived = arrived.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = tcp.read(&mut buf).await;
                arrived.notify_one();
                let body = r#"{"message":"slow down"}"#;
                let head = format!(
                    "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = tcp.write_all(format!("{head}{body}").as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

/// The provider configuration with the API key and base URL set.
fn provider_config(base_url: &str) -> Value {
    use descriptor::ConfigRole;
    let attrs = generated::PROVIDER.config.iter().map(|c| {
        let v = match c.role {
            ConfigRole::ApiKey => Value::String("sk_test_stop".into()),
            ConfigRole::BaseUrl => Value::String(base_url.into()),
            _ => Value::Null,
        };
        (c.name.to_string(), v)
    });
    Value::Object(attrs.collect())
}

/// A state of `ty` with every top-level string set, so every path parameter has a value.
fn some_state(ty: &Type) -> Value {
    let Type::Object(attrs) = ty else {
        panic!("a resource type is an object: {ty:?}")
    };
    let value = |t: &Type| match t {
        Type::String => Value::String("x".into()),
        _ => Value::Null,
    };
    Value::Object(attrs.iter().map(|(k, t)| (k.clone(), value(t))).collect())
}

#[tokio::test]
async fn stop_ends_a_read_waiting_on_retry_after_with_a_stopped_diagnostic() {
    let core = crate::engine::new_provider();
    let svc = ProviderService::new(core.clone());
    let arrived = Arc::new(tokio::sync::Notify::new());
    let base_url = rate_limited_server(arrived.clone()).await;
    let provider_ty = core.schemas().provider.block.value_type();
    let config = encode_dynamic(&provider_config(&base_url), &provider_ty).unwrap();
    let resp = svc
        .configure_provider(Request::new(pb::configure_provider::Request {
            config: Some(config),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);

    let (name, schema) = core.schemas().resources.iter().next().unwrap();
    let ty = schema.block.value_type();
    let read = {
        let (svc, name) = (svc.clone(), name.clone());
        let current_state = Some(encode_dynamic(&some_state(&ty), &ty).unwrap());
        tokio::spawn(async move {
            svc.read_resource(Request::new(pb::read_resource::Request {
                type_name: name,
                current_state,
                ..Default::default()
            }))
            .await
        })
    };
    // Once the API was asked (and answered "retry in 30 s"), stop.
    arrived.notified().await;
    svc.stop_provider(Request::new(pb::stop_provider::Request {}))
        .await
        .unwrap();
    let resp = read.await.unwrap().unwrap().into_inner();
    let d = &resp.diagnostics;
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].severity, pb::diagnostic::Severity::Error as i32);
    assert!(d[0].summary.contains("asked the provider to stop"), "{d:?}");
}
