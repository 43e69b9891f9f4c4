//! Refreshes served from a type's list operation instead of one GET per object.
//!
//! Terraform refreshes every object of a plan in one provider process, one ReadResource per
//! object, up to `-parallelism` (10) at a time and in no useful order. For a resource whose
//! descriptor has a [`RefreshList`] (the generator emits one only where the list's item schema
//! is the GET response schema), reads of one type and one list path (the same parent) share a
//! [`Walk`] over that list: pages of 100 are fetched one at a time, in order, and a read whose
//! object is on a fetched page is served from it.
//!
//! Drift detection is the GET's:
//! - a served item is handed to the same response → state mapping as a GET body (changed →
//!   diff; unchanged → no diff);
//! - a read whose object is on no fetched page GETs it, so "deleted" is only ever concluded
//!   from the GET's 404, never from an item's absence (a list that leaves objects out costs
//!   requests, not correctness);
//! - objects listed but not managed ("created elsewhere") are never looked at;
//! - an item is served once; a second read of the same object GETs it.
//!
//! What invalidates the pages: any write in the process (every `apply_resource_change`,
//! whatever its type: a hook or extra write of one type may change another's objects), a new
//! provider configuration, and age: pages older than [`MAX_AGE`] are dropped before a read.
//! A page fetch that was under way when its pages were invalidated is discarded.
//!
//! # The budget rule, and the bound it gives
//!
//! Per walk and per provider process, let `R` be the reads requested, `H` the reads served
//! from pages (hits) and `P` the pages fetched (counted when the fetch starts). These counters
//! survive invalidation. A read of an object not (yet) on a page:
//! - GETs it when the listing is complete or broken (an error or a malformed page);
//! - waits when another read is fetching a page, then looks again;
//! - fetches the next page itself when `P < H + credit(R)`, where
//!   `credit(R) = min(⌊R / 4⌋, 5)` ([`READS_PER_CREDIT`], [`MAX_CREDIT`]), then looks again;
//! - otherwise GETs it.
//!
//! Every read makes at most one GET, and a hit makes none, so GETs ≤ R − H. Pages only start
//! while `P < H + credit(R)` and `H`, `R` only grow, so P ≤ H + credit(R). Hence
//!
//! > requests = GETs + P ≤ R + min(⌊R / 4⌋, 5)
//!
//! for any number of objects in the account: one, two or three reads cost exactly their GETs;
//! a few managed objects among 100,000 never list more than 5 pages (at 4 reads: 1 page at
//! most, so ≤ 5 requests). The credit is the gamble that starts a walk (the first pages pay
//! off only once reads find their objects on them); hits then pay for further pages. For
//! 1,000 managed objects among 1,000 read in random order the walk lists all 10 pages with
//! a handful of GETs (simulated: 11 to 25 requests).

use super::api;
use crate::transport::{ApiError, Client};
use crate::value::Value;
use descriptor::{Method, RefreshList, ResourceDesc};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Items per page asked for.
pub const PAGE_SIZE: usize = 100;
/// Reads that earn one page of credit.
pub const READS_PER_CREDIT: u64 = 4;
/// The most credit a walk ever has.
pub const MAX_CREDIT: u64 = 5;
/// Pages older than this are not served.
pub const MAX_AGE: Duration = Duration::from_secs(120);

/// Pages the budget allows beyond those paid for by hits, after `requested` reads.
pub fn credit(requested: u64) -> u64 {
    (requested / READS_PER_CREDIT).min(MAX_CREDIT)
}

/// May a read start another page fetch?
pub fn may_fetch(pages: u64, hits: u64, requested: u64) -> bool {
    pages < hits + credit(requested)
}

/// Every walk of the process, by resource type and list path.
#[derive(Default)]
pub struct Refreshes {
    walks: Mutex<HashMap<(&'static str, String), Arc<Walk>>>,
}

impl Refreshes {
    /// Drop every fetched page (the counters behind the bound are kept).
    pub fn invalidate(&self) {
        for w in lock(&self.walks).values() {
            w.invalidate();
        }
    }

    /// The object's current JSON, from a page or a GET; `None` when the GET says it is gone.
    pub async fn fetch(
        &self,
        client: &Client,
        r: &'static ResourceDesc,
        list: &'static RefreshList,
        obj: &Value,
    ) -> Result<Option<Json>, ApiError> {
        let key = obj.attr(list.attr).as_str().unwrap_or_default().to_string();
        let Ok(path) = api::render_path(&list.op, obj) else {
            return super::read::fetch(client, r, obj).await;
        };
        if key.is_empty() {
            return super::read::fetch(client, r, obj).await;
        }
        let walk = lock(&self.walks)
            .entry((r.name, path.clone()))
            .or_insert_with(|| Arc::new(Walk::new(list.field)))
            .clone();
        match walk.serve(client, &path, &key).await {
            Some(item) => Ok(Some(item)),
            None => super::read::fetch(client, r, obj).await,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where the listing stands.
#[derive(Debug, Clone, PartialEq)]
enum Cursor {
    Start,
    After(String),
    Complete,
    Broken,
}

/// What a read does next.
#[derive(Debug, PartialEq)]
enum Step {
    Hit(Json),
    Get,
    Wait,
    Fetch { epoch: u64, after: Option<String> },
}

/// The shared state of one walk.
#[derive(Debug)]
struct State {
    requested: u64,
    hits: u64,
    pages: u64,
    /// Bumped by every invalidation; a fetch of an older epoch is discarded.
    epoch: u64,
    since: Instant,
    cursor: Cursor,
    fetching: bool,
    /// Listed items not served yet, by identity.
    items: HashMap<String, Json>,
}

impl State {
    fn new() -> State {
        State {
            requested: 0,
            hits: 0,
            pages: 0,
            epoch: 0,
            since: Instant::now(),
            cursor: Cursor::Start,
            fetching: false,
            items: HashMap::new(),
        }
    }

    fn invalidate(&mut self) {
        self.epoch += 1;
        self.since = Instant::now();
        self.cursor = Cursor::Start;
        self.fetching = false;
        self.items.clear();
    }

    /// The next step of a read of `key` (the budget rule of the module doc).
    fn step(&mut self, key: &str) -> Step {
        if self.since.elapsed() > MAX_AGE {
            self.invalidate();
        }
        if let Some(item) = self.items.remove(key) {
            self.hits += 1;
            return Step::Hit(item);
        }
        let after = match &self.cursor {
            Cursor::Complete | Cursor::Broken => return Step::Get,
            Cursor::Start => None,
            Cursor::After(c) => Some(c.clone()),
        };
        if self.fetching {
            return Step::Wait;
        }
        if !may_fetch(self.pages, self.hits, self.requested) {
            return Step::Get;
        }
        self.pages += 1;
        self.fetching = true;
        Step::Fetch {
            epoch: self.epoch,
            after,
        }
    }

    /// A fetched page (`None`: the fetch failed or the page was malformed).
    fn page(&mut self, epoch: u64, field: &str, page: Option<(Vec<Json>, Option<String>)>) {
        if epoch != self.epoch {
            return;
        }
        self.fetching = false;
        let Some((items, next)) = page else {
            self.cursor = Cursor::Broken;
            return;
        };
        for item in items {
            if let Some(k) = item.get(field).and_then(Json::as_str) {
                self.items.insert(k.to_string(), item);
            }
        }
        self.cursor = match next {
            Some(c) if self.cursor != Cursor::After(c.clone()) => Cursor::After(c),
            Some(_) => Cursor::Broken,
            None => Cursor::Complete,
        };
    }
}

/// One list walk: its state and the signal that a page arrived.
struct Walk {
    field: &'static str,
    state: Mutex<State>,
    arrived: watch::Sender<u64>,
}

/// Ends a fetch that did not finish (its read was cancelled): the listing is broken, and
/// waiting reads look again.
struct Unfinished<'a> {
    walk: &'a Walk,
    epoch: u64,
    armed: bool,
}

impl Drop for Unfinished<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.walk.finish(self.epoch, None);
        }
    }
}

impl Walk {
    fn new(field: &'static str) -> Walk {
        Walk {
            field,
            state: Mutex::new(State::new()),
            arrived: watch::channel(0).0,
        }
    }

    fn invalidate(&self) {
        lock(&self.state).invalidate();
        self.arrived.send_modify(|n| *n += 1);
    }

    fn finish(&self, epoch: u64, page: Option<(Vec<Json>, Option<String>)>) {
        lock(&self.state).page(epoch, self.field, page);
        self.arrived.send_modify(|n| *n += 1);
    }

    /// The object's item from a page, or `None` when the read must GET it.
    async fn serve(&self, client: &Client, path: &str, key: &str) -> Option<Json> {
        lock(&self.state).requested += 1;
        loop {
            let (step, mut arrived) = {
                let mut s = lock(&self.state);
                (s.step(key), self.arrived.subscribe())
            };
            match step {
                Step::Hit(item) => return Some(item),
                Step::Get => return None,
                Step::Wait => {
                    let _ = arrived.changed().await;
                }
                Step::Fetch { epoch, after } => {
                    let mut guard = Unfinished {
                        walk: self,
                        epoch,
                        armed: true,
                    };
                    let page = fetch_page(client, path, after).await;
                    guard.armed = false;
                    self.finish(epoch, page);
                }
            }
        }
    }
}

/// One page: its items and the next cursor (`None` at the end).
async fn fetch_page(
    client: &Client,
    path: &str,
    after: Option<String>,
) -> Option<(Vec<Json>, Option<String>)> {
    let mut query = vec![("limit".to_string(), PAGE_SIZE.to_string())];
    query.extend(after.map(|c| ("after".to_string(), c)));
    let body = client
        .request(Method::Get, path, &query, None)
        .await
        .ok()?
        .body;
    let items = body.get("data")?.as_array()?.clone();
    let next = match body.pointer("/list_metadata/after") {
        Some(Json::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    Some((items, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(id: &str) -> Json {
        json!({"id": id, "name": id})
    }

    /// A state whose reads have all been requested.
    fn with_reads(n: u64) -> State {
        State {
            requested: n,
            ..State::new()
        }
    }

    #[test]
    fn few_reads_never_list() {
        for n in 1..READS_PER_CREDIT {
            let mut s = with_reads(n);
            assert_eq!(s.step("org_1"), Step::Get, "{n} reads");
            assert_eq!(s.pages, 0);
        }
    }

    #[test]
    fn a_few_objects_among_many_list_at_most_the_credit() {
        // Twelve managed objects in a huge account, none on the pages fetched: the walk
        // stops at the credit (3 pages) and every read GETs.
        let mut s = with_reads(12);
        let mut requests = 0;
        for read in 0..12 {
            loop {
                match s.step(&format!("mine_{read}")) {
                    Step::Fetch { epoch, .. } => {
                        requests += 1;
                        let page = (0..100).map(|i| item(&format!("other_{i}"))).collect();
                        s.page(epoch, "id", Some((page, Some(format!("c{requests}")))));
                    }
                    Step::Get => {
                        requests += 1;
                        break;
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
        assert_eq!(s.pages, credit(12));
        assert_eq!(requests, 12 + 3, "R + min(R/4, 5)");
    }

    /// Reads one after another of `managed` objects (in a scrambled order; `gone` of them no
    /// longer exist) in an account listing `account` objects; the requests they cost.
    fn requests_for(account: u64, managed: u64, gone: u64, seed: u64) -> u64 {
        let mut s = State::new();
        let mut requests = 0;
        let stride = 7919 * seed + 1;
        for read in 0..managed {
            let n = (read * stride) % (managed.max(account));
            let key = if read < gone {
                format!("gone_{read}")
            } else {
                format!("o{n}")
            };
            s.requested += 1;
            loop {
                match s.step(&key) {
                    Step::Hit(_) => break,
                    Step::Get | Step::Wait => {
                        requests += 1;
                        break;
                    }
                    Step::Fetch { epoch, after } => {
                        requests += 1;
                        let from: u64 = after.map_or(0, |c| c[1..].parse().unwrap());
                        let to = (from + PAGE_SIZE as u64).min(account);
                        let page = (from..to).map(|i| item(&format!("o{i}"))).collect();
                        let next = (to < account).then(|| format!("c{to}"));
                        s.page(epoch, "id", Some((page, next)));
                    }
                }
            }
        }
        requests
    }

    #[test]
    fn requests_never_exceed_one_get_per_read_plus_the_credit() {
        let cases = [
            (10, 3, 0),
            (100_000, 4, 0),
            (100_000, 30, 2),
            (1000, 1000, 1),
        ];
        for (account, managed, gone) in cases {
            for seed in 0..5 {
                let got = requests_for(account, managed, gone, seed);
                let bound = managed + credit(managed);
                assert!(got <= bound, "{managed} of {account}: {got} > {bound}");
            }
        }
        assert_eq!(
            requests_for(100_000, 3, 0, 1),
            3,
            "three reads cost three GETs"
        );
        assert!(
            requests_for(1000, 1000, 1, 0) < 1000 / 2,
            "one read after another still profits from the listing"
        );
    }

    #[test]
    fn hits_are_served_once_and_a_complete_listing_sends_misses_to_get() {
        let mut s = with_reads(8);
        let Step::Fetch { epoch, after: None } = s.step("a") else {
            panic!("the first page starts the walk")
        };
        assert_eq!(s.step("b"), Step::Wait, "one fetch at a time");
        s.page(epoch, "id", Some((vec![item("a"), item("b")], None)));
        assert_eq!(s.step("a"), Step::Hit(item("a")));
        assert_eq!(s.step("a"), Step::Get, "an item is served once");
        assert_eq!(s.step("gone"), Step::Get, "absence is decided by a GET");
        assert_eq!(s.hits, 1);
    }

    #[test]
    fn invalidation_discards_pages_and_fetches_under_way() {
        let mut s = with_reads(8);
        let Step::Fetch { epoch, .. } = s.step("a") else {
            panic!()
        };
        s.invalidate();
        s.page(epoch, "id", Some((vec![item("a")], None)));
        assert!(
            s.items.is_empty(),
            "a page from before the write is dropped"
        );
        let Step::Fetch { after: None, .. } = s.step("a") else {
            panic!("the walk starts over")
        };
        assert_eq!(s.pages, 2, "pages keep counting across invalidations");
    }

    #[test]
    fn a_failed_or_looping_page_breaks_the_walk() {
        let mut s = with_reads(20);
        let Step::Fetch { epoch, .. } = s.step("a") else {
            panic!()
        };
        s.page(epoch, "id", Some((vec![], Some("c".into()))));
        let Step::Fetch { epoch, after } = s.step("a") else {
            panic!()
        };
        assert_eq!(after.as_deref(), Some("c"));
        s.page(epoch, "id", Some((vec![], Some("c".into()))));
        assert_eq!(s.cursor, Cursor::Broken, "a repeated cursor ends the walk");
        let mut s = with_reads(20);
        let Step::Fetch { epoch, .. } = s.step("a") else {
            panic!()
        };
        s.page(epoch, "id", None);
        assert_eq!(s.step("a"), Step::Get);
    }

    /// A loopback list of `n` things, pages of `limit` with an `after` cursor; counts pages.
    async fn list_server(n: usize) -> (String, Arc<Mutex<usize>>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let pages = Arc::new(Mutex::new(0));
        let count = pages.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = vec![0u8; 8192];
                let got = s.read(&mut buf).await.unwrap_or(0);
                let line = String::from_utf8_lossy(&buf[..got]).to_string();
                let target = line.split(' ').nth(1).unwrap_or("").to_string();
                let from: usize = target
                    .split("after=c")
                    .nth(1)
                    .and_then(|c| c.split('&').next()?.parse().ok())
                    .unwrap_or(0);
                *lock(&count) += 1;
                let to = (from + PAGE_SIZE).min(n);
                let data: Vec<Json> = (from..to).map(|i| item(&format!("t{i}"))).collect();
                let after = (to < n).then(|| format!("c{to}"));
                let body = json!({"data": data, "list_metadata": {"after": after}}).to_string();
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(reply.as_bytes()).await;
            }
        });
        (url, pages)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_reads_share_one_walk_within_the_bound() {
        let (url, pages) = list_server(300).await;
        let mut cfg = crate::transport::ClientConfig::new(url, "sk_test_refresh", "test");
        cfg.max_retries = 0;
        let client = Client::new(cfg).unwrap();
        let walk = Arc::new(Walk::new("id"));
        // 40 reads, 10 at a time as Terraform does: 38 listed objects and 2 that are not.
        let keys: Vec<String> = (0..40)
            .map(|i| {
                if i % 20 == 7 {
                    format!("gone{i}")
                } else {
                    format!("t{}", (i * 37) % 300)
                }
            })
            .collect();
        let sem = Arc::new(tokio::sync::Semaphore::new(10));
        let mut tasks = vec![];
        for k in keys.clone() {
            let (walk, client, sem) = (walk.clone(), client.clone(), sem.clone());
            tasks.push(tokio::spawn(async move {
                let _permit = sem.acquire().await.unwrap();
                let served = walk.serve(&client, "/things", &k).await;
                (k, served)
            }));
        }
        let mut gets = 0;
        for t in tasks {
            let (k, served) = tokio::time::timeout(Duration::from_secs(20), t)
                .await
                .expect("no read waits forever")
                .unwrap();
            if k.starts_with("gone") {
                assert!(served.is_none(), "an unlisted object goes to a GET");
            }
            match served {
                Some(item) => assert_eq!(item["id"], json!(k), "the object's own item"),
                None => gets += 1,
            }
        }
        let pages = *lock(&pages);
        assert!(pages <= 3, "300 objects are 3 pages: {pages}");
        assert!(
            pages + gets <= 40 + credit(40) as usize,
            "{pages} pages + {gets} GETs"
        );
        assert!(gets < 20, "most reads are served from pages: {gets} GETs");
    }
}
