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
    let version = doc
        .pointer("/info/version")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    let api = parse::parse(normalize::normalize(doc)).map_err(|e| vec![e])?;
    let resolver = resolve::Resolver::new(&api);
    let mut ir = ir::build(&ov, &resolver, &sha, &version)?;
    // Record override files relative to the root, so output does not depend on the checkout.
    let rel = |f: &str| {
        Path::new(f)
            .strip_prefix(root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| f.to_string())
    };
    for r in &mut ir.resources {
        r.file = rel(&r.file);
    }
    for d in &mut ir.data_sources {
        d.file = rel(&d.file);
    }
    let mut files = emit::rust::emit(&ir).map_err(|e| vec![e])?;
    files.extend(emit::docs::emit(&ir).map_err(|e| vec![e])?);
    Ok(Output { ir, files })
}
