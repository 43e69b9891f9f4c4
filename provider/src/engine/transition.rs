//! Attributes changed by an operation chosen by the planned value (the descriptor's
//! `transitions`): `status = "inactive"` → the deactivate call, `"active"` → the reactivate
//! call. The operation is called only on a transition: after create when the created object
//! has another value than the planned one, and on update when the planned value differs from
//! the prior state's. An unknown or null planned value (the attribute unset, the remote value
//! kept) calls nothing.

use descriptor::{Op, ResourceDesc};

use crate::value::Value;

/// The operations that move the object from `before` (the prior state, or the state built from
/// the create answer) to `planned`, each with the attribute it is for, in descriptor order.
pub fn ops<'a>(r: &'a ResourceDesc, before: &Value, planned: &Value) -> Vec<(&'a str, &'a Op)> {
    let mut out = vec![];
    for t in r.transitions {
        let Value::String(want) = planned.attr(t.attr) else {
            continue;
        };
        if before.attr(t.attr).as_str() == Some(want.as_str()) {
            continue;
        }
        if let Some(to) = t.to.iter().find(|to| to.value == want) {
            out.push((t.attr, &to.op));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::RES_BY;
    use std::collections::BTreeMap;

    fn status(v: Value) -> Value {
        Value::Object(BTreeMap::from([
            ("id".to_string(), Value::String("t_1".into())),
            ("status".to_string(), v),
        ]))
    }

    fn s(x: &str) -> Value {
        status(Value::String(x.into()))
    }

    fn called(before: &Value, planned: &Value) -> Vec<&'static str> {
        ops(&RES_BY, before, planned)
            .into_iter()
            .map(|(_, op)| op.operation_id)
            .collect()
    }

    #[test]
    fn the_planned_value_chooses_the_operation_only_on_a_change() {
        assert_eq!(called(&s("active"), &s("inactive")), ["deactivate"]);
        assert_eq!(called(&s("inactive"), &s("active")), ["reactivate"]);
        assert!(called(&s("active"), &s("active")).is_empty());
        assert!(called(&s("inactive"), &s("inactive")).is_empty());
    }

    #[test]
    fn unset_unknown_or_unmapped_values_call_nothing() {
        assert!(called(&s("active"), &status(Value::Unknown)).is_empty());
        assert!(called(&s("active"), &status(Value::Null)).is_empty());
        assert!(called(&s("active"), &s("pending")).is_empty());
        assert_eq!(
            called(&Value::Null, &s("inactive")),
            ["deactivate"],
            "nothing before: the planned value is a change"
        );
    }
}
