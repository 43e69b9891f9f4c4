//! Compiles the plugin protocol definitions in `proto/` with the pure-Rust `protox` compiler
//! (no system `protoc` needed) and generates the tonic/prost code from the descriptor set.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/tfplugin6.proto",
        "proto/grpc_controller.proto",
        "proto/grpc_stdio.proto",
        "proto/grpc_broker.proto",
    ];
    for f in files {
        println!("cargo:rerun-if-changed={f}");
    }
    let fds = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        // No `connect` constructors: they need tonic's client transport, which the shipped
        // binary leaves out (tests build clients from their own channel with `new`).
        .build_transport(false)
        .compile_fds(fds)?;
    Ok(())
}
