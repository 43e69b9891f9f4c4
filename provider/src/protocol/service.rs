//! The tfplugin6 `Provider` gRPC service: each implemented RPC delegates to its adapter in
//! [`super::rpc`]; every other RPC answers OK with an "unsupported" diagnostic
//! ([`super::unsupported`]).

use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::Provider;
use super::rpc;
use super::unsupported::{self, unsupported_rpc};
use crate::core::ProviderCore;
use std::sync::Arc;
use tonic::{Request, Response, Status};

type Reply<T> = Result<Response<T>, Status>;

fn ok<T>(message: T) -> Reply<T> {
    Ok(Response::new(message))
}

/// Serves one `ProviderCore` over tfplugin6.
#[derive(Clone)]
pub struct ProviderService {
    core: Arc<dyn ProviderCore>,
}

impl ProviderService {
    pub fn new(core: Arc<dyn ProviderCore>) -> Self {
        Self { core }
    }

    fn core(&self) -> &dyn ProviderCore {
        &*self.core
    }
}

#[tonic::async_trait]
impl Provider for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        ok(rpc::metadata::get_metadata(self.core()))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        ok(rpc::metadata::get_provider_schema(self.core()))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        ok(rpc::metadata::get_resource_identity_schemas())
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Reply<pb::get_functions::Response> {
        ok(rpc::metadata::get_functions())
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        ok(rpc::validate::provider(self.core(), req.into_inner()))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        ok(rpc::validate::resource(self.core(), req.into_inner()))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        ok(rpc::validate::data_source(self.core(), req.into_inner()))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        ok(rpc::upgrade::handle(self.core(), req.into_inner()))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        ok(rpc::configure::configure(self.core(), req.into_inner()).await)
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        ok(rpc::read::handle(self.core(), req.into_inner()).await)
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        ok(rpc::plan::handle(self.core(), req.into_inner()).await)
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        ok(rpc::apply::handle(self.core(), req.into_inner()).await)
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        ok(rpc::import::handle(self.core(), req.into_inner()).await)
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        ok(rpc::data::handle(self.core(), req.into_inner()).await)
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        ok(rpc::configure::stop(self.core()))
    }

    async fn call_function(
        &self,
        _: Request<pb::call_function::Request>,
    ) -> Reply<pb::call_function::Response> {
        ok(unsupported::call_function())
    }

    type ListResourceStream = unsupported::ListResourceStream;
    async fn list_resource(
        &self,
        _: Request<pb::list_resource::Request>,
    ) -> Reply<Self::ListResourceStream> {
        ok(unsupported::list_resource())
    }

    type ReadStateBytesStream = unsupported::ReadStateBytesStream;
    async fn read_state_bytes(
        &self,
        _: Request<pb::read_state_bytes::Request>,
    ) -> Reply<Self::ReadStateBytesStream> {
        ok(unsupported::read_state_bytes())
    }

    type InvokeActionStream = unsupported::InvokeActionStream;
    async fn invoke_action(
        &self,
        _: Request<pb::invoke_action::Request>,
    ) -> Reply<Self::InvokeActionStream> {
        ok(unsupported::invoke_action())
    }

    unsupported_rpc!(
        upgrade_resource_identity,
        pb::upgrade_resource_identity::Request,
        pb::upgrade_resource_identity::Response,
        "UpgradeResourceIdentity"
    );
    unsupported_rpc!(
        move_resource_state,
        pb::move_resource_state::Request,
        pb::move_resource_state::Response,
        "MoveResourceState"
    );
    unsupported_rpc!(
        generate_resource_config,
        pb::generate_resource_config::Request,
        pb::generate_resource_config::Response,
        "GenerateResourceConfig"
    );
    unsupported_rpc!(
        validate_ephemeral_resource_config,
        pb::validate_ephemeral_resource_config::Request,
        pb::validate_ephemeral_resource_config::Response,
        "ValidateEphemeralResourceConfig"
    );
    unsupported_rpc!(
        open_ephemeral_resource,
        pb::open_ephemeral_resource::Request,
        pb::open_ephemeral_resource::Response,
        "OpenEphemeralResource"
    );
    unsupported_rpc!(
        renew_ephemeral_resource,
        pb::renew_ephemeral_resource::Request,
        pb::renew_ephemeral_resource::Response,
        "RenewEphemeralResource"
    );
    unsupported_rpc!(
        close_ephemeral_resource,
        pb::close_ephemeral_resource::Request,
        pb::close_ephemeral_resource::Response,
        "CloseEphemeralResource"
    );
    unsupported_rpc!(
        validate_list_resource_config,
        pb::validate_list_resource_config::Request,
        pb::validate_list_resource_config::Response,
        "ValidateListResourceConfig"
    );
    unsupported_rpc!(
        validate_state_store_config,
        pb::validate_state_store::Request,
        pb::validate_state_store::Response,
        "ValidateStateStoreConfig"
    );
    unsupported_rpc!(
        configure_state_store,
        pb::configure_state_store::Request,
        pb::configure_state_store::Response,
        "ConfigureStateStore"
    );
    unsupported_rpc!(
        write_state_bytes,
        tonic::Streaming<pb::write_state_bytes::RequestChunk>,
        pb::write_state_bytes::Response,
        "WriteStateBytes"
    );
    unsupported_rpc!(
        lock_state,
        pb::lock_state::Request,
        pb::lock_state::Response,
        "LockState"
    );
    unsupported_rpc!(
        unlock_state,
        pb::unlock_state::Request,
        pb::unlock_state::Response,
        "UnlockState"
    );
    unsupported_rpc!(
        get_states,
        pb::get_states::Request,
        pb::get_states::Response,
        "GetStates"
    );
    unsupported_rpc!(
        delete_state,
        pb::delete_state::Request,
        pb::delete_state::Response,
        "DeleteState"
    );
    unsupported_rpc!(
        plan_action,
        pb::plan_action::Request,
        pb::plan_action::Response,
        "PlanAction"
    );
    unsupported_rpc!(
        validate_action_config,
        pb::validate_action_config::Request,
        pb::validate_action_config::Response,
        "ValidateActionConfig"
    );
}
