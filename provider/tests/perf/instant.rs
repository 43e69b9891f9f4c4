//! The "instant API": an in-process server that answers the operations a bench cycle of
//! `workos_permission` makes (create, get, list, delete) from memory, with no emulator
//! and no proxy, so a cycle against it is this provider and Terraform alone.
//!
//! It is how the bench separates the provider's own cost from the API's: the emulator is a
//! Node process on the same cores as Terraform (on the 2-core bench machine its CPU is taken
//! from Terraform's), while a real WorkOS API runs elsewhere. Its answers are the spec's
//! shapes; [`InstantApi::self_check`] checks one of each against the spec before it is used.
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound::{Excluded, Unbounded};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{json, Value};

use super::common::{conformance, spec};

const BASE: &str = "/authorization/permissions";
const PAGE_MAX: usize = 100;

#[derive(Default)]
struct Store {
    /// Permissions by id; ids grow with creation, so this is creation order.
    by_id: BTreeMap<String, Value>,
    id_of: HashMap<String, String>,
    next: u64,
}

#[derive(Default)]
struct Inner {
    store: Mutex<Store>,
    requests: AtomicUsize,
}

pub struct InstantApi {
    addr: std::net::SocketAddr,
    inner: Arc<Inner>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

type Answer = (u16, Option<Value>);

impl InstantApi {
    /// Serves on a free loopback port from a thread of its own (one worker: it does little).
    pub fn start() -> InstantApi {
        let inner = Arc::new(Inner::default());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind instant API");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let inner2 = inner.clone();
        std::thread::Builder::new()
            .name("instant-api".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("instant API runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    loop {
                        tokio::select! {
                            _ = &mut rx => break,
                            acc = listener.accept() => {
                                let Ok((stream, _)) = acc else { continue };
                                tokio::spawn(connection(stream, inner2.clone()));
                            }
                        }
                    }
                });
            })
            .expect("spawn instant API thread");
        InstantApi {
            addr,
            inner,
            _shutdown: tx,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests answered since the last call.
    pub fn take_requests(&self) -> usize {
        self.inner.requests.swap(0, Ordering::Relaxed)
    }

    /// One answer of each operation the bench makes, each checked against the spec's schema
    /// for its operation and status; panics on a finding. Leaves the store as it was.
    pub fn self_check(&self) {
        let mut store = Store::default();
        let steps: [(&str, String, Value, u16); 5] = [
            (
                "POST",
                BASE.into(),
                json!({"slug": "check", "name": "Check"}),
                201,
            ),
            ("GET", format!("{BASE}/check"), Value::Null, 200),
            ("GET", BASE.into(), Value::Null, 200),
            ("DELETE", format!("{BASE}/check"), Value::Null, 204),
            ("GET", format!("{BASE}/check"), Value::Null, 404),
        ];
        for (method, path, body, want) in steps {
            let (status, v) = answer(&mut store, method, &path, "limit=100", &body);
            let text = v.map(|v| v.to_string()).unwrap_or_default();
            assert_eq!(
                status, want,
                "instant API: {method} {path} answered {status}: {text}"
            );
            let op = spec::spec()
                .find(method, &path)
                .unwrap_or_else(|| panic!("{method} {path} is not a spec operation"));
            let findings = conformance::check_response(op, status, text.as_bytes());
            assert!(
                findings.is_empty(),
                "instant API: {method} {path} answered {status} not per spec: {findings:?}"
            );
        }
        assert!(
            store.by_id.is_empty() && store.id_of.is_empty(),
            "delete leaves nothing"
        );
        check_pages(&mut store);
    }
}

/// 150 permissions list as two pages, newest first, each exactly once.
fn check_pages(store: &mut Store) {
    for i in 0..150 {
        let (status, _) = store.create(&json!({"slug": format!("p{i}"), "name": "P"}));
        assert_eq!(status, 201);
    }
    let (mut seen, mut query) = (Vec::new(), "limit=100".to_string());
    loop {
        let (_, page) = store.list(&query);
        let page = page.expect("a list answers a body");
        let items = page["data"].as_array().expect("data");
        seen.extend(
            items
                .iter()
                .map(|v| v["slug"].as_str().unwrap_or("").to_string()),
        );
        match page["list_metadata"]["after"].as_str() {
            Some(after) => query = format!("limit=100&after={after}"),
            None => break,
        }
    }
    let want: Vec<String> = (0..150).rev().map(|i| format!("p{i}")).collect();
    assert_eq!(
        seen, want,
        "instant API: pages newest first, each item once"
    );
    *store = Store::default();
}

async fn connection(stream: tokio::net::TcpStream, inner: Arc<Inner>) {
    let io = hyper_util::rt::TokioIo::new(stream);
    let svc = hyper::service::service_fn(move |req| {
        let inner = inner.clone();
        async move { Ok::<_, std::convert::Infallible>(handle(&inner, req).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, svc)
        .await;
}

async fn handle(inner: &Inner, req: Request<Incoming>) -> Response<Full<Bytes>> {
    inner.requests.fetch_add(1, Ordering::Relaxed);
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let body = req.into_body().collect().await.map(|c| c.to_bytes());
    let body: Value = body
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let (status, answer) = answer(
        &mut inner.store.lock().unwrap(),
        &method,
        &path,
        &query,
        &body,
    );
    let mut builder = Response::builder().status(status);
    let bytes = match answer {
        Some(v) => {
            builder = builder.header("content-type", "application/json");
            Bytes::from(v.to_string())
        }
        None => Bytes::new(),
    };
    builder.body(Full::new(bytes)).expect("response")
}

fn not_found(what: &str) -> Answer {
    (
        404,
        Some(json!({"code": "not_found", "message": format!("{what} not found")})),
    )
}

fn answer(s: &mut Store, method: &str, path: &str, query: &str, body: &Value) -> Answer {
    let slug = path.strip_prefix(BASE).and_then(|r| r.strip_prefix('/'));
    match (method, slug) {
        ("POST", None) if path == BASE => s.create(body),
        ("GET", None) if path == BASE => s.list(query),
        ("GET", Some(slug)) => s
            .get(slug)
            .map_or_else(|| not_found(slug), |v| (200, Some(v))),
        ("DELETE", Some(slug)) => match s.id_of.remove(slug) {
            Some(id) => {
                s.by_id.remove(&id);
                (204, None)
            }
            None => not_found(slug),
        },
        _ => not_found(path),
    }
}

/// The time every answer carries: a fixed RFC 3339 instant of the length WorkOS sends, so
/// answers (and the state Terraform writes) have the size real ones have.
const AT: &str = "2026-12-01T00:00:00.000Z";

impl Store {
    fn get(&self, slug: &str) -> Option<Value> {
        self.id_of
            .get(slug)
            .and_then(|id| self.by_id.get(id))
            .cloned()
    }

    fn create(&mut self, body: &Value) -> Answer {
        let Some(slug) = body["slug"].as_str().filter(|s| !s.is_empty()) else {
            return (
                422,
                Some(json!({"code": "invalid_request", "message": "slug is required"})),
            );
        };
        if self.id_of.contains_key(slug) {
            return (
                409,
                Some(json!({"code": "conflict", "message": "slug taken"})),
            );
        }
        self.next += 1;
        let id = format!("perm_{:026}", self.next);
        let v = json!({
            "object": "permission",
            "id": id,
            "slug": slug,
            "name": body["name"],
            "description": body.get("description").cloned().unwrap_or(Value::Null),
            "system": false,
            "resource_type_slug": body.get("resource_type_slug").cloned()
                .unwrap_or_else(|| json!("organization")),
            "created_at": AT,
            "updated_at": AT,
        });
        self.id_of.insert(slug.to_string(), id.clone());
        self.by_id.insert(id, v.clone());
        (201, Some(v))
    }

    /// Newest first (the spec's default order; the provider sends no `order`), pages of
    /// `limit` (1–100, default 10) continued by an `after` cursor.
    fn list(&self, query: &str) -> Answer {
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .map(str::to_string)
        };
        let limit = param("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(10)
            .clamp(1, PAGE_MAX);
        let after = param("after");
        let upper = after.clone().map_or(Unbounded, Excluded);
        let mut items = self.by_id.range((Unbounded, upper)).rev().peekable();
        let data: Vec<Value> = items.by_ref().take(limit).map(|(_, v)| v.clone()).collect();
        let next = match items.peek() {
            Some(_) => data.last().map(|v| v["id"].clone()).unwrap_or(Value::Null),
            None => Value::Null,
        };
        let before = match after {
            Some(_) => data.first().map(|v| v["id"].clone()).unwrap_or(Value::Null),
            None => Value::Null,
        };
        (
            200,
            Some(json!({
                "object": "list",
                "data": data,
                "list_metadata": {"before": before, "after": next},
            })),
        )
    }
}
