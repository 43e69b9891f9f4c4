//! The tfplugin6 `Provider` gRPC service. Supported RPCs decode their `DynamicValue`s with the
//! schemas from `ProviderCore::schemas`, call the engine and encode the answers. Every other RPC
//! answers OK with an error diagnostic saying it is not supported.

use super::convert::{caps, decode_or_diag, diags_to_proto, encode_or_diag};
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::Provider;
use super::schema::schema_to_proto;
use crate::core::{ApplyRequest, PlanRequest, ProviderCore, ReadRequest};
use crate::diag::{Diagnostic, Diagnostics};
use crate::plugin::log::{self, Level};
use crate::schema::Schema;
use crate::value::codec;
use crate::value::{Type, Value};
use std::sync::Arc;
use tonic::{Request, Response, Status};

type Reply<T> = Result<Response<T>, Status>;

/// Serves one `ProviderCore` over tfplugin6.
#[derive(Clone)]
pub struct ProviderService {
    core: Arc<dyn ProviderCore>,
}

impl ProviderService {
    pub fn new(core: Arc<dyn ProviderCore>) -> Self {
        Self { core }
    }

    fn resource_type(&self, name: &str, diags: &mut Diagnostics) -> Option<Type> {
        lookup(&self.core.schemas().resources, name, "resource", diags)
    }

    fn data_source_type(&self, name: &str, diags: &mut Diagnostics) -> Option<Type> {
        lookup(
            &self.core.schemas().data_sources,
            name,
            "data source",
            diags,
        )
    }

    fn provider_type(&self) -> Type {
        self.core.schemas().provider.block.value_type()
    }
}

fn lookup(
    map: &std::collections::BTreeMap<String, Schema>,
    name: &str,
    kind: &str,
    diags: &mut Diagnostics,
) -> Option<Type> {
    match map.get(name) {
        Some(s) => Some(s.block.value_type()),
        None => {
            diags.push(Diagnostic::error(
                format!("Unknown {kind} type"),
                format!("This provider has no {kind} type named {name:?}."),
            ));
            None
        }
    }
}

/// The diagnostic every unsupported RPC answers with.
pub fn unsupported(rpc: &str) -> Vec<pb::Diagnostic> {
    log::log(Level::Debug, format!("unsupported RPC {rpc} called"));
    vec![pb::Diagnostic {
        severity: pb::diagnostic::Severity::Error as i32,
        summary: format!("{rpc} is not supported by this provider"),
        detail: format!(
            "This provider does not implement the {rpc} operation of the plugin protocol."
        ),
        attribute: None,
    }]
}

fn trace(rpc: &str, type_name: &str) {
    if log::enabled(Level::Trace) {
        if type_name.is_empty() {
            log::log(Level::Trace, format!("{rpc} called"));
        } else {
            log::log(Level::Trace, format!("{rpc} called for {type_name}"));
        }
    }
}

fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: false,
        move_resource_state: false,
        generate_resource_config: false,
    }
}

#[tonic::async_trait]
impl Provider for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        trace("GetMetadata", "");
        let s = self.core.schemas();
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            resources: s
                .resources
                .keys()
                .map(|k| pb::get_metadata::ResourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            data_sources: s
                .data_sources
                .keys()
                .map(|k| pb::get_metadata::DataSourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        trace("GetProviderSchema", "");
        let s = self.core.schemas();
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schema_to_proto(&s.provider)),
            resource_schemas: s
                .resources
                .iter()
                .map(|(k, v)| (k.clone(), schema_to_proto(v)))
                .collect(),
            data_source_schemas: s
                .data_sources
                .iter()
                .map(|(k, v)| (k.clone(), schema_to_proto(v)))
                .collect(),
            server_capabilities: Some(server_capabilities()),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        trace("ValidateProviderConfig", "");
        let req = req.into_inner();
        let mut diags = Diagnostics::default();
        if let Some(config) = decode_or_diag(
            req.config.as_ref(),
            &self.provider_type(),
            "provider configuration",
            &mut diags,
        ) {
            diags.extend(self.core.validate_provider_config(&config));
        }
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        let req = req.into_inner();
        trace("ValidateResourceConfig", &req.type_name);
        let mut diags = Diagnostics::default();
        if let Some(ty) = self.resource_type(&req.type_name, &mut diags) {
            if let Some(config) = decode_or_diag(
                req.config.as_ref(),
                &ty,
                "resource configuration",
                &mut diags,
            ) {
                diags.extend(self.core.validate_resource_config(&req.type_name, &config));
            }
        }
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        let req = req.into_inner();
        trace("ValidateDataResourceConfig", &req.type_name);
        let mut diags = Diagnostics::default();
        if let Some(ty) = self.data_source_type(&req.type_name, &mut diags) {
            if let Some(config) = decode_or_diag(
                req.config.as_ref(),
                &ty,
                "data source configuration",
                &mut diags,
            ) {
                diags.extend(
                    self.core
                        .validate_data_source_config(&req.type_name, &config),
                );
            }
        }
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        let req = req.into_inner();
        trace("UpgradeResourceState", &req.type_name);
        let mut diags = Diagnostics::default();
        let mut upgraded_state = None;
        if let Some(ty) = self.resource_type(&req.type_name, &mut diags) {
            let raw = req.raw_state.unwrap_or_default();
            if raw.json.is_empty() && !raw.flatmap.is_empty() {
                diags.push(Diagnostic::error(
                    "Unsupported state format",
                    "The stored state uses the legacy flatmap format, which this provider cannot read.",
                ));
            } else if !raw.json.is_empty() {
                let resp = self
                    .core
                    .upgrade_resource_state(&req.type_name, req.version, &raw.json);
                diags.extend(resp.diagnostics);
                let mut state = resp.upgraded_state;
                // An engine that leaves the state untouched returns null: read the stored JSON
                // with the current schema (attributes the schema no longer has are dropped).
                if state.is_null() && !diags.has_errors() {
                    match codec::decode_json(&raw.json, &ty) {
                        Ok(v) => state = v,
                        Err(e) => diags.push(Diagnostic::error(
                            "Invalid stored state",
                            format!("The stored state of this {} could not be read with the current schema: {e}", req.type_name),
                        )),
                    }
                }
                if !diags.has_errors() {
                    upgraded_state = encode_or_diag(&state, &ty, "upgraded state", &mut diags);
                }
            }
        }
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        // Terraform (1.12+) calls this right after GetProviderSchema and stops on any error, so
        // the answer is "no identity schemas" rather than an unsupported diagnostic.
        trace("GetResourceIdentitySchemas", "");
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
    }

    async fn upgrade_resource_identity(
        &self,
        _: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: unsupported("UpgradeResourceIdentity"),
        }))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        let req = req.into_inner();
        trace("ConfigureProvider", "");
        let mut diags = Diagnostics::default();
        if let Some(config) = decode_or_diag(
            req.config.as_ref(),
            &self.provider_type(),
            "provider configuration",
            &mut diags,
        ) {
            diags.extend(self.core.configure(&config).await);
        }
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        let req = req.into_inner();
        trace("ReadResource", &req.type_name);
        let mut diags = Diagnostics::default();
        let mut out = pb::read_resource::Response::default();
        if let Some(ty) = self.resource_type(&req.type_name, &mut diags) {
            if let Some(current_state) =
                decode_or_diag(req.current_state.as_ref(), &ty, "current state", &mut diags)
            {
                let resp = self
                    .core
                    .read_resource(ReadRequest {
                        type_name: req.type_name.clone(),
                        current_state,
                        private: req.private,
                    })
                    .await;
                diags.extend(resp.diagnostics);
                out.new_state = encode_or_diag(&resp.new_state, &ty, "new state", &mut diags);
                out.private = resp.private;
            }
        }
        out.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(out))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        let req = req.into_inner();
        trace("PlanResourceChange", &req.type_name);
        let mut diags = Diagnostics::default();
        let mut out = pb::plan_resource_change::Response::default();
        if let Some(ty) = self.resource_type(&req.type_name, &mut diags) {
            let prior = decode_or_diag(req.prior_state.as_ref(), &ty, "prior state", &mut diags);
            let proposed = decode_or_diag(
                req.proposed_new_state.as_ref(),
                &ty,
                "proposed new state",
                &mut diags,
            );
            let config = decode_or_diag(
                req.config.as_ref(),
                &ty,
                "resource configuration",
                &mut diags,
            );
            if let (Some(prior_state), Some(proposed_new_state), Some(config)) =
                (prior, proposed, config)
            {
                if prior_state.is_null() && proposed_new_state.is_null() {
                    out.planned_state =
                        encode_or_diag(&Value::Null, &ty, "planned state", &mut diags);
                    out.planned_private = req.prior_private;
                } else {
                    let resp = self
                        .core
                        .plan_resource_change(PlanRequest {
                            type_name: req.type_name.clone(),
                            prior_state,
                            proposed_new_state,
                            config,
                            prior_private: req.prior_private,
                            caps: caps(req.client_capabilities.as_ref()),
                        })
                        .await;
                    diags.extend(resp.diagnostics);
                    out.planned_state =
                        encode_or_diag(&resp.planned_state, &ty, "planned state", &mut diags);
                    out.requires_replace = resp
                        .requires_replace
                        .iter()
                        .map(super::convert::path_to_proto)
                        .collect();
                    out.planned_private = resp.planned_private;
                }
            }
        }
        out.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(out))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        let req = req.into_inner();
        trace("ApplyResourceChange", &req.type_name);
        let mut diags = Diagnostics::default();
        let mut out = pb::apply_resource_change::Response::default();
        if let Some(ty) = self.resource_type(&req.type_name, &mut diags) {
            let prior = decode_or_diag(req.prior_state.as_ref(), &ty, "prior state", &mut diags);
            let planned =
                decode_or_diag(req.planned_state.as_ref(), &ty, "planned state", &mut diags);
            let config = decode_or_diag(
                req.config.as_ref(),
                &ty,
                "resource configuration",
                &mut diags,
            );
            if let (Some(prior_state), Some(planned_state), Some(config)) = (prior, planned, config)
            {
                let destroy = planned_state.is_null();
                let resp = self
                    .core
                    .apply_resource_change(ApplyRequest {
                        type_name: req.type_name.clone(),
                        prior_state,
                        planned_state,
                        config,
                        planned_private: req.planned_private,
                    })
                    .await;
                diags.extend(resp.diagnostics);
                // A destroy always answers with a null new state.
                let new_state = if destroy { Value::Null } else { resp.new_state };
                out.new_state = encode_or_diag(&new_state, &ty, "new state", &mut diags);
                out.private = resp.private;
            }
        }
        out.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(out))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        let req = req.into_inner();
        trace("ImportResourceState", &req.type_name);
        let mut diags = Diagnostics::default();
        let mut imported_resources = Vec::new();
        if self.resource_type(&req.type_name, &mut diags).is_some() {
            let resp = self
                .core
                .import_resource_state(&req.type_name, &req.id)
                .await;
            diags.extend(resp.diagnostics);
            for (type_name, state) in resp.imported {
                let Some(ty) = self.resource_type(&type_name, &mut diags) else {
                    continue;
                };
                if let Some(state) = encode_or_diag(&state, &ty, "imported state", &mut diags) {
                    imported_resources.push(pb::import_resource_state::ImportedResource {
                        type_name,
                        state: Some(state),
                        private: Vec::new(),
                        identity: None,
                    });
                }
            }
        }
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources,
            diagnostics: diags_to_proto(&diags),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        _: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: unsupported("MoveResourceState"),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        let req = req.into_inner();
        trace("ReadDataSource", &req.type_name);
        let mut diags = Diagnostics::default();
        let mut out = pb::read_data_source::Response::default();
        if let Some(ty) = self.data_source_type(&req.type_name, &mut diags) {
            if let Some(config) = decode_or_diag(
                req.config.as_ref(),
                &ty,
                "data source configuration",
                &mut diags,
            ) {
                let resp = self.core.read_data_source(&req.type_name, &config).await;
                diags.extend(resp.diagnostics);
                out.state = encode_or_diag(&resp.state, &ty, "data source state", &mut diags);
            }
        }
        out.diagnostics = diags_to_proto(&diags);
        Ok(Response::new(out))
    }

    async fn generate_resource_config(
        &self,
        _: Request<pb::generate_resource_config::Request>,
    ) -> Reply<pb::generate_resource_config::Response> {
        Ok(Response::new(pb::generate_resource_config::Response {
            config: None,
            diagnostics: unsupported("GenerateResourceConfig"),
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        _: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Reply<pb::validate_ephemeral_resource_config::Response> {
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: unsupported("ValidateEphemeralResourceConfig"),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        _: Request<pb::open_ephemeral_resource::Request>,
    ) -> Reply<pb::open_ephemeral_resource::Response> {
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: unsupported("OpenEphemeralResource"),
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        _: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Reply<pb::renew_ephemeral_resource::Response> {
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: unsupported("RenewEphemeralResource"),
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        _: Request<pb::close_ephemeral_resource::Request>,
    ) -> Reply<pb::close_ephemeral_resource::Response> {
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: unsupported("CloseEphemeralResource"),
        }))
    }

    type ListResourceStream = tokio_stream::Once<Result<pb::list_resource::Event, Status>>;

    async fn list_resource(
        &self,
        _: Request<pb::list_resource::Request>,
    ) -> Reply<Self::ListResourceStream> {
        Ok(Response::new(tokio_stream::once(Ok(
            pb::list_resource::Event {
                diagnostic: unsupported("ListResource"),
                ..Default::default()
            },
        ))))
    }

    async fn validate_list_resource_config(
        &self,
        _: Request<pb::validate_list_resource_config::Request>,
    ) -> Reply<pb::validate_list_resource_config::Response> {
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: unsupported("ValidateListResourceConfig"),
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Reply<pb::get_functions::Response> {
        trace("GetFunctions", "");
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        _: Request<pb::call_function::Request>,
    ) -> Reply<pb::call_function::Response> {
        let text = unsupported("CallFunction").remove(0).summary;
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text,
                function_argument: None,
            }),
        }))
    }

    async fn validate_state_store_config(
        &self,
        _: Request<pb::validate_state_store::Request>,
    ) -> Reply<pb::validate_state_store::Response> {
        Ok(Response::new(pb::validate_state_store::Response {
            diagnostics: unsupported("ValidateStateStoreConfig"),
        }))
    }

    async fn configure_state_store(
        &self,
        _: Request<pb::configure_state_store::Request>,
    ) -> Reply<pb::configure_state_store::Response> {
        Ok(Response::new(pb::configure_state_store::Response {
            diagnostics: unsupported("ConfigureStateStore"),
            capabilities: None,
        }))
    }

    type ReadStateBytesStream = tokio_stream::Once<Result<pb::read_state_bytes::Response, Status>>;

    async fn read_state_bytes(
        &self,
        _: Request<pb::read_state_bytes::Request>,
    ) -> Reply<Self::ReadStateBytesStream> {
        Ok(Response::new(tokio_stream::once(Ok(
            pb::read_state_bytes::Response {
                diagnostics: unsupported("ReadStateBytes"),
                ..Default::default()
            },
        ))))
    }

    async fn write_state_bytes(
        &self,
        _: Request<tonic::Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> Reply<pb::write_state_bytes::Response> {
        Ok(Response::new(pb::write_state_bytes::Response {
            diagnostics: unsupported("WriteStateBytes"),
        }))
    }

    async fn lock_state(
        &self,
        _: Request<pb::lock_state::Request>,
    ) -> Reply<pb::lock_state::Response> {
        Ok(Response::new(pb::lock_state::Response {
            lock_id: String::new(),
            diagnostics: unsupported("LockState"),
        }))
    }

    async fn unlock_state(
        &self,
        _: Request<pb::unlock_state::Request>,
    ) -> Reply<pb::unlock_state::Response> {
        Ok(Response::new(pb::unlock_state::Response {
            diagnostics: unsupported("UnlockState"),
        }))
    }

    async fn get_states(
        &self,
        _: Request<pb::get_states::Request>,
    ) -> Reply<pb::get_states::Response> {
        Ok(Response::new(pb::get_states::Response {
            state_id: Vec::new(),
            diagnostics: unsupported("GetStates"),
        }))
    }

    async fn delete_state(
        &self,
        _: Request<pb::delete_state::Request>,
    ) -> Reply<pb::delete_state::Response> {
        Ok(Response::new(pb::delete_state::Response {
            diagnostics: unsupported("DeleteState"),
        }))
    }

    async fn plan_action(
        &self,
        _: Request<pb::plan_action::Request>,
    ) -> Reply<pb::plan_action::Response> {
        Ok(Response::new(pb::plan_action::Response {
            diagnostics: unsupported("PlanAction"),
            deferred: None,
        }))
    }

    type InvokeActionStream = tokio_stream::Once<Result<pb::invoke_action::Event, Status>>;

    async fn invoke_action(
        &self,
        _: Request<pb::invoke_action::Request>,
    ) -> Reply<Self::InvokeActionStream> {
        use pb::invoke_action::event::{Completed, Type as EventType};
        Ok(Response::new(tokio_stream::once(Ok(
            pb::invoke_action::Event {
                r#type: Some(EventType::Completed(Completed {
                    diagnostics: unsupported("InvokeAction"),
                })),
            },
        ))))
    }

    async fn validate_action_config(
        &self,
        _: Request<pb::validate_action_config::Request>,
    ) -> Reply<pb::validate_action_config::Response> {
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics: unsupported("ValidateActionConfig"),
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        log::log(Level::Debug, "StopProvider: stopping in-flight work");
        self.core.stop();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::*;
    use crate::schema::{Attribute, Block};
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// A fake engine with one resource `t_thing { id (computed), name }` recording its calls.
    struct Fake {
        schemas: ProviderSchemas,
        applied: Mutex<Vec<ApplyRequest>>,
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
            applied: Mutex::new(Vec::new()),
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
                .at(crate::value::AttributePath::attr("name"))
                .into()
        }
        fn validate_data_source_config(&self, _: &str, _: &Value) -> Diagnostics {
            Diagnostics::default()
        }
        async fn plan_resource_change(&self, r: PlanRequest) -> PlanResponse {
            let mut planned = r.proposed_new_state;
            if let Some(m) = planned.object_mut() {
                m.insert("id".into(), Value::Unknown);
            }
            PlanResponse {
                planned_state: planned,
                requires_replace: vec![crate::value::AttributePath::attr("name")],
                ..Default::default()
            }
        }
        async fn apply_resource_change(&self, r: ApplyRequest) -> ApplyResponse {
            self.applied.lock().unwrap().push(r.clone());
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
        fn upgrade_resource_state(&self, _: &str, _: i64, _: &[u8]) -> UpgradeResponse {
            UpgradeResponse::default()
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
        Some(super::super::convert::encode_dynamic(v, &ty()).unwrap())
    }

    fn decode(dv: Option<pb::DynamicValue>) -> Value {
        super::super::convert::decode_dynamic(dv.as_ref(), &ty()).unwrap()
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
    async fn plan_with_null_prior_and_proposed_echoes_null() {
        let svc = ProviderService::new(fake());
        let resp = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: "t_thing".into(),
                prior_state: dv(&Value::Null),
                proposed_new_state: dv(&Value::Null),
                config: dv(&Value::Null),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(decode(resp.planned_state), Value::Null);
    }

    #[tokio::test]
    async fn destroy_calls_the_engine_and_answers_null() {
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
        assert_eq!(decode(resp.new_state), Value::Null);
        let applied = core.applied.lock().unwrap();
        assert_eq!(applied.len(), 1);
        assert!(applied[0].planned_state.is_null());
        assert_eq!(applied[0].prior_state, prior);
    }

    #[tokio::test]
    async fn upgrade_reads_json_state_with_the_current_schema() {
        let svc = ProviderService::new(fake());
        let resp = svc
            .upgrade_resource_state(Request::new(pb::upgrade_resource_state::Request {
                type_name: "t_thing".into(),
                version: 0,
                raw_state: Some(pb::RawState {
                    json: br#"{"id":"x","name":"n","gone":1}"#.to_vec(),
                    flatmap: Default::default(),
                }),
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
        let state = resp.upgraded_state.unwrap();
        assert!(!state.msgpack.is_empty());
        assert_eq!(decode(Some(state)), obj(Value::String("x".into()), "n"));
    }

    #[tokio::test]
    async fn import_encodes_with_the_schema_and_unknown_types_are_diagnosed() {
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
                type_name: "t_nope".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(resp.diagnostics[0].summary, "Unknown resource type");

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
                    json: br#"{"name":"j"}"#.to_vec(),
                }),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(resp.diagnostics.is_empty());
        assert_eq!(decode(resp.state), obj(Value::Null, "j"));
    }
}
