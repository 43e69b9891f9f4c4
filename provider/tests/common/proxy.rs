//! Loopback HTTP proxy in front of the emulator that translates the emulator's known
//! divergences from the OpenAPI spec, so spec-following requests work. It also keeps a
//! request log (without the Authorization header) and can inject faults.
//!
//! Every translation is a row of [`TABLE`]; rows are matched by method and path pattern,
//! the first match wins, and unmatched requests pass through untouched.
//!
//! The spec guard: every incoming request must be a spec operation (method + path template
//! of the vendored spec, see `spec.rs`), except the emulator helper routes in [`EXEMPT`]. Any
//! other request is answered 404 `not_found` (even when the emulator has the route) and
//! recorded as a violation. Conformance (`conformance.rs`, a JSON Schema validator over the
//! spec): a request whose query or body is not valid per the operation's schemas is answered
//! 422 `invalid_request_parameters` (not forwarded) and recorded; an answer not valid per the
//! spec's schema for its status is recorded naming the row that must fix it (or "emulator (no
//! row)"), and still passed on. [`crate::common::Bench`] fails the test that caused a
//! violation. The guard checks what the provider (or a test via `Bench::api`) sends and what
//! it gets back, not what a row forwards to the emulator.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{json, Value};

/// Which translation a row applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Forward with another method; fix the response with the given fixer.
    Verb(&'static str, Fix),
    /// Forward unchanged; fix the response.
    Respond(Fix),
    /// PATCH webhook endpoint → PUT with `status` → `enabled`.
    WebhookUpdate,
    /// PUT role permissions (set all) → emulator POST (replace), answer the role.
    SetRolePermissions,
    /// POST role permissions `{slug}` (add one) → read, POST the union, answer the role.
    AddRolePermission,
    /// Organization create/update: domain states, `domains`, allow_profiles_outside_organization.
    Organization,
    /// Membership create/update: `role_slugs` → `role_slug` + remembered multi-role set.
    Membership,
    /// Domain verify: emulator answers 200, the spec 201.
    Status201,
    /// Forward unchanged; the emulator's status `.0` is answered as the spec's `.1`.
    Renumber(u16, u16),
    /// Organization list: the emulator ignores the `search` filter; the proxy applies it.
    OrganizationList,
    /// Known divergence with no translation: passes through (documentation only).
    Gap,
}

/// Response fixers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fix {
    Permission,
    Role,
    Webhook,
    Organization,
    Membership,
}

/// One known divergence.
pub struct Row {
    /// The spec operationId concerned.
    pub operation_id: &'static str,
    /// Method as the provider (spec) sends it.
    pub method: &'static str,
    /// Path pattern with `{param}` segments.
    pub path: &'static str,
    pub kind: Kind,
    /// Observed emulator behaviour and what the row does.
    pub doc: &'static str,
}

const ROLE: &str = "/authorization/roles/{slug}";
const ORG_ROLE: &str = "/authorization/organizations/{org}/roles/{slug}";

/// The divergence table. Findings were probed against `workos@0.14.0` (`workos emulate`).
pub const TABLE: &[Row] = &[
    // ---- permissions ----
    Row { operation_id: "AuthorizationPermissionsController_update", method: "PATCH", path: "/authorization/permissions/{slug}", kind: Kind::Verb("PUT", Fix::Permission),
        doc: "Emulator has no PATCH route (404); PUT takes name/description (description null clears)." },
    Row { operation_id: "AuthorizationPermissionsController_create", method: "POST", path: "/authorization/permissions", kind: Kind::Respond(Fix::Permission),
        doc: "Emulator drops resource_type_slug and omits the required system/resource_type_slug: proxy adds system=false and the sent resource_type_slug (remembered per slug, default \"organization\"). Duplicate slug: emulator 422 code duplicate, spec 409 permission_slug_conflict: translated." },
    Row { operation_id: "AuthorizationPermissionsController_list", method: "GET", path: "/authorization/permissions", kind: Kind::Respond(Fix::Permission), doc: "Adds system/resource_type_slug to each item." },
    Row { operation_id: "AuthorizationPermissionsController_find", method: "GET", path: "/authorization/permissions/{slug}", kind: Kind::Respond(Fix::Permission), doc: "Adds system/resource_type_slug." },
    // ---- environment roles ----
    Row { operation_id: "AuthorizationRolesController_update", method: "PATCH", path: ROLE, kind: Kind::Verb("PUT", Fix::Role),
        doc: "Emulator has no PATCH route; PUT takes name/description." },
    Row { operation_id: "AuthorizationRolesController_create", method: "POST", path: "/authorization/roles", kind: Kind::Respond(Fix::Role),
        doc: "Role answers lack the required permissions/resource_type_slug: proxy adds permissions (slugs from GET …/permissions) and resource_type_slug (sent value, default \"organization\"). Duplicate slug stays emulator 422 duplicate." },
    Row { operation_id: "AuthorizationRolesController_list", method: "GET", path: "/authorization/roles", kind: Kind::Respond(Fix::Role), doc: "Adds permissions/resource_type_slug to each role (one extra GET per role)." },
    Row { operation_id: "AuthorizationRolesController_get", method: "GET", path: ROLE, kind: Kind::Respond(Fix::Role), doc: "Adds permissions/resource_type_slug." },
    Row { operation_id: "AuthorizationRolePermissionsController_setPermissions", method: "PUT", path: "/authorization/roles/{slug}/permissions", kind: Kind::SetRolePermissions,
        doc: "Emulator: no PUT route; its POST {permissions:[slugs]} replaces the set and answers a permission list. Proxy POSTs and answers the role (spec). Unknown slug: emulator 404 AFTER wiping the set (non-atomic)." },
    Row { operation_id: "AuthorizationRolePermissionsController_addPermission", method: "POST", path: "/authorization/roles/{slug}/permissions", kind: Kind::AddRolePermission,
        doc: "Spec body {slug} adds one; emulator POST wants {permissions:[…]} (422 otherwise). Proxy reads the set and POSTs the union; answers the role." },
    // ---- organization roles ----
    Row { operation_id: "AuthorizationOrganizationRolesController_update", method: "PATCH", path: ORG_ROLE, kind: Kind::Verb("PUT", Fix::Role),
        doc: "Emulator has no PATCH route; PUT takes name/description." },
    Row { operation_id: "AuthorizationOrganizationRolesController_create", method: "POST", path: "/authorization/organizations/{org}/roles", kind: Kind::Respond(Fix::Role),
        doc: "Adds permissions/resource_type_slug. Emulator requires slug (spec: optional, generated) and does not enforce the org- prefix. Duplicate: 422 duplicate → 409 organization_role_slug_conflict." },
    Row { operation_id: "AuthorizationOrganizationRolesController_list", method: "GET", path: "/authorization/organizations/{org}/roles", kind: Kind::Respond(Fix::Role),
        doc: "Adds permissions/resource_type_slug. Emulator lists org roles only (spec: env + org roles in priority order): not translated." },
    Row { operation_id: "AuthorizationOrganizationRolesController_get", method: "GET", path: ORG_ROLE, kind: Kind::Respond(Fix::Role), doc: "Adds permissions/resource_type_slug." },
    Row { operation_id: "AuthorizationOrganizationRolePermissionsController_setPermissions", method: "PUT", path: "/authorization/organizations/{org}/roles/{slug}/permissions", kind: Kind::SetRolePermissions,
        doc: "As for environment roles: PUT → emulator POST (replace), answer = re-read role." },
    Row { operation_id: "AuthorizationOrganizationRolePermissionsController_addPermission", method: "POST", path: "/authorization/organizations/{org}/roles/{slug}/permissions", kind: Kind::AddRolePermission,
        doc: "Spec {slug} add-one → union POST; answers the role." },
    // ---- webhook endpoints ----
    // (The emulator also serves GET /webhook_endpoints/{id}, which is no spec operation: the
    // guard refuses it, so it has no row.)
    Row { operation_id: "WebhookEndpointsController_update", method: "PATCH", path: "/webhook_endpoints/{id}", kind: Kind::WebhookUpdate,
        doc: "Emulator: PUT with enabled bool. Proxy: PATCH → PUT, status \"enabled\"|\"disabled\" → enabled true|false; answer gets status." },
    Row { operation_id: "WebhookEndpointsController_create", method: "POST", path: "/webhook_endpoints", kind: Kind::Respond(Fix::Webhook),
        doc: "Answer lacks the required status: derived from enabled. Full secret only on create (later masked xxxxxxxx****). No URL/event validation." },
    Row { operation_id: "WebhookEndpointsController_list", method: "GET", path: "/webhook_endpoints", kind: Kind::Respond(Fix::Webhook), doc: "Adds status to each item." },
    // ---- organizations ----
    Row { operation_id: "OrganizationsController_create", method: "POST", path: "/organizations", kind: Kind::Organization,
        doc: "Emulator honours domain_data [{domain,state}] (state verified|pending, strategy manual). It IGNORES `domains` (string list) and allow_profiles_outside_organization (neither stored nor returned). Proxy: `domains` → domain_data state pending when no domain_data; remembers allow_profiles_outside_organization. external_id null → null; metadata stored as sent." },
    Row { operation_id: "OrganizationsController_updateOrganization", method: "PUT", path: "/organizations/{id}", kind: Kind::Organization,
        doc: "Emulator PUT: IGNORES stripe_customer_id (the proxy remembers it and answers it, on this and every organization answer); metadata REPLACES wholesale ({} and null both clear to {}); external_id null clears; domain_data syncs the set (removes absent, adds new) but does NOT change the state of a domain it keeps: proxy verifies kept domains asked as verified (POST /organization_domains/{id}/verify) and re-reads; verified→pending cannot be translated. `domains` ignored (proxy maps it to domain_data pending). allow_profiles_outside_organization remembered by the proxy." },
    Row { operation_id: "OrganizationsController_find", method: "GET", path: "/organizations/{id}", kind: Kind::Respond(Fix::Organization),
        doc: "Adds allow_profiles_outside_organization (remembered, default false) and the remembered stripe_customer_id; drops stripe_customer_id when null (spec: string, optional)." },
    Row { operation_id: "OrganizationsController_getByExternalId", method: "GET", path: "/organizations/external_id/{ext}", kind: Kind::Respond(Fix::Organization), doc: "As find." },
    Row { operation_id: "OrganizationsController_list", method: "GET", path: "/organizations", kind: Kind::OrganizationList,
        doc: "As find, per item. The emulator IGNORES `search` (spec: matches against the organization name): the proxy keeps only the items whose name contains it (case-insensitive), page by page; the emulator's cursors are kept." },
    Row { operation_id: "OrganizationDomainsController_verify", method: "POST", path: "/organization_domains/{id}/verify", kind: Kind::Status201,
        doc: "Emulator answers 200 (spec 201) and re-verifies an already verified domain (spec 400 domain_already_verified): status → 201; the re-verify is not translated." },
    Row { operation_id: "OrganizationsController_deleteOrganization", method: "DELETE", path: "/organizations/{id}", kind: Kind::Renumber(204, 200),
        doc: "Emulator answers 204 No Content; the spec gives 200 (or 202), no body: 204 → 200." },
    // ---- users ----
    Row { operation_id: "UserlandUsersController_delete[0]", method: "DELETE", path: "/user_management/users/{id}", kind: Kind::Renumber(204, 200),
        doc: "Emulator answers 204 No Content; the spec gives 200, no body: 204 → 200." },
    Row { operation_id: "UserlandUsersController_update[0]", method: "PUT", path: "/user_management/users/{id}", kind: Kind::Gap,
        doc: "Emulator PUT: first_name/last_name \"\" stored as \"\", null stored as null; email_verified updated (any JSON value stored as is); password accepted (hashed); email IGNORED (200, unchanged); name and locale IGNORED; metadata replaced wholesale; external_id null clears. No translation (email change is a known gap)." },
    // ---- memberships ----
    Row { operation_id: "UserlandUserOrganizationMembershipsController_create", method: "POST", path: "/user_management/organization_memberships", kind: Kind::Membership,
        doc: "Emulator stores one role {slug} from role_slug (default member, never checked) and IGNORES role_slugs; answer lacks roles, user, directory_managed. Proxy: role_slugs → role_slug = first slug, remembers the full list; answers get roles (remembered list, else [role]), directory_managed=false and the embedded user (GET user)." },
    Row { operation_id: "UserlandUserOrganizationMembershipsController_update", method: "PUT", path: "/user_management/organization_memberships/{id}", kind: Kind::Membership,
        doc: "As create: role_slugs → role_slug (first) + remembered list; role_slug resets the list." },
    Row { operation_id: "UserlandUserOrganizationMembershipsController_delete", method: "DELETE", path: "/user_management/organization_memberships/{id}", kind: Kind::Renumber(204, 200),
        doc: "Emulator answers 204 No Content; the spec gives 200, no body: 204 → 200." },
    Row { operation_id: "UserlandUserOrganizationMembershipsController_get", method: "GET", path: "/user_management/organization_memberships/{id}", kind: Kind::Respond(Fix::Membership), doc: "Adds roles/user/directory_managed." },
    Row { operation_id: "UserlandUserOrganizationMembershipsController_list", method: "GET", path: "/user_management/organization_memberships", kind: Kind::Respond(Fix::Membership), doc: "Adds roles/user/directory_managed per item." },
    Row { operation_id: "UserlandUserOrganizationMembershipsController_deactivate", method: "PUT", path: "/user_management/organization_memberships/{id}/deactivate", kind: Kind::Respond(Fix::Membership), doc: "Adds roles/user/directory_managed." },
    Row { operation_id: "UserlandUserOrganizationMembershipsController_reactivate", method: "PUT", path: "/user_management/organization_memberships/{id}/reactivate", kind: Kind::Respond(Fix::Membership), doc: "Adds roles/user/directory_managed." },
];

/// Body fields WorkOS has but the spec does not (yet): the bench plays a WorkOS that already
/// has them, to exercise `extra_configuration`. On any write, top-level request body fields
/// with this prefix are kept by the proxy (not forwarded: the emulator knows them no better
/// than the spec) for the object the answer names by `id`, a `null` value removing the field;
/// every answer carrying that object (alone or as a list item) echoes the kept fields.
pub const PREVIEW_FIELD_PREFIX: &str = "preview_";

/// One request seen by the proxy. The Authorization header is never stored.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    pub method: String,
    /// Path with query string.
    pub path: String,
    pub status: u16,
    pub request_body: String,
    pub response_body: String,
    /// operationId of the table row that handled it, if any; "fault" for injected faults;
    /// the family name (`local/families.rs`) when a local family answered.
    pub row: Option<&'static str>,
}

/// Who answered a logged request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Answered {
    /// The emulator alone (no row).
    Emulator,
    /// The emulator through a divergence row (its operationId), which rewrote the request
    /// and/or the answer.
    Row(&'static str),
    /// A local family (`local/families.rs`), without the emulator.
    Family(&'static str),
    /// The fault injector.
    Fault,
    /// The bench refused it itself ("spec guard", "conformance").
    Refused(&'static str),
}

impl LoggedRequest {
    /// Who answered the request, from [`LoggedRequest::row`].
    pub fn answered_by(&self) -> Answered {
        match self.row {
            None => Answered::Emulator,
            Some("fault") => Answered::Fault,
            Some(r) if TABLE.iter().any(|t| t.operation_id == r) => Answered::Row(r),
            Some(r) if super::local::families::FAMILIES.iter().any(|f| f.name == r) => {
                Answered::Family(r)
            }
            Some(r) => Answered::Refused(r),
        }
    }
}

/// An injected fault: the next `count` matching requests get `status` (not forwarded).
#[derive(Clone, Debug)]
pub struct Fault {
    /// "GET", "POST", … or "*".
    pub method: String,
    /// Exact path (no query), "/prefix/*", or "*".
    pub path: String,
    pub status: u16,
    pub retry_after: Option<u64>,
    pub count: u32,
    /// JSON body; default `{"message":…,"code":…}` for the status.
    pub body: Option<Value>,
}

/// A fault beyond a status answer, injected with [`Proxy::inject_kind`] (matched like a
/// [`Fault`], checked before the status faults).
#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// Forward (the emulator processes the request), then hold the answer this long: past the
    /// client's timeout, the client sees no answer although the request took effect.
    Delay(std::time::Duration),
    /// Close the connection without an answer, before forwarding (nothing processed).
    ResetBefore,
    /// Forward (the emulator processes the request), then close the connection without an
    /// answer: the object exists, the client saw nothing.
    ResetAfter,
    /// Forward (the emulator processes the request), then answer this status instead of the
    /// emulator's answer (the default error body for it): the object exists, the client was told
    /// the request failed.
    StatusAfter(u16),
    /// Forward, then answer 200 with a body that is not JSON (the spec guard does not record
    /// this deliberate non-conformance).
    Malformed,
    /// Forward; when the answer is 2xx, the next `n` GETs of paths under the request's path
    /// (`<path>/…`) answer 404: read-after-write lag.
    Lag404(u32),
}

/// The body [`FaultKind::Malformed`] answers with.
pub const MALFORMED_BODY: &str = "<html><body>upstream hiccup</body></html>";

#[derive(Clone, Debug)]
struct KindFault {
    method: String,
    path: String,
    kind: FaultKind,
    count: u32,
}

#[derive(Default)]
struct Side {
    /// organization id → allow_profiles_outside_organization
    allow_profiles: HashMap<String, bool>,
    /// organization id → stripe_customer_id (the emulator ignores it on update)
    stripe_customers: HashMap<String, String>,
    /// membership id → role slugs (multi-role)
    member_roles: HashMap<String, Vec<String>>,
    /// "perm:<slug>" / "role:<org or ->:<slug>" → resource_type_slug
    resource_types: HashMap<String, String>,
    /// object id → preview fields (see [`PREVIEW_FIELD_PREFIX`])
    preview: HashMap<String, serde_json::Map<String, Value>>,
}

struct Inner {
    upstream: String,
    client: reqwest::Client,
    log: Mutex<Vec<LoggedRequest>>,
    faults: Mutex<Vec<Fault>>,
    side: Mutex<Side>,
    violations: Mutex<Vec<String>>,
    /// [`FaultKind`] faults, and the read-after-write lags they started (path prefix → reads left).
    kind_faults: Mutex<Vec<KindFault>>,
    lags: Mutex<Vec<(String, u32)>>,
    /// The local families (see `local/mod.rs`).
    local: super::local::Local,
    /// Bench-only limiter switch (see [`Proxy::spread_keys`]): keys to spread requests over.
    spread: Mutex<Spread>,
    /// Live mode (see [`Proxy::start_live`]): the spec guard and conformance only; no rows,
    /// no local families, no faults, no preview fields: every request is forwarded as is.
    live: bool,
}

/// Round-robin over seeded API keys; empty (the default) leaves the caller's key alone.
#[derive(Default)]
struct Spread {
    keys: Vec<String>,
    next: usize,
}

impl Inner {
    /// The Authorization header to forward: the caller's, or the next spread key.
    fn authorization(&self, caller: Option<String>) -> Option<String> {
        let mut s = self.spread.lock().unwrap();
        if s.keys.is_empty() || caller.is_none() {
            return caller;
        }
        let key = s.keys[s.next % s.keys.len()].clone();
        s.next = s.next.wrapping_add(1);
        Some(format!("Bearer {key}"))
    }
}

/// Emulator helper routes the bench itself uses that are no spec operation, exempt from the
/// spec guard: `/health` (readiness probe) and `/_emulate/*` (emulator control). Everything
/// else must be a spec operation.
pub const EXEMPT: &[&str] = &["/health", "/_emulate/*"];

fn exempt(path: &str) -> bool {
    EXEMPT.iter().any(|e| match e.strip_suffix("/*") {
        Some(pre) => path.starts_with(&format!("{pre}/")),
        None => path == *e,
    })
}

pub struct Proxy {
    addr: SocketAddr,
    inner: Arc<Inner>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

type Reply = (u16, Vec<(String, String)>, Bytes);

impl Proxy {
    /// Starts the proxy on a free loopback port, forwarding to `upstream` (emulator URL).
    pub fn start(upstream: &str) -> Proxy {
        Self::start_mode(upstream, false)
    }

    /// Starts the proxy in live mode in front of `upstream` (the real WorkOS API, or a bare
    /// emulator for a dry run): the spec guard and conformance still check every request and
    /// answer, but the divergence rows, the local families, preview fields and fault injection
    /// are off, so every request reaches `upstream` exactly as sent.
    pub fn start_live(upstream: &str) -> Proxy {
        Self::start_mode(upstream, true)
    }

    /// Whether this proxy runs in live mode ([`Proxy::start_live`]).
    pub fn is_live(&self) -> bool {
        self.inner.live
    }

    /// Faults and the limiter switch are bench-only: asking a live proxy for one is a bug of
    /// the test (a case that needs faults is skipped in live mode before it runs).
    fn bench_only(&self, what: &str) {
        assert!(
            !self.inner.live,
            "{what} is off in live mode (TF_ACC=1): the test must be skipped there"
        );
    }

    fn start_mode(upstream: &str, live: bool) -> Proxy {
        ensure_crypto_provider();
        let inner = Arc::new(Inner {
            upstream: upstream.trim_end_matches('/').to_string(),
            client: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("reqwest client"),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            side: Mutex::new(Side::default()),
            violations: Mutex::new(Vec::new()),
            kind_faults: Mutex::new(Vec::new()),
            lags: Mutex::new(Vec::new()),
            local: super::local::Local::default(),
            spread: Mutex::new(Spread::default()),
            live,
        });
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind proxy listener");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("local addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let inner2 = inner.clone();
        let thread = std::thread::Builder::new()
            .name("workos-proxy".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("proxy runtime");
                rt.block_on(serve(std_listener, inner2, rx));
            })
            .expect("spawn proxy thread");
        Proxy {
            addr,
            inner,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request seen so far, in arrival order (completed requests only).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.inner.log.lock().unwrap().clone()
    }

    pub fn clear_requests(&self) {
        self.inner.log.lock().unwrap().clear();
    }

    /// Adds a fault; the first matching fault (insertion order) wins.
    pub fn inject(&self, fault: Fault) {
        self.bench_only("fault injection");
        self.inner.faults.lock().unwrap().push(fault);
    }

    /// Shorthand: the next `count` requests matching `method` and `path` get `status`
    /// (with `Retry-After: <secs>` when given).
    pub fn inject_status(
        &self,
        method: &str,
        path: &str,
        status: u16,
        retry_after: Option<u64>,
        count: u32,
    ) {
        self.inject(Fault {
            method: method.to_string(),
            path: path.to_string(),
            status,
            retry_after,
            count,
            body: None,
        });
    }

    /// Spec-guard violations recorded so far (see the module docs).
    pub fn violations(&self) -> Vec<String> {
        self.inner.violations.lock().unwrap().clone()
    }

    /// Returns and forgets the recorded violations.
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut *self.inner.violations.lock().unwrap())
    }

    /// The bench-only limiter switch: from now on every authenticated request is forwarded
    /// with the next of `keys` (round robin) instead of the caller's key, so the emulator's
    /// per-key limit (1,000 requests / 60 s) is shared by `keys.len()` keys, which must be
    /// seeded in the emulator. Used by the performance bench (`make bench`) for its
    /// "limiter off" figures; no test calls it, so the limiter stays on by default.
    pub fn spread_keys(&self, keys: Vec<String>) {
        self.bench_only("the limiter switch");
        *self.inner.spread.lock().unwrap() = Spread { keys, next: 0 };
    }

    pub fn clear_faults(&self) {
        self.inner.faults.lock().unwrap().clear();
        self.inner.kind_faults.lock().unwrap().clear();
        self.inner.lags.lock().unwrap().clear();
    }

    /// The next `count` requests matching `method` and `path` (as for [`Fault`]) get `kind`.
    pub fn inject_kind(&self, method: &str, path: &str, kind: FaultKind, count: u32) {
        self.bench_only("fault injection");
        self.inner.kind_faults.lock().unwrap().push(KindFault {
            method: method.to_string(),
            path: path.to_string(),
            kind,
            count,
        });
    }

    /// The local families' state (for test read-backs of write-only objects).
    pub fn local(&self) -> &super::local::Local {
        &self.inner.local
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(
    std_listener: std::net::TcpListener,
    inner: Arc<Inner>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(std_listener).expect("tokio listener");
    loop {
        tokio::select! {
            _ = &mut stop => break,
            acc = listener.accept() => {
                let Ok((stream, _)) = acc else { continue };
                let inner = inner.clone();
                tokio::spawn(async move {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let svc = hyper::service::service_fn(move |req| {
                        let inner = inner.clone();
                        dispatch(inner, req)
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, svc)
                        .await;
                });
            }
        }
    }
}

/// An error from the service makes hyper close the connection without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the fault injector")
    }
}

impl std::error::Error for Dropped {}

/// One request: the [`FaultKind`] faults and read-after-write lags around [`handle`].
async fn dispatch(
    inner: Arc<Inner>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    if method == "GET" && take_lag(&inner, &path) {
        log_fault(&inner, &method, &path, 404);
        return Ok(fault_reply(404, &default_error(404)));
    }
    let kind = {
        let mut faults = inner.kind_faults.lock().unwrap();
        let idx = (faults.iter()).position(|f| rule_matches(&f.method, &f.path, &method, &path));
        idx.map(|i| {
            let k = faults[i].kind.clone();
            if faults[i].count <= 1 {
                faults.remove(i);
            } else {
                faults[i].count -= 1;
            }
            k
        })
    };
    let Some(kind) = kind else {
        return Ok::<_, Dropped>(handle(inner, req).await);
    };
    if kind == FaultKind::ResetBefore {
        log_fault(&inner, &method, &path, 0);
        return Err(Dropped);
    }
    let resp = handle(inner.clone(), req).await;
    match kind {
        FaultKind::Delay(d) => {
            tokio::time::sleep(d).await;
            Ok(resp)
        }
        FaultKind::ResetAfter => Err(Dropped),
        FaultKind::StatusAfter(status) => Ok(fault_reply(status, &default_error(status))),
        FaultKind::Malformed => {
            let mut r = Response::new(Full::new(Bytes::from_static(MALFORMED_BODY.as_bytes())));
            *r.status_mut() = hyper::StatusCode::OK;
            r.headers_mut().insert(
                "content-type",
                hyper::header::HeaderValue::from_static("text/html"),
            );
            Ok(r)
        }
        FaultKind::Lag404(n) => {
            if resp.status().is_success() {
                let prefix = format!("{}/", path.trim_end_matches('/'));
                inner.lags.lock().unwrap().push((prefix, n));
            }
            Ok(resp)
        }
        FaultKind::ResetBefore => unreachable!("handled above"),
    }
}

/// Is this GET one a read-after-write lag answers 404? (Counts it.)
fn take_lag(inner: &Inner, path: &str) -> bool {
    let mut lags = inner.lags.lock().unwrap();
    let Some(i) = lags.iter().position(|(p, _)| path.starts_with(p.as_str())) else {
        return false;
    };
    lags[i].1 -= 1;
    if lags[i].1 == 0 {
        lags.remove(i);
    }
    true
}

/// Logs a request the fault injector answered itself (status 0: no answer).
fn log_fault(inner: &Inner, method: &str, path: &str, status: u16) {
    inner.log.lock().unwrap().push(LoggedRequest {
        method: method.to_string(),
        path: path.to_string(),
        status,
        request_body: String::new(),
        response_body: String::new(),
        row: Some("fault"),
    });
}

fn fault_reply(status: u16, body: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn match_path(pattern: &str, path: &str) -> Option<Vec<String>> {
    let p: Vec<&str> = pattern.split('/').collect();
    let a: Vec<&str> = path.split('/').collect();
    if p.len() != a.len() {
        return None;
    }
    let mut params = Vec::new();
    for (ps, s) in p.iter().zip(a.iter()) {
        if ps.starts_with('{') {
            if s.is_empty() {
                return None;
            }
            params.push(s.to_string());
        } else if ps != s {
            return None;
        }
    }
    Some(params)
}

fn fault_matches(f: &Fault, method: &str, path: &str) -> bool {
    rule_matches(&f.method, &f.path, method, path)
}

/// A fault's `method` ("*" or a method) and `path` (exact, "/prefix/*" or "*") match a request.
fn rule_matches(f_method: &str, f_path: &str, method: &str, path: &str) -> bool {
    let m = f_method == "*" || f_method.eq_ignore_ascii_case(method);
    let p = f_path == "*"
        || f_path == path
        || f_path
            .strip_suffix("/*")
            .is_some_and(|pre| path.starts_with(&format!("{pre}/")));
    m && p
}

fn default_error(status: u16) -> Value {
    let code = match status {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        422 => "unprocessable_entity",
        429 => "rate_limit_exceeded",
        503 => "service_unavailable",
        _ => "server_error",
    };
    json!({"message": format!("injected {status}"), "code": code})
}

async fn handle(inner: Arc<Inner>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(|q| q.to_string());
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.to_string());
    let auth = inner.authorization(auth);
    let body = req
        .into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    let full_path = match &query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };

    // The spec guard: no spec operation, no answer.
    let op = if exempt(&path) {
        None
    } else {
        match super::spec::spec().find(&method, &path) {
            Some(op) => Some(op),
            None => {
                inner
                    .violations
                    .lock()
                    .unwrap()
                    .push(format!("{method} {path}: not a spec operation"));
                let b = json!({
                    "code": "not_found",
                    "message": format!("{method} {path} is not a spec operation"),
                });
                return refuse(&inner, method, full_path, &body, 404, &b, "spec guard");
            }
        }
    };

    // Request conformance: query and body valid per the operation's schemas, else 422.
    if let Some(op) = op {
        let (checked, _) = split_preview(&method, &body);
        let findings = super::conformance::check_request(op, query.as_deref(), &checked);
        if !findings.is_empty() {
            inner.violations.lock().unwrap().push(format!(
                "{method} {path} ({}) request not per spec (the provider or test must fix it): {}",
                op.operation_id,
                join_findings(&findings)
            ));
            let b = super::conformance::rejection(&findings);
            return refuse(&inner, method, full_path, &body, 422, &b, "conformance");
        }
    }

    // Live mode: the guard and conformance above, then the request as sent.
    if inner.live {
        let ctx = Ctx {
            inner: inner.clone(),
            auth,
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            body: body.clone(),
        };
        let reply = ctx.forward(&method, &full_path, Some(body.clone())).await;
        return finish(&inner, op, method, path, full_path, &body, None, reply);
    }

    // Injected faults first.
    let fault = {
        let mut faults = inner.faults.lock().unwrap();
        let idx = faults.iter().position(|f| fault_matches(f, &method, &path));
        idx.map(|i| {
            let f = faults[i].clone();
            if faults[i].count <= 1 {
                faults.remove(i);
            } else {
                faults[i].count -= 1;
            }
            f
        })
    };
    let (row_id, (status, headers, resp_body)) = if let Some(f) = fault {
        let b = f.body.clone().unwrap_or_else(|| default_error(f.status));
        let mut h = vec![("content-type".to_string(), "application/json".to_string())];
        if let Some(s) = f.retry_after {
            h.push(("retry-after".to_string(), s.to_string()));
        }
        (Some("fault"), (f.status, h, Bytes::from(b.to_string())))
    } else {
        let row = TABLE.iter().find_map(|r| {
            if r.method != method {
                return None;
            }
            match_path(r.path, &path).map(|ps| (r, ps))
        });
        let (forwarded, preview) = split_preview(&method, &body);
        let ctx = Ctx {
            inner: inner.clone(),
            auth,
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            body: forwarded.clone(),
        };
        // A local family answers what it serves; the rest goes to the emulator (whose
        // successful deletes cascade into the local families).
        let up = super::local::Up {
            client: inner.client.clone(),
            base: inner.upstream.clone(),
            auth: ctx.auth.clone(),
        };
        let local = super::local::serve(
            &inner.local,
            &up,
            &method,
            &path,
            query.as_deref(),
            &forwarded,
        )
        .await;
        let (row, reply) = match (local, row) {
            (Some((family, s, v)), _) => (Some(family), local_reply(s, &v)),
            (None, Some((r, params))) => {
                (Some(r.operation_id), ctx.translate(r.kind, &params).await)
            }
            (None, None) => (
                None,
                ctx.forward(&method, &full_path, Some(forwarded)).await,
            ),
        };
        if row.is_none_or(|r| super::local::families::FAMILIES.iter().all(|f| f.name != r)) {
            super::local::after_upstream(&inner.local, &method, &path, reply.0);
        }
        (row, echo_preview(&inner, preview, reply))
    };

    finish(
        &inner,
        op,
        method,
        path,
        full_path,
        &body,
        row_id,
        (status, headers, resp_body),
    )
}

/// Checks the answer's conformance, logs the request and builds the response.
#[allow(clippy::too_many_arguments)]
fn finish(
    inner: &Inner,
    op: Option<&super::spec::Operation>,
    method: String,
    path: String,
    full_path: String,
    body: &Bytes,
    row_id: Option<&'static str>,
    (status, headers, resp_body): Reply,
) -> Response<Full<Bytes>> {
    // Response conformance: the answer is valid per the spec's schema for its status. An
    // injected error fault plays a failure the spec need not describe: only 2xx faults count.
    if let Some(op) = op.filter(|_| row_id != Some("fault") || is_ok(status)) {
        let findings = super::conformance::check_response(op, status, &resp_body);
        if !findings.is_empty() {
            let by = match row_id {
                Some("fault") => "fault injector".to_string(),
                Some(id) => format!("row {id}"),
                None if inner.live => "the upstream API (live mode: no rows)".to_string(),
                None => "emulator (no row)".to_string(),
            };
            inner.violations.lock().unwrap().push(format!(
                "{method} {path} ({}) answered {status} not per spec, fix in {by}: {}",
                op.operation_id,
                join_findings(&findings)
            ));
        }
    }

    inner.log.lock().unwrap().push(LoggedRequest {
        method,
        path: full_path,
        status,
        request_body: String::from_utf8_lossy(body).into_owned(),
        response_body: String::from_utf8_lossy(&resp_body).into_owned(),
        row: row_id,
    });
    let mut builder = Response::builder().status(status);
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    builder
        .body(Full::new(resp_body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// A local family's answer as a reply (`Null` = no body).
fn local_reply(status: u16, v: &Value) -> Reply {
    if v.is_null() {
        return (status, vec![], Bytes::new());
    }
    json_reply(status, vec![], v)
}

fn join_findings(f: &[super::conformance::Finding]) -> String {
    f.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Answers a request the bench refuses itself (not forwarded), and logs it under `row`.
fn refuse(
    inner: &Inner,
    method: String,
    full_path: String,
    body: &Bytes,
    status: u16,
    answer: &Value,
    row: &'static str,
) -> Response<Full<Bytes>> {
    let resp_body = Bytes::from(answer.to_string());
    inner.log.lock().unwrap().push(LoggedRequest {
        method,
        path: full_path,
        status,
        request_body: String::from_utf8_lossy(body).into_owned(),
        response_body: String::from_utf8_lossy(&resp_body).into_owned(),
        row: Some(row),
    });
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(resp_body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// Splits the preview fields off a write's JSON body: (body to forward, preview fields).
fn split_preview(method: &str, body: &Bytes) -> (Bytes, serde_json::Map<String, Value>) {
    let mut preview = serde_json::Map::new();
    if !matches!(method, "POST" | "PUT" | "PATCH") {
        return (body.clone(), preview);
    }
    let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(body) else {
        return (body.clone(), preview);
    };
    let keys: Vec<String> = obj
        .keys()
        .filter(|k| k.starts_with(PREVIEW_FIELD_PREFIX))
        .cloned()
        .collect();
    if keys.is_empty() {
        return (body.clone(), preview);
    }
    for k in keys {
        if let Some(v) = obj.remove(&k) {
            preview.insert(k, v);
        }
    }
    (Bytes::from(Value::Object(obj).to_string()), preview)
}

/// Keeps a write's preview fields for the object it answered, and echoes the kept fields in
/// every object of the answer.
fn echo_preview(inner: &Inner, written: serde_json::Map<String, Value>, reply: Reply) -> Reply {
    let (status, headers, body) = reply;
    let Ok(mut v) = serde_json::from_slice::<Value>(&body) else {
        return (status, headers, body);
    };
    let mut side = inner.side.lock().unwrap();
    if is_ok(status) && !written.is_empty() {
        if let Some(id) = v.get("id").and_then(Value::as_str) {
            let kept = side.preview.entry(id.to_string()).or_default();
            for (k, val) in written {
                if val.is_null() {
                    kept.remove(&k);
                } else {
                    kept.insert(k, val);
                }
            }
        }
    }
    if side.preview.is_empty() {
        return (status, headers, body);
    }
    let mut echo = |o: &mut Value| {
        let fields = o
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| side.preview.get(id));
        if let (Some(fields), Value::Object(m)) = (fields.cloned(), o) {
            m.extend(fields);
        }
    };
    echo(&mut v);
    if let Some(Value::Array(items)) = v.get_mut("data") {
        items.iter_mut().for_each(&mut echo);
    }
    json_reply(status, headers, &v)
}

struct Ctx {
    inner: Arc<Inner>,
    auth: Option<String>,
    method: String,
    path: String,
    query: Option<String>,
    body: Bytes,
}

fn json_reply(status: u16, headers: Vec<(String, String)>, v: &Value) -> Reply {
    let mut h: Vec<_> = headers
        .into_iter()
        .filter(|(k, _)| k != "content-length" && k != "content-type")
        .collect();
    h.push(("content-type".into(), "application/json".into()));
    (status, h, Bytes::from(v.to_string()))
}

fn is_ok(s: u16) -> bool {
    (200..300).contains(&s)
}

impl Ctx {
    fn full_path(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    fn body_json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// Sends a request to the emulator; returns status, selected headers and body.
    async fn forward(&self, method: &str, path_q: &str, body: Option<Bytes>) -> Reply {
        let url = format!("{}{}", self.inner.upstream, path_q);
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut rb = self.inner.client.request(m, url);
        if let Some(a) = &self.auth {
            rb = rb.header("authorization", a);
        }
        if let Some(b) = body {
            if !b.is_empty() {
                rb = rb.header("content-type", "application/json").body(b);
            }
        }
        match rb.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let headers = resp
                    .headers()
                    .iter()
                    .filter(|(k, _)| {
                        let k = k.as_str();
                        k.starts_with("x-") || k == "retry-after" || k == "content-type"
                    })
                    .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
                    .collect();
                let b = resp.bytes().await.unwrap_or_default();
                (status, headers, b)
            }
            Err(e) => (
                502,
                vec![("content-type".into(), "application/json".into())],
                Bytes::from(json!({"message": format!("proxy: upstream error: {e}"), "code": "bad_gateway"}).to_string()),
            ),
        }
    }

    async fn call(
        &self,
        method: &str,
        path_q: &str,
        body: Option<&Value>,
    ) -> (u16, Vec<(String, String)>, Value) {
        let (s, h, b) = self
            .forward(method, path_q, body.map(|v| Bytes::from(v.to_string())))
            .await;
        (s, h, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }

    async fn translate(&self, kind: Kind, params: &[String]) -> Reply {
        match kind {
            Kind::Gap => {
                self.forward(&self.method, &self.full_path(), Some(self.body.clone()))
                    .await
            }
            Kind::Status201 => {
                let (s, h, b) = self
                    .forward(&self.method, &self.full_path(), Some(self.body.clone()))
                    .await;
                (if s == 200 { 201 } else { s }, h, b)
            }
            Kind::Renumber(from, to) => {
                let (s, h, b) = self
                    .forward(&self.method, &self.full_path(), Some(self.body.clone()))
                    .await;
                (if s == from { to } else { s }, h, b)
            }
            Kind::Respond(fix) => {
                self.before(fix);
                let (s, h, v) = self
                    .call(
                        &self.method,
                        &self.full_path(),
                        Some(&self.body_json()).filter(|v| !v.is_null()),
                    )
                    .await;
                self.finish(fix, s, h, v, params).await
            }
            Kind::OrganizationList => {
                let (s, h, mut v) = self.call(&self.method, &self.full_path(), None).await;
                let search = self.query.as_deref().and_then(|q| {
                    reqwest::Url::parse(&format!("http://proxy/?{q}"))
                        .ok()?
                        .query_pairs()
                        .find(|(k, _)| k == "search")
                        .map(|(_, v)| v.to_lowercase())
                });
                if let (Some(needle), Some(items)) =
                    (search, v.get_mut("data").and_then(Value::as_array_mut))
                {
                    items.retain(|o| {
                        o["name"]
                            .as_str()
                            .is_some_and(|n| n.to_lowercase().contains(&needle))
                    });
                }
                self.finish(Fix::Organization, s, h, v, params).await
            }
            Kind::Verb(verb, fix) => {
                let (s, h, v) = self
                    .call(verb, &self.full_path(), Some(&self.body_json()))
                    .await;
                self.finish(fix, s, h, v, params).await
            }
            Kind::WebhookUpdate => {
                let mut b = self.body_json();
                if let Some(obj) = b.as_object_mut() {
                    if let Some(st) = obj.remove("status") {
                        obj.insert(
                            "enabled".into(),
                            Value::Bool(st.as_str() == Some("enabled")),
                        );
                    }
                }
                let (s, h, v) = self.call("PUT", &self.path, Some(&b)).await;
                self.finish(Fix::Webhook, s, h, v, params).await
            }
            Kind::SetRolePermissions => {
                let b = self.body_json();
                let (s, h, v) = self.call("POST", &self.path, Some(&b)).await;
                if !is_ok(s) {
                    return json_reply(s, h, &v);
                }
                let role_path = self.path.trim_end_matches("/permissions").to_string();
                let (s, h, v) = self.call("GET", &role_path, None).await;
                self.finish(Fix::Role, s, h, v, params).await
            }
            Kind::AddRolePermission => {
                let b = self.body_json();
                let Some(slug) = b.get("slug").and_then(|s| s.as_str()) else {
                    return json_reply(
                        422,
                        vec![],
                        &json!({"message": "slug is required", "code": "invalid_request_parameters"}),
                    );
                };
                let (s, h, cur) = self.call("GET", &self.path, None).await;
                if !is_ok(s) {
                    return json_reply(s, h, &cur);
                }
                let mut slugs = slugs_of(&cur);
                if !slugs.iter().any(|x| x == slug) {
                    slugs.push(slug.to_string());
                }
                let (s, h, v) = self
                    .call("POST", &self.path, Some(&json!({"permissions": slugs})))
                    .await;
                if !is_ok(s) {
                    return json_reply(s, h, &v);
                }
                let role_path = self.path.trim_end_matches("/permissions").to_string();
                let (s, h, v) = self.call("GET", &role_path, None).await;
                self.finish(Fix::Role, s, h, v, params).await
            }
            Kind::Organization => self.organization(params).await,
            Kind::Membership => self.membership(params).await,
        }
    }

    /// Records request-side facts the emulator drops (before forwarding).
    fn before(&self, fix: Fix) {
        if self.method != "POST" {
            return;
        }
        let b = self.body_json();
        let Some(rts) = b.get("resource_type_slug").and_then(|v| v.as_str()) else {
            return;
        };
        let Some(slug) = b.get("slug").and_then(|v| v.as_str()) else {
            return;
        };
        let key = match fix {
            Fix::Permission => format!("perm:{slug}"),
            Fix::Role => format!("role:{}:{slug}", org_of_role_path(&self.path)),
            _ => return,
        };
        self.inner
            .side
            .lock()
            .unwrap()
            .resource_types
            .insert(key, rts.to_string());
    }

    async fn finish(
        &self,
        fix: Fix,
        status: u16,
        headers: Vec<(String, String)>,
        mut v: Value,
        _params: &[String],
    ) -> Reply {
        if status == 422 && self.method == "POST" && is_duplicate(&v) {
            let code = match fix {
                Fix::Permission => Some("permission_slug_conflict"),
                Fix::Role if self.path.starts_with("/authorization/organizations/") => {
                    Some("organization_role_slug_conflict")
                }
                _ => None,
            };
            if let Some(code) = code {
                let msg = v.get("message").cloned().unwrap_or(Value::Null);
                return json_reply(409, headers, &json!({"code": code, "message": msg}));
            }
        }
        if !is_ok(status) {
            return json_reply(status, headers, &v);
        }
        if v.get("object").and_then(|o| o.as_str()) == Some("list") {
            if let Some(items) = v.get_mut("data").and_then(|d| d.as_array_mut()) {
                for item in items.iter_mut() {
                    self.fix_one(fix, item).await;
                }
            }
        } else if v.is_object() {
            self.fix_one(fix, &mut v).await;
        }
        json_reply(status, headers, &v)
    }

    async fn fix_one(&self, fix: Fix, v: &mut Value) {
        let Some(obj) = v.as_object_mut() else { return };
        match fix {
            Fix::Permission => {
                let slug = obj
                    .get("slug")
                    .and_then(|s| s.as_str())
                    .unwrap_or("")
                    .to_string();
                obj.entry("system").or_insert(Value::Bool(false));
                if !obj.contains_key("resource_type_slug") {
                    let rts = self
                        .inner
                        .side
                        .lock()
                        .unwrap()
                        .resource_types
                        .get(&format!("perm:{slug}"))
                        .cloned();
                    obj.insert(
                        "resource_type_slug".into(),
                        Value::String(rts.unwrap_or_else(|| "organization".into())),
                    );
                }
            }
            Fix::Role => {
                let slug = obj
                    .get("slug")
                    .and_then(|s| s.as_str())
                    .unwrap_or("")
                    .to_string();
                let org = obj
                    .get("organization_id")
                    .and_then(|s| s.as_str())
                    .map(|s| s.to_string());
                let base = match &org {
                    Some(o)
                        if obj.get("type").and_then(|t| t.as_str()) != Some("EnvironmentRole") =>
                    {
                        format!("/authorization/organizations/{o}/roles/{slug}")
                    }
                    _ => format!("/authorization/roles/{slug}"),
                };
                if !obj.contains_key("permissions") {
                    let (s, _, list) = self.call("GET", &format!("{base}/permissions"), None).await;
                    let perms = if is_ok(s) { slugs_of(&list) } else { vec![] };
                    obj.insert("permissions".into(), json!(perms));
                }
                if !obj.contains_key("resource_type_slug") {
                    let key = format!("role:{}:{slug}", org.as_deref().unwrap_or("-"));
                    let rts = self
                        .inner
                        .side
                        .lock()
                        .unwrap()
                        .resource_types
                        .get(&key)
                        .cloned();
                    obj.insert(
                        "resource_type_slug".into(),
                        Value::String(rts.unwrap_or_else(|| "organization".into())),
                    );
                }
            }
            Fix::Webhook => {
                if !obj.contains_key("status") {
                    let en = obj.get("enabled").and_then(|e| e.as_bool()).unwrap_or(true);
                    obj.insert(
                        "status".into(),
                        json!(if en { "enabled" } else { "disabled" }),
                    );
                }
            }
            Fix::Organization => {
                if obj.get("stripe_customer_id").is_some_and(|v| v.is_null()) {
                    obj.remove("stripe_customer_id");
                }
                let id = obj
                    .get("id")
                    .and_then(|s| s.as_str())
                    .unwrap_or("")
                    .to_string();
                let stripe = (self.inner.side.lock().unwrap().stripe_customers)
                    .get(&id)
                    .cloned();
                if let Some(c) = stripe {
                    obj.insert("stripe_customer_id".into(), Value::String(c));
                }
                if !obj.contains_key("allow_profiles_outside_organization") {
                    let a = self
                        .inner
                        .side
                        .lock()
                        .unwrap()
                        .allow_profiles
                        .get(&id)
                        .copied()
                        .unwrap_or(false);
                    obj.insert("allow_profiles_outside_organization".into(), Value::Bool(a));
                }
            }
            Fix::Membership => {
                let id = obj
                    .get("id")
                    .and_then(|s| s.as_str())
                    .unwrap_or("")
                    .to_string();
                if !obj.contains_key("roles") {
                    let remembered = self
                        .inner
                        .side
                        .lock()
                        .unwrap()
                        .member_roles
                        .get(&id)
                        .cloned();
                    let roles = match remembered {
                        Some(r) => r
                            .into_iter()
                            .map(|s| json!({"slug": s}))
                            .collect::<Vec<_>>(),
                        None => obj.get("role").cloned().into_iter().collect(),
                    };
                    obj.insert("roles".into(), Value::Array(roles));
                }
                obj.entry("directory_managed").or_insert(Value::Bool(false));
                if !obj.contains_key("user") {
                    if let Some(uid) = obj
                        .get("user_id")
                        .and_then(|s| s.as_str())
                        .map(|s| s.to_string())
                    {
                        let (s, _, u) = self
                            .call("GET", &format!("/user_management/users/{uid}"), None)
                            .await;
                        if is_ok(s) {
                            obj.insert("user".into(), u);
                        }
                    }
                }
            }
        }
    }

    async fn organization(&self, params: &[String]) -> Reply {
        let mut b = self.body_json();
        let Some(obj) = b.as_object_mut() else {
            return self
                .forward(&self.method, &self.full_path(), Some(self.body.clone()))
                .await;
        };
        let allow = obj
            .get("allow_profiles_outside_organization")
            .and_then(|v| v.as_bool());
        let stripe = obj
            .get("stripe_customer_id")
            .and_then(|v| v.as_str())
            .map(String::from);
        if !obj.contains_key("domain_data") {
            if let Some(ds) = obj.get("domains").and_then(|d| d.as_array()).cloned() {
                let dd: Vec<Value> = ds
                    .iter()
                    .filter_map(|d| d.as_str())
                    .map(|d| json!({"domain": d, "state": "pending"}))
                    .collect();
                obj.insert("domain_data".into(), Value::Array(dd));
            }
        }
        obj.remove("domains");
        let wanted_verified: Vec<String> = obj
            .get("domain_data")
            .and_then(|d| d.as_array())
            .map(|a| {
                a.iter()
                    .filter(|d| d.get("state").and_then(|s| s.as_str()) == Some("verified"))
                    .filter_map(|d| d.get("domain").and_then(|s| s.as_str()).map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let (s, h, mut v) = self.call(&self.method, &self.path, Some(&b)).await;
        if !is_ok(s) {
            return json_reply(s, h, &v);
        }
        let id = v
            .get("id")
            .and_then(|x| x.as_str())
            .map(String::from)
            .or_else(|| params.first().cloned())
            .unwrap_or_default();
        if let Some(a) = allow {
            self.inner
                .side
                .lock()
                .unwrap()
                .allow_profiles
                .insert(id.clone(), a);
        }
        if let Some(c) = stripe {
            let mut side = self.inner.side.lock().unwrap();
            side.stripe_customers.insert(id.clone(), c);
        }
        // Kept domains whose state the emulator did not change.
        let mut reread = false;
        if let Some(ds) = v.get("domains").and_then(|d| d.as_array()) {
            for d in ds {
                let name = d.get("domain").and_then(|x| x.as_str()).unwrap_or("");
                let state = d.get("state").and_then(|x| x.as_str()).unwrap_or("");
                if wanted_verified.iter().any(|w| w == name) && state != "verified" {
                    if let Some(did) = d.get("id").and_then(|x| x.as_str()) {
                        self.call("POST", &format!("/organization_domains/{did}/verify"), None)
                            .await;
                        reread = true;
                    }
                }
            }
        }
        if reread {
            let (s2, _, v2) = self
                .call("GET", &format!("/organizations/{id}"), None)
                .await;
            if is_ok(s2) {
                v = v2;
            }
        }
        self.fix_one(Fix::Organization, &mut v).await;
        json_reply(s, h, &v)
    }

    async fn membership(&self, params: &[String]) -> Reply {
        let mut b = self.body_json();
        let mut roles: Option<Vec<String>> = None;
        if let Some(obj) = b.as_object_mut() {
            if let Some(list) = obj.remove("role_slugs") {
                let slugs: Vec<String> = list
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(first) = slugs.first() {
                    obj.insert("role_slug".into(), Value::String(first.clone()));
                }
                roles = Some(slugs);
            } else if let Some(one) = obj.get("role_slug").and_then(|s| s.as_str()) {
                roles = Some(vec![one.to_string()]);
            }
        }
        let (s, h, mut v) = self.call(&self.method, &self.path, Some(&b)).await;
        if !is_ok(s) {
            return json_reply(s, h, &v);
        }
        let id = v
            .get("id")
            .and_then(|x| x.as_str())
            .map(String::from)
            .or_else(|| params.first().cloned())
            .unwrap_or_default();
        if let Some(r) = roles {
            self.inner.side.lock().unwrap().member_roles.insert(id, r);
        }
        self.fix_one(Fix::Membership, &mut v).await;
        json_reply(s, h, &v)
    }
}

fn org_of_role_path(path: &str) -> String {
    // /authorization/organizations/{org}/roles
    let segs: Vec<&str> = path.split('/').collect();
    if segs.len() > 3 && segs[2] == "organizations" {
        segs[3].to_string()
    } else {
        "-".to_string()
    }
}

fn slugs_of(list: &Value) -> Vec<String> {
    list.get("data")
        .and_then(|d| d.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|p| p.get("slug").and_then(|s| s.as_str()).map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn is_duplicate(v: &Value) -> bool {
    v.get("errors").and_then(|e| e.as_array()).is_some_and(|a| {
        a.iter()
            .any(|e| e.get("code").and_then(|c| c.as_str()) == Some("duplicate"))
    })
}

/// reqwest is built with rustls without a default crypto provider: install one.
pub fn ensure_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// Blocking JSON request helper (runs on a private thread with its own runtime, so it
/// works from plain and async tests alike).
/// [`blocking_request`] with a timeout, returning transport failures (a dropped connection,
/// a timeout) as `Err` instead of panicking.
pub fn try_blocking_request(
    base: &str,
    api_key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    timeout: std::time::Duration,
) -> Result<(u16, Value), String> {
    let url = format!("{}{}", base.trim_end_matches('/'), path);
    let (method, key) = (method.to_string(), api_key.to_string());
    ensure_crypto_provider();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let client = reqwest::Client::builder()
                .no_proxy()
                .timeout(timeout)
                .build()
                .expect("client");
            let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let mut rb = client.request(m, &url).bearer_auth(key);
            if let Some(b) = body {
                rb = rb.json(&b);
            }
            let resp = rb.send().await.map_err(|e| format!("{url}: {e}"))?;
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.map_err(|e| format!("{url}: {e}"))?;
            let v = serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
            Ok((status, v))
        })
    })
    .join()
    .expect("request thread")
}

pub fn blocking_request(
    base: &str,
    api_key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}{}", base.trim_end_matches('/'), path);
    let method = method.to_string();
    let key = api_key.to_string();
    ensure_crypto_provider();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let client = reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client");
            let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let mut rb = client.request(m, &url).bearer_auth(key);
            if let Some(b) = body {
                rb = rb.json(&b);
            }
            let resp = rb.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.unwrap_or_default();
            let v = if bytes.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&bytes)
                    .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
            };
            (status, v)
        })
    })
    .join()
    .expect("request thread")
}
