//! The plumbing both live streams share (`/cases/{id}/events`, `/meetings/{id}/events`): a task
//! that sends events into a channel the response body reads, a keep-alive, and the wait for the
//! next announcement of a key.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::{broadcast, mpsc};

use app::ssr::events::POLL_EVERY;
use futures_util::StreamExt;

use crate::serve::Stopping;

/// An event-stream response fed by `run`, which sends events until it returns (the viewer left,
/// or the session ended). The stream also ends when the server shuts down (`stopping`, set by
/// `serve`; absent when a test drives the router directly).
pub fn respond<Fut>(
    capacity: usize,
    stopping: Option<Stopping>,
    run: impl FnOnce(mpsc::Sender<Event>) -> Fut,
) -> Response
where
    Fut: Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<Event>(capacity);
    tokio::spawn(run(tx));
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|event| (Ok::<_, Infallible>(event), rx))
    });
    let stopped = async move {
        match stopping {
            Some(Stopping(token)) => token.cancelled_owned().await,
            None => std::future::pending().await,
        }
    };
    let body = body.take_until(stopped);
    Sse::new(body).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

/// Sleeps until `key` is announced or the periodic look is due (true), or until the viewer
/// leaves or the announcements stop (false).
pub async fn wait_for(key: &str, wake: &mut broadcast::Receiver<String>, tx: &mpsc::Sender<Event>) -> bool {
    let deadline = tokio::time::sleep(POLL_EVERY);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            woke = wake.recv() => match woke {
                Ok(announced) if announced != key => continue,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => return true,
                Err(broadcast::error::RecvError::Closed) => return false,
            },
            _ = &mut deadline => return true,
            _ = tx.closed() => return false,
        }
    }
}
