//! Custom verbs of the fixture-backed and niche families: feature flags (from
//! `fixtures/feature_flags.json`) and their targets, Radar lists, data integrations with
//! their per-organization configurations, and the vault (key-value objects and data keys).
use serde_json::{json, Value};

use super::families::{
    Route, DATA_INTEGRATION, DIRECTORY, DIRECTORY_GROUP, DIRECTORY_USER, FEATURE_FLAG,
    ORG_DATA_INTEGRATION, RADAR_ENTRY, VAULT_KEY, VAULT_OBJECT,
};
use super::store::{public, Page, Store};
use super::{build, field, BoxFut, Local, Out, Req, Up};

fn page_of(req: &Req, items: Vec<Value>) -> Out {
    match Page::parse(&req.query) {
        Ok(p) => Out::ok(p.envelope(items)),
        Err(e) => e,
    }
}

/// Loads the fixture objects (feature flags) into a fresh store.
pub fn load_fixtures(store: &mut Store) {
    let flags: Vec<Value> = serde_json::from_str(include_str!("fixtures/feature_flags.json"))
        .expect("feature flag fixtures");
    for f in flags {
        let (mut obj, _) = build(store, &FEATURE_FLAG, &json!({}), &[]);
        obj.as_object_mut()
            .expect("object")
            .extend(f.as_object().cloned().unwrap_or_default());
        obj["_targets"] = json!([]);
        store.insert(FEATURE_FLAG.name, obj);
    }
}

// ---- feature flags ----

fn set_enabled(l: &Local, slug: &str, on: bool) -> Out {
    let mut store = l.store.lock().unwrap();
    let now = store.now();
    match store.find_mut(FEATURE_FLAG.name, |f| f["slug"] == slug) {
        Some(f) => {
            f["enabled"] = json!(on);
            f["updated_at"] = json!(now);
            Out::ok(public(f))
        }
        None => Out::not_found("feature flag"),
    }
}

pub fn flag_enable<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move { set_enabled(l, req.param("slug"), true) })
}

pub fn flag_disable<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move { set_enabled(l, req.param("slug"), false) })
}

/// A flag target must be an existing organization or user.
async fn target_exists(up: &Up, id: &str) -> bool {
    let path = if id.starts_with("org_") {
        format!("/organizations/{id}")
    } else if id.starts_with("user_") {
        format!("/user_management/users/{id}")
    } else {
        return false;
    };
    (200..300).contains(&up.get(&path).await.0)
}

pub fn flag_target<'a>(l: &'a Local, up: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let (slug, rid) = (req.param("slug"), req.param("resourceId"));
        if l.store
            .lock()
            .unwrap()
            .find(FEATURE_FLAG.name, |f| f["slug"] == slug)
            .is_none()
        {
            return Out::not_found("feature flag");
        }
        let adding = req.method == "POST";
        if adding && !target_exists(up, rid).await {
            return Out::not_found("target (an organization or user)");
        }
        let mut store = l.store.lock().unwrap();
        let f = store
            .find_mut(FEATURE_FLAG.name, |f| f["slug"] == slug)
            .expect("flag");
        let targets = f["_targets"].as_array_mut().expect("targets");
        let at = targets.iter().position(|t| t == rid);
        match (adding, at) {
            (true, None) => targets.push(json!(rid)),
            (false, Some(i)) => {
                targets.remove(i);
            }
            (false, None) => return Out::not_found("flag target"),
            (true, Some(_)) => {}
        }
        Out::Empty(204)
    })
}

/// Flags on for any of `ids`: enabled, and either targeted at one of them or untargeted
/// (on for the whole environment).
fn flags_for(store: &Store, ids: &[String]) -> Vec<Value> {
    store
        .all(FEATURE_FLAG.name)
        .iter()
        .filter(|f| f["enabled"] == true)
        .filter(|f| {
            let t = f["_targets"].as_array().cloned().unwrap_or_default();
            t.is_empty() || t.iter().any(|x| ids.iter().any(|i| x == i.as_str()))
        })
        .cloned()
        .collect()
}

pub fn org_flags<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        page_of(
            req,
            flags_for(&store, &[req.param("organizationId").to_string()]),
        )
    })
}

/// A user's flags include those targeted at its organizations.
pub fn user_flags<'a>(l: &'a Local, up: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let uid = req.param("userId").to_string();
        let (_, ms) = up
            .get(&format!(
                "/user_management/organization_memberships?user_id={uid}&limit=100"
            ))
            .await;
        let mut ids = vec![uid];
        ids.extend(
            ms["data"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| field(m, "organization_id").map(String::from)),
        );
        let store = l.store.lock().unwrap();
        page_of(req, flags_for(&store, &ids))
    })
}

/// Test read-back: the targets of a flag (the API has no read of them).
pub fn flag_targets(l: &Local, slug: &str) -> Vec<String> {
    let store = l.store.lock().unwrap();
    store
        .find(FEATURE_FLAG.name, |f| f["slug"] == slug)
        .and_then(|f| f["_targets"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

// ---- Radar lists ----

fn entry_ok(kind: &str, e: &str) -> bool {
    match kind {
        "ip_address" => e.parse::<std::net::IpAddr>().is_ok(),
        "domain" => e.contains('.') && !e.contains('@') && !e.contains('/'),
        "email" => e
            .split_once('@')
            .is_some_and(|(a, d)| !a.is_empty() && d.contains('.')),
        "country" => e.len() == 2 && e.chars().all(|c| c.is_ascii_uppercase()),
        _ => !e.trim().is_empty(),
    }
}

const RADAR_TYPES: &[&str] = &[
    "ip_address",
    "domain",
    "email",
    "device",
    "user_agent",
    "device_fingerprint",
    "country",
];

pub fn radar<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let (kind, action) = (req.param("type"), req.param("action"));
        let bad = |m: &str| Out::Json(400, json!({"message": m}));
        if !RADAR_TYPES.contains(&kind) || !["block", "allow"].contains(&action) {
            return bad("unknown list type or action");
        }
        let Some(entry) = req.body_str("entry") else {
            return bad("entry is required");
        };
        if !entry_ok(kind, entry) {
            return bad(&format!("{entry:?} is not a valid {kind} entry"));
        }
        let mut store = l.store.lock().unwrap();
        let same = |v: &Value| v["type"] == kind && v["action"] == action && v["entry"] == entry;
        let present = store.find(RADAR_ENTRY.name, same).is_some();
        match (req.method.as_str(), present) {
            ("POST", true) => Out::ok(json!({"message": "entry already present"})),
            ("POST", false) => {
                let pins = [
                    ("type".into(), json!(kind)),
                    ("action".into(), json!(action)),
                    ("entry".into(), json!(entry)),
                ];
                let (obj, _) = build(&mut store, &RADAR_ENTRY, &json!({}), &pins);
                store.insert(RADAR_ENTRY.name, obj);
                Out::Empty(201)
            }
            (_, true) => {
                store.remove_where(RADAR_ENTRY.name, same);
                Out::Empty(204)
            }
            (_, false) => Out::not_found("radar list entry"),
        }
    })
}

/// Test read-back: the entries of one Radar list.
pub fn radar_entries(l: &Local, kind: &str, action: &str) -> Vec<String> {
    let store = l.store.lock().unwrap();
    store
        .all(RADAR_ENTRY.name)
        .iter()
        .filter(|v| v["type"] == kind && v["action"] == action)
        .filter_map(|v| v["entry"].as_str().map(String::from))
        .collect()
}

// ---- data integrations ----

/// `credentials` as shown: the client secret only as its last four characters.
fn shown_credentials(c: &Value) -> Value {
    if c.is_null() {
        return Value::Null;
    }
    let secret = c["client_secret"].as_str();
    json!({
        "type": c["type"],
        "client_id": c.get("client_id").cloned().unwrap_or(Value::Null),
        "redacted_client_secret": secret.map(|s| s[s.len().saturating_sub(4)..].to_string()),
    })
}

pub fn data_integration_create(store: &mut Store, req: &Req, obj: &mut Value) -> Result<(), Out> {
    let provider = req.body_str("provider").unwrap_or("").to_string();
    if store
        .find(DATA_INTEGRATION.name, |d| d["slug"] == provider.as_str())
        .is_some()
    {
        return Err(Out::Json(
            409,
            json!({"message": format!("a {provider} integration exists")}),
        ));
    }
    obj["slug"] = json!(provider);
    obj["integration_type"] = json!(provider);
    obj["redirect_uri"] = json!(format!(
        "https://api.workos.com/data-integrations/{provider}/callback"
    ));
    obj["installation"] = match req.body.get("api_key") {
        Some(k) => {
            let id = store.new_id("data_installation_");
            let last4 = k["secret"]
                .as_str()
                .map(|s| s[s.len().saturating_sub(4)..].to_string());
            json!({"id": id, "user_id": k["user_id"], "organization_id": k.get("organization_id").cloned().unwrap_or(Value::Null), "api_key_last_4": last4})
        }
        None => Value::Null,
    };
    shape_integration(req, obj)
}

pub fn data_integration_update(_: &mut Store, req: &Req, obj: &mut Value) -> Result<(), Out> {
    obj["installation"] = Value::Null; // only the create answer carries it
    shape_integration(req, obj)
}

fn shape_integration(req: &Req, obj: &mut Value) -> Result<(), Out> {
    if let Some(c) = req.body.get("credentials") {
        if !matches!(c["type"].as_str(), Some("custom") | Some("organization")) {
            return Err(Out::Json(
                422,
                json!({"message": "credentials.type must be custom or organization"}),
            ));
        }
        obj["_credentials"] = c.clone();
    }
    obj["credentials"] = shown_credentials(&obj["_credentials"]);
    if let Some(cp) = req.body.get("custom_provider") {
        let mut merged = json!({"authorization_url": null, "token_url": null, "refresh_token_url": null, "pkce_enabled": false,
            "request_scope_separator": " ", "scopes_required": false, "client_secret_required": true,
            "additional_authorization_parameters": {}, "token_body_content_type": "application/x-www-form-urlencoded",
            "authenticate_via": "request_body"});
        for src in [&obj["custom_provider"], cp] {
            if let (Some(m), Some(s)) = (merged.as_object_mut(), src.as_object()) {
                m.extend(s.clone());
            }
        }
        obj["custom_provider"] = merged;
    }
    Ok(())
}

pub fn org_integration_configure<'a>(
    l: &'a Local,
    _: &'a Up,
    req: &'a Req,
    _: &'a Route,
) -> BoxFut<'a> {
    Box::pin(async move {
        let (org, slug) = (
            req.param("organizationId").to_string(),
            req.param("slug").to_string(),
        );
        if req.body_str("client_id").is_some() != req.body_str("client_secret").is_some() {
            return Out::Json(
                422,
                json!({"message": "client_id and client_secret go together"}),
            );
        }
        let mut store = l.store.lock().unwrap();
        let Some(integration) = store
            .find(DATA_INTEGRATION.name, |d| d["slug"] == slug.as_str())
            .cloned()
        else {
            return Out::not_found("data integration");
        };
        let now = store.now();
        let existing = store
            .find(ORG_DATA_INTEGRATION.name, |c| {
                c["organization_id"] == org.as_str() && c["slug"] == slug.as_str()
            })
            .cloned();
        let mut c = match existing {
            Some(c) => c,
            None => {
                let pins = [
                    ("organization_id".into(), json!(org)),
                    ("slug".into(), json!(slug)),
                    ("_integration".into(), integration["id"].clone()),
                ];
                build(&mut store, &ORG_DATA_INTEGRATION, &json!({}), &pins).0
            }
        };
        c["name"] = integration["slug"].clone();
        for k in ["enabled", "scopes", "config"] {
            if let Some(v) = req.body.get(k) {
                c[k] = v.clone();
            }
        }
        if let Some(id) = req.body_str("client_id") {
            c["_client_id"] = json!(id);
            c["_client_secret"] = req.body["client_secret"].clone();
        }
        let secret = c["_client_secret"]
            .as_str()
            .map(|s| s[s.len().saturating_sub(4)..].to_string());
        c["credentials"] = json!({
            "credentials_type": if c["_client_id"].is_string() { "organization" } else { "shared" },
            "has_credentials": c["_client_id"].is_string(),
            "client_id": c.get("_client_id").cloned().unwrap_or(Value::Null),
            "client_secret_last_four": secret,
            "redirect_uri": integration["redirect_uri"],
        });
        c["updated_at"] = json!(now);
        let id = c["id"].clone();
        store.remove_where(ORG_DATA_INTEGRATION.name, |x| x["id"] == id);
        store.insert(ORG_DATA_INTEGRATION.name, c.clone());
        Out::ok(public(&c))
    })
}

pub fn org_integrations<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let org = req.param("organizationId");
        let data: Vec<Value> = store
            .all(ORG_DATA_INTEGRATION.name)
            .iter()
            .filter(|c| c["organization_id"] == org)
            .map(public)
            .collect();
        Out::ok(json!({"object": "list", "data": data}))
    })
}

// ---- vault ----

fn vault_err(status: u16, msg: &str) -> Out {
    Out::Json(status, json!({"error": msg}))
}

fn uuid() -> String {
    let b: [u8; 16] = rand::random();
    let h = hex::encode(b);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn vault_metadata(o: &Value) -> Value {
    json!({
        "context": o["_context"], "environment_id": "environment_bench", "id": o["id"], "key_id": o["_key_id"],
        "updated_at": o["updated_at"], "updated_by": {"id": "api_key_bench", "name": "bench"},
        "version_id": o["_versions"].as_array().and_then(|v| v.last()).map(|v| v["id"].clone()),
    })
}

fn vault_without_value(o: &Value) -> Value {
    json!({"id": o["id"], "name": o["_name"], "metadata": vault_metadata(o)})
}

fn new_version(store: &mut Store, o: &mut Value, value: &str) {
    let now = store.now();
    if let Some(vs) = o["_versions"].as_array_mut() {
        vs.iter_mut()
            .for_each(|v| v["current_version"] = json!(false));
    }
    let v = json!({"id": uuid(), "created_at": now, "current_version": true, "size": value.len(), "etag": hex::encode(<sha2::Sha256 as sha2::Digest>::digest(value.as_bytes()))});
    match o["_versions"].as_array_mut() {
        Some(vs) => vs.push(v),
        None => o["_versions"] = json!([v]),
    }
    o["_value"] = json!(value);
    o["updated_at"] = json!(now);
}

pub fn vault_create<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let (Some(name), Some(value)) = (req.body_str("name"), req.body_str("value")) else {
            return vault_err(422, "name and value are required");
        };
        if !req.body["key_context"].is_object() {
            return vault_err(422, "key_context is required");
        }
        let mut store = l.store.lock().unwrap();
        if store
            .find(VAULT_OBJECT.name, |o| o["_name"] == name)
            .is_some()
        {
            return vault_err(409, "an object with this name exists");
        }
        let mut o = json!({"id": uuid(), "_name": name, "_context": req.body["key_context"], "_key_id": uuid(), "created_at": store.now()});
        new_version(&mut store, &mut o, value);
        let answer = vault_metadata(&o);
        store.insert(VAULT_OBJECT.name, o);
        Out::Json(201, answer)
    })
}

fn vault_find(store: &Store, req: &Req) -> Option<Value> {
    match req.params.get("name") {
        Some(n) => store.find(VAULT_OBJECT.name, |o| o["_name"] == n.as_str()),
        None => store.find(VAULT_OBJECT.name, |o| o["id"] == req.param("id")),
    }
    .cloned()
}

/// Reads: the decrypted value (show by id or name), the metadata, or the versions.
pub fn vault_read<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let Some(o) = vault_find(&store, req) else {
            return vault_err(404, "object not found");
        };
        if req.path.ends_with("/metadata") {
            return Out::ok(vault_without_value(&o));
        }
        if req.path.ends_with("/versions") {
            let mut vs = o["_versions"].as_array().cloned().unwrap_or_default();
            vs.reverse();
            return Out::ok(json!({"data": vs, "list_metadata": {"before": null, "after": null}}));
        }
        let mut v = vault_without_value(&o);
        v["value"] = o["_value"].clone();
        Out::ok(v)
    })
}

fn version_matches(o: &Value, check: Option<&str>) -> bool {
    check.is_none_or(|c| vault_metadata(o)["version_id"] == c)
}

pub fn vault_update<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let Some(value) = req.body_str("value") else {
            return vault_err(400, "value is required");
        };
        let mut store = l.store.lock().unwrap();
        let Some(mut o) = vault_find(&store, req) else {
            return vault_err(404, "object not found");
        };
        if !version_matches(&o, req.body_str("version_check")) {
            return vault_err(409, "Version mismatch");
        }
        new_version(&mut store, &mut o, value);
        let id = o["id"].clone();
        let answer = vault_without_value(&o);
        if let Some(slot) = store.find_mut(VAULT_OBJECT.name, |x| x["id"] == id) {
            *slot = o;
        }
        Out::Json(201, answer)
    })
}

pub fn vault_delete<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let mut store = l.store.lock().unwrap();
        let Some(o) = vault_find(&store, req) else {
            return vault_err(404, "object not found");
        };
        if !version_matches(&o, req.query.get("version_check").map(String::as_str)) {
            return vault_err(409, "Version mismatch");
        }
        let id = o["id"].clone();
        store.remove_where(VAULT_OBJECT.name, |x| x["id"] == id);
        Out::ok(json!({"name": o["_name"], "success": true}))
    })
}

/// Lists object names (no values), `search` matching the name.
pub fn vault_index<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let search = req.query.get("search");
        let items: Vec<Value> = store
            .all(VAULT_OBJECT.name)
            .iter()
            .filter(|o| {
                search.is_none_or(|s| o["_name"].as_str().is_some_and(|n| n.contains(s.as_str())))
            })
            .map(|o| json!({"id": o["id"], "name": o["_name"], "updated_at": o["updated_at"]}))
            .collect();
        let mut out = page_of(req, items);
        if let Out::Json(200, env) = &mut out {
            env.as_object_mut().map(|m| m.remove("object"));
        }
        out
    })
}

/// Data keys: fake but consistent crypto (random key; `encrypted_keys` is an opaque token
/// that `decrypt` maps back).
pub fn vault_data_key<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let mut store = l.store.lock().unwrap();
        if req.path.ends_with("/decrypt") {
            let Some(keys) = req.body_str("keys") else {
                return vault_err(400, "keys is required");
            };
            return match store.find(VAULT_KEY.name, |k| k["_encrypted"] == keys) {
                Some(k) => Out::ok(json!({"data_key": k["_data_key"], "id": k["id"]})),
                None => vault_err(400, "keys cannot be decrypted"),
            };
        }
        if !req.body["context"].is_object() {
            return vault_err(422, "context is required");
        }
        let id = uuid();
        let data_key = b64(&rand::random::<[u8; 32]>());
        let encrypted = b64(format!("bench-wrapped:{id}:{}", uuid()).as_bytes());
        store.insert(
            VAULT_KEY.name,
            json!({"id": id, "_data_key": data_key, "_encrypted": encrypted}),
        );
        Out::ok(
            json!({"context": req.body["context"], "data_key": data_key, "encrypted_keys": encrypted, "id": id}),
        )
    })
}

// ---- directories (fixtures) ----

/// Instantiates `fixtures/directories.json` under `org` with fresh ids: the directories,
/// their groups and users. Returns the directory ids in fixture order.
pub fn seed_directories(l: &Local, org: &str) -> Vec<String> {
    let fx: Value = serde_json::from_str(include_str!("fixtures/directories.json"))
        .expect("directory fixtures");
    let mut store = l.store.lock().unwrap();
    let mut ids = Vec::new();
    for d in fx["directories"].as_array().into_iter().flatten() {
        let users = d["users"].as_array().cloned().unwrap_or_default();
        let active = users.iter().filter(|u| u["state"] == "active").count();
        let pins = [("organization_id".into(), json!(org))];
        let (mut dir, _) = build(&mut store, &DIRECTORY, &json!({}), &pins);
        for k in ["name", "type", "state", "domain", "external_key"] {
            dir[k] = d[k].clone();
        }
        let groups = d["groups"].as_array().cloned().unwrap_or_default();
        dir["metadata"] = json!({"users": {"active": active, "inactive": users.len() - active}, "groups": groups.len()});
        let pins = [
            ("organization_id".into(), json!(org)),
            ("directory_id".into(), dir["id"].clone()),
        ];
        let mut by_key = std::collections::HashMap::new();
        for g in &groups {
            let (mut obj, _) = build(&mut store, &DIRECTORY_GROUP, &json!({}), &pins);
            obj["name"] = g["name"].clone();
            obj["idp_id"] = g["idp_id"].clone();
            obj["raw_attributes"] = json!({});
            by_key.insert(
                g["key"].as_str().unwrap_or("").to_string(),
                obj["id"].clone(),
            );
            store.insert(DIRECTORY_GROUP.name, obj);
        }
        for u in &users {
            let (mut obj, _) = build(&mut store, &DIRECTORY_USER, &json!({}), &pins);
            for k in [
                "email",
                "first_name",
                "last_name",
                "idp_id",
                "state",
                "job_title",
                "custom_attributes",
            ] {
                obj[k] = u[k].clone();
            }
            obj["name"] = json!(format!(
                "{} {}",
                u["first_name"].as_str().unwrap_or(""),
                u["last_name"].as_str().unwrap_or("")
            ));
            obj["username"] = u["email"].clone();
            obj["emails"] = json!([{"primary": true, "type": "work", "value": u["email"]}]);
            obj["raw_attributes"] = json!({});
            obj["role"] = json!({"slug": "member"});
            obj["roles"] = json!([{"slug": "member"}]);
            let gs: Vec<Value> = u["groups"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| by_key.get(k.as_str().unwrap_or("")).cloned())
                .collect();
            obj["_groups"] = json!(gs);
            store.insert(DIRECTORY_USER.name, obj);
        }
        ids.push(dir["id"].as_str().unwrap_or("").to_string());
        store.insert(DIRECTORY.name, dir);
    }
    ids
}

pub fn directory_list<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let q = |k: &str| req.query.get(k).map(String::as_str);
        let items = store
            .all(DIRECTORY.name)
            .iter()
            .filter(|d| q("organization_id").is_none_or(|o| d["organization_id"] == o))
            .filter(|d| q("domain").is_none_or(|x| d["domain"] == x))
            .filter(|d| {
                q("search").is_none_or(|s| {
                    d["name"]
                        .as_str()
                        .is_some_and(|n| n.to_lowercase().contains(&s.to_lowercase()))
                })
            })
            .cloned()
            .collect();
        page_of(req, items)
    })
}

/// A directory user as answered: with its groups.
fn with_groups(store: &Store, u: &Value) -> Value {
    let ids = u["_groups"].as_array().cloned().unwrap_or_default();
    let groups: Vec<Value> = store
        .all(DIRECTORY_GROUP.name)
        .iter()
        .filter(|g| ids.contains(&g["id"]))
        .map(public)
        .collect();
    let mut v = public(u);
    v["groups"] = json!(groups);
    v
}

pub fn directory_users<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        if let Some(id) = req.params.get("id") {
            return match store.by_id(DIRECTORY_USER.name, id) {
                Some(u) => Out::ok(with_groups(&store, u)),
                None => Out::not_found("directory user"),
            };
        }
        let q = |k: &str| req.query.get(k).map(String::as_str);
        let items: Vec<Value> = store
            .all(DIRECTORY_USER.name)
            .iter()
            .filter(|u| q("directory").is_none_or(|d| u["directory_id"] == d))
            .filter(|u| {
                q("group").is_none_or(|g| {
                    u["_groups"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x == g))
                })
            })
            .filter(|u| q("idp_id").is_none_or(|i| u["idp_id"] == i))
            .filter(|u| q("email").is_none_or(|e| u["email"] == e))
            .cloned()
            .collect();
        let mut out = page_of(req, items);
        if let Out::Json(200, env) = &mut out {
            for item in env["data"].as_array_mut().into_iter().flatten() {
                if let Some(u) = store.by_id(DIRECTORY_USER.name, item["id"].as_str().unwrap_or(""))
                {
                    *item = with_groups(&store, u);
                }
            }
        }
        out
    })
}

pub fn directory_groups<'a>(l: &'a Local, _: &'a Up, req: &'a Req, _: &'a Route) -> BoxFut<'a> {
    Box::pin(async move {
        let store = l.store.lock().unwrap();
        let q = |k: &str| req.query.get(k).map(String::as_str);
        let of_user: Option<Vec<Value>> = q("user").map(|u| {
            store
                .by_id(DIRECTORY_USER.name, u)
                .and_then(|u| u["_groups"].as_array().cloned())
                .unwrap_or_default()
        });
        let items = store
            .all(DIRECTORY_GROUP.name)
            .iter()
            .filter(|g| q("directory").is_none_or(|d| g["directory_id"] == d))
            .filter(|g| of_user.as_ref().is_none_or(|ids| ids.contains(&g["id"])))
            .cloned()
            .collect();
        page_of(req, items)
    })
}
