//! The proposer through REST: stateless proposals with field errors, and proposals stored with
//! each case version whose tumor data changed.

mod common;

use common::*;
use serde_json::json;

fn tumor() -> serde_json::Value {
    json!({"primary_site": "pancreas", "grade": "G2", "ki67_percent": 6, "differentiation": "well", "tumor_size_mm": 35,
           "t_stage": "T2", "n_stage": "N0", "m_stage": "M0", "metastatic_sites": [], "liver_burden": "none",
           "functional_syndrome": "none", "hormonal_symptoms": false, "sstr_imaging": "positive", "mibg_avid": "unknown",
           "ecog": 0, "bone_pain": false, "prior_treatments": [], "progression_on_prior": false, "men1": false, "gastric_type": null, "age": 57})
}

#[tokio::test]
async fn a_stateless_proposal_has_the_api_md_shape() {
    let (state, _db) = test_state().await;
    add_user(&state, "rene", "reviewer", None).await;
    let c = login(&state, "rene", PW).await;
    assert_eq!(send(&state, json_req("POST", "/api/v1/proposals", tumor(), None)).await.status(), 401);
    let res = send(&state, json_req("POST", "/api/v1/proposals", tumor(), Some(&c))).await;
    assert_eq!(res.status(), 200);
    let p = body_json(res).await;
    assert_eq!(p["ruleset_version"], app::domain::proposer::RULESET_VERSION);
    let first = &p["options"][0];
    assert_eq!(first["code"], "surgery_curative");
    assert_eq!(first["rank"], 1);
    assert_eq!(first["intent"], "curative");
    assert!(first["rationale"].as_str().unwrap().contains("35 mm"));
    assert!(first["sources"][0].as_str().unwrap().contains("ENETS"));
    assert!(p["prerequisites"].is_array() && p["warnings"].is_array());
}

#[tokio::test]
async fn inconsistent_tumor_input_is_422_naming_the_field() {
    let (state, _db) = test_state().await;
    add_user(&state, "rene", "reviewer", None).await;
    let c = login(&state, "rene", PW).await;
    for (field, value) in
        [("m_stage", json!("M1")), ("ecog", json!(7)), ("grade", json!("G1")), ("primary_site", json!("brain"))]
    {
        let mut t = tumor();
        t[field] = value;
        let res = send(&state, json_req("POST", "/api/v1/proposals", t, Some(&c))).await;
        assert_eq!(res.status(), 422, "{field}");
        let fields = body_json(res).await["error"]["fields"].clone();
        let expected = if field == "m_stage" { "metastatic_sites" } else { field };
        assert!(fields.get(expected).is_some(), "{field}: {fields}");
    }
    let mut t = tumor();
    t["unknown_field"] = json!(1);
    assert_eq!(send(&state, json_req("POST", "/api/v1/proposals", t, Some(&c))).await.status(), 400);
}

#[tokio::test]
async fn the_case_proposal_is_stored_with_each_version_whose_tumor_changed() {
    let (state, _db) = test_state().await;
    add_user(&state, "cora", "coordinator", None).await;
    let c = login(&state, "cora", PW).await;
    let body = json!({"patient": {"mrn": "P-1", "name": "Pro Posal", "birth_date": "1969-01-01", "sex": "female"}, "question": "Q", "tumor": tumor()});
    let res = send(&state, json_req("POST", "/api/v1/cases", body, Some(&c))).await;
    let id = body_json(res).await["id"].as_str().unwrap().to_string();
    let get = |c: String, id: String| {
        let s = state.clone();
        async move { body_json(send(&s, req("GET", &format!("/api/v1/cases/{id}/proposal"), Some(&c))).await).await }
    };
    let p1 = get(c.clone(), id.clone()).await;
    assert_eq!(p1["case_version"], 1);
    assert_eq!(p1["options"][0]["code"], "surgery_curative");
    // A change outside the tumor keeps the proposal; a tumor change stores a new one.
    let patch = |v: i64, b: serde_json::Value| {
        let mut r = json_req("PATCH", &format!("/api/v1/cases/{id}"), b, Some(&c));
        r.headers_mut().insert("if-match", format!("\"{v}\"").parse().unwrap());
        r
    };
    assert_eq!(send(&state, patch(1, json!({"question": "Q2"}))).await.status(), 200);
    assert_eq!(get(c.clone(), id.clone()).await["case_version"], 1);
    assert_eq!(send(&state, patch(2, json!({"tumor": {"m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable", "ki67_percent": 15}}))).await.status(), 200);
    let p3 = get(c.clone(), id.clone()).await;
    assert_eq!(p3["case_version"], 3);
    assert_eq!(p3["options"][0]["code"], "chemotherapy");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM proposals").fetch_one(&state.db.pool).await.unwrap();
    assert_eq!(stored, 2);
    // Stored proposals never change.
    assert_refused_by_trigger(&state, "UPDATE proposals SET ruleset_version = 'x'", "proposals are append-only").await;
    assert_refused_by_trigger(&state, "DELETE FROM proposals", "proposals are append-only").await;
    assert_eq!(send(&state, req("GET", "/api/v1/cases/nope/proposal", Some(&c))).await.status(), 404);
}
