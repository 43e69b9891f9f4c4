//! What the provider writes to Terraform's log: its HTTP requests and responses under
//! `TF_LOG=DEBUG`, and never the API key or a write-only value, not even under `TF_LOG=TRACE`
//! (nor in the state file).
//!
//! A custom harness, so that a trial the Terraform in use cannot run (write-only values need
//! 1.11) is reported as ignored, never as passed; the API-key half runs on every Terraform.

mod common;

use common::terraform::{trial, trial_needing};
use common::{Bench, Workdir};
use std::path::PathBuf;

/// A workdir whose terraform runs log at `level` into a file of their own.
fn logged_workdir(bench: &Bench, level: &str) -> (Workdir, PathBuf) {
    let mut tf = Workdir::new(bench);
    let log = tf.root().join(format!("terraform-{level}.log"));
    tf.set_env("TF_LOG", level);
    tf.set_env("TF_LOG_PATH", &log.display().to_string());
    (tf, log)
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The log lines the provider wrote that contain `needle`.
fn provider_lines<'a>(log: &'a str, needle: &str) -> Vec<&'a str> {
    log.lines()
        .filter(|l| l.contains("provider.terraform-provider-workos") && l.contains(needle))
        .collect()
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let trials = vec![
        trial(
            "debug_log_shows_each_http_request_and_response",
            debug_log_shows_each_http_request_and_response,
        ),
        trial(
            "trace_log_and_state_hold_no_api_key",
            trace_log_and_state_hold_no_api_key,
        ),
        trial_needing(
            "trace_log_and_state_hold_no_write_only_password",
            (1, 11, 0),
            "write-only attributes",
            trace_log_and_state_hold_no_write_only_password,
        ),
    ];
    libtest_mimic::run(&args, trials).exit();
}

fn debug_log_shows_each_http_request_and_response() {
    let bench = Bench::start();
    let (tf, log_path) = logged_workdir(&bench, "DEBUG");
    tf.write_main(
        r#"resource "workos_organization" "o" {
  name = "Logged Org"
}"#,
    );
    tf.apply();
    let log = read(&log_path);

    let requests = provider_lines(&log, "HTTP request: POST /organizations (attempt 1)");
    assert_eq!(requests.len(), 1, "no request line in the log:\n{log}");
    assert!(requests[0].contains("[DEBUG]"), "{}", requests[0]);
    assert!(
        requests[0].contains("@module=provider.transport"),
        "{}",
        requests[0]
    );
    let responses = provider_lines(&log, "HTTP response: POST /organizations -> 20");
    assert_eq!(responses.len(), 1, "no response line in the log:\n{log}");
    assert!(responses[0].contains(" ms (attempt 1)"), "{}", responses[0]);
    // The refresh of the next plan reads the object back, and that is logged too.
    let id = tf.state_resource("workos_organization.o")["id"]
        .as_str()
        .expect("an id in state")
        .to_string();
    tf.plan();
    let log = read(&log_path);
    let get = format!("HTTP response: GET /organizations/{id} -> 200 OK in ");
    assert_eq!(
        provider_lines(&log, &get).len(),
        1,
        "no {get:?} in the log:\n{log}"
    );
    // Bodies are TRACE-only.
    assert!(
        provider_lines(&log, "HTTP request body").is_empty(),
        "bodies at DEBUG:\n{log}"
    );
}

/// Under TRACE the request bodies are logged, and neither the log nor the state holds the key.
fn trace_log_and_state_hold_no_api_key() {
    let bench = Bench::start();
    let (tf, log) = logged_workdir(&bench, "TRACE");
    tf.write_main(
        r#"resource "workos_organization" "o" {
  name = "Traced Org"
}"#,
    );
    tf.apply();
    let log = read(&log);
    let bodies = provider_lines(&log, "HTTP request body: POST /organizations");
    assert_eq!(bodies.len(), 1, "no request body line at TRACE:\n{log}");
    assert!(bodies[0].contains("Traced Org"), "{}", bodies[0]);
    let key = bench.api_key();
    assert!(!key.is_empty());
    let state = read(&tf.path().join("terraform.tfstate"));
    for (what, text) in [("the TRACE log", &log), ("the state", &state)] {
        assert!(!text.contains(&key), "the API key is in {what}");
    }
}

/// A write-only `password`, sent once, is masked in the TRACE body line and absent from the log
/// and the state (as is the key).
fn trace_log_and_state_hold_no_write_only_password() {
    let bench = Bench::start();
    let (tf, log) = logged_workdir(&bench, "TRACE");
    let password = "Tr4ce-only-pa55word-never-logged";
    tf.write_main(&format!(
        r#"resource "workos_user" "u" {{
  email      = "trace@users.example"
  first_name = "Trace"
  password   = "{password}"
}}"#
    ));
    tf.apply();
    let sent = bench.proxy.requests().iter().any(|r| {
        r.method == "POST"
            && r.path.starts_with("/user_management/users")
            && r.request_body.contains(password)
    });
    assert!(sent, "the password was not sent to the API");

    let log = read(&log);
    let bodies = provider_lines(&log, "HTTP request body: POST /user_management/users");
    assert_eq!(bodies.len(), 1, "no request body line at TRACE:\n{log}");
    assert!(
        bodies[0].contains("***"),
        "the password is not masked: {}",
        bodies[0]
    );
    let key = bench.api_key();
    assert!(!key.is_empty());
    let state = read(&tf.path().join("terraform.tfstate"));
    for (what, text) in [("the TRACE log", &log), ("the state", &state)] {
        assert!(!text.contains(&key), "the API key is in {what}");
        assert!(!text.contains(password), "the password is in {what}");
    }
}
