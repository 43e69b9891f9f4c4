//! Extra import ID forms `<attr>=<value>` (the descriptor's `import.by`): the object is looked
//! up with a get-by-value operation and imported by the canonical ID read from its answer.
//!
//! `terraform import <address> external_id=acme-corp` → `GET …/external_id/acme-corp` → the
//! answer's import parts (`id`) joined as the canonical import ID. Any other ID is left to the
//! plain split.

use super::api;
use crate::diag::{Diagnostic, Diagnostics};
use crate::transport::Client;
use crate::value::Value;
use descriptor::{ImportBy, ResourceDesc};
use serde_json::Value as Json;

fn failed(summary: &str, detail: String) -> Diagnostics {
    Diagnostic::error(summary.to_string(), detail).into()
}

/// The form an ID is in, and the value after its `<attr>=` prefix.
fn form<'a>(r: &'static ResourceDesc, id: &'a str) -> Option<(&'static ImportBy, &'a str)> {
    r.import.by.iter().find_map(|b| {
        let rest = id.strip_prefix(b.attr)?.strip_prefix('=')?;
        Some((b, rest))
    })
}

/// The canonical import ID of the object an ID in an extra form names; `None` when the ID is
/// in no extra form of this resource.
pub async fn translate(
    r: &'static ResourceDesc,
    client: &Client,
    id: &str,
) -> Option<Result<String, Diagnostics>> {
    let (by, value) = form(r, id)?;
    if value.trim().is_empty() {
        return Some(Err(failed(
            "Invalid import ID",
            format!("`{}=` must be followed by a value.", by.attr),
        )));
    }
    let key = Value::Object([(by.attr.to_string(), Value::String(value.into()))].into());
    let cannot = format!("Cannot import {}", r.name);
    Some(match api::call(client, &by.op, &key, None).await {
        Ok(j) => canonical(r, by, &j),
        Err(e) if e.is_not_found() => Err(failed(
            &cannot,
            format!("No {} has this `{}`.", r.name, by.attr),
        )),
        Err(e) => Err(failed(&cannot, e.to_string())),
    })
}

/// The import parts read from the answer, joined.
fn canonical(r: &ResourceDesc, by: &ImportBy, j: &Json) -> Result<String, Diagnostics> {
    let mut parts = vec![];
    for p in r.import.parts {
        let field = r.attr(p).and_then(|a| a.response_field).unwrap_or(p);
        match j.get(field).and_then(Json::as_str) {
            Some(s) if !s.is_empty() => parts.push(s),
            _ => {
                return Err(failed(
                    "Unexpected API answer",
                    format!(
                        "{} {} answered without `{field}`.",
                        by.op.method.as_str(),
                        by.op.path
                    ),
                ))
            }
        }
    }
    Ok(parts.join(r.import.separator))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::{serve, test_client, RES_BY};

    #[tokio::test]
    async fn other_id_forms_are_left_to_the_split() {
        let (url, seen) = serve(200, r#"{"id":"t_1"}"#).await;
        assert!(translate(&RES_BY, &test_client(&url), "t_01ABC")
            .await
            .is_none());
        assert!(translate(&RES_BY, &test_client(&url), "external_idx=1")
            .await
            .is_none());
        assert!(seen.lock().unwrap().is_empty(), "no request for a plain ID");
    }

    #[tokio::test]
    async fn the_value_is_looked_up_and_the_answer_gives_the_id() {
        let (url, seen) = serve(200, r#"{"object":"thing","id":"t_42"}"#).await;
        let got = translate(&RES_BY, &test_client(&url), "external_id=acme corp").await;
        assert_eq!(got.unwrap().unwrap(), "t_42");
        let line = seen.lock().unwrap()[0].clone();
        assert!(
            line.starts_with("GET /x/external_id/acme%20corp "),
            "{line}"
        );
    }

    #[tokio::test]
    async fn unknown_empty_or_idless_answers_are_clear_errors() {
        let (url, _) = serve(404, r#"{"message":"Not found"}"#).await;
        let d = translate(&RES_BY, &test_client(&url), "external_id=nope")
            .await
            .unwrap()
            .unwrap_err();
        assert!(
            d.0[0]
                .detail
                .contains("No test_thing has this `external_id`"),
            "{d:?}"
        );
        let d = translate(&RES_BY, &test_client(&url), "external_id= ")
            .await
            .unwrap()
            .unwrap_err();
        assert!(d.0[0].summary.contains("Invalid import ID"), "{d:?}");
        let (url, _) = serve(200, r#"{"object":"thing"}"#).await;
        let d = translate(&RES_BY, &test_client(&url), "external_id=a")
            .await
            .unwrap()
            .unwrap_err();
        assert!(d.0[0].detail.contains("without `id`"), "{d:?}");
    }
}
