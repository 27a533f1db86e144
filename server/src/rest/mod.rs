//! `/api/v1`: the JSON REST API for outside consumers (spec/api.md), over the same services as
//! the server functions. Every handler checks the session and the role itself.

mod annotations;
mod audit;
mod auth;
mod cases;
mod events;
mod meetings;
mod plans;
mod proposals;

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};

use app::domain::role::Action;
use app::error::AppError;
use app::ssr::AppState;
use app::ssr::auth::Session;

/// The REST routes, mounted under `/api/v1`.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/login", post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/audit", get(audit::list))
        .route("/cases", post(cases::create).get(cases::list))
        .route("/cases/search", post(cases::search))
        .route("/cases/{id}", get(cases::get).patch(cases::patch))
        .route("/cases/{id}/history", get(cases::history))
        .route("/cases/{id}/proposal", get(proposals::for_case))
        .route("/cases/{id}/events", get(events::stream))
        .route("/proposals", post(proposals::preview))
        .route("/cases/{id}/annotations", post(annotations::create).get(annotations::list))
        .route("/annotations/{id}", axum::routing::patch(annotations::patch))
        .route("/cases/{id}/plan", get(plans::get).put(plans::put))
        .route("/cases/{id}/plan/sign", post(plans::sign))
        .route("/cases/{id}/plan/addenda", post(plans::addendum))
        .route("/cases/{id}/plan/outcome", post(plans::outcome))
        .route("/meetings", post(meetings::create).get(meetings::list))
        .route("/meetings/{id}", get(meetings::get))
        .route("/meetings/{id}/agenda", post(meetings::add_to_agenda))
        .route(
            "/meetings/{id}/agenda/{case_id}",
            axum::routing::patch(meetings::change_agenda).delete(meetings::remove_from_agenda),
        )
        .route("/meetings/{id}/attendance", post(meetings::attendance))
        .route("/meetings/{id}/present", post(meetings::present))
        .route("/meetings/{id}/events", get(meetings::stream))
        .fallback(any(|| async { ApiError(AppError::NotFound) }))
}

/// `GET /healthz`: 200 only when the database answers.
pub async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({"status": "database unavailable"}))).into_response()
    }
}

/// An `AppError` answered as the REST error body of api.md.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(self.0.to_json_body())).into_response();
        if let AppError::TooManyRequests { retry_after_secs } = self.0 {
            if let Ok(v) = retry_after_secs.to_string().parse() {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        res
    }
}

/// A versioned resource as JSON with its `ETag: "N"` (api.md: versioned resources).
pub fn with_etag(status: StatusCode, version: i64, body: impl serde::Serialize) -> Response {
    let mut res = (status, Json(body)).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("\"{version}\"")) {
        res.headers_mut().insert(axum::http::header::ETAG, v);
    }
    res
}

/// The logged-in caller of a REST handler; 401 when there is no live session.
pub struct Authed(pub Session);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match app::ssr::request::session_of(state, parts).await? {
            Some(session) => Ok(Authed(session)),
            None => Err(ApiError(AppError::Unauthorized)),
        }
    }
}

impl Authed {
    /// 403 (with an audit row) unless the caller's role may do `action`.
    pub async fn require(&self, state: &AppState, action: Action, case_id: Option<&str>) -> Result<(), ApiError> {
        app::ssr::auth::require(state, &self.0, action, case_id).await.map_err(ApiError)
    }
}

/// JSON body extractor whose rejections are api.md error bodies (400 malformed, 413 too large,
/// 415 wrong type) instead of axum's plain text.
pub struct JsonBody<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(ApiError(match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
                StatusCode::UNPROCESSABLE_ENTITY => AppError::bad_request(format!(
                    "The JSON does not have the expected fields: {}",
                    rejection.body_text()
                )),
                _ => AppError::bad_request(format!("The request body must be JSON: {}", rejection.body_text())),
            })),
        }
    }
}
