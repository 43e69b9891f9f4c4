//! Behaviour of the HTTP layer against a loopback HTTP/1.1 server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use terraform_provider_workos::log::{self, Level, Logger};
use terraform_provider_workos::transport::{
    redact_json, ApiError, Client, ClientConfig, Method, StopSignal, REDACTED,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEY: &str = "sk_test_0123456789abcdefSECRET";
const UA: &str = "terraform-provider-workos/0.0.0-test";

#[derive(Debug, Clone)]
struct Req {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn query(&self) -> Vec<(String, String)> {
        let q = self.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        reqwest::Url::parse(&format!("http://h/?{q}"))
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn query_value(&self, key: &str) -> Option<String> {
        self.query()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

struct Resp {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn resp(status: u16, body: Value) -> Resp {
    Resp {
        status,
        headers: vec![("Content-Type", "application/json".into())],
        body: body.to_string(),
    }
}

type Handler = dyn Fn(&Req, usize) -> Resp + Send + Sync;

struct Server {
    base_url: String,
    requests: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    fn requests(&self) -> Vec<Req> {
        self.requests.lock().unwrap().clone()
    }
}

/// Starts a server answering each request with `handler(request, index)`.
async fn serve(handler: impl Fn(&Req, usize) -> Resp + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let handler: Arc<Handler> = Arc::new(handler);
    let counter = Arc::new(AtomicUsize::new(0));
    let reqs = requests.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let (handler, reqs, counter) = (handler.clone(), reqs.clone(), counter.clone());
            tokio::spawn(async move {
                let _ = handle(sock, handler, reqs, counter).await;
            });
        }
    });
    Server {
        base_url: format!("http://{addr}/"),
        requests,
    }
}

async fn handle(
    mut sock: TcpStream,
    handler: Arc<Handler>,
    reqs: Arc<Mutex<Vec<Req>>>,
    counter: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split_whitespace();
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let req = Req {
        method,
        target,
        headers,
        body,
    };
    let idx = counter.fetch_add(1, Ordering::SeqCst);
    reqs.lock().unwrap().push(req.clone());
    let r = handler(&req, idx);
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        r.status,
        reqwest::StatusCode::from_u16(r.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("X"),
        r.body.len()
    );
    for (k, v) in &r.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&r.body);
    sock.write_all(out.as_bytes()).await?;
    sock.shutdown().await?;
    Ok(())
}

fn client(base_url: &str) -> Client {
    Client::new(ClientConfig::new(base_url, KEY, UA)).unwrap()
}

fn client_with(base_url: &str, max_retries: u32, max_wait: Duration) -> Client {
    Client::new(ClientConfig {
        max_retries,
        max_retry_wait: max_wait,
        ..ClientConfig::new(base_url, KEY, UA)
    })
    .unwrap()
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn sends_auth_user_agent_and_json_headers() {
    let srv = serve(|_, _| resp(201, json!({"id": "x_1"}))).await;
    let c = client(&srv.base_url);
    let r = c
        .request(Method::Post, "/things", &[], Some(&json!({"name": "a"})))
        .await
        .unwrap();
    assert_eq!(r.status, 201);
    assert_eq!(r.body, json!({"id": "x_1"}));
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.target, "/things");
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(req.header("user-agent"), Some(UA));
    assert_eq!(req.header("accept"), Some("application/json"));
    assert_eq!(req.header("content-type"), Some("application/json"));
    let sent: Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(sent, json!({"name": "a"}));
}

#[tokio::test]
async fn get_has_no_content_type_and_encodes_query() {
    let srv = serve(|_, _| Resp {
        status: 204,
        headers: vec![],
        body: String::new(),
    })
    .await;
    // Base URL with a path and trailing slash, path without a leading slash.
    let c = client(&format!("{}api/", srv.base_url));
    let query = q(&[
        ("email", "a b&c+d@example.com"),
        ("ids[]", "1"),
        ("ids[]", "2"),
    ]);
    let r = c
        .request(Method::Get, "v1/items", &query, None)
        .await
        .unwrap();
    assert_eq!(r.status, 204);
    assert_eq!(r.body, Value::Null);
    let req = &srv.requests()[0];
    assert!(req.target.starts_with("/api/v1/items?"), "{}", req.target);
    assert!(!req.target.contains(' '));
    assert_eq!(req.header("content-type"), None);
    assert_eq!(req.query(), query);
}

#[tokio::test]
async fn unprocessable_entity_becomes_field_errors() {
    let srv = serve(|_, _| {
        let mut r = resp(
            422,
            json!({
                "message": "Validation failed",
                "code": "unprocessable_entity",
                "errors": [{"field": "email", "code": "invalid"}]
            }),
        );
        r.headers.push(("X-Request-ID", "req_abc".into()));
        r
    })
    .await;
    let c = client(&srv.base_url);
    let err = c
        .request(Method::Post, "/x", &[], Some(&json!({"email": "nope"})))
        .await
        .unwrap_err();
    assert_eq!(err.status, Some(422));
    assert_eq!(err.code.as_deref(), Some("unprocessable_entity"));
    assert_eq!(err.field_errors.len(), 1);
    assert_eq!(err.field_errors[0].field, "email");
    assert_eq!(err.field_errors[0].code.as_deref(), Some("invalid"));
    assert_eq!(err.request_id.as_deref(), Some("req_abc"));
    assert_eq!(err.method, "POST");
    assert_eq!(err.path, "/x");
    assert_eq!(
        err.to_string(),
        "POST /x: 422 unprocessable_entity: Validation failed (field `email`: invalid)"
    );
    assert!(!err.is_not_found());
    // 4xx other than 429 is not retried.
    assert_eq!(srv.requests().len(), 1);
}

#[tokio::test]
async fn not_found_and_non_json_errors() {
    let srv = serve(|req, _| {
        if req.target.starts_with("/missing") {
            resp(
                404,
                json!({"message": "Not found", "code": "entity_not_found"}),
            )
        } else {
            Resp {
                status: 400,
                headers: vec![("Content-Type", "text/html".into())],
                body: "<html>bad things</html>".into(),
            }
        }
    })
    .await;
    let c = client(&srv.base_url);
    let err = c
        .request(Method::Get, "/missing/1", &[], None)
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.status, Some(404));
    let err = c
        .request(Method::Get, "/html", &[], None)
        .await
        .unwrap_err();
    assert_eq!(err.status, Some(400));
    assert_eq!(err.message, "Bad Request: <html>bad things</html>");
}

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    let srv = serve(|_, i| {
        if i == 0 {
            let mut r = resp(429, json!({"message": "Too many requests"}));
            r.headers.push(("Retry-After", "1".into()));
            r
        } else {
            resp(200, json!({"ok": true}))
        }
    })
    .await;
    let c = client(&srv.base_url);
    let t0 = Instant::now();
    let r = c
        .request(Method::Post, "/x", &[], Some(&json!({})))
        .await
        .unwrap();
    assert_eq!(r.body, json!({"ok": true}));
    assert!(t0.elapsed() >= Duration::from_secs(1), "{:?}", t0.elapsed());
    assert_eq!(srv.requests().len(), 2);
}

#[tokio::test]
async fn rate_limit_forever_gives_up() {
    let srv =
        serve(|_, _| resp(429, json!({"message": "Slow down", "code": "rate_limited"}))).await;
    let c = client_with(&srv.base_url, 2, Duration::from_secs(60));
    let err = c.request(Method::Get, "/x", &[], None).await.unwrap_err();
    assert_eq!(err.status, Some(429));
    assert_eq!(srv.requests().len(), 3);
    let text = err.to_string();
    assert!(
        text.starts_with("GET /x: 429 rate_limited: Slow down"),
        "{text}"
    );
    assert!(text.contains("gave up after 2 retries"), "{text}");
    assert!(text.contains("waited"), "{text}");
}

#[tokio::test]
async fn rate_limit_wait_budget_exceeded() {
    let srv = serve(|_, _| {
        let mut r = resp(429, json!({}));
        r.headers.push(("Retry-After", "120".into()));
        r
    })
    .await;
    let c = client_with(&srv.base_url, 5, Duration::from_secs(10));
    let t0 = Instant::now();
    let err = c.request(Method::Get, "/x", &[], None).await.unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert_eq!(srv.requests().len(), 1);
    let text = err.to_string();
    assert!(text.contains("429"), "{text}");
    assert!(text.contains("would exceed"), "{text}");
}

#[tokio::test]
async fn server_errors_retried_only_for_idempotent_methods() {
    let srv = serve(|_, i| {
        if i == 0 {
            resp(503, json!({"message": "maintenance"}))
        } else {
            resp(200, json!({"ok": true}))
        }
    })
    .await;
    let c = client_with(&srv.base_url, 3, Duration::from_secs(10));
    let r = c.request(Method::Get, "/x", &[], None).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(srv.requests().len(), 2);

    let srv = serve(|_, _| resp(502, json!({"message": "bad gateway"}))).await;
    let c = client_with(&srv.base_url, 3, Duration::from_secs(10));
    let err = c
        .request(Method::Post, "/x", &[], Some(&json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status, Some(502));
    assert_eq!(srv.requests().len(), 1, "POST must not be repeated");
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = client_with(&format!("http://{addr}"), 1, Duration::from_secs(5));
    let err = c
        .request(Method::Post, "/x", &[], Some(&json!({"password": "p"})))
        .await
        .unwrap_err();
    assert_eq!(err.status, None);
    let text = err.to_string();
    assert!(text.starts_with("POST /x: connection failed"), "{text}");
    assert!(text.contains("gave up after 1 retries"), "{text}");
    assert!(!text.contains(KEY));
}

#[tokio::test]
async fn pagination_follows_cursors() {
    let srv = serve(|req, _| {
        let after = req.query_value("after");
        let (ids, next): (Vec<&str>, Value) = match after.as_deref() {
            None => (vec!["a", "b"], json!("c1")),
            Some("c1") => (vec!["c", "d"], json!("c2")),
            Some("c2") => (vec!["e"], Value::Null),
            Some(other) => panic!("unexpected cursor {other}"),
        };
        let data: Vec<Value> = ids.iter().map(|id| json!({"id": id})).collect();
        resp(
            200,
            json!({"object": "list", "data": data, "list_metadata": {"before": null, "after": next}}),
        )
    })
    .await;
    let c = client(&srv.base_url);
    let items = c.list_all("/items", &q(&[("kind", "x")])).await.unwrap();
    let ids: Vec<&str> = items.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 3);
    for r in &reqs {
        assert_eq!(r.method, "GET");
        assert_eq!(r.query_value("limit").as_deref(), Some("100"));
        assert_eq!(r.query_value("kind").as_deref(), Some("x"));
    }
    assert_eq!(reqs[0].query_value("after"), None);
    assert_eq!(reqs[2].query_value("after").as_deref(), Some("c2"));
}

#[tokio::test]
async fn pagination_stops_on_repeated_cursor() {
    // An API that ignores unknown cursors and always returns the first page.
    let srv = serve(|_, _| {
        resp(
            200,
            json!({"data": [{"id": "a"}], "list_metadata": {"after": "same"}}),
        )
    })
    .await;
    let c = client(&srv.base_url);
    let err = c.list_all("/items", &[]).await.unwrap_err();
    assert!(err.to_string().contains("repeated"), "{err}");
    assert!(srv.requests().len() <= 3);

    let srv = serve(|_, _| resp(200, json!({"items": []}))).await;
    let err = client(&srv.base_url)
        .list_all("/items", &[])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("data"), "{err}");
}

#[tokio::test]
async fn secrets_never_logged_or_displayed() {
    let srv = serve(|req, _| {
        if req.target.starts_with("/nope") {
            return resp(401, json!({"message": "Unauthorized"}));
        }
        resp(
            200,
            json!({"id": "x_1", "secret": "response-secret-value", "name": "visible"}),
        )
    })
    .await;
    let (logger, lines) = Logger::capture(log::TRANSPORT, Level::Trace);
    let c = Client::new(ClientConfig {
        logger,
        ..ClientConfig::new(&srv.base_url, KEY, UA)
    })
    .unwrap();
    c.request(
        Method::Post,
        "/x",
        &[],
        Some(&json!({"password": "hunter2-pass", "name": "visible"})),
    )
    .await
    .unwrap();
    let logs = lines.lines().join("\n");
    assert!(logs.contains(r#""@level":"trace""#), "{logs}");
    assert!(logs.contains("visible"), "{logs}");
    assert!(!logs.contains("hunter2-pass"), "{logs}");
    assert!(!logs.contains("response-secret-value"), "{logs}");
    assert!(!logs.contains(KEY), "{logs}");
    assert!(!logs.to_ascii_lowercase().contains("bearer"), "{logs}");

    let debug = format!("{c:?} {:?}", c.config());
    assert!(!debug.contains(KEY), "{debug}");
    let err: ApiError = c
        .request(Method::Get, "/nope", &[], None)
        .await
        .unwrap_err();
    assert_eq!(err.status, Some(401));
    assert!(!format!("{err} {err:?}").contains(KEY));
}

#[test]
fn redact_json_masks_secrets() {
    let v = json!({"profile": {"password": "p", "name": "n"}, "client_secret": "s", "list": [{"api_key": "k"}]});
    let r = redact_json(&v);
    assert_eq!(r["profile"]["password"], REDACTED);
    assert_eq!(r["profile"]["name"], "n");
    assert_eq!(r["client_secret"], REDACTED);
    assert_eq!(r["list"][0]["api_key"], REDACTED);
}

/// The `@message`s of captured hclog lines at `level`.
fn messages(lines: &log::Captured, level: &str) -> Vec<String> {
    lines
        .lines()
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["@level"] == level)
        .map(|v| v["@message"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn requests_responses_and_retries_are_logged_in_hclog_json() {
    let srv = serve(|_, i| {
        if i == 0 {
            let mut r = resp(503, json!({"message": "busy"}));
            r.headers.push(("Retry-After", "0".into()));
            r
        } else {
            let mut r = resp(200, json!({"id": "x_1"}));
            r.headers.push(("X-Request-Id", "req_42".into()));
            r
        }
    })
    .await;
    let (logger, lines) = Logger::capture(log::TRANSPORT, Level::Debug);
    let c = Client::new(ClientConfig {
        logger,
        ..ClientConfig::new(&srv.base_url, KEY, UA)
    })
    .unwrap();
    c.request(Method::Get, "/items/x_1", &q(&[("limit", "1")]), None)
        .await
        .unwrap();
    let debug = messages(&lines, "debug");
    assert_eq!(
        debug[0], "HTTP request: GET /items/x_1 (attempt 1)",
        "{debug:?}"
    );
    assert!(
        debug[1].starts_with("HTTP response: GET /items/x_1 -> 503 Service Unavailable in "),
        "{debug:?}"
    );
    assert!(debug[1].contains("(attempt 1)"), "{debug:?}");
    assert_eq!(debug[2], "HTTP request: GET /items/x_1 (attempt 2)");
    assert!(debug[3].contains("-> 200 OK in "), "{debug:?}");
    assert!(
        debug[3].ends_with("(attempt 2) request_id=req_42"),
        "{debug:?}"
    );
    let warn = messages(&lines, "warn");
    // Retry-After: 0, plus at most 100 ms of jitter.
    assert_eq!(warn.len(), 1, "{warn:?}");
    assert!(
        warn[0].starts_with("GET /items/x_1: 503 Service Unavailable; retry 1/10 in ")
            && warn[0].ends_with("ms (as Retry-After asks)"),
        "{warn:?}"
    );
    // Bodies only at TRACE.
    assert!(
        lines.lines().iter().all(|l| !l.contains("body=")),
        "{:?}",
        lines.lines()
    );
    let line: Value = serde_json::from_str(&lines.lines()[0]).unwrap();
    assert_eq!(line["@module"], "provider.transport");
    assert!(line["@timestamp"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn stop_cancels_a_request_waiting_on_retry_after() {
    let srv = serve(|_, _| {
        let mut r = resp(429, json!({"message": "Too many requests"}));
        r.headers.push(("Retry-After", "30".into()));
        r
    })
    .await;
    let stop = StopSignal::default();
    let c = Client::new(ClientConfig {
        stop: stop.clone(),
        ..ClientConfig::new(&srv.base_url, KEY, UA)
    })
    .unwrap();
    let pending = tokio::spawn(async move { c.request(Method::Get, "/x", &[], None).await });
    // Once the server said "retry in 30 s", stop.
    while srv.requests().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.stop();
    let err = pending.await.unwrap().unwrap_err();
    assert!(err.is_stopped(), "{err}");
    assert_eq!(
        err.to_string(),
        "GET /x: stopped: cancelled because Terraform asked the provider to stop"
    );
    assert_eq!(srv.requests().len(), 1, "no attempt after the stop");

    // A stopped client sends nothing more.
    let c = Client::new(ClientConfig {
        stop,
        ..ClientConfig::new(&srv.base_url, KEY, UA)
    })
    .unwrap();
    let err = c.request(Method::Get, "/y", &[], None).await.unwrap_err();
    assert!(err.is_stopped(), "{err}");
    assert_eq!(srv.requests().len(), 1);
}

/// `t` as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), for Retry-After dates.
fn http_date(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WD: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MON: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WD[days.rem_euclid(7) as usize],
        MON[month as usize - 1],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[test]
fn http_date_formatter_matches_rfc_example() {
    let t = std::time::UNIX_EPOCH + Duration::from_secs(784_111_777);
    assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
}

#[tokio::test]
async fn rate_limit_honours_retry_after_as_an_http_date() {
    // Two seconds from now, as a date (whole seconds, so at least one second of wait).
    let srv = serve(|_, i| {
        if i == 0 {
            let at = std::time::SystemTime::now() + Duration::from_secs(2);
            let mut r = resp(429, json!({"message": "Too many requests"}));
            r.headers.push(("Retry-After", http_date(at)));
            r
        } else {
            resp(201, json!({"id": "p_1"}))
        }
    })
    .await;
    let (logger, lines) = Logger::capture(log::TRANSPORT, Level::Debug);
    let c = Client::new(ClientConfig {
        logger,
        ..ClientConfig::new(&srv.base_url, KEY, UA)
    })
    .unwrap();
    let t0 = Instant::now();
    let r = c
        .request(Method::Post, "/p", &[], Some(&json!({})))
        .await
        .unwrap();
    assert_eq!(r.status, 201);
    assert_eq!(
        srv.requests().len(),
        2,
        "a 429 is safe to repeat, even for POST"
    );
    assert!(t0.elapsed() >= Duration::from_secs(1), "{:?}", t0.elapsed());
    let warn = messages(&lines, "warn");
    assert!(
        warn[0].starts_with("POST /p: 429 Too Many Requests; retry 1/10 in ")
            && warn[0].ends_with("(as Retry-After asks)"),
        "{warn:?}"
    );
}

#[tokio::test]
async fn each_transient_5xx_is_retried_for_get_and_delete() {
    for status in [500u16, 502, 503, 504] {
        for method in [Method::Get, Method::Delete] {
            let srv = serve(move |_, i| {
                if i < 2 {
                    resp(status, json!({"message": "transient"}))
                } else {
                    resp(200, json!({"ok": true}))
                }
            })
            .await;
            let c = client_with(&srv.base_url, 3, Duration::from_secs(30));
            let r = c.request(method, "/x/1", &[], None).await;
            assert_eq!(r.unwrap().status, 200, "{method:?} after {status}");
            assert_eq!(srv.requests().len(), 3, "{method:?} after {status}");
        }
    }
    // Other 5xx and 4xx are final.
    for status in [501u16, 400, 409] {
        let srv = serve(move |_, _| resp(status, json!({"message": "no"}))).await;
        let c = client_with(&srv.base_url, 3, Duration::from_secs(30));
        let err = c.request(Method::Get, "/x", &[], None).await.unwrap_err();
        assert_eq!(err.status, Some(status));
        assert!(!err.is_outcome_unknown());
        assert_eq!(srv.requests().len(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn puts_are_repeated_after_a_5xx() {
    for status in [500u16, 502, 503, 504] {
        let srv = serve(move |_, n| {
            if n == 0 {
                resp(status, json!({"message": "oops"}))
            } else {
                resp(200, json!({"id": "x"}))
            }
        })
        .await;
        let c = client_with(&srv.base_url, 3, Duration::from_secs(30));
        let got = c
            .request(Method::Put, "/x", &[], Some(&json!({"permissions": ["a"]})))
            .await
            .unwrap();
        assert_eq!((got.status, &got.body["id"]), (200, &json!("x")));
        assert_eq!(srv.requests().len(), 2, "one retry after {status}");
    }
}

#[tokio::test]
async fn writes_are_not_repeated_after_a_5xx_and_say_the_outcome_is_unknown() {
    for status in [500u16, 502, 503, 504] {
        for method in [Method::Post, Method::Patch] {
            let srv = serve(move |_, _| resp(status, json!({"message": "oops"}))).await;
            let c = client_with(&srv.base_url, 3, Duration::from_secs(30));
            let err = c
                .request(method, "/x", &[], Some(&json!({"name": "n"})))
                .await
                .unwrap_err();
            assert_eq!(err.status, Some(status));
            assert!(err.is_outcome_unknown(), "{method:?} {status}: {err}");
            assert!(
                err.to_string().contains("may have reached the server"),
                "{err}"
            );
            assert_eq!(srv.requests().len(), 1, "{method:?} after {status}");
        }
    }
}

/// A server that reads each request and then closes the connection without answering, or
/// (`hang`) keeps it open without answering. Returns its URL and the number of requests read.
async fn silent_server(hang: bool) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let seen2 = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let seen = seen2.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                if sock.read(&mut buf).await.unwrap_or(0) > 0 {
                    seen.fetch_add(1, Ordering::SeqCst);
                }
                if hang {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                } else {
                    // Reset, not a clean close (the blocking-drop caveat is moot on loopback).
                    #[allow(deprecated)]
                    let _ = sock.set_linger(Some(Duration::ZERO));
                }
                drop(sock);
            });
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn connection_reset_after_sending_is_retried_only_for_reads() {
    let (url, seen) = silent_server(false).await;
    let c = client_with(&url, 2, Duration::from_secs(30));
    let err = c.request(Method::Get, "/x", &[], None).await.unwrap_err();
    assert_eq!(err.status, None);
    assert!(!err.is_outcome_unknown());
    assert_eq!(
        seen.load(Ordering::SeqCst),
        3,
        "GET: first attempt and 2 retries"
    );
    assert!(err.to_string().contains("gave up after 2 retries"), "{err}");

    let (url, seen) = silent_server(false).await;
    let c = client_with(&url, 2, Duration::from_secs(30));
    let err = c
        .request(Method::Post, "/x", &[], Some(&json!({})))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(seen.load(Ordering::SeqCst), 1, "POST is not repeated");
}

#[tokio::test]
async fn timeouts_are_retried_only_for_reads() {
    let (url, seen) = silent_server(true).await;
    let cfg = |url: &str| ClientConfig {
        max_retries: 1,
        timeout: Duration::from_millis(300),
        ..ClientConfig::new(url, KEY, UA)
    };
    let c = Client::new(cfg(&url)).unwrap();
    let err = c.request(Method::Get, "/x", &[], None).await.unwrap_err();
    assert!(err.message.starts_with("timed out"), "{err}");
    assert!(!err.is_outcome_unknown());
    assert_eq!(seen.load(Ordering::SeqCst), 2);

    let (url, seen) = silent_server(true).await;
    let c = Client::new(cfg(&url)).unwrap();
    let err = c
        .request(Method::Patch, "/x", &[], Some(&json!({})))
        .await
        .unwrap_err();
    assert!(err.message.starts_with("timed out"), "{err}");
    assert!(err.is_outcome_unknown(), "{err}");
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_for_every_method() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let (logger, lines) = Logger::capture(log::TRANSPORT, Level::Debug);
    let c = Client::new(ClientConfig {
        max_retries: 2,
        logger,
        ..ClientConfig::new(format!("http://{addr}"), KEY, UA)
    })
    .unwrap();
    let err = c
        .request(Method::Put, "/x", &[], Some(&json!({})))
        .await
        .unwrap_err();
    assert!(
        !err.is_outcome_unknown(),
        "nothing reached the server: {err}"
    );
    let warn = messages(&lines, "warn");
    assert_eq!(
        warn.len(),
        3,
        "two retries, each logged, then the give-up: {warn:?}"
    );
    assert!(warn[0].contains("connection failed") && warn[0].contains("retry 1/2 in "));
    assert!(warn[0].ends_with("(backoff)"), "{warn:?}");
}

#[tokio::test]
async fn a_local_error_is_not_retried_and_quotes_a_prefix() {
    let srv = serve(|_, _| resp(200, json!({}))).await;
    let c = client(&srv.base_url);
    let huge = "v".repeat(64 * 1024);
    let t0 = Instant::now();
    let err = c
        .request(Method::Get, "/users", &q(&[("email", huge.as_str())]), None)
        .await
        .unwrap_err();
    assert!(err.is_local(), "{err}");
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "not retried: {:?}",
        t0.elapsed()
    );
    assert!(srv.requests().is_empty(), "nothing sent");
    assert!(err.to_string().len() < 400, "{}", err.to_string().len());

    let huge_path = format!("/users/{}", "u".repeat(64 * 1024));
    let err = c
        .request(Method::Get, &huge_path, &[], None)
        .await
        .unwrap_err();
    assert!(err.is_local(), "{err}");
    let text = err.to_string();
    assert!(text.len() < 600, "{}", text.len());
    assert!(text.contains("bytes in all"), "{text}");
    assert!(srv.requests().is_empty());
}

#[tokio::test(start_paused = true)]
async fn pacing_holds_the_limit_under_30_concurrent_tasks() {
    use terraform_provider_workos::transport::{Limit, Pacer, RateClass, RateLimits};
    let limit = Limit::new(500, Duration::from_secs(10));
    let pacer = Pacer::new(RateLimits {
        authkit_write: Some(limit),
        ..RateLimits::OFF
    });
    let t0 = tokio::time::Instant::now();
    let mut tasks = vec![];
    for _ in 0..30 {
        let pacer = pacer.clone();
        tasks.push(tokio::spawn(async move {
            let mut starts = vec![];
            for _ in 0..50 {
                // Like Terraform's operations, each does other work between its requests.
                tokio::task::yield_now().await;
                pacer.acquire(RateClass::AuthkitWrite).await;
                starts.push(t0.elapsed());
            }
            starts
        }));
    }
    let mut per_task = vec![];
    for t in tasks {
        per_task.push(t.await.unwrap());
    }
    let mut all: Vec<Duration> = per_task.iter().flatten().copied().collect();
    all.sort();
    assert_eq!(all.len(), 1500);
    // The bucket rule: in any 10 s interval at most 500 starts.
    for (i, start) in all.iter().enumerate() {
        let within = all[i..]
            .iter()
            .take_while(|t| **t < *start + limit.per)
            .count();
        assert!(within <= 500, "{within} starts in 10 s from {start:?}");
    }
    // Burst of 50, then 45/s: the 1,500th start is at (1500 - 50) / 45 s.
    let last = *all.last().unwrap();
    let expect = Duration::from_secs_f64(1450.0 / 45.0);
    assert!(
        last >= expect - Duration::from_millis(50) && last <= expect + Duration::from_millis(50),
        "{last:?} vs {expect:?}"
    );
    // Fair: waiters are served in arrival order, so every task finishes within one round
    // (30 slots, 0.67 s) of the others.
    let finishes: Vec<Duration> = per_task.iter().map(|s| *s.last().unwrap()).collect();
    let (lo, hi) = (
        finishes.iter().min().unwrap(),
        finishes.iter().max().unwrap(),
    );
    assert!(*hi - *lo <= Duration::from_secs(1), "{lo:?}..{hi:?}");
    // An unpaced class never waits.
    assert_eq!(pacer.reserve(RateClass::General), Duration::ZERO);
}

#[tokio::test]
async fn a_rate_limited_class_is_held_for_every_request() {
    // The first request meets a 429 with Retry-After: 1; a second request of the same class
    // started meanwhile waits for the hold instead of running into the limit.
    let srv = serve(|_, i| {
        if i == 0 {
            let mut r = resp(429, json!({}));
            r.headers.push(("Retry-After", "1".into()));
            r
        } else {
            resp(200, json!({"ok": true}))
        }
    })
    .await;
    let c = client(&srv.base_url);
    c.request(Method::Get, "/a", &[], None).await.unwrap();
    assert_eq!(srv.requests().len(), 2);
    // Hold a class directly and check that a request waits for it.
    c.pacer().hold(
        terraform_provider_workos::transport::RateClass::General,
        Duration::from_secs(30),
    );
    let wait = c
        .pacer()
        .reserve(terraform_provider_workos::transport::RateClass::General);
    assert!(wait > Duration::from_secs(29), "{wait:?}");
}

#[path = "common/https.rs"]
#[allow(dead_code)]
mod https;

#[tokio::test]
async fn ca_bundle_file_trusts_a_private_ca() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("ping"), r#"{"pong":true}"#).unwrap();
    let server = https::StaticHttps::start(root.path());
    let with_ca = Client::new(ClientConfig {
        ca_bundle_file: Some(server.ca_pem().to_path_buf()),
        ..ClientConfig::new(server.url(), KEY, UA)
    })
    .unwrap();
    let r = with_ca
        .request(Method::Get, "/ping", &[], None)
        .await
        .unwrap();
    assert_eq!(r.body, json!({"pong": true}));

    // Without it the certificate is refused, once: an untrusted certificate does not heal.
    let without = Client::new(ClientConfig::new(server.url(), KEY, UA)).unwrap();
    let err = without
        .request(Method::Get, "/ping", &[], None)
        .await
        .unwrap_err();
    assert!(err.message.contains("certificate"), "{err}");
    assert_eq!(server.requests().len(), 1, "{:?}", server.requests());

    // A file that is not a PEM bundle is refused when the client is built.
    let bad = root.path().join("bad.pem");
    std::fs::write(&bad, "not a certificate").unwrap();
    let err = Client::new(ClientConfig {
        ca_bundle_file: Some(bad),
        ..ClientConfig::new(server.url(), KEY, UA)
    })
    .unwrap_err();
    assert!(err.message.contains("no PEM certificate"), "{err}");
}
