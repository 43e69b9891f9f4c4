//! Configuration from the environment. Nothing here ever prints a secret.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `WORKOS_WEBHOOK_SECRET` | the endpoint's signing secret | — |
//! | `WORKOS_WEBHOOK_SECRET_FILE` | a file holding the secret (one per line: several during a rotation) | — |
//! | `LISTEN_ADDR` | address to listen on | `127.0.0.1:8080` |
//! | `WEBHOOK_TOLERANCE_SECS` | accepted signature age, either side of now | `300` |
//! | `DATABASE_URL` | a `postgres://` URL: catalog and tenant databases on that server | — (SQLite) |
//! | `DATA_DIR` | SQLite: directory of `catalog.db` and `tenants/<organization id>.db` | `./tenant-data` |
//!
//! Exactly one of the two secret variables must be set.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::signature::{Secret, DEFAULT_TOLERANCE};

/// Where the catalog and the tenant databases live.
#[derive(Clone)]
pub enum Storage {
    /// A catalog file and one database file per tenant under a directory.
    Sqlite { data_dir: PathBuf },
    /// A catalog database on a PostgreSQL server, and one database per tenant on it.
    Postgres { url: String },
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Storage::Sqlite { data_dir } => write!(f, "SQLite in {}", data_dir.display()),
            Storage::Postgres { url } => write!(f, "PostgreSQL at {}", redact_url(url)),
        }
    }
}

/// The URL with any password replaced by `***` (for logs).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<unparsable URL>".into();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let masked = if userinfo.contains(':') { ":***" } else { "" };
            // A password may also be a query parameter.
            let tail = match tail.find("password=") {
                Some(_) => tail.split('?').next().unwrap_or("").to_string() + "?<redacted>",
                None => tail.to_string(),
            };
            format!("{scheme}://{user}{masked}@{host}{tail}")
        }
        None if tail.contains("password=") => {
            format!(
                "{scheme}://{authority}{}?<redacted>",
                tail.split('?').next().unwrap_or("")
            )
        }
        None => url.to_string(),
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub secrets: Vec<Secret>,
    pub tolerance: Duration,
    pub storage: Storage,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads the configuration through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let get = |k: &str| get(k).filter(|v| !v.is_empty());
        let secrets = match (
            get("WORKOS_WEBHOOK_SECRET"),
            get("WORKOS_WEBHOOK_SECRET_FILE"),
        ) {
            (Some(_), Some(_)) => {
                return Err(
                    "set only one of WORKOS_WEBHOOK_SECRET and WORKOS_WEBHOOK_SECRET_FILE".into(),
                )
            }
            (None, None) => {
                return Err(
                    "no webhook secret: set WORKOS_WEBHOOK_SECRET or WORKOS_WEBHOOK_SECRET_FILE"
                        .into(),
                )
            }
            (Some(s), None) => vec![Secret::new(s.trim().as_bytes())],
            (None, Some(path)) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read WORKOS_WEBHOOK_SECRET_FILE {path}: {e}"))?;
                let secrets: Vec<Secret> = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| Secret::new(l.as_bytes()))
                    .collect();
                if secrets.is_empty() {
                    return Err(format!("WORKOS_WEBHOOK_SECRET_FILE {path} holds no secret"));
                }
                secrets
            }
        };
        let listen = get("LISTEN_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e| format!("LISTEN_ADDR: {e}"))?;
        let tolerance = match get("WEBHOOK_TOLERANCE_SECS") {
            None => DEFAULT_TOLERANCE,
            Some(s) => Duration::from_secs(s.parse().map_err(|_| {
                format!("WEBHOOK_TOLERANCE_SECS is not a number of seconds: {s:?}")
            })?),
        };
        let storage = match get("DATABASE_URL") {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Storage::Postgres { url }
            }
            Some(_) => return Err("DATABASE_URL must be a postgres:// URL".into()),
            None => Storage::Sqlite {
                data_dir: PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "tenant-data".into())),
            },
        };
        Ok(Config {
            listen,
            secrets,
            tolerance,
            storage,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let c = cfg(&[("WORKOS_WEBHOOK_SECRET", "s3cr3t")]).unwrap();
        assert_eq!(c.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(c.tolerance, Duration::from_secs(300));
        assert!(
            matches!(c.storage, Storage::Sqlite { ref data_dir } if data_dir == &PathBuf::from("tenant-data"))
        );
        assert_eq!(c.secrets.len(), 1);
    }

    #[test]
    fn a_secret_is_required_and_never_shown() {
        let e = cfg(&[]).unwrap_err();
        assert!(e.contains("WORKOS_WEBHOOK_SECRET"), "{e}");
        let c = cfg(&[("WORKOS_WEBHOOK_SECRET", "s3cr3t-value")]).unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t-value"));
        let e = cfg(&[
            ("WORKOS_WEBHOOK_SECRET", "a"),
            ("WORKOS_WEBHOOK_SECRET_FILE", "/nonexistent"),
        ])
        .unwrap_err();
        assert!(e.contains("only one"), "{e}");
    }

    #[test]
    fn secret_file_holds_one_secret_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secret");
        std::fs::write(&p, "new-secret\n\n  old-secret  \n").unwrap();
        let c = cfg(&[("WORKOS_WEBHOOK_SECRET_FILE", p.to_str().unwrap())]).unwrap();
        assert_eq!(c.secrets.len(), 2);
        std::fs::write(&p, "\n \n").unwrap();
        let e = cfg(&[("WORKOS_WEBHOOK_SECRET_FILE", p.to_str().unwrap())]).unwrap_err();
        assert!(e.contains("holds no secret"), "{e}");
    }

    #[test]
    fn database_passwords_are_redacted() {
        let s = Storage::Postgres {
            url: "postgres://app:hunter2@db.internal:5432/catalog".into(),
        };
        assert_eq!(
            format!("{s:?}"),
            "PostgreSQL at postgres://app:***@db.internal:5432/catalog"
        );
        assert_eq!(
            redact_url("postgres://db/catalog?user=a&password=hunter2"),
            "postgres://db/catalog?<redacted>"
        );
        assert_eq!(redact_url("postgres://u@h/c"), "postgres://u@h/c");
    }

    #[test]
    fn tolerance_storage_and_address_are_read() {
        let c = cfg(&[
            ("WORKOS_WEBHOOK_SECRET", "s"),
            ("WEBHOOK_TOLERANCE_SECS", "60"),
            ("DATABASE_URL", "postgres://u@127.0.0.1:5432/catalog"),
            ("LISTEN_ADDR", "127.0.0.1:0"),
        ])
        .unwrap();
        assert_eq!(c.tolerance, Duration::from_secs(60));
        assert!(matches!(c.storage, Storage::Postgres { .. }));
        assert_eq!(c.listen.port(), 0);
        assert!(cfg(&[
            ("WORKOS_WEBHOOK_SECRET", "s"),
            ("WEBHOOK_TOLERANCE_SECS", "5m")
        ])
        .is_err());
        assert!(cfg(&[
            ("WORKOS_WEBHOOK_SECRET", "s"),
            ("DATABASE_URL", "mysql://x")
        ])
        .is_err());
    }
}
