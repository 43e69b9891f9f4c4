//! Generic resource lifecycle engine (validate, plan, apply, read, import, data sources),
//! driven entirely by the descriptors in the `generated` crate.

mod adopt;
pub(crate) mod api;
mod apply;
mod config;
pub mod convert;
mod data;
mod exclusive;
mod extra;
mod import;
mod import_by;
mod plan;
pub mod private;
mod read;
pub mod refresh;
pub mod schema;
#[cfg(test)]
pub(crate) mod testing;
mod transition;
pub mod validate;

use crate::core::*;
use crate::diag::{Diagnostic, Diagnostics};
use crate::hooks;
use crate::transport::{Client, StopSignal};
use crate::value::{AttributePath, Value};
use descriptor::{DataSourceDesc, ProviderDesc, ResourceDesc};
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
    /// Refreshes served from list pages (`refresh`); every write invalidates them.
    refreshes: refresh::Refreshes,
}

/// Every body field that carries a sensitive or write-only value, at any nesting depth.
fn sensitive_fields(attrs: &'static [descriptor::Attr], out: &mut Vec<&'static str>) {
    for a in attrs {
        if a.sensitive || a.write_only {
            out.extend(
                [
                    a.create_field,
                    a.update_field,
                    a.response_field,
                    a.response_item_field,
                ]
                .into_iter()
                .flatten(),
            );
        }
        if let descriptor::Ty::Object(f)
        | descriptor::Ty::List(descriptor::Ty::Object(f))
        | descriptor::Ty::Set(descriptor::Ty::Object(f))
        | descriptor::Ty::Map(descriptor::Ty::Object(f)) = &a.ty
        {
            sensitive_fields(f, out);
        }
    }
}

/// Redaction by schema: the transport masks every sensitive or write-only field in its logs.
fn mask_sensitive_fields(desc: &'static ProviderDesc) {
    let mut fields = vec![];
    for r in desc.resources {
        sensitive_fields(r.attrs, &mut fields);
    }
    for d in desc.data_sources {
        sensitive_fields(d.attrs, &mut fields);
    }
    crate::transport::redact::mask_fields(fields);
}

impl Engine {
    pub fn new(desc: &'static ProviderDesc) -> Self {
        mask_sensitive_fields(desc);
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
            refreshes: refresh::Refreshes::default(),
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

    /// The resource and the configured client, for the RPCs that call the API.
    fn target(&self, name: &str) -> Result<(&'static ResourceDesc, Client), Diagnostics> {
        Ok((self.resource(name)?, self.client()?))
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
                self.refreshes.invalidate();
                Diagnostics::default()
            }
            Err(d) => d,
        }
    }

    fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        self.resource(type_name)
            .map(|r| {
                let mut d = Diagnostics::default();
                validate::validate_object(r.attrs, config, &AttributePath::root(), &mut d);
                extra::validate(r, config, &mut d);
                exclusive::check(r.groups, config, &mut d);
                d
            })
            .unwrap_or_else(|d| d)
    }

    fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        self.data_source(type_name)
            .map(|ds| data::validate(ds, config))
            .unwrap_or_else(|d| d)
    }

    async fn plan_resource_change(&self, req: PlanRequest) -> PlanResponse {
        match self.resource(&req.type_name) {
            Ok(r) => plan::plan(r, hooks::for_resource(r), req),
            Err(diagnostics) => PlanResponse {
                diagnostics,
                ..Default::default()
            },
        }
    }

    async fn apply_resource_change(&self, req: ApplyRequest) -> ApplyResponse {
        match self.target(&req.type_name) {
            Ok((r, client)) => {
                self.refreshes.invalidate();
                let resp = apply::apply(&client, r, hooks::for_resource(r), req).await;
                self.refreshes.invalidate();
                resp
            }
            Err(diagnostics) => ApplyResponse {
                new_state: req.prior_state,
                diagnostics,
                ..Default::default()
            },
        }
    }

    async fn read_resource(&self, req: ReadRequest) -> ReadResponse {
        match self.target(&req.type_name) {
            Ok((r, client)) => {
                extra::mask_in_logs(req.current_state.attr(descriptor::EXTRA_CONFIGURATION));
                read::read(&client, r, hooks::for_resource(r), req, &self.refreshes).await
            }
            Err(diagnostics) => ReadResponse {
                new_state: req.current_state,
                private: req.private,
                diagnostics,
            },
        }
    }

    async fn import_resource_state(&self, type_name: &str, id: &str) -> ImportResponse {
        match self.resource(type_name) {
            Ok(r) => import::import(r, hooks::for_resource(r), self.client().ok(), id).await,
            Err(diagnostics) => ImportResponse {
                diagnostics,
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
            Ok(r) => import::upgrade(r, version, raw_json),
            Err(diagnostics) => UpgradeResponse {
                diagnostics,
                ..Default::default()
            },
        }
    }

    async fn read_data_source(&self, type_name: &str, config: &Value) -> DataReadResponse {
        let target = self
            .data_source(type_name)
            .and_then(|ds| Ok((ds, self.client()?)));
        match target {
            Ok((ds, client)) => data::read(&client, ds, config).await,
            Err(diagnostics) => DataReadResponse {
                diagnostics,
                ..Default::default()
            },
        }
    }

    /// Cancels in-flight requests and retry waits; they end with a "stopped" error diagnostic.
    fn stop(&self) {
        self.stop.stop();
    }
}
