//! Descriptor → schema model.

use crate::schema::{Attribute, Block, Schema};
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

fn description(a: &Attr) -> String {
    let mut d = a.description.to_string();
    if a.write_only {
        d.push_str(" Write-only: never stored in state; sent when its value changes (Terraform 1.11 or later).");
    }
    if a.force_new {
        d.push_str(" Changing this replaces the object.");
    }
    d.trim().to_string()
}

pub fn attribute(a: &Attr) -> Attribute {
    Attribute {
        name: a.name.to_string(),
        ty: Some(ty_to_type(&a.ty)),
        nested: None,
        description: description(a),
        required: a.mode == Mode::Required,
        optional: matches!(a.mode, Mode::Optional | Mode::ComputedOptional),
        computed: matches!(a.mode, Mode::Computed | Mode::ComputedOptional) || a.default.is_some(),
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
