//! The centre's clinical trials (issue 21): `GET/POST /api/v1/trials`, `PATCH /api/v1/trials/{id}`
//! (If-Match) and `GET /api/v1/cases/{id}/trials` (the match with its reasons).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use app::domain::trial::TrialInput;
use app::ssr::{AppState, trials};

use super::cases::if_match;
use super::{ApiError, Authed, JsonBody, created, with_etag};

#[utoipa::path(
    get,
    path = "/api/v1/trials",
    tag = "trials",
    summary = "The clinical trials of the caller's boards (reviewers: every board), open ones first",
    responses((status = 200, description = "Done", body = Vec<app::domain::trial::Trial>)),
)]
pub async fn list(State(state): State<AppState>, Authed(session): Authed) -> Result<Response, ApiError> {
    Ok(Json(trials::list(&state, &session).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/trials",
    tag = "trials",
    summary = "Add a trial to a board's register (its coordinators)",
    request_body = app::domain::trial::TrialInput,
    responses((status = 201, description = "Created", body = app::domain::trial::Trial, headers(("ETag" = String, description = "The version: `\"1\"`")))),
)]
pub async fn create(
    State(state): State<AppState>,
    Authed(session): Authed,
    JsonBody(input): JsonBody<TrialInput>,
) -> Result<Response, ApiError> {
    let t = trials::create(&state, &session, &input).await?;
    Ok(created(t.version, &t, &format!("/api/v1/trials/{}", t.id)))
}

#[utoipa::path(
    patch,
    path = "/api/v1/trials/{id}",
    tag = "trials",
    summary = "Change a trial: a JSON merge patch of its fields, e.g. `{\"status\": \"closed\"}` (its board's coordinators)",
    params(("id" = String, Path, description = "The trial's id"), ("If-Match" = String, Header, description = "The version read, as its ETag: `\"3\"`")),
    request_body = app::domain::trial::TrialInput,
    responses((status = 200, description = "The new version", body = app::domain::trial::Trial, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn patch(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let t = trials::patch(&state, &session, &id, expected, &body).await?;
    Ok(with_etag(StatusCode::OK, t.version, t))
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/trials",
    tag = "trials",
    summary = "The open trials of the case's board matched to the case: eligible on the recorded facts, not eligible or unknown, with the reasons",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    responses((status = 200, description = "Done", body = Vec<app::domain::trial::TrialMatch>)),
)]
pub async fn for_case(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(case_id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(trials::for_case(&state, &session, &case_id).await?).into_response())
}
