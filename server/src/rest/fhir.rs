//! `GET /api/v1/cases/{id}/fhir`: the case as a FHIR R4 Bundle (`application/fhir+json`).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use app::ssr::{AppState, fhir};

use super::{ApiError, Authed};

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/fhir",
    tag = "fhir",
    summary = "The case as a FHIR R4 Bundle: Patient, Condition, Observations, ClinicalImpressions, the proposal (RequestGroup), the plan (CarePlan) and its signature (Provenance)",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    responses((status = 200, description = "A FHIR R4 Bundle of type collection", content_type = "application/fhir+json", body = Object)),
)]
pub async fn export(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let bundle = fhir::export_case(&state, &session, &id).await?;
    let body = serde_json::to_vec(&bundle).map_err(|_| ApiError(app::error::AppError::internal("the FHIR bundle")))?;
    let mut res = (StatusCode::OK, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/fhir+json"));
    Ok(res)
}
