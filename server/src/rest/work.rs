//! Before the meeting (issue 18): `GET /api/v1/me/work`, `GET /api/v1/pipeline`,
//! `GET /api/v1/cases/{id}/voices` and `POST /api/v1/cases/{id}/voice-requests`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;

use app::domain::work::{MyWork, PipelineCard, PipelineQuery, VoiceRequestInput, VoiceStatus};
use app::error::AppError;
use app::ssr::AppState;
use app::ssr::work;

use super::{ApiError, Authed, JsonBody};

pub async fn mine(State(state): State<AppState>, Authed(session): Authed) -> Result<Json<MyWork>, ApiError> {
    Ok(Json(work::my_work(&state, &session).await?))
}

pub async fn pipeline(
    State(state): State<AppState>,
    Authed(session): Authed,
    query: Result<Query<PipelineQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<PipelineCard>>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError(AppError::bad_request(e.body_text())))?;
    Ok(Json(work::pipeline(&state, &session, &q).await?))
}

pub async fn voices(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<Json<Vec<VoiceStatus>>, ApiError> {
    Ok(Json(work::voices_of(&state, &session, &id).await?))
}

pub async fn request(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<VoiceRequestInput>,
) -> Result<(StatusCode, Json<Vec<VoiceStatus>>), ApiError> {
    Ok((StatusCode::CREATED, Json(work::request_voice(&state, &session, &id, &input).await?)))
}
