//! security.md DI-5: no acknowledged write is lost when the server is killed with SIGKILL.
//! The real `tumorboard` binary serves a SQLite database while writers post annotations;
//! it is killed at a random moment, several times over the same database. After each kill
//! every annotation that was answered 201 is there with its audit row and its live event,
//! `PRAGMA integrity_check` is ok and the audit hash chain verifies.
//! TB_CRASH_RUNS sets the number of kills (default 6).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::ssr::Db;
use app::ssr::audit::ChainCheck;

#[path = "support/raw_http.rs"]
mod raw_http;

const DEMO_PASSWORD: &str = "crash harness demo password";

fn http(
    addr: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(raw_http::request(addr, method, path, cookie, body).as_bytes())?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok((raw_http::status(&out), out))
}

fn json_body(response: &str) -> serde_json::Value {
    let body = &response[response.find("\r\n\r\n").map(|i| i + 4).unwrap_or(0)..];
    let (start, end) = (body.find(['{', '[']).unwrap(), body.rfind(['}', ']']).unwrap());
    serde_json::from_str(&body[start..=end]).unwrap()
}

fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

fn serve(url: &str, addr: &str) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tumorboard"))
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("LEPTOS_SITE_ADDR", addr)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start tumorboard");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if matches!(http(addr, "GET", "/healthz", None, None), Ok((200, _))) {
            return child;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not come up on {addr}");
}

/// A small deterministic pseudo-random sequence (no extra dependency).
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn no_acknowledged_annotation_is_lost_when_the_server_is_killed() {
    let runs: usize = std::env::var("TB_CRASH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(6);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/crash.db", dir.path().display());
    let demo = Command::new(env!("CARGO_BIN_EXE_tumorboard"))
        .arg("demo")
        .env("DATABASE_URL", &url)
        .env("TUMORBOARD_DEMO_PASSWORD", DEMO_PASSWORD)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));

    let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ std::process::id() as u64;
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut cookie = String::new();
    let mut case_id = String::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    for run in 0..runs {
        let addr = free_addr();
        let mut server = serve(&url, &addr);
        if cookie.is_empty() {
            // The session is stored in the database, so it outlives every kill.
            let login = serde_json::json!({"username": "surgeon", "password": DEMO_PASSWORD}).to_string();
            let (status, res) = http(&addr, "POST", "/api/v1/login", None, Some(&login)).unwrap();
            assert_eq!(status, 200, "{res}");
            let line = res.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).unwrap();
            cookie = line.split_once(':').unwrap().1.trim().split(';').next().unwrap().to_string();
            let (_, list) = http(&addr, "GET", "/api/v1/cases", Some(&cookie), None).unwrap();
            case_id = json_body(&list)[0]["id"].as_str().unwrap().to_string();
        }
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let (addr, cookie, stop, acked) = (addr.clone(), cookie.clone(), stop.clone(), acknowledged.clone());
                let path = format!("/api/v1/cases/{case_id}/annotations");
                std::thread::spawn(move || {
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let body =
                            serde_json::json!({"body": format!("run {run} writer {w} note {n}"), "kind": "assessment"})
                                .to_string();
                        match http(&addr, "POST", &path, Some(&cookie), Some(&body)) {
                            Ok((201, res)) => {
                                acked.lock().unwrap().push(json_body(&res)["id"].as_str().unwrap().to_string())
                            }
                            Ok((status, res)) if status != 0 => panic!("unexpected answer {status}: {res}"),
                            _ => {} // the server is gone: this write was never acknowledged
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(200 + next_random(&mut seed) % 700));
        server.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
        server.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.join().expect("writer");
        }

        let acked = acknowledged.lock().unwrap().clone();
        rt.block_on(async {
            let db = Db::connect(&url).await.unwrap();
            let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&db.pool).await.unwrap();
            assert_eq!(integrity, "ok", "run {run}");
            for id in &acked {
                let stored: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM annotation_versions WHERE annotation_id = $1 AND version = 1",
                )
                .bind(id)
                .fetch_one(&db.pool)
                .await
                .unwrap();
                let audited: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'annotation.create' AND target = $1",
                )
                .bind(id)
                .fetch_one(&db.pool)
                .await
                .unwrap();
                let announced: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_events WHERE ref_id = $1")
                    .bind(id)
                    .fetch_one(&db.pool)
                    .await
                    .unwrap();
                assert_eq!((stored, audited, announced), (1, 1, 1), "acknowledged annotation {id} after kill {run}");
            }
            assert!(matches!(app::ssr::audit::verify(&db).await.unwrap(), ChainCheck::Intact { .. }), "run {run}");
            db.close().await;
        });
        eprintln!("kill {run}: {} acknowledged annotations so far, all present", acked.len());
    }
    assert!(acknowledged.lock().unwrap().len() >= runs, "the writers wrote something");
}
