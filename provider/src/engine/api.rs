//! The engine's view of the HTTP client: calls an `Op` with values from a state object, and
//! turns API errors into diagnostics that point at the attribute concerned.

use super::convert;
use crate::diag::Diagnostic;
use crate::transport::{ApiError, Client, Response};
use crate::value::{AttributePath, Value};
use descriptor::{Attr, Op, ParamBinding};
use serde_json::Value as Json;

/// Fill `{param}` placeholders from the object's attributes.
pub fn render_path(op: &Op, obj: &Value) -> Result<String, Diagnostic> {
    let mut path = op.path.to_string();
    for p in op.path_params {
        let v = obj.attr(p.attr);
        let s = match v {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) => n.as_f64().to_string(),
            _ => {
                return Err(Diagnostic::error(
                    format!("Missing value for {}", p.attr),
                    format!(
                        "{} {} needs `{}` to be known and non-empty.",
                        op.method.as_str(),
                        op.path,
                        p.attr
                    ),
                )
                .at(AttributePath::attr(p.attr)))
            }
        };
        path = path.replace(&format!("{{{}}}", p.param), &percent_encode(&s));
    }
    Ok(path)
}

/// Query pairs from attributes (null attributes are omitted).
pub fn render_query(params: &[ParamBinding], obj: &Value) -> Vec<(String, String)> {
    let mut q = Vec::new();
    for p in params {
        match obj.attr(p.attr) {
            Value::String(s) => q.push((p.param.to_string(), s.clone())),
            Value::Bool(b) => q.push((p.param.to_string(), b.to_string())),
            Value::Number(n) => q.push((p.param.to_string(), n.as_f64().to_string())),
            Value::List(items) | Value::Set(items) => {
                let strs: Vec<String> = items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect();
                if p.explode {
                    q.extend(strs.into_iter().map(|s| (p.param.to_string(), s)));
                } else if !strs.is_empty() {
                    q.push((p.param.to_string(), strs.join(",")));
                }
            }
            _ => {}
        }
    }
    q
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub async fn call(
    client: &Client,
    op: &Op,
    obj: &Value,
    body: Option<&Json>,
) -> Result<Json, ApiError> {
    Ok(call_response(client, op, obj, body).await?.body)
}

/// [`call`], keeping the status of the answer.
pub async fn call_response(
    client: &Client,
    op: &Op,
    obj: &Value,
    body: Option<&Json>,
) -> Result<Response, ApiError> {
    let path = render_path(op, obj)
        .map_err(|d| ApiError::local(op.method.as_str(), op.path, d.detail.clone()))?;
    let query = render_query(op.query_params, obj);
    client
        .request_as(op.rate_class, op.method, &path, &query, body)
        .await
}

/// [`call_response`] whose answer must be an object carrying `required` fields
/// ([`expect_object`]).
pub async fn call_object(
    client: &Client,
    op: &Op,
    obj: &Value,
    body: Option<&Json>,
    required: &[&str],
) -> Result<Json, ApiError> {
    expect_object(op, call_response(client, op, obj, body).await?, required)
}

/// [`list_all`] whose items must each be an object carrying `required` fields
/// ([`expect_items`]).
pub async fn list_objects(
    client: &Client,
    op: &Op,
    obj: &Value,
    required: &[&str],
) -> Result<Vec<Json>, ApiError> {
    expect_items(op, list_all(client, op, obj).await?, required)
}

/// The answer of an operation that must return an object carrying `required` fields: a body
/// that is not a JSON object, or lacks one of them (or has it null), is an error naming the
/// operation and the status (never quoting the body, which may hold a secret).
// ApiError by value, as the transport returns it (see transport::client).
#[allow(clippy::result_large_err)]
pub fn expect_object(op: &Op, resp: Response, required: &[&str]) -> Result<Json, ApiError> {
    match shape_problem(&resp.body, required) {
        None => Ok(resp.body),
        Some(what) => Err(malformed(
            op,
            resp.status,
            format!("status {} and {what}", resp.status),
        )),
    }
}

/// The items of a list answer, each checked as [`expect_object`] checks one answer.
#[allow(clippy::result_large_err)]
pub fn expect_items(op: &Op, items: Vec<Json>, required: &[&str]) -> Result<Vec<Json>, ApiError> {
    let problem = |(i, j): (usize, &Json)| match j {
        Json::Object(_) => Some(format!(
            "list item {i} being {}",
            shape_problem(j, required)?
        )),
        _ => Some(format!("list item {i} not being an object")),
    };
    match items.iter().enumerate().find_map(problem) {
        None => Ok(items),
        Some(what) => Err(malformed(op, 200, what)),
    }
}

/// What is wrong with a body that must be an object carrying `required` fields.
fn shape_problem(body: &Json, required: &[&str]) -> Option<String> {
    Some(match body {
        Json::Object(m) => {
            let f = required
                .iter()
                .find(|f| m.get(**f).is_none_or(Json::is_null))?;
            format!("an object without `{f}`")
        }
        Json::String(_) => "a body that is not JSON".to_string(),
        Json::Null => "an empty body".to_string(),
        _ => "JSON that is not an object".to_string(),
    })
}

fn malformed(op: &Op, status: u16, what: String) -> ApiError {
    ApiError {
        status: Some(status),
        ..ApiError::transport(
            op.method.as_str(),
            op.path,
            format!("WorkOS answered {} with {what}", op.operation_id),
        )
    }
}

/// The response fields an answer describing the object must carry: the identifier (`id`)
/// when the resource has one in its responses.
pub fn identity_fields(attrs: &[Attr]) -> Vec<&'static str> {
    attrs
        .iter()
        .filter(|a| a.name == "id")
        .filter_map(|a| a.response_field)
        .collect()
}

pub async fn list_all(client: &Client, op: &Op, obj: &Value) -> Result<Vec<Json>, ApiError> {
    let path = render_path(op, obj)
        .map_err(|d| ApiError::local(op.method.as_str(), op.path, d.detail.clone()))?;
    let query = render_query(op.query_params, obj);
    client.list_all_as(op.rate_class, &path, &query).await
}

/// An API error as a diagnostic; field errors point at the attribute sending that field.
pub fn error_diag(what: &str, type_name: &str, e: &ApiError, attrs: &[Attr]) -> Vec<Diagnostic> {
    let mut detail = format!("{e}");
    if let Some(id) = &e.request_id {
        detail.push_str(&format!("\nRequest ID: {id}"));
    }
    let summary = format!("{what} {type_name} failed: {}", e.message);
    let mut out = vec![];
    let mut placed = false;
    for fe in &e.field_errors {
        if let Some(a) = attrs.iter().find(|a| {
            a.create_field == Some(fe.field.as_str())
                || a.update_field == Some(fe.field.as_str())
                || a.name == fe.field
        }) {
            placed = true;
            let msg = fe.message.clone().or(fe.code.clone()).unwrap_or_default();
            out.push(
                Diagnostic::error(
                    summary.clone(),
                    format!("{detail}\nThe API rejected `{}`: {msg}", fe.field),
                )
                .at(AttributePath::attr(a.name)),
            );
        }
    }
    if !placed {
        out.push(Diagnostic::error(summary, detail));
    }
    out
}

/// Convert a value for a request body.
pub fn body_value(a: &Attr, v: &Value) -> Json {
    convert::to_json(v, &a.ty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OP: Op = Op {
        operation_id: "ThingsController_list",
        path: "/things",
        ..Op::DEFAULT
    };

    fn message(e: ApiError) -> String {
        e.message
    }

    #[test]
    fn an_answer_must_be_an_object_with_its_identity() {
        let ok = Response {
            status: 200,
            body: json!({"id": "t_1"}),
        };
        assert_eq!(
            expect_object(&OP, ok, &["id"]).unwrap(),
            json!({"id": "t_1"})
        );
        for (body, what) in [
            (json!("<html>"), "status 200 and a body that is not JSON"),
            (Json::Null, "status 200 and an empty body"),
            (json!([1]), "status 200 and JSON that is not an object"),
            (json!({"id": null}), "status 200 and an object without `id`"),
        ] {
            let e = expect_object(&OP, Response { status: 200, body }, &["id"]).unwrap_err();
            assert_eq!(e.status, Some(200));
            assert_eq!(
                message(e),
                format!("WorkOS answered ThingsController_list with {what}")
            );
        }
    }

    #[test]
    fn every_list_item_is_checked() {
        let good = vec![json!({"id": "a"}), json!({"id": "b"})];
        assert_eq!(expect_items(&OP, good.clone(), &["id"]).unwrap(), good);
        let bad = vec![json!({"id": "a"}), json!("garbage")];
        let e = expect_items(&OP, bad.clone(), &["id"]).unwrap_err();
        assert_eq!(
            message(e),
            "WorkOS answered ThingsController_list with list item 1 not being an object"
        );
        let e = expect_items(&OP, vec![json!({"id": null})], &["id"]).unwrap_err();
        assert_eq!(
            message(e),
            "WorkOS answered ThingsController_list with list item 0 being an object without `id`"
        );
        // With no required fields an item must still be an object.
        assert!(expect_items(&OP, bad, &[]).is_err());
        assert!(expect_items(&OP, vec![json!({})], &[]).is_ok());
    }
}
