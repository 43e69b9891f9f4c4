//! The override files: declarative YAML per resource and data source (format documented in
//! overrides/README.md). Unknown keys are errors; names are checked against the spec later.

use crate::error::{Error, Result};
use descriptor::{Clear, ConfigRole, Mode};
use indexmap::IndexMap;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderOverride {
    pub type_name: String,
    pub source_address: String,
    pub default_base_url: String,
    pub description: String,
    /// The spec file under spec/.
    pub spec: String,
    pub config: IndexMap<String, ConfigOverride>,
    #[serde(default)]
    pub defaults: Defaults,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigOverride {
    pub description: String,
    #[serde(default)]
    pub env: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub default: Option<String>,
    pub role: ConfigRole,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Response fields that change on every write (unknown in update plans).
    #[serde(default)]
    pub changes_on_write: Vec<String>,
    /// Response fields never turned into attributes (e.g. `object`).
    #[serde(default)]
    pub ignore_response: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operations {
    pub create: String,
    pub read: String,
    #[serde(default)]
    pub update: Option<String>,
    #[serde(default)]
    pub delete: Option<String>,
}

/// Spec fields left out of the schema; one shape for resources and data sources (a data
/// source sends no body, so `request` is an error there).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    #[serde(default)]
    pub request: Vec<String>,
    #[serde(default)]
    pub response: Vec<String>,
}

/// Per-attribute knobs, keyed by the spec field name (or local attribute name), in phase
/// order: schema, write, read (overrides/README.md groups them the same way).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct AttrOverride {
    // schema
    pub rename: Option<String>,
    pub mode: Option<Mode>,
    pub set: Option<bool>,
    pub sensitive: Option<bool>,
    pub write_only: Option<bool>,
    pub force_new: Option<bool>,
    pub default: Option<LitOverride>,
    pub format: Option<Format>,
    pub description: Option<String>,
    // write
    pub clear: Option<Clear>,
    // read
    pub response_field: Option<String>,
    pub response_item_field: Option<String>,
    pub response_create_only: Option<bool>,
    pub empty_is_null: Option<bool>,
}

/// A literal default value.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum LitOverride {
    Bool(bool),
    Int(i64),
    Str(String),
}

/// Validation the spec does not state.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Url,
    /// https only (http for a loopback host): a URL the API is to call.
    HttpsUrl,
    Email,
}

/// The type of a local attribute.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum LocalType {
    String,
    Bool,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct LocalAttr {
    #[serde(rename = "type")]
    pub ty: LocalType,
    pub description: String,
    #[serde(default)]
    pub default: Option<LitOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraWriteOverride {
    pub operation: String,
    /// request body field → attribute name
    pub fields: IndexMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionOverride {
    pub operation: String,
    pub when_true: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceOverride {
    pub resource: String,
    pub description: String,
    pub operations: Operations,
    /// Read by listing and matching `field` to attribute `attr` (the API has no single GET).
    #[serde(default)]
    pub read_by_list: Option<ListFindOverride>,
    /// The attributes an import ID is made of (joined by `/`); empty only for a singleton.
    pub import: Vec<String>,
    /// One object exists per environment (or per parent): create overwrites its settings.
    #[serde(default)]
    pub singleton: bool,
    /// Path parameters bound to named attributes where the naming rule cannot say it.
    #[serde(default)]
    pub bind: Bind,
    #[serde(default)]
    pub ignore: Ignore,
    #[serde(default)]
    pub attributes: IndexMap<String, AttrOverride>,
    #[serde(default)]
    pub local: IndexMap<String, LocalAttr>,
    #[serde(default)]
    pub extra_writes: Vec<ExtraWriteOverride>,
    #[serde(default)]
    pub actions: Vec<ActionOverride>,
    /// Extra import ID forms: attribute → the GET that finds the object by its value
    /// (`terraform import <address> <attribute>=<value>`).
    #[serde(default)]
    pub import_by: IndexMap<String, String>,
    /// Attributes changed by operations chosen by the planned value: attribute → value →
    /// operation (`status: {inactive: <deactivate>, active: <reactivate>}`).
    #[serde(default)]
    pub transitions: IndexMap<String, IndexMap<String, String>>,
    #[serde(default)]
    pub hooks: Vec<String>,
    /// The unique key a lost create's object is found by (see overrides/README.md).
    #[serde(default)]
    pub adopt_by: Option<AdoptOverride>,
    #[serde(default)]
    pub example: Option<String>,
}

/// `adopt_by`: find an object by its unique key with `operation` (a get by key, or a list
/// filtered by `query` and compared on every key attribute).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdoptOverride {
    pub operation: String,
    /// The key attributes (each compared with its response field).
    pub key: Vec<String>,
    /// query parameter → attribute (list operations)
    #[serde(default)]
    pub query: IndexMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListFindOverride {
    pub field: String,
    pub attr: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupOverride {
    pub operation: String,
    /// query parameter → argument
    #[serde(default)]
    pub query: IndexMap<String, String>,
    #[serde(default)]
    pub expect_one: bool,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListOverride {
    pub operation: String,
    pub into: String,
    /// query parameter → argument
    #[serde(default)]
    pub query: IndexMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSourceOverride {
    pub data_source: String,
    pub description: String,
    #[serde(default)]
    pub lookups: IndexMap<String, LookupOverride>,
    #[serde(default)]
    pub list: Option<ListOverride>,
    #[serde(default)]
    pub ignore: Ignore,
    #[serde(default)]
    pub attributes: IndexMap<String, AttrOverride>,
    /// Path parameters bound to named arguments where the naming rule cannot say it.
    #[serde(default)]
    pub bind: Bind,
    #[serde(default)]
    pub example: Option<String>,
}

/// `bind`: operationId (or `"*"`, every operation of the object) → path parameter → attribute.
pub type Bind = IndexMap<String, IndexMap<String, String>>;

/// The key of [`Bind`] that applies to every operation.
pub const BIND_ALL: &str = "*";

/// Every override file, with the file each came from.
#[derive(Debug)]
pub struct Overrides {
    pub provider: ProviderOverride,
    pub provider_file: PathBuf,
    pub resources: Vec<(PathBuf, ResourceOverride)>,
    pub data_sources: Vec<(PathBuf, DataSourceOverride)>,
}

fn read_yaml<T: serde::de::DeserializeOwned>(path: &Path, errors: &mut Vec<Error>) -> Option<T> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            errors.push(Error::Override {
                file: path.display().to_string(),
                key: String::new(),
                message: e.to_string(),
            });
            return None;
        }
    };
    match serde_yaml::from_str(&text) {
        Ok(v) => Some(v),
        Err(e) => {
            // serde_yaml says `<key path>: <message> at line L column C`; keep the key apart.
            let text = e.to_string();
            let (key, message) = match text.split_once(": ") {
                Some((k, m)) if !k.contains(char::is_whitespace) => (k.to_string(), m.to_string()),
                _ => (String::new(), text),
            };
            errors.push(Error::Override {
                file: path.display().to_string(),
                key,
                message,
            });
            None
        }
    }
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Load overrides/ (provider.yaml, resources/*.yaml, data-sources/*.yaml); all parse errors
/// are collected.
pub fn load(dir: &Path) -> std::result::Result<Overrides, Vec<Error>> {
    let mut errors = vec![];
    let provider_file = dir.join("provider.yaml");
    let provider = read_yaml::<ProviderOverride>(&provider_file, &mut errors);
    let resources = yaml_files(&dir.join("resources"))
        .into_iter()
        .filter_map(|p| read_yaml(&p, &mut errors).map(|r| (p, r)))
        .collect();
    let data_sources = yaml_files(&dir.join("data-sources"))
        .into_iter()
        .filter_map(|p| read_yaml(&p, &mut errors).map(|r| (p, r)))
        .collect();
    match (provider, errors.is_empty()) {
        (Some(provider), true) => Ok(Overrides {
            provider,
            provider_file,
            resources,
            data_sources,
        }),
        _ => Err(errors),
    }
}

/// Convenience for single-error returns.
pub fn err<T>(file: &Path, key: impl Into<String>, message: impl Into<String>) -> Result<T> {
    Err(Error::Override {
        file: file.display().to_string(),
        key: key.into(),
        message: message.into(),
    })
}
