//! `tenant-receiver`: listens for WorkOS webhook deliveries and provisions tenants.
//! Configuration: environment variables, see `config.rs` or the example's README.

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .init();
    let config = match tenant_receiver::config::Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tenant-receiver: {e}");
            std::process::exit(2);
        }
    };
    let (router, state) = match tenant_receiver::build(&config).await {
        Ok(x) => x,
        Err(e) => {
            eprintln!("tenant-receiver: cannot open the catalog: {e}");
            std::process::exit(1);
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tenant-receiver: cannot listen on {}: {e}", config.listen);
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().expect("bound address");
    tracing::info!(
        storage = ?config.storage,
        secrets = config.secrets.len(),
        tolerance_secs = config.tolerance.as_secs(),
        "tenant-receiver ready"
    );
    // One line on stdout with the address actually bound (LISTEN_ADDR may use port 0).
    println!(
        "listening on http://{addr}{}",
        tenant_receiver::app::WEBHOOK_PATH
    );
    let shutdown = async {
        let ctrl_c = tokio::signal::ctrl_c();
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    };
    if let Err(e) = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("tenant-receiver: server error: {e}");
    }
    state.store.close().await;
}
