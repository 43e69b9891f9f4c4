//! `terraform destroy` and the check that follows it (module of `acceptance.rs`).
//!
//! Every case ends with a destroy (an explicit `destroy` step, or the one the driver appends).
//! For every resource instance in state just before it, whose type the provider has, the
//! object's read operation is rendered from the descriptor (`generated::PROVIDER`) and the
//! state's attributes, and asked through the bench: after destroy, an object of a type with a
//! delete operation must be gone (404; for a read-by-list type: absent from the list), and an
//! object of a type without one must still exist, with destroy's warning that it was removed
//! from state only.

use std::collections::BTreeMap;

use descriptor::{Op, ReadDesc, ResourceDesc};
use serde::Deserialize;
use serde_json::Value;

use super::{need, Ctx};

const DESTROY: &[&str] = &["destroy", "-auto-approve", "-input=false", "-no-color"];

/// The summary of the engine's warning when destroy can only forget an object
/// (`provider/src/engine/apply.rs`, `delete`).
const FORGET_WARNING: &str = "Removed from state only";

/// A `destroy` step: `terraform destroy`, its output checked, then every object checked
/// through the API.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct DestroyStep {
    #[serde(default)]
    pub(crate) contains: Vec<String>,
    #[serde(default)]
    pub(crate) absent: Vec<String>,
}

/// One resource instance of the state before destroy.
struct Object {
    address: String,
    desc: &'static ResourceDesc,
    attrs: Value,
}

/// Whether the API still has the object.
#[derive(PartialEq, Debug)]
enum Remote {
    Exists,
    Gone,
}

impl Ctx<'_> {
    /// Runs `terraform destroy` and checks every object through the API; the summary line
    /// goes to the test output (libtest-mimic does not capture it, so `make test` logs it).
    pub(crate) fn destroy(&self, d: &DestroyStep, step: Option<usize>) -> Result<(), String> {
        if self.config.rejected {
            // Terraform validates the configuration on destroy too.
            match &self.config.usable {
                Some(c) => self.write_config(c)?,
                None => self.tf.write_main(""),
            }
        }
        let objects = self.objects()?;
        let mut before = Vec::new();
        for o in &objects {
            before.push(self.remote(o)?);
        }
        let r = self.tf.run(DESTROY);
        need(r.success(), || format!("destroy failed: {}", r.describe()))?;
        let mut contains = self.expand_all(&d.contains)?;
        if objects.iter().any(|o| o.desc.delete.is_none()) {
            contains.push(FORGET_WARNING.to_string());
        }
        self.check_text(&r, &contains, &self.expand_all(&d.absent)?)?;
        let left: Vec<String> = self.state_or_empty()?["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["mode"] == "managed")
            .map(|r| format!("{}.{}", r["type"], r["name"]))
            .collect();
        need(left.is_empty(), || {
            format!("the state still holds {left:?} after destroy")
        })?;

        let mut problems = Vec::new();
        let mut gone: BTreeMap<&str, usize> = BTreeMap::new();
        let mut kept: BTreeMap<&str, usize> = BTreeMap::new();
        for (o, was) in objects.iter().zip(&before) {
            let now = self.remote(o)?;
            let (want, tally) = match o.desc.delete {
                Some(_) => (Remote::Gone, &mut gone),
                None => (Remote::Exists, &mut kept),
            };
            if o.desc.delete.is_none() && *was == Remote::Gone {
                problems.push(format!(
                    "{}: gone before destroy, so destroy's forgetting shows nothing",
                    o.address
                ));
            }
            if now == want {
                *tally.entry(o.desc.name).or_default() += 1;
            } else {
                problems.push(format!(
                    "{} ({}): {:?} after destroy, expected {want:?}",
                    o.address,
                    self.read_path(o)?,
                    now
                ));
            }
        }
        need(problems.is_empty(), || {
            format!("after destroy:\n  {}", problems.join("\n  "))
        })?;
        let earlier = before.iter().filter(|b| **b == Remote::Gone).count();
        println!("{}", self.destroy_line(step, &gone, &kept, earlier));
        Ok(())
    }

    fn destroy_line(
        &self,
        step: Option<usize>,
        gone: &BTreeMap<&str, usize>,
        kept: &BTreeMap<&str, usize>,
        earlier: usize,
    ) -> String {
        let list = |m: &BTreeMap<&str, usize>| {
            let parts: Vec<String> = m.iter().map(|(t, n)| format!("{t} ×{n}")).collect();
            match parts.is_empty() {
                true => String::new(),
                false => format!(" ({})", parts.join(", ")),
            }
        };
        let total = |m: &BTreeMap<&str, usize>| m.values().sum::<usize>();
        let objects = |n: usize| match n {
            1 => "1 object".to_string(),
            n => format!("{n} objects"),
        };
        let mut line = format!(
            "acceptance/{}: destroy{}: {} gone{}",
            self.name,
            step.map_or(String::new(), |n| format!(" (step {n})")),
            objects(total(gone)),
            list(gone)
        );
        if earlier > 0 {
            line.push_str(&format!(", {earlier} of them already gone before destroy"));
        }
        if !kept.is_empty() {
            line.push_str(&format!(
                "; {} kept remotely, removed from state only{}",
                objects(total(kept)),
                list(kept)
            ));
        }
        line
    }

    /// The state; an empty one when Terraform has written none (nothing was ever applied).
    fn state_or_empty(&self) -> Result<Value, String> {
        match self.tf.path().join("terraform.tfstate").exists() {
            true => self.state(),
            false => Ok(Value::Null),
        }
    }

    /// The managed resource instances in state whose type the provider has.
    fn objects(&self) -> Result<Vec<Object>, String> {
        let state = self.state_or_empty()?;
        let mut objects = Vec::new();
        for r in state["resources"].as_array().into_iter().flatten() {
            if r["mode"] != "managed" {
                continue;
            }
            let ty = r["type"].as_str().unwrap_or_default();
            let Some(desc) = generated::PROVIDER.resources.iter().find(|d| d.name == ty) else {
                continue;
            };
            let module = r["module"]
                .as_str()
                .map_or(String::new(), |m| format!("{m}."));
            for i in r["instances"].as_array().into_iter().flatten() {
                let key = match &i["index_key"] {
                    Value::Null => String::new(),
                    k => format!("[{k}]"),
                };
                objects.push(Object {
                    address: format!("{module}{ty}.{}{key}", r["name"].as_str().unwrap_or("?")),
                    desc,
                    attrs: i["attributes"].clone(),
                });
            }
        }
        Ok(objects)
    }

    /// The path of the object's read operation (for a read-by-list type: of the list).
    fn read_path(&self, o: &Object) -> Result<String, String> {
        let op = match &o.desc.read {
            ReadDesc::Get(op) => op,
            ReadDesc::ListFind { op, .. } => op,
        };
        render(op, &o.attrs).map_err(|e| format!("{}: {e}", o.address))
    }

    /// Asks the API whether the object exists: a GET answering 200 or 404, or, for a
    /// read-by-list type, whether some item of the list (every page) carries its identity.
    fn remote(&self, o: &Object) -> Result<Remote, String> {
        let path = self.read_path(o)?;
        let (field, attr) = match &o.desc.read {
            ReadDesc::Get(_) => {
                let (status, body) = self.bench.api("GET", &path, None);
                return match status {
                    200 => Ok(Remote::Exists),
                    404 => Ok(Remote::Gone),
                    _ => Err(format!(
                        "{}: GET {path}: status {status}, expected 200 or 404: {body}",
                        o.address
                    )),
                };
            }
            ReadDesc::ListFind { field, attr, .. } => (*field, *attr),
        };
        let want = &o.attrs[attr];
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut after: Option<String> = None;
        loop {
            let page = match &after {
                None => format!("{path}{sep}limit=100"),
                Some(a) => format!("{path}{sep}limit=100&after={a}"),
            };
            let (status, body) = self.bench.api("GET", &page, None);
            need(status == 200, || {
                format!("{}: GET {page}: status {status}: {body}", o.address)
            })?;
            let items = body["data"]
                .as_array()
                .ok_or_else(|| format!("{}: GET {page}: no list at /data: {body}", o.address))?;
            if items.iter().any(|item| &item[field] == want) {
                return Ok(Remote::Exists);
            }
            match body["list_metadata"]["after"].as_str() {
                Some(a) if !a.is_empty() && Some(a) != after.as_deref() => {
                    after = Some(a.to_string())
                }
                _ => return Ok(Remote::Gone),
            }
        }
    }
}

/// An operation's path with each `{param}` replaced by its attribute's value from state, and
/// its attribute-bound query parameters.
fn render(op: &Op, attrs: &Value) -> Result<String, String> {
    let text = |attr: &str| -> Result<String, String> {
        match &attrs[attr] {
            Value::String(s) if !s.is_empty() => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(format!(
                "{} {}: `{attr}` is {other} in state",
                op.method, op.path
            )),
        }
    };
    let mut path = op.path.to_string();
    for p in op.path_params {
        path = path.replace(&format!("{{{}}}", p.param), &encode(&text(p.attr)?));
    }
    let mut query = Vec::new();
    for p in op.query_params {
        if let Ok(v) = text(p.attr) {
            query.push(format!("{}={}", encode(p.param), encode(&v)));
        }
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    Ok(path)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(
            |b| match b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                true => (b as char).to_string(),
                false => format!("%{b:02X}"),
            },
        )
        .collect()
}
