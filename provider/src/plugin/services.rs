//! The go-plugin side services: GRPCController (shutdown), GRPCStdio and GRPCBroker. The last
//! two have nothing to carry for this provider (logs go straight to stderr, no brokered
//! connections), so their streams stay open and idle until the client leaves or the plugin
//! shuts down.

use crate::log;
use crate::protocol::proto::plugin::{
    grpc_broker_server::GrpcBroker, grpc_controller_server::GrpcController,
    grpc_stdio_server::GrpcStdio, ConnInfo, Empty, StdioData,
};
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

/// Sets the shared shutdown flag when Terraform calls `plugin.GRPCController/Shutdown`.
pub struct Controller {
    pub shutdown: watch::Sender<bool>,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _: Request<Empty>) -> Result<Response<Empty>, Status> {
        log::debug("shutdown requested by the plugin client");
        self.shutdown.send_replace(true);
        Ok(Response::new(Empty {}))
    }
}

/// A stream that never yields and ends at shutdown.
fn idle_stream<T: Send + 'static>(
    mut shutdown: watch::Receiver<bool>,
) -> ReceiverStream<Result<T, Status>> {
    let (tx, rx) = mpsc::channel(1);
    tokio::spawn(async move {
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => {}
            _ = tx.closed() => {}
        }
        drop(tx);
    });
    ReceiverStream::new(rx)
}

/// Serves GRPCStdio and GRPCBroker: both streams stay open and idle until shutdown.
pub struct Idle {
    pub shutdown: watch::Receiver<bool>,
}

#[tonic::async_trait]
impl GrpcStdio for Idle {
    type StreamStdioStream = ReceiverStream<Result<StdioData, Status>>;

    async fn stream_stdio(
        &self,
        _: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(idle_stream(self.shutdown.clone())))
    }
}

#[tonic::async_trait]
impl GrpcBroker for Idle {
    type StartStreamStream = ReceiverStream<Result<ConnInfo, Status>>;

    async fn start_stream(
        &self,
        req: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        let mut incoming = req.into_inner();
        // Drain (and ignore) whatever the client sends, so its side never blocks.
        tokio::spawn(async move { while let Ok(Some(_)) = incoming.message().await {} });
        Ok(Response::new(idle_stream(self.shutdown.clone())))
    }
}
