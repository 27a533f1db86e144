//! `/api/v1/boards`: boards and their members (administrators; members list their own), and
//! `/api/v1/break-glass`: the emergency accesses for review (administrators and reviewers).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use app::domain::board::{BoardChange, BoardInput};
use app::ssr::{AppState, boards};

use super::{ApiError, Authed, JsonBody};

#[utoipa::path(
    get,
    path = "/api/v1/boards",
    tag = "boards",
    summary = "Boards (admins: all; others: their own)",
    responses((status = 200, description = "Done", body = Vec<app::domain::board::Board>)),
)]
pub async fn list(State(state): State<AppState>, Authed(session): Authed) -> Result<Response, ApiError> {
    Ok(Json(boards::list(&state, &session).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/boards",
    tag = "boards",
    summary = "Create a board (admins)",
    request_body = app::domain::board::BoardInput,
    responses((status = 201, description = "Created", body = app::domain::board::Board)),
)]
pub async fn create(
    State(state): State<AppState>,
    Authed(session): Authed,
    JsonBody(input): JsonBody<BoardInput>,
) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(boards::create(&state, &session, &input).await?)).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/v1/boards/{id}",
    tag = "boards",
    summary = "Rename a board or change its description or expected specialties; fields left out are kept (admins)",
    params(("id" = String, Path, description = "The board's id")),
    request_body = app::domain::board::BoardChange,
    responses((status = 200, description = "Done", body = app::domain::board::Board)),
)]
pub async fn update(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<BoardChange>,
) -> Result<Response, ApiError> {
    Ok(Json(boards::update(&state, &session, &id, &input).await?).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    user_id: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/boards/{id}/members",
    tag = "boards",
    summary = "Add a member (admins)",
    params(("id" = String, Path, description = "The board's id")),
    request_body = Member,
    responses((status = 200, description = "Done", body = app::domain::board::Board)),
)]
pub async fn add_member(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Member>,
) -> Result<Response, ApiError> {
    Ok(Json(boards::add_member(&state, &session, &id, &body.user_id).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/boards/{id}/members/{user_id}",
    tag = "boards",
    summary = "Remove a member (admins)",
    params(("id" = String, Path, description = "The board's id"), ("user_id" = String, Path, description = "The user's id")),
    responses((status = 200, description = "Done", body = app::domain::board::Board)),
)]
pub async fn remove_member(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(Json(boards::remove_member(&state, &session, &id, &user_id).await?).into_response())
}

/// `POST /api/v1/cases/{id}/break-glass` `{"reason"}`: 201 with the access and its end.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/break-glass",
    tag = "boards",
    summary = "Time-limited access to a case outside one's boards, with a reason (flagged in the audit)",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    request_body = app::domain::board::BreakGlassInput,
    responses((status = 201, description = "Granted", body = app::domain::board::BreakGlassGrant)),
)]
pub async fn break_glass(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(case_id): Path<String>,
    JsonBody(input): JsonBody<app::domain::board::BreakGlassInput>,
) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(boards::break_glass(&state, &session, &case_id, &input).await?)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/break-glass",
    tag = "boards",
    summary = "Break-glass accesses (admins, reviewers: all; others: their own)",
    responses((status = 200, description = "Done", body = Vec<app::domain::board::BreakGlassAccess>)),
)]
pub async fn accesses(State(state): State<AppState>, Authed(session): Authed) -> Result<Response, ApiError> {
    Ok(Json(boards::accesses(&state, &session).await?).into_response())
}
