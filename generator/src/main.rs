//! `cargo run -p generator [-- --check] [--dump-ir] [--root DIR]`: regenerate generated/,
//! docs/ and examples/{resources,data-sources} from spec/ and overrides/; with --check, name
//! every file that would change and exit 1; with --dump-ir, print the IR as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut check = false;
    let mut dump_ir = false;
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--dump-ir" => dump_ir = true,
            "--root" => match args.next() {
                Some(r) => root = PathBuf::from(r),
                None => {
                    eprintln!("--root needs a directory");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("usage: generator [--check] [--dump-ir] [--root DIR]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?} (try --help)");
                return ExitCode::from(2);
            }
        }
    }
    let out = match generator::generate(&root) {
        Ok(o) => o,
        Err(errors) => {
            eprintln!("generator: {} error(s):", errors.len());
            for e in errors {
                eprintln!("  {e}");
            }
            return ExitCode::FAILURE;
        }
    };
    if dump_ir {
        println!(
            "{}",
            serde_json::to_string_pretty(&out.ir).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    if check {
        let changed = generator::write::diff(&root, &out.files);
        if changed.is_empty() {
            println!("generator --check: {} files up to date", out.files.len());
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "generator --check: {} file(s) differ from what the generator writes:",
            changed.len()
        );
        for f in changed {
            eprintln!("  {f}");
        }
        eprintln!("run `cargo run -p generator` and commit the result");
        return ExitCode::FAILURE;
    }
    match generator::write::write(&root, &out.files) {
        Ok(changed) => {
            println!(
                "generator: {} files, {} changed",
                out.files.len(),
                changed.len()
            );
            for f in changed {
                println!("  {f}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("generator: cannot write: {e}");
            ExitCode::FAILURE
        }
    }
}
