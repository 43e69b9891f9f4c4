//! terraform-provider-workos runtime: knows Terraform, not WorkOS. Everything about the API
//! comes from the `generated` crate (descriptors built from the spec and overrides).

pub mod core;
pub mod crypto;
pub mod diag;
pub mod engine;
pub mod hooks;
pub mod log;
pub mod plugin;
pub mod protocol;
pub mod schema;
pub mod transport;
pub mod value;
