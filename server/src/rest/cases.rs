//! `/api/v1/cases`: create, list, read, patch with If-Match, history; and
//! `POST /api/v1/cases/search` for name and MRN search (kept out of URLs, AC-4).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use app::domain::case::{CaseFilter, CaseInput};
use app::error::AppError;
use app::ssr::cases::{ContentChange, Edit};
use app::ssr::{AppState, cases};

use super::{ApiError, ApiQuery, Authed, JsonBody, created, with_etag};

/// `POST /api/v1/cases`: the case content, and `"board_id"` (optional for a member of one
/// board only).
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "cases",
    summary = "Create a case (coordinators, clinicians)",
    request_body = super::openapi::NewCase,
    responses((status = 201, description = "Created; `Location` names it", body = app::domain::case::CaseRecord, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn create(
    State(state): State<AppState>,
    Authed(session): Authed,
    JsonBody(mut body): JsonBody<serde_json::Value>,
) -> Result<Response, ApiError> {
    let board_id = take_text(&mut body, "board_id")?;
    let input: CaseInput = serde_json::from_value(body)
        .map_err(|e| ApiError(AppError::bad_request(format!("The body does not fit a case: {e}"))))?;
    let record = cases::create(&state, &session, &input, board_id.as_deref()).await?;
    let location = format!("/api/v1/cases/{}", record.id);
    Ok(created(record.version, record, &location))
}

/// Takes an optional text member out of a JSON object body (a 422 on that field when it is not
/// a text).
fn take_text(body: &mut serde_json::Value, field: &str) -> Result<Option<String>, ApiError> {
    let Some(obj) = body.as_object_mut() else {
        return Err(ApiError(AppError::bad_request("The body must be a JSON object.")));
    };
    match obj.remove(field) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError(AppError::field(field, "This is a text."))),
    }
}

/// Query filters of `GET /api/v1/cases`. Free text is refused here: it may hold a name or MRN.
#[derive(Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    site: Option<String>,
    stage: Option<String>,
    /// Refused here (400): a search text can hold a patient identifier.
    #[param(ignore)]
    text: Option<String>,
    board: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "cases",
    summary = "List cases of one's boards (no free text in a URL: see /cases/search)",
    params(ListQuery),
    responses((status = 200, description = "Done", body = Vec<app::domain::case::CaseListItem>)),
)]
pub async fn list(
    State(state): State<AppState>,
    Authed(session): Authed,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    if q.text.is_some() {
        return Err(ApiError(AppError::bad_request(
            "Search text can hold a patient identifier and is not accepted in a URL: POST it to /api/v1/cases/search.",
        )));
    }
    let filter = CaseFilter { status: q.status, site: q.site, stage: q.stage, text: None, board: q.board };
    Ok(Json(cases::list(&state, &session, &filter).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/cases/search",
    tag = "cases",
    summary = "Find cases by name or MRN (the text stays out of the URL)",
    request_body = app::domain::case::CaseFilter,
    responses((status = 200, description = "Done", body = Vec<app::domain::case::CaseListItem>)),
)]
pub async fn search(
    State(state): State<AppState>,
    Authed(session): Authed,
    JsonBody(filter): JsonBody<CaseFilter>,
) -> Result<Response, ApiError> {
    Ok(Json(cases::list(&state, &session, &filter).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    tag = "cases",
    summary = "A case with its current version",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    responses((status = 200, description = "Done", body = app::domain::case::CaseRecord, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn get(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = cases::get(&state, &session, &id).await?;
    Ok(with_etag(StatusCode::OK, record.version, record))
}

/// The version named by `If-Match: "N"`: 428 when absent, 400 when unreadable.
pub(super) fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let raw = headers.get(header::IF_MATCH).ok_or(ApiError(AppError::PreconditionRequired))?;
    let text =
        raw.to_str().map_err(|_| ApiError(AppError::bad_request("If-Match must be a version such as \"3\".")))?;
    text.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map_err(|_| ApiError(AppError::bad_request("If-Match must be a version such as \"3\".")))
}

/// `PATCH /api/v1/cases/{id}`: a JSON merge patch over the current content; `"status"` moves
/// the case between draft and ready; `"board_id"` refers it to another board (with a reason);
/// `"reason"` is recorded with the version. All of it is one
/// edit in one transaction: any bad field is a 422 and nothing is saved.
#[utoipa::path(
    patch,
    path = "/api/v1/cases/{id}",
    tag = "cases",
    summary = "Change a case: a JSON merge patch of its content, `status`, `board_id`, `reason`",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)"), ("If-Match" = String, Header, description = "The version read, as its ETag: `\"3\"`")),
    request_body = super::openapi::CasePatch,
    responses((status = 200, description = "The new version", body = app::domain::case::CaseRecord, headers(("ETag" = String, description = "The version: `\"N\"`")))),
)]
pub async fn patch(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(mut body): JsonBody<serde_json::Value>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let status = take_text(&mut body, "status")?;
    let reason = take_text(&mut body, "reason")?;
    let board = take_text(&mut body, "board_id")?;
    let keep = body.as_object().is_some_and(|o| o.is_empty());
    let content = if keep { ContentChange::Keep } else { ContentChange::MergePatch(&body) };
    let edit = Edit { content, status: status.as_deref(), reason: reason.as_deref(), board: board.as_deref() };
    let record = cases::edit(&state, &session, &id, expected, edit).await?;
    Ok(with_etag(StatusCode::OK, record.version, record))
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/history",
    tag = "cases",
    summary = "Every version of a case",
    params(("id" = String, Path, description = "The case's id (opaque; never a patient identifier)")),
    responses((status = 200, description = "Done", body = Vec<app::domain::case::CaseVersion>)),
)]
pub async fn history(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(cases::history(&state, &session, &id).await?).into_response())
}
