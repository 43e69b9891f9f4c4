//! A loopback HTTPS static file server with a throwaway CA, standing in for a private provider
//! registry or network mirror (a static web server or bucket). Terraform trusts it through
//! `SSL_CERT_FILE` pointing at [`StaticHttps::ca_pem`].
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct StaticHttps {
    addr: SocketAddr,
    ca_pem: PathBuf,
    log: Arc<Mutex<Vec<String>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _certs: tempfile::TempDir,
}

struct Tls {
    ca_pem: String,
    config: rustls::ServerConfig,
}

/// A CA certificate and a server certificate for `localhost` and `127.0.0.1` it signs.
fn throwaway_tls() -> Tls {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    ca.distinguished_name.push(
        rcgen::DnType::CommonName,
        "terraform-provider-workos test CA",
    );
    let ca_cert = ca.self_signed(&ca_key).expect("self-sign CA");
    let issuer = rcgen::Issuer::new(ca, ca_key);

    let key = rcgen::KeyPair::generate().expect("server key");
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("server params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &issuer).expect("sign server cert");

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .expect("server TLS config");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Tls {
        ca_pem: ca_cert.pem(),
        config,
    }
}

impl StaticHttps {
    /// Serves the files under `root` on a free loopback port until dropped.
    pub fn start(root: &Path) -> StaticHttps {
        let tls = throwaway_tls();
        let certs = tempfile::Builder::new()
            .prefix("tls-ca-")
            .tempdir()
            .expect("tempdir");
        let ca_pem = certs.path().join("ca.pem");
        std::fs::write(&ca_pem, &tls.ca_pem).expect("write CA");
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("local addr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (root, log2, config) = (root.to_path_buf(), log.clone(), Arc::new(tls.config));
        let thread = std::thread::Builder::new()
            .name("static-https".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(serve(std_listener, config, root, log2, rx));
            })
            .expect("spawn server thread");
        StaticHttps {
            addr,
            ca_pem,
            log,
            shutdown: Some(tx),
            thread: Some(thread),
            _certs: certs,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `https://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port())
    }

    /// The CA certificate (PEM) that signed the server certificate.
    pub fn ca_pem(&self) -> &Path {
        &self.ca_pem
    }

    /// `"<status> <path>"` of every request served so far.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for StaticHttps {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(
    std_listener: std::net::TcpListener,
    config: Arc<rustls::ServerConfig>,
    root: PathBuf,
    log: Arc<Mutex<Vec<String>>>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(std_listener).expect("tokio listener");
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            acc = listener.accept() => {
                let Ok((stream, _)) = acc else { continue };
                let (acceptor, root, log) = (acceptor.clone(), root.clone(), log.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else { return };
                    let svc = hyper::service::service_fn(move |req| {
                        let reply = handle(&root, &log, req);
                        async move { Ok::<_, Infallible>(reply) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), svc)
                        .await;
                });
            }
        }
    }
}

fn handle(root: &Path, log: &Mutex<Vec<String>>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let file = path
        .split('/')
        .filter(|s| !s.is_empty())
        .try_fold(root.to_path_buf(), |p, seg| {
            (seg != ".." && seg != ".").then(|| p.join(seg))
        });
    let (status, body, ctype) = match file.filter(|f| f.is_file()).map(std::fs::read) {
        Some(Ok(bytes)) => {
            let ctype = if path.ends_with(".zip") {
                "application/zip"
            } else if path.ends_with(".sig") {
                "application/octet-stream"
            } else if path.ends_with("SHA256SUMS") {
                "text/plain; charset=utf-8"
            } else {
                "application/json"
            };
            (200, bytes, ctype)
        }
        _ => (404, b"not found\n".to_vec(), "text/plain"),
    };
    log.lock().unwrap().push(format!("{status} {path}"));
    Response::builder()
        .status(status)
        .header("content-type", ctype)
        .body(Full::new(Bytes::from(body)))
        .expect("response")
}
