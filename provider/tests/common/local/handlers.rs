//! What a family's data cannot say: validation hooks and the custom verbs (API key expire
//! and validate, group membership, role-assignment targets, the permission evaluation
//! model, singletons such as the JWT template and audit-log retention).
use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::families::{
    Route, AUDIT_LOG_RETENTION, AUDIT_LOG_SCHEMA, CLIENT_SECRET, CONNECT_APP, GROUP_MEMBERSHIP,
    GROUP_ROLE_ASSIGNMENT, JWT_TEMPLATE, REDIRECT_URI, ROLE_ASSIGNMENT,
};
use super::store::{public, Page, Store};
use super::{build, field, generic, BoxFut, Local, Out, Req, Up};

fn iso_ok(s: &str) -> bool {
    regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]00:00)$")
        .expect("regex")
        .is_match(s)
}

/// `a` is later than `b`, comparing ISO-8601 UTC strings to the second.
fn later(a: &str, b: &str) -> bool {
    a.get(..19).unwrap_or(a) > b.get(..19).unwrap_or(b)
}

fn page_of(req: &Req, items: Vec<Value>) -> Out {
    match Page::parse(&req.query) {
        Ok(p) => Out::ok(p.envelope(items)),
        Err(e) => e,
    }
}

// ---- API keys ----

pub fn api_key_create(store: &mut Store, req: &Req, obj: &mut Value) -> Result<(), Out> {
    if let Some(p) = req.body.get("permissions") {
        if !p.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
            return Err(Out::invalid(
                "permissions",
                "permissions must be a list of strings",
            ));
        }
    }
    if let Some(e) = req.body.get("expires_at").filter(|v| !v.is_null()) {
        let now = store.now();
        match e.as_str() {
            Some(s) if iso_ok(s) && later(s, &now) => {}
            _ => {
                return Err(Out::invalid(
                    "expires_at",
                    "expires_at must be a future ISO-8601 time",
                ))
            }
        }
    }
    if obj["owner"]["type"] == "organization" {
        if let Some(o) = obj["owner"].as_object_mut() {
            o.remove("organization_id");
        }
    }
    Ok(())
}

pub fn user_api_key_create<'a>(l: &'a Local, _: &'a Up, req: &'a Req, r: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        if req.body_str("organization_id").is_none() {
            return Out::invalid("organization_id", "organization_id is required");
        }
        generic(l, req, r, super::families::Op::Create)
    })
}

pub fn api_key_expire<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let mut store = l.store.lock().unwrap();
        let now = store.now();
        let id = req.param("id").to_string();
        let Some(key) = store.find_mut("api_key", |v| v["id"] == id.as_str()) else {
            return Out::not_found("api_key");
        };
        if key["expires_at"].as_str().is_some_and(|e| !later(e, &now)) {
            return Out::conflict("api_key_already_expired", "the API key has already expired");
        }
        let at = match req.body.get("expires_at") {
            None => json!(now),
            Some(Value::Null) => Value::Null,
            Some(Value::String(s)) if iso_ok(s) => json!(s),
            Some(_) => {
                return Out::invalid("expires_at", "expires_at must be an ISO-8601 time or null")
            }
        };
        key["expires_at"] = at;
        key["updated_at"] = json!(now);
        Out::ok(public(key))
    })
}

pub fn api_key_validate<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let Some(value) = req.body_str("value") else {
            return Out::Json(422, json!({"message": "value is required"}));
        };
        let mut store = l.store.lock().unwrap();
        let now = store.now();
        let key = store.find("api_key", |v| {
            v["_value"] == value && v["expires_at"].as_str().is_none_or(|e| later(e, &now))
        });
        Out::ok(json!({"api_key": key.map(public)}))
    })
}

// ---- groups ----

pub fn name_not_empty(_: &mut Store, req: &Req, _: &mut Value) -> Result<(), Out> {
    match req.body.get("name") {
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(Out::invalid("name", "name must not be empty"))
        }
        Some(v) if !v.is_string() => Err(Out::invalid("name", "name must be a string")),
        _ => Ok(()),
    }
}

fn group_in_org(store: &Store, org: &str, group: &str) -> Result<Value, Out> {
    store
        .find("group", |g| g["id"] == group && g["organization_id"] == org)
        .cloned()
        .ok_or_else(|| Out::not_found("group"))
}

pub fn group_add_member<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let Some(om) = req.body_str("organization_membership_id") else {
            return Out::invalid(
                "organization_membership_id",
                "organization_membership_id is required",
            );
        };
        let mut store = l.store.lock().unwrap();
        let org = req.param("organizationId");
        let group = match group_in_org(&store, org, req.param("groupId")) {
            Ok(g) => g,
            Err(e) => return e,
        };
        if req.fetched["organization_membership"]["organization_id"] != org {
            return Out::invalid(
                "organization_membership_id",
                "the membership belongs to another organization",
            );
        }
        let gid = group["id"].clone();
        if store
            .find("group_membership", |m| {
                m["group_id"] == gid && m["organization_membership_id"] == om
            })
            .is_none()
        {
            let pins = [
                ("group_id".to_string(), gid),
                ("organization_membership_id".to_string(), json!(om)),
                ("organization_id".to_string(), json!(org)),
            ];
            let (obj, _) = build(&mut store, &GROUP_MEMBERSHIP, &json!({}), &pins);
            store.insert(GROUP_MEMBERSHIP.name, obj);
        }
        Out::ok(public(&group))
    })
}

/// An emulator membership as the spec's `UserlandUserOrganizationMembershipBase`.
async fn membership(up: &Up, om: &str, with_user: bool) -> Option<Value> {
    let (s, mut v) = up
        .get(&format!("/user_management/organization_memberships/{om}"))
        .await;
    if !(200..300).contains(&s) {
        return None;
    }
    if let Some(o) = v.as_object_mut() {
        o.entry("directory_managed").or_insert(json!(false));
    }
    if with_user {
        let uid = field(&v, "user_id").unwrap_or("").to_string();
        let (s, u) = up.get(&format!("/user_management/users/{uid}")).await;
        if (200..300).contains(&s) {
            v["user"] = u;
        }
    }
    Some(v)
}

/// Replaces each listed `{id}` by the emulator's membership with that id.
async fn expand_memberships(up: &Up, out: Out, with_user: bool) -> Out {
    let Out::Json(200, mut env) = out else {
        return out;
    };
    if let Some(items) = env["data"].as_array_mut() {
        for item in items.iter_mut() {
            let id = item["id"].as_str().unwrap_or("").to_string();
            if let Some(m) = membership(up, &id, with_user).await {
                *item = m;
            }
        }
    }
    Out::ok(env)
}

pub fn group_list_members<'a>(l: &'a Local, up: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let out = {
            let store = l.store.lock().unwrap();
            let group =
                match group_in_org(&store, req.param("organizationId"), req.param("groupId")) {
                    Ok(g) => g,
                    Err(e) => return e,
                };
            let ids: Vec<Value> = store
                .all("group_membership")
                .iter()
                .filter(|m| m["group_id"] == group["id"])
                .map(|m| json!({"id": m["organization_membership_id"]}))
                .collect();
            page_of(req, ids)
        };
        expand_memberships(up, out, false).await
    })
}

pub fn group_remove_member<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let mut store = l.store.lock().unwrap();
        let group = match group_in_org(&store, req.param("organizationId"), req.param("groupId")) {
            Ok(g) => g,
            Err(e) => return e,
        };
        let om = req.param("omId");
        let n = store.remove_where(GROUP_MEMBERSHIP.name, |m| {
            m["group_id"] == group["id"] && m["organization_membership_id"] == om
        });
        if n == 0 {
            return Out::not_found("group membership");
        }
        Out::Empty(204)
    })
}

fn groups_of(store: &Store, om: &str) -> Vec<Value> {
    let ids: Vec<&Value> = store
        .all("group_membership")
        .iter()
        .filter(|m| m["organization_membership_id"] == om)
        .map(|m| &m["group_id"])
        .collect();
    store
        .all("group")
        .iter()
        .filter(|g| ids.contains(&&g["id"]))
        .cloned()
        .collect()
}

pub fn membership_groups<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        page_of(req, groups_of(&store, req.param("omId")))
    })
}

// ---- role assignments ----

/// The organization itself as a role-assignment target.
fn org_target(org: &str) -> Value {
    json!({"id": org, "external_id": org, "resource_type_slug": "organization"})
}

/// The target named by `resource_id` or (`resource_external_id` + `resource_type_slug`) in
/// `body` (prefix `""` or `"parent_"`); `Ok(None)` when neither is given.
fn target(store: &Store, org: &str, body: &Value, prefix: &str) -> Result<Option<Value>, Out> {
    let s = |k: &str| {
        body.get(format!("{prefix}{k}"))
            .and_then(Value::as_str)
            .map(String::from)
    };
    let (id, ext, ty) = (
        s("resource_id"),
        s("resource_external_id").or_else(|| s("external_id")),
        s("resource_type_slug"),
    );
    let found = match (id, ext, ty) {
        (Some(id), _, _) if id == org => return Ok(Some(org_target(org))),
        (Some(id), _, _) => store.find("authorization_resource", |r| r["id"] == id.as_str()),
        (None, Some(ext), Some(ty)) => store.find("authorization_resource", |r| {
            r["external_id"] == ext.as_str()
                && r["resource_type_slug"] == ty.as_str()
                && r["organization_id"] == org
        }),
        (None, Some(_), None) | (None, None, Some(_)) => {
            return Err(Out::invalid(
                "resource_type_slug",
                "an external id needs its resource_type_slug",
            ))
        }
        (None, None, None) => return Ok(None),
    };
    let r = found.ok_or_else(|| Out::not_found("authorization_resource"))?;
    if r["organization_id"] != org {
        return Err(Out::invalid(
            "resource_id",
            "the resource belongs to another organization",
        ));
    }
    Ok(Some(
        json!({"id": r["id"], "external_id": r["external_id"], "resource_type_slug": r["resource_type_slug"]}),
    ))
}

async fn role_exists(up: &Up, org: &str, slug: &str) -> bool {
    let (s, _) = up
        .get(&format!("/authorization/organizations/{org}/roles/{slug}"))
        .await;
    if (200..300).contains(&s) {
        return true;
    }
    let (s, _) = up.get(&format!("/authorization/roles/{slug}")).await;
    (200..300).contains(&s)
}

/// (role slug, target) of an assignment body, the role checked upstream.
async fn assignment_of(
    l: &Local,
    up: &Up,
    org: &str,
    body: &Value,
    need_target: bool,
) -> Result<(String, Value), Out> {
    let Some(slug) = body.get("role_slug").and_then(Value::as_str) else {
        return Err(Out::invalid("role_slug", "role_slug is required"));
    };
    let t = target(&l.store.lock().unwrap(), org, body, "")?;
    let t = match t {
        Some(t) => t,
        None if need_target => {
            return Err(Out::invalid(
                "resource_id",
                "resource_id or resource_external_id + resource_type_slug is required",
            ))
        }
        None => org_target(org),
    };
    if !role_exists(up, org, slug).await {
        return Err(Out::invalid("role_slug", &format!("role {slug} not found")));
    }
    Ok((slug.to_string(), t))
}

fn group_by_id(l: &Local, id: &str) -> Result<Value, Out> {
    l.store
        .lock()
        .unwrap()
        .by_id("group", id)
        .cloned()
        .ok_or_else(|| Out::not_found("group"))
}

/// The group's assignments (a generic list, once the group is known to exist).
pub fn gra_list<'a>(l: &'a Local, _: &'a Up, req: &'a Req, r: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        if let Err(e) = group_by_id(l, req.param("group_id")) {
            return e;
        }
        generic(l, req, r, super::families::Op::List)
    })
}

fn insert_gra(store: &mut Store, group: &str, slug: &str, t: &Value) -> Result<Value, Out> {
    if store
        .find("group_role_assignment", |a| {
            a["group_id"] == group && a["role"]["slug"] == slug && a["resource"]["id"] == t["id"]
        })
        .is_some()
    {
        return Err(Out::conflict(
            "duplicate_group_role_assignment",
            "the group already has this role on this resource",
        ));
    }
    let pins = [
        ("group_id".to_string(), json!(group)),
        ("role".to_string(), json!({"slug": slug})),
        ("resource".to_string(), t.clone()),
    ];
    let (obj, _) = build(store, &GROUP_ROLE_ASSIGNMENT, &json!({}), &pins);
    store.insert(GROUP_ROLE_ASSIGNMENT.name, obj.clone());
    Ok(public(&obj))
}

pub fn gra_create<'a>(l: &'a Local, up: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let r = async {
            let g = group_by_id(l, req.param("group_id"))?;
            let org = field(&g, "organization_id").unwrap_or("");
            let (slug, t) = assignment_of(l, up, org, &req.body, false).await?;
            insert_gra(
                &mut l.store.lock().unwrap(),
                req.param("group_id"),
                &slug,
                &t,
            )
            .map(|v| Out::Json(201, v))
        };
        r.await.unwrap_or_else(|e| e)
    })
}

pub fn gra_replace<'a>(l: &'a Local, up: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let r = async {
            let g = group_by_id(l, req.param("group_id"))?;
            let org = field(&g, "organization_id").unwrap_or("");
            let Some(entries) = req.body.get("role_assignments").and_then(Value::as_array) else {
                return Err(Out::invalid(
                    "role_assignments",
                    "role_assignments must be a list",
                ));
            };
            let mut wanted = Vec::new();
            for e in entries {
                wanted.push(assignment_of(l, up, org, e, false).await?);
            }
            let mut store = l.store.lock().unwrap();
            let gid = req.param("group_id");
            store.remove_where("group_role_assignment", |a| a["group_id"] == gid);
            let mut data = Vec::new();
            for (slug, t) in wanted {
                match insert_gra(&mut store, gid, &slug, &t) {
                    Ok(v) => data.push(v),
                    Err(_) => continue, // a repeated entry in the body: once is enough
                }
            }
            Ok(Out::ok(
                json!({"object": "list", "data": data, "list_metadata": {"before": null, "after": null}}),
            ))
        };
        r.await.unwrap_or_else(|e| e)
    })
}

pub fn gra_remove_by_criteria<'a>(
    l: &'a Local,
    up: &'a Up,
    req: &'a Req,
    _: &'a Route,
) -> BoxFut<'a> {
    Box::pin(async move {
        let r = async {
            let g = group_by_id(l, req.param("group_id"))?;
            let org = field(&g, "organization_id").unwrap_or("");
            let (slug, t) = assignment_of(l, up, org, &req.body, false).await?;
            let gid = req.param("group_id");
            let n = l
                .store
                .lock()
                .unwrap()
                .remove_where("group_role_assignment", |a| {
                    a["group_id"] == gid
                        && a["role"]["slug"] == slug.as_str()
                        && a["resource"]["id"] == t["id"]
                });
            Ok(if n == 0 {
                Out::not_found("group_role_assignment")
            } else {
                Out::Empty(204)
            })
        };
        r.await.unwrap_or_else(|e| e)
    })
}

/// A membership's assignments: its direct ones and those its groups give it
/// (`source.type = group`, id = the group role assignment's).
fn assignments_of(store: &Store, om: &str) -> Vec<Value> {
    let mut out: Vec<Value> = store
        .all("role_assignment")
        .iter()
        .filter(|a| a["organization_membership_id"] == om)
        .cloned()
        .collect();
    for g in groups_of(store, om) {
        for a in store
            .all("group_role_assignment")
            .iter()
            .filter(|a| a["group_id"] == g["id"])
        {
            out.push(json!({
                "object": "role_assignment", "id": a["id"], "organization_membership_id": om,
                "role": a["role"], "resource": a["resource"],
                "source": {"type": "group", "group_role_assignment_id": a["id"]},
                "created_at": a["created_at"], "updated_at": a["updated_at"],
            }));
        }
    }
    out
}

pub fn ra_list<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let org = field(&req.fetched["organization_membership"], "organization_id")
            .unwrap_or("")
            .to_string();
        let filter = match target(&store, &org, &json!(req.query), "") {
            Ok(t) => t,
            Err(e) => return e,
        };
        let items = assignments_of(&store, req.param("organization_membership_id"))
            .into_iter()
            .filter(|a| {
                filter
                    .as_ref()
                    .is_none_or(|t| a["resource"]["id"] == t["id"])
            })
            .collect();
        page_of(req, items)
    })
}

pub fn ra_create<'a>(l: &'a Local, up: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let r = async {
            let om = req.param("organization_membership_id");
            let org = field(&req.fetched["organization_membership"], "organization_id")
                .unwrap_or("")
                .to_string();
            let (slug, t) = assignment_of(l, up, &org, &req.body, true).await?;
            let mut store = l.store.lock().unwrap();
            if store
                .find("role_assignment", |a| {
                    a["organization_membership_id"] == om
                        && a["role"]["slug"] == slug.as_str()
                        && a["resource"]["id"] == t["id"]
                })
                .is_some()
            {
                return Err(Out::Json(
                    422,
                    json!({"message": "the membership already has this role on this resource"}),
                ));
            }
            let pins = [
                ("organization_membership_id".to_string(), json!(om)),
                ("role".to_string(), json!({"slug": slug})),
                ("resource".to_string(), t),
                (
                    "source".to_string(),
                    json!({"type": "direct", "group_role_assignment_id": null}),
                ),
            ];
            let (obj, _) = build(&mut store, &ROLE_ASSIGNMENT, &json!({}), &pins);
            store.insert(ROLE_ASSIGNMENT.name, obj.clone());
            Ok(Out::Json(201, public(&obj)))
        };
        r.await.unwrap_or_else(|e| e)
    })
}

pub fn ra_remove_by_criteria<'a>(
    l: &'a Local,
    up: &'a Up,
    req: &'a Req,
    _: &'a Route,
) -> BoxFut<'a> {
    Box::pin(async move {
        let r = async {
            let om = req.param("organization_membership_id");
            let org = field(&req.fetched["organization_membership"], "organization_id")
                .unwrap_or("")
                .to_string();
            let (slug, t) = assignment_of(l, up, &org, &req.body, true).await?;
            let n = l
                .store
                .lock()
                .unwrap()
                .remove_where("role_assignment", |a| {
                    a["organization_membership_id"] == om
                        && a["role"]["slug"] == slug.as_str()
                        && a["resource"]["id"] == t["id"]
                });
            Ok(if n == 0 {
                Out::not_found("role_assignment")
            } else {
                Out::Empty(204)
            })
        };
        r.await.unwrap_or_else(|e| e)
    })
}

/// The resource a route names by `resource_id` or (organization, type, external id).
fn resource_of(store: &Store, req: &Req) -> Result<Value, Out> {
    let found = match req.params.get("resource_id") {
        Some(id) => store.by_id("authorization_resource", id),
        None => store.find("authorization_resource", |r| {
            r["external_id"] == req.param("external_id")
                && r["resource_type_slug"] == req.param("resource_type_slug")
                && (r["organization_id"] == req.param("organization_id")
                    || !req.params.contains_key("organization_id"))
        }),
    };
    found
        .cloned()
        .ok_or_else(|| Out::not_found("authorization_resource"))
}

pub fn resource_role_assignments<'a>(
    l: &'a Local,
    _: &'a Up,
    req: &'a Req,
    _: &'a Route,
) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let res = match resource_of(&store, req) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let role = req.query.get("role_slug");
        let items = store
            .all("role_assignment")
            .iter()
            .filter(|a| a["resource"]["id"] == res["id"])
            .filter(|a| role.is_none_or(|s| a["role"]["slug"] == s.as_str()))
            .cloned()
            .collect();
        page_of(req, items)
    })
}

// ---- authorization resources ----

/// Sets `parent_resource_id` from the body's parent (by id, or by type + external id).
fn set_parent(store: &Store, req: &Req, obj: &mut Value) -> Result<(), Out> {
    let org = field(obj, "organization_id").unwrap_or("").to_string();
    let by_id = req.body.get("parent_resource_id");
    let by_ext = req.body.get("parent_resource_external_id").is_some();
    if by_id.is_some_and(|v| !v.is_null()) && by_ext {
        return Err(Out::invalid(
            "parent_resource_id",
            "give the parent by id or by external id, not both",
        ));
    }
    if by_id.is_none() && !by_ext {
        return Ok(());
    }
    let parent = match target(store, &org, &req.body, "parent_")? {
        None => Value::Null,
        Some(t) if t["id"] == org => Value::Null,
        Some(t) => t["id"].clone(),
    };
    if parent == obj["id"] || ancestors(store, &parent).contains(&obj["id"]) {
        return Err(Out::invalid(
            "parent_resource_id",
            "a resource cannot be its own ancestor",
        ));
    }
    obj["parent_resource_id"] = parent;
    Ok(())
}

/// `id` and its ancestors' ids.
fn ancestors(store: &Store, id: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cur = id.clone();
    while !cur.is_null() && !out.contains(&cur) {
        out.push(cur.clone());
        cur = store
            .find("authorization_resource", |r| r["id"] == cur)
            .map(|r| r["parent_resource_id"].clone())
            .unwrap_or(Value::Null);
    }
    out
}

pub fn resource_create(store: &mut Store, req: &Req, obj: &mut Value) -> Result<(), Out> {
    let clash = store.find("authorization_resource", |r| {
        r["organization_id"] == obj["organization_id"]
            && r["resource_type_slug"] == obj["resource_type_slug"]
            && r["external_id"] == obj["external_id"]
    });
    if clash.is_some() {
        return Err(Out::conflict(
            "authorization_resource_external_id_conflict",
            "a resource with this external id and type exists in the organization",
        ));
    }
    obj["parent_resource_id"] = Value::Null;
    set_parent(store, req, obj)
}

pub fn resource_update(store: &mut Store, req: &Req, obj: &mut Value) -> Result<(), Out> {
    name_not_empty(store, req, obj)?;
    set_parent(store, req, obj)
}

pub fn resource_delete(store: &mut Store, req: &Req, obj: &Value) -> Result<(), Out> {
    if req.query.get("cascade_delete").map(String::as_str) == Some("true") {
        return Ok(());
    }
    let id = &obj["id"];
    let children = store
        .find("authorization_resource", |r| r["parent_resource_id"] == *id)
        .is_some();
    let assigned = ["role_assignment", "group_role_assignment"]
        .iter()
        .any(|f| store.find(f, |a| a["resource"]["id"] == *id).is_some());
    if children || assigned {
        return Err(Out::conflict(
            "resource_has_dependents",
            "the resource has child resources or role assignments; use cascade_delete=true",
        ));
    }
    Ok(())
}

pub fn resource_list<'a>(l: &'a Local, _: &'a Up, req: &'a Req, r: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let (pt, pe) = (
            req.query.get("parent_resource_type_slug"),
            req.query.get("parent_external_id"),
        );
        let parent = match (pt, pe) {
            (Some(t), Some(e)) => {
                let store = l.store.lock().unwrap();
                match store.find("authorization_resource", |x| {
                    x["resource_type_slug"] == t.as_str() && x["external_id"] == e.as_str()
                }) {
                    Some(p) => Some(p["id"].clone()),
                    None => return page_of(req, vec![]),
                }
            }
            _ => None,
        };
        match parent {
            None => generic(l, req, r, super::families::Op::List),
            Some(p) => {
                let store = l.store.lock().unwrap();
                let items = store
                    .all("authorization_resource")
                    .iter()
                    .filter(|x| x["parent_resource_id"] == p)
                    .cloned()
                    .collect();
                page_of(req, items)
            }
        }
    })
}

// ---- the evaluation model ----

/// Permission slugs of a role (organization role first, else environment role).
async fn role_permissions(up: &Up, org: &str, slug: &str) -> Vec<String> {
    for path in [
        format!("/authorization/organizations/{org}/roles/{slug}/permissions"),
        format!("/authorization/roles/{slug}/permissions"),
    ] {
        let (s, v) = up.get(&path).await;
        if (200..300).contains(&s) {
            return v["data"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|p| p["slug"].as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
        }
    }
    Vec::new()
}

/// The permissions `om` holds on `res` (`None` = the organization itself): those of its
/// organization role(s), and of every direct or group assignment on the organization, on
/// `res` or on an ancestor of `res`. `direct_only` keeps assignments on `res` itself.
async fn permissions_on(
    l: &Local,
    up: &Up,
    om: &Value,
    res: Option<&Value>,
    direct_only: bool,
) -> BTreeSet<String> {
    let org = field(om, "organization_id").unwrap_or("").to_string();
    let mut roles: BTreeSet<String> = BTreeSet::new();
    if !direct_only {
        roles.extend(field(om, "role.slug").map(String::from));
        if let Some(a) = om["roles"].as_array() {
            roles.extend(
                a.iter()
                    .filter_map(|r| r["slug"].as_str().map(String::from)),
            );
        }
    }
    {
        let store = l.store.lock().unwrap();
        let scope: Vec<Value> = match (res, direct_only) {
            (Some(r), true) => vec![r["id"].clone()],
            (Some(r), false) => ancestors(&store, &r["id"])
                .into_iter()
                .chain([json!(org)])
                .collect(),
            (None, _) => vec![json!(org)],
        };
        for a in assignments_of(&store, field(om, "id").unwrap_or("")) {
            if scope.contains(&a["resource"]["id"])
                && !(direct_only && a["source"]["type"] != "direct")
            {
                roles.extend(field(&a, "role.slug").map(String::from));
            }
        }
    }
    let mut perms = BTreeSet::new();
    for r in roles {
        perms.extend(role_permissions(up, &org, &r).await);
    }
    perms
}

pub fn check<'a>(l: &'a Local, up: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let Some(perm) = req.body_str("permission_slug") else {
            return Out::Json(422, json!({"message": "permission_slug is required"}));
        };
        let om = &req.fetched["organization_membership"];
        let org = field(om, "organization_id").unwrap_or("").to_string();
        let t = target(&l.store.lock().unwrap(), &org, &req.body, "");
        let res = match t {
            Ok(Some(t)) if t["id"] == org.as_str() => None,
            Ok(Some(t)) => l
                .store
                .lock()
                .unwrap()
                .by_id("authorization_resource", t["id"].as_str().unwrap_or(""))
                .cloned(),
            Ok(None) => {
                return Out::Json(
                    422,
                    json!({"message": "resource_id or resource_external_id + resource_type_slug is required"}),
                )
            }
            Err(e) => return e,
        };
        let perms = permissions_on(l, up, om, res.as_ref(), false).await;
        Out::ok(json!({"authorized": perms.contains(perm)}))
    })
}

pub fn membership_resources<'a>(
    l: &'a Local,
    up: &'a Up,
    req: &'a Req,
    _: &'a Route,
) -> BoxFut<'a> {
    Box::pin(async move {
        let Some(perm) = req.query.get("permission_slug") else {
            return Out::Json(422, json!({"message": "permission_slug is required"}));
        };
        let om = &req.fetched["organization_membership"];
        let org = field(om, "organization_id").unwrap_or("").to_string();
        let candidates: Vec<Value> = {
            let store = l.store.lock().unwrap();
            let parent = match target(&store, &org, &json!(req.query), "parent_") {
                Ok(p) => p,
                Err(e) => return e,
            };
            store
                .all("authorization_resource")
                .iter()
                .filter(|r| r["organization_id"] == org.as_str())
                .filter(|r| {
                    parent
                        .as_ref()
                        .is_none_or(|p| r["parent_resource_id"] == p["id"])
                })
                .cloned()
                .collect()
        };
        let mut items = Vec::new();
        for r in candidates {
            if permissions_on(l, up, om, Some(&r), false)
                .await
                .contains(perm)
            {
                items.push(r);
            }
        }
        page_of(req, items)
    })
}

pub fn effective_permissions<'a>(
    l: &'a Local,
    up: &'a Up,
    req: &'a Req,
    _: &'a Route,
) -> BoxFut<'a> {
    Box::pin(async move {
        let res = match resource_of(&l.store.lock().unwrap(), req) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let om = &req.fetched["organization_membership"];
        let mut items = Vec::new();
        for slug in permissions_on(l, up, om, Some(&res), false).await {
            let (s, mut p) = up.get(&format!("/authorization/permissions/{slug}")).await;
            if (200..300).contains(&s) {
                p.as_object_mut()
                    .map(|o| o.entry("system").or_insert(json!(false)));
                p.as_object_mut().map(|o| {
                    o.entry("resource_type_slug")
                        .or_insert(json!("organization"))
                });
                items.push(p);
            }
        }
        page_of(req, items)
    })
}

pub fn resource_memberships<'a>(
    l: &'a Local,
    up: &'a Up,
    req: &'a Req,
    _: &'a Route,
) -> BoxFut<'a> {
    Box::pin(async move {
        let Some(perm) = req.query.get("permission_slug") else {
            return Out::Json(422, json!({"message": "permission_slug is required"}));
        };
        let direct = req.query.get("assignment").map(String::as_str) == Some("direct");
        let res = match resource_of(&l.store.lock().unwrap(), req) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let org = field(&res, "organization_id").unwrap_or("");
        let (_, list) = up
            .get(&format!(
                "/user_management/organization_memberships?organization_id={org}&limit=100"
            ))
            .await;
        let mut ids = Vec::new();
        for om in list["data"].as_array().cloned().unwrap_or_default() {
            if permissions_on(l, up, &om, Some(&res), direct)
                .await
                .contains(perm)
            {
                ids.push(json!({"id": om["id"]}));
            }
        }
        ids.reverse(); // the emulator lists newest first; the page wants creation order
        expand_memberships(up, page_of(req, ids), true).await
    })
}

// ---- redirect URIs, CORS origins, JWT template ----

pub fn redirect_uri_create(store: &mut Store, _: &Req, obj: &mut Value) -> Result<(), Out> {
    if store
        .find("redirect_uri", |r| r["uri"] == obj["uri"])
        .is_some()
    {
        return Err(Out::Json(
            422,
            json!({"message": "the redirect URI already exists"}),
        ));
    }
    obj["default"] = json!(store.all("redirect_uri").is_empty());
    Ok(())
}

/// Deleting the default makes the oldest remaining URI the default (there is always one).
pub fn redirect_uri_delete(store: &mut Store, _: &Req, obj: &Value) -> Result<(), Out> {
    if obj["default"] == true {
        let id = obj["id"].clone();
        if let Some(next) = store.find_mut(REDIRECT_URI.name, |r| r["id"] != id) {
            next["default"] = json!(true);
        }
    }
    Ok(())
}

pub fn cors_origin_create(store: &mut Store, _: &Req, obj: &mut Value) -> Result<(), Out> {
    let origin = field(obj, "origin").unwrap_or("");
    if !(origin.starts_with("http://") || origin.starts_with("https://"))
        || origin.trim_end_matches('/').matches('/').count() > 2
    {
        return Err(Out::invalid(
            "origin",
            "origin must be a scheme and host, such as https://example.com",
        ));
    }
    if store
        .find("cors_origin", |c| c["origin"] == obj["origin"])
        .is_some()
    {
        return Err(Out::conflict(
            "duplicate_cors_origin",
            "the CORS origin already exists",
        ));
    }
    Ok(())
}

pub fn jwt_get<'a>(l: &'a Local, _: &'a Up, _: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        match store.all(JWT_TEMPLATE.name).first() {
            Some(t) => Out::ok(public(t)),
            None => Out::not_found("jwt_template"),
        }
    })
}

pub fn jwt_put<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let Some(content) = req.body_str("content") else {
            return Out::Json(
                422,
                json!({"code": "invalid_request_parameters", "message": "content is required"}),
            );
        };
        if content.matches("{{").count() != content.matches("}}").count() {
            return Out::Json(
                422,
                json!({"code": "invalid_request_parameters", "message": "content is not a valid template"}),
            );
        }
        let mut store = l.store.lock().unwrap();
        let now = store.now();
        if let Some(t) = store.find_mut(JWT_TEMPLATE.name, |_| true) {
            t["content"] = json!(content);
            t["updated_at"] = json!(now);
            return Out::ok(public(t));
        }
        let t = json!({"object": "jwt_template", "content": content, "created_at": now, "updated_at": now});
        store.insert(JWT_TEMPLATE.name, t.clone());
        Out::ok(t)
    })
}

// ---- audit logs ----

pub fn audit_schema_create<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        if !req.body["targets"]
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|t| t["type"].is_string()))
        {
            return Out::Json(
                422,
                json!({"message": "targets must list at least one target with a type"}),
            );
        }
        let action = req.param("actionName").to_string();
        let mut store = l.store.lock().unwrap();
        let version = store
            .all(AUDIT_LOG_SCHEMA.name)
            .iter()
            .filter(|x| x["_action"] == action.as_str())
            .count()
            + 1;
        let mut obj = json!({"object": "audit_log_schema", "id": format!("{action}:{version}"), "version": version,
            "targets": req.body["targets"], "created_at": store.now(), "_action": action});
        for k in ["actor", "metadata"] {
            if let Some(v) = req.body.get(k) {
                obj[k] = v.clone();
            }
        }
        store.insert(AUDIT_LOG_SCHEMA.name, obj.clone());
        let mut answer = public(&obj);
        answer.as_object_mut().map(|o| o.remove("id"));
        Out::Json(201, answer)
    })
}

pub fn audit_schema_list<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let action = req.param("actionName");
        let items: Vec<Value> = store
            .all(AUDIT_LOG_SCHEMA.name)
            .iter()
            .filter(|x| x["_action"] == action)
            .cloned()
            .collect();
        if items.is_empty() {
            return Out::not_found("audit log action");
        }
        let mut out = page_of(req, items);
        if let Out::Json(200, env) = &mut out {
            for item in env["data"].as_array_mut().into_iter().flatten() {
                item.as_object_mut().map(|o| o.remove("id"));
            }
        }
        out
    })
}

/// The actions that have a schema, each with its newest version (cursor: the name).
pub fn audit_actions_list<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let mut actions: Vec<Value> = Vec::new();
        for v in store.all(AUDIT_LOG_SCHEMA.name) {
            let name = v["_action"].clone();
            let mut schema = public(v);
            schema.as_object_mut().map(|o| o.remove("id"));
            match actions.iter_mut().find(|a| a["name"] == name) {
                Some(a) => {
                    a["schema"] = schema;
                    a["updated_at"] = v["created_at"].clone();
                }
                None => actions.push(json!({"object": "audit_log_action", "id": name, "name": name,
                    "schema": schema, "created_at": v["created_at"], "updated_at": v["created_at"]})),
            }
        }
        let mut out = page_of(req, actions);
        if let Out::Json(200, env) = &mut out {
            for item in env["data"].as_array_mut().into_iter().flatten() {
                item.as_object_mut().map(|o| o.remove("id"));
            }
        }
        out
    })
}

pub fn retention_get<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let days = store
            .find(AUDIT_LOG_RETENTION.name, |r| {
                r["organization_id"] == req.param("id")
            })
            .map(|r| r["retention_period_in_days"].clone());
        Out::ok(json!({"retention_period_in_days": days.unwrap_or(Value::Null)}))
    })
}

/// The organization's audit-log configuration: its retention (365 days until set) and
/// state `active`; no log stream (those are configured in the Admin Portal).
pub fn audit_log_configuration<'a>(
    l: &'a Local,
    _: &'a Up,
    req: &'a Req,
    _: &'a Route,
) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let org = req.param("id");
        let days = store
            .find(AUDIT_LOG_RETENTION.name, |r| r["organization_id"] == org)
            .map(|r| r["retention_period_in_days"].clone())
            .unwrap_or(json!(365));
        Out::ok(
            json!({"organization_id": org, "retention_period_in_days": days, "state": "active"}),
        )
    })
}

pub fn retention_put<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let days = req.body["retention_period_in_days"].as_i64();
        if !matches!(days, Some(30) | Some(365)) {
            return Out::Json(
                422,
                json!({"message": "retention_period_in_days must be 30 or 365"}),
            );
        }
        let mut store = l.store.lock().unwrap();
        let org = req.param("id").to_string();
        store.remove_where(AUDIT_LOG_RETENTION.name, |r| {
            r["organization_id"] == org.as_str()
        });
        let (mut obj, _) = build(
            &mut store,
            &AUDIT_LOG_RETENTION,
            &json!({}),
            &[("organization_id".into(), json!(org))],
        );
        obj["retention_period_in_days"] = json!(days);
        store.insert(AUDIT_LOG_RETENTION.name, obj);
        Out::ok(json!({"retention_period_in_days": days}))
    })
}

// ---- connect applications ----

pub fn connect_app_create(store: &mut Store, req: &Req, obj: &mut Value) -> Result<(), Out> {
    let o = obj.as_object_mut().expect("object");
    match req.body_str("application_type") {
        Some("oauth") => {
            if !req.body["is_first_party"].is_boolean() {
                return Err(Out::invalid(
                    "is_first_party",
                    "is_first_party is required for an oauth application",
                ));
            }
            for (k, d) in [("uses_pkce", json!(false)), ("redirect_uris", json!([]))] {
                if o.get(k).is_none_or(Value::is_null) {
                    o.insert(k.into(), d);
                }
            }
            if o.get("organization_id").is_some_and(Value::is_null) {
                o.remove("organization_id");
            }
            // The spec's ConnectApplication: a third-party application made through the API
            // (not dynamically registered) belongs to an organization.
            if req.body["is_first_party"] == false {
                if req.body_str("organization_id").is_none() {
                    return Err(Out::invalid(
                        "organization_id",
                        "organization_id is required for a third-party oauth application",
                    ));
                }
                o.insert("was_dynamically_registered".into(), json!(false));
            }
        }
        Some("m2m") => {
            if req.body_str("organization_id").is_none() {
                return Err(Out::invalid(
                    "organization_id",
                    "organization_id is required for an m2m application",
                ));
            }
            for k in ["redirect_uris", "uses_pkce", "is_first_party"] {
                o.remove(k);
            }
        }
        _ => {
            return Err(Out::invalid(
                "application_type",
                "application_type must be oauth or m2m",
            ))
        }
    }
    if o.get("scopes").is_some_and(Value::is_null) {
        o.insert("scopes".into(), json!([]));
    }
    let client = store.new_id("client_");
    o.insert("client_id".into(), json!(client));
    Ok(())
}

pub fn connect_app_update(_: &mut Store, _: &Req, obj: &mut Value) -> Result<(), Out> {
    if obj["scopes"].is_null() {
        obj["scopes"] = json!([]);
    }
    if obj["application_type"] == "oauth" && obj["redirect_uris"].is_null() {
        obj["redirect_uris"] = json!([]);
    }
    if obj["application_type"] == "m2m" {
        obj.as_object_mut().map(|o| o.remove("redirect_uris"));
    }
    Ok(())
}

/// `GET /connect/applications/{id}` takes an application id or a client id.
pub fn connect_app_get<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let id = req.param("id");
        match store.find(CONNECT_APP.name, |a| a["id"] == id || a["client_id"] == id) {
            Some(a) => Out::ok(public(a)),
            None => Out::not_found("connect_application"),
        }
    })
}

pub fn client_secret_create<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let mut store = l.store.lock().unwrap();
        let id = req.param("id").to_string();
        if store.by_id(CONNECT_APP.name, &id).is_none() {
            return Out::not_found("connect_application");
        }
        let (obj, shown) = build(
            &mut store,
            &CLIENT_SECRET,
            &json!({}),
            &[("_application_id".into(), json!(id))],
        );
        let mut answer = public(&obj);
        answer.as_object_mut().expect("object").extend(shown);
        store.insert(CLIENT_SECRET.name, obj);
        Out::Json(201, answer)
    })
}

pub fn client_secret_list<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let id = req.param("id");
        if store.by_id(CONNECT_APP.name, id).is_none() {
            return Out::not_found("connect_application");
        }
        let items: Vec<Value> = store
            .all(CLIENT_SECRET.name)
            .iter()
            .filter(|s| s["_application_id"] == id)
            .map(public)
            .collect();
        Out::ok(Value::Array(items))
    })
}
