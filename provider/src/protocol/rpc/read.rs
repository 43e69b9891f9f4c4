//! ReadResource.

use super::{resource_type, trace};
use crate::core::{ProviderCore, ReadRequest};
use crate::diag::Diagnostics;
use crate::protocol::convert::{decode_or_diag, diags_to_proto, encode_or_diag, Expect};
use crate::protocol::proto::tfplugin6 as pb;

pub async fn handle(
    core: &dyn ProviderCore,
    req: pb::read_resource::Request,
) -> pb::read_resource::Response {
    trace("ReadResource", &req.type_name);
    let mut diags = Diagnostics::default();
    let mut out = pb::read_resource::Response::default();
    let ty = resource_type(core, &req.type_name);
    let state = req.current_state.as_ref();
    if let Some(current_state) = decode_or_diag(
        state,
        ty.as_ref(),
        Expect::state("current state"),
        &mut diags,
    ) {
        let resp = core
            .read_resource(ReadRequest {
                type_name: req.type_name,
                current_state,
                private: req.private,
            })
            .await;
        diags.extend(resp.diagnostics);
        out.new_state = encode_or_diag(&resp.new_state, ty.as_ref(), "new state", &mut diags);
        out.private = resp.private;
    }
    out.diagnostics = diags_to_proto(&diags);
    out
}
