fn main() {
    let core = terraform_provider_workos::engine::new_provider();
    std::process::exit(terraform_provider_workos::plugin::main(core));
}
