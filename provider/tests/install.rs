//! `terraform init` installing the provider each way a user can get it, with the real CLI and
//! no dev_overrides:
//!
//! - from a provider registry (the static tree `make mirror` writes, served over loopback HTTPS
//!   with a throwaway CA) under a custom host `localhost:PORT/workos-rs/workos`: the package
//!   signature is checked, the lock file records `h1:` and `zh:`; a tampered zip and a bad
//!   signature each make init fail with Terraform's own error;
//! - from a network mirror (`network_mirror`) with the public source address;
//! - from a filesystem mirror (`filesystem_mirror`, the layout `make install` writes) offline.
//!
//! After each install the quickstart plans against the emulator. The release is packed from a
//! debug binary with the shipped feature set (see [`provider_binary`]; same code as `make
//! release`, minus LTO), and signed with a throwaway RSA key in a temporary GNUPGHOME.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::https::StaticHttps;
use common::{Bench, Workdir};
use release::{Names, Platform, Release, Source};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn source() -> Source {
    Source::parse(generated::PROVIDER_SOURCE).expect("source address")
}

/// A signed release of the test binary and the trees `make mirror` builds from it.
struct Fixture {
    release: PathBuf,
    registry: PathBuf,
    network: PathBuf,
    key_id: String,
    h1: String,
    zh: String,
}

/// The binary to release: `SHIPPED_PROVIDER_BIN` when set (`make test` sets it to a binary
/// built by `cargo build`, with the features the shipped one has: dev-dependencies turn on
/// features of shared dependencies in the binary this test was built with, and such a
/// difference once hid a start-up failure of the shipped binary), else the test binary.
fn provider_binary() -> PathBuf {
    match std::env::var_os("SHIPPED_PROVIDER_BIN") {
        Some(p) => PathBuf::from(p),
        None => {
            eprintln!("install tests: SHIPPED_PROVIDER_BIN unset, releasing the test binary");
            PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-workos"))
        }
    }
}

fn run_gpg(home: &Path, args: &[&str]) -> String {
    let out = Command::new("gpg")
        .env("GNUPGHOME", home)
        .arg("--batch")
        .args(args)
        .output()
        .expect("gpg not found: run provider/tests/bench/setup.sh");
    assert!(
        out.status.success(),
        "gpg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Signs `dir`'s release with a fresh throwaway key (RSA: what registries accept) and returns
/// its key id. The key lives in a temporary GNUPGHOME whose agent is stopped afterwards.
fn sign_with_throwaway_key(dir: &Path, names: &Names, uid: &str) -> String {
    let home = tempfile::Builder::new()
        .prefix("gnupg-")
        .tempdir()
        .expect("GNUPGHOME");
    run_gpg(
        home.path(),
        &[
            "--passphrase",
            "",
            "--quick-gen-key",
            uid,
            "rsa2048",
            "sign",
            "never",
        ],
    );
    let signed = release::sign(dir, names, uid, Some(home.path()));
    let key = release::public_key(uid, Some(home.path()));
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", home.path())
        .args(["--kill", "gpg-agent"])
        .status();
    signed.expect("sign SHA256SUMS");
    key.expect("public key").0
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("install-tests");
        let _ = std::fs::remove_dir_all(&root);
        let release_dir = root.join("release");
        let p = release::package(
            &source(),
            VERSION,
            &[(Platform::host(), provider_binary())],
            &release_dir,
        )
        .expect("package the provider");
        let key_id = sign_with_throwaway_key(
            &release_dir,
            &p.names,
            "terraform-provider-workos test <release-test@example.invalid>",
        );
        let rel = Release::open(&release_dir, &source(), VERSION).expect("read release back");
        let registry = root.join("registry");
        release::registry_tree(&rel, &registry, "").expect("registry tree");
        let network = root.join("network");
        release::network_mirror(&rel, &network).expect("network mirror");
        let zip = &p.zips[0].1;
        Fixture {
            h1: release::h1_zip(zip).expect("h1"),
            zh: release::zh_hash(zip).expect("zh"),
            release: release_dir,
            registry,
            network,
            key_id,
        }
    })
}

/// The `hashes` Terraform recorded in the lock file for `provider_addr`.
fn locked_hashes(tf: &Workdir, provider_addr: &str) -> Vec<String> {
    let lock = tf
        .lock_file()
        .expect("terraform init wrote no .terraform.lock.hcl");
    let block = lock
        .split(&format!("provider \"{provider_addr}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no block for {provider_addr} in lock file:\n{lock}"));
    let block = block.split("\n}").next().unwrap_or_default();
    let version = regex::Regex::new(&format!(
        r#"\n\s*version\s*=\s*"{}""#,
        regex::escape(VERSION)
    ))
    .unwrap();
    assert!(
        version.is_match(block),
        "lock file does not pin {VERSION}:\n{lock}"
    );
    let re = regex::Regex::new(r#""((?:h1|zh):[^"]+)""#).unwrap();
    re.captures_iter(block).map(|c| c[1].to_string()).collect()
}

fn quickstart(source_attr: &str) -> String {
    let main = std::fs::read_to_string(common::repo_root().join("examples/quickstart/main.tf"))
        .expect("read quickstart");
    assert!(main.contains("source = \"workos-rs/workos\""));
    main.replace(
        "source = \"workos-rs/workos\"",
        &format!("source = \"{source_attr}\""),
    )
}

fn init(tf: &Workdir) -> common::Run {
    tf.run(&["init", "-input=false", "-no-color"])
}

/// Panics unless Terraform's output holds `needle`, ignoring how Terraform wrapped the lines.
fn assert_said(r: &common::Run, needle: &str) {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat(&r.output()).contains(&flat(needle)),
        "expected {needle:?} in output of {}",
        r.describe()
    );
}

/// The quickstart plans its five resources with the installed provider.
fn assert_quickstart_plans(tf: &Workdir) {
    tf.plan()
        .assert_contains("Plan: 5 to add, 0 to change, 0 to destroy.");
}

fn cli_config(installation: &str) -> String {
    format!("disable_checkpoint = true\nprovider_installation {{\n{installation}}}\n")
}

/// A copy of the registry tree served over HTTPS, with a workdir that installs from it.
fn registry_workdir(bench_url: &str, key: &str, tree: &Path) -> (StaticHttps, Workdir, String) {
    let server = StaticHttps::start(tree);
    let mut tf = Workdir::with_endpoint(bench_url, key);
    tf.set_cli_config(&cli_config("  direct {}\n"));
    tf.set_env("SSL_CERT_FILE", &server.ca_pem().display().to_string());
    let addr = format!("localhost:{}/workos-rs/workos", server.port());
    tf.write_file("main.tf", &quickstart(&addr));
    (server, tf, addr)
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read tree") {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// The registry tree with the zip replaced by another valid provider zip (a different binary).
/// With `fix_checksums`, SHA256SUMS and the download response's `shasum` are updated to the
/// new zip too, as an attacker without the signing key would, leaving the signature stale.
fn tampered_registry(fix_checksums: bool) -> tempfile::TempDir {
    let f = fixture();
    let dir = tempfile::Builder::new()
        .prefix("registry-tampered-")
        .tempdir()
        .unwrap();
    copy_tree(&f.registry, dir.path());
    let names = Names::new(&source(), VERSION);
    let platform = Platform::host();
    let files = dir
        .path()
        .join(format!("releases/workos-rs/workos/{VERSION}"));
    let zip = files.join(names.zip(&platform));
    let original = release::sha256_file(&zip).unwrap();
    let other = dir.path().join("other-binary");
    std::fs::write(&other, b"#!/bin/sh\necho not the provider\n").unwrap();
    release::write_zip(&other, &names.binary(&platform), &zip).unwrap();
    let tampered = release::sha256_file(&zip).unwrap();
    assert_ne!(original, tampered);
    if fix_checksums {
        let sums = files.join(names.shasums());
        let text = std::fs::read_to_string(&sums).unwrap();
        assert!(text.contains(&original));
        std::fs::write(&sums, text.replace(&original, &tampered)).unwrap();
        let download = dir.path().join(format!(
            "v1/providers/workos-rs/workos/{VERSION}/download/{}/{}",
            platform.os, platform.arch
        ));
        let text = std::fs::read_to_string(&download).unwrap();
        assert!(text.contains(&original));
        std::fs::write(&download, text.replace(&original, &tampered)).unwrap();
    }
    dir
}

#[test]
fn registry_install_checks_the_signature_and_locks_both_hashes() {
    let f = fixture();
    let bench = Bench::start();
    let (server, tf, addr) = registry_workdir(&bench.base_url(), &bench.api_key(), &f.registry);
    let r = init(&tf);
    r.assert_success();
    // Terraform names the key that verified SHA256SUMS; a key that is neither HashiCorp's nor
    // a partner's makes the package "self-signed".
    assert_said(&r, &format!("(self-signed, key ID {})", f.key_id));
    assert_said(&r, &format!("Installed {addr} v{VERSION}"));
    let hashes = locked_hashes(&tf, &addr);
    assert!(
        hashes.contains(&f.h1),
        "lock file lacks the project's h1: {} (has {hashes:?})",
        f.h1
    );
    assert!(
        hashes.contains(&f.zh),
        "lock file lacks the signed zh: {} (has {hashes:?})",
        f.zh
    );
    let served = server.requests();
    for path in [
        "/.well-known/terraform.json".to_string(),
        "/v1/providers/workos-rs/workos/versions".to_string(),
        format!("/releases/workos-rs/workos/{VERSION}/terraform-provider-workos_{VERSION}_SHA256SUMS.sig"),
    ] {
        assert!(
            served.contains(&format!("200 {path}")),
            "{path} not served: {served:?}"
        );
    }
    assert_quickstart_plans(&tf);
}

#[test]
fn registry_install_refuses_a_tampered_zip() {
    let tree = tampered_registry(false);
    let (_server, tf, _) = registry_workdir("http://127.0.0.1:9", "sk_test_unused", tree.path());
    let r = init(&tf);
    assert!(
        !r.success(),
        "init accepted a tampered zip: {}",
        r.describe()
    );
    let tampered = release::zh_hash(
        &tree
            .path()
            .join(format!("releases/workos-rs/workos/{VERSION}"))
            .join(Names::new(&source(), VERSION).zip(&Platform::host())),
    )
    .unwrap();
    assert_said(
        &r,
        &format!(
            "archive has incorrect checksum {tampered} (expected {})",
            fixture().zh
        ),
    );
    assert!(tf.lock_file().is_none(), "a lock file was written");
}

#[test]
fn registry_install_refuses_a_bad_signature() {
    let tree = tampered_registry(true);
    let (_server, tf, _) = registry_workdir("http://127.0.0.1:9", "sk_test_unused", tree.path());
    let r = init(&tf);
    assert!(
        !r.success(),
        "init accepted a package whose SHA256SUMS no longer matches its signature: {}",
        r.describe()
    );
    // The key the registry lists did sign, but not these bytes: Terraform's terminal error.
    assert_said(&r, "error checking signature: openpgp: invalid signature");
    assert!(tf.lock_file().is_none(), "a lock file was written");
}

#[test]
fn network_mirror_install_locks_the_mirror_hashes() {
    let f = fixture();
    let bench = Bench::start();
    let server = StaticHttps::start(&f.network);
    let mut tf = bench.workdir();
    tf.set_cli_config(&cli_config(&format!(
        "  network_mirror {{\n    url = \"{}/\"\n  }}\n",
        server.url()
    )));
    tf.set_env("SSL_CERT_FILE", &server.ca_pem().display().to_string());
    tf.write_file("main.tf", &quickstart("workos-rs/workos"));
    let r = init(&tf);
    r.assert_success();
    assert_said(&r, &format!("Installed workos-rs/workos v{VERSION}"));
    let hashes = locked_hashes(&tf, generated::PROVIDER_SOURCE);
    assert!(
        hashes.contains(&f.h1),
        "lock file lacks the mirror's h1: {} (has {hashes:?})",
        f.h1
    );
    let served = server.requests();
    let base = "/registry.terraform.io/workos-rs/workos";
    for path in [
        format!("{base}/index.json"),
        format!("{base}/{VERSION}.json"),
        format!("{base}/terraform-provider-workos_{VERSION}_linux_amd64.zip"),
    ] {
        assert!(
            served.contains(&format!("200 {path}")),
            "{path} not served: {served:?}"
        );
    }
    assert_quickstart_plans(&tf);
}

#[test]
fn filesystem_mirror_install_works_offline() {
    let f = fixture();
    let bench = Bench::start();
    let mut tf = bench.workdir();
    // What `make install` does: pack the binary and lay it out as `terraform providers mirror`.
    let mirror = tf.root().join("mirror");
    let staging = tf.root().join("staging");
    release::package(
        &source(),
        VERSION,
        &[(Platform::host(), provider_binary())],
        &staging,
    )
    .unwrap();
    let rel = Release::open(&staging, &source(), VERSION).unwrap();
    let dir = release::network_mirror(&rel, &mirror).unwrap();
    assert!(dir
        .join(format!(
            "terraform-provider-workos_{VERSION}_linux_amd64.zip"
        ))
        .is_file());
    tf.set_cli_config(&cli_config(&format!(
        "  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{}\"]\n  }}\n",
        mirror.display(),
        generated::PROVIDER_SOURCE
    )));
    // Offline: any connection Terraform tried beyond loopback would go to a closed port.
    for var in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"] {
        tf.set_env(var, "http://127.0.0.1:9");
    }
    tf.set_env("NO_PROXY", "127.0.0.1,localhost");
    tf.write_file("main.tf", &quickstart("workos-rs/workos"));
    let r = init(&tf);
    r.assert_success();
    assert_said(&r, &format!("Installed workos-rs/workos v{VERSION}"));
    let hashes = locked_hashes(&tf, generated::PROVIDER_SOURCE);
    assert_eq!(
        hashes,
        std::slice::from_ref(&f.h1),
        "a filesystem mirror records only the package's h1:"
    );
    assert_quickstart_plans(&tf);
}

#[test]
fn release_is_reproducible_listed_in_sha256sums_and_signed() {
    let f = fixture();
    let names = Names::new(&source(), VERSION);
    let sums = std::fs::read_to_string(f.release.join(names.shasums())).unwrap();
    assert!(sums.contains(&format!(
        "{}  {}\n",
        &f.zh[3..],
        names.zip(&Platform::host())
    )));
    assert!(sums.contains(&format!("  {}\n", names.manifest())));
    // Packing the same binary again gives byte-identical zips, hence identical SHA256SUMS.
    let again = tempfile::tempdir().unwrap();
    let p = release::package(
        &source(),
        VERSION,
        &[(Platform::host(), provider_binary())],
        again.path(),
    )
    .unwrap();
    assert_eq!(std::fs::read_to_string(&p.shasums).unwrap(), sums);
    let sig = std::fs::read(f.release.join(names.signature())).unwrap();
    // A binary OpenPGP signature packet (old format tag 2 or new format tag 2).
    assert!(
        sig.first().is_some_and(|b| b & 0x3c == 0x08 || *b == 0xc2),
        "not a binary signature"
    );
}
