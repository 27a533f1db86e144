//! The command line as an operator uses it: the real `tumorboard` binary on a temp database.

use std::io::Write;
use std::process::{Command, Stdio};

fn tumorboard(db_url: &str, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tumorboard"))
        .args(args)
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tumorboard");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn temp_db() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    (dir, url)
}

#[test]
fn user_add_creates_the_first_admin_from_stdin() {
    let (_dir, url) = temp_db();
    let out = tumorboard(
        &url,
        &["user", "add", "--username", "root", "--role", "admin", "--password-stdin"],
        Some("a sturdy first admin passphrase\n"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created user root (admin)"));
    // The same username again is refused, naming the field.
    let out = tumorboard(
        &url,
        &["user", "add", "--username", "root", "--role", "admin", "--password-stdin"],
        Some("another sturdy passphrase"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("username: This username is taken."));
}

#[test]
fn user_add_refuses_a_weak_password_and_a_clinician_without_specialty() {
    let (_dir, url) = temp_db();
    let out = tumorboard(
        &url,
        &["user", "add", "--username", "anna", "--role", "clinician", "--password-stdin"],
        Some("Password1234"),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("password:") && err.contains("specialty:"), "{err}");
}

#[test]
fn demo_is_idempotent_and_prints_every_login() {
    let (_dir, url) = temp_db();
    for _ in 0..2 {
        let out = tumorboard(&url, &["demo"], None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        for user in
            ["admin", "coordinator", "surgeon", "oncologist", "radiologist", "pathologist", "nuclear", "reviewer"]
        {
            assert!(text.lines().any(|l| l.trim_start().starts_with(user)), "{user} missing in\n{text}");
        }
    }
    let out = tumorboard(&url, &["audit", "verify"], None);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));
}

#[test]
fn audit_verify_exits_non_zero_naming_the_first_bad_row() {
    let (dir, url) = temp_db();
    assert!(tumorboard(&url, &["demo"], None).status.success());
    // Tamper with row 3 behind the application's back (as someone with file access could).
    let path = dir.path().join("cli.db");
    let conn = Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DROP TRIGGER audit_log_no_update'); c.execute(\"UPDATE audit_log SET detail='nothing happened' WHERE seq=3\"); c.commit()")
        .arg(&path)
        .status()
        .unwrap();
    assert!(conn.success());
    let out = tumorboard(&url, &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("row 3"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let out = tumorboard("mysql://nowhere/db", &["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL must start with"));
}

#[test]
fn serve_reports_an_address_in_use() {
    let (_dir, url) = temp_db();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_tumorboard"))
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("LEPTOS_SITE_ADDR", &addr)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already in use"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unknown_commands_print_usage_and_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_tumorboard")).arg("launch").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage: tumorboard"));
}

#[test]
fn backup_and_restore_round_trip_through_the_command_line() {
    let (dir, url) = temp_db();
    assert!(tumorboard(&url, &["demo"], None).status.success());
    let file = dir.path().join("nightly.tbk");
    let out = tumorboard(&url, &["backup", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("backup written"));
    // Restoring over the live database needs --force …
    let out = tumorboard(&url, &["restore", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    // … into a new place it just works, and says what it restored.
    let other = format!("sqlite://{}/restored.db", dir.path().display());
    let out = tumorboard(&other, &["restore", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("13 cases") && text.contains("audit chain verified"), "{text}");
    assert!(tumorboard(&other, &["audit", "verify"], None).status.success());
}
