//! Acceptance tests: the real `terraform` CLI drives the provider binary against the official
//! WorkOS emulator (behind the divergence proxy). Each test has its own emulator.
//!
//! Per resource: create; update of each updatable attribute; clearing each clearable one
//! (checked through the API); import; deletion outside Terraform (plan shows a create);
//! `plan -detailed-exitcode` = 0 after apply and after refresh; bad input rejected at plan
//! time naming the attribute.

mod common;

use common::{Bench, Workdir};
use serde_json::{json, Value};

/// The state values of one resource (from `terraform show -json`).
fn state_of(tf: &Workdir, addr: &str) -> Value {
    tf.state_resource(addr)
}

fn id_of(tf: &Workdir, addr: &str) -> String {
    state_of(tf, addr)["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{addr} has no id"))
        .to_string()
}

/// Apply, then require an empty plan, an empty plan after refresh too.
fn apply_clean(tf: &Workdir, hcl: &str) {
    tf.write_main(hcl);
    tf.apply();
    tf.assert_no_changes();
    tf.refresh();
    tf.assert_no_changes();
}

/// `terraform state rm` + `terraform import`, then the plan must be empty.
fn reimport(tf: &Workdir, addr: &str, import_id: &str) {
    tf.state_rm(addr);
    tf.import(addr, import_id);
    tf.assert_no_changes();
}

/// Delete through the API; the next plan must re-create the object.
fn deleted_outside(bench: &Bench, tf: &Workdir, api_path: &str, addr: &str) {
    let (status, body) = bench.api("DELETE", api_path, None);
    assert!(status < 300, "DELETE {api_path}: {status} {body}");
    let plan = tf.plan();
    assert_eq!(
        tf.plan_exitcode(),
        2,
        "plan after outside deletion shows no change:\n{}",
        plan.describe()
    );
    plan.assert_contains(&format!("{addr} will be created"));
}

/// A plan of `hcl` must fail, naming `attr` and containing `needle`.
fn rejected_at_plan(tf: &Workdir, hcl: &str, attr: &str, needle: &str) {
    tf.write_main(hcl);
    let run = tf.plan_expect_error();
    let text = run.output();
    assert!(
        text.contains(attr) && text.contains(needle),
        "error does not name {attr:?} / {needle:?}:\n{text}"
    );
}

fn get(bench: &Bench, path: &str) -> Value {
    let (status, body) = bench.api("GET", path, None);
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

#[test]
fn organization_lifecycle() {
    let bench = Bench::start();
    let tf = Workdir::new(&bench);
    apply_clean(
        &tf,
        r#"resource "workos_organization" "o" {
  name        = "Org One"
  external_id = "ext-1"
  metadata    = { tier = "gold", region = "eu" }
  domains     = [{ domain = "one.example", state = "pending" }]
}"#,
    );
    let id = id_of(&tf, "workos_organization.o");
    let org = get(&bench, &format!("/organizations/{id}"));
    assert_eq!(org["name"], "Org One");
    assert_eq!(org["external_id"], "ext-1");
    assert_eq!(org["metadata"], json!({"tier": "gold", "region": "eu"}));
    assert_eq!(org["domains"][0]["domain"], "one.example");
    assert_eq!(org["domains"][0]["state"], "pending");

    // Changing one attribute: only values that change on write are unknown in the plan.
    tf.write_main(
        r#"resource "workos_organization" "o" {
  name        = "Org One (planned)"
  external_id = "ext-1"
  metadata    = { tier = "gold", region = "eu" }
  domains     = [{ domain = "one.example", state = "pending" }]
}"#,
    );
    tf.run(&["plan", "-input=false", "-no-color", "-out=update.plan"])
        .assert_success();
    let shown = tf.run(&["show", "-json", "update.plan"]);
    let plan: Value =
        serde_json::from_str(&shown.stdout).unwrap_or_else(|e| panic!("{e}: {}", shown.describe()));
    let unknown = &plan["resource_changes"][0]["change"]["after_unknown"];
    assert_eq!(unknown["updated_at"], true, "{unknown}");
    for kept in [
        "id",
        "created_at",
        "allow_profiles_outside_organization",
        "domains",
    ] {
        assert!(
            !unknown
                .get(kept)
                .is_some_and(|v| v.to_string().contains("true")),
            "{kept} is needlessly unknown: {unknown}"
        );
    }

    // Update every updatable attribute.
    apply_clean(
        &tf,
        r#"resource "workos_organization" "o" {
  name        = "Org One Renamed"
  external_id = "ext-2"
  metadata    = { tier = "platinum" }
  domains     = [{ domain = "one.example", state = "verified" }, { domain = "two.example", state = "pending" }]
  allow_profiles_outside_organization = true
}"#,
    );
    assert_eq!(
        id_of(&tf, "workos_organization.o"),
        id,
        "update must not replace"
    );
    let org = get(&bench, &format!("/organizations/{id}"));
    assert_eq!(org["name"], "Org One Renamed");
    assert_eq!(org["external_id"], "ext-2");
    assert_eq!(
        org["metadata"],
        json!({"tier": "platinum"}),
        "a removed metadata key is removed remotely"
    );
    assert_eq!(org["allow_profiles_outside_organization"], true);
    let mut domains: Vec<(String, String)> = org["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["domain"].as_str().unwrap().to_string(),
                d["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    domains.sort();
    assert_eq!(
        domains,
        vec![
            ("one.example".into(), "verified".into()),
            ("two.example".into(), "pending".into())
        ]
    );

    // Clear: external_id and metadata removed from config, domains emptied.
    apply_clean(
        &tf,
        r#"resource "workos_organization" "o" {
  name    = "Org One Renamed"
  domains = []
}"#,
    );
    let org = get(&bench, &format!("/organizations/{id}"));
    assert!(
        org["external_id"].is_null(),
        "external_id not cleared: {org}"
    );
    assert!(
        org["metadata"].as_object().is_none_or(|m| m.is_empty()),
        "metadata not cleared: {org}"
    );
    assert_eq!(org["domains"], json!([]));

    reimport(&tf, "workos_organization.o", &id);
    deleted_outside(
        &bench,
        &tf,
        &format!("/organizations/{id}"),
        "workos_organization.o",
    );

    rejected_at_plan(
        &tf,
        r#"resource "workos_organization" "o" {
  name        = "x"
  external_id = "caf\u00e9"
}"#,
        "external_id",
        "pattern",
    );
    rejected_at_plan(
        &tf,
        r#"resource "workos_organization" "o" {
  name    = "x"
  domains = [{ domain = "a.example", state = "approved" }]
}"#,
        "state",
        "must be one of",
    );
    rejected_at_plan(
        &tf,
        &format!(
            r#"resource "workos_organization" "o" {{
  name     = "x"
  metadata = {{ "{}" = "v" }}
}}"#,
            "k".repeat(41)
        ),
        "metadata",
        "at most 40 characters",
    );
}

#[test]
fn user_lifecycle() {
    let bench = Bench::start();
    let tf = Workdir::new(&bench);
    let write_only = tf.version() >= (1, 11, 0);
    let password = |p: &str| {
        if write_only {
            format!("  password = \"{p}\"\n")
        } else {
            String::new()
        }
    };
    apply_clean(
        &tf,
        &format!(
            r#"resource "workos_user" "u" {{
  email       = "ada@users.example"
  first_name  = "Ada"
  last_name   = "Lovelace"
  external_id = "u-1"
  metadata    = {{ team = "math", desk = "3" }}
{}}}"#,
            password("correct horse 1")
        ),
    );
    let id = id_of(&tf, "workos_user.u");
    let user = get(&bench, &format!("/user_management/users/{id}"));
    assert_eq!(user["first_name"], "Ada");
    assert_eq!(user["last_name"], "Lovelace");
    assert_eq!(user["external_id"], "u-1");
    assert_eq!(user["metadata"], json!({"team": "math", "desk": "3"}));

    // Update; email_verified is not configured, so a remote change is kept, never reverted.
    let (status, _) = bench.api(
        "PUT",
        &format!("/user_management/users/{id}"),
        Some(json!({"email_verified": true})),
    );
    assert_eq!(status, 200);
    apply_clean(
        &tf,
        &format!(
            r#"resource "workos_user" "u" {{
  email       = "ada@users.example"
  first_name  = "Augusta"
  last_name   = "King"
  external_id = "u-2"
  metadata    = {{ team = "math" }}
{}}}"#,
            password("correct horse 1")
        ),
    );
    let user = get(&bench, &format!("/user_management/users/{id}"));
    assert_eq!(user["first_name"], "Augusta");
    assert_eq!(user["last_name"], "King");
    assert_eq!(user["external_id"], "u-2");
    assert_eq!(
        user["email_verified"], true,
        "a server-side change must not be reverted"
    );
    assert_eq!(user["metadata"], json!({"team": "math"}));

    // Clear last_name, external_id and metadata by removing them.
    apply_clean(
        &tf,
        &format!(
            r#"resource "workos_user" "u" {{
  email          = "ada@users.example"
  first_name     = "Augusta"
  email_verified = false
{}}}"#,
            password("correct horse 1")
        ),
    );
    let user = get(&bench, &format!("/user_management/users/{id}"));
    assert!(
        user["last_name"].is_null() || user["last_name"] == "",
        "last_name not cleared: {user}"
    );
    assert!(
        user["external_id"].is_null(),
        "external_id not cleared: {user}"
    );
    assert!(
        user["metadata"].as_object().is_none_or(|m| m.is_empty()),
        "metadata not cleared: {user}"
    );
    assert_eq!(user["email_verified"], false);

    if write_only {
        // Rotating the password is planned and actually sent; it never reaches the state.
        tf.write_main(&format!(
            r#"resource "workos_user" "u" {{
  email          = "ada@users.example"
  first_name     = "Augusta"
  email_verified = false
{}}}"#,
            password("correct horse 2")
        ));
        assert_eq!(
            tf.plan_exitcode(),
            2,
            "a changed password must plan an update"
        );
        let before = bench.proxy.requests().len();
        tf.apply();
        let sent = bench.proxy.requests()[before..].iter().any(|r| {
            r.method == "PUT"
                && r.path.starts_with(&format!("/user_management/users/{id}"))
                && serde_json::from_str::<Value>(&r.request_body)
                    .is_ok_and(|b| b.get("password").is_some())
        });
        assert!(sent, "the new password was not sent");
        tf.assert_no_changes();
        let state = std::fs::read_to_string(tf.path().join("terraform.tfstate")).unwrap();
        assert!(
            !state.contains("correct horse"),
            "a write-only value reached the state file"
        );
    }

    if !write_only {
        // Older Terraform cannot keep a value out of state: the provider refuses it at plan
        // time instead of storing the password.
        eprintln!(
            "Terraform {:?} < 1.11: password rotation is checked only as a clear refusal",
            tf.version()
        );
        rejected_at_plan(
            &tf,
            r#"resource "workos_user" "u" {
  email    = "ada@users.example"
  password = "never stored"
}"#,
            "password",
            "Terraform 1.11",
        );
    }

    // A write-only value cannot be imported: with the password still configured, the first
    // plan after an import sets it (an in-place update, never a replacement); without it the
    // plan is empty.
    if write_only {
        tf.state_rm("workos_user.u");
        tf.import("workos_user.u", &id);
        let plan = tf.plan();
        plan.assert_contains("workos_user.u will be updated in-place");
        assert!(!plan.contains("must be replaced"), "{}", plan.describe());
    }
    tf.write_main(
        r#"resource "workos_user" "u" {
  email          = "ada@users.example"
  first_name     = "Augusta"
  email_verified = false
}"#,
    );
    reimport(&tf, "workos_user.u", &id);
    deleted_outside(
        &bench,
        &tf,
        &format!("/user_management/users/{id}"),
        "workos_user.u",
    );
    rejected_at_plan(
        &tf,
        r#"resource "workos_user" "u" {
  email = "not-an-email"
}"#,
        "email",
        "email address",
    );
}

#[test]
fn permission_and_organization_role_lifecycle() {
    let bench = Bench::start();
    let tf = Workdir::new(&bench);
    let base = r#"resource "workos_organization" "o" {
  name = "Role Org"
}
resource "workos_permission" "read" {
  slug = "reports-read"
  name = "Read reports"
}
resource "workos_permission" "write" {
  slug        = "reports-write"
  name        = "Write reports"
  description = "Change reports"
}
"#;
    apply_clean(
        &tf,
        &format!(
            r#"{base}
resource "workos_organization_role" "r" {{
  organization_id = workos_organization.o.id
  slug            = "org-analyst"
  name            = "Analyst"
  description     = "Looks at numbers"
  permissions     = [workos_permission.read.slug]
}}"#
        ),
    );
    let org = id_of(&tf, "workos_organization.o");
    let role = get(
        &bench,
        &format!("/authorization/organizations/{org}/roles/org-analyst"),
    );
    assert_eq!(role["name"], "Analyst");
    assert_eq!(role["permissions"], json!(["reports-read"]));
    let perm = get(&bench, "/authorization/permissions/reports-write");
    assert_eq!(perm["description"], "Change reports");

    // Update name, description, permission set; rename and re-describe a permission.
    apply_clean(
        &tf,
        &format!(
            r#"{}
resource "workos_organization_role" "r" {{
  organization_id = workos_organization.o.id
  slug            = "org-analyst"
  name            = "Senior analyst"
  description     = "Looks at more numbers"
  permissions     = [workos_permission.write.slug, workos_permission.read.slug]
}}"#,
            base.replace("Read reports", "Read all reports")
        ),
    );
    let role = get(
        &bench,
        &format!("/authorization/organizations/{org}/roles/org-analyst"),
    );
    assert_eq!(role["name"], "Senior analyst");
    let mut perms: Vec<String> = serde_json::from_value(role["permissions"].clone()).unwrap();
    perms.sort();
    assert_eq!(perms, vec!["reports-read", "reports-write"]);
    assert_eq!(
        get(&bench, "/authorization/permissions/reports-read")["name"],
        "Read all reports"
    );

    // Clear the descriptions and the permission set.
    apply_clean(
        &tf,
        &format!(
            r#"{}
resource "workos_organization_role" "r" {{
  organization_id = workos_organization.o.id
  slug            = "org-analyst"
  name            = "Senior analyst"
  permissions     = []
}}"#,
            base.replace("  description = \"Change reports\"\n", "")
        ),
    );
    let role = get(
        &bench,
        &format!("/authorization/organizations/{org}/roles/org-analyst"),
    );
    assert!(
        role["description"].is_null(),
        "role description not cleared: {role}"
    );
    assert_eq!(role["permissions"], json!([]));
    assert!(get(&bench, "/authorization/permissions/reports-write")["description"].is_null());

    reimport(
        &tf,
        "workos_organization_role.r",
        &format!("{org}/org-analyst"),
    );
    reimport(&tf, "workos_permission.write", "reports-write");
    deleted_outside(
        &bench,
        &tf,
        &format!("/authorization/organizations/{org}/roles/org-analyst"),
        "workos_organization_role.r",
    );
    deleted_outside(
        &bench,
        &tf,
        "/authorization/permissions/reports-write",
        "workos_permission.write",
    );

    rejected_at_plan(
        &tf,
        &format!(
            r#"resource "workos_permission" "p" {{
  slug = "{}"
  name = "x"
}}"#,
            "s".repeat(49)
        ),
        "slug",
        "at most 48 characters",
    );
}

#[test]
fn membership_and_domain_lifecycle() {
    let bench = Bench::start();
    let tf = Workdir::new(&bench);
    let base = r#"resource "workos_organization" "o" {
  name = "Member Org"
}
resource "workos_user" "u" {
  email = "grace@members.example"
}
resource "workos_organization_domain" "d" {
  organization_id = workos_organization.o.id
  domain          = "members.example"
}
"#;
    apply_clean(
        &tf,
        &format!(
            r#"{base}
resource "workos_organization_membership" "m" {{
  organization_id = workos_organization.o.id
  user_id         = workos_user.u.id
  roles           = ["member"]
}}"#
        ),
    );
    let m = id_of(&tf, "workos_organization_membership.m");
    let d = id_of(&tf, "workos_organization_domain.d");
    let mem = get(
        &bench,
        &format!("/user_management/organization_memberships/{m}"),
    );
    assert_eq!(mem["roles"][0]["slug"], "member");
    let dom = get(&bench, &format!("/organization_domains/{d}"));
    assert_eq!(dom["domain"], "members.example");
    assert_ne!(dom["state"], "verified", "never silently verified");

    // Change the roles; verify the domain.
    apply_clean(
        &tf,
        &format!(
            r#"{}
resource "workos_organization_membership" "m" {{
  organization_id = workos_organization.o.id
  user_id         = workos_user.u.id
  roles           = ["admin"]
}}"#,
            base.replace(
                "  domain          = \"members.example\"\n",
                "  domain          = \"members.example\"\n  verify          = true\n"
            )
        ),
    );
    assert_eq!(id_of(&tf, "workos_organization_membership.m"), m);
    let mem = get(
        &bench,
        &format!("/user_management/organization_memberships/{m}"),
    );
    assert_eq!(mem["roles"][0]["slug"], "admin");
    assert_eq!(
        get(&bench, &format!("/organization_domains/{d}"))["state"],
        "verified"
    );

    reimport(&tf, "workos_organization_membership.m", &m);
    tf.state_rm("workos_organization_domain.d");
    tf.import("workos_organization_domain.d", &d);
    deleted_outside(
        &bench,
        &tf,
        &format!("/user_management/organization_memberships/{m}"),
        "workos_organization_membership.m",
    );
    deleted_outside(
        &bench,
        &tf,
        &format!("/organization_domains/{d}"),
        "workos_organization_domain.d",
    );
}

#[test]
fn webhook_endpoint_lifecycle() {
    let bench = Bench::start();
    let tf = Workdir::new(&bench);
    apply_clean(
        &tf,
        r#"resource "workos_webhook_endpoint" "w" {
  endpoint_url = "http://127.0.0.1:9/hooks"
  events       = ["user.created", "organization.created"]
}"#,
    );
    let w = id_of(&tf, "workos_webhook_endpoint.w");
    let st = state_of(&tf, "workos_webhook_endpoint.w");
    let secret = st["secret"].as_str().unwrap_or_default().to_string();
    assert!(
        secret.len() >= 16 && !secret.contains('x'),
        "the create response's secret is kept: {secret:?}"
    );
    let plan = tf.plan();
    assert!(!plan.contains(&secret), "the secret shows in plan output");

    apply_clean(
        &tf,
        r#"resource "workos_webhook_endpoint" "w" {
  endpoint_url = "http://127.0.0.1:9/hooks/v2"
  events       = ["organization.created", "user.updated"]
  status       = "disabled"
}"#,
    );
    assert_eq!(id_of(&tf, "workos_webhook_endpoint.w"), w);
    let list = get(&bench, "/webhook_endpoints");
    let ep = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == w.as_str())
        .cloned()
        .unwrap();
    assert_eq!(ep["endpoint_url"], "http://127.0.0.1:9/hooks/v2");
    assert_eq!(ep["status"], "disabled");
    let mut events: Vec<String> = serde_json::from_value(ep["events"].clone()).unwrap();
    events.sort();
    assert_eq!(events, vec!["organization.created", "user.updated"]);
    assert_eq!(
        state_of(&tf, "workos_webhook_endpoint.w")["secret"],
        secret.as_str(),
        "secret kept across updates"
    );

    reimport(&tf, "workos_webhook_endpoint.w", &w);
    deleted_outside(
        &bench,
        &tf,
        &format!("/webhook_endpoints/{w}"),
        "workos_webhook_endpoint.w",
    );
    rejected_at_plan(
        &tf,
        r#"resource "workos_webhook_endpoint" "w" {
  endpoint_url = "http://127.0.0.1:9/hooks"
  events       = ["user.exploded"]
}"#,
        "events",
        "must be one of",
    );
    rejected_at_plan(
        &tf,
        r#"resource "workos_webhook_endpoint" "w" {
  endpoint_url = "not a url"
  events       = ["user.created"]
}"#,
        "endpoint_url",
        "URL",
    );
}

#[test]
fn data_sources() {
    let bench = Bench::start();
    let tf = Workdir::new(&bench);
    apply_clean(
        &tf,
        r#"resource "workos_organization" "a" {
  name        = "Lookup Alpha"
  external_id = "alpha"
  domains     = [{ domain = "alpha.example", state = "pending" }]
}
resource "workos_organization" "b" {
  name = "Lookup Beta"
}
resource "workos_user" "u" {
  email = "finder@alpha.example"
}
data "workos_organization" "by_id" {
  id = workos_organization.a.id
}
data "workos_organization" "by_external_id" {
  external_id = workos_organization.a.external_id
}
data "workos_organization" "by_domain" {
  domain     = "alpha.example"
  depends_on = [workos_organization.a]
}
data "workos_organizations" "lookups" {
  search     = "Lookup"
  depends_on = [workos_organization.a, workos_organization.b]
}
data "workos_user" "by_email" {
  email = workos_user.u.email
}
output "by_id" { value = data.workos_organization.by_id.name }
output "by_external_id" { value = data.workos_organization.by_external_id.id }
output "by_domain" { value = data.workos_organization.by_domain.id }
output "count" { value = length(data.workos_organizations.lookups.organizations) }
output "user" { value = data.workos_user.by_email.id }
"#,
    );
    let a = id_of(&tf, "workos_organization.a");
    assert_eq!(tf.output("by_id"), json!("Lookup Alpha"));
    assert_eq!(tf.output("by_external_id"), json!(a));
    assert_eq!(tf.output("by_domain"), json!(a));
    assert_eq!(tf.output("count"), json!(2));
    assert_eq!(tf.output("user"), json!(id_of(&tf, "workos_user.u")));

    // Full pagination: more objects than one page (100) holds.
    for i in 0..105 {
        let (status, body) = bench.api(
            "POST",
            "/organizations",
            Some(json!({"name": format!("Bulk {i:03}")})),
        );
        assert_eq!(status, 201, "{body}");
    }
    tf.write_main(
        r#"data "workos_organizations" "bulk" {
  search = "Bulk"
}
# The emulator may repeat an item at a page boundary when items share a timestamp,
# so count distinct ids: every object must be reached.
output "bulk" { value = length(distinct(data.workos_organizations.bulk.organizations[*].id)) }
"#,
    );
    tf.apply();
    assert_eq!(tf.output("bulk"), json!(105));
    let pages = bench
        .proxy
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with("/organizations?"))
        .count();
    assert!(pages >= 2, "the list was read in one page: {pages}");

    rejected_at_plan(
        &tf,
        r#"data "workos_organization" "x" {
  id          = "org_1"
  external_id = "e"
}"#,
        "external_id",
        "exactly one",
    );
    tf.write_main(
        r#"data "workos_organization" "x" {
  domain = "nobody.example"
}"#,
    );
    tf.plan_expect_error().assert_contains("nobody.example");
}

#[test]
fn api_errors_become_diagnostics_and_nothing_is_lost() {
    let bench = Bench::start();
    let tf = Workdir::new(&bench);
    tf.write_main(
        r#"resource "workos_user" "first" {
  email = "twice@errors.example"
}
resource "workos_user" "second" {
  email      = "twice@errors.example"
  depends_on = [workos_user.first]
}"#,
    );
    let run = tf.apply_expect_error();
    let text = run.output();
    assert!(text.contains("Create workos_user failed"), "{text}");
    assert!(text.contains("409"), "the API's status is shown: {text}");
    assert!(
        !text.contains(&bench.api_key()),
        "the API key leaked into an error"
    );
    // The object that was created is in state; the failed one is not.
    let first = tf.state_resource("workos_user.first");
    assert!(
        first["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("user_")),
        "{first}"
    );
}

#[test]
fn missing_api_key_is_a_clear_error() {
    let bench = Bench::start();
    let mut tf = Workdir::new(&bench);
    tf.set_env("WORKOS_API_KEY", "");
    tf.write_main(
        r#"resource "workos_organization" "o" {
  name = "No key"
}"#,
    );
    let run = tf.apply_expect_error();
    run.assert_contains("Missing api_key");
    run.assert_contains("WORKOS_API_KEY");
}
