//! The typed contract between the generator and the runtime.
//!
//! The generator (`generator/`) builds these tables from the spec and the overrides and emits
//! them as Rust statics into the `generated` crate; the runtime (`provider/`) interprets them.
//! The generator's IR and its override structs use the same enums, so a value that does not
//! exist here cannot be written in an override (serde rejects it with line and column) nor
//! emitted.
//!
//! Every type serializes (as the generator's IR does, with the same field and variant names),
//! so a test can compare the compiled tables with the IR they were generated from.
//!
//! Emitted [`Attr`] literals name only their non-default fields and end in
//! `..Attr::DEFAULT`, so a regeneration diff shows what changed and nothing else.
#![deny(missing_docs)]

use serde::{Deserialize, Serialize};

/// Name of the pass-through attribute every resource with a request body has: its top-level
/// keys are merged into the create and update bodies (fields the spec does not have yet).
pub const EXTRA_CONFIGURATION: &str = "extra_configuration";

/// The provider: its address, configuration and every resource and data source.
#[derive(Debug, Serialize)]
pub struct ProviderDesc {
    /// The provider's local type name (`workos` in `workos_organization`).
    pub type_name: &'static str,
    /// Full source address, e.g. `registry.terraform.io/<namespace>/<type>`.
    pub source_address: &'static str,
    /// Default API base URL.
    pub default_base_url: &'static str,
    /// sha256 of the spec the tables were generated from.
    pub spec_sha256: &'static str,
    /// The spec's release (from the spec file's name, `<name>-v<release>.yaml`; else
    /// `info.version`).
    pub spec_version: &'static str,
    /// Provider description (schema and docs).
    pub description: &'static str,
    /// Provider configuration attributes.
    pub config: &'static [ConfigAttr],
    /// Every managed resource.
    pub resources: &'static [&'static ResourceDesc],
    /// Every data source.
    pub data_sources: &'static [&'static DataSourceDesc],
}

/// One provider configuration attribute.
#[derive(Debug, Serialize)]
pub struct ConfigAttr {
    /// Attribute name in the provider block.
    pub name: &'static str,
    /// Schema and docs description.
    pub description: &'static str,
    /// Environment variable consulted when the attribute is not set.
    pub env: Option<&'static str>,
    /// Hidden in plan output.
    pub sensitive: bool,
    /// Must be set (in config or the environment).
    pub required: bool,
    /// Value used when neither the config nor the environment sets it.
    pub default: Option<&'static str>,
    /// What the runtime uses the value for.
    pub role: ConfigRole,
}

/// What the runtime does with a provider configuration value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigRole {
    /// The bearer token of every request.
    ApiKey,
    /// The base URL requests are sent to.
    BaseUrl,
    /// Accepted and exposed, not used by any call yet.
    Informational,
    /// Retries after the first attempt of a request (a whole number).
    MaxRetries,
    /// Timeout of one attempt (a duration such as `30s`).
    RequestTimeout,
    /// Total time one request may spend waiting between attempts (a duration).
    RetryMaxWait,
    /// Client-side pacing of general operations (`<requests>/<duration>`, or `off`).
    RateLimitGeneral,
    /// Client-side pacing of AuthKit reads (`<requests>/<duration>`, or `off`).
    RateLimitAuthkitRead,
    /// Client-side pacing of AuthKit writes (`<requests>/<duration>`, or `off`).
    RateLimitAuthkitWrite,
    /// A PEM file of extra CA certificates to trust (corporate TLS proxies).
    CaBundleFile,
}

/// A Terraform attribute type.
#[derive(Debug, Clone, Copy, Serialize)]
pub enum Ty {
    /// A string.
    String,
    /// A boolean.
    Bool,
    /// A whole number.
    Int,
    /// A number.
    Float,
    /// A string holding a JSON document, sent to the API as the document itself. Two values
    /// that parse to the same JSON are equal: key order and whitespace never cause a diff.
    Json,
    /// Terraform's dynamic type: the value carries its own type.
    Dynamic,
    /// An ordered list.
    List(&'static Ty),
    /// A set: order is ignored.
    Set(&'static Ty),
    /// A map with string keys.
    Map(&'static Ty),
    /// An object with fixed attributes. Alone, or as the element of a list, set or map, it
    /// reaches Terraform as a nested attribute: each field's mode, sensitivity and
    /// validators are its own.
    Object(&'static [Attr]),
}

/// How an attribute is set (HashiCorp's vocabulary).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Must be set in the configuration.
    Required,
    /// Optional; when absent from config the value is null (and is cleared remotely).
    Optional,
    /// Optional; when absent from config the remote value is kept and shown.
    ComputedOptional,
    /// Set by the API only (the default, as in [`Attr::DEFAULT`]).
    #[default]
    Computed,
}

/// What happens to a computed value when the object is updated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnWrite {
    /// Never changes after creation: the prior value is kept in plans
    /// (HashiCorp's `UseStateForUnknown`). The default.
    #[default]
    Stable,
    /// May change on any update: unknown in plans that update the object.
    Changes,
}

/// Value sent to clear an attribute that was removed from config.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clear {
    /// Send JSON null.
    Null,
    /// Send the type's empty value ("", {}, []).
    Empty,
    /// The API cannot clear it: removing it from config keeps the remote value. The default.
    #[default]
    Never,
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method as it is written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A literal default value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Lit {
    /// A string.
    Str(&'static str),
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Int(i64),
}

/// Plan-time validation, generated from spec constraints.
#[derive(Debug, Clone, Copy, Serialize)]
pub enum Validator {
    /// Minimum string length (characters).
    MinLength(u64),
    /// Maximum string length (characters).
    MaxLength(u64),
    /// A regular expression (Rust `regex` syntax) the whole value must match.
    Pattern(&'static str),
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An email address (one `@`, no whitespace, non-empty parts).
    Email,
    /// A URL with a scheme and host.
    Url,
    /// A URL the provider's user points the API at (a webhook endpoint): `https` with a host;
    /// `http` only for a loopback host (`localhost`, `127.0.0.1`, `[::1]`), for local testing.
    HttpsUrl,
    /// Minimum number of elements.
    MinItems(u64),
    /// Maximum number of elements.
    MaxItems(u64),
    /// Map keys: maximum length.
    KeyMaxLength(u64),
    /// Validators applied to each element of a list, set or map.
    Each(&'static [Validator]),
    /// Integer range, inclusive.
    Range(Option<i64>, Option<i64>),
}

/// One attribute of a resource or data source (or a field of a nested object).
#[derive(Debug, Serialize)]
pub struct Attr {
    /// Terraform attribute name.
    pub name: &'static str,
    /// Terraform type.
    pub ty: Ty,
    /// How it is set.
    pub mode: Mode,
    /// Complete description for schema and docs (derived prose included).
    pub description: &'static str,
    /// Hidden in plan output.
    pub sensitive: bool,
    /// Write-only (Terraform >= 1.11): never in plan or state; sent when its value changes.
    pub write_only: bool,
    /// A change replaces the object.
    pub force_new: bool,
    /// Whether a computed value may change when the object is updated.
    pub on_write: OnWrite,
    /// What is sent when the attribute is removed from config.
    pub clear: Clear,
    /// Value used when the config leaves it unset.
    pub default: Option<Lit>,
    /// Plan-time validators.
    pub validators: &'static [Validator],
    /// JSON field in the create request body (None: not sent on create).
    pub create_field: Option<&'static str>,
    /// JSON field in the update request body (None: not sent on update).
    pub update_field: Option<&'static str>,
    /// JSON field read from responses (None: not read; the state keeps the planned value).
    pub response_field: Option<&'static str>,
    /// For a list/set of scalars read from an array of objects: the field to take from each.
    pub response_item_field: Option<&'static str>,
    /// Only the create response carries the real value (e.g. a one-time secret): later
    /// reads keep the state value.
    pub response_create_only: bool,
    /// Treat "", {} and [] in responses as null (for attributes that clear to empty).
    pub empty_is_null: bool,
    /// Deprecation message.
    pub deprecated: Option<&'static str>,
}

impl Attr {
    /// Every field at its default: a computed string read from nowhere. Emitted tables name
    /// the fields that differ and take the rest from here.
    pub const DEFAULT: Attr = Attr {
        name: "",
        ty: Ty::String,
        mode: Mode::Computed,
        description: "",
        sensitive: false,
        write_only: false,
        force_new: false,
        on_write: OnWrite::Stable,
        clear: Clear::Never,
        default: None,
        validators: &[],
        create_field: None,
        update_field: None,
        response_field: None,
        response_item_field: None,
        response_create_only: false,
        empty_is_null: false,
        deprecated: None,
    };

    /// Set in the configuration (required or optional).
    pub fn is_settable(&self) -> bool {
        self.mode != Mode::Computed
    }
}

/// An API operation.
#[derive(Debug, Serialize)]
pub struct Op {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template with `{param}` placeholders.
    pub path: &'static str,
    /// Path parameter → attribute supplying it.
    pub path_params: &'static [ParamBinding],
    /// Query parameters that come from attributes (data-source filters).
    pub query_params: &'static [ParamBinding],
    /// Success response is an object list (`data[]`, `list_metadata`).
    pub paginated: bool,
    /// The API rate-limit class the operation counts against (client-side pacing).
    pub rate_class: RateClass,
}

impl Op {
    /// The defaults emitted literals end with (`..Op::DEFAULT`): a general-class operation.
    pub const DEFAULT: Op = Op {
        operation_id: "",
        method: Method::Get,
        path: "",
        path_params: &[],
        query_params: &[],
        paginated: false,
        rate_class: RateClass::General,
    };
}

/// WorkOS's rate-limit classes. The generator decides an operation's class from its spec path
/// and method; the runtime paces each class with its own token bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateClass {
    /// Every operation outside AuthKit (the default).
    #[default]
    General,
    /// AuthKit (`/user_management/*`) reads.
    AuthkitRead,
    /// AuthKit (`/user_management/*`) writes.
    AuthkitWrite,
}

/// A request parameter filled from an attribute.
#[derive(Debug, Serialize)]
pub struct ParamBinding {
    /// The parameter's name in the spec.
    pub param: &'static str,
    /// The attribute supplying it.
    pub attr: &'static str,
    /// Array query parameter: one pair per element (or comma-joined when `explode` is false).
    pub explode: bool,
}

/// A body field filled from an attribute.
#[derive(Debug, Serialize)]
pub struct FieldBinding {
    /// The attribute supplying the value.
    pub attr: &'static str,
    /// The JSON body field.
    pub field: &'static str,
}

/// How the current state of an object is read.
#[derive(Debug, Serialize)]
pub enum ReadDesc {
    /// GET the object.
    Get(Op),
    /// The API has no GET for a single object: list and pick the item whose `field` equals
    /// the attribute `attr`.
    ListFind {
        /// The list operation.
        op: Op,
        /// The item field compared.
        field: &'static str,
        /// The attribute it must equal.
        attr: &'static str,
    },
}

/// Refreshes served from the type's list operation: the generator emits one only where the
/// list's item schema is the GET response schema (after `$ref`s are resolved), so an item
/// goes through the same response → state mapping as a GET body. How the runtime decides
/// between pages and GETs is in `provider/src/engine/refresh.rs`.
#[derive(Debug, Serialize)]
pub struct RefreshList {
    /// The paginated list operation (`limit`/`after`); its path parameters are the GET's
    /// minus the last one.
    pub op: Op,
    /// The item field that identifies an object (the GET's last path parameter, as read
    /// back from responses).
    pub field: &'static str,
    /// The attribute holding that identity.
    pub attr: &'static str,
}

/// A secondary write: attributes that a separate operation sets (after create, and on
/// update when they change).
#[derive(Debug, Serialize)]
pub struct ExtraWrite {
    /// The operation.
    pub op: Op,
    /// Which attribute fills which body field.
    pub fields: &'static [FieldBinding],
}

/// An action: an operation called when a local boolean attribute becomes true.
#[derive(Debug, Serialize)]
pub struct ActionDesc {
    /// The operation.
    pub op: Op,
    /// The boolean attribute that triggers it.
    pub when_true: &'static str,
}

/// How an import ID maps onto attributes.
#[derive(Debug, Serialize)]
pub struct ImportDesc {
    /// Attributes the import ID is made of, joined by `separator`.
    pub parts: &'static [&'static str],
    /// Separator between the parts.
    pub separator: &'static str,
    /// Extra ID forms `<attr>=<value>`: each looks the object up by a unique attribute.
    pub by: &'static [ImportBy],
}

/// An extra import ID form, `<attr>=<value>`: `op` (a GET whose path parameters are all
/// bound to `attr`) finds the object, and the import ID's parts are read from its answer.
#[derive(Debug, Serialize)]
pub struct ImportBy {
    /// The attribute the value is of (also the ID form's prefix before `=`).
    pub attr: &'static str,
    /// The get-by-value operation.
    pub op: Op,
}

/// An attribute whose changes are made by operations chosen by the planned value (after
/// create when the created object has another value, and on update when it changes):
/// `status = "inactive"` → a deactivate call.
#[derive(Debug, Serialize)]
pub struct Transition {
    /// The attribute.
    pub attr: &'static str,
    /// For each value it can be set to, the operation that moves the object there.
    pub to: &'static [TransitionTo],
}

/// One target value of a [`Transition`] and its operation.
#[derive(Debug, Serialize)]
pub struct TransitionTo {
    /// The planned value.
    pub value: &'static str,
    /// The operation (no body; path parameters from the state).
    pub op: Op,
}

/// A managed resource.
#[derive(Debug, Serialize)]
pub struct ResourceDesc {
    /// Terraform type name.
    pub name: &'static str,
    /// Schema and docs description.
    pub description: &'static str,
    /// Every attribute.
    pub attrs: &'static [Attr],
    /// The create operation.
    pub create: Op,
    /// How the object is read.
    pub read: ReadDesc,
    /// Refreshes of many objects may be served from this list (see [`RefreshList`]).
    pub refresh: Option<RefreshList>,
    /// The update operation; without one every change replaces the object.
    pub update: Option<Op>,
    /// The delete operation; without one destroy only forgets the object.
    pub delete: Option<Op>,
    /// Secondary writes.
    pub extra_writes: &'static [ExtraWrite],
    /// Actions.
    pub actions: &'static [ActionDesc],
    /// Attributes changed by operations chosen by their value.
    pub transitions: &'static [Transition],
    /// Import ID form.
    pub import: ImportDesc,
    /// Named hooks (implemented in the runtime's hooks module).
    pub hooks: &'static [&'static str],
    /// How to find the object by its unique key when a create's answer was lost.
    pub adopt: Option<AdoptDesc>,
    /// One object exists per environment (or per parent): creating it overwrites its
    /// settings. Shown in the docs; the runtime treats it like any other resource.
    pub singleton: bool,
    /// Exclusive choices between attributes (the spec's mutually exclusive groups), checked
    /// at plan time.
    pub groups: &'static [ExclusiveGroup],
}

/// A choice between sets of attributes the API takes one of (the spec's
/// `x-mutually-exclusive-body-groups` / `-parameter-groups`, attribute names as the schema
/// has them): at most one variant may be set, and one must be unless the group is optional.
#[derive(Debug, Serialize)]
pub struct ExclusiveGroup {
    /// The spec's group name (e.g. `password`).
    pub name: &'static str,
    /// No variant set is fine ("at most one of"); otherwise exactly one must be set.
    pub optional: bool,
    /// The variants, in the spec's order.
    pub variants: &'static [GroupVariant],
}

/// One variant of an [`ExclusiveGroup`]: attributes that are set together.
#[derive(Debug, Serialize)]
pub struct GroupVariant {
    /// The spec's variant name (e.g. `hashed`).
    pub name: &'static str,
    /// Attributes that must all be set when any attribute of the variant is.
    pub attrs: &'static [&'static str],
    /// Attributes that belong to the variant but may be left unset within it.
    pub optional_attrs: &'static [&'static str],
}

impl GroupVariant {
    /// Every attribute of the variant, required ones first.
    pub fn all(&self) -> impl Iterator<Item = &'static str> {
        self.attrs.iter().chain(self.optional_attrs).copied()
    }
}

/// A unique key of a resource and the operation that finds an object by it: after a create
/// whose answer was lost (timeout, connection dropped after sending, 5xx, malformed body), the
/// engine looks the object up and adopts it instead of creating a duplicate.
#[derive(Debug, Serialize)]
pub struct AdoptDesc {
    /// A get by key (path parameters from the key attributes; 404: none) or a list operation
    /// (query parameters bound from attributes); either way every found object must carry
    /// the planned value of each key.
    pub op: Op,
    /// The key: attributes and the response fields that carry them.
    pub keys: &'static [FieldBinding],
}

impl ResourceDesc {
    /// The attribute with this name.
    pub fn attr(&self, name: &str) -> Option<&'static Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

/// One way to look a data source's object up: when `arg` is set, call `op`.
#[derive(Debug, Serialize)]
pub struct Lookup {
    /// The argument that selects this lookup.
    pub arg: &'static str,
    /// The operation.
    pub op: Op,
    /// The op lists objects filtered server-side: exactly one must match.
    pub expect_one: bool,
}

/// What a data source reads.
#[derive(Debug, Serialize)]
pub enum DataKind {
    /// A single object found by exactly one of the lookups.
    Single(&'static [Lookup]),
    /// Every object of a paginated list op, in the list attribute `into`.
    List {
        /// The list operation.
        op: Op,
        /// The list attribute receiving the items.
        into: &'static str,
    },
}

/// A data source.
#[derive(Debug, Serialize)]
pub struct DataSourceDesc {
    /// Terraform type name.
    pub name: &'static str,
    /// Schema and docs description.
    pub description: &'static str,
    /// Arguments (lookups / filters) and results.
    pub attrs: &'static [Attr],
    /// What it reads.
    pub kind: DataKind,
    /// Exclusive choices between arguments (see [`ExclusiveGroup`]).
    pub groups: &'static [ExclusiveGroup],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_use_the_override_vocabulary() {
        let m: Mode = serde_yaml_like("computed_optional");
        assert_eq!(m, Mode::ComputedOptional);
        let m: Method = serde_yaml_like("PATCH");
        assert_eq!(m, Method::Patch);
        assert_eq!(Method::Delete.as_str(), "DELETE");
    }

    fn serde_yaml_like<T: serde::de::DeserializeOwned>(s: &str) -> T {
        use serde::de::value::{Error, StrDeserializer};
        use serde::de::IntoDeserializer;
        let d: StrDeserializer<'_, Error> = s.into_deserializer();
        T::deserialize(d).expect("a valid variant")
    }
}
