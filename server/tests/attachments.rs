//! Documents and key images (issue 20) through REST: uploads round-trip byte for byte with their
//! SHA-256 (across several stored chunks), the type is read from the content, the size limit
//! answers 413, images are shown without their metadata while the original is kept, a
//! correction supersedes, a withdrawal is a tombstone and stops the bytes being served, roles
//! and boards apply, every upload and read is audited, and the stored rows cannot be changed.
//! Runs on SQLite and, with `TEST_DATABASE_URL`, on PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use serde_json::{Value, json};
use sha2::Digest;

const PDF: &[u8] = include_bytes!("../../testdata/attachments/pathology-report.pdf");
const JPEG: &[u8] = include_bytes!("../../testdata/attachments/key-image-with-exif.jpg");
const PNG: &[u8] = include_bytes!("../../testdata/attachments/key-image-with-text.png");

fn report_fields() -> Vec<(&'static str, &'static str)> {
    vec![("kind", "pathology_report"), ("title", "Histology, liver biopsy"), ("examined_on", "2026-11-20")]
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

struct Board {
    state: app::ssr::AppState,
    _db: TestDb,
    case: String,
    cora: String,
    pia: String,
    sam: String,
    rene: String,
}

async fn board() -> Board {
    let (state, db) = test_state().await;
    add_user(&state, "cora", "coordinator", None).await;
    add_user(&state, "pia", "clinician", Some("pathology")).await;
    add_user(&state, "sam", "clinician", Some("surgery")).await;
    add_user(&state, "rene", "reviewer", None).await;
    let cora = login(&state, "cora", PW).await;
    let res =
        send(&state, json_req("POST", "/api/v1/cases", complete_case_json("ATT-1", "Ada Attached"), Some(&cora))).await;
    assert_eq!(res.status(), 201);
    let case = body_json(res).await["id"].as_str().unwrap().to_string();
    let pia = login(&state, "pia", PW).await;
    let sam = login(&state, "sam", PW).await;
    let rene = login(&state, "rene", PW).await;
    Board { state, _db: db, case, cora, pia, sam, rene }
}

async fn count(state: &app::ssr::AppState, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&state.db.pool).await.unwrap()
}

#[tokio::test]
async fn a_report_round_trips_byte_for_byte_with_its_sha256_and_is_audited() {
    let b = board().await;
    let res =
        send(&b.state, upload_req(&b.case, &report_fields(), Some(("Doe_Jane_path.pdf", PDF)), Some(&b.pia))).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let a = body_json(res).await;
    assert_eq!(a["sha256"], sha(PDF));
    assert_eq!((a["kind"].as_str(), a["specialty"].as_str()), (Some("pathology_report"), Some("pathology")));
    assert_eq!(
        (a["content_type"].as_str(), a["size_bytes"].as_i64()),
        (Some("application/pdf"), Some(PDF.len() as i64))
    );
    assert_eq!((a["title"].as_str(), a["examined_on"].as_str()), (Some("Histology, liver biopsy"), Some("2026-11-20")));
    assert_eq!(a["uploaded_by_name"], "Test pia");
    assert_eq!(a["display_stripped"], false);
    let id = a["id"].as_str().unwrap();
    // The uploaded file's name (which can carry a patient's name) is kept nowhere.
    assert!(!a.to_string().contains("Doe_Jane"));

    let res = send(&b.state, req("GET", &format!("/api/v1/attachments/{id}?download=true"), Some(&b.sam))).await;
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["content-disposition"], "attachment; filename=\"Histology, liver biopsy 2026-11-20.pdf\"");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-content-sha256"], sha(PDF).as_str());
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'") && !csp.contains("script-src"), "{csp}");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(body_bytes(res).await, PDF);

    let list =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{}/attachments", b.case), Some(&b.rene))).await)
            .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    // The case page's data carries it too.
    let rows = audit_rows(&b.state).await;
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    for action in ["attachment.add", "attachment.download", "attachment.list"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let add = rows.iter().find(|r| r.action == "attachment.add").unwrap();
    assert_eq!(add.case_id.as_deref(), Some(b.case.as_str()));
    let detail = add.detail.clone().unwrap_or_default();
    assert!(detail.contains(&sha(PDF)), "{detail}");
    let download = rows.iter().find(|r| r.action == "attachment.download").unwrap();
    assert_eq!((download.case_id.as_deref(), download.target.as_deref()), (Some(b.case.as_str()), Some(id)));
}

#[tokio::test]
async fn a_file_larger_than_a_chunk_is_stored_in_chunks_and_comes_back_whole() {
    let b = board().await;
    // 700 KB: three chunks of at most 256 KiB. Bytes that differ everywhere, so that a chunk
    // out of order or twice would show.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.extend((0..700_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let res = send(&b.state, upload_req(&b.case, &report_fields(), Some(("big.pdf", &big)), Some(&b.cora))).await;
    // A coordinator has no specialty: the owner must be named.
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["specialty"].is_array());
    let mut fields = report_fields();
    fields.push(("specialty", "pathology"));
    let res = send(&b.state, upload_req(&b.case, &fields, Some(("big.pdf", &big)), Some(&b.cora))).await;
    assert_eq!(res.status(), 201);
    let a = body_json(res).await;
    assert_eq!(a["sha256"], sha(&big));
    assert_eq!(count(&b.state, "SELECT COUNT(*) FROM attachment_chunks").await, 3);
    let res =
        send(&b.state, req("GET", &format!("/api/v1/attachments/{}", a["id"].as_str().unwrap()), Some(&b.pia))).await;
    assert_eq!(res.headers()["content-disposition"], "inline; filename=\"Histology, liver biopsy 2026-11-20.pdf\"");
    let back = body_bytes(res).await;
    assert_eq!(back.len(), big.len());
    assert_eq!(sha(&back), sha(&big));
}

#[tokio::test]
async fn an_image_is_shown_without_its_metadata_and_kept_as_uploaded() {
    let b = board().await;
    for (name, bytes, media) in [("ct.jpg", JPEG, "image/jpeg"), ("ct.png", PNG, "image/png")] {
        let fields = [
            ("kind", "key_image"),
            ("title", "CT arterial phase"),
            ("examined_on", "2026-11-02"),
            ("specialty", "radiology"),
        ];
        let res = send(&b.state, upload_req(&b.case, &fields, Some((name, bytes)), Some(&b.cora))).await;
        assert_eq!(res.status(), 201);
        let a = body_json(res).await;
        assert_eq!((a["content_type"].as_str(), a["display_stripped"].as_bool()), (Some(media), Some(true)));
        let id = a["id"].as_str().unwrap();
        let shown = send(&b.state, req("GET", &format!("/api/v1/attachments/{id}?copy=display"), Some(&b.sam))).await;
        assert_eq!(shown.headers()["content-type"], media);
        let csp = shown.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("sandbox") && csp.contains("default-src 'none'"), "{csp}");
        let shown = body_bytes(shown).await;
        assert!(!shown.windows(10).any(|w| w == b"Testperson"), "{name}: the shown copy names the patient");
        assert!(shown.len() < bytes.len());
        let original =
            body_bytes(send(&b.state, req("GET", &format!("/api/v1/attachments/{id}"), Some(&b.sam))).await).await;
        assert_eq!(original, bytes, "{name}: the original is kept as uploaded");
    }
    let rows = audit_rows(&b.state).await;
    assert!(rows.iter().any(|r| r.action == "attachment.view"));
}

#[tokio::test]
async fn the_type_comes_from_the_content_and_bad_input_changes_nothing() {
    let b = board().await;
    // An executable called report.pdf.
    let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00";
    let res = send(&b.state, upload_req(&b.case, &report_fields(), Some(("report.pdf", elf)), Some(&b.pia))).await;
    assert_eq!(res.status(), 422);
    let err = body_json(res).await;
    assert!(err["error"]["fields"]["file"][0].as_str().unwrap().contains("not a PDF, PNG or JPEG"), "{err}");
    // HTML, an empty file, a PNG cut short.
    for (name, bytes) in
        [("x.png", &b"<html><script>alert(1)</script>"[..]), ("e.pdf", b""), ("cut.png", &PNG[..PNG.len() / 2])]
    {
        let res = send(&b.state, upload_req(&b.case, &report_fields(), Some((name, bytes)), Some(&b.pia))).await;
        assert_eq!(res.status(), 422, "{name}");
        assert!(body_json(res).await["error"]["fields"]["file"].is_array(), "{name}");
    }
    // A PDF is not a key image; every missing field is named at once, the file among them.
    let fields = [("kind", "key_image"), ("title", "Scan"), ("examined_on", "2026-11-02")];
    let res = send(&b.state, upload_req(&b.case, &fields, Some(("r.pdf", PDF)), Some(&b.pia))).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["kind"].is_array());
    let res = send(&b.state, upload_req(&b.case, &[("kind", "scan")], None, Some(&b.pia))).await;
    assert_eq!(res.status(), 422);
    let fields = body_json(res).await["error"]["fields"].clone();
    for f in ["file", "kind", "title", "examined_on"] {
        assert!(fields[f].is_array(), "{f} in {fields}");
    }
    // Not multipart, an unknown field, an unknown copy.
    let res =
        send(&b.state, json_req("POST", &format!("/api/v1/cases/{}/attachments", b.case), json!({}), Some(&b.pia)))
            .await;
    assert_eq!(res.status(), 400);
    let res = send(&b.state, upload_req(&b.case, &[("patient_name", "x")], None, Some(&b.pia))).await;
    assert_eq!(res.status(), 422);
    assert_eq!(count(&b.state, "SELECT COUNT(*) FROM attachments").await, 0);
    assert_eq!(count(&b.state, "SELECT COUNT(*) FROM attachment_chunks").await, 0);
    let res = send(&b.state, req("GET", "/api/v1/attachments/nope?copy=thumbnail", Some(&b.pia))).await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_with_413_and_nothing_is_written() {
    let (mut state, _db) = {
        let b = board().await;
        (b.state.clone(), b._db)
    };
    state.config.max_upload_bytes = 100_000;
    let cora = login(&state, "cora", PW).await;
    let case = body_json(send(&state, req("GET", "/api/v1/cases", Some(&cora))).await).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pia = login(&state, "pia", PW).await;
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(150_000, b'x');
    // Under the request limit (file limit + 1 MB of form), over the file limit: read, then refused.
    let res = send(&state, upload_req(&case, &report_fields(), Some(("big.pdf", &big)), Some(&pia))).await;
    assert_eq!(res.status(), 413);
    assert_eq!(body_json(res).await["error"]["code"], "payload_too_large");
    // A request that says it is larger than any upload may be is refused before it is read.
    let mut r = upload_req(&case, &report_fields(), Some(("big.pdf", &big)), Some(&pia));
    r.headers_mut().insert("content-length", "5000000".parse().unwrap());
    assert_eq!(send(&state, r).await.status(), 413);
    // Just under the limit is fine.
    big.truncate(100_000);
    let res = send(&state, upload_req(&case, &report_fields(), Some(("ok.pdf", &big)), Some(&pia))).await;
    assert_eq!(res.status(), 201);
    assert_eq!(count(&state, "SELECT COUNT(*) FROM attachments").await, 1);
}

#[tokio::test]
async fn roles_and_boards_apply_to_uploads_and_reads() {
    let b = board().await;
    add_user(&b.state, "root", "admin", None).await;
    let root = login(&b.state, "root", PW).await;
    let res = send(&b.state, upload_req(&b.case, &report_fields(), Some(("r.pdf", PDF)), None)).await;
    assert_eq!(res.status(), 401);
    for who in [&b.rene, &root] {
        let res = send(&b.state, upload_req(&b.case, &report_fields(), Some(("r.pdf", PDF)), Some(who))).await;
        assert_eq!(res.status(), 403);
    }
    let a = body_json(send(&b.state, upload_req(&b.case, &report_fields(), Some(("r.pdf", PDF)), Some(&b.pia))).await)
        .await;
    let id = a["id"].as_str().unwrap();
    // An administrator reads no clinical data (only under break-glass).
    let res = send(&b.state, req("GET", &format!("/api/v1/attachments/{id}"), Some(&root))).await;
    assert_eq!(res.status(), 403);
    // A second board: its case is not for the first board's pathologist, neither to read nor
    // to attach to.
    let hpb = body_json(
        send(
            &b.state,
            json_req("POST", "/api/v1/boards", json!({"name": "HPB board", "description": "Liver"}), Some(&root)),
        )
        .await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let me = body_json(send(&b.state, req("GET", "/api/v1/me", Some(&b.cora))).await).await;
    let res = send(
        &b.state,
        json_req("POST", &format!("/api/v1/boards/{hpb}/members"), json!({"user_id": me["id"]}), Some(&root)),
    )
    .await;
    assert_eq!(res.status(), 200);
    let mut other = complete_case_json("ATT-2", "Otto Other");
    other["board_id"] = json!(hpb);
    let other = body_json(send(&b.state, json_req("POST", "/api/v1/cases", other, Some(&b.cora))).await).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut fields = report_fields();
    fields.push(("specialty", "radiology"));
    let res = send(&b.state, upload_req(&other, &fields, Some(("r.pdf", PDF)), Some(&b.cora))).await;
    assert_eq!(res.status(), 201);
    let hidden = body_json(res).await["id"].as_str().unwrap().to_string();
    let res = send(&b.state, upload_req(&other, &report_fields(), Some(("r.pdf", PDF)), Some(&b.pia))).await;
    assert_eq!(res.status(), 403);
    for path in [format!("/api/v1/attachments/{hidden}"), format!("/api/v1/cases/{other}/attachments")] {
        let res = send(&b.state, req("GET", &path, Some(&b.pia))).await;
        assert_eq!(res.status(), 403, "{path}");
        assert!(!body_text(res).await.contains("%PDF"));
    }
    // A reviewer reads every board.
    let res = send(&b.state, req("GET", &format!("/api/v1/attachments/{hidden}"), Some(&b.rene))).await;
    assert_eq!((res.status().as_u16(), body_bytes(res).await), (200, PDF.to_vec()));
    assert_eq!(send(&b.state, req("GET", "/api/v1/attachments/no-such-id", Some(&b.pia))).await.status(), 404);
}

fn withdraw(id: &str, reason: &str, version: Option<i64>, cookie: &str) -> Request<Body> {
    let mut r =
        json_req("PATCH", &format!("/api/v1/attachments/{id}"), json!({"withdraw": {"reason": reason}}), Some(cookie));
    if let Some(v) = version {
        r.headers_mut().insert("if-match", format!("\"{v}\"").parse().unwrap());
    }
    r
}

#[tokio::test]
async fn a_correction_supersedes_and_a_withdrawal_is_a_tombstone() {
    let b = board().await;
    let first =
        body_json(send(&b.state, upload_req(&b.case, &report_fields(), Some(("r.pdf", PDF)), Some(&b.pia))).await)
            .await;
    let first = first["id"].as_str().unwrap().to_string();
    let mut corrected = PDF.to_vec();
    corrected.extend_from_slice(b"% addendum: Ki-67 revised to 9 %\n");
    let mut fields = report_fields();
    fields.push(("supersedes", &first));
    let res = send(&b.state, upload_req(&b.case, &fields, Some(("r2.pdf", &corrected)), Some(&b.pia))).await;
    assert_eq!(res.status(), 201);
    let second = body_json(res).await;
    assert_eq!(second["supersedes"], first.as_str());
    let second = second["id"].as_str().unwrap().to_string();
    let list =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{}/attachments", b.case), Some(&b.sam))).await)
            .await;
    let old = list.as_array().unwrap().iter().find(|a| a["id"] == first.as_str()).unwrap();
    assert_eq!(old["superseded_by"], second.as_str());
    // Both stay readable.
    let res = send(&b.state, req("GET", &format!("/api/v1/attachments/{first}"), Some(&b.sam))).await;
    assert_eq!(body_bytes(res).await, PDF);
    // Only the newest is corrected; a surgeon does not correct a pathology report.
    let res = send(&b.state, upload_req(&b.case, &fields, Some(("r3.pdf", PDF)), Some(&b.pia))).await;
    assert_eq!(res.status(), 422);
    let mut fields = report_fields();
    fields.push(("supersedes", &second));
    let res = send(&b.state, upload_req(&b.case, &fields, Some(("r3.pdf", PDF)), Some(&b.sam))).await;
    assert_eq!(res.status(), 403);

    // Withdrawal: If-Match, a reason, the owner; then 410 for the bytes.
    assert_eq!(send(&b.state, withdraw(&second, "Filed on the wrong patient.", None, &b.pia)).await.status(), 428);
    assert_eq!(send(&b.state, withdraw(&second, "Filed on the wrong patient.", Some(1), &b.sam)).await.status(), 403);
    let res = send(&b.state, withdraw(&second, "  ", Some(1), &b.pia)).await;
    assert_eq!(res.status(), 422);
    assert!(body_json(res).await["error"]["fields"]["reason"].is_array());
    let res = send(&b.state, withdraw(&second, "Filed on the wrong patient.", Some(3), &b.pia)).await;
    assert_eq!(res.status(), 412);
    let res = send(&b.state, withdraw(&second, "Filed on the wrong patient.", Some(1), &b.cora)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let w = body_json(res).await;
    assert_eq!(
        (w["withdrawn"]["reason"].as_str(), w["withdrawn"]["by_name"].as_str()),
        (Some("Filed on the wrong patient."), Some("Test cora"))
    );
    let res = send(&b.state, req("GET", &format!("/api/v1/attachments/{second}"), Some(&b.pia))).await;
    assert_eq!(res.status(), 410);
    let msg = body_json(res).await["error"]["message"].as_str().unwrap().to_string();
    assert!(msg.contains("withdrawn by Test cora") && msg.contains("wrong patient"), "{msg}");
    assert_eq!(send(&b.state, withdraw(&second, "again", Some(2), &b.pia)).await.status(), 409);
    // The record keeps it: listed with its tombstone, bytes still stored.
    let list =
        body_json(send(&b.state, req("GET", &format!("/api/v1/cases/{}/attachments", b.case), Some(&b.sam))).await)
            .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(count(&b.state, "SELECT COUNT(*) FROM attachment_chunks").await, 2);
    assert!(
        audit_rows(&b.state)
            .await
            .iter()
            .any(|r| r.action == "attachment.withdraw" && r.detail.as_deref() == Some("Filed on the wrong patient."))
    );
}

#[tokio::test]
async fn stored_attachments_cannot_be_changed_or_deleted() {
    let b = board().await;
    let res = send(&b.state, upload_req(&b.case, &report_fields(), Some(("r.pdf", PDF)), Some(&b.pia))).await;
    assert_eq!(res.status(), 201);
    assert_refused_by_trigger(&b.state, "UPDATE attachments SET title = 'x'", "never changed").await;
    assert_refused_by_trigger(&b.state, "UPDATE attachments SET sha256 = 'x'", "never changed").await;
    assert_refused_by_trigger(&b.state, "DELETE FROM attachments", "never deleted").await;
    assert_refused_by_trigger(&b.state, "UPDATE attachment_chunks SET data = data", "append-only").await;
    assert_refused_by_trigger(&b.state, "DELETE FROM attachment_chunks", "append-only").await;
}

#[tokio::test]
async fn meeting_mode_shows_a_document_of_the_case_to_everyone() {
    let b = board().await;
    let a = body_json(send(&b.state, upload_req(&b.case, &report_fields(), Some(("r.pdf", PDF)), Some(&b.pia))).await)
        .await;
    let id = a["id"].as_str().unwrap();
    let m = json!({"title": "NET board", "starts_at": "2026-12-03T14:00", "location": "Room 4"});
    let meeting = body_json(send(&b.state, json_req("POST", "/api/v1/meetings", m, Some(&b.cora))).await).await;
    let mid = meeting["id"].as_str().unwrap();
    let res = send(
        &b.state,
        json_req("POST", &format!("/api/v1/meetings/{mid}/agenda"), json!({"case_id": b.case}), Some(&b.cora)),
    )
    .await;
    assert_eq!(res.status(), 201, "{}", body_text(res).await);
    let present = |attachment: Value| json!({"case_id": b.case, "attachment_id": attachment});
    let res = send(
        &b.state,
        json_req("POST", &format!("/api/v1/meetings/{mid}/present"), present(json!("other")), Some(&b.cora)),
    )
    .await;
    assert_eq!(res.status(), 422);
    let res =
        send(&b.state, json_req("POST", &format!("/api/v1/meetings/{mid}/present"), present(json!(id)), Some(&b.cora)))
            .await;
    assert_eq!(res.status(), 200);
    let detail = body_json(res).await;
    assert_eq!(detail["meeting"]["current_attachment_id"], id);
    let view = body_json(send(&b.state, req("GET", &format!("/api/v1/meetings/{mid}"), Some(&b.sam))).await).await;
    assert_eq!(view["meeting"]["current_attachment_id"], id);
}
