//! Shared acceptance-test harness: the WorkOS emulator, the divergence proxy in front of it,
//! and a Terraform runner. Each integration test binary compiles this module separately.
#![allow(dead_code)]

pub mod conformance;
pub mod emulator;
pub mod https;
pub mod local;
pub mod proxy;
pub mod spec;
pub mod sweep;
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

/// Where a bench sends the provider's requests, chosen once from the environment
/// ([`Target::from_env`]).
/// (No `Debug`: it holds the API key.)
#[derive(Clone)]
pub enum Target {
    /// A fresh emulator per bench, with the divergence proxy (rows, local families, faults).
    Emulator,
    /// Live mode (`TF_ACC=1`): an existing API at `base_url` (real WorkOS, or a bare emulator
    /// for a dry run), behind the proxy with only the spec guard and conformance on.
    Live { base_url: String, api_key: String },
}

impl Target {
    /// `TF_ACC=1` selects live mode, which needs `WORKOS_API_KEY` and `WORKOS_BASE_URL`;
    /// anything else is the emulator bench. `Err` names what is missing.
    pub fn from_env() -> Result<Target, String> {
        if std::env::var("TF_ACC").ok().as_deref() != Some("1") {
            return Ok(Target::Emulator);
        }
        let get = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        match (get("WORKOS_API_KEY"), get("WORKOS_BASE_URL")) {
            (Some(api_key), Some(base_url)) => Ok(Target::Live {
                base_url: base_url.trim_end_matches('/').to_string(),
                api_key,
            }),
            (key, url) => {
                let missing: Vec<&str> = [
                    ("WORKOS_API_KEY", key.is_none()),
                    ("WORKOS_BASE_URL", url.is_none()),
                ]
                .iter()
                .filter(|(_, m)| *m)
                .map(|(n, _)| *n)
                .collect();
                Err(format!(
                    "live mode (TF_ACC=1) needs {}: the API key and the base URL of the WorkOS environment to test against",
                    missing.join(" and ")
                ))
            }
        }
    }

    pub fn is_live(&self) -> bool {
        matches!(self, Target::Live { .. })
    }
}

/// An emulator with the divergence proxy in front of it, or (live mode) an existing API with
/// the proxy in front of it checking the spec only.
pub struct Bench {
    // Field order matters for Drop: the proxy stops before the emulator.
    pub proxy: Proxy,
    /// `None` in live mode.
    pub emulator: Option<Emulator>,
    /// The live API's key (live mode only).
    live_key: Option<String>,
}

impl Bench {
    /// Starts a fresh emulator (no seed) and a proxy in front of it.
    pub fn start() -> Bench {
        Self::from_emulator(Emulator::start())
    }

    /// A bench for `target`: [`Bench::start`] for the emulator, [`Bench::live`] in live mode.
    pub fn for_target(target: &Target) -> Bench {
        match target {
            Target::Emulator => Self::start(),
            Target::Live { base_url, api_key } => Self::live(base_url, api_key),
        }
    }

    /// Live mode: no emulator; the proxy (spec guard and conformance only) in front of
    /// `base_url`, requests authenticated with `api_key`.
    pub fn live(base_url: &str, api_key: &str) -> Bench {
        Bench {
            proxy: Proxy::start_live(base_url),
            emulator: None,
            live_key: Some(api_key.to_string()),
        }
    }

    /// Whether this bench runs in live mode.
    pub fn is_live(&self) -> bool {
        self.emulator.is_none()
    }

    /// Starts a fresh emulator loaded with the given seed YAML.
    pub fn start_seeded(seed_yaml: &str) -> Bench {
        Self::from_emulator(Emulator::start_with_seed(Some(seed_yaml)))
    }

    fn from_emulator(emulator: Emulator) -> Bench {
        let proxy = Proxy::start(&emulator.url());
        Bench {
            proxy,
            emulator: Some(emulator),
            live_key: None,
        }
    }

    /// The emulator (panics in live mode, which has none).
    pub fn emulator(&self) -> &Emulator {
        self.emulator
            .as_ref()
            .expect("live mode (TF_ACC=1) has no emulator")
    }

    /// Base URL of the proxy (what the provider should use as WORKOS_BASE_URL).
    pub fn base_url(&self) -> String {
        self.proxy.url()
    }

    /// Direct URL of the emulator, bypassing the proxy.
    pub fn emulator_url(&self) -> String {
        self.emulator().url()
    }

    pub fn api_key(&self) -> String {
        match &self.live_key {
            Some(k) => k.clone(),
            None => self.emulator().api_key().to_string(),
        }
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
