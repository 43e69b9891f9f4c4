fn main() {
    std::process::exit(terraform_provider_workos::plugin::main());
}
