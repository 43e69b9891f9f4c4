//! Every name the generator derives, in one place: attribute names from spec fields and
//! parameters, Rust module and file names, doc pages, index links and example folders.
//!
//! Rules:
//! - a spec field or parameter becomes the attribute of its snake_case name;
//! - a type name loses the provider prefix for its module and its doc page
//!   (`workos_organization` → `organization`, `docs/resources/organization.md`);
//! - example folders keep the full type name (`examples/resources/workos_organization/`), as the
//!   registry's documentation tooling expects;
//! - an import ID joins its parts with `/`.

use heck::ToSnakeCase;

/// Separator between the parts of an import ID.
pub const IMPORT_SEPARATOR: &str = "/";

/// A resource or a data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Resource,
    DataSource,
}

impl Kind {
    /// Folder under `docs/` and `examples/`.
    fn docs_dir(self) -> &'static str {
        match self {
            Kind::Resource => "resources",
            Kind::DataSource => "data-sources",
        }
    }

    /// Module (and folder) of the generated crate.
    pub fn rust_module(self) -> &'static str {
        match self {
            Kind::Resource => "resources",
            Kind::DataSource => "data_sources",
        }
    }

    /// The example file inside the example folder.
    pub fn example_file(self) -> &'static str {
        match self {
            Kind::Resource => "resource.tf",
            Kind::DataSource => "data-source.tf",
        }
    }

    /// As registry pages title it.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Resource => "Resource",
            Kind::DataSource => "Data Source",
        }
    }

    /// The HCL block keyword.
    pub fn hcl_block(self) -> &'static str {
        match self {
            Kind::Resource => "resource",
            Kind::DataSource => "data",
        }
    }
}

/// The attribute a spec field or parameter becomes.
pub fn attr_name(spec_name: &str) -> String {
    spec_name.to_snake_case()
}

/// The type name without the provider prefix.
pub fn short_name<'a>(type_name: &'a str, provider: &str) -> &'a str {
    type_name
        .strip_prefix(provider)
        .and_then(|s| s.strip_prefix('_'))
        .unwrap_or(type_name)
}

/// The Rust module of a type (a valid identifier).
pub fn module_name(type_name: &str, provider: &str) -> String {
    let s: String = short_name(type_name, provider)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if syn::parse_str::<syn::Ident>(&s).is_ok() {
        s
    } else {
        format!("{s}_")
    }
}

/// The generated Rust file of a type, relative to the workspace root.
pub fn rust_file(kind: Kind, type_name: &str, provider: &str) -> String {
    format!(
        "generated/src/{}/{}.rs",
        kind.rust_module(),
        module_name(type_name, provider)
    )
}

/// A type's doc page relative to `docs/` (what the index links to).
pub fn index_link(kind: Kind, type_name: &str, provider: &str) -> String {
    format!("{}/{}.md", kind.docs_dir(), short_name(type_name, provider))
}

/// A type's doc page relative to the workspace root.
pub fn doc_page(kind: Kind, type_name: &str, provider: &str) -> String {
    format!("docs/{}", index_link(kind, type_name, provider))
}

/// The provider's index page.
pub const DOC_INDEX: &str = "docs/index.md";

/// A type's example folder relative to the workspace root.
pub fn example_dir(kind: Kind, type_name: &str) -> String {
    format!("examples/{}/{type_name}", kind.docs_dir())
}

/// How an import ID is written: `<part>/<part>`.
pub fn import_form(parts: &[String]) -> String {
    if parts.is_empty() {
        // A singleton of the environment: any ID imports it; this word says so.
        return SINGLETON_IMPORT_ID.to_string();
    }
    parts
        .iter()
        .map(|p| format!("<{p}>"))
        .collect::<Vec<_>>()
        .join(IMPORT_SEPARATOR)
}

/// The import ID the docs show for a singleton of the environment (any ID imports it).
pub const SINGLETON_IMPORT_ID: &str = "singleton";

/// The in-page anchor of a nested attribute's schema section (`nestedatt--a--b`).
pub fn nested_anchor(path: &[&str]) -> String {
    format!("nestedatt--{}", path.join("--"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_links_and_examples_agree() {
        let (k, t, p) = (Kind::Resource, "workos_organization_role", "workos");
        assert_eq!(doc_page(k, t, p), "docs/resources/organization_role.md");
        assert_eq!(
            format!("docs/{}", index_link(k, t, p)),
            doc_page(k, t, p),
            "the index links to the page that is written"
        );
        assert_eq!(
            rust_file(Kind::DataSource, "workos_user", p),
            "generated/src/data_sources/user.rs"
        );
        assert_eq!(
            example_dir(Kind::DataSource, "workos_user"),
            "examples/data-sources/workos_user"
        );
        assert_eq!(module_name("workos_type", p), "type_");
        assert_eq!(attr_name("organizationId"), "organization_id");
        assert_eq!(import_form(&["a".into(), "b".into()]), "<a>/<b>");
    }
}
