//! The quickstart (examples/quickstart) applied against a freshly started emulator: the
//! `make demo` command. Prints the outputs, then checks the plan is empty and destroys.

mod common;

use common::{Bench, Workdir};

#[test]
fn quickstart_applies_against_a_fresh_emulator() {
    let bench = Bench::start();
    let tf = Workdir::new(&bench);
    let main = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/quickstart/main.tf"
    ))
    .unwrap();
    tf.write_file("main.tf", &main);
    tf.apply();
    println!(
        "\nQuickstart applied against the local WorkOS emulator at {}.\nOutputs:",
        bench.emulator_url()
    );
    for name in ["organization_id", "user_id", "membership_roles"] {
        println!("  {name} = {}", tf.output(name));
    }
    let org = tf
        .output("organization_id")
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(org.starts_with("org_"), "organization_id output: {org:?}");
    let (status, body) = bench.api("GET", &format!("/organizations/{org}"), None);
    assert_eq!(status, 200);
    assert_eq!(body["name"], "Acme Corp");
    tf.assert_no_changes();
    tf.destroy();
    let (status, _) = bench.api("GET", &format!("/organizations/{org}"), None);
    assert_eq!(status, 404, "destroy left the organization behind");
}
