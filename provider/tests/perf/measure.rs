//! What the bench measures outside Terraform runs: binary size, handshake time, and the
//! peak RSS of provider processes (sampled from /proc while a command runs).
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{median, Config, Which};

const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// Size and handshake of one binary.
#[derive(Clone, Debug)]
pub struct Static {
    pub which: Which,
    pub bytes: u64,
    /// Median milliseconds from spawn to the handshake line on stdout.
    pub handshake_ms: f64,
}

/// A client certificate as Terraform sends one (PLUGIN_CLIENT_CERT), so that each provider
/// does its full handshake work (key and server certificate generation).
fn client_pem() -> String {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("client key");
    let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params");
    params.self_signed(&key).expect("self-signed").pem()
}

/// Milliseconds from spawning `bin` as Terraform would to its handshake line.
fn handshake_once(bin: &Path, pem: &str) -> f64 {
    let t = Instant::now();
    let mut child = Command::new(bin)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", pem)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()));
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the handshake line");
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("1|5|") || line.starts_with("1|6|"),
        "{}: not a handshake line: {line:?}",
        bin.display()
    );
    ms
}

/// Size and handshake of each provider binary.
pub fn statics(cfg: &Config) -> Vec<Static> {
    let pem = client_pem();
    let mut bins = vec![(Which::Workos, cfg.workos_bin.clone())];
    if let Some(n) = &cfg.null_bin {
        bins.push((Which::Null, n.clone()));
    }
    bins.into_iter()
        .map(|(which, bin)| {
            handshake_once(&bin, &pem); // warm the page cache
            let times = (0..cfg.handshakes.max(1))
                .map(|_| handshake_once(&bin, &pem))
                .collect();
            Static {
                which,
                bytes: std::fs::metadata(&bin).expect("binary size").len(),
                handshake_ms: median(times),
            }
        })
        .collect()
}

/// Samples VmHWM of every `terraform-provider-*` process whose executable lies under one of
/// `roots` (so providers other benches run on this machine are not counted), every 10 ms,
/// until stopped. VmHWM is the process's own high-water mark, so sampling misses no peak of
/// a process seen at least once.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<HashMap<u32, u64>>,
}

impl RssSampler {
    pub fn start(roots: Vec<PathBuf>) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut seen = HashMap::new();
            while !flag.load(Ordering::Relaxed) {
                sample(&roots, &mut seen);
                std::thread::sleep(Duration::from_millis(10));
            }
            seen
        });
        RssSampler { stop, thread }
    }

    /// (highest VmHWM of one process in KiB, number of processes seen).
    pub fn stop(self) -> (u64, usize) {
        self.stop.store(true, Ordering::Relaxed);
        let seen = self.thread.join().expect("sampler thread");
        (seen.values().copied().max().unwrap_or(0), seen.len())
    }
}

fn sample(roots: &[PathBuf], seen: &mut HashMap<u32, u64>) {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(exe) = std::fs::read_link(p.path().join("exe")) else {
            continue;
        };
        let ours = exe
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("terraform-provider-"))
            && roots.iter().any(|r| exe.starts_with(r));
        if !ours {
            continue;
        }
        let Ok(status) = std::fs::read_to_string(p.path().join("status")) else {
            continue;
        };
        let hwm = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
        if let Some(kib) = hwm {
            let e = seen.entry(pid).or_insert(0);
            *e = (*e).max(kib);
        }
    }
}
