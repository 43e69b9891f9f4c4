//! Named hooks: per-resource behaviour that the override YAML cannot express, registered by
//! name and referenced from an override's `hooks:` list.
//!
//! None of the current resources needs one: domain verification is an `action`, role
//! permissions an `extra_write`, the list-only read of webhook endpoints is `read_by_list`,
//! and password rotation is the engine's generic write-only handling. The registry stays so
//! that an override naming a hook that does not exist fails the test below rather than at
//! run time.

/// Names of the hooks implemented in this module.
pub const HOOKS: &[&str] = &[];

/// Is a hook with this name implemented?
pub fn exists(name: &str) -> bool {
    HOOKS.contains(&name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_hook_named_by_a_descriptor_exists() {
        for r in generated::PROVIDER.resources {
            for h in r.hooks {
                assert!(
                    super::exists(h),
                    "{} names hook {h:?}, which provider/src/hooks does not implement",
                    r.name
                );
            }
        }
    }
}
