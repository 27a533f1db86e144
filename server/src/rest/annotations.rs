//! `POST/GET /api/v1/cases/{id}/annotations` and `PATCH /api/v1/annotations/{id}` (amend with
//! If-Match, or `{"withdraw": {"reason": "…"}}`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use app::domain::annotation::AnnotationInput;
use app::ssr::AppState;
use app::ssr::annotations::{self, Change};

use super::cases::if_match;
use super::{ApiError, Authed, JsonBody, with_etag};

pub async fn create(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(case_id): Path<String>,
    JsonBody(input): JsonBody<AnnotationInput>,
) -> Result<Response, ApiError> {
    let a = annotations::create(&state, &session, &case_id, &input).await?;
    Ok(with_etag(StatusCode::CREATED, a.version, a))
}

pub async fn list(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(case_id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(annotations::list(&state, &session, &case_id).await?).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    reason: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub enum PatchBody {
    Withdraw { withdraw: Withdrawal },
    Amend(AnnotationInput),
}

pub async fn patch(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<PatchBody>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let change = match &body {
        PatchBody::Withdraw { withdraw } => Change::Withdraw { reason: &withdraw.reason },
        PatchBody::Amend(input) => Change::Amend(input),
    };
    let a = annotations::change(&state, &session, &id, expected, change).await?;
    Ok(with_etag(StatusCode::OK, a.version, a))
}
