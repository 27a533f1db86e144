//! `/api/v1/cases/{id}/plan`: GET, PUT (If-Match once it exists), POST sign, addenda, outcome.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use app::domain::plan::{OutcomeInput, PlanInput};
use app::error::AppError;
use app::ssr::AppState;
use app::ssr::plans;

use super::cases::if_match;
use super::{ApiError, Authed, JsonBody, with_etag};

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/plan",
    tag = "plans",
    summary = "The board's plan for a case",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    responses((status = 200, description = "Done", body = app::domain::plan::Plan, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn get(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    match plans::get(&state, &session, &id).await? {
        Some(plan) => Ok(with_etag(StatusCode::OK, plan.version, plan)),
        None => Err(ApiError(AppError::NotFound)),
    }
}

#[utoipa::path(
    put,
    path = "/api/v1/cases/{id}/plan",
    tag = "plans",
    summary = "Record the board's consensus (If-Match once a plan exists)",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)"), ("If-Match" = Option<String>, Header, description = "The plan version read; required once the plan exists")),
    request_body = app::domain::plan::PlanInput,
    responses((status = 201, description = "The first version", body = app::domain::plan::Plan, headers(("ETag" = String, description = "The version: `\"N\"`"))), (status = 200, description = "A new version", body = app::domain::plan::Plan, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn put(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<PlanInput>,
) -> Result<Response, ApiError> {
    let expected = if headers.contains_key(axum::http::header::IF_MATCH) { Some(if_match(&headers)?) } else { None };
    let plan = plans::save(&state, &session, &id, expected, &input).await?;
    let status = if plan.version == 1 { StatusCode::CREATED } else { StatusCode::OK };
    Ok(with_etag(status, plan.version, plan))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sign {
    #[serde(default)]
    password: String,
}

/// `POST /cases/{id}/plan/sign` with `If-Match: "N"`, the plan version the signer read
/// (428 without, 412 when the plan changed since).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/plan/sign",
    tag = "plans",
    summary = "Sign the plan version read, re-entering one's password (clinicians)",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)"), ("If-Match" = String, Header, description = "The version read, as its ETag: `\"3\"`")),
    request_body = Sign,
    responses((status = 200, description = "Signed and locked", body = app::domain::plan::Plan, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn sign(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Sign>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let plan = plans::sign(&state, &session, &id, expected, body.password).await?;
    Ok(with_etag(StatusCode::OK, plan.version, plan))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddendumBody {
    body: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/plan/addenda",
    tag = "plans",
    summary = "Add an addendum to a signed plan",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    request_body = AddendumBody,
    responses((status = 201, description = "Added", body = app::domain::plan::Addendum)),
)]
pub async fn addendum(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AddendumBody>,
) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, Json(plans::add_addendum(&state, &session, &id, &body.body).await?)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/plan/outcome",
    tag = "plans",
    summary = "Record whether the signed plan was carried out",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    request_body = app::domain::plan::OutcomeInput,
    responses((status = 200, description = "Done", body = app::domain::plan::Plan)),
)]
pub async fn outcome(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<OutcomeInput>,
) -> Result<Response, ApiError> {
    Ok(Json(plans::record_outcome(&state, &session, &id, &input).await?).into_response())
}
