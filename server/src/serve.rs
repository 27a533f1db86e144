//! Serving the router on a socket. `axum::serve` sets no timer, so a client that sends its
//! request headers slowly (or never) holds a connection for ever; this accept loop is the same
//! as axum's but gives hyper a timer and a header-read timeout (IN-3), and shuts down
//! gracefully: on the signal it stops accepting, ends the event streams (which would otherwise
//! never finish; browsers reconnect by themselves) and lets open requests finish.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// A client must have sent its request headers within this time (IN-3).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long open connections may take to finish after the shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// In every request's extensions: cancelled when the server begins to shut down, so that a
/// response that never ends by itself (an event stream) ends then.
#[derive(Clone, Debug, Default)]
pub struct Stopping(pub CancellationToken);

/// Serves `app` on `listener` until `shutdown` completes. Each request carries the peer's
/// address as `ConnectInfo<SocketAddr>`, as with axum's own `into_make_service_with_connect_info`.
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let stopping = CancellationToken::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
    builder.http2().timer(TokioTimer::new());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Too many open files and the like: wait a moment instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // No Nagle delay (issue 17): a page is written in several pieces, and with Nagle on, a
        // piece smaller than a segment waited for the client's delayed ACK (40 ms on Linux):
        // a quarter of the case pages took 16–47 ms instead of 4 for one client in turn.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
        let stop = Stopping(stopping.clone());
        let service = app.clone().map_request(move |req: hyper::Request<hyper::body::Incoming>| {
            let mut req = req.map(axum::body::Body::new);
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            req.extensions_mut().insert(stop.clone());
            req
        });
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn.into_owned());
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    stopping.cancel();
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("some connections were still open after the shutdown grace period");
    }
    Ok(())
}
