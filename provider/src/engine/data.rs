//! Data sources: one object by exactly one lookup argument, or a whole filtered list.

use super::{api, convert, validate};
use crate::core::DataReadResponse;
use crate::diag::{Diagnostic, Diagnostics};
use crate::transport::{ApiError, Client};
use crate::value::{AttributePath, Value};
use descriptor::{Attr, DataKind, DataSourceDesc, Lookup, Mode, Op, Ty};
use serde_json::Value as Json;
use std::collections::BTreeMap;

pub fn validate(ds: &DataSourceDesc, config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    validate::validate_object(ds.attrs, config, &AttributePath::root(), &mut d);
    super::exclusive::check(ds.groups, config, &mut d);
    if let DataKind::Single(lookups) = &ds.kind {
        let set: Vec<&str> = lookups
            .iter()
            .filter(|l| !config.attr(l.arg).is_null())
            .map(|l| l.arg)
            .collect();
        let names: Vec<String> = lookups.iter().map(|l| format!("`{}`", l.arg)).collect();
        if set.len() > 1 {
            d.push(
                Diagnostic::error(
                    "Conflicting lookup arguments",
                    format!(
                        "Set exactly one of {}; got {}.",
                        names.join(", "),
                        set.join(" and ")
                    ),
                )
                .at(AttributePath::attr(set[1])),
            );
        } else if set.is_empty() && !lookups.iter().any(|l| config.attr(l.arg).is_unknown()) {
            d.push(Diagnostic::error(
                "Missing lookup argument",
                format!("Set exactly one of {}.", names.join(", ")),
            ));
        }
    }
    d
}

/// Map an API object onto the data source's attributes; arguments keep their config values.
fn object_from(attrs: &[Attr], j: &Json, config: &Value) -> Value {
    let mut out = BTreeMap::new();
    for a in attrs {
        let cfg = config.attr(a.name);
        let v = if a.mode != Mode::Computed && !cfg.is_null() {
            cfg.clone()
        } else {
            match a.response_field.and_then(|f| j.get(f)) {
                Some(v) => convert::from_json(v, &a.ty, a.response_item_field),
                None => cfg.clone(),
            }
        };
        out.insert(a.name.to_string(), v);
    }
    Value::Object(out)
}

/// A failed lookup as diagnostics.
fn read_failed(ds: &DataSourceDesc, e: ApiError) -> Diagnostics {
    Diagnostics(api::error_diag("Read", ds.name, &e, ds.attrs))
}

/// No object: the diagnostics say why.
fn failed(diagnostics: Diagnostics) -> DataReadResponse {
    DataReadResponse {
        state: Value::Null,
        diagnostics,
    }
}

pub async fn read(client: &Client, ds: &DataSourceDesc, config: &Value) -> DataReadResponse {
    let diags = validate(ds, config);
    if diags.has_errors() {
        return failed(diags);
    }
    let result = match &ds.kind {
        DataKind::Single(lookups) => match lookups.iter().find(|l| !config.attr(l.arg).is_null()) {
            Some(l) => read_single(client, ds, l, config).await,
            None => Err(Diagnostics::default()),
        },
        DataKind::List { op, into } => read_list(client, ds, op, into, config).await,
    };
    match result {
        Ok(state) => DataReadResponse {
            state,
            diagnostics: diags,
        },
        Err(mut d) => {
            d.0.splice(0..0, diags.0);
            failed(d)
        }
    }
}

/// The one object a lookup finds (`None` when nothing matches).
async fn find(
    client: &Client,
    ds: &DataSourceDesc,
    l: &Lookup,
    config: &Value,
) -> Result<Option<Json>, Diagnostics> {
    let required = api::identity_fields(ds.attrs);
    if !l.expect_one {
        return match api::call_object(client, &l.op, config, None, &required).await {
            Ok(j) => Ok(Some(j)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(read_failed(ds, e)),
        };
    }
    let mut items = api::list_objects(client, &l.op, config, &required)
        .await
        .map_err(|e| read_failed(ds, e))?;
    if items.len() > 1 {
        let wanted = format!("{} = {}", l.arg, value_text(config.attr(l.arg)));
        return Err(Diagnostic::error(
            format!("More than one match for {}", ds.name),
            format!(
                "{} objects match {wanted}; it must identify exactly one.",
                items.len()
            ),
        )
        .at(AttributePath::attr(l.arg))
        .into());
    }
    Ok(items.pop())
}

async fn read_single(
    client: &Client,
    ds: &DataSourceDesc,
    l: &Lookup,
    config: &Value,
) -> Result<Value, Diagnostics> {
    match find(client, ds, l, config).await? {
        Some(j) => Ok(object_from(ds.attrs, &j, config)),
        None => Err(Diagnostic::error(
            format!("No match for {}", ds.name),
            format!(
                "Nothing matches {} = {}.",
                l.arg,
                value_text(config.attr(l.arg))
            ),
        )
        .at(AttributePath::attr(l.arg))
        .into()),
    }
}

async fn read_list(
    client: &Client,
    ds: &DataSourceDesc,
    op: &Op,
    into: &str,
    config: &Value,
) -> Result<Value, Diagnostics> {
    let items = api::list_objects(client, op, config, &[])
        .await
        .map_err(|e| read_failed(ds, e))?;
    let mut state = match config {
        Value::Object(m) => m.clone(),
        _ => BTreeMap::new(),
    };
    for a in ds.attrs {
        state.entry(a.name.to_string()).or_insert(Value::Null);
    }
    let item_attrs: &[Attr] = match ds.attrs.iter().find(|a| a.name == into).map(|a| &a.ty) {
        Some(Ty::List(Ty::Object(attrs)) | Ty::Set(Ty::Object(attrs))) => attrs,
        _ => &[],
    };
    let list = items
        .iter()
        .map(|j| object_from(item_attrs, j, &Value::Null))
        .collect();
    state.insert(into.to_string(), Value::List(list));
    Ok(Value::Object(state))
}

/// A lookup value for a diagnostic: a short prefix of it, never all of a huge value.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => crate::value::codec::short(s),
        other => crate::value::codec::short(&format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::PARENT_LIST;
    use std::sync::{Arc, Mutex};

    /// A loopback API answering every request with one page of `data`; records request lines.
    async fn one_page(data: Json) -> (String, Arc<Mutex<Vec<String>>>) {
        let body = serde_json::json!({"data": data, "list_metadata": {"after": null}});
        crate::engine::testing::serve(200, body.to_string()).await
    }

    fn config(parent: Value) -> Value {
        let mut m = BTreeMap::new();
        m.insert("parent_id".to_string(), parent);
        m.insert("name".to_string(), Value::String("b".into()));
        m.insert("things".to_string(), Value::Null);
        Value::Object(m)
    }

    #[tokio::test]
    async fn a_parent_scoped_list_sends_its_argument_in_the_path() {
        let (url, seen) = one_page(serde_json::json!([{"id": "t1"}, {"id": "t2"}])).await;
        let client = crate::engine::testing::test_client(&url);
        let parent = Value::String("org 1".into());
        let r = read(&client, &PARENT_LIST, &config(parent.clone())).await;
        assert!(!r.diagnostics.has_errors(), "{:?}", r.diagnostics);
        let line = seen.lock().unwrap()[0].clone();
        let target = line.split(' ').nth(1).unwrap_or("");
        assert!(
            target.starts_with("/parents/org%201/things?") && target.contains("name=b"),
            "the argument fills the path, the filter the query: {target}"
        );
        assert_eq!(r.state.attr("parent_id"), &parent, "the argument is kept");
        let Value::List(things) = r.state.attr("things") else {
            panic!("{:?}", r.state)
        };
        let ids: Vec<&Value> = things.iter().map(|t| t.attr("id")).collect();
        assert_eq!(
            ids,
            [&Value::String("t1".into()), &Value::String("t2".into())]
        );

        // Without the argument nothing is sent, and the error names it.
        let r = read(&client, &PARENT_LIST, &config(Value::Null)).await;
        let d = &r.diagnostics.0;
        assert!(d.iter().any(|d| d.detail.contains("parent_id")), "{d:?}");
        assert_eq!(
            seen.lock().unwrap().len(),
            1,
            "no request without the argument"
        );
    }
}
