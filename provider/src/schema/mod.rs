//! The runtime's schema model (independent of the protobuf types). The protocol layer converts
//! it to `tfplugin6.Schema`; the engine builds it from the generated descriptors.

use crate::value::Type;

#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

#[derive(Debug, Clone, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub block_types: Vec<NestedBlock>,
    pub description: String,
    pub deprecated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

#[derive(Debug, Clone)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
}

/// Attributes nested inside an attribute (protocol 6 `nested_type`).
#[derive(Debug, Clone)]
pub struct NestedAttributes {
    pub attributes: Vec<Attribute>,
    pub nesting: Nesting,
}

#[derive(Debug, Clone, Default)]
pub struct Attribute {
    pub name: String,
    /// The type, when `nested` is None.
    pub ty: Option<Type>,
    pub nested: Option<NestedAttributes>,
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
    pub deprecated: bool,
}

impl Attribute {
    /// The Terraform type of this attribute's value.
    pub fn value_type(&self) -> Type {
        if let Some(n) = &self.nested {
            let obj = Type::Object(
                n.attributes
                    .iter()
                    .map(|a| (a.name.clone(), a.value_type()))
                    .collect(),
            );
            match n.nesting {
                Nesting::Single => obj,
                Nesting::List => Type::List(Box::new(obj)),
                Nesting::Set => Type::Set(Box::new(obj)),
                Nesting::Map => Type::Map(Box::new(obj)),
            }
        } else {
            self.ty.clone().unwrap_or(Type::Dynamic)
        }
    }
}

impl Block {
    /// The object type of a value conforming to this block.
    pub fn value_type(&self) -> Type {
        let mut m: std::collections::BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect();
        for b in &self.block_types {
            let obj = b.block.value_type();
            let t = match b.nesting {
                Nesting::Single => obj,
                Nesting::List => Type::List(Box::new(obj)),
                Nesting::Set => Type::Set(Box::new(obj)),
                Nesting::Map => Type::Map(Box::new(obj)),
            };
            m.insert(b.type_name.clone(), t);
        }
        Type::Object(m)
    }
}
