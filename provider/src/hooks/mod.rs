//! Named hooks: per-resource behaviour that the override YAML cannot express.
//!
//! A hook is a [`ResourceHooks`] implementation, one file per resource, registered in
//! [`REGISTRY`] under the resource's type name and the hook name its override lists in
//! `hooks:`. Every method has a no-op default; the engine calls them at fixed points:
//!
//! | method | when |
//! |---|---|
//! | [`ResourceHooks::modify_plan`] | after the generic plan has computed every value, before the response |
//! | [`ResourceHooks::after_create`] | after the create call succeeded and the state was built from its answer, before follow-up writes |
//! | [`ResourceHooks::read`] | instead of the generic read, when it answers `Some` |
//! | [`ResourceHooks::before_delete`] | before the delete call: `Forget` drops the object from state without calling the API |
//! | [`ResourceHooks::import_id`] | before the import ID is split: translates extra ID forms into the canonical one |
//!
//! `names.txt` lists every registered hook for the generator, which refuses an override naming
//! one that is not there.
//!
//! The rule (overrides/README.md): a new override knob only for a Terraform concept or an API
//! convention at least two resources need; anything else is a hook. Hooks are the exception.

use crate::core::PlanResponse;
use crate::diag::Diagnostics;
use crate::transport::{ApiError, Client};
use crate::value::Value;
use descriptor::ResourceDesc;
use serde_json::Value as Json;

/// What to do on destroy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destroy {
    /// Call the delete operation (the default).
    Delete,
    /// Remove the object from state only; it stays in WorkOS.
    Forget,
}

/// The values a plan was computed from.
pub struct PlanInputs<'a> {
    /// Prior state (null on create).
    pub prior: &'a Value,
    /// Configuration.
    pub config: &'a Value,
}

/// Per-resource behaviour at the engine's fixed points; every method defaults to "do
/// nothing special".
#[tonic::async_trait]
pub trait ResourceHooks: Sync {
    /// Adjust the planned state (values, requires-replace paths, diagnostics).
    fn modify_plan(&self, _inputs: &PlanInputs<'_>, _resp: &mut PlanResponse) {}

    /// Runs after a successful create; may complete the state or add diagnostics. An error
    /// keeps the object in state (it exists remotely) and fails the apply.
    async fn after_create(&self, _client: &Client, _state: &mut Value) -> Diagnostics {
        Diagnostics::default()
    }

    /// Reads the object instead of the generic read: `Some(Ok(None))` means it is gone.
    async fn read(
        &self,
        _client: &Client,
        _state: &Value,
    ) -> Option<Result<Option<Json>, ApiError>> {
        None
    }

    /// Decides whether destroy deletes the object or only forgets it.
    fn before_delete(&self, _state: &Value) -> Destroy {
        Destroy::Delete
    }

    /// Translates an import ID in an extra form into the canonical form; `None` when the ID
    /// is not in a form this hook knows.
    async fn import_id(&self, _client: &Client, _id: &str) -> Option<Result<String, Diagnostics>> {
        None
    }
}

/// A resource with no hooks.
struct NoHooks;

impl ResourceHooks for NoHooks {}

/// One registered hook.
pub struct Registered {
    /// Resource type name.
    pub resource: &'static str,
    /// The name the resource's override lists in `hooks:`.
    pub name: &'static str,
    /// The implementation.
    pub hooks: &'static dyn ResourceHooks,
}

/// Every hook implemented here (none today: what the first ones did became override knobs).
pub static REGISTRY: &[Registered] = &[];

/// The hooks of a resource (no-ops when it names none).
pub fn for_resource(r: &ResourceDesc) -> &'static dyn ResourceHooks {
    REGISTRY
        .iter()
        .find(|h| h.resource == r.name && r.hooks.contains(&h.name))
        .map(|h| h.hooks)
        .unwrap_or_else(none)
}

/// The hooks of a resource that has none.
pub fn none() -> &'static dyn ResourceHooks {
    &NoHooks
}

/// Is a hook with this name implemented for this resource?
pub fn exists(resource: &str, name: &str) -> bool {
    REGISTRY
        .iter()
        .any(|h| h.resource == resource && h.name == name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_hook_named_by_a_descriptor_exists() {
        for r in generated::PROVIDER.resources {
            assert!(r.hooks.len() <= 1, "{}: at most one hook set", r.name);
            for h in r.hooks {
                assert!(
                    super::exists(r.name, h),
                    "{} names hook {h:?}, which provider/src/hooks does not implement",
                    r.name
                );
            }
        }
    }

    /// The list the generator checks overrides against is the registry.
    #[test]
    fn names_txt_lists_exactly_the_registry() {
        let mut listed: Vec<(String, String)> = (include_str!("names.txt").lines())
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (r, n) = l.split_once(' ').expect("`<resource> <hook>`");
                (r.to_string(), n.trim().to_string())
            })
            .collect();
        let mut registered: Vec<(String, String)> = (super::REGISTRY.iter())
            .map(|h| (h.resource.to_string(), h.name.to_string()))
            .collect();
        listed.sort();
        registered.sort();
        assert_eq!(
            listed, registered,
            "provider/src/hooks/names.txt differs from REGISTRY"
        );
    }

    #[test]
    fn every_registered_hook_is_named_by_its_resource() {
        for h in super::REGISTRY {
            let r = generated::PROVIDER
                .resources
                .iter()
                .find(|r| r.name == h.resource)
                .unwrap_or_else(|| {
                    panic!("hook {} is for unknown resource {}", h.name, h.resource)
                });
            assert!(
                r.hooks.contains(&h.name),
                "{} implements hook {} but its override does not list it in `hooks:`",
                h.resource,
                h.name
            );
        }
    }
}
