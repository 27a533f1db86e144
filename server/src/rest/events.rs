//! `GET /api/v1/cases/{id}/events`: a `text/event-stream` of changes to a case (annotations,
//! case edits and status, plan). Each event's id is its sequence number; a reconnecting client
//! sends it back as `Last-Event-ID` (browsers do so by themselves) and receives everything after
//! it. A first connection may start from `?after=N` (the `live_seq` of the case it has read),
//! else from now. The stream ends when the session ends.

use std::time::{Duration, Instant};

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::response::sse::Event;
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};

use app::ssr::AppState;
use app::ssr::events;

use super::{ApiError, ApiQuery, Authed, sse};
use crate::serve::Stopping;

/// How often an open stream checks that its session is still valid.
const SESSION_CHECK_EVERY: Duration = Duration::from_secs(30);

#[derive(Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct After {
    after: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/events",
    tag = "cases",
    summary = "A `text/event-stream` of the case's changes; each event's data is a CaseEvent",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)"), After),
    responses((status = 200, description = "Server-sent events; each `data` is a CaseEvent as JSON", content_type = "text/event-stream", body = super::openapi::SseEvent)),
)]
pub async fn stream(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(case_id): Path<String>,
    ApiQuery(query): ApiQuery<After>,
    stopping: Option<Extension<Stopping>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let resume = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok());
    let start = events::open(&state, &session, &case_id, resume.or(query.after)).await?;
    let wake = state.db.hub.subscribe().await;
    let stopping = stopping.map(|Extension(s)| s);
    Ok(sse::respond(64, stopping, move |tx| follow(state, session.id_hash, case_id, start, wake, tx)))
}

/// Sends a case's events after `last` to one viewer until it goes away or its session ends.
async fn follow(
    state: AppState,
    session_hash: String,
    case_id: String,
    mut last: i64,
    mut wake: broadcast::Receiver<String>,
    tx: mpsc::Sender<Event>,
) {
    if tx.send(Event::default().retry(Duration::from_secs(2)).comment("following")).await.is_err() {
        return;
    }
    let mut checked = Instant::now();
    loop {
        loop {
            let batch = match events::since(&state.db, &case_id, last).await {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read case events; will retry");
                    break;
                }
            };
            let full = batch.len() as i64 == events::BATCH;
            for e in batch {
                last = e.seq;
                let data = serde_json::to_string(&e).unwrap_or_default();
                if tx.send(Event::default().id(e.seq.to_string()).data(data)).await.is_err() {
                    return;
                }
            }
            if !full {
                break;
            }
        }
        if !sse::wait_for(&case_id, &mut wake, &tx).await {
            return;
        }
        if checked.elapsed() >= SESSION_CHECK_EVERY {
            checked = Instant::now();
            if !matches!(app::ssr::auth::session_still_valid(&state, &session_hash).await, Ok(true)) {
                return;
            }
        }
    }
}
