//! tfplugin6 gRPC service: converts between the wire messages and the `ProviderCore` engine.
//!
//! - `convert`: `DynamicValue` (msgpack preferred, JSON fallback), diagnostics, attribute paths.
//! - `schema`: the runtime schema model → `tfplugin6.Schema`.
//! - `service`: the `Provider` service itself.

pub mod convert;
pub mod schema;
pub mod service;

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
