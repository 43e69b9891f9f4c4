//! The boundary between the protocol layer (gRPC, wire codecs) and the engine.
//! The protocol layer decodes `DynamicValue`s with the schemas from `ProviderCore::schemas`,
//! calls these methods with plain `Value`s, and encodes the answers.

use crate::diag::Diagnostics;
use crate::schema::Schema;
use crate::value::{AttributePath, Value};
use std::collections::BTreeMap;

/// Every schema the provider serves.
#[derive(Debug, Clone, Default)]
pub struct ProviderSchemas {
    pub provider: Schema,
    pub resources: BTreeMap<String, Schema>,
    pub data_sources: BTreeMap<String, Schema>,
}

/// Capabilities Terraform told us about (from ClientCapabilities).
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientCaps {
    pub deferral_allowed: bool,
    pub write_only_attributes_allowed: bool,
}

#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub type_name: String,
    pub prior_state: Value,
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
    pub caps: ClientCaps,
}

#[derive(Debug, Clone, Default)]
pub struct PlanResponse {
    pub planned_state: Value,
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Debug, Clone)]
pub struct ApplyRequest {
    pub type_name: String,
    pub prior_state: Value,
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct ApplyResponse {
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Debug, Clone)]
pub struct ReadRequest {
    pub type_name: String,
    pub current_state: Value,
    pub private: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct ReadResponse {
    /// `Value::Null` means the object is gone and Terraform removes it from state.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Debug, Clone, Default)]
pub struct ImportResponse {
    /// Imported objects: (type name, state).
    pub imported: Vec<(String, Value)>,
    pub diagnostics: Diagnostics,
}

#[derive(Debug, Clone, Default)]
pub struct UpgradeResponse {
    pub upgraded_state: Value,
    pub diagnostics: Diagnostics,
}

#[derive(Debug, Clone, Default)]
pub struct DataReadResponse {
    pub state: Value,
    pub diagnostics: Diagnostics,
}

/// What the engine offers the protocol layer.
#[tonic::async_trait]
pub trait ProviderCore: Send + Sync + 'static {
    fn schemas(&self) -> &ProviderSchemas;
    fn validate_provider_config(&self, config: &Value) -> Diagnostics;
    async fn configure(&self, config: &Value) -> Diagnostics;
    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics;
    fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics;
    async fn plan_resource_change(&self, req: PlanRequest) -> PlanResponse;
    async fn apply_resource_change(&self, req: ApplyRequest) -> ApplyResponse;
    async fn read_resource(&self, req: ReadRequest) -> ReadResponse;
    async fn import_resource_state(&self, type_name: &str, id: &str) -> ImportResponse;
    /// `raw_json` is the stored state as JSON (the schema of `version` may differ from ours).
    fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> UpgradeResponse;
    async fn read_data_source(&self, type_name: &str, config: &Value) -> DataReadResponse;
    /// Terraform asked the provider to stop in-flight work: pending API requests and retry
    /// waits end at once with a "stopped" error diagnostic, and so do later ones.
    fn stop(&self);
}
