//! `GET /api/v1/audit`: the audit trail, for admins and reviewers.

use axum::Json;
use axum::extract::State;

use app::domain::role::Action;
use app::ssr::AppState;
use app::ssr::audit::{self, AuditQuery, AuditRow};

use super::{ApiError, ApiQuery, Authed};

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    summary = "Audit rows, newest first (admins, reviewers)",
    params(app::domain::audit::AuditQuery),
    responses((status = 200, description = "Done", body = Vec<app::domain::audit::AuditRow>)),
)]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed,
    // Parsed after the role check: a caller without the audit right learns nothing of it.
    query: Result<ApiQuery<AuditQuery>, ApiError>,
) -> Result<Json<Vec<AuditRow>>, ApiError> {
    authed.require(&state, Action::ReadAudit, None).await?;
    let ApiQuery(q) = query?;
    Ok(Json(audit::query(&state.db, &q).await?))
}

/// `GET /api/v1/audit/verify`: whether the whole hash chain verifies, or its first bad row.
#[utoipa::path(
    get,
    path = "/api/v1/audit/verify",
    tag = "audit",
    summary = "Walk the audit hash chain (admins, reviewers)",
    responses((status = 200, description = "Done", body = app::domain::audit::ChainStatus)),
)]
pub async fn verify(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<app::domain::audit::ChainStatus>, ApiError> {
    authed.require(&state, Action::ReadAudit, None).await?;
    Ok(Json(audit::verify(&state.db).await?.status()))
}
