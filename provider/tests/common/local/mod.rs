//! Local families: spec-shaped, in-memory, stateful implementations of the objects the
//! emulator lacks or gets wrong, served by the proxy before it forwards (see
//! [`serve`]; the spec guard and the fault injector run first).
//!
//! A family is data ([`families::Family`]: object name, id prefix, create-only and
//! updatable fields, secrets shown once, parents for cascades, list filters) plus routes
//! ([`families::ROUTES`]: method + spec path → generic operation or a small named handler).
//! One generic store ([`store::Store`]) does create / get / list / update / delete with the
//! spec's conventions: ids prefix + ULID, list envelope with `limit` 1–100, `before`/`after`
//! and `order`, 201/200/204 per route, 404/409/422 bodies, timestamps that move.
//!
//! Cascades across the emulator/local boundary: [`after_upstream`] is told about every
//! request the proxy forwarded; a successful `DELETE /organizations/{id}`,
//! `DELETE /user_management/organization_memberships/{id}` or `DELETE
//! /user_management/users/{id}` removes the local objects that hang off it.
pub mod families;
pub mod handlers;
pub mod handlers_ext;
pub mod store;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use serde_json::{json, Value};

use families::{Family, Op, Parent, Route, ROUTES};
use store::{get_path, public, set_path, Page, Store};

/// A local answer.
#[derive(Debug)]
pub enum Out {
    Json(u16, Value),
    Empty(u16),
}

impl Out {
    pub fn ok(v: Value) -> Out {
        Out::Json(200, v)
    }
    pub fn not_found(what: &str) -> Out {
        Out::Json(
            404,
            json!({"code": "not_found", "message": format!("{what} not found")}),
        )
    }
    /// 422 in the spec's `invalid_request_parameters` shape.
    pub fn invalid(field: &str, message: &str) -> Out {
        Out::Json(
            422,
            json!({
                "code": "invalid_request_parameters",
                "message": message,
                "errors": [{"field": field, "code": "invalid"}],
            }),
        )
    }
    pub fn conflict(code: &str, message: &str) -> Out {
        Out::Json(409, json!({"code": code, "message": message}))
    }
    pub fn status(&self) -> u16 {
        match self {
            Out::Json(s, _) | Out::Empty(s) => *s,
        }
    }
}

/// One request as a family sees it.
pub struct Req {
    pub method: String,
    pub path: String,
    /// Path parameters by the route template's names.
    pub params: HashMap<String, String>,
    pub query: HashMap<String, String>,
    pub body: Value,
    /// Upstream objects fetched by the route's checks, by check name.
    pub fetched: HashMap<&'static str, Value>,
}

impl Req {
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }
    pub fn body_str(&self, field: &str) -> Option<&str> {
        self.body.get(field).and_then(Value::as_str)
    }
}

/// The emulator, for existence checks and reads of upstream objects.
pub struct Up {
    pub client: reqwest::Client,
    pub base: String,
    pub auth: Option<String>,
}

impl Up {
    pub async fn get(&self, path_q: &str) -> (u16, Value) {
        self.send("GET", path_q, None).await
    }

    pub async fn send(&self, method: &str, path_q: &str, body: Option<&Value>) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut rb = self.client.request(m, format!("{}{path_q}", self.base));
        if let Some(b) = body {
            rb = rb.json(b);
        }
        if let Some(a) = &self.auth {
            rb = rb.header("authorization", a);
        }
        match rb.send().await {
            Ok(r) => {
                let s = r.status().as_u16();
                let b = r.bytes().await.unwrap_or_default();
                (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
            }
            Err(_) => (502, Value::Null),
        }
    }
}

pub type BoxFut<'a> = Pin<Box<dyn Future<Output = Out> + Send + 'a>>;

/// The local families' state (one per proxy), starting with the fixtures.
pub struct Local {
    pub store: Mutex<Store>,
}

impl Default for Local {
    fn default() -> Local {
        let mut store = Store::default();
        handlers_ext::load_fixtures(&mut store);
        Local {
            store: Mutex::new(store),
        }
    }
}

impl Local {
    /// Test read-back: the organization and user ids a feature flag targets.
    pub fn flag_targets(&self, slug: &str) -> Vec<String> {
        handlers_ext::flag_targets(self, slug)
    }

    /// Seeds the directory fixtures (`fixtures/directories.json`) under an organization;
    /// returns the directory ids in fixture order.
    pub fn seed_directories(&self, organization_id: &str) -> Vec<String> {
        handlers_ext::seed_directories(self, organization_id)
    }

    /// Test read-back: the entries of one Radar list.
    pub fn radar_entries(&self, kind: &str, action: &str) -> Vec<String> {
        handlers_ext::radar_entries(self, kind, action)
    }
}

fn match_template(tpl: &str, path: &str) -> Option<HashMap<String, String>> {
    let t: Vec<&str> = tpl.split('/').collect();
    let a: Vec<&str> = path.split('/').collect();
    if t.len() != a.len() {
        return None;
    }
    let mut params = HashMap::new();
    for (ts, s) in t.iter().zip(&a) {
        match ts.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            Some(name) if !s.is_empty() => {
                params.insert(name.to_string(), s.to_string());
            }
            Some(_) => return None,
            None if ts != s => return None,
            None => {}
        }
    }
    Some(params)
}

/// The route serving `method` + concrete `path`, with its path parameters. Among several,
/// the one with the most literal segments wins (as in the spec guard).
pub fn route_for(method: &str, path: &str) -> Option<(&'static Route, HashMap<String, String>)> {
    ROUTES
        .iter()
        .filter(|r| r.method == method)
        .filter_map(|r| match_template(r.path, path).map(|p| (r, p)))
        .max_by_key(|(r, _)| r.path.split('/').filter(|s| !s.starts_with('{')).count())
}

fn parse_query(q: Option<&str>) -> HashMap<String, String> {
    let Some(q) = q else { return HashMap::new() };
    reqwest::Url::parse(&format!("http://local/?{q}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// Answers the request if a local family serves (method, path): (family name, status, body
/// — `Null` for none).
pub async fn serve(
    local: &Local,
    up: &Up,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Option<(&'static str, u16, Value)> {
    let (route, params) = route_for(method, path)?;
    let mut req = Req {
        method: method.to_string(),
        path: path.to_string(),
        params,
        query: parse_query(query),
        body: if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(body).unwrap_or(Value::String("<invalid json>".into()))
        },
        fetched: HashMap::new(),
    };
    let out = match run_checks(route, up, &mut req).await {
        Err(e) => e,
        Ok(()) => match route.op {
            Op::Custom(h) => h(local, up, &req, route).await,
            op => generic(local, &req, route, op),
        },
    };
    Some(match out {
        Out::Json(s, v) => (route.family.name, s, v),
        Out::Empty(s) => (route.family.name, s, Value::Null),
    })
}

/// Replaces `{param}` and `{body.field}` in a check's template; `None` when a body field is
/// absent (an optional reference is checked only when given).
fn fill(tpl: &str, req: &Req) -> Option<String> {
    let mut out = String::new();
    let mut rest = tpl;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let j = rest[i..].find('}')? + i;
        let name = &rest[i + 1..j];
        let val = match name.strip_prefix("body.") {
            Some(f) => req.body_str(f)?.to_string(),
            None => req.param(name).to_string(),
        };
        out.push_str(&val);
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    Some(out)
}

async fn run_checks(route: &Route, up: &Up, req: &mut Req) -> Result<(), Out> {
    for c in route.checks {
        let Some(path) = fill(c.get, req) else {
            continue;
        };
        let (s, v) = up.get(&path).await;
        let found = (200..300).contains(&s)
            && (!c.list || v["data"].as_array().is_some_and(|a| !a.is_empty()));
        if !found {
            let msg = format!("{} not found", c.name.replace('_', " "));
            return Err(match c.status {
                404 => Out::not_found(c.name),
                s => Out::Json(
                    s,
                    json!({"code": "invalid_request_parameters", "message": msg}),
                ),
            });
        }
        req.fetched.insert(c.name, v);
    }
    Ok(())
}

/// The (field path, value) pairs a route pins: bound path parameters and constants.
pub fn pinned(route: &Route, req: &Req) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = route
        .bind
        .iter()
        .map(|(p, f)| (f.to_string(), Value::String(req.param(p).to_string())))
        .collect();
    out.extend(route.set.iter().map(|(f, j)| {
        (
            f.to_string(),
            serde_json::from_str(j).expect("route constant is JSON"),
        )
    }));
    out
}

pub fn generic(local: &Local, req: &Req, route: &Route, op: Op) -> Out {
    let mut store = local.store.lock().unwrap();
    let fam = route.family;
    let pins = pinned(route, req);
    let r = match op {
        Op::Create => create(&mut store, fam, req, &pins),
        Op::Get => find(&store, fam, &pins).map(|v| Out::ok(public(&v))),
        Op::List => list(&store, fam, req, pins),
        Op::Update => update(&mut store, fam, req, &pins),
        Op::Delete => delete(&mut store, fam, req, &pins),
        Op::Custom(_) => unreachable!("custom routes have their handler"),
    };
    r.unwrap_or_else(|e| e)
}

pub fn find(store: &Store, fam: &Family, pins: &[(String, Value)]) -> Result<Value, Out> {
    store::matching(store, fam, pins)
        .into_iter()
        .next()
        .ok_or_else(|| Out::not_found(fam.object))
}

/// Validates a create body against the family: an object with every required field.
pub fn check_required(fam: &Family, body: &Value) -> Result<(), Out> {
    if !body.is_object() {
        return Err(Out::invalid(
            "body",
            "the request body must be a JSON object",
        ));
    }
    for f in fam.required {
        if body.get(*f).is_none_or(Value::is_null) {
            return Err(Out::invalid(f, &format!("{f} is required")));
        }
    }
    Ok(())
}

/// A new object of `fam` from `body`: id, object, defaults, create fields, pins, timestamps
/// and fresh secrets (returned separately: they go only into the create answer).
pub fn build(
    store: &mut Store,
    fam: &Family,
    body: &Value,
    pins: &[(String, Value)],
) -> (Value, serde_json::Map<String, Value>) {
    let now = store.now();
    let mut obj = json!({"object": fam.object, "id": store.new_id(fam.prefix)});
    for (f, j) in fam.defaults {
        set_path(
            &mut obj,
            f,
            serde_json::from_str(j).expect("default is JSON"),
        );
    }
    for spec in fam.create {
        let (src, dst) = spec.split_once('>').unwrap_or((spec, spec));
        if let Some(v) = body.get(src) {
            set_path(&mut obj, dst, v.clone());
        }
    }
    for (f, v) in pins {
        set_path(&mut obj, f, v.clone());
    }
    obj["created_at"] = json!(now);
    obj["updated_at"] = json!(now);
    let mut shown = serde_json::Map::new();
    for s in fam.secrets {
        let value = (s.make)();
        for (hint, f) in s.hints {
            obj[*hint] = json!(f(&value));
        }
        obj[format!("_{}", s.field)] = json!(value);
        shown.insert(s.field.to_string(), json!(value));
    }
    (obj, shown)
}

fn create(
    store: &mut Store,
    fam: &Family,
    req: &Req,
    pins: &[(String, Value)],
) -> Result<Out, Out> {
    check_required(fam, &req.body)?;
    let (mut obj, shown) = build(store, fam, &req.body, pins);
    if let Some(h) = fam.on_create {
        h(store, req, &mut obj)?;
    }
    let mut answer = public(&obj);
    answer.as_object_mut().expect("object").extend(shown);
    store.insert(fam.name, obj);
    Ok(Out::Json(fam.create_status, answer))
}

fn list(
    store: &Store,
    fam: &Family,
    req: &Req,
    mut pins: Vec<(String, Value)>,
) -> Result<Out, Out> {
    let page = Page::parse(&req.query)?;
    for (q, f) in fam.filters {
        if let Some(v) = req.query.get(*q) {
            pins.push((f.to_string(), Value::String(v.clone())));
        }
    }
    Ok(Out::ok(page.envelope(store::matching(store, fam, &pins))))
}

fn update(
    store: &mut Store,
    fam: &Family,
    req: &Req,
    pins: &[(String, Value)],
) -> Result<Out, Out> {
    if !req.body.is_object() {
        return Err(Out::invalid(
            "body",
            "the request body must be a JSON object",
        ));
    }
    let mut obj = find(store, fam, pins)?;
    for f in fam.update {
        if let Some(v) = req.body.get(*f) {
            set_path(&mut obj, f, v.clone());
        }
    }
    if let Some(h) = fam.on_update {
        h(store, req, &mut obj)?;
    }
    obj["updated_at"] = json!(store.now());
    let id = obj["id"].clone();
    let answer = public(&obj);
    if let Some(slot) = store.find_mut(fam.name, |v| v["id"] == id) {
        *slot = obj;
    }
    Ok(Out::ok(answer))
}

fn delete(
    store: &mut Store,
    fam: &Family,
    req: &Req,
    pins: &[(String, Value)],
) -> Result<Out, Out> {
    let obj = find(store, fam, pins)?;
    if let Some(h) = fam.on_delete {
        h(store, req, &obj)?;
    }
    let id = obj["id"].clone();
    store.remove_where(fam.name, |v| v["id"] == id);
    if fam.delete_status == 202 {
        // 202 Accepted (a directory's delete): the spec gives a JSON body there (with an
        // open schema), so the answer is an empty object, not no body.
        return Ok(Out::Json(202, json!({})));
    }
    Ok(Out::Empty(fam.delete_status))
}

/// Cascades across the boundary: called with every request the proxy forwarded to the
/// emulator and the status it got.
pub fn after_upstream(local: &Local, method: &str, path: &str, status: u16) {
    if method != "DELETE" || !(200..300).contains(&status) {
        return;
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let parent = match segs.as_slice() {
        ["organizations", id] => Some((Parent::Organization, *id)),
        ["user_management", "organization_memberships", id] => Some((Parent::Membership, *id)),
        ["user_management", "users", id] => Some((Parent::User, *id)),
        _ => None,
    };
    if let Some((p, id)) = parent {
        local.store.lock().unwrap().cascade(p, id);
    }
}

/// Reads a string field of a stored object (dotted path).
pub fn field<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    get_path(v, path).and_then(Value::as_str)
}
