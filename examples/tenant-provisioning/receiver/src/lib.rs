//! An example WorkOS webhook receiver that provisions a tenant per organization.
//!
//! - [`signature`]: verification of the `WorkOS-Signature` header over the raw body;
//! - [`store`]: the tenants catalog and the tenant databases (SQLite files by default,
//!   PostgreSQL when `DATABASE_URL` is set), migrated with sqlx;
//! - [`app`]: the HTTP routes;
//! - [`config`]: settings from the environment.

pub mod app;
pub mod config;
pub mod signature;
pub mod store;

use std::sync::Arc;

/// Opens the store and builds the router for `config`.
pub async fn build(
    config: &config::Config,
) -> Result<(axum::Router, Arc<app::AppState>), store::StoreError> {
    let store = store::Store::open(&config.storage).await?;
    let state = Arc::new(app::AppState {
        verifier: signature::Verifier::new(config.secrets.clone(), config.tolerance),
        store,
    });
    Ok((app::router(state.clone()), state))
}
