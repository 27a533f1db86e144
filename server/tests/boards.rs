//! Several boards (issue 15): boards and members, need to know for clinicians and coordinators,
//! reviewers across boards, administrators without clinical data, break-glass (security.md
//! AC-3), referring a case to another board, meetings of one board, and the migration that put
//! existing data on the first board. Each test runs on SQLite, and on PostgreSQL with
//! TEST_DATABASE_URL.

mod common;

use app::domain::board::FIRST_BOARD_ID;
use common::*;
use serde_json::{Value, json};

fn case_json(mrn: &str) -> Value {
    json!({
        "patient": {"mrn": mrn, "name": "Board Person", "birth_date": "1970-05-01", "sex": "male"},
        "question": "Surgery?",
        "tumor": {"primary_site": "pancreas", "grade": "G1", "ki67_percent": 2, "differentiation": "well", "tumor_size_mm": 15,
                  "t_stage": "T1", "n_stage": "N0", "m_stage": "M0", "liver_burden": "none", "functional_syndrome": "none",
                  "sstr_imaging": "positive", "ecog": 0}
    })
}

/// Two boards: the first (everyone created while it was the only one) and "HPB board" with the
/// coordinator and the surgeon; a case on each.
struct Two {
    state: app::ssr::AppState,
    _db: TestDb,
    root: String,
    cora: String,
    sam: String,
    olga: String,
    rene: String,
    hpb: String,
    net_case: String,
    hpb_case: String,
    olga_id: String,
}

async fn two_boards() -> Two {
    let (state, db) = test_state().await;
    add_user(&state, "root", "admin", None).await;
    let cora_u = add_user(&state, "cora", "coordinator", None).await;
    let sam_u = add_user(&state, "sam", "clinician", Some("surgery")).await;
    let olga_u = add_user(&state, "olga", "clinician", Some("medical_oncology")).await;
    add_user(&state, "rene", "reviewer", None).await;
    let root = login(&state, "root", PW).await;
    let hpb = body_json(
        send(
            &state,
            json_req("POST", "/api/v1/boards", json!({"name": "HPB board", "description": "Liver"}), Some(&root)),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for u in [&cora_u.id, &sam_u.id] {
        let res = send(
            &state,
            json_req("POST", &format!("/api/v1/boards/{hpb}/members"), json!({"user_id": u}), Some(&root)),
        )
        .await;
        assert_eq!(res.status(), 200);
    }
    let cora = login(&state, "cora", PW).await;
    let sam = login(&state, "sam", PW).await;
    let olga = login(&state, "olga", PW).await;
    let rene = login(&state, "rene", PW).await;
    let mut net = case_json("BRD-1");
    net["board_id"] = json!(FIRST_BOARD_ID);
    let net_case = body_json(send(&state, json_req("POST", "/api/v1/cases", net, Some(&cora))).await).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut h = case_json("BRD-2");
    h["board_id"] = json!(hpb);
    let res = send(&state, json_req("POST", "/api/v1/cases", h, Some(&cora))).await;
    assert_eq!(res.status(), 201);
    let hpb_case = body_json(res).await["id"].as_str().unwrap().to_string();
    Two { state, _db: db, root, cora, sam, olga, rene, hpb, net_case, hpb_case, olga_id: olga_u.id }
}

fn patch(path: &str, body: Value, version: i64, cookie: &str) -> axum::http::Request<axum::body::Body> {
    let mut r = json_req("PATCH", path, body, Some(cookie));
    r.headers_mut().insert("if-match", format!("\"{version}\"").parse().unwrap());
    r
}

#[tokio::test]
async fn a_fresh_installation_has_one_board_and_every_new_user_joins_it_while_it_is_the_only_one() {
    let (state, _db) = test_state().await;
    add_user(&state, "root", "admin", None).await;
    let anna = add_user(&state, "anna", "clinician", Some("surgery")).await;
    let root = login(&state, "root", PW).await;
    let boards = body_json(send(&state, req("GET", "/api/v1/boards", Some(&root))).await).await;
    assert_eq!(boards.as_array().unwrap().len(), 1, "{boards}");
    assert_eq!(boards[0]["id"], FIRST_BOARD_ID);
    assert_eq!(boards[0]["name"], "Tumor board");
    let members: Vec<&str> =
        boards[0]["members"].as_array().unwrap().iter().map(|m| m["username"].as_str().unwrap()).collect();
    assert_eq!(members, ["anna", "root"]);
    // A member of one board creates a case without naming it.
    let anna_cookie = login(&state, "anna", PW).await;
    let res = send(&state, json_req("POST", "/api/v1/cases", case_json("ONE-1"), Some(&anna_cookie))).await;
    assert_eq!(res.status(), 201);
    assert_eq!(body_json(res).await["board_id"], FIRST_BOARD_ID);

    // With a second board, a new user joins none unless boards are named.
    let second =
        body_json(send(&state, json_req("POST", "/api/v1/boards", json!({"name": "Thoracic"}), Some(&root))).await)
            .await["id"]
            .as_str()
            .unwrap()
            .to_string();
    let bob = add_user(&state, "bob", "clinician", Some("radiology")).await;
    let new = app::domain::user::NewUser {
        username: "cleo".into(),
        role: "clinician".into(),
        specialty: Some("pathology".into()),
        password: PW.into(),
        boards: vec![second.clone()],
        ..Default::default()
    };
    let cleo = app::ssr::users::create(&state, &app::ssr::users::cli_actor(), &new).await.unwrap();
    let bad = app::domain::user::NewUser { username: "dana".into(), boards: vec!["nope".into()], ..new.clone() };
    let err = app::ssr::users::create(&state, &app::ssr::users::cli_actor(), &bad).await.unwrap_err();
    assert!(err.field_message("boards").is_some(), "{err:?}");
    assert!(app::ssr::users::list(&state).await.unwrap().iter().all(|u| u.username != "dana"), "nothing was created");
    let of = |id: String| {
        let state = state.clone();
        async move { app::ssr::access::boards_of(&state, &id).await.unwrap() }
    };
    assert_eq!(of(anna.id).await, vec![FIRST_BOARD_ID.to_string()]);
    assert!(of(bob.id).await.is_empty());
    assert_eq!(of(cleo.id).await, vec![second]);
    // A user of no board is told so when creating a case.
    let bob_cookie = login(&state, "bob", PW).await;
    let res = send(&state, json_req("POST", "/api/v1/cases", case_json("ONE-2"), Some(&bob_cookie))).await;
    assert_eq!(res.status(), 403);
    assert!(body_text(res).await.contains("not a member of any board"));
}

#[tokio::test]
async fn administrators_manage_boards_with_field_errors_and_no_one_else_may() {
    let t = two_boards().await;
    let res = send(
        &t.state,
        json_req("POST", "/api/v1/boards", json!({"name": " ", "expected_specialties": ["x"]}), Some(&t.root)),
    )
    .await;
    assert_eq!(res.status(), 422);
    let err = body_json(res).await;
    assert!(
        err["error"]["fields"]["name"].is_array() && err["error"]["fields"]["expected_specialties"].is_array(),
        "{err}"
    );
    let res = send(&t.state, json_req("POST", "/api/v1/boards", json!({"name": "hpb BOARD "}), Some(&t.root))).await;
    assert_eq!(res.status(), 422, "a name differing only in case and spaces is taken");
    assert!(body_json(res).await["error"]["fields"]["name"][0].as_str().unwrap().contains("exists"));
    let res = send(&t.state, json_req("POST", "/api/v1/boards", json!({"name": "Mine"}), Some(&t.cora))).await;
    assert_eq!(res.status(), 403);
    // Rename; add an unknown user; remove a member; remove a non-member.
    let res =
        send(&t.state, patch(&format!("/api/v1/boards/{}", t.hpb), json!({"name": "Liver and pancreas"}), 0, &t.root))
            .await;
    assert_eq!(body_json(res).await["name"], "Liver and pancreas");
    let res = send(
        &t.state,
        json_req("POST", &format!("/api/v1/boards/{}/members", t.hpb), json!({"user_id": "nobody"}), Some(&t.root)),
    )
    .await;
    assert_eq!(res.status(), 422);
    let res =
        send(&t.state, req("DELETE", &format!("/api/v1/boards/{}/members/{}", t.hpb, t.olga_id), Some(&t.root))).await;
    assert_eq!(res.status(), 404);
    let rows = audit_rows(&t.state).await;
    assert!(rows.iter().any(|r| r.action == "board.create" && r.target.as_deref() == Some(t.hpb.as_str())));
    assert!(rows.iter().any(|r| r.action == "board.update"));
    assert_eq!(rows.iter().filter(|r| r.action == "board.member.add").count(), 2);
    // A clinician lists the boards they belong to; a reviewer every board.
    let mine = body_json(send(&t.state, req("GET", "/api/v1/boards", Some(&t.olga))).await).await;
    assert_eq!(
        mine.as_array().unwrap().iter().map(|b| b["id"].as_str().unwrap()).collect::<Vec<_>>(),
        [FIRST_BOARD_ID]
    );
    let all = body_json(send(&t.state, req("GET", "/api/v1/boards", Some(&t.rene))).await).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
}

/// A PATCH changes the fields it sends and keeps the others: a rename from a client (or a page
/// read earlier) that knows nothing of the expected specialties does not reset them to the core
/// four, nor empty the description. The page's server function is the same change.
#[tokio::test]
async fn a_board_change_keeps_the_fields_it_does_not_send() {
    let t = two_boards().await;
    let url = format!("/api/v1/boards/{}", t.hpb);
    let board = |v: &Value| {
        (
            v["name"].as_str().unwrap().to_string(),
            v["description"].as_str().unwrap().to_string(),
            v["expected_specialties"].clone(),
        )
    };
    let res = send(&t.state, patch(&url, json!({"expected_specialties": ["surgery", "radiology"]}), 0, &t.root)).await;
    assert_eq!(res.status(), 200);
    let kept = ("HPB board".to_string(), "Liver".to_string(), json!(["surgery", "radiology"]));
    assert_eq!(board(&body_json(res).await), kept);
    let res = send(&t.state, patch(&url, json!({"name": "Liver and pancreas"}), 0, &t.root)).await;
    let renamed = ("Liver and pancreas".to_string(), "Liver".to_string(), json!(["surgery", "radiology"]));
    assert_eq!(board(&body_json(res).await), renamed, "the rename kept the description and the specialties");
    let res = send(
        &t.state,
        json_req(
            "POST",
            "/sfn/boards/update",
            json!({"id": t.hpb, "input": {"description": "Liver, pancreas"}}),
            Some(&t.root),
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let described = ("Liver and pancreas".to_string(), "Liver, pancreas".to_string(), json!(["surgery", "radiology"]));
    assert_eq!(board(&body_json(res).await), described, "the server function changes only what it sends");
    let updates = |rows: &[app::domain::audit::AuditRow]| {
        rows.iter()
            .filter(|r| r.action == "board.update")
            .map(|r| r.detail.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(updates(&audit_rows(&t.state).await), ["expected_specialties", "name", "description"]);
    // Nothing sent (or null): nothing changes and nothing is recorded.
    let res = send(&t.state, patch(&url, json!({"name": null}), 0, &t.root)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(board(&body_json(res).await), described);
    assert_eq!(updates(&audit_rows(&t.state).await).len(), 3);
    // A bad field refuses the whole change, every problem named.
    let res = send(
        &t.state,
        patch(&url, json!({"name": " ", "description": "x", "expected_specialties": ["dermatology"]}), 0, &t.root),
    )
    .await;
    assert_eq!(res.status(), 422);
    let err = body_json(res).await;
    for field in ["name", "expected_specialties"] {
        assert!(err["error"]["fields"][field].is_array(), "{field}: {err}");
    }
    let res = send(&t.state, req("GET", "/api/v1/boards", Some(&t.root))).await;
    let all = body_json(res).await;
    let hpb = all.as_array().unwrap().iter().find(|b| b["id"] == t.hpb.as_str()).unwrap().clone();
    assert_eq!(board(&hpb), described, "nothing of the refused change was written");
    let res = send(&t.state, patch("/api/v1/boards/no-such-board", json!({"name": "Ghost"}), 0, &t.root)).await;
    assert_eq!(res.status(), 404);
    let res = send(&t.state, patch(&url, json!({"name": "Mine"}), 0, &t.cora)).await;
    assert_eq!(res.status(), 403);
    assert_eq!(updates(&audit_rows(&t.state).await).len(), 3);
}

/// The administration page's ticks and unticks (`/sfn/boards/expected`) change only the
/// specialties they name: a change made since the page was drawn, through the page or the REST
/// API, is kept, and changes sent at the same moment all land.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_expected_voices_change_only_what_the_page_ticked_or_unticked() {
    let t = two_boards().await;
    let sfn = |change: Value, cookie: &str| {
        json_req("POST", "/sfn/boards/expected", json!({"id": t.hpb, "change": change}), Some(cookie))
    };
    let updates = |rows: &[app::domain::audit::AuditRow]| {
        rows.iter()
            .filter(|r| r.action == "board.update")
            .map(|r| r.detail.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    // Two pages drawn with the core four. The first ticks nuclear medicine; the REST API then
    // takes pathology off and adds endocrinology; the second page, drawn before both, unticks
    // surgery and ticks nursing: nothing of the others is undone.
    let res = send(&t.state, sfn(json!({"expect": ["nuclear_medicine"]}), &t.root)).await;
    assert_eq!(res.status(), 200);
    let list = |v: &Value| v["expected_specialties"].clone();
    assert_eq!(
        list(&body_json(res).await),
        json!(["surgery", "medical_oncology", "radiology", "pathology", "nuclear_medicine"])
    );
    let api = json!({"expected_specialties": ["surgery", "medical_oncology", "radiology", "nuclear_medicine", "endocrinology"]});
    let res = send(&t.state, patch(&format!("/api/v1/boards/{}", t.hpb), api, 0, &t.root)).await;
    assert_eq!(res.status(), 200);
    let res = send(&t.state, sfn(json!({"expect": ["nursing"], "stop": ["surgery"]}), &t.root)).await;
    assert_eq!(res.status(), 200);
    let after = json!(["medical_oncology", "radiology", "nuclear_medicine", "endocrinology", "nursing"]);
    assert_eq!(list(&body_json(res).await), after);
    let rows = audit_rows(&t.state).await;
    assert_eq!(
        updates(&rows),
        [
            "expected_specialties: surgery, medical_oncology, radiology, pathology, nuclear_medicine",
            "expected_specialties",
            "expected_specialties: medical_oncology, radiology, nuclear_medicine, endocrinology, nursing",
        ]
    );
    assert!(rows.iter().filter(|r| r.action == "board.update").all(|r| r.target.as_deref() == Some(t.hpb.as_str())));
    // A change that leaves the list as it is writes and records nothing.
    let res = send(&t.state, sfn(json!({"expect": ["nursing"], "stop": ["pathology"]}), &t.root)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(list(&body_json(res).await), after);
    assert_eq!(updates(&audit_rows(&t.state).await).len(), 3);
    // Refused with the field the page shows, and nothing changed: an unknown code, a specialty
    // both ticked and unticked, nothing left (an empty list would silently mean the core four).
    for (change, words) in [
        (json!({"expect": ["dermatology"]}), "dermatology"),
        (json!({"expect": ["surgery"], "stop": ["surgery"]}), "Surgery is both ticked and unticked"),
        (
            json!({"stop": ["medical_oncology", "radiology", "nuclear_medicine", "endocrinology", "nursing"]}),
            "at least one voice",
        ),
    ] {
        let res = send(&t.state, sfn(change.clone(), &t.root)).await;
        assert_eq!(res.status(), 422, "{change}");
        let err = body_json(res).await;
        assert!(err["fields"]["expected_specialties"][0].as_str().unwrap().contains(words), "{change}: {err}");
    }
    let res = send(
        &t.state,
        json_req("POST", "/sfn/boards/expected", json!({"id": t.hpb, "change": {"add": []}}), Some(&t.root)),
    )
    .await;
    assert_eq!(res.status(), 400, "an unknown field is refused");
    // Administrators only; an unknown board is not found.
    let res = send(&t.state, sfn(json!({"expect": ["other"]}), &t.cora)).await;
    assert_eq!(res.status(), 403);
    let res = send(
        &t.state,
        json_req(
            "POST",
            "/sfn/boards/expected",
            json!({"id": "no-such-board", "change": {"expect": ["other"]}}),
            Some(&t.root),
        ),
    )
    .await;
    assert_eq!(res.status(), 404);
    let res = send(&t.state, req("GET", "/api/v1/boards", Some(&t.root))).await;
    let all = body_json(res).await;
    let hpb = all.as_array().unwrap().iter().find(|b| b["id"] == t.hpb.as_str()).unwrap().clone();
    assert_eq!(list(&hpb), after, "nothing of the refused changes was written");
    assert_eq!(updates(&audit_rows(&t.state).await).len(), 3);

    // Five administrators' pages tick one specialty each at the same moment: every tick lands,
    // one audit row each.
    let ticks = ["surgery", "pathology", "gastroenterology", "radiation_oncology", "other"];
    let mut sent = Vec::new();
    for code in ticks {
        let (state, cookie, id) = (t.state.clone(), t.root.clone(), t.hpb.clone());
        sent.push(tokio::spawn(async move {
            let body = json!({"id": id, "change": {"expect": [code]}});
            send(&state, json_req("POST", "/sfn/boards/expected", body, Some(&cookie))).await.status()
        }));
    }
    for s in sent {
        assert_eq!(s.await.unwrap(), 200);
    }
    let res = send(&t.state, req("GET", "/api/v1/boards", Some(&t.root))).await;
    let all = body_json(res).await;
    let hpb = all.as_array().unwrap().iter().find(|b| b["id"] == t.hpb.as_str()).unwrap().clone();
    let mut got: Vec<String> =
        hpb["expected_specialties"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    got.sort();
    let mut want: Vec<String> = after.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    want.extend(ticks.iter().map(|s| s.to_string()));
    want.sort();
    assert_eq!(got, want, "no tick was lost");
    assert_eq!(updates(&audit_rows(&t.state).await).len(), 3 + ticks.len());
}

#[tokio::test]
async fn lists_searches_and_meetings_show_only_the_users_boards() {
    let t = two_boards().await;
    let ids = |v: &Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect()
    };
    let olga_list = body_json(send(&t.state, req("GET", "/api/v1/cases", Some(&t.olga))).await).await;
    assert_eq!(ids(&olga_list), std::slice::from_ref(&t.net_case));
    let found = body_json(
        send(&t.state, json_req("POST", "/api/v1/cases/search", json!({"text": "BRD-2"}), Some(&t.olga))).await,
    )
    .await;
    assert!(ids(&found).is_empty(), "an MRN of another board finds nothing: {found}");
    let cora_list = body_json(send(&t.state, req("GET", "/api/v1/cases", Some(&t.cora))).await).await;
    assert_eq!(cora_list.as_array().unwrap().len(), 2);
    let hpb_only =
        body_json(send(&t.state, req("GET", &format!("/api/v1/cases?board={}", t.hpb), Some(&t.cora))).await).await;
    assert_eq!(ids(&hpb_only), std::slice::from_ref(&t.hpb_case));
    assert_eq!(hpb_only[0]["board_name"], "HPB board");
    let res = send(&t.state, req("GET", &format!("/api/v1/cases?board={}", t.hpb), Some(&t.olga))).await;
    assert_eq!(res.status(), 422, "a board the user cannot see is a field error, not an empty list");
    let rene_list = body_json(send(&t.state, req("GET", "/api/v1/cases", Some(&t.rene))).await).await;
    assert_eq!(rene_list.as_array().unwrap().len(), 2, "reviewers read every board");
    // The list's audit row names only what it returned.
    let rows = audit_rows(&t.state).await;
    let olga_row = rows.iter().find(|r| r.action == "case.list" && r.username.as_deref() == Some("olga")).unwrap();
    assert_eq!(olga_row.case_ids, std::slice::from_ref(&t.net_case));

    // A meeting of HPB: the coordinator of two boards names the board; olga does not see it.
    let m = json!({"title": "HPB weekly", "starts_at": "2031-03-04T15:00", "location": "Room 2"});
    let res = send(&t.state, json_req("POST", "/api/v1/meetings", m.clone(), Some(&t.cora))).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["board_id"].is_array());
    let mut m2 = m.clone();
    m2["board_id"] = json!(t.hpb);
    let meeting = body_json(send(&t.state, json_req("POST", "/api/v1/meetings", m2, Some(&t.cora))).await).await;
    assert_eq!(meeting["board_name"], "HPB board", "{meeting}");
    let mid = meeting["id"].as_str().unwrap();
    let olga_meetings = body_json(send(&t.state, req("GET", "/api/v1/meetings", Some(&t.olga))).await).await;
    assert!(olga_meetings.as_array().unwrap().is_empty(), "{olga_meetings}");
    assert_eq!(send(&t.state, req("GET", &format!("/api/v1/meetings/{mid}"), Some(&t.olga))).await.status(), 403);
    assert_eq!(
        send(&t.state, req("GET", &format!("/api/v1/meetings/{mid}/events"), Some(&t.olga))).await.status(),
        403
    );
    // Its agenda takes only HPB cases.
    let mut ready = patch(&format!("/api/v1/cases/{}", t.net_case), json!({"status": "ready"}), 1, &t.cora);
    ready.headers_mut().insert("if-match", "\"1\"".parse().unwrap());
    assert_eq!(send(&t.state, ready).await.status(), 200);
    let add = json!({"case_id": t.net_case});
    let res = send(&t.state, json_req("POST", &format!("/api/v1/meetings/{mid}/agenda"), add, Some(&t.cora))).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["case_id"][0].as_str().unwrap().contains("Tumor board"));
}

/// The other lists under the same need-to-know condition (`on_visible_boards!`): the trial
/// register, the pipeline and "my work" (incomplete cases, questions for my specialty). Olga and
/// cleo (first board only) see none of HPB's; cora (both boards) and the reviewer see both.
#[tokio::test]
async fn the_trial_register_the_pipeline_and_my_work_show_only_the_users_boards() {
    let t = two_boards().await;
    let cleo = add_user(&t.state, "cleo", "coordinator", None).await;
    let url = format!("/api/v1/boards/{FIRST_BOARD_ID}/members");
    assert_eq!(send(&t.state, json_req("POST", &url, json!({"user_id": cleo.id}), Some(&t.root))).await.status(), 200);
    let cleo = login(&t.state, "cleo", PW).await;
    for (board, acronym, registry) in
        [(FIRST_BOARD_ID, "NET-ONE", "NCT01234567"), (t.hpb.as_str(), "HPB-ONE", "NCT07654321")]
    {
        let trial = json!({"title": format!("The {acronym} trial"), "acronym": acronym, "registry_id": registry,
                           "phase": "2", "status": "open", "contact": "Study nurse", "board_id": board,
                           "eligibility": {"ecog_max": 2}});
        let res = send(&t.state, json_req("POST", "/api/v1/trials", trial, Some(&t.cora))).await;
        assert_eq!(res.status(), 201, "{}", body_text(res).await);
    }
    // GET as `cookie`, and the values of `key` in a list, sorted.
    let read = |path: &'static str, cookie: &str| {
        let (state, cookie) = (t.state.clone(), cookie.to_string());
        async move { body_json(send(&state, req("GET", path, Some(&cookie))).await).await }
    };
    let sorted = |items: &Value, key: &str| -> Vec<String> {
        let mut found: Vec<String> = items
            .as_array()
            .unwrap_or_else(|| panic!("not a list: {items}"))
            .iter()
            .map(|x| x[key].as_str().unwrap().to_string())
            .collect();
        found.sort();
        found
    };
    let list = |path: &'static str, cookie: &str, key: &'static str| {
        let got = read(path, cookie);
        async move { sorted(&got.await, key) }
    };
    assert_eq!(list("/api/v1/trials", &t.olga, "acronym").await, ["NET-ONE"]);
    assert_eq!(list("/api/v1/trials", &t.cora, "acronym").await, ["HPB-ONE", "NET-ONE"]);
    assert_eq!(list("/api/v1/trials", &t.rene, "acronym").await, ["HPB-ONE", "NET-ONE"]);
    let mut both = vec![t.net_case.clone(), t.hpb_case.clone()];
    both.sort();
    assert_eq!(list("/api/v1/pipeline", &cleo, "case_id").await, std::slice::from_ref(&t.net_case));
    assert_eq!(list("/api/v1/pipeline", &t.cora, "case_id").await, both);
    assert_eq!(list("/api/v1/pipeline", &t.rene, "case_id").await, both);

    // "My work": a case lacking ECOG on each board, and on each board's complete case a
    // question from surgery to medical oncology.
    let mut incomplete = Vec::new();
    for (board, mrn) in [(FIRST_BOARD_ID, "BRD-3"), (t.hpb.as_str(), "BRD-4")] {
        let mut case = case_json(mrn);
        case["board_id"] = json!(board);
        case["tumor"].as_object_mut().unwrap().remove("ecog");
        let res = send(&t.state, json_req("POST", "/api/v1/cases", case, Some(&t.cora))).await;
        assert_eq!(res.status(), 201);
        incomplete.push(body_json(res).await["id"].as_str().unwrap().to_string());
    }
    for case in [&t.net_case, &t.hpb_case] {
        let q = json!({"kind": "question", "body": "Somatostatin analogue first?", "asks": "medical_oncology"});
        let path = format!("/api/v1/cases/{case}/annotations");
        assert_eq!(send(&t.state, json_req("POST", &path, q, Some(&t.sam))).await.status(), 201);
    }
    let mut all_incomplete = incomplete.clone();
    all_incomplete.sort();
    let work = "/api/v1/me/work";
    assert_eq!(sorted(&read(work, &cleo).await["incomplete"], "case_id"), std::slice::from_ref(&incomplete[0]));
    assert_eq!(sorted(&read(work, &t.cora).await["incomplete"], "case_id"), all_incomplete);
    assert_eq!(sorted(&read(work, &t.olga).await["questions_for_me"], "case_id"), std::slice::from_ref(&t.net_case));
}

#[tokio::test]
async fn administrators_read_no_clinical_data_without_breaking_the_glass() {
    let t = two_boards().await;
    assert_eq!(send(&t.state, req("GET", "/api/v1/cases", Some(&t.root))).await.status(), 403);
    let case_url = format!("/api/v1/cases/{}", t.net_case);
    let res = send(&t.state, req("GET", &case_url, Some(&t.root))).await;
    assert_eq!(res.status(), 403);
    let body = body_json(res).await;
    assert_eq!(body["error"]["code"], "break_glass_required", "{body}");
    assert!(!body.to_string().contains("BRD-1"), "{body}");
    let glass = format!("{case_url}/break-glass");
    let res = send(&t.state, json_req("POST", &glass, json!({"reason": ""}), Some(&t.root))).await;
    assert_eq!(res.status(), 422);
    let reason = json!({"reason": "Support ticket 4711: the page fails for the team"});
    assert_eq!(send(&t.state, json_req("POST", &glass, reason, Some(&t.root))).await.status(), 201);
    // Under break-glass: this case, read-only, every read flagged; lists stay closed.
    let res = send(&t.state, req("GET", &case_url, Some(&t.root))).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_json(res).await["content"]["patient"]["mrn"], "BRD-1");
    assert_eq!(send(&t.state, req("GET", "/api/v1/cases", Some(&t.root))).await.status(), 403);
    assert_eq!(send(&t.state, req("GET", &format!("/api/v1/cases/{}", t.hpb_case), Some(&t.root))).await.status(), 403);
    let res = send(&t.state, patch(&case_url, json!({"question": "Changed by IT?"}), 1, &t.root)).await;
    assert_eq!(res.status(), 403);
    let flagged: Vec<String> = audit_rows(&t.state)
        .await
        .into_iter()
        .filter(|r| r.username.as_deref() == Some("root") && r.break_glass)
        .map(|r| r.action)
        .collect();
    assert_eq!(flagged, ["case.break_glass", "case.read"], "{flagged:?}");
}

#[tokio::test]
async fn break_glass_needs_a_reason_covers_one_case_for_a_bounded_time_and_flags_every_read() {
    let t = two_boards().await;
    let case_url = format!("/api/v1/cases/{}", t.hpb_case);
    let res = send(&t.state, req("GET", &case_url, Some(&t.olga))).await;
    assert_eq!(res.status(), 403);
    let body = body_json(res).await;
    assert_eq!(body["error"]["code"], "break_glass_required");
    assert!(body["error"]["message"].as_str().unwrap().contains("HPB board"), "{body}");
    assert!(!body.to_string().contains("BRD-2") && !body.to_string().contains("Board Person"), "{body}");
    // The case page's answer (read in one transaction) refuses the same way, and says so in
    // the audit log.
    let page = json!({"id": t.hpb_case});
    let res = send(&t.state, json_req("POST", "/sfn/cases/page", page.clone(), Some(&t.olga))).await;
    assert_eq!(res.status(), 403);
    let body = body_json(res).await.to_string();
    assert!(body.contains("break_glass_required") && !body.contains("BRD-2"), "{body}");
    let last = audit_rows(&t.state).await.pop().unwrap();
    assert_eq!((last.action.as_str(), last.case_id.as_deref()), ("access.denied", Some(t.hpb_case.as_str())));

    let glass = format!("{case_url}/break-glass");
    for reason in [json!({"reason": ""}), json!({"reason": "need"}), json!({})] {
        let res = send(&t.state, json_req("POST", &glass, reason, Some(&t.olga))).await;
        assert_eq!(res.status(), 422);
        assert!(body_json(res).await["error"]["fields"]["reason"].is_array());
    }
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM break_glass").fetch_one(&t.state.db.pool).await.unwrap()
    };
    assert_eq!(count().await, 0, "a refused request grants nothing");
    let res = send(
        &t.state,
        json_req("POST", &glass, json!({"reason": "Admitted tonight with a carcinoid crisis"}), Some(&t.olga)),
    )
    .await;
    assert_eq!(res.status(), 201);
    let grant = body_json(res).await;
    let granted = chrono::DateTime::parse_from_rfc3339(grant["granted_at"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(grant["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!((expires - granted).num_seconds(), 3600, "TUMORBOARD_BREAK_GLASS_SECS defaults to an hour");

    // Now olga reads the case, its notes and its history: each row flagged.
    let res = send(&t.state, req("GET", &case_url, Some(&t.olga))).await;
    assert_eq!(res.status(), 200);
    let case = body_json(res).await;
    assert_eq!(case["content"]["patient"]["mrn"], "BRD-2");
    assert_eq!(case["break_glass_until"], grant["expires_at"]);
    assert_eq!(send(&t.state, req("GET", &format!("{case_url}/history"), Some(&t.olga))).await.status(), 200);
    let rows = audit_rows(&t.state).await;
    let flagged: Vec<&str> = rows
        .iter()
        .filter(|r| r.username.as_deref() == Some("olga") && r.break_glass)
        .map(|r| r.action.as_str())
        .collect();
    assert_eq!(flagged, ["case.break_glass", "case.read", "case.history"], "{flagged:?}");
    // The case page likewise: its answer names the access's end, its one row is flagged.
    let res = send(&t.state, json_req("POST", "/sfn/cases/page", page, Some(&t.olga))).await;
    assert_eq!(res.status(), 200);
    let answer = body_json(res).await;
    assert_eq!(answer["case"]["content"]["patient"]["mrn"], "BRD-2");
    assert_eq!(answer["case"]["break_glass_until"], grant["expires_at"]);
    let last = audit_rows(&t.state).await.pop().unwrap();
    assert_eq!((last.action.as_str(), last.break_glass), ("case.view", true));
    assert!(
        rows.iter()
            .filter(|r| !r.break_glass && r.username.as_deref() == Some("olga"))
            .all(|r| r.action != "case.read")
    );
    // Reading is all it allows: no note, no edit; and only this case.
    let note = json!({"body": "Octreotide now.", "kind": "recommendation"});
    let res = send(&t.state, json_req("POST", &format!("{case_url}/annotations"), note, Some(&t.olga))).await;
    assert_eq!(res.status(), 403);
    let other = body_json(
        send(&t.state, json_req("POST", "/api/v1/cases", json!({"board_id": t.hpb, "patient": {"mrn": "BRD-3", "name": "Other Person", "birth_date": "1960-01-01", "sex": "female"}}), Some(&t.cora))).await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(send(&t.state, req("GET", &format!("/api/v1/cases/{other}"), Some(&t.olga))).await.status(), 403);
    // A member needs none.
    let res =
        send(&t.state, json_req("POST", &glass, json!({"reason": "I am on this board anyway"}), Some(&t.sam))).await;
    assert_eq!(res.status(), 409);

    // Reviewers and administrators see the access with its reason and reads; clinicians do not.
    for cookie in [&t.rene, &t.root] {
        let list = body_json(send(&t.state, req("GET", "/api/v1/break-glass", Some(cookie))).await).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        assert_eq!(list[0]["username"], "olga");
        assert_eq!(list[0]["case_id"], t.hpb_case.as_str());
        assert_eq!(list[0]["board_name"], "HPB board");
        assert_eq!(list[0]["reason"], "Admitted tonight with a carcinoid crisis");
        assert_eq!(list[0]["reads"], 3, "case.read, case.history and case.view");
    }
    assert_eq!(send(&t.state, req("GET", "/api/v1/break-glass", Some(&t.olga))).await.status(), 403);
    let flagged_only = app::ssr::audit::query(
        &t.state.db,
        &app::domain::audit::AuditQuery { break_glass_only: true, ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(flagged_only.len(), 4, "the glass, case.read, case.history, case.view");
    // The flag is covered by the hash chain.
    assert!(matches!(app::ssr::audit::verify(&t.state.db).await.unwrap(), app::ssr::audit::ChainCheck::Intact { .. }));

    // After the hour the case is closed again (a new login: the idle timeout has passed too).
    t.state.clock.advance(3601);
    let olga = login(&t.state, "olga", PW).await;
    let res = send(&t.state, req("GET", &case_url, Some(&olga))).await;
    assert_eq!(res.status(), 403);
    assert_eq!(body_json(res).await["error"]["code"], "break_glass_required");
}

#[tokio::test]
async fn a_case_is_referred_to_another_board_with_a_reason_and_never_from_an_agenda() {
    let t = two_boards().await;
    let url = format!("/api/v1/cases/{}", t.net_case);
    let res = send(&t.state, patch(&url, json!({"board_id": t.hpb}), 1, &t.cora)).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["reason"].is_array());
    let res = send(&t.state, patch(&url, json!({"board_id": "nope", "reason": "Liver surgery"}), 1, &t.cora)).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["board_id"].is_array());
    let before: String = sqlx::query_scalar("SELECT board_id FROM cases WHERE id = $1")
        .bind(&t.net_case)
        .fetch_one(&t.state.db.pool)
        .await
        .unwrap();
    assert_eq!(before, FIRST_BOARD_ID, "a refused move changes nothing");
    // olga could read it before the move.
    assert_eq!(send(&t.state, req("GET", &url, Some(&t.olga))).await.status(), 200);
    let res =
        send(&t.state, patch(&url, json!({"board_id": t.hpb, "reason": "Liver resection to discuss"}), 1, &t.cora))
            .await;
    assert_eq!(res.status(), 200);
    let moved = body_json(res).await;
    assert_eq!(moved["board_id"], t.hpb.as_str());
    assert_eq!(moved["version"], 2);
    let history = body_json(send(&t.state, req("GET", &format!("{url}/history"), Some(&t.cora))).await).await;
    assert_eq!(history[0]["changed_fields"], json!(["board"]));
    assert_eq!(history[0]["reason"], "Liver resection to discuss");
    assert_eq!(send(&t.state, req("GET", &url, Some(&t.olga))).await.status(), 403, "the old board's members lose it");
    let rows = audit_rows(&t.state).await;
    let row = rows
        .iter()
        .rev()
        .find(|r| r.action == "case.update" && r.case_id.as_deref() == Some(t.net_case.as_str()))
        .unwrap_or_else(|| panic!("{:?}", rows.iter().map(|r| (&r.action, &r.case_id)).collect::<Vec<_>>()));
    assert!(row.detail.as_deref().unwrap().contains(&format!("board {FIRST_BOARD_ID} -> {}", t.hpb)));

    // On an agenda it stays where it is.
    let m = json!({"title": "HPB", "starts_at": "2031-03-04T15:00", "location": "Room 2", "board_id": t.hpb});
    let mid = body_json(send(&t.state, json_req("POST", "/api/v1/meetings", m, Some(&t.cora))).await).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = send(&t.state, patch(&url, json!({"status": "ready"}), 2, &t.cora)).await;
    assert_eq!(res.status(), 200);
    let add = json!({"case_id": t.net_case});
    assert_eq!(
        send(&t.state, json_req("POST", &format!("/api/v1/meetings/{mid}/agenda"), add, Some(&t.cora))).await.status(),
        201
    );
    let res = send(&t.state, patch(&url, json!({"board_id": FIRST_BOARD_ID, "reason": "back"}), 4, &t.cora)).await;
    assert_eq!(res.status(), 409);
    assert!(body_text(res).await.contains("agenda"));
}

/// An installation from before boards: its users, cases and meetings are all on the first board
/// after migration 0010, and need to know lets them work as before.
#[tokio::test]
async fn the_boards_migration_puts_existing_data_on_the_first_board() {
    let db = TestDb::new();
    let pool = app::ssr::Db::connect(&db.url).await.expect("open");
    pool.migrator().run_to(9, &pool.pool).await.expect("migrations 1-9");
    let now = "2026-11-30T10:00:00.000000Z";
    sqlx::query("INSERT INTO users (id, username, display_name, role, specialty, password_hash, disabled, created_at, updated_at, password_changed_at) VALUES ('u1', 'old', 'Old User', 'coordinator', NULL, 'x', 0, $1, $1, $1)")
        .bind(now).execute(&pool.pool).await.unwrap();
    sqlx::query("INSERT INTO patients (id, mrn, name, name_search, birth_date, sex, created_at, updated_at) VALUES ('p1', 'OLD-1', 'Old Patient', 'old patient', '1950-01-01', 'male', $1, $1)")
        .bind(now).execute(&pool.pool).await.unwrap();
    sqlx::query("INSERT INTO cases (id, patient_id, version, status, summary, ready_for_board, question, content, created_at, created_by, updated_at, updated_by) VALUES ('c1', 'p1', 1, 'draft', '', 0, '', '{}', $1, 'u1', $1, 'u1')")
        .bind(now).execute(&pool.pool).await.unwrap();
    sqlx::query("INSERT INTO meetings (id, title, starts_at, location, video_link, board_type, expected_specialties, created_by, created_at) VALUES ('m1', 'Old board', '2026-12-03T14:00:00Z', '', '', 'NET', '[]', 'u1', $1)")
        .bind(now).execute(&pool.pool).await.unwrap();
    pool.migrate().await.expect("migration 0010");
    let one = |sql: &'static str| {
        let pool = pool.pool.clone();
        async move { sqlx::query_scalar::<_, String>(sql).fetch_one(&pool).await.unwrap() }
    };
    assert_eq!(one("SELECT board_id FROM cases WHERE id = 'c1'").await, FIRST_BOARD_ID);
    assert_eq!(one("SELECT board_id FROM meetings WHERE id = 'm1'").await, FIRST_BOARD_ID);
    assert_eq!(one("SELECT board_id FROM board_members WHERE user_id = 'u1'").await, FIRST_BOARD_ID);
    assert_eq!(one("SELECT name FROM boards").await, "Tumor board");
    // A case on a board that does not exist is refused by the database itself.
    let err =
        sqlx::query("UPDATE cases SET board_id = 'nowhere' WHERE id = 'c1'").execute(&pool.pool).await.unwrap_err();
    assert!(err.to_string().to_lowercase().contains("foreign key"), "{err}");
    // Boards and break-glass rows are never removed.
    let err = sqlx::query("DELETE FROM boards").execute(&pool.pool).await.unwrap_err();
    assert!(err.to_string().contains("boards are never deleted"), "{err}");
}

#[tokio::test]
async fn a_user_of_several_boards_names_one_and_sees_every_field_error_at_once() {
    let t = two_boards().await;
    let before = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cases").fetch_one(&t.state.db.pool).await.unwrap();
    let mut bad = case_json("BRD-9");
    bad["tumor"]["ki67_percent"] = json!(140);
    let res = send(&t.state, json_req("POST", "/api/v1/cases", bad, Some(&t.cora))).await;
    assert_eq!(res.status(), 422);
    let body = body_json(res).await;
    assert!(body["error"]["fields"]["board_id"][0].as_str().unwrap().contains("Choose the board"), "{body}");
    let fields = body["error"]["fields"].as_object().unwrap();
    assert!(fields.keys().any(|k| k.contains("ki67")), "the tumour's error comes with the board's: {body}");
    let meeting = json!({"title": "HPB", "starts_at": "not a time"});
    let body = body_json(send(&t.state, json_req("POST", "/api/v1/meetings", meeting, Some(&t.cora))).await).await;
    assert!(
        body["error"]["fields"]["board_id"].is_array() && body["error"]["fields"]["starts_at"].is_array(),
        "{body}"
    );
    let after = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cases").fetch_one(&t.state.db.pool).await.unwrap();
    assert_eq!(before, after);
    // A board one is not on is refused, whatever else the request says.
    let mut other = case_json("BRD-9");
    other["board_id"] = json!(t.hpb);
    assert_eq!(send(&t.state, json_req("POST", "/api/v1/cases", other, Some(&t.olga))).await.status(), 403);
}
