//! A create whose answer was lost (timeout, connection dropped after sending, 5xx, a 2xx that
//! makes no sense): the object may exist. A create is never sent again blindly; instead the
//! object is looked up by the resource's unique key (`adopt_by`) and adopted when found, so
//! an apply never leaves an object outside the state nor creates a second one. Without a key
//! the diagnostic says the object may exist and how to import it.

use super::api::{self, error_diag};
use crate::diag::{Diagnostic, Diagnostics};
use crate::transport::{ApiError, Client};
use crate::value::Value;
use descriptor::{AdoptDesc, ResourceDesc};
use serde_json::Value as Json;
use std::time::Duration;

/// Waits before each further lookup that found nothing: an API with read-after-write lag may
/// not show an object it just created.
const LAG_WAITS: [Duration; 2] = [Duration::from_millis(300), Duration::from_millis(900)];

/// What looking the object up by its key concluded.
enum Lookup {
    Found(Json),
    Absent,
    /// The lookup cannot be made (no key, or a key attribute not set); the reason.
    NoKey(String),
    Failed(String),
}

/// The created object's answer recovered after the create's own answer was lost (`lost`, an
/// error with an unknown outcome): the adopted object and a warning saying so; or the
/// diagnostics for the failure (never an object without an identifier).
pub async fn recover(
    client: &Client,
    r: &ResourceDesc,
    planned: &Value,
    lost: &ApiError,
) -> Result<(Json, Diagnostic), Diagnostics> {
    let mut found = find(client, r, planned).await;
    for wait in LAG_WAITS {
        if !matches!(found, Lookup::Absent) {
            break;
        }
        tokio::time::sleep(wait).await;
        found = find(client, r, planned).await;
    }
    let key = key_text(r, planned);
    match found {
        Lookup::Found(j) => Ok((
            j,
            Diagnostic::warning(
                format!("Adopted the {} created before its answer was lost", r.name),
                format!("The answer to the create was lost ({lost}); the object with {key} was found and taken into state as the one created."),
            ),
        )),
        Lookup::Absent => {
            let mut d = error_diag("Create", r.name, lost, r.attrs);
            for x in &mut d {
                x.detail.push_str(&format!("\nNo object with {key} exists, so the create did not happen; applying again is safe."));
            }
            Err(Diagnostics(d))
        }
        Lookup::NoKey(why) | Lookup::Failed(why) => Err(may_exist(r, lost, &why).into()),
    }
}

/// The error for a create that may have succeeded unseen.
fn may_exist(r: &ResourceDesc, lost: &ApiError, why: &str) -> Diagnostic {
    let id_form: Vec<String> = r.import.parts.iter().map(|p| format!("<{p}>")).collect();
    Diagnostic::error(
        format!("Create {} may have succeeded", r.name),
        format!(
            "{lost}\nThe answer was lost, so WorkOS may have created the object; the provider cannot tell ({why}). If it exists, it is not in Terraform state: find it and run `terraform import <address of this resource> {}` before applying again, or the next apply creates a second one.",
            id_form.join(r.import.separator)
        ),
    )
}

/// `attr = "value"` for each key attribute, for messages.
fn key_text(r: &ResourceDesc, planned: &Value) -> String {
    let Some(a) = &r.adopt else {
        return String::new();
    };
    key_attrs(a)
        .iter()
        .map(|k| match planned.attr(k) {
            Value::String(s) => format!("{k} = {s:?}"),
            _ => format!("{k} unset"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every attribute the key is made of: the compared ones and those the lookup's path takes.
fn key_attrs(a: &AdoptDesc) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = a.op.path_params.iter().map(|p| p.attr).collect();
    for k in a.keys.iter().map(|k| k.attr) {
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// Does this object carry the planned value of every compared key?
fn matches(r: &ResourceDesc, a: &AdoptDesc, planned: &Value, j: &Json) -> bool {
    a.keys.iter().all(|k| {
        let want = match r.attr(k.attr) {
            Some(attr) => api::body_value(attr, planned.attr(k.attr)),
            None => return false,
        };
        j.get(k.field) == Some(&want)
    })
}

async fn find(client: &Client, r: &ResourceDesc, planned: &Value) -> Lookup {
    let Some(a) = &r.adopt else {
        return Lookup::NoKey(format!("{} has no unique key to look it up by", r.name));
    };
    if let Some(k) = key_attrs(a)
        .into_iter()
        .find(|k| !matches!(planned.attr(k), Value::String(s) if !s.is_empty()))
    {
        return Lookup::NoKey(format!("its unique key `{k}` is not set"));
    }
    let ids = api::identity_fields(r.attrs);
    let usable = |j: &Json| {
        matches(r, a, planned, j) && ids.iter().all(|f| j.get(*f).is_some_and(|v| !v.is_null()))
    };
    let failed = |e: ApiError| Lookup::Failed(format!("looking it up by its key failed: {e}"));
    if a.op.paginated {
        return match api::list_all(client, &a.op, planned).await {
            Ok(items) => {
                let mut hits: Vec<Json> = items.into_iter().filter(|j| usable(j)).collect();
                match hits.len() {
                    0 => Lookup::Absent,
                    1 => Lookup::Found(hits.remove(0)),
                    n => Lookup::Failed(format!("{n} objects carry its unique key")),
                }
            }
            Err(e) => failed(e),
        };
    }
    match api::call(client, &a.op, planned, None).await {
        Ok(j) if usable(&j) => Lookup::Found(j),
        Ok(_) => Lookup::Failed("the answer to the lookup by its key is not that object".into()),
        Err(e) if e.is_not_found() => Lookup::Absent,
        Err(e) => failed(e),
    }
}
