//! A tiny logger writing hclog-style JSON lines to stderr, the format Terraform understands:
//! `{"@level":"debug","@message":"...","@module":"provider","@timestamp":"..."}`.
//!
//! The level comes from `TF_LOG_PROVIDER`, else `TF_LOG` (TRACE, DEBUG, INFO, WARN, ERROR, OFF;
//! `JSON` means TRACE); without either only warnings and errors are written.
//! Never pass secrets (API keys, tokens, request bodies carrying them) to these functions.

use std::io::Write;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    /// Nothing is logged.
    Off,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Off => "off",
        }
    }

    /// Parse a `TF_LOG`-style level name.
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "TRACE" | "JSON" => Level::Trace,
            "DEBUG" => Level::Debug,
            "INFO" => Level::Info,
            "WARN" => Level::Warn,
            "ERROR" => Level::Error,
            "OFF" => Level::Off,
            _ => return None,
        })
    }
}

static THRESHOLD: OnceLock<Level> = OnceLock::new();

fn threshold() -> Level {
    *THRESHOLD.get_or_init(|| {
        let from = |var: &str| std::env::var(var).ok().filter(|v| !v.trim().is_empty());
        match from("TF_LOG_PROVIDER").or_else(|| from("TF_LOG")) {
            // An unrecognised non-empty value turns logging on, as Terraform does (TRACE).
            Some(v) => Level::parse(&v).unwrap_or(Level::Trace),
            None => Level::Warn,
        }
    })
}

/// Whether a message at `level` would be written (to skip building expensive messages).
pub fn enabled(level: Level) -> bool {
    level != Level::Off && level >= threshold()
}

/// Write one log line at `level` from the `provider` module.
pub fn log(level: Level, message: impl AsRef<str>) {
    log_module(level, "provider", message);
}

/// Write one log line at `level`, naming the module (e.g. `"provider.transport"`).
pub fn log_module(level: Level, module: &str, message: impl AsRef<str>) {
    if !enabled(level) {
        return;
    }
    let mut line = serde_json::Map::new();
    line.insert("@level".into(), level.name().into());
    line.insert("@message".into(), message.as_ref().into());
    line.insert("@module".into(), module.into());
    line.insert("@timestamp".into(), timestamp(SystemTime::now()).into());
    let mut text = serde_json::Value::Object(line).to_string();
    text.push('\n');
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

pub fn trace(message: impl AsRef<str>) {
    log(Level::Trace, message);
}
pub fn debug(message: impl AsRef<str>) {
    log(Level::Debug, message);
}
pub fn info(message: impl AsRef<str>) {
    log(Level::Info, message);
}
pub fn warn(message: impl AsRef<str>) {
    log(Level::Warn, message);
}
pub fn error(message: impl AsRef<str>) {
    log(Level::Error, message);
}

/// RFC 3339 UTC timestamp with microseconds, as hclog writes it.
fn timestamp(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, day) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        d.subsec_micros()
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_rfc3339() {
        let t = UNIX_EPOCH + Duration::from_micros(1_795_446_233_123_456);
        assert_eq!(timestamp(t), "2026-11-23T15:03:53.123456Z");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn levels_parse() {
        assert_eq!(Level::parse("debug"), Some(Level::Debug));
        assert_eq!(Level::parse("JSON"), Some(Level::Trace));
        assert_eq!(Level::parse("nope"), None);
        assert!(Level::Error > Level::Warn);
    }
}
