//! The runtime schema model → `tfplugin6.Schema`.

use super::proto::tfplugin6 as pb;
use crate::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use crate::value::codec::type_to_json_bytes;

pub fn schema_to_proto(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block_to_proto(&s.block, s.version)),
    }
}

fn block_to_proto(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute_to_proto).collect(),
        block_types: b.block_types.iter().map(nested_block_to_proto).collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Plain as i32,
        deprecated: b.deprecated,
        deprecation_message: String::new(),
    }
}

fn attribute_to_proto(a: &Attribute) -> pb::schema::Attribute {
    let (ty, nested_type) = match &a.nested {
        Some(n) => (
            Vec::new(),
            Some(pb::schema::Object {
                attributes: n.attributes.iter().map(attribute_to_proto).collect(),
                nesting: object_nesting(n.nesting) as i32,
                ..Default::default()
            }),
        ),
        None => (type_to_json_bytes(&a.value_type()), None),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type,
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Plain as i32,
        deprecated: a.deprecated,
        write_only: a.write_only,
        deprecation_message: String::new(),
    }
}

fn object_nesting(n: Nesting) -> pb::schema::object::NestingMode {
    use pb::schema::object::NestingMode as M;
    match n {
        Nesting::Single => M::Single,
        Nesting::List => M::List,
        Nesting::Set => M::Set,
        Nesting::Map => M::Map,
    }
}

fn nested_block_to_proto(b: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode as M;
    pb::schema::NestedBlock {
        type_name: b.type_name.clone(),
        block: Some(block_to_proto(&b.block, 0)),
        nesting: match b.nesting {
            Nesting::Single => M::Single,
            Nesting::List => M::List,
            Nesting::Set => M::Set,
            Nesting::Map => M::Map,
        } as i32,
        min_items: b.min_items,
        max_items: b.max_items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::NestedAttributes;
    use crate::value::Type;

    #[test]
    fn nested_attributes_become_objects() {
        let s = Schema {
            version: 2,
            block: Block {
                attributes: vec![
                    Attribute {
                        name: "key".into(),
                        ty: Some(Type::String),
                        sensitive: true,
                        write_only: true,
                        optional: true,
                        ..Default::default()
                    },
                    Attribute {
                        name: "entries".into(),
                        nested: Some(NestedAttributes {
                            attributes: vec![Attribute {
                                name: "entry".into(),
                                ty: Some(Type::String),
                                required: true,
                                ..Default::default()
                            }],
                            nesting: Nesting::Set,
                        }),
                        optional: true,
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
        };
        let p = schema_to_proto(&s);
        assert_eq!(p.version, 2);
        let b = p.block.unwrap();
        assert_eq!(b.attributes[0].r#type, br#""string""#.to_vec());
        assert!(b.attributes[0].sensitive && b.attributes[0].write_only);
        let n = b.attributes[1].nested_type.as_ref().unwrap();
        assert!(b.attributes[1].r#type.is_empty());
        assert_eq!(n.nesting, pb::schema::object::NestingMode::Set as i32);
        assert_eq!(n.attributes[0].name, "entry");
    }
}
