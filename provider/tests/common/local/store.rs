//! The generic in-memory store behind every local family: collections of JSON objects in
//! creation order, ids as prefix + ULID, a clock whose timestamps strictly increase (so
//! `updated_at` always moves), the spec's list envelope with cursors, and cascades.
//!
//! Fields whose name starts with `_` are the store's own (hidden secrets, links) and never
//! leave the bench: [`public`] strips them from every answer.
use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::families::{Family, Parent, FAMILIES};
use super::Out;

#[derive(Default)]
pub struct Store {
    cols: HashMap<&'static str, Vec<Value>>,
    last_ms: u64,
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// 26 Crockford base32 characters: 48 bits of milliseconds, then 80 random bits.
pub fn ulid(ms: u64) -> String {
    let rand_bits: u128 = rand::random::<u128>() & ((1u128 << 80) - 1);
    let v: u128 = ((ms as u128) << 80) | rand_bits;
    (0..26)
        .map(|i| CROCKFORD[((v >> (125 - 5 * i)) & 31) as usize] as char)
        .collect()
}

fn real_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// ISO-8601 UTC with milliseconds (`2026-12-01T12:00:00.000Z`).
pub fn iso(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

/// Reads a dotted path (`owner.id`) of an object.
pub fn get_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, k| cur.get(k))
}

/// Writes a dotted path, creating intermediate objects.
pub fn set_path(v: &mut Value, path: &str, val: Value) {
    let mut cur = v;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, k) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let obj = cur.as_object_mut().expect("object");
        if i + 1 == parts.len() {
            obj.insert(k.to_string(), val);
            return;
        }
        cur = obj
            .entry(k.to_string())
            .or_insert(Value::Object(Map::new()));
    }
}

/// The object as the API shows it: without the store's `_` fields.
pub fn public(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('_'))
                .map(|(k, v)| (k.clone(), public(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

impl Store {
    /// The next timestamp: now, but always later than the previous one.
    pub fn now(&mut self) -> String {
        let ms = real_ms().max(self.last_ms + 1);
        self.last_ms = ms;
        iso(ms)
    }

    pub fn new_id(&mut self, prefix: &str) -> String {
        let ms = real_ms().max(self.last_ms);
        format!("{prefix}{}", ulid(ms))
    }

    pub fn all(&self, fam: &str) -> &[Value] {
        self.cols.get(fam).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn find(&self, fam: &str, pred: impl Fn(&Value) -> bool) -> Option<&Value> {
        self.all(fam).iter().find(|v| pred(v))
    }

    pub fn find_mut(&mut self, fam: &str, pred: impl Fn(&Value) -> bool) -> Option<&mut Value> {
        self.cols.get_mut(fam)?.iter_mut().find(|v| pred(v))
    }

    pub fn by_id(&self, fam: &str, id: &str) -> Option<&Value> {
        self.find(fam, |v| v["id"] == id)
    }

    pub fn insert(&mut self, fam: &'static str, v: Value) {
        self.cols.entry(fam).or_default().push(v);
    }

    /// Removes the matching objects of `fam` and, transitively, every object of any family
    /// whose parent they were. Returns how many objects went.
    pub fn remove_where(&mut self, fam: &'static str, pred: impl Fn(&Value) -> bool) -> usize {
        let Some(col) = self.cols.get_mut(fam) else {
            return 0;
        };
        let (gone, kept): (Vec<Value>, Vec<Value>) = col.drain(..).partition(|v| pred(v));
        *col = kept;
        let mut n = gone.len();
        for v in gone {
            if let Some(id) = v["id"].as_str() {
                n += self.cascade(Parent::Local(fam), id);
            }
        }
        n
    }

    /// Removes every local object whose parent (of kind `parent`) is `id`, transitively.
    pub fn cascade(&mut self, parent: Parent, id: &str) -> usize {
        let mut n = 0;
        for fam in FAMILIES {
            for (field, p) in fam.parents {
                if *p == parent {
                    n += self.remove_where(fam.name, |v| {
                        get_path(v, field).and_then(Value::as_str) == Some(id)
                    });
                }
            }
        }
        n
    }
}

/// The spec's list query: `limit` 1–100 (default 10), `order` asc|desc|normal (default
/// desc), `before`/`after` cursors (ids of the listed objects).
pub struct Page {
    limit: usize,
    asc: bool,
    before: Option<String>,
    after: Option<String>,
}

impl Page {
    pub fn parse(q: &HashMap<String, String>) -> Result<Page, Out> {
        let limit = match q.get("limit") {
            None => 10,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if (1..=100).contains(&n) => n,
                _ => return Err(Out::invalid("limit", "limit must be between 1 and 100")),
            },
        };
        let asc = match q.get("order").map(String::as_str) {
            None | Some("desc") | Some("normal") => false,
            Some("asc") => true,
            Some(_) => return Err(Out::invalid("order", "order must be asc, desc or normal")),
        };
        Ok(Page {
            limit,
            asc,
            before: q.get("before").cloned(),
            after: q.get("after").cloned(),
        })
    }

    /// One page of `items` (given in creation order) as the spec's list envelope.
    pub fn envelope(&self, mut items: Vec<Value>) -> Value {
        if !self.asc {
            items.reverse();
        }
        let pos = |c: &str| items.iter().position(|v| v["id"] == c);
        let (start, end) = match (&self.after, &self.before) {
            (Some(a), _) => {
                let s = pos(a).map_or(0, |i| i + 1);
                (s, (s + self.limit).min(items.len()))
            }
            (None, Some(b)) => {
                let e = pos(b).unwrap_or(0);
                (e.saturating_sub(self.limit), e)
            }
            (None, None) => (0, self.limit.min(items.len())),
        };
        let cursor = |i: usize| items.get(i).map(|v| v["id"].clone());
        let before = if start > 0 { cursor(start) } else { None };
        let after = if end < items.len() && end > start {
            cursor(end - 1)
        } else {
            None
        };
        let data: Vec<Value> = items[start..end].iter().map(public).collect();
        json!({
            "object": "list",
            "data": data,
            "list_metadata": {"before": before, "after": after},
        })
    }
}

/// A family's objects that match every `(field path, value)` pair.
pub fn matching(store: &Store, fam: &Family, fields: &[(String, Value)]) -> Vec<Value> {
    store
        .all(fam.name)
        .iter()
        .filter(|v| fields.iter().all(|(f, want)| get_path(v, f) == Some(want)))
        .cloned()
        .collect()
}
