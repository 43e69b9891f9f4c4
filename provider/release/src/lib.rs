//! Release packaging for the provider, shaped by what `terraform init` verifies.
//!
//! - [`package`]: one zip per platform holding only `terraform-provider-<type>_v<version>`
//!   (file entries only, fixed timestamp and mode, so two runs are byte-identical), the
//!   `<name>_<version>_manifest.json` registry manifest and `<name>_<version>_SHA256SUMS`
//!   covering both.
//! - [`sign`]: the detached (binary) GPG signature of SHA256SUMS, made by the `gpg` CLI with a
//!   key the caller names, plus `signing-key.json` (the key as a registry `gpg_public_keys` entry).
//! - [`zh_hash`] / [`h1_zip`] / [`h1_dir`]: the two package hash schemes of the lock file.
//! - [`network_mirror`] (also the packed filesystem-mirror layout `terraform providers mirror`
//!   writes) and [`registry_tree`]: static trees for the Provider Network Mirror Protocol and the
//!   Provider Registry Protocol.
use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A provider source address `HOST/NAMESPACE/TYPE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub host: String,
    pub namespace: String,
    pub type_name: String,
}

impl Source {
    pub fn parse(addr: &str) -> Result<Source> {
        let parts: Vec<&str> = addr.trim().split('/').collect();
        match parts.as_slice() {
            [host, ns, ty] if !host.is_empty() && !ns.is_empty() && !ty.is_empty() => Ok(Source {
                host: host.to_string(),
                namespace: ns.to_string(),
                type_name: ty.to_string(),
            }),
            _ => bail!("source address {addr:?} is not HOST/NAMESPACE/TYPE"),
        }
    }

    /// `terraform-provider-<type>`: the project name used in every release file name.
    pub fn project(&self) -> String {
        format!("terraform-provider-{}", self.type_name)
    }

    /// The same provider on another host (e.g. a private registry `localhost:8443`).
    pub fn on_host(&self, host: &str) -> Source {
        Source {
            host: host.to_string(),
            ..self.clone()
        }
    }
}

/// A Terraform platform `OS_ARCH` such as `linux_amd64`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Platform {
    pub os: String,
    pub arch: String,
}

impl Platform {
    pub fn parse(s: &str) -> Result<Platform> {
        match s.split_once('_') {
            Some((os, arch)) if !os.is_empty() && !arch.is_empty() && !arch.contains('_') => {
                Ok(Platform {
                    os: os.to_string(),
                    arch: arch.to_string(),
                })
            }
            _ => bail!("platform {s:?} is not OS_ARCH"),
        }
    }

    /// The Terraform platform of a Rust target triple, for the triples a release can build.
    pub fn from_rust_target(triple: &str) -> Result<Platform> {
        let arch = match triple.split('-').next().unwrap_or_default() {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "i686" | "i586" => "386",
            "armv7" | "arm" => "arm",
            other => bail!("no Terraform architecture for Rust target {triple:?} ({other})"),
        };
        let os = if triple.contains("-linux-") {
            "linux"
        } else if triple.contains("-apple-darwin") {
            "darwin"
        } else if triple.contains("-windows-") {
            "windows"
        } else if triple.contains("-freebsd") {
            "freebsd"
        } else {
            bail!("no Terraform OS for Rust target {triple:?}")
        };
        Ok(Platform {
            os: os.to_string(),
            arch: arch.to_string(),
        })
    }

    pub fn key(&self) -> String {
        format!("{}_{}", self.os, self.arch)
    }

    /// The platform this code was compiled for.
    pub fn host() -> Platform {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            other => other,
        };
        Platform {
            os: std::env::consts::OS.to_string(),
            arch: arch.to_string(),
        }
    }
}

/// File names of one release.
#[derive(Debug, Clone)]
pub struct Names {
    pub source: Source,
    pub version: String,
}

impl Names {
    pub fn new(source: &Source, version: &str) -> Names {
        Names {
            source: source.clone(),
            version: version.to_string(),
        }
    }

    /// The executable inside every zip: `terraform-provider-<type>_v<version>`.
    pub fn binary(&self, platform: &Platform) -> String {
        let exe = if platform.os == "windows" { ".exe" } else { "" };
        format!("{}_v{}{exe}", self.source.project(), self.version)
    }

    pub fn zip(&self, platform: &Platform) -> String {
        format!(
            "{}_{}_{}.zip",
            self.source.project(),
            self.version,
            platform.key()
        )
    }

    /// The registry manifest as a release asset (the contents of a
    /// `terraform-registry-manifest.json`, named as the registry looks for it).
    pub fn manifest(&self) -> String {
        format!("{}_{}_manifest.json", self.source.project(), self.version)
    }

    pub fn shasums(&self) -> String {
        format!("{}_{}_SHA256SUMS", self.source.project(), self.version)
    }

    pub fn signature(&self) -> String {
        format!("{}.sig", self.shasums())
    }
}

/// The public key that verifies a release's signature, as a registry `gpg_public_keys` entry.
pub const SIGNING_KEY_FILE: &str = "signing-key.json";

fn sha256_bytes(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Lowercase hex SHA-256 of a file.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = fs::File::open(path).with_context(|| format!("open {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// `zh:` hash of a zip: the hex SHA-256 of the archive file itself.
pub fn zh_hash(zip: &Path) -> Result<String> {
    Ok(format!("zh:{}", sha256_file(zip)?))
}

/// Go's dirhash "Hash1" over `(name, sha256(content))` pairs: the summary is one line
/// `"<hex sha256>  <name>\n"` per file in sorted name order, and the hash is
/// `h1:` + base64(sha256(summary)).
pub fn h1_of(files: &[(String, [u8; 32])]) -> Result<String> {
    let mut files = files.to_vec();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut summary = String::new();
    for (name, digest) in &files {
        if name.contains('\n') {
            bail!("file name {name:?} contains a newline");
        }
        summary.push_str(&hex::encode(digest));
        summary.push_str("  ");
        summary.push_str(name);
        summary.push('\n');
    }
    Ok(format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(sha256_bytes(summary.as_bytes()))
    ))
}

/// `h1:` of a zip the way Terraform hashes an archive: every entry, directories included.
pub fn h1_zip(zip: &Path) -> Result<String> {
    let f = fs::File::open(zip).with_context(|| format!("open {}", zip.display()))?;
    let mut archive = zip::ZipArchive::new(f).with_context(|| format!("read {}", zip.display()))?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let mut h = Sha256::new();
        std::io::copy(&mut entry, &mut h)?;
        files.push((entry.name().to_string(), h.finalize().into()));
    }
    h1_of(&files)
}

/// `h1:` of an unpacked package directory: regular files only, forward-slash relative names.
pub fn h1_dir(dir: &Path) -> Result<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, [u8; 32])>) -> Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            let meta = fs::metadata(&path)?;
            if meta.is_dir() {
                walk(root, &path, out)?;
            } else {
                let rel = path.strip_prefix(root)?;
                let name = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((name, sha256_bytes(&fs::read(&path)?)));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files)?;
    h1_of(&files)
}

/// Writes `zip` holding the single file `entry` (the bytes of `binary`): deflate, mode 0755,
/// timestamp 1980-01-01 00:00, no directory entries and no extra fields, so the bytes depend on
/// the binary only.
pub fn write_zip(binary: &Path, entry: &str, zip: &Path) -> Result<()> {
    let data = fs::read(binary).with_context(|| format!("read {}", binary.display()))?;
    let file = fs::File::create(zip).with_context(|| format!("create {}", zip.display()))?;
    let mut w = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o755)
        .large_file(data.len() as u64 >= u32::MAX as u64);
    w.start_file(entry, options)?;
    w.write_all(&data)?;
    w.finish()?.flush()?;
    Ok(())
}

/// The registry manifest of a protocol-6 provider.
pub fn manifest_json() -> String {
    let v = json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}});
    format!(
        "{}\n",
        serde_json::to_string_pretty(&v).expect("static JSON")
    )
}

/// What [`package`] wrote.
#[derive(Debug, Clone)]
pub struct Packaged {
    pub dir: PathBuf,
    pub names: Names,
    pub zips: Vec<(Platform, PathBuf)>,
    pub shasums: PathBuf,
}

/// Packs each `(platform, binary)` into `dir`, writes the manifest and SHA256SUMS over all of
/// them (sorted by file name, `<hex>  <name>` lines, as GoReleaser writes them).
pub fn package(
    source: &Source,
    version: &str,
    binaries: &[(Platform, PathBuf)],
    dir: &Path,
) -> Result<Packaged> {
    if binaries.is_empty() {
        bail!("no binaries to package");
    }
    fs::create_dir_all(dir).with_context(|| format!("mkdir {}", dir.display()))?;
    let names = Names::new(source, version);
    let mut sums = BTreeMap::new();
    let mut zips = Vec::new();
    for (platform, binary) in binaries {
        let zip_name = names.zip(platform);
        let zip = dir.join(&zip_name);
        write_zip(binary, &names.binary(platform), &zip)?;
        sums.insert(zip_name, sha256_file(&zip)?);
        zips.push((platform.clone(), zip));
    }
    let manifest = dir.join(names.manifest());
    fs::write(&manifest, manifest_json())?;
    sums.insert(names.manifest(), sha256_file(&manifest)?);
    let text: String = sums
        .iter()
        .map(|(name, hash)| format!("{hash}  {name}\n"))
        .collect();
    let shasums = dir.join(names.shasums());
    fs::write(&shasums, text)?;
    Ok(Packaged {
        dir: dir.to_path_buf(),
        names,
        zips,
        shasums,
    })
}

fn gpg(home: Option<&Path>, args: &[&str]) -> Result<Vec<u8>> {
    let mut cmd = Command::new("gpg");
    if let Some(home) = home {
        cmd.env("GNUPGHOME", home);
    }
    let out = cmd
        .arg("--batch")
        .args(args)
        .output()
        .context("cannot run gpg (install GnuPG: provider/tests/bench/setup.sh does)")?;
    if !out.status.success() {
        bail!(
            "gpg {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out.stdout)
}

/// The 16-hex-digit key id (uppercase) and ASCII-armored public key of `key` in the keyring
/// of `gnupghome` (default: `$GNUPGHOME`, else gpg's default).
pub fn public_key(key: &str, gnupghome: Option<&Path>) -> Result<(String, String)> {
    let listing = String::from_utf8(gpg(gnupghome, &["--with-colons", "--list-keys", key])?)?;
    let key_id = listing
        .lines()
        .find(|l| l.starts_with("pub:"))
        .and_then(|l| l.split(':').nth(4))
        .ok_or_else(|| anyhow!("gpg lists no public key for {key:?}"))?
        .to_uppercase();
    let armor = String::from_utf8(gpg(gnupghome, &["--armor", "--export", key])?)?;
    if !armor.contains("BEGIN PGP PUBLIC KEY BLOCK") {
        bail!("gpg exported no public key for {key:?}");
    }
    Ok((key_id, armor))
}

/// Signs the release's SHA256SUMS with `key` (a detached binary signature, the form Terraform
/// checks) and writes [`SIGNING_KEY_FILE`] beside it. `key` is anything gpg accepts as a user
/// id (fingerprint, key id, e-mail) in the keyring of `gnupghome` (default: `$GNUPGHOME`).
pub fn sign(dir: &Path, names: &Names, key: &str, gnupghome: Option<&Path>) -> Result<PathBuf> {
    let sums = dir.join(names.shasums());
    let sig = dir.join(names.signature());
    let sums_s = sums.to_string_lossy().into_owned();
    let sig_s = sig.to_string_lossy().into_owned();
    gpg(
        gnupghome,
        &[
            "--yes",
            "--local-user",
            key,
            "--output",
            &sig_s,
            "--detach-sign",
            &sums_s,
        ],
    )?;
    gpg(gnupghome, &["--verify", &sig_s, &sums_s])?;
    let (key_id, armor) = public_key(key, gnupghome)?;
    let entry = json!({"key_id": key_id, "ascii_armor": armor});
    fs::write(
        dir.join(SIGNING_KEY_FILE),
        serde_json::to_string_pretty(&entry)? + "\n",
    )?;
    Ok(sig)
}

/// A release directory read back: the zips named in its SHA256SUMS, each checked.
#[derive(Debug, Clone)]
pub struct Release {
    pub dir: PathBuf,
    pub names: Names,
    /// platform → (zip file name, hex sha256)
    pub zips: BTreeMap<Platform, (String, String)>,
}

impl Release {
    pub fn open(dir: &Path, source: &Source, version: &str) -> Result<Release> {
        let names = Names::new(source, version);
        let sums_path = dir.join(names.shasums());
        let sums = fs::read_to_string(&sums_path)
            .with_context(|| format!("read {} (run `make release`)", sums_path.display()))?;
        let prefix = format!("{}_{}_", source.project(), version);
        let mut zips = BTreeMap::new();
        for line in sums.lines() {
            let (hash, name) = line
                .split_once("  ")
                .ok_or_else(|| anyhow!("bad SHA256SUMS line {line:?}"))?;
            let actual = sha256_file(&dir.join(name))?;
            if actual != hash {
                bail!("{name}: sha256 {actual} does not match SHA256SUMS ({hash})");
            }
            if let Some(platform) = name
                .strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(".zip"))
            {
                zips.insert(
                    Platform::parse(platform)?,
                    (name.to_string(), hash.to_string()),
                );
            }
        }
        if zips.is_empty() {
            bail!("{} lists no zips", sums_path.display());
        }
        Ok(Release {
            dir: dir.to_path_buf(),
            names,
            zips,
        })
    }
}

fn write_json(path: &Path, value: &Value) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, serde_json::to_string_pretty(value)? + "\n")
        .with_context(|| format!("write {}", path.display()))
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_str(&fs::read_to_string(path).ok()?).ok()
}

fn copy_into(src: &Path, dir: &Path) -> Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let dest = dir.join(src.file_name().expect("file name"));
    fs::copy(src, &dest).with_context(|| format!("copy {} → {}", src.display(), dest.display()))?;
    Ok(dest)
}

/// Writes the release into `out` in the Provider Network Mirror Protocol layout, which is also
/// the packed layout `terraform providers mirror` writes (so `out` works as a
/// `filesystem_mirror` too): `HOST/NAMESPACE/TYPE/{index.json, VERSION.json, *.zip}`, with both
/// `h1:` and `zh:` hashes per archive. Other versions already in `index.json` are kept.
/// Returns the provider directory.
pub fn network_mirror(release: &Release, out: &Path) -> Result<PathBuf> {
    let s = &release.names.source;
    let dir = out.join(&s.host).join(&s.namespace).join(&s.type_name);
    let mut archives = serde_json::Map::new();
    for (platform, (zip_name, _)) in &release.zips {
        let zip = copy_into(&release.dir.join(zip_name), &dir)?;
        archives.insert(
            platform.key(),
            json!({"url": zip_name, "hashes": [h1_zip(&zip)?, zh_hash(&zip)?]}),
        );
    }
    let version = &release.names.version;
    write_json(
        &dir.join(format!("{version}.json")),
        &json!({ "archives": archives }),
    )?;
    let index_path = dir.join("index.json");
    let mut versions = read_json(&index_path)
        .and_then(|v| v.get("versions").and_then(Value::as_object).cloned())
        .unwrap_or_default();
    versions.insert(version.clone(), json!({}));
    let mut sorted: Vec<_> = versions.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    write_json(
        &index_path,
        &json!({ "versions": serde_json::Map::from_iter(sorted) }),
    )?;
    Ok(dir)
}

/// Writes the release into `out` as a static Provider Registry Protocol tree for a registry at
/// the root of its host:
///
/// - `.well-known/terraform.json` → `{"providers.v1": "/v1/providers/"}`
/// - `v1/providers/NS/TYPE/versions` (other versions already listed are kept)
/// - `v1/providers/NS/TYPE/VERSION/download/OS/ARCH`
/// - `releases/NS/TYPE/VERSION/` holding the zips, SHA256SUMS and its signature.
///
/// Download responses point at the release files with `base_url` + `/releases/…`; an empty
/// `base_url` gives host-relative URLs, which Terraform resolves against the response's URL.
/// The release must be signed ([`sign`]).
pub fn registry_tree(release: &Release, out: &Path, base_url: &str) -> Result<()> {
    let s = &release.names.source;
    let version = &release.names.version;
    let key_path = release.dir.join(SIGNING_KEY_FILE);
    let key: Value = read_json(&key_path).ok_or_else(|| {
        anyhow!(
            "{} missing: sign the release first (make release GPG_KEY=…)",
            key_path.display()
        )
    })?;
    let files_rel = format!("releases/{}/{}/{version}", s.namespace, s.type_name);
    let files_dir = out.join(&files_rel);
    let base = base_url.trim_end_matches('/');
    let url = |name: &str| format!("{base}/{files_rel}/{name}");
    for name in [release.names.shasums(), release.names.signature()] {
        copy_into(&release.dir.join(&name), &files_dir)?;
    }
    write_json(
        &out.join(".well-known/terraform.json"),
        &json!({"providers.v1": "/v1/providers/"}),
    )?;
    let provider_dir = out
        .join("v1/providers")
        .join(&s.namespace)
        .join(&s.type_name);
    let mut platforms = Vec::new();
    for (platform, (zip_name, hash)) in &release.zips {
        copy_into(&release.dir.join(zip_name), &files_dir)?;
        platforms.push(json!({"os": platform.os, "arch": platform.arch}));
        write_json(
            &provider_dir
                .join(version)
                .join("download")
                .join(&platform.os)
                .join(&platform.arch),
            &json!({
                "protocols": ["6.0"],
                "os": platform.os,
                "arch": platform.arch,
                "filename": zip_name,
                "download_url": url(zip_name),
                "shasums_url": url(&release.names.shasums()),
                "shasums_signature_url": url(&release.names.signature()),
                "shasum": hash,
                "signing_keys": {"gpg_public_keys": [key]},
            }),
        )?;
    }
    let versions_path = provider_dir.join("versions");
    let mut versions: Vec<Value> = read_json(&versions_path)
        .and_then(|v| v.get("versions").and_then(Value::as_array).cloned())
        .unwrap_or_default();
    versions.retain(|v| v["version"] != json!(version));
    versions.push(json!({"version": version, "protocols": ["6.0"], "platforms": platforms}));
    versions.sort_by(|a, b| a["version"].as_str().cmp(&b["version"].as_str()));
    write_json(&versions_path, &json!({ "versions": versions }))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h1_matches_go_dirhash_for_a_known_summary() {
        // Summary "<sha256("hello\n")>  a.txt\n"; expected value computed independently
        // with coreutils: printf '%s  a.txt\n' $(printf 'hello\n' | sha256sum | cut -c1-64)
        //   | sha256sum | xxd -r -p | base64
        let files = vec![("a.txt".to_string(), sha256_bytes(b"hello\n"))];
        assert_eq!(
            h1_of(&files).unwrap(),
            "h1:xULs+l4jrMyt60GIZwYIw7bhbzwK3CkR1JyTboQZesk="
        );
    }

    #[test]
    fn h1_sorts_names_and_rejects_newlines() {
        let a = ("a".to_string(), sha256_bytes(b"1"));
        let b = ("b".to_string(), sha256_bytes(b"2"));
        assert_eq!(
            h1_of(&[a.clone(), b.clone()]).unwrap(),
            h1_of(&[b, a]).unwrap()
        );
        assert!(h1_of(&[("x\ny".to_string(), sha256_bytes(b""))]).is_err());
    }

    #[test]
    fn zips_are_reproducible_hold_one_file_and_hash_like_the_unpacked_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        fs::write(&bin, b"#!/bin/sh\necho provider\n").unwrap();
        let (z1, z2) = (tmp.path().join("1.zip"), tmp.path().join("2.zip"));
        write_zip(&bin, "terraform-provider-workos_v0.1.0", &z1).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        write_zip(&bin, "terraform-provider-workos_v0.1.0", &z2).unwrap();
        assert_eq!(fs::read(&z1).unwrap(), fs::read(&z2).unwrap());

        let mut archive = zip::ZipArchive::new(fs::File::open(&z1).unwrap()).unwrap();
        assert_eq!(archive.len(), 1);
        let entry = archive.by_index(0).unwrap();
        assert_eq!(entry.name(), "terraform-provider-workos_v0.1.0");
        assert!(entry.is_file());
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o755));
        drop(entry);

        let unpacked = tmp.path().join("unpacked");
        fs::create_dir(&unpacked).unwrap();
        fs::copy(&bin, unpacked.join("terraform-provider-workos_v0.1.0")).unwrap();
        assert_eq!(h1_zip(&z1).unwrap(), h1_dir(&unpacked).unwrap());
    }

    #[test]
    fn package_lists_zips_and_manifest_in_sha256sums() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        fs::write(&bin, b"binary").unwrap();
        let source = Source::parse("registry.terraform.io/workos-rs/workos").unwrap();
        let linux = Platform::parse("linux_amd64").unwrap();
        let out = tmp.path().join("dist");
        let p = package(&source, "0.1.0", &[(linux.clone(), bin)], &out).unwrap();
        let sums = fs::read_to_string(&p.shasums).unwrap();
        let names: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
        assert_eq!(
            names,
            [
                "terraform-provider-workos_0.1.0_linux_amd64.zip",
                "terraform-provider-workos_0.1.0_manifest.json"
            ]
        );
        let manifest: Value =
            serde_json::from_str(&fs::read_to_string(out.join(p.names.manifest())).unwrap())
                .unwrap();
        assert_eq!(manifest["metadata"]["protocol_versions"], json!(["6.0"]));
        let release = Release::open(&out, &source, "0.1.0").unwrap();
        assert_eq!(release.zips.keys().collect::<Vec<_>>(), [&linux]);

        // A changed zip is refused when the release is read back.
        fs::write(out.join(p.names.zip(&linux)), b"tampered").unwrap();
        let err = Release::open(&out, &source, "0.1.0").unwrap_err();
        assert!(err.to_string().contains("does not match"), "{err}");
    }

    #[test]
    fn platforms_of_rust_targets() {
        let p = Platform::from_rust_target("x86_64-unknown-linux-gnu").unwrap();
        assert_eq!(p.key(), "linux_amd64");
        let p = Platform::from_rust_target("aarch64-apple-darwin").unwrap();
        assert_eq!(p.key(), "darwin_arm64");
        assert!(Platform::from_rust_target("wasm32-unknown-unknown").is_err());
    }
}
