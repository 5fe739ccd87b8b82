//! The WebhookReceiver actor: owns the HTTP listener and its accept loop (webhooks, API and
//! dashboard share it). Stopping it stops accepting and lets in-flight requests finish, so a
//! webhook that was being published still gets its answer. A restart re-listens on the same
//! socket (a clone of the bound listener), so the address never changes.

use std::time::Duration;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use tokio::sync::watch;

use crate::http::router::router;
use crate::http::server::serve;
use crate::http::state::AppState;

pub struct WebhookReceiver;

/// The receiver takes no messages: its work is the accept loop it owns.
pub enum ReceiverMsg {}

pub struct ReceiverArgs {
    /// The bound socket; each (re)start serves a clone of it.
    pub listener: std::net::TcpListener,
    pub state: AppState,
    /// Bound on waiting for in-flight requests at shutdown.
    pub drain: Duration,
}

pub struct ReceiverState {
    shutdown: watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Actor for WebhookReceiver {
    type Msg = ReceiverMsg;
    type State = ReceiverState;
    type Arguments = ReceiverArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let std_listener = args.listener.try_clone()?;
        std_listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(std_listener)?;
        let (shutdown, rx) = watch::channel(false);
        let max = args.state.config.server.max_connections;
        let router = router(args.state);
        let server = tokio::spawn(serve(listener, router, max, rx, args.drain));
        Ok(ReceiverState {
            shutdown,
            server: Some(server),
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        _state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {}
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let _ = state.shutdown.send(true);
        if let Some(server) = state.server.take() {
            let _ = server.await;
        }
        Ok(())
    }
}
