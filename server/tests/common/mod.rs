//! Test helpers: a fresh database per test, the router driven in-process, small HTTP helpers.
#![allow(dead_code)]

use app::ssr::auth::{Clock, Passwords};
use app::ssr::{AppState, Config, Db};
use axum::body::Body;
use axum::http::{Request, Response};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use tower::ServiceExt;

/// A test database of its own for each test: a SQLite file in a temp dir (kept alive by the
/// guard), or, when `TEST_DATABASE_URL` names a PostgreSQL server (scripts/test-all starts a
/// throwaway cluster), a fresh database created on it.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn new() -> Self {
        match std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) {
            Some(admin_url) => Self::postgres(&admin_url),
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/test.db", dir.path().display());
                TestDb { url, _dir: Some(dir) }
            }
        }
    }

    fn postgres(admin_url: &str) -> Self {
        use sqlx::Connection;
        let name = format!("tb_test_{}", uuid_like());
        let admin = admin_url.to_string();
        let create = name.clone();
        // A plain thread with its own runtime: `new` is called from sync and async tests alike.
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
                sqlx::any::install_default_drivers();
                let mut conn =
                    sqlx::AnyConnection::connect(&admin).await.expect("connect to the test PostgreSQL server");
                // The name is generated here (hex digits only), never taken from input.
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {create}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
            })
        })
        .join()
        .unwrap();
        let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin_url);
        TestDb { url: format!("{base}/{name}"), _dir: None }
    }

    /// A SQLite database whatever `TEST_DATABASE_URL` says, for tests of SQLite itself.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/test.db", dir.path().display());
        TestDb { url, _dir: Some(dir) }
    }

    /// A PostgreSQL database on `TEST_DATABASE_URL`; tests that call this are `#[ignore]`d with
    /// the reason, and `scripts/test-all` runs them (`--include-ignored`) on its cluster.
    pub fn postgres_required() -> Self {
        match std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres")) {
            Some(admin_url) => Self::postgres(&admin_url),
            None => panic!("this test needs PostgreSQL: set TEST_DATABASE_URL (scripts/test-all starts a cluster)"),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("{:x}{:x}{:x}", std::process::id(), t, n)
}

pub fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder().output_name("tumorboard").site_root("target/site").build()
}

pub async fn state_for(db: &TestDb) -> AppState {
    let pool = Db::open_and_migrate(&db.url).await.expect("open test database");
    AppState::from(app::ssr::state::Shared {
        leptos_options: leptos_options(),
        db: pool,
        config: Config::for_database(&db.url),
        passwords: Passwords::cheap_for_tests(),
        clock: Clock::default(),
    })
}

/// A fresh app state over its own database.
pub async fn test_state() -> (AppState, TestDb) {
    let db = TestDb::new();
    let state = state_for(&db).await;
    (state, db)
}

pub async fn send(state: &AppState, req: Request<Body>) -> Response<Body> {
    server::router(state.clone()).oneshot(req).await.expect("router answers")
}

pub async fn get(state: &AppState, path: &str) -> Response<Body> {
    send(state, Request::get(path).body(Body::empty()).unwrap()).await
}

pub async fn body_bytes(res: Response<Body>) -> Vec<u8> {
    res.into_body().collect().await.expect("body").to_bytes().to_vec()
}

pub async fn body_text(res: Response<Body>) -> String {
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub async fn body_json(res: Response<Body>) -> serde_json::Value {
    let text = body_text(res).await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A password that satisfies the policy, used for test users.
pub const PW: &str = "correct horse battery staple";

/// Creates a user directly through the service (as the command line would).
pub async fn add_user(
    state: &AppState,
    username: &str,
    role: &str,
    specialty: Option<&str>,
) -> app::domain::user::UserSummary {
    let new = app::domain::user::NewUser {
        username: username.into(),
        display_name: format!("Test {username}"),
        role: role.into(),
        specialty: specialty.map(str::to_string),
        password: PW.into(),
        boards: Vec::new(),
    };
    app::ssr::users::create(state, &app::ssr::users::cli_actor(), &new).await.expect("create test user")
}

/// A JSON request, optionally with the session cookie.
pub fn json_req(method: &str, path: &str, body: serde_json::Value, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path).header("content-type", "application/json");
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

/// A request with no body, optionally with the session cookie.
pub fn req(method: &str, path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    b.body(Body::empty()).unwrap()
}

/// A server-function call as a hydrated page makes it (form-encoded body).
pub fn sfn_req(path: &str, form: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::post(path).header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    b.body(Body::from(form.to_string())).unwrap()
}

/// Logs in through the REST API and returns the `name=value` cookie pair.
pub async fn login(state: &AppState, username: &str, password: &str) -> String {
    let res = send(
        state,
        json_req("POST", "/api/v1/login", serde_json::json!({"username": username, "password": password}), None),
    )
    .await;
    assert_eq!(res.status(), 200, "login of {username} failed");
    cookie_pair(&res).expect("session cookie")
}

/// The `name=value` part of the session cookie a response sets.
pub fn cookie_pair(res: &Response<Body>) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("tb_session="))
        .map(|c| c.split(';').next().unwrap().to_string())
}

/// Every audit row, oldest first. (The query's default is the newest 200: a test that writes
/// more, such as 200 parallel logins, lost its oldest rows, and its count came out short
/// when one of the counted rows was among the first written.)
pub async fn audit_rows(state: &AppState) -> Vec<app::domain::audit::AuditRow> {
    let all = app::domain::audit::AuditQuery { limit: Some(1000), ..Default::default() };
    let mut rows = app::ssr::audit::query(&state.db, &all).await.unwrap();
    assert!(rows.len() < 1000, "more audit rows than one query returns: read them in pages");
    rows.reverse();
    rows
}

/// Runs a statement that a database trigger must refuse, and checks that it was refused by
/// that trigger (its own message), not by any error such as a typo in the statement.
pub async fn assert_refused_by_trigger(state: &AppState, sql: &'static str, message: &str) {
    match sqlx::query(sql).execute(&state.db.pool).await {
        Ok(_) => panic!("the database accepted: {sql}"),
        Err(e) => assert!(e.to_string().contains(message), "{sql}: refused for another reason: {e}"),
    }
}

/// Runs `f` with an app state on `url` on a runtime of its own (for tests that are not async,
/// such as the command-line tests).
pub fn state_blocking<F, Fut, T>(url: &str, f: F) -> T
where
    F: FnOnce(AppState) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let url = url.to_string();
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async move {
        let db = Db::open_and_migrate(&url).await.expect("open database");
        let state = AppState::from(app::ssr::state::Shared {
            leptos_options: leptos_options(),
            db,
            config: Config::for_database(&url),
            passwords: Passwords::cheap_for_tests(),
            clock: Clock::default(),
        });
        let out = f(state.clone()).await;
        state.db.close().await;
        out
    })
}

/// A case with a signed plan (rationale "Resect."), made through the REST API; returns the case id.
pub async fn signed_plan(state: &AppState) -> String {
    add_user(state, "cora", "coordinator", None).await;
    add_user(state, "sam", "clinician", Some("surgery")).await;
    let cora = login(state, "cora", PW).await;
    let sam = login(state, "sam", PW).await;
    let case = serde_json::json!({
        "patient": {"mrn": "SIGN-1", "name": "Signe Signed", "birth_date": "1960-01-01", "sex": "female"},
        "question": "Resection?",
        "tumor": {"primary_site": "pancreas", "grade": "G2", "ki67_percent": 6, "differentiation": "well", "tumor_size_mm": 35,
                  "t_stage": "T2", "n_stage": "N0", "m_stage": "M0", "liver_burden": "none", "functional_syndrome": "none",
                  "sstr_imaging": "positive", "ecog": 0}
    });
    let res = send(state, json_req("POST", "/api/v1/cases", case, Some(&cora))).await;
    let id = body_json(res).await["id"].as_str().unwrap().to_string();
    let proposal = body_json(send(state, req("GET", &format!("/api/v1/cases/{id}/proposal"), Some(&cora))).await).await;
    let plan = serde_json::json!({"options": [proposal["options"][0]["code"]], "rationale": "Resect."});
    let res = send(state, json_req("PUT", &format!("/api/v1/cases/{id}/plan"), plan, Some(&cora))).await;
    assert_eq!(res.status(), 201);
    let mut sign =
        json_req("POST", &format!("/api/v1/cases/{id}/plan/sign"), serde_json::json!({"password": PW}), Some(&sam));
    sign.headers_mut().insert("if-match", "\"1\"".parse().unwrap());
    assert_eq!(send(state, sign).await.status(), 200);
    id
}

/// A complete case (a pNET G2, T2 N0 M0, everything the board needs) for patient `mrn`/`name`.
pub fn complete_case_json(mrn: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "patient": {"mrn": mrn, "name": name, "birth_date": "1969-03-14", "sex": "female"},
        "question": "Resection?",
        "tumor": {"primary_site": "pancreas", "grade": "G2", "ki67_percent": 6, "differentiation": "well", "tumor_size_mm": 35,
                  "t_stage": "T2", "n_stage": "N0", "m_stage": "M0", "liver_burden": "none", "functional_syndrome": "none",
                  "sstr_imaging": "positive", "ecog": 0}
    })
}

const BOUNDARY: &str = "tb-test-boundary-7f3a";

/// A multipart upload of an attachment (issue 20), as the browser sends it: text fields, then the file (if any) under `file` with the given name.
pub fn upload_req(
    case: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
    cookie: Option<&str>,
) -> Request<Body> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let mut b = Request::post(format!("/api/v1/cases/{case}/attachments"))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"));
    if let Some(c) = cookie {
        b = b.header("cookie", c);
    }
    b.body(Body::from(body)).unwrap()
}
