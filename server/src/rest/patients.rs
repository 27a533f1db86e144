//! `GET/PATCH /api/v1/patients/{id}`: a patient's own record and its deliberate correction
//! (security.md ID-1). Cases name their patient by `patient_id`; no identifier is in a URL.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use app::domain::case::PatientCorrection;
use app::ssr::{AppState, patients};

use super::cases::if_match;
use super::{ApiError, Authed, JsonBody, with_etag};

#[utoipa::path(
    get,
    path = "/api/v1/patients/{id}",
    tag = "patients",
    summary = "A patient's record",
    params(("id" = String, Path, description = "The patient's id (opaque, not the MRN)")),
    responses((status = 200, description = "Done", body = app::domain::case::PatientRecord, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn get(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = patients::get(&state, &session, &id).await?;
    Ok(with_etag(StatusCode::OK, record.version, record))
}

/// `{"name"?, "birth_date"?, "sex"?, "mrn"?, "reason"}` with `If-Match: "N"`.
#[utoipa::path(
    patch,
    path = "/api/v1/patients/{id}",
    tag = "patients",
    summary = "Correct a patient's demographics (a new version of that patient)",
    params(("id" = String, Path, description = "The patient's id (opaque, not the MRN)"), ("If-Match" = String, Header, description = "The version read, as its ETag: `\"3\"`")),
    request_body = app::domain::case::PatientCorrection,
    responses((status = 200, description = "Done", body = app::domain::case::PatientRecord, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn patch(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(change): JsonBody<PatientCorrection>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let record = patients::correct(&state, &session, &id, expected, &change).await?;
    Ok(with_etag(StatusCode::OK, record.version, record))
}
