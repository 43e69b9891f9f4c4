//! Exclusive groups and operation extensions, on the `groups` fixture (tests/fixtures/groups/):
//! the spec's `x-mutually-exclusive-*-groups` become descriptor groups in attribute names, and
//! they, `x-sends-email` and `x-feature-flag` reach the docs page of each object.

use std::path::Path;

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/groups")
}

fn generate() -> generator::Output {
    generator::generate(&fixture()).unwrap_or_else(|e| panic!("{e:#?}"))
}

fn file<'a>(out: &'a generator::Output, suffix: &str) -> &'a str {
    let hit = out.files.iter().find(|(p, _)| p.ends_with(suffix));
    hit.unwrap_or_else(|| panic!("no file {suffix}: {:?}", out.files.keys()))
        .1
}

#[test]
fn body_groups_become_attribute_groups_with_renames_applied() {
    let out = generate();
    let r = &out.ir.resources[0];
    let groups = serde_json::to_value(&r.groups).unwrap();
    // `legacy` is left out: its `code` variant is ignored, and a lone one-attribute optional
    // variant constrains nothing. The update's `secret` group is the create's, kept once.
    let want = serde_json::json!([
        {"name": "secret", "optional": true, "variants": [
            {"name": "plain", "attrs": ["secret"], "optional_attrs": []},
            {"name": "hashed", "attrs": ["hash", "secret_hash_type"], "optional_attrs": ["salt_position"]},
        ]},
        {"name": "owner", "optional": false, "variants": [
            {"name": "by_id", "attrs": ["owner_id"], "optional_attrs": []},
            {"name": "by_external_id", "attrs": ["owner_external_id", "owner_type"], "optional_attrs": []},
        ]},
    ]);
    assert_eq!(groups, want);
    // Write-only is sensitive unless the override says the value is no secret.
    let flags = |n: &str| {
        let a = r.attrs.iter().find(|a| a.name == n).unwrap();
        (a.write_only, a.sensitive)
    };
    assert_eq!(flags("hash"), (true, true));
    assert_eq!(flags("secret_hash_type"), (true, false));
    let rust = file(&out, "resources/account.rs");
    assert!(rust.contains("ExclusiveGroup {"), "{rust}");
    assert!(
        rust.contains("optional_attrs: &[\"salt_position\"]"),
        "{rust}"
    );
}

#[test]
fn parameter_groups_become_argument_groups() {
    let out = generate();
    let d = &out.ir.data_sources[0];
    let groups = serde_json::to_value(&d.groups).unwrap();
    let want = serde_json::json!([
        {"name": "owner", "optional": true, "variants": [
            {"name": "by_id", "attrs": ["owner"], "optional_attrs": []},
            {"name": "by_external_id", "attrs": ["owner_external_id", "owner_type"], "optional_attrs": []},
        ]},
    ]);
    assert_eq!(groups, want);
}

#[test]
fn the_docs_say_the_choices_and_what_the_extensions_say() {
    let out = generate();
    let page = file(&out, "resources/account.md");
    for line in [
        "- At most one of: `secret`; or `hash` with `secret_hash_type` (optionally with `salt_position`).",
        "- Exactly one of: `owner_id`; or `owner_external_id` with `owner_type`.",
        "~> **Note:** Creating this resource sends an email (the API's `x-sends-email`).",
        "~> **Note:** Needs the WorkOS feature flag `accounts-api` and `accounts-beta` enabled",
    ] {
        assert!(page.contains(line), "no {line:?} in\n{page}");
    }
    let page = file(&out, "data-sources/accounts.md");
    assert!(
        page.contains("- At most one of: `owner`; or `owner_external_id` with `owner_type`."),
        "{page}"
    );
    assert!(
        page.contains("feature flag `accounts-api` enabled"),
        "{page}"
    );
    assert!(!page.contains("sends an email"), "{page}");
}

#[test]
fn a_variant_only_partly_attributes_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &Path, to: &Path| -> std::io::Result<()> {
        for sub in ["spec", "overrides/resources", "overrides/data-sources"] {
            std::fs::create_dir_all(to.join(sub))?;
            for e in std::fs::read_dir(from.join(sub))?.flatten() {
                if e.path().is_file() {
                    std::fs::copy(e.path(), to.join(sub).join(e.file_name()))?;
                }
            }
        }
        std::fs::copy(
            from.join("overrides/provider.yaml"),
            to.join("overrides/provider.yaml"),
        )
        .map(drop)
    };
    copy(&fixture(), dir.path()).unwrap();
    let account = dir.path().join("overrides/resources/account.yaml");
    let text = std::fs::read_to_string(&account).unwrap();
    let text = text.replace("[legacy_code]", "[legacy_code, secret_hash_type]");
    std::fs::write(&account, text).unwrap();
    let errs: Vec<String> = match generator::generate(dir.path()) {
        Ok(_) => vec![],
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    };
    let hit = errs.iter().any(|e| {
        e.contains("account.yaml")
            && e.contains(": ignore.request: ")
            && e.contains("`secret`")
            && e.contains("secret_hash_type")
            && e.contains("ignore all of them or none")
    });
    assert!(hit, "{errs:#?}");
}

#[test]
fn a_parameter_variant_only_partly_bound_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["spec", "overrides/resources", "overrides/data-sources"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    for f in [
        "spec/groups.yaml",
        "overrides/provider.yaml",
        "overrides/resources/account.yaml",
        "overrides/data-sources/accounts.yaml",
    ] {
        std::fs::copy(fixture().join(f), dir.path().join(f)).unwrap();
    }
    let accounts = dir.path().join("overrides/data-sources/accounts.yaml");
    let text = std::fs::read_to_string(&accounts).unwrap();
    std::fs::write(&accounts, text.replace(", owner_type: owner_type", "")).unwrap();
    let errs: Vec<String> = match generator::generate(dir.path()) {
        Ok(_) => vec![],
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    };
    let hit = errs.iter().any(|e| {
        e.contains("accounts.yaml") && e.contains(": list.query: ") && e.contains("owner_type")
    });
    assert!(hit, "{errs:#?}");
}
