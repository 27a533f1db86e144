//! `GET /api/v1/audit`: the audit trail, for admins and reviewers.

use axum::Json;
use axum::extract::{Query, State};

use app::domain::role::Action;
use app::ssr::AppState;
use app::ssr::audit::{self, AuditQuery, AuditRow};

use super::{ApiError, Authed};

pub async fn list(
    State(state): State<AppState>,
    authed: Authed,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<AuditRow>>, ApiError> {
    authed.require(&state, Action::ReadAudit, None).await?;
    let Query(q) = query.map_err(|e| ApiError(app::error::AppError::bad_request(e.body_text())))?;
    Ok(Json(audit::query(&state.db, &q).await?))
}
