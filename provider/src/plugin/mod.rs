//! go-plugin server: handshake, AutoMTLS, health, controller.
//!
//! Terraform starts the provider with a magic cookie and (usually) `PLUGIN_CLIENT_CERT`; the
//! provider listens on 127.0.0.1, prints `1|6|tcp|ADDR|grpc|CERT` on stdout and serves the
//! tfplugin6 `Provider`, `grpc.health.v1.Health` ("plugin" is SERVING), `plugin.GRPCController`,
//! `plugin.GRPCStdio` and `plugin.GRPCBroker` until Terraform calls `GRPCController/Shutdown`.

mod conn;
mod services;
pub mod tls;

use crate::core::ProviderCore;
use crate::log;
use crate::protocol::proto::plugin::{
    grpc_broker_server::GrpcBrokerServer, grpc_controller_server::GrpcControllerServer,
    grpc_stdio_server::GrpcStdioServer,
};
use crate::protocol::proto::tfplugin6::provider_server::ProviderServer;
use crate::protocol::ProviderService;
use base64::Engine as _;
use conn::Conn;
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const PROTOCOL_VERSION: &str = "6";
/// How long in-flight calls may take to finish once shutdown was requested.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// Largest message accepted or sent (configurations and states can be large).
const MAX_MESSAGE_SIZE: usize = 256 << 20;

/// Entry point of the binary: serves `core` until Terraform shuts the plugin down; returns the
/// process exit code.
pub fn main(core: Arc<dyn ProviderCore>) -> i32 {
    if std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
        eprintln!(
            "This binary is a plugin. These are not meant to be executed directly.\n\
             Please execute the program that consumes these plugins, which will\n\
             load any plugins automatically"
        );
        return 1;
    }
    if let Ok(versions) = std::env::var("PLUGIN_PROTOCOL_VERSIONS") {
        if !versions.trim().is_empty() && !versions.split(',').any(|v| v.trim() == PROTOCOL_VERSION)
        {
            eprintln!(
                "This provider speaks plugin protocol version {PROTOCOL_VERSION}, but the client \
                 only supports versions {versions}. Please use a Terraform version that supports \
                 protocol {PROTOCOL_VERSION} (Terraform 1.0 or later)."
            );
            return 1;
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("failed to start the async runtime: {e}");
            return 1;
        }
    };
    let result = runtime.block_on(serve(core));
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => 0,
        Err(e) => {
            log::error(format!("plugin server failed: {e}"));
            eprintln!("terraform-provider-workos: {e}");
            1
        }
    }
}

/// Serve `core` (with the go-plugin services) until Terraform shuts the plugin down.
pub async fn serve(core: Arc<dyn ProviderCore>) -> Result<(), String> {
    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !pem.trim().is_empty() => Some(tls::auto_mtls(&pem)?),
        _ => None,
    };
    let listener = bind().await?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("listener address: {e}"))?;

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;

    let (conn_tx, conn_rx) = mpsc::channel::<std::io::Result<Conn>>(16);
    let acceptor = tls
        .as_ref()
        .map(|t| tokio_rustls::TlsAcceptor::from(t.config.clone()));
    tokio::spawn(accept_loop(listener, acceptor, conn_tx));
    tokio::spawn(ignore_interrupts());

    let provider = ProviderServer::new(ProviderService::new(core))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let mut stop = shutdown_rx.clone();
    let server = tonic::transport::Server::builder()
        .add_service(provider)
        .add_service(health_service)
        .add_service(GrpcControllerServer::new(services::Controller {
            shutdown: shutdown_tx,
        }))
        .add_service(GrpcStdioServer::new(services::Idle {
            shutdown: shutdown_rx.clone(),
        }))
        .add_service(GrpcBrokerServer::new(services::Idle {
            shutdown: shutdown_rx.clone(),
        }))
        .serve_with_incoming_shutdown(ReceiverStream::new(conn_rx), async move {
            let _ = stop.wait_for(|s| *s).await;
        });

    let mut line = format!("1|{PROTOCOL_VERSION}|tcp|{addr}|grpc");
    if let Some(t) = &tls {
        line.push('|');
        line.push_str(&base64::engine::general_purpose::STANDARD_NO_PAD.encode(&t.server_cert_der));
    }
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")
            .and_then(|_| out.flush())
            .map_err(|e| format!("writing the handshake: {e}"))?;
    }
    log::debug(format!(
        "plugin server listening on {addr} (TLS: {})",
        tls.is_some()
    ));

    let mut stopped = shutdown_rx;
    tokio::pin!(server);
    tokio::select! {
        r = &mut server => r.map_err(|e| format!("gRPC server: {e}"))?,
        _ = async {
            let _ = stopped.wait_for(|s| *s).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => log::debug("shutdown grace period over; exiting"),
    }
    Ok(())
}

/// Bind 127.0.0.1 on a free port, inside `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT` when both are set.
async fn bind() -> Result<TcpListener, String> {
    let port = |k: &str| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.trim().parse::<u16>().ok())
    };
    if let (Some(min), Some(max)) = (port("PLUGIN_MIN_PORT"), port("PLUGIN_MAX_PORT")) {
        if min <= max && min > 0 {
            for p in min..=max {
                if let Ok(l) = TcpListener::bind(("127.0.0.1", p)).await {
                    return Ok(l);
                }
            }
            return Err(format!("no free port between {min} and {max}"));
        }
    }
    TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| format!("binding 127.0.0.1: {e}"))
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    conns: mpsc::Sender<std::io::Result<Conn>>,
) {
    loop {
        let tcp = tokio::select! {
            r = listener.accept() => match r {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    log::warn(format!("accepting a connection failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = conns.closed() => return,
        };
        let _ = tcp.set_nodelay(true);
        match &tls {
            None => {
                if conns.send(Ok(Conn::Plain(tcp))).await.is_err() {
                    return;
                }
            }
            Some(acceptor) => {
                let (acceptor, conns) = (acceptor.clone(), conns.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
                    {
                        Ok(Ok(stream)) => {
                            let _ = conns.send(Ok(Conn::Tls(Box::new(stream)))).await;
                        }
                        Ok(Err(e)) => {
                            log::warn(format!("TLS handshake with the plugin client failed: {e}"))
                        }
                        Err(_) => log::warn("TLS handshake with the plugin client timed out"),
                    }
                });
            }
        }
    }
}

/// Terraform forwards Ctrl-C to the whole process group and then stops providers itself
/// (StopProvider, Shutdown); like go-plugin servers, ignore the interrupt.
async fn ignore_interrupts() {
    while tokio::signal::ctrl_c().await.is_ok() {
        log::debug("ignoring interrupt; Terraform stops the provider");
    }
}
