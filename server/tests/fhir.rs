//! FHIR R4 export (issue 19) through REST: a case with a specialty's note, a proposal and a
//! signed plan whose follow-up says it was not carried out becomes one Bundle whose resources
//! say exactly what the record says, with only real codes; the read is audited and needs the
//! case's board. Runs on SQLite and, with `TEST_DATABASE_URL`, on PostgreSQL. The Bundle is
//! also validated by an outside validator (fhir.resources, R4 4.0.1) in `scripts/check-openapi`.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::{Value, json};

struct Exported {
    state: app::ssr::AppState,
    _db: TestDb,
    case: String,
    bundle: Value,
    content_type: String,
    chosen: String,
}

async fn exported() -> Exported {
    let (state, db) = test_state().await;
    add_user(&state, "cora", "coordinator", None).await;
    add_user(&state, "sam", "clinician", Some("surgery")).await;
    add_user(&state, "pia", "clinician", Some("pathology")).await;
    let cora = login(&state, "cora", PW).await;
    let sam = login(&state, "sam", PW).await;
    let pia = login(&state, "pia", PW).await;
    let res =
        send(&state, json_req("POST", "/api/v1/cases", complete_case_json("FH-1", "Fhir Person"), Some(&cora))).await;
    assert_eq!(res.status(), 201);
    let case = body_json(res).await["id"].as_str().unwrap().to_string();
    let note = json!({"kind": "assessment", "body": "Well-differentiated NET G2, Ki-67 6 %; margins clear on biopsy."});
    let res = send(&state, json_req("POST", &format!("/api/v1/cases/{case}/annotations"), note, Some(&pia))).await;
    assert_eq!(res.status(), 201);
    // A pathology report, corrected by a second one (issue 20).
    let report = [("kind", "pathology_report"), ("title", "Histology"), ("examined_on", "2026-11-20")];
    let res = send(&state, upload_req(&case, &report, Some(("r.pdf", b"%PDF-1.4 first")), Some(&pia))).await;
    assert_eq!(res.status(), 201);
    let first = body_json(res).await["id"].as_str().unwrap().to_string();
    let corrected = [
        ("kind", "pathology_report"),
        ("title", "Histology, revised"),
        ("examined_on", "2026-11-21"),
        ("supersedes", first.as_str()),
    ];
    let res = send(&state, upload_req(&case, &corrected, Some(("r2.pdf", b"%PDF-1.4 second")), Some(&pia))).await;
    assert_eq!(res.status(), 201);
    let proposal =
        body_json(send(&state, req("GET", &format!("/api/v1/cases/{case}/proposal"), Some(&cora))).await).await;
    let chosen = proposal["options"][0]["code"].as_str().unwrap().to_string();
    let plan = json!({"options": [chosen], "rationale": "Resection as proposed.", "trial_discussed": false,
                      "dissent": [{"user_id": body_json(send(&state, req("GET", "/api/v1/me", Some(&pia))).await).await["id"], "note": "Would image again first."}]});
    let res = send(&state, json_req("PUT", &format!("/api/v1/cases/{case}/plan"), plan, Some(&cora))).await;
    assert_eq!(res.status(), 201, "{}", body_text(res).await);
    let mut sign = json_req("POST", &format!("/api/v1/cases/{case}/plan/sign"), json!({"password": PW}), Some(&sam));
    sign.headers_mut().insert("if-match", "\"1\"".parse().unwrap());
    assert_eq!(send(&state, sign).await.status(), 200);
    let outcome = json!({"implemented": false, "reason": "patient_choice", "note": "Declined surgery."});
    let res = send(&state, json_req("POST", &format!("/api/v1/cases/{case}/plan/outcome"), outcome, Some(&cora))).await;
    assert_eq!(res.status(), 200, "{}", body_text(res).await);
    let res = send(&state, req("GET", &format!("/api/v1/cases/{case}/fhir"), Some(&cora))).await;
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    let bundle = body_json(res).await;
    Exported { state, _db: db, case, bundle, content_type, chosen }
}

fn resources<'a>(b: &'a Value, kind: &str) -> Vec<&'a Value> {
    b["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == kind).collect()
}

fn one<'a>(b: &'a Value, kind: &str) -> &'a Value {
    let all = resources(b, kind);
    assert_eq!(all.len(), 1, "one {kind}");
    all[0]
}

#[tokio::test]
async fn a_case_exports_as_one_bundle_that_says_what_the_record_says() {
    let x = exported().await;
    let b = &x.bundle;
    assert_eq!(x.content_type, "application/fhir+json");
    assert_eq!((b["resourceType"].as_str(), b["type"].as_str()), (Some("Bundle"), Some("collection")));
    let patient = one(b, "Patient");
    assert_eq!(patient["identifier"][0]["value"], "FH-1");
    assert_eq!(patient["identifier"][0]["type"]["coding"][0]["code"], "MR");
    assert_eq!((patient["gender"].as_str(), patient["birthDate"].as_str()), (Some("female"), Some("1969-03-14")));
    let subject = json!({"reference": format!("Patient/{}", patient["id"].as_str().unwrap())});
    let condition = one(b, "Condition");
    assert_eq!(condition["subject"], subject);
    assert_eq!(condition["meta"]["profile"][0], app::domain::fhir::MCODE_PRIMARY_CANCER);
    assert_eq!(condition["bodySite"][0]["coding"][0]["code"], "15776009", "pancreas");
    assert_eq!(condition["extension"][0]["url"], app::domain::fhir::MCODE_HISTOLOGY);
    assert_eq!(condition["extension"][0]["valueCodeableConcept"]["coding"][0]["code"], "8249/3", "NET G2");
    // One Observation per recorded fact, each about the patient and the condition.
    let obs = resources(b, "Observation");
    let by = |suffix: &str| *obs.iter().find(|o| o["id"].as_str().unwrap().ends_with(suffix)).unwrap();
    assert_eq!(
        obs.len(),
        12,
        "T, N, M, stage group, grade, Ki-67, SSTR, ECOG, size, differentiation, liver burden, functional status"
    );
    for o in &obs {
        assert_eq!(o["subject"], subject);
        assert_eq!(o["focus"][0]["reference"], format!("Condition/{}", x.case));
        assert_eq!(o["status"], "final");
    }
    assert_eq!(by("-t")["valueCodeableConcept"]["text"], "T2");
    assert_eq!(by("-m")["valueCodeableConcept"]["text"], "M0");
    assert_eq!(by("-stage")["valueCodeableConcept"]["text"], "Localized (M0 N0)");
    assert_eq!(
        by("-ki67")["valueQuantity"],
        json!({"value": 6.0, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"})
    );
    assert_eq!(by("-ecog")["code"]["coding"][0]["code"], "89247-1");
    assert_eq!(by("-ecog")["valueInteger"], 0);
    assert_eq!(by("-sstr")["valueCodeableConcept"]["text"], "Positive");
    assert_eq!(by("-size")["code"]["text"], "Tumour size");
    assert_eq!(by("-size")["valueQuantity"]["value"], 35.0);
    assert_eq!(by("-size")["valueQuantity"]["code"], "mm");
    assert_eq!(by("-differentiation")["valueCodeableConcept"]["text"], "Well differentiated (NET)");
    assert_eq!(by("-liver-burden")["code"]["text"], "Liver burden");
    assert!(obs.iter().all(|o| !o["id"].as_str().unwrap().ends_with("-men1")), "a fact not recorded is left out");
    // The pathologist's note, in their voice.
    let impression = one(b, "ClinicalImpression");
    assert_eq!(impression["description"], "Assessment (Pathology)");
    assert!(impression["summary"].as_str().unwrap().starts_with("Well-differentiated NET G2"));
    // The proposal is a proposal.
    let proposal = one(b, "RequestGroup");
    assert_eq!((proposal["intent"].as_str(), proposal["action"][0]["prefix"].as_str()), (Some("proposal"), Some("1")));
    assert!(proposal["note"][0]["text"].as_str().unwrap().contains("not the board's decision"));
    assert!(!proposal["action"][0]["documentation"].as_array().unwrap().is_empty(), "sources cited");
    // The plan: the board's category, one activity per chosen option with the follow-up.
    let plan = one(b, "CarePlan");
    assert_eq!((plan["status"].as_str(), plan["intent"].as_str()), (Some("active"), Some("plan")));
    assert_eq!(
        plan["category"][0]["coding"][0],
        json!({"system": "http://snomed.info/sct", "code": "312384001", "display": "Multidisciplinary assessment"})
    );
    assert_eq!(plan["description"], "Resection as proposed.");
    let activities = plan["activity"].as_array().unwrap();
    assert_eq!(activities.len(), 1);
    let label = app::domain::codes::OptionCode::parse(&x.chosen).unwrap().label();
    assert_eq!(activities[0]["detail"]["code"]["text"], label);
    assert_eq!(activities[0]["detail"]["status"], "cancelled");
    assert_eq!(activities[0]["detail"]["statusReason"]["text"], "Patient's choice: Declined surgery.");
    let notes: Vec<&str> = plan["note"].as_array().unwrap().iter().map(|n| n["text"].as_str().unwrap()).collect();
    assert!(notes.iter().any(|n| n.starts_with("Dissent — Test pia: Would image again first.")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("SHA-256")), "{notes:?}");
    let provenance = one(b, "Provenance");
    assert_eq!(provenance["target"][0]["reference"], format!("CarePlan/{}", plan["id"].as_str().unwrap()));
    assert_eq!(provenance["agent"][0]["who"]["display"], "Test sam");
    // Every id is a FHIR id, unique within its type.
    let mut seen = BTreeSet::new();
    for e in b["entry"].as_array().unwrap() {
        let id = e["resource"]["id"].as_str().unwrap();
        assert!(id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'), "{id}");
        assert!(seen.insert((e["resource"]["resourceType"].as_str().unwrap(), id)), "duplicate {id}");
    }
}

/// Only real codes: every coding in the Bundle is one of the codes the exporter documents.
#[tokio::test]
async fn every_code_in_the_bundle_is_a_known_real_code() {
    let x = exported().await;
    let allowed: BTreeSet<(&str, &str)> = [
        ("http://terminology.hl7.org/CodeSystem/v2-0203", "MR"),
        ("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
        ("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item"),
        ("http://snomed.info/sct", "15776009"),
        ("http://terminology.hl7.org/CodeSystem/icd-o-3", "8249/3"),
        ("http://loinc.org", "89247-1"),
        ("http://loinc.org", "11526-1"),
        ("http://snomed.info/sct", "312384001"),
        ("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "attester"),
        ("urn:iso-astm:E1762-95:2013", "1.2.840.10065.1.12.1.1"),
    ]
    .into_iter()
    .collect();
    fn codings<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Object(o) => {
                if o.contains_key("system") && o.contains_key("code") {
                    out.push(v);
                }
                o.values().for_each(|v| codings(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| codings(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    codings(&x.bundle, &mut found);
    assert!(found.len() >= 9, "{found:?}");
    for c in found {
        let key = (c["system"].as_str().unwrap(), c["code"].as_str().unwrap());
        // UCUM's % and mm are quantities' units, also system + code.
        if key == ("http://unitsofmeasure.org", "%") || key == ("http://unitsofmeasure.org", "mm") {
            continue;
        }
        assert!(allowed.contains(&key), "a code the exporter does not document: {key:?}");
    }
}

#[tokio::test]
async fn the_export_is_audited_and_needs_the_case_s_board() {
    let x = exported().await;
    let rows = audit_rows(&x.state).await;
    let row = rows.iter().rev().find(|r| r.action == "case.fhir_export").expect("audited");
    assert_eq!(row.case_id.as_deref(), Some(x.case.as_str()));
    assert_eq!(row.outcome, "success");
    // Anonymous: 401. A clinician of another board: refused, and nothing of the case leaks.
    assert_eq!(send(&x.state, req("GET", &format!("/api/v1/cases/{}/fhir", x.case), None)).await.status(), 401);
    add_user(&x.state, "root", "admin", None).await;
    let root = login(&x.state, "root", PW).await;
    let res = send(&x.state, json_req("POST", "/api/v1/boards", json!({"name": "Thoracic"}), Some(&root))).await;
    let other = body_json(res).await["id"].as_str().unwrap().to_string();
    let olga = app::domain::user::NewUser {
        username: "olga".into(),
        display_name: "Olga Other".into(),
        role: "clinician".into(),
        specialty: Some("surgery".into()),
        password: PW.into(),
        boards: vec![other],
    };
    app::ssr::users::create(&x.state, &app::ssr::users::cli_actor(), &olga).await.unwrap();
    let olga = login(&x.state, "olga", PW).await;
    let res = send(&x.state, req("GET", &format!("/api/v1/cases/{}/fhir", x.case), Some(&olga))).await;
    let status = res.status().as_u16();
    let body = body_text(res).await;
    assert!(status == 403 || status == 404, "{status}");
    assert!(!body.contains("FH-1") && !body.contains("Fhir Person"), "{body}");
    assert_eq!(send(&x.state, req("GET", "/api/v1/cases/no-such-case/fhir", Some(&olga))).await.status(), 404);
}

async fn import(state: &app::ssr::AppState, cookie: &str, bundle: &Value) -> (u16, Value) {
    let mut r = json_req("POST", "/api/v1/cases/import", bundle.clone(), Some(cookie));
    r.headers_mut().insert("content-type", "application/fhir+json".parse().unwrap());
    let res = send(state, r).await;
    let status = res.status().as_u16();
    (status, body_json(res).await)
}

async fn case_count(state: &app::ssr::AppState) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(&state.db.pool).await.unwrap()
}

/// Export, then import the same Bundle: a new draft case of the same patient with the same
/// tumour fields, and a list of what did not become a field (the note, the proposal, the plan).
#[tokio::test]
async fn an_exported_case_imports_back_as_a_draft_with_the_same_tumour_fields() {
    let x = exported().await;
    let cora = login(&x.state, "cora", PW).await;
    let (status, made) = import(&x.state, &cora, &x.bundle).await;
    assert_eq!(status, 201, "{made}");
    let original = body_json(send(&x.state, req("GET", &format!("/api/v1/cases/{}", x.case), Some(&cora))).await).await;
    let copy = &made["case"];
    assert_ne!(copy["id"], original["id"]);
    assert_eq!(copy["status"], "draft");
    assert_eq!(copy["content"]["tumor"], original["content"]["tumor"]);
    assert_eq!(copy["content"]["patient"], original["content"]["patient"]);
    assert_eq!(copy["patient_id"], original["patient_id"], "the same person, not a second record");
    let unread: Vec<&str> = made["unread"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
    assert!(unread.iter().any(|u| u.starts_with("ClinicalImpression: not imported")), "{unread:?}");
    assert!(unread.iter().any(|u| u.starts_with("CarePlan: not imported")), "{unread:?}");
    let rows = audit_rows(&x.state).await;
    assert!(rows.iter().any(|r| r.action == "case.create" && r.case_id.as_deref() == copy["id"].as_str()));
}

#[tokio::test]
async fn an_import_that_cannot_be_taken_changes_nothing() {
    let x = exported().await;
    let cora = login(&x.state, "cora", PW).await;
    let before = case_count(&x.state).await;
    // ID-1: the MRN of a patient on record with other demographics is refused, both unchanged.
    let mut other = x.bundle.clone();
    for e in other["entry"].as_array_mut().unwrap() {
        if e["resource"]["resourceType"] == "Patient" {
            e["resource"]["name"] = json!([{"text": "Someone Else"}]);
        }
    }
    let (status, err) = import(&x.state, &cora, &other).await;
    assert_eq!(status, 422, "{err}");
    assert!(
        err["error"]["fields"]["patient.mrn"].is_array() || err["error"]["fields"]["patient.name"].is_array(),
        "{err}"
    );
    let patient = body_json(send(&x.state, req("GET", &format!("/api/v1/cases/{}", x.case), Some(&cora))).await).await;
    assert_eq!(patient["content"]["patient"]["name"], "Fhir Person");
    // Not valid FHIR: 422 naming the element.
    let (status, err) = import(&x.state, &cora, &json!({"resourceType": "Patient"})).await;
    assert_eq!(status, 422);
    assert!(err["error"]["fields"]["resourceType"].is_array(), "{err}");
    let mut bad = x.bundle.clone();
    bad["entry"]
        .as_array_mut()
        .unwrap()
        .push(json!({"resource": {"resourceType": "Observation", "code": {"text": "MEN1"}, "valueBoolean": "yes"}}));
    let (status, err) = import(&x.state, &cora, &bad).await;
    assert_eq!(status, 422);
    let at = format!("entry[{}].resource.valueBoolean", bad["entry"].as_array().unwrap().len() - 1);
    assert!(err["error"]["fields"][&at].is_array(), "{err}");
    // A reviewer may not create cases, whatever the Bundle.
    add_user(&x.state, "rene", "reviewer", None).await;
    let rene = login(&x.state, "rene", PW).await;
    assert_eq!(import(&x.state, &rene, &json!({"resourceType": "Patient"})).await.0, 403);
    assert_eq!(case_count(&x.state).await, before, "nothing was written");
}

/// The new-case page's import: the file's text through the server function; a file that is
/// not JSON is a field error on `file`, nothing written.
#[tokio::test]
async fn the_page_s_import_reads_the_file_text_and_names_a_file_that_is_not_json() {
    let x = exported().await;
    let cora = login(&x.state, "cora", PW).await;
    let before = case_count(&x.state).await;
    let body = json!({"bundle": "not json {", "board_id": null});
    let res = send(&x.state, json_req("POST", "/sfn/cases/import", body, Some(&cora))).await;
    assert_eq!(res.status(), 422);
    let err = body_text(res).await;
    assert!(err.contains("file") && err.contains("not JSON"), "{err}");
    assert_eq!(case_count(&x.state).await, before);
    let body = json!({"bundle": x.bundle.to_string(), "board_id": null});
    let res = send(&x.state, json_req("POST", "/sfn/cases/import", body, Some(&cora))).await;
    assert_eq!(res.status(), 200);
    let made = body_json(res).await;
    assert_eq!(made["case"]["content"]["patient"]["mrn"], "FH-1");
    assert_eq!(case_count(&x.state).await, before + 1);
}

/// Issue 20: each document is a DocumentReference with its file's type, size, SHA-256 and
/// address; a correction replaces what it corrects, which is marked superseded.
#[tokio::test]
async fn documents_export_as_document_references() {
    use sha2::Digest;
    let x = exported().await;
    let docs = resources(&x.bundle, "DocumentReference");
    assert_eq!(docs.len(), 2, "{docs:?}");
    let old = docs.iter().find(|d| d["status"] == "superseded").expect("the first report, corrected");
    let new = docs.iter().find(|d| d["status"] == "current").expect("the correction");
    assert_eq!(new["relatesTo"][0]["code"], "replaces");
    assert_eq!(
        new["relatesTo"][0]["target"]["reference"],
        format!("DocumentReference/{}", old["id"].as_str().unwrap())
    );
    assert_eq!(new["type"]["coding"][0]["code"], "11526-1");
    let file = &new["content"][0]["attachment"];
    assert_eq!((file["contentType"].as_str(), file["size"].as_i64()), (Some("application/pdf"), Some(15)));
    assert_eq!(file["url"], format!("/api/v1/attachments/{}", new["id"].as_str().unwrap()));
    assert_eq!(file["creation"], "2026-11-21");
    assert_eq!(new["identifier"][0]["value"], hex::encode(sha2::Sha256::digest(b"%PDF-1.4 second")));
    let patient = one(&x.bundle, "Patient");
    assert_eq!(new["subject"]["reference"], format!("Patient/{}", patient["id"].as_str().unwrap()));
}
