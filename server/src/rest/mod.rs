//! `/api/v1`: the JSON REST API for outside consumers (spec/api.md), over the same services as
//! the server functions.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::any;

use app::error::AppError;
use app::ssr::AppState;

/// The REST routes, mounted under `/api/v1`.
pub fn api_router() -> Router<AppState> {
    Router::new().fallback(any(|| async { ApiError(AppError::NotFound) }))
}

/// `GET /healthz`: 200 only when the database answers.
pub async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "database unavailable"})),
        )
            .into_response()
    }
}

/// An `AppError` answered as the REST error body of api.md.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(self.0.to_json_body())).into_response();
        if let AppError::TooManyRequests { retry_after_secs } = self.0 {
            if let Ok(v) = retry_after_secs.to_string().parse() {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        res
    }
}
