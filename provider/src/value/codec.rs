//! DynamicValue codecs: msgpack and JSON, driven by a `Type`.
//! (Implemented by the protocol work; see the module docs in value/mod.rs.)
