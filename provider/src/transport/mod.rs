//! HTTP layer of the runtime: a generic JSON API client.
//!
//! It knows bearer authentication, JSON bodies, error bodies of the form
//! `{"message", "code", "errors": [{"field", "code", "message"}]}`, rate-limit
//! and transient-failure retries, and cursor pagination
//! (`data[]` + `list_metadata.after`). It knows nothing about the objects the
//! API manages; paths and payloads come from the caller.
//!
//! - [`client`]: [`Client`], [`ClientConfig`], [`Method`], [`Response`]; requests, responses and
//!   retries are logged through the config's [`crate::log::Logger`].
//! - [`error`]: [`ApiError`], [`FieldError`] and error-body parsing.
//! - [`retry`]: backoff with full jitter and `Retry-After` parsing.
//! - [`pacing`]: token buckets per rate-limit class ([`pacing::Pacer`]), shared by every request
//!   of one client.
//! - [`redact`]: masking of secret-looking JSON values for logs.
//! - [`stop`]: [`StopSignal`], which cancels in-flight requests and retry waits.

pub mod client;
pub mod error;
pub mod pacing;
pub mod redact;
pub mod retry;
pub mod stop;

pub use client::{Client, ClientConfig, Method, RateClass, Response};
pub use error::{ApiError, FieldError};
pub use pacing::{Limit, Pacer, RateLimits};
pub use redact::{redact_json, REDACTED};
pub use stop::StopSignal;
