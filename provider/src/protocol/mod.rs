//! tfplugin6 gRPC service: converts between the wire messages and the `ProviderCore` engine.
//! It decodes and encodes only; every decision is the engine's.
//!
//! - `convert`: `DynamicValue` (msgpack preferred, JSON fallback), diagnostics, attribute paths.
//! - `schema`: the runtime schema model → `tfplugin6.Schema`.
//! - `service`: the `Provider` service itself, delegating to
//! - `rpc`: one adapter per implemented RPC, and
//! - `unsupported`: the one answer of the RPCs this provider does not implement.

pub mod convert;
mod rpc;
pub mod schema;
mod service;
#[cfg(test)]
mod tests;
pub mod unsupported;

pub use service::ProviderService;

/// Code generated from `proto/` by `build.rs`.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod proto {
    pub mod tfplugin6 {
        tonic::include_proto!("tfplugin6");
    }
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}
