//! Before the meeting (issue 18) through REST: each expected specialty's voice on a case
//! (given, no comment, asked, missing), a coordinator's request for a view (roles, field
//! errors that write nothing, audit), each role's "my work", and the case pipeline with its
//! filters. Runs on SQLite and, with `TEST_DATABASE_URL`, on PostgreSQL.

mod common;

use common::*;
use serde_json::{Value, json};

struct Day {
    state: app::ssr::AppState,
    _db: TestDb,
    cora: String,
    sam: String,
    pia: String,
    rene: String,
    root: String,
    /// Complete, on the agenda of an upcoming meeting.
    listed: String,
    /// A draft lacking ECOG and SSTR imaging.
    draft: String,
    meeting: String,
}

async fn day() -> Day {
    let (state, db) = test_state().await;
    add_user(&state, "cora", "coordinator", None).await;
    add_user(&state, "sam", "clinician", Some("surgery")).await;
    add_user(&state, "pia", "clinician", Some("pathology")).await;
    add_user(&state, "rene", "reviewer", None).await;
    add_user(&state, "root", "admin", None).await;
    let cora = login(&state, "cora", PW).await;
    let res =
        send(&state, json_req("POST", "/api/v1/cases", complete_case_json("WK-1", "Listed Person"), Some(&cora))).await;
    let listed = body_json(res).await["id"].as_str().unwrap().to_string();
    let mut draft = complete_case_json("WK-2", "Draft Person");
    draft["tumor"].as_object_mut().unwrap().remove("ecog");
    draft["tumor"].as_object_mut().unwrap().remove("sstr_imaging");
    let res = send(&state, json_req("POST", "/api/v1/cases", draft, Some(&cora))).await;
    let draft = body_json(res).await["id"].as_str().unwrap().to_string();
    let m = json!({"title": "NET board", "starts_at": "2030-12-03T14:00", "location": "Room 4.12"});
    let meeting = body_json(send(&state, json_req("POST", "/api/v1/meetings", m, Some(&cora))).await).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let add = json!({"case_id": listed, "mode": "discuss"});
    let res = send(&state, json_req("POST", &format!("/api/v1/meetings/{meeting}/agenda"), add, Some(&cora))).await;
    assert_eq!(res.status(), 201);
    Day {
        sam: login(&state, "sam", PW).await,
        pia: login(&state, "pia", PW).await,
        rene: login(&state, "rene", PW).await,
        root: login(&state, "root", PW).await,
        state,
        _db: db,
        cora,
        listed,
        draft,
        meeting,
    }
}

async fn get_json(d: &Day, path: &str, cookie: &str) -> (u16, Value) {
    let res = send(&d.state, req("GET", path, Some(cookie))).await;
    let status = res.status().as_u16();
    (status, body_json(res).await)
}

fn states(voices: &Value) -> Vec<(String, String)> {
    voices
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["specialty"].as_str().unwrap().to_string(), v["state"].as_str().unwrap().to_string()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

async fn annotate(d: &Day, cookie: &str, body: Value) -> u16 {
    let path = format!("/api/v1/cases/{}/annotations", d.listed);
    send(&d.state, json_req("POST", &path, body, Some(cookie))).await.status().as_u16()
}

fn case_ids(items: &Value) -> Vec<String> {
    items.as_array().unwrap().iter().map(|i| i["case_id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn voices_are_asked_for_given_or_declined_and_each_specialty_sees_what_waits_for_it() {
    let d = day().await;
    let voices_path = format!("/api/v1/cases/{}/voices", d.listed);
    let (status, v) = get_json(&d, &voices_path, &d.cora).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        states(&v),
        pairs(&[
            ("surgery", "missing"),
            ("medical_oncology", "missing"),
            ("radiology", "missing"),
            ("pathology", "missing")
        ])
    );
    // A coordinator asks pathology; bad requests name the field and write nothing.
    let ask = format!("/api/v1/cases/{}/voice-requests", d.listed);
    let res = send(&d.state, json_req("POST", &ask, json!({"specialty": "dermatology"}), Some(&d.cora))).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["specialty"].is_array());
    let res = send(
        &d.state,
        json_req("POST", &ask, json!({"specialty": "pathology", "note": "x".repeat(1001)}), Some(&d.cora)),
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = send(&d.state, json_req("POST", &ask, json!({"specialty": "pathology"}), Some(&d.sam))).await;
    assert_eq!(res.status(), 403, "clinicians ask through a question annotation");
    let requests: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM voice_requests").fetch_one(&d.state.db.pool).await.unwrap();
    assert_eq!(requests, 0, "refused requests wrote nothing");
    let res = send(
        &d.state,
        json_req("POST", &ask, json!({"specialty": "pathology", "note": "Ki-67 please"}), Some(&d.cora)),
    )
    .await;
    assert_eq!(res.status(), 201);
    let v = body_json(res).await;
    assert_eq!(states(&v)[3], ("pathology".to_string(), "asked".to_string()));
    assert_eq!(v[3]["request"]["note"], "Ki-67 please");
    assert_eq!(v[3]["request"]["asked_by_name"], "Test cora");
    let rows = audit_rows(&d.state).await;
    let row = rows.iter().find(|r| r.action == "voice.request").expect("the request is audited");
    assert_eq!(row.case_id.as_deref(), Some(d.listed.as_str()));
    assert_eq!(row.detail.as_deref(), Some("pathology"));

    // Each clinician's home lists the case that waits for their specialty.
    let (_, pia_work) = get_json(&d, "/api/v1/me/work", &d.pia).await;
    assert_eq!(case_ids(&pia_work["awaiting_my_voice"]), vec![d.listed.clone()]);
    assert_eq!(pia_work["awaiting_my_voice"][0]["detail"], "Test cora asked: Ki-67 please");
    let (_, sam_work) = get_json(&d, "/api/v1/me/work", &d.sam).await;
    assert_eq!(sam_work["awaiting_my_voice"][0]["detail"], "No surgery voice yet");

    // Pathology declines to comment (an empty body is allowed for that kind), surgery gives a view.
    assert_eq!(annotate(&d, &d.pia, json!({"kind": "no_comment", "body": ""})).await, 201);
    assert_eq!(annotate(&d, &d.sam, json!({"kind": "assessment", "body": "Resectable."})).await, 201);
    let (_, v) = get_json(&d, &voices_path, &d.cora).await;
    assert_eq!(
        states(&v),
        pairs(&[
            ("surgery", "given"),
            ("medical_oncology", "missing"),
            ("radiology", "missing"),
            ("pathology", "no_comment")
        ])
    );
    let (_, pia_work) = get_json(&d, "/api/v1/me/work", &d.pia).await;
    assert_eq!(pia_work["awaiting_my_voice"], json!([]));
    let (_, sam_work) = get_json(&d, "/api/v1/me/work", &d.sam).await;
    assert_eq!(sam_work["awaiting_my_voice"], json!([]));

    // The agenda names the voices each case still waits for.
    let (_, meeting) = get_json(&d, &format!("/api/v1/meetings/{}", d.meeting), &d.cora).await;
    assert_eq!(meeting["agenda"][0]["awaited_voices"], json!(["medical_oncology", "radiology"]));

    // A question from surgery to pathology waits on pathology's home until pathology replies.
    let path = format!("/api/v1/cases/{}/annotations", d.listed);
    let q = json!({"kind": "question", "body": "Is the margin clear?", "asks": "pathology"});
    let res = send(&d.state, json_req("POST", &path, q, Some(&d.sam))).await;
    assert_eq!(res.status(), 201);
    let question = body_json(res).await["id"].as_str().unwrap().to_string();
    let (_, pia_work) = get_json(&d, "/api/v1/me/work", &d.pia).await;
    assert_eq!(pia_work["questions_for_me"][0]["detail"], "Test sam asks: Is the margin clear?");
    let (_, sam_work) = get_json(&d, "/api/v1/me/work", &d.sam).await;
    assert_eq!(sam_work["questions_for_me"], json!([]));
    let reply = json!({"kind": "assessment", "body": "R0.", "reply_to": question});
    assert_eq!(send(&d.state, json_req("POST", &path, reply, Some(&d.pia))).await.status(), 201);
    let (_, pia_work) = get_json(&d, "/api/v1/me/work", &d.pia).await;
    assert_eq!(pia_work["questions_for_me"], json!([]));

    // The case page's one answer carries what the page needs to show the voices.
    let page =
        body_json(send(&d.state, json_req("POST", "/sfn/cases/page", json!({"id": d.listed}), Some(&d.cora))).await)
            .await;
    assert_eq!(page["expected_specialties"], json!(["surgery", "medical_oncology", "radiology", "pathology"]));
    assert_eq!(page["voice_requests"][0]["specialty"], "pathology");
}

#[tokio::test]
async fn each_role_has_its_own_work() {
    let d = day().await;
    let (status, w) = get_json(&d, "/api/v1/me/work", &d.cora).await;
    assert_eq!(status, 200, "{w}");
    assert_eq!(w["role"], "coordinator");
    assert_eq!(case_ids(&w["incomplete"]), vec![d.draft.clone()]);
    let detail = w["incomplete"][0]["detail"].as_str().unwrap();
    assert!(detail.starts_with("Missing: ") && detail.contains("ECOG"), "{detail}");
    assert_eq!(w["next_meetings"][0]["meeting"]["id"], d.meeting.as_str());
    assert_eq!(w["next_meetings"][0]["cases"], 1);
    assert_eq!(w["next_meetings"][0]["complete"], 1);
    assert_eq!(w["next_meetings"][0]["awaiting_voices"], 1);
    assert_eq!(w["awaiting_my_voice"], json!([]));
    let (_, w) = get_json(&d, "/api/v1/me/work", &d.rene).await;
    assert_eq!((w["decisions_to_audit"].clone(), w["incomplete"].clone()), (json!([]), json!([])));
    let (_, w) = get_json(&d, "/api/v1/me/work", &d.root).await;
    assert_eq!(w["users"], 5);
    assert_eq!(w["boards"], 1);
    assert_eq!(w["incomplete"], json!([]), "administrators see no clinical work");
    assert_eq!(send(&d.state, req("GET", "/api/v1/me/work", None)).await.status(), 401);
    let rows = audit_rows(&d.state).await;
    assert!(
        rows.iter().any(|r| r.action == "work.view" && r.case_ids == vec![d.draft.clone()]),
        "audited with its cases"
    );
}

#[tokio::test]
async fn the_pipeline_shows_every_case_with_what_it_waits_for() {
    let d = day().await;
    let (status, cards) = get_json(&d, "/api/v1/pipeline", &d.cora).await;
    assert_eq!(status, 200, "{cards}");
    let card = |id: &str| cards.as_array().unwrap().iter().find(|c| c["case_id"] == id).unwrap().clone();
    let listed = card(&d.listed);
    assert_eq!(listed["status"], "on_agenda");
    assert_eq!(listed["waits_for"], "Voices before the meeting: Surgery, Medical oncology, Radiology, Pathology");
    assert_eq!(listed["meeting"]["id"], d.meeting.as_str());
    assert_eq!(listed["days"], 0);
    let draft = card(&d.draft);
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["waits_for"], "Complete data: 2 fields missing");
    assert_eq!(draft["complete"], false);
    for (query, expected) in [("site=pancreas", 2), ("site=lung", 0), ("min_days=1", 0), ("min_days=0", 2)] {
        let (status, list) = get_json(&d, &format!("/api/v1/pipeline?{query}"), &d.cora).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(list.as_array().unwrap().len(), expected, "{query}");
    }
    let (status, err) = get_json(&d, "/api/v1/pipeline?min_days=soon&site=moon", &d.cora).await;
    assert_eq!(status, 422);
    assert!(err["error"]["fields"]["min_days"].is_array() && err["error"]["fields"]["site"].is_array(), "{err}");
    assert_eq!(send(&d.state, req("GET", "/api/v1/pipeline", Some(&d.root))).await.status(), 403);
    let rows = audit_rows(&d.state).await;
    assert!(rows.iter().any(|r| r.action == "pipeline.view" && r.case_ids.len() == 2));
}
