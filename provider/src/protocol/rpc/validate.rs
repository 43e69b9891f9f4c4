//! ValidateProviderConfig, ValidateResourceConfig, ValidateDataResourceConfig.

use super::{data_source_type, provider_type, resource_type, trace};
use crate::core::ProviderCore;
use crate::diag::Diagnostics;
use crate::protocol::convert::{decode_or_diag, diags_to_proto, Expect};
use crate::protocol::proto::tfplugin6 as pb;
use crate::value::{Type, Value};

/// Decode `config` with `ty` (named `what` in diagnostics) and hand it to `check`.
fn checked(
    config: Option<&pb::DynamicValue>,
    ty: Option<&Type>,
    what: Expect,
    check: impl FnOnce(&Value) -> Diagnostics,
) -> Vec<pb::Diagnostic> {
    let mut diags = Diagnostics::default();
    if let Some(config) = decode_or_diag(config, ty, what, &mut diags) {
        diags.extend(check(&config));
    }
    diags_to_proto(&diags)
}

pub fn provider(
    core: &dyn ProviderCore,
    req: pb::validate_provider_config::Request,
) -> pb::validate_provider_config::Response {
    trace("ValidateProviderConfig", "");
    let ty = provider_type(core);
    let diagnostics = checked(
        req.config.as_ref(),
        Some(&ty),
        Expect::config("provider configuration"),
        |c| core.validate_provider_config(c),
    );
    pb::validate_provider_config::Response { diagnostics }
}

pub fn resource(
    core: &dyn ProviderCore,
    req: pb::validate_resource_config::Request,
) -> pb::validate_resource_config::Response {
    trace("ValidateResourceConfig", &req.type_name);
    let ty = resource_type(core, &req.type_name);
    let diagnostics = checked(
        req.config.as_ref(),
        ty.as_ref(),
        Expect::config("resource configuration"),
        |c| core.validate_resource_config(&req.type_name, c),
    );
    pb::validate_resource_config::Response { diagnostics }
}

pub fn data_source(
    core: &dyn ProviderCore,
    req: pb::validate_data_resource_config::Request,
) -> pb::validate_data_resource_config::Response {
    trace("ValidateDataResourceConfig", &req.type_name);
    let ty = data_source_type(core, &req.type_name);
    let what = Expect::config("data source configuration");
    let diagnostics = checked(req.config.as_ref(), ty.as_ref(), what, |c| {
        core.validate_data_source_config(&req.type_name, c)
    });
    pb::validate_data_resource_config::Response { diagnostics }
}
