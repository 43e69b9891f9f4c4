//! Secrets stay secret, through the real CLI and the emulator: after applies that create,
//! update and fail, under `TF_LOG=TRACE`, the API key, a write-only `password` (first and
//! changed value), a webhook endpoint's one-time signing `secret` and an `extra_configuration`
//! value are looked for in the TRACE log, in every diagnostic and plan Terraform printed
//! (stdout and stderr), and in `terraform.tfstate`.
//!
//! What "never in state" means for each, decided from the schema:
//! - the API key (sensitive provider configuration) and write-only values: never in state —
//!   Terraform does not store write-only values, and the provider keeps only a salted digest
//!   of them in private state (checked here: the digest is there, the value is not);
//! - the webhook `secret` is sensitive and *computed*: WorkOS returns it once, and the state is
//!   the only place it can be kept for the user to hand to a receiver (the resource's docs say
//!   so), so it is in state, marked sensitive — but never in a log or a diagnostic;
//! - `extra_configuration` is an ordinary (not sensitive) attribute for fields the schema does
//!   not know yet: Terraform itself shows it in plans and stores it in state like any
//!   configured value. The provider cannot know whether such a field is secret, so its values
//!   are masked in every transport log line (request and response bodies alike) — checked
//!   here in the provider's own log lines, which are the provider's to control.
//!
//! Two trials (a custom harness, so that a trial the Terraform in use cannot run is reported
//! as ignored, never as passed): `secrets_never_reach_logs_diagnostics_or_state` runs on every
//! Terraform (the API key, the webhook secret, `extra_configuration`; the user's update is a
//! name change); `write_only_password_never_reaches_logs_diagnostics_or_state` adds the
//! write-only `password` and needs Terraform 1.11 or later.

mod common;

use common::terraform::{trial, trial_needing};
use common::{Bench, Fault, Workdir};
use std::path::PathBuf;

const PASSWORD_1: &str = "Secr3t-first-pa55word-zq81";
const PASSWORD_2: &str = "Secr3t-second-pa55word-xk27";
const EXTRA: &str = "extra-value-wv93";

/// The secrets come from sensitive variables (set through `TF_VAR_*`), as in a real
/// configuration: a literal in main.tf would be quoted by Terraform itself in the source
/// snippet of any diagnostic about its resource.
/// `{password}` is replaced by the user's `password` argument (write-only) or by nothing.
const CONFIG: &str = r#"variable "password" {
  type      = string
  sensitive = true
  default   = null
}

variable "first_name" {
  type = string
}

variable "label" {
  type = string
}

resource "workos_user" "u" {
  email      = "secrets@users.example"
  first_name = var.first_name{password}
}

resource "workos_webhook_endpoint" "w" {
  endpoint_url = "http://127.0.0.1:9/hooks/secrets"
  events       = ["user.created"]
}

resource "workos_organization" "o" {
  name                = "Secrets Org"
  extra_configuration = { preview_label = var.label }
}
"#;

/// The user's first name and, with write-only values, its password.
fn set_secrets(tf: &mut Workdir, first_name: &str, password: Option<&str>) {
    if let Some(password) = password {
        tf.set_env("TF_VAR_password", password);
    }
    tf.set_env("TF_VAR_first_name", first_name);
    tf.set_env("TF_VAR_label", EXTRA);
}

fn read(path: &PathBuf) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The provider's own lines of a Terraform log.
fn provider_lines(log: &str) -> String {
    log.lines()
        .filter(|l| l.contains("provider.terraform-provider-workos"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_absent(needle: &str, what: &str, text: &str) {
    assert!(!needle.is_empty());
    if let Some(at) = text.find(needle) {
        let from = at.saturating_sub(200);
        panic!(
            "{what} holds a secret: …{}…",
            &text[from..(at + needle.len() + 50).min(text.len())]
        );
    }
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let trials = vec![
        trial("secrets_never_reach_logs_diagnostics_or_state", || {
            secrets_scenario(false)
        }),
        trial_needing(
            "write_only_password_never_reaches_logs_diagnostics_or_state",
            (1, 11, 0),
            "write-only attributes",
            || secrets_scenario(true),
        ),
    ];
    libtest_mimic::run(&args, trials).exit();
}

/// Creates, updates and fails to update the three resources under TRACE, then looks for every
/// secret; `write_only`: the user has a write-only `password`, set, changed and set back.
fn secrets_scenario(write_only: bool) {
    let bench = Bench::start();
    let mut tf = Workdir::new(&bench);
    let password = |p: &'static str| write_only.then_some(p);
    let log_path = tf.root().join("terraform-trace.log");
    tf.set_env("TF_LOG", "TRACE");
    tf.set_env("TF_LOG_PATH", &log_path.display().to_string());
    let mut outputs = String::new();

    // Create.
    let line = if write_only {
        "\n  password   = var.password"
    } else {
        ""
    };
    tf.write_main(&CONFIG.replace("{password}", line));
    set_secrets(&mut tf, "Secret", password(PASSWORD_1));
    outputs.push_str(&tf.apply().output());
    let secret = tf.state_resource("workos_webhook_endpoint.w")["secret"]
        .as_str()
        .expect("the one-time secret is kept in state")
        .to_string();
    assert!(secret.len() >= 8, "secret {:?}", secret.len());
    let sent = |needle: &str| {
        bench
            .proxy
            .requests()
            .iter()
            .any(|r| r.request_body.contains(needle))
    };
    assert!(sent(EXTRA), "the extra value was not sent");
    assert!(!write_only || sent(PASSWORD_1), "the password was not sent");

    // Update: a changed write-only value is named in the plan, never shown.
    set_secrets(&mut tf, "Secretly", password(PASSWORD_2));
    let plan = tf.plan();
    if write_only {
        plan.assert_contains("Write-only attribute `password` changed");
    } else {
        plan.assert_contains("Secretly");
    }
    outputs.push_str(&plan.output());
    outputs.push_str(&tf.apply().output());
    assert!(sent("Secretly"), "the update was not sent");
    assert!(
        !write_only || sent(PASSWORD_2),
        "the changed password was not sent"
    );

    // A failing update: the API refuses it (with its own message); the diagnostic says so.
    bench.proxy.inject(Fault {
        method: "PUT".into(),
        path: "/user_management/users/*".into(),
        status: 422,
        retry_after: None,
        count: 1,
        body: Some(serde_json::json!({
            "message": "Validation failed",
            "code": "invalid_request_parameters",
            "errors": [{"field": "first_name", "code": "first_name_too_long"}]
        })),
    });
    set_secrets(&mut tf, "Secret", password(PASSWORD_1));
    let failed = tf.apply_expect_error();
    failed.assert_contains("first_name");
    outputs.push_str(&failed.output());

    let log = read(&log_path);
    let ours = provider_lines(&log);
    assert!(
        ours.contains("HTTP request body: POST /user_management/users"),
        "no TRACE body lines: is TF_LOG=TRACE reaching the provider?"
    );
    let state = read(&tf.path().join("terraform.tfstate"));
    let key = bench.api_key();
    for (what, text) in [
        ("the TRACE log", &log),
        ("the CLI output", &outputs),
        ("the state", &state),
    ] {
        assert_absent(&key, what, text);
        assert_absent(PASSWORD_1, what, text);
        assert_absent(PASSWORD_2, what, text);
    }
    for (what, text) in [("the TRACE log", &log), ("the CLI output", &outputs)] {
        assert_absent(&secret, what, text);
    }
    assert_absent(EXTRA, "the provider's TRACE lines", &ours);
    // ... because the fields were logged, masked (the log lines quote the body JSON).
    let masked: &[&str] = if write_only {
        &["password", "preview_label", "secret"]
    } else {
        &["preview_label", "secret"]
    };
    for field in masked {
        assert!(
            ours.contains(&format!("\"{field}\":\"***\"")),
            "no masked {field} in the provider's lines"
        );
    }
    // The write-only value left its digest in private state, not itself.
    assert!(
        !write_only || state.contains("\"private\""),
        "no private state to detect changes with"
    );
}
