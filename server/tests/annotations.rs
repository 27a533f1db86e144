//! Annotations through REST: who may write, amend-never-overwrite with versions and If-Match,
//! replies, tombstones, specialty fields, inert text, and concurrent writers losing nothing.

mod common;

use app::ssr::audit::ChainCheck;
use common::*;
use serde_json::json;

struct Board {
    state: app::ssr::AppState,
    _db: TestDb,
    case_id: String,
    surgeon: String,
    radiologist: String,
}

async fn board() -> Board {
    let (state, db) = test_state().await;
    add_user(&state, "cora", "coordinator", None).await;
    add_user(&state, "sam", "clinician", Some("surgery")).await;
    add_user(&state, "rui", "clinician", Some("radiology")).await;
    let cora = login(&state, "cora", PW).await;
    let body = json!({"patient": {"mrn": "A-1", "name": "Anno Tation", "birth_date": "1960-01-01", "sex": "male"}, "question": "Q"});
    let res = send(&state, json_req("POST", "/api/v1/cases", body, Some(&cora))).await;
    let case_id = body_json(res).await["id"].as_str().unwrap().to_string();
    let surgeon = login(&state, "sam", PW).await;
    let radiologist = login(&state, "rui", PW).await;
    Board { state, _db: db, case_id, surgeon, radiologist }
}

fn post(case_id: &str, body: serde_json::Value, cookie: Option<&str>) -> axum::http::Request<axum::body::Body> {
    json_req("POST", &format!("/api/v1/cases/{case_id}/annotations"), body, cookie)
}

fn patch(
    id: &str,
    version: Option<i64>,
    body: serde_json::Value,
    cookie: &str,
) -> axum::http::Request<axum::body::Body> {
    let mut r = json_req("PATCH", &format!("/api/v1/annotations/{id}"), body, Some(cookie));
    if let Some(v) = version {
        r.headers_mut().insert("if-match", format!("\"{v}\"").parse().unwrap());
    }
    r
}

#[tokio::test]
async fn clinicians_annotate_in_their_specialty_and_other_roles_may_not() {
    let b = board().await;
    let note = json!({"body": "Resectable; no vascular involvement.", "kind": "assessment", "structured": {"resectability": "resectable"}});
    assert_eq!(send(&b.state, post(&b.case_id, note.clone(), None)).await.status(), 401);
    for (user, role) in [("cora", "coordinator"), ("rene", "reviewer"), ("root", "admin")] {
        if user != "cora" {
            add_user(&b.state, user, role, None).await;
        }
        let c = login(&b.state, user, PW).await;
        assert_eq!(send(&b.state, post(&b.case_id, note.clone(), Some(&c))).await.status(), 403, "{role}");
    }
    let res = send(&b.state, post(&b.case_id, note, Some(&b.surgeon))).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers().get("etag").unwrap(), "\"1\"");
    let a = body_json(res).await;
    assert_eq!(a["specialty"], "surgery");
    assert_eq!(a["versions"][0]["structured"]["resectability"], "resectable");
    assert_eq!(
        send(&b.state, post("nope", json!({"body": "x", "kind": "question"}), Some(&b.surgeon))).await.status(),
        404
    );
}

#[tokio::test]
async fn bad_input_is_422_per_field_and_writes_nothing() {
    let b = board().await;
    let res = send(
        &b.state,
        post(
            &b.case_id,
            json!({"body": " ", "kind": "opinion", "structured": {"resectability": "resectable"}}),
            Some(&b.radiologist),
        ),
    )
    .await;
    assert_eq!(res.status(), 422);
    let fields = body_json(res).await["error"]["fields"].clone();
    for f in ["body", "kind", "structured.resectability"] {
        assert!(fields.get(f).is_some(), "{f}: {fields}");
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM annotations").fetch_one(&b.state.db.pool).await.unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn amend_makes_a_new_version_only_by_the_author_with_if_match() {
    let b = board().await;
    let res = send(&b.state, post(&b.case_id, json!({"body": "Lesion 32 mm.", "kind": "assessment", "structured": {"lesion_sizes_mm": [32], "sstr_uptake": "positive"}}), Some(&b.radiologist))).await;
    let id = body_json(res).await["id"].as_str().unwrap().to_string();
    let amend = json!({"body": "Lesion 34 mm on re-measurement.", "kind": "assessment", "structured": {"lesion_sizes_mm": [34]}});
    assert_eq!(send(&b.state, patch(&id, None, amend.clone(), &b.radiologist)).await.status(), 428);
    // Someone else may not change the radiologist's voice: 403 and an audit row.
    assert_eq!(send(&b.state, patch(&id, Some(1), amend.clone(), &b.surgeon)).await.status(), 403);
    assert!(audit_rows(&b.state).await.iter().any(|r| r.action == "annotation.change" && r.outcome == "denied"));
    let res = send(&b.state, patch(&id, Some(1), amend.clone(), &b.radiologist)).await;
    assert_eq!(res.status(), 200);
    let a = body_json(res).await;
    assert_eq!(a["version"], 2);
    assert_eq!(a["versions"][0]["body"], "Lesion 32 mm.", "version 1 stays readable");
    assert_eq!(a["versions"][1]["body"], "Lesion 34 mm on re-measurement.");
    assert_eq!(send(&b.state, patch(&id, Some(1), amend, &b.radiologist)).await.status(), 412);
    // Stored versions cannot be changed, even by SQL.
    let append_only = "annotation_versions is append-only";
    assert_refused_by_trigger(&b.state, "UPDATE annotation_versions SET body = 'x'", append_only).await;
    assert_refused_by_trigger(&b.state, "DELETE FROM annotation_versions", append_only).await;
}

#[tokio::test]
async fn others_reply_and_withdrawal_is_a_tombstone_with_a_reason() {
    let b = board().await;
    let res = send(
        &b.state,
        post(&b.case_id, json!({"body": "Is the portal vein involved?", "kind": "question"}), Some(&b.surgeon)),
    )
    .await;
    let id = body_json(res).await["id"].as_str().unwrap().to_string();
    let res = send(
        &b.state,
        post(
            &b.case_id,
            json!({"body": "No portal involvement.", "kind": "assessment", "reply_to": id}),
            Some(&b.radiologist),
        ),
    )
    .await;
    assert_eq!(res.status(), 201);
    assert_eq!(body_json(res).await["reply_to"], id.as_str());
    assert_eq!(
        send(&b.state, patch(&id, Some(1), json!({"withdraw": {"reason": " "}}), &b.surgeon)).await.status(),
        422
    );
    let res = send(
        &b.state,
        patch(&id, Some(1), json!({"withdraw": {"reason": "Answered at the pre-meeting."}}), &b.surgeon),
    )
    .await;
    assert_eq!(res.status(), 200);
    let a = body_json(res).await;
    assert_eq!(a["withdrawn"], true);
    assert_eq!(a["versions"][1]["withdrawn_reason"], "Answered at the pre-meeting.");
    assert_eq!(a["versions"][0]["body"], "Is the portal vein involved?", "the withdrawn text stays readable");
    let again = send(&b.state, patch(&id, Some(2), json!({"body": "x", "kind": "question"}), &b.surgeon)).await;
    assert_eq!(again.status(), 409);
    let list = body_json(
        send(&b.state, req("GET", &format!("/api/v1/cases/{}/annotations", b.case_id), Some(&b.surgeon))).await,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn markup_is_stored_as_plain_text() {
    let b = board().await;
    let res = send(
        &b.state,
        post(&b.case_id, json!({"body": "<img src=x onerror=alert(1)>", "kind": "question"}), Some(&b.surgeon)),
    )
    .await;
    assert_eq!(body_json(res).await["versions"][0]["body"], "<img src=x onerror=alert(1)>");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_lose_no_annotation() {
    let b = board().await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let (s, case_id) = (b.state.clone(), b.case_id.clone());
        let cookie = if i % 2 == 0 { b.surgeon.clone() } else { b.radiologist.clone() };
        tasks.push(tokio::spawn(async move {
            send(&s, post(&case_id, json!({"body": format!("note {i}"), "kind": "assessment"}), Some(&cookie)))
                .await
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    let list = body_json(
        send(&b.state, req("GET", &format!("/api/v1/cases/{}/annotations", b.case_id), Some(&b.surgeon))).await,
    )
    .await;
    let mut bodies: Vec<String> =
        list.as_array().unwrap().iter().map(|a| a["versions"][0]["body"].as_str().unwrap().to_string()).collect();
    bodies.sort();
    let mut expected: Vec<String> = (0..30).map(|i| format!("note {i}")).collect();
    expected.sort();
    assert_eq!(bodies, expected);
    assert!(matches!(app::ssr::audit::verify(&b.state.db).await.unwrap(), ChainCheck::Intact { .. }));
}

/// Issue 16, item 4: a question names the specialty it asks; only a question may; the answer
/// is a reply from that specialty.
#[tokio::test]
async fn a_question_names_the_specialty_it_asks() {
    let b = board().await;
    let q = json!({"body": "Is the portal vein involved?", "kind": "question", "asks": "radiology"});
    let res = send(&b.state, post(&b.case_id, q, Some(&b.surgeon))).await;
    assert_eq!(res.status(), 201);
    let asked = body_json(res).await;
    assert_eq!(asked["asks"], "radiology");
    let wrong = json!({"body": "Resectable.", "kind": "assessment", "asks": "radiology"});
    let res = send(&b.state, post(&b.case_id, wrong, Some(&b.surgeon))).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["asks"][0].as_str().unwrap().starts_with("Only a question"));
    let unknown = json!({"body": "Anyone?", "kind": "question", "asks": "dermatology"});
    assert_eq!(send(&b.state, post(&b.case_id, unknown, Some(&b.surgeon))).await.status(), 422);
    let reply = json!({"body": "No.", "kind": "assessment", "reply_to": asked["id"]});
    assert_eq!(send(&b.state, post(&b.case_id, reply, Some(&b.radiologist))).await.status(), 201);
    let list = body_json(
        send(&b.state, req("GET", &format!("/api/v1/cases/{}/annotations", b.case_id), Some(&b.surgeon))).await,
    )
    .await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "the refused posts wrote nothing");
    assert_eq!(list.iter().filter(|a| a["asks"] == "radiology").count(), 1);
    assert_eq!(list.iter().find(|a| a["reply_to"] == asked["id"]).unwrap()["specialty"], "radiology");
}
