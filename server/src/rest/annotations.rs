//! `POST/GET /api/v1/cases/{id}/annotations` and `PATCH /api/v1/annotations/{id}` (amend with
//! If-Match, or `{"withdraw": {"reason": "…"}}`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use app::domain::annotation::AnnotationInput;
use app::error::AppError;
use app::ssr::AppState;
use app::ssr::annotations::{self, Change};

use super::cases::if_match;
use super::{ApiError, Authed, JsonBody, with_etag};

#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/annotations",
    tag = "annotations",
    summary = "Annotate a case in one's specialty's voice (clinicians)",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    request_body = app::domain::annotation::AnnotationInput,
    responses((status = 201, description = "Created", body = app::domain::annotation::Annotation, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn create(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(case_id): Path<String>,
    JsonBody(input): JsonBody<AnnotationInput>,
) -> Result<Response, ApiError> {
    let a = annotations::create(&state, &session, &case_id, &input).await?;
    Ok(with_etag(StatusCode::CREATED, a.version, a))
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/annotations",
    tag = "annotations",
    summary = "A case's annotations with their versions",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    responses((status = 200, description = "Done", body = Vec<app::domain::annotation::Annotation>)),
)]
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

/// `PATCH /api/v1/annotations/{id}` with `If-Match`: `{"withdraw": {"reason"}}` for a
/// tombstone, otherwise a merge patch (`{"body"}` alone keeps the kind and structured fields).
#[utoipa::path(
    patch,
    path = "/api/v1/annotations/{id}",
    tag = "annotations",
    summary = "Amend one's annotation (merge patch) or withdraw it with a reason",
    params(("id" = String, Path, description = "The annotation's id"), ("If-Match" = String, Header, description = "The version read, as its ETag: `\"3\"`")),
    request_body = super::openapi::AnnotationPatch,
    responses((status = 200, description = "The new version", body = app::domain::annotation::Annotation, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn patch(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    if !body.is_object() {
        return Err(ApiError(AppError::bad_request("The body must be a JSON object.")));
    }
    let a = match body.get("withdraw") {
        Some(w) => {
            let w: Withdrawal = serde_json::from_value(w.clone())
                .map_err(|e| ApiError(AppError::bad_request(format!("A withdrawal is {{\"reason\": \"…\"}}: {e}"))))?;
            annotations::change(&state, &session, &id, expected, Change::Withdraw { reason: &w.reason }).await?
        }
        None => annotations::change(&state, &session, &id, expected, Change::MergePatch(&body)).await?,
    };
    Ok(with_etag(StatusCode::OK, a.version, a))
}
