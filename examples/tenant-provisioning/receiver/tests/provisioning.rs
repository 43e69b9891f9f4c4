//! The receiver's behaviour over HTTP (in process), on SQLite and — when a PostgreSQL server
//! can be started here — on PostgreSQL: signature refusals, idempotent provisioning under
//! redelivery and concurrent duplicates, resumption after a partial failure, deletion, unknown
//! events. The same scenario runs on both backends.

use std::path::PathBuf;
use std::process::Command;
use std::str::FromStr;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::{ConnectOptions, Connection};
use tenant_receiver::app::AppState;
use tenant_receiver::config::Storage;
use tenant_receiver::signature::{header_for, Secret, Verifier, DEFAULT_TOLERANCE};
use tenant_receiver::store::{sqlite_tenant_path, Store};
use tower::ServiceExt;

const SECRET: &str = "whsec_integration_test";

struct Harness {
    router: axum::Router,
    state: Arc<AppState>,
}

impl Harness {
    async fn new(storage: &Storage) -> Harness {
        let store = Store::open(storage).await.expect("open store");
        let state = Arc::new(AppState {
            verifier: Verifier::new(vec![Secret::new(SECRET)], DEFAULT_TOLERANCE),
            store,
        });
        Harness {
            router: tenant_receiver::app::router(state.clone()),
            state,
        }
    }

    async fn post(&self, signature: Option<&str>, body: &[u8]) -> (StatusCode, Value) {
        let mut req = Request::post("/webhooks/workos").header("content-type", "application/json");
        if let Some(s) = signature {
            req = req.header("WorkOS-Signature", s);
        }
        let resp = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body.to_vec())).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Posts `body` signed with the right secret now; returns status and `result`/`error`.
    async fn deliver(&self, body: &[u8]) -> (StatusCode, String) {
        let (s, v) = self.post(Some(&signed(body)), body).await;
        let word = v["result"].as_str().or(v["error"].as_str()).unwrap_or("");
        (s, word.to_string())
    }

    async fn row(&self, org: &str) -> Option<tenant_receiver::store::Tenant> {
        let all = self.state.store.tenants().await.unwrap();
        let mut it = all.into_iter().filter(|t| t.organization_id == org);
        let first = it.next();
        assert!(it.next().is_none(), "more than one catalog row for {org}");
        first
    }

    async fn migrations(&self, org: &str) -> Vec<i64> {
        self.state.store.tenant_migrations(org).await.unwrap()
    }
}

fn now() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string()
}

fn signed(body: &[u8]) -> String {
    header_for(SECRET.as_bytes(), &now(), body)
}

fn event(kind: &str, org: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": format!("event_{kind}_{org}"),
        "event": kind,
        "data": {"object": "organization", "id": org, "name": format!("Org {org}")},
        "created_at": "2026-01-01T00:00:00.000Z"
    }))
    .unwrap()
}

/// Makes the tenant's second migration fail: the database exists with a `members` table.
async fn obstruct(storage: &Storage, org: &str) {
    run_on_tenant(storage, org, "CREATE TABLE members (x INTEGER)").await;
}

async fn unobstruct(storage: &Storage, org: &str) {
    run_on_tenant(storage, org, "DROP TABLE members").await;
}

async fn run_on_tenant(storage: &Storage, org: &str, sql: &str) {
    match storage {
        Storage::Sqlite { data_dir } => {
            let mut c = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(sqlite_tenant_path(data_dir, org))
                .create_if_missing(true)
                .connect()
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
        Storage::Postgres { url } => {
            let db = format!("tenant_{}", org.to_ascii_lowercase());
            let mut admin = sqlx::postgres::PgConnectOptions::from_str(url)
                .unwrap()
                .connect()
                .await
                .unwrap();
            let _ = sqlx::query(&format!("CREATE DATABASE \"{db}\""))
                .execute(&mut admin)
                .await;
            admin.close().await.unwrap();
            let mut c = sqlx::postgres::PgConnectOptions::from_str(url)
                .unwrap()
                .database(&db)
                .connect()
                .await
                .unwrap();
            sqlx::query(sql).execute(&mut c).await.unwrap();
            c.close().await.unwrap();
        }
    }
}

async fn scenario(storage: Storage) {
    let h = Harness::new(&storage).await;
    let backend = match &storage {
        Storage::Sqlite { .. } => "sqlite",
        Storage::Postgres { .. } => "postgres",
    };
    let ok = |what: &str| println!("ok - [{backend}] {what}");

    // Refusals: nothing is done without a valid signature.
    let body = event("organization.created", "org_A");
    assert_eq!(h.post(None, &body).await.0, StatusCode::UNAUTHORIZED);
    let wrong = header_for(b"another secret", &now(), &body);
    assert_eq!(
        h.post(Some(&wrong), &body).await.0,
        StatusCode::UNAUTHORIZED
    );
    let old = header_for(SECRET.as_bytes(), "1000000000", &body);
    assert_eq!(h.post(Some(&old), &body).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        h.post(Some("t=1,v2=00"), &body).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert!(h.state.store.tenants().await.unwrap().is_empty());
    assert!(h.migrations("org_A").await.is_empty());
    ok("missing, wrong, expired and malformed signatures: 401, nothing provisioned");

    // A signed body that is not an event: 400.
    assert_eq!(h.deliver(b"not json").await.0, StatusCode::BAD_REQUEST);
    let bad_id = event("organization.created", "../../etc/passwd");
    assert_eq!(h.deliver(&bad_id).await.0, StatusCode::BAD_REQUEST);
    assert!(h.state.store.tenants().await.unwrap().is_empty());
    ok("signed bodies that are not events, or name an unusable organization id: 400");

    // First delivery provisions; a redelivery does nothing.
    assert_eq!(
        h.deliver(&body).await,
        (StatusCode::OK, "provisioned".into())
    );
    let row = h.row("org_A").await.expect("catalog row");
    assert_eq!(
        (row.status.as_str(), row.name.as_str()),
        ("active", "Org org_A")
    );
    assert!(row.provisioned_at.is_some());
    assert_eq!(h.migrations("org_A").await, vec![1, 2]);
    let header = signed(&body);
    for _ in 0..2 {
        assert_eq!(
            h.post(Some(&header), &body).await,
            (StatusCode::OK, json!({"result": "already_provisioned"}))
        );
    }
    assert_eq!(h.row("org_A").await.unwrap(), row);
    assert_eq!(h.migrations("org_A").await, vec![1, 2]);
    ok("organization.created provisions once; redeliveries answer already_provisioned and change nothing");

    // Concurrent duplicates: exactly one provisions.
    let body_b = event("organization.created", "org_B");
    let results = futures_join(&h, &body_b, 8).await;
    let provisioned = results.iter().filter(|r| r.1 == "provisioned").count();
    let already = results
        .iter()
        .filter(|r| r.1 == "already_provisioned")
        .count();
    assert!(results.iter().all(|r| r.0 == StatusCode::OK), "{results:?}");
    assert_eq!((provisioned, already), (1, 7), "{results:?}");
    assert_eq!(h.row("org_B").await.unwrap().status, "active");
    assert_eq!(h.migrations("org_B").await, vec![1, 2]);
    ok("8 concurrent duplicate deliveries: one provisioned, seven already_provisioned, one row");

    // A partial failure answers 5xx and the redelivery completes the work.
    obstruct(&storage, "org_C").await;
    let body_c = event("organization.created", "org_C");
    let (status, _) = h.deliver(&body_c).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h.row("org_C").await.unwrap().status, "provisioning");
    assert_eq!(
        h.migrations("org_C").await,
        vec![1],
        "migration 1 applied, 2 failed"
    );
    let (status, _) = h.deliver(&body_c).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "still obstructed");
    unobstruct(&storage, "org_C").await;
    assert_eq!(
        h.deliver(&body_c).await,
        (StatusCode::OK, "provisioned".into())
    );
    assert_eq!(h.row("org_C").await.unwrap().status, "active");
    assert_eq!(h.migrations("org_C").await, vec![1, 2]);
    assert_eq!(
        h.deliver(&body_c).await,
        (StatusCode::OK, "already_provisioned".into())
    );
    ok("a failing migration answers 503 and leaves the tenant provisioning; the redelivery after the fix completes it");

    // Unknown event types are acknowledged.
    let other = serde_json::to_vec(
        &json!({"id": "event_u", "event": "user.created", "data": {"id": "user_1"}}),
    )
    .unwrap();
    assert_eq!(h.deliver(&other).await, (StatusCode::OK, "ignored".into()));
    let n = h.state.store.tenants().await.unwrap().len();
    assert_eq!(n, 3);
    ok("unknown event types: 200 ignored, nothing stored");

    // Deletion marks, never drops; a late created does not resurrect.
    let del_a = event("organization.deleted", "org_A");
    assert_eq!(
        h.deliver(&del_a).await,
        (StatusCode::OK, "marked_deleted".into())
    );
    assert_eq!(
        h.deliver(&del_a).await,
        (StatusCode::OK, "already_deleted".into())
    );
    let row = h.row("org_A").await.unwrap();
    assert_eq!(row.status, "deleted");
    assert!(row.deleted_at.is_some());
    assert_eq!(h.migrations("org_A").await, vec![1, 2], "data kept");
    assert_eq!(
        h.deliver(&body).await,
        (StatusCode::OK, "already_deleted".into())
    );
    assert_eq!(h.row("org_A").await.unwrap().status, "deleted");
    ok("organization.deleted marks the tenant deleted (idempotently) and keeps its database");

    // Out of order: deleted before created.
    let del_d = event("organization.deleted", "org_D");
    assert_eq!(
        h.deliver(&del_d).await,
        (StatusCode::OK, "recorded_deleted".into())
    );
    let created_d = event("organization.created", "org_D");
    assert_eq!(
        h.deliver(&created_d).await,
        (StatusCode::OK, "already_deleted".into())
    );
    assert!(
        h.migrations("org_D").await.is_empty(),
        "no database for org_D"
    );
    ok("organization.deleted before organization.created: recorded, and the late created provisions nothing");

    // Reopening the store (a restart) keeps everything.
    let before = h.state.store.tenants().await.unwrap();
    h.state.store.close().await;
    let h2 = Harness::new(&storage).await;
    assert_eq!(h2.state.store.tenants().await.unwrap(), before);
    assert_eq!(
        h2.deliver(&body_b).await,
        (StatusCode::OK, "already_provisioned".into())
    );
    h2.state.store.close().await;
    ok("after a restart the catalog is intact and redeliveries still do nothing");
}

async fn futures_join(h: &Harness, body: &[u8], n: usize) -> Vec<(StatusCode, String)> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let router = h.router.clone();
        let body = body.to_vec();
        set.spawn(async move {
            let req = Request::post("/webhooks/workos")
                .header("WorkOS-Signature", signed(&body))
                .body(Body::from(body))
                .unwrap();
            let resp = router.oneshot(req).await.unwrap();
            let status = resp.status();
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            (status, v["result"].as_str().unwrap_or("").to_string())
        });
    }
    set.join_all().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backend() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    scenario(Storage::Sqlite {
        data_dir: data_dir.clone(),
    })
    .await;
    // One file per provisioned tenant (org_D never got one).
    let mut files: Vec<String> = std::fs::read_dir(data_dir.join("tenants"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".db"))
        .collect();
    files.sort();
    assert_eq!(files, ["org_A.db", "org_B.db", "org_C.db"]);
    assert!(data_dir.join("catalog.db").is_file());
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a throwaway cluster on a loopback port, when the server binaries are here.

struct Postgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    as_user: Option<String>,
    port: u16,
}

impl Postgres {
    fn find_bin() -> Option<PathBuf> {
        let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        if let Ok(rd) = std::fs::read_dir("/usr/lib/postgresql") {
            let mut versions: Vec<PathBuf> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect();
            versions.sort();
            candidates.extend(versions.into_iter().rev());
        }
        candidates
            .into_iter()
            .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
    }

    /// Starts a cluster, or says why it cannot.
    fn start() -> Result<Postgres, String> {
        let bin = Self::find_bin().ok_or(
            "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin; install the Debian `postgresql` package",
        )?;
        let dir = tempfile::Builder::new()
            .prefix("tenant-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        // initdb refuses to run as root: run the server as the `postgres` user then.
        let is_root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout.starts_with(b"0\n"))
            .unwrap_or(false);
        let as_user = if is_root {
            let uid = Command::new("id")
                .args(["-u", "postgres"])
                .output()
                .map_err(|e| e.to_string())?;
            if !uid.status.success() {
                return Err(
                    "running as root and there is no `postgres` user to run the server as".into(),
                );
            }
            let uid: u32 = String::from_utf8_lossy(&uid.stdout)
                .trim()
                .parse()
                .map_err(|_| "bad uid")?;
            std::os::unix::fs::chown(dir.path(), Some(uid), None).map_err(|e| e.to_string())?;
            Some("postgres".to_string())
        } else {
            None
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| e.to_string())?;
        let pg = Postgres {
            bin,
            dir,
            as_user,
            port,
        };
        let data = pg.dir.path().join("data");
        let data = data.to_str().unwrap();
        pg.run(
            "initdb",
            &[
                "-D",
                data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        )?;
        let opts = format!(
            "-p {} -k {} -h 127.0.0.1 -c fsync=off",
            pg.port,
            pg.dir.path().display()
        );
        let log = pg.dir.path().join("server.log");
        pg.run(
            "pg_ctl",
            &[
                "-D",
                data,
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        )?;
        Ok(pg)
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let exe = self.bin.join(tool);
        let mut cmd = match &self.as_user {
            Some(u) => {
                let mut c = Command::new("runuser");
                c.args(["-u", u, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let out = cmd
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .map_err(|e| format!("{tool}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backend() {
    let pg = match Postgres::start() {
        Ok(pg) => pg,
        Err(why) => {
            if std::env::var_os("TENANT_RECEIVER_REQUIRE_POSTGRES").is_some() {
                panic!(
                    "TENANT_RECEIVER_REQUIRE_POSTGRES is set but PostgreSQL cannot start: {why}"
                );
            }
            println!("skipped: the PostgreSQL backend is not tested here: {why}");
            return;
        }
    };
    let mut admin = sqlx::postgres::PgConnectOptions::from_str(&pg.url("postgres"))
        .unwrap()
        .connect()
        .await
        .expect("connect to the test cluster");
    sqlx::query("CREATE DATABASE catalog")
        .execute(&mut admin)
        .await
        .unwrap();
    scenario(Storage::Postgres {
        url: pg.url("catalog"),
    })
    .await;
    // One database per provisioned tenant, next to the catalog.
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE datname LIKE 'tenant\\_%' ORDER BY datname",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert_eq!(names, ["tenant_org_a", "tenant_org_b", "tenant_org_c"]);
    admin.close().await.unwrap();
}
