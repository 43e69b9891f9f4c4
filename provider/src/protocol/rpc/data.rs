//! ReadDataSource.

use super::{data_source_type, trace};
use crate::core::ProviderCore;
use crate::diag::Diagnostics;
use crate::protocol::convert::{decode_or_diag, diags_to_proto, encode_or_diag, Expect};
use crate::protocol::proto::tfplugin6 as pb;

pub async fn handle(
    core: &dyn ProviderCore,
    req: pb::read_data_source::Request,
) -> pb::read_data_source::Response {
    trace("ReadDataSource", &req.type_name);
    let mut diags = Diagnostics::default();
    let mut out = pb::read_data_source::Response::default();
    let ty = data_source_type(core, &req.type_name);
    let what = Expect::config("data source configuration");
    if let Some(config) = decode_or_diag(req.config.as_ref(), ty.as_ref(), what, &mut diags) {
        let resp = core.read_data_source(&req.type_name, &config).await;
        diags.extend(resp.diagnostics);
        out.state = encode_or_diag(&resp.state, ty.as_ref(), "data source state", &mut diags);
    }
    out.diagnostics = diags_to_proto(&diags);
    out
}
