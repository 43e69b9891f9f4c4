//! ImportResourceState.

use super::{resource_type, trace};
use crate::core::ProviderCore;
use crate::protocol::convert::{diags_to_proto, encode_or_diag};
use crate::protocol::proto::tfplugin6 as pb;

pub async fn handle(
    core: &dyn ProviderCore,
    req: pb::import_resource_state::Request,
) -> pb::import_resource_state::Response {
    trace("ImportResourceState", &req.type_name);
    let resp = core.import_resource_state(&req.type_name, &req.id).await;
    let mut diags = resp.diagnostics;
    let mut imported_resources = Vec::new();
    for (type_name, state) in resp.imported {
        let ty = resource_type(core, &type_name);
        if let Some(state) = encode_or_diag(&state, ty.as_ref(), "imported state", &mut diags) {
            imported_resources.push(pb::import_resource_state::ImportedResource {
                type_name,
                state: Some(state),
                private: Vec::new(),
                identity: None,
            });
        }
    }
    pb::import_resource_state::Response {
        imported_resources,
        diagnostics: diags_to_proto(&diags),
        deferred: None,
    }
}
