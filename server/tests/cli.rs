//! The command line as an operator uses it: the real `tumorboard` binary on a temp database.

mod common;
#[path = "support/raw_http.rs"]
mod raw_http;

use std::io::Write;
use std::process::{Command, Stdio};

fn tumorboard(db_url: &str, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    tumorboard_with(db_url, args, stdin, &[])
}

fn tumorboard_with(db_url: &str, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tumorboard"))
        .args(args)
        .envs(env.iter().copied())
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
fn user_add_puts_the_user_on_the_boards_named() {
    let (_dir, url) = temp_db();
    // The demo makes two boards, so a new user joins only what is named.
    let demo = tumorboard(&url, &["demo"], None);
    assert!(demo.status.success(), "demo failed: {}", String::from_utf8_lossy(&demo.stderr));
    let add = |name: &str, boards: &[&str]| {
        let mut args = vec!["user", "add", "--username", name, "--role", "clinician", "--specialty", "pathology"];
        for b in boards {
            args.extend(["--board", b]);
        }
        args.push("--password-stdin");
        tumorboard(&url, &args, Some("a sturdy passphrase for boards\n"))
    };
    let out = add("ana", &["liver and pancreas board (demo)"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = add("ben", &["No such board"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("There is no board named \"No such board\""));
    let boards_of = |name: &'static str| {
        common::state_blocking(&url, move |state| async move {
            let id: String = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                .bind(name)
                .fetch_one(&state.db.pool)
                .await
                .unwrap();
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT b.name FROM board_members m JOIN boards b ON b.id = m.board_id WHERE m.user_id = $1",
            )
            .bind(id)
            .fetch_all(&state.db.pool)
            .await
            .unwrap();
            names
        })
    };
    assert_eq!(boards_of("ana"), ["Liver and pancreas board (demo)"]);
    let ben: Option<String> = common::state_blocking(&url, |state| async move {
        sqlx::query_scalar("SELECT id FROM users WHERE username = 'ben'").fetch_optional(&state.db.pool).await.unwrap()
    });
    assert!(ben.is_none(), "nothing is created when a board is unknown");
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
fn demo_with_a_weak_fixed_password_names_the_setting_and_changes_nothing() {
    let (dir, url) = temp_db();
    // Refused for every demo user: too short, and (for the second) containing a username.
    for (password, message) in [
        ("short", "TUMORBOARD_DEMO_PASSWORD: Use at least 12 characters (5 so far)."),
        ("coordinator-2026", "TUMORBOARD_DEMO_PASSWORD: The password must not contain the username."),
    ] {
        let out = tumorboard_with(&url, &["demo"], None, &[("TUMORBOARD_DEMO_PASSWORD", password)]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("the demo could not be loaded"), "{err}");
        assert!(err.contains(message), "{err}");
    }
    // Nothing was written: no user, no board renamed, no audit row.
    let counts = Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print([c.execute(q).fetchone()[0] for q in ('SELECT COUNT(*) FROM users', \"SELECT COUNT(*) FROM boards WHERE name LIKE '%demo%'\", 'SELECT COUNT(*) FROM audit_log')])")
        .arg(dir.path().join("cli.db"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&counts.stdout).trim(),
        "[0, 0, 0]",
        "{}",
        String::from_utf8_lossy(&counts.stderr)
    );
    let out = tumorboard(&url, &["demo"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Demo board loaded (14 new synthetic cases)"));
}

#[test]
fn audit_verify_exits_non_zero_naming_the_first_bad_row() {
    let (dir, url) = temp_db();
    let demo = tumorboard(&url, &["demo"], None);
    assert!(demo.status.success(), "demo failed: {}", String::from_utf8_lossy(&demo.stderr));
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
    let demo = tumorboard(&url, &["demo"], None);
    assert!(demo.status.success(), "demo failed: {}", String::from_utf8_lossy(&demo.stderr));
    let file = dir.path().join("nightly.tbk");
    let out = tumorboard(&url, &["backup", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("backup written") && said.contains("the bytes of all 2 attachments included"), "{said}");
    // Restoring over the live database needs --force …
    let out = tumorboard(&url, &["restore", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    // … into a new place it just works, and says what it restored.
    let other = format!("sqlite://{}/restored.db", dir.path().display());
    let out = tumorboard(&other, &["restore", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("14 cases") && text.contains("2 attachments (3052 bytes; 0 of them"), "{text}");
    assert!(text.contains("audit chain and the SHA-256 of every attachment in the file verified"), "{text}");
    assert!(tumorboard(&other, &["audit", "verify"], None).status.success());
}

#[test]
fn demo_refuses_a_database_with_real_accounts_and_never_touches_one() {
    let (_dir, url) = temp_db();
    // A real account that happens to have a demo username.
    let out = tumorboard(
        &url,
        &[
            "user",
            "add",
            "--username",
            "coordinator",
            "--role",
            "coordinator",
            "--display-name",
            "Real Cora",
            "--password-stdin",
        ],
        Some("the real one's own long passphrase"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = tumorboard(&url, &["demo"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 real user account") && err.contains("--force"), "{err}");
    // With --force the demo loads beside it, and the real account is left alone.
    let out = tumorboard(&url, &["demo", "--force"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("coordinator ")),
        "no demo login for a real name:\n{text}"
    );
    assert!(text.lines().any(|l| l.trim_start().starts_with("surgeon ")), "{text}");
    let server = common::state_blocking(&url, |state| async move {
        let row: (String, i64) = sqlx::query_as("SELECT display_name, demo FROM users WHERE username = 'coordinator'")
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
        let ok = app::ssr::auth::login(&state, "coordinator", "the real one's own long passphrase".into(), "cli", None)
            .await
            .is_ok();
        (row, ok)
    });
    assert_eq!(server, (("Real Cora".to_string(), 0), true), "display name, flag and password unchanged");
    // Demo users never join a real board: the demo brings boards of its own.
    let (on_real, boards): (i64, Vec<String>) = common::state_blocking(&url, |state| async move {
        let on_real = sqlx::query_scalar(
            "SELECT COUNT(*) FROM board_members m JOIN users u ON u.id = m.user_id WHERE u.demo = 1 AND m.board_id = $1",
        )
        .bind(app::domain::board::FIRST_BOARD_ID)
        .fetch_one(&state.db.pool)
        .await
        .unwrap();
        let boards =
            sqlx::query_scalar("SELECT name FROM boards ORDER BY name_key").fetch_all(&state.db.pool).await.unwrap();
        (on_real, boards)
    });
    assert_eq!(on_real, 0);
    assert_eq!(boards, ["Liver and pancreas board (demo)", "NET board (demo)", "Tumor board"]);
}

#[test]
fn serve_refuses_settings_it_cannot_use_with_a_clear_message() {
    let (_dir, url) = temp_db();
    for (name, value, said) in [
        ("TUMORBOARD_SESSION_IDLE_SECS", "99999999999999", "whole number of seconds"),
        ("TUMORBOARD_SESSION_MAX_SECS", "0", "whole number of seconds"),
        ("TUMORBOARD_TIME_ZONE", "Europe/Berln", "\"Europe/Berln\" is not a time zone this server knows"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_tumorboard"))
            .arg("serve")
            .env("DATABASE_URL", &url)
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env(name, value)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(name) && err.contains(said) && !err.contains("panicked"), "{err}");
    }
}

#[test]
fn plan_verify_passes_on_intact_signatures_and_names_an_edited_plan() {
    let (dir, url) = temp_db();
    let case_id = common::state_blocking(&url, |state| async move { common::signed_plan(&state).await });
    let out = tumorboard(&url, &["plan", "verify"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 signatures match"));
    let path = dir.path().join("cli.db");
    let edit = Command::new("python3")
        .arg("-c")
        .arg("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DROP TRIGGER plans_locked_when_signed'); c.execute(\"UPDATE plans SET content=replace(content,'Resect.','Watch.')\"); c.commit()")
        .arg(&path)
        .status()
        .unwrap();
    assert!(edit.success());
    let out = tumorboard(&url, &["plan", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&case_id) && err.contains("does NOT verify"), "{err}");
}

#[test]
fn serve_closes_a_connection_whose_request_headers_never_finish() {
    use std::io::Read;
    let (_dir, url) = temp_db();
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let mut server = Command::new(env!("CARGO_BIN_EXE_tumorboard"))
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("LEPTOS_SITE_ADDR", &addr)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut stream = loop {
        match std::net::TcpStream::connect(&addr) {
            Ok(s) => break s,
            Err(_) if started.elapsed() < std::time::Duration::from_secs(20) => {
                std::thread::sleep(std::time::Duration::from_millis(100))
            }
            Err(e) => panic!("server did not start: {e}"),
        }
    };
    // Half a request, then silence (a slow-loris client).
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let sent = std::time::Instant::now();
    let mut buf = Vec::new();
    let read = stream.read_to_end(&mut buf);
    let waited = sent.elapsed();
    server.kill().ok();
    server.wait().ok();
    assert!(read.is_ok(), "the server did not close the connection: {read:?}");
    assert!(waited < std::time::Duration::from_secs(20), "closed only after {waited:?}");
    let text = String::from_utf8_lossy(&buf);
    assert!(text.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
}

#[test]
fn sigterm_ends_open_event_streams_so_the_server_stops_without_waiting_out_the_grace_period() {
    use std::io::Read;
    let (_dir, url) = temp_db();
    let demo = Command::new(env!("CARGO_BIN_EXE_tumorboard"))
        .arg("demo")
        .env("DATABASE_URL", &url)
        .env("TUMORBOARD_DEMO_PASSWORD", "a demo password for the shutdown test")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let server = Command::new(env!("CARGO_BIN_EXE_tumorboard"))
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("LEPTOS_SITE_ADDR", &addr)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let call = |method: &str, path: &str, cookie: Option<&str>, body: Option<&str>| -> String {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.write_all(raw_http::request(&addr, method, path, cookie, body).as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "server did not start");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let login = call(
        "POST",
        "/api/v1/login",
        None,
        Some(r#"{"username":"surgeon","password":"a demo password for the shutdown test"}"#),
    );
    let cookie = login
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let cases = call("GET", "/api/v1/cases", Some(&cookie), None);
    let case_id = cases.split("\"id\":\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a case id");

    // A viewer follows the case: the stream stays open until something ends it.
    let mut viewer = std::net::TcpStream::connect(&addr).unwrap();
    viewer
        .write_all(
            raw_http::request(&addr, "GET", &format!("/api/v1/cases/{case_id}/events"), Some(&cookie), None).as_bytes(),
        )
        .unwrap();
    let mut first = [0u8; 12];
    viewer.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    let term = Command::new("kill").arg("-TERM").arg(server.id().to_string()).status().unwrap();
    assert!(term.success());
    viewer.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let mut rest = Vec::new();
    assert!(viewer.read_to_end(&mut rest).is_ok(), "the event stream was not ended by the shutdown");
    let out = server.wait_with_output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{log}");
    assert!(log.contains("shutting down"), "{log}");
    assert!(!log.contains("still open after the shutdown grace period"), "{log}");
}
