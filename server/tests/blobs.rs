//! Attachments in an S3-compatible object store (issue 20, `TUMORBOARD_BLOB_URL`), against a
//! real S3 server: `scripts/test-all` starts moto's server on loopback, creates a bucket and
//! runs these with `TEST_BLOB_URL` and the `AWS_*` variables set, on SQLite and PostgreSQL.
//! The bytes go to the store, the database keeps the record and the SHA-256, a read checks the
//! hash (a file changed behind the server's back is not passed off as the uploaded one), and
//! the backup says what it does not cover.

mod common;

use common::*;
use object_store::ObjectStoreExt;

const PDF: &[u8] = include_bytes!("../../testdata/attachments/pathology-report.pdf");
const JPEG: &[u8] = include_bytes!("../../testdata/attachments/key-image-with-exif.jpg");

/// The test bucket's URL, with a prefix of this test's own.
fn blob_url(prefix: &str) -> String {
    let base = std::env::var("TEST_BLOB_URL")
        .expect("these tests need an S3 server: set TEST_BLOB_URL and AWS_* (scripts/test-all starts moto)");
    format!("{}/{prefix}", base.trim_end_matches('/'))
}

async fn with_store(prefix: &str) -> (app::ssr::AppState, TestDb, String, String) {
    let (mut state, db) = test_state().await;
    state.config.blobs = Some(app::ssr::blobs::BlobStore::from_url(&blob_url(prefix)).expect("object store"));
    add_user(&state, "cora", "coordinator", None).await;
    let cora = login(&state, "cora", PW).await;
    let res =
        send(&state, json_req("POST", "/api/v1/cases", complete_case_json("S3-1", "Bucket Person"), Some(&cora))).await;
    let case = body_json(res).await["id"].as_str().unwrap().to_string();
    (state, db, cora, case)
}

fn fields() -> Vec<(&'static str, &'static str)> {
    vec![("kind", "key_image"), ("title", "CT"), ("examined_on", "2026-11-20"), ("specialty", "radiology")]
}

#[tokio::test]
#[ignore = "needs an S3 server: TEST_BLOB_URL and AWS_* (scripts/test-all starts moto's server)"]
async fn files_go_to_the_object_store_and_come_back_byte_for_byte() {
    let prefix = format!("t{}", std::process::id());
    let (state, _db, cora, case) = with_store(&prefix).await;
    let res = send(&state, upload_req(&case, &fields(), Some(("ct.jpg", JPEG)), Some(&cora))).await;
    assert_eq!(res.status(), 201);
    let id = body_json(res).await["id"].as_str().unwrap().to_string();
    let mut report = vec![("kind", "pathology_report"), ("title", "Histology")];
    report.extend([("examined_on", "2026-11-20"), ("specialty", "pathology")]);
    let res = send(&state, upload_req(&case, &report, Some(("r.pdf", PDF)), Some(&cora))).await;
    assert_eq!(res.status(), 201);
    // The record is in the database, the bytes are not.
    let chunks: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM attachment_chunks").fetch_one(&state.db.pool).await.unwrap();
    assert_eq!(chunks, 0);
    let storage: String = sqlx::query_scalar("SELECT storage FROM attachments WHERE id = $1")
        .bind(&id)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
    assert_eq!(storage, "object_store");
    let original = send(&state, req("GET", &format!("/api/v1/attachments/{id}"), Some(&cora))).await;
    assert_eq!(original.status(), 200);
    assert_eq!(body_bytes(original).await, JPEG);
    let shown =
        body_bytes(send(&state, req("GET", &format!("/api/v1/attachments/{id}?copy=display"), Some(&cora))).await)
            .await;
    assert!(!shown.windows(10).any(|w| w == b"Testperson") && shown.len() < JPEG.len());
    // The backup names what it does not hold.
    let fp = app::ssr::backup::fingerprint(&state.db).await.unwrap();
    assert_eq!((fp.attachments, fp.attachments_in_object_store), (2, 2));
}

#[tokio::test]
#[ignore = "needs an S3 server: TEST_BLOB_URL and AWS_* (scripts/test-all starts moto's server)"]
async fn a_file_changed_in_the_store_is_not_passed_off_as_the_uploaded_one() {
    let prefix = format!("tamper{}", std::process::id());
    let (state, _db, cora, case) = with_store(&prefix).await;
    let res = send(&state, upload_req(&case, &fields(), Some(("ct.jpg", JPEG)), Some(&cora))).await;
    let id = body_json(res).await["id"].as_str().unwrap().to_string();
    // Someone with access to the bucket replaces the original.
    let url = blob_url(&prefix);
    let bucket = url.trim_start_matches("s3://").split('/').next().unwrap();
    let raw = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(bucket).build().unwrap();
    let key = object_store::path::Path::from(format!(
        "{}/{id}/original",
        url.trim_start_matches("s3://").split_once('/').unwrap().1
    ));
    let mut changed = JPEG.to_vec();
    changed[200] ^= 0xFF;
    raw.put(&key, changed.into()).await.unwrap();
    let res = send(&state, req("GET", &format!("/api/v1/attachments/{id}"), Some(&cora))).await;
    use http_body_util::BodyExt;
    let read = res.into_body().collect().await;
    assert!(read.is_err(), "changed bytes were sent as the uploaded file");
}
