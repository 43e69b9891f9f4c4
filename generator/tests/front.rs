//! Front end of the generator: load → normalize → parse → resolve, on the real WorkOS spec and
//! on small fixture specs (tests/fixtures/front/).

use generator::error::Error;
use generator::resolve::{Kind, Resolver, Shape};
use generator::{load, normalize, parse};
use indexmap::IndexMap;
use serde_json::json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn manifest(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn real_spec() -> PathBuf {
    manifest("../spec/workos-openapi-v0.61.0.yaml")
}

fn api_from(path: &Path) -> openapiv3::OpenAPI {
    parse::parse(normalize::normalize(load::load(path).expect("load"))).expect("parse")
}

fn fixture(name: &str) -> openapiv3::OpenAPI {
    api_from(&manifest(&format!("tests/fixtures/front/{name}")))
}

// ---- shape builders for exact comparisons ----

fn shape(kind: Kind) -> Shape {
    Shape {
        kind,
        ..Shape::any()
    }
}

fn string() -> Shape {
    shape(Kind::String)
}

fn nullable(mut s: Shape) -> Shape {
    s.nullable = true;
    s
}

fn described(mut s: Shape, d: &str) -> Shape {
    s.description = d.to_string();
    s
}

fn enums(mut s: Shape, values: &[&str]) -> Shape {
    s.enum_values = values.iter().map(|v| v.to_string()).collect();
    s
}

fn ext(mut s: Shape, key: &str, value: serde_json::Value) -> Shape {
    s.extensions.insert(key.to_string(), value);
    s
}

fn object(props: Vec<(&str, Shape)>, required: &[&str], additional: Option<Shape>) -> Shape {
    let properties: IndexMap<String, Shape> =
        props.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let required: BTreeSet<String> = required.iter().map(|r| r.to_string()).collect();
    shape(Kind::Object {
        properties,
        required,
        additional: additional.map(Box::new),
    })
}

fn props(
    s: &Shape,
) -> (
    &IndexMap<String, Shape>,
    &BTreeSet<String>,
    &Option<Box<Shape>>,
) {
    match &s.kind {
        Kind::Object {
            properties,
            required,
            additional,
        } => (properties, required, additional),
        other => panic!("expected an object, got {other:?}"),
    }
}

// ---- the real spec ----

#[test]
fn real_spec_loads_normalizes_parses_and_lists_all_operations() {
    let api = api_from(&real_spec());
    assert_eq!(api.openapi, "3.0.3");
    let r = Resolver::new(&api);
    let ops = r.operations();
    assert_eq!(ops.len(), 212);
    let mut seen = BTreeSet::new();
    for o in &ops {
        assert!(
            ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&o.method.as_str()),
            "{} {}",
            o.operation_id,
            o.method
        );
        assert!(o.path.starts_with('/'), "{}", o.operation_id);
        assert!(
            (200..300).contains(&o.success_status),
            "{} {}",
            o.operation_id,
            o.success_status
        );
        assert!(
            seen.insert(o.operation_id.clone()),
            "duplicate id {}",
            o.operation_id
        );
        // Every id resolves by itself too.
        assert_eq!(&r.operation(&o.operation_id).expect("by id"), o);
    }
    let keys: Vec<(String, String)> = ops
        .iter()
        .map(|o| (o.path.clone(), o.method.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "operations sorted by (path, method)");
    // Every component schema resolves.
    for name in api.components.as_ref().expect("components").schemas.keys() {
        r.component(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn real_spec_organization_shapes() {
    let api = api_from(&real_spec());
    let r = Resolver::new(&api);
    let org = r.component("OrganizationDto").expect("OrganizationDto");
    let (p, required, _) = props(&org);
    assert!(required.contains("name"));

    let ext_id = &p["external_id"];
    assert_eq!(ext_id.kind, Kind::String);
    assert!(ext_id.nullable);
    assert_eq!(ext_id.max_length, Some(128));
    assert_eq!(ext_id.pattern.as_deref(), Some("^[\\x00-\\x7F]+$"));

    let meta = &p["metadata"];
    assert!(meta.nullable);
    assert_eq!(meta.max_properties, Some(50));
    assert_eq!(meta.property_name_max_length, Some(40));
    let (mp, mr, additional) = props(meta);
    assert!(mp.is_empty() && mr.is_empty());
    let additional = additional.as_ref().expect("additionalProperties");
    assert_eq!(additional.kind, Kind::String);
    assert_eq!(additional.max_length, Some(600));
}

#[test]
fn real_spec_create_user_flattens_exclusive_password_variants() {
    let api = api_from(&real_spec());
    let r = Resolver::new(&api);
    let user = r
        .component("CreateUserlandUserDto")
        .expect("CreateUserlandUserDto");
    let (p, required, _) = props(&user);
    assert_eq!(p["email"].kind, Kind::String);
    assert_eq!(p["email"].format.as_deref(), Some("email"));
    assert!(required.contains("email"));
    assert_eq!(p["password"].kind, Kind::String);
    assert!(p["password"].nullable);
    assert!(!required.contains("password") && !required.contains("password_hash"));
    assert_eq!(
        p["password_hash_type"]
            .enum_values
            .first()
            .map(String::as_str),
        Some("bcrypt")
    );
    let groups = user
        .extensions
        .get("x-one-of-groups")
        .expect("x-one-of-groups");
    assert_eq!(
        groups,
        &json!([
            [],
            ["password"],
            [
                "password_hash",
                "password_hash_type",
                "password_salt_position"
            ]
        ])
    );
    assert!(user
        .extensions
        .contains_key("x-mutually-exclusive-body-groups"));
    // Property order is the spec's: the allOf base first, then the variants.
    let names: Vec<&str> = p.keys().map(String::as_str).collect();
    assert_eq!(names.first(), Some(&"email"));
    assert!(
        names.iter().position(|n| *n == "signals_id") < names.iter().position(|n| *n == "password")
    );

    // The other two exclusive-variant DTOs resolve to objects with groups too.
    for name in [
        "UpdateUserlandUserDto",
        "CreateUserlandUserOrganizationMembershipDto",
    ] {
        let s = r.component(name).expect(name);
        props(&s);
        assert!(s.extensions.contains_key("x-one-of-groups"), "{name}");
    }
}

#[test]
fn real_spec_webhook_status_and_organization_create() {
    let api = api_from(&real_spec());
    let r = Resolver::new(&api);
    let wh = r
        .component("UpdateWebhookEndpointDto")
        .expect("UpdateWebhookEndpointDto");
    assert_eq!(
        props(&wh).0["status"].enum_values,
        vec!["enabled".to_string(), "disabled".to_string()]
    );

    let op = r.operation("OrganizationsController_create").expect("op");
    assert_eq!(op.method, "POST");
    assert_eq!(op.path, "/organizations");
    assert_eq!(op.success_status, 201);
    assert!(op.request_body.is_some());
    let response = op.response.expect("response");
    assert_eq!(props(&response).0["id"].kind, Kind::String);

    match r.operation("nope") {
        Err(e @ Error::UnknownOperation(_)) => assert!(e.to_string().contains("nope"), "{e}"),
        other => panic!(
            "expected UnknownOperation, got {:?}",
            other.map(|o| o.operation_id)
        ),
    }
    assert!(r.component("NoSuchSchema").is_err());
}

#[test]
fn normalize_is_deterministic() {
    let raw = load::load(&real_spec()).expect("load");
    let a = normalize::normalize(raw.clone());
    let b = normalize::normalize(raw);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    // Idempotent as well: a normalized document is already 3.0.
    let c = normalize::normalize(a.clone());
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&c).unwrap()
    );
}

#[test]
fn load_json_and_yaml_agree_and_hash() {
    let yaml = load::load(&manifest("tests/fixtures/front/shapes.yaml")).expect("yaml");
    let dir = tempfile::tempdir().expect("tempdir");
    let json_path = dir.path().join("shapes.json");
    std::fs::write(&json_path, serde_json::to_string(&yaml).unwrap()).unwrap();
    assert_eq!(load::load(&json_path).expect("json"), yaml);
    assert!(matches!(
        load::load(&dir.path().join("missing.yaml")),
        Err(Error::Load { .. })
    ));
    assert_eq!(
        load::sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

// ---- fixture: normalize rules ----

#[test]
fn normalize_rules_fixture_json() {
    let doc = normalize::normalize(
        load::load(&manifest("tests/fixtures/front/normalize.yaml")).expect("load"),
    );
    assert_eq!(doc["openapi"], json!("3.0.3"));
    let p = &doc["components"]["schemas"]["Rules"]["properties"];
    assert_eq!(
        p["nullable_string"],
        json!({"type": "string", "maxLength": 10, "nullable": true, "example": "abc"})
    );
    assert_eq!(p["only_null"], json!({"nullable": true}));
    assert_eq!(
        p["multi"],
        json!({"x-types": ["string", "integer"], "nullable": true})
    );
    assert_eq!(p["constant"], json!({"type": "string", "enum": ["fixed"]}));
    assert_eq!(
        p["bounded"],
        json!({"type": "number", "exclusiveMinimum": true, "exclusiveMaximum": true, "minimum": 0, "x-exclusive-minimum": 0, "maximum": 10, "x-exclusive-maximum": 10})
    );
    assert_eq!(
        p["meta"],
        json!({"type": "object", "additionalProperties": {"type": "string", "maxLength": 5}, "maxProperties": 3, "nullable": true, "x-property-names-max-length": 7})
    );
    assert_eq!(
        p["patterned"],
        json!({"type": "object", "additionalProperties": false, "x-pattern-properties": {"^[a-z]+$": {"type": "string", "nullable": true}}})
    );
    assert_eq!(
        p["ref_with_description"],
        json!({"allOf": [{"$ref": "#/components/schemas/Leaf"}], "description": "Overridden description."})
    );
    assert_eq!(
        p["nullable_ref"],
        json!({"oneOf": [{"$ref": "#/components/schemas/Leaf"}], "nullable": true})
    );
    // A property *named* `examples`, and example data, are left alone.
    assert_eq!(
        p["examples"]["example"],
        json!({"type": ["string", "null"], "const": 1})
    );
    assert_eq!(
        doc["components"]["schemas"]["Rules"]["x-unevaluated-properties"],
        json!(false)
    );
}

#[test]
fn normalize_rules_fixture_shapes() {
    let api = fixture("normalize.yaml");
    let r = Resolver::new(&api);
    let leaf = enums(string(), &["a", "b"]);
    let mut number = shape(Kind::Number);
    number.minimum = Some(0.0);
    number.maximum = Some(10.0);
    let number = ext(
        ext(number, "x-exclusive-minimum", json!(0)),
        "x-exclusive-maximum",
        json!(10),
    );
    let mut nullable_string = nullable(string());
    nullable_string.max_length = Some(10);
    let mut meta_value = string();
    meta_value.max_length = Some(5);
    let mut meta = nullable(object(vec![], &[], Some(meta_value)));
    meta.max_properties = Some(3);
    meta.property_name_max_length = Some(7);
    let meta = ext(meta, "x-property-names-max-length", json!(7));
    let expected = ext(
        object(
            vec![
                ("nullable_string", nullable_string),
                ("only_null", nullable(Shape::any())),
                (
                    "multi",
                    ext(
                        nullable(Shape::any()),
                        "x-types",
                        json!(["string", "integer"]),
                    ),
                ),
                ("constant", enums(string(), &["fixed"])),
                ("bounded", number),
                ("meta", meta),
                (
                    "patterned",
                    ext(
                        object(vec![], &[], None),
                        "x-pattern-properties",
                        json!({"^[a-z]+$": {"type": "string", "nullable": true}}),
                    ),
                ),
                (
                    "ref_with_description",
                    described(leaf.clone(), "Overridden description."),
                ),
                (
                    "nullable_ref",
                    nullable(described(leaf, "Leaf description.")),
                ),
                (
                    "examples",
                    described(string(), "A property named like a keyword."),
                ),
            ],
            &["constant"],
            None,
        ),
        "x-unevaluated-properties",
        json!(false),
    );
    assert_eq!(r.component("Rules").expect("Rules"), expected);
}

// ---- fixture: resolution rules ----

#[test]
fn all_of_merges_properties_and_required() {
    let api = fixture("shapes.yaml");
    let r = Resolver::new(&api);
    let expected = described(
        object(
            vec![
                ("id", string()),
                ("name", nullable(string())),
                ("size", shape(Kind::Integer)),
            ],
            &["id", "size"],
            None,
        ),
        "Base description.",
    );
    assert_eq!(r.component("Merged").expect("Merged"), expected);
}

#[test]
fn one_of_objects_become_a_union_object_with_groups() {
    let api = fixture("shapes.yaml");
    let r = Resolver::new(&api);
    let mut email = string();
    email.format = Some("email".into());
    let expected = ext(
        ext(
            object(
                vec![
                    ("email", email),
                    ("password", nullable(string())),
                    ("hash", string()),
                    ("hash_type", enums(string(), &["bcrypt"])),
                ],
                &["email"],
                None,
            ),
            "x-mutually-exclusive-body-groups",
            json!([["password"], ["hash", "hash_type"]]),
        ),
        "x-one-of-groups",
        json!([[], ["password"], ["hash", "hash_type"]]),
    );
    assert_eq!(r.component("CreateThing").expect("CreateThing"), expected);
}

#[test]
fn recursive_refs_become_any_with_a_marker() {
    let api = fixture("shapes.yaml");
    let r = Resolver::new(&api);
    let child = ext(Shape::any(), "x-recursive-ref", json!("Node"));
    let expected = object(
        vec![
            ("id", string()),
            ("children", shape(Kind::Array(Box::new(child)))),
        ],
        &[],
        None,
    );
    assert_eq!(r.component("Node").expect("Node"), expected);
}

#[test]
fn scalar_unions() {
    let api = fixture("shapes.yaml");
    let r = Resolver::new(&api);
    let mut date = nullable(string());
    date.format = Some("date-time".into());
    let expected = object(
        vec![
            ("maybe_date", date),
            ("either", enums(string(), &["x", "y"])),
            ("mixed", described(Shape::any(), "A string or a number.")),
        ],
        &[],
        None,
    );
    assert_eq!(r.component("Scalars").expect("Scalars"), expected);
}

#[test]
fn operations_follow_parameter_body_and_response_refs() {
    let api = fixture("shapes.yaml");
    let r = Resolver::new(&api);
    let ops = r.operations();
    let ids: Vec<(&str, &str, &str)> = ops
        .iter()
        .map(|o| (o.path.as_str(), o.method.as_str(), o.operation_id.as_str()))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("/things", "POST", "createThing"),
            ("/things/{thing_id}", "GET", "getThing"),
            ("/things/{thing_id}", "PUT", "putThing")
        ]
    );

    let base = described(
        object(
            vec![("id", string()), ("name", nullable(string()))],
            &["id"],
            None,
        ),
        "Base description.",
    );
    let get = r.operation("getThing").expect("getThing");
    assert_eq!(get.summary, "Get a thing");
    assert_eq!(get.tags, vec!["things".to_string()]);
    assert_eq!(get.path_params.len(), 1);
    let id = &get.path_params[0];
    assert_eq!(
        (
            id.name.as_str(),
            id.required,
            id.description.as_str(),
            id.explode
        ),
        ("thing_id", true, "The thing.", false)
    );
    assert_eq!(id.shape, string());
    assert_eq!(get.query_params.len(), 2);
    let expand = &get.query_params[0];
    assert_eq!(
        (expand.name.as_str(), expand.required, expand.explode),
        ("expand", false, false)
    );
    assert_eq!(
        expand.shape,
        shape(Kind::Array(Box::new(enums(string(), &["owner", "tags"]))))
    );
    let limit = &get.query_params[1];
    let mut limit_shape = shape(Kind::Integer);
    limit_shape.minimum = Some(1.0);
    limit_shape.maximum = Some(100.0);
    limit_shape.default = Some(json!(10));
    assert_eq!((limit.name.as_str(), limit.explode), ("limit", true));
    assert_eq!(limit.shape, limit_shape);
    assert_eq!(get.success_status, 200);
    assert_eq!(get.response.as_ref(), Some(&base));
    assert_eq!(get.request_body, None);

    let put = r.operation("putThing").expect("putThing");
    assert_eq!(put.request_body.as_ref(), Some(&base));
    assert!(put.request_body_required);
    assert_eq!(put.success_status, 204);
    assert_eq!(put.response, None);

    let create = r.operation("createThing").expect("createThing");
    assert!(create.deprecated);
    assert_eq!(create.success_status, 201);
    assert!(create.request_body_required);
    assert!(create.response.is_some());
}
