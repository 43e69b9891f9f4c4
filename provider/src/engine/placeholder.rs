//! Temporary: an engine with one trivial schema, replaced by the descriptor-driven engine.
use crate::core::*;
use crate::diag::{Diagnostic, Diagnostics};
use crate::schema::{Attribute, Block, Schema};
use crate::value::{Type, Value};

pub struct Placeholder {
    schemas: ProviderSchemas,
}

impl Default for Placeholder {
    fn default() -> Self {
        let provider = Schema {
            version: 0,
            block: Block {
                attributes: vec![Attribute {
                    name: "api_key".into(),
                    ty: Some(Type::String),
                    optional: true,
                    sensitive: true,
                    ..Default::default()
                }],
                ..Default::default()
            },
        };
        Self { schemas: ProviderSchemas { provider, ..Default::default() } }
    }
}

#[tonic::async_trait]
impl ProviderCore for Placeholder {
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
        Diagnostics::default()
    }
    fn validate_data_source_config(&self, _: &str, _: &Value) -> Diagnostics {
        Diagnostics::default()
    }
    async fn plan_resource_change(&self, r: PlanRequest) -> PlanResponse {
        PlanResponse { planned_state: r.proposed_new_state, ..Default::default() }
    }
    async fn apply_resource_change(&self, _: ApplyRequest) -> ApplyResponse {
        ApplyResponse { diagnostics: Diagnostic::error("not available", "").into(), ..Default::default() }
    }
    async fn read_resource(&self, r: ReadRequest) -> ReadResponse {
        ReadResponse { new_state: r.current_state, ..Default::default() }
    }
    async fn import_resource_state(&self, _: &str, _: &str) -> ImportResponse {
        ImportResponse::default()
    }
    fn upgrade_resource_state(&self, _: &str, _: i64, _: &[u8]) -> UpgradeResponse {
        UpgradeResponse::default()
    }
    async fn read_data_source(&self, _: &str, _: &Value) -> DataReadResponse {
        DataReadResponse::default()
    }
    fn stop(&self) {}
}
