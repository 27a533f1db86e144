//! Cases through the REST API: create, read, list and find, edit with versions and If-Match,
//! status, history; permissions, field errors that change nothing, and the audit rows.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

fn case_json(mrn: &str) -> Value {
    json!({
        "patient": {"mrn": mrn, "name": "Ingrid Testperson", "birth_date": "1969-03-14", "sex": "female"},
        "referring_clinician": "Dr L. Berg",
        "question": "Resection?",
        "tumor": {"primary_site": "pancreas", "grade": "G2", "ki67_percent": 6, "differentiation": "well", "tumor_size_mm": 35,
                  "t_stage": "T2", "n_stage": "N0", "m_stage": "M0", "liver_burden": "none", "functional_syndrome": "none",
                  "sstr_imaging": "positive", "ecog": 0}
    })
}

async fn setup() -> (app::ssr::AppState, TestDb, String) {
    let (state, db) = test_state().await;
    add_user(&state, "cora", "coordinator", None).await;
    let c = login(&state, "cora", PW).await;
    (state, db, c)
}

async fn create(state: &app::ssr::AppState, cookie: &str, body: Value) -> axum::http::Response<axum::body::Body> {
    send(state, json_req("POST", "/api/v1/cases", body, Some(cookie))).await
}

fn patch_req(id: &str, version: Option<i64>, body: Value, cookie: &str) -> axum::http::Request<axum::body::Body> {
    let mut r = json_req("PATCH", &format!("/api/v1/cases/{id}"), body, Some(cookie));
    if let Some(v) = version {
        r.headers_mut().insert("if-match", format!("\"{v}\"").parse().unwrap());
    }
    r
}

async fn count(state: &app::ssr::AppState, table: &str) -> i64 {
    let sql = match table {
        "cases" => "SELECT COUNT(*) FROM cases",
        "patients" => "SELECT COUNT(*) FROM patients",
        "case_versions" => "SELECT COUNT(*) FROM case_versions",
        _ => unreachable!(),
    };
    sqlx::query_scalar(sql).fetch_one(&state.db.pool).await.unwrap()
}

#[tokio::test]
async fn a_coordinator_creates_a_case_with_etag_location_and_summary() {
    let (state, _db, c) = setup().await;
    let res = create(&state, &c, case_json("MRN-1")).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers().get("etag").unwrap(), "\"1\"");
    let location = res.headers().get("location").unwrap().to_str().unwrap().to_string();
    let body = body_json(res).await;
    assert_eq!(location, format!("/api/v1/cases/{}", body["id"].as_str().unwrap()));
    assert_eq!(body["status"], "draft");
    assert_eq!(body["summary"], "pNET G2 (Ki-67 6 %), T2 N0 M0, non-functioning, SSTR+, ECOG 0");
    assert_eq!(body["missing_for_board"].as_array().unwrap().len(), 0);
    assert!(!location.contains("MRN-1"), "no patient identifier in the URL");
}

#[tokio::test]
async fn anonymous_is_401_and_roles_without_the_right_are_403() {
    let (state, _db, _c) = setup().await;
    assert_eq!(send(&state, json_req("POST", "/api/v1/cases", case_json("MRN-1"), None)).await.status(), 401);
    assert_eq!(send(&state, req("GET", "/api/v1/cases", None)).await.status(), 401);
    assert_eq!(send(&state, req("GET", "/api/v1/cases/x", None)).await.status(), 401);
    assert_eq!(send(&state, req("GET", "/api/v1/cases/x/history", None)).await.status(), 401);
    assert_eq!(send(&state, json_req("PATCH", "/api/v1/cases/x", json!({}), None)).await.status(), 401);
    assert_eq!(send(&state, json_req("POST", "/api/v1/cases/search", json!({}), None)).await.status(), 401);
    for (user, role) in [("rene", "reviewer"), ("root", "admin")] {
        add_user(&state, user, role, None).await;
        let c = login(&state, user, PW).await;
        assert_eq!(create(&state, &c, case_json("MRN-9")).await.status(), 403, "{role}");
    }
    assert_eq!(count(&state, "cases").await, 0);
}

#[tokio::test]
async fn reviewers_read_but_do_not_edit() {
    let (state, _db, c) = setup().await;
    let id = body_json(create(&state, &c, case_json("MRN-1")).await).await["id"].as_str().unwrap().to_string();
    add_user(&state, "rene", "reviewer", None).await;
    let r = login(&state, "rene", PW).await;
    assert_eq!(send(&state, req("GET", &format!("/api/v1/cases/{id}"), Some(&r))).await.status(), 200);
    assert_eq!(send(&state, patch_req(&id, Some(1), json!({"question": "x"}), &r)).await.status(), 403);
}

#[tokio::test]
async fn invalid_fields_are_422_per_field_and_change_nothing() {
    let (state, _db, c) = setup().await;
    let mut bad = case_json("MRN-1");
    bad["tumor"]["grade"] = json!("G1");
    bad["tumor"]["ki67_percent"] = json!(25);
    bad["tumor"]["ecog"] = json!(7);
    bad["tumor"]["m_stage"] = json!("M1");
    bad["patient"]["birth_date"] = json!("14.03.1969");
    let res = create(&state, &c, bad).await;
    assert_eq!(res.status(), 422);
    let body = body_json(res).await;
    let fields = &body["error"]["fields"];
    for f in ["tumor.grade", "tumor.ecog", "tumor.metastatic_sites", "patient.birth_date"] {
        assert!(fields.get(f).is_some(), "no error for {f}: {body}");
    }
    assert_eq!(
        (count(&state, "cases").await, count(&state, "patients").await, count(&state, "case_versions").await),
        (0, 0, 0)
    );
}

#[tokio::test]
async fn malformed_json_and_unknown_field_names_are_400() {
    let (state, _db, c) = setup().await;
    let mut typo = case_json("MRN-1");
    typo["tumor"]["primary_sight"] = json!("pancreas");
    let res = create(&state, &c, typo).await;
    assert_eq!(res.status(), 400);
    assert!(body_json(res).await["error"]["message"].as_str().unwrap().contains("primary_sight"));
    let r = axum::http::Request::post("/api/v1/cases")
        .header("content-type", "application/json")
        .header("cookie", &c)
        .body(axum::body::Body::from("{"))
        .unwrap();
    assert_eq!(send(&state, r).await.status(), 400);
}

#[tokio::test]
async fn an_existing_mrn_with_another_name_is_refused() {
    let (state, _db, c) = setup().await;
    assert_eq!(create(&state, &c, case_json("MRN-1")).await.status(), 201);
    let mut other = case_json("MRN-1");
    other["patient"]["name"] = json!("Somebody Else");
    let res = create(&state, &c, other).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["patient.mrn"].is_array());
    // The same patient may have a second case.
    assert_eq!(create(&state, &c, case_json("MRN-1")).await.status(), 201);
    assert_eq!(count(&state, "patients").await, 1);
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let (state, _db, c) = setup().await;
    assert_eq!(send(&state, req("GET", "/api/v1/cases/nope", Some(&c))).await.status(), 404);
    assert_eq!(send(&state, req("GET", "/api/v1/cases/nope/history", Some(&c))).await.status(), 404);
    assert_eq!(send(&state, patch_req("nope", Some(1), json!({"question": "x"}), &c)).await.status(), 404);
}

#[tokio::test]
async fn patch_needs_if_match_and_refuses_a_stale_version() {
    let (state, _db, c) = setup().await;
    let id = body_json(create(&state, &c, case_json("MRN-1")).await).await["id"].as_str().unwrap().to_string();
    let res = send(&state, patch_req(&id, None, json!({"question": "Q2"}), &c)).await;
    assert_eq!(res.status(), 428);
    let res = send(
        &state,
        patch_req(&id, Some(1), json!({"question": "Q2", "tumor": {"grade": "G2", "ki67_percent": 8}}), &c),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers().get("etag").unwrap(), "\"2\"");
    let body = body_json(res).await;
    assert_eq!(body["content"]["question"], "Q2");
    assert_eq!(body["content"]["tumor"]["primary_site"], "pancreas", "untouched fields stay");
    let res = send(&state, patch_req(&id, Some(1), json!({"question": "Q3"}), &c)).await;
    assert_eq!(res.status(), 412);
    let res = send(&state, patch_req(&id, Some(2), json!({"tumor": {"ecog": 9}}), &c)).await;
    assert_eq!(res.status(), 422, "invalid patch");
    let res = send(&state, req("GET", &format!("/api/v1/cases/{id}"), Some(&c))).await;
    assert_eq!(body_json(res).await["version"], 2, "the refused patches changed nothing");
}

#[tokio::test]
async fn di1_three_edits_make_four_versions_and_version_1_is_unchanged() {
    let (state, _db, c) = setup().await;
    let id = body_json(create(&state, &c, case_json("MRN-1")).await).await["id"].as_str().unwrap().to_string();
    for (v, q) in [(1, "Q2"), (2, "Q3"), (3, "Q4")] {
        let res =
            send(&state, patch_req(&id, Some(v), json!({"question": q, "reason": format!("update {v}")}), &c)).await;
        assert_eq!(res.status(), 200);
    }
    let res = send(&state, req("GET", &format!("/api/v1/cases/{id}/history"), Some(&c))).await;
    let versions = body_json(res).await;
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 4);
    let v1 = versions.iter().find(|v| v["version"] == 1).unwrap();
    assert_eq!(v1["content"]["question"], "Resection?");
    let v4 = &versions[0];
    assert_eq!(v4["version"], 4);
    assert_eq!(v4["changed_fields"], json!(["question"]));
    assert_eq!(v4["reason"], "update 3");
    assert_eq!(v4["author_name"], "Test cora");
    // Stored versions cannot be changed or removed, even by SQL.
    let append_only = "case_versions is append-only";
    assert_refused_by_trigger(&state, "UPDATE case_versions SET reason = 'x' WHERE version = 1", append_only).await;
    assert_refused_by_trigger(&state, "DELETE FROM case_versions", append_only).await;
}

#[tokio::test]
async fn di3_two_saves_on_the_same_version_one_wins_one_is_412() {
    let (state, _db, c) = setup().await;
    let id = body_json(create(&state, &c, case_json("MRN-1")).await).await["id"].as_str().unwrap().to_string();
    let a = send(&state, patch_req(&id, Some(1), json!({"question": "from A"}), &c));
    let b = send(&state, patch_req(&id, Some(1), json!({"question": "from B"}), &c));
    let (a, b) = tokio::join!(a, b);
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 412]);
    assert_eq!(count(&state, "case_versions").await, 2);
}

#[tokio::test]
async fn ready_needs_what_the_board_needs() {
    let (state, _db, c) = setup().await;
    let mut draft = case_json("MRN-1");
    draft["tumor"] = json!({"primary_site": "pancreas"});
    draft["question"] = json!("");
    let id = body_json(create(&state, &c, draft).await).await["id"].as_str().unwrap().to_string();
    let res = send(&state, patch_req(&id, Some(1), json!({"status": "ready"}), &c)).await;
    assert_eq!(res.status(), 422);
    let body = body_json(res).await;
    for f in ["question", "tumor.grade", "tumor.tnm", "tumor.ecog", "tumor.sstr_imaging"] {
        assert!(body["error"]["fields"].get(f).is_some(), "{f} not named: {body}");
    }
    let full = case_json("MRN-1");
    let res = send(
        &state,
        patch_req(&id, Some(1), json!({"question": full["question"], "tumor": full["tumor"], "status": "ready"}), &c),
    )
    .await;
    assert_eq!(res.status(), 200);
    let body = body_json(res).await;
    assert_eq!(body["status"], "ready");
    // Content and status in one request are one new version (one transaction).
    assert_eq!(body["version"], 2);
    // Statuses of later stages are not set by hand.
    let res = send(&state, patch_req(&id, Some(2), json!({"status": "plan_signed"}), &c)).await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn the_list_filters_and_name_or_mrn_search_travels_in_the_body() {
    let (state, _db, c) = setup().await;
    create(&state, &c, case_json("MRN-1")).await;
    let mut lung = case_json("MRN-2");
    lung["patient"]["name"] = json!("Jonas Lungberg");
    lung["tumor"]["primary_site"] = json!("lung");
    lung["tumor"]["grade"] = json!("G1");
    lung["tumor"]["ki67_percent"] = json!(2);
    create(&state, &c, lung).await;
    let get = |q: &str| send(&state, req("GET", &format!("/api/v1/cases{q}"), Some(&c)));
    assert_eq!(body_json(get("").await).await.as_array().unwrap().len(), 2);
    assert_eq!(body_json(get("?site=lung").await).await.as_array().unwrap().len(), 1);
    assert_eq!(body_json(get("?stage=localized&status=draft").await).await.as_array().unwrap().len(), 2);
    assert_eq!(body_json(get("?stage=metastatic").await).await.as_array().unwrap().len(), 0);
    assert_eq!(get("?site=liver").await.status(), 422);
    assert_eq!(get("?text=Lungberg").await.status(), 400, "no search text in URLs");
    let search = |t: &str| send(&state, json_req("POST", "/api/v1/cases/search", json!({"text": t}), Some(&c)));
    let found = body_json(search("lungb").await).await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["patient_name"], "Jonas Lungberg");
    assert_eq!(body_json(search("MRN-1").await).await.as_array().unwrap().len(), 1);
    assert_eq!(body_json(search("%").await).await.as_array().unwrap().len(), 0, "wildcards are literal");
    // Issue 16, item 10: any part of an MRN, in any case.
    let part = body_json(search("rn-2").await).await;
    assert_eq!(part.as_array().unwrap().len(), 1);
    assert_eq!(part[0]["mrn"], "MRN-2");
    assert_eq!(body_json(search("mrn-").await).await.as_array().unwrap().len(), 2);
    assert_eq!(body_json(search("2").await).await[0]["mrn"], "MRN-2");
}

#[tokio::test]
async fn lg1_each_case_endpoint_writes_exactly_one_complete_audit_row_without_identifiers() {
    let (state, _db, c) = setup().await;
    let before = audit_rows(&state).await.len();
    let id = body_json(create(&state, &c, case_json("MRN-7777")).await).await["id"].as_str().unwrap().to_string();
    let steps: Vec<(axum::http::Request<axum::body::Body>, &str)> = vec![
        (req("GET", &format!("/api/v1/cases/{id}"), Some(&c)), "case.read"),
        (req("GET", "/api/v1/cases", Some(&c)), "case.list"),
        (json_req("POST", "/api/v1/cases/search", json!({"text": "Testperson"}), Some(&c)), "case.list"),
        (req("GET", &format!("/api/v1/cases/{id}/history"), Some(&c)), "case.history"),
        (patch_req(&id, Some(1), json!({"question": "Q2"}), &c), "case.update"),
    ];
    let mut expected = vec!["case.create"];
    for (r, action) in steps {
        assert!(send(&state, r).await.status().is_success());
        expected.push(action);
    }
    let rows = audit_rows(&state).await;
    let new: Vec<_> = rows[before..].to_vec();
    assert_eq!(new.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(), expected);
    for r in &new {
        assert!(r.user_id.is_some() && r.role.as_deref() == Some("coordinator") && r.outcome == "success");
        let text = format!("{r:?}");
        assert!(!text.contains("MRN-7777") && !text.contains("Testperson"), "identifier in audit: {text}");
        if r.action != "case.list" {
            assert_eq!(r.case_id.as_deref(), Some(id.as_str()));
        }
    }
}

/// Found by the fuzzer on PostgreSQL (which stores no NUL in text): a NUL byte in an id is the
/// client's error on every engine, and in a search text never a 500 (SQLite finds nothing).
#[tokio::test]
async fn a_nul_byte_in_an_id_or_a_search_is_a_client_error() {
    let (state, _db) = test_state().await;
    add_user(&state, "cora", "coordinator", None).await;
    let cora = login(&state, "cora", PW).await;
    for (method, path, body) in [
        ("POST", "/sfn/cases/get", serde_json::json!({"id": "\u{0}"})),
        ("POST", "/api/v1/cases/search", serde_json::json!({"text": "a\u{0}b"})),
    ] {
        let res = send(&state, json_req(method, path, body, Some(&cora))).await;
        let status = res.status();
        assert!(!status.is_server_error(), "{path}: {status}");
        if path.starts_with("/sfn") {
            assert!(status.is_client_error(), "{path}: {status}");
        }
    }
    let res = send(&state, req("GET", "/api/v1/cases/%00", Some(&cora))).await;
    assert!(res.status().is_client_error(), "{}", res.status());
}
