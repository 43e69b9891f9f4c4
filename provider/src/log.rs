//! A tiny logger writing hclog-style JSON lines to stderr, the format Terraform understands:
//! `{"@level":"debug","@message":"...","@module":"provider","@timestamp":"..."}`.
//!
//! The level comes from `TF_LOG_PROVIDER`, else `TF_LOG` (TRACE, DEBUG, INFO, WARN, ERROR, OFF;
//! `JSON` means TRACE); without either only warnings and errors are written.
//! The transport logs every request and response through a [`Logger`] of the
//! `provider.transport` module (request lines at DEBUG, redacted
//! bodies at TRACE).
//! Never pass secrets (API keys, tokens, request bodies carrying them) to these functions.

use std::fmt;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
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

/// The level set for this process by `TF_LOG_PROVIDER`, else `TF_LOG`.
pub fn threshold() -> Level {
    *THRESHOLD.get_or_init(|| {
        let from = |var: &str| std::env::var(var).ok().filter(|v| !v.trim().is_empty());
        match from("TF_LOG_PROVIDER").or_else(|| from("TF_LOG")) {
            // An unrecognised non-empty value turns logging on, as Terraform does (TRACE).
            Some(v) => Level::parse(&v).unwrap_or(Level::Trace),
            None => Level::Warn,
        }
    })
}

/// The module name of the provider's own lines.
pub const PROVIDER: &str = "provider";
/// The module name of the HTTP client's lines.
pub const TRANSPORT: &str = "provider.transport";

/// Where a logger writes its lines.
#[derive(Clone)]
enum Sink {
    Stderr,
    Memory(Arc<Mutex<Vec<String>>>),
}

/// Writes hclog JSON lines for one module at or above a threshold. Cheap to clone; every layer
/// logs through one of these (or the free functions below, which use the `provider` module).
#[derive(Clone)]
pub struct Logger {
    module: &'static str,
    threshold: Level,
    sink: Sink,
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger")
            .field("module", &self.module)
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

impl Default for Logger {
    fn default() -> Self {
        Logger::new(PROVIDER)
    }
}

/// The lines a [`Logger::capture`] logger wrote.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<String>>>);

impl Captured {
    /// Every line written so far, one JSON object each.
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Logger {
    /// A logger writing to stderr at the level Terraform asked for.
    pub fn new(module: &'static str) -> Logger {
        Logger {
            module,
            threshold: threshold(),
            sink: Sink::Stderr,
        }
    }

    /// A logger keeping its lines in memory (for tests of what a layer logs).
    pub fn capture(module: &'static str, threshold: Level) -> (Logger, Captured) {
        let captured = Captured::default();
        let logger = Logger {
            module,
            threshold,
            sink: Sink::Memory(captured.0.clone()),
        };
        (logger, captured)
    }

    /// Whether a message at `level` would be written (to skip building expensive messages).
    pub fn enabled(&self, level: Level) -> bool {
        level != Level::Off && level >= self.threshold
    }

    /// Write one line at `level`.
    pub fn log(&self, level: Level, message: impl AsRef<str>) {
        if !self.enabled(level) {
            return;
        }
        let line = hclog_line(level, self.module, message.as_ref(), SystemTime::now());
        match &self.sink {
            Sink::Stderr => {
                let mut err = std::io::stderr().lock();
                let _ = err.write_all(line.as_bytes());
                let _ = err.flush();
            }
            Sink::Memory(lines) => {
                if let Ok(mut lines) = lines.lock() {
                    lines.push(line.trim_end().to_string());
                }
            }
        }
    }

    pub fn trace(&self, message: impl AsRef<str>) {
        self.log(Level::Trace, message);
    }
    pub fn debug(&self, message: impl AsRef<str>) {
        self.log(Level::Debug, message);
    }
    pub fn info(&self, message: impl AsRef<str>) {
        self.log(Level::Info, message);
    }
    pub fn warn(&self, message: impl AsRef<str>) {
        self.log(Level::Warn, message);
    }
    pub fn error(&self, message: impl AsRef<str>) {
        self.log(Level::Error, message);
    }
}

/// One hclog JSON line, newline-terminated.
fn hclog_line(level: Level, module: &str, message: &str, at: SystemTime) -> String {
    let mut line = serde_json::Map::new();
    line.insert("@level".into(), level.name().into());
    line.insert("@message".into(), message.into());
    line.insert("@module".into(), module.into());
    line.insert("@timestamp".into(), timestamp(at).into());
    let mut text = serde_json::Value::Object(line).to_string();
    text.push('\n');
    text
}

static PROVIDER_LOGGER: OnceLock<Logger> = OnceLock::new();

/// The logger of the `provider` module.
pub fn provider() -> &'static Logger {
    PROVIDER_LOGGER.get_or_init(|| Logger::new(PROVIDER))
}

/// Whether a `provider` line at `level` would be written.
pub fn enabled(level: Level) -> bool {
    provider().enabled(level)
}

/// Write one line at `level` from the `provider` module.
pub fn log(level: Level, message: impl AsRef<str>) {
    provider().log(level, message);
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
    fn captured_lines_are_hclog_json_above_the_threshold() {
        let (l, lines) = Logger::capture(TRANSPORT, Level::Debug);
        l.trace("hidden");
        l.debug("shown");
        let lines = lines.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        let v: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(v["@level"], "debug");
        assert_eq!(v["@message"], "shown");
        assert_eq!(v["@module"], "provider.transport");
    }

    #[test]
    fn levels_parse() {
        assert_eq!(Level::parse("debug"), Some(Level::Debug));
        assert_eq!(Level::parse("JSON"), Some(Level::Trace));
        assert_eq!(Level::parse("nope"), None);
        assert!(Level::Error > Level::Warn);
    }
}
