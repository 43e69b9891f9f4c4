//! Request decoding through the real gRPC service: the input picks an RPC and one of the
//! provider's resource or data source types, and supplies the request's `DynamicValue`s
//! (msgpack or JSON) and raw state. The service must answer every such request (with
//! diagnostics) and never panic. The provider is not configured, so no RPC reaches the network.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use terraform_provider_workos::engine;
use terraform_provider_workos::protocol::proto::tfplugin6 as pb;
use terraform_provider_workos::protocol::proto::tfplugin6::provider_server::Provider;
use terraform_provider_workos::protocol::ProviderService;
use terraform_provider_workos_fuzz::Bytes;
use tonic::Request;

struct World {
    rt: tokio::runtime::Runtime,
    svc: ProviderService,
    resources: Vec<String>,
    data_sources: Vec<String>,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let core = engine::new_provider();
        let schemas = core.schemas();
        World {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            resources: schemas.resources.keys().cloned().collect(),
            data_sources: schemas.data_sources.keys().cloned().collect(),
            svc: ProviderService::new(core),
        }
    })
}

/// Up to three payloads, each `len` bytes after a length byte; a payload whose first byte is
/// odd travels as JSON, else as msgpack.
fn values(b: &mut Bytes<'_>) -> [Option<pb::DynamicValue>; 3] {
    let mut one = || {
        let n = b.byte() as usize;
        if n == 0 {
            return None;
        }
        let take = n.min(b.0.len());
        let (payload, rest) = b.0.split_at(take);
        b.0 = rest;
        let json = payload.first().is_some_and(|f| f % 2 == 1);
        Some(pb::DynamicValue {
            msgpack: if json { vec![] } else { payload.to_vec() },
            json: if json { payload.to_vec() } else { vec![] },
        })
    };
    [one(), one(), one()]
}

fn pick(names: &[String], i: u8) -> String {
    if i == 255 || names.is_empty() {
        return "workos_no_such_type".into();
    }
    names[i as usize % names.len()].clone()
}

fuzz_target!(|data: &[u8]| {
    let w = world();
    let mut b = Bytes(data);
    let rpc = b.byte();
    let ty = b.byte();
    let res = pick(&w.resources, ty);
    let ds = pick(&w.data_sources, ty);
    let [a, p, c] = values(&mut b);
    let raw = b.0.to_vec();
    let svc = &w.svc;
    w.rt.block_on(async {
        match rpc % 8 {
            0 => {
                let r = pb::validate_resource_config::Request {
                    type_name: res,
                    config: a,
                    ..Default::default()
                };
                drop(svc.validate_resource_config(Request::new(r)).await);
            }
            1 => {
                let r = pb::plan_resource_change::Request {
                    type_name: res,
                    prior_state: a,
                    proposed_new_state: p,
                    config: c,
                    prior_private: raw,
                    ..Default::default()
                };
                drop(svc.plan_resource_change(Request::new(r)).await);
            }
            2 => {
                let r = pb::upgrade_resource_state::Request {
                    type_name: res,
                    version: i64::from(ty % 4) - 1,
                    raw_state: Some(pb::RawState {
                        json: raw,
                        flatmap: Default::default(),
                    }),
                };
                drop(svc.upgrade_resource_state(Request::new(r)).await);
            }
            3 => {
                let r = pb::read_resource::Request {
                    type_name: res,
                    current_state: a,
                    private: raw,
                    ..Default::default()
                };
                drop(svc.read_resource(Request::new(r)).await);
            }
            4 => {
                let r = pb::apply_resource_change::Request {
                    type_name: res,
                    prior_state: a,
                    planned_state: p,
                    config: c,
                    planned_private: raw,
                    ..Default::default()
                };
                drop(svc.apply_resource_change(Request::new(r)).await);
            }
            5 => {
                let r = pb::validate_data_resource_config::Request {
                    type_name: ds,
                    config: a,
                    ..Default::default()
                };
                drop(svc.validate_data_resource_config(Request::new(r)).await);
            }
            6 => {
                let r = pb::validate_provider_config::Request { config: a };
                drop(svc.validate_provider_config(Request::new(r)).await);
            }
            _ => {
                let r = pb::read_data_source::Request {
                    type_name: ds,
                    config: a,
                    ..Default::default()
                };
                drop(svc.read_data_source(Request::new(r)).await);
            }
        }
    });
});
