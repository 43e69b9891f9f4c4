//! GetMetadata, GetProviderSchema, and the empty answers for resource identities and functions.

use super::trace;
use crate::core::ProviderCore;
use crate::protocol::proto::tfplugin6 as pb;
use crate::protocol::schema::schema_to_proto;

fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: false,
        move_resource_state: false,
        generate_resource_config: false,
    }
}

pub fn get_metadata(core: &dyn ProviderCore) -> pb::get_metadata::Response {
    trace("GetMetadata", "");
    let s = core.schemas();
    pb::get_metadata::Response {
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
    }
}

pub fn get_provider_schema(core: &dyn ProviderCore) -> pb::get_provider_schema::Response {
    trace("GetProviderSchema", "");
    let s = core.schemas();
    pb::get_provider_schema::Response {
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
    }
}

/// Terraform (1.12+) calls this right after GetProviderSchema and stops on any error, so the
/// answer is "no identity schemas" rather than an unsupported diagnostic.
pub fn get_resource_identity_schemas() -> pb::get_resource_identity_schemas::Response {
    trace("GetResourceIdentitySchemas", "");
    pb::get_resource_identity_schemas::Response::default()
}

/// The provider has no functions.
pub fn get_functions() -> pb::get_functions::Response {
    trace("GetFunctions", "");
    pb::get_functions::Response::default()
}
