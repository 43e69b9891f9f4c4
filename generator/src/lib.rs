//! The generator: WorkOS OpenAPI spec + overrides → the provider's descriptor tables and docs.
//! Stages: load → normalize → parse → resolve → ir → emit → write.

pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod names;
pub mod normalize;
pub mod overrides;
pub mod parse;
pub mod pipeline;
pub mod resolve;
pub mod write;

pub use pipeline::{generate, Output};
