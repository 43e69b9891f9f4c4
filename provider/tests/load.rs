//! Load: 1,500 objects applied with one API key against the emulator's rate limiter
//! (1,000 requests per 60 s per key, then 429 + Retry-After), at Terraform's default
//! parallelism (10) and at 30. Pacing plus Retry-After handling must carry both runs to zero
//! errors with the provider's default settings.
//!
//! Ignored by default (several minutes); run it with `make load`, or
//! `cargo test -p terraform-provider-workos --test load -- --ignored --nocapture`.
//! `LOAD_OBJECTS` changes the number of objects (default 1,500).

mod common;

use std::time::{Duration, Instant};

use common::{Bench, Workdir};
use terraform_provider_workos::transport::{Client, ClientConfig};

const SLUG_PREFIX: &str = "load-";

fn objects() -> usize {
    std::env::var("LOAD_OBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500)
}

/// Remote permissions this test created, counted through the API (paginated, with the
/// provider's own client so the rate limiter is waited out).
fn remote_count(bench: &Bench) -> usize {
    let cfg = ClientConfig::new(bench.base_url(), bench.api_key(), "load-test");
    let client = Client::new(cfg).expect("client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let items = rt
        .block_on(client.list_all("/authorization/permissions", &[]))
        .expect("list permissions");
    items
        .iter()
        .filter(|p| {
            p["slug"]
                .as_str()
                .is_some_and(|s| s.starts_with(SLUG_PREFIX))
        })
        .count()
}

/// The proxy's count of answers with `status` since the last clear.
fn answers(bench: &Bench, status: u16) -> usize {
    bench
        .proxy
        .requests()
        .iter()
        .filter(|r| r.status == status)
        .count()
}

fn timed(tf: &Workdir, args: &[&str]) -> (common::terraform::Run, Duration) {
    let t0 = Instant::now();
    let run = tf.run(args);
    (run, t0.elapsed())
}

/// Apply, count, destroy, count at one parallelism; returns a report line.
fn round(bench: &Bench, tf: &Workdir, n: usize, parallelism: u32) -> String {
    let p = format!("-parallelism={parallelism}");
    bench.proxy.clear_requests();
    let (run, apply_took) = timed(
        tf,
        &["apply", "-auto-approve", "-input=false", "-no-color", &p],
    );
    run.assert_success();
    assert!(!run.contains("Error:"), "{}", run.describe());
    run.assert_contains(&format!(
        "Apply complete! Resources: {n} added, 0 changed, 0 destroyed."
    ));
    let (created, limited) = (
        answers(bench, 201) + answers(bench, 200),
        answers(bench, 429),
    );
    assert_eq!(remote_count(bench), n, "objects in the API after apply");

    bench.proxy.clear_requests();
    let (run, destroy_took) = timed(
        tf,
        &["destroy", "-auto-approve", "-input=false", "-no-color", &p],
    );
    run.assert_success();
    assert!(!run.contains("Error:"), "{}", run.describe());
    run.assert_contains(&format!("Destroy complete! Resources: {n} destroyed."));
    let destroy_limited = answers(bench, 429);
    assert_eq!(remote_count(bench), 0, "objects left after destroy");
    format!(
        "parallelism {parallelism}: apply of {n} objects {:.1}s ({created} 2xx, {limited} answered 429 and retried), destroy {:.1}s ({destroy_limited} answered 429), 0 errors",
        apply_took.as_secs_f64(),
        destroy_took.as_secs_f64()
    )
}

#[test]
#[ignore = "several minutes against the emulator's rate limiter: run with `make load`"]
fn fifteen_hundred_objects_one_key_at_parallelism_10_and_30() {
    let n = objects();
    let bench = Bench::start();
    let tf = bench.workdir();
    tf.write_main(&format!(
        r#"resource "workos_permission" "p" {{
  count = {n}
  slug  = "{SLUG_PREFIX}${{count.index}}"
  name  = "Load ${{count.index}}"
}}
"#
    ));
    let mut report = vec![];
    for parallelism in [10, 30] {
        report.push(round(&bench, &tf, n, parallelism));
        println!("load: {}", report.last().unwrap());
    }
    println!("\nload report:\n  {}", report.join("\n  "));
}
