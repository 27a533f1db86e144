//! Response hardening applied to every route: security headers (HD-1) and honest status codes
//! for server-function errors.

use self::http_body_util_compat::collect_bytes;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use app::error::AppError;

/// Content Security Policy. Leptos hydration needs its inline module script and wasm
/// compilation; everything else comes from this origin only. No plugins, no <base>, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Adds the HD-1 headers to every response. Pages and API answers may hold patient data, so
/// they are never stored by the browser or a proxy; only the compiled assets under /pkg/ and
/// the favicon may be cached.
pub async fn headers(req: Request, next: Next) -> Response {
    let cacheable = {
        let p = req.uri().path();
        p.starts_with("/pkg/") || p == "/favicon.svg" || p == "/favicon.ico"
    };
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // An attached file sets its own, stricter policy (and lets this site frame it): kept.
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    if !cacheable {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Gives each request its own session memo: however many server functions a page renders,
/// the session is looked up once (`app::ssr::request::SessionMemo`).
pub async fn session_memo(mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(app::ssr::request::SessionMemo::default());
    next.run(req).await
}

/// Server functions answer every error with HTTP 500 and the encoded error in the body. This
/// gives such answers the status their `AppError` stands for, so bad input is a 4xx, never a 5xx.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let is_server_fn = req.uri().path().starts_with("/sfn/");
    let res = next.run(req).await;
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = collect_bytes(body).await;
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(err.status_code())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

mod http_body_util_compat {
    use axum::body::{Body, Bytes};

    /// Reads a whole (small, server-produced) body.
    pub async fn collect_bytes(body: Body) -> Bytes {
        axum::body::to_bytes(body, super::super::BODY_LIMIT_BYTES * 4).await.unwrap_or_default()
    }
}

/// Server functions anyone may call: logging in and out, and asking whether one is logged in.
pub const PUBLIC_SERVER_FNS: [&str; 3] = ["/sfn/auth/login", "/sfn/auth/logout", "/sfn/auth/session"];

/// Deny by default (AC-1): a server function other than the public ones is not even reached by
/// a request without a session cookie (401). Each function still checks the session and the
/// role itself; this layer makes sure that a new function that forgot to cannot leak to an
/// anonymous caller.
pub async fn server_fns_need_a_session(req: Request, next: Next) -> Response {
    // Server functions are called with POST; other methods get the router's own 405 (CS-1).
    let path = req.uri().path();
    if req.method() != axum::http::Method::POST || !path.starts_with("/sfn/") || PUBLIC_SERVER_FNS.contains(&path) {
        return next.run(req).await;
    }
    let has_cookie = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| app::ssr::auth::session_id_from_cookie_header(c).is_some());
    if has_cookie {
        return next.run(req).await;
    }
    let body = serde_json::to_string(&AppError::Unauthorized).unwrap_or_default();
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::UNAUTHORIZED;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// The largest request bodies (IN-3): [`super::BODY_LIMIT_BYTES`] everywhere but an upload of
/// a document, which may carry a file of `TUMORBOARD_MAX_UPLOAD_MB` and its form fields.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimits {
    pub default: usize,
    pub upload: usize,
}

impl BodyLimits {
    pub fn new(max_upload_bytes: u64) -> Self {
        let upload = usize::try_from(max_upload_bytes).unwrap_or(usize::MAX).saturating_add(super::BODY_LIMIT_BYTES);
        BodyLimits { default: super::BODY_LIMIT_BYTES, upload }
    }

    fn for_request(&self, req: &Request) -> usize {
        let p = req.uri().path();
        let upload = req.method() == axum::http::Method::POST
            && p.strip_prefix("/api/v1/cases/")
                .is_some_and(|rest| rest.ends_with("/attachments") && rest.matches('/').count() == 1);
        if upload { self.upload } else { self.default }
    }
}

/// Holds every request body to its limit ([`BodyLimits`]): one that says it is larger is
/// answered 413 at once; one that grows larger on the way fails its read (413 too).
/// tower-http's `RequestBodyLimitLayer` does the same with one limit for every path.
pub async fn body_limit(
    axum::extract::State(limits): axum::extract::State<BodyLimits>,
    req: Request,
    next: Next,
) -> Response {
    let limit = limits.for_request(&req);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        let mut res = Response::new(Body::from(AppError::PayloadTooLarge.to_json_body().to_string()));
        *res.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return res;
    }
    let req = req.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    next.run(req).await
}

/// IN-3: a request body that sends nothing for `idle` is cut off (its handler sees a body error
/// and answers 400), so a stalled upload cannot hold a connection for ever.
pub async fn body_idle_timeout(
    axum::extract::State(idle): axum::extract::State<std::time::Duration>,
    req: Request,
    next: Next,
) -> Response {
    let req = req.map(|body| Body::new(tower_http::timeout::TimeoutBody::new(idle, body)));
    next.run(req).await
}

/// Refuses state-changing requests that a browser sent from another site (CS-2), on top of
/// the SameSite=Strict cookie. Browsers send `Sec-Fetch-Site` (and `Origin`) on such requests;
/// scripts and API clients send neither and are not affected.
pub async fn same_origin(req: Request, next: Next) -> Response {
    use axum::http::Method;
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || !is_cross_site(&req) {
        return next.run(req).await;
    }
    tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-site request refused");
    let err = AppError::Forbidden { message: "Cross-site requests are refused. Use Tumorboard's own pages.".into() };
    let mut res = Response::new(Body::from(err.to_json_body().to_string()));
    *res.status_mut() = StatusCode::FORBIDDEN;
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

fn is_cross_site(req: &Request) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return false };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    let hosts = [h.get(header::HOST), h.get("x-forwarded-host")];
    !hosts.iter().flatten().filter_map(|v| v.to_str().ok()).any(|host| host == origin_host)
}

/// One log line per request for operators: method, path, status, duration. Paths hold only
/// opaque ids; the query string is left out, so no patient identifier reaches the log (AC-4).
pub async fn access_log(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = res.status().as_u16();
    if status >= 500 {
        tracing::warn!(%method, %path, status, ms = format!("{ms:.1}"), "request");
    } else {
        tracing::info!(%method, %path, status, ms = format!("{ms:.1}"), "request");
    }
    res
}
