//! One adapter per implemented RPC, each `decode → call the engine → encode`. The adapters
//! decide nothing: unknown type names, destroys and state upgrades are the engine's to answer.

pub mod apply;
pub mod configure;
pub mod data;
pub mod import;
pub mod metadata;
pub mod plan;
pub mod read;
pub mod upgrade;
pub mod validate;

use super::convert::{decode_or_diag, Expect};
use super::proto::tfplugin6 as pb;
use crate::core::ProviderCore;
use crate::diag::Diagnostics;
use crate::log::{self, Level};
use crate::value::{Type, Value};

/// Log an RPC call at TRACE.
fn trace(rpc: &str, type_name: &str) {
    if log::enabled(Level::Trace) {
        if type_name.is_empty() {
            log::trace(format!("{rpc} called"));
        } else {
            log::trace(format!("{rpc} called for {type_name}"));
        }
    }
}

/// The value type of a resource type's schema; `None` for a name the provider does not serve.
fn resource_type(core: &dyn ProviderCore, name: &str) -> Option<Type> {
    core.schemas()
        .resources
        .get(name)
        .map(|s| s.block.value_type())
}

/// The value type of a data source's schema; `None` for a name the provider does not serve.
fn data_source_type(core: &dyn ProviderCore, name: &str) -> Option<Type> {
    core.schemas()
        .data_sources
        .get(name)
        .map(|s| s.block.value_type())
}

fn provider_type(core: &dyn ProviderCore) -> Type {
    core.schemas().provider.block.value_type()
}

/// Decode the three values plan and apply receive (prior state, planned or proposed state,
/// configuration), each named for its diagnostic; `None` when any of them failed.
fn decode3(
    ty: Option<&Type>,
    values: [(Option<&pb::DynamicValue>, Expect); 3],
    diags: &mut Diagnostics,
) -> Option<[Value; 3]> {
    let [a, b, c] = values.map(|(dv, expect)| decode_or_diag(dv, ty, expect, diags));
    Some([a?, b?, c?])
}
