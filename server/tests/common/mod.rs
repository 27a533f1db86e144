//! Test helpers: a fresh database per test, the router driven in-process, small HTTP helpers.
#![allow(dead_code)]

use app::ssr::{AppState, Config, Db};
use axum::body::Body;
use axum::http::{Request, Response};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use tower::ServiceExt;

/// A test database: a SQLite file in a temp dir (kept alive by the returned guard), or the
/// PostgreSQL database named by `TEST_DATABASE_URL` when that is set.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/test.db", dir.path().display());
        TestDb {
            url,
            _dir: Some(dir),
        }
    }
}

pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("tumorboard")
        .site_root("target/site")
        .build()
}

pub async fn state_for(db: &TestDb) -> AppState {
    let pool = Db::open_and_migrate(&db.url)
        .await
        .expect("open test database");
    AppState {
        leptos_options: leptos_options(),
        db: pool,
        config: Config::for_database(&db.url),
    }
}

/// A fresh app state over its own database.
pub async fn test_state() -> (AppState, TestDb) {
    let db = TestDb::new();
    let state = state_for(&db).await;
    (state, db)
}

pub async fn send(state: &AppState, req: Request<Body>) -> Response<Body> {
    server::router(state.clone())
        .oneshot(req)
        .await
        .expect("router answers")
}

pub async fn get(state: &AppState, path: &str) -> Response<Body> {
    send(state, Request::get(path).body(Body::empty()).unwrap()).await
}

pub async fn body_text(res: Response<Body>) -> String {
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub async fn body_json(res: Response<Body>) -> serde_json::Value {
    let text = body_text(res).await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}
