//! Live-event latency: from sending `POST /cases/{id}/annotations` to its event arriving at
//! each of 50 `GET /cases/{id}/events` subscribers, all over loopback TCP against the real
//! router: `cargo bench -p server --bench live`. Target (issue #7): p99 ≤ 100 ms.
//! Set TB_LIVE_POSTS to change the number of posts (default 200).

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::user::NewUser;
use app::ssr::auth::Passwords;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

#[path = "../tests/support/raw_http.rs"]
mod raw_http;
mod support;
use support::{PASSWORD, percentile};

const SUBSCRIBERS: usize = 50;

/// One HTTP/1.1 request over a fresh connection; returns (status, headers and body as text).
async fn http(addr: &str, method: &str, path: &str, cookie: Option<&str>, body: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(raw_http::request(addr, method, path, cookie, body).as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    (raw_http::status(&out), out)
}

async fn login(addr: &str, user: &str) -> String {
    let body = serde_json::json!({"username": user, "password": PASSWORD}).to_string();
    let (status, text) = http(addr, "POST", "/api/v1/login", None, Some(&body)).await;
    assert_eq!(status, 200, "{text}");
    let line = text.lines().find(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).unwrap();
    line.split_once(':').unwrap().1.trim().split(';').next().unwrap().to_string()
}

/// Follows the case and reports (seq, arrival time) of every event.
async fn subscriber(
    addr: String,
    path: String,
    cookie: String,
    ready: mpsc::Sender<()>,
    out: mpsc::UnboundedSender<(i64, Instant)>,
) {
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut lines = BufReader::new(s).lines();
    let mut signalled = false;
    while let Ok(Some(line)) = lines.next_line().await {
        if !signalled && line.starts_with(':') && line.contains("following") {
            signalled = true;
            ready.send(()).await.unwrap();
        }
        if let Some(id) = line.strip_prefix("id: ").or_else(|| line.strip_prefix("id:"))
            && let Ok(seq) = id.trim().parse()
        {
            let _ = out.send((seq, Instant::now()));
        }
    }
}

#[tokio::main]
async fn main() {
    let posts: usize = std::env::var("TB_LIVE_POSTS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    let (state, url) = support::state(&dir, Passwords::cheap_for_tests()).await;
    for (name, role, specialty) in [("coord", "coordinator", None), ("surg", "clinician", Some("surgery"))] {
        let new = NewUser {
            username: name.into(),
            role: role.into(),
            specialty: specialty.map(Into::into),
            password: PASSWORD.into(),
            ..Default::default()
        };
        app::ssr::users::create(&state, &app::ssr::users::cli_actor(), &new).await.unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let router = server::router(state);
    tokio::spawn(async move {
        // Served as the binary serves it (its socket options and timeouts).
        server::serve::serve(listener, router, std::future::pending()).await
    });

    let coord = login(&addr, "coord").await;
    let surg = login(&addr, "surg").await;
    let case = serde_json::json!({"patient": {"mrn": "B-1", "name": "Bench Mark", "birth_date": "1960-01-01", "sex": "male"}, "question": "Q"});
    let (status, text) = http(&addr, "POST", "/api/v1/cases", Some(&coord), Some(&case.to_string())).await;
    assert_eq!(status, 201, "{text}");
    let json = &text[text.find("\r\n\r\n").unwrap() + 4..];
    let json = &json[json.find('{').unwrap()..=json.rfind('}').unwrap()];
    let case_id = serde_json::from_str::<serde_json::Value>(json).unwrap()["id"].as_str().unwrap().to_string();

    let (ready_tx, mut ready_rx) = mpsc::channel(SUBSCRIBERS);
    let (arrive_tx, mut arrive_rx) = mpsc::unbounded_channel();
    let events_path = format!("/api/v1/cases/{case_id}/events");
    for _ in 0..SUBSCRIBERS {
        tokio::spawn(subscriber(addr.clone(), events_path.clone(), coord.clone(), ready_tx.clone(), arrive_tx.clone()));
    }
    for _ in 0..SUBSCRIBERS {
        ready_rx.recv().await.unwrap();
    }
    let note_path = format!("/api/v1/cases/{case_id}/annotations");
    let body = Arc::new(serde_json::json!({"body": "Resectable.", "kind": "assessment"}).to_string());
    let mut samples = Vec::with_capacity(posts * SUBSCRIBERS);
    let mut post_only = Vec::with_capacity(posts);
    let started = Instant::now();
    for _ in 0..posts {
        let t0 = Instant::now();
        let (status, text) = http(&addr, "POST", &note_path, Some(&surg), Some(&body)).await;
        assert_eq!(status, 201, "{text}");
        post_only.push(t0.elapsed());
        let mut got = 0;
        while got < SUBSCRIBERS {
            let (_, at) =
                tokio::time::timeout(Duration::from_secs(30), arrive_rx.recv()).await.expect("event arrives").unwrap();
            samples.push(at - t0);
            got += 1;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let total = started.elapsed();
    samples.sort();
    post_only.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("engine: {}", support::engine(&url));
    println!(
        "POST answered          n={:<6} p50={:>6.1} ms  p95={:>6.1} ms  p99={:>6.1} ms  max={:>6.1} ms",
        post_only.len(),
        ms(percentile(&post_only, 0.5)),
        ms(percentile(&post_only, 0.95)),
        ms(percentile(&post_only, 0.99)),
        ms(*post_only.last().unwrap())
    );
    println!(
        "POST → arrival at {SUBSCRIBERS}    n={:<6} p50={:>6.1} ms  p95={:>6.1} ms  p99={:>6.1} ms  max={:>6.1} ms  (target p99 ≤ 100 ms)",
        samples.len(),
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.95)),
        ms(percentile(&samples, 0.99)),
        ms(*samples.last().unwrap())
    );
    println!("{posts} posts in {:.1} s", total.as_secs_f64());
}
