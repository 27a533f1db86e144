//! Server functions for cases. Arguments travel as JSON in the request body (search text
//! included), never in the URL.

use leptos::prelude::*;
use server_fn::codec::Json;

pub use crate::domain::case::{CaseFilter, CaseInput, CaseListItem, CaseRecord, CaseVersion};
use crate::error::AppError;

#[server(endpoint = "cases/list", prefix = "/sfn", input = Json)]
pub async fn list_cases(filter: CaseFilter) -> Result<Vec<CaseListItem>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::cases::list(&state, &session, &filter).await
}

#[server(endpoint = "cases/get", prefix = "/sfn", input = Json)]
pub async fn get_case(id: String) -> Result<CaseRecord, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::cases::get(&state, &session, &id).await
}

/// Creates a case on `board_id` (may be left out by a member of one board only).
#[server(endpoint = "cases/create", prefix = "/sfn", input = Json)]
pub async fn create_case(input: CaseInput, board_id: Option<String>) -> Result<CaseRecord, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::cases::create(&state, &session, &input, board_id.as_deref()).await
}

/// Makes a draft case from a referral's FHIR R4 Bundle, as read from a file in the browser
/// (issue 19): the case, and what the file held that did not become a field.
#[server(endpoint = "cases/import", prefix = "/sfn", input = Json)]
pub async fn import_case(
    bundle: String,
    board_id: Option<String>,
) -> Result<crate::domain::fhir::ImportedCase, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::fhir::import_file(&state, &session, &bundle, board_id.as_deref()).await
}

/// Refers a case to another board, with the reason (a new version).
#[server(endpoint = "cases/move", prefix = "/sfn", input = Json)]
pub async fn move_case(id: String, version: i64, board_id: String, reason: String) -> Result<CaseRecord, AppError> {
    use crate::ssr::cases::{ContentChange, Edit};
    let (state, session) = crate::ssr::request::authenticated().await?;
    let edit = Edit {
        content: ContentChange::Keep,
        status: None,
        reason: Some(reason.as_str()),
        board: Some(board_id.as_str()),
    };
    crate::ssr::cases::edit(&state, &session, &id, version, edit).await
}

/// Emergency access to a case outside one's boards (AC-3): the reason is required; the
/// access lasts `TUMORBOARD_BREAK_GLASS_SECS` and every read under it is flagged.
#[server(endpoint = "cases/break-glass", prefix = "/sfn", input = Json)]
pub async fn break_glass(case_id: String, reason: String) -> Result<crate::domain::board::BreakGlassGrant, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    let input = crate::domain::board::BreakGlassInput { reason };
    crate::ssr::boards::break_glass(&state, &session, &case_id, &input).await
}

/// Saves an edit made on top of `version`; a stale version is refused with 412.
#[server(endpoint = "cases/update", prefix = "/sfn", input = Json)]
pub async fn update_case(
    id: String,
    version: i64,
    input: CaseInput,
    reason: Option<String>,
) -> Result<CaseRecord, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::cases::update(&state, &session, &id, version, &input, reason.as_deref()).await
}

#[server(endpoint = "cases/status", prefix = "/sfn", input = Json)]
pub async fn set_case_status(id: String, version: i64, status: String) -> Result<CaseRecord, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::cases::set_status(&state, &session, &id, version, &status).await
}

#[server(endpoint = "cases/history", prefix = "/sfn", input = Json)]
pub async fn case_history(id: String) -> Result<Vec<CaseVersion>, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::cases::history(&state, &session, &id).await
}

/// Everything the case page shows (the case, its proposal, voices, plan, documents and trials)
/// in one answer, under one access check and one audit row (issue 17). The history is not in
/// it: the page reads it through [`case_history`] when its fold is opened.
#[server(endpoint = "cases/page", prefix = "/sfn", input = Json)]
pub async fn case_page(id: String) -> Result<crate::domain::case::CasePageData, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::cases::page(&state, &session, &id).await
}

/// What the decision report prints (the case, its proposal, voices, plan and documents) in one
/// answer, under one access check and one audit row (`case.report`).
#[server(endpoint = "cases/report", prefix = "/sfn", input = Json)]
pub async fn case_report(id: String) -> Result<crate::domain::case::CasePageData, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::cases::report(&state, &session, &id).await
}

/// The proposal stored with the case's current tumor data.
#[server(endpoint = "cases/proposal", prefix = "/sfn", input = Json)]
pub async fn case_proposal(id: String) -> Result<crate::domain::case::StoredProposal, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::cases::proposal(&state, &session, &id).await
}

/// A patient's own record with its versions.
#[server(endpoint = "patients/get", prefix = "/sfn", input = Json)]
pub async fn get_patient(id: String) -> Result<crate::domain::case::PatientRecord, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::patients::get(&state, &session, &id).await
}

/// Corrects a patient's details on purpose, on top of `version`, with a reason (ID-1).
#[server(endpoint = "patients/correct", prefix = "/sfn", input = Json)]
pub async fn correct_patient(
    id: String,
    version: i64,
    change: crate::domain::case::PatientCorrection,
) -> Result<crate::domain::case::PatientRecord, AppError> {
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::patients::correct(&state, &session, &id, version, &change).await
}
