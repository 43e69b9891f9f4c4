//! The HTTP side: `POST /webhooks/workos` and `GET /healthz`.
//!
//! | delivery | answer |
//! |---|---|
//! | missing or invalid `WorkOS-Signature` | 401, nothing done |
//! | signed, but not a JSON event | 400 |
//! | `organization.created` | 200 once the tenant is provisioned (or already was); 5xx when provisioning failed, so WorkOS redelivers |
//! | `organization.deleted` | 200 once the tenant is marked deleted |
//! | any other event type | 200, logged, not processed |
//!
//! Every answer is a small JSON object `{"result": …}` or `{"error": …}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::signature::Verifier;
use crate::store::{Created, Deleted, Store, StoreError};

pub const WEBHOOK_PATH: &str = "/webhooks/workos";

pub struct AppState {
    pub verifier: Verifier,
    pub store: Store,
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(WEBHOOK_PATH, post(webhook))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state)
}

/// The envelope WorkOS posts: `{id, event, data, created_at}`.
#[derive(Deserialize)]
struct Event {
    id: String,
    event: String,
    #[serde(default)]
    data: serde_json::Value,
}

#[derive(Deserialize)]
struct Organization {
    id: String,
    #[serde(default)]
    name: String,
}

fn reply(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

async fn webhook(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    // 1. The signature, over the raw bytes, before anything reads them.
    let header = match headers.get("workos-signature").map(|v| v.to_str()) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            tracing::warn!("refused a delivery: WorkOS-Signature is not visible ASCII");
            return reply(
                StatusCode::UNAUTHORIZED,
                json!({"error": "invalid signature"}),
            );
        }
    };
    if let Err(e) = app.verifier.verify(header, &body) {
        tracing::warn!(reason = %e, "refused a delivery");
        return reply(
            StatusCode::UNAUTHORIZED,
            json!({"error": "invalid signature"}),
        );
    }
    // 2. Only now parse it.
    let event: Event = match serde_json::from_slice(&body) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(error = %e, "signed delivery is not an event");
            return reply(StatusCode::BAD_REQUEST, json!({"error": "not an event"}));
        }
    };
    let span = tracing::info_span!("event", id = %event.id, kind = %event.event);
    match event.event.as_str() {
        "organization.created" | "organization.deleted" => {}
        other => {
            tracing::info!(parent: &span, event = other, "acknowledged an event this receiver does not process");
            return reply(StatusCode::OK, json!({"result": "ignored"}));
        }
    }
    let org: Organization = match serde_json::from_value(event.data) {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(parent: &span, error = %e, "event data is not an organization");
            return reply(
                StatusCode::BAD_REQUEST,
                json!({"error": "data is not an organization"}),
            );
        }
    };
    if event.event == "organization.created" {
        match app.store.organization_created(&org.id, &org.name).await {
            Ok(r) => {
                let result = match r {
                    Created::Provisioned => "provisioned",
                    Created::AlreadyProvisioned => "already_provisioned",
                    Created::AlreadyDeleted => "already_deleted",
                };
                tracing::info!(parent: &span, organization = %org.id, result, "organization.created");
                reply(StatusCode::OK, json!({"result": result}))
            }
            Err(e) => failure(&span, &org.id, e),
        }
    } else {
        match app.store.organization_deleted(&org.id, &org.name).await {
            Ok(r) => {
                let result = match r {
                    Deleted::MarkedDeleted => "marked_deleted",
                    Deleted::AlreadyDeleted => "already_deleted",
                    Deleted::RecordedUnknown => "recorded_deleted",
                };
                tracing::info!(parent: &span, organization = %org.id, result, "organization.deleted");
                reply(StatusCode::OK, json!({"result": result}))
            }
            Err(e) => failure(&span, &org.id, e),
        }
    }
}

fn failure(span: &tracing::Span, org: &str, e: StoreError) -> Response {
    if let StoreError::InvalidOrganizationId(_) = e {
        tracing::warn!(parent: span, organization = %org, error = %e, "refused the event");
        return reply(
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid organization id"}),
        );
    }
    // 5xx: WorkOS redelivers, and the next delivery resumes where this one stopped.
    tracing::error!(parent: span, organization = %org, error = %e, "provisioning failed");
    reply(
        StatusCode::SERVICE_UNAVAILABLE,
        json!({"error": "provisioning failed; redeliver"}),
    )
}
