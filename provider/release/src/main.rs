//! `release`: the command behind `make release`, `make mirror` and `make install`.
//!
//! ```text
//! release package --source ADDR --version V --out DIR [--key GPG_KEY] BINARY[=OS_ARCH]...
//! release mirror  --source ADDR --version V --release DIR --network DIR --registry DIR [--base-url URL]
//! release install --source ADDR --version V --out DIR BINARY[=OS_ARCH]
//! release hash    PATH   (h1: of a zip or a directory; zh: too for a zip)
//! ```
//! A binary without `=OS_ARCH` (or `=RUST_TARGET_TRIPLE`) is for the platform this tool was
//! built for.
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use release::{Platform, Release, Source};

struct Args {
    flags: Vec<(String, String)>,
    positional: Vec<String>,
}

impl Args {
    fn parse(raw: impl Iterator<Item = String>) -> Result<Args> {
        let mut flags = Vec::new();
        let mut positional = Vec::new();
        let mut it = raw.peekable();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                let value = it.next().ok_or_else(|| anyhow!("--{name} needs a value"))?;
                flags.push((name.to_string(), value));
            } else {
                positional.push(a);
            }
        }
        Ok(Args { flags, positional })
    }

    fn opt(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn req(&self, name: &str) -> Result<&str> {
        self.opt(name).ok_or_else(|| anyhow!("missing --{name}"))
    }

    fn source(&self) -> Result<Source> {
        Source::parse(self.req("source")?)
    }
}

fn binaries(args: &Args) -> Result<Vec<(Platform, PathBuf)>> {
    args.positional
        .iter()
        .map(|b| match b.rsplit_once('=') {
            Some((path, target)) if target.contains('-') => {
                Ok((Platform::from_rust_target(target)?, PathBuf::from(path)))
            }
            Some((path, platform)) => Ok((Platform::parse(platform)?, PathBuf::from(path))),
            None => Ok((Platform::host(), PathBuf::from(b))),
        })
        .collect()
}

fn run() -> Result<()> {
    let mut raw = std::env::args().skip(1);
    let cmd = raw.next().unwrap_or_default();
    let args = Args::parse(raw)?;
    match cmd.as_str() {
        "package" => {
            let source = args.source()?;
            let version = args.req("version")?;
            let out = PathBuf::from(args.req("out")?);
            let p = release::package(&source, version, &binaries(&args)?, &out)?;
            for (platform, zip) in &p.zips {
                println!(
                    "{}: {} {}",
                    platform.key(),
                    zip.display(),
                    release::h1_zip(zip)?
                );
            }
            print!("{}", std::fs::read_to_string(&p.shasums)?);
            match args.opt("key").filter(|k| !k.is_empty()) {
                Some(key) => {
                    let sig = release::sign(&out, &p.names, key, None)?;
                    println!("signed: {}", sig.display());
                }
                None => println!("not signed (no --key)"),
            }
        }
        "mirror" => {
            let source = args.source()?;
            let version = args.req("version")?;
            let rel = Release::open(Path::new(args.req("release")?), &source, version)?;
            let net = release::network_mirror(&rel, Path::new(args.req("network")?))?;
            println!("network mirror: {}", net.display());
            let reg = Path::new(args.req("registry")?);
            release::registry_tree(&rel, reg, args.opt("base-url").unwrap_or(""))?;
            println!("provider registry: {}", reg.display());
        }
        "install" => {
            let source = args.source()?;
            let version = args.req("version")?;
            let out = PathBuf::from(args.req("out")?);
            let staging = tempdir()?;
            let p = release::package(&source, version, &binaries(&args)?, &staging)?;
            let rel = Release::open(&p.dir, &source, version)?;
            let dir = release::network_mirror(&rel, &out)?;
            std::fs::remove_dir_all(&staging).ok();
            println!("filesystem mirror: {}", dir.display());
        }
        "hash" => {
            let path = PathBuf::from(
                args.positional
                    .first()
                    .ok_or_else(|| anyhow!("hash PATH"))?,
            );
            if path.is_dir() {
                println!("{}", release::h1_dir(&path)?);
            } else {
                println!("{}", release::h1_zip(&path)?);
                println!("{}", release::zh_hash(&path)?);
            }
        }
        other => bail!("unknown command {other:?}: package | mirror | install | hash"),
    }
    Ok(())
}

fn tempdir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("workos-release-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("mkdir {}", dir.display()))?;
    Ok(dir)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("release: {e:#}");
        std::process::exit(1);
    }
}
