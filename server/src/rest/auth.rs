//! `POST /api/v1/login`, `POST /api/v1/logout`, `GET /api/v1/me`.

use axum::Json;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use app::ssr::{AppState, auth, request};

use super::{ApiError, Authed, JsonBody};

/// Login credentials. Deliberately not `Debug`: the password must never reach a log.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    username: String,
    password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/login",
    tag = "session",
    summary = "Log in: sets the session cookie",
    request_body = Credentials,
    responses((status = 200, description = "Logged in; `Set-Cookie` carries the session", body = app::domain::user::Me), (status = 401, description = "Unknown user or wrong password (the same answer for both)", body = super::openapi::ErrorBody)),
    security(()),
)]
pub async fn login(State(state): State<AppState>, parts: Parts, JsonBody(c): JsonBody<Credentials>) -> Response {
    let previous = request::session_cookie(&parts);
    let client = request::client_addr(&state, &parts);
    match auth::login(&state, &c.username, c.password, &client, previous.as_deref()).await {
        Ok((me, session)) => {
            let cookie = auth::session_cookie(
                &session.cookie_value,
                session.max_age_secs,
                request::cookie_secure(&state, &parts),
            );
            let mut res = (StatusCode::OK, Json(me)).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            res
        }
        Err(auth::LoginFailure::InvalidCredentials) => {
            let mut body = app::error::AppError::Unauthorized.to_json_body();
            body["error"]["message"] = auth::LOGIN_FAILED_MESSAGE.into();
            (StatusCode::UNAUTHORIZED, Json(body)).into_response()
        }
        Err(other) => ApiError(other.into_app_error()).into_response(),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/logout",
    tag = "session",
    summary = "End the session",
    responses((status = 204, description = "Logged out; the cookie is cleared")),
)]
pub async fn logout(
    State(state): State<AppState>,
    parts: Parts,
    Authed(session): Authed,
) -> Result<Response, ApiError> {
    auth::logout(&state, &session).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::clear_session_cookie(request::cookie_secure(&state, &parts))) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "session",
    summary = "The logged-in user",
    responses((status = 200, description = "Done", body = app::domain::user::Me)),
)]
pub async fn me(Authed(session): Authed) -> Json<app::domain::user::Me> {
    Json(session.me)
}
