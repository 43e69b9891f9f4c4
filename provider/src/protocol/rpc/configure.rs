//! ConfigureProvider and StopProvider.

use super::{provider_type, trace};
use crate::core::ProviderCore;
use crate::diag::Diagnostics;
use crate::log;
use crate::protocol::convert::{decode_or_diag, diags_to_proto, Expect};
use crate::protocol::proto::tfplugin6 as pb;

pub async fn configure(
    core: &dyn ProviderCore,
    req: pb::configure_provider::Request,
) -> pb::configure_provider::Response {
    trace("ConfigureProvider", "");
    let mut diags = Diagnostics::default();
    let ty = provider_type(core);
    let what = Expect::config("provider configuration");
    if let Some(config) = decode_or_diag(req.config.as_ref(), Some(&ty), what, &mut diags) {
        diags.extend(core.configure(&config).await);
    }
    pb::configure_provider::Response {
        diagnostics: diags_to_proto(&diags),
    }
}

/// In-flight calls end with a "stopped" diagnostic of their own; StopProvider itself succeeds.
pub fn stop(core: &dyn ProviderCore) -> pb::stop_provider::Response {
    log::debug("StopProvider: stopping in-flight work");
    core.stop();
    pb::stop_provider::Response {
        error: String::new(),
    }
}
