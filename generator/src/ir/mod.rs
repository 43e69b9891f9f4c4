//! The intermediate representation: the spec's operations and shapes merged with the
//! overrides into Terraform resources and data sources.
//!
//! - `model`: the IR types;
//! - `check`: every check that an override key names something that exists;
//! - `attrs`: shape → type and validators, overrides applied, descriptions completed;
//! - `resource`: candidate attributes per source → merge → overrides → operations bound;
//! - `data_source`: lookups and lists the same way;
//! - `refresh`: which resources may refresh from their list operation;
//! - `chosen`: operations chosen by a value (`import_by`, `transitions`).
//!
//! A path parameter is bound to the attribute of its snake_case name
//! ([`crate::names::attr_name`]) unless the override's `bind` names another one, for one
//! operation or for all of them ([`bound_attr`]).

mod attrs;
mod check;
mod chosen;
mod data_source;
pub mod groups;
pub mod model;
mod refresh;
mod resource;

pub use model::*;

use crate::error::Error;
use crate::names;
use crate::overrides::{Bind, Overrides, BIND_ALL};
use crate::resolve::{Kind, OperationInfo, Resolver};
use check::Errors;
use descriptor::{Method, RateClass};
use indexmap::IndexMap;

/// Build the IR; every error found is returned, not only the first.
pub fn build(
    ov: &Overrides,
    resolver: &Resolver,
    spec_sha256: &str,
    spec_version: &str,
) -> Result<ProviderIr, Vec<Error>> {
    let p = &ov.provider;
    let mut errors = vec![];
    let mut resources = each(&ov.resources, &mut errors, |r, errs| {
        resource::resource(ov, r, resolver, errs)
    });
    let mut data_sources = each(&ov.data_sources, &mut errors, |d, errs| {
        data_source::data_source(ov, d, resolver, errs)
    });
    defined_once(&resources, &data_sources, &mut errors);
    resources.sort_by(|a, b| a.name.cmp(&b.name));
    data_sources.sort_by(|a, b| a.name.cmp(&b.name));
    if !errors.is_empty() {
        return Err(errors);
    }
    let config = p
        .config
        .iter()
        .map(|(name, c)| ConfigIr {
            name: name.clone(),
            description: c.description.clone(),
            env: c.env.clone(),
            sensitive: c.sensitive,
            required: c.required,
            default: c.default.clone(),
            role: c.role,
        })
        .collect();
    Ok(ProviderIr {
        type_name: p.type_name.clone(),
        source_address: p.source_address.clone(),
        default_base_url: p.default_base_url.clone(),
        description: p.description.clone(),
        spec_file: p.spec.clone(),
        spec_sha256: spec_sha256.to_string(),
        spec_version: spec_version.to_string(),
        config,
        resources,
        data_sources,
    })
}

/// Build one IR item per override file, collecting every file's errors.
fn each<O, T>(
    files: &[(std::path::PathBuf, O)],
    errors: &mut Vec<Error>,
    build: impl Fn(&O, &mut Errors) -> Option<T>,
) -> Vec<T> {
    let mut out = vec![];
    for (file, o) in files {
        let mut errs = Errors::new(file);
        let item = build(o, &mut errs);
        errors.extend(errs.list);
        out.extend(item);
    }
    out
}

fn defined_once(resources: &[ResourceIr], data_sources: &[DataSourceIr], errors: &mut Vec<Error>) {
    let mut seen = std::collections::BTreeSet::new();
    let all = resources
        .iter()
        .map(|r| format!("resource {}", r.name))
        .chain(
            data_sources
                .iter()
                .map(|d| format!("data source {}", d.name)),
        );
    for n in all {
        if !seen.insert(n.clone()) {
            errors.push(Error::Override {
                file: "overrides/".into(),
                key: n,
                message: "defined twice".into(),
            });
        }
    }
}

/// Query parameters of `info` bound to attributes (`param → attribute`), as the spec declares
/// them; an unknown parameter is an error at `key.<param>`.
fn bind_query(
    info: &OperationInfo,
    query: &IndexMap<String, String>,
    errs: &mut Errors,
    key: &str,
) -> Vec<BindingIr> {
    let mut out = vec![];
    for (q, attr) in query {
        match info.query_params.iter().find(|p| &p.name == q) {
            Some(p) => out.push(BindingIr {
                param: q.clone(),
                attr: attr.clone(),
                explode: p.explode,
            }),
            None => errs.push(
                format!("{key}.{q}"),
                format!(
                    "operation {} has no query parameter {q:?}",
                    info.operation_id
                ),
            ),
        }
    }
    out
}

/// The attribute path parameter `param` of operation `op` is bound to: the one `bind` names
/// for this operation, else for every operation (`"*"`), else the naming rule's.
pub fn bound_attr(bind: &Bind, op: &str, param: &str) -> String {
    (bind.get(op).and_then(|b| b.get(param)))
        .or_else(|| bind.get(BIND_ALL).and_then(|b| b.get(param)))
        .cloned()
        .unwrap_or_else(|| names::attr_name(param))
}

/// Is `param` of `op` bound explicitly (not by the naming rule)?
pub fn explicitly_bound(bind: &Bind, op: &str, param: &str) -> bool {
    [op, BIND_ALL]
        .iter()
        .any(|k| bind.get(*k).is_some_and(|b| b.contains_key(param)))
}

/// Every `bind.<operation>.<parameter>` names an operation of this object (or `"*"`) and one
/// of its path parameters (for `"*"`: a path parameter of one of them).
fn check_bind(bind: &Bind, ops: &[&OperationInfo], errs: &mut Errors) {
    for (op, params) in bind {
        let scope: Vec<&OperationInfo> = if op == BIND_ALL {
            ops.to_vec()
        } else {
            ops.iter()
                .copied()
                .filter(|o| &o.operation_id == op)
                .collect()
        };
        if scope.is_empty() {
            let ids: Vec<&str> = ops.iter().map(|o| o.operation_id.as_str()).collect();
            errs.push(
                format!("bind.{op}"),
                format!("not an operation of this object; use \"*\" or one of {ids:?}"),
            );
            continue;
        }
        for param in params.keys() {
            let has = |o: &&OperationInfo| o.path_params.iter().any(|p| &p.name == param);
            if !scope.iter().any(has) {
                errs.push(
                    format!("bind.{op}.{param}"),
                    format!("{op} has no path parameter {{{param}}}; `bind` binds path parameters only (query parameters are bound by `query`)"),
                );
            }
        }
    }
}

/// What an operation is used for, and so which HTTP methods fit it.
#[derive(Clone, Copy)]
enum Role {
    Create,
    Read,
    Update,
    Delete,
    /// An extra write or an action.
    Write,
    /// A data-source lookup or an `adopt_by` lookup.
    Lookup,
    List,
}

impl Role {
    /// `None` when `m` fits; else what fits.
    fn refuses(self, m: Method) -> Option<&'static str> {
        use Method::*;
        let (fits, allowed) = match self {
            Role::Create => (matches!(m, Post | Put), "POST or PUT"),
            Role::Read | Role::List => (m == Get, "GET"),
            Role::Update => (matches!(m, Patch | Put | Post), "PATCH, PUT or POST"),
            Role::Delete => (
                matches!(m, Delete | Post),
                "DELETE (or a POST that revokes)",
            ),
            Role::Write => (
                m != Get,
                "POST, PUT, PATCH or DELETE (a GET writes nothing)",
            ),
            Role::Lookup if m == Post => return Some(
                "GET: a POST lookup sends a request body, and POST lookups are not supported yet",
            ),
            Role::Lookup => (m == Get, "GET"),
        };
        (!fits).then_some(allowed)
    }
}

/// An error at `key` when the operation's method does not fit its role.
fn check_method(role: Role, op: &OpIr, errs: &mut Errors, key: &str) {
    if let Some(allowed) = role.refuses(op.method) {
        errs.push(
            key,
            format!(
                "{} is {} {}, which cannot serve here: this role needs {allowed}; choose another operation",
                op.operation_id, op.method, op.path
            ),
        );
    }
}

/// An operation bound to attributes: path parameters as [`bound_attr`] says, `query` as given.
fn op_ir(
    info: &OperationInfo,
    query_params: Vec<BindingIr>,
    bind: &Bind,
    errs: &mut Errors,
    key: &str,
) -> OpIr {
    let path_params = info
        .path_params
        .iter()
        .map(|p| BindingIr {
            param: p.name.clone(),
            attr: bound_attr(bind, &info.operation_id, &p.name),
            explode: false,
        })
        .collect();
    let data = attrs::object_props(info.response.as_ref()).0;
    let paginated = data.contains_key("data")
        && data.contains_key("list_metadata")
        && matches!(
            info.response.as_ref().map(|s| &s.kind),
            Some(Kind::Object { .. })
        );
    let method = method(&info.method);
    OpIr {
        operation_id: info.operation_id.clone(),
        rate_class: rate_class(&info.path, method.unwrap_or(Method::Get)),
        method: method.unwrap_or_else(|| {
            errs.push(
                key,
                format!(
                    "{} uses HTTP method {}, which the provider cannot call",
                    info.operation_id, info.method
                ),
            );
            Method::Get
        }),
        path: info.path.clone(),
        path_params,
        query_params,
        paginated,
    }
}

/// WorkOS's published rate-limit class of an operation: AuthKit (`/user_management/…`) reads and
/// writes have their own limits; everything else is general.
pub fn rate_class(path: &str, method: Method) -> RateClass {
    let authkit = path == "/user_management" || path.starts_with("/user_management/");
    match (authkit, method) {
        (false, _) => RateClass::General,
        (true, Method::Get) => RateClass::AuthkitRead,
        (true, _) => RateClass::AuthkitWrite,
    }
}

fn method(m: &str) -> Option<Method> {
    use serde::de::{value::StrDeserializer, IntoDeserializer};
    use serde::Deserialize;
    let d: StrDeserializer<'_, serde::de::value::Error> = m.into_deserializer();
    Method::deserialize(d).ok()
}

#[cfg(test)]
mod rate_class_tests {
    use super::*;

    #[test]
    fn authkit_paths_are_their_own_classes() {
        let c = rate_class;
        assert_eq!(
            c("/user_management/users", Method::Get),
            RateClass::AuthkitRead
        );
        assert_eq!(
            c("/user_management/users/{id}", Method::Put),
            RateClass::AuthkitWrite
        );
        assert_eq!(
            c("/user_management/organization_memberships", Method::Post),
            RateClass::AuthkitWrite
        );
        assert_eq!(
            c("/user_management/users/{id}", Method::Delete),
            RateClass::AuthkitWrite
        );
        assert_eq!(c("/organizations", Method::Post), RateClass::General);
        assert_eq!(c("/user_managementx", Method::Get), RateClass::General);
        assert_eq!(
            c("/authorization/permissions", Method::Get),
            RateClass::General
        );
    }
}
