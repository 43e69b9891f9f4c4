//! Parse stage: the normalized document as an `openapiv3::OpenAPI`.

use crate::error::{Error, Result};

pub fn parse(doc: serde_json::Value) -> Result<openapiv3::OpenAPI> {
    serde_json::from_value(doc).map_err(|e| Error::Parse(e.to_string()))
}
