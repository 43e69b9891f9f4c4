//! A synthetic resource descriptor for the engine's unit tests.

use crate::value::Value;
use descriptor::*;
use std::collections::BTreeMap;

/// A string attribute sent on create and update and read back under its own name.
pub const fn attr(name: &'static str, mode: Mode) -> Attr {
    Attr {
        name,
        mode,
        clear: Clear::Null,
        create_field: Some(name),
        update_field: Some(name),
        response_field: Some(name),
        ..Attr::DEFAULT
    }
}

const OP: Op = Op {
    operation_id: "x",
    method: Method::Get,
    path: "/x/{id}",
    path_params: &[ParamBinding {
        param: "id",
        attr: "id",
        explode: false,
    }],
    query_params: &[],
    paginated: false,
    rate_class: RateClass::General,
};

pub static RES: ResourceDesc = ResourceDesc {
    attrs: &[
        Attr {
            create_field: None,
            update_field: None,
            ..attr("id", Mode::Computed)
        },
        attr("name", Mode::Required),
        attr("external_id", Mode::Optional),
        Attr {
            update_field: None,
            force_new: true,
            ..attr("slug", Mode::ComputedOptional)
        },
        Attr {
            on_write: OnWrite::Changes,
            create_field: None,
            update_field: None,
            ..attr("updated_at", Mode::Computed)
        },
        Attr {
            write_only: true,
            sensitive: true,
            response_field: None,
            ..attr("password", Mode::Optional)
        },
        Attr {
            name: EXTRA_CONFIGURATION,
            ty: Ty::Dynamic,
            mode: Mode::Optional,
            ..Attr::DEFAULT
        },
    ],
    ..shell()
};

/// A resource with no attributes, groups or transitions and every CRUD operation; [`RES`] and
/// the tests fill in what they need (`..shell()`).
pub const fn shell() -> ResourceDesc {
    ResourceDesc {
        name: "test_thing",
        description: "",
        attrs: &[],
        create: OP,
        read: ReadDesc::Get(OP),
        refresh: None,
        update: Some(OP),
        delete: Some(OP),
        extra_writes: &[],
        actions: &[],
        import: ImportDesc {
            parts: &["id"],
            separator: "/",
            by: &[],
        },
        hooks: &[],
        adopt: None,
        singleton: false,
        groups: &[],
        transitions: &[],
    }
}

/// A PUT `/x/{id}/<name>` with no body.
const fn put(name: &'static str, path: &'static str) -> Op {
    Op {
        operation_id: name,
        method: Method::Put,
        path,
        ..OP
    }
}

/// A resource with an extra import form (`external_id=<value>`, `GET /x/external_id/{external_id}`)
/// and a transition attribute `status` (`inactive` → deactivate, `active` → reactivate).
pub static RES_BY: ResourceDesc = ResourceDesc {
    name: "test_thing",
    attrs: &[
        Attr {
            create_field: None,
            update_field: None,
            ..attr("id", Mode::Computed)
        },
        attr("external_id", Mode::Optional),
        Attr {
            create_field: None,
            update_field: None,
            ..attr("status", Mode::ComputedOptional)
        },
    ],
    transitions: &[Transition {
        attr: "status",
        to: &[
            TransitionTo {
                value: "inactive",
                op: put("deactivate", "/x/{id}/deactivate"),
            },
            TransitionTo {
                value: "active",
                op: put("reactivate", "/x/{id}/reactivate"),
            },
        ],
    }],
    import: ImportDesc {
        parts: &["id"],
        separator: "/",
        by: &[ImportBy {
            attr: "external_id",
            op: Op {
                operation_id: "by_external_id",
                path: "/x/external_id/{external_id}",
                path_params: &[ParamBinding {
                    param: "external_id",
                    attr: "external_id",
                    explode: false,
                }],
                ..OP
            },
        }],
    },
    ..shell()
};

/// A loopback server answering every request with `status` and `body`; returns its URL and the
/// request lines it saw.
pub async fn serve(
    status: u16,
    body: impl Into<String>,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let body: String = body.into();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let n = s.read(&mut buf).await.unwrap_or(0);
            let text = String::from_utf8_lossy(&buf[..n]).to_string();
            let line = text.lines().next().unwrap_or("").to_string();
            log.lock().unwrap().push(line);
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(reply.as_bytes()).await;
        }
    });
    (url, seen)
}

/// A client of `url` that does not retry.
pub fn test_client(url: &str) -> crate::transport::Client {
    let mut cfg = crate::transport::ClientConfig::new(url, "sk_test_engine", "test");
    cfg.max_retries = 0;
    crate::transport::Client::new(cfg).unwrap()
}

pub fn obj(pairs: &[(&str, Value)]) -> Value {
    let mut m: BTreeMap<String, Value> = RES
        .attrs
        .iter()
        .map(|a| (a.name.to_string(), Value::Null))
        .collect();
    for (k, v) in pairs {
        m.insert(k.to_string(), v.clone());
    }
    Value::Object(m)
}

/// A list data source scoped by a parent: `GET /parents/{parentId}/things`, the path parameter
/// filled from the Required argument `parent_id`, the filter `name` from the query.
pub static PARENT_LIST: DataSourceDesc = DataSourceDesc {
    name: "test_things",
    description: "",
    attrs: &[
        Attr {
            mode: Mode::Required,
            name: "parent_id",
            ..Attr::DEFAULT
        },
        Attr {
            mode: Mode::Optional,
            name: "name",
            ..Attr::DEFAULT
        },
        Attr {
            ty: Ty::List(&Ty::Object(&[Attr {
                response_field: Some("id"),
                name: "id",
                ..Attr::DEFAULT
            }])),
            name: "things",
            ..Attr::DEFAULT
        },
    ],
    kind: DataKind::List {
        op: Op {
            operation_id: "list_things",
            path: "/parents/{parentId}/things",
            path_params: &[ParamBinding {
                param: "parentId",
                attr: "parent_id",
                explode: false,
            }],
            query_params: &[ParamBinding {
                param: "name",
                attr: "name",
                explode: false,
            }],
            paginated: true,
            ..Op::DEFAULT
        },
        into: "things",
    },
    groups: &[],
};
