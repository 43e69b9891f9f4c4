//! Shared helpers of the fuzz targets: a Terraform type drawn from the fuzzer's bytes, so the
//! codecs are exercised with every type shape, not only the provider's schemas.

use terraform_provider_workos::value::Type;

/// Reads bytes front to back; an exhausted input reads as zeros.
pub struct Bytes<'a>(pub &'a [u8]);

impl Bytes<'_> {
    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
}

/// A type of at most `depth` levels, chosen by the input.
pub fn arb_type(b: &mut Bytes<'_>, depth: u8) -> Type {
    let pick = b.byte();
    if depth == 0 {
        return [Type::Bool, Type::Number, Type::String, Type::Dynamic][(pick % 4) as usize].clone();
    }
    let elem = |b: &mut Bytes<'_>| Box::new(arb_type(b, depth - 1));
    match pick % 9 {
        0 => Type::Bool,
        1 => Type::Number,
        2 => Type::String,
        3 => Type::Dynamic,
        4 => Type::List(elem(b)),
        5 => Type::Set(elem(b)),
        6 => Type::Map(elem(b)),
        7 => {
            let n = b.byte() % 4;
            let attrs = (0..n)
                .map(|i| (format!("a{i}"), arb_type(b, depth - 1)))
                .collect();
            Type::Object(attrs)
        }
        _ => {
            let n = b.byte() % 4;
            Type::Tuple((0..n).map(|_| arb_type(b, depth - 1)).collect())
        }
    }
}
