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
            "The WorkOS provider does not implement the {rpc} operation of the plugin protocol."
        ),
        attribute: None,
    }]
}

fn trace(rpc: &str, type_name: &str) {
    if log::enabled(Level::Trace) {
        log::log(Level::Trace, format!("{rpc} {type_name}"));
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
