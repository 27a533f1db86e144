//! `GET /api/v1/cases/{id}/fhir`: the case as a FHIR R4 Bundle (`application/fhir+json`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use app::ssr::{AppState, fhir};

use super::{ApiError, ApiQuery, Authed, JsonBody, created};

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
    // The header part is applied after `Json` set its own content type, and replaces it.
    Ok(([(header::CONTENT_TYPE, "application/fhir+json")], Json(bundle)).into_response())
}

/// `POST /api/v1/cases/import?board_id=`: the board (optional for a member of one board).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The board the case is for (optional for a member of one board only).
    board_id: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/cases/import",
    tag = "fhir",
    summary = "Make a draft case from a referral: a FHIR R4 Bundle with the Patient, the Condition and Observations (coordinators, clinicians)",
    params(ImportQuery),
    request_body(content = Object, description = "A FHIR R4 Bundle", content_type = "application/fhir+json"),
    responses((status = 201, description = "The draft case, and what the Bundle held that did not become a field", body = app::domain::fhir::ImportedCase)),
)]
pub async fn import(
    State(state): State<AppState>,
    Authed(session): Authed,
    ApiQuery(q): ApiQuery<ImportQuery>,
    JsonBody(bundle): JsonBody<serde_json::Value>,
) -> Result<Response, ApiError> {
    let made = fhir::import_case(&state, &session, &bundle, q.board_id.as_deref()).await?;
    let location = format!("/api/v1/cases/{}", made.case.id);
    Ok(created(made.case.version, &made, &location))
}
