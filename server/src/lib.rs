//! The Tumorboard server: the HTTP router over the app's pages, server functions and the
//! `/api/v1` REST API. `router(state)` is what `main` serves and what tests drive in-process.

pub mod cli;
pub mod commands;
pub mod rest;
pub mod security;
pub mod serve;

use app::ssr::AppState;
use app::{App, shell};
use axum::Router;
use axum::routing::get;
use leptos_axum::{LeptosRoutes, generate_route_list};

/// Largest request body accepted anywhere (IN-3). A case with its history is far smaller.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// The page routes, collected once per process. Collecting them renders the app, and doing so
/// while other renders are in flight can leave those renders waiting forever (seen when
/// tests build routers concurrently); one collection serves every router.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application as an axum router.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let leptos_options = state.leptos_options.clone();
    let body_idle = state.config.body_idle_timeout;
    let request_timeout = state.config.request_timeout;
    Router::new()
        .route("/healthz", get(rest::healthz))
        .nest("/api/v1", rest::api_router())
        .leptos_routes_with_context(&state, routes, || (), move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(security::server_fn_status))
        .layer(axum::middleware::from_fn(security::server_fns_need_a_session))
        .layer(axum::middleware::from_fn(security::same_origin))
        // IN-3: a request not answered in time gets 408; a stalled body is cut off.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn_with_state(body_idle, security::body_idle_timeout))
        .layer(axum::middleware::from_fn(security::access_log))
        .with_state(state)
}
