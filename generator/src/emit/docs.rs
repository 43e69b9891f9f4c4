//! IR → registry-format Markdown pages (askama templates under generator/templates/docs): the
//! provider index and one page per resource and data source, written by one page builder.
//! Attribute descriptions are the IR's, complete; nested attributes get a nested schema section
//! each, as registry pages do.

use crate::error::Error;
use crate::ir::*;
use crate::names::{self, Kind};
use askama::Template;
use descriptor::{Mode, EXTRA_CONFIGURATION};
use std::collections::BTreeMap;

/// Attribute lines (`` `name` (Type, Flags) Description``), grouped as registry pages group
/// them.
#[derive(Default)]
struct Groups {
    required: Vec<String>,
    optional: Vec<String>,
    computed: Vec<String>,
}

/// The schema section of one nested attribute.
struct NestedSection {
    anchor: String,
    path: String,
    groups: Groups,
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
    groups: Groups,
    nested: Vec<NestedSection>,
    extra_configuration: bool,
    import_form: Option<String>,
    /// Attributes of the extra import ID forms `<attr>=<value>`.
    import_by: Vec<String>,
    /// The "one per environment or parent; create overwrites" note, for a singleton.
    singleton_note: Option<String>,
    /// What the spec's operation extensions say (emails sent, feature flags).
    notes: Vec<String>,
    /// One sentence per exclusive group ("Exactly one of …").
    choices: Vec<String>,
}

struct IndexLink {
    name: String,
    link: String,
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
    resources: Vec<IndexLink>,
    data_sources: Vec<IndexLink>,
}

fn ty_text(t: &TyIr) -> String {
    let (collection, element) = match t {
        TyIr::List(e) => ("List", e),
        TyIr::Set(e) => ("Set", e),
        TyIr::Map(e) => ("Map", e),
        TyIr::String => return "String".into(),
        TyIr::Json => return "String, JSON".into(),
        TyIr::Dynamic => return "Dynamic".into(),
        TyIr::Bool => return "Boolean".into(),
        TyIr::Int | TyIr::Float => return "Number".into(),
        TyIr::Object(_) => return "Attributes".into(),
    };
    match **element {
        TyIr::Object(_) => format!("Attributes {collection}"),
        _ => format!("{collection} of {}", ty_text(element)),
    }
}

/// One attribute line; an attribute with nested fields links to their section.
fn doc_line(a: &AttrIr, path: &[&str]) -> String {
    let mut line = format!("`{}` ({}", a.name, ty_text(&a.ty));
    if a.sensitive {
        line.push_str(", Sensitive");
    }
    if a.write_only {
        line.push_str(", Write-only");
    }
    line.push(')');
    if !a.description.is_empty() {
        line = format!("{line} {}", a.description);
    }
    if a.ty.nested().is_some() {
        let mut here = path.to_vec();
        here.push(&a.name);
        let anchor = names::nested_anchor(&here);
        line = format!("{line} (see [below for nested schema](#{anchor}))");
    }
    line
}

/// The groups of `attrs` (sorted by name), and the nested sections below them, depth first.
fn groups(attrs: &[AttrIr], path: &[&str], nested: &mut Vec<NestedSection>) -> Groups {
    let mut sorted: Vec<&AttrIr> = attrs.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut g = Groups::default();
    for a in &sorted {
        let line = doc_line(a, path);
        match a.mode {
            Mode::Required => g.required.push(line),
            Mode::Optional | Mode::ComputedOptional => g.optional.push(line),
            Mode::Computed => g.computed.push(line),
        }
    }
    for a in sorted {
        if let Some(fields) = a.ty.nested() {
            let mut here = path.to_vec();
            here.push(&a.name);
            let at = nested.len();
            let inner = groups(fields, &here, nested);
            nested.insert(
                at,
                NestedSection {
                    anchor: names::nested_anchor(&here),
                    path: here.join("."),
                    groups: inner,
                },
            );
        }
    }
    g
}

fn render<T: Template>(t: &T, what: &str) -> Result<String, Error> {
    t.render()
        .map(|s| format!("{}\n", s.trim_end()))
        .map_err(|e| Error::Emit(format!("{what}: {e}")))
}

/// What one page shows.
struct Page<'a> {
    kind: Kind,
    name: &'a str,
    description: &'a str,
    example: Option<&'a str>,
    attrs: &'a [AttrIr],
    import_parts: Option<&'a [String]>,
    import_by: Vec<String>,
    singleton: bool,
    groups: &'a [GroupIr],
    spec_notes: &'a SpecNotesIr,
}

/// The docs' sentences for what the spec's extensions say about an object.
fn spec_notes(kind: Kind, n: &SpecNotesIr) -> Vec<String> {
    let mut out = vec![];
    let doing = |w: &str| match w {
        "create" => format!("Creating this {}", kind.title().to_lowercase()),
        "update" => format!("Updating this {}", kind.title().to_lowercase()),
        "delete" => format!("Destroying this {}", kind.title().to_lowercase()),
        "read" => format!("Reading this {}", kind.title().to_lowercase()),
        op => format!("The operation `{op}` it calls"),
    };
    for w in &n.sends_email {
        out.push(format!(
            "{} sends an email (the API's `x-sends-email`).",
            doing(w)
        ));
    }
    if !n.feature_flags.is_empty() {
        out.push(format!(
            "Needs the WorkOS feature flag {} enabled for the environment (the API's `x-feature-flag`); without it the API refuses the calls.",
            n.feature_flags.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(" and ")
        ));
    }
    out
}

/// What a singleton's page says about its one object and its import ID.
fn singleton_note(name: &str, parts: &[String]) -> String {
    let scope = match parts {
        [] => "environment".to_string(),
        parts => format!("`{}`", parts.join("` and `")),
    };
    let id = match parts {
        [] => format!(
            " Any import ID imports it; the examples use `{}`.",
            names::SINGLETON_IMPORT_ID
        ),
        _ => String::new(),
    };
    format!("There is exactly one `{name}` per {scope}: it exists before Terraform manages it, and creating this resource overwrites its existing settings rather than making a new object. Importing it first keeps its current settings in state.{id}")
}

/// The page builder, for resources and data sources alike.
fn page(ir: &ProviderIr, p: Page) -> Result<(String, String), Error> {
    let mut nested = vec![];
    let groups = groups(p.attrs, &[], &mut nested);
    let tpl = PageTpl {
        name: p.name,
        kind: p.kind.title(),
        provider: &ir.type_name,
        summary: p
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        description: p.description,
        example: p.example.map(|e| e.trim_end().to_string()),
        groups,
        nested,
        extra_configuration: p.attrs.iter().any(|a| a.name == EXTRA_CONFIGURATION),
        import_form: p.import_parts.map(names::import_form),
        import_by: p.import_by,
        singleton_note: (p.singleton)
            .then(|| singleton_note(p.name, p.import_parts.unwrap_or_default())),
        notes: spec_notes(p.kind, p.spec_notes),
        choices: p.groups.iter().map(crate::ir::groups::describe).collect(),
    };
    Ok((
        names::doc_page(p.kind, p.name, &ir.type_name),
        render(&tpl, p.name)?,
    ))
}

fn index(ir: &ProviderIr) -> Result<String, Error> {
    let link = |kind: Kind, name: &str| IndexLink {
        name: name.to_string(),
        link: names::index_link(kind, name, &ir.type_name),
    };
    let tpl = IndexTpl {
        type_name: &ir.type_name,
        description: &ir.description,
        source_address: &ir.source_address,
        short_source: (ir.source_address)
            .trim_start_matches("registry.terraform.io/")
            .to_string(),
        spec_version: &ir.spec_version,
        spec_sha256: &ir.spec_sha256,
        config: &ir.config,
        resources: (ir.resources.iter())
            .map(|r| link(Kind::Resource, &r.name))
            .collect(),
        data_sources: (ir.data_sources.iter())
            .map(|d| link(Kind::DataSource, &d.name))
            .collect(),
    };
    render(&tpl, names::DOC_INDEX)
}

/// Every docs page, relative to the workspace root.
pub fn emit(ir: &ProviderIr) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::from([(names::DOC_INDEX.to_string(), index(ir)?)]);
    let resources = ir.resources.iter().map(|r| Page {
        kind: Kind::Resource,
        name: &r.name,
        description: &r.description,
        example: r.example.as_deref(),
        attrs: &r.attrs,
        import_parts: Some(&r.import_parts),
        import_by: r.import_by.iter().map(|b| b.attr.clone()).collect(),
        singleton: r.singleton,
        groups: &r.groups,
        spec_notes: &r.spec_notes,
    });
    let data_sources = ir.data_sources.iter().map(|d| Page {
        kind: Kind::DataSource,
        name: &d.name,
        description: &d.description,
        example: d.example.as_deref(),
        attrs: &d.attrs,
        import_parts: None,
        import_by: vec![],
        singleton: false,
        groups: &d.groups,
        spec_notes: &d.spec_notes,
    });
    for p in resources.chain(data_sources) {
        let (path, text) = page(ir, p)?;
        out.insert(path, text);
    }
    Ok(out)
}
