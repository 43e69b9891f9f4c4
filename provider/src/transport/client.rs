//! The JSON-over-HTTP client: configuration, requests, retries and logging.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use serde_json::Value;

use super::error::{prefix, status_text, ApiError, PATH_QUOTE_MAX};
use super::pacing::{Pacer, RateLimits};
use super::redact::{redact_body_text, redact_json, truncate};
use super::retry::{backoff, parse_retry_after, retry_after_wait};
use super::stop::StopSignal;
use crate::log::{self, Level, Logger};

/// Longest body text written to a single log line.
const LOG_BODY_MAX: usize = 4096;
/// Longest request URL the client sends. Longer ones (a huge value in a path or query) fail
/// locally, before anything is sent, and are not retried.
pub const MAX_URL_BYTES: usize = 16 * 1024;

/// HTTP methods the client issues: the descriptor's, so an operation's method is used as is.
pub use descriptor::Method;
/// The rate-limit class a request is paced in: the descriptor's, decided per operation.
pub use descriptor::RateClass;

/// Whether a request may be repeated after it possibly reached the server: the idempotent
/// methods (RFC 9110 §9.2.2; a PUT carries the whole value it sets, so sending it twice sets it
/// once). POST creates and PATCH may not be idempotent: those are never repeated.
fn retry_safe(m: Method) -> bool {
    matches!(m, Method::Get | Method::Put | Method::Delete)
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

/// Default [`ClientConfig::max_retries`].
pub const DEFAULT_MAX_RETRIES: u32 = 10;
/// Default [`ClientConfig::max_retry_wait`].
pub const DEFAULT_RETRY_MAX_WAIT: Duration = Duration::from_secs(300);
/// Default [`ClientConfig::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Client settings. `Debug` never shows the API key.
#[derive(Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub api_key: String,
    pub user_agent: String,
    /// Retries after the first attempt (default 10).
    pub max_retries: u32,
    /// Total time one request may spend waiting between attempts before giving up
    /// (default 5 min: enough to sit out a 60 s rate-limit window more than once).
    pub max_retry_wait: Duration,
    /// Per-attempt timeout (default 60 s).
    pub timeout: Duration,
    /// Client-side pacing per rate-limit class (default: WorkOS's published limits).
    pub rate_limits: RateLimits,
    /// A PEM file of CA certificates trusted besides the system's (corporate TLS proxies).
    pub ca_bundle_file: Option<PathBuf>,
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
            max_retries: DEFAULT_MAX_RETRIES,
            max_retry_wait: DEFAULT_RETRY_MAX_WAIT,
            timeout: DEFAULT_TIMEOUT,
            rate_limits: RateLimits::default(),
            ca_bundle_file: None,
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
            .field("rate_limits", &self.rate_limits)
            .field("ca_bundle_file", &self.ca_bundle_file)
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
    /// Token buckets shared by every request of this client (and its clones).
    pacer: Pacer,
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
    class: RateClass,
    /// The path without query, as reported.
    path: String,
    /// The path as logged: at most [`PATH_QUOTE_MAX`] characters.
    shown: String,
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
        let _ = crate::crypto::provider().install_default();
        let cfg_err = |msg: String| ApiError::local("", "", msg);

        let base_url = cfg.base_url.trim().trim_end_matches('/').to_string();
        check_base_url(&base_url).map_err(cfg_err)?;
        let headers = default_headers(&cfg).map_err(cfg_err)?;

        let mut builder = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(30)));
        if let Some(file) = &cfg.ca_bundle_file {
            for cert in load_ca_bundle(file).map_err(cfg_err)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| cfg_err(format!("cannot build HTTP client: {e}")))?;

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                headers,
                pacer: Pacer::new(cfg.rate_limits),
                cfg,
            }),
        })
    }

    /// The configuration the client was built from.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.cfg
    }

    /// The client's token buckets (shared by its clones).
    pub fn pacer(&self) -> &Pacer {
        &self.inner.pacer
    }

    fn logger(&self) -> &Logger {
        &self.inner.cfg.logger
    }

    /// `base_url` + `path`, tolerating a missing or doubled slash.
    pub fn url_for(&self, path: &str) -> String {
        join_url(&self.inner.base_url, path)
    }

    /// [`Client::request_as`] in the general rate-limit class.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Response, ApiError> {
        self.request_as(RateClass::General, method, path, query, body)
            .await
    }

    /// Sends one request paced in `class`, retrying rate limits and transient failures.
    ///
    /// Non-2xx responses become `Err(ApiError)`. A 429 or a refused connection is retried for
    /// every method (nothing was done); a 500/502/503/504, a timeout or a broken connection only
    /// for GET and DELETE — for other methods the error says the outcome is unknown
    /// ([`ApiError::is_outcome_unknown`]). A request that cannot be built is never sent nor
    /// retried ([`ApiError::is_local`]). Once the client's [`StopSignal`] fired, every request
    /// (and every wait) ends with a "stopped" error.
    pub async fn request_as(
        &self,
        class: RateClass,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Response, ApiError> {
        let req = self.prepare(class, method, path, query, body)?;
        let started = Instant::now();
        let mut waited = Duration::ZERO;
        let mut retries: u32 = 0;
        loop {
            self.paced(&req).await?;
            let (error, retry_after) = match self.attempt(&req, retries + 1).await {
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
            if let Some(ra) = retry_after.filter(|_| error.is_rate_limited()) {
                // The limit is the server's, for every request of the class: hold them all.
                self.inner.pacer.hold(req.class, ra);
            }
            let wait = retry_after.map_or_else(|| backoff(retries), retry_after_wait);
            let why = give_up_reason(retries, waited, wait, &self.inner.cfg);
            if let Some(why) = why {
                return Err(self.give_up(&req, error, &why, waited, started));
            }
            retries += 1;
            self.log_retry(&req, &error, retries, wait, retry_after.is_some());
            self.wait(&req, wait).await?;
            waited += wait;
        }
    }

    /// The final error of a request out of retries, with the time spent waiting.
    fn give_up(
        &self,
        req: &Prepared<'_>,
        mut error: ApiError,
        why: &str,
        waited: Duration,
        started: Instant,
    ) -> ApiError {
        if why.starts_with("gave up after 0 retries") && !error.is_rate_limited() {
            // Retries were switched off: nothing to add.
        } else {
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
            req.shown,
            short_reason(&error)
        ));
        error
    }

    fn log_retry(&self, req: &Prepared<'_>, e: &ApiError, n: u32, wait: Duration, server: bool) {
        self.logger().warn(format!(
            "{} {}: {}; retry {n}/{} in {}{}",
            req.method,
            req.shown,
            short_reason(e),
            self.inner.cfg.max_retries,
            fmt_duration(wait),
            if server {
                " (as Retry-After asks)"
            } else {
                " (backoff)"
            }
        ));
    }

    /// Waits for the request's slot in its rate-limit class.
    #[allow(clippy::result_large_err)]
    async fn paced(&self, req: &Prepared<'_>) -> Result<(), ApiError> {
        let wait = self.inner.pacer.reserve(req.class);
        if wait.is_zero() {
            return Ok(());
        }
        if wait >= Duration::from_secs(1) {
            self.logger().debug(format!(
                "{} {}: paced, starts in {} ({:?} rate limit)",
                req.method,
                req.shown,
                fmt_duration(wait),
                req.class
            ));
        }
        self.wait(req, wait).await
    }

    /// The URL and encoded body of a request. Failures here are local: nothing is sent.
    #[allow(clippy::result_large_err)]
    fn prepare<'a>(
        &self,
        class: RateClass,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&'a Value>,
    ) -> Result<Prepared<'a>, ApiError> {
        let norm_path = normalise_path(path);
        let fail = |msg: String| ApiError::local(method.as_str(), &norm_path, msg);
        let mut url = reqwest::Url::parse(&self.url_for(path))
            .map_err(|e| fail(format!("invalid URL: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        if url.as_str().len() > MAX_URL_BYTES {
            return Err(fail(format!(
                "the request URL would be {} bytes, more than the {MAX_URL_BYTES} the provider sends: a value in its path or query is too long",
                url.as_str().len()
            )));
        }
        let body_bytes = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| fail(format!("cannot encode body: {e}")))?;
        Ok(Prepared {
            method,
            class,
            shown: prefix(&norm_path, PATH_QUOTE_MAX),
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
                    "{} {}: stopped while waiting",
                    req.method, req.shown
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
                    req.method, req.shown, t0.elapsed().as_millis()
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
                        req.shown,
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
            Err(e) => Err(after_send(
                req.method,
                ApiError {
                    status: Some(status),
                    request_id,
                    ..ApiError::transport(
                        req.method.as_str(),
                        &req.path,
                        format!("reading response body: {}", error_chain(&e.without_url())),
                    )
                },
            )),
        }
    }

    /// DEBUG: method, path and attempt; TRACE: the query and the body, redacted.
    fn log_request(&self, req: &Prepared<'_>, n: u32) {
        let log = self.logger();
        log.debug(format!(
            "HTTP request: {} {} (attempt {n})",
            req.method, req.shown
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
                req.shown,
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
            req.shown,
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
                req.shown,
                a.status,
                redact_body_text(&a.bytes, LOG_BODY_MAX)
            ));
        }
    }

    /// [`Client::list_all_as`] in the general rate-limit class.
    pub async fn list_all(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> Result<Vec<Value>, ApiError> {
        self.list_all_as(RateClass::General, path, query).await
    }

    /// Fetches every page of a cursor-paginated collection, each page paced in `class`.
    ///
    /// Sends `GET path?limit=100&<query>` and follows `list_metadata.after`
    /// until it is null, missing or empty, collecting each page's `data[]`.
    /// A cursor seen twice is an error (an API that restarts on an unknown
    /// cursor would otherwise loop forever).
    pub async fn list_all_as(
        &self,
        class: RateClass,
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
            let resp = self.request_as(class, Method::Get, path, &q, None).await?;
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

/// A base URL the client can send to: parses, http or https, a host.
pub fn check_base_url(base_url: &str) -> Result<(), String> {
    let shown = prefix(base_url, 100);
    let parsed =
        reqwest::Url::parse(base_url).map_err(|e| format!("invalid base URL {shown:?}: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "invalid base URL {shown:?}: scheme must be http or https"
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("invalid base URL {shown:?}: no host"));
    }
    Ok(())
}

/// An API key the client can send: not blank, and valid in an HTTP header (no control
/// characters such as CR or LF). The message never quotes the key.
pub fn check_api_key(api_key: &str) -> Result<(), String> {
    if api_key.trim().is_empty() {
        return Err("no API key configured".to_string());
    }
    if api_key.chars().any(char::is_control) || HeaderValue::from_str(api_key.trim()).is_err() {
        return Err(
            "the API key contains characters not allowed in an HTTP header (such as a line break)"
                .to_string(),
        );
    }
    Ok(())
}

/// The CA certificates of a PEM bundle file; an error when it cannot be read or holds none.
pub fn load_ca_bundle(file: &std::path::Path) -> Result<Vec<reqwest::Certificate>, String> {
    let shown = prefix(&file.display().to_string(), 200);
    let pem = std::fs::read(file).map_err(|e| format!("cannot read CA bundle {shown}: {e}"))?;
    if !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
        return Err(format!(
            "CA bundle {shown} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        ));
    }
    reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("CA bundle {shown} is not a valid PEM certificate bundle: {e}"))
}

/// Authorization, Accept and User-Agent, the first marked sensitive.
fn default_headers(cfg: &ClientConfig) -> Result<HeaderMap, String> {
    check_api_key(&cfg.api_key)?;
    let mut headers = HeaderMap::new();
    let mut auth = HeaderValue::from_str(&format!("Bearer {}", cfg.api_key.trim()))
        .map_err(|_| "the API key contains characters not allowed in a header".to_string())?;
    auth.set_sensitive(true);
    headers.insert(AUTHORIZATION, auth);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    if !cfg.user_agent.is_empty() {
        let ua = HeaderValue::from_str(&cfg.user_agent)
            .map_err(|_| format!("invalid user agent {:?}", prefix(&cfg.user_agent, 100)))?;
        headers.insert(USER_AGENT, ua);
    }
    Ok(headers)
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

/// A failure after the request may have reached the server: retried for GET and DELETE; for
/// other methods reported as "outcome unknown".
fn after_send(method: Method, mut error: ApiError) -> Attempt {
    let retryable = retry_safe(method);
    if !retryable {
        error.outcome_unknown = true;
        error.message.push_str(
            "; the request may have reached the server and taken effect, so it was not repeated",
        );
    }
    Attempt::Failed {
        error,
        retryable,
        retry_after: None,
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
    match status {
        // Refused before anything was done: safe to repeat for every method.
        429 => Attempt::Failed {
            error,
            retryable: true,
            retry_after: a.retry_after,
        },
        500 | 502..=504 => match after_send(req.method, error) {
            Attempt::Failed {
                error, retryable, ..
            } => Attempt::Failed {
                error,
                retryable,
                retry_after: a.retry_after.filter(|_| status == 503),
            },
            done => done,
        },
        _ => Attempt::fatal(error),
    }
}

fn send_failure(method: Method, path: &str, e: reqwest::Error) -> Attempt {
    // The URL is left out: it can carry a user value of any size (the path is quoted instead).
    let e = e.without_url();
    let detail = error_chain(&e);
    let m = method.as_str();
    if e.is_builder() {
        return Attempt::fatal(ApiError::local(
            m,
            path,
            format!("cannot build the request: {detail}"),
        ));
    }
    if e.is_connect() {
        // Nothing reached the server: any method may be repeated, unless the failure is one
        // that repeats (the server's certificate is not trusted).
        let tls = detail.contains("certificate");
        return Attempt::Failed {
            error: ApiError::transport(m, path, format!("connection failed: {detail}")),
            retryable: !tls,
            retry_after: None,
        };
    }
    let kind = if e.is_timeout() {
        "timed out"
    } else {
        "request failed"
    };
    after_send(
        method,
        ApiError::transport(m, path, format!("{kind}: {detail}")),
    )
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
        assert_eq!(c.max_retries, 10);
        assert_eq!(c.timeout, Duration::from_secs(60));
        assert_eq!(c.max_retry_wait, Duration::from_secs(300));
    }

    #[test]
    fn new_validates() {
        assert!(Client::new(ClientConfig::new("ftp://h", "k", "ua")).is_err());
        assert!(Client::new(ClientConfig::new("not a url", "k", "ua")).is_err());
        assert!(Client::new(ClientConfig::new("https://h", "", "ua")).is_err());
        assert!(Client::new(ClientConfig::new("https://h", "a\nb", "ua")).is_err());
        assert!(Client::new(ClientConfig::new("https://h", "a\rb", "ua")).is_err());
        assert!(Client::new(ClientConfig::new("http://h:99999", "k", "ua")).is_err());
        assert!(Client::new(ClientConfig::new("", "k", "ua")).is_err());
        let c = Client::new(ClientConfig::new("https://h/", "k", "ua")).unwrap();
        assert_eq!(c.url_for("/v"), "https://h/v");
    }

    #[test]
    fn durations() {
        assert_eq!(fmt_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
    }
}
