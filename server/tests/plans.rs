//! The board's plan through REST: who may record and sign, field errors that write nothing,
//! the deviation reason, If-Match, re-authentication to sign (SE-4), the stored SHA-256
//! matching the content, the lock (409, and a database trigger), addenda (DI-2), the
//! follow-up outcome, case statuses and audit rows.

mod common;

use common::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

struct Board {
    state: app::ssr::AppState,
    _db: TestDb,
    case_id: String,
    cora: String,
    sam: String,
    first_option: String,
    other_option: String,
}

async fn board() -> Board {
    let (state, db) = test_state().await;
    add_user(&state, "cora", "coordinator", None).await;
    add_user(&state, "sam", "clinician", Some("surgery")).await;
    let cora = login(&state, "cora", PW).await;
    let sam = login(&state, "sam", PW).await;
    let case = complete_case_json("PL-1", "Plan Person");
    let res = send(&state, json_req("POST", "/api/v1/cases", case, Some(&cora))).await;
    let case_id = body_json(res).await["id"].as_str().unwrap().to_string();
    let proposal =
        body_json(send(&state, req("GET", &format!("/api/v1/cases/{case_id}/proposal"), Some(&cora))).await).await;
    let first_option = proposal["options"][0]["code"].as_str().unwrap().to_string();
    let other_option =
        if first_option == "surveillance" { "somatostatin_analogue" } else { "surveillance" }.to_string();
    Board { state, _db: db, case_id, cora, sam, first_option, other_option }
}

fn plan_req(b: &Board, body: Value, version: Option<i64>, cookie: &str) -> axum::http::Request<axum::body::Body> {
    let mut r = json_req("PUT", &format!("/api/v1/cases/{}/plan", b.case_id), body, Some(cookie));
    if let Some(v) = version {
        r.headers_mut().insert("if-match", format!("\"{v}\"").parse().unwrap());
    }
    r
}

fn post(b: &Board, what: &str, body: Value, cookie: &str) -> axum::http::Request<axum::body::Body> {
    json_req("POST", &format!("/api/v1/cases/{}/plan/{what}", b.case_id), body, Some(cookie))
}

/// `POST …/plan/sign` naming the plan version the signer read (DI-7), or none.
fn sign(
    b: &Board,
    password: Option<&str>,
    version: Option<i64>,
    cookie: &str,
) -> axum::http::Request<axum::body::Body> {
    let body = match password {
        Some(p) => json!({"password": p}),
        None => json!({}),
    };
    let mut r = post(b, "sign", body, cookie);
    if let Some(v) = version {
        r.headers_mut().insert("if-match", format!("\"{v}\"").parse().unwrap());
    }
    r
}

/// The database's own refusal of a statement, as text (the trigger's message).
async fn refused(b: &Board, sql: &'static str) -> String {
    let res = sqlx::query(sql).bind(&b.case_id).execute(&b.state.db.pool).await;
    res.expect_err(sql).to_string()
}

async fn case_status(b: &Board) -> String {
    let c = body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{}", b.case_id), Some(&b.cora))).await).await;
    c["status"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_board_records_a_plan_and_bad_input_writes_nothing() {
    let b = board().await;
    let plan_path = format!("/api/v1/cases/{}/plan", b.case_id);
    assert_eq!(send(&b.state, req("GET", &plan_path, Some(&b.cora))).await.status(), 404);
    let res = send(&b.state, plan_req(&b, json!({"options": [], "rationale": " "}), None, &b.cora)).await;
    assert_eq!(res.status(), 422);
    let err = body_json(res).await;
    assert!(err["error"]["fields"]["options"].is_array() && err["error"]["fields"]["rationale"].is_array(), "{err}");
    // Departing from the first option needs a reason.
    let departs = json!({"options": [b.other_option], "rationale": "Patient prefers to wait."});
    let res = send(&b.state, plan_req(&b, departs.clone(), None, &b.cora)).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["deviation_reason"].is_array());
    assert_eq!(send(&b.state, req("GET", &plan_path, Some(&b.cora))).await.status(), 404, "nothing written");
    assert_eq!(case_status(&b).await, "draft");
    // Reviewers do not record plans.
    add_user(&b.state, "rene", "reviewer", None).await;
    let rene = login(&b.state, "rene", PW).await;
    let good =
        json!({"options": [b.first_option], "rationale": "Localized G2 pNET, fit: resect.", "trial_discussed": true});
    assert_eq!(send(&b.state, plan_req(&b, good.clone(), None, &rene)).await.status(), 403);
    // The coordinator records it for the board; the proposal shown is stored with it.
    let res = send(&b.state, plan_req(&b, good, None, &b.cora)).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let plan = body_json(res).await;
    assert_eq!(plan["content"]["options"], json!([b.first_option]));
    assert_eq!(plan["content"]["proposal"]["options"][0]["code"], b.first_option.as_str());
    assert_eq!(plan["content"]["trial_discussed"], true);
    assert_eq!(case_status(&b).await, "discussed");
}

#[tokio::test]
async fn a_plan_changes_only_on_top_of_the_version_seen() {
    let b = board().await;
    let v1 = json!({"options": [b.first_option], "rationale": "First."});
    assert_eq!(send(&b.state, plan_req(&b, v1.clone(), None, &b.cora)).await.status(), 201);
    assert_eq!(send(&b.state, plan_req(&b, v1.clone(), None, &b.sam)).await.status(), 428);
    let dissent = json!({"options": [b.other_option], "rationale": "Second.", "deviation_reason": "Frailty.",
                         "dissent": [{"user_id": "nobody", "note": "no"}]});
    assert_eq!(send(&b.state, plan_req(&b, dissent, Some(1), &b.sam)).await.status(), 422);
    let me = body_json(send(&b.state, req("GET", "/api/v1/me", Some(&b.sam))).await).await;
    let v2 = json!({"options": [b.other_option], "rationale": "Second.", "deviation_reason": "Frailty.",
                    "dissent": [{"user_id": me["id"], "note": "I would still resect."}]});
    let res = send(&b.state, plan_req(&b, v2.clone(), Some(1), &b.sam)).await;
    assert_eq!(res.status(), 200);
    let plan = body_json(res).await;
    assert_eq!(plan["version"], 2);
    assert_eq!(plan["content"]["dissent"][0]["name"], me["display_name"]);
    assert_eq!(send(&b.state, plan_req(&b, v2, Some(1), &b.sam)).await.status(), 412);
}

#[tokio::test]
async fn signing_needs_the_password_stores_the_content_hash_and_locks_the_plan() {
    let b = board().await;
    let v1 = json!({"options": [b.first_option], "rationale": "Resect."});
    send(&b.state, plan_req(&b, v1.clone(), None, &b.cora)).await;
    // Coordinators do not sign; a clinician must re-enter the password (SE-4).
    assert_eq!(send(&b.state, sign(&b, Some(PW), Some(1), &b.cora)).await.status(), 403);
    assert_eq!(send(&b.state, sign(&b, None, Some(1), &b.sam)).await.status(), 403);
    assert_eq!(send(&b.state, sign(&b, Some("not my password at all"), Some(1), &b.sam)).await.status(), 403);
    // Addenda come after signing only.
    assert_eq!(send(&b.state, post(&b, "addenda", json!({"body": "Early."}), &b.sam)).await.status(), 409);
    let res = send(&b.state, sign(&b, Some(PW), Some(1), &b.sam)).await;
    assert_eq!(res.status(), 200);
    let plan = body_json(res).await;
    let sha = plan["signature"]["content_sha256"].as_str().unwrap().to_string();
    assert_eq!(plan["signature"]["signer_name"], "Test sam");
    assert_eq!(case_status(&b).await, "plan_signed");

    // The stored SHA-256 is the hash of exactly the stored content.
    let stored: String = sqlx::query_scalar("SELECT content FROM plans WHERE case_id = $1")
        .bind(&b.case_id)
        .fetch_one(&b.state.db.pool)
        .await
        .unwrap();
    let recomputed: String = Sha256::digest(stored.as_bytes()).iter().map(|x| format!("{x:02x}")).collect();
    assert_eq!(recomputed, sha);
    let content: app::domain::plan::PlanContent = serde_json::from_str(&stored).unwrap();
    assert_eq!(content.canonical(), stored);

    // Locked: PUT is a 409, a second signature too, and the database refuses a direct edit.
    assert_eq!(send(&b.state, plan_req(&b, v1, Some(1), &b.sam)).await.status(), 409);
    assert_eq!(send(&b.state, sign(&b, Some(PW), Some(1), &b.sam)).await.status(), 409);
    // The trigger covers the whole signed row, each column: its own message, not any error.
    for sql in [
        "UPDATE plans SET content = '{}' WHERE case_id = $1",
        "UPDATE plans SET recorded_by = signed_by WHERE case_id = $1",
        "UPDATE plans SET recorded_at = 'x' WHERE case_id = $1",
        "UPDATE plans SET version = 7 WHERE case_id = $1",
        "UPDATE plans SET signed_at = 'x' WHERE case_id = $1",
        "UPDATE plans SET content_sha256 = 'x' WHERE case_id = $1",
    ] {
        let err = refused(&b, sql).await;
        assert!(err.contains("a signed plan is locked"), "{sql}: {err}");
    }

    // Corrections are addenda.
    let res = send(&b.state, post(&b, "addenda", json!({"body": "Histology review confirms G2."}), &b.sam)).await;
    assert_eq!(res.status(), 201);
    assert_eq!(send(&b.state, post(&b, "addenda", json!({"body": "More."}), &b.cora)).await.status(), 403);
    let plan =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{}/plan", b.case_id), Some(&b.cora))).await).await;
    assert_eq!(plan["addenda"].as_array().unwrap().len(), 1);
    assert_eq!(plan["signature"]["content_sha256"], sha.as_str());
}

#[tokio::test]
async fn follow_up_records_whether_the_plan_was_carried_out() {
    let b = board().await;
    send(&b.state, plan_req(&b, json!({"options": [b.first_option], "rationale": "Resect."}), None, &b.cora)).await;
    assert_eq!(
        send(&b.state, post(&b, "outcome", json!({"implemented": true}), &b.cora)).await.status(),
        409,
        "unsigned"
    );
    assert_eq!(send(&b.state, sign(&b, Some(PW), Some(1), &b.sam)).await.status(), 200);
    // Issue 16, item 7: carried out needs its day, not in the future and not before the
    // decision (here the signature, as the plan names no meeting); a refusal records nothing.
    let res = send(&b.state, post(&b, "outcome", json!({"implemented": true}), &b.cora)).await;
    assert_eq!(res.status(), 422);
    assert_eq!(body_json(res).await["error"]["fields"]["date"][0], "Give the day the plan was carried out.");
    let res = send(&b.state, post(&b, "outcome", json!({"implemented": true, "date": "2020-01-01"}), &b.cora)).await;
    assert_eq!(res.status(), 422);
    let msg = body_json(res).await["error"]["fields"]["date"][0].as_str().unwrap().to_string();
    assert!(msg.starts_with("The date cannot be before the board decided ("), "{msg}");
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
    let res = send(&b.state, post(&b, "outcome", json!({"implemented": true, "date": tomorrow}), &b.cora)).await;
    assert_eq!(body_json(res).await["error"]["fields"]["date"][0], "The date cannot be in the future.");
    let outcome: Option<String> = sqlx::query_scalar("SELECT outcome FROM plans WHERE case_id = $1")
        .bind(&b.case_id)
        .fetch_one(&b.state.db.pool)
        .await
        .unwrap();
    assert_eq!(outcome, None, "nothing was recorded by the refused follow-ups");
    let res = send(&b.state, post(&b, "outcome", json!({"implemented": false}), &b.cora)).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["reason"].is_array());
    let res = send(
        &b.state,
        post(
            &b,
            "outcome",
            json!({"implemented": false, "reason": "patient_choice", "note": "Declined surgery."}),
            &b.cora,
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let plan = body_json(res).await;
    assert_eq!(plan["outcome"]["reason"], "patient_choice");
    assert_eq!(case_status(&b).await, "followed_up");
    assert_eq!(send(&b.state, post(&b, "outcome", json!({"implemented": true}), &b.cora)).await.status(), 409);
    let err = refused(&b, "UPDATE plans SET outcome = '{}' WHERE case_id = $1").await;
    assert!(err.contains("a recorded outcome is never changed"), "{err}");
    let actions: Vec<String> = audit_rows(&b.state).await.into_iter().map(|r| r.action).collect();
    for a in ["plan.save", "plan.sign", "plan.outcome", "auth.reauthenticate"] {
        assert!(actions.iter().any(|x| x == a), "{a} audited");
    }
    let events: Vec<String> = sqlx::query_scalar("SELECT kind FROM case_events WHERE case_id = $1 ORDER BY seq")
        .bind(&b.case_id)
        .fetch_all(&b.state.db.pool)
        .await
        .unwrap();
    for k in ["plan.save", "plan.sign", "plan.outcome"] {
        assert!(events.iter().any(|x| x == k), "{k} announced to viewers");
    }
}

#[tokio::test]
async fn di7_a_signature_covers_the_version_the_signer_read() {
    let b = board().await;
    let v1 = json!({"options": [b.first_option], "rationale": "Resect."});
    assert_eq!(send(&b.state, plan_req(&b, v1, None, &b.cora)).await.status(), 201);
    // Without the version read: 428; someone saves version 2 while the surgeon reads version 1.
    assert_eq!(send(&b.state, sign(&b, Some(PW), None, &b.sam)).await.status(), 428);
    let v2 = json!({"options": [b.other_option], "rationale": "Watch.", "deviation_reason": "Frail."});
    assert_eq!(send(&b.state, plan_req(&b, v2, Some(1), &b.cora)).await.status(), 200);
    let res = send(&b.state, sign(&b, Some(PW), Some(1), &b.sam)).await;
    assert_eq!(res.status(), 412);
    let plan =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{}/plan", b.case_id), Some(&b.cora))).await).await;
    assert!(plan["signature"].is_null(), "nothing was signed: {plan}");
    assert_eq!(case_status(&b).await, "discussed");
    // Signing what is there now works, and covers version 2's content.
    let res = send(&b.state, sign(&b, Some(PW), Some(2), &b.sam)).await;
    assert_eq!(res.status(), 200);
    let plan = body_json(res).await;
    assert_eq!(plan["content"]["version"], 2);
    assert_eq!(plan["content"]["options"][0], b.other_option.as_str());
}

#[tokio::test]
async fn wrong_signing_passwords_are_throttled_like_logins() {
    let b = board().await;
    send(&b.state, plan_req(&b, json!({"options": [b.first_option], "rationale": "Resect."}), None, &b.cora)).await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(send(&b.state, sign(&b, Some("a wrong password here"), Some(1), &b.sam)).await.status().as_u16());
    }
    assert_eq!(&statuses[..5], &[403; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    // Even the right password waits now.
    assert_eq!(send(&b.state, sign(&b, Some(PW), Some(1), &b.sam)).await.status(), 429);
}

#[tokio::test]
async fn the_plan_names_the_case_version_decided_on_and_marks_later_changes() {
    let b = board().await;
    let case =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{}", b.case_id), Some(&b.cora))).await).await;
    let decided_on = case["version"].as_i64().unwrap();
    send(&b.state, plan_req(&b, json!({"options": [b.first_option], "rationale": "Resect."}), None, &b.cora)).await;
    assert_eq!(send(&b.state, sign(&b, Some(PW), Some(1), &b.sam)).await.status(), 200);
    // After the meeting, pathology revises Ki-67 from 6 to 7 %.
    let now = body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{}", b.case_id), Some(&b.cora))).await).await;
    let mut patch = json_req(
        "PATCH",
        &format!("/api/v1/cases/{}", b.case_id),
        json!({"tumor": {"ki67_percent": 7}}),
        Some(&b.cora),
    );
    patch.headers_mut().insert("if-match", format!("\"{}\"", now["version"]).parse().unwrap());
    assert_eq!(send(&b.state, patch).await.status(), 200);
    let plan =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{}/plan", b.case_id), Some(&b.cora))).await).await;
    assert_eq!(plan["content"]["case_version"], decided_on);
    assert_eq!(plan["decided_on"]["case_version"], decided_on);
    assert_eq!(plan["decided_on"]["content"]["tumor"]["ki67_percent"], 6.0);
    let changes = plan["decided_on"]["changed_since"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0], json!({"field": "tumor.ki67_percent", "before": "6", "after": "7"}));
    assert!(plan["decided_on"]["current_version"].as_i64().unwrap() > decided_on);
}

#[tokio::test]
async fn plan_verify_recomputes_every_signature_and_names_an_edited_plan() {
    use app::ssr::plans::{SignatureCheck, verify_signatures};
    let b = board().await;
    send(&b.state, plan_req(&b, json!({"options": [b.first_option], "rationale": "Resect."}), None, &b.cora)).await;
    assert_eq!(send(&b.state, sign(&b, Some(PW), Some(1), &b.sam)).await.status(), 200);
    assert_eq!(verify_signatures(&b.state.db).await.unwrap(), SignatureCheck::AllValid { signed: 1 });
    // Someone with database access turns the lock off and edits the signed rationale.
    let unlock = if b._db.is_postgres() {
        "ALTER TABLE plans DISABLE TRIGGER plans_locked"
    } else {
        "DROP TRIGGER plans_locked_when_signed"
    };
    sqlx::query(unlock).execute(&b.state.db.pool).await.unwrap();
    sqlx::query("UPDATE plans SET content = REPLACE(content, 'Resect.', 'Watch.') WHERE case_id = $1")
        .bind(&b.case_id)
        .execute(&b.state.db.pool)
        .await
        .unwrap();
    match verify_signatures(&b.state.db).await.unwrap() {
        SignatureCheck::Mismatch { case_id, reason, .. } => {
            assert_eq!(case_id, b.case_id);
            assert!(reason.contains("does not match"), "{reason}");
        }
        other => panic!("the edit went unnoticed: {other:?}"),
    }
}

/// Issue 16, item 6: the case knows the meeting whose agenda holds it (the plan's default), the
/// plan names its meeting with the day and who was present, and the follow-up cannot predate it.
#[tokio::test]
async fn a_plan_names_its_meeting_its_day_and_who_was_present() {
    let b = board().await;
    let m = json!({"title": "NET board", "starts_at": "2026-01-12T14:00", "location": "Room 4.12"});
    let res = send(&b.state, json_req("POST", "/api/v1/meetings", m, Some(&b.cora))).await;
    assert_eq!(res.status(), 201);
    let meeting = body_json(res).await["id"].as_str().unwrap().to_string();
    let agenda = json!({"case_id": b.case_id, "mode": "discuss"});
    let res =
        send(&b.state, json_req("POST", &format!("/api/v1/meetings/{meeting}/agenda"), agenda, Some(&b.cora))).await;
    assert_eq!(res.status(), 201);
    let sam_id = sqlx::query_scalar::<_, String>("SELECT id FROM users WHERE username = 'sam'")
        .fetch_one(&b.state.db.pool)
        .await
        .unwrap();
    let res = send(
        &b.state,
        json_req("POST", &format!("/api/v1/meetings/{meeting}/attendance"), json!({"user_id": sam_id}), Some(&b.cora)),
    )
    .await;
    assert_eq!(res.status(), 200);
    let case =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{}", b.case_id), Some(&b.cora))).await).await;
    assert_eq!(case["agenda_meeting"]["id"], meeting.as_str());
    assert_eq!(case["agenda_meeting"]["title"], "NET board");

    let body = json!({"meeting_id": meeting, "options": [b.first_option], "rationale": "Resect."});
    assert_eq!(send(&b.state, plan_req(&b, body, None, &b.cora)).await.status(), 201);
    let plan =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{}/plan", b.case_id), Some(&b.cora))).await).await;
    assert_eq!(plan["meeting"]["title"], "NET board");
    assert_eq!(plan["meeting"]["starts_at"].as_str().unwrap().get(..10), Some("2026-01-12"));
    assert_eq!(plan["meeting"]["present"], json!(["Test sam"]));

    assert_eq!(send(&b.state, sign(&b, Some(PW), Some(1), &b.sam)).await.status(), 200);
    let res = send(&b.state, post(&b, "outcome", json!({"implemented": true, "date": "2026-01-11"}), &b.cora)).await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        body_json(res).await["error"]["fields"]["date"][0],
        "The date cannot be before the board decided (2026-01-12)."
    );
    let res = send(&b.state, post(&b, "outcome", json!({"implemented": true, "date": "2026-01-12"}), &b.cora)).await;
    assert_eq!(res.status(), 200);
}
