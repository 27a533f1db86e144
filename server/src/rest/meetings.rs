//! `/api/v1/meetings`: scheduling, the agenda (409 for a case already on it, 422 naming what an
//! incomplete case lacks), attendance, meeting mode and its live stream.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::Event;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use tokio::sync::{broadcast, mpsc};

use app::domain::events::MeetingEvent;
use app::domain::meeting::{MeetingCancel, MeetingChange, MeetingInput, MeetingSeries};
use app::ssr::AppState;
use app::ssr::meetings::{self, AgendaChange};

use super::{ApiError, Authed, JsonBody, sse};
use crate::serve::Stopping;

#[utoipa::path(
    post,
    path = "/api/v1/meetings",
    tag = "meetings",
    summary = "Schedule a meeting (coordinators)",
    request_body = app::domain::meeting::MeetingInput,
    responses((status = 201, description = "Created", body = app::domain::meeting::Meeting)),
)]
pub async fn create(
    State(state): State<AppState>,
    Authed(session): Authed,
    JsonBody(input): JsonBody<MeetingInput>,
) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(meetings::create(&state, &session, &input).await?)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/meetings/series",
    tag = "meetings",
    summary = "Schedule a board's weekly meetings at once (coordinators): `weeks` meetings alike, one a week at the same UTC time from `meeting.starts_at`; all or none",
    request_body = app::domain::meeting::MeetingSeries,
    responses((status = 201, description = "Created, in the order of their dates", body = Vec<app::domain::meeting::Meeting>)),
)]
pub async fn create_series(
    State(state): State<AppState>,
    Authed(session): Authed,
    JsonBody(series): JsonBody<MeetingSeries>,
) -> Result<Response, ApiError> {
    let made = meetings::create_weekly(&state, &session, &series.meeting, series.weeks).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/meetings",
    tag = "meetings",
    summary = "Meetings of one's boards: the next 104 (today's included) soonest first, then the last 104 held, most recent first",
    responses((status = 200, description = "Done", body = Vec<app::domain::meeting::Meeting>)),
)]
pub async fn list(State(state): State<AppState>, Authed(session): Authed) -> Result<Response, ApiError> {
    Ok(Json(meetings::list(&state, &session).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}",
    tag = "meetings",
    summary = "A meeting with its ordered agenda and attendance",
    params(("id" = String, Path, description = "The meeting's id")),
    responses((status = 200, description = "Done", body = app::domain::meeting::MeetingDetail)),
)]
pub async fn get(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(meetings::get(&state, &session, &id).await?).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/meetings/{id}",
    tag = "meetings",
    summary = "Reschedule a meeting or change its room, link, title, tumour type or expected specialties; fields left out are kept (409 once a plan signed at it names it)",
    params(("id" = String, Path, description = "The meeting's id")),
    request_body = app::domain::meeting::MeetingChange,
    responses((status = 200, description = "Done", body = app::domain::meeting::MeetingDetail)),
)]
pub async fn change(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<MeetingChange>,
) -> Result<Response, ApiError> {
    Ok(Json(meetings::change(&state, &session, &id, &body, None).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/cancel",
    tag = "meetings",
    summary = "Call a meeting off, saying why (coordinators): its cases are taken off its agenda and wait for another meeting; 409 while it is presented or once a recorded plan names it",
    params(("id" = String, Path, description = "The meeting's id")),
    request_body = app::domain::meeting::MeetingCancel,
    responses((status = 200, description = "Cancelled", body = app::domain::meeting::MeetingDetail)),
)]
pub async fn cancel(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<MeetingCancel>,
) -> Result<Response, ApiError> {
    Ok(Json(meetings::cancel(&state, &session, &id, &body).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaAdd {
    case_id: String,
    #[serde(default = "discuss")]
    mode: String,
    minutes: Option<i64>,
}

fn discuss() -> String {
    "discuss".into()
}

#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/agenda",
    tag = "meetings",
    summary = "Put a case on the agenda (422 names what the case lacks)",
    params(("id" = String, Path, description = "The meeting's id")),
    request_body = AgendaAdd,
    responses((status = 201, description = "On the agenda", body = app::domain::meeting::MeetingDetail)),
)]
pub async fn add_to_agenda(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AgendaAdd>,
) -> Result<Response, ApiError> {
    let detail = meetings::add_case(&state, &session, &id, &body.case_id, &body.mode, body.minutes).await?;
    Ok((StatusCode::CREATED, Json(detail)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaPatch {
    /// "up" or "down"
    #[serde(rename = "move")]
    direction: Option<String>,
    /// Move to this place (1 = first).
    position: Option<i64>,
    /// "discuss" or "standard_of_care"; left out, the mode is kept.
    mode: Option<String>,
    /// The estimate, 1 to 120; left out, the minutes are kept.
    minutes: Option<i64>,
}

#[utoipa::path(
    patch,
    path = "/api/v1/meetings/{id}/agenda/{case_id}",
    tag = "meetings",
    summary = "Move an agenda item, or change its mode, its minutes or both (what is left out is kept)",
    params(("id" = String, Path, description = "The meeting's id"), ("case_id" = String, Path, description = "The case's id")),
    request_body = AgendaPatch,
    responses((status = 200, description = "Done", body = app::domain::meeting::MeetingDetail)),
)]
pub async fn change_agenda(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path((id, case_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<AgendaPatch>,
) -> Result<Response, ApiError> {
    // One kind of change a request: a move that also carried minutes changed only the place
    // and answered 200, the minutes dropped without a word.
    let no_minutes = body.minutes.is_none();
    let change = match (body.direction.as_deref(), body.mode) {
        (Some("up"), None) if no_minutes && body.position.is_none() => AgendaChange::Up,
        (Some("down"), None) if no_minutes && body.position.is_none() => AgendaChange::Down,
        (None, None) if no_minutes && body.position.is_some() => AgendaChange::To(body.position.unwrap_or_default()),
        (None, mode) if body.position.is_none() && (mode.is_some() || body.minutes.is_some()) => {
            AgendaChange::Set { mode, minutes: body.minutes }
        }
        _ => {
            return Err(app::error::AppError::field(
                "move",
                "Send one change: {\"move\": \"up\"|\"down\"}, {\"position\": N}, or the \"mode\", the \"minutes\" or both.",
            )
            .into());
        }
    };
    Ok(Json(meetings::change_item(&state, &session, &id, &case_id, change).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/meetings/{id}/agenda/{case_id}",
    tag = "meetings",
    summary = "Take a case off the agenda",
    params(("id" = String, Path, description = "The meeting's id"), ("case_id" = String, Path, description = "The case's id")),
    responses((status = 200, description = "Done", body = app::domain::meeting::MeetingDetail)),
)]
pub async fn remove_from_agenda(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path((id, case_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(Json(meetings::change_item(&state, &session, &id, &case_id, AgendaChange::Remove).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    user_id: String,
    #[serde(default = "yes")]
    present: bool,
}

fn yes() -> bool {
    true
}

#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/attendance",
    tag = "meetings",
    summary = "Mark someone present or absent",
    params(("id" = String, Path, description = "The meeting's id")),
    request_body = Attendance,
    responses((status = 200, description = "Done", body = app::domain::meeting::MeetingDetail)),
)]
pub async fn attendance(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Attendance>,
) -> Result<Response, ApiError> {
    Ok(Json(meetings::set_attendance(&state, &session, &id, &body.user_id, body.present).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Present {
    case_id: Option<String>,
    /// A document or key image of that case to show large with it (everyone follows).
    #[serde(default)]
    attachment_id: Option<String>,
    /// Someone who is not the presenter must say so to move everyone's screen (else 409).
    #[serde(default)]
    take_control: bool,
}

#[utoipa::path(
    post,
    path = "/api/v1/meetings/{id}/present",
    tag = "meetings",
    summary = "Show a case on every participant's screen",
    params(("id" = String, Path, description = "The meeting's id")),
    request_body = Present,
    responses((status = 200, description = "Done", body = app::domain::meeting::MeetingDetail)),
)]
pub async fn present(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Present>,
) -> Result<Response, ApiError> {
    Ok(Json(
        meetings::present(
            &state,
            &session,
            &id,
            body.case_id.as_deref(),
            body.attachment_id.as_deref(),
            body.take_control,
        )
        .await?,
    )
    .into_response())
}

/// `GET /meetings/{id}/events`: `{"revision", "current_case_id"}` now and after every change, so
/// participants' screens follow the presenter and the agenda.
#[utoipa::path(
    get,
    path = "/api/v1/meetings/{id}/events",
    tag = "meetings",
    summary = "A `text/event-stream` of the meeting's state; each event's data is a MeetingEvent",
    params(("id" = String, Path, description = "The meeting's id")),
    responses((status = 200, description = "Server-sent events; each `data` is a MeetingEvent as JSON", content_type = "text/event-stream", body = super::openapi::SseEvent)),
)]
pub async fn stream(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    stopping: Option<Extension<Stopping>>,
) -> Result<Response, ApiError> {
    let first = meetings::follow(&state, &session, &id).await?;
    let wake = state.db.hub.subscribe().await;
    let stopping = stopping.map(|Extension(s)| s);
    Ok(sse::respond(16, stopping, move |tx| follow(state, session.id_hash, id, first, wake, tx)))
}

async fn follow(
    state: AppState,
    session_hash: String,
    id: String,
    first: (i64, Option<String>),
    mut wake: broadcast::Receiver<String>,
    tx: mpsc::Sender<Event>,
) {
    let send = |(rev, current): &(i64, Option<String>)| {
        let event = MeetingEvent { revision: *rev, current_case_id: current.clone() };
        Event::default().id(rev.to_string()).data(serde_json::to_string(&event).unwrap_or_default())
    };
    let mut last = first;
    if tx.send(send(&last)).await.is_err() {
        return;
    }
    loop {
        if !sse::wait_for(&id, &mut wake, &tx).await {
            return;
        }
        if !matches!(app::ssr::auth::session_still_valid(&state, &session_hash).await, Ok(true)) {
            return;
        }
        match meetings::revision(&state, &id).await {
            Ok(Some(now)) if now != last => {
                last = now;
                if tx.send(send(&last)).await.is_err() {
                    return;
                }
            }
            Ok(None) => return,
            _ => {}
        }
    }
}
