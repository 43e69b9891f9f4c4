//! Conversions between wire messages and the runtime's plain types: `DynamicValue` payloads,
//! diagnostics, attribute paths and client capabilities.

use super::proto::tfplugin6 as pb;
use crate::core::ClientCaps;
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::value::codec::{self, CodecError};
use crate::value::{AttributePath, PathStep, Type, Value};

/// Decode a `DynamicValue`: msgpack when present, JSON otherwise; an absent or empty value is null.
pub fn decode_dynamic(dv: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, CodecError> {
    match dv {
        Some(dv) if !dv.msgpack.is_empty() => codec::decode_msgpack(&dv.msgpack, ty),
        Some(dv) if !dv.json.is_empty() => codec::decode_json(&dv.json, ty),
        _ => Ok(Value::Null),
    }
}

/// Encode a value as a msgpack `DynamicValue`.
pub fn encode_dynamic(v: &Value, ty: &Type) -> Result<pb::DynamicValue, CodecError> {
    Ok(pb::DynamicValue {
        msgpack: codec::encode_msgpack(v, ty)?,
        json: Vec::new(),
    })
}

/// What a request value is, and what it may hold beyond its type: Terraform never sends a
/// wholly unknown object, never an unknown inside a state, and a configuration where one is
/// due.
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    /// Named in diagnostics ("prior state").
    pub what: &'static str,
    /// May be null (a create's prior state, a destroy's planned state).
    pub null: bool,
    /// May hold unknown values inside (configurations and plans, never states).
    pub unknowns: bool,
}

impl Expect {
    /// A configuration that must be sent.
    pub const fn config(what: &'static str) -> Expect {
        Expect {
            what,
            null: false,
            unknowns: true,
        }
    }
    /// A configuration or plan that is null for a destroy.
    pub const fn plan(what: &'static str) -> Expect {
        Expect {
            what,
            null: true,
            unknowns: true,
        }
    }
    /// A state: null when there is none, never unknown anywhere.
    pub const fn state(what: &'static str) -> Expect {
        Expect {
            what,
            null: true,
            unknowns: false,
        }
    }

    /// Why `v` cannot be this value, if it cannot.
    fn refuse(&self, v: &Value) -> Option<String> {
        let what = self.what;
        match v {
            Value::Null if !self.null => {
                Some(format!("Terraform sent no {what}; one is required."))
            }
            Value::Unknown => Some(format!(
                "The {what} sent is wholly unknown; Terraform never sends an unknown object here."
            )),
            v if !self.unknowns && v.contains_unknown() => Some(format!(
                "The {what} sent holds unknown values{}; a state is always wholly known.",
                first_unknown(v)
                    .map(|p| format!(" (at {p})"))
                    .unwrap_or_default()
            )),
            _ => None,
        }
    }
}

/// The path of the first unknown value inside `v`.
fn first_unknown(v: &Value) -> Option<AttributePath> {
    let inside = |step: PathStep, x: &Value| {
        first_unknown(x).map(|mut p| {
            p.0.insert(0, step);
            p
        })
    };
    match v {
        Value::Unknown => Some(AttributePath(vec![])),
        Value::Object(m) => m
            .iter()
            .find_map(|(k, x)| inside(PathStep::Attribute(k.clone()), x)),
        Value::Map(m) => m
            .iter()
            .find_map(|(k, x)| inside(PathStep::ElementKeyString(k.clone()), x)),
        Value::List(xs) | Value::Set(xs) => xs
            .iter()
            .enumerate()
            .find_map(|(i, x)| inside(PathStep::ElementKeyInt(i as i64), x)),
        Value::Dynamic(_, x) => first_unknown(x),
        _ => None,
    }
}

/// Decode a request value, turning a failure into an error diagnostic naming it.
/// Without a type (a type name the provider does not know) nothing is decoded and the value is
/// null: the engine answers for the name.
pub fn decode_or_diag(
    dv: Option<&pb::DynamicValue>,
    ty: Option<&Type>,
    expect: Expect,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let Some(ty) = ty else {
        return Some(Value::Null);
    };
    let what = expect.what;
    let decoded = decode_dynamic(dv, ty)
        .map_err(|e| format!("The provider could not decode the {what} sent by Terraform: {e}"))
        .and_then(|v| match expect.refuse(&v) {
            Some(why) => Err(why),
            None => Ok(v),
        });
    or_diag(decoded, what, diags)
}

/// Encode a response value, turning a failure into an error diagnostic naming `what`. Without a
/// type only null encodes (as no value).
pub fn encode_or_diag(
    v: &Value,
    ty: Option<&Type>,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    let encoded = match ty {
        Some(ty) => encode_dynamic(v, ty).map_err(|e| e.to_string()),
        None if v.is_null() => return None,
        None => Err("there is no schema for it".to_string()),
    };
    let encoded = encoded.map_err(|e| {
        format!("The provider produced a {what} that does not match its schema: {e}. This is a bug in the provider.")
    });
    or_diag(encoded, what, diags)
}

fn or_diag<T>(r: Result<T, String>, what: &str, diags: &mut Diagnostics) -> Option<T> {
    r.map_err(|detail| diags.push(Diagnostic::error(format!("Invalid {what}"), detail)))
        .ok()
}

pub fn caps(c: Option<&pb::ClientCapabilities>) -> ClientCaps {
    c.map(|c| ClientCaps {
        deferral_allowed: c.deferral_allowed,
        write_only_attributes_allowed: c.write_only_attributes_allowed,
    })
    .unwrap_or_default()
}

pub fn path_to_proto(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::{step::Selector, Step};
    pb::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| Step {
                selector: Some(match s {
                    PathStep::Attribute(a) => Selector::AttributeName(a.clone()),
                    PathStep::ElementKeyString(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

pub fn path_from_proto(p: &pb::AttributePath) -> AttributePath {
    use pb::attribute_path::step::Selector;
    AttributePath(
        p.steps
            .iter()
            .filter_map(|s| {
                Some(match s.selector.as_ref()? {
                    Selector::AttributeName(a) => PathStep::Attribute(a.clone()),
                    Selector::ElementKeyString(k) => PathStep::ElementKeyString(k.clone()),
                    Selector::ElementKeyInt(i) => PathStep::ElementKeyInt(*i),
                })
            })
            .collect(),
    )
}

pub fn diag_to_proto(d: &Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error as i32,
            Severity::Warning => pb::diagnostic::Severity::Warning as i32,
        },
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d
            .attribute
            .as_ref()
            .filter(|p| !p.0.is_empty())
            .map(path_to_proto),
    }
}

pub fn diag_from_proto(d: &pb::Diagnostic) -> Diagnostic {
    Diagnostic {
        severity: if d.severity == pb::diagnostic::Severity::Warning as i32 {
            Severity::Warning
        } else {
            Severity::Error
        },
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.attribute.as_ref().map(path_from_proto),
    }
}

pub fn diags_to_proto(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.0.iter().map(diag_to_proto).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_round_trip() {
        let d = Diagnostic::warning("w", "detail")
            .at(AttributePath::attr("a").then_key("k").then_index(3));
        assert_eq!(diag_from_proto(&diag_to_proto(&d)), d);
        let e = Diagnostic::error("e", "");
        let pe = diag_to_proto(&e);
        assert_eq!(pe.severity, pb::diagnostic::Severity::Error as i32);
        assert!(pe.attribute.is_none());
    }

    #[test]
    fn dynamic_value_prefers_msgpack_and_falls_back_to_json() {
        let dv = pb::DynamicValue {
            msgpack: vec![0xa1, b'x'],
            json: b"\"y\"".to_vec(),
        };
        assert_eq!(
            decode_dynamic(Some(&dv), &Type::String).unwrap(),
            Value::String("x".into())
        );
        let dv = pb::DynamicValue {
            msgpack: vec![],
            json: b"\"y\"".to_vec(),
        };
        assert_eq!(
            decode_dynamic(Some(&dv), &Type::String).unwrap(),
            Value::String("y".into())
        );
        assert_eq!(decode_dynamic(None, &Type::String).unwrap(), Value::Null);
    }
}
