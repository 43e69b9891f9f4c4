//! Generator tests: snapshots of the IR and emitted files for a small fixture spec, the real
//! spec generating cleanly, every override error named by file and key, and `--check`.

use descriptor::{Clear, Mode, OnWrite};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Compare with a checked-in snapshot; `UPDATE_SNAPSHOTS=1` rewrites it.
fn assert_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert!(expected == actual, "snapshot {name} differs; run with UPDATE_SNAPSHOTS=1 to accept:\n--- expected\n{expected}\n--- actual\n{actual}");
}

/// Copy a directory tree (fixture → temp dir).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn mini_fixture_snapshots() {
    let out = generator::generate(&fixture("mini")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_snapshot(
        "mini/ir.json",
        &serde_json::to_string_pretty(&out.ir).unwrap(),
    );
    for (path, content) in &out.files {
        assert_snapshot(&format!("mini/{path}"), content);
    }
}

#[test]
fn mini_fixture_merge_rules() {
    let out = generator::generate(&fixture("mini")).unwrap();
    let r = &out.ir.resources[0];
    let a = |n: &str| {
        r.attrs
            .iter()
            .find(|a| a.name == n)
            .unwrap_or_else(|| panic!("no attribute {n}"))
    };
    assert_eq!(a("name").mode, Mode::Required);
    assert_eq!(a("note").mode, Mode::Optional, "nullable → clearable");
    assert_eq!(a("note").clear, Clear::Null);
    assert_eq!(a("color").mode, Mode::ComputedOptional);
    assert!(a("color").force_new, "create-only field forces replacement");
    assert!(!a("name").force_new);
    assert!(matches!(a("tags").ty, generator::ir::TyIr::Set(_)));
    assert!(a("secret_code").write_only && a("secret_code").sensitive);
    assert_eq!(a("id").mode, Mode::Computed);
    assert_eq!(a("updated_at").on_write, OnWrite::Changes);
    assert_eq!(a("created_at").on_write, OnWrite::Stable);
    assert!(r.attrs.iter().all(|a| a.name != "object"));
    // The derived sentences are part of the description the schema and the docs both show.
    assert!(
        a("color")
            .description
            .contains("Changing this replaces the object. When not set, the remote value is kept."),
        "{}",
        a("color").description
    );
    // A free-form object is a JSON string; nested fields take their mode from where they come from.
    assert!(matches!(a("settings").ty, generator::ir::TyIr::Json));
    let nested_mode = |n: &str, field: &str| {
        let fields = a(n)
            .ty
            .nested()
            .unwrap_or_else(|| panic!("{n} is not nested"));
        fields.iter().find(|f| f.name == field).unwrap().mode
    };
    assert_eq!(
        nested_mode("parts", "label"),
        Mode::Required,
        "required by the request item"
    );
    assert_eq!(nested_mode("parts", "weight"), Mode::Optional);
    assert_eq!(
        nested_mode("history", "at"),
        Mode::Computed,
        "response only"
    );
    assert!(a("note")
        .description
        .ends_with("Removing it from the configuration clears it."));
    assert!(a("secret_code")
        .description
        .contains("Write-only: never stored in state"));
    let extra = a(descriptor::EXTRA_CONFIGURATION);
    assert!(matches!(extra.ty, generator::ir::TyIr::Dynamic));
    assert_eq!(extra.mode, Mode::Optional);
    assert!(
        extra.create_field.is_none()
            && extra.update_field.is_none()
            && extra.response_field.is_none()
    );
}

#[test]
fn generation_is_deterministic() {
    let a = generator::generate(&fixture("mini")).unwrap().files;
    let b = generator::generate(&fixture("mini")).unwrap().files;
    assert_eq!(a, b);
}

#[test]
fn real_spec_and_overrides_generate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = generator::generate(&root).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let names: Vec<&str> = out.ir.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.len(), 7, "{names:?}");
    assert_eq!(out.ir.data_sources.len(), 3);
    for f in out.files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        assert!(f.1.starts_with("// @generated"), "{} lacks the header", f.0);
    }
}

/// Write an override file into a copy of the fixture and collect the errors.
fn errors_with(file: &str, content: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("mini"), dir.path());
    std::fs::write(dir.path().join(file), content).unwrap();
    match generator::generate(dir.path()) {
        Ok(_) => vec![],
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    }
}

const WIDGET: &str = "resource: mini_widget\ndescription: A widget.\noperations:\n  create: Widgets_create\n  read: Widgets_get\n  update: Widgets_update\n  delete: Widgets_delete\nimport: [id]\n";

#[test]
fn override_errors_name_file_and_key() {
    let file = "overrides/resources/widget.yaml";
    let cases: BTreeMap<&str, (String, &str)> = BTreeMap::from([
        (
            "unknown operation",
            (
                WIDGET.replace("Widgets_get", "Widgets_fetch"),
                "operations.read",
            ),
        ),
        (
            "unknown attribute",
            (
                format!("{WIDGET}attributes:\n  colour:\n    set: true\n"),
                "attributes.colour",
            ),
        ),
        (
            "unknown ignored field",
            (
                format!("{WIDGET}ignore:\n  request: [nope]\n"),
                "ignore.request.nope",
            ),
        ),
        (
            "a removed knob",
            (
                format!("{WIDGET}import_separator: \":\"\n"),
                "import_separator",
            ),
        ),
        (
            "bad import attribute",
            (
                WIDGET.replace("import: [id]", "import: [uid]"),
                "import.uid",
            ),
        ),
        (
            "bad mode",
            (
                format!("{WIDGET}attributes:\n  name:\n    mode: sometimes\n"),
                "attributes.name.mode",
            ),
        ),
        (
            "unknown yaml key",
            (format!("{WIDGET}colour: red\n"), "colour"),
        ),
        (
            "adopt_by key not an attribute",
            (
                format!("{WIDGET}adopt_by:\n  operation: Widgets_list\n  key: [serial]\n"),
                "adopt_by.key.serial",
            ),
        ),
        (
            "adopt_by query parameter the operation lacks",
            (
                format!("{WIDGET}adopt_by:\n  operation: Widgets_list\n  query: {{shade: color}}\n  key: [name]\n"),
                "adopt_by.query.shade",
            ),
        ),
        (
            "adopt_by get whose path parameter is no key",
            (
                format!("{WIDGET}adopt_by:\n  operation: Widgets_get\n  key: [name]\n"),
                "adopt_by.operation",
            ),
        ),
        (
            "set on a scalar",
            (
                format!("{WIDGET}attributes:\n  name:\n    set: true\n"),
                "attributes.name.set",
            ),
        ),
    ]);
    for (what, (content, key)) in cases {
        let errs = errors_with(file, &content);
        assert!(!errs.is_empty(), "{what}: no error");
        assert!(
            errs.iter()
                .any(|e| e.contains("widget.yaml") && e.contains(key)),
            "{what}: errors do not name the file and {key:?}: {errs:?}"
        );
    }
}

#[test]
fn all_override_errors_are_reported_together() {
    let content = WIDGET
        .replace("Widgets_get", "Widgets_fetch")
        .replace("Widgets_delete", "Widgets_remove");
    let errs = errors_with("overrides/resources/widget.yaml", &content);
    assert!(errs.len() >= 2, "{errs:?}");
}

fn run_generator(root: &Path, check: bool) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_generator"));
    cmd.arg("--root").arg(root);
    if check {
        cmd.arg("--check");
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn check_fails_after_hand_edit_or_unregenerated_override_change() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("mini"), dir.path());
    let root = dir.path();
    let (ok, out) = run_generator(root, true);
    assert!(!ok, "nothing generated yet, --check must fail: {out}");
    assert!(run_generator(root, false).0);
    let (ok, out) = run_generator(root, true);
    assert!(ok, "fresh output must pass --check: {out}");

    // A hand edit of a generated file.
    let file = root.join("generated/src/resources/widget.rs");
    let original = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        original.replace("A widget.", "A hand-edited widget."),
    )
    .unwrap();
    let (ok, out) = run_generator(root, true);
    assert!(
        !ok && out.contains("generated/src/resources/widget.rs"),
        "{out}"
    );
    assert!(run_generator(root, false).0);
    assert!(run_generator(root, true).0);

    // An override change that was not regenerated: both the Rust and the docs differ.
    let ov = root.join("overrides/resources/widget.yaml");
    let text = std::fs::read_to_string(&ov)
        .unwrap()
        .replace("description: A widget.", "description: A better widget.");
    std::fs::write(&ov, text).unwrap();
    let (ok, out) = run_generator(root, true);
    assert!(!ok, "{out}");
    assert!(
        out.contains("generated/src/resources/widget.rs")
            && out.contains("docs/resources/widget.md"),
        "{out}"
    );

    // A stale file left in an owned directory is named too.
    assert!(run_generator(root, false).0);
    std::fs::write(root.join("docs/resources/old.md"), "stale").unwrap();
    let (ok, out) = run_generator(root, true);
    assert!(!ok && out.contains("docs/resources/old.md"), "{out}");
}

#[test]
fn a_bad_enum_value_names_file_line_and_key() {
    let content = format!("{WIDGET}attributes:\n  name:\n    mode: sometimes\n");
    let errs = errors_with("overrides/resources/widget.yaml", &content);
    assert_eq!(errs.len(), 1, "{errs:?}");
    let e = &errs[0];
    assert!(e.contains("widget.yaml: attributes.name.mode: "), "{e}");
    assert!(
        e.contains("unknown variant `sometimes`") && e.contains("computed_optional"),
        "{e}"
    );
    assert!(e.contains("line 11 column 11"), "{e}");
}

#[test]
fn a_body_field_named_extra_configuration_is_a_conflict() {
    let content = format!("{WIDGET}attributes:\n  note:\n    rename: extra_configuration\n");
    let errs = errors_with("overrides/resources/widget.yaml", &content);
    assert!(
        errs.iter()
            .any(|e| e.contains("attributes.extra_configuration") && e.contains("pass-through")),
        "{errs:?}"
    );
}

/// Every relative Markdown link (and in-page anchor) of a docs tree points at something there.
fn assert_links_resolve(docs: &Path) {
    let mut pages = vec![];
    let mut stack = vec![docs.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                pages.push(p);
            }
        }
    }
    assert!(!pages.is_empty(), "no pages under {}", docs.display());
    let mut checked = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let target = &rest[..rest.find(')').unwrap()];
            assert!(
                !target.starts_with('/'),
                "{}: site-relative link {target:?} leads nowhere on a docs page",
                page.display()
            );
            if target.contains("://") {
                continue; // absolute: another site
            }
            let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
            let file = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            assert!(
                file.is_file(),
                "{}: link {target:?} has no target",
                page.display()
            );
            if !anchor.is_empty() {
                let t = std::fs::read_to_string(&file).unwrap();
                assert!(
                    t.contains(&format!("id=\"{anchor}\"")),
                    "{}: no anchor {target:?}",
                    page.display()
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "no relative links found under {}",
        docs.display()
    );
}

#[test]
fn every_docs_link_resolves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_links_resolve(&root.join("../docs"));
    assert_links_resolve(&root.join("tests/snapshots/mini/docs"));
}

/// The mini snapshot's Rust is a crate of its own (outside the workspace, its own target
/// directory): it must compile against the descriptor crate.
#[test]
fn mini_snapshot_rust_compiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = root.join("tests/snapshots/mini/generated/Cargo.toml");
    let target = root.join("../target/mini-snapshot");
    let out = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--offline", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the mini snapshot does not compile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The mini fixture's widget with its spec edited by `edit`: the list its refreshes may use.
fn widget_refresh(edit: impl Fn(String) -> String) -> Option<generator::ir::RefreshIr> {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("mini"), dir.path());
    let spec = dir.path().join("spec/mini.yaml");
    std::fs::write(&spec, edit(std::fs::read_to_string(&spec).unwrap())).unwrap();
    let out = generator::generate(dir.path()).unwrap_or_else(|e| panic!("{e:?}"));
    out.ir.resources[0].refresh.clone()
}

/// The mini spec with a `limit` parameter on the widget list (it then qualifies).
fn with_limit(spec: String) -> String {
    spec.replacen(
        "      operationId: Widgets_list\n      parameters:\n",
        "      operationId: Widgets_list\n      parameters:\n        - name: limit\n          in: query\n          schema:\n            type: integer\n",
        1,
    )
}

#[test]
fn refresh_lists_only_where_the_item_is_the_get_body() {
    let r = widget_refresh(with_limit).expect("list of Widget with limit/after qualifies");
    assert_eq!(r.op.operation_id, "Widgets_list");
    assert!(r.op.paginated && r.op.path == "/widgets");
    assert_eq!((r.field.as_str(), r.attr.as_str()), ("id", "id"));
    assert!(
        widget_refresh(|s| s).is_none(),
        "a list without `limit` cannot be paged by 100"
    );
    let other_item = |s: String| {
        with_limit(s).replacen(
            "                    items:\n                      $ref: '#/components/schemas/Widget'",
            "                    items:\n                      type: object\n                      properties:\n                        id:\n                          type: string",
            1,
        )
    };
    assert!(widget_refresh(other_item).is_none(), "item schema differs");
    let required_filter = |s: String| {
        with_limit(s).replacen(
            "        - name: color\n          in: query\n",
            "        - name: color\n          in: query\n          required: true\n",
            1,
        )
    };
    assert!(
        widget_refresh(required_filter).is_none(),
        "a list that needs a filter is not a complete listing"
    );
}

#[test]
fn real_spec_refreshes_organizations_from_their_list() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = generator::generate(&root).unwrap_or_else(|e| panic!("{e:?}"));
    let refresh = |n: &str| {
        let r = out.ir.resources.iter().find(|r| r.name == n).unwrap();
        r.refresh.as_ref().map(|l| l.op.operation_id.clone())
    };
    assert_eq!(
        refresh("workos_organization").as_deref(),
        Some("OrganizationsController_list")
    );
    assert_eq!(
        refresh("workos_webhook_endpoint"),
        None,
        "read by list already"
    );
}
