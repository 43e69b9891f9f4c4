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
    let ir = ir::build(&ov, &resolver, &sha, &version)?;
    let mut files = emit::rust::emit(&ir).map_err(|e| vec![e])?;
    files.extend(emit::docs::emit(&ir).map_err(|e| vec![e])?);
    files.extend(emit::examples::emit(&ir));
    Ok(Output { ir, files })
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
