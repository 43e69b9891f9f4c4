//! msgpack decoding of arbitrary bytes against an arbitrary type: never a panic, and whatever
//! decodes re-encodes and decodes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_workos::value::codec::{decode_msgpack, encode_msgpack};
use terraform_provider_workos_fuzz::{arb_type, Bytes};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let ty = arb_type(&mut b, 4);
    if let Ok(v) = decode_msgpack(b.0, &ty) {
        let again = encode_msgpack(&v, &ty).expect("a decoded value encodes");
        assert_eq!(decode_msgpack(&again, &ty).as_ref(), Ok(&v), "round trip");
    }
});
