//! The one answer of every RPC this provider does not implement: OK, with an error diagnostic
//! naming the RPC. Unary RPCs get it from [`unsupported_rpc!`]; the streaming ones are written
//! out here.

use super::proto::tfplugin6 as pb;
use crate::log;
use tonic::Status;

/// The diagnostic every unsupported RPC answers with.
pub fn unsupported(rpc: &str) -> Vec<pb::Diagnostic> {
    log::debug(format!("unsupported RPC {rpc} called"));
    vec![pb::Diagnostic {
        severity: pb::diagnostic::Severity::Error as i32,
        summary: format!("{rpc} is not supported by this provider"),
        detail: format!(
            "This provider does not implement the {rpc} operation of the plugin protocol."
        ),
        attribute: None,
    }]
}

/// Expands, inside `impl Provider for ProviderService`, to a unary RPC answering
/// `$Resp { diagnostics: unsupported($rpc), ..Default::default() }`. The signature is the one
/// `#[tonic::async_trait]` gives the trait's methods (the attribute does not see into macros).
macro_rules! unsupported_rpc {
    ($name:ident, $Req:ty, $($Resp:ident)::+, $rpc:literal) => {
        #[allow(clippy::needless_update)]
        fn $name<'life0, 'async_trait>(
            &'life0 self,
            _: tonic::Request<$Req>,
        ) -> ::std::pin::Pin<
            Box<
                dyn ::std::future::Future<Output = Result<tonic::Response<$($Resp)::+>, tonic::Status>>
                    + Send
                    + 'async_trait,
            >,
        >
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async move {
                Ok(tonic::Response::new($($Resp)::+ {
                    diagnostics: $crate::protocol::unsupported::unsupported($rpc),
                    ..Default::default()
                }))
            })
        }
    };
}
pub(crate) use unsupported_rpc;

pub type ListResourceStream = tokio_stream::Once<Result<pb::list_resource::Event, Status>>;
pub type ReadStateBytesStream = tokio_stream::Once<Result<pb::read_state_bytes::Response, Status>>;
pub type InvokeActionStream = tokio_stream::Once<Result<pb::invoke_action::Event, Status>>;

pub fn list_resource() -> ListResourceStream {
    tokio_stream::once(Ok(pb::list_resource::Event {
        diagnostic: unsupported("ListResource"),
        ..Default::default()
    }))
}

pub fn read_state_bytes() -> ReadStateBytesStream {
    tokio_stream::once(Ok(pb::read_state_bytes::Response {
        diagnostics: unsupported("ReadStateBytes"),
        ..Default::default()
    }))
}

pub fn invoke_action() -> InvokeActionStream {
    use pb::invoke_action::event::{Completed, Type};
    tokio_stream::once(Ok(pb::invoke_action::Event {
        r#type: Some(Type::Completed(Completed {
            diagnostics: unsupported("InvokeAction"),
        })),
    }))
}

/// CallFunction reports through its `error` field, not diagnostics.
pub fn call_function() -> pb::call_function::Response {
    let text = unsupported("CallFunction").remove(0).summary;
    pb::call_function::Response {
        result: None,
        error: Some(pb::FunctionError {
            text,
            function_argument: None,
        }),
    }
}
