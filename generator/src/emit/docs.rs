//! IR → registry-format Markdown pages (askama templates under generator/templates/docs).

use crate::error::Error;
use crate::ir::*;
use askama::Template;
use std::collections::BTreeMap;

struct DocAttr {
    name: String,
    ty: String,
    flags: String,
    description: String,
}

#[derive(Template)]
#[template(path = "docs/resource.md", escape = "none")]
struct PageTpl<'a> {
    name: &'a str,
    kind: &'a str,
    provider: &'a str,
    summary: String,
    description: &'a str,
    example: Option<String>,
    required: Vec<DocAttr>,
    optional: Vec<DocAttr>,
    computed: Vec<DocAttr>,
    import_form: Option<String>,
}

#[derive(Template)]
#[template(path = "docs/index.md", escape = "none")]
struct IndexTpl<'a> {
    type_name: &'a str,
    description: &'a str,
    source_address: &'a str,
    short_source: String,
    spec_version: &'a str,
    spec_sha256: &'a str,
    config: &'a [ConfigIr],
    resources: Vec<&'a str>,
    data_sources: Vec<&'a str>,
}

fn ty_text(t: &TyIr) -> String {
    match t {
        TyIr::String => "String".into(),
        TyIr::Bool => "Boolean".into(),
        TyIr::Int => "Number".into(),
        TyIr::Float => "Number".into(),
        TyIr::List(t) => format!("List of {}", ty_text(t)),
        TyIr::Set(t) => format!("Set of {}", ty_text(t)),
        TyIr::Map(t) => format!("Map of {}", ty_text(t)),
        TyIr::Object(attrs) => {
            let names: Vec<String> = attrs.iter().map(|a| format!("`{}`", a.name)).collect();
            format!("Object: {}", names.join(", "))
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn doc_attr(a: &AttrIr) -> DocAttr {
    let mut flags = String::new();
    if a.sensitive {
        flags.push_str(", Sensitive");
    }
    if a.write_only {
        flags.push_str(", Write-only");
    }
    let mut description = one_line(&a.description);
    if a.force_new {
        description.push_str(" Changing it replaces the object.");
    }
    if a.mode == "OptionalComputed" {
        description.push_str(" When not set, the remote value is kept.");
    }
    if a.mode == "Optional" && a.clear != "Never" {
        description.push_str(" Removing it from the configuration clears it.");
    }
    if let Some(d) = &a.default {
        description.push_str(&format!(
            " Default: `{}`.",
            match d {
                LitIr::Str(s) => s.clone(),
                LitIr::Bool(b) => b.to_string(),
                LitIr::Int(i) => i.to_string(),
            }
        ));
    }
    for v in &a.validators {
        match v {
            ValidatorIr::MaxLength(n) => description.push_str(&format!(" At most {n} characters.")),
            ValidatorIr::OneOf(vs) if vs.len() <= 8 => description.push_str(&format!(
                " One of: {}.",
                vs.iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            _ => {}
        }
    }
    DocAttr {
        name: a.name.clone(),
        ty: ty_text(&a.ty),
        flags,
        description: description.trim().to_string(),
    }
}

fn split(attrs: &[AttrIr]) -> (Vec<DocAttr>, Vec<DocAttr>, Vec<DocAttr>) {
    let mut sorted: Vec<&AttrIr> = attrs.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let pick = |modes: &[&str]| {
        sorted
            .iter()
            .filter(|a| modes.contains(&a.mode.as_str()))
            .map(|a| doc_attr(a))
            .collect::<Vec<_>>()
    };
    (
        pick(&["Required"]),
        pick(&["Optional", "OptionalComputed"]),
        pick(&["Computed"]),
    )
}

fn render<T: Template>(t: &T, what: &str) -> Result<String, Error> {
    t.render()
        .map(|s| format!("{}\n", s.trim_end()))
        .map_err(|e| Error::Emit(format!("{what}: {e}")))
}

/// Every docs page, relative to the workspace root.
pub fn emit(ir: &ProviderIr) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    let short_source = ir
        .source_address
        .trim_start_matches("registry.terraform.io/")
        .to_string();
    out.insert(
        "docs/index.md".into(),
        render(
            &IndexTpl {
                type_name: &ir.type_name,
                description: &ir.description,
                source_address: &ir.source_address,
                short_source,
                spec_version: &ir.spec_version,
                spec_sha256: &ir.spec_sha256,
                config: &ir.config,
                resources: ir.resources.iter().map(|r| r.name.as_str()).collect(),
                data_sources: ir.data_sources.iter().map(|d| d.name.as_str()).collect(),
            },
            "docs/index.md",
        )?,
    );
    for r in &ir.resources {
        let (required, optional, computed) = split(&r.attrs);
        let page = PageTpl {
            name: &r.name,
            kind: "Resource",
            provider: &ir.type_name,
            summary: one_line(&r.description),
            description: &r.description,
            example: r.example.as_ref().map(|e| e.trim_end().to_string()),
            required,
            optional,
            computed,
            import_form: Some(
                r.import_parts
                    .iter()
                    .map(|p| format!("<{p}>"))
                    .collect::<Vec<_>>()
                    .join(&r.import_separator),
            ),
        };
        out.insert(
            format!(
                "docs/resources/{}.md",
                r.name.trim_start_matches(&format!("{}_", ir.type_name))
            ),
            render(&page, &r.name)?,
        );
        if let Some(ex) = &r.example {
            out.insert(
                format!("examples/resources/{}/resource.tf", r.name),
                format!("{}\n", ex.trim_end()),
            );
        }
        let form = r
            .import_parts
            .iter()
            .map(|p| format!("<{p}>"))
            .collect::<Vec<_>>()
            .join(&r.import_separator);
        out.insert(
            format!("examples/resources/{}/import.sh", r.name),
            format!(
                "# Import by {form}\nterraform import {}.example \"{form}\"\n",
                r.name
            ),
        );
    }
    for d in &ir.data_sources {
        let (required, optional, computed) = split(&d.attrs);
        let page = PageTpl {
            name: &d.name,
            kind: "Data Source",
            provider: &ir.type_name,
            summary: one_line(&d.description),
            description: &d.description,
            example: d.example.as_ref().map(|e| e.trim_end().to_string()),
            required,
            optional,
            computed,
            import_form: None,
        };
        out.insert(
            format!(
                "docs/data-sources/{}.md",
                d.name.trim_start_matches(&format!("{}_", ir.type_name))
            ),
            render(&page, &d.name)?,
        );
        if let Some(ex) = &d.example {
            out.insert(
                format!("examples/data-sources/{}/data-source.tf", d.name),
                format!("{}\n", ex.trim_end()),
            );
        }
    }
    Ok(out)
}
