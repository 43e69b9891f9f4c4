//! The local families as data: each [`Family`] says what its objects look like, each
//! [`Route`] which spec operation (method + path template, exactly as in
//! `spec/workos-openapi-v0.61.0.yaml`) it serves and how. Generic operations do the work;
//! what data cannot say is a named handler in `handlers.rs`.
use serde_json::Value;

use super::handlers as h;
use super::handlers_ext as x;
use super::store::Store;
use super::{BoxFut, Local, Out, Req, Up};

/// Where an object hangs: deleting the parent deletes it (cascade).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent {
    /// An emulator organization (`DELETE /organizations/{id}`).
    Organization,
    /// An emulator membership (`DELETE /user_management/organization_memberships/{id}`).
    Membership,
    /// An emulator user (`DELETE /user_management/users/{id}`).
    User,
    /// An object of the named local family.
    Local(&'static str),
}

/// A secret shown once: generated on create, answered only by the create, kept hidden
/// (`_<field>`) for the family's own checks; `hints` are computed visible fields.
pub struct Secret {
    pub field: &'static str,
    pub make: fn() -> String,
    pub hints: &'static [Hint],
}

/// A visible field computed from a secret (e.g. its last four characters).
type Hint = (&'static str, fn(&str) -> String);
type Hook = fn(&mut Store, &Req, &mut Value) -> Result<(), Out>;
type DeleteHook = fn(&mut Store, &Req, &Value) -> Result<(), Out>;
pub type Handler = for<'a> fn(&'a Local, &'a Up, &'a Req, &'a Route) -> BoxFut<'a>;

pub struct Family {
    /// Collection name (also the label in the proxy's request log).
    pub name: &'static str,
    /// The `object` field of every answer.
    pub object: &'static str,
    pub prefix: &'static str,
    /// Body fields a create must have (422 otherwise).
    pub required: &'static [&'static str],
    /// Body fields a create stores (`src>dst.path` to store under another name).
    pub create: &'static [&'static str],
    /// Body fields an update may change (the others are create-only).
    pub update: &'static [&'static str],
    /// Field path → JSON text, set before the body's fields.
    pub defaults: &'static [(&'static str, &'static str)],
    pub secrets: &'static [Secret],
    /// Field path holding a parent's id → the parent's kind.
    pub parents: &'static [(&'static str, Parent)],
    /// List query parameter → field path it filters on.
    pub filters: &'static [(&'static str, &'static str)],
    pub create_status: u16,
    pub delete_status: u16,
    pub on_create: Option<Hook>,
    pub on_update: Option<Hook>,
    pub on_delete: Option<DeleteHook>,
}

impl Family {
    const fn new(name: &'static str, object: &'static str, prefix: &'static str) -> Family {
        Family {
            name,
            object,
            prefix,
            required: &[],
            create: &[],
            update: &[],
            defaults: &[],
            secrets: &[],
            parents: &[],
            filters: &[],
            create_status: 201,
            delete_status: 204,
            on_create: None,
            on_update: None,
            on_delete: None,
        }
    }
}

/// An upstream existence check run before the operation: `get` (with `{param}` and
/// `{body.field}` filled in; skipped when the body field is absent) must answer 2xx (and, if
/// `list`, a non-empty `data`), otherwise the request gets `status`. The answer is kept in
/// [`Req::fetched`] under `name`.
pub struct Check {
    pub name: &'static str,
    pub get: &'static str,
    pub status: u16,
    pub list: bool,
}

const fn check(name: &'static str, get: &'static str) -> Check {
    Check {
        name,
        get,
        status: 404,
        list: false,
    }
}

pub const ORG: Check = check("organization", "/organizations/{organizationId}");
const USER: Check = check("user", "/user_management/users/{userId}");

#[derive(Clone, Copy)]
pub enum Op {
    Create,
    Get,
    List,
    Update,
    Delete,
    Custom(Handler),
}

pub struct Route {
    pub method: &'static str,
    /// The spec's path template.
    pub path: &'static str,
    pub family: &'static Family,
    pub op: Op,
    /// Path parameter → field path it pins (set on create, matched otherwise).
    pub bind: &'static [(&'static str, &'static str)],
    /// Field path → JSON constant, pinned like `bind`.
    pub set: &'static [(&'static str, &'static str)],
    pub checks: &'static [Check],
}

const fn route(method: &'static str, path: &'static str, family: &'static Family, op: Op) -> Route {
    Route {
        method,
        path,
        family,
        op,
        bind: &[],
        set: &[],
        checks: &[],
    }
}

const fn bound(mut r: Route, bind: &'static [(&'static str, &'static str)]) -> Route {
    r.bind = bind;
    r
}

const fn checked(mut r: Route, checks: &'static [Check]) -> Route {
    r.checks = checks;
    r
}

const fn pinned(mut r: Route, set: &'static [(&'static str, &'static str)]) -> Route {
    r.set = set;
    r
}

fn last4(v: &str) -> String {
    v[v.len().saturating_sub(4)..].to_string()
}

fn random_token(prefix: &str) -> String {
    let s: String = (0..40)
        .map(|_| {
            let i = rand::random::<u8>() % 62;
            (match i {
                0..=9 => b'0' + i,
                10..=35 => b'a' + i - 10,
                _ => b'A' + i - 36,
            }) as char
        })
        .collect();
    format!("{prefix}{s}")
}

// ---- API keys (organization and user keys share one collection and /api_keys/{id}) ----

pub static API_KEY: Family = Family {
    required: &["name"],
    create: &[
        "name",
        "permissions",
        "expires_at",
        "organization_id>owner.organization_id",
    ],
    defaults: &[
        ("permissions", "[]"),
        ("last_used_at", "null"),
        ("expires_at", "null"),
    ],
    secrets: &[Secret {
        field: "value",
        make: || random_token("sk_test_"),
        hints: &[("obfuscated_value", |v| format!("sk_test_…{}", last4(v)))],
    }],
    parents: &[
        ("owner.id", Parent::Organization),
        ("owner.id", Parent::User),
        ("owner.organization_id", Parent::Organization),
    ],
    filters: &[("organization_id", "owner.organization_id")],
    on_create: Some(h::api_key_create),
    ..Family::new("api_key", "api_key", "api_key_")
};

const ORG_KEYS: &str = "/organizations/{organizationId}/api_keys";
const USER_KEYS: &str = "/user_management/users/{userId}/api_keys";
const OWNER_ORG: &[(&str, &str)] = &[("owner.type", "\"organization\"")];
const OWNER_USER: &[(&str, &str)] = &[("owner.type", "\"user\"")];
const USER_MEMBER: Check = Check {
    name: "active_membership",
    get: "/user_management/organization_memberships?user_id={userId}&organization_id={body.organization_id}&statuses=active",
    status: 422,
    list: true,
};

// ---- groups ----

pub static GROUP: Family = Family {
    required: &["name"],
    create: &["name", "description"],
    update: &["name", "description"],
    defaults: &[("description", "null")],
    parents: &[("organization_id", Parent::Organization)],
    on_update: Some(h::name_not_empty),
    ..Family::new("group", "group", "group_")
};

/// A membership's place in a group (the API shows it only through the group and the
/// membership, never as an object of its own).
pub static GROUP_MEMBERSHIP: Family = Family {
    parents: &[
        ("group_id", Parent::Local("group")),
        ("organization_membership_id", Parent::Membership),
    ],
    ..Family::new("group_membership", "group_membership", "group_membership_")
};

const GROUPS: &str = "/organizations/{organizationId}/groups";
const GROUP_ITEM: &str = "/organizations/{organizationId}/groups/{groupId}";
const IN_ORG: &[(&str, &str)] = &[("organizationId", "organization_id")];
const GROUP_IN_ORG: &[(&str, &str)] = &[("organizationId", "organization_id"), ("groupId", "id")];
const MEMBERS: &str = "/organizations/{organizationId}/groups/{groupId}/organization-memberships";

// ---- role assignments ----

pub static GROUP_ROLE_ASSIGNMENT: Family = Family {
    parents: &[
        ("group_id", Parent::Local("group")),
        ("resource.id", Parent::Local("authorization_resource")),
    ],
    ..Family::new(
        "group_role_assignment",
        "group_role_assignment",
        "group_role_assignment_",
    )
};

pub static ROLE_ASSIGNMENT: Family = Family {
    parents: &[
        ("organization_membership_id", Parent::Membership),
        ("resource.id", Parent::Local("authorization_resource")),
    ],
    ..Family::new("role_assignment", "role_assignment", "role_assignment_")
};

const GRAS: &str = "/authorization/groups/{group_id}/role_assignments";
const GRA_ITEM: &str = "/authorization/groups/{group_id}/role_assignments/{role_assignment_id}";
const GRA_BIND: &[(&str, &str)] = &[("group_id", "group_id"), ("role_assignment_id", "id")];
const RAS: &str =
    "/authorization/organization_memberships/{organization_membership_id}/role_assignments";
pub const MEMBERSHIP: Check = check(
    "organization_membership",
    "/user_management/organization_memberships/{organization_membership_id}",
);

// ---- authorization resources ----

pub static AUTHZ_RESOURCE: Family = Family {
    required: &[
        "external_id",
        "name",
        "resource_type_slug",
        "organization_id",
    ],
    create: &[
        "external_id",
        "name",
        "description",
        "resource_type_slug",
        "organization_id",
        "parent_resource_id",
    ],
    update: &["name", "description"],
    defaults: &[("description", "null"), ("parent_resource_id", "null")],
    parents: &[
        ("organization_id", Parent::Organization),
        (
            "parent_resource_id",
            Parent::Local("authorization_resource"),
        ),
    ],
    filters: &[
        ("organization_id", "organization_id"),
        ("resource_type_slug", "resource_type_slug"),
        ("resource_external_id", "external_id"),
        ("parent_resource_id", "parent_resource_id"),
    ],
    on_create: Some(h::resource_create),
    on_update: Some(h::resource_update),
    on_delete: Some(h::resource_delete),
    ..Family::new(
        "authorization_resource",
        "authorization_resource",
        "authz_resource_",
    )
};

const RESOURCE: &str = "/authorization/resources/{resource_id}";
const RESOURCE_BIND: &[(&str, &str)] = &[("resource_id", "id")];
const RESOURCE_EXT: &str =
    "/authorization/organizations/{organization_id}/resources/{resource_type_slug}/{external_id}";
const RESOURCE_EXT_BIND: &[(&str, &str)] = &[
    ("organization_id", "organization_id"),
    ("resource_type_slug", "resource_type_slug"),
    ("external_id", "external_id"),
];
const BODY_ORG: Check = check("organization", "/organizations/{body.organization_id}");
const MEMBERSHIP_RESOURCES: &str =
    "/authorization/organization_memberships/{organization_membership_id}/resources";

// ---- redirect URIs, CORS origins, JWT template ----

pub static REDIRECT_URI: Family = Family {
    required: &["uri"],
    create: &["uri"],
    defaults: &[("default", "false")],
    on_create: Some(h::redirect_uri_create),
    on_delete: Some(h::redirect_uri_delete),
    ..Family::new("redirect_uri", "redirect_uri", "redir_")
};

/// The spec has no CORS-origin delete: the family has none either.
pub static CORS_ORIGIN: Family = Family {
    required: &["origin"],
    create: &["origin"],
    on_create: Some(h::cors_origin_create),
    ..Family::new("cors_origin", "cors_origin", "cors_origin_")
};

/// The environment's one template: `GET` answers 404 until the first `PUT`.
pub static JWT_TEMPLATE: Family = Family::new("jwt_template", "jwt_template", "jwt_template_");

// ---- audit logs ----

/// One object per schema version of an action (`_action` names it).
pub static AUDIT_LOG_SCHEMA: Family =
    Family::new("audit_log_schema", "audit_log_schema", "audit_log_schema_");

/// One per organization (`organization_id`); 30 or 365 days only.
pub static AUDIT_LOG_RETENTION: Family = Family {
    parents: &[("organization_id", Parent::Organization)],
    ..Family::new(
        "audit_log_retention",
        "audit_logs_retention",
        "audit_log_retention_",
    )
};

const RETENTION: &str = "/organizations/{id}/audit_logs_retention";
const ORG_BY_ID: Check = check("organization", "/organizations/{id}");

// ---- connect applications and their client secrets ----

pub static CONNECT_APP: Family = Family {
    required: &["name", "application_type"],
    create: &[
        "name",
        "application_type",
        "description",
        "scopes",
        "redirect_uris",
        "uses_pkce",
        "is_first_party",
        "organization_id",
    ],
    update: &["name", "description", "scopes", "redirect_uris"],
    defaults: &[("description", "null"), ("scopes", "[]")],
    parents: &[("organization_id", Parent::Organization)],
    filters: &[("organization_id", "organization_id")],
    on_create: Some(h::connect_app_create),
    on_update: Some(h::connect_app_update),
    ..Family::new("connect_application", "connect_application", "conn_app_")
};

pub static CLIENT_SECRET: Family = Family {
    defaults: &[("last_used_at", "null")],
    secrets: &[Secret {
        field: "secret",
        make: || random_token(""),
        hints: &[("secret_hint", last4)],
    }],
    parents: &[("_application_id", Parent::Local("connect_application"))],
    ..Family::new(
        "connect_application_secret",
        "connect_application_secret",
        "secret_",
    )
};

const APP: &str = "/connect/applications/{id}";
const APP_BIND: &[(&str, &str)] = &[("id", "id")];

// ---- feature flags (fixtures), Radar lists ----

/// Flags exist only as fixtures (`fixtures/feature_flags.json`); `_targets` holds the
/// organization and user ids a flag targets.
pub static FEATURE_FLAG: Family = Family::new("feature_flag", "feature_flag", "flag_");

/// One entry of one list (`type`, `action`, `entry`); the API has no read.
pub static RADAR_ENTRY: Family =
    Family::new("radar_list_entry", "radar_list_entry", "radar_list_entry_");

const FLAG_TARGET: &str = "/feature-flags/{slug}/targets/{resourceId}";
const RADAR_LIST: &str = "/radar/lists/{type}/{action}";

// ---- data integrations ----

pub static DATA_INTEGRATION: Family = Family {
    required: &["provider"],
    create: &["description", "enabled", "scopes", "auth_methods", "config"],
    update: &["description", "enabled", "scopes"],
    defaults: &[
        ("description", "null"),
        ("enabled", "true"),
        ("state", "\"valid\""),
        ("scopes", "null"),
        ("auth_methods", "[\"oauth\"]"),
        ("config", "{}"),
        ("custom_provider", "null"),
        ("_credentials", "null"),
    ],
    on_create: Some(x::data_integration_create),
    on_update: Some(x::data_integration_update),
    ..Family::new("data_integration", "data_integration", "data_integration_")
};

/// Per-organization configuration of an integration (upserted by PUT; no delete in the spec).
pub static ORG_DATA_INTEGRATION: Family = Family {
    defaults: &[("enabled", "true"), ("scopes", "null"), ("config", "{}")],
    parents: &[
        ("organization_id", Parent::Organization),
        ("_integration", Parent::Local("data_integration")),
    ],
    ..Family::new(
        "data_integration_configuration",
        "data_integration_configuration",
        "data_integration_configuration_",
    )
};

const INTEGRATION: &str = "/data-integrations/{slug}";
const SLUG: &[(&str, &str)] = &[("slug", "slug")];

// ---- directories (fixtures: `fixtures/directories.json`, seeded per organization) ----

pub static DIRECTORY: Family = Family {
    parents: &[("organization_id", Parent::Organization)],
    delete_status: 202,
    ..Family::new("directory", "directory", "directory_")
};

pub static DIRECTORY_USER: Family = Family {
    parents: &[("directory_id", Parent::Local("directory"))],
    ..Family::new("directory_user", "directory_user", "directory_user_")
};

pub static DIRECTORY_GROUP: Family = Family {
    parents: &[("directory_id", Parent::Local("directory"))],
    ..Family::new("directory_group", "directory_group", "directory_group_")
};

// ---- vault ----

/// Key-value objects (UUID ids; `_name`, `_value`, `_versions` hidden: values leave only
/// through the show operations).
pub static VAULT_OBJECT: Family = Family::new("vault_object", "vault_object", "");
pub static VAULT_KEY: Family = Family::new("vault_data_key", "vault_data_key", "");

const KV_ITEM: &str = "/vault/v1/kv/{id}";

/// Every family (the cascade walks them all).
pub static FAMILIES: &[&Family] = &[
    &API_KEY,
    &GROUP,
    &GROUP_MEMBERSHIP,
    &GROUP_ROLE_ASSIGNMENT,
    &ROLE_ASSIGNMENT,
    &AUTHZ_RESOURCE,
    &REDIRECT_URI,
    &CORS_ORIGIN,
    &JWT_TEMPLATE,
    &AUDIT_LOG_SCHEMA,
    &AUDIT_LOG_RETENTION,
    &CONNECT_APP,
    &CLIENT_SECRET,
    &FEATURE_FLAG,
    &RADAR_ENTRY,
    &DATA_INTEGRATION,
    &ORG_DATA_INTEGRATION,
    &VAULT_OBJECT,
    &VAULT_KEY,
    &DIRECTORY,
    &DIRECTORY_USER,
    &DIRECTORY_GROUP,
];

use Op::{Create, Custom, Delete, Get, List, Update};

/// Every spec operation a local family serves.
pub static ROUTES: &[Route] = &[
    // API keys
    checked(pinned(bound(route("POST", ORG_KEYS, &API_KEY, Create), &[("organizationId", "owner.id")]), OWNER_ORG), &[ORG]),
    checked(pinned(bound(route("GET", ORG_KEYS, &API_KEY, List), &[("organizationId", "owner.id")]), OWNER_ORG), &[ORG]),
    checked(pinned(bound(route("POST", USER_KEYS, &API_KEY, Custom(h::user_api_key_create)), &[("userId", "owner.id")]), OWNER_USER), &[USER, USER_MEMBER]),
    checked(pinned(bound(route("GET", USER_KEYS, &API_KEY, List), &[("userId", "owner.id")]), OWNER_USER), &[USER]),
    route("POST", "/api_keys/{id}/expire", &API_KEY, Custom(h::api_key_expire)),
    bound(route("DELETE", "/api_keys/{id}", &API_KEY, Delete), &[("id", "id")]),
    route("POST", "/api_keys/validations", &API_KEY, Custom(h::api_key_validate)),
    // groups
    checked(bound(route("POST", GROUPS, &GROUP, Create), IN_ORG), &[ORG]),
    checked(bound(route("GET", GROUPS, &GROUP, List), IN_ORG), &[ORG]),
    bound(route("GET", GROUP_ITEM, &GROUP, Get), GROUP_IN_ORG),
    bound(route("PATCH", GROUP_ITEM, &GROUP, Update), GROUP_IN_ORG),
    bound(route("DELETE", GROUP_ITEM, &GROUP, Delete), GROUP_IN_ORG),
    checked(
        route("POST", MEMBERS, &GROUP_MEMBERSHIP, Custom(h::group_add_member)),
        &[check("organization_membership", "/user_management/organization_memberships/{body.organization_membership_id}")],
    ),
    route("GET", MEMBERS, &GROUP_MEMBERSHIP, Custom(h::group_list_members)),
    route("DELETE", "/organizations/{organizationId}/groups/{groupId}/organization-memberships/{omId}", &GROUP_MEMBERSHIP, Custom(h::group_remove_member)),
    checked(
        route("GET", "/user_management/organization_memberships/{omId}/groups", &GROUP_MEMBERSHIP, Custom(h::membership_groups)),
        &[check("organization_membership", "/user_management/organization_memberships/{omId}")],
    ),
    // group role assignments
    bound(route("GET", GRAS, &GROUP_ROLE_ASSIGNMENT, Custom(h::gra_list)), &[("group_id", "group_id")]),
    route("POST", GRAS, &GROUP_ROLE_ASSIGNMENT, Custom(h::gra_create)),
    route("PUT", GRAS, &GROUP_ROLE_ASSIGNMENT, Custom(h::gra_replace)),
    route("DELETE", GRAS, &GROUP_ROLE_ASSIGNMENT, Custom(h::gra_remove_by_criteria)),
    bound(route("GET", GRA_ITEM, &GROUP_ROLE_ASSIGNMENT, Get), GRA_BIND),
    bound(route("DELETE", GRA_ITEM, &GROUP_ROLE_ASSIGNMENT, Delete), GRA_BIND),
    // membership role assignments
    checked(route("GET", RAS, &ROLE_ASSIGNMENT, Custom(h::ra_list)), &[MEMBERSHIP]),
    checked(route("POST", RAS, &ROLE_ASSIGNMENT, Custom(h::ra_create)), &[MEMBERSHIP]),
    checked(route("DELETE", RAS, &ROLE_ASSIGNMENT, Custom(h::ra_remove_by_criteria)), &[MEMBERSHIP]),
    bound(
        route("DELETE", "/authorization/organization_memberships/{organization_membership_id}/role_assignments/{role_assignment_id}", &ROLE_ASSIGNMENT, Delete),
        &[("organization_membership_id", "organization_membership_id"), ("role_assignment_id", "id")],
    ),
    route("GET", "/authorization/resources/{resource_id}/role_assignments", &ROLE_ASSIGNMENT, Custom(h::resource_role_assignments)),
    route("GET", "/authorization/organizations/{organization_id}/resources/{resource_type_slug}/{external_id}/role_assignments", &ROLE_ASSIGNMENT, Custom(h::resource_role_assignments)),
    // authorization resources and the evaluation model
    checked(route("POST", "/authorization/resources", &AUTHZ_RESOURCE, Create), &[BODY_ORG]),
    route("GET", "/authorization/resources", &AUTHZ_RESOURCE, Custom(h::resource_list)),
    bound(route("GET", RESOURCE, &AUTHZ_RESOURCE, Get), RESOURCE_BIND),
    bound(route("PATCH", RESOURCE, &AUTHZ_RESOURCE, Update), RESOURCE_BIND),
    bound(route("DELETE", RESOURCE, &AUTHZ_RESOURCE, Delete), RESOURCE_BIND),
    bound(route("GET", RESOURCE_EXT, &AUTHZ_RESOURCE, Get), RESOURCE_EXT_BIND),
    bound(route("PATCH", RESOURCE_EXT, &AUTHZ_RESOURCE, Update), RESOURCE_EXT_BIND),
    bound(route("DELETE", RESOURCE_EXT, &AUTHZ_RESOURCE, Delete), RESOURCE_EXT_BIND),
    checked(route("POST", "/authorization/organization_memberships/{organization_membership_id}/check", &AUTHZ_RESOURCE, Custom(h::check)), &[MEMBERSHIP]),
    checked(route("GET", MEMBERSHIP_RESOURCES, &AUTHZ_RESOURCE, Custom(h::membership_resources)), &[MEMBERSHIP]),
    checked(route("GET", "/authorization/organization_memberships/{organization_membership_id}/resources/{resource_id}/permissions", &AUTHZ_RESOURCE, Custom(h::effective_permissions)), &[MEMBERSHIP]),
    checked(route("GET", "/authorization/organization_memberships/{organization_membership_id}/resources/{resource_type_slug}/{external_id}/permissions", &AUTHZ_RESOURCE, Custom(h::effective_permissions)), &[MEMBERSHIP]),
    route("GET", "/authorization/resources/{resource_id}/organization_memberships", &AUTHZ_RESOURCE, Custom(h::resource_memberships)),
    route("GET", "/authorization/organizations/{organization_id}/resources/{resource_type_slug}/{external_id}/organization_memberships", &AUTHZ_RESOURCE, Custom(h::resource_memberships)),
    // redirect URIs, CORS origins, JWT template
    route("POST", "/user_management/redirect_uris", &REDIRECT_URI, Create),
    route("GET", "/user_management/redirect_uris", &REDIRECT_URI, List),
    bound(route("DELETE", "/user_management/redirect_uris/{id}", &REDIRECT_URI, Delete), &[("id", "id")]),
    route("POST", "/user_management/cors_origins", &CORS_ORIGIN, Create),
    route("GET", "/user_management/cors_origins", &CORS_ORIGIN, List),
    route("GET", "/user_management/jwt_template", &JWT_TEMPLATE, Custom(h::jwt_get)),
    route("PUT", "/user_management/jwt_template", &JWT_TEMPLATE, Custom(h::jwt_put)),
    // audit logs
    route("POST", "/audit_logs/actions/{actionName}/schemas", &AUDIT_LOG_SCHEMA, Custom(h::audit_schema_create)),
    route("GET", "/audit_logs/actions", &AUDIT_LOG_SCHEMA, Custom(h::audit_actions_list)),
    route("GET", "/audit_logs/actions/{actionName}/schemas", &AUDIT_LOG_SCHEMA, Custom(h::audit_schema_list)),
    checked(route("GET", RETENTION, &AUDIT_LOG_RETENTION, Custom(h::retention_get)), &[ORG_BY_ID]),
    checked(route("PUT", RETENTION, &AUDIT_LOG_RETENTION, Custom(h::retention_put)), &[ORG_BY_ID]),
    checked(route("GET", "/organizations/{id}/audit_log_configuration", &AUDIT_LOG_RETENTION, Custom(h::audit_log_configuration)), &[ORG_BY_ID]),
    // connect applications and client secrets
    checked(route("POST", "/connect/applications", &CONNECT_APP, Create), &[BODY_ORG]),
    route("GET", "/connect/applications", &CONNECT_APP, List),
    route("GET", APP, &CONNECT_APP, Custom(h::connect_app_get)),
    bound(route("PUT", APP, &CONNECT_APP, Update), APP_BIND),
    bound(route("DELETE", APP, &CONNECT_APP, Delete), APP_BIND),
    route("POST", "/connect/applications/{id}/client_secrets", &CLIENT_SECRET, Custom(h::client_secret_create)),
    route("GET", "/connect/applications/{id}/client_secrets", &CLIENT_SECRET, Custom(h::client_secret_list)),
    bound(route("DELETE", "/connect/client_secrets/{id}", &CLIENT_SECRET, Delete), &[("id", "id")]),
    // feature flags and Radar lists
    route("GET", "/feature-flags", &FEATURE_FLAG, List),
    bound(route("GET", "/feature-flags/{slug}", &FEATURE_FLAG, Get), SLUG),
    route("PUT", "/feature-flags/{slug}/enable", &FEATURE_FLAG, Custom(x::flag_enable)),
    route("PUT", "/feature-flags/{slug}/disable", &FEATURE_FLAG, Custom(x::flag_disable)),
    route("POST", FLAG_TARGET, &FEATURE_FLAG, Custom(x::flag_target)),
    route("DELETE", FLAG_TARGET, &FEATURE_FLAG, Custom(x::flag_target)),
    checked(route("GET", "/organizations/{organizationId}/feature-flags", &FEATURE_FLAG, Custom(x::org_flags)), &[ORG]),
    checked(route("GET", "/user_management/users/{userId}/feature-flags", &FEATURE_FLAG, Custom(x::user_flags)), &[USER]),
    route("POST", RADAR_LIST, &RADAR_ENTRY, Custom(x::radar)),
    route("DELETE", RADAR_LIST, &RADAR_ENTRY, Custom(x::radar)),
    // data integrations
    route("POST", "/data-integrations", &DATA_INTEGRATION, Create),
    route("GET", "/data-integrations", &DATA_INTEGRATION, List),
    bound(route("GET", INTEGRATION, &DATA_INTEGRATION, Get), SLUG),
    bound(route("PUT", INTEGRATION, &DATA_INTEGRATION, Update), SLUG),
    bound(route("DELETE", INTEGRATION, &DATA_INTEGRATION, Delete), SLUG),
    checked(route("GET", "/organizations/{organizationId}/data_integration_configurations", &ORG_DATA_INTEGRATION, Custom(x::org_integrations)), &[ORG]),
    checked(route("PUT", "/organizations/{organizationId}/data_integration_configurations/{slug}", &ORG_DATA_INTEGRATION, Custom(x::org_integration_configure)), &[ORG]),
    // directories
    route("GET", "/directories", &DIRECTORY, Custom(x::directory_list)),
    bound(route("GET", "/directories/{id}", &DIRECTORY, Get), &[("id", "id")]),
    bound(route("DELETE", "/directories/{id}", &DIRECTORY, Delete), &[("id", "id")]),
    route("GET", "/directory_users", &DIRECTORY_USER, Custom(x::directory_users)),
    route("GET", "/directory_users/{id}", &DIRECTORY_USER, Custom(x::directory_users)),
    route("GET", "/directory_groups", &DIRECTORY_GROUP, Custom(x::directory_groups)),
    bound(route("GET", "/directory_groups/{id}", &DIRECTORY_GROUP, Get), &[("id", "id")]),
    // vault
    route("POST", "/vault/v1/kv", &VAULT_OBJECT, Custom(x::vault_create)),
    route("GET", "/vault/v1/kv", &VAULT_OBJECT, Custom(x::vault_index)),
    route("GET", KV_ITEM, &VAULT_OBJECT, Custom(x::vault_read)),
    route("GET", "/vault/v1/kv/name/{name}", &VAULT_OBJECT, Custom(x::vault_read)),
    route("GET", "/vault/v1/kv/{id}/metadata", &VAULT_OBJECT, Custom(x::vault_read)),
    route("GET", "/vault/v1/kv/{id}/versions", &VAULT_OBJECT, Custom(x::vault_read)),
    route("PUT", KV_ITEM, &VAULT_OBJECT, Custom(x::vault_update)),
    route("DELETE", KV_ITEM, &VAULT_OBJECT, Custom(x::vault_delete)),
    route("POST", "/vault/v1/keys/data-key", &VAULT_KEY, Custom(x::vault_data_key)),
    route("POST", "/vault/v1/keys/decrypt", &VAULT_KEY, Custom(x::vault_data_key)),
];
