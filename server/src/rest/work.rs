//! Before the meeting (issue 18): `GET /api/v1/me/work`, `GET /api/v1/pipeline`,
//! `GET /api/v1/cases/{id}/voices` and `POST /api/v1/cases/{id}/voice-requests`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use app::domain::work::{MyWork, PipelineCard, PipelineQuery, VoiceRequestInput, VoiceStatus};
use app::ssr::AppState;
use app::ssr::work;

use super::{ApiError, ApiQuery, Authed, JsonBody};

#[utoipa::path(
    get,
    path = "/api/v1/me/work",
    tag = "work",
    summary = "What waits for the logged-in user, by role",
    responses((status = 200, description = "Done", body = app::domain::work::MyWork)),
)]
pub async fn mine(State(state): State<AppState>, Authed(session): Authed) -> Result<Json<MyWork>, ApiError> {
    Ok(Json(work::my_work(&state, &session).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/pipeline",
    tag = "work",
    summary = "Every case of one's boards by status, with what it waits for",
    params(app::domain::work::PipelineQuery),
    responses((status = 200, description = "Done", body = Vec<app::domain::work::PipelineCard>)),
)]
pub async fn pipeline(
    State(state): State<AppState>,
    Authed(session): Authed,
    ApiQuery(q): ApiQuery<PipelineQuery>,
) -> Result<Json<Vec<PipelineCard>>, ApiError> {
    Ok(Json(work::pipeline(&state, &session, &q).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/voices",
    tag = "work",
    summary = "Each expected specialty's voice on a case",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    responses((status = 200, description = "Done", body = Vec<app::domain::work::VoiceStatus>)),
)]
pub async fn voices(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<Json<Vec<VoiceStatus>>, ApiError> {
    Ok(Json(work::voices_of(&state, &session, &id).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/voice-requests",
    tag = "work",
    summary = "Ask a specialty for its view before the meeting (coordinators)",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    request_body = app::domain::work::VoiceRequestInput,
    responses((status = 201, description = "Asked", body = Vec<app::domain::work::VoiceStatus>)),
)]
pub async fn request(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VoiceRequestInput>,
) -> Result<(StatusCode, Json<Vec<VoiceStatus>>), ApiError> {
    Ok((StatusCode::CREATED, Json(work::request_voice(&state, &session, &id, &input).await?)))
}
