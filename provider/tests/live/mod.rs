//! Live mode of the acceptance driver (`TF_ACC=1`, see `tests/acceptance/README.md`): the
//! target, the run prefix (`${run}`), the cases that cannot run live (ignored, with the reason
//! printed) and the dry run of all of it against a bare emulator.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use libtest_mimic::{Failed, Trial};
use serde_json::{json, Value};

use super::common::sweep::{self, run_prefix};
use super::common::{local, Bench, Emulator, Proxy, Target};
use super::{load_case, Action, Step};

/// The target, read from the environment once.
pub fn target() -> &'static Result<Target, String> {
    static T: OnceLock<Result<Target, String>> = OnceLock::new();
    T.get_or_init(Target::from_env)
}

pub fn is_live() -> bool {
    matches!(target(), Ok(t) if t.is_live())
}

/// The emulator bench (not live mode, and not a live mode missing its settings).
pub fn is_bench() -> bool {
    matches!(target(), Ok(Target::Emulator))
}

/// The bench a case runs on: a fresh emulator with the proxy, or the live API.
pub fn bench() -> Bench {
    match target() {
        Ok(t) => Bench::for_target(t),
        Err(e) => panic!("{e}"),
    }
}

/// `${run}` for a case: the run prefix and the case's index among the cases, so that cases
/// running at the same time (each with its own objects of environment-wide uniqueness:
/// permissions, emails) never collide, and every name starts with the run prefix.
pub fn run_var(dir: &Path) -> String {
    let idx = super::case_dirs()
        .iter()
        .position(|d| d == dir)
        .unwrap_or(usize::MAX);
    format!("{}-{idx}", run_prefix())
}

/// Why a case cannot run in live mode, derived from its data: `fault` steps (faults are off
/// live), operations served only by a local family on the bench (the real API is not what the
/// case was written against there), or `live: false` with `why:` in steps.yaml.
pub fn skip_reason(dir: &Path, steps: &[Step], declared: Option<&(bool, String)>) -> Vec<String> {
    let mut why = Vec::new();
    if let Some((false, reason)) = declared {
        why.push(format!("steps.yaml says live: false: {reason}"));
    }
    let faults: Vec<String> = (steps.iter().enumerate())
        .filter(|(_, s)| matches!(s.action, Action::Fault(_)))
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    if !faults.is_empty() {
        why.push(format!(
            "fault injection is off in live mode (fault step {})",
            faults.join(", ")
        ));
    }
    // Every operation of every resource the configs declare, and the paths of the API steps.
    let mut hcl = String::new();
    for c in steps.iter().flat_map(Step::configs) {
        hcl.push_str(&std::fs::read_to_string(dir.join(c)).unwrap_or_default());
    }
    let mut ops: Vec<(String, String)> = Vec::new();
    for r in generated::PROVIDER.resources {
        if !hcl.contains(&format!("resource \"{}\"", r.name)) {
            continue;
        }
        let read = match &r.read {
            descriptor::ReadDesc::Get(op) => op,
            descriptor::ReadDesc::ListFind { op, .. } => op,
        };
        let all = [
            Some(&r.create),
            Some(read),
            r.update.as_ref(),
            r.delete.as_ref(),
        ];
        for op in all.into_iter().flatten() {
            ops.push((op.method.as_str().to_string(), op.path.to_string()));
        }
    }
    let template = regex::Regex::new(r"\$\{[^}]*\}").unwrap();
    for s in steps {
        let (method, path) = match &s.action {
            Action::Api(a) => (a.method.clone(), a.path.clone()),
            Action::ExpectApi(e) => ("GET".to_string(), e.path.clone()),
            Action::DeleteOutside(d) => ("DELETE".to_string(), d.path.clone()),
            _ => continue,
        };
        let path = path.split('?').next().unwrap_or_default();
        let path = template.replace_all(path, "x");
        ops.push((method, path.into_owned()));
    }
    let mut served: Vec<String> = ops
        .iter()
        .filter_map(|(m, p)| {
            let (route, _) = local::route_for(m, p)?;
            Some(format!("{m} {p} (family {})", route.family.name))
        })
        .collect();
    served.dedup();
    if !served.is_empty() {
        why.push(format!(
            "served only by a local family on the bench: {}",
            served.join(", ")
        ));
    }
    why
}

/// The trial of one case: in live mode a case that cannot run live is ignored and the reason
/// printed (run anyway with `--ignored`, it fails with the reason: never a pass).
pub fn case_trial(name: String, dir: PathBuf) -> Trial {
    if let Err(e) = target() {
        return Trial::test(name, move || Err(Failed::from(e.clone())));
    }
    let reasons = if is_live() {
        match load_case(&dir) {
            Ok(case) => skip_reason(&dir, &case.steps, declared_live(&dir).as_ref()),
            Err(_) => vec![], // the case fails on it when it runs
        }
    } else {
        vec![]
    };
    if reasons.is_empty() {
        return Trial::test(name, move || super::run_case(&dir).map_err(Failed::from));
    }
    let reason = reasons.join("; ");
    println!("live mode: acceptance/{name} ignored: {reason}");
    Trial::test(name.clone(), move || {
        Err(Failed::from(format!(
            "acceptance/{name} cannot run in live mode: {reason}"
        )))
    })
    .with_ignored_flag(true)
}

/// `live: false` and `why:` of a case's steps.yaml.
fn declared_live(dir: &Path) -> Option<(bool, String)> {
    let text = std::fs::read_to_string(dir.join("steps.yaml")).ok()?;
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).ok()?;
    let live = doc.get("live")?.as_bool()?;
    let why = doc
        .get("why")
        .and_then(|w| w.as_str())
        .unwrap_or("(no why: given)");
    Some((live, why.to_string()))
}

/// In live mode without the key or URL: one failing trial saying what is missing.
pub fn target_trial() -> Option<Trial> {
    let Err(e) = target() else { return None };
    let e = e.clone();
    Some(Trial::test("live_mode_environment", move || {
        Err(Failed::from(e))
    }))
}

// ---------------------------------------------------------------------------------------------
// The dry run: live mode against a bare emulator (no rows, no families, no faults).

/// Cases that pass in live mode against the bare emulator: they need no divergence row.
pub const DRY_RUN: &[&str] = &["api_errors", "missing_api_key"];
/// A case live mode must skip (it injects faults), to see the skip reported.
pub const DRY_RUN_SKIPPED: &str = "partial_create";

/// The operations named when `case` failed in `text` (libtest's output) on nothing but
/// spec-guard violations of operations the divergence table has a row for: answers of the
/// bare emulator that the bench's rows translate and real WorkOS gives per spec. `None` when
/// the case failed for any other reason (or did not fail).
fn only_known_divergences(text: &str, case: &str) -> Option<Vec<String>> {
    let start = text.find(&format!("---- {case} ----\n"))?;
    let section = text[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("---- "));
    let mut ops = Vec::new();
    for line in section.map(str::trim).filter(|l| !l.is_empty()) {
        if line == "failures:" {
            break;
        }
        if line.starts_with(&format!("acceptance/{case}: spec guard: ")) {
            continue;
        }
        let op = line.split_once(" (")?.1.split_once(')')?.0;
        let known = crate::common::proxy::TABLE
            .iter()
            .any(|r| r.operation_id == op);
        if !known || !line.contains("not per spec") {
            return None;
        }
        ops.push(op.to_string());
    }
    (!ops.is_empty()).then_some(ops)
}

/// Runs this test binary in live mode (a child process) on [`DRY_RUN`] and
/// [`DRY_RUN_SKIPPED`] against a bare emulator, behind a live proxy of our own that sees every
/// request; then checks what ran and was skipped, that every name the cases sent carries the
/// run prefix, and that the sweeper removes every prefixed object and nothing else.
pub fn dry_run() -> Result<(), String> {
    let emulator = Emulator::start();
    let key = emulator.api_key().to_string();
    let watch = Proxy::start_live(&emulator.url());
    let prefix = format!("tfacc-dry{}", &run_prefix()["tfacc-".len()..][..3]);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let live_env = |c: &mut Command| {
        c.env("TF_ACC", "1")
            .env("WORKOS_API_KEY", &key)
            .env("WORKOS_BASE_URL", watch.url())
            .env("TFACC_RUN", &prefix);
    };
    let mut list = Command::new(&exe);
    list.args(["--list"]);
    live_env(&mut list);
    let listed = list.output().map_err(|e| format!("--list: {e}"))?;
    let names: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test").map(str::to_string))
        .collect();
    let chosen: Vec<&str> = DRY_RUN.iter().copied().chain([DRY_RUN_SKIPPED]).collect();
    let mut run = Command::new(&exe);
    run.args(["--exact", "--test-threads=2"]);
    for n in names.iter().filter(|n| !chosen.contains(&n.as_str())) {
        run.args(["--skip", n]);
    }
    live_env(&mut run);
    let out = run.output().map_err(|e| format!("live run: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // libtest pads the names: `test api_errors      ... ok`.
    let outcome = |case: &str, want: &str| {
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["test", case, "...", want])
    };
    let mut problems = Vec::new();
    for case in DRY_RUN {
        if outcome(case, "ok") {
            continue;
        }
        match only_known_divergences(&text, case) {
            Some(ops) => println!(
                "live dry run: acceptance/{case} failed only on the bare emulator's known \
                 divergences from the spec (rows {}): its steps and destroy ran",
                ops.join(", ")
            ),
            None => problems.push(format!("{case} did not pass in live mode")),
        }
    }
    if !outcome(DRY_RUN_SKIPPED, "ignored")
        || !text.contains(&format!(
            "live mode: acceptance/{DRY_RUN_SKIPPED} ignored: fault injection is off"
        ))
    {
        problems.push(format!(
            "{DRY_RUN_SKIPPED} was not reported ignored with its reason"
        ));
    }
    if !problems.is_empty() {
        return Err(format!(
            "{}\n--- the live run:\n{text}",
            problems.join("\n")
        ));
    }

    // Every name a case sent carries the run prefix.
    let writes: Vec<_> = (watch.requests().into_iter())
        .filter(|r| matches!(r.method.as_str(), "POST" | "PUT" | "PATCH") && r.status < 300)
        .collect();
    let mut named = 0;
    for w in &writes {
        let body: Value = serde_json::from_str(&w.request_body).unwrap_or(Value::Null);
        for (field, value) in names_in(&body) {
            named += 1;
            if !sweep::carries(&json!({ "name": value }), &prefix) {
                problems.push(format!(
                    "{} {}: {field} {value:?} lacks the run prefix {prefix}",
                    w.method, w.path
                ));
            }
        }
    }
    if named == 0 {
        problems.push(format!(
            "the live run sent no name at all: {} writes",
            writes.len()
        ));
    }

    // A run interrupted before it cleaned up, and an object of someone else.
    let url = emulator.url();
    let raw = |m: &str, p: &str, b: Value| {
        super::common::proxy::blocking_request(&url, &key, m, p, Some(b))
    };
    let left = [
        (
            "/organizations",
            json!({"name": format!("{prefix}-9 Leftover")}),
        ),
        (
            "/user_management/users",
            json!({"email": format!("{prefix}-9-left@over.example")}),
        ),
        (
            "/authorization/permissions",
            json!({"slug": format!("{prefix}-9-left"), "name": "Left"}),
        ),
        (
            "/webhook_endpoints",
            json!({"endpoint_url": format!("http://127.0.0.1:9/{prefix}-9/hooks"), "events": ["user.created"]}),
        ),
    ];
    for (path, body) in left {
        let (s, b) = raw("POST", path, body);
        if s >= 300 {
            problems.push(format!("POST {path}: {s} {b}"));
        }
    }
    let (s, foreign) = raw("POST", "/organizations", json!({"name": "Someone else's"}));
    if s >= 300 {
        problems.push(format!("POST /organizations: {s} {foreign}"));
    }
    let before = sweep::leftovers(&emulator.url(), &key, &prefix)?;
    let report = sweep::sweep(&emulator.url(), &key, &prefix);
    let after = sweep::leftovers(&emulator.url(), &key, &prefix)?;
    eprintln!(
        "dry run: {} prefixed object(s) before the sweep, {} deleted:\n  {}",
        before.len(),
        report.deleted.len(),
        report.deleted.join("\n  ")
    );
    for t in [
        "workos_organization",
        "workos_user",
        "workos_permission",
        "workos_webhook_endpoint",
    ] {
        if !before.iter().any(|b| b.starts_with(&format!("{t} "))) {
            problems.push(format!("no prefixed {t} before the sweep: {before:?}"));
        }
    }
    problems.extend(report.failures);
    if !after.is_empty() {
        problems.push(format!("the sweeper left prefixed objects: {after:?}"));
    }
    let id = foreign["id"].as_str().unwrap_or_default();
    let (s, _) = super::common::proxy::blocking_request(
        &emulator.url(),
        &key,
        "GET",
        &format!("/organizations/{id}"),
        None,
    );
    if s != 200 {
        problems.push(format!(
            "the sweeper deleted an object without the prefix ({id}: {s})"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The name-like fields of a request body (top level, and `domains[].domain` or
/// `domains[]` strings).
fn names_in(body: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in [
        "name",
        "slug",
        "email",
        "domain",
        "external_id",
        "endpoint_url",
    ] {
        if let Some(s) = body.get(f).and_then(Value::as_str) {
            out.push((f.to_string(), s.to_string()));
        }
    }
    for d in body["domains"].as_array().into_iter().flatten() {
        if let Some(s) = d.as_str().or_else(|| d["domain"].as_str()) {
            out.push(("domains".to_string(), s.to_string()));
        }
    }
    for d in body["domain_data"].as_array().into_iter().flatten() {
        if let Some(s) = d["domain"].as_str() {
            out.push(("domain_data".to_string(), s.to_string()));
        }
    }
    out
}
