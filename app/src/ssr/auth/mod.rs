//! Authentication: logins, server-side sessions (SE-1..SE-4), re-authentication, and "who is
//! asking" for every server function and REST handler; passwords (AU-3, AU-4) and throttling
//! (AU-5, AU-6) in their own modules.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

mod cache;
mod passwords;
mod throttle;

pub use cache::SessionCache;

pub use passwords::{POLICY_M_KIB, POLICY_P, POLICY_T, Passwords, phc_params};
use throttle::{count_attempt, forgive_attempt, throttle_keys};

use super::audit::{self, Actor, Event, Outcome};
use super::users::UserRow;
use super::{AppState, time_text};
use crate::domain::role::{Action, Specialty, can};
use crate::domain::user::Me;
use crate::error::AppError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "tb_session";

/// A clock that tests can move forward (SE-3: "injected clock: +16 min → 401") or stop.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
    stopped_at: Option<DateTime<Utc>>,
}

impl Clock {
    /// A clock that stands still at the present moment until moved with [`Clock::advance`]:
    /// for a test whose outcome must not depend on how long a loaded machine takes to run it.
    pub fn stopped() -> Self {
        Clock { offset_secs: Arc::default(), stopped_at: Some(Utc::now()) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.stopped_at.unwrap_or_else(Utc::now) + Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions

/// A freshly created session: the cookie value is given to the client once and never stored.
pub struct NewSession {
    pub cookie_value: String,
    pub max_age_secs: i64,
}

pub fn hash_session_id(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

fn new_session_id() -> String {
    // 256 random bits (SE-1 asks for at least 128).
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The `Set-Cookie` value for a session (SE-2). `secure` when served over TLS.
pub fn session_cookie(value: &str, max_age_secs: i64, secure: bool) -> String {
    cookie::Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .secure(secure)
        .build()
        .to_string()
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}

/// Reads the session id from a `Cookie` header.
pub fn session_id_from_cookie_header(header: &str) -> Option<String> {
    cookie::Cookie::split_parse(header)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE && !c.value().is_empty())
        .map(|c| c.value().to_string())
}

/// The authenticated user behind a request, with what the session knows.
#[derive(Clone, Debug)]
pub struct Session {
    pub me: Me,
    pub id_hash: String,
    pub idle_expires_at: DateTime<Utc>,
    pub client_addr: String,
    /// Set by the boards check when this request reads a case under break-glass (AC-3): every
    /// audit row the request writes from then on is flagged.
    pub break_glass: Arc<AtomicBool>,
}

impl Session {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.me.id.clone()),
            username: Some(self.me.username.clone()),
            role: Some(self.me.role.code().to_string()),
            client_addr: Some(self.client_addr.clone()),
            break_glass: self.break_glass.load(Ordering::Relaxed),
        }
    }

    /// Fails with 403 unless this user's role may do `action` (AC-1); the refusal is audited
    /// (AC-2) by `require`.
    pub fn may(&self, action: Action) -> bool {
        can(self.me.role, action)
    }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

impl From<UserRow> for Me {
    fn from(u: UserRow) -> Self {
        Me {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            specialty: u.specialty.and_then(|s| Specialty::parse(&s).ok()),
        }
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    last_seen_at: String,
    expires_at: String,
    #[sqlx(flatten)]
    user: UserRow,
}

/// A user row with the password hash: read for a login only, never sent anywhere.
#[derive(sqlx::FromRow)]
struct CredentialsRow {
    password_hash: String,
    #[sqlx(flatten)]
    user: UserRow,
}

/// Minimum seconds between two `last_seen_at` writes for one session: idle time is enforced
/// to within this, and a busy page does not write on every request.
const TOUCH_EVERY_SECS: i64 = 15;

/// Looks up the session for a cookie value, enforcing the idle and absolute timeouts (SE-3)
/// and disabled users (SE-1). Only a person's action refreshes the idle timer (`activity`):
/// an unattended screen's automatic refetches must let the session end.
pub async fn session_for(
    state: &AppState,
    cookie_value: &str,
    client_addr: &str,
    activity: bool,
) -> Result<Option<Session>, AppError> {
    let id_hash = hash_session_id(cookie_value);
    let now = state.clock.now();
    let idle = Duration::seconds(state.config.session_idle_secs);
    let session = |known: cache::Known, idle_expires_at: DateTime<Utc>| Session {
        me: known.me,
        id_hash: id_hash.clone(),
        idle_expires_at: idle_expires_at.min(known.expires),
        client_addr: client_addr.to_string(),
        break_glass: Arc::default(),
    };
    let cache = &state.db.sessions;
    // A kept session within its limits, on a request that does not refresh the idle timer now,
    // needs no query; anything else (over a limit, a refresh due) is decided by the database.
    if let Some(known) = cache.get(&id_hash) {
        let within = now < known.expires && now < known.last_seen + idle;
        let touch_due = activity && (now - known.last_seen).num_seconds() >= TOUCH_EVERY_SECS;
        if within && !touch_due {
            let idle_expires_at = known.last_seen + idle;
            return Ok(Some(session(known, idle_expires_at)));
        }
    }
    let stamp = cache.stamp();
    let read_at = std::time::Instant::now();
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.last_seen_at, s.expires_at, u.id, u.username, u.display_name, u.role, u.specialty, u.disabled, u.created_at \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
    )
    .bind(&id_hash)
    .fetch_optional(&mut *state.db.acquire().await?)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let last_seen = parse_time(&row.last_seen_at);
    let expires = parse_time(&row.expires_at);
    let disabled = row.user.disabled != 0;
    let (Some(mut last_seen), Some(expires)) = (last_seen, expires) else { return Ok(None) };
    if disabled || now >= expires || now >= last_seen + idle {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(&id_hash).execute(&state.db.pool).await?;
        cache.forget_all();
        return Ok(None);
    }
    if activity && (now - last_seen).num_seconds() >= TOUCH_EVERY_SECS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(time_text(now))
            .bind(&id_hash)
            .execute(&state.db.pool)
            .await?;
        last_seen = now;
    }
    let known = cache::Known { me: row.user.into(), last_seen, expires };
    cache.put(stamp, &id_hash, known.clone(), read_at);
    Ok(Some(session(known, last_seen + idle)))
}

/// True while a session is still valid (not logged out, not timed out, user not disabled),
/// without counting as activity: a live event stream must not keep an idle session alive.
pub async fn session_still_valid(state: &AppState, id_hash: &str) -> Result<bool, AppError> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT s.last_seen_at, s.expires_at, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((last_seen, expires, disabled)) = row else { return Ok(false) };
    let now = state.clock.now();
    let idle = Duration::seconds(state.config.session_idle_secs);
    Ok(match (parse_time(&last_seen), parse_time(&expires)) {
        (Some(l), Some(e)) => disabled == 0 && now < e && now < l + idle,
        _ => false,
    })
}

/// Why a login did not succeed. Unknown user, wrong password and disabled account all look
/// the same to the client (AU-4).
#[derive(Debug)]
pub enum LoginFailure {
    InvalidCredentials,
    Throttled { retry_after_secs: u64 },
    Internal(AppError),
}

impl From<AppError> for LoginFailure {
    fn from(e: AppError) -> Self {
        LoginFailure::Internal(e)
    }
}

impl From<sqlx::Error> for LoginFailure {
    fn from(e: sqlx::Error) -> Self {
        LoginFailure::Internal(e.into())
    }
}

impl LoginFailure {
    pub fn into_app_error(self) -> AppError {
        match self {
            LoginFailure::InvalidCredentials => AppError::Unauthorized,
            LoginFailure::Throttled { retry_after_secs } => AppError::TooManyRequests { retry_after_secs },
            LoginFailure::Internal(e) => e,
        }
    }
}

/// The message shown for any failed login: the same whatever the reason (AU-4).
pub const LOGIN_FAILED_MESSAGE: &str = crate::domain::user::LOGIN_FAILED;

/// Checks credentials and opens a new session (a new id at every login, SE-1). The browser's
/// previous session, if its cookie came along, ends in the same transaction.
pub async fn login(
    state: &AppState,
    username: &str,
    password: String,
    client_addr: &str,
    previous_cookie: Option<&str>,
) -> Result<(Me, NewSession), LoginFailure> {
    let username = username.trim().to_lowercase();
    let now = state.clock.now();
    let row: Option<CredentialsRow> = sqlx::query_as(
        "SELECT id, username, display_name, role, specialty, password_hash, disabled, created_at FROM users WHERE username = $1",
    )
    .bind(&username)
    .fetch_optional(&state.db.pool)
    .await?;
    // A failed attempt names the account only when it exists: what was typed as a username may
    // be a password typed in the wrong field, and is never stored (LG-3).
    let attempted = Actor {
        user_id: row.as_ref().map(|r| r.user.id.clone()),
        username: row.as_ref().map(|r| r.user.username.clone()),
        client_addr: Some(client_addr.to_string()),
        ..Actor::default()
    };
    let unknown = if row.is_none() { "; unknown username" } else { "" };
    let keys = throttle_keys(&username, client_addr);
    if let Err(retry_after_secs) = count_attempt(&state.db, now, &keys).await? {
        let detail = format!("throttled{unknown}");
        audit::record(&state.db, &Event::new(&attempted, "auth.login", Outcome::Failure).detail(&detail)).await?;
        return Err(LoginFailure::Throttled { retry_after_secs });
    }
    let stored = row.as_ref().filter(|r| r.user.disabled == 0).map(|r| r.password_hash.clone());
    let ok = state.passwords.verify(password.clone(), stored.clone()).await?;

    let mut tx = state.db.begin_write().await?;
    if !ok {
        // The attempt was counted before the check.
        let detail = format!("invalid credentials{unknown}");
        audit::append(
            &mut tx,
            state.db.engine,
            &Event::new(&attempted, "auth.login", Outcome::Failure).detail(&detail),
        )
        .await?;
        tx.commit().await?;
        return Err(LoginFailure::InvalidCredentials);
    }
    let me: Me = row.expect("verified user exists").user.into();
    forgive_attempt(&mut tx, &keys).await?;
    if let Some(previous) = previous_cookie {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(hash_session_id(previous))
            .execute(&mut *tx)
            .await?;
    }
    let session_id = new_session_id();
    let now_t = time_text(now);
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(hash_session_id(&session_id))
    .bind(&me.id)
    .bind(&now_t)
    .bind(time_text(now + Duration::seconds(state.config.session_max_secs)))
    .execute(&mut *tx)
    .await?;
    let actor = Actor {
        user_id: Some(me.id.clone()),
        username: Some(me.username.clone()),
        role: Some(me.role.code().into()),
        client_addr: Some(client_addr.into()),
        ..Actor::default()
    };
    audit::append(&mut tx, state.db.engine, &Event::new(&actor, "auth.login", Outcome::Success)).await?;
    tx.commit().await?;
    if previous_cookie.is_some() {
        state.db.sessions.forget_all();
    }

    // AU-3: a hash below the current policy is replaced now that the password is known.
    if stored.is_some_and(|s| state.passwords.needs_rehash(&s)) {
        let new_hash = state.passwords.hash(password).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(new_hash)
            .bind(&me.id)
            .execute(&state.db.pool)
            .await?;
    }
    Ok((me, NewSession { cookie_value: session_id, max_age_secs: state.config.session_max_secs }))
}

/// Ends a session (SE-1) and audits it.
pub async fn logout(state: &AppState, session: &Session) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(&session.id_hash).execute(&mut *tx).await?;
    audit::append(&mut tx, state.db.engine, &Event::new(&session.actor(), "auth.logout", Outcome::Success)).await?;
    tx.commit().await?;
    state.db.sessions.forget_all();
    Ok(())
}

/// Re-enters the password within a session before signing a plan or changing credentials
/// (SE-4), throttled like a login (AU-5): 422 on `password` when wrong, 429 while waiting.
pub async fn reauthenticate(state: &AppState, session: &Session, password: String) -> Result<(), AppError> {
    let keys = throttle_keys(&session.me.username, &session.client_addr);
    if let Err(retry_after_secs) = count_attempt(&state.db, state.clock.now(), &keys).await? {
        audit::record(
            &state.db,
            &Event::new(&session.actor(), "auth.reauthenticate", Outcome::Failure).detail("throttled"),
        )
        .await?;
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    let stored: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND disabled = 0")
        .bind(&session.me.id)
        .fetch_optional(&state.db.pool)
        .await?;
    let ok = state.passwords.verify(password, stored).await?;
    let mut tx = state.db.begin_write().await?;
    if ok {
        forgive_attempt(&mut tx, &keys).await?;
    }
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), "auth.reauthenticate", if ok { Outcome::Success } else { Outcome::Failure }),
    )
    .await?;
    tx.commit().await?;
    if ok { Ok(()) } else { Err(AppError::field("password", "The password is not correct.")) }
}

/// Refuses with 403 (and an audit row, AC-2) unless the session's role may do `action`.
pub async fn require(
    state: &AppState,
    session: &Session,
    action: Action,
    case_id: Option<&str>,
) -> Result<(), AppError> {
    if session.may(action) {
        return Ok(());
    }
    let detail = format!("{action:?} not allowed for role {}", session.me.role.code());
    audit::record(
        &state.db,
        &Event { case_id, ..Event::new(&session.actor(), "access.denied", Outcome::Denied).detail(&detail) },
    )
    .await?;
    Err(AppError::forbidden())
}

/// Ends every session of a user (on disable or password reset).
pub async fn end_sessions_of(tx: &mut sqlx::Transaction<'static, sqlx::Any>, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_httponly_strict_and_path_root() {
        let c = session_cookie("abc", 60, false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Path=/"));
        assert!(!c.contains("Secure"));
        assert!(session_cookie("abc", 60, true).contains("; Secure"));
    }

    #[test]
    fn session_id_is_found_among_other_cookies() {
        assert_eq!(session_id_from_cookie_header("a=1; tb_session=xyz; b=2").as_deref(), Some("xyz"));
        assert_eq!(session_id_from_cookie_header("a=1"), None);
        assert_eq!(session_id_from_cookie_header("tb_session="), None);
    }

    #[test]
    fn session_ids_have_256_random_bits() {
        let a = new_session_id();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_session_id());
    }
}
