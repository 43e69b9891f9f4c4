//! `make sweep`: with `TF_ACC=1`, `WORKOS_API_KEY` and `WORKOS_BASE_URL` set, deletes every
//! object that acceptance runs in live mode left in that WorkOS environment: those carrying
//! `TFACC_RUN` (one run) or, without it, any run's prefix (`tfacc-`). See
//! `common/sweep.rs` for what is listed and how objects are matched.
mod common;

use common::sweep::{self, COMMON_PREFIX};
use common::Target;

#[test]
#[ignore = "live mode only: make sweep (TF_ACC=1, WORKOS_API_KEY, WORKOS_BASE_URL)"]
fn sweep_live_environment() {
    let (base, key) = match Target::from_env() {
        Ok(Target::Live { base_url, api_key }) => (base_url, api_key),
        Ok(Target::Emulator) => {
            panic!("the sweeper runs in live mode only: set TF_ACC=1, WORKOS_API_KEY and WORKOS_BASE_URL")
        }
        Err(e) => panic!("{e}"),
    };
    let prefix = std::env::var("TFACC_RUN")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| COMMON_PREFIX.to_string());
    println!("sweeping objects carrying {prefix:?} at {base}");
    let report = sweep::sweep(&base, &key, &prefix);
    for n in &report.notes {
        println!("note: {n}");
    }
    for d in &report.deleted {
        println!("deleted {d}");
    }
    println!("{} object(s) deleted", report.deleted.len());
    assert!(
        report.failures.is_empty(),
        "{} delete(s) failed:\n{}",
        report.failures.len(),
        report.failures.join("\n")
    );
}
