use generator::{load, normalize, parse, resolve::{Resolver, Kind}};
use std::path::Path;

#[test]
fn scratch() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/workos-openapi-v0.61.0.yaml");
    let doc = normalize::normalize(load::load(&p).unwrap());
    let api = parse::parse(doc).unwrap();
    let r = Resolver::new(&api);
    for (name, _) in &api.components.as_ref().unwrap().schemas {
        match r.component(name) {
            Ok(s) => if matches!(s.kind, Kind::Any) { println!("ANY component {name}: {}", serde_json::to_string(&s).unwrap()) },
            Err(e) => println!("ERR {name}: {e}"),
        }
    }
    let ops = r.operations();
    println!("{}", ops.len());
    fn walk(path: &str, s: &generator::resolve::Shape) {
        match &s.kind {
            Kind::Any => println!("ANY at {path}: {}", serde_json::to_string(s).unwrap().chars().take(300).collect::<String>()),
            Kind::Array(i) => walk(&format!("{path}[]"), i),
            Kind::Object { properties, additional, .. } => {
                for (k, v) in properties { walk(&format!("{path}.{k}"), v) }
                if let Some(a) = additional { walk(&format!("{path}{{}}"), a) }
            }
            _ => {}
        }
    }
    for o in &ops {
        if let Some(b) = &o.request_body { walk(&format!("{} req", o.operation_id), b) }
        if let Some(b) = &o.response { walk(&format!("{} resp", o.operation_id), b) }
        for p in o.path_params.iter().chain(&o.query_params) { walk(&format!("{} param {}", o.operation_id, p.name), &p.shape) }
        if o.success_status == 0 { println!("NO SUCCESS {}", o.operation_id) }
    }
}
