//! `POST /api/v1/proposals` (stateless: tumor fields in, options out) and
//! `GET /api/v1/cases/{id}/proposal` (the proposal stored with the case).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use app::domain::proposer::propose;
use app::domain::tumor::{Tumor, TumorInput};
use app::ssr::{AppState, cases};

use super::{ApiError, Authed, JsonBody};

#[utoipa::path(
    post,
    path = "/api/v1/proposals",
    tag = "proposals",
    summary = "The proposer on tumor fields (stateless)",
    request_body = app::domain::tumor::TumorInput,
    responses((status = 200, description = "Done", body = app::domain::proposer::Proposal)),
)]
pub async fn preview(Authed(_session): Authed, JsonBody(input): JsonBody<TumorInput>) -> Result<Response, ApiError> {
    // Inconsistent input is a 422 naming the field, never a guess (net-case.md).
    let tumor = Tumor::parse(&input)?;
    Ok(Json(propose(&tumor)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/proposal",
    tag = "proposals",
    summary = "The proposal stored with the case's current version",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    responses((status = 200, description = "Done", body = app::domain::case::StoredProposal)),
)]
pub async fn for_case(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(cases::proposal(&state, &session, &id).await?).into_response())
}
