//! Acceptance tests: the real `terraform` CLI drives the provider binary against the official
//! WorkOS emulator (behind the divergence proxy).
//!
//! This is one generic driver. Every directory under `tests/acceptance/` is one test case: HCL
//! files plus a `steps.yaml` that lists the steps (create, update, clear, import, deletion
//! outside Terraform, plan-time validation, checks through the API and the state). The step
//! vocabulary is documented in `tests/acceptance/README.md`. A new resource adds a directory,
//! not Rust. Each case starts its own emulator and proxy; cases run in parallel
//! (`--test-threads`), with the standard libtest summary at the end.

mod common;
#[path = "acceptance/destroy.rs"]
mod destroy;
#[path = "acceptance/lint.rs"]
mod lint;
mod live;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use common::{Bench, Run, Workdir};
use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;
use serde_json::{Map, Value};

const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false", "-no-color"];
const REFRESH: &[&str] = &[
    "apply",
    "-refresh-only",
    "-auto-approve",
    "-input=false",
    "-no-color",
];
const PLAN: &[&str] = &["plan", "-detailed-exitcode", "-input=false", "-no-color"];

fn cases_dir() -> PathBuf {
    common::repo_root().join("provider/tests/acceptance")
}

/// Every subdirectory of `tests/acceptance/`, sorted.
fn case_dirs() -> Vec<PathBuf> {
    let dir = cases_dir();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = vec![Trial::test("coverage", || {
        check_coverage().map_err(Failed::from)
    })];
    trials.extend(live::target_trial());
    for dir in case_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        trials.push(live::case_trial(name, dir));
    }
    if live::is_bench() {
        trials.push(Trial::test("spec_guard_fails_a_case", || {
            guard_selftest().map_err(Failed::from)
        }));
        trials.push(Trial::test("live_mode_dry_run", || {
            live::dry_run().map_err(Failed::from)
        }));
    }
    trials.push(Trial::test("lint_reads_hcl", || {
        lint::hcl_selftest().map_err(Failed::from)
    }));
    trials.push(Trial::test("lint_follows_the_descriptor", || {
        lint::descriptor_selftest().map_err(Failed::from)
    }));
    libtest_mimic::run(&args, trials).exit();
}

// ---------------------------------------------------------------------------------------------
// The case file and its steps.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    /// Resource types (and `data.<type>` data sources) whose lifecycle this case covers.
    covers: Vec<String>,
    /// Lint rules this case cannot meet, each with the reason: `<type>.<attribute>: why`.
    #[serde(default)]
    waive: BTreeMap<String, String>,
    steps: Vec<serde_yaml::Value>,
    /// `false`: the case cannot run in live mode, for the reason in `why` (read by
    /// `live::case_trial`; where the reason can be derived from the steps, it is).
    #[allow(dead_code)]
    live: Option<bool>,
    #[allow(dead_code)]
    why: Option<String>,
}

/// A case as loaded: the covered types, the waived lint rules and the steps.
struct Case {
    covers: Vec<String>,
    waive: BTreeMap<String, String>,
    steps: Vec<Step>,
}

struct Step {
    action: Action,
    /// A Terraform version constraint (`">= 1.11"`, `"< 1.11"`): the step is skipped otherwise.
    terraform: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Action {
    Apply(String),
    ApplyError(ExpectError),
    PlanError(ExpectError),
    ExpectPlan(PlanCheck),
    Import(Import),
    DeleteOutside(DeleteOutside),
    Api(Api),
    ExpectApi(ExpectApi),
    ExpectState(ExpectState),
    ExpectOutputs(Map<String, Value>),
    ExpectRequests(ExpectRequests),
    ExpectStateFile(ExpectStateFile),
    Let(Map<String, Value>),
    Env(Map<String, Value>),
    Fault(FaultStep),
    Untaint(String),
    Destroy(destroy::DestroyStep),
}

/// A fault the proxy injects into the next matching requests (path: exact, `/prefix/*`, `*`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultStep {
    method: String,
    path: String,
    status: u16,
    /// Forward first (the emulator processes the request), then answer `status`.
    #[serde(default)]
    after: bool,
    times: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectError {
    config: String,
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PlanCheck {
    config: Option<String>,
    changes: Option<bool>,
    #[serde(default)]
    contains: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    actions: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    unknown: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    known: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Import {
    address: String,
    id: String,
    config: Option<String>,
    plan: Option<PlanCheck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteOutside {
    path: String,
    address: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Api {
    method: String,
    path: String,
    body: Option<Value>,
    status: Option<u16>,
    repeat: Option<u32>,
    #[serde(default)]
    save: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectApi {
    path: String,
    status: Option<u16>,
    find: Option<Find>,
    checks: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Find {
    #[serde(rename = "in")]
    list: String,
    #[serde(rename = "where")]
    filter: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectState {
    address: String,
    #[serde(default)]
    checks: Map<String, Value>,
    #[serde(default)]
    absent: bool,
    /// Whether Terraform marked the object tainted (checked only when given).
    tainted: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectRequests {
    method: String,
    path: String,
    #[serde(default)]
    body_has: Vec<String>,
    min: Option<usize>,
    /// At most this many (with `max` alone, `min` defaults to 0: `max: 0` says "none").
    max: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectStateFile {
    absent: Vec<String>,
}

fn parse_step(value: serde_yaml::Value) -> Result<Step, String> {
    let serde_yaml::Value::Mapping(mut map) = value else {
        return Err(format!("a step is a map, not {value:?}"));
    };
    let mut take = |key: &str| -> Result<Option<String>, String> {
        match map.remove(key) {
            None => Ok(None),
            Some(serde_yaml::Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(format!("`{key}` is a string, not {other:?}")),
        }
    };
    let terraform = take("terraform")?;
    let note = take("note")?;
    if map.len() != 1 {
        let keys: Vec<String> = map
            .keys()
            .map(|k| k.as_str().unwrap_or("?").to_string())
            .collect();
        return Err(format!(
            "a step has exactly one action (besides `terraform` and `note`), found {keys:?}"
        ));
    }
    // serde_yaml reads enums from YAML tags; as JSON, `{action: args}` is the enum's plain
    // externally tagged form.
    let json = serde_json::to_value(serde_yaml::Value::Mapping(map))
        .map_err(|e| format!("bad step: {e}"))?;
    let action = serde_json::from_value(json).map_err(|e| format!("bad step: {e}"))?;
    Ok(Step {
        action,
        terraform,
        note,
    })
}

impl Step {
    fn summary(&self) -> String {
        let what = match &self.action {
            Action::Apply(c) => format!("apply {c}"),
            Action::ApplyError(e) => format!("apply_error {}", e.config),
            Action::PlanError(e) => format!("plan_error {}", e.config),
            Action::ExpectPlan(p) => match &p.config {
                Some(c) => format!("expect_plan {c}"),
                None => "expect_plan".to_string(),
            },
            Action::Import(i) => format!("import {} {}", i.address, i.id),
            Action::DeleteOutside(d) => format!("delete_outside {}", d.address),
            Action::Api(a) => format!("api {} {}", a.method, a.path),
            Action::ExpectApi(e) => format!("expect_api {}", e.path),
            Action::ExpectState(s) => format!("expect_state {}", s.address),
            Action::ExpectOutputs(_) => "expect_outputs".to_string(),
            Action::ExpectRequests(r) => format!("expect_requests {} {}", r.method, r.path),
            Action::ExpectStateFile(_) => "expect_state_file".to_string(),
            Action::Let(m) => format!("let {}", m.keys().cloned().collect::<Vec<_>>().join(", ")),
            Action::Env(m) => format!("env {}", m.keys().cloned().collect::<Vec<_>>().join(", ")),
            Action::Fault(f) => format!("fault {} {} {}", f.method, f.path, f.status),
            Action::Untaint(a) => format!("untaint {a}"),
            Action::Destroy(_) => "destroy".to_string(),
        };
        match &self.note {
            Some(n) => format!("{what}: {n}"),
            None => what,
        }
    }

    /// Configuration files the step reads.
    fn configs(&self) -> Vec<&str> {
        match &self.action {
            Action::Apply(c) => vec![c.as_str()],
            Action::ApplyError(e) | Action::PlanError(e) => vec![e.config.as_str()],
            Action::ExpectPlan(p) => p.config.iter().map(String::as_str).collect(),
            Action::Import(i) => i.config.iter().map(String::as_str).collect(),
            _ => vec![],
        }
    }

    /// Whether the step talks to Terraform or the API (and so starts a new request window
    /// for `expect_requests`).
    fn acts(&self) -> bool {
        matches!(
            self.action,
            Action::Apply(_)
                | Action::ApplyError(_)
                | Action::PlanError(_)
                | Action::ExpectPlan(_)
                | Action::Import(_)
                | Action::DeleteOutside(_)
                | Action::Api(_)
                | Action::Destroy(_)
        )
    }
}

fn load_case(dir: &Path) -> Result<Case, String> {
    let path = dir.join("steps.yaml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: CaseFile = serde_yaml::from_str(&text).map_err(|e| format!("steps.yaml: {e}"))?;
    let mut steps = Vec::new();
    for (i, v) in file.steps.into_iter().enumerate() {
        steps.push(parse_step(v).map_err(|e| format!("steps.yaml step {}: {e}", i + 1))?);
    }
    if steps.is_empty() {
        return Err("steps.yaml has no steps".into());
    }
    Ok(Case {
        covers: file.covers,
        waive: file.waive,
        steps,
    })
}

/// The resource type of an address (`workos_user.u` → `workos_user`, `data.x.y` → `data.x`).
fn type_of(address: &str) -> String {
    let parts: Vec<&str> = address.split('.').collect();
    if parts[0] == "data" && parts.len() > 1 {
        format!("data.{}", parts[1])
    } else {
        parts[0].to_string()
    }
}

/// Checks a case's shape before running it: every config file exists and is used, every
/// covered type is declared by some config, and each covered resource shows what its
/// descriptor calls for (`lint.rs`).
fn lint_case(dir: &Path, case: &Case) -> Result<(), String> {
    let (covers, steps) = (&case.covers, &case.steps);
    let mut problems = Vec::new();
    let used: Vec<&str> = steps.iter().flat_map(Step::configs).collect();
    let mut hcl = String::new();
    for c in &used {
        match std::fs::read_to_string(dir.join(c)) {
            Ok(t) => hcl.push_str(&t),
            Err(e) => problems.push(format!("config {c}: {e}")),
        }
    }
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".tf") && !used.contains(&name.as_str()) {
            problems.push(format!("{name} is used by no step"));
        }
    }
    for t in covers {
        if let Some(ds) = t.strip_prefix("data.") {
            if !hcl.contains(&format!("data \"{ds}\"")) {
                problems.push(format!("covers {t}, but no config declares it"));
            }
            continue;
        }
        if !hcl.contains(&format!("resource \"{t}\"")) {
            problems.push(format!("covers {t}, but no config declares it"));
        }
    }
    problems.extend(lint::lint_resources(dir, case));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Every resource and data source of the provider (named by `overrides/`) is covered by a
/// case, and every case covers only real ones.
fn check_coverage() -> Result<(), String> {
    let root = common::repo_root().join("overrides");
    let mut known = Vec::new();
    for (sub, key, prefix) in [
        ("resources", "resource", ""),
        ("data-sources", "data_source", "data."),
    ] {
        let dir = root.join(sub);
        for entry in std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        {
            let text = std::fs::read_to_string(entry.path()).map_err(|e| e.to_string())?;
            let doc: serde_yaml::Value = serde_yaml::from_str(&text)
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            let name = doc[key]
                .as_str()
                .ok_or_else(|| format!("{} has no `{key}`", entry.path().display()))?;
            known.push(format!("{prefix}{name}"));
        }
    }
    let mut covered = BTreeMap::new();
    let mut problems = Vec::new();
    for dir in case_dirs() {
        let case = dir.file_name().unwrap().to_string_lossy().into_owned();
        match load_case(&dir) {
            Ok(Case { covers, .. }) => {
                for t in covers {
                    if !known.contains(&t) {
                        problems.push(format!(
                            "acceptance/{case} covers {t}, which the provider does not have"
                        ));
                    }
                    covered.insert(t, case.clone());
                }
            }
            Err(e) => problems.push(format!("acceptance/{case}: {e}")),
        }
    }
    known.sort();
    for t in &known {
        if !covered.contains_key(t) {
            problems.push(format!(
                "{t} has no acceptance case: add a directory under provider/tests/acceptance/ whose steps.yaml covers it"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

// ---------------------------------------------------------------------------------------------
// Running a case.

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".to_string())
}

fn run_case(dir: &Path) -> Result<(), String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let case = load_case(dir).map_err(|e| format!("acceptance/{name}: {e}"))?;
    lint_case(dir, &case).map_err(|e| format!("acceptance/{name}: {e}"))?;
    for (rule, why) in &case.waive {
        println!("acceptance/{name}: lint waives {rule}: {why}");
    }
    let steps = case.steps;
    let bench = catch_unwind(live::bench)
        .map_err(|p| format!("acceptance/{name}: bench: {}", panic_text(p)))?;
    let result = run_steps(&name, dir, &bench, &steps);
    println!("{}", answered_line(&name, &bench));
    guarded(&name, &bench, result)
}

/// One line for the test output: how many of the case's requests the emulator alone, the
/// emulator through a divergence row, a local family (the bench's own code, no emulator),
/// the fault injector and the bench's refusals answered.
fn answered_line(name: &str, bench: &Bench) -> String {
    use common::proxy::Answered;
    let log = bench.proxy.requests();
    let mut rows: BTreeMap<&str, usize> = BTreeMap::new();
    let mut families: BTreeMap<&str, usize> = BTreeMap::new();
    let mut refused: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut emulator, mut faults) = (0, 0);
    for q in &log {
        match q.answered_by() {
            Answered::Emulator => emulator += 1,
            Answered::Row(r) => *rows.entry(r).or_default() += 1,
            Answered::Family(f) => *families.entry(f).or_default() += 1,
            Answered::Fault => faults += 1,
            Answered::Refused(r) => *refused.entry(r).or_default() += 1,
        }
    }
    let group = |m: &BTreeMap<&str, usize>| {
        let total: usize = m.values().sum();
        let parts: Vec<String> = m.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        match parts.is_empty() {
            true => total.to_string(),
            false => format!("{total} ({})", parts.join(", ")),
        }
    };
    let mut line = format!(
        "acceptance/{name}: {} requests: emulator {emulator}, rows {}, local families {}, faults {faults}",
        log.len(),
        group(&rows),
        group(&families)
    );
    if !refused.is_empty() {
        line.push_str(&format!(", refused by the bench {}", group(&refused)));
    }
    line
}

/// The spec guard: a non-spec request or an answer lacking a required property fails the
/// case, whatever its steps concluded.
fn guarded(name: &str, bench: &Bench, result: Result<(), String>) -> Result<(), String> {
    let violations = bench.proxy.take_violations();
    if violations.is_empty() {
        return result;
    }
    let guard = format!(
        "acceptance/{name}: spec guard: {} violation(s):\n  {}",
        violations.len(),
        violations.join("\n  ")
    );
    Err(match result {
        Ok(()) => guard,
        Err(e) => format!("{e}\n{guard}"),
    })
}

/// A case whose steps passed but which sent a non-spec request fails, naming the request;
/// a failed step keeps its own message too.
fn guard_selftest() -> Result<(), String> {
    let bench = Bench::start();
    bench.api("GET", "/no/such/route", None);
    let e = guarded("x", &bench, Ok(())).expect_err("a violation must fail the case");
    if !e.contains("GET /no/such/route: not a spec operation") {
        return Err(format!("unexpected guard message: {e}"));
    }
    bench.api("DELETE", "/organizations", None);
    let e = guarded("x", &bench, Err("step 1: boom".into())).expect_err("still failing");
    if !(e.starts_with("step 1: boom\n") && e.contains("DELETE /organizations: not a spec")) {
        return Err(format!("unexpected guard message: {e}"));
    }
    guarded("x", &bench, Ok(()))
}

fn run_steps(name: &str, dir: &Path, bench: &Bench, steps: &[Step]) -> Result<(), String> {
    let tf = Workdir::new(bench);
    let version = tf.version();
    let mut ctx = Ctx {
        name,
        dir,
        bench,
        tf,
        vars: Map::from_iter([("run".to_string(), Value::from(live::run_var(dir)))]),
        mark: 0,
        step: 0,
        config: ConfigInUse::default(),
    };
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        if let Some(constraint) = &step.terraform {
            let ok = version_satisfies(version, constraint)
                .map_err(|e| format!("acceptance/{name} step {n}: {e}"))?;
            if !ok {
                eprintln!(
                    "acceptance/{name} step {n} ({}) skipped: needs Terraform {constraint}, this is {}.{}.{}",
                    step.summary(),
                    version.0,
                    version.1,
                    version.2
                );
                continue;
            }
            eprintln!(
                "acceptance/{name} step {n} ({}) runs: Terraform {constraint} holds for {}.{}.{}",
                step.summary(),
                version.0,
                version.1,
                version.2
            );
        }
        if step.acts() {
            ctx.mark = bench.proxy.requests().len();
        }
        ctx.step = n;
        ctx.config.note(step);
        catch_unwind(AssertUnwindSafe(|| ctx.run(&step.action)))
            .unwrap_or_else(|p| Err(panic_text(p)))
            .map_err(|e| format!("acceptance/{name} step {n} ({}): {e}", step.summary()))?;
    }
    closing_destroy(&mut ctx, steps)
}

/// Every case ends with a destroy and its check through the API: the driver's own, unless
/// the last step is one. It runs with the bench's endpoint and API key (an `env` step may
/// have changed them).
fn closing_destroy(ctx: &mut Ctx, steps: &[Step]) -> Result<(), String> {
    if matches!(steps.last().map(|s| &s.action), Some(Action::Destroy(_))) {
        return Ok(());
    }
    for key in std::mem::take(&mut ctx.config.env) {
        match key.as_str() {
            "WORKOS_API_KEY" => ctx.tf.set_env(&key, &ctx.bench.api_key()),
            "WORKOS_BASE_URL" => ctx.tf.set_env(&key, &ctx.bench.base_url()),
            _ => {}
        }
    }
    ctx.mark = ctx.bench.proxy.requests().len();
    catch_unwind(AssertUnwindSafe(|| {
        ctx.destroy(&destroy::DestroyStep::default(), None)
    }))
    .unwrap_or_else(|p| Err(panic_text(p)))
    .map_err(|e| format!("acceptance/{} closing destroy: {e}", ctx.name))
}

/// Which configuration main.tf holds, so that a destroy runs on the last usable one.
#[derive(Default)]
struct ConfigInUse {
    /// The last configuration written by a step other than `plan_error`.
    usable: Option<String>,
    /// main.tf holds a `plan_error` step's configuration (rejected at plan time).
    rejected: bool,
    /// Variables set by `env` steps.
    env: Vec<String>,
}

impl ConfigInUse {
    fn note(&mut self, step: &Step) {
        if let Action::Env(vars) = &step.action {
            self.env.extend(vars.keys().cloned());
        }
        if let Some(c) = step.configs().last() {
            self.rejected = matches!(step.action, Action::PlanError(_));
            if !self.rejected {
                self.usable = Some(c.to_string());
            }
        }
    }
}

/// `">= 1.11"`, `"< 1.11"`, `"> 1.0.3"`, `"<= 1.10"`, `"= 1.11.4"`.
fn version_satisfies(have: (u32, u32, u32), constraint: &str) -> Result<bool, String> {
    let c = constraint.trim();
    let (op, rest) = [">=", "<=", ">", "<", "="]
        .iter()
        .find_map(|op| c.strip_prefix(op).map(|r| (*op, r.trim())))
        .ok_or_else(|| format!("bad Terraform constraint {constraint:?}"))?;
    let mut parts = rest.split('.').map(|p| {
        p.parse::<u32>()
            .map_err(|_| format!("bad Terraform constraint {constraint:?}"))
    });
    let want = (
        parts.next().transpose()?.unwrap_or(0),
        parts.next().transpose()?.unwrap_or(0),
        parts.next().transpose()?.unwrap_or(0),
    );
    Ok(match op {
        ">=" => have >= want,
        "<=" => have <= want,
        ">" => have > want,
        "<" => have < want,
        _ => have == want,
    })
}

struct Ctx<'a> {
    /// The case's name (its directory).
    name: &'a str,
    dir: &'a Path,
    bench: &'a Bench,
    tf: Workdir,
    vars: Map<String, Value>,
    /// Index in the proxy's log where the last acting step began.
    mark: usize,
    /// The number of the step being run.
    step: usize,
    config: ConfigInUse,
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn need(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

impl Ctx<'_> {
    fn run(&mut self, action: &Action) -> Result<(), String> {
        match action {
            Action::Apply(config) => self.apply(config),
            Action::ApplyError(e) => self.expect_error(APPLY, e),
            Action::PlanError(e) => self.expect_error(PLAN, e),
            Action::ExpectPlan(p) => {
                if let Some(c) = &p.config {
                    self.write_config(c)?;
                }
                self.expect_plan(p, None)
            }
            Action::Import(i) => self.import(i),
            Action::DeleteOutside(d) => self.delete_outside(d),
            Action::Api(a) => self.api(a),
            Action::ExpectApi(e) => self.expect_api(e),
            Action::ExpectState(s) => self.expect_state(s),
            Action::ExpectOutputs(o) => self.expect_outputs(o),
            Action::ExpectRequests(r) => self.expect_requests(r),
            Action::ExpectStateFile(f) => self.expect_state_file(f),
            Action::Let(vars) => {
                for (k, v) in vars {
                    let v = self.expand_value(v)?;
                    self.vars.insert(k.clone(), v);
                }
                Ok(())
            }
            Action::Env(vars) => {
                for (k, v) in vars {
                    let v = self.expand(&text_of(v), false)?;
                    self.tf.set_env(k, &v);
                }
                Ok(())
            }
            Action::Fault(f) => {
                let path = self.expand(&f.path, false)?;
                let times = f.times.unwrap_or(1);
                if f.after {
                    let kind = common::FaultKind::StatusAfter(f.status);
                    self.bench.proxy.inject_kind(&f.method, &path, kind, times);
                } else {
                    (self.bench.proxy).inject_status(&f.method, &path, f.status, None, times);
                }
                Ok(())
            }
            Action::Untaint(address) => self
                .tf_ok(&["untaint", "-no-color", address], "untaint")
                .map(|_| ()),
            Action::Destroy(d) => self.destroy(d, Some(self.step)),
        }
    }

    // --- templates ---------------------------------------------------------------------------

    /// The value of a template name, `None` when the name is not one of ours.
    fn lookup(&self, name: &str) -> Result<Option<Value>, String> {
        if name == "api_key" {
            return Ok(Some(Value::String(self.bench.api_key())));
        }
        if let Some(path) = name.strip_prefix("state.") {
            let parts: Vec<&str> = path.split('.').collect();
            let split = if parts[0] == "data" { 3 } else { 2 };
            if parts.len() <= split {
                return Err(format!("${{{name}}}: write state.<address>.<attribute>"));
            }
            let address = parts[..split].join(".");
            let attrs = self
                .resource(&address)?
                .ok_or_else(|| format!("${{{name}}}: {address} is not in the state"))?;
            let mut v = &attrs;
            for p in &parts[split..] {
                v = match v {
                    Value::Array(a) => p.parse::<usize>().ok().and_then(|i| a.get(i)),
                    other => other.get(p),
                }
                .ok_or_else(|| format!("${{{name}}}: {address} has no {p} in {attrs}"))?;
            }
            return Ok(Some(v.clone()));
        }
        Ok(self.vars.get(name).cloned())
    }

    /// Replaces `${name}` in `s`. In HCL, names that are not ours (Terraform's own
    /// interpolation) and `$${` escapes are left alone; elsewhere an unknown name is an error.
    fn expand(&self, s: &str, hcl: bool) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start + 2..].find('}') else {
                break;
            };
            let end = start + 3 + len;
            let name = &rest[start + 2..start + 2 + len];
            let escaped = start > 0 && rest.as_bytes()[start - 1] == b'$';
            match if escaped { None } else { self.lookup(name)? } {
                Some(v) => {
                    out.push_str(&rest[..start]);
                    out.push_str(&text_of(&v));
                }
                None if hcl || escaped => out.push_str(&rest[..end]),
                None => {
                    let known: Vec<&String> = self.vars.keys().collect();
                    return Err(format!(
                        "unknown template ${{{name}}} (defined: {known:?}, api_key, state.<address>.<attribute>)"
                    ));
                }
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Expands every string (and map key) in `v`; a string that is exactly one `${name}`
    /// becomes that value with its JSON type.
    fn expand_value(&self, v: &Value) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) => {
                let whole = s.starts_with("${") && s.ends_with('}') && s.matches("${").count() == 1;
                match whole {
                    true => match self.lookup(&s[2..s.len() - 1])? {
                        Some(v) => v,
                        None => Value::String(self.expand(s, false)?),
                    },
                    false => Value::String(self.expand(s, false)?),
                }
            }
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|x| self.expand_value(x))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, x) in m {
                    out.insert(self.expand(k, false)?, self.expand_value(x)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    fn expand_all(&self, list: &[String]) -> Result<Vec<String>, String> {
        list.iter().map(|s| self.expand(s, false)).collect()
    }

    // --- Terraform ---------------------------------------------------------------------------

    /// Writes main.tf (provider requirements added) from a config file of the case.
    fn write_config(&self, file: &str) -> Result<(), String> {
        let path = self.dir.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        self.tf.write_main(&self.expand(&text, true)?);
        Ok(())
    }

    fn tf_ok(&self, args: &[&str], what: &str) -> Result<Run, String> {
        let r = self.tf.run(args);
        need(r.success(), || format!("{what} failed: {}", r.describe()))?;
        Ok(r)
    }

    fn empty_plan(&self, when: &str) -> Result<(), String> {
        let r = self.tf.run(PLAN);
        need(r.status == 0, || {
            format!("the plan {when} is not empty: {}", r.describe())
        })
    }

    /// Apply, then an empty plan; refresh, then an empty plan again.
    fn apply(&self, config: &str) -> Result<(), String> {
        self.write_config(config)?;
        self.tf_ok(APPLY, "apply")?;
        self.empty_plan("after apply")?;
        self.tf_ok(REFRESH, "refresh")?;
        self.empty_plan("after refresh")
    }

    fn check_text(&self, r: &Run, contains: &[String], absent: &[String]) -> Result<(), String> {
        let text = r.output();
        let missing: Vec<&String> = contains.iter().filter(|c| !text.contains(*c)).collect();
        let present: Vec<&String> = absent.iter().filter(|a| text.contains(*a)).collect();
        need(missing.is_empty() && present.is_empty(), || {
            let mut msg = String::new();
            if !missing.is_empty() {
                msg.push_str(&format!("output lacks {missing:?}; "));
            }
            if !present.is_empty() {
                msg.push_str(&format!(
                    "output shows {present:?}, which must not appear; "
                ));
            }
            format!("{msg}{}", r.describe())
        })
    }

    fn expect_error(&self, args: &[&str], e: &ExpectError) -> Result<(), String> {
        self.write_config(&e.config)?;
        let r = self.tf.run(args);
        need(!r.success(), || {
            format!("`terraform {}` succeeded: {}", args[0], r.describe())
        })?;
        self.check_text(
            &r,
            &self.expand_all(&e.contains)?,
            &self.expand_all(&e.absent)?,
        )
    }

    fn expect_plan(&self, p: &PlanCheck, default_changes: Option<bool>) -> Result<(), String> {
        let json = !(p.actions.is_empty() && p.unknown.is_empty() && p.known.is_empty());
        let mut args = PLAN.to_vec();
        if json {
            args.push("-out=step.plan");
        }
        let r = self.tf.run(&args);
        need(r.status == 0 || r.status == 2, || {
            format!("plan failed: {}", r.describe())
        })?;
        if let Some(changes) = p.changes.or(default_changes) {
            need((r.status == 2) == changes, || {
                let want = if changes { "changes" } else { "an empty plan" };
                format!("expected {want}: {}", r.describe())
            })?;
        }
        self.check_text(
            &r,
            &self.expand_all(&p.contains)?,
            &self.expand_all(&p.absent)?,
        )?;
        if !json {
            return Ok(());
        }
        let shown = self.tf_ok(&["show", "-json", "step.plan"], "show -json of the plan")?;
        let plan: Value = serde_json::from_str(&shown.stdout)
            .map_err(|e| format!("show -json is not JSON ({e}): {}", shown.describe()))?;
        let change = |address: &str| -> Result<&Value, String> {
            plan["resource_changes"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["address"] == address)
                .map(|c| &c["change"])
                .ok_or_else(|| format!("the plan has no change for {address}: {}", r.describe()))
        };
        let mut problems = Vec::new();
        for (address, want) in &p.actions {
            let c = change(address)?;
            let got: Vec<String> = serde_json::from_value(c["actions"].clone()).unwrap_or_default();
            if &got != want {
                problems.push(format!("{address}: actions {got:?}, expected {want:?}"));
            }
        }
        for (address, attrs) in &p.unknown {
            let unknown = &change(address)?["after_unknown"];
            for a in attrs {
                if unknown[a] != Value::Bool(true) {
                    problems.push(format!("{address}.{a} is known in the plan, expected unknown (after_unknown: {unknown})"));
                }
            }
        }
        for (address, attrs) in &p.known {
            let unknown = &change(address)?["after_unknown"];
            for a in attrs {
                if unknown
                    .get(a)
                    .is_some_and(|v| v.to_string().contains("true"))
                {
                    problems.push(format!(
                        "{address}.{a} is needlessly unknown in the plan (after_unknown: {unknown})"
                    ));
                }
            }
        }
        need(problems.is_empty(), || {
            format!("{}\n{}", problems.join("\n"), r.describe())
        })
    }

    /// `state rm` + `import`, then the plan (empty unless `plan` says otherwise).
    fn import(&self, i: &Import) -> Result<(), String> {
        if let Some(c) = &i.config {
            self.write_config(c)?;
        }
        let id = self.expand(&i.id, false)?;
        self.tf_ok(&["state", "rm", &i.address], "state rm")?;
        self.tf_ok(
            &["import", "-input=false", "-no-color", &i.address, &id],
            "import",
        )?;
        let default = PlanCheck::default();
        let plan = i.plan.as_ref().unwrap_or(&default);
        if plan.config.is_some() {
            return Err("an import's `plan` takes no `config` (give it to the import)".into());
        }
        self.expect_plan(plan, Some(false))
            .map_err(|e| format!("after import: {e}"))
    }

    /// Delete through the API; the next plan must create the object again.
    fn delete_outside(&self, d: &DeleteOutside) -> Result<(), String> {
        let path = self.expand(&d.path, false)?;
        let (status, body) = self.bench.api("DELETE", &path, None);
        need(status < 300, || format!("DELETE {path}: {status} {body}"))?;
        let r = self.tf.run(PLAN);
        need(r.status == 2, || {
            format!(
                "the plan after deleting {path} outside Terraform shows no change: {}",
                r.describe()
            )
        })?;
        self.check_text(&r, &[format!("{} will be created", d.address)], &[])
    }

    // --- the API -----------------------------------------------------------------------------

    fn api(&mut self, a: &Api) -> Result<(), String> {
        let mut last = Value::Null;
        for i in 0..a.repeat.unwrap_or(1) {
            self.vars.insert("i".into(), Value::from(i));
            let path = self.expand(&a.path, false)?;
            let body = a.body.as_ref().map(|b| self.expand_value(b)).transpose()?;
            let (status, response) = self.bench.api(&a.method, &path, body);
            let ok = match a.status {
                Some(s) => status == s,
                None => (200..300).contains(&status),
            };
            need(ok, || {
                format!(
                    "{} {path}: status {status}, expected {}: {response}",
                    a.method,
                    a.status.map_or("2xx".to_string(), |s| s.to_string())
                )
            })?;
            last = response;
        }
        self.vars.remove("i");
        for (var, pointer) in &a.save {
            let p = text_of(pointer);
            let v = last
                .pointer(&p)
                .ok_or_else(|| format!("save {var}: the response has no {p}: {last}"))?;
            self.vars.insert(var.clone(), v.clone());
        }
        Ok(())
    }

    fn expect_api(&self, e: &ExpectApi) -> Result<(), String> {
        let path = self.expand(&e.path, false)?;
        let (status, body) = self.bench.api("GET", &path, None);
        let want = e.status.unwrap_or(200);
        need(status == want, || {
            format!("GET {path}: status {status}, expected {want}: {body}")
        })?;
        let target = match &e.find {
            None => body,
            Some(f) => {
                let filter = self.expand_value(&Value::Object(f.filter.clone()))?;
                let items = body
                    .pointer(&f.list)
                    .and_then(Value::as_array)
                    .ok_or_else(|| format!("GET {path}: no list at {}: {body}", f.list))?;
                items
                    .iter()
                    .find(|item| check_all(item, &filter).is_ok())
                    .cloned()
                    .ok_or_else(|| {
                        format!("GET {path}: no item of {} matches {filter}: {body}", f.list)
                    })?
            }
        };
        let checks = self.expand_value(&Value::Object(e.checks.clone()))?;
        check_all(&target, &checks).map_err(|m| format!("GET {path}:\n{m}\nbody: {target}"))
    }

    fn expect_requests(&self, r: &ExpectRequests) -> Result<(), String> {
        let path = self.expand(&r.path, false)?;
        let log = self.bench.proxy.requests();
        let window = &log[self.mark.min(log.len())..];
        let count = window
            .iter()
            .filter(|q| q.method == r.method && q.path.starts_with(&path))
            .filter(|q| {
                let body: Value = serde_json::from_str(&q.request_body).unwrap_or(Value::Null);
                r.body_has.iter().all(|p| body.pointer(p).is_some())
            })
            .count();
        let min = r.min.unwrap_or(if r.max.is_some() { 0 } else { 1 });
        let max = r.max.unwrap_or(usize::MAX);
        need(count >= min && count <= max, || {
            let seen: Vec<String> = window
                .iter()
                .map(|q| format!("{} {} {}", q.method, q.path, q.request_body))
                .collect();
            format!(
                "{count} request(s) {} {path}* with {:?} in the body during the previous step, expected at least {min}{}; seen:\n{}",
                r.method,
                r.body_has,
                r.max.map(|m| format!(" and at most {m}")).unwrap_or_default(),
                seen.join("\n")
            )
        })
    }

    // --- the state ---------------------------------------------------------------------------

    fn state(&self) -> Result<Value, String> {
        let path = self.tf.path().join("terraform.tfstate");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("terraform.tfstate: {e}"))
    }

    /// The attributes of the resource at `address` in state, `None` when it is not there.
    fn resource(&self, address: &str) -> Result<Option<Value>, String> {
        Ok(self.instance(address)?.get("attributes").cloned())
    }

    /// The state's (first) instance of the resource at `address`, `Null` when it is not there.
    fn instance(&self, address: &str) -> Result<Value, String> {
        let (mode, rest) = match address.strip_prefix("data.") {
            Some(r) => ("data", r),
            None => ("managed", address),
        };
        let (ty, name) = rest
            .split_once('.')
            .ok_or_else(|| format!("bad address {address:?}"))?;
        let state = self.state()?;
        Ok(state["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| {
                r["mode"] == mode && r["type"] == ty && r["name"] == name && r["module"].is_null()
            })
            .map_or(Value::Null, |r| r["instances"][0].clone()))
    }

    fn expect_state(&self, s: &ExpectState) -> Result<(), String> {
        let attrs = self.resource(&s.address)?;
        if s.absent {
            return need(attrs.is_none(), || {
                format!(
                    "{} is in the state: {}",
                    s.address,
                    attrs.unwrap_or_default()
                )
            });
        }
        let attrs = attrs.ok_or_else(|| format!("{} is not in the state", s.address))?;
        if let Some(want) = s.tainted {
            let status = self.instance(&s.address)?["status"].clone();
            need((status == "tainted") == want, || {
                format!("{}: status {status}, expected tainted: {want}", s.address)
            })?;
        }
        let checks = self.expand_value(&Value::Object(s.checks.clone()))?;
        check_all(&attrs, &checks).map_err(|m| format!("{}:\n{m}", s.address))
    }

    fn expect_outputs(&self, outputs: &Map<String, Value>) -> Result<(), String> {
        let state = self.state()?;
        let mut values = Map::new();
        for (name, o) in state["outputs"].as_object().into_iter().flatten() {
            values.insert(name.clone(), o["value"].clone());
        }
        let values = Value::Object(values);
        let mut checks = Map::new();
        for (name, v) in outputs {
            checks.insert(format!("/{name}"), self.expand_value(v)?);
        }
        check_all(&values, &Value::Object(checks)).map_err(|m| format!("outputs:\n{m}\n{values}"))
    }

    fn expect_state_file(&self, f: &ExpectStateFile) -> Result<(), String> {
        for file in ["terraform.tfstate", "terraform.tfstate.backup"] {
            let Ok(text) = std::fs::read_to_string(self.tf.path().join(file)) else {
                continue;
            };
            for a in self.expand_all(&f.absent)? {
                need(!text.contains(&a), || format!("{file} contains {a:?}"))?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Value checks: `{<JSON pointer>: <expected>}`.

const MATCHERS: &[&str] = &["is", "matches", "not", "unordered", "equals"];

/// A matcher is a map of exactly one of [`MATCHERS`].
fn matcher(v: &Value) -> Option<(&str, &Value)> {
    let m = v.as_object()?;
    let (k, x) = m.iter().next()?;
    (m.len() == 1 && MATCHERS.contains(&k.as_str())).then_some((k.as_str(), x))
}

fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.get(k).is_some_and(|b| json_eq(a, b)))
        }
        _ => a == b,
    }
}

fn show(v: Option<&Value>) -> String {
    v.map_or("absent".to_string(), Value::to_string)
}

/// Checks one value; `Err` says what differed.
fn check_value(actual: Option<&Value>, expected: &Value) -> Result<(), String> {
    let ok = match matcher(expected) {
        Some(("is", kind)) => match kind.as_str().unwrap_or("null") {
            "absent" => actual.is_none(),
            "null" => actual.is_none_or(Value::is_null),
            "empty" => actual.is_none_or(|a| match a {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(x) => x.is_empty(),
                Value::Object(x) => x.is_empty(),
                _ => false,
            }),
            other => return Err(format!("unknown `is: {other}` (absent, null or empty)")),
        },
        Some(("matches", re)) => {
            let re = regex::Regex::new(re.as_str().unwrap_or_default())
                .map_err(|e| format!("bad regex: {e}"))?;
            actual
                .and_then(Value::as_str)
                .is_some_and(|s| re.is_match(s))
        }
        Some(("not", v)) => !actual.is_some_and(|a| json_eq(a, v)),
        Some(("equals", v)) => actual.is_some_and(|a| json_eq(a, v)),
        Some(("unordered", items)) => {
            let want = items.as_array().ok_or("`unordered` takes a list")?;
            actual.and_then(Value::as_array).is_some_and(|got| {
                got.len() == want.len() && assign(got, want, &mut vec![false; got.len()])
            })
        }
        _ => actual.is_some_and(|a| json_eq(a, expected)),
    };
    need(ok, || format!("expected {expected}, got {}", show(actual)))
}

/// Whether each of `want` matches a distinct item of `got` (objects by their listed fields).
fn assign(got: &[Value], want: &[Value], used: &mut Vec<bool>) -> bool {
    let Some((first, rest)) = want.split_first() else {
        return true;
    };
    for i in 0..got.len() {
        if !used[i] && item_matches(&got[i], first) {
            used[i] = true;
            if assign(got, rest, used) {
                return true;
            }
            used[i] = false;
        }
    }
    false
}

fn item_matches(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) if matcher(want).is_none() => {
            w.iter().all(|(k, wv)| match matcher(wv) {
                Some(_) => check_value(g.get(k), wv).is_ok(),
                None => g.get(k).is_some_and(|gv| item_matches(gv, wv)),
            })
        }
        _ => check_value(Some(got), want).is_ok(),
    }
}

/// Runs every `{pointer: expected}` check against `target`; `Err` lists each one that failed.
fn check_all(target: &Value, checks: &Value) -> Result<(), String> {
    let mut problems = Vec::new();
    for (pointer, expected) in checks.as_object().into_iter().flatten() {
        if let Err(e) = check_value(target.pointer(pointer), expected) {
            problems.push(format!("  {pointer}: {e}"));
        }
    }
    need(problems.is_empty(), || problems.join("\n"))
}
