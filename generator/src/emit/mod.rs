//! Emit stage: Rust tables and docs pages.
pub mod docs;
pub mod rust;
