//! Generic resource lifecycle engine (validate, plan, apply, read, import, data sources),
//! driven entirely by the descriptors in the `generated` crate.

mod api;
mod apply;
mod config;
pub mod convert;
mod data;
mod plan;
pub mod private;
mod read;
pub mod schema;
pub mod validate;

use crate::core::*;
use crate::diag::{Diagnostic, Diagnostics};
use crate::transport::{Client, StopSignal};
use crate::value::{AttributePath, Value};
use generated::types::{DataSourceDesc, ProviderDesc, ResourceDesc};
use std::sync::{Arc, RwLock};

/// Build the provider served by the plugin.
pub fn new_provider() -> Arc<dyn ProviderCore> {
    Arc::new(Engine::new(&generated::PROVIDER))
}

/// The engine: descriptor tables plus the configured API client.
pub struct Engine {
    desc: &'static ProviderDesc,
    schemas: ProviderSchemas,
    client: RwLock<Option<Client>>,
    /// Shared with every client built by `configure`; fired by StopProvider.
    stop: StopSignal,
}

impl Engine {
    pub fn new(desc: &'static ProviderDesc) -> Self {
        let schemas = ProviderSchemas {
            provider: schema::provider_block(desc.config, desc.description),
            resources: desc
                .resources
                .iter()
                .map(|r| (r.name.to_string(), schema::block(r.attrs, r.description)))
                .collect(),
            data_sources: desc
                .data_sources
                .iter()
                .map(|d| (d.name.to_string(), schema::block(d.attrs, d.description)))
                .collect(),
        };
        Self {
            desc,
            schemas,
            client: RwLock::new(None),
            stop: StopSignal::default(),
        }
    }

    fn resource(&self, name: &str) -> Result<&'static ResourceDesc, Diagnostics> {
        self.desc
            .resources
            .iter()
            .find(|r| r.name == name)
            .copied()
            .ok_or_else(|| {
                Diagnostic::error(
                    "Unknown resource type",
                    format!("This provider has no resource type {name:?}."),
                )
                .into()
            })
    }

    fn data_source(&self, name: &str) -> Result<&'static DataSourceDesc, Diagnostics> {
        self.desc
            .data_sources
            .iter()
            .find(|r| r.name == name)
            .copied()
            .ok_or_else(|| {
                Diagnostic::error(
                    "Unknown data source",
                    format!("This provider has no data source {name:?}."),
                )
                .into()
            })
    }

    fn client(&self) -> Result<Client, Diagnostics> {
        self.client
            .read()
            .ok()
            .and_then(|c| c.clone())
            .ok_or_else(|| Diagnostic::error("Provider not configured", "The provider was not configured before use; this is a bug in the provider or Terraform.").into())
    }
}

#[tonic::async_trait]
impl ProviderCore for Engine {
    fn schemas(&self) -> &ProviderSchemas {
        &self.schemas
    }

    fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        config::validate(self.desc, config)
    }

    async fn configure(&self, config: &Value) -> Diagnostics {
        match config::client_from(self.desc, config, &self.stop) {
            Ok(c) => {
                if let Ok(mut slot) = self.client.write() {
                    *slot = Some(c);
                }
                Diagnostics::default()
            }
            Err(d) => d,
        }
    }

    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.resource(type_name) {
            Ok(r) => {
                let mut d = Diagnostics::default();
                validate::validate_object(r.attrs, config, &AttributePath::root(), &mut d);
                d
            }
            Err(d) => d,
        }
    }

    fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.data_source(type_name) {
            Ok(ds) => data::validate(ds, config),
            Err(d) => d,
        }
    }

    async fn plan_resource_change(&self, req: PlanRequest) -> PlanResponse {
        match self.resource(&req.type_name) {
            Ok(r) => plan::plan(r, req),
            Err(d) => PlanResponse {
                diagnostics: d,
                ..Default::default()
            },
        }
    }

    async fn apply_resource_change(&self, req: ApplyRequest) -> ApplyResponse {
        let r = match self.resource(&req.type_name) {
            Ok(r) => r,
            Err(d) => {
                return ApplyResponse {
                    new_state: req.prior_state,
                    diagnostics: d,
                    ..Default::default()
                }
            }
        };
        let client = match self.client() {
            Ok(c) => c,
            Err(d) => {
                return ApplyResponse {
                    new_state: req.prior_state,
                    diagnostics: d,
                    ..Default::default()
                }
            }
        };
        apply::apply(&client, r, req).await
    }

    async fn read_resource(&self, req: ReadRequest) -> ReadResponse {
        let r = match self.resource(&req.type_name) {
            Ok(r) => r,
            Err(d) => {
                return ReadResponse {
                    new_state: req.current_state,
                    diagnostics: d,
                    ..Default::default()
                }
            }
        };
        let client = match self.client() {
            Ok(c) => c,
            Err(d) => {
                return ReadResponse {
                    new_state: req.current_state,
                    diagnostics: d,
                    ..Default::default()
                }
            }
        };
        read::read(&client, r, req).await
    }

    async fn import_resource_state(&self, type_name: &str, id: &str) -> ImportResponse {
        match self.resource(type_name) {
            Ok(r) => read::import(r, id),
            Err(d) => ImportResponse {
                diagnostics: d,
                ..Default::default()
            },
        }
    }

    fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> UpgradeResponse {
        match self.resource(type_name) {
            Ok(r) => read::upgrade(r, version, raw_json),
            Err(d) => UpgradeResponse {
                diagnostics: d,
                ..Default::default()
            },
        }
    }

    async fn read_data_source(&self, type_name: &str, config: &Value) -> DataReadResponse {
        let ds = match self.data_source(type_name) {
            Ok(d) => d,
            Err(d) => {
                return DataReadResponse {
                    diagnostics: d,
                    ..Default::default()
                }
            }
        };
        let client = match self.client() {
            Ok(c) => c,
            Err(d) => {
                return DataReadResponse {
                    diagnostics: d,
                    ..Default::default()
                }
            }
        };
        data::read(&client, ds, config).await
    }

    /// Cancels in-flight requests and retry waits; they end with a "stopped" error diagnostic.
    fn stop(&self) {
        self.stop.stop();
    }
}
