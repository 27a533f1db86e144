//! FHIR R4 (issue 19): a case exported as a Bundle (`domain::fhir` builds it). Reading it is an
//! audited read of the whole case, under the same access check as the case page.

use super::audit::{self, Event, Outcome};
use super::auth::Session;
use super::{AppState, now_text};
use crate::domain::fhir::{ExportInput, ImportedCase, export, import};
use crate::domain::role::Action;
use crate::error::AppError;

/// `GET /api/v1/cases/{id}/fhir`: the Bundle, after the case's access check; one audit row
/// (`case.fhir_export`) before it leaves.
pub async fn export_case(state: &AppState, session: &Session, id: &str) -> Result<serde_json::Value, AppError> {
    let parts = super::cases::page_parts(state, session, id, super::cases::Parts::Record).await?;
    let bundle = export(
        &ExportInput {
            case: &parts.case,
            annotations: &parts.annotations,
            proposal: parts.proposal.as_ref(),
            plan: parts.plan.as_ref(),
            attachments: &parts.attachments,
        },
        &now_text(),
    );
    audit::record(
        &state.db,
        &Event::new(&session.actor(), "case.fhir_export", Outcome::Success)
            .case(id)
            .detail("FHIR R4 Bundle: patient, condition, observations, annotations, proposal, plan, documents"),
    )
    .await?;
    Ok(bundle)
}

/// `POST /api/v1/cases/import`: a referral Bundle becomes a draft case with every field it could
/// read (checked like any new case: an MRN on record must name the same person, ID-1), and the
/// list of what it could not read. One transaction, audited as `case.create`.
pub async fn import_case(
    state: &AppState,
    session: &Session,
    bundle: &serde_json::Value,
    board_id: Option<&str>,
) -> Result<ImportedCase, AppError> {
    super::auth::require(state, session, Action::CreateCase, None).await?;
    create_from(state, session, bundle, board_id).await
}

/// The new-case page's import: the file's text, which must be JSON (a field error on `file`
/// otherwise); the role is checked before the text is read.
pub async fn import_file(
    state: &AppState,
    session: &Session,
    text: &str,
    board_id: Option<&str>,
) -> Result<ImportedCase, AppError> {
    super::auth::require(state, session, Action::CreateCase, None).await?;
    let bundle: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        AppError::field("file", format!("The file is not JSON ({e}); choose a FHIR R4 Bundle in JSON."))
    })?;
    create_from(state, session, &bundle, board_id).await
}

async fn create_from(
    state: &AppState,
    session: &Session,
    bundle: &serde_json::Value,
    board_id: Option<&str>,
) -> Result<ImportedCase, AppError> {
    let imported = import(bundle)?;
    let case = super::cases::create(state, session, &imported.case, board_id).await?;
    Ok(ImportedCase { case, unread: imported.unread })
}
