//! `workos_organization`: import by external ID.
//!
//! `terraform import workos_organization.acme external_id=acme-corp` finds the organization
//! whose `external_id` is `acme-corp` (with the spec's get-by-external-id operation, taken
//! from the `workos_organization` data source's `external_id` lookup) and imports it by its
//! ID. An organization's own ID (`org_…`) imports as before.

use super::ResourceHooks;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::api;
use crate::transport::Client;
use crate::value::Value;
use descriptor::{DataKind, Op};
use serde_json::Value as Json;

/// The hook name `overrides/resources/organization.yaml` lists.
pub const NAME: &str = "import_by_external_id";

/// The import ID prefix of the extra form.
const PREFIX: &str = "external_id=";

/// The organization hooks.
pub struct Organization;

/// The get-by-external-id operation (from the data source's lookup of that name).
fn by_external_id() -> Option<&'static Op> {
    let ds = generated::PROVIDER
        .data_sources
        .iter()
        .find(|d| d.name == "workos_organization")?;
    match &ds.kind {
        DataKind::Single(lookups) => lookups
            .iter()
            .find(|l| l.arg == "external_id" && !l.expect_one)
            .map(|l| &l.op),
        DataKind::List { .. } => None,
    }
}

fn failed(summary: &str, detail: String) -> Diagnostics {
    Diagnostic::error(summary.to_string(), detail).into()
}

#[tonic::async_trait]
impl ResourceHooks for Organization {
    async fn import_id(&self, client: &Client, id: &str) -> Option<Result<String, Diagnostics>> {
        let external_id = id.strip_prefix(PREFIX)?;
        if external_id.trim().is_empty() {
            return Some(Err(failed(
                "Invalid import ID",
                format!("`{PREFIX}` must be followed by the organization's external ID."),
            )));
        }
        let Some(op) = by_external_id() else {
            return Some(Err(failed(
                "Import by external ID unavailable",
                "The provider's tables have no get-by-external-id operation; this is a bug in the provider.".into(),
            )));
        };
        let key =
            Value::Object([("external_id".to_string(), Value::String(external_id.into()))].into());
        Some(match api::call(client, op, &key, None).await {
            Ok(j) => match j.get("id").and_then(Json::as_str) {
                Some(id) => Ok(id.to_string()),
                None => Err(failed(
                    "Unexpected API answer",
                    format!(
                        "{} {} answered without an `id`.",
                        op.method.as_str(),
                        op.path
                    ),
                )),
            },
            Err(e) if e.is_not_found() => Err(failed(
                "Cannot import workos_organization",
                "No organization has this external ID.".into(),
            )),
            Err(e) => Err(failed("Cannot import workos_organization", e.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::ClientConfig;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A loopback server answering every request with `status` and `body`; returns its URL and
    /// the request lines it saw.
    async fn serve(
        status: u16,
        body: &'static str,
    ) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = vec![0u8; 8192];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let text = String::from_utf8_lossy(&buf[..n]).to_string();
                log.lock()
                    .unwrap()
                    .push(text.lines().next().unwrap_or("").to_string());
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(reply.as_bytes()).await;
            }
        });
        (url, seen)
    }

    fn client(url: &str) -> Client {
        let mut cfg = ClientConfig::new(url, "sk_test_hook", "test");
        cfg.max_retries = 0;
        Client::new(cfg).unwrap()
    }

    #[test]
    fn the_lookup_operation_comes_from_the_tables() {
        let op =
            by_external_id().expect("data source workos_organization has an external_id lookup");
        assert!(op.path.contains("{external_id}"), "{}", op.path);
    }

    #[tokio::test]
    async fn other_id_forms_are_left_to_the_engine() {
        let (url, seen) = serve(200, r#"{"id":"org_1"}"#).await;
        assert!(Organization
            .import_id(&client(&url), "org_01ABC")
            .await
            .is_none());
        assert!(seen.lock().unwrap().is_empty(), "no request for a plain ID");
    }

    #[tokio::test]
    async fn external_id_is_translated_to_the_organization_id() {
        let (url, seen) = serve(200, r#"{"object":"organization","id":"org_42"}"#).await;
        let got = Organization
            .import_id(&client(&url), "external_id=acme corp")
            .await;
        assert_eq!(got.unwrap().unwrap(), "org_42");
        let line = seen.lock().unwrap()[0].clone();
        assert!(
            line.starts_with("GET /organizations/external_id/acme%20corp "),
            "{line}"
        );
    }

    #[tokio::test]
    async fn unknown_or_empty_external_id_is_a_clear_error() {
        let (url, _) = serve(404, r#"{"message":"Not found"}"#).await;
        let err = Organization
            .import_id(&client(&url), "external_id=nope")
            .await;
        let d = err.unwrap().unwrap_err();
        assert!(
            d.0[0]
                .detail
                .contains("No organization has this external ID"),
            "{d:?}"
        );
        let err = Organization.import_id(&client(&url), "external_id=").await;
        assert!(err.unwrap().unwrap_err().0[0]
            .summary
            .contains("Invalid import ID"));
    }
}
