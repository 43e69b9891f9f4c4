//! Descriptor → schema model.

use crate::schema::{Attribute, Block, NestedAttributes, Nesting, Schema};
use crate::value::Type;
use descriptor::{Attr, ConfigAttr, Mode, Ty};

pub fn ty_to_type(ty: &Ty) -> Type {
    match ty {
        Ty::String | Ty::Json => Type::String,
        Ty::Dynamic => Type::Dynamic,
        Ty::Bool => Type::Bool,
        Ty::Int | Ty::Float => Type::Number,
        Ty::List(t) => Type::List(Box::new(ty_to_type(t))),
        Ty::Set(t) => Type::Set(Box::new(ty_to_type(t))),
        Ty::Map(t) => Type::Map(Box::new(ty_to_type(t))),
        Ty::Object(attrs) => Type::Object(
            attrs
                .iter()
                .map(|a| (a.name.to_string(), ty_to_type(&a.ty)))
                .collect(),
        ),
    }
}

/// An object type, alone or as the element of a collection, becomes a nested attribute.
fn nesting(ty: &Ty) -> Option<(Nesting, &'static [Attr])> {
    match ty {
        Ty::Object(fields) => Some((Nesting::Single, fields)),
        Ty::List(Ty::Object(fields)) => Some((Nesting::List, fields)),
        Ty::Set(Ty::Object(fields)) => Some((Nesting::Set, fields)),
        Ty::Map(Ty::Object(fields)) => Some((Nesting::Map, fields)),
        _ => None,
    }
}

pub fn attribute(a: &Attr) -> Attribute {
    attribute_in(a, false)
}

/// `computed_parent`: inside a computed-only nested attribute every field is computed too.
fn attribute_in(a: &Attr, computed_parent: bool) -> Attribute {
    let mode = if computed_parent {
        Mode::Computed
    } else {
        a.mode
    };
    let (ty, nested) = match nesting(&a.ty) {
        Some((nesting, fields)) => (
            None,
            Some(NestedAttributes {
                attributes: fields
                    .iter()
                    .map(|f| attribute_in(f, mode == Mode::Computed))
                    .collect(),
                nesting,
            }),
        ),
        None => (Some(ty_to_type(&a.ty)), None),
    };
    Attribute {
        name: a.name.to_string(),
        ty,
        nested,
        description: a.description.to_string(),
        required: mode == Mode::Required,
        optional: matches!(mode, Mode::Optional | Mode::ComputedOptional),
        computed: matches!(mode, Mode::Computed | Mode::ComputedOptional) || a.default.is_some(),
        sensitive: a.sensitive,
        write_only: a.write_only,
        deprecated: a.deprecated.is_some(),
    }
}

pub fn block(attrs: &[Attr], description: &str) -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: attrs.iter().map(attribute).collect(),
            block_types: vec![],
            description: description.to_string(),
            deprecated: false,
        },
    }
}

pub fn provider_block(config: &[ConfigAttr], description: &str) -> Schema {
    Schema {
        version: 0,
        block: Block {
            attributes: config
                .iter()
                .map(|c| Attribute {
                    name: c.name.to_string(),
                    ty: Some(Type::String),
                    description: match c.env {
                        Some(e) => format!(
                            "{} May also be set with the `{e}` environment variable.",
                            c.description
                        ),
                        None => c.description.to_string(),
                    },
                    optional: true,
                    sensitive: c.sensitive,
                    ..Default::default()
                })
                .collect(),
            description: description.to_string(),
            ..Default::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use descriptor::Mode;

    static FIELDS: [Attr; 2] = [
        Attr {
            name: "domain",
            mode: Mode::Required,
            ..Attr::DEFAULT
        },
        Attr {
            name: "secret",
            mode: Mode::Optional,
            sensitive: true,
            ..Attr::DEFAULT
        },
    ];
    static ITEM: Ty = Ty::Object(&FIELDS);

    #[test]
    fn objects_become_nested_attributes_with_their_own_flags() {
        let a = attribute(&Attr {
            name: "domains",
            ty: Ty::Set(&ITEM),
            mode: Mode::ComputedOptional,
            ..Attr::DEFAULT
        });
        assert!(a.ty.is_none());
        let n = a.nested.as_ref().expect("nested");
        assert_eq!(n.nesting, Nesting::Set);
        assert!(n.attributes[0].required && !n.attributes[0].computed);
        assert!(n.attributes[1].optional && n.attributes[1].sensitive);
        // The value type is still a set of objects.
        assert!(matches!(a.value_type(), Type::Set(_)));
        let schema = Schema {
            block: Block {
                attributes: vec![a],
                ..Default::default()
            },
            ..Default::default()
        };
        let proto = crate::protocol::schema::schema_to_proto(&schema);
        let attr = &proto.block.unwrap().attributes[0];
        let nested = attr.nested_type.as_ref().expect("nested_type");
        assert!(attr.r#type.is_empty());
        assert!(nested.attributes[0].required && nested.attributes[1].sensitive);
    }

    #[test]
    fn fields_of_a_computed_nested_attribute_are_computed() {
        let a = attribute(&Attr {
            name: "items",
            ty: Ty::List(&ITEM),
            ..Attr::DEFAULT
        });
        let n = a.nested.unwrap();
        assert!(n
            .attributes
            .iter()
            .all(|f| f.computed && !f.required && !f.optional));
    }
}
