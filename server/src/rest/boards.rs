//! `/api/v1/boards`: boards and their members (administrators; members list their own), and
//! `/api/v1/break-glass`: the emergency accesses for review (administrators and reviewers).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use app::domain::board::BoardInput;
use app::ssr::{AppState, boards};

use super::{ApiError, Authed, JsonBody};

pub async fn list(State(state): State<AppState>, Authed(session): Authed) -> Result<Response, ApiError> {
    Ok(Json(boards::list(&state, &session).await?).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Authed(session): Authed,
    JsonBody(input): JsonBody<BoardInput>,
) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(boards::create(&state, &session, &input).await?)).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<BoardInput>,
) -> Result<Response, ApiError> {
    Ok(Json(boards::update(&state, &session, &id, &input).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    user_id: String,
}

pub async fn add_member(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Member>,
) -> Result<Response, ApiError> {
    Ok(Json(boards::add_member(&state, &session, &id, &body.user_id).await?).into_response())
}

pub async fn remove_member(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(Json(boards::remove_member(&state, &session, &id, &user_id).await?).into_response())
}

/// `POST /api/v1/cases/{id}/break-glass` `{"reason"}`: 201 with the access and its end.
pub async fn break_glass(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(case_id): Path<String>,
    JsonBody(input): JsonBody<app::domain::board::BreakGlassInput>,
) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(boards::break_glass(&state, &session, &case_id, &input).await?)).into_response())
}

pub async fn accesses(State(state): State<AppState>, Authed(session): Authed) -> Result<Response, ApiError> {
    Ok(Json(boards::accesses(&state, &session).await?).into_response())
}
