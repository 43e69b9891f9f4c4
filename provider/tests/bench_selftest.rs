//! Tests of the acceptance-test harness itself (emulator runner, divergence proxy,
//! terraform runner). They use no provider resources.
mod common;

use common::{proxy::TABLE, Bench};
use serde_json::{json, Value};

fn slugs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn emulator_starts_and_is_healthy() {
    let bench = Bench::start();
    let (s, v) = bench.raw_api("GET", "/health", None);
    assert_eq!(s, 200);
    assert_eq!(v["status"], "ok");
    assert_eq!(bench.api_key(), "sk_test_default");
    let (s, v) = bench.api("GET", "/organizations", None);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["object"], "list");
}

#[test]
fn seeded_keys_work() {
    let bench = Bench::start_seeded("apiKeys:\n  sk_test_default:\n    environment: test\n  sk_test_second:\n    environment: test\n");
    let (s, _) = common::proxy::blocking_request(
        &bench.base_url(),
        "sk_test_second",
        "GET",
        "/organizations",
        None,
    );
    assert_eq!(s, 200);
    let (s, _) = common::proxy::blocking_request(
        &bench.base_url(),
        "sk_test_unknown",
        "GET",
        "/organizations",
        None,
    );
    assert_eq!(s, 401);
}

#[test]
fn table_rows_are_well_formed() {
    for r in TABLE {
        assert!(!r.operation_id.is_empty() && r.path.starts_with('/') && !r.doc.is_empty());
        assert!(
            ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&r.method),
            "{}",
            r.operation_id
        );
    }
}

#[test]
fn permissions_patch_and_shape() {
    let bench = Bench::start();
    let (s, p) = bench.api(
        "POST",
        "/authorization/permissions",
        Some(json!({"slug": "docs:read", "name": "Read", "resource_type_slug": "workspace"})),
    );
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["system"], false);
    assert_eq!(p["resource_type_slug"], "workspace");
    let (s, p) = bench.api(
        "PATCH",
        "/authorization/permissions/docs:read",
        Some(json!({"name": "Read docs", "description": "d"})),
    );
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["name"], "Read docs");
    let (_, p) = bench.api("GET", "/authorization/permissions/docs:read", None);
    assert_eq!(p["description"], "d");
    assert_eq!(p["resource_type_slug"], "workspace");
    let (s, p) = bench.api(
        "PATCH",
        "/authorization/permissions/docs:read",
        Some(json!({"description": null})),
    );
    assert_eq!(s, 200);
    assert!(p["description"].is_null());
    let (_, l) = bench.api("GET", "/authorization/permissions", None);
    assert_eq!(l["data"][0]["system"], false);
    // duplicate slug: spec 409
    let (s, e) = bench.api(
        "POST",
        "/authorization/permissions",
        Some(json!({"slug": "docs:read", "name": "x"})),
    );
    assert_eq!(s, 409, "{e}");
    assert_eq!(e["code"], "permission_slug_conflict");
    // raw emulator still has no PATCH route
    let (s, _) = bench.raw_api(
        "PATCH",
        "/authorization/permissions/docs:read",
        Some(json!({"name": "n"})),
    );
    assert_eq!(s, 404);
}

#[test]
fn environment_roles() {
    let bench = Bench::start();
    for p in ["a:r", "a:w"] {
        assert_eq!(
            bench
                .api(
                    "POST",
                    "/authorization/permissions",
                    Some(json!({"slug": p, "name": p}))
                )
                .0,
            201
        );
    }
    let (s, r) = bench.api(
        "POST",
        "/authorization/roles",
        Some(json!({"slug": "editor", "name": "Editor"})),
    );
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["permissions"], json!([]));
    assert_eq!(r["resource_type_slug"], "organization");
    let (s, r) = bench.api(
        "PATCH",
        "/authorization/roles/editor",
        Some(json!({"name": "Ed"})),
    );
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["name"], "Ed");
    let (s, r) = bench.api(
        "PUT",
        "/authorization/roles/editor/permissions",
        Some(json!({"permissions": ["a:r", "a:w"]})),
    );
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["object"], "role");
    assert_eq!(slugs(&r["permissions"]), vec!["a:r", "a:w"]);
    let (s, r) = bench.api(
        "PUT",
        "/authorization/roles/editor/permissions",
        Some(json!({"permissions": ["a:w"]})),
    );
    assert_eq!(s, 200);
    assert_eq!(slugs(&r["permissions"]), vec!["a:w"]);
    let (s, r) = bench.api(
        "POST",
        "/authorization/roles/editor/permissions",
        Some(json!({"slug": "a:r"})),
    );
    assert_eq!(s, 200, "{r}");
    let mut got = slugs(&r["permissions"]);
    got.sort();
    assert_eq!(got, vec!["a:r", "a:w"]);
    let (_, l) = bench.api("GET", "/authorization/roles", None);
    assert_eq!(l["data"][0]["permissions"].as_array().unwrap().len(), 2);
}

#[test]
fn organization_roles() {
    let bench = Bench::start();
    let (_, org) = bench.api("POST", "/organizations", Some(json!({"name": "RoleOrg"})));
    let org = org["id"].as_str().unwrap().to_string();
    assert_eq!(
        bench
            .api(
                "POST",
                "/authorization/permissions",
                Some(json!({"slug": "p1", "name": "p1"}))
            )
            .0,
        201
    );
    let base = format!("/authorization/organizations/{org}/roles");
    let (s, r) = bench.api(
        "POST",
        &base,
        Some(json!({"slug": "org-billing", "name": "Billing"})),
    );
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["permissions"], json!([]));
    assert_eq!(r["type"], "OrganizationRole");
    let (s, e) = bench.api(
        "POST",
        &base,
        Some(json!({"slug": "org-billing", "name": "Billing"})),
    );
    assert_eq!(s, 409, "{e}");
    let (s, r) = bench.api(
        "PATCH",
        &format!("{base}/org-billing"),
        Some(json!({"name": "Billing 2", "description": "x"})),
    );
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["name"], "Billing 2");
    let (s, r) = bench.api(
        "PUT",
        &format!("{base}/org-billing/permissions"),
        Some(json!({"permissions": ["p1"]})),
    );
    assert_eq!(s, 200, "{r}");
    assert_eq!(slugs(&r["permissions"]), vec!["p1"]);
    let (_, r) = bench.api("GET", &format!("{base}/org-billing"), None);
    assert_eq!(slugs(&r["permissions"]), vec!["p1"]);
    let (_, l) = bench.api("GET", &base, None);
    assert_eq!(slugs(&l["data"][0]["permissions"]), vec!["p1"]);
}

#[test]
fn webhook_endpoints() {
    let bench = Bench::start();
    let (s, w) = bench.api(
        "POST",
        "/webhook_endpoints",
        Some(json!({"endpoint_url": "http://127.0.0.1:9/hook", "events": ["user.created"]})),
    );
    assert_eq!(s, 201, "{w}");
    assert_eq!(w["status"], "enabled");
    let id = w["id"].as_str().unwrap().to_string();
    let (s, w) = bench.api(
        "PATCH",
        &format!("/webhook_endpoints/{id}"),
        Some(json!({"status": "disabled", "events": ["user.deleted"]})),
    );
    assert_eq!(s, 200, "{w}");
    assert_eq!(w["status"], "disabled");
    assert_eq!(w["events"], json!(["user.deleted"]));
    let (_, l) = bench.api("GET", "/webhook_endpoints", None);
    assert_eq!(l["data"][0]["status"], "disabled");
    let (s, w) = bench.api(
        "PATCH",
        &format!("/webhook_endpoints/{id}"),
        Some(json!({"status": "enabled"})),
    );
    assert_eq!(s, 200);
    assert_eq!(w["status"], "enabled");
}

#[test]
fn organizations() {
    let bench = Bench::start();
    let (s, o) = bench.api("POST", "/organizations", Some(json!({
        "name": "Acme", "allow_profiles_outside_organization": true,
        "domain_data": [{"domain": "a.example", "state": "verified"}, {"domain": "b.example", "state": "pending"}],
        "metadata": {"k": "v", "j": "w"}, "external_id": "ext-1"})));
    assert_eq!(s, 201, "{o}");
    assert_eq!(o["allow_profiles_outside_organization"], true);
    assert!(o.get("stripe_customer_id").is_none());
    let state = |o: &Value, d: &str| -> String {
        o["domains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["domain"] == d)
            .map(|x| x["state"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(state(&o, "a.example"), "verified");
    assert_eq!(state(&o, "b.example"), "pending");
    let id = o["id"].as_str().unwrap().to_string();
    // kept domain pending -> verified, metadata replaced, external_id cleared
    let (s, o) = bench.api("PUT", &format!("/organizations/{id}"), Some(json!({
        "domain_data": [{"domain": "b.example", "state": "verified"}, {"domain": "c.example", "state": "pending"}],
        "metadata": {"k": "v"}, "external_id": null, "allow_profiles_outside_organization": false})));
    assert_eq!(s, 200, "{o}");
    assert_eq!(state(&o, "a.example"), "");
    assert_eq!(state(&o, "b.example"), "verified");
    assert_eq!(state(&o, "c.example"), "pending");
    assert_eq!(o["metadata"], json!({"k": "v"}));
    assert!(o["external_id"].is_null());
    let (_, o) = bench.api("GET", &format!("/organizations/{id}"), None);
    assert_eq!(o["allow_profiles_outside_organization"], false);
    // deprecated `domains` list
    let (s, o) = bench.api(
        "POST",
        "/organizations",
        Some(json!({"name": "Old", "domains": ["d.example"]})),
    );
    assert_eq!(s, 201);
    assert_eq!(state(&o, "d.example"), "pending");
    // domain verify answers 201
    let did = o["domains"][0]["id"].as_str().unwrap().to_string();
    let (s, d) = bench.api("POST", &format!("/organization_domains/{did}/verify"), None);
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["state"], "verified");
}

#[test]
fn memberships_multi_role() {
    let bench = Bench::start();
    let (_, o) = bench.api("POST", "/organizations", Some(json!({"name": "M"})));
    let (_, u) = bench.api(
        "POST",
        "/user_management/users",
        Some(json!({"email": "m@example.com"})),
    );
    let (s, m) = bench.api(
        "POST",
        "/user_management/organization_memberships",
        Some(json!({
        "organization_id": o["id"], "user_id": u["id"], "role_slugs": ["admin", "billing"]})),
    );
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["role"]["slug"], "admin");
    assert_eq!(m["roles"], json!([{"slug": "admin"}, {"slug": "billing"}]));
    assert_eq!(m["directory_managed"], false);
    assert_eq!(m["user"]["email"], "m@example.com");
    let id = m["id"].as_str().unwrap().to_string();
    let (s, m) = bench.api(
        "PUT",
        &format!("/user_management/organization_memberships/{id}"),
        Some(json!({"role_slug": "member"})),
    );
    assert_eq!(s, 200);
    assert_eq!(m["roles"], json!([{"slug": "member"}]));
    let (_, l) = bench.api(
        "GET",
        &format!(
            "/user_management/organization_memberships?organization_id={}",
            o["id"].as_str().unwrap()
        ),
        None,
    );
    assert_eq!(l["data"][0]["roles"], json!([{"slug": "member"}]));
}

#[test]
fn request_log_redacts_key_and_faults_inject() {
    let bench = Bench::start();
    bench
        .proxy
        .inject_status("GET", "/organizations", 429, Some(7), 2);
    let (s, e) = bench.api("GET", "/organizations", None);
    assert_eq!(s, 429);
    assert_eq!(e["code"], "rate_limit_exceeded");
    assert_eq!(bench.api("GET", "/organizations", None).0, 429);
    assert_eq!(bench.api("GET", "/organizations", None).0, 200);
    bench.api("POST", "/organizations", Some(json!({"name": "Logged"})));
    let log = bench.proxy.requests();
    assert_eq!(log.len(), 4);
    assert_eq!(log[0].row, Some("fault"));
    assert_eq!(log[3].method, "POST");
    assert_eq!(log[3].status, 201);
    assert!(log[3].request_body.contains("Logged"));
    let dump = format!("{log:?}");
    assert!(
        !dump.contains(&bench.api_key()),
        "API key leaked into the log"
    );
}

#[test]
fn retry_after_header_is_sent() {
    let bench = Bench::start();
    bench
        .proxy
        .inject_status("*", "/organizations/*", 503, Some(3), 1);
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "-D",
            "-",
            "-o",
            "/dev/null",
            &format!("{}/organizations/org_x", bench.base_url()),
        ])
        .output();
    if let Ok(out) = out {
        let h = String::from_utf8_lossy(&out.stdout).to_lowercase();
        assert!(h.contains("503"), "{h}");
        assert!(h.contains("retry-after: 3"), "{h}");
    }
}

#[test]
fn terraform_runs_with_cli_config() {
    let bench = Bench::start();
    let wd = bench.workdir();
    let (major, minor, _) = wd.version();
    assert!(major >= 1, "terraform {major}.{minor}");
    let cfg = std::fs::read_to_string(wd.root().join("terraformrc")).unwrap();
    assert!(cfg.contains(common::PROVIDER_SOURCE) && cfg.contains("dev_overrides"));
    // A config without any workos resource: plan needs no `terraform init`.
    wd.write_main("output \"x\" { value = \"y\" }");
    let r = wd.apply();
    r.assert_contains("Apply complete");
    assert_eq!(wd.output("x"), json!("y"));
}

#[test]
fn organization_list_search_is_applied_by_the_proxy() {
    let bench = Bench::start();
    for name in ["Alpha Search", "Beta Search"] {
        let (s, _) = bench.api(
            "POST",
            "/organizations",
            Some(serde_json::json!({ "name": name })),
        );
        assert_eq!(s, 201);
    }
    let (_, raw) = bench.raw_api("GET", "/organizations?search=alpha", None);
    assert_eq!(
        raw["data"].as_array().map(Vec::len),
        Some(2),
        "the emulator ignores search: {raw}"
    );
    let (s, v) = bench.api("GET", "/organizations?search=alpha", None);
    assert_eq!(s, 200);
    let names: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(names, vec!["Alpha Search"]);
}

#[test]
fn preview_fields_are_kept_and_echoed_per_object() {
    let bench = Bench::start();
    let (s, org) = bench.api(
        "POST",
        "/organizations",
        Some(json!({"name": "Preview", "preview_flag": true, "preview_n": 3})),
    );
    assert_eq!(s, 201, "{org}");
    assert_eq!(org["preview_flag"], json!(true));
    let id = org["id"].as_str().unwrap().to_string();
    let (_, raw) = bench.raw_api("GET", &format!("/organizations/{id}"), None);
    assert!(raw.get("preview_flag").is_none(), "not forwarded: {raw}");
    let (_, got) = bench.api("GET", &format!("/organizations/{id}"), None);
    assert_eq!(got["preview_n"], json!(3), "{got}");
    let (s, _) = bench.api(
        "PUT",
        &format!("/organizations/{id}"),
        Some(json!({"name": "Preview", "preview_n": null})),
    );
    assert_eq!(s, 200);
    let (_, list) = bench.api("GET", "/organizations", None);
    let item = &list["data"].as_array().unwrap()[0];
    assert_eq!(item["preview_flag"], json!(true), "{item}");
    assert!(item.get("preview_n").is_none(), "null removes: {item}");
}

#[test]
fn spec_guard_refuses_requests_that_are_no_spec_operation() {
    let bench = Bench::start();
    // The emulator serves POST /connections; the spec has no such operation.
    let (s, org) = bench.api("POST", "/organizations", Some(json!({"name": "Acme"})));
    assert_eq!(s, 201, "{org}");
    let conn = json!({"name": "c", "organization_id": org["id"]});
    let (s, c) = bench.raw_api("POST", "/connections", Some(conn.clone()));
    assert_eq!(
        s, 201,
        "the emulator is expected to serve POST /connections: {c}"
    );
    bench.proxy.clear_requests();
    let (s, e) = bench.api("POST", "/connections", Some(conn));
    assert_eq!(s, 404, "{e}");
    assert_eq!(e["code"], "not_found");
    let (s, e) = bench.api("GET", "/no/such/route", None);
    assert_eq!(s, 404, "{e}");
    assert_eq!(e["code"], "not_found");
    // A spec path with a method the spec does not give it.
    let (s, _) = bench.api("PATCH", "/organizations", Some(json!({})));
    assert_eq!(s, 404);
    let v = bench.proxy.take_violations();
    assert_eq!(
        v,
        vec![
            "POST /connections: not a spec operation".to_string(),
            "GET /no/such/route: not a spec operation".to_string(),
            "PATCH /organizations: not a spec operation".to_string(),
        ]
    );
    let log = bench.proxy.requests();
    assert!(log.iter().all(|r| r.row == Some("spec guard")), "{log:?}");
    // Spec operations and the exempt helper routes pass.
    let (s, _) = bench.api("GET", "/organizations", None);
    assert_eq!(s, 200);
    let (s, _) = bench.api("GET", "/health", None);
    assert_eq!(s, 200);
    assert!(bench.proxy.violations().is_empty());
}

#[test]
fn spec_guard_literal_segments_beat_parameters() {
    let spec = common::spec::spec();
    let op = spec
        .find("GET", "/organizations/external_id/abc")
        .expect("spec operation");
    assert_eq!(op.operation_id, "OrganizationsController_getByExternalId");
    let op = spec.find("GET", "/organizations/org_1").expect("spec op");
    assert_eq!(op.operation_id, "OrganizationsController_find");
    assert!(spec.find("GET", "/organizations/").is_none());
}

#[test]
fn spec_guard_records_answers_lacking_a_required_property() {
    let bench = Bench::start();
    let (s, org) = bench.api("POST", "/organizations", Some(json!({"name": "Acme"})));
    assert_eq!(s, 201, "{org}");
    let id = org["id"].as_str().unwrap().to_string();
    let path = format!("/organizations/{id}");
    let mut body = org.clone();
    body.as_object_mut().unwrap().remove("id");
    bench.proxy.inject(common::Fault {
        method: "GET".into(),
        path: path.clone(),
        status: 200,
        retry_after: None,
        count: 1,
        body: Some(body),
    });
    let (s, _) = bench.api("GET", &path, None);
    assert_eq!(s, 200);
    // List items are checked too.
    bench.proxy.inject(common::Fault {
        method: "GET".into(),
        path: "/organizations".into(),
        status: 200,
        retry_after: None,
        count: 1,
        body: Some(
            json!({"object": "list", "data": [{"object": "organization"}], "list_metadata": {}}),
        ),
    });
    let (s, _) = bench.api("GET", "/organizations", None);
    assert_eq!(s, 200);
    let v = bench.proxy.take_violations();
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!(
        v[0],
        format!("GET {path} (OrganizationsController_find) answered 200 not per spec, fix in fault injector: /id: \"id\" is a required property [required]")
    );
    assert!(
        v[1].starts_with("GET /organizations (OrganizationsController_list) answered 200 not per spec, fix in fault injector: ")
            && v[1].contains("/data/0/id: \"id\" is a required property [required]"),
        "{}",
        v[1]
    );
    // The same read, answered by the emulator through its row, is conformant.
    let (s, _) = bench.api("GET", &path, None);
    assert_eq!(s, 200);
    assert!(
        bench.proxy.violations().is_empty(),
        "{:?}",
        bench.proxy.violations()
    );
}

#[test]
fn spec_guard_checks_answers_the_emulator_gives() {
    // The emulator's invitation answer lacks properties the spec requires and no row fixes
    // it: the guard records it, naming the missing properties and that there is no row.
    let bench = Bench::start();
    let (_, o) = bench.api("POST", "/organizations", Some(json!({"name": "Guard"})));
    let (s, _) = bench.api(
        "POST",
        "/user_management/invitations",
        Some(json!({"email": "i@example.com", "organization_id": o["id"]})),
    );
    assert_eq!(s, 201);
    let v = bench.proxy.take_violations();
    assert_eq!(
        v,
        vec!["POST /user_management/invitations (UserlandUserInvitesController_create) answered 201 not per spec, fix in emulator (no row): \
              /accepted_at: \"accepted_at\" is a required property [required]; \
              /revoked_at: \"revoked_at\" is a required property [required]; \
              /accepted_user_id: \"accepted_user_id\" is a required property [required]"
            .to_string()]
    );
}

/// The 422 the proxy answers for a nonconforming request, and the one violation it records.
fn refused(bench: &Bench, method: &str, path: &str, body: Option<Value>) -> (Value, String) {
    let (s, e) = bench.api(method, path, body);
    assert_eq!(s, 422, "{method} {path}: {e}");
    assert_eq!(e["code"], "invalid_request_parameters", "{e}");
    assert!(e["message"].is_string(), "{e}");
    let v = bench.proxy.take_violations();
    assert_eq!(v.len(), 1, "{v:?}");
    let log = bench.proxy.requests();
    assert_eq!(log.last().unwrap().row, Some("conformance"), "{log:?}");
    (e, v[0].clone())
}

#[test]
fn conformance_refuses_a_body_missing_a_required_field() {
    let bench = Bench::start();
    let (e, v) = refused(
        &bench,
        "POST",
        "/organizations",
        Some(json!({"domains": []})),
    );
    assert_eq!(
        e["errors"],
        json!([{"field": "name", "code": "required"}]),
        "{e}"
    );
    assert_eq!(
        v,
        "POST /organizations (OrganizationsController_create) request not per spec (the provider or test must fix it): \
         /name: \"name\" is a required property [required]"
    );
    // Not forwarded: the emulator has no organization.
    let (_, list) = bench.raw_api("GET", "/organizations", None);
    assert_eq!(list["data"], json!([]), "{list}");
    // A wrong type, a body where the operation takes none, no body where one is required.
    let (e, _) = refused(&bench, "POST", "/organizations", Some(json!({"name": 5})));
    assert_eq!(
        e["errors"],
        json!([{"field": "name", "code": "type"}]),
        "{e}"
    );
    let (e, _) = refused(&bench, "GET", "/organizations", Some(json!({"name": "x"})));
    assert_eq!(e["errors"], json!([{"field": "", "code": "body"}]), "{e}");
    let (e, _) = refused(&bench, "POST", "/organizations", None);
    assert_eq!(
        e["errors"],
        json!([{"field": "", "code": "required"}]),
        "{e}"
    );
    // Nested: a domain_data item with a state the spec does not list.
    let bad = json!({"name": "Acme", "domain_data": [{"domain": "acme.test", "state": "bogus"}]});
    let (e, v) = refused(&bench, "POST", "/organizations", Some(bad));
    assert_eq!(e["errors"][0]["field"], "domain_data.0.state", "{e}");
    assert!(v.contains("/domain_data/0/state: "), "{v}");
    assert!(!v.contains("bogus"), "instance values are masked: {v}");
}

#[test]
fn conformance_refuses_bad_query_parameters() {
    let bench = Bench::start();
    let (e, v) = refused(&bench, "GET", "/organizations?limit=1000", None);
    assert_eq!(
        e["errors"],
        json!([{"field": "limit", "code": "maximum"}]),
        "{e}"
    );
    assert!(
        v.starts_with("GET /organizations (OrganizationsController_list) request not per spec")
            && v.contains("?limit: ")
            && v.ends_with("[maximum]"),
        "{v}"
    );
    let (e, _) = refused(&bench, "GET", "/organizations?limit=ten", None);
    assert_eq!(
        e["errors"],
        json!([{"field": "limit", "code": "type"}]),
        "{e}"
    );
    let (e, _) = refused(&bench, "GET", "/organizations?order=sideways", None);
    assert_eq!(e["errors"][0]["field"], "order", "{e}");
    let (e, _) = refused(&bench, "GET", "/organizations?colour=red", None);
    assert_eq!(
        e["errors"],
        json!([{"field": "colour", "code": "unknown_parameter"}]),
        "{e}"
    );
    let (e, _) = refused(&bench, "GET", "/organizations?limit=5&limit=6", None);
    assert_eq!(
        e["errors"],
        json!([{"field": "limit", "code": "repeated_parameter"}]),
        "{e}"
    );
    // Conforming: integers, enums, comma-separated arrays (explode: false).
    let (s, b) = bench.api(
        "GET",
        "/organizations?limit=100&order=asc&domains=a.test,b.test&search=x",
        None,
    );
    assert_eq!(s, 200, "{b}");
    assert!(
        bench.proxy.violations().is_empty(),
        "{:?}",
        bench.proxy.violations()
    );
}

#[test]
fn conformance_names_the_row_whose_answer_lacks_a_required_field() {
    // A membership whose user does not exist (the emulator does not check user_id on a
    // direct create): the membership row cannot embed the user the spec requires, and the
    // violation names that row. The answer is still passed on.
    let bench = Bench::start();
    let (s, org) = bench.api("POST", "/organizations", Some(json!({"name": "Acme"})));
    assert_eq!(s, 201, "{org}");
    let m = json!({"organization_id": org["id"], "user_id": "user_01NOSUCHUSER00000000000000"});
    let (s, mem) = bench.raw_api("POST", "/user_management/organization_memberships", Some(m));
    assert_eq!(s, 201, "{mem}");
    let path = format!(
        "/user_management/organization_memberships/{}",
        mem["id"].as_str().unwrap()
    );
    let (s, got) = bench.api("GET", &path, None);
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["id"], mem["id"]);
    let v = bench.proxy.take_violations();
    assert_eq!(
        v,
        vec![format!(
            "GET {path} (UserlandUserOrganizationMembershipsController_get) answered 200 not per spec, \
             fix in row UserlandUserOrganizationMembershipsController_get: /user: \"user\" is a required property [required]"
        )]
    );
}

#[test]
fn conformance_accepts_conforming_requests_and_answers() {
    let bench = Bench::start();
    let (s, org) = bench.api(
        "POST",
        "/organizations",
        Some(json!({"name": "Acme", "domain_data": [{"domain": "acme.test", "state": "pending"}]})),
    );
    assert_eq!(s, 201, "{org}");
    let id = org["id"].as_str().unwrap();
    let (s, _) = bench.api("GET", &format!("/organizations/{id}"), None);
    assert_eq!(s, 200);
    let (s, _) = bench.api(
        "PUT",
        &format!("/organizations/{id}"),
        Some(json!({"name": "Acme 2"})),
    );
    assert_eq!(s, 200);
    let (s, e) = bench.api(
        "GET",
        "/organizations/org_01NOSUCHORG0000000000000000",
        None,
    );
    assert_eq!(s, 404, "{e}");
    let (s, _) = bench.api("DELETE", &format!("/organizations/{id}"), None);
    assert_eq!(
        s, 200,
        "the row answers the spec's 200 for the emulator's 204"
    );
    assert!(
        bench.proxy.violations().is_empty(),
        "{:?}",
        bench.proxy.violations()
    );
}

#[test]
fn conformance_checks_status_and_error_answers() {
    let bench = Bench::start();
    // A 2xx status the operation does not give (create answers 201).
    bench.proxy.inject(common::Fault {
        method: "POST".into(),
        path: "/organizations".into(),
        status: 200,
        retry_after: None,
        count: 1,
        body: Some(json!({})),
    });
    let (s, _) = bench.api("POST", "/organizations", Some(json!({"name": "Acme"})));
    assert_eq!(s, 200);
    let v = bench.proxy.take_violations();
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].contains("200 is no response of this operation") && v[0].contains("\"201\""),
        "{}",
        v[0]
    );
    // An injected error answer is a failure the spec need not describe: not checked.
    bench
        .proxy
        .inject_status("GET", "/organizations", 503, None, 1);
    assert_eq!(bench.api("GET", "/organizations", None).0, 503);
    assert!(bench.proxy.violations().is_empty());
}

#[test]
fn a_bench_with_violations_fails_its_test() {
    let r = std::panic::catch_unwind(|| {
        let bench = Bench::start();
        bench.api("GET", "/no/such/route", None);
        // dropped here: panics listing the violation
    });
    let p = r.expect_err("dropping a bench with a violation must panic");
    let msg = p.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.contains("GET /no/such/route: not a spec operation"),
        "{msg}"
    );
}

/// Routes the emulator registers, as (METHOD, path with `:param` segments), read from its
/// bundled route modules, plus the number of registrations whose path could not be resolved.
fn emulator_routes() -> (Vec<(String, String)>, usize) {
    let dir =
        common::repo_root().join("provider/tests/bench/node_modules/workos/dist/emulate/workos");
    let mut files = vec![dir.join("role-helpers.js"), dir.join("../core/server.js")];
    let mut names: Vec<_> = std::fs::read_dir(dir.join("routes"))
        .expect("emulator route modules (run provider/tests/bench/setup.sh)")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "js"))
        .collect();
    names.sort();
    files.extend(names);
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect();
    let konst = regex::Regex::new(r#"const (\w+) = '([^']+)'"#).unwrap();
    let pp = regex::Regex::new(r#"pathPrefix:\s*(?:'([^']+)'|(\w+))"#).unwrap();
    let route =
        regex::Regex::new(r#"app\.(get|post|put|patch|delete)\(\s*(?:'([^']+)'|`([^`]+)`)"#)
            .unwrap();
    let var = regex::Regex::new(r"\$\{(\w+)\}").unwrap();
    // Values `pathPrefix` takes where role-helpers is configured.
    let mut path_prefixes = Vec::new();
    for t in &texts {
        let consts: std::collections::HashMap<_, _> = konst
            .captures_iter(t)
            .map(|c| (c[1].to_string(), c[2].to_string()))
            .collect();
        for c in pp.captures_iter(t) {
            match (c.get(1), c.get(2)) {
                (Some(lit), _) => path_prefixes.push(lit.as_str().to_string()),
                (_, Some(v)) => path_prefixes.extend(consts.get(v.as_str()).cloned()),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    let mut unresolved = 0;
    for t in &texts {
        let consts: std::collections::HashMap<_, _> = konst
            .captures_iter(t)
            .map(|c| (c[1].to_string(), c[2].to_string()))
            .collect();
        for c in route.captures_iter(t) {
            let m = c[1].to_uppercase();
            if let Some(lit) = c.get(2) {
                out.push((m, lit.as_str().to_string()));
                continue;
            }
            let tpl = c.get(3).unwrap().as_str();
            let v = var.captures(tpl).map(|x| x[1].to_string());
            let values: Vec<String> = match v.as_deref() {
                Some("pathPrefix") => path_prefixes.clone(),
                Some(name) => consts.get(name).cloned().into_iter().collect(),
                None => vec![String::new()],
            };
            if values.is_empty() || var.find_iter(tpl).count() > 1 {
                unresolved += 1;
                continue;
            }
            for val in values {
                out.push((m.clone(), var.replace(tpl, val.as_str()).into_owned()));
            }
        }
    }
    out.sort();
    out.dedup();
    (out, unresolved)
}

/// A path template with every parameter segment (`{x}` or `:x`) made `{}`.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if s.starts_with('{') || s.starts_with(':') {
                "{}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Where the bench serves `op`: a local family first (the proxy asks them before its rows),
/// then a divergence row, then a bare emulator route.
fn served_by(op: &common::spec::Operation, routes: &[(String, String)]) -> String {
    let local = common::local::families::ROUTES
        .iter()
        .find(|r| r.method == op.method && r.path == op.path);
    let row = TABLE
        .iter()
        .find(|r| r.method == op.method && shape(r.path) == shape(&op.path));
    let emu = routes
        .iter()
        .any(|(m, p)| *m == op.method && shape(p) == shape(&op.path));
    match (local, row, emu) {
        (Some(l), _, _) => format!("local family {}", l.family.name),
        (None, Some(r), _) => format!("emulator + row {}", r.operation_id),
        (None, None, true) => "emulator".to_string(),
        (None, None, false) => "not served".to_string(),
    }
}

fn coverage_markdown() -> String {
    let (routes, unresolved) = emulator_routes();
    let spec = common::spec::spec();
    let mut md = String::new();
    md.push_str("# Bench coverage of the spec\n\n");
    md.push_str(&format!(
        "Generated by `bench_selftest::coverage_table_is_up_to_date` (regenerate with \
         `UPDATE_COVERAGE=1 cargo test -p terraform-provider-workos --test bench_selftest coverage`). \
         Every operation of `{}` ({} operations), with where the test bench serves it:\n\n",
        common::spec::SPEC_PATH,
        spec.operations.len()
    ));
    md.push_str(
        "- **local family X**: the proxy answers it from the bench's local family X \
         (`provider/tests/common/local/`, an in-memory spec-shaped implementation; the \
         emulator never sees the request).\n\
         - **emulator + row X**: the proxy's divergence table (`provider/tests/common/proxy.rs`) \
         has row X for this method and path; the row translates and forwards to the emulator.\n\
         - **emulator**: no row; the emulator registers a route with this method and path shape.\n\
         - **not served**: neither; a request gets the emulator's 404.\n\n",
    );
    md.push_str(&format!(
        "How \"the emulator registers a route\" is decided: by reading the `app.get/post/put/patch/delete(...)` \
         registrations in the emulator's bundled route modules (`provider/tests/bench/node_modules/workos/dist/emulate/workos/routes/*.js`, \
         `role-helpers.js` and `core/server.js`, npm workos@0.14.0), resolving `${{prefix}}`-style path constants; \
         {unresolved} registration(s) could not be resolved and are not counted. A route being registered does not mean \
         its behaviour follows the spec: rows document the divergences found so far.\n\n"
    ));
    let served: Vec<String> = spec
        .operations
        .iter()
        .map(|op| served_by(op, &routes))
        .collect();
    let count = |pre: &str| served.iter().filter(|s| s.starts_with(pre)).count();
    md.push_str(&format!(
        "Totals: {} by a local family, {} by the emulator with a row, {} by the emulator alone, \
         {} not served. Every operation a proposed Terraform object needs \
         (`provider/tests/bench/needed-ops.txt`) is served: `bench_selftest::every_needed_operation_is_served`.\n\n",
        count("local family"),
        count("emulator + row"),
        served.iter().filter(|s| *s == "emulator").count(),
        count("not served"),
    ));
    md.push_str("| Method | Path | operationId | Served by |\n|---|---|---|---|\n");
    for (op, by) in spec.operations.iter().zip(&served) {
        md.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            op.method, op.path, op.operation_id, by
        ));
    }
    md
}

#[test]
fn coverage_table_is_up_to_date() {
    let path = common::repo_root().join("provider/tests/bench/COVERAGE.md");
    let want = coverage_markdown();
    if std::env::var_os("UPDATE_COVERAGE").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date: regenerate with UPDATE_COVERAGE=1 cargo test -p terraform-provider-workos --test bench_selftest coverage",
        path.display()
    );
}

/// Every operation a proposed Terraform object needs (`provider/tests/bench/needed-ops.txt`,
/// derived from the coverage map) is served by the emulator or a local family.
#[test]
fn every_needed_operation_is_served() {
    let text =
        std::fs::read_to_string(common::repo_root().join("provider/tests/bench/needed-ops.txt"))
            .expect("needed-ops.txt");
    let (routes, _) = emulator_routes();
    let spec = common::spec::spec();
    let mut unserved = Vec::new();
    let mut n = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (method, path, id) = (f[0], f[1], f[2]);
        let op = spec
            .operations
            .iter()
            .find(|o| o.method == method && o.path == path)
            .unwrap_or_else(|| panic!("needed-ops.txt: {method} {path} is no spec operation"));
        assert_eq!(op.operation_id, id, "needed-ops.txt: {method} {path}");
        n += 1;
        if served_by(op, &routes) == "not served" {
            unserved.push(format!("{method} {path} ({id})"));
        }
    }
    assert_eq!(
        n, 150,
        "needed-ops.txt lists the 150 non-skip operations of the coverage map"
    );
    assert!(
        unserved.is_empty(),
        "{} needed operation(s) not served:\n  {}",
        unserved.len(),
        unserved.join("\n  ")
    );
}

#[test]
fn every_row_is_a_spec_operation() {
    let spec = common::spec::spec();
    for r in TABLE {
        let op = spec
            .operations
            .iter()
            .find(|o| o.method == r.method && shape(&o.path) == shape(r.path))
            .unwrap_or_else(|| {
                panic!(
                    "row {} ({} {}) is no spec operation",
                    r.operation_id, r.method, r.path
                )
            });
        assert_eq!(
            op.operation_id.as_str(),
            r.operation_id,
            "row for {} {}",
            r.method,
            r.path
        );
    }
}

fn org_names(bench: &Bench) -> Vec<String> {
    let (s, v) = bench.api("GET", "/organizations?limit=100", None);
    assert_eq!(s, 200, "{v}");
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect()
}

fn try_api(
    bench: &Bench,
    method: &str,
    path: &str,
    body: Option<Value>,
    secs: f64,
) -> Result<(u16, Value), String> {
    common::proxy::try_blocking_request(
        &bench.base_url(),
        &bench.api_key(),
        method,
        path,
        body,
        std::time::Duration::from_secs_f64(secs),
    )
}

#[test]
fn fault_reset_before_forwarding_processes_nothing() {
    let bench = Bench::start();
    bench
        .proxy
        .inject_kind("POST", "/organizations", common::FaultKind::ResetBefore, 1);
    let r = try_api(
        &bench,
        "POST",
        "/organizations",
        Some(json!({"name": "Lost"})),
        10.0,
    );
    assert!(r.is_err(), "no answer expected, got {r:?}");
    assert!(org_names(&bench).is_empty(), "nothing was forwarded");
    // One shot: the next request goes through.
    let r = try_api(
        &bench,
        "POST",
        "/organizations",
        Some(json!({"name": "Kept"})),
        10.0,
    );
    assert_eq!(r.map(|(s, _)| s), Ok(201));
}

#[test]
fn fault_reset_after_forwarding_leaves_the_object_unanswered() {
    let bench = Bench::start();
    bench
        .proxy
        .inject_kind("POST", "/organizations", common::FaultKind::ResetAfter, 1);
    let r = try_api(
        &bench,
        "POST",
        "/organizations",
        Some(json!({"name": "Ghost"})),
        10.0,
    );
    assert!(r.is_err(), "no answer expected, got {r:?}");
    assert_eq!(
        org_names(&bench),
        vec!["Ghost".to_string()],
        "the emulator processed it"
    );
}

#[test]
fn fault_delay_past_the_timeout_still_processes() {
    let bench = Bench::start();
    let delay = std::time::Duration::from_millis(1500);
    bench
        .proxy
        .inject_kind("POST", "/organizations", common::FaultKind::Delay(delay), 1);
    let r = try_api(
        &bench,
        "POST",
        "/organizations",
        Some(json!({"name": "Slow"})),
        0.5,
    );
    assert!(r.is_err(), "the client times out, got {r:?}");
    assert_eq!(org_names(&bench), vec!["Slow".to_string()]);
    // Within the client's patience, the delayed answer arrives.
    bench.proxy.inject_kind(
        "GET",
        "/organizations",
        common::FaultKind::Delay(delay / 3),
        1,
    );
    let r = try_api(&bench, "GET", "/organizations", None, 10.0);
    assert_eq!(r.map(|(s, _)| s), Ok(200));
}

#[test]
fn fault_malformed_answers_200_with_a_body_that_is_not_json() {
    let bench = Bench::start();
    bench
        .proxy
        .inject_kind("POST", "/organizations", common::FaultKind::Malformed, 1);
    let (s, v) = try_api(
        &bench,
        "POST",
        "/organizations",
        Some(json!({"name": "Garbled"})),
        10.0,
    )
    .expect("an answer");
    assert_eq!(s, 200);
    assert_eq!(v, Value::String(common::proxy::MALFORMED_BODY.into()));
    assert_eq!(
        org_names(&bench),
        vec!["Garbled".to_string()],
        "forwarded first"
    );
    assert!(
        bench.proxy.violations().is_empty(),
        "deliberate, not a violation"
    );
}

#[test]
fn fault_lag_answers_404_for_n_reads_after_a_create() {
    let bench = Bench::start();
    bench
        .proxy
        .inject_kind("POST", "/organizations", common::FaultKind::Lag404(2), 1);
    let (s, org) = bench.api("POST", "/organizations", Some(json!({"name": "Lagging"})));
    assert_eq!(s, 201, "{org}");
    let path = format!("/organizations/{}", org["id"].as_str().unwrap());
    let statuses: Vec<u16> = (0..3).map(|_| bench.api("GET", &path, None).0).collect();
    assert_eq!(statuses, vec![404, 404, 200]);
}

#[test]
fn fault_status_after_forwarding_hides_the_processed_request() {
    let bench = Bench::start();
    bench.proxy.inject_kind(
        "POST",
        "/organizations",
        common::FaultKind::StatusAfter(500),
        1,
    );
    let (s, _) = bench.api("POST", "/organizations", Some(json!({"name": "Hidden"})));
    assert_eq!(s, 500);
    assert_eq!(org_names(&bench), vec!["Hidden".to_string()]);
}
