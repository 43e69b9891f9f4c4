//! The JSON-over-HTTP client: configuration, requests, retries and logging.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use serde_json::Value;

use super::error::{status_text, ApiError};
use super::redact::{redact_body_text, redact_json, truncate};
use super::retry::{backoff, parse_retry_after};
use super::stop::StopSignal;
use crate::log::{self, Level, Logger};

/// Longest body text written to a single log line.
const LOG_BODY_MAX: usize = 4096;

/// HTTP methods the client issues: the descriptor's, so an operation's method is used as is.
pub use descriptor::Method;

/// Whether a request may be repeated after it possibly reached the server (PUT and PATCH are
/// not: a replayed write can undo a concurrent one).
fn retry_safe(m: Method) -> bool {
    matches!(m, Method::Get | Method::Delete)
}

fn to_reqwest(m: Method) -> reqwest::Method {
    match m {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

/// Client settings. `Debug` never shows the API key.
#[derive(Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub api_key: String,
    pub user_agent: String,
    /// Retries after the first attempt (default 5).
    pub max_retries: u32,
    /// Total time spent waiting between attempts before giving up (default 60 s).
    pub max_retry_wait: Duration,
    /// Per-attempt timeout (default 60 s).
    pub timeout: Duration,
    /// Where requests, responses and retries are logged (default: the `provider.transport`
    /// module at the level Terraform asked for).
    pub logger: Logger,
    /// Cancels in-flight requests and retry waits (Terraform's StopProvider).
    pub stop: StopSignal,
}

impl ClientConfig {
    /// A configuration with the default retry and timeout settings.
    pub fn new(
        base_url: impl Into<String>,
        api_key: impl Into<String>,
        user_agent: impl Into<String>,
    ) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            api_key: api_key.into(),
            user_agent: user_agent.into(),
            ..ClientConfig::default()
        }
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: String::new(),
            api_key: String::new(),
            user_agent: String::new(),
            max_retries: 5,
            max_retry_wait: Duration::from_secs(60),
            timeout: Duration::from_secs(60),
            logger: Logger::new(log::TRANSPORT),
            stop: StopSignal::default(),
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &if self.api_key.is_empty() { "" } else { "***" })
            .field("user_agent", &self.user_agent)
            .field("max_retries", &self.max_retries)
            .field("max_retry_wait", &self.max_retry_wait)
            .field("timeout", &self.timeout)
            .field("logger", &self.logger)
            .field("stopped", &self.stop.is_stopped())
            .finish()
    }
}

/// A decoded successful response. `body` is `Null` when the response had no
/// content, and a JSON string when it was not JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: Value,
}

struct Inner {
    http: reqwest::Client,
    /// Base URL without a trailing slash.
    base_url: String,
    /// Default headers, including the (sensitive) authorization header.
    headers: HeaderMap,
    cfg: ClientConfig,
}

/// A cheap-to-clone handle on one HTTP connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.cfg)
            .finish_non_exhaustive()
    }
}

/// One request, ready to be sent (as often as retries need).
struct Prepared<'a> {
    method: Method,
    /// The path without query, as logged and reported.
    path: String,
    url: reqwest::Url,
    body: Option<&'a Value>,
    body_bytes: Option<Vec<u8>>,
}

/// What the server answered to one attempt.
struct Answer {
    status: u16,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    bytes: Vec<u8>,
}

/// What one attempt produced.
enum Attempt {
    Done(Response),
    Failed {
        error: ApiError,
        /// Whether another attempt is allowed for this failure.
        retryable: bool,
        /// Server-requested delay.
        retry_after: Option<Duration>,
    },
}

impl Attempt {
    fn fatal(error: ApiError) -> Attempt {
        Attempt::Failed {
            error,
            retryable: false,
            retry_after: None,
        }
    }
}

impl Client {
    // ApiError is returned by value on purpose: it is the one error type of
    // this layer, built rarely, and callers match on its fields.
    #[allow(clippy::result_large_err)]
    pub fn new(cfg: ClientConfig) -> Result<Client, ApiError> {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let cfg_err = |msg: String| ApiError::transport("", "", msg);

        let base_url = cfg.base_url.trim().trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|e| cfg_err(format!("invalid base URL {base_url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(cfg_err(format!(
                "invalid base URL {base_url:?}: scheme must be http or https"
            )));
        }
        if cfg.api_key.trim().is_empty() {
            return Err(cfg_err("no API key configured".to_string()));
        }

        let mut headers = HeaderMap::new();
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", cfg.api_key.trim())).map_err(|_| {
                cfg_err("the API key contains characters not allowed in a header".into())
            })?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if !cfg.user_agent.is_empty() {
            let ua = HeaderValue::from_str(&cfg.user_agent)
                .map_err(|_| cfg_err(format!("invalid user agent {:?}", cfg.user_agent)))?;
            headers.insert(USER_AGENT, ua);
        }

        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(30)))
            .build()
            .map_err(|e| cfg_err(format!("cannot build HTTP client: {e}")))?;

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                headers,
                cfg,
            }),
        })
    }

    /// The configuration the client was built from.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.cfg
    }

    fn logger(&self) -> &Logger {
        &self.inner.cfg.logger
    }

    /// `base_url` + `path`, tolerating a missing or doubled slash.
    pub fn url_for(&self, path: &str) -> String {
        join_url(&self.inner.base_url, path)
    }

    /// Sends one request, retrying rate limits and transient failures.
    /// Non-2xx responses become `Err(ApiError)`; once the client's [`StopSignal`] fired, every
    /// request (and every wait between attempts) ends with a "stopped" error.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Response, ApiError> {
        let req = self.prepare(method, path, query, body)?;
        let cfg = &self.inner.cfg;
        let started = Instant::now();
        let mut waited = Duration::ZERO;
        let mut retries: u32 = 0;
        loop {
            let (mut error, retry_after) = match self.attempt(&req, retries + 1).await {
                Attempt::Done(resp) => return Ok(resp),
                Attempt::Failed {
                    error,
                    retryable: false,
                    ..
                } => return Err(error),
                Attempt::Failed {
                    error, retry_after, ..
                } => (error, retry_after),
            };
            let wait = retry_after.unwrap_or_else(|| backoff(retries));
            if let Some(why) = give_up_reason(retries, waited, wait, cfg) {
                if retries > 0 || error.is_rate_limited() {
                    error.message = format!(
                        "{} ({why}; waited {} in total, {} elapsed)",
                        error.message,
                        fmt_duration(waited),
                        fmt_duration(started.elapsed())
                    );
                }
                self.logger().warn(format!(
                    "{} {}: {}; {why}",
                    req.method,
                    req.path,
                    short_reason(&error)
                ));
                return Err(error);
            }
            retries += 1;
            self.logger().warn(format!(
                "{} {}: {}; retry {}/{} in {}{}",
                req.method,
                req.path,
                short_reason(&error),
                retries,
                cfg.max_retries,
                fmt_duration(wait),
                if retry_after.is_some() {
                    " (as Retry-After asks)"
                } else {
                    " (backoff)"
                }
            ));
            self.wait(&req, wait).await?;
            waited += wait;
        }
    }

    /// The URL and encoded body of a request.
    #[allow(clippy::result_large_err)]
    fn prepare<'a>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&'a Value>,
    ) -> Result<Prepared<'a>, ApiError> {
        let norm_path = normalise_path(path);
        let fail = |msg: String| ApiError::transport(method.as_str(), &norm_path, msg);
        let mut url = reqwest::Url::parse(&self.url_for(path))
            .map_err(|e| fail(format!("invalid URL: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let body_bytes = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| fail(format!("cannot encode body: {e}")))?;
        Ok(Prepared {
            method,
            path: norm_path,
            url,
            body,
            body_bytes,
        })
    }

    /// Sleeps `wait` before the next attempt, unless the client is stopped first.
    #[allow(clippy::result_large_err)]
    async fn wait(&self, req: &Prepared<'_>, wait: Duration) -> Result<(), ApiError> {
        tokio::select! {
            _ = tokio::time::sleep(wait) => Ok(()),
            _ = self.inner.cfg.stop.stopped() => {
                self.logger().debug(format!(
                    "{} {}: stopped while waiting to retry",
                    req.method, req.path
                ));
                Err(ApiError::stopped(req.method.as_str(), &req.path))
            }
        }
    }

    /// One attempt: send, log, classify.
    async fn attempt(&self, req: &Prepared<'_>, n: u32) -> Attempt {
        let stop = &self.inner.cfg.stop;
        if stop.is_stopped() {
            return Attempt::fatal(ApiError::stopped(req.method.as_str(), &req.path));
        }
        self.log_request(req, n);
        let t0 = Instant::now();
        let answer = tokio::select! {
            a = self.send(req) => a,
            _ = stop.stopped() => {
                self.logger().debug(format!(
                    "HTTP request: {} {} (attempt {n}) stopped after {} ms",
                    req.method, req.path, t0.elapsed().as_millis()
                ));
                return Attempt::fatal(ApiError::stopped(req.method.as_str(), &req.path));
            }
        };
        match answer {
            Ok(answer) => {
                self.log_response(req, n, &answer, t0.elapsed());
                classify(req, answer)
            }
            Err(failed) => {
                if let Attempt::Failed { error, .. } = &failed {
                    self.logger().debug(format!(
                        "HTTP request: {} {} (attempt {n}) failed after {} ms: {}",
                        req.method,
                        req.path,
                        t0.elapsed().as_millis(),
                        error.message
                    ));
                }
                failed
            }
        }
    }

    /// Sends the request and reads the whole answer; a failure before the answer is complete
    /// comes back as the failed attempt.
    async fn send(&self, req: &Prepared<'_>) -> Result<Answer, Attempt> {
        let mut r = self
            .inner
            .http
            .request(to_reqwest(req.method), req.url.clone())
            .headers(self.inner.headers.clone());
        if let Some(bytes) = &req.body_bytes {
            r = r
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone());
        }
        let resp = r
            .send()
            .await
            .map_err(|e| send_failure(req.method, &req.path, e))?;
        let header = |name| resp.headers().get(name).and_then(|v| v.to_str().ok());
        let status = resp.status().as_u16();
        let request_id = header("x-request-id").map(str::to_string);
        let retry_after = header(reqwest::header::RETRY_AFTER.as_str())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        match resp.bytes().await {
            Ok(bytes) => Ok(Answer {
                status,
                request_id,
                retry_after,
                bytes: bytes.into(),
            }),
            // The server answered but the body broke off mid-way.
            Err(e) => Err(Attempt::Failed {
                error: ApiError {
                    status: Some(status),
                    request_id,
                    ..ApiError::transport(
                        req.method.as_str(),
                        &req.path,
                        format!("reading response body: {e}"),
                    )
                },
                retryable: retry_safe(req.method),
                retry_after: None,
            }),
        }
    }

    /// DEBUG: method, path and attempt; TRACE: the query and the body, redacted.
    fn log_request(&self, req: &Prepared<'_>, n: u32) {
        let log = self.logger();
        log.debug(format!(
            "HTTP request: {} {} (attempt {n})",
            req.method, req.path
        ));
        if log.enabled(Level::Trace) {
            let query: serde_json::Map<String, Value> = req
                .url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect();
            let body = req.body.map(|v| redact_json(v).to_string());
            log.trace(format!(
                "HTTP request body: {} {} query={} body={}",
                req.method,
                req.path,
                redact_json(&Value::Object(query)),
                truncate(body.as_deref().unwrap_or("none"), LOG_BODY_MAX)
            ));
        }
    }

    /// DEBUG: status, duration, attempt and request id; TRACE: the body, redacted.
    fn log_response(&self, req: &Prepared<'_>, n: u32, a: &Answer, took: Duration) {
        let log = self.logger();
        log.debug(format!(
            "HTTP response: {} {} -> {} {} in {} ms (attempt {n}){}",
            req.method,
            req.path,
            a.status,
            status_text(a.status),
            took.as_millis(),
            a.request_id
                .as_deref()
                .map(|r| format!(" request_id={r}"))
                .unwrap_or_default(),
        ));
        if log.enabled(Level::Trace) {
            log.trace(format!(
                "HTTP response body: {} {} -> {} body={}",
                req.method,
                req.path,
                a.status,
                redact_body_text(&a.bytes, LOG_BODY_MAX)
            ));
        }
    }

    /// Fetches every page of a cursor-paginated collection.
    ///
    /// Sends `GET path?limit=100&<query>` and follows `list_metadata.after`
    /// until it is null, missing or empty, collecting each page's `data[]`.
    /// A cursor seen twice is an error (an API that restarts on an unknown
    /// cursor would otherwise loop forever).
    pub async fn list_all(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> Result<Vec<Value>, ApiError> {
        let norm_path = normalise_path(path);
        let mut base: Vec<(String, String)> = Vec::with_capacity(query.len() + 2);
        if !query.iter().any(|(k, _)| k == "limit") {
            base.push(("limit".to_string(), "100".to_string()));
        }
        base.extend(query.iter().filter(|(k, _)| k != "after").cloned());
        let mut seen = std::collections::HashSet::new();
        let mut items = Vec::new();
        let mut cursor: Option<String> = query
            .iter()
            .find(|(k, _)| k == "after")
            .map(|(_, v)| v.clone());
        let mut pages = 0usize;
        loop {
            let mut q = base.clone();
            if let Some(c) = &cursor {
                q.push(("after".to_string(), c.clone()));
            }
            let resp = self.request(Method::Get, path, &q, None).await?;
            pages += 1;
            match resp.body.get("data") {
                Some(Value::Array(page)) => items.extend(page.iter().cloned()),
                _ => {
                    return Err(ApiError {
                        status: Some(resp.status),
                        ..ApiError::transport(
                            "GET",
                            &norm_path,
                            format!("list response page {pages} has no `data` array"),
                        )
                    })
                }
            }
            let next = match resp.body.pointer("/list_metadata/after") {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                _ => None,
            };
            let Some(next) = next else {
                return Ok(items);
            };
            if !seen.insert(next.clone()) || cursor.as_deref() == Some(next.as_str()) {
                return Err(ApiError::transport(
                    "GET",
                    &norm_path,
                    format!(
                        "pagination cursor {next:?} repeated after {pages} pages; stopping to avoid an endless loop"
                    ),
                ));
            }
            cursor = Some(next);
        }
    }
}

/// Leading slash added, nothing else touched.
fn normalise_path(path: &str) -> String {
    let p = path.trim_start_matches('/');
    let p = p.split('?').next().unwrap_or(p);
    format!("/{p}")
}

pub(crate) fn join_url(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    let path = path.trim_start_matches('/');
    if path.is_empty() {
        base.to_string()
    } else {
        format!("{base}/{path}")
    }
}

/// Why no further attempt is made, if none is: out of retries, or the next wait would exceed the
/// total wait allowed.
fn give_up_reason(
    retries: u32,
    waited: Duration,
    wait: Duration,
    cfg: &ClientConfig,
) -> Option<String> {
    if retries >= cfg.max_retries {
        Some(format!("gave up after {retries} retries"))
    } else if waited + wait > cfg.max_retry_wait {
        Some(format!(
            "gave up after {retries} retries: next wait of {} would exceed the {} limit",
            fmt_duration(wait),
            fmt_duration(cfg.max_retry_wait)
        ))
    } else {
        None
    }
}

/// A complete answer → success, or a failure saying whether to try again.
fn classify(req: &Prepared<'_>, a: Answer) -> Attempt {
    let status = a.status;
    if (200..300).contains(&status) {
        let body = if a.bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&a.bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&a.bytes).into_owned()))
        };
        return Attempt::Done(Response { status, body });
    }
    let m = req.method.as_str();
    let error = ApiError::from_response(m, &req.path, status, a.request_id, &a.bytes);
    let retryable = match status {
        429 => true,
        502..=504 => retry_safe(req.method),
        _ => false,
    };
    Attempt::Failed {
        error,
        retryable,
        retry_after: a.retry_after,
    }
}

fn send_failure(method: Method, path: &str, e: reqwest::Error) -> Attempt {
    // A connect failure means nothing reached the server, so any method
    // may be repeated; otherwise only idempotent ones.
    let retryable = e.is_connect() || retry_safe(method);
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let detail = error_chain(&e);
    Attempt::Failed {
        error: ApiError::transport(method.as_str(), path, format!("{kind}: {detail}")),
        retryable,
        retry_after: None,
    }
}

fn short_reason(e: &ApiError) -> String {
    match e.status {
        Some(s) => format!("{s} {}", status_text(s)),
        None => e.message.clone(),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        src = s.source();
    }
    out
}

pub(crate) fn fmt_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_joining() {
        assert_eq!(join_url("https://h/", "/x"), "https://h/x");
        assert_eq!(join_url("https://h", "x"), "https://h/x");
        assert_eq!(join_url("https://h/api/", "//x/y"), "https://h/api/x/y");
        assert_eq!(join_url("https://h", ""), "https://h");
        assert_eq!(normalise_path("x/y?z=1"), "/x/y");
        assert_eq!(normalise_path("/x"), "/x");
    }

    #[test]
    fn config_debug_hides_key() {
        let c = ClientConfig::new("https://h", "sk_test_supersecret", "ua/1");
        let s = format!("{c:?}");
        assert!(!s.contains("supersecret"), "{s}");
        assert!(s.contains("***"));
        assert_eq!(c.max_retries, 5);
        assert_eq!(c.timeout, Duration::from_secs(60));
        assert_eq!(c.max_retry_wait, Duration::from_secs(60));
    }

    #[test]
    fn new_validates() {
        assert!(Client::new(ClientConfig::new("ftp://h", "k", "ua")).is_err());
        assert!(Client::new(ClientConfig::new("not a url", "k", "ua")).is_err());
        assert!(Client::new(ClientConfig::new("https://h", "", "ua")).is_err());
        assert!(Client::new(ClientConfig::new("https://h", "a\nb", "ua")).is_err());
        let c = Client::new(ClientConfig::new("https://h/", "k", "ua")).unwrap();
        assert_eq!(c.url_for("/v"), "https://h/v");
    }

    #[test]
    fn durations() {
        assert_eq!(fmt_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
    }
}
