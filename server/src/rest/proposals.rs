//! `POST /api/v1/proposals` (stateless: tumor fields in, options out) and
//! `GET /api/v1/cases/{id}/proposal` (the proposal stored with the case).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use app::domain::proposer::propose;
use app::domain::tumor::{Tumor, TumorInput};
use app::ssr::{AppState, cases};

use super::{ApiError, Authed, JsonBody};

pub async fn preview(Authed(_session): Authed, JsonBody(input): JsonBody<TumorInput>) -> Result<Response, ApiError> {
    // Inconsistent input is a 422 naming the field, never a guess (net-case.md).
    let tumor = Tumor::parse(&input)?;
    Ok(Json(propose(&tumor)).into_response())
}

pub async fn for_case(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(cases::proposal(&state, &session, &id).await?).into_response())
}
