//! After the meeting (issue 18): `GET /api/v1/decisions`, `GET /api/v1/figures` and
//! `GET /api/v1/figures.csv`. Filters come from the query string (no patient identifier in it:
//! ids of boards, meetings and users, codes and dates only).

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use app::domain::review::{Decision, DecisionQuery, Figures};
use app::ssr::AppState;
use app::ssr::review;

use super::{ApiError, ApiQuery, Authed};

#[utoipa::path(
    get,
    path = "/api/v1/decisions",
    tag = "review",
    summary = "Signed plans with their facts, filtered",
    params(app::domain::review::DecisionQuery),
    responses((status = 200, description = "Done", body = Vec<app::domain::review::Decision>)),
)]
pub async fn decisions(
    State(state): State<AppState>,
    Authed(session): Authed,
    ApiQuery(q): ApiQuery<DecisionQuery>,
) -> Result<Json<Vec<Decision>>, ApiError> {
    Ok(Json(review::decisions(&state, &session, &q).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/figures",
    tag = "review",
    summary = "The board's figures, each with its definition",
    params(app::domain::review::DecisionQuery),
    responses((status = 200, description = "Done", body = app::domain::review::Figures)),
)]
pub async fn figures(
    State(state): State<AppState>,
    Authed(session): Authed,
    ApiQuery(q): ApiQuery<DecisionQuery>,
) -> Result<Json<Figures>, ApiError> {
    Ok(Json(review::figures(&state, &session, &q).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/figures.csv",
    tag = "review",
    summary = "The board's figures as CSV: `figure,value,definition`",
    params(app::domain::review::DecisionQuery),
    responses((status = 200, description = "CSV, one figure a row", content_type = "text/csv", body = String)),
)]
pub async fn figures_csv(
    State(state): State<AppState>,
    Authed(session): Authed,
    ApiQuery(q): ApiQuery<DecisionQuery>,
) -> Result<Response, ApiError> {
    let figures = review::figures(&state, &session, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"board-figures.csv\""),
        ],
        figures.to_csv(&state.config.zone),
    )
        .into_response())
}
