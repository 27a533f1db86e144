//! Logging in and out, the current user, keeping a session alive, changing one's password.
//! The login and logout forms also work without JavaScript: a plain form post is answered
//! with a redirect.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::user::Me;
use crate::error::AppError;

/// The current user and how long the session stays alive without activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub me: Me,
    /// Seconds until the idle timeout ends the session, unless there is activity.
    pub idle_expires_in_secs: i64,
    /// The configured idle timeout, for the warning text.
    pub idle_timeout_secs: i64,
}

pub use crate::domain::user::LOGIN_FAILED;

/// Where to go after login (IN-4): only a path on this site, else the start page. The text is
/// checked as a browser would read it: browsers drop tabs and newlines from URLs and treat `\`
/// as `/`, so `/\t/evil.example` would become `//evil.example`, another site. Accepted: a path
/// starting with one `/` whose characters are all visible ASCII without `\`, whose path does not
/// start with `//`, and that is not the login page itself.
pub fn safe_next(next: &str) -> String {
    const HOME: &str = "/";
    let n = next.trim();
    let visible = n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    let path = n.split(['?', '#']).next().unwrap_or_default();
    let same_origin_path = path.starts_with('/') && !path.starts_with("//");
    let is_login = path == "/login" || path.starts_with("/login/");
    if visible && same_origin_path && !is_login && n.len() <= 2000 { n.to_string() } else { HOME.to_string() }
}

#[cfg(feature = "ssr")]
fn is_plain_form_post(parts: &http::request::Parts) -> bool {
    // A hydrated page's server-function call does not ask for HTML; a browser's own form post does.
    parts.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
}

#[cfg(feature = "ssr")]
fn set_cookie(value: String) {
    if let (Some(resp), Ok(v)) = (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&value)) {
        resp.append_header(http::header::SET_COOKIE, v);
    }
}

/// Logs in. Unknown user and wrong password get the same answer (AU-4).
#[server(endpoint = "auth/login", prefix = "/sfn")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<Me, AppError> {
    use crate::ssr::{auth, request};
    let (state, parts) = request::context()?;
    let next = safe_next(next.as_deref().unwrap_or("/"));
    let previous = request::session_cookie(&parts);
    let result =
        auth::login(&state, &username, password, &request::client_addr(&state, &parts), previous.as_deref()).await;
    match result {
        Ok((me, session)) => {
            set_cookie(auth::session_cookie(
                &session.cookie_value,
                session.max_age_secs,
                request::cookie_secure(&state, &parts),
            ));
            if is_plain_form_post(&parts) {
                leptos_axum::redirect(&next);
            }
            Ok(me)
        }
        Err(failure) => {
            let err = failure.into_app_error();
            if is_plain_form_post(&parts) && !matches!(err, AppError::Internal { .. }) {
                let reason = if matches!(err, AppError::TooManyRequests { .. }) { "throttled" } else { "failed" };
                leptos_axum::redirect(&format!("/login?{reason}=1&next={}", urlencode(&next)));
            }
            Err(err)
        }
    }
}

#[cfg(feature = "ssr")]
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Logs out: ends the session on the server and clears the cookie.
#[server(endpoint = "auth/logout", prefix = "/sfn")]
pub async fn logout() -> Result<(), AppError> {
    use crate::ssr::{auth, request};
    let (state, parts) = request::context()?;
    if let Some(session) = request::session_of(&state, &parts).await? {
        auth::logout(&state, &session).await?;
    }
    set_cookie(auth::clear_session_cookie(request::cookie_secure(&state, &parts)));
    if is_plain_form_post(&parts) {
        leptos_axum::redirect("/login?logged_out=1");
    }
    Ok(())
}

/// The current user, or `None` when nobody is logged in.
#[server(endpoint = "auth/session", prefix = "/sfn")]
pub async fn current_session() -> Result<Option<SessionInfo>, AppError> {
    use crate::ssr::request;
    let (state, parts) = request::context()?;
    let session = request::session_of(&state, &parts).await?;
    Ok(session.map(|s| session_info(&state, s)))
}

#[cfg(feature = "ssr")]
fn session_info(state: &crate::ssr::AppState, s: crate::ssr::auth::Session) -> SessionInfo {
    SessionInfo {
        idle_expires_in_secs: (s.idle_expires_at - state.clock.now()).num_seconds().max(0),
        idle_timeout_secs: state.config.session_idle_secs,
        me: s.me,
    }
}

/// A person's activity on the page ("Stay logged in", keys and clicks): refreshes the idle
/// timer, which the page's automatic requests do not (SE-3).
#[server(endpoint = "auth/keep-alive", prefix = "/sfn")]
pub async fn keep_alive() -> Result<SessionInfo, AppError> {
    use crate::ssr::request;
    let (state, parts) = request::context()?;
    let s = request::session_with_activity(&state, &parts, true).await?.ok_or(AppError::Unauthorized)?;
    Ok(session_info(&state, s))
}

/// Changes one's own password after re-entering the current one (SE-4).
#[server(endpoint = "auth/change-password", prefix = "/sfn")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    use crate::ssr::{auth, request, users};
    let (state, session) = request::authenticated().await?;
    auth::reauthenticate(&state, &session, current_password).await.map_err(|e| {
        if e.fields().is_some() {
            AppError::field("current_password", "The current password is not correct.")
        } else {
            e
        }
    })?;
    users::set_password(
        &state,
        &session.actor(),
        &session.me.id,
        &new_password,
        Some(&session.id_hash),
        "user.change_password",
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(safe_next("/cases"), "/cases");
        assert_eq!(safe_next("/cases/abc?tab=plan#sign"), "/cases/abc?tab=plan#sign");
        assert_eq!(safe_next("/loginhelp"), "/loginhelp");
        for attack in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil",
            "/login?next=/x",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/ /evil.example",
            "\t//evil.example",
            "///evil.example",
            "/\u{0}/evil",
            "javascript:alert(1)",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(attack), "/", "{attack:?}");
        }
    }
}
