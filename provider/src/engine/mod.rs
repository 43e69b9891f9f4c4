//! Generic resource lifecycle engine (validate, plan, apply, read, import, data sources),
//! driven entirely by the descriptors in the `generated` crate.

use crate::core::ProviderCore;
use std::sync::Arc;

mod placeholder;

/// Build the provider served by the plugin.
pub fn new_provider() -> Arc<dyn ProviderCore> {
    Arc::new(placeholder::Placeholder::default())
}
