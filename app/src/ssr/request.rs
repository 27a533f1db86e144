//! "Who is asking": the session and client address of the current request, for server
//! functions (through the leptos request context) and REST handlers (through axum parts).

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::request::Parts;

use super::AppState;
use super::auth::{self, Session};
use crate::error::AppError;

/// The client's address as the socket saw it; "unknown" when there is none (in-process tests).
pub fn client_addr(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Whether the session cookie must carry `Secure` for this request.
pub fn cookie_secure(state: &AppState, parts: &Parts) -> bool {
    state.config.secure_cookies || parts.headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// The session of a request, if it has a live one.
pub async fn session_of(state: &AppState, parts: &Parts) -> Result<Option<Session>, AppError> {
    let cookie = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(auth::session_id_from_cookie_header);
    match cookie {
        Some(value) => auth::session_for(state, &value, &client_addr(parts)).await,
        None => Ok(None),
    }
}

/// For server functions: the app state and request parts from the leptos context.
pub fn context() -> Result<(AppState, Parts), AppError> {
    let state = AppState::from_context()?;
    let parts = leptos::prelude::use_context::<Parts>()
        .ok_or_else(|| AppError::internal("request parts missing from the server function context"))?;
    Ok((state, parts))
}

/// For server functions: the state and the live session, or 401.
pub async fn authenticated() -> Result<(AppState, Session), AppError> {
    let (state, parts) = context()?;
    let session = session_of(&state, &parts).await?.ok_or(AppError::Unauthorized)?;
    Ok((state, session))
}
