//! `/api/v1`: the JSON REST API for outside consumers (spec/api.md), over the same services as
//! the server functions. Every handler checks the session and the role itself.

mod annotations;
mod attachments;
mod audit;
mod auth;
mod boards;
mod cases;
mod events;
mod fhir;
mod meetings;
pub mod openapi;
mod patients;
mod plans;
mod proposals;
mod review;
mod sse;
mod trials;
mod work;

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, any, on};

use app::domain::role::Action;
use app::error::AppError;
use app::ssr::AppState;
use app::ssr::auth::Session;

/// The REST routes, mounted under `/api/v1`, built from [`routes`].
pub fn api_router() -> Router<AppState> {
    routes().router.fallback(any(|| async { ApiError(AppError::NotFound) }))
}

/// Every REST route and the methods it answers, as (method, path under `/api/v1`). Built by the
/// same code that builds the router, so a test sweeping this list sweeps every route.
pub fn route_list() -> Vec<(Method, &'static str)> {
    routes().list
}

/// The router and the list of what it serves, built together.
pub struct Routes {
    router: Router<AppState>,
    list: Vec<(Method, &'static str)>,
}

impl Routes {
    fn on<H, T>(mut self, method: Method, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
        // axum merges the methods of one path into one route.
        self.router = self.router.route(path, on(filter, handler));
        self.list.push((method, path));
        self
    }

    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.on(Method::GET, path, handler)
    }

    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.on(Method::POST, path, handler)
    }

    fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.on(Method::PUT, path, handler)
    }

    fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.on(Method::PATCH, path, handler)
    }

    fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.on(Method::DELETE, path, handler)
    }
}

fn routes() -> Routes {
    Routes { router: Router::new(), list: Vec::new() }
        .post("/login", auth::login)
        .post("/logout", auth::logout)
        .get("/me", auth::me)
        .get("/me/work", work::mine)
        .get("/audit", audit::list)
        .get("/audit/verify", audit::verify)
        .post("/cases", cases::create)
        .get("/cases", cases::list)
        .post("/cases/search", cases::search)
        .get("/cases/{id}", cases::get)
        .patch("/cases/{id}", cases::patch)
        .get("/cases/{id}/history", cases::history)
        .get("/cases/{id}/proposal", proposals::for_case)
        .get("/cases/{id}/events", events::stream)
        .post("/proposals", proposals::preview)
        .get("/patients/{id}", patients::get)
        .patch("/patients/{id}", patients::patch)
        .post("/cases/{id}/annotations", annotations::create)
        .get("/cases/{id}/annotations", annotations::list)
        .patch("/annotations/{id}", annotations::patch)
        .get("/cases/{id}/plan", plans::get)
        .put("/cases/{id}/plan", plans::put)
        .post("/cases/{id}/plan/sign", plans::sign)
        .post("/cases/{id}/plan/addenda", plans::addendum)
        .post("/cases/{id}/plan/outcome", plans::outcome)
        .post("/meetings", meetings::create)
        .post("/meetings/series", meetings::create_series)
        .get("/meetings", meetings::list)
        .get("/meetings/{id}", meetings::get)
        .patch("/meetings/{id}", meetings::change)
        .post("/meetings/{id}/cancel", meetings::cancel)
        .post("/meetings/{id}/agenda", meetings::add_to_agenda)
        .patch("/meetings/{id}/agenda/{case_id}", meetings::change_agenda)
        .delete("/meetings/{id}/agenda/{case_id}", meetings::remove_from_agenda)
        .post("/meetings/{id}/attendance", meetings::attendance)
        .post("/meetings/{id}/present", meetings::present)
        .get("/meetings/{id}/events", meetings::stream)
        .get("/boards", boards::list)
        .post("/boards", boards::create)
        .patch("/boards/{id}", boards::update)
        .post("/boards/{id}/members", boards::add_member)
        .delete("/boards/{id}/members/{user_id}", boards::remove_member)
        .post("/cases/{id}/break-glass", boards::break_glass)
        .get("/break-glass", boards::accesses)
        .get("/decisions", review::decisions)
        .get("/figures", review::figures)
        .get("/figures.csv", review::figures_csv)
        .get("/pipeline", work::pipeline)
        .get("/cases/{id}/voices", work::voices)
        .post("/cases/{id}/voice-requests", work::request)
        .get("/cases/{id}/fhir", fhir::export)
        .post("/cases/{id}/attachments", attachments::upload)
        .get("/cases/{id}/attachments", attachments::list)
        .get("/attachments/{id}", attachments::read)
        .patch("/attachments/{id}", attachments::patch)
        .get("/trials", trials::list)
        .post("/trials", trials::create)
        .patch("/trials/{id}", trials::patch)
        .get("/cases/{id}/trials", trials::for_case)
        .post("/cases/import", fhir::import)
        .get("/openapi.json", openapi::openapi_json)
}

/// `GET /healthz`: 200 only when the database answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "system",
    summary = "Whether the server and its database answer",
    responses((status = 200, description = "Both answer", body = openapi::HealthBody)),
    security(()),
)]
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

impl From<app::error::Invalid> for ApiError {
    fn from(e: app::error::Invalid) -> Self {
        ApiError(e.into())
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
        if let AppError::TooManyRequests { retry_after_secs } = self.0
            && let Ok(v) = retry_after_secs.to_string().parse()
        {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
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

/// 201 Created with the new resource's version as its ETag and its address as `Location`.
pub fn created(version: i64, body: impl serde::Serialize, location: &str) -> Response {
    let mut res = with_etag(StatusCode::CREATED, version, body);
    if let Ok(v) = axum::http::HeaderValue::from_str(location) {
        res.headers_mut().insert(axum::http::header::LOCATION, v);
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

/// Query string extractor whose rejection is a 400 in the api.md error body (an unknown or
/// malformed parameter), instead of axum's plain text.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(ApiError(AppError::bad_request(rejection.body_text()))),
        }
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
