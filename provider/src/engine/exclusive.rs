//! Exclusive choices between attributes (descriptor `ExclusiveGroup`): checked when Terraform
//! validates a configuration, and kept whole in update bodies.
//!
//! - Attributes of two variants set: an error naming both attributes.
//! - A variant set only partly: an error naming each missing attribute (its optional
//!   attributes may stay unset).
//! - A required group with no variant set: an error listing the variants.
//!
//! A value not known yet (Terraform shows "known after apply") may turn out null or not, so it
//! never causes an error: it neither counts as set nor as missing.
//!
//! In an update, a variant travels whole: when one of its attributes is sent (a changed value,
//! a changed write-only value), its other configured attributes are sent with it, so the API
//! never receives half a variant.

use super::api;
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::{AttributePath, Value};
use descriptor::{ExclusiveGroup, GroupVariant, ResourceDesc};
use serde_json::{Map, Value as Json};

/// Known and not null.
fn is_set(v: &Value) -> bool {
    !v.is_null() && !v.is_unknown()
}

/// Check every group against the configuration.
pub fn check(groups: &[ExclusiveGroup], config: &Value, diags: &mut Diagnostics) {
    for g in groups {
        check_group(g, config, diags);
    }
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``.
fn names<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let q: Vec<String> = items.into_iter().map(|i| format!("`{i}`")).collect();
    match q.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "`a`" or "`a` and `b`" for a variant's required attributes (its optional ones if none).
fn variant_text(v: &GroupVariant) -> String {
    if v.attrs.is_empty() {
        names(v.optional_attrs.iter().copied())
    } else {
        names(v.attrs.iter().copied())
    }
}

fn choices(g: &ExclusiveGroup) -> String {
    let vs: Vec<String> = g.variants.iter().map(variant_text).collect();
    vs.join("; or ")
}

fn check_group(g: &ExclusiveGroup, config: &Value, diags: &mut Diagnostics) {
    let set_in = |v: &GroupVariant| -> Vec<&'static str> {
        v.all().filter(|a| is_set(config.attr(a))).collect()
    };
    let chosen: Vec<(&GroupVariant, Vec<&'static str>)> = (g.variants.iter())
        .map(|v| (v, set_in(v)))
        .filter(|(_, set)| !set.is_empty())
        .collect();
    if let [(_, first), (_, second), ..] = chosen.as_slice() {
        let (a, b) = (first[0], second[0]);
        let how = if g.optional { "At most" } else { "Exactly" };
        diags.push(
            Diagnostic::error(
                "Conflicting attributes",
                format!(
                    "{a} and {b} cannot both be set: they are different choices of `{}`. {how} one of: {}.",
                    g.name,
                    choices(g)
                ),
            )
            .at(AttributePath::attr(b)),
        );
    }
    for (v, set) in &chosen {
        for missing in (v.attrs.iter()).filter(|m| config.attr(m).is_null()) {
            diags.push(
                Diagnostic::error(
                    "Missing attribute",
                    format!(
                        "{missing} must be set together with {}: {} go together.",
                        set[0],
                        variant_text(v)
                    ),
                )
                .at(AttributePath::attr(*missing)),
            );
        }
    }
    let unknown =
        (g.variants.iter().flat_map(GroupVariant::all)).any(|a| config.attr(a).is_unknown());
    if chosen.is_empty() && !g.optional && !unknown {
        diags.push(Diagnostic::error(
            "Missing attribute",
            format!(
                "Set exactly one of: {} (the choice `{}`).",
                choices(g),
                g.name
            ),
        ));
    }
}

/// Complete an update body: a variant one of whose attributes is in `body` gets its other
/// configured attributes too (write-only ones from `config`, the rest from `planned`).
pub fn complete_update(
    r: &ResourceDesc,
    planned: &Value,
    config: &Value,
    body: &mut Map<String, Json>,
) {
    for v in r.groups.iter().flat_map(|g| g.variants) {
        let attrs = || v.all().filter_map(|n| r.attr(n));
        let sent = attrs().any(|a| a.update_field.is_some_and(|f| body.contains_key(f)));
        if !sent {
            continue;
        }
        for a in attrs() {
            let value = if a.write_only {
                config.attr(a.name)
            } else {
                planned.attr(a.name)
            };
            if let (Some(f), true) = (a.update_field, is_set(value)) {
                if !body.contains_key(f) {
                    body.insert(f.to_string(), api::body_value(a, value));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;
    use descriptor::{Attr, Mode};
    use std::collections::BTreeMap;

    const HASHED: GroupVariant = GroupVariant {
        name: "hashed",
        attrs: &["hash", "hash_type"],
        optional_attrs: &["salt"],
    };
    const PLAIN: GroupVariant = GroupVariant {
        name: "plaintext",
        attrs: &["password"],
        optional_attrs: &[],
    };
    const VARIANTS: &[GroupVariant] = &[PLAIN, HASHED];

    fn group(optional: bool) -> ExclusiveGroup {
        ExclusiveGroup {
            name: "secret",
            optional,
            variants: VARIANTS,
        }
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut m: BTreeMap<String, Value> = ["password", "hash", "hash_type", "salt", "other"]
            .iter()
            .map(|n| (n.to_string(), Value::Null))
            .collect();
        for (k, v) in pairs {
            m.insert(k.to_string(), v.clone());
        }
        Value::Object(m)
    }

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    /// (attribute path, detail) of each error.
    fn run(optional: bool, pairs: &[(&str, Value)]) -> Vec<(String, String)> {
        let mut d = Diagnostics::default();
        check(&[group(optional)], &config(pairs), &mut d);
        d.0.iter()
            .map(|x| {
                let at = x.attribute.as_ref().map(|p| p.to_string());
                (at.unwrap_or_default(), x.detail.clone())
            })
            .collect()
    }

    #[test]
    fn one_whole_variant_or_none_passes() {
        assert!(run(true, &[]).is_empty());
        assert!(run(true, &[("password", s("p"))]).is_empty());
        assert!(run(true, &[("hash", s("h")), ("hash_type", s("bcrypt"))]).is_empty());
        let with_salt = [("hash", s("h")), ("hash_type", s("t")), ("salt", s("x"))];
        assert!(run(false, &with_salt).is_empty());
        assert!(run(true, &[("other", s("o"))]).is_empty());
    }

    #[test]
    fn two_variants_name_both_attributes() {
        let e = run(
            true,
            &[
                ("password", s("p")),
                ("hash", s("h")),
                ("hash_type", s("t")),
            ],
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "hash");
        assert!(
            e[0].1.contains("password and hash cannot both be set"),
            "{e:?}"
        );
        assert!(e[0].1.contains("At most one of"), "{e:?}");
    }

    #[test]
    fn a_partial_variant_names_the_missing_attribute() {
        let e = run(true, &[("hash", s("h"))]);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "hash_type");
        assert!(
            e[0].1.contains("hash_type must be set together with hash"),
            "{e:?}"
        );
        // An optional attribute of the variant alone still needs the required ones.
        let e = run(true, &[("salt", s("x"))]);
        let at: Vec<&str> = e.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(at, ["hash", "hash_type"], "{e:?}");
    }

    #[test]
    fn a_required_group_lists_the_variants() {
        let e = run(false, &[]);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "");
        assert!(
            e[0].1
                .contains("Set exactly one of: `password`; or `hash` and `hash_type`"),
            "{e:?}"
        );
    }

    #[test]
    fn unknown_values_never_fail() {
        let u = Value::Unknown;
        assert!(run(false, &[("password", u.clone())]).is_empty());
        assert!(run(true, &[("hash", s("h")), ("hash_type", u.clone())]).is_empty());
        assert!(run(
            true,
            &[
                ("password", u.clone()),
                ("hash", s("h")),
                ("hash_type", s("t"))
            ]
        )
        .is_empty());
        // A known conflict is still one.
        assert_eq!(
            run(
                true,
                &[("password", s("p")), ("hash", s("h")), ("hash_type", u)]
            )
            .len(),
            1
        );
    }

    const fn wo(name: &'static str) -> Attr {
        Attr {
            write_only: true,
            ..crate::engine::testing::attr(name, Mode::Optional)
        }
    }

    static RES: ResourceDesc = ResourceDesc {
        attrs: &[
            wo("password"),
            wo("hash"),
            crate::engine::testing::attr("hash_type", Mode::Optional),
            wo("salt"),
            crate::engine::testing::attr("other", Mode::Optional),
        ],
        groups: &[ExclusiveGroup {
            name: "secret",
            optional: true,
            variants: VARIANTS,
        }],
        ..crate::engine::testing::shell()
    };

    #[test]
    fn an_update_sends_a_variant_whole() {
        let cfg = config(&[
            ("hash", s("h2")),
            ("hash_type", s("bcrypt")),
            ("other", s("o")),
        ]);
        let mut body = Map::new();
        body.insert("hash".into(), Json::from("h2"));
        complete_update(&RES, &cfg, &cfg, &mut body);
        assert_eq!(body.get("hash_type"), Some(&Json::from("bcrypt")));
        assert!(!body.contains_key("other") && !body.contains_key("salt"));
        // Nothing of the group sent: nothing added.
        let mut body = Map::new();
        body.insert("other".into(), Json::from("o"));
        complete_update(&RES, &cfg, &cfg, &mut body);
        assert_eq!(body.len(), 1);
    }
}
