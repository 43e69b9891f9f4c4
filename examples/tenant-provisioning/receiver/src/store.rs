//! The tenants catalog and the tenant databases.
//!
//! The catalog has one row per organization, keyed by the organization id, with a status:
//! `provisioning` (row written, database not ready yet), `active`, or `deleted`. Provisioning
//! is idempotent and resumable:
//!
//! 1. `INSERT … ON CONFLICT DO NOTHING` the row: a redelivery or a concurrent duplicate finds
//!    the existing row and inserts nothing;
//! 2. an `active` or `deleted` row means there is nothing to do;
//! 3. otherwise create the tenant's database if it does not exist and apply the pending
//!    migrations (sqlx records applied ones in `_sqlx_migrations`), then mark the row `active`.
//!
//! A failure at step 3 leaves the row `provisioning` and is reported to the caller (the webhook
//! answers 5xx so WorkOS redelivers); the next delivery resumes at step 3. Within one process
//! a lock per organization serializes concurrent deliveries; on PostgreSQL, database creation
//! tolerates a concurrent creator and sqlx takes an advisory lock while migrating, so several
//! receiver processes can share one server.
//!
//! Deleting an organization marks its row `deleted` and keeps the database: nothing here ever
//! drops tenant data.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool};
use sqlx::{ConnectOptions, Connection, Row};

use crate::config::Storage;

/// Migrations of the catalog database.
const CATALOG_MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "tenants",
    include_str!("../migrations/catalog/0001_tenants.sql"),
)];

/// Migrations applied to every tenant database.
pub const TENANT_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "projects",
        include_str!("../migrations/tenant/0001_projects.sql"),
    ),
    (
        2,
        "members",
        include_str!("../migrations/tenant/0002_members.sql"),
    ),
];

/// `futures_core::future::BoxFuture` spelled out: what `MigrationSource::resolve` returns.
type MigrationFuture<'s> = std::pin::Pin<
    Box<
        dyn std::future::Future<Output = Result<Vec<Migration>, sqlx::error::BoxDynError>>
            + Send
            + 's,
    >,
>;

/// Migrations compiled into the binary (the receiver needs no migrations directory at run time).
#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(self) -> MigrationFuture<'s> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

async fn migrator(set: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    Migrator::new(Embedded(set))
        .await
        .expect("embedded migrations resolve")
}

#[derive(Debug)]
pub enum StoreError {
    /// The organization id cannot name a database.
    InvalidOrganizationId(String),
    Database(sqlx::Error),
    Migrate(sqlx::migrate::MigrateError),
    Io(std::io::Error),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::InvalidOrganizationId(id) => {
                write!(f, "organization id {id:?} is not [A-Za-z0-9_-]{{1,64}}")
            }
            StoreError::Database(e) => write!(f, "database: {e}"),
            StoreError::Migrate(e) => write!(f, "migrations: {e}"),
            StoreError::Io(e) => write!(f, "filesystem: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}
impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(e)
    }
}
impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(e)
    }
}

/// What `organization_created` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// The database was created and migrated now (first delivery, or a redelivery completing
    /// an earlier partial attempt).
    Provisioned,
    /// The tenant was already active: nothing done.
    AlreadyProvisioned,
    /// The organization was already deleted: nothing done.
    AlreadyDeleted,
}

/// What `organization_deleted` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// The tenant is now marked deleted (its data is kept).
    MarkedDeleted,
    /// It already was: nothing done.
    AlreadyDeleted,
    /// No tenant existed: a `deleted` row is recorded so a late `organization.created`
    /// provisions nothing.
    RecordedUnknown,
}

/// One catalog row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub organization_id: String,
    pub name: String,
    pub database_name: String,
    pub status: String,
    pub created_at: i64,
    pub provisioned_at: Option<i64>,
    pub deleted_at: Option<i64>,
}

enum Catalog {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same statement on whichever pool the catalog uses (the SQL is written once, with
/// `$n` placeholders, which both SQLite and PostgreSQL accept).
macro_rules! on_catalog {
    ($catalog:expr, |$pool:ident| $body:expr) => {
        match $catalog {
            Catalog::Sqlite($pool) => $body,
            Catalog::Postgres($pool) => $body,
        }
    };
}

pub struct Store {
    catalog: Catalog,
    storage: Storage,
    /// One lock per organization being provisioned in this process.
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn check_org_id(id: &str) -> Result<(), StoreError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidOrganizationId(id.to_string()))
    }
}

/// The tenant database's name: the file name under `tenants/` (SQLite) or the database name on
/// the server (PostgreSQL: lower case, at most 63 bytes).
fn database_name(storage: &Storage, org_id: &str) -> String {
    match storage {
        Storage::Sqlite { .. } => format!("{org_id}.db"),
        Storage::Postgres { .. } => {
            let mut n = format!("tenant_{}", org_id.to_ascii_lowercase().replace('-', "_"));
            n.truncate(63);
            n
        }
    }
}

/// The SQLite file of a tenant.
pub fn sqlite_tenant_path(data_dir: &Path, org_id: &str) -> PathBuf {
    data_dir.join("tenants").join(format!("{org_id}.db"))
}

impl Store {
    /// Opens (and migrates) the catalog.
    pub async fn open(storage: &Storage) -> Result<Store, StoreError> {
        let catalog = match storage {
            Storage::Sqlite { data_dir } => {
                std::fs::create_dir_all(data_dir.join("tenants"))?;
                let opts = SqliteConnectOptions::new()
                    .filename(data_dir.join("catalog.db"))
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(10));
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(opts)
                    .await?;
                migrator(CATALOG_MIGRATIONS).await.run(&pool).await?;
                Catalog::Sqlite(pool)
            }
            Storage::Postgres { url } => {
                let pool = PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                migrator(CATALOG_MIGRATIONS).await.run(&pool).await?;
                Catalog::Postgres(pool)
            }
        };
        Ok(Store {
            catalog,
            storage: storage.clone(),
            locks: Mutex::new(HashMap::new()),
        })
    }

    /// Handles `organization.created`: see the module documentation.
    pub async fn organization_created(
        &self,
        org_id: &str,
        name: &str,
    ) -> Result<Created, StoreError> {
        check_org_id(org_id)?;
        self.serialized(org_id, self.provision_locked(org_id, name))
            .await
    }

    async fn provision_locked(&self, org_id: &str, name: &str) -> Result<Created, StoreError> {
        let db = database_name(&self.storage, org_id);
        let t = now();
        on_catalog!(&self.catalog, |pool| {
            sqlx::query(
                "INSERT INTO tenants (organization_id, name, database_name, status, created_at) \
                 VALUES ($1, $2, $3, 'provisioning', $4) ON CONFLICT (organization_id) DO NOTHING",
            )
            .bind(org_id)
            .bind(name)
            .bind(&db)
            .bind(t)
            .execute(pool)
            .await?
            .rows_affected()
        });
        let status: String = on_catalog!(&self.catalog, |pool| {
            sqlx::query_scalar("SELECT status FROM tenants WHERE organization_id = $1")
                .bind(org_id)
                .fetch_one(pool)
                .await?
        });
        match status.as_str() {
            "active" => return Ok(Created::AlreadyProvisioned),
            "deleted" => return Ok(Created::AlreadyDeleted),
            _ => {}
        }
        self.create_and_migrate(org_id, &db).await?;
        on_catalog!(&self.catalog, |pool| {
            sqlx::query(
                "UPDATE tenants SET status = 'active', provisioned_at = $2 \
                 WHERE organization_id = $1 AND status = 'provisioning'",
            )
            .bind(org_id)
            .bind(now())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(Created::Provisioned)
    }

    /// Creates the tenant database when missing and applies pending migrations.
    async fn create_and_migrate(&self, org_id: &str, db: &str) -> Result<(), StoreError> {
        let tenant = migrator(TENANT_MIGRATIONS).await;
        match &self.storage {
            Storage::Sqlite { data_dir } => {
                let opts = SqliteConnectOptions::new()
                    .filename(sqlite_tenant_path(data_dir, org_id))
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(10));
                // A one-connection pool: `Migrator::run` on a pool keeps the future `Send`.
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(opts)
                    .await?;
                let r = tenant.run(&pool).await;
                pool.close().await;
                r?;
            }
            Storage::Postgres { url } => {
                let Catalog::Postgres(pool) = &self.catalog else {
                    unreachable!("PostgreSQL storage has a PostgreSQL catalog")
                };
                let exists: Option<i32> =
                    sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                        .bind(db)
                        .fetch_optional(pool)
                        .await?;
                if exists.is_none() {
                    // The name is built from [a-z0-9_] only (see `database_name`), so quoting
                    // it as an identifier is safe; CREATE DATABASE takes no bind parameters.
                    let create = format!("CREATE DATABASE \"{db}\"");
                    if let Err(e) = sqlx::query(&create).execute(pool).await {
                        // A concurrent creator won: 42P04 duplicate_database, or 23505 from
                        // the catalog's unique index when both ran at once.
                        let code = e
                            .as_database_error()
                            .and_then(|d| d.code())
                            .map(|c| c.into_owned());
                        if !matches!(code.as_deref(), Some("42P04") | Some("23505")) {
                            return Err(e.into());
                        }
                    }
                }
                let opts = PgConnectOptions::from_str(url)?.database(db);
                let pool = PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(opts)
                    .await?;
                let r = tenant.run(&pool).await;
                pool.close().await;
                r?;
            }
        }
        Ok(())
    }

    /// Handles `organization.deleted`: marks the tenant deleted, keeps its data.
    pub async fn organization_deleted(
        &self,
        org_id: &str,
        name: &str,
    ) -> Result<Deleted, StoreError> {
        check_org_id(org_id)?;
        self.serialized(org_id, self.delete_locked(org_id, name))
            .await
    }

    async fn delete_locked(&self, org_id: &str, name: &str) -> Result<Deleted, StoreError> {
        let t = now();
        let db = database_name(&self.storage, org_id);
        let inserted = on_catalog!(&self.catalog, |pool| {
            sqlx::query(
                "INSERT INTO tenants (organization_id, name, database_name, status, created_at, deleted_at) \
                 VALUES ($1, $2, $3, 'deleted', $4, $4) ON CONFLICT (organization_id) DO NOTHING",
            )
            .bind(org_id)
            .bind(name)
            .bind(&db)
            .bind(t)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if inserted == 1 {
            return Ok(Deleted::RecordedUnknown);
        }
        let updated = on_catalog!(&self.catalog, |pool| {
            sqlx::query(
                "UPDATE tenants SET status = 'deleted', deleted_at = $2 \
                 WHERE organization_id = $1 AND status <> 'deleted'",
            )
            .bind(org_id)
            .bind(t)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(if updated == 1 {
            Deleted::MarkedDeleted
        } else {
            Deleted::AlreadyDeleted
        })
    }

    /// Every catalog row, ordered by organization id.
    pub async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        const SQL: &str = "SELECT organization_id, name, database_name, status, created_at, \
                           provisioned_at, deleted_at FROM tenants ORDER BY organization_id";
        let rows = on_catalog!(&self.catalog, |pool| {
            sqlx::query(SQL)
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| {
                    Ok(Tenant {
                        organization_id: r.try_get(0)?,
                        name: r.try_get(1)?,
                        database_name: r.try_get(2)?,
                        status: r.try_get(3)?,
                        created_at: r.try_get(4)?,
                        provisioned_at: r.try_get(5)?,
                        deleted_at: r.try_get(6)?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }

    /// The versions of the migrations applied to a tenant's database (empty when it has none).
    pub async fn tenant_migrations(&self, org_id: &str) -> Result<Vec<i64>, StoreError> {
        check_org_id(org_id)?;
        const SQL: &str = "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version";
        match &self.storage {
            Storage::Sqlite { data_dir } => {
                let path = sqlite_tenant_path(data_dir, org_id);
                if !path.exists() {
                    return Ok(vec![]);
                }
                let mut conn = SqliteConnectOptions::new()
                    .filename(path)
                    .read_only(true)
                    .connect()
                    .await?;
                let v = sqlx::query_scalar(SQL).fetch_all(&mut conn).await;
                conn.close().await?;
                Ok(v.unwrap_or_default())
            }
            Storage::Postgres { url } => {
                let db = database_name(&self.storage, org_id);
                let opts = PgConnectOptions::from_str(url)?.database(&db);
                let Ok(mut conn) = opts.connect().await else {
                    return Ok(vec![]);
                };
                let v = sqlx::query_scalar(SQL).fetch_all(&mut conn).await;
                conn.close().await?;
                Ok(v.unwrap_or_default())
            }
        }
    }

    fn lock_for(&self, org_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.locks
            .lock()
            .expect("lock map")
            .entry(org_id.to_string())
            .or_default()
            .clone()
    }

    /// Runs `work` holding the organization's lock, so deliveries for one organization
    /// (redeliveries, concurrent duplicates) take effect one after the other.
    async fn serialized<T>(&self, org_id: &str, work: impl std::future::Future<Output = T>) -> T {
        let lock = self.lock_for(org_id);
        let result = {
            let _guard = lock.lock().await;
            work.await
        };
        drop(lock);
        self.release_lock(org_id);
        result
    }

    /// Forgets the organization's lock once nobody else holds or waits for it.
    fn release_lock(&self, org_id: &str) {
        let mut map = self.locks.lock().expect("lock map");
        if map.get(org_id).is_some_and(|l| Arc::strong_count(l) == 1) {
            map.remove(org_id);
        }
    }

    pub async fn close(&self) {
        on_catalog!(&self.catalog, |pool| pool.close().await)
    }
}
