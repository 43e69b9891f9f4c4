//! Refreshes served from list pages (provider/src/engine/refresh.rs), counted through the
//! proxy: 1,000 organizations in state and in the account refresh in a few dozen requests,
//! and drift is still seen (changed ones are updated, a deleted one is re-created, the rest
//! is unchanged, one created elsewhere is ignored).

mod common;

use common::{Bench, LoggedRequest, Workdir};
use serde_json::json;
use std::collections::BTreeMap;

const ORGS: usize = 1000;
/// The goal of the issue: a refresh of 1,000 organizations costs at most this many requests.
const BUDGET: usize = 30;

fn name(i: usize) -> String {
    format!("refresh-{i:04}")
}

fn seed() -> String {
    let mut s = String::from("organizations:\n");
    for i in 0..ORGS {
        s.push_str(&format!("  - name: {}\n", name(i)));
    }
    s
}

/// Every organization of the account, name → id, read straight from the emulator (not
/// counted by the proxy).
fn all_orgs(bench: &Bench) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut after = String::new();
    loop {
        let (status, page) =
            bench.raw_api("GET", &format!("/organizations?limit=100{after}"), None);
        assert_eq!(status, 200, "{page}");
        for o in page["data"].as_array().expect("data") {
            let (n, id) = (o["name"].as_str(), o["id"].as_str());
            out.insert(n.expect("name").to_string(), id.expect("id").to_string());
        }
        match page["list_metadata"]["after"].as_str() {
            Some(c) if !c.is_empty() => after = format!("&after={c}"),
            _ => return out,
        }
    }
}

/// Pages of the organization list and single GETs among the requests; panics on anything
/// else (a refresh writes nothing).
fn reads(log: &[LoggedRequest]) -> (usize, usize) {
    let (mut pages, mut gets) = (0, 0);
    for r in log {
        assert_eq!(r.method, "GET", "a refresh only reads: {r:?}");
        if r.path.starts_with("/organizations?") {
            pages += 1;
        } else if r.path.starts_with("/organizations/") {
            gets += 1;
        } else {
            panic!("unexpected request {r:?}");
        }
    }
    (pages, gets)
}

fn config() -> String {
    r#"locals {
  orgs = jsondecode(file("orgs.json"))
}

import {
  for_each = local.orgs
  to       = workos_organization.o[each.key]
  id       = each.value
}

resource "workos_organization" "o" {
  for_each = local.orgs
  name     = each.key
}
"#
    .to_string()
}

#[test]
fn a_thousand_organizations_refresh_in_few_requests_and_drift_is_seen() {
    let bench = Bench::start_seeded(&seed());
    let ids = all_orgs(&bench);
    assert_eq!(ids.len(), ORGS);
    let tf = Workdir::new(&bench);
    tf.write_file("orgs.json", &serde_json::to_string(&ids).unwrap());
    tf.write_main(&config());

    // Import all of them: 1,000 imports and 1,000 reads in the plan's provider process.
    bench.proxy.clear_requests();
    let run = tf.apply();
    run.assert_contains(&format!(
        "Apply complete! Resources: {ORGS} imported, 0 added, 0 changed, 0 destroyed."
    ));
    let (pages, gets) = reads(&bench.proxy.requests());
    println!("import + read of {ORGS}: {pages} list pages + {gets} GETs");
    assert!(pages + gets <= BUDGET, "{pages} pages + {gets} GETs");

    // Drift made elsewhere: three renamed, one deleted, one created.
    let changed = [name(17), name(417), name(901)];
    let deleted = name(733);
    for c in &changed {
        let (s, _) = bench.api(
            "PUT",
            &format!("/organizations/{}", ids[c]),
            Some(json!({"name": format!("renamed {c}")})),
        );
        assert_eq!(s, 200);
    }
    let (s, _) = bench.api("DELETE", &format!("/organizations/{}", ids[&deleted]), None);
    assert!(s == 200 || s == 202 || s == 204, "delete: {s}");
    let (s, _) = bench.api(
        "POST",
        "/organizations",
        Some(json!({"name": "created elsewhere"})),
    );
    assert!(s == 200 || s == 201, "create: {s}");

    bench.proxy.clear_requests();
    let plan = tf.run(&["plan", "-input=false", "-no-color"]);
    plan.assert_success();
    let log = bench.proxy.requests();
    let (pages, gets) = reads(&log);
    println!("refresh of {ORGS}: {pages} list pages + {gets} GETs");
    assert!(pages + gets <= BUDGET, "{pages} pages + {gets} GETs");
    let got = |n: &String| {
        let path = format!("/organizations/{}", ids[n]);
        log.iter()
            .filter(|r| r.path == path)
            .map(|r| r.status)
            .collect::<Vec<u16>>()
    };
    assert!(
        got(&deleted).contains(&404),
        "the deletion is concluded from a GET's 404"
    );
    let from_pages = changed.iter().filter(|c| got(c).is_empty()).count();
    println!(
        "changed objects read from list pages: {from_pages} of {}",
        changed.len()
    );
    assert!(
        from_pages > 0,
        "drift is seen in a listed item, not only in a GET"
    );

    // Each changed one is put back, the deleted one re-created, the other 996 unchanged,
    // the one created elsewhere not looked at.
    for c in &changed {
        plan.assert_contains(&format!(
            "workos_organization.o[\"{c}\"] will be updated in-place"
        ))
        .assert_contains(&format!("\"renamed {c}\" -> \"{c}\""));
    }
    plan.assert_contains(&format!(
        "workos_organization.o[\"{deleted}\"] will be created"
    ))
    .assert_contains("Plan: 1 to add, 3 to change, 0 to destroy.");
    assert!(!plan.contains("created elsewhere"), "{}", plan.output());
}
