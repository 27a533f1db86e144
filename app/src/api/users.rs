//! User administration (admins only) and the audit trail (admins and reviewers).

use leptos::prelude::*;

use crate::error::AppError;

pub use crate::domain::audit::{AuditQuery, AuditRow};
pub use crate::domain::user::{NewUser, UserChange, UserSummary};

#[cfg(feature = "ssr")]
async fn admin() -> Result<(crate::ssr::AppState, crate::ssr::auth::Session), AppError> {
    use crate::domain::role::Action;
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::auth::require(&state, &session, Action::ManageUsers, None).await?;
    Ok((state, session))
}

#[server(endpoint = "users/list", prefix = "/sfn")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    let (state, _) = admin().await?;
    crate::ssr::users::list(&state).await
}

#[server(endpoint = "users/create", prefix = "/sfn")]
pub async fn create_user(user: NewUser) -> Result<UserSummary, AppError> {
    let (state, session) = admin().await?;
    crate::ssr::users::create(&state, &session.actor(), &user).await
}

#[server(endpoint = "users/update", prefix = "/sfn")]
pub async fn update_user(id: String, change: UserChange) -> Result<UserSummary, AppError> {
    let (state, session) = admin().await?;
    crate::ssr::users::update(&state, &session.actor(), &id, &change).await
}

/// Sets a new password for another user. The admin re-enters their own password (SE-4).
#[server(endpoint = "users/reset-password", prefix = "/sfn")]
pub async fn reset_password(id: String, new_password: String, admin_password: String) -> Result<(), AppError> {
    let (state, session) = admin().await?;
    crate::ssr::auth::reauthenticate(&state, &session, admin_password).await.map_err(|e| {
        if e.fields().is_some() { AppError::field("admin_password", "Your password is not correct.") } else { e }
    })?;
    crate::ssr::users::set_password(&state, &session.actor(), &id, &new_password, None, "user.reset_password").await
}

/// The audit trail, newest first (admins and reviewers).
#[server(endpoint = "audit/list", prefix = "/sfn")]
pub async fn audit_rows(query: AuditQuery) -> Result<Vec<AuditRow>, AppError> {
    use crate::domain::role::Action;
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::auth::require(&state, &session, Action::ReadAudit, None).await?;
    Ok(crate::ssr::audit::query(&state.db, &query).await?)
}

/// Walks the whole audit chain and says whether it verifies, or its first bad row (admins and
/// reviewers).
#[server(endpoint = "audit/verify", prefix = "/sfn")]
pub async fn verify_audit() -> Result<crate::domain::audit::ChainStatus, AppError> {
    use crate::domain::role::Action;
    let (state, session) = crate::ssr::request::authenticated().await?;
    crate::ssr::auth::require(&state, &session, Action::ReadAudit, None).await?;
    Ok(crate::ssr::audit::verify(&state.db).await?.status())
}
