//! UpgradeResourceState: the stored JSON goes to the engine, which owns the upgrade.

use super::{resource_type, trace};
use crate::core::ProviderCore;
use crate::diag::{Diagnostic, Diagnostics};
use crate::protocol::convert::{diags_to_proto, encode_or_diag};
use crate::protocol::proto::tfplugin6 as pb;

pub fn handle(
    core: &dyn ProviderCore,
    req: pb::upgrade_resource_state::Request,
) -> pb::upgrade_resource_state::Response {
    trace("UpgradeResourceState", &req.type_name);
    let mut diags = Diagnostics::default();
    let mut upgraded_state = None;
    let raw = req.raw_state.unwrap_or_default();
    if raw.json.is_empty() && !raw.flatmap.is_empty() {
        diags.push(Diagnostic::error(
            "Unsupported state format",
            "The stored state uses the legacy flatmap format, which this provider cannot read.",
        ));
    } else if !raw.json.is_empty() {
        let resp = core.upgrade_resource_state(&req.type_name, req.version, &raw.json);
        diags.extend(resp.diagnostics);
        if !diags.has_errors() {
            let ty = resource_type(core, &req.type_name);
            let state = &resp.upgraded_state;
            upgraded_state = encode_or_diag(state, ty.as_ref(), "upgraded state", &mut diags);
        }
    }
    pb::upgrade_resource_state::Response {
        upgraded_state,
        diagnostics: diags_to_proto(&diags),
    }
}
