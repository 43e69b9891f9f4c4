//! The performance bench behind `make bench` (not part of `make test`: its one trial is
//! ignored unless `--ignored` is passed, which only `make bench` does).
//!
//! It compares the release binary of this provider with HashiCorp's null provider, both
//! installed by `terraform init` from one filesystem mirror (`BENCH_MIRROR`, laid out by
//! `make bench`), on the emulator and proxy of `tests/common`:
//! - binary size, handshake time (start → handshake line, median of `BENCH_HANDSHAKES`);
//! - for each N in `BENCH_SIZES` (median of `BENCH_RUNS` cycles): `plan` with an empty state,
//!   `apply`, a refreshing `plan` of the applied state and `destroy`, of N `workos_permission`
//!   vs N `null_resource` (and vs N `null_resource` holding a permission's state, and N
//!   `workos_permission` against the in-process instant API of `perf/instant.rs`); peak RSS
//!   (VmHWM) of every provider process of each apply; API requests per refresh;
//! - two modes: "limiter off" (the proxy spreads requests over `BENCH_KEYS` seeded keys, see
//!   `Proxy::spread_keys`: the overhead figure) and "limiter on" (one key, the emulator's
//!   real 1,000 requests / 60 s; N in `BENCH_LIMITED_SIZES`, one cycle each on a fresh
//!   emulator, compared with the time the limit itself imposes).
//!
//! Output in `BENCH_OUT` (default `target/bench/`): `results.md` (tables with ratios),
//! `time-vs-n.dat`, `time-vs-n.gp` and `time-vs-n.png` (gnuplot).
mod common;
#[path = "perf/instant.rs"]
mod instant;
#[path = "perf/measure.rs"]
mod measure;
#[path = "perf/report.rs"]
mod report;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{Bench, Workdir};
use instant::InstantApi;
use measure::RssSampler;

/// Which provider a working directory uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Workos,
    /// This provider against the instant API (`perf/instant.rs`): no emulator, no proxy.
    WorkosInstant,
    Null,
    /// null_resource whose `triggers` hold what a workos_permission's state holds (the same
    /// attributes and value lengths): Terraform's own cost of a state that size, which grows
    /// with the state (it rewrites the state as objects complete), without any API.
    NullSameState,
}

impl Which {
    pub fn label(self) -> &'static str {
        match self {
            Which::Workos => "workos",
            Which::WorkosInstant => "workos, instant API",
            Which::Null => "null",
            Which::NullSameState => "null (same-size state)",
        }
    }
}

/// The bench's settings, from the environment `make bench` sets.
pub struct Config {
    pub workos_bin: PathBuf,
    pub null_bin: Option<PathBuf>,
    /// Why the null provider is not measured, when it is not.
    pub null_missing: Option<String>,
    pub mirror: PathBuf,
    pub out: PathBuf,
    pub runs: usize,
    pub handshakes: usize,
    pub sizes: Vec<usize>,
    pub limited_sizes: Vec<usize>,
    pub keys: usize,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

fn sizes(name: &str, default: &str) -> Vec<usize> {
    env_or(name, default)
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().expect("sizes are comma-separated numbers"))
        .collect()
}

impl Config {
    fn from_env() -> Config {
        let root = common::repo_root();
        let mirror = PathBuf::from(env_or(
            "BENCH_MIRROR",
            &root.join("target/bench/mirror").display().to_string(),
        ));
        let mirror = mirror.canonicalize().unwrap_or(mirror);
        let null_bin = null_in_mirror(&mirror);
        let null_missing = match &null_bin {
            Some(_) => None,
            None => Some(env_or(
                "BENCH_NULL_MISSING",
                "no null provider in the bench mirror",
            )),
        };
        Config {
            workos_bin: PathBuf::from(env_or(
                "BENCH_PROVIDER",
                &root
                    .join("target/release/terraform-provider-workos")
                    .display()
                    .to_string(),
            )),
            null_bin,
            null_missing,
            mirror,
            out: PathBuf::from(env_or(
                "BENCH_OUT",
                &root.join("target/bench").display().to_string(),
            )),
            runs: env_or("BENCH_RUNS", "3").parse().expect("BENCH_RUNS"),
            handshakes: env_or("BENCH_HANDSHAKES", "20")
                .parse()
                .expect("BENCH_HANDSHAKES"),
            sizes: sizes("BENCH_SIZES", "10,100,1000"),
            limited_sizes: sizes("BENCH_LIMITED_SIZES", "10,100,1000"),
            keys: env_or("BENCH_KEYS", "100").parse().expect("BENCH_KEYS"),
        }
    }

    pub fn providers(&self) -> Vec<Which> {
        let mut v = vec![Which::Workos, Which::WorkosInstant];
        if self.null_bin.is_some() {
            v.extend([Which::Null, Which::NullSameState]);
        }
        v
    }
}

/// The null provider binary `make bench` placed in the mirror (unpacked layout), if any.
fn null_in_mirror(mirror: &Path) -> Option<PathBuf> {
    let dir = mirror.join("registry.terraform.io/hashicorp/null");
    let version = std::fs::read_dir(&dir).ok()?.flatten().next()?;
    let platform = version.path().join("linux_amd64");
    std::fs::read_dir(platform)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("terraform-provider-null"))
        })
}

/// Medians (seconds) of one provider at one N, with what the proxy and sampler saw.
#[derive(Clone, Debug, Default)]
pub struct Cycle {
    pub plan: f64,
    pub apply: f64,
    pub refresh: f64,
    pub destroy: f64,
    /// Requests the proxy answered during the apply / the refreshing plan.
    pub apply_requests: usize,
    pub refresh_requests: usize,
    /// 429 answers the proxy passed on during the whole cycle.
    pub throttled: usize,
    /// Highest VmHWM of one provider process during the apply (KiB), and how many ran.
    pub rss_kib: u64,
    pub processes: usize,
}

fn main_tf(which: Which, n: usize, tag: &str) -> String {
    match which {
        Which::Workos | Which::WorkosInstant => format!(
            "terraform {{\n  required_providers {{\n    workos = {{ source = \"workos-rs/workos\" }}\n  }}\n}}\n\n\
             resource \"workos_permission\" \"p\" {{\n  count = {n}\n  slug  = \"bench-{tag}-${{count.index}}\"\n  name  = \"Bench ${{count.index}}\"\n}}\n"
        ),
        Which::Null => format!(
            "terraform {{\n  required_providers {{\n    null = {{ source = \"hashicorp/null\" }}\n  }}\n}}\n\n\
             resource \"null_resource\" \"p\" {{\n  count = {n}\n}}\n"
        ),
        // The values a workos_permission of the Workos configuration has in state.
        Which::NullSameState => format!(
            "terraform {{\n  required_providers {{\n    null = {{ source = \"hashicorp/null\" }}\n  }}\n}}\n\n\
             resource \"null_resource\" \"p\" {{\n  count = {n}\n  triggers = {{\n\
             \x20   slug               = \"bench-{tag}-${{count.index}}\"\n\
             \x20   name               = \"Bench ${{count.index}}\"\n\
             \x20   permission_id      = \"perm_01M8RJ4PRYAYY4D57SRC7ZNPZF\"\n\
             \x20   created_at         = \"2026-12-01T10:24:24.862Z\"\n\
             \x20   updated_at         = \"2026-12-01T10:24:24.862Z\"\n\
             \x20   resource_type_slug = \"organization\"\n\
             \x20   system             = \"false\"\n  }}\n}}\n"
        ),
    }
}

/// What a cycle talks to: the emulator behind the proxy, or the instant API.
pub trait Api {
    fn base_url(&self) -> String;
    fn api_key(&self) -> String;
    /// Requests answered since the last call, and how many of them were 429s.
    fn take_counts(&self) -> (usize, usize);
}

impl Api for Bench {
    fn base_url(&self) -> String {
        Bench::base_url(self)
    }
    fn api_key(&self) -> String {
        Bench::api_key(self)
    }
    fn take_counts(&self) -> (usize, usize) {
        let r = self.proxy.requests();
        self.proxy.clear_requests();
        (r.len(), r.iter().filter(|r| r.status == 429).count())
    }
}

impl Api for InstantApi {
    fn base_url(&self) -> String {
        self.url()
    }
    fn api_key(&self) -> String {
        "sk_test_instant".to_string()
    }
    fn take_counts(&self) -> (usize, usize) {
        (self.take_requests(), 0)
    }
}

/// A working directory whose providers come from the bench mirror only (no network).
fn workdir(cfg: &Config, api: &dyn Api, which: Which, n: usize, tag: &str) -> Workdir {
    let tf = Workdir::with_endpoint_and_provider(&api.base_url(), &api.api_key(), &cfg.workos_bin);
    tf.set_cli_config(&format!(
        "disable_checkpoint = true\nprovider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
        cfg.mirror.display()
    ));
    tf.write_file("main.tf", &main_tf(which, n, tag));
    let init = tf.run(&["init", "-input=false", "-no-color"]);
    init.assert_success();
    tf
}

fn timed(tf: &Workdir, args: &[&str]) -> f64 {
    let t = Instant::now();
    tf.run(args).assert_success();
    t.elapsed().as_secs_f64()
}

/// One plan / apply / refreshing plan / destroy cycle of N objects.
fn cycle(cfg: &Config, api: &dyn Api, which: Which, n: usize, tag: &str) -> Cycle {
    let tf = workdir(cfg, api, which, n, tag);
    let plan_args = ["plan", "-input=false", "-no-color"];
    let mut c = Cycle::default();
    api.take_counts();
    c.plan = timed(&tf, &plan_args);
    c.throttled += api.take_counts().1;
    let sampler = RssSampler::start(vec![tf.root().to_path_buf(), cfg.mirror.clone()]);
    c.apply = timed(
        &tf,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    (c.rss_kib, c.processes) = sampler.stop();
    let (requests, throttled) = api.take_counts();
    (c.apply_requests, c.throttled) = (requests, c.throttled + throttled);
    let t = Instant::now();
    let r = tf.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    c.refresh = t.elapsed().as_secs_f64();
    assert_eq!(r.status, 0, "refreshing plan not empty: {}", r.describe());
    let (requests, throttled) = api.take_counts();
    (c.refresh_requests, c.throttled) = (requests, c.throttled + throttled);
    c.destroy = timed(
        &tf,
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
    );
    c.throttled += api.take_counts().1;
    c
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// Medians of `runs` cycles (counts and RSS: the highest seen).
fn medians(cycles: &[Cycle]) -> Cycle {
    let m = |f: fn(&Cycle) -> f64| median(cycles.iter().map(f).collect());
    Cycle {
        plan: m(|c| c.plan),
        apply: m(|c| c.apply),
        refresh: m(|c| c.refresh),
        destroy: m(|c| c.destroy),
        apply_requests: cycles.iter().map(|c| c.apply_requests).max().unwrap_or(0),
        refresh_requests: cycles.iter().map(|c| c.refresh_requests).max().unwrap_or(0),
        throttled: cycles.iter().map(|c| c.throttled).sum(),
        rss_kib: cycles.iter().map(|c| c.rss_kib).max().unwrap_or(0),
        processes: cycles.iter().map(|c| c.processes).max().unwrap_or(0),
    }
}

/// One request through the proxy before anything is timed: the proxy loads the spec for its
/// guard on first use (seconds in a debug build), which is bench cost, not provider cost.
fn warm(bench: &Bench) {
    let (status, _) = bench.api("GET", "/authorization/permissions", None);
    assert_eq!(status, 200, "warm-up request through the proxy");
}

/// A seed YAML with `count` API keys of one environment.
fn seed_keys(count: usize) -> (String, Vec<String>) {
    let keys: Vec<String> = (0..count)
        .map(|i| format!("sk_test_bench_{i:03}"))
        .collect();
    let mut yaml = String::from("apiKeys:\n");
    for k in &keys {
        yaml.push_str(&format!("  {k}:\n    environment: test\n"));
    }
    (yaml, keys)
}

/// Limiter off: every provider, every N, `runs` cycles on one emulator with spread keys.
fn unlimited(cfg: &Config) -> Vec<(Which, usize, Cycle)> {
    let (yaml, keys) = seed_keys(cfg.keys.max(1));
    let bench = Bench::start_seeded(&yaml);
    bench.proxy.spread_keys(keys);
    warm(&bench);
    let instant = InstantApi::start();
    instant.self_check();
    let mut out = Vec::new();
    for &n in &cfg.sizes {
        for which in cfg.providers() {
            let api: &dyn Api = match which {
                Which::WorkosInstant => &instant,
                _ => &bench,
            };
            let runs: Vec<Cycle> = (0..cfg.runs.max(1))
                .map(|r| {
                    let c = cycle(cfg, api, which, n, &format!("u{n}r{r}"));
                    eprintln!("perf: limiter off {} N={n} run {r}: {c:?}", which.label());
                    c
                })
                .collect();
            out.push((which, n, medians(&runs)));
        }
    }
    out
}

/// Limiter on: this provider only, one cycle per N, each on a fresh emulator (one key).
fn limited(cfg: &Config) -> Vec<(usize, Cycle)> {
    cfg.limited_sizes
        .iter()
        .map(|&n| {
            let bench = Bench::start();
            warm(&bench);
            let c = cycle(cfg, &bench, Which::Workos, n, &format!("l{n}"));
            eprintln!("perf: limiter on workos N={n}: {c:?}");
            (n, c)
        })
        .collect()
}

fn bench() {
    let cfg = Config::from_env();
    assert!(
        cfg.workos_bin.is_file(),
        "no release binary at {}: run `make bench`",
        cfg.workos_bin.display()
    );
    std::fs::create_dir_all(&cfg.out).expect("create the output directory");
    let statics = measure::statics(&cfg);
    let off = unlimited(&cfg);
    let on = limited(&cfg);
    let report = report::Report {
        cfg: &cfg,
        statics,
        off,
        on,
    };
    let md = report.markdown();
    std::fs::write(cfg.out.join("results.md"), &md).expect("write results.md");
    report.plot();
    println!("{md}");
    println!("perf: wrote {}", cfg.out.join("results.md").display());
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let trials = vec![libtest_mimic::Trial::test("bench", || {
        bench();
        Ok(())
    })
    .with_ignored_flag(true)];
    libtest_mimic::run(&args, trials).exit();
}
