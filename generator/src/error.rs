//! The generator's error type.

/// Everything that can go wrong in a generator run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {message}")]
    Load { path: String, message: String },
    #[error("the spec does not parse as OpenAPI: {0}")]
    Parse(String),
    #[error("spec: {0}")]
    Resolve(String),
    #[error("unknown operation {0:?}")]
    UnknownOperation(String),
    #[error("{file}: {key}: {message}")]
    Override {
        file: String,
        key: String,
        message: String,
    },
    #[error("emit: {0}")]
    Emit(String),
}

pub type Result<T> = std::result::Result<T, Error>;
