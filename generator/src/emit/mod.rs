//! Emit stage: the IR as Rust tables, registry docs pages and examples.

pub mod docs;
pub mod examples;
pub mod rust;
