//! Cancellation of in-flight work when Terraform stops the provider (StopProvider).

use std::sync::Arc;
use tokio::sync::watch;

/// A flag shared by the engine and its HTTP clients: once [`StopSignal::stop`] is called,
/// in-flight requests and retry waits end with a "stopped" error, and so does every later
/// request. Clones share the flag.
#[derive(Clone, Debug)]
pub struct StopSignal(Arc<watch::Sender<bool>>);

impl Default for StopSignal {
    fn default() -> Self {
        StopSignal(Arc::new(watch::Sender::new(false)))
    }
}

impl StopSignal {
    /// Stop everything waiting on this signal, now and later.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }

    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once [`StopSignal::stop`] was called.
    pub async fn stopped(&self) {
        let mut rx = self.0.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail.
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stop_reaches_every_clone_and_stays() {
        let s = StopSignal::default();
        let waiter = s.clone();
        assert!(!waiter.is_stopped());
        let waiting = tokio::spawn(async move { waiter.stopped().await });
        s.stop();
        waiting.await.unwrap();
        assert!(s.is_stopped());
        // Later waits end at once.
        s.clone().stopped().await;
    }
}
