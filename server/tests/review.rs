//! After the meeting (issue 18) through REST: the decision list with each filter, the board's
//! figures as JSON and CSV computed exactly over a known set of decisions, need to know across
//! boards, field errors for bad filters, roles and audit rows. Runs on SQLite and, with
//! `TEST_DATABASE_URL`, on PostgreSQL.

mod common;

use common::*;
use serde_json::{Value, json};

struct Known {
    state: app::ssr::AppState,
    _db: TestDb,
    cora: String,
    sam_id: String,
    meeting: String,
    /// first option taken, implemented; other proposed option, not implemented; outside the
    /// proposal, pending.
    cases: [String; 3],
    first_option: String,
}

async fn new_case(state: &app::ssr::AppState, cookie: &str, mrn: &str) -> String {
    // A pNET G2 with unresectable liver metastases: the proposer offers several systemic options.
    let mut case = complete_case_json(mrn, "Review Person");
    case["tumor"]["m_stage"] = json!("M1");
    case["tumor"]["metastatic_sites"] = json!(["liver"]);
    case["tumor"]["liver_burden"] = json!("unresectable");
    let res = send(state, json_req("POST", "/api/v1/cases", case, Some(cookie))).await;
    assert_eq!(res.status(), 201);
    body_json(res).await["id"].as_str().unwrap().to_string()
}

async fn decide(state: &app::ssr::AppState, cora: &str, sam: &str, case: &str, plan: Value) {
    let res = send(state, json_req("PUT", &format!("/api/v1/cases/{case}/plan"), plan, Some(cora))).await;
    assert_eq!(res.status(), 201, "{}", body_text(res).await);
    let mut sign = json_req("POST", &format!("/api/v1/cases/{case}/plan/sign"), json!({"password": PW}), Some(sam));
    sign.headers_mut().insert("if-match", "\"1\"".parse().unwrap());
    assert_eq!(send(state, sign).await.status(), 200);
}

/// One board; three signed plans (one of each concordance), one plan recorded but not signed, a
/// meeting with two of the cases on its agenda and the surgeon and the pathologist present.
async fn known() -> Known {
    let (state, db) = test_state().await;
    add_user(&state, "cora", "coordinator", None).await;
    let sam_u = add_user(&state, "sam", "clinician", Some("surgery")).await;
    let pia_u = add_user(&state, "pia", "clinician", Some("pathology")).await;
    let cora = login(&state, "cora", PW).await;
    let sam = login(&state, "sam", PW).await;
    // Today's meeting (early morning, UTC): the decisions and their follow-up are all of today.
    let today = chrono::Utc::now().date_naive();
    let m = json!({"title": "NET board", "starts_at": format!("{today}T00:30"), "location": "Room 4.12"});
    let res = send(&state, json_req("POST", "/api/v1/meetings", m, Some(&cora))).await;
    assert_eq!(res.status(), 201);
    let meeting = body_json(res).await["id"].as_str().unwrap().to_string();
    let cases = [
        new_case(&state, &cora, "REV-1").await,
        new_case(&state, &cora, "REV-2").await,
        new_case(&state, &cora, "REV-3").await,
    ];
    let unsigned = new_case(&state, &cora, "REV-4").await;
    for c in &cases[..2] {
        let body = json!({"case_id": c, "mode": "discuss"});
        let res =
            send(&state, json_req("POST", &format!("/api/v1/meetings/{meeting}/agenda"), body, Some(&cora))).await;
        assert_eq!(res.status(), 201, "{}", body_text(res).await);
    }
    for u in [&sam_u.id, &pia_u.id] {
        let url = format!("/api/v1/meetings/{meeting}/attendance");
        assert_eq!(send(&state, json_req("POST", &url, json!({"user_id": u}), Some(&cora))).await.status(), 200);
    }
    let proposal =
        body_json(send(&state, req("GET", &format!("/api/v1/cases/{}/proposal", cases[0]), Some(&cora))).await).await;
    let proposed: Vec<String> =
        proposal["options"].as_array().unwrap().iter().map(|o| o["code"].as_str().unwrap().to_string()).collect();
    assert!(proposed.len() >= 2, "the known case needs two proposed options: {proposal}");
    let outside = ["mibg_therapy", "chemotherapy", "external_beam_radiation", "everolimus"]
        .into_iter()
        .find(|c| !proposed.iter().any(|p| p == c))
        .unwrap();
    decide(
        &state,
        &cora,
        &sam,
        &cases[0],
        json!({"options": [proposed[0]], "rationale": "As proposed.", "meeting_id": meeting, "trial_discussed": true}),
    )
    .await;
    decide(
        &state,
        &cora,
        &sam,
        &cases[1],
        json!({"options": [proposed[1]], "rationale": "Second.", "meeting_id": meeting, "deviation_reason": "Frail patient"}),
    )
    .await;
    decide(
        &state,
        &cora,
        &sam,
        &cases[2],
        json!({"options": [outside], "rationale": "Other.", "deviation_reason": "New imaging"}),
    )
    .await;
    let plan = json!({"options": [proposed[0]], "rationale": "Not signed yet."});
    let res = send(&state, json_req("PUT", &format!("/api/v1/cases/{unsigned}/plan"), plan, Some(&cora))).await;
    assert_eq!(res.status(), 201);
    let outcome =
        |c: &str, body: Value| json_req("POST", &format!("/api/v1/cases/{c}/plan/outcome"), body, Some(&cora));
    assert_eq!(
        send(&state, outcome(&cases[0], json!({"implemented": true, "date": today.to_string()}))).await.status(),
        200
    );
    let res = send(&state, outcome(&cases[1], json!({"implemented": false, "reason": "patient_choice"}))).await;
    assert_eq!(res.status(), 200, "{}", body_text(res).await);
    Known { state, _db: db, cora, sam_id: sam_u.id, meeting, cases, first_option: proposed[0].clone() }
}

async fn get_json(k: &Known, path: &str, cookie: &str) -> (u16, Value) {
    let res = send(&k.state, req("GET", path, Some(cookie))).await;
    let status = res.status().as_u16();
    (status, body_json(res).await)
}

fn case_ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        list.as_array().unwrap().iter().map(|d| d["case_id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn decisions_list_signed_plans_with_their_facts_and_each_filter_selects() {
    let k = known().await;
    let [a, b, c] = &k.cases;
    let (status, all) = get_json(&k, "/api/v1/decisions", &k.cora).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(case_ids(&all), sorted(&[a, b, c]), "the unsigned plan is not a decision");
    let first = all.as_array().unwrap().iter().find(|d| d["case_id"] == a.as_str()).unwrap();
    assert_eq!(first["options"][0]["code"], k.first_option.as_str());
    assert_eq!(first["concordance"], "first_option");
    assert_eq!(first["outcome"]["status"], "implemented");
    assert_eq!(first["signer"]["name"], "Test sam");
    assert_eq!(first["meeting"]["id"], k.meeting.as_str());
    assert_eq!(first["site"], "pancreas");
    assert_eq!(first["stage"], "metastatic");
    assert_eq!(first["trial_discussed"], true);
    assert_eq!(first["core_present"], false, "medical oncology and radiology were absent");
    let second = all.as_array().unwrap().iter().find(|d| d["case_id"] == b.as_str()).unwrap();
    assert_eq!(second["concordance"], "other_proposed");
    assert_eq!(second["deviation_reason"], "Frail patient");
    assert_eq!(second["outcome"]["reason"], "patient_choice");

    let today = chrono::Utc::now().date_naive();
    let q = |s: &str| format!("/api/v1/decisions?{s}");
    for (query, expected) in [
        ("implemented=pending".to_string(), sorted(&[c])),
        ("implemented=implemented".to_string(), sorted(&[a])),
        ("implemented=not_implemented".to_string(), sorted(&[b])),
        (format!("option={}", k.first_option), sorted(&[a])),
        (format!("meeting={}", k.meeting), sorted(&[a, b])),
        (format!("signer={}", k.sam_id), sorted(&[a, b, c])),
        ("site=pancreas&stage=metastatic".to_string(), sorted(&[a, b, c])),
        ("site=small_intestine".to_string(), vec![]),
        ("stage=localized".to_string(), vec![]),
        (format!("from={today}&to={today}"), sorted(&[a, b, c])),
        (format!("from={}", today.succ_opt().unwrap()), vec![]),
        (format!("board={}", app::domain::board::FIRST_BOARD_ID), sorted(&[a, b, c])),
    ] {
        let (status, list) = get_json(&k, &q(&query), &k.cora).await;
        assert_eq!(status, 200, "{query}: {list}");
        assert_eq!(case_ids(&list), expected, "{query}");
    }
    // Bad filters: a field-level 422 naming each, never a 500.
    let (status, err) = get_json(&k, &q("from=31.12.2026&site=moon&implemented=maybe&option=x"), &k.cora).await;
    assert_eq!(status, 422, "{err}");
    for f in ["from", "site", "implemented", "option"] {
        assert!(err["error"]["fields"][f].is_array(), "{f}: {err}");
    }
    let (status, err) = get_json(&k, &q("colour=blue"), &k.cora).await;
    assert_eq!(status, 400, "{err}");
    // The signer filter's choices: who signed, names only.
    let res = send(&k.state, json_req("POST", "/sfn/decisions/signers", json!({}), Some(&k.cora))).await;
    assert_eq!(body_json(res).await, json!([{"id": k.sam_id, "name": "Test sam"}]));
    // The read is audited with every case it returned.
    let rows = audit_rows(&k.state).await;
    let row = rows.iter().rev().find(|r| r.action == "decision.list" && r.case_ids.len() == 3).expect("audited");
    assert_eq!(row.outcome, "success");
}

#[tokio::test]
async fn figures_of_a_known_set_are_exact_as_json_and_csv() {
    let k = known().await;
    let (status, f) = get_json(&k, "/api/v1/figures", &k.cora).await;
    assert_eq!(status, 200, "{f}");
    assert_eq!(f["plans_signed"], 3);
    assert_eq!(f["concordance"]["first_option"], 1);
    assert_eq!(f["concordance"]["other_proposed"], 1);
    assert_eq!(f["concordance"]["outside_proposal"], 1);
    let reasons: Vec<&str> = f["concordance"]["deviation_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2);
    assert!(reasons.contains(&"Frail patient") && reasons.contains(&"New imaging"), "{reasons:?}");
    assert_eq!(
        f["outcomes"],
        json!({"implemented": 1, "not_implemented": 1, "pending": 1, "not_implemented_reasons": {"patient_choice": 1}})
    );
    assert_eq!(f["meetings"], 1);
    assert_eq!(f["cases_per_meeting"][0]["cases"], 2);
    // Meetings still to come were not held: a year of them scheduled ahead changes no figure.
    let ahead = json!({"title": "NET board", "starts_at": "2031-01-07T14:00", "location": "Room 4.12"});
    let res = send(
        &k.state,
        json_req("POST", "/api/v1/meetings/series", json!({"meeting": ahead, "weeks": 52}), Some(&k.cora)),
    )
    .await;
    assert_eq!(res.status(), 201);
    let (_, again) = get_json(&k, "/api/v1/figures", &k.cora).await;
    assert_eq!((&again["meetings"], &again["cases_per_meeting"]), (&f["meetings"], &f["cases_per_meeting"]));
    assert_eq!(again["attendance"], f["attendance"]);
    assert!(again["definitions"]["meetings"].as_str().unwrap().contains("no later than today"));
    assert_eq!(f["cases_per_site"], json!([{"site": "pancreas", "label": "Pancreas", "cases": 2}]));
    assert_eq!(f["referral_to_decision_days"]["count"], 3);
    assert_eq!(f["referral_to_decision_days"]["max"], 0.0, "referred and decided today");
    let att =
        |s: &str| f["attendance"].as_array().unwrap().iter().find(|a| a["specialty"] == s).unwrap()["meetings"].clone();
    assert_eq!(att("surgery"), json!({"count": 1, "of": 1, "share": 1.0}));
    assert_eq!(att("pathology"), json!({"count": 1, "of": 1, "share": 1.0}));
    assert_eq!(att("radiology"), json!({"count": 0, "of": 1, "share": 0.0}));
    let acc = &f["accreditation"];
    assert_eq!(acc["discussed_before_treatment"], json!({"count": 3, "of": 3, "share": 1.0}));
    assert_eq!(acc["stage_recorded"], json!({"count": 3, "of": 3, "share": 1.0}));
    assert_eq!(acc["guideline_cited_proposal"], json!({"count": 3, "of": 3, "share": 1.0}));
    assert_eq!(acc["trial_discussed"], json!({"count": 1, "of": 3, "share": 0.333}));
    assert_eq!(acc["core_specialties_present"], json!({"count": 0, "of": 3, "share": 0.0}));
    assert!(f["definitions"]["concordance"].as_str().unwrap().contains("first proposed option"));

    // A period with nothing in it.
    let tomorrow = chrono::Utc::now().date_naive().succ_opt().unwrap();
    let (_, empty) = get_json(&k, &format!("/api/v1/figures?from={tomorrow}"), &k.cora).await;
    assert_eq!(empty["plans_signed"], 0);
    assert_eq!(empty["accreditation"]["trial_discussed"]["share"], Value::Null);

    // The CSV: one figure a row, the same numbers, a download.
    let res = send(&k.state, req("GET", "/api/v1/figures.csv", Some(&k.cora))).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let csv = body_text(res).await;
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("figure,value,definition"));
    let value = |name: &str| {
        csv.lines().find(|l| l.starts_with(&format!("{name},"))).map(|l| l.split(',').nth(1).unwrap().to_string())
    };
    assert_eq!(value("plans_signed").as_deref(), Some("3"));
    assert_eq!(value("concordance.other_proposed").as_deref(), Some("1"));
    assert_eq!(value("outcomes.pending").as_deref(), Some("1"));
    assert_eq!(value("accreditation.trial_discussed").as_deref(), Some("0.333"));
    assert_eq!(value("attendance.surgery").as_deref(), Some("1"));
    let rows = audit_rows(&k.state).await;
    assert!(rows.iter().any(|r| r.action == "figures.view" && r.case_ids.len() == 3), "figures reads are audited");

    // A meeting of yesterday counts; cancelled afterwards (it did not take place), it does not.
    let yesterday = chrono::Utc::now().date_naive().pred_opt().unwrap();
    let m = json!({"title": "NET board", "starts_at": format!("{yesterday}T14:00"), "location": "Room 4.12"});
    let res = send(&k.state, json_req("POST", "/api/v1/meetings", m, Some(&k.cora))).await;
    let off = body_json(res).await["id"].as_str().unwrap().to_string();
    assert_eq!(get_json(&k, "/api/v1/figures", &k.cora).await.1["meetings"], 2);
    let cancel =
        json_req("POST", &format!("/api/v1/meetings/{off}/cancel"), json!({"reason": "Did not meet"}), Some(&k.cora));
    assert_eq!(send(&k.state, cancel).await.status(), 200);
    assert_eq!(get_json(&k, "/api/v1/figures", &k.cora).await.1["meetings"], 1);
}

#[tokio::test]
async fn decisions_and_figures_respect_boards_and_roles() {
    let k = known().await;
    add_user(&k.state, "root", "admin", None).await;
    add_user(&k.state, "rene", "reviewer", None).await;
    let root = login(&k.state, "root", PW).await;
    let rene = login(&k.state, "rene", PW).await;
    let res = send(&k.state, json_req("POST", "/api/v1/boards", json!({"name": "Thoracic"}), Some(&root))).await;
    let thoracic = body_json(res).await["id"].as_str().unwrap().to_string();
    // Created once a second board exists and put only on it: sees none of the first board.
    let tom = add_user(&k.state, "tom", "clinician", Some("surgery")).await;
    let url = format!("/api/v1/boards/{thoracic}/members");
    assert_eq!(send(&k.state, json_req("POST", &url, json!({"user_id": tom.id}), Some(&root))).await.status(), 200);
    let tom = login(&k.state, "tom", PW).await;
    let (status, list) = get_json(&k, "/api/v1/decisions", &tom).await;
    assert_eq!((status, list), (200, json!([])));
    let (_, f) = get_json(&k, "/api/v1/figures", &tom).await;
    assert_eq!(f["plans_signed"], 0);
    assert_eq!(f["meetings"], 0);
    let signers = |who: &str| {
        let cookie = who.to_string();
        let state = k.state.clone();
        async move {
            body_json(send(&state, json_req("POST", "/sfn/decisions/signers", json!({}), Some(&cookie))).await).await
        }
    };
    assert_eq!(signers(&tom).await, json!([]), "the signers of another board's plans are not named");
    assert_eq!(signers(&rene).await, json!([{"id": k.sam_id, "name": "Test sam"}]));
    // Naming a board one is not on is a field error, not a way in.
    let path = format!("/api/v1/decisions?board={}", app::domain::board::FIRST_BOARD_ID);
    let (status, err) = get_json(&k, &path, &tom).await;
    assert_eq!(status, 422);
    assert!(err["error"]["fields"]["board"].is_array(), "{err}");
    // Reviewers see every board; administrators read no clinical data.
    let (_, list) = get_json(&k, "/api/v1/decisions", &rene).await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    for path in ["/api/v1/decisions", "/api/v1/figures", "/api/v1/figures.csv"] {
        assert_eq!(send(&k.state, req("GET", path, Some(&root))).await.status(), 403, "{path}");
        assert_eq!(send(&k.state, req("GET", path, None)).await.status(), 401, "{path}");
    }
}

#[tokio::test]
async fn the_audit_viewer_filters_by_user_action_time_and_break_glass_and_verifies_the_chain() {
    let k = known().await;
    add_user(&k.state, "rene", "reviewer", None).await;
    let rene = login(&k.state, "rene", PW).await;
    let (status, rows) = get_json(&k, "/api/v1/audit?action=plan", &rene).await;
    assert_eq!(status, 200, "{rows}");
    let actions: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"plan.sign") && actions.contains(&"plan.outcome"), "{actions:?}");
    assert!(actions.iter().all(|a| a.starts_with("plan.")), "a family finds only its own: {actions:?}");
    let (_, rows) = get_json(&k, "/api/v1/audit?action=plan.sign", &rene).await;
    assert_eq!(rows.as_array().unwrap().len(), 3, "three signatures");
    // "plan_" is not a wildcard.
    let (_, rows) = get_json(&k, "/api/v1/audit?action=pla_", &rene).await;
    assert_eq!(rows, json!([]));
    let (_, rows) = get_json(&k, "/api/v1/audit?username=sam", &rene).await;
    assert!(!rows.as_array().unwrap().is_empty());
    assert!(rows.as_array().unwrap().iter().all(|r| r["username"] == "sam"), "{rows}");
    let (_, rows) = get_json(&k, "/api/v1/audit?from=2999-01-01", &rene).await;
    assert_eq!(rows, json!([]));
    let (_, rows) = get_json(&k, "/api/v1/audit?break_glass_only=true", &rene).await;
    assert_eq!(rows, json!([]), "nobody broke the glass");

    let (status, chain) = get_json(&k, "/api/v1/audit/verify", &rene).await;
    assert_eq!(status, 200);
    assert_eq!(chain["intact"], true, "{chain}");
    assert!(chain["rows"].as_i64().unwrap() > 20, "{chain}");
    assert_eq!(send(&k.state, req("GET", "/api/v1/audit/verify", Some(&k.cora))).await.status(), 403);
    // Someone goes around the database's refusal: the viewer names the first bad row.
    let drop_trigger = match k.state.db.engine {
        app::ssr::Engine::Sqlite => "DROP TRIGGER audit_log_no_update",
        app::ssr::Engine::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
    };
    sqlx::query(drop_trigger).execute(&k.state.db.pool).await.unwrap();
    sqlx::query("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 5")
        .execute(&k.state.db.pool)
        .await
        .unwrap();
    let (_, chain) = get_json(&k, "/api/v1/audit/verify", &rene).await;
    assert_eq!(chain["intact"], false);
    assert_eq!(chain["first_bad_seq"], 5);
    assert_eq!(chain["rows"], 4);
    assert!(chain["reason"].as_str().unwrap().contains("hash"), "{chain}");
}

/// After the meeting, "my work" asks for the follow-up of each signed plan until it is recorded;
/// a followed-up case is closed for coordinators and clinicians (and is not read for their work),
/// while a reviewer still finds every signed decision to audit.
#[tokio::test]
async fn follow_up_closes_the_work_but_not_the_audit() {
    let k = known().await;
    let [a, b, c] = &k.cases;
    let (status, w) = get_json(&k, "/api/v1/me/work", &k.cora).await;
    assert_eq!(status, 200, "{w}");
    assert_eq!(case_ids(&w["awaiting_follow_up"]), sorted(&[c]), "only the plan without follow-up");
    assert_eq!(w["awaiting_follow_up"][0]["detail"], "Was the plan carried out?");
    let res = send(&k.state, json_req("POST", "/sfn/work/count", json!({}), Some(&k.cora))).await;
    assert_eq!(res.status(), 200);
    let count = body_json(res).await;
    assert_eq!(count, json!(1), "the count is the one case that waits");
    add_user(&k.state, "rene", "reviewer", None).await;
    let rene = login(&k.state, "rene", PW).await;
    let (_, w) = get_json(&k, "/api/v1/me/work", &rene).await;
    assert_eq!(case_ids(&w["decisions_to_audit"]), sorted(&[a, b, c]), "followed up or not, each decision");
}
