//! Cross-resource features through the real CLI and the emulator: the `extra_configuration`
//! pass-through, nested attributes checked by Terraform at plan, and the organization's
//! import-by-external-ID hook.

mod common;

use common::{Bench, Workdir};
use serde_json::{json, Value};

fn org_with_extra(extra: &str) -> String {
    format!(
        r#"resource "workos_organization" "o" {{
  name                = "Extra Org"
  extra_configuration = {extra}
}}"#
    )
}

/// The JSON body of the last request matching method and path prefix.
fn last_body(bench: &Bench, method: &str, prefix: &str) -> Value {
    let r = bench
        .proxy
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == method && r.path.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {method} {prefix}* request"));
    serde_json::from_str(&r.request_body).unwrap_or(Value::Null)
}

#[test]
fn extra_configuration_round_trips_typed_values() {
    let bench = Bench::start();
    let tf = Workdir::new(&bench);

    // Create: a bool, a number and a string, sent with their types kept.
    tf.write_main(&org_with_extra(
        r#"{ preview_flag = true, preview_limit = 5, preview_label = "beta" }"#,
    ));
    tf.apply();
    let sent = last_body(&bench, "POST", "/organizations");
    assert_eq!(sent["preview_flag"], json!(true), "create body: {sent}");
    assert_eq!(sent["preview_limit"], json!(5), "create body: {sent}");
    assert_eq!(sent["preview_label"], json!("beta"), "create body: {sent}");
    let st = tf.state_resource("workos_organization.o");
    assert_eq!(
        st["extra_configuration"],
        json!({"preview_flag": true, "preview_limit": 5, "preview_label": "beta"})
    );
    let id = st["id"].as_str().expect("id").to_string();
    tf.assert_no_changes();
    tf.refresh();
    tf.assert_no_changes();
    println!("ok: create sends bool/number/string; plan and refresh-plan empty");

    // Drift on a key the user set is seen; keys the user did not set are ignored.
    let (status, _) = bench.api(
        "PUT",
        &format!("/organizations/{id}"),
        Some(json!({"name": "Extra Org", "preview_limit": 9, "preview_other": "x"})),
    );
    assert_eq!(status, 200);
    assert_eq!(
        tf.plan_exitcode(),
        2,
        "a remote change of preview_limit shows a diff"
    );
    tf.plan().assert_contains("preview_limit");
    println!("ok: remote change of a configured key is a diff; unconfigured keys ignored");

    // Update: a changed value is sent, a removed key is sent as null.
    tf.write_main(&org_with_extra(
        r#"{ preview_flag = true, preview_limit = 6 }"#,
    ));
    tf.apply();
    let sent = last_body(&bench, "PUT", "/organizations/");
    assert_eq!(sent["preview_limit"], json!(6), "update body: {sent}");
    assert_eq!(sent["preview_label"], Value::Null, "update body: {sent}");
    assert!(
        sent.as_object().unwrap().contains_key("preview_label"),
        "removed key sent as null: {sent}"
    );
    let (_, remote) = bench.api("GET", &format!("/organizations/{id}"), None);
    assert!(
        remote.get("preview_label").is_none(),
        "cleared remotely: {remote}"
    );
    assert_eq!(remote["preview_limit"], json!(6));
    tf.assert_no_changes();
    println!("ok: update sends changes and null for removed keys");

    // An unrelated change later leaves the pass-through alone and the plan empty after it.
    tf.write_main(
        r#"resource "workos_organization" "o" {
  name                = "Extra Org Renamed"
  extra_configuration = { preview_flag = true, preview_limit = 6 }
}"#,
    );
    tf.apply();
    let sent = last_body(&bench, "PUT", "/organizations/");
    assert!(
        sent.get("preview_limit").is_none(),
        "unchanged keys not resent: {sent}"
    );
    tf.assert_no_changes();
    println!("ok: unrelated update, then an empty plan");

    // A key the API does not return keeps its configured value, with a warning.
    tf.write_main(&org_with_extra(
        r#"{ preview_flag = true, preview_limit = 6, unheard_of = "kept" }"#,
    ));
    let run = tf.apply();
    run.assert_contains("not returned by the API");
    tf.assert_no_changes();
    println!("ok: a key the API does not return is kept, with a warning");

    // A key equal to an attribute is refused at plan, naming both.
    tf.write_main(&org_with_extra(r#"{ external_id = "x" }"#));
    let run = tf.plan_expect_error();
    let out = run
        .output()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        out.contains("extra_configuration")
            && out.contains("external_id")
            && out.contains("set the attribute"),
        "conflict diagnostic: {out}"
    );
    println!("ok: a conflicting key is refused at plan");
}

#[test]
fn nested_required_field_is_checked_at_plan() {
    let bench = Bench::start();
    let tf = Workdir::new(&bench);
    tf.write_main(
        r#"resource "workos_organization" "o" {
  name    = "Nested"
  domains = [{ state = "pending" }]
}"#,
    );
    let out = tf.plan_expect_error().output();
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        out.contains(r#"Inappropriate value for attribute "domains": element 0: attribute "domain" is required"#),
        "missing nested required field: {out}"
    );
    assert!(
        bench.proxy.requests().iter().all(|r| r.method == "GET"),
        "nothing written"
    );
}

#[test]
fn organization_imports_by_external_id() {
    let bench = Bench::start();
    let tf = Workdir::new(&bench);
    tf.write_main(
        r#"resource "workos_organization" "o" {
  name        = "Imported"
  external_id = "acme-ext-1"
}"#,
    );
    tf.apply();
    let id = tf.state_resource("workos_organization.o")["id"]
        .as_str()
        .expect("id")
        .to_string();
    tf.state_rm("workos_organization.o");
    tf.import("workos_organization.o", "external_id=acme-ext-1");
    assert_eq!(tf.state_resource("workos_organization.o")["id"], json!(id));
    tf.assert_no_changes();
    tf.state_rm("workos_organization.o");
    let out = tf
        .import_expect_error("workos_organization.o", "external_id=nobody")
        .output();
    assert!(
        out.contains("No workos_organization has this `external_id`"),
        "{out}"
    );
    tf.import("workos_organization.o", &id);
    tf.assert_no_changes();
}
