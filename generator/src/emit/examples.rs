//! IR → `examples/`: each resource's `resource.tf` and `import.sh`, each data source's
//! `data-source.tf` (the registry's documentation layout; folders from [`crate::names`]).

use crate::ir::*;
use crate::names::{self, Kind};
use std::collections::BTreeMap;

/// Every example file, relative to the workspace root.
pub fn emit(ir: &ProviderIr) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for r in &ir.resources {
        let dir = names::example_dir(Kind::Resource, &r.name);
        example(&mut out, Kind::Resource, &dir, r.example.as_deref());
        let form = names::import_form(&r.import_parts);
        let what = match r.import_parts.is_empty() {
            true => "any ID: there is one per environment".to_string(),
            false => form.clone(),
        };
        let mut sh = format!(
            "# Import by {what}\nterraform import {}.example \"{form}\"\n",
            r.name
        );
        for b in &r.import_by {
            let a = &b.attr;
            sh.push_str(&format!(
                "\n# Import by {a} (looked up)\nterraform import {}.example \"{a}=<{a}>\"\n",
                r.name
            ));
        }
        out.insert(format!("{dir}/import.sh"), sh);
    }
    for d in &ir.data_sources {
        let dir = names::example_dir(Kind::DataSource, &d.name);
        example(&mut out, Kind::DataSource, &dir, d.example.as_deref());
    }
    out
}

fn example(out: &mut BTreeMap<String, String>, kind: Kind, dir: &str, hcl: Option<&str>) {
    if let Some(hcl) = hcl {
        out.insert(
            format!("{dir}/{}", kind.example_file()),
            format!("{}\n", hcl.trim_end()),
        );
    }
}
