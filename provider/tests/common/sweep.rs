//! The sweeper: deletes what acceptance runs left behind in a WorkOS environment (live mode,
//! see `tests/acceptance/README.md`). Every object a case creates carries the run's prefix
//! (`${run}`, see [`run_prefix`]) in a name, slug, email, domain, external id or URL path; the
//! sweeper lists every resource type of the provider that has a list operation without path
//! parameters and deletes the listed objects that carry the prefix, children before parents.
//! Operations come from the descriptors ([`generated::PROVIDER`]), not from a list of paths.
use std::sync::OnceLock;

use descriptor::{Method, Op, ReadDesc, ResourceDesc};
use serde_json::Value;

use super::proxy::blocking_request;

/// What every run prefix starts with: `make sweep` without `TFACC_RUN` removes every run's
/// leftovers.
pub const COMMON_PREFIX: &str = "tfacc-";

/// This process's run id: `TFACC_RUN` when set (lowercase letters, digits and hyphens,
/// starting with [`COMMON_PREFIX`]), else `tfacc-` and five random lowercase letters and
/// digits. Short, and valid in slugs, emails, domains and external ids.
pub fn run_prefix() -> &'static str {
    static RUN: OnceLock<String> = OnceLock::new();
    RUN.get_or_init(|| match std::env::var("TFACC_RUN") {
        Ok(r) if !r.is_empty() => {
            assert!(
                valid_prefix(&r),
                "TFACC_RUN={r:?}: it must start with {COMMON_PREFIX:?} and hold only lowercase letters, digits and hyphens"
            );
            r
        }
        _ => {
            use rand::Rng;
            const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
            let mut rng = rand::rng();
            let tail: String = (0..5)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{COMMON_PREFIX}{tail}")
        }
    })
}

pub fn valid_prefix(p: &str) -> bool {
    p.starts_with(COMMON_PREFIX)
        && p.len() <= 24
        && p.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Item fields that name an object a case created (top level; `domains[].domain` too).
const NAME_FIELDS: &[&str] = &[
    "name",
    "slug",
    "email",
    "domain",
    "external_id",
    "organization_name",
    "endpoint_url",
];

/// Whether a listed object carries `prefix`: a name field starts with it (after `org-`, which
/// an organization role's slug must start with), or (a URL) has a path segment that does.
pub fn carries(item: &Value, prefix: &str) -> bool {
    let hit = |s: &str| {
        s.strip_prefix("org-").unwrap_or(s).starts_with(prefix) || s.contains(&format!("/{prefix}"))
    };
    let top = NAME_FIELDS
        .iter()
        .filter_map(|f| item.get(*f).and_then(Value::as_str))
        .any(hit);
    let domains = item["domains"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["domain"].as_str())
        .any(hit);
    top || domains
}

/// A resource type the sweeper can list on its own, and how to delete one listed item.
pub struct Sweepable {
    pub resource: &'static ResourceDesc,
    pub list: &'static Op,
    pub delete: &'static Op,
    /// The item field that fills the delete path's one parameter.
    pub key_field: &'static str,
}

/// How many parent references (`organization_id`, `user_id`) a resource has: children are
/// swept first.
fn depth(r: &ResourceDesc) -> usize {
    r.attrs
        .iter()
        .filter(|a| matches!(a.name, "organization_id" | "user_id"))
        .count()
}

/// The provider's resource types with a list operation without path parameters and a delete
/// with one path parameter, children first; and, for the others, why they are not swept on
/// their own.
pub fn plan() -> (Vec<Sweepable>, Vec<String>) {
    let mut resources: Vec<&'static ResourceDesc> = generated::PROVIDER.resources.to_vec();
    resources.sort_by_key(|r| std::cmp::Reverse(depth(r)));
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for r in resources {
        let list = match (&r.refresh, &r.read) {
            (Some(l), _) => Some(&l.op),
            (None, ReadDesc::ListFind { op, .. }) => Some(op),
            _ => None,
        }
        .filter(|op| op.paginated && !op.path.contains('{'));
        let delete = r.delete.as_ref().filter(|d| d.path_params.len() == 1);
        let key = delete.and_then(|d| r.attr(d.path_params[0].attr)?.response_field);
        match (list, delete, key) {
            (Some(list), Some(delete), Some(key_field)) => out.push(Sweepable {
                resource: r,
                list,
                delete,
                key_field,
            }),
            _ => skipped.push(format!(
                "{}: no list without path parameters (or no one-parameter delete); deleted with its parent",
                r.name
            )),
        }
    }
    (out, skipped)
}

/// Every item of a paginated list (`limit`/`after`), or the failed answer.
fn list_all(base: &str, key: &str, op: &Op) -> Result<Vec<Value>, String> {
    assert_eq!(op.method, Method::Get);
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..1000 {
        let path = match &after {
            Some(a) => format!("{}?limit=100&after={a}", op.path),
            None => format!("{}?limit=100", op.path),
        };
        let (status, body) = blocking_request(base, key, "GET", &path, None);
        if !(200..300).contains(&status) {
            return Err(format!("GET {path}: {status} {body}"));
        }
        items.extend(body["data"].as_array().cloned().unwrap_or_default());
        after = body["list_metadata"]["after"].as_str().map(str::to_string);
        if after.is_none() {
            return Ok(items);
        }
    }
    Err(format!("GET {}: more than 1000 pages", op.path))
}

/// What a sweep did.
#[derive(Default)]
pub struct Report {
    /// `<type> <key> (<path>)` per deleted object.
    pub deleted: Vec<String>,
    /// Types not swept on their own, and lists that could not be read.
    pub notes: Vec<String>,
    /// Deletes that failed.
    pub failures: Vec<String>,
}

/// Deletes every listed object that carries `prefix` at `base`, children first.
pub fn sweep(base: &str, key: &str, prefix: &str) -> Report {
    assert!(
        valid_prefix(prefix),
        "refusing to sweep with prefix {prefix:?}: it must start with {COMMON_PREFIX:?}"
    );
    let (types, skipped) = plan();
    let mut report = Report {
        notes: skipped,
        ..Report::default()
    };
    for t in types {
        let items = match list_all(base, key, t.list) {
            Ok(items) => items,
            Err(e) => {
                report
                    .notes
                    .push(format!("{}: not listed ({e})", t.resource.name));
                continue;
            }
        };
        for item in items.iter().filter(|i| carries(i, prefix)) {
            let Some(k) = item.get(t.key_field).and_then(Value::as_str) else {
                report.failures.push(format!(
                    "{}: item without {}: {item}",
                    t.resource.name, t.key_field
                ));
                continue;
            };
            let param = format!("{{{}}}", t.delete.path_params[0].param);
            let path = t.delete.path.replace(&param, k);
            let (status, body) = blocking_request(base, key, "DELETE", &path, None);
            // 404: already gone (a parent's delete took it along).
            if (200..300).contains(&status) || status == 404 {
                report
                    .deleted
                    .push(format!("{} {k} ({path}): {status}", t.resource.name));
            } else {
                report
                    .failures
                    .push(format!("DELETE {path}: {status} {body}"));
            }
        }
    }
    report
}

/// The listed objects that still carry `prefix` (`<type> <key>`).
pub fn leftovers(base: &str, key: &str, prefix: &str) -> Result<Vec<String>, String> {
    let mut left = Vec::new();
    for t in plan().0 {
        for item in list_all(base, key, t.list)?
            .iter()
            .filter(|i| carries(i, prefix))
        {
            left.push(format!("{} {}", t.resource.name, item[t.key_field]));
        }
    }
    Ok(left)
}
