//! The descriptor-driven lint of a case (module of `acceptance.rs`): what a case must show for
//! each resource type it covers, derived from the type's descriptor in `generated::PROVIDER`.
//!
//! - import: by its ID (as many parts as the descriptor's import form) and, for each extra
//!   form of the descriptor (`import.by`, from the override's `import_by`), by `<attr>=<value>`;
//! - a delete operation: a `delete_outside` step; none: no `delete_outside` step (the API
//!   cannot delete it; destroy only forgets, which the closing destroy checks);
//! - each updatable attribute (settable, not force-new) changed between two consecutive
//!   `apply` steps, and each clearable one (its descriptor says how to clear it) set by one
//!   `apply` and removed by the next. `extra_configuration` is exempt: it is the same engine
//!   code for every resource, tested in `provider/tests/features.rs`.
//!
//! The configurations are read as a current Terraform runs the case: steps only for older
//! versions (`terraform: "< …"`) are left out, and `let` values that are plain text are
//! substituted.

use std::collections::BTreeMap;
use std::path::Path;

use descriptor::{Clear, ResourceDesc, EXTRA_CONFIGURATION};

use super::{text_of, type_of, Action, Case, Step};

/// A configuration's resource blocks: address → top-level attribute → its value's text
/// (whitespace collapsed).
type Blocks = BTreeMap<String, BTreeMap<String, String>>;

/// Problems of the covered resource types (data sources are checked elsewhere). An attribute
/// rule the case waives (`waive: {<type>.<attribute>: reason}`) is not a problem; a waiver
/// that waives nothing is.
pub(crate) fn lint_resources(dir: &Path, case: &Case) -> Vec<String> {
    let (covers, steps) = (&case.covers, &case.steps);
    let mut problems = Vec::new();
    let mut waived = Vec::new();
    let applied = match applied_configs(dir, steps) {
        Ok(a) => a,
        Err(e) => return vec![e],
    };
    for t in covers.iter().filter(|t| !t.starts_with("data.")) {
        let Some(desc) = generated::PROVIDER.resources.iter().find(|d| d.name == t) else {
            problems.push(format!("covers {t}, which the provider does not have"));
            continue;
        };
        problems.extend(imports(desc, steps));
        problems.extend(deletes(desc, steps));
        for (attr, problem) in attributes(desc, &applied) {
            let key = format!("{t}.{attr}");
            match case.waive.contains_key(&key) {
                true => waived.push(key),
                false => problems.push(problem),
            }
        }
    }
    for key in case.waive.keys().filter(|k| !waived.contains(k)) {
        problems.push(format!(
            "waives {key}, but the lint finds nothing to waive there: remove the waiver"
        ));
    }
    problems
}

fn imports(desc: &ResourceDesc, steps: &[Step]) -> Vec<String> {
    let t = desc.name;
    let ids: Vec<&str> = steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Import(i) if type_of(&i.address) == t => Some(i.id.as_str()),
            _ => None,
        })
        .collect();
    let forms: Vec<String> = (desc.import.by.iter())
        .map(|b| format!("{}=", b.attr))
        .collect();
    let mut problems = Vec::new();
    let parts = desc.import.parts.len();
    let by_id = ids.iter().any(|id| {
        !forms.iter().any(|f| id.starts_with(f.as_str()))
            && id.split(desc.import.separator).count() == parts
    });
    if !by_id {
        problems.push(format!(
            "covers {t}, but no `import` step imports it by its ID ({})",
            desc.import.parts.join(desc.import.separator)
        ));
    }
    for f in &forms {
        if !ids.iter().any(|id| id.starts_with(f.as_str())) {
            problems.push(format!(
                "covers {t}, but no `import` step imports it by `{f}<value>` (its hook imports by that form)"
            ));
        }
    }
    problems
}

fn deletes(desc: &ResourceDesc, steps: &[Step]) -> Option<String> {
    let t = desc.name;
    let deleted = steps.iter().any(|s| match &s.action {
        Action::DeleteOutside(d) => type_of(&d.address) == t,
        _ => false,
    });
    match (desc.delete.is_some(), deleted) {
        (true, false) => Some(format!(
            "covers {t}, but no `delete_outside` step deletes it"
        )),
        (false, true) => Some(format!(
            "covers {t}, which the API cannot delete: a `delete_outside` step cannot work (destroy only forgets it; the closing destroy checks that)"
        )),
        _ => None,
    }
}

/// (attribute, problem) for each attribute rule the applies do not meet.
fn attributes(desc: &ResourceDesc, applied: &[Blocks]) -> Vec<(&'static str, String)> {
    let t = desc.name;
    // Consecutive applies in which a block of this type exists both times.
    let mut pairs = Vec::new();
    for w in applied.windows(2) {
        for (address, before) in &w[0] {
            if type_of(address) == t {
                if let Some(after) = w[1].get(address) {
                    pairs.push((before, after));
                }
            }
        }
    }
    let mut problems = Vec::new();
    for a in desc.attrs.iter().filter(|a| a.is_settable()) {
        if a.name == EXTRA_CONFIGURATION {
            continue;
        }
        let n = a.name;
        let changed = pairs
            .iter()
            .any(|(b, x)| x.get(n).is_some_and(|v| b.get(n) != Some(v)));
        if !a.force_new && !changed {
            problems.push((
                n,
                format!(
                    "covers {t}, but no two consecutive `apply` steps change `{n}` (updatable)"
                ),
            ));
        }
        let removed = pairs
            .iter()
            .any(|(b, x)| b.contains_key(n) && !x.contains_key(n));
        if a.clear != Clear::Never && !removed {
            problems.push((
                n,
                format!(
                    "covers {t}, but no `apply` removes `{n}` (clearable) after one that set it"
                ),
            ));
        }
    }
    problems
}

/// The resource blocks of each `apply` step's configuration, in order.
fn applied_configs(dir: &Path, steps: &[Step]) -> Result<Vec<Blocks>, String> {
    let mut lets: BTreeMap<String, String> = BTreeMap::new();
    let mut applied = Vec::new();
    for s in steps {
        if s.terraform
            .as_deref()
            .is_some_and(|c| c.trim().starts_with('<'))
        {
            continue;
        }
        match &s.action {
            Action::Let(m) => {
                for (k, v) in m {
                    lets.insert(k.clone(), text_of(v));
                }
            }
            Action::Apply(c) => {
                let path = dir.join(c);
                let mut text =
                    std::fs::read_to_string(&path).map_err(|e| format!("config {c}: {e}"))?;
                for (k, v) in &lets {
                    text = text.replace(&format!("${{{k}}}"), v);
                }
                applied.push(resource_blocks(&text));
            }
            _ => {}
        }
    }
    Ok(applied)
}

// ---------------------------------------------------------------------------------------------
// Just enough HCL: resource blocks and their top-level attributes.

/// The end (exclusive) of the string literal opening at `i` (`"`), interpolations included.
fn string_end(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'$' if b.get(i + 1) == Some(&b'{') => i = group_end(b, i + 1),
            _ => i += 1,
        }
    }
    b.len()
}

/// The end (exclusive) of the bracketed group opening at `i`, strings skipped.
fn group_end(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i = string_end(b, i);
                continue;
            }
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// The text without comments (`#`, `//`, `/* */`); strings are kept whole.
fn strip_comments(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let end = string_end(b, i);
            out.extend_from_slice(&b[i..end]);
            i = end;
        } else if b[i] == b'#' || b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// Every `resource "<type>" "<name>" { … }` of a configuration, with its top-level
/// attributes.
fn resource_blocks(text: &str) -> Blocks {
    let text = strip_comments(text);
    let b = text.as_bytes();
    let mut blocks = Blocks::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => i = string_end(b, i),
            b'{' | b'[' | b'(' => i = group_end(b, i),
            c if is_word(c) => {
                let start = i;
                while i < b.len() && is_word(b[i]) {
                    i += 1;
                }
                let word = &text[start..i];
                let mut labels = Vec::new();
                loop {
                    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                        i += 1;
                    }
                    if b.get(i) != Some(&b'"') {
                        break;
                    }
                    let end = string_end(b, i);
                    labels.push(text[i + 1..end - 1].to_string());
                    i = end;
                }
                if word == "resource" && labels.len() == 2 && b.get(i) == Some(&b'{') {
                    let end = group_end(b, i);
                    let address = format!("{}.{}", labels[0], labels[1]);
                    blocks.insert(address, attributes_of(&text[i + 1..end - 1]));
                    i = end;
                }
            }
            _ => i += 1,
        }
    }
    blocks
}

/// The top-level `name = value` pairs of a block body (nested blocks skipped).
fn attributes_of(body: &str) -> BTreeMap<String, String> {
    let b = body.as_bytes();
    let mut attrs = BTreeMap::new();
    let mut i = 0;
    while i < b.len() {
        if !is_word(b[i]) {
            i = match b[i] {
                b'"' => string_end(b, i),
                b'{' | b'[' | b'(' => group_end(b, i),
                _ => i + 1,
            };
            continue;
        }
        let start = i;
        while i < b.len() && is_word(b[i]) {
            i += 1;
        }
        let name = &body[start..i];
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if b.get(i) != Some(&b'=') || b.get(i + 1) == Some(&b'=') {
            // A nested block (`lifecycle { … }`) or something else: skip to the line's end.
            while i < b.len() && b[i] != b'\n' {
                i = match b[i] {
                    b'"' => string_end(b, i),
                    b'{' | b'[' | b'(' => group_end(b, i),
                    _ => i + 1,
                };
            }
            continue;
        }
        i += 1;
        let value_start = i;
        while i < b.len() && b[i] != b'\n' {
            i = match b[i] {
                b'"' => string_end(b, i),
                b'{' | b'[' | b'(' => group_end(b, i),
                _ => i + 1,
            };
        }
        let value: Vec<&str> = body[value_start..i.min(b.len())]
            .split_whitespace()
            .collect();
        attrs.insert(name.to_string(), value.join(" "));
    }
    attrs
}

/// The HCL reader on the shapes the cases use; it runs as the `lint_reads_hcl` trial.
pub(crate) fn hcl_selftest() -> Result<(), String> {
    let text = r#"
# comment with resource "x" "y" {
resource "workos_user" "u" {
  email      = "a@b.example" // trailing
  metadata   = { team = "math", "k}" = "v" }
  domains    = [
    { domain = "one.example" },
  ]
  name       = "x ${var.y} \" z"
  lifecycle {
    ignore_changes = [name]
  }
  depends_on = [workos_user.first]
}
/* resource "workos_user" "hidden" { email = "h" } */
resource "workos_organization" "o" { name = "One" }
"#;
    let blocks = resource_blocks(text);
    let want: Blocks = [
        (
            "workos_user.u",
            vec![
                ("email", r#""a@b.example""#),
                ("metadata", r#"{ team = "math", "k}" = "v" }"#),
                ("domains", r#"[ { domain = "one.example" }, ]"#),
                ("name", r#""x ${var.y} \" z""#),
                ("depends_on", "[workos_user.first]"),
            ],
        ),
        ("workos_organization.o", vec![("name", r#""One""#)]),
    ]
    .into_iter()
    .map(|(a, kv)| {
        let attrs = kv
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        (a.to_string(), attrs)
    })
    .collect();
    match blocks == want {
        true => Ok(()),
        false => Err(format!("read {blocks:#?}\nexpected {want:#?}")),
    }
}

/// A resource the API cannot delete (no delete operation), with an extra import form.
static NO_DELETE: ResourceDesc = ResourceDesc {
    name: "workos_thing",
    description: "",
    attrs: &[],
    create: descriptor::Op::DEFAULT,
    read: descriptor::ReadDesc::Get(descriptor::Op::DEFAULT),
    refresh: None,
    update: None,
    delete: None,
    extra_writes: &[],
    actions: &[],
    transitions: &[],
    import: descriptor::ImportDesc {
        parts: &["organization_id", "slug"],
        separator: "/",
        by: &[descriptor::ImportBy {
            attr: "external_id",
            op: descriptor::Op::DEFAULT,
        }],
    },
    hooks: &[],
    adopt: None,
    singleton: false,
    groups: &[],
};

/// The import and delete rules follow the descriptor: it runs as the
/// `lint_follows_the_descriptor` trial, on a resource without a delete operation.
pub(crate) fn descriptor_selftest() -> Result<(), String> {
    let steps = |yaml: &str| -> Vec<Step> {
        let list: Vec<serde_yaml::Value> = serde_yaml::from_str(yaml).expect("steps");
        list.into_iter()
            .map(|v| super::parse_step(v).expect("step"))
            .collect()
    };
    let check = |yaml: &str, want: &[&str]| -> Result<(), String> {
        let s = steps(yaml);
        let mut got = imports(&NO_DELETE, &s);
        got.extend(deletes(&NO_DELETE, &s));
        let ok = got.len() == want.len() && want.iter().all(|w| got.iter().any(|g| g.contains(w)));
        match ok {
            true => Ok(()),
            false => Err(format!("steps {yaml}: problems {got:?}, expected {want:?}")),
        }
    };
    let both = "[{import: {address: workos_thing.t, id: 'org/slug'}}, {import: {address: workos_thing.t, id: 'external_id=x'}}]";
    check(both, &[])?;
    check(
        "[{import: {address: workos_thing.t, id: 'external_id=x'}}]",
        &["imports it by its ID (organization_id/slug)"],
    )?;
    check(
        "[{import: {address: workos_thing.t, id: 'org-slug'}}]",
        &["by its ID", "by `external_id=<value>`"],
    )?;
    check(
        "[{import: {address: workos_thing.t, id: 'a/b'}}, {import: {address: workos_thing.t, id: 'external_id=x'}}, {delete_outside: {path: /x, address: workos_thing.t}}]",
        &["cannot delete"],
    )
}
