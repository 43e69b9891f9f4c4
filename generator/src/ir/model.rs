//! The IR types: Terraform resources and data sources bound to spec operations. They use the
//! descriptor's enums, so a value the runtime does not know cannot be built, and they serialize,
//! so tests can snapshot them.

use descriptor::{Clear, ConfigRole, Method, Mode, OnWrite, RateClass};
use serde::Serialize;

/// A Terraform attribute type.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub enum TyIr {
    #[default]
    String,
    Bool,
    Int,
    Float,
    /// A free-form JSON object, held as a JSON string.
    Json,
    /// Terraform's dynamic type.
    Dynamic,
    List(Box<TyIr>),
    Set(Box<TyIr>),
    Map(Box<TyIr>),
    Object(Vec<AttrIr>),
}

impl TyIr {
    /// The fields of an object, or of the object elements of a list, set or map.
    pub fn nested(&self) -> Option<&[AttrIr]> {
        match self {
            TyIr::Object(attrs) => Some(attrs),
            TyIr::List(t) | TyIr::Set(t) | TyIr::Map(t) => match &**t {
                TyIr::Object(attrs) => Some(attrs),
                _ => None,
            },
            _ => None,
        }
    }

    /// Mutable [`TyIr::nested`].
    pub fn nested_mut(&mut self) -> Option<&mut Vec<AttrIr>> {
        match self {
            TyIr::Object(attrs) => Some(attrs),
            TyIr::List(t) | TyIr::Set(t) | TyIr::Map(t) => match &mut **t {
                TyIr::Object(attrs) => Some(attrs),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Plan-time validation (descriptor `Validator`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum ValidatorIr {
    MinLength(u64),
    MaxLength(u64),
    Pattern(String),
    OneOf(Vec<String>),
    Email,
    Url,
    HttpsUrl,
    MinItems(u64),
    MaxItems(u64),
    KeyMaxLength(u64),
    Each(Vec<ValidatorIr>),
    Range(Option<i64>, Option<i64>),
}

/// A literal default value.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum LitIr {
    Str(String),
    Bool(bool),
    Int(i64),
}

/// One attribute (descriptor `Attr`); `Default` is `Attr::DEFAULT`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct AttrIr {
    pub name: String,
    pub ty: TyIr,
    pub mode: Mode,
    /// The complete description: the spec's or the override's text plus the derived sentences.
    pub description: String,
    pub sensitive: bool,
    pub write_only: bool,
    pub force_new: bool,
    pub on_write: OnWrite,
    pub clear: Clear,
    pub default: Option<LitIr>,
    pub validators: Vec<ValidatorIr>,
    pub create_field: Option<String>,
    pub update_field: Option<String>,
    pub response_field: Option<String>,
    pub response_item_field: Option<String>,
    pub response_create_only: bool,
    pub empty_is_null: bool,
    pub deprecated: Option<String>,
}

/// A request parameter filled from an attribute.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BindingIr {
    pub param: String,
    pub attr: String,
    pub explode: bool,
}

/// A body field filled from an attribute.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldBindingIr {
    pub attr: String,
    pub field: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OpIr {
    pub operation_id: String,
    pub method: Method,
    pub path: String,
    pub path_params: Vec<BindingIr>,
    pub query_params: Vec<BindingIr>,
    pub paginated: bool,
    pub rate_class: RateClass,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum ReadIr {
    Get(OpIr),
    ListFind {
        op: OpIr,
        field: String,
        attr: String,
    },
}

/// Refreshes served from a list whose item schema is the GET response schema
/// (descriptor `RefreshList`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RefreshIr {
    pub op: OpIr,
    pub field: String,
    pub attr: String,
}

/// A secondary write: `op` sets `fields` (after create, and on update when they change).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExtraWriteIr {
    pub op: OpIr,
    pub fields: Vec<FieldBindingIr>,
}

/// An operation called when the local boolean `when_true` becomes true.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ActionIr {
    pub op: OpIr,
    pub when_true: String,
}

/// An extra import ID form `<attr>=<value>` found with `op`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImportByIr {
    pub attr: String,
    pub op: OpIr,
}

/// An attribute changed by an operation chosen by its planned value.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TransitionIr {
    pub attr: String,
    pub to: Vec<TransitionToIr>,
}

/// A value of a [`TransitionIr`] and the operation that moves the object there.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TransitionToIr {
    pub value: String,
    pub op: OpIr,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResourceIr {
    pub name: String,
    pub description: String,
    pub attrs: Vec<AttrIr>,
    pub create: OpIr,
    pub read: ReadIr,
    /// Present only where [`crate::ir`]'s refresh rule proves the list item is the GET body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh: Option<RefreshIr>,
    pub update: Option<OpIr>,
    pub delete: Option<OpIr>,
    pub extra_writes: Vec<ExtraWriteIr>,
    pub actions: Vec<ActionIr>,
    pub transitions: Vec<TransitionIr>,
    /// Attributes the import ID is made of (joined by `names::IMPORT_SEPARATOR`).
    pub import_parts: Vec<String>,
    /// Extra import ID forms.
    pub import_by: Vec<ImportByIr>,
    /// One object per environment (or per parent): create overwrites its settings.
    pub singleton: bool,
    pub hooks: Vec<String>,
    pub adopt: Option<AdoptIr>,
    /// Exclusive choices between attributes (descriptor `ExclusiveGroup`).
    pub groups: Vec<GroupIr>,
    pub example: Option<String>,
    /// What the spec's operation extensions say for the docs (not in the descriptor).
    pub spec_notes: SpecNotesIr,
}

/// An exclusive choice between sets of attributes (descriptor `ExclusiveGroup`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupIr {
    pub name: String,
    pub optional: bool,
    pub variants: Vec<VariantIr>,
}

/// Attributes set together (descriptor `GroupVariant`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VariantIr {
    pub name: String,
    pub attrs: Vec<String>,
    pub optional_attrs: Vec<String>,
}

/// Facts the spec's operation extensions state about an object, shown on its docs page.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SpecNotesIr {
    /// What the object does that sends an email (`x-sends-email`): "create", "update", or an
    /// operation id (extra writes, actions), in operation order.
    pub sends_email: Vec<String>,
    /// Feature flags its operations need (`x-feature-flag`), sorted, each once.
    pub feature_flags: Vec<String>,
}

/// The unique-key lookup of a lost create (`adopt_by`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AdoptIr {
    pub op: OpIr,
    /// Key attributes and the response fields carrying them.
    pub keys: Vec<FieldBindingIr>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LookupIr {
    pub arg: String,
    pub op: OpIr,
    pub expect_one: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum DataKindIr {
    Single(Vec<LookupIr>),
    List { op: OpIr, into: String },
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DataSourceIr {
    pub name: String,
    pub description: String,
    pub attrs: Vec<AttrIr>,
    pub kind: DataKindIr,
    pub groups: Vec<GroupIr>,
    pub example: Option<String>,
    pub spec_notes: SpecNotesIr,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConfigIr {
    pub name: String,
    pub description: String,
    pub env: Option<String>,
    pub sensitive: bool,
    pub required: bool,
    pub default: Option<String>,
    pub role: ConfigRole,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProviderIr {
    pub type_name: String,
    pub source_address: String,
    pub default_base_url: String,
    pub description: String,
    pub spec_file: String,
    pub spec_sha256: String,
    pub spec_version: String,
    pub config: Vec<ConfigIr>,
    pub resources: Vec<ResourceIr>,
    pub data_sources: Vec<DataSourceIr>,
}
