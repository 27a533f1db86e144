//! User accounts: create, list, change, disable, reset and change passwords. Every change
//! writes its audit row in the same transaction.

use super::audit::{self, Actor, Event, Outcome};
use super::{AppState, auth, new_id, now_text};
use crate::domain::codes::optional_code;
use crate::domain::password::check_new_password;
use crate::domain::role::{Role, Specialty};
use crate::domain::user::{NewUser, UserChange, UserSummary, Username, check_role_specialty, parse_display_name};
use crate::error::{AppError, FieldErrorsBuilder};

/// Validates a new user's fields, returning field errors for all that are wrong.
fn parse_new_user(input: &NewUser) -> Result<(Username, String, Role, Option<Specialty>), AppError> {
    let mut errors = FieldErrorsBuilder::new();
    let username = Username::parse(&input.username).map_err(|e| errors.add("username", e)).ok();
    let display_name = if input.display_name.trim().is_empty() {
        username.as_ref().map(|u| u.as_str().to_string()).ok_or(())
    } else {
        parse_display_name(&input.display_name).map_err(|e| errors.add("display_name", e))
    }
    .ok();
    let role = Role::parse(&input.role).map_err(|e| errors.add("role", e)).ok();
    let specialty: Option<Specialty> = optional_code(&mut errors, "specialty", input.specialty.as_deref());
    let specialty = match role {
        Some(r) => check_role_specialty(r, specialty).map_err(|e| errors.add("specialty", e)).ok().flatten(),
        None => specialty,
    };
    if let Err(e) = check_new_password(&input.password, username.as_ref().map(|u| u.as_str()).unwrap_or("")) {
        errors.add("password", e);
    }
    errors.finish()?;
    Ok((username.unwrap(), display_name.unwrap(), role.unwrap(), specialty))
}

/// A user as read (never the password hash): the admin list, a session, a login.
#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub specialty: Option<String>,
    pub disabled: i64,
    pub created_at: String,
}

impl From<UserRow> for UserSummary {
    fn from(r: UserRow) -> Self {
        UserSummary {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role: r.role,
            specialty: r.specialty.and_then(|s| Specialty::parse(&s).ok()),
            disabled: r.disabled != 0,
            created_at: r.created_at,
        }
    }
}

/// Creates a user. `actor` is the admin (or the command line) doing it.
pub async fn create(state: &AppState, actor: &Actor, input: &NewUser) -> Result<UserSummary, AppError> {
    let (username, display_name, role, specialty) = parse_new_user(input)?;
    let hash = state.passwords.hash(input.password.clone()).await?;
    let id = new_id();
    let now = now_text();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO users (id, username, display_name, role, specialty, password_hash, disabled, created_at, updated_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7, $7)",
    )
    .bind(&id)
    .bind(username.as_str())
    .bind(&display_name)
    .bind(role.code())
    .bind(specialty.map(|s| s.code()))
    .bind(&hash)
    .bind(&now)
    .execute(&mut *tx)
    .await
    // The unique username decides, so two admins creating the same name at once get the same 422.
    .map_err(|e| super::db::unique_violation_as(e, || AppError::field("username", "This username is taken.")))?;
    let boards = super::boards::boards_for_new_user(&mut tx, &input.boards).await?;
    for board in &boards {
        super::boards::join(&mut tx, board, &id, actor.user_id.as_deref()).await?;
    }
    let detail = format!(
        "role {}{}; boards {}",
        role.code(),
        specialty.map(|s| format!(", specialty {}", s.code())).unwrap_or_default(),
        boards.join(", ")
    );
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(actor, "user.create", Outcome::Success).target(&id).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(UserSummary {
        id,
        username: username.as_str().into(),
        display_name,
        role,
        specialty,
        disabled: false,
        created_at: now,
    })
}

/// A user, without the password hash: a literal, so that every query built on it with `concat!` is
/// one static SQL text.
macro_rules! select_user {
    () => {
        "SELECT id, username, display_name, role, specialty, disabled, created_at FROM users"
    };
}

pub async fn list(state: &AppState) -> Result<Vec<UserSummary>, AppError> {
    let rows: Vec<UserRow> =
        sqlx::query_as(concat!(select_user!(), " ORDER BY username")).fetch_all(&state.db.pool).await?;
    Ok(rows.into_iter().map(UserSummary::from).collect())
}

pub async fn get(state: &AppState, id: &str) -> Result<UserSummary, AppError> {
    let row: UserRow = sqlx::query_as(concat!(select_user!(), " WHERE id = $1"))
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(row.into())
}

/// Number of enabled admins; the last one may not be disabled or demoted.
async fn enabled_admins(tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0").fetch_one(&mut **tx).await
}

/// Applies an admin's change. Disabling ends the user's sessions at once (SE-1).
pub async fn update(state: &AppState, actor: &Actor, id: &str, change: &UserChange) -> Result<UserSummary, AppError> {
    let current = get(state, id).await?;
    let mut errors = FieldErrorsBuilder::new();
    let display_name = match &change.display_name {
        Some(d) => parse_display_name(d).map_err(|e| errors.add("display_name", e)).ok(),
        None => Some(current.display_name.clone()),
    };
    let role = match &change.role {
        Some(r) => Role::parse(r).map_err(|e| errors.add("role", e)).ok(),
        None => Some(current.role),
    };
    let specialty = match change.specialty.as_deref().map(str::trim) {
        Some("") => None,
        Some(s) => Specialty::parse(s).map_err(|e| errors.add("specialty", e)).ok(),
        None => current.specialty,
    };
    let specialty = match role {
        Some(r) => check_role_specialty(r, specialty).map_err(|e| errors.add("specialty", e)).ok().flatten(),
        None => specialty,
    };
    errors.finish()?;
    let (display_name, role) = (display_name.unwrap(), role.unwrap());
    let disabled = change.disabled.unwrap_or(current.disabled);

    let mut tx = state.db.begin_write().await?;
    let loses_admin = current.role == Role::Admin && !current.disabled && (role != Role::Admin || disabled);
    if loses_admin && enabled_admins(&mut tx).await? <= 1 {
        return Err(AppError::conflict("This is the last active administrator: make another administrator first."));
    }
    sqlx::query(
        "UPDATE users SET display_name = $1, role = $2, specialty = $3, disabled = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(&display_name)
    .bind(role.code())
    .bind(specialty.map(|s| s.code()))
    .bind(disabled as i64)
    .bind(now_text())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if disabled || role != current.role {
        auth::end_sessions_of(&mut tx, id).await?;
    }
    let mut what = Vec::new();
    if role != current.role {
        what.push(format!("role {} -> {}", current.role.code(), role.code()));
    }
    if specialty != current.specialty {
        what.push(format!(
            "specialty {} -> {}",
            current.specialty.map(|s| s.code()).unwrap_or("none"),
            specialty.map(|s| s.code()).unwrap_or("none")
        ));
    }
    if disabled != current.disabled {
        what.push(if disabled { "disabled".into() } else { "enabled".into() });
    }
    if display_name != current.display_name {
        what.push("display name changed".into());
    }
    let detail = if what.is_empty() { "no change".to_string() } else { what.join("; ") };
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(actor, "user.update", Outcome::Success).target(id).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    // The user's kept sessions carry the old name and role (or a disabled user's).
    state.db.sessions.forget_all();
    get(state, id).await
}

/// Sets a new password for a user (admin reset, or the user's own change). Ends the user's
/// other sessions; `keep_session` (the caller's own, when changing one's own password) stays.
pub async fn set_password(
    state: &AppState,
    actor: &Actor,
    id: &str,
    new_password: &str,
    keep_session: Option<&str>,
    action: &str,
) -> Result<(), AppError> {
    let user = get(state, id).await?;
    check_new_password(new_password, &user.username).map_err(|e| AppError::field("new_password", e))?;
    let hash = state.passwords.hash(new_password.to_string()).await?;
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3")
        .bind(&hash)
        .bind(now_text())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    match keep_session {
        Some(keep) => {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
                .bind(id)
                .bind(keep)
                .execute(&mut *tx)
                .await?;
        }
        None => auth::end_sessions_of(&mut tx, id).await?,
    }
    audit::append(&mut tx, state.db.engine, &Event::new(actor, action, Outcome::Success).target(id)).await?;
    tx.commit().await?;
    state.db.sessions.forget_all();
    Ok(())
}

/// The command line's actor: no logged-in user, named as the CLI.
pub fn cli_actor() -> Actor {
    Actor { username: Some("(command line)".into()), ..Actor::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wrong_field_is_reported_at_once() {
        let err = parse_new_user(&NewUser {
            username: "x".into(),
            display_name: String::new(),
            role: "superuser".into(),
            specialty: None,
            password: "short".into(),
            boards: Vec::new(),
        })
        .unwrap_err();
        let fields = err.fields().unwrap();
        assert!(fields.contains_key("username"));
        assert!(fields.contains_key("role"));
        assert!(fields.contains_key("password"));
    }

    #[test]
    fn a_clinician_without_specialty_is_refused() {
        let err = parse_new_user(&NewUser {
            username: "anna".into(),
            display_name: "Anna".into(),
            role: "clinician".into(),
            specialty: None,
            password: "a long enough passphrase".into(),
            boards: Vec::new(),
        })
        .unwrap_err();
        assert!(err.fields().unwrap().contains_key("specialty"));
    }
}
