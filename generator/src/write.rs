//! Write stage: write every output file, or (check mode) report the files that would change.

use std::collections::BTreeMap;
use std::path::Path;

/// Directories wholly owned by the generator: files there that it no longer emits are stale.
pub const OWNED_DIRS: &[&str] = &[
    "generated/src",
    "docs",
    "examples/resources",
    "examples/data-sources",
];

fn existing_files(root: &Path) -> Vec<String> {
    let mut out = vec![];
    for d in OWNED_DIRS {
        let mut stack = vec![root.join(d)];
        while let Some(dir) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(rel) = p.strip_prefix(root) {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    out.sort();
    out
}

/// Files whose contents differ from `files` (missing, changed, or stale extra files).
pub fn diff(root: &Path, files: &BTreeMap<String, String>) -> Vec<String> {
    let mut changed = vec![];
    for (rel, content) in files {
        match std::fs::read_to_string(root.join(rel)) {
            Ok(c) if &c == content => {}
            _ => changed.push(rel.clone()),
        }
    }
    for rel in existing_files(root) {
        if !files.contains_key(&rel) {
            changed.push(rel);
        }
    }
    changed.sort();
    changed
}

/// Write `files`, remove stale files in the owned directories; returns what changed.
pub fn write(root: &Path, files: &BTreeMap<String, String>) -> std::io::Result<Vec<String>> {
    let changed = diff(root, files);
    for rel in &changed {
        let path = root.join(rel);
        match files.get(rel) {
            Some(content) => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, content)?;
            }
            None => std::fs::remove_file(&path)?,
        }
    }
    Ok(changed)
}
