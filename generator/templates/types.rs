//! Descriptor types: the shape of everything the generator emits. The runtime reads these
//! tables; it never names an API object itself.

/// The provider: its address, configuration and every resource and data source.
#[derive(Debug)]
pub struct ProviderDesc {
    /// The provider's local type name (`workos` in `workos_organization`).
    pub type_name: &'static str,
    /// Full source address, e.g. `registry.terraform.io/<namespace>/<type>`.
    pub source_address: &'static str,
    /// Default API base URL.
    pub default_base_url: &'static str,
    /// sha256 of the spec the tables were generated from.
    pub spec_sha256: &'static str,
    pub spec_version: &'static str,
    pub description: &'static str,
    pub config: &'static [ConfigAttr],
    pub resources: &'static [&'static ResourceDesc],
    pub data_sources: &'static [&'static DataSourceDesc],
}

/// One provider configuration attribute.
#[derive(Debug)]
pub struct ConfigAttr {
    pub name: &'static str,
    pub description: &'static str,
    /// Environment variable consulted when the attribute is not set.
    pub env: Option<&'static str>,
    pub sensitive: bool,
    /// Must be set (in config or the environment).
    pub required: bool,
    pub default: Option<&'static str>,
    /// What the runtime uses the value for.
    pub role: ConfigRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigRole {
    ApiKey,
    BaseUrl,
    /// Accepted and exposed, not used by any call yet.
    Informational,
}

/// A Terraform attribute type.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    String,
    Bool,
    Int,
    Float,
    List(&'static Ty),
    Set(&'static Ty),
    Map(&'static Ty),
    /// An object with fixed attributes (only `name`, `ty`, `response` and validators of each
    /// nested attribute are used).
    Object(&'static [Attr]),
}

/// How an attribute is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Required,
    /// Optional; when absent from config the value is null (and is cleared remotely).
    Optional,
    /// Optional; when absent from config the remote value is kept and shown.
    OptionalComputed,
    Computed,
}

/// What happens to a computed value when the object is updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnWrite {
    /// Never changes after creation: the prior value is kept in plans.
    Stable,
    /// May change on any update: unknown in plans that update the object.
    Changes,
}

/// Value sent to clear an attribute that was removed from config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clear {
    /// Send JSON null.
    Null,
    /// Send the type's empty value ("", {}, []).
    Empty,
    /// The API cannot clear it: removing it from config keeps the remote value.
    Never,
}

/// A literal default value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lit {
    Str(&'static str),
    Bool(bool),
    Int(i64),
}

/// Plan-time validation, generated from spec constraints.
#[derive(Debug, Clone, Copy)]
pub enum Validator {
    MinLength(u64),
    MaxLength(u64),
    /// A regular expression (Rust `regex` syntax) the whole value must match.
    Pattern(&'static str),
    OneOf(&'static [&'static str]),
    /// An email address (one `@`, no whitespace, non-empty parts).
    Email,
    /// A URL with a scheme and host.
    Url,
    MinItems(u64),
    MaxItems(u64),
    /// Map keys: maximum length.
    KeyMaxLength(u64),
    /// Validators applied to each element of a list, set or map.
    Each(&'static [Validator]),
    /// Integer range.
    Range(Option<i64>, Option<i64>),
}

/// One attribute of a resource or data source.
#[derive(Debug)]
pub struct Attr {
    pub name: &'static str,
    pub ty: Ty,
    pub mode: Mode,
    pub description: &'static str,
    pub sensitive: bool,
    /// Write-only (Terraform >= 1.11): never in plan or state; sent when its value changes.
    pub write_only: bool,
    /// A change replaces the object.
    pub force_new: bool,
    pub on_write: OnWrite,
    pub clear: Clear,
    pub default: Option<Lit>,
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
    pub deprecated: Option<&'static str>,
}

/// An API operation.
#[derive(Debug)]
pub struct Op {
    pub operation_id: &'static str,
    pub method: &'static str,
    /// Path template with `{param}` placeholders.
    pub path: &'static str,
    /// Path parameter → attribute supplying it.
    pub path_params: &'static [ParamBinding],
    /// Query parameters that come from attributes (data-source filters).
    pub query_params: &'static [ParamBinding],
    /// Success response is an object list (`data[]`, `list_metadata`).
    pub paginated: bool,
}

#[derive(Debug)]
pub struct ParamBinding {
    pub param: &'static str,
    pub attr: &'static str,
    /// Array query parameter: one pair per element (or comma-joined when `explode` is false).
    pub explode: bool,
}

/// How the current state of an object is read.
#[derive(Debug)]
pub enum ReadDesc {
    /// GET the object.
    Get(Op),
    /// The API has no GET for a single object: list and pick the item whose `field` equals
    /// the attribute `attr`.
    ListFind { op: Op, field: &'static str, attr: &'static str },
}

/// A secondary write: attributes that a separate operation sets (after create, and on
/// update when they change).
#[derive(Debug)]
pub struct ExtraWrite {
    pub op: Op,
    /// attribute → JSON body field.
    pub fields: &'static [(&'static str, &'static str)],
}

/// An action: an operation called when a local boolean attribute becomes true.
#[derive(Debug)]
pub struct ActionDesc {
    pub op: Op,
    pub when_true: &'static str,
}

#[derive(Debug)]
pub struct ImportDesc {
    /// Attributes the import ID is made of, joined by `separator`.
    pub parts: &'static [&'static str],
    pub separator: &'static str,
}

/// A managed resource.
#[derive(Debug)]
pub struct ResourceDesc {
    pub name: &'static str,
    pub description: &'static str,
    pub attrs: &'static [Attr],
    pub create: Op,
    pub read: ReadDesc,
    pub update: Option<Op>,
    pub delete: Option<Op>,
    pub extra_writes: &'static [ExtraWrite],
    pub actions: &'static [ActionDesc],
    pub import: ImportDesc,
    /// Named hooks (implemented in the runtime's hooks module).
    pub hooks: &'static [&'static str],
}

/// One way to look a data source's object up: when `arg` is set, call `op`.
#[derive(Debug)]
pub struct Lookup {
    pub arg: &'static str,
    pub op: Op,
    /// The op lists objects filtered server-side: exactly one must match.
    pub expect_one: bool,
}

#[derive(Debug)]
pub enum DataKind {
    /// A single object found by exactly one of the lookups.
    Single(&'static [Lookup]),
    /// Every object of a paginated list op, in the list attribute `into`.
    List { op: Op, into: &'static str },
}

/// A data source.
#[derive(Debug)]
pub struct DataSourceDesc {
    pub name: &'static str,
    pub description: &'static str,
    /// Arguments (lookups / filters) and results.
    pub attrs: &'static [Attr],
    pub kind: DataKind,
}
