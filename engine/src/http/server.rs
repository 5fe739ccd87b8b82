//! The accept loop: hyper-util's auto (HTTP/1.1 + HTTP/2) connection builder serving the axum
//! router, with a header read time-out (slow-loris clients, and connections that send
//! nothing at all, are cut off), a bound on concurrent connections, and graceful shutdown
//! (stop accepting, finish in-flight requests).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tower::Service;

/// How long a client has to send its request head (and, on a new connection, its first
/// bytes): slow-loris and idle connections are closed after this.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// HTTP/2's connection preface; until a client's bytes differ from it or complete it, the
/// protocol is unknown.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Waits (without consuming anything) until the client has sent enough to tell HTTP/1.1
/// from HTTP/2, or closed the connection.
async fn protocol_known(stream: &tokio::net::TcpStream) {
    let mut buf = [0u8; H2_PREFACE.len()];
    loop {
        match stream.peek(&mut buf).await {
            Ok(n) if n > 0 && n < buf.len() && buf[..n] == H2_PREFACE[..n] => {
                // A prefix of the preface: wait for more without spinning.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            _ => return,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` turns true, then waits (at most `drain`)
/// for in-flight connections to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    max_connections: usize,
    mut shutdown: watch::Receiver<bool>,
    drain: Duration,
) {
    let graceful = GracefulShutdown::new();
    let limit = Arc::new(Semaphore::new(max_connections));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(256 * 1024);
    builder.http2().max_header_list_size(64 * 1024);
    let builder = Arc::new(builder);

    loop {
        let permit = tokio::select! {
            p = limit.clone().acquire_owned() => p.expect("semaphore never closed"),
            _ = shutdown.changed() => break,
        };
        let (stream, peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::debug!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let mut router = router.clone();
            async move { router.call(req.map(axum::body::Body::new)).await }
        });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            // hyper's header read time-out only starts once the protocol is known; a client
            // that connects and says nothing would otherwise hold its permit forever.
            if tokio::time::timeout(HEADER_READ_TIMEOUT, protocol_known(&stream))
                .await
                .is_err()
            {
                tracing::trace!(peer = %peer, "connection sent nothing in time; closed");
                drop(permit);
                return;
            }
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(conn.into_owned()).await {
                tracing::trace!(peer = %peer, error = %e, "connection ended with error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("in-flight connections did not finish within {drain:?}");
    }
}
