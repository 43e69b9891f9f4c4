//! State written by a released provider keeps working with the current one.
//!
//! `make release` records, under `provider/tests/state-history/<version>/<case>/`, the
//! configuration (`main.tf`) and the state (`terraform.tfstate`) of an apply made with that
//! release's binary, for the quickstart and for one configuration per resource (see [`CASES`]).
//!
//! The check, for every recorded case of every release:
//! 1. apply the recorded `main.tf` with the *current* binary against a fresh emulator, so that
//!    remote objects matching the configuration exist (the recorded ids are long gone);
//! 2. take the *recorded* state and point it at those objects: every id-like string (attribute
//!    `id`, `*_id`, or an emulator id such as `org_01J…`) that differs at the same path of the
//!    same resource instance is replaced by the fresh one, everywhere in the file (so references
//!    between resources and outputs follow);
//!    Terraform's own bookkeeping (`terraform_version`, each instance's `sensitive_attributes`)
//!    is taken from the CLI running the test: it is Terraform's compatibility, not the provider's;
//! 3. replace the fresh state with the rewritten recorded one and run
//!    `terraform plan -detailed-exitcode`: the current binary must decode the recorded state
//!    (UpgradeResourceState from the recorded `schema_version` and JSON), refresh it, and plan
//!    **no changes** (exit 0).
//!
//! A failure means users upgrading from that release would see a diff or an error. Either
//! restore compatibility, or bump the resource's schema version and add a tested state upgrader;
//! never re-record an old release's history to make this pass.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Bench, Workdir};
use serde_json::Value;

/// An organization for `workos_organization_domain`: its `domains` must stay unset, since a set
/// `domains` is authoritative and would remove the separately managed domain.
const ORG_WITHOUT_DOMAINS: &str = r#"resource "workos_organization" "example" {
  name = "Domain Corp"
}
"#;

/// `(case, parts)`: each case's `main.tf` is the concatenation of its parts, each a file under
/// `examples/` (a resource's example plus the examples of the resources it references) or, when
/// not ending in `.tf`, inline HCL.
const CASES: &[(&str, &[&str])] = &[
    ("quickstart", &["quickstart/main.tf"]),
    (
        "workos_organization",
        &["resources/workos_organization/resource.tf"],
    ),
    (
        "workos_organization_domain",
        &[
            ORG_WITHOUT_DOMAINS,
            "resources/workos_organization_domain/resource.tf",
        ],
    ),
    ("workos_user", &["resources/workos_user/resource.tf"]),
    (
        "workos_organization_membership",
        &[
            "resources/workos_organization/resource.tf",
            "resources/workos_user/resource.tf",
            "resources/workos_organization_membership/resource.tf",
        ],
    ),
    (
        "workos_permission",
        &["resources/workos_permission/resource.tf"],
    ),
    (
        "workos_organization_role",
        &[
            "resources/workos_organization/resource.tf",
            "resources/workos_permission/resource.tf",
            "resources/workos_organization_role/resource.tf",
        ],
    ),
    (
        "workos_webhook_endpoint",
        &["resources/workos_webhook_endpoint/resource.tf"],
    ),
];

const STATE_FILE: &str = "terraform.tfstate";

fn history_dir() -> PathBuf {
    common::repo_root().join("provider/tests/state-history")
}

/// The main.tf of a case, built from the examples.
fn case_config(files: &[&str]) -> String {
    let mut hcl = String::new();
    for part in files {
        if part.ends_with(".tf") {
            let p = common::repo_root().join("examples").join(part);
            hcl.push_str(
                &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
            );
        } else {
            hcl.push_str(part);
        }
        hcl.push('\n');
    }
    if !hcl.contains("required_providers") {
        hcl = format!(
            "terraform {{\n  required_providers {{\n    workos = {{ source = \"workos-rs/workos\" }}\n  }}\n}}\n\n{hcl}"
        );
    }
    hcl
}

/// Recorded release versions (directories under state-history/), oldest first.
fn recorded_versions() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(history_dir())
        .expect("provider/tests/state-history exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect();
    v.sort_by_key(|s| {
        s.split(['.', '-'])
            .map(|p| p.parse::<u64>().unwrap_or(0))
            .collect::<Vec<_>>()
    });
    v
}

fn is_id_like(key: &str, value: &str) -> bool {
    let emulator_id = regex::Regex::new(r"^[a-z][a-z_]*_[0-9A-Z]{26}$").unwrap();
    key == "id" || key.ends_with("_id") || emulator_id.is_match(value)
}

/// Collects recorded → fresh replacements for id-like strings found at the same path.
fn map_ids(key: &str, recorded: &Value, fresh: &Value, out: &mut BTreeMap<String, String>) {
    match (recorded, fresh) {
        (Value::String(r), Value::String(f)) if r != f && r.len() >= 8 && is_id_like(key, r) => {
            out.insert(r.clone(), f.clone());
        }
        (Value::Object(r), Value::Object(f)) => {
            for (k, rv) in r {
                if let Some(fv) = f.get(k) {
                    map_ids(k, rv, fv, out);
                }
            }
        }
        (Value::Array(r), Value::Array(f)) => {
            for (rv, fv) in r.iter().zip(f) {
                map_ids(key, rv, fv, out);
            }
        }
        _ => {}
    }
}

fn resource_key(r: &Value) -> String {
    format!(
        "{}.{}.{}",
        r["mode"].as_str().unwrap_or_default(),
        r["type"].as_str().unwrap_or_default(),
        r["name"].as_str().unwrap_or_default()
    )
}

fn instance_key(resource: &str, i: &Value) -> String {
    let index = i
        .get("index_key")
        .map(|k| k.to_string())
        .unwrap_or_default();
    format!("{resource}[{index}]")
}

/// `mode.type.name[index_key]` → `field` of that instance, for every instance in a state file.
fn instance_field(state: &Value, field: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for r in state["resources"].as_array().into_iter().flatten() {
        let prefix = resource_key(r);
        for i in r["instances"].as_array().into_iter().flatten() {
            if let Some(v) = i.get(field) {
                out.insert(instance_key(&prefix, i), v.clone());
            }
        }
    }
    out
}

fn instances(state: &Value) -> BTreeMap<String, Value> {
    instance_field(state, "attributes")
}

fn sensitive_marks(state: &Value) -> BTreeMap<String, Value> {
    instance_field(state, "sensitive_attributes")
}

/// The recorded state pointed at the fresh objects (see the module docs), for Terraform
/// `tf_version`. Panics when an instance cannot be matched.
fn rewrite_recorded_state(recorded: &str, fresh: &str, tf_version: &str, case: &str) -> String {
    let rec: Value = serde_json::from_str(recorded).expect("recorded state is JSON");
    let new: Value = serde_json::from_str(fresh).expect("fresh state is JSON");
    let (rec_i, new_i) = (instances(&rec), instances(&new));
    assert!(!rec_i.is_empty(), "{case}: recorded state has no resources");
    let mut ids = BTreeMap::new();
    for (addr, attrs) in &rec_i {
        let fresh = new_i.get(addr).unwrap_or_else(|| {
            panic!(
                "{case}: {addr} is in the recorded state but the recorded config did not create it"
            )
        });
        map_ids("", attrs, fresh, &mut ids);
    }
    for (addr, attrs) in &rec_i {
        let (old, new) = (attrs["id"].as_str(), new_i[addr]["id"].as_str());
        assert!(
            old.is_some() && (old == new || ids.get(old.unwrap()).map(String::as_str) == new),
            "{case}: the id of {addr} could not be mapped to the fresh object"
        );
    }
    let mut text = recorded.to_string();
    for (old, new) in &ids {
        text = text.replace(old.as_str(), new.as_str());
    }
    // Terraform's own bookkeeping is Terraform's compatibility, not the provider's: the file is
    // labelled with the CLI running here, and each instance's `sensitive_attributes` (marks
    // Terraform derives from the schema and the CLI's features, e.g. write-only support) are the
    // ones this CLI wrote for the fresh objects. The provider's data (attributes, private,
    // schema_version) stays as recorded.
    let mut state: Value = serde_json::from_str(&text).unwrap();
    state["terraform_version"] = Value::String(tf_version.to_string());
    let fresh_marks = sensitive_marks(&new);
    for r in state["resources"].as_array_mut().into_iter().flatten() {
        let prefix = resource_key(r);
        for i in r["instances"].as_array_mut().into_iter().flatten() {
            let key = instance_key(&prefix, i);
            let obj = i.as_object_mut().expect("instance is an object");
            match fresh_marks.get(&key) {
                Some(marks) => obj.insert("sensitive_attributes".into(), marks.clone()),
                None => obj.remove("sensitive_attributes"),
            };
        }
    }
    serde_json::to_string_pretty(&state).unwrap()
}

fn check_case(version: &str, case: &str, dir: &Path) {
    let config = std::fs::read_to_string(dir.join("main.tf"))
        .unwrap_or_else(|e| panic!("{version}/{case}/main.tf: {e}"));
    let recorded = std::fs::read_to_string(dir.join(STATE_FILE))
        .unwrap_or_else(|e| panic!("{version}/{case}/{STATE_FILE}: {e}"));
    let (r, _bench) = plan_recorded(case, &config, &recorded);
    assert_eq!(
        r.status,
        0,
        "state recorded by release {version} ({case}) does not plan clean with the current \
         provider: restore compatibility or bump the schema version with a tested upgrader.\n{}",
        r.describe()
    );
}

/// Steps 1-3 of the module docs; returns the plan's run (and the bench, kept alive).
fn plan_recorded(case: &str, config: &str, recorded: &str) -> (common::Run, Bench) {
    let bench = Bench::start();
    let tf = bench.workdir();
    tf.write_file("main.tf", config);
    tf.apply();
    let fresh = std::fs::read_to_string(tf.path().join(STATE_FILE)).expect("fresh state");
    let (major, minor, patch) = tf.version();
    let rewritten =
        rewrite_recorded_state(recorded, &fresh, &format!("{major}.{minor}.{patch}"), case);
    tf.write_file(STATE_FILE, &rewritten);
    let r = tf.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    // The plan ran against the recorded state, not the fresh one: its ids are the fresh
    // objects' but its lineage is the recorded one.
    let rec: Value = serde_json::from_str(recorded).unwrap();
    let now: Value =
        serde_json::from_str(&std::fs::read_to_string(tf.path().join(STATE_FILE)).unwrap())
            .unwrap();
    assert_eq!(now["lineage"], rec["lineage"], "{case}: state was replaced");
    (r, bench)
}

/// The check is not vacuous: a recorded state the current provider cannot take as it is
/// (here, a schema version from the future, as a provider downgrade would leave) fails it.
#[test]
fn an_incompatible_recorded_state_fails_the_check() {
    let config = case_config(&["resources/workos_permission/resource.tf"]);
    let version = recorded_versions().pop().expect("a recorded release");
    let dir = history_dir().join(version).join("workos_permission");
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(STATE_FILE)).unwrap()).unwrap();
    let mut future = state;
    future["resources"][0]["instances"][0]["schema_version"] = Value::from(99);
    let (r, _bench) = plan_recorded("future", &config, &future.to_string());
    assert_eq!(r.status, 1, "expected the plan to fail: {}", r.describe());
    r.assert_contains("Resource instance managed by newer provider version");
}

#[test]
fn recorded_states_plan_clean_with_the_current_provider() {
    let versions = recorded_versions();
    assert!(
        !versions.is_empty(),
        "no release recorded under {} (make release records one)",
        history_dir().display()
    );
    let mut checked = 0;
    for version in &versions {
        for (case, _) in CASES {
            let dir = history_dir().join(version).join(case);
            if !dir.is_dir() {
                // A case added after this release has no history for it.
                continue;
            }
            check_case(version, case, &dir);
            checked += 1;
        }
    }
    let first = history_dir().join(&versions[0]);
    for (case, _) in CASES {
        if *case == "quickstart" || versions.len() == 1 {
            assert!(
                first.join(case).is_dir(),
                "release {} has no recorded {case}",
                versions[0]
            );
        }
    }
    assert!(checked >= CASES.len(), "checked only {checked} cases");
}

#[test]
fn id_rewriting_follows_references_and_outputs() {
    let recorded = r#"{"version":4,"terraform_version":"9.9.9","lineage":"l","outputs":{"o":{"value":"org_01AAAAAAAAAAAAAAAAAAAAAAAA","type":"string"}},
      "resources":[
        {"mode":"managed","type":"workos_organization","name":"a","instances":[{"schema_version":0,"attributes":{"id":"org_01AAAAAAAAAAAAAAAAAAAAAAAA","name":"n","created_at":"t1"}}]},
        {"mode":"managed","type":"workos_organization_domain","name":"d","instances":[{"schema_version":0,"attributes":{"id":"org_domain_01BBBBBBBBBBBBBBBBBBBBBBBB","organization_id":"org_01AAAAAAAAAAAAAAAAAAAAAAAA"}}]}]}"#;
    let fresh = r#"{"version":4,"lineage":"x","resources":[
        {"mode":"managed","type":"workos_organization","name":"a","instances":[{"attributes":{"id":"org_01CCCCCCCCCCCCCCCCCCCCCCCC","name":"n","created_at":"t2"}}]},
        {"mode":"managed","type":"workos_organization_domain","name":"d","instances":[{"attributes":{"id":"org_domain_01DDDDDDDDDDDDDDDDDDDDDDDD","organization_id":"org_01CCCCCCCCCCCCCCCCCCCCCCCC"}}]}]}"#;
    let out: Value =
        serde_json::from_str(&rewrite_recorded_state(recorded, fresh, "1.0.3", "t")).unwrap();
    assert_eq!(out["terraform_version"], "1.0.3");
    assert_eq!(out["lineage"], "l");
    assert_eq!(
        out["outputs"]["o"]["value"],
        "org_01CCCCCCCCCCCCCCCCCCCCCCCC"
    );
    let d = &out["resources"][1]["instances"][0]["attributes"];
    assert_eq!(d["id"], "org_domain_01DDDDDDDDDDDDDDDDDDDDDDDD");
    assert_eq!(d["organization_id"], "org_01CCCCCCCCCCCCCCCCCCCCCCCC");
    // Non-id attributes keep their recorded values (refresh, not the rewrite, updates them).
    assert_eq!(
        out["resources"][0]["instances"][0]["attributes"]["created_at"],
        "t1"
    );
}

/// Records the history of one release: run by `make release` (ignored otherwise) with
/// `STATE_HISTORY_BINARY` = the release binary and `STATE_HISTORY_VERSION` = its version.
/// An existing `<version>/` is left untouched: history is never rewritten.
#[test]
#[ignore = "run by `make release`"]
fn record_release_state_history() {
    let binary = PathBuf::from(
        std::env::var("STATE_HISTORY_BINARY").expect("STATE_HISTORY_BINARY = release binary"),
    );
    assert!(binary.is_file(), "{} is not a file", binary.display());
    let version =
        std::env::var("STATE_HISTORY_VERSION").unwrap_or_else(|_| env!("CARGO_PKG_VERSION").into());
    let out = history_dir().join(&version);
    if out.exists() {
        println!(
            "state history for {version} already recorded in {}; left as is",
            out.display()
        );
        return;
    }
    let staging = history_dir().join(format!(".{version}.partial"));
    let _ = std::fs::remove_dir_all(&staging);
    for (case, files) in CASES {
        let bench = Bench::start();
        let tf = Workdir::with_endpoint_and_provider(&bench.base_url(), &bench.api_key(), &binary);
        let config = case_config(files);
        tf.write_file("main.tf", &config);
        tf.apply();
        tf.assert_no_changes();
        let dir = staging.join(case);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("main.tf"), &config).unwrap();
        std::fs::copy(tf.path().join(STATE_FILE), dir.join(STATE_FILE)).unwrap();
        println!("recorded {version}/{case}");
    }
    std::fs::rename(&staging, &out).unwrap();
    println!("state history recorded in {}", out.display());
}
