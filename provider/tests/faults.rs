//! The fault matrix: every fault the bench's injector has, on every CRUD verb of three resources
//! (organization: unique key `external_id`; permission: `slug`; organization role: `slug`, and a
//! multi-step create that sets its permissions). The provider is driven in-process through the
//! same calls Terraform makes (plan, apply, read), each answer's new state kept as Terraform keeps
//! it; after each cell the remote objects, listed through the API, are compared with that state:
//! an object that exists remotely and is not in state is "LOST", two for one key "DUP". Then a
//! clean apply converges the cell (as the next `terraform apply` would) and is checked again.
//! Each resource prints its matrix as a markdown table.
mod common;

use common::{Bench, FaultKind};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use terraform_provider_workos::core::{
    ApplyRequest, ClientCaps, PlanRequest, ProviderCore, ReadRequest,
};
use terraform_provider_workos::diag::{Diagnostics, Severity};
use terraform_provider_workos::value::Value;

/// The client's per-attempt timeout in these tests, and a delay past it.
const TIMEOUT: Duration = Duration::from_secs(2);
const PAST_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, Debug)]
enum Fault {
    Status(u16, Option<u64>),
    Kind(fn() -> FaultKind),
}

/// The rows of the matrix: (label, fault).
const FAULTS: &[(&str, Fault)] = &[
    ("429 + Retry-After", Fault::Status(429, Some(1))),
    ("429", Fault::Status(429, None)),
    ("500", Fault::Status(500, None)),
    ("502", Fault::Status(502, None)),
    ("503", Fault::Status(503, None)),
    ("504", Fault::Status(504, None)),
    (
        "reset before processing",
        Fault::Kind(|| FaultKind::ResetBefore),
    ),
    (
        "reset after processing",
        Fault::Kind(|| FaultKind::ResetAfter),
    ),
    (
        "500 after processing",
        Fault::Kind(|| FaultKind::StatusAfter(500)),
    ),
    (
        "delay past timeout",
        Fault::Kind(|| FaultKind::Delay(PAST_TIMEOUT)),
    ),
    ("malformed 200", Fault::Kind(|| FaultKind::Malformed)),
    ("404", Fault::Status(404, None)),
    ("409", Fault::Status(409, None)),
    ("422", Fault::Status(422, None)),
    ("404 lag after create", Fault::Kind(|| FaultKind::Lag404(2))),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Verb {
    Create,
    /// The second call of a multi-step create (the role's permissions).
    CreateStep2,
    Read,
    Update,
    Delete,
}

impl Verb {
    fn label(self) -> &'static str {
        match self {
            Verb::Create => "create",
            Verb::CreateStep2 => "create step 2",
            Verb::Read => "read",
            Verb::Update => "update",
            Verb::Delete => "delete",
        }
    }
}

/// A cell's configuration attributes.
type Attrs = Vec<(&'static str, Value)>;
/// The (method, path) a fault targets for a verb, given the object's state.
type TargetFn = Box<dyn Fn(Verb, &Value) -> (&'static str, String)>;

/// One resource under test.
struct Subject {
    type_name: &'static str,
    /// Configuration attributes of cell `n` (`updated`: the configuration of the update).
    config: Box<dyn Fn(usize, bool) -> Attrs>,
    /// (method, path) the fault targets for each verb, given the object's state.
    target: TargetFn,
    /// The collection listing every remote object of this type.
    list_path: String,
    /// The unique key attribute of a cell's object (compared remotely for duplicates).
    key: &'static str,
    verbs: &'static [Verb],
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// Terraform's side: the provider in-process and the state it keeps.
struct Tf {
    p: Arc<dyn ProviderCore>,
    rt: tokio::runtime::Runtime,
    type_name: &'static str,
    attrs: Vec<(&'static str, bool)>,
}

impl Tf {
    fn new(bench: &Bench, type_name: &'static str, api_key: &str) -> Tf {
        std::env::set_var(
            "WORKOS_REQUEST_TIMEOUT",
            format!("{}ms", TIMEOUT.as_millis()),
        );
        std::env::set_var("WORKOS_MAX_RETRIES", "2");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let p = terraform_provider_workos::engine::new_provider();
        let cfg = obj(
            &["api_key", "client_id", "base_url"],
            &[("api_key", s(api_key)), ("base_url", s(&bench.base_url()))],
        );
        let d = rt.block_on(p.configure(&cfg));
        assert!(!d.has_errors(), "{d:?}");
        let r = generated::PROVIDER
            .resources
            .iter()
            .find(|r| r.name == type_name)
            .unwrap();
        let attrs = r
            .attrs
            .iter()
            .map(|a| {
                let computed = matches!(
                    a.mode,
                    descriptor::Mode::Computed | descriptor::Mode::ComputedOptional
                );
                (a.name, computed)
            })
            .collect();
        Tf {
            p,
            rt,
            type_name,
            attrs,
        }
    }

    fn config(&self, pairs: &[(&'static str, Value)]) -> Value {
        let names: Vec<&str> = self.attrs.iter().map(|a| a.0).collect();
        obj(&names, pairs)
    }

    /// Terraform's proposed new state: the configuration, computed attributes it leaves unset
    /// taken from the prior state.
    fn proposed(&self, config: &Value, prior: &Value) -> Value {
        let mut m = BTreeMap::new();
        for (name, computed) in &self.attrs {
            let c = config.attr(name);
            let v = if !c.is_null() || !computed {
                c.clone()
            } else {
                prior.attr(name).clone()
            };
            m.insert(name.to_string(), v);
        }
        Value::Object(m)
    }

    /// plan + apply toward `config` (Null: destroy) from `prior`; returns the state Terraform
    /// keeps and the diagnostics.
    fn apply(&self, prior: &Value, config: Option<&Value>) -> (Value, Diagnostics) {
        let (planned, private, config) = match config {
            None => (Value::Null, vec![], Value::Null),
            Some(c) => {
                let plan = self.rt.block_on(self.p.plan_resource_change(PlanRequest {
                    type_name: self.type_name.into(),
                    prior_state: prior.clone(),
                    proposed_new_state: self.proposed(c, prior),
                    config: c.clone(),
                    prior_private: vec![],
                    caps: ClientCaps::default(),
                }));
                if plan.diagnostics.has_errors() {
                    return (prior.clone(), plan.diagnostics);
                }
                (plan.planned_state, plan.planned_private, c.clone())
            }
        };
        let resp = self.rt.block_on(self.p.apply_resource_change(ApplyRequest {
            type_name: self.type_name.into(),
            prior_state: prior.clone(),
            planned_state: planned,
            config,
            planned_private: private,
        }));
        (resp.new_state, resp.diagnostics)
    }

    /// ReadResource: the refreshed state (prior kept on error, as Terraform does).
    fn read(&self, state: &Value) -> (Value, Diagnostics) {
        let resp = self.rt.block_on(self.p.read_resource(ReadRequest {
            type_name: self.type_name.into(),
            current_state: state.clone(),
            private: vec![],
        }));
        if resp.diagnostics.has_errors() {
            return (state.clone(), resp.diagnostics);
        }
        (resp.new_state, resp.diagnostics)
    }

    /// The next clean `terraform apply`: refresh, then apply toward `config` (None: destroy).
    fn converge(&self, state: &Value, config: Option<&Value>) -> (Value, Diagnostics) {
        let mut state = state.clone();
        if !state.is_null() {
            let (fresh, d) = self.read(&state);
            if d.has_errors() {
                return (state, d);
            }
            state = fresh;
        }
        if config.is_none() && state.is_null() {
            return (state, Diagnostics::default());
        }
        self.apply(&state, config)
    }
}

fn obj(names: &[&str], pairs: &[(&str, Value)]) -> Value {
    let mut m: BTreeMap<String, Value> =
        names.iter().map(|n| (n.to_string(), Value::Null)).collect();
    for (k, v) in pairs {
        m.insert(k.to_string(), v.clone());
    }
    Value::Object(m)
}

fn inject(bench: &Bench, fault: Fault, method: &str, path: &str) {
    match fault {
        Fault::Status(status, retry_after) => {
            bench
                .proxy
                .inject_status(method, path, status, retry_after, 1)
        }
        Fault::Kind(k) => bench.proxy.inject_kind(method, path, k(), 1),
    }
}

/// The remote objects: (id, key value). Listed straight from the emulator: the ids and keys
/// need no translation, and the proxy's per-item fix-ups would spend the emulator's rate limit.
fn remote(bench: &Bench, sub: &Subject) -> Vec<(String, String)> {
    let (st, v) = bench.raw_api("GET", &format!("{}?limit=100", sub.list_path), None);
    assert_eq!(st, 200, "{v}");
    assert!(
        v["list_metadata"]["after"].is_null(),
        "more than one page: {v}"
    );
    let items = v["data"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|o| {
            let field = |f: &str| o[f].as_str().unwrap_or_default().to_string();
            (field("id"), field(sub.key))
        })
        .collect()
}

/// Compares the remote objects with the states kept: a remote object no state has is lost; two
/// remote objects with one cell's key are a duplicate; a state without an id is a defect.
fn check(bench: &Bench, sub: &Subject, states: &[Value], key: &str) -> Result<(), String> {
    let ids: Vec<&str> = states
        .iter()
        .filter_map(|s| s.attr("id").as_str())
        .collect();
    if let Some(bad) = states
        .iter()
        .find(|s| !s.is_null() && s.attr("id").as_str().is_none_or(str::is_empty))
    {
        return Err(format!("NO ID in state: {bad:?}"));
    }
    let remote = remote(bench, sub);
    if let Some((id, k)) = remote.iter().find(|(id, _)| !ids.contains(&id.as_str())) {
        return Err(format!("LOST {id} ({k})"));
    }
    let same_key = remote.iter().filter(|(_, k)| k == key).count();
    if same_key > 1 {
        return Err(format!("DUP: {same_key} objects with {key}"));
    }
    Ok(())
}

/// A cell's outcome: "ok", "ok (<warning>)" or "diag: <error summary>", checked to name the
/// operation's resource.
fn outcome(sub: &Subject, d: &Diagnostics) -> Result<String, String> {
    let errors: Vec<_> =
        d.0.iter()
            .filter(|x| x.severity == Severity::Error)
            .collect();
    let Some(e) = errors.first() else {
        let adopted = d.0.iter().any(|w| w.summary.starts_with("Adopted"));
        return Ok(if adopted { "ok (adopted)" } else { "ok" }.into());
    };
    if !e.summary.contains(sub.type_name) {
        return Err(format!(
            "diagnostic not naming the operation: {}",
            e.summary
        ));
    }
    let short = e.summary.replace(sub.type_name, "").replace("  ", " ");
    let short: String = short.chars().take(48).collect();
    Ok(format!("diag: {}", short.trim()))
}

/// One cell: set up, fault, step, check; converge, check. Ok(cell text) or Err(defect).
fn cell(
    bench: &Bench,
    tf: &Tf,
    sub: &Subject,
    states: &mut Vec<Value>,
    n: usize,
    fault: Fault,
    verb: Verb,
) -> Result<String, String> {
    let config = tf.config(&(sub.config)(n, false));
    let key = config
        .attr(sub.key)
        .as_str()
        .unwrap_or_default()
        .to_string();
    let lag = matches!(fault, Fault::Kind(k) if matches!(k(), FaultKind::Lag404(_)));
    let mut state = Value::Null;
    if !matches!(verb, Verb::Create | Verb::CreateStep2) {
        if lag {
            inject(
                bench,
                fault,
                "POST",
                &(sub.target)(Verb::Create, &Value::Null).1,
            );
        }
        let (st, d) = tf.apply(&Value::Null, Some(&config));
        if d.has_errors() {
            return Err(format!("setup failed: {d:?}"));
        }
        state = st;
    }
    let (method, path) = (sub.target)(if lag { Verb::Create } else { verb }, &state);
    inject(bench, fault, method, &path);
    let updated = tf.config(&(sub.config)(n, true));
    let (state, d) = match verb {
        Verb::Create | Verb::CreateStep2 => tf.apply(&Value::Null, Some(&config)),
        Verb::Read => tf.read(&state),
        Verb::Update => {
            let (fresh, d) = tf.read(&state);
            if d.has_errors() {
                (fresh, d)
            } else {
                tf.apply(&fresh, Some(&updated))
            }
        }
        Verb::Delete => tf.apply(&state, None),
    };
    // Faults stay until the cell ends: a read-after-write lag reaches the next apply's reads.
    let text = outcome(sub, &d)?;
    states.push(state.clone());
    let slot = states.len() - 1;
    check(bench, sub, states, &key)
        .map_err(|e| format!("after the faulted {}: {e}", verb.label()))?;
    let want = match verb {
        Verb::Delete => None,
        Verb::Update => Some(&updated),
        _ => Some(&config),
    };
    let (state, d) = tf.converge(&state, want);
    if d.has_errors() {
        return Err(format!("the next apply failed: {d:?}"));
    }
    states[slot] = state.clone();
    check(bench, sub, states, &key).map_err(|e| format!("after the next apply: {e}"))?;
    let here = remote(bench, sub).iter().filter(|(_, k)| *k == key).count();
    let expect = usize::from(want.is_some());
    if here != expect || state.is_null() == want.is_some() {
        return Err(format!(
            "after the next apply: {here} remote object(s), state {state:?}"
        ));
    }
    Ok(text)
}

/// Prints the table past the test harness's output capture (so `make test` logs show it) and
/// writes it to `<target tmp>/fault-matrix-<type>.md`.
fn publish(type_name: &str, table: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(table.as_bytes());
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fault-matrix-{type_name}.md"));
    let _ = std::fs::write(file, table);
}

/// Runs every cell for `sub`, prints the table, fails listing the defects.
fn matrix(bench: &Bench, sub: &Subject) {
    let mut states = vec![];
    let mut table = format!(
        "\nFault matrix for {}\n\n| fault | {} |\n|---|{}\n",
        sub.type_name,
        sub.verbs
            .iter()
            .map(|v| v.label())
            .collect::<Vec<_>>()
            .join(" | "),
        "---|".repeat(sub.verbs.len())
    );
    let mut defects = vec![];
    let mut n = 0;
    for (i, (label, fault)) in FAULTS.iter().enumerate() {
        let tf = Tf::new(bench, sub.type_name, &row_key(i));
        let mut row = vec![];
        for verb in sub.verbs {
            n += 1;
            match cell(bench, &tf, sub, &mut states, n, *fault, *verb) {
                Ok(t) => row.push(t),
                Err(e) => {
                    row.push(format!("**{}**", e.chars().take(40).collect::<String>()));
                    defects.push(format!("{label} on {}: {e}", verb.label()));
                }
            }
            bench.proxy.clear_faults();
        }
        table.push_str(&format!("| {label} | {} |\n", row.join(" | ")));
    }
    publish(sub.type_name, &table);
    assert!(
        defects.is_empty(),
        "{} defect(s):\n{}",
        defects.len(),
        defects.join("\n")
    );
    bench.assert_conformant();
}

/// The emulator limits requests per API key and minute: each row of the matrix uses its own key.
fn row_key(i: usize) -> String {
    format!("sk_test_row{i}")
}

/// An emulator knowing the default key (the listing's) and one key per row.
fn bench() -> Bench {
    let mut seed = "apiKeys:\n  sk_test_default:\n    environment: test\n".to_string();
    for i in 0..FAULTS.len() {
        seed.push_str(&format!("  {}:\n    environment: test\n", row_key(i)));
    }
    Bench::start_seeded(&seed)
}

const CRUD: &[Verb] = &[Verb::Create, Verb::Read, Verb::Update, Verb::Delete];

#[test]
fn fault_matrix_organization() {
    let bench = bench();
    let sub = Subject {
        type_name: "workos_organization",
        config: Box::new(|n, updated| {
            let name = if updated {
                format!("Org {n} renamed")
            } else {
                format!("Org {n}")
            };
            vec![("name", s(&name)), ("external_id", s(&format!("ext-{n}")))]
        }),
        target: Box::new(|verb, st| {
            let at = format!("/organizations/{}", st.attr("id").as_str().unwrap_or(""));
            match verb {
                Verb::Create | Verb::CreateStep2 => ("POST", "/organizations".into()),
                Verb::Read => ("GET", at),
                Verb::Update => ("PUT", at),
                Verb::Delete => ("DELETE", at),
            }
        }),
        list_path: "/organizations".into(),
        key: "external_id",
        verbs: CRUD,
    };
    matrix(&bench, &sub);
}

#[test]
fn fault_matrix_permission() {
    let bench = bench();
    let sub = Subject {
        type_name: "workos_permission",
        config: Box::new(|n, updated| {
            let name = if updated {
                format!("Perm {n} renamed")
            } else {
                format!("Perm {n}")
            };
            vec![("slug", s(&format!("perm-{n}"))), ("name", s(&name))]
        }),
        target: Box::new(|verb, st| {
            let at = format!(
                "/authorization/permissions/{}",
                st.attr("slug").as_str().unwrap_or("")
            );
            match verb {
                Verb::Create | Verb::CreateStep2 => ("POST", "/authorization/permissions".into()),
                Verb::Read => ("GET", at),
                Verb::Update => ("PATCH", at),
                Verb::Delete => ("DELETE", at),
            }
        }),
        list_path: "/authorization/permissions".into(),
        key: "slug",
        verbs: CRUD,
    };
    matrix(&bench, &sub);
}

#[test]
fn fault_matrix_organization_role() {
    let bench = bench();
    let (st, org) = bench.api(
        "POST",
        "/organizations",
        Some(json!({"name": "Role parent"})),
    );
    assert_eq!(st, 201, "{org}");
    let org_id = org["id"].as_str().unwrap().to_string();
    for slug in ["reports-read", "reports-write"] {
        let (st, v) = bench.api(
            "POST",
            "/authorization/permissions",
            Some(json!({"slug": slug, "name": slug})),
        );
        assert_eq!(st, 201, "{v}");
    }
    let roles = format!("/authorization/organizations/{org_id}/roles");
    let (org2, roles2) = (org_id.clone(), roles.clone());
    let sub = Subject {
        type_name: "workos_organization_role",
        config: Box::new(move |n, updated| {
            let name = if updated {
                format!("Role {n} renamed")
            } else {
                format!("Role {n}")
            };
            let perms = Value::Set(vec![s("reports-read"), s("reports-write")]);
            vec![
                ("organization_id", s(&org2)),
                ("slug", s(&format!("org-role-{n}"))),
                ("name", s(&name)),
                ("permissions", perms),
            ]
        }),
        target: Box::new(move |verb, st| {
            let slug = st.attr("slug").as_str().unwrap_or("").to_string();
            let at = format!("{roles2}/{slug}");
            match verb {
                Verb::Create => ("POST", roles2.clone()),
                // The slug is not known before the create: every set-permissions call.
                Verb::CreateStep2 => ("PUT", format!("{roles2}/*")),
                Verb::Read => ("GET", at),
                Verb::Update => ("PATCH", at),
                Verb::Delete => ("DELETE", at),
            }
        }),
        list_path: roles,
        key: "slug",
        verbs: &[
            Verb::Create,
            Verb::CreateStep2,
            Verb::Read,
            Verb::Update,
            Verb::Delete,
        ],
    };
    matrix(&bench, &sub);
}

// ---- The key cases through the real Terraform CLI ----

/// The organizations the emulator holds: (id, external_id).
fn orgs(bench: &Bench) -> Vec<(String, Option<String>)> {
    let (st, v) = bench.raw_api("GET", "/organizations?limit=100", None);
    assert_eq!(st, 200, "{v}");
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let id = o["id"].as_str().unwrap().to_string();
            (id, o["external_id"].as_str().map(str::to_string))
        })
        .collect()
}

const ORG_WITH_KEY: &str = r#"resource "workos_organization" "o" {
  name        = "Lost Answer Org"
  external_id = "lost-answer-1"
}
"#;

#[test]
fn terraform_lost_answer_create_ends_with_one_object_in_state() {
    let bench = Bench::start();
    let tf = bench.workdir();
    tf.write_main(ORG_WITH_KEY);
    // The emulator creates the organization, then the answer is a 500.
    bench
        .proxy
        .inject_kind("POST", "/organizations", FaultKind::StatusAfter(500), 1);
    let run = tf.apply();
    run.assert_contains("Adopted the workos_organization");
    let all = orgs(&bench);
    assert_eq!(all.len(), 1, "exactly one remote object: {all:?}");
    let st = tf.state_resource("workos_organization.o");
    assert_eq!(st["id"].as_str(), Some(all[0].0.as_str()), "{st}");
    assert_eq!(tf.plan_exitcode(), 0, "nothing left to do");
    // The same with the connection dropped after the server processed the create.
    let second = ORG_WITH_KEY
        .replace("\"o\"", "\"o2\"")
        .replace("lost-answer-1", "lost-answer-2");
    tf.write_main(&format!("{ORG_WITH_KEY}\n{second}"));
    bench
        .proxy
        .inject_kind("POST", "/organizations", FaultKind::ResetAfter, 1);
    tf.apply()
        .assert_contains("Adopted the workos_organization");
    let all = orgs(&bench);
    assert_eq!(all.len(), 2, "one more, not two: {all:?}");
    let st = tf.state_resource("workos_organization.o2");
    let found = all
        .iter()
        .find(|(_, e)| e.as_deref() == Some("lost-answer-2"));
    assert_eq!(st["id"].as_str(), found.map(|(id, _)| id.as_str()), "{st}");
    assert_eq!(tf.plan_exitcode(), 0);
}

#[test]
fn terraform_malformed_read_fails_the_plan_and_keeps_the_state() {
    let bench = Bench::start();
    let tf = bench.workdir();
    tf.write_main(ORG_WITH_KEY);
    tf.apply();
    let id = tf.state_resource("workos_organization.o")["id"]
        .as_str()
        .unwrap()
        .to_string();
    bench.proxy.inject_kind(
        "GET",
        &format!("/organizations/{id}"),
        FaultKind::Malformed,
        1,
    );
    let run = tf.plan_expect_error();
    run.assert_contains(
        "WorkOS answered OrganizationsController_find with status 200 and a body that is not JSON",
    );
    assert!(!run.contains("No changes"), "{}", run.describe());
    assert_eq!(tf.state_resource("workos_organization.o")["id"], json!(id));
    assert_eq!(
        tf.plan_exitcode(),
        0,
        "the next plan reads the object again"
    );
}

#[test]
fn terraform_malformed_data_source_answers_fail_the_plan() {
    let bench = Bench::start();
    let (st, org) = bench.raw_api(
        "POST",
        "/organizations",
        Some(json!({"name": "Looked-up Org", "external_id": "looked-up"})),
    );
    assert!(st < 300, "{org}");
    let id = org["id"].as_str().unwrap();
    let tf = bench.workdir();
    tf.write_main(&format!(
        r#"data "workos_organization" "by_id" {{
  id = "{id}"
}}
data "workos_organization" "by_key" {{
  external_id = "looked-up"
}}
output "names" {{
  value = [data.workos_organization.by_id.name, data.workos_organization.by_key.name]
}}
"#
    ));
    for (path, op) in [
        (
            format!("/organizations/{id}"),
            "OrganizationsController_find",
        ),
        (
            "/organizations/external_id/looked-up".to_string(),
            "OrganizationsController_getByExternalId",
        ),
    ] {
        bench
            .proxy
            .inject_kind("GET", &path, FaultKind::Malformed, 1);
        let run = tf.plan_expect_error();
        run.assert_contains(&format!(
            "WorkOS answered {op} with status 200 and a body that is not JSON"
        ));
    }
    // Unfaulted, both lookups find the organization.
    tf.apply();
    let out = tf.show_json();
    assert_eq!(
        out["values"]["outputs"]["names"]["value"],
        json!(["Looked-up Org", "Looked-up Org"]),
        "{out:#}"
    );
}

#[test]
fn terraform_malformed_create_without_key_leaves_no_object_without_id() {
    let bench = Bench::start();
    let tf = bench.workdir();
    // No external_id: the organization has no unique key to be found by.
    tf.write_main(
        r#"resource "workos_organization" "o" {
  name = "Garbled Org"
}
"#,
    );
    bench
        .proxy
        .inject_kind("POST", "/organizations", FaultKind::Malformed, 1);
    let run = tf.apply_expect_error();
    run.assert_contains("Create workos_organization may have succeeded");
    run.assert_contains("terraform import");
    let state = tf.show_json();
    let resources = &state["values"]["root_module"]["resources"];
    assert!(
        resources.as_array().is_none_or(|r| r.is_empty()),
        "no object reaches state: {state:#}"
    );
    // The diagnostic's way out works: import the object the create made.
    let all = orgs(&bench);
    assert_eq!(all.len(), 1, "{all:?}");
    tf.import("workos_organization.o", &all[0].0);
    assert_eq!(tf.plan_exitcode(), 0);
    assert_eq!(orgs(&bench).len(), 1);
}

/// Adoption through a list lookup (users by email, webhook endpoints by URL): a create whose
/// connection dropped after the server processed it ends with exactly one object, in state.
#[test]
fn lost_creates_are_found_through_list_lookups() {
    let bench = bench();
    let cases: [(&str, &str, &str, Attrs); 2] = [
        (
            "workos_user",
            "/user_management/users",
            "email",
            vec![("email", s("ada@example.com")), ("first_name", s("Ada"))],
        ),
        (
            "workos_webhook_endpoint",
            "/webhook_endpoints",
            "endpoint_url",
            vec![
                ("endpoint_url", s("https://example.com/hook")),
                ("events", Value::Set(vec![s("user.created")])),
            ],
        ),
    ];
    for (i, (type_name, path, key, attrs)) in cases.into_iter().enumerate() {
        // A decoy with another key: the lookup must compare, not take the first item.
        let tf = Tf::new(&bench, type_name, &row_key(i));
        let mut decoy = attrs.clone();
        if type_name == "workos_user" {
            decoy[0].1 = s("decoy@example.com");
        } else {
            decoy[0].1 = s("https://example.com/decoy");
        }
        let (decoy_state, d) = tf.apply(&Value::Null, Some(&tf.config(&decoy)));
        assert!(!d.has_errors(), "{d:?}");
        bench
            .proxy
            .inject_kind("POST", path, FaultKind::ResetAfter, 1);
        let (state, d) = tf.apply(&Value::Null, Some(&tf.config(&attrs)));
        assert!(!d.has_errors(), "{type_name}: {d:?}");
        assert!(
            d.0.iter().any(|w| w.summary.starts_with("Adopted")),
            "{type_name}: {d:?}"
        );
        let (st, v) = bench.raw_api("GET", &format!("{path}?limit=100"), None);
        assert_eq!(st, 200, "{v}");
        let items = v["data"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{type_name}: the decoy and one more: {v}");
        let want = attrs[0].1.as_str().unwrap();
        let created = items.iter().find(|o| o[key] == json!(want)).unwrap();
        assert_eq!(state.attr("id").as_str(), created["id"].as_str());
        assert_ne!(state.attr("id"), decoy_state.attr("id"));
    }
}
