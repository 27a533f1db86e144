//! AC-4 and LG-3: no patient identifier, password or cookie reaches the log, even at debug level
//! and on errors. Every log line of this test binary is captured and searched.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::json;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_identifier_password_or_cookie_in_the_log() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let (state, _db) = test_state().await;
    add_user(&state, "cora", "coordinator", None).await;
    let cookie = login(&state, "cora", PW).await;
    let mrn = "MRN-LOG-4242";
    let name = "Zelda Logwatcher";
    let body =
        json!({"patient": {"mrn": mrn, "name": name, "birth_date": "1950-01-01", "sex": "female"}, "question": "Q"});
    let res = send(&state, json_req("POST", "/api/v1/cases", body.clone(), Some(&cookie))).await;
    assert_eq!(res.status(), 201);
    let id = body_json(res).await["id"].as_str().unwrap().to_string();
    send(&state, req("GET", &format!("/api/v1/cases/{id}"), Some(&cookie))).await;
    send(&state, json_req("POST", "/api/v1/cases/search", json!({"text": name}), Some(&cookie))).await;
    send(&state, json_req("POST", "/api/v1/cases/search", json!({"text": mrn}), Some(&cookie))).await;
    // Refused inputs and a failing database are logged too; still without identifiers.
    let mut other = body.clone();
    other["patient"]["name"] = json!("Zelda Otherperson");
    send(&state, json_req("POST", "/api/v1/cases", other, Some(&cookie))).await;
    send(
        &state,
        json_req("POST", "/api/v1/login", json!({"username": "cora", "password": "wrong password here"}), None),
    )
    .await;
    sqlx::query("DROP TABLE case_versions").execute(&state.db.pool).await.ok();
    let res = send(
        &state,
        json_req(
            "POST",
            "/api/v1/cases",
            json!({"patient": {"mrn": "MRN-LOG-5555", "name": name, "birth_date": "1950-01-01", "sex": "female"}}),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(res.status(), 500);

    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("request"), "the access log is captured: {log}");
    for secret in [
        mrn,
        "MRN-LOG-5555",
        name,
        "Logwatcher",
        "Otherperson",
        PW,
        "wrong password here",
        cookie.split('=').nth(1).unwrap(),
    ] {
        assert!(!log.contains(secret), "{secret:?} found in the log:\n{log}");
    }
}
