//! The whole pipeline: load → normalize → parse → resolve → ir → emit.

use crate::error::Error;
use crate::{emit, ir, load, normalize, overrides, parse, resolve};
use std::collections::BTreeMap;
use std::path::Path;

/// Everything one run produces.
pub struct Output {
    pub ir: ir::ProviderIr,
    /// path relative to the root → contents
    pub files: BTreeMap<String, String>,
}

/// Run the pipeline on a workspace root (spec/, overrides/); all errors are collected.
pub fn generate(root: &Path) -> Result<Output, Vec<Error>> {
    let ov = overrides::load(&root.join("overrides"))?;
    let spec_path = root.join("spec").join(&ov.provider.spec);
    let bytes = std::fs::read(&spec_path).map_err(|e| {
        vec![Error::Override {
            file: ov.provider_file.display().to_string(),
            key: "spec".into(),
            message: format!("cannot read {}: {e}", spec_path.display()),
        }]
    })?;
    let sha = load::sha256_hex(&bytes);
    let doc = load::load(&spec_path).map_err(|e| vec![e])?;
    let version = spec_version(&ov.provider.spec, &doc);
    let api = parse::parse(normalize::normalize(doc)).map_err(|e| vec![e])?;
    let resolver = resolve::Resolver::new(&api);
    let hook_errors = unknown_hooks(root, &ov);
    let ir = match ir::build(&ov, &resolver, &sha, &version) {
        Ok(ir) if hook_errors.is_empty() => ir,
        Ok(_) => return Err(hook_errors),
        Err(mut e) => {
            e.extend(hook_errors);
            return Err(e);
        }
    };
    let mut files = emit::rust::emit(&ir).map_err(|e| vec![e])?;
    files.extend(emit::docs::emit(&ir).map_err(|e| vec![e])?);
    files.extend(emit::examples::emit(&ir));
    Ok(Output { ir, files })
}

/// The runtime's hook list (`<resource> <hook>` lines; `#` comments), which a unit test of the
/// provider keeps equal to its registry.
pub const HOOK_NAMES: &str = "provider/src/hooks/names.txt";

/// Every `hooks:` entry that names no hook of [`HOOK_NAMES`] for its resource.
fn unknown_hooks(root: &Path, ov: &overrides::Overrides) -> Vec<Error> {
    let text = std::fs::read_to_string(root.join(HOOK_NAMES)).unwrap_or_default();
    let known: Vec<(&str, &str)> = (text.lines())
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .map(|(r, n)| (r.trim(), n.trim()))
        .collect();
    let mut out = vec![];
    for (file, r) in &ov.resources {
        for h in (r.hooks.iter()).filter(|h| !known.contains(&(r.resource.as_str(), h.as_str()))) {
            out.push(Error::Override {
                file: file.display().to_string(),
                key: format!("hooks.{h}"),
                message: format!("{} has no hook {h:?} in {HOOK_NAMES}; implement it in provider/src/hooks/ and register it there (and in REGISTRY), or remove it", r.resource),
            });
        }
    }
    out
}

/// The spec's release: the `v<release>` its file is named with (`workos-openapi-v0.61.0.yaml`,
/// as spec/PROVENANCE.md records it), else its `info.version`.
pub fn spec_version(file: &str, doc: &serde_json::Value) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    match stem.rsplit_once("-v") {
        Some((_, v)) if v.starts_with(|c: char| c.is_ascii_digit()) => format!("v{v}"),
        _ => doc
            .pointer("/info/version")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string(),
    }
}
