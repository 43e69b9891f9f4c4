//! examples/tenant-provisioning end to end, with the real `terraform` CLI, the emulator and the
//! example's receiver (`tenant-receiver`, built by this test with `cargo build`).
//!
//! Terraform applies the example's webhook endpoint; the receiver starts with the secret from
//! `terraform output -raw webhook_secret`; organizations created through Terraform and through
//! the API make the emulator deliver signed `organization.created` events, and the receiver
//! provisions one tenant each (a catalog row and a migrated SQLite database, read back here with
//! Python's sqlite3, independently of the receiver's code).
//!
//! The endpoint URL points at a small recorder on loopback that forwards every delivery
//! byte for byte to the receiver and keeps a copy (signature header, body, the receiver's
//! answer): that copy is what the replay assertions resend, and it outlives receiver restarts.
//!
//! Each assertion prints an `ok - …` line (run with `--nocapture` to see them).

mod common;

use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Bench, Workdir};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const ENDPOINT: &str = "workos_webhook_endpoint.tenants";

fn ok(what: &str) {
    println!("ok - {what}");
}

// ---------------------------------------------------------------------------------------------
// The receiver binary and process

/// Builds `tenant-receiver` (a no-op when it is up to date) and returns its path;
/// `TENANT_RECEIVER_BIN` names a prebuilt one instead.
fn receiver_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("TENANT_RECEIVER_BIN") {
        return PathBuf::from(p);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "build",
            "-p",
            "tenant-receiver",
            "--bin",
            "tenant-receiver",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(common::repo_root())
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build -p tenant-receiver");
    assert!(
        out.status.success(),
        "cargo build -p tenant-receiver failed"
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "tenant-receiver")
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .next_back()
        .expect("cargo reported no tenant-receiver executable")
}

struct Receiver {
    child: Child,
    /// `http://127.0.0.1:<port>/webhooks/workos`
    url: String,
}

impl Receiver {
    fn start(bin: &Path, secret: &str, data_dir: &Path, log: PathBuf) -> Receiver {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("receiver log");
        let mut child = Command::new(bin)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("WORKOS_WEBHOOK_SECRET", secret)
            .env("DATA_DIR", data_dir)
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start tenant-receiver");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let mut r = BufReader::new(stdout);
            let _ = r.read_line(&mut line);
            let _ = tx.send(line);
            let mut rest = String::new();
            while r.read_line(&mut rest).unwrap_or(0) > 0 {
                rest.clear();
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| {
                panic!(
                    "receiver printed no address; log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Receiver { child, url }
    }

    fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        // SIGTERM (graceful shutdown), then SIGKILL if it lingers.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The recorder between the emulator and the receiver

#[derive(Clone, Debug)]
struct Delivery {
    signature: Option<String>,
    body: Vec<u8>,
    /// The receiver's answer (502 when it was not running).
    status: u16,
    answer: Value,
}

impl Delivery {
    fn event(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn is(&self, kind: &str, org: &str) -> bool {
        let e = self.event();
        e["event"] == kind && e["data"]["id"] == org
    }
}

struct Recorder {
    url: String,
    target: Arc<Mutex<String>>,
    log: Arc<Mutex<Vec<Delivery>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Recorder {
    fn start() -> Recorder {
        common::proxy::ensure_crypto_provider();
        let target = Arc::new(Mutex::new(String::new()));
        let log = Arc::new(Mutex::new(Vec::new()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind recorder");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!(
            "http://{}/webhooks/workos",
            listener.local_addr().expect("addr")
        );
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let (t2, l2) = (target.clone(), log.clone());
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let client = reqwest::Client::builder()
                    .no_proxy()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .expect("client");
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        acc = listener.accept() => {
                            let Ok((stream, _)) = acc else { continue };
                            let (target, log, client) = (t2.clone(), l2.clone(), client.clone());
                            tokio::spawn(async move {
                                let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
                                    let (target, log, client) = (target.clone(), log.clone(), client.clone());
                                    async move {
                                        Ok::<_, Infallible>(forward(req, &target, &log, &client).await)
                                    }
                                });
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                                    .await;
                            });
                        }
                    }
                }
            });
        });
        Recorder {
            url,
            target,
            log,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    fn forward_to(&self, url: &str) {
        *self.target.lock().unwrap() = url.to_string();
    }

    fn deliveries(&self) -> Vec<Delivery> {
        self.log.lock().unwrap().clone()
    }

    /// Waits until a delivery of `kind` for `org` has been answered, and returns it.
    fn wait_for(&self, kind: &str, org: &str) -> Delivery {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(d) = self.deliveries().into_iter().find(|d| d.is(kind, org)) {
                return d;
            }
            assert!(
                Instant::now() < deadline,
                "no {kind} delivery for {org} within 20 s; deliveries: {:#?}",
                self.deliveries()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn forward(
    req: Request<Incoming>,
    target: &Mutex<String>,
    log: &Mutex<Vec<Delivery>>,
    client: &reqwest::Client,
) -> Response<Full<Bytes>> {
    let signature = req
        .headers()
        .get("workos-signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let url = target.lock().unwrap().clone();
    let (status, answer) = post(client, &url, signature.as_deref(), &body).await;
    log.lock().unwrap().push(Delivery {
        signature,
        body,
        status,
        answer: answer.clone(),
    });
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(answer.to_string())))
        .unwrap()
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    signature: Option<&str>,
    body: &[u8],
) -> (u16, Value) {
    let mut rb = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(s) = signature {
        rb = rb.header("WorkOS-Signature", s);
    }
    match rb.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let bytes = r.bytes().await.unwrap_or_default();
            (
                status,
                serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            )
        }
        Err(e) => (502, json!({"error": format!("receiver unreachable: {e}")})),
    }
}

/// Sends one delivery straight to the receiver (not through the recorder).
fn send(url: &str, signature: Option<&str>, body: &[u8]) -> (u16, Value) {
    let (url, signature, body) = (
        url.to_string(),
        signature.map(str::to_string),
        body.to_vec(),
    );
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let client = reqwest::Client::builder().no_proxy().build().unwrap();
            post(&client, &url, signature.as_deref(), &body).await
        })
    })
    .join()
    .expect("send thread")
}

// ---------------------------------------------------------------------------------------------
// Independent checks: HMAC-SHA256 from sha2 (RFC 2104), SQLite read with Python's sqlite3

fn hmac_sha256(key: &[u8], msg: &[u8]) -> String {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(msg)
        .finalize();
    let outer = Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize();
    hex::encode(outer)
}

fn sign(secret: &str, body: &[u8]) -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let mut msg = format!("{t}.").into_bytes();
    msg.extend_from_slice(body);
    format!("t={t},v1={}", hmac_sha256(secret.as_bytes(), &msg))
}

/// Rows of `sql` on the SQLite file `db`, as JSON arrays (read-only).
fn sqlite(db: &Path, sql: &str) -> Vec<Vec<Value>> {
    let script = "import json,sqlite3,sys\n\
                  c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro',uri=True)\n\
                  print(json.dumps([list(r) for r in c.execute(sys.argv[2])]))";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(db)
        .arg(sql)
        .output()
        .expect("python3 (with sqlite3) is needed to read the tenant databases");
    assert!(
        out.status.success(),
        "sqlite read of {} failed: {}",
        db.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Vec<Value>>>(&out.stdout).expect("JSON rows")
}

/// The catalog rows: (organization_id, status, provisioned_at, deleted_at).
fn catalog(data: &Path) -> Vec<(String, String, Value, Value)> {
    sqlite(
        &data.join("catalog.db"),
        "SELECT organization_id, status, provisioned_at, deleted_at FROM tenants ORDER BY organization_id",
    )
    .into_iter()
    .map(|r| {
        (
            r[0].as_str().unwrap().to_string(),
            r[1].as_str().unwrap().to_string(),
            r[2].clone(),
            r[3].clone(),
        )
    })
    .collect()
}

fn catalog_row(data: &Path, org: &str) -> Vec<(String, String, Value, Value)> {
    catalog(data).into_iter().filter(|r| r.0 == org).collect()
}

/// Asserts that `org` has exactly one active catalog row and a database with both migrations
/// applied once and both tables present; returns the row's provisioned_at.
fn assert_provisioned_once(data: &Path, org: &str) -> Value {
    let rows = catalog_row(data, org);
    assert_eq!(rows.len(), 1, "catalog rows for {org}: {rows:?}");
    assert_eq!(rows[0].1, "active", "catalog row for {org}: {rows:?}");
    assert!(rows[0].2.is_i64(), "provisioned_at for {org}: {rows:?}");
    let db = data.join("tenants").join(format!("{org}.db"));
    assert!(db.is_file(), "no tenant database {}", db.display());
    let migrations = sqlite(
        &db,
        "SELECT version, success FROM _sqlx_migrations ORDER BY version",
    );
    assert_eq!(
        migrations,
        vec![vec![json!(1), json!(1)], vec![json!(2), json!(1)]],
        "migrations of {org}"
    );
    let tables = sqlite(
        &db,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('projects', 'members') ORDER BY name",
    );
    assert_eq!(
        tables,
        vec![vec![json!("members")], vec![json!("projects")]]
    );
    rows[0].2.clone()
}

fn tenant_files(data: &Path) -> usize {
    std::fs::read_dir(data.join("tenants"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "db"))
                .count()
        })
        .unwrap_or(0)
}

fn secret_output(tf: &Workdir) -> String {
    let r = tf.run(&["output", "-raw", "-no-color", "webhook_secret"]);
    r.assert_success();
    r.stdout.trim().to_string()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn tenant_provisioning_end_to_end() {
    let bin = receiver_bin();
    let bench = Bench::start();
    let recorder = Recorder::start();
    let tf = bench.workdir();
    let scratch = tempfile::Builder::new()
        .prefix("tenant-e2e-")
        .tempdir()
        .expect("tempdir");
    let data = scratch.path().join("tenant-data");
    let log = scratch.path().join("receiver.log");

    // 1. The example's endpoint, pointed at the receiver (through the recorder) on loopback.
    let main =
        std::fs::read_to_string(common::repo_root().join("examples/tenant-provisioning/main.tf"))
            .expect("examples/tenant-provisioning/main.tf");
    tf.write_file("main.tf", &main);
    tf.write_file(
        "terraform.tfvars",
        &format!("receiver_url = \"{}\"\n", recorder.url),
    );
    let applied = tf.apply();
    let endpoint = tf.state_resource(ENDPOINT);
    let endpoint_id = endpoint["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(endpoint["endpoint_url"], recorder.url.as_str());
    let mut events: Vec<&str> = endpoint["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    events.sort();
    assert_eq!(events, ["organization.created", "organization.deleted"]);
    let secret = secret_output(&tf);
    assert!(secret.len() >= 16, "the secret output is empty or short");
    assert!(
        !applied.contains(&secret),
        "terraform apply printed the secret"
    );
    let (status, listed) = bench.api("GET", "/webhook_endpoints", None);
    assert_eq!(status, 200);
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == endpoint_id.as_str() && e["endpoint_url"] == recorder.url.as_str()),
        "endpoint {endpoint_id} not registered: {listed}"
    );
    ok("terraform apply created the webhook endpoint for organization.created/deleted; secret read from `terraform output -raw`, never printed");

    // 2. The receiver, with that secret.
    let receiver = Receiver::start(&bin, &secret, &data, log.clone());
    recorder.forward_to(&receiver.url);
    assert_eq!(catalog(&data), vec![], "catalog not empty at start");
    ok("receiver started with the secret from the output; catalog migrated and empty");

    // 3. One organization through Terraform, one through the API.
    tf.write_file(
        "organization.tf",
        "resource \"workos_organization\" \"tenant\" {\n  name = \"Tenant via Terraform\"\n}\n",
    );
    tf.apply();
    let org_tf = tf.state_resource("workos_organization.tenant")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = bench.api(
        "POST",
        "/organizations",
        Some(json!({"name": "Tenant via API"})),
    );
    assert_eq!(status, 201, "{body}");
    let org_api = body["id"].as_str().unwrap().to_string();

    for org in [&org_tf, &org_api] {
        let d = recorder.wait_for("organization.created", org);
        assert_eq!(
            (d.status, d.answer["result"].clone()),
            (200, json!("provisioned")),
            "delivery for {org}: {d:?}"
        );
        let sig = d.signature.as_deref().unwrap_or_default();
        assert!(
            sig.starts_with("t=") && sig.contains(",v1="),
            "emulator signature header {sig:?}"
        );
    }
    ok("the emulator delivered signed organization.created for both organizations; the receiver answered 200 provisioned");
    let t_tf = assert_provisioned_once(&data, &org_tf);
    let t_api = assert_provisioned_once(&data, &org_api);
    assert_eq!(catalog(&data).len(), 2);
    assert_eq!(tenant_files(&data), 2);
    let created = |org: &str| {
        recorder
            .deliveries()
            .iter()
            .filter(|d| d.is("organization.created", org))
            .count()
    };
    assert_eq!((created(&org_tf), created(&org_api)), (1, 1));
    ok("both tenants provisioned exactly once: one active catalog row each, one database each with migrations 1 and 2 applied once");

    // 4. A replayed delivery (same body, same header) provisions nothing new.
    let original = recorder.wait_for("organization.created", &org_api);
    let (status, answer) = send(&receiver.url, original.signature.as_deref(), &original.body);
    assert_eq!(
        (status, answer["result"].clone()),
        (200, json!("already_provisioned")),
        "{answer}"
    );
    assert_eq!(assert_provisioned_once(&data, &org_api), t_api);
    assert_eq!(assert_provisioned_once(&data, &org_tf), t_tf);
    assert_eq!((catalog(&data).len(), tenant_files(&data)), (2, 2));
    ok("a replayed delivery (same body and header) is acknowledged and provisions nothing new");

    // 5. Forged deliveries are refused with 401 and do nothing.
    let forged_body = serde_json::to_vec(&json!({
        "id": "event_forged",
        "event": "organization.created",
        "data": {"id": "org_forged", "name": "Forged"},
        "created_at": "2026-01-01T00:00:00.000Z"
    }))
    .unwrap();
    let tampered = String::from_utf8(original.body.clone())
        .unwrap()
        .replace(&org_api, "org_forged");
    let cases: Vec<(&str, Option<String>, Vec<u8>)> = vec![
        (
            "signed with another secret",
            Some(sign("not-the-secret", &forged_body)),
            forged_body.clone(),
        ),
        ("no signature header", None, forged_body.clone()),
        (
            "a genuine header on a tampered body",
            original.signature.clone(),
            tampered.into_bytes(),
        ),
        (
            "a malformed header",
            Some("t=abc,v1=zz".into()),
            forged_body.clone(),
        ),
    ];
    for (what, sig, body) in &cases {
        let (status, _) = send(&receiver.url, sig.as_deref(), body);
        assert_eq!(status, 401, "forged delivery ({what})");
    }
    assert!(catalog_row(&data, "org_forged").is_empty());
    assert_eq!((catalog(&data).len(), tenant_files(&data)), (2, 2));
    // The same forged body, signed with the real secret, is accepted: the refusals above are
    // the signature's doing.
    let (status, answer) = send(
        &receiver.url,
        Some(&sign(&secret, &forged_body)),
        &forged_body,
    );
    assert_eq!(
        (status, answer["result"].clone()),
        (200, json!("provisioned"))
    );
    ok("forged deliveries (wrong secret, no header, tampered body, malformed header) are refused with 401 and provision nothing");

    // 6. Unknown event types are acknowledged, not processed.
    let other = serde_json::to_vec(
        &json!({"id": "event_x", "event": "user.created", "data": {"id": "user_1"}}),
    )
    .unwrap();
    let (status, answer) = send(&receiver.url, Some(&sign(&secret, &other)), &other);
    assert_eq!((status, answer["result"].clone()), (200, json!("ignored")));
    ok("an event type the receiver does not process is acknowledged with 200");

    // 7. organization.deleted (through Terraform) marks the tenant deleted and keeps its data.
    std::fs::remove_file(tf.path().join("organization.tf")).unwrap();
    tf.apply();
    let d = recorder.wait_for("organization.deleted", &org_tf);
    assert_eq!(
        (d.status, d.answer["result"].clone()),
        (200, json!("marked_deleted")),
        "{d:?}"
    );
    let rows = catalog_row(&data, &org_tf);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, "deleted");
    assert!(rows[0].3.is_i64(), "deleted_at: {rows:?}");
    let db = data.join("tenants").join(format!("{org_tf}.db"));
    assert_eq!(
        sqlite(
            &db,
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('projects', 'members')"
        ),
        vec![vec![json!(2)]],
        "the deleted tenant's database and tables are kept"
    );
    ok("deleting the Terraform organization marks its tenant deleted; its database is kept");

    // 8. Rotation by replacement: a new endpoint has a new secret.
    let old_secret = secret;
    tf.run(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &format!("-replace={ENDPOINT}"),
    ])
    .assert_success();
    let new_secret = secret_output(&tf);
    let new_id = tf.state_resource(ENDPOINT)["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_id, endpoint_id, "the endpoint was not replaced");
    assert_ne!(
        new_secret, old_secret,
        "the replacement kept the old secret"
    );
    let (_, listed) = bench.api("GET", "/webhook_endpoints", None);
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert_eq!(ids, [new_id.as_str()], "old endpoint left behind: {listed}");
    ok("terraform apply -replace gave a new endpoint with a new secret, and removed the old one");

    // Until the receiver has the new secret, deliveries are refused (and WorkOS would retry).
    let (status, body) = bench.api(
        "POST",
        "/organizations",
        Some(json!({"name": "During rotation"})),
    );
    assert_eq!(status, 201);
    let org_rotating = body["id"].as_str().unwrap().to_string();
    let during = recorder.wait_for("organization.created", &org_rotating);
    assert_eq!(during.status, 401, "{during:?}");
    assert!(catalog_row(&data, &org_rotating).is_empty());
    ok("a delivery signed with the new secret is refused by the receiver still holding the old one");

    // Restart with the new output: it works again, and the refused delivery, delivered again,
    // is provisioned.
    receiver.stop();
    let receiver = Receiver::start(&bin, &new_secret, &data, log.clone());
    recorder.forward_to(&receiver.url);
    let (status, answer) = send(&receiver.url, during.signature.as_deref(), &during.body);
    assert_eq!(
        (status, answer["result"].clone()),
        (200, json!("provisioned")),
        "{answer}"
    );
    assert_provisioned_once(&data, &org_rotating);
    let (status, body) = bench.api(
        "POST",
        "/organizations",
        Some(json!({"name": "After rotation"})),
    );
    assert_eq!(status, 201);
    let org_after = body["id"].as_str().unwrap().to_string();
    let d = recorder.wait_for("organization.created", &org_after);
    assert_eq!(
        (d.status, d.answer["result"].clone()),
        (200, json!("provisioned")),
        "{d:?}"
    );
    assert_provisioned_once(&data, &org_after);
    let (status, _) = send(&receiver.url, original.signature.as_deref(), &original.body);
    assert_eq!(
        status, 401,
        "a delivery signed with the old secret must be refused"
    );
    assert_eq!(assert_provisioned_once(&data, &org_api), t_api);
    ok("after a restart with the new `terraform output -raw webhook_secret` the replaced endpoint's deliveries provision tenants; the old secret is refused");

    // 9. The receiver's log never contains a secret.
    receiver.stop();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        text.contains("provisioned"),
        "receiver log looks empty:\n{text}"
    );
    for s in [&old_secret, &new_secret] {
        assert!(
            !text.contains(s.as_str()),
            "the receiver log contains a secret"
        );
    }
    ok("the receiver's log names the events and never contains a secret");

    // 10. The secret comes only from the create response: an imported endpoint has none.
    tf.state_rm(ENDPOINT);
    tf.import(ENDPOINT, &new_id);
    assert!(
        tf.state_resource(ENDPOINT)["secret"].is_null(),
        "an imported endpoint must not have a secret in state"
    );
    ok("an imported endpoint has no secret in state (it is returned only when the endpoint is created)");

    tf.destroy();
    let (_, listed) = bench.api("GET", "/webhook_endpoints", None);
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(0));
    ok("terraform destroy removed the endpoint");
}
