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

/// mimalloc instead of glibc's malloc (issue 17): under a meeting day's load a quarter of the
/// server's time went to glibc's allocator, much of it waiting on its arena locks
/// (`__lll_lock_wait_private`, `malloc_consolidate` in `perf`); a page rendered on the server
/// allocates thousands of small strings and views, from many threads at once. Declared here,
/// in the library, so that the benches and tests that serve the router in-process allocate as
/// the `tumorboard` binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Largest request body accepted anywhere (IN-3). A case with its history is far smaller.
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// The page routes, collected once per process. Collecting them renders the app, and doing so
/// while other renders are in flight can leave those renders waiting forever (seen when
/// tests build routers concurrently); one collection serves every router.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The browser bundle and stylesheet (`/pkg`). A release build made with `--precompress` puts
/// a brotli (`.br`) and a gzip (`.gz`) copy beside each file; the browser gets the smallest it
/// accepts, with `Content-Encoding`, never a compression done per request (brotli at its best
/// setting takes seconds). When the names carry their content's hash (`hash-files`), a file
/// never changes under its name and is cached for a year; otherwise it is revalidated.
fn pkg_service(options: &leptos::config::LeptosOptions) -> axum::routing::MethodRouter {
    use axum::http::{HeaderValue, header};
    let dir = pkg_dir(options);
    let cache = if options.hash_files { "public, max-age=31536000, immutable" } else { "no-cache" };
    let files = tower_http::services::ServeDir::new(dir).precompressed_br().precompressed_gzip();
    axum::routing::get_service(
        tower::ServiceBuilder::new()
            .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache),
            ))
            .service(files),
    )
}

/// Where the browser bundle is: the directory [`pkg_service`] serves as `/pkg`.
pub fn pkg_dir(options: &leptos::config::LeptosOptions) -> std::path::PathBuf {
    std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir)
}

/// What is wrong with the browser bundle in `pkg_dir` for a release server, if anything: no
/// bundle at all (the pages are shown but stay inert), or a bundle without the compressed
/// copies that `cargo leptos build --release --precompress` writes beside it, which
/// [`pkg_service`] would then send uncompressed: about 3.6 MB instead of about 0.8 MB per
/// first visit (issue 17; the README's installation builds with `--precompress`).
pub fn bundle_problem(pkg_dir: &std::path::Path) -> Option<String> {
    let wasm: Vec<std::path::PathBuf> = std::fs::read_dir(pkg_dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .collect();
    if wasm.is_empty() {
        return Some(format!(
            "no browser bundle (.wasm) in {}: pages will show but not respond to input; build it with \
             `cargo leptos build --release --precompress` and set LEPTOS_SITE_ROOT to its target/site",
            pkg_dir.display()
        ));
    }
    let bare: Vec<String> = wasm
        .iter()
        .filter(|w| {
            let with = |ext: &str| {
                let mut name = w.as_os_str().to_owned();
                name.push(ext);
                std::path::Path::new(&name).is_file()
            };
            !with(".br") && !with(".gz")
        })
        .filter_map(|w| w.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    (!bare.is_empty()).then(|| {
        format!(
            "the browser bundle {} in {} has no compressed copy (.br, .gz) beside it and goes out \
             uncompressed, about 4.5 times the bytes of its brotli copy; build it with `cargo leptos build --release --precompress`",
            bare.join(", "),
            pkg_dir.display()
        )
    })
}

/// The whole application as an axum router.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let leptos_options = state.leptos_options.clone();
    let body_idle = state.config.body_idle_timeout;
    let request_timeout = state.config.request_timeout;
    let limits = security::BodyLimits::new(state.config.max_upload_bytes);
    Router::new()
        .route("/healthz", get(rest::healthz))
        .nest("/api/v1", rest::api_router())
        .route("/api/docs", get(rest::openapi::docs_page))
        .nest_service("/pkg", pkg_service(&state.leptos_options))
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
        // axum's own 2 MB default would cap an upload below TUMORBOARD_MAX_UPLOAD_MB: body_limit
        // holds every body to its limit instead.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(limits, security::body_limit))
        .layer(axum::middleware::from_fn_with_state(body_idle, security::body_idle_timeout))
        .layer(axum::middleware::from_fn(security::access_log))
        .layer(axum::middleware::from_fn(security::session_memo))
        .with_state(state)
}
