//! ApplyResourceChange.

use super::{decode3, resource_type, trace};
use crate::core::{ApplyRequest, ProviderCore};
use crate::diag::Diagnostics;
use crate::protocol::convert::{diags_to_proto, encode_or_diag, Expect};
use crate::protocol::proto::tfplugin6 as pb;

pub async fn handle(
    core: &dyn ProviderCore,
    req: pb::apply_resource_change::Request,
) -> pb::apply_resource_change::Response {
    trace("ApplyResourceChange", &req.type_name);
    let mut diags = Diagnostics::default();
    let mut out = pb::apply_resource_change::Response::default();
    let ty = resource_type(core, &req.type_name);
    let values = [
        (req.prior_state.as_ref(), Expect::state("prior state")),
        (req.planned_state.as_ref(), Expect::plan("planned state")),
        (req.config.as_ref(), Expect::plan("resource configuration")),
    ];
    if let Some([prior_state, planned_state, config]) = decode3(ty.as_ref(), values, &mut diags) {
        let resp = core
            .apply_resource_change(ApplyRequest {
                type_name: req.type_name,
                prior_state,
                planned_state,
                config,
                planned_private: req.planned_private,
            })
            .await;
        diags.extend(resp.diagnostics);
        out.new_state = encode_or_diag(&resp.new_state, ty.as_ref(), "new state", &mut diags);
        out.private = resp.private;
    }
    out.diagnostics = diags_to_proto(&diags);
    out
}
