//! DI-6: an online backup taken while cases are being written restores to a consistent copy;
//! restore never destroys data silently. Runs on SQLite and (in test-all) PostgreSQL.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use app::ssr::backup::{BackupError, backup, fingerprint, restore};
use common::*;
use serde_json::json;

async fn versions_match_cases(db: &app::ssr::Db) {
    let bad: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases c WHERE c.version <> (SELECT COUNT(*) FROM case_versions v WHERE v.case_id = c.id)",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(bad, 0, "a case without all of its versions: a half-written record");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_to_a_consistent_copy() {
    let source = TestDb::new();
    let state = state_for(&source).await;
    add_user(&state, "cora", "coordinator", None).await;
    let cookie = login(&state, "cora", PW).await;
    // A document (issue 20): the backup carries its bytes.
    const PDF: &[u8] = include_bytes!("../../testdata/attachments/pathology-report.pdf");
    let body = json!({"patient": {"mrn": "DOC-1", "name": "Doc Person", "birth_date": "1970-01-01", "sex": "unknown"}, "question": "Q"});
    let doc_case = body_json(send(&state, json_req("POST", "/api/v1/cases", body, Some(&cookie))).await).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let fields = [
        ("kind", "pathology_report"),
        ("title", "Histology"),
        ("examined_on", "2026-11-20"),
        ("specialty", "pathology"),
    ];
    let res = send(&state, upload_req(&doc_case, &fields, Some(("r.pdf", PDF)), Some(&cookie))).await;
    assert_eq!(res.status(), 201);
    let doc = body_json(res).await["id"].as_str().unwrap().to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..3 {
        let (s, c, stop) = (state.clone(), cookie.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 200 {
                let body = json!({"patient": {"mrn": format!("W{w}-{n}"), "name": format!("Writer {w} {n}"), "birth_date": "1970-01-01", "sex": "unknown"}, "question": "Q"});
                let res = send(&s, json_req("POST", "/api/v1/cases", body, Some(&c))).await;
                assert_eq!(res.status(), 201);
                let id = body_json(res).await["id"].as_str().unwrap().to_string();
                let mut patch = json_req("PATCH", &format!("/api/v1/cases/{id}"), json!({"question": "Q2"}), Some(&c));
                patch.headers_mut().insert("if-match", "\"1\"".parse().unwrap());
                assert_eq!(send(&s, patch).await.status(), 200);
                n += 1;
            }
            n
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.tbk");
    backup(&state.db, &source.url, &file).await.expect("online backup");
    // Writing goes on during and after the backup.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let mut written = 0;
    for w in writers {
        written += w.await.unwrap();
    }
    let after = fingerprint(&state.db).await.unwrap();
    assert!(written > 0 && after.cases as usize == written + 1);

    let target = TestDb::new();
    let restored = restore(&target.url, &file, false).await.expect("restore");
    assert!(restored.cases > 0, "the backup holds the cases written before it");
    assert!(restored.cases <= after.cases && restored.audit_rows <= after.audit_rows);
    let copy = state_for(&target).await;
    assert_eq!(fingerprint(&copy.db).await.unwrap(), restored);
    versions_match_cases(&copy.db).await;
    assert_eq!((restored.attachments, restored.attachment_bytes), (1, PDF.len() as i64));
    let res =
        send(&copy, req("GET", &format!("/api/v1/attachments/{doc}"), Some(&login(&copy, "cora", PW).await))).await;
    assert_eq!(res.status(), 200);
    assert_eq!(body_bytes(res).await, PDF, "the restored document is the uploaded one, byte for byte");
    if !source.is_postgres() {
        // SQLite: the backup file itself is a database; the restore equals it exactly.
        let copy_of_file = dir.path().join("snapshot.db");
        std::fs::copy(&file, &copy_of_file).unwrap();
        let snapshot = app::ssr::Db::connect(&format!("sqlite://{}", copy_of_file.display())).await.unwrap();
        assert_eq!(fingerprint(&snapshot).await.unwrap(), restored);
    }
    // The restored copy works: the same users log in.
    assert_eq!(
        send(&copy, json_req("POST", "/api/v1/login", json!({"username": "cora", "password": PW}), None))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn restore_never_replaces_data_silently() {
    let source = TestDb::new();
    let state = state_for(&source).await;
    add_user(&state, "cora", "coordinator", None).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.tbk");
    backup(&state.db, &source.url, &file).await.unwrap();
    assert!(
        matches!(backup(&state.db, &source.url, &file).await, Err(BackupError::TargetExists(_))),
        "no overwrite of a backup"
    );
    // Restoring over a database that holds data needs --force.
    assert!(matches!(restore(&source.url, &file, false).await, Err(BackupError::TargetNotEmpty)));
    assert!(matches!(restore(&source.url, &dir.path().join("nope"), true).await, Err(BackupError::Missing(_))));
    if !source.is_postgres() {
        state.db.close().await;
        restore(&source.url, &file, true).await.expect("forced restore");
        let kept = std::fs::read_dir(source.url.trim_start_matches("sqlite://").rsplit_once('/').unwrap().0)
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().contains(".before-restore-"));
        assert!(kept, "the replaced database is kept beside the restored one");
    } else {
        // PostgreSQL: the forced restore replaces the database's content with the backup's.
        add_user(&state, "extra", "reviewer", None).await;
        state.db.close().await;
        let restored = restore(&source.url, &file, true).await.expect("forced restore");
        assert_eq!(restored.users, 1, "the user added after the backup is gone");
    }
}

/// A backup taken by the version before the audit trail's case index (migration 0017) restores:
/// the copy is brought to this version's schema before its chain is checked, the index is built
/// from the rows, and "who saw patient X" finds the list reads of before the upgrade.
#[tokio::test]
async fn a_backup_from_before_the_audit_case_index_restores_with_its_index_built() {
    let source = TestDb::new();
    let state = state_for(&source).await;
    add_user(&state, "cora", "coordinator", None).await;
    let cookie = login(&state, "cora", PW).await;
    let body = json!({"patient": {"mrn": "OLD-1", "name": "Olga Older", "birth_date": "1970-01-01", "sex": "female"}, "question": "Q"});
    let id = body_json(send(&state, json_req("POST", "/api/v1/cases", body, Some(&cookie))).await).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(send(&state, req("GET", "/api/v1/cases", Some(&cookie))).await.status(), 200);
    // The schema as 0016 left it: the trigger (and on PostgreSQL its functions), the index table,
    // the new indexes, the two widened ones as they were, and the migration's record.
    let engine_only: &[&'static str] = match state.db.engine {
        app::ssr::Engine::Sqlite => &["DROP TRIGGER audit_log_cases", "DROP TABLE audit_cases"],
        app::ssr::Engine::Postgres => &[
            "DROP TRIGGER audit_log_cases ON audit_log",
            "DROP TABLE audit_cases",
            "DROP FUNCTION audit_log_index_cases()",
            "DROP FUNCTION audit_cases_append_only()",
        ],
    };
    let both = [
        "DROP INDEX audit_log_username",
        "DROP INDEX audit_log_action",
        "DROP INDEX audit_log_user",
        "CREATE INDEX audit_log_user ON audit_log (user_id)",
        "DROP INDEX audit_log_case",
        "CREATE INDEX audit_log_case ON audit_log (case_id)",
        "DELETE FROM _sqlx_migrations WHERE version = 17",
    ];
    // One connection: SQLite checks a DDL statement against the schema its connection has read.
    let mut conn = state.db.pool.acquire().await.unwrap();
    for &statement in engine_only.iter().chain(&both) {
        sqlx::query(statement).execute(&mut *conn).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    drop(conn);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("before-0017.tbk");
    backup(&state.db, &source.url, &file).await.expect("backup");
    let target = TestDb::new();
    let restored = restore(&target.url, &file, false).await.expect("a backup of the version before restores");
    let copy = state_for(&target).await;
    assert_eq!(fingerprint(&copy.db).await.unwrap(), restored);
    assert_eq!(
        app::ssr::audit::verify(&copy.db).await.unwrap(),
        app::ssr::audit::ChainCheck::Intact { rows: restored.audit_rows }
    );
    let q = app::domain::audit::AuditQuery { case_id: Some(id.clone()), ..Default::default() };
    let actions: Vec<String> =
        app::ssr::audit::query(&copy.db, &q).await.unwrap().into_iter().map(|r| r.action).collect();
    assert_eq!(actions, ["case.list", "case.create"], "the list read before the upgrade is found under its case");
}

#[tokio::test]
async fn a_file_that_is_not_a_backup_is_refused() {
    let target = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junk.tbk");
    std::fs::write(&file, b"not a database at all").unwrap();
    let err = restore(&target.url, &file, false).await.expect_err("junk restored");
    assert!(matches!(err, BackupError::Invalid(_) | BackupError::Tool { .. } | BackupError::Database(_)), "{err:?}");
    let message = err.to_string();
    assert!(!message.is_empty() && !message.contains("panicked"), "{message}");
}
