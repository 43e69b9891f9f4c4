//! Runs the official WorkOS emulator (npm `workos`, `workos emulate`) as a child process.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct Emulator {
    child: Child,
    port: u16,
    api_key: String,
    dir: tempfile::TempDir,
}

fn bin_js() -> PathBuf {
    super::repo_root().join("provider/tests/bench/node_modules/workos/dist/bin.js")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free loopback port")
}

/// `GET /health` with a plain blocking socket; true on a 200.
fn health_ok(port: u16) -> bool {
    let Ok(mut s) =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
    else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.starts_with("HTTP/1.1 200") || out.starts_with("HTTP/1.0 200")
}

impl Emulator {
    pub fn start() -> Emulator {
        Self::start_with_seed(None)
    }

    /// Starts the emulator on a free loopback port, in a fresh temp dir (so no
    /// `workos-emulate.config.*` is auto-loaded), optionally with a seed YAML.
    pub fn start_with_seed(seed_yaml: Option<&str>) -> Emulator {
        let js = bin_js();
        assert!(
            js.exists(),
            "emulator not installed at {}: run provider/tests/bench/setup.sh",
            js.display()
        );
        let mut last_err = String::new();
        for _ in 0..3 {
            match Self::try_start(&js, seed_yaml) {
                Ok(e) => return e,
                Err(e) => last_err = e,
            }
        }
        panic!("emulator failed to start: {last_err}");
    }

    fn try_start(js: &PathBuf, seed_yaml: Option<&str>) -> Result<Emulator, String> {
        let dir = tempfile::Builder::new()
            .prefix("workos-emu-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let port = free_port();
        let mut cmd = Command::new("node");
        cmd.arg(js)
            .args(["emulate", "--port", &port.to_string(), "--json"])
            .current_dir(dir.path())
            .env("NO_UPDATE_NOTIFIER", "1")
            .env("WORKOS_EMULATE_DISABLE_UPDATE_CHECK", "1")
            .env("CI", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        if let Some(seed) = seed_yaml {
            let p = dir.path().join("seed.yaml");
            std::fs::write(&p, seed).map_err(|e| e.to_string())?;
            cmd.arg("--seed").arg(&p);
        }
        let stderr_path = dir.path().join("emulator.stderr");
        let stderr = std::fs::File::create(&stderr_path).map_err(|e| e.to_string())?;
        cmd.stderr(stderr);
        let mut child = cmd.spawn().map_err(|e| format!("spawn node: {e}"))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the child never blocks on a full pipe.
            let mut sink = Vec::new();
            let _ = reader.read_to_end(&mut sink);
        });
        let fail = |child: &mut Child, why: String| {
            let _ = child.kill();
            let _ = child.wait();
            let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            Err(format!("{why}; stderr: {err}"))
        };
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(l) => l,
            Err(_) => return fail(&mut child, "no JSON line within 30 s".into()),
        };
        let info: serde_json::Value = match serde_json::from_str(line.trim()) {
            Ok(v) => v,
            Err(e) => return fail(&mut child, format!("bad start line {line:?}: {e}")),
        };
        let api_key = info["apiKey"]
            .as_str()
            .unwrap_or("sk_test_default")
            .to_string();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !health_ok(port) {
            if Instant::now() > deadline {
                return fail(&mut child, "GET /health never answered 200".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Emulator {
            child,
            port,
            api_key,
            dir,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The key announced on start (`sk_test_default` unless the seed replaces it).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The emulator's stderr so far (for diagnostics).
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("emulator.stderr")).unwrap_or_default()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
