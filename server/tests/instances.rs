//! Several app instances on one database (PostgreSQL in production; SQLite too, as several
//! processes on one file): a session opened on one instance works on another, and audit
//! appends from both keep one valid hash chain.

mod common;

use app::ssr::audit::ChainCheck;
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_from_instance_a_continues_on_instance_b() {
    let db = TestDb::new();
    let a = state_for(&db).await;
    let b = state_for(&db).await; // its own pool, as a second process would have
    add_user(&a, "cora", "coordinator", None).await;
    let cookie = login(&a, "cora", PW).await;
    let res = send(&b, req("GET", "/api/v1/me", Some(&cookie))).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_json(res).await["username"], "cora");
    // A case created through B is read through A.
    let body =
        json!({"patient": {"mrn": "MRN-AB", "name": "Two Instances", "birth_date": "1970-01-01", "sex": "male"}});
    let res = send(&b, json_req("POST", "/api/v1/cases", body, Some(&cookie))).await;
    assert_eq!(res.status(), 201);
    let id = body_json(res).await["id"].as_str().unwrap().to_string();
    assert_eq!(send(&a, req("GET", &format!("/api/v1/cases/{id}"), Some(&cookie))).await.status(), 200);
    // Logging out on B ends the session on A.
    assert_eq!(send(&b, req("POST", "/api/v1/logout", Some(&cookie))).await.status(), 204);
    assert_eq!(send(&a, req("GET", "/api/v1/me", Some(&cookie))).await.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_audit_appends_from_two_instances_keep_the_chain_valid() {
    let db = TestDb::new();
    let a = state_for(&db).await;
    let b = state_for(&db).await;
    add_user(&a, "cora", "coordinator", None).await;
    let cookie = login(&a, "cora", PW).await;
    let id = {
        let body =
            json!({"patient": {"mrn": "MRN-CH", "name": "Chain Test", "birth_date": "1970-01-01", "sex": "female"}});
        body_json(send(&a, json_req("POST", "/api/v1/cases", body, Some(&cookie))).await).await["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = if i % 2 == 0 { a.clone() } else { b.clone() };
        let (c, id) = (cookie.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            send(&s, req("GET", &format!("/api/v1/cases/{id}"), Some(&c))).await.status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let rows = audit_rows(&a).await.len();
    assert_eq!(app::ssr::audit::verify(&b.db).await.unwrap(), ChainCheck::Intact { rows: rows as i64 });
    assert!(rows >= 43);
}
