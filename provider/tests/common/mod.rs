//! Shared acceptance-test harness: the WorkOS emulator, the divergence proxy in front of it,
//! and a Terraform runner. Each integration test binary compiles this module separately.
#![allow(dead_code)]

pub mod conformance;
pub mod emulator;
pub mod https;
pub mod local;
pub mod proxy;
pub mod spec;
pub mod terraform;

use std::path::PathBuf;

#[allow(unused_imports)]
pub use emulator::Emulator;
#[allow(unused_imports)]
pub use proxy::{Fault, FaultKind, LoggedRequest, Proxy};
#[allow(unused_imports)]
pub use terraform::{Run, Workdir};

/// Provider source address used in the CLI config's dev_overrides.
pub const PROVIDER_SOURCE: &str = "registry.terraform.io/workos-rs/workos";

/// The repository root (the workspace directory above `provider/`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("provider crate has a parent directory")
        .to_path_buf()
}

/// An emulator with the divergence proxy in front of it.
pub struct Bench {
    // Field order matters for Drop: the proxy stops before the emulator.
    pub proxy: Proxy,
    pub emulator: Emulator,
}

impl Bench {
    /// Starts a fresh emulator (no seed) and a proxy in front of it.
    pub fn start() -> Bench {
        Self::from_emulator(Emulator::start())
    }

    /// Starts a fresh emulator loaded with the given seed YAML.
    pub fn start_seeded(seed_yaml: &str) -> Bench {
        Self::from_emulator(Emulator::start_with_seed(Some(seed_yaml)))
    }

    fn from_emulator(emulator: Emulator) -> Bench {
        let proxy = Proxy::start(&emulator.url());
        Bench { proxy, emulator }
    }

    /// Base URL of the proxy (what the provider should use as WORKOS_BASE_URL).
    pub fn base_url(&self) -> String {
        self.proxy.url()
    }

    /// Direct URL of the emulator, bypassing the proxy.
    pub fn emulator_url(&self) -> String {
        self.emulator.url()
    }

    pub fn api_key(&self) -> String {
        self.emulator.api_key().to_string()
    }

    /// Sends one request through the proxy (spec view) and returns status and JSON body
    /// (`Value::Null` for an empty body). `path` may contain a query string.
    pub fn api(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        proxy::blocking_request(&self.base_url(), &self.api_key(), method, path, body)
    }

    /// Same as [`Bench::api`], but straight to the emulator (raw, untranslated view).
    pub fn raw_api(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        proxy::blocking_request(&self.emulator_url(), &self.api_key(), method, path, body)
    }

    /// Panics listing the spec-guard violations recorded so far (requests that are no spec
    /// operation or not valid per its schemas, answers not valid per the spec's response
    /// schema), and forgets them. Dropping a
    /// `Bench` does the same, so every test using one fails on a violation.
    pub fn assert_conformant(&self) {
        let v = self.proxy.take_violations();
        assert!(
            v.is_empty(),
            "spec guard: {} violation(s):\n  {}",
            v.len(),
            v.join("\n  ")
        );
    }

    /// A Terraform working directory wired to this bench.
    pub fn workdir(&self) -> Workdir {
        Workdir::new(self)
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.assert_conformant();
        }
    }
}
