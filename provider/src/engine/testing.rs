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
    name: "test_thing",
    description: "",
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
    },
    hooks: &[],
    adopt: None,
    singleton: false,
    groups: &[],
};

/// A resource with no attributes and no groups, the operations of [`RES`]: tests fill in
/// what they need (`..shell()`).
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
        },
        hooks: &[],
        adopt: None,
        singleton: false,
        groups: &[],
    }
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
