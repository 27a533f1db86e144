//! The centre's clinical trials (issue 21) through REST: coordinators keep their board's
//! register (checked field by field, versions with If-Match, audited), everyone on the board
//! reads it, and a case is matched to the open trials of its board with the reasons; never
//! "eligible" when a criterion fails or a fact is missing. Runs on SQLite and, with
//! `TEST_DATABASE_URL`, on PostgreSQL.

mod common;

use common::*;
use serde_json::{Value, json};

struct Board {
    state: app::ssr::AppState,
    _db: TestDb,
    cora: String,
    sam: String,
    rene: String,
}

async fn board() -> Board {
    let (state, db) = test_state().await;
    add_user(&state, "cora", "coordinator", None).await;
    add_user(&state, "sam", "clinician", Some("surgery")).await;
    add_user(&state, "rene", "reviewer", None).await;
    let cora = login(&state, "cora", PW).await;
    let sam = login(&state, "sam", PW).await;
    let rene = login(&state, "rene", PW).await;
    Board { state, _db: db, cora, sam, rene }
}

fn prrt() -> Value {
    json!({"title": "PRRT for SSTR-positive G2 NET with metastases", "acronym": "PRRT-G2", "registry_id": "NCT01234567",
           "phase": "2", "status": "open", "contact": "Study nurse, ext. 4711",
           "eligibility": {"grades": ["G2"], "ki67_min": 3, "ki67_max": 20, "m_stages": ["M1"], "sstr_imaging": "positive",
                           "ecog_max": 2, "prior_excluded": ["prrt"], "age_min": 18},
           "other_criteria": "Adequate renal function (eGFR ≥ 50)."})
}

fn pnet_trial() -> Value {
    json!({"title": "Targeted therapy for pancreatic NET", "acronym": "PNET-TT", "registry_id": "2023-501234-12-00",
           "phase": "3", "status": "open", "contact": "Dr Investigator",
           "eligibility": {"primary_sites": ["pancreas"], "differentiation": "well", "ecog_max": 1}})
}

fn patch_req(path: &str, body: Value, version: Option<i64>, cookie: &str) -> axum::http::Request<axum::body::Body> {
    let mut r = json_req("PATCH", path, body, Some(cookie));
    if let Some(v) = version {
        r.headers_mut().insert("if-match", format!("\"{v}\"").parse().unwrap());
    }
    r
}

/// A trial added to the register and a new complete case: (trial id, case id, the case's proposal).
async fn trial_and_case(b: &Board, trial: Value, mrn: &str, name: &str) -> (String, String, Value) {
    let res = send(&b.state, json_req("POST", "/api/v1/trials", trial, Some(&b.cora))).await;
    let trial = body_json(res).await["id"].as_str().unwrap().to_string();
    let res = send(&b.state, json_req("POST", "/api/v1/cases", complete_case_json(mrn, name), Some(&b.cora))).await;
    let case = body_json(res).await["id"].as_str().unwrap().to_string();
    let proposal =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{case}/proposal"), Some(&b.cora))).await).await;
    (trial, case, proposal)
}

#[tokio::test]
async fn coordinators_keep_the_register_with_versions_and_others_read_it() {
    let b = board().await;
    let res = send(&b.state, json_req("POST", "/api/v1/trials", prrt(), Some(&b.cora))).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let t = body_json(res).await;
    assert_eq!(
        (t["acronym"].as_str(), t["status"].as_str(), t["phase"].as_str()),
        (Some("PRRT-G2"), Some("open"), Some("2"))
    );
    assert_eq!(t["eligibility"]["grades"], json!(["G2"]));
    let id = t["id"].as_str().unwrap().to_string();
    // Clinicians and reviewers read; they do not keep the register.
    for who in [&b.sam, &b.rene] {
        let res = send(&b.state, json_req("POST", "/api/v1/trials", pnet_trial(), Some(who))).await;
        assert_eq!(res.status(), 403);
        let list = body_json(send(&b.state, req("GET", "/api/v1/trials", Some(who))).await).await;
        assert_eq!(list.as_array().unwrap().len(), 1);
    }
    // The same registry id twice on one board: 422 on the field.
    let res = send(&b.state, json_req("POST", "/api/v1/trials", prrt(), Some(&b.cora))).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["registry_id"].is_array());
    // Bad input names each field; nothing is written.
    let mut bad = prrt();
    bad["registry_id"] = json!("NCT12");
    bad["status"] = json!("recruiting");
    bad["eligibility"]["grades"] = json!(["G9"]);
    bad["eligibility"]["ki67_max"] = json!(1);
    let res = send(&b.state, json_req("POST", "/api/v1/trials", bad, Some(&b.cora))).await;
    assert_eq!(res.status(), 422);
    let fields = body_json(res).await["error"]["fields"].clone();
    for f in ["registry_id", "status", "eligibility.grades", "eligibility.ki67_max"] {
        assert!(fields[f].is_array(), "{f} in {fields}");
    }
    let mut unknown = prrt();
    unknown["eligibility"]["blood_group"] = json!("A");
    assert_eq!(send(&b.state, json_req("POST", "/api/v1/trials", unknown, Some(&b.cora))).await.status(), 400);
    // Changes: If-Match, versions, only coordinators.
    let path = format!("/api/v1/trials/{id}");
    assert_eq!(send(&b.state, patch_req(&path, json!({"status": "suspended"}), None, &b.cora)).await.status(), 428);
    assert_eq!(send(&b.state, patch_req(&path, json!({"status": "suspended"}), Some(1), &b.sam)).await.status(), 403);
    let res = send(
        &b.state,
        patch_req(&path, json!({"status": "suspended", "eligibility": {"ecog_max": 1}}), Some(1), &b.cora),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let t = body_json(res).await;
    assert_eq!((t["status"].as_str(), t["eligibility"]["ecog_max"].as_i64()), (Some("suspended"), Some(1)));
    assert_eq!(t["eligibility"]["grades"], json!(["G2"]), "a merge patch keeps what it does not name");
    assert_eq!(send(&b.state, patch_req(&path, json!({"status": "open"}), Some(1), &b.cora)).await.status(), 412);
    let res = send(&b.state, patch_req(&path, json!({"phase": "9"}), Some(2), &b.cora)).await;
    assert_eq!(res.status(), 422);
    let versions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM trial_versions").fetch_one(&b.state.db.pool).await.unwrap();
    assert_eq!(versions, 2);
    let actions: Vec<String> = audit_rows(&b.state).await.into_iter().map(|r| r.action).collect();
    assert!(actions.contains(&"trial.create".to_string()) && actions.contains(&"trial.update".to_string()));
    assert_refused_by_trigger(&b.state, "DELETE FROM trials", "never deleted").await;
    assert_refused_by_trigger(&b.state, "UPDATE trial_versions SET content = ''", "append-only").await;
}

#[tokio::test]
async fn a_case_is_matched_to_its_boards_open_trials_with_the_reasons() {
    let b = board().await;
    for t in [prrt(), pnet_trial()] {
        assert_eq!(send(&b.state, json_req("POST", "/api/v1/trials", t, Some(&b.cora))).await.status(), 201);
    }
    let mut closed = pnet_trial();
    closed["registry_id"] = json!("NCT07654321");
    closed["acronym"] = json!("OLD");
    closed["status"] = json!("closed");
    assert_eq!(send(&b.state, json_req("POST", "/api/v1/trials", closed, Some(&b.cora))).await.status(), 201);
    // A localized pNET G2: the pNET study is eligible, the PRRT study is not (M0), the closed one
    // is not matched at all.
    let res =
        send(&b.state, json_req("POST", "/api/v1/cases", complete_case_json("TR-1", "Tria Trial"), Some(&b.cora)))
            .await;
    let case = body_json(res).await["id"].as_str().unwrap().to_string();
    let matches =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{case}/trials"), Some(&b.sam))).await).await;
    let m = matches.as_array().unwrap();
    assert_eq!(m.len(), 2, "{matches}");
    assert_eq!((m[0]["acronym"].as_str(), m[0]["match"].as_str()), (Some("PNET-TT"), Some("eligible")));
    assert!(
        m[0]["reasons"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().starts_with("Primary site: Pancreas"))
    );
    assert_eq!((m[1]["acronym"].as_str(), m[1]["match"].as_str()), (Some("PRRT-G2"), Some("not_eligible")));
    assert_eq!(m[1]["reasons"][0], "M category: M0; the trial takes only: M1.");
    assert_eq!(m[1]["other_criteria"], "Adequate renal function (eGFR ≥ 50).");
    // The case changes: metastatic now, ECOG not recorded: the PRRT study is unknown, not eligible.
    let mut patch = json_req(
        "PATCH",
        &format!("/api/v1/cases/{case}"),
        json!({"tumor": {"m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable", "ecog": null}}),
        Some(&b.cora),
    );
    patch.headers_mut().insert("if-match", "\"1\"".parse().unwrap());
    let res = send(&b.state, patch).await;
    assert_eq!(res.status(), 200, "{}", body_text(res).await);
    let matches =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{case}/trials"), Some(&b.sam))).await).await;
    let prrt_match = matches.as_array().unwrap().iter().find(|m| m["acronym"] == "PRRT-G2").unwrap();
    assert_eq!(prrt_match["match"], "unknown", "{prrt_match}");
    assert!(
        prrt_match["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().starts_with("ECOG is not recorded"))
    );
    let rows = audit_rows(&b.state).await;
    assert!(rows.iter().any(|r| r.action == "trial.match" && r.case_id.as_deref() == Some(case.as_str())));
}

#[tokio::test]
async fn the_plan_records_each_discussed_trial_and_whether_it_was_offered() {
    let b = board().await;
    let mut t = prrt();
    t["eligibility"] = json!({});
    let (trial, case, proposal) = trial_and_case(&b, t, "TR-2", "Plan Trial").await;
    let plan = |trials: Value, discussed: bool| {
        json!({"options": [proposal["options"][0]["code"]], "rationale": "As proposed; PRRT study offered.",
               "trial_discussed": discussed, "trials": trials})
    };
    let path = format!("/api/v1/cases/{case}/plan");
    // A trial not on the board's register, a listed trial without "discussed": field errors.
    let res = send(
        &b.state,
        json_req("PUT", &path, plan(json!([{"trial_id": "nope", "offered": true}]), true), Some(&b.cora)),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["trials"].is_array());
    let offered = json!([{"trial_id": trial, "offered": true, "note": "Patient will think it over."}]);
    let res = send(&b.state, json_req("PUT", &path, plan(offered.clone(), false), Some(&b.cora))).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["trial_discussed"].is_array());
    let res = send(&b.state, json_req("PUT", &path, plan(offered, true), Some(&b.cora))).await;
    assert_eq!(res.status(), 201, "{}", body_text(res).await);
    let p = body_json(res).await;
    let recorded = &p["content"]["trials"][0];
    assert_eq!((recorded["acronym"].as_str(), recorded["offered"].as_bool()), (Some("PRRT-G2"), Some(true)));
    assert_eq!(recorded["registry_id"], "NCT01234567");
    // Signed, the trials are covered by the signature's hash like the rest.
    let mut sign = json_req("POST", &format!("{path}/sign"), json!({"password": PW}), Some(&b.sam));
    sign.headers_mut().insert("if-match", "\"1\"".parse().unwrap());
    assert_eq!(send(&b.state, sign).await.status(), 200);
    let content: String = sqlx::query_scalar("SELECT content FROM plans WHERE case_id = $1")
        .bind(&case)
        .fetch_one(&b.state.db.pool)
        .await
        .unwrap();
    assert!(content.contains("\"trials\":[{\"trial_id\""), "{content}");
    // Read back and serialised again, the content is the text that was signed.
    assert_eq!(
        app::ssr::plans::verify_signatures(&b.state.db).await.unwrap(),
        app::ssr::plans::SignatureCheck::AllValid { signed: 1 }
    );
    // The follow-up answers for the offered trial: enrolled, or why not; nothing else.
    let outcome_path = format!("{path}/outcome");
    let base = json!({"implemented": false, "reason": "patient_choice"});
    let res = send(&b.state, json_req("POST", &outcome_path, base.clone(), Some(&b.cora))).await;
    assert_eq!(res.status(), 422);
    let fields = body_json(res).await["error"]["fields"].clone();
    assert_eq!(fields[format!("trials.{trial}")][0], "PRRT-G2: say whether the patient enrolled.", "{fields}");
    let mut answered = base.clone();
    answered["trials"] = json!([{"trial_id": trial, "enrolled": false}]);
    let res = send(&b.state, json_req("POST", &outcome_path, answered.clone(), Some(&b.cora))).await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        body_json(res).await["error"]["fields"][format!("trials.{trial}")][0],
        "PRRT-G2: say why the patient did not enrol."
    );
    let unchanged: Option<String> = sqlx::query_scalar("SELECT outcome FROM plans WHERE case_id = $1")
        .bind(&case)
        .fetch_one(&b.state.db.pool)
        .await
        .unwrap();
    assert_eq!(unchanged, None, "a refused follow-up writes nothing");
    answered["trials"][0]["reason"] = json!("patient_declined");
    answered["trials"][0]["note"] = json!("Prefers treatment closer to home.");
    let res = send(&b.state, json_req("POST", &outcome_path, answered, Some(&b.cora))).await;
    assert_eq!(res.status(), 200, "{}", body_text(res).await);
    let p = body_json(res).await;
    assert_eq!(
        p["outcome"]["trials"],
        json!([{"trial_id": trial, "acronym": "PRRT-G2", "enrolled": false, "reason": "patient_declined",
                "note": "Prefers treatment closer to home."}])
    );
    let rows = audit_rows(&b.state).await;
    assert!(
        rows.iter().any(|r| r.action == "plan.outcome"
            && r.detail.as_deref()
                == Some("not implemented: patient_choice; trial PRRT-G2: not enrolled (patient_declined)")),
        "the audit row says what was recorded"
    );
    // The figures count the discussion, the offer and the answer; the decision lists the trial.
    let fig = body_json(send(&b.state, req("GET", "/api/v1/figures", Some(&b.rene))).await).await;
    let t = &fig["trials"];
    assert_eq!(
        (t["discussed"].as_u64(), t["offered"].as_u64(), t["enrolled"].as_u64(), t["not_enrolled"].as_u64()),
        (Some(1), Some(1), Some(0), Some(1)),
        "{t}"
    );
    assert_eq!(t["not_enrolled_reasons"]["patient_declined"], 1);
    assert_eq!(t["by_trial"][0]["acronym"], "PRRT-G2");
    let csv = body_text(send(&b.state, req("GET", "/api/v1/figures.csv", Some(&b.rene))).await).await;
    assert!(csv.lines().any(|l| l.starts_with("trials.offered,1,")), "{csv}");
    let decisions = body_json(send(&b.state, req("GET", "/api/v1/decisions", Some(&b.rene))).await).await;
    assert_eq!(decisions[0]["trials"][0]["enrolled"], json!(false));
    // The FHIR CarePlan names the trial, the offer and the answer.
    let bundle = body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{case}/fhir"), Some(&b.sam))).await).await;
    let care_plan = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["resourceType"] == "CarePlan")
        .unwrap();
    assert!(
        care_plan["note"].as_array().unwrap().iter().any(|n| n["text"]
            == "Clinical trial PRRT-G2 (NCT01234567): offered to the patient — Patient will think it over.; not enrolled: Patient declined (Prefers treatment closer to home.)."),
        "{care_plan}"
    );
}

#[tokio::test]
async fn a_register_change_reaches_the_viewers_of_the_boards_open_cases() {
    let b = board().await;
    let res =
        send(&b.state, json_req("POST", "/api/v1/cases", complete_case_json("TR-3", "Live Trial"), Some(&b.cora)))
            .await;
    let case = body_json(res).await["id"].as_str().unwrap().to_string();
    let before = app::ssr::events::latest(&b.state.db, &case).await.unwrap();
    let mut hub = b.state.db.hub.subscribe().await;
    let res = send(&b.state, json_req("POST", "/api/v1/trials", pnet_trial(), Some(&b.cora))).await;
    let trial = body_json(res).await["id"].as_str().unwrap().to_string();
    assert_eq!(hub.recv().await.unwrap(), case, "the case's viewers are woken");
    let events = app::ssr::events::since(&b.state.db, &case, before).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].kind.code(), events[0].ref_id.as_str()), ("trial.register", trial.as_str()));
    // Closing the trial is a change too; the match no longer lists it.
    let res =
        send(&b.state, patch_req(&format!("/api/v1/trials/{trial}"), json!({"status": "closed"}), Some(1), &b.cora))
            .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app::ssr::events::since(&b.state.db, &case, before).await.unwrap().len(), 2);
    let matches =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{case}/trials"), Some(&b.sam))).await).await;
    assert_eq!(matches, json!([]));
}

#[tokio::test]
async fn a_trial_not_open_can_be_discussed_but_not_offered() {
    let b = board().await;
    let mut t = prrt();
    t["status"] = json!("suspended");
    let (trial, case, proposal) = trial_and_case(&b, t, "TR-4", "Paused Trial").await;
    let plan = |offered: bool| {
        json!({"options": [proposal["options"][0]["code"]], "rationale": "As proposed.", "trial_discussed": true,
               "trials": [{"trial_id": trial, "offered": offered, "note": "Recruitment paused."}]})
    };
    let path = format!("/api/v1/cases/{case}/plan");
    let res = send(&b.state, json_req("PUT", &path, plan(true), Some(&b.cora))).await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        body_json(res).await["error"]["fields"]["trials"][0],
        "PRRT-G2 is suspended: it cannot be offered; record it as discussed, not offered."
    );
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plans WHERE case_id = $1")
        .bind(&case)
        .fetch_one(&b.state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "a refused plan writes nothing");
    let res = send(&b.state, json_req("PUT", &path, plan(false), Some(&b.cora))).await;
    assert_eq!(res.status(), 201, "{}", body_text(res).await);
    assert_eq!(body_json(res).await["content"]["trials"][0]["offered"], json!(false));
}
