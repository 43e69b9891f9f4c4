//! One knob, one test: the compiled tables (`generated::PROVIDER`) serialize to the same JSON
//! as the IR the generator builds from the real overrides. A field added to the IR and to the
//! descriptor but forgotten by the emitter (or added to one of them only) differs here.

use serde_json::{Map, Value};
use std::path::Path;

/// IR-only keys: the docs' inputs, which the runtime never reads.
const IR_ONLY: &[&str] = &["spec_file", "example", "spec_notes"];

/// Drop `null` object members (the IR leaves some `None`s out) and the IR-only keys.
fn normalize(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, v| !v.is_null() && !IR_ONLY.contains(&k.as_str()));
            m.values_mut().for_each(normalize);
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// The IR's `import_parts` and `import_by` in the descriptor's shape
/// (`import: {parts, separator, by}`).
fn import_shape(ir: &mut Value) {
    for r in ir["resources"].as_array_mut().unwrap() {
        let m: &mut Map<String, Value> = r.as_object_mut().unwrap();
        let parts = m.shift_remove("import_parts").unwrap();
        let by = m.shift_remove("import_by").unwrap();
        let separator = Value::from(generator::names::IMPORT_SEPARATOR);
        m.insert(
            "import".into(),
            serde_json::json!({"parts": parts, "separator": separator, "by": by}),
        );
    }
}

/// The first place two values differ, as a JSON pointer.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys());
            for k in keys {
                let here = format!("{at}/{k}");
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, here) {
                            return Some(d);
                        }
                    }
                    _ => return Some(format!("{here}: only on one side")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => (x.iter().zip(y))
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, format!("{at}/{i}"))),
        _ => (a != b).then(|| format!("{at}: {a} vs {b}")),
    }
}

#[test]
fn compiled_tables_equal_the_ir_of_the_real_overrides() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = generator::generate(&root).unwrap_or_else(|e| panic!("{e:?}"));
    let mut ir = serde_json::to_value(&out.ir).unwrap();
    import_shape(&mut ir);
    normalize(&mut ir);
    let mut tables = serde_json::to_value(&generated::PROVIDER).unwrap();
    normalize(&mut tables);
    if let Some(d) = first_difference(&ir, &tables, String::new()) {
        panic!("generated::PROVIDER differs from the IR (regenerate, or emit the field) at {d}");
    }
    assert!(
        ir["resources"].as_array().unwrap().len() >= 7,
        "the comparison covers the real resources"
    );
}
