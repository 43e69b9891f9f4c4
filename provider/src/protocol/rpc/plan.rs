//! PlanResourceChange.

use super::{decode3, resource_type, trace};
use crate::core::{PlanRequest, ProviderCore};
use crate::diag::Diagnostics;
use crate::protocol::convert::{caps, diags_to_proto, encode_or_diag, path_to_proto, Expect};
use crate::protocol::proto::tfplugin6 as pb;

pub async fn handle(
    core: &dyn ProviderCore,
    req: pb::plan_resource_change::Request,
) -> pb::plan_resource_change::Response {
    trace("PlanResourceChange", &req.type_name);
    let mut diags = Diagnostics::default();
    let mut out = pb::plan_resource_change::Response::default();
    let ty = resource_type(core, &req.type_name);
    let values = [
        (req.prior_state.as_ref(), Expect::state("prior state")),
        (
            req.proposed_new_state.as_ref(),
            Expect::plan("proposed new state"),
        ),
        (req.config.as_ref(), Expect::plan("resource configuration")),
    ];
    if let Some([prior_state, proposed_new_state, config]) =
        decode3(ty.as_ref(), values, &mut diags)
    {
        let resp = core
            .plan_resource_change(PlanRequest {
                caps: caps(req.client_capabilities.as_ref()),
                type_name: req.type_name,
                prior_state,
                proposed_new_state,
                config,
                prior_private: req.prior_private,
            })
            .await;
        diags.extend(resp.diagnostics);
        out.planned_state = encode_or_diag(
            &resp.planned_state,
            ty.as_ref(),
            "planned state",
            &mut diags,
        );
        out.requires_replace = resp.requires_replace.iter().map(path_to_proto).collect();
        out.planned_private = resp.planned_private;
    }
    out.diagnostics = diags_to_proto(&diags);
    out
}
