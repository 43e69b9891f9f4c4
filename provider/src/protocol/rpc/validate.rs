//! ValidateProviderConfig, ValidateResourceConfig, ValidateDataResourceConfig.

use super::{data_source_type, provider_type, resource_type, trace};
use crate::core::ProviderCore;
use crate::diag::Diagnostics;
use crate::protocol::convert::{decode_or_diag, diags_to_proto};
use crate::protocol::proto::tfplugin6 as pb;

pub fn provider(
    core: &dyn ProviderCore,
    req: pb::validate_provider_config::Request,
) -> pb::validate_provider_config::Response {
    trace("ValidateProviderConfig", "");
    let mut diags = Diagnostics::default();
    let ty = provider_type(core);
    let what = "provider configuration";
    if let Some(config) = decode_or_diag(req.config.as_ref(), Some(&ty), what, &mut diags) {
        diags.extend(core.validate_provider_config(&config));
    }
    pb::validate_provider_config::Response {
        diagnostics: diags_to_proto(&diags),
    }
}

pub fn resource(
    core: &dyn ProviderCore,
    req: pb::validate_resource_config::Request,
) -> pb::validate_resource_config::Response {
    trace("ValidateResourceConfig", &req.type_name);
    let mut diags = Diagnostics::default();
    let ty = resource_type(core, &req.type_name);
    let what = "resource configuration";
    if let Some(config) = decode_or_diag(req.config.as_ref(), ty.as_ref(), what, &mut diags) {
        diags.extend(core.validate_resource_config(&req.type_name, &config));
    }
    pb::validate_resource_config::Response {
        diagnostics: diags_to_proto(&diags),
    }
}

pub fn data_source(
    core: &dyn ProviderCore,
    req: pb::validate_data_resource_config::Request,
) -> pb::validate_data_resource_config::Response {
    trace("ValidateDataResourceConfig", &req.type_name);
    let mut diags = Diagnostics::default();
    let ty = data_source_type(core, &req.type_name);
    let what = "data source configuration";
    if let Some(config) = decode_or_diag(req.config.as_ref(), ty.as_ref(), what, &mut diags) {
        diags.extend(core.validate_data_source_config(&req.type_name, &config));
    }
    pb::validate_data_resource_config::Response {
        diagnostics: diags_to_proto(&diags),
    }
}
