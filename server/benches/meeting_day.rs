//! A meeting day under load (issue 17): 200 logged-in users open case pages, agendas and case
//! lists, post annotations and save plans, while 50 live subscribers follow cases, all against
//! the real router over loopback TCP with keep-alive connections, as browsers make them.
//!
//! `cargo bench -p server --bench meeting_day` (SQLite in a temporary directory); with
//! `TB_BENCH_DATABASE_URL=postgres://…/db` on PostgreSQL (an empty database it may fill).
//! Open loop: requests start at a fixed rate whether or not earlier ones have answered, so a
//! slow server shows as latency, never as a politely lower rate. Reports, per request kind,
//! the count, errors and p50/p95/p99/max, and the rate achieved. Settings: `TB_LOAD_RATE`
//! (requests per second, default 300), `TB_LOAD_SECS` (default 30), `TB_LOAD_USERS` (200),
//! `TB_LOAD_SUBSCRIBERS` (50). Target on 2 cores: 300 req/s, p99 ≤ 50 ms for reads and ≤ 100
//! ms for writes, no errors. Results are written down in BENCHMARKS.md, never asserted in tests.
//!
//! Passwords are hashed with the tests' cheap parameters so that setting up 200 users takes
//! seconds; logins are measured by the `login` bench.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use app::domain::user::NewUser;
use app::ssr::auth::Passwords;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

mod support;
use support::{PASSWORD, percentile};

const SPECIALTIES: [&str; 6] =
    ["surgery", "medical_oncology", "radiology", "pathology", "nuclear_medicine", "gastroenterology"];
/// Cases on the day's agenda.
const CASES: usize = 40;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Keep-alive HTTP/1.1 connections to the server, reused like a browser's.
struct Client {
    addr: String,
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
}

struct Answer {
    status: u16,
    body: Bytes,
    etag: Option<String>,
}

impl Client {
    async fn connect(&self) -> SendRequest<Full<Bytes>> {
        let stream = TcpStream::connect(&self.addr).await.expect("connect");
        stream.set_nodelay(true).unwrap();
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
        tokio::spawn(conn);
        sender
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        cookie: &str,
        body: Option<String>,
        if_match: Option<i64>,
    ) -> Answer {
        let mut sender = loop {
            let pooled = self.idle.lock().await.pop();
            match pooled {
                Some(mut s) => {
                    if s.ready().await.is_ok() {
                        break s;
                    }
                }
                None => break self.connect().await,
            }
        };
        let mut req = hyper::Request::builder().method(method).uri(path).header("host", &self.addr);
        if !cookie.is_empty() {
            req = req.header("cookie", cookie);
        }
        if let Some(v) = if_match {
            req = req.header("if-match", format!("\"{v}\""));
        }
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req.body(Full::new(Bytes::from(body.unwrap_or_default()))).unwrap();
        let res = match sender.send_request(req).await {
            Ok(r) => r,
            Err(_) => return Answer { status: 0, body: Bytes::new(), etag: None },
        };
        let status = res.status().as_u16();
        let etag = res.headers().get("etag").and_then(|v| v.to_str().ok()).map(|s| s.trim_matches('"').to_string());
        let body = res.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        self.idle.lock().await.push(sender);
        Answer { status, body, etag }
    }
}

fn json_of(a: &Answer) -> Value {
    serde_json::from_slice(&a.body).unwrap_or(Value::Null)
}

/// What a request is, for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    CasePageHtml,
    CasePageData,
    CaseApi,
    Agenda,
    CaseList,
    PostAnnotation,
    SavePlan,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::CasePageHtml => "GET  /cases/{id} (page, SSR)",
            Kind::CasePageData => "POST /sfn/cases/page (page data)",
            Kind::CaseApi => "GET  /api/v1/cases/{id}",
            Kind::Agenda => "GET  /api/v1/meetings/{id}",
            Kind::CaseList => "GET  /api/v1/cases",
            Kind::PostAnnotation => "POST annotation (write)",
            Kind::SavePlan => "PUT  plan, If-Match (write)",
        }
    }

    fn is_write(self) -> bool {
        matches!(self, Kind::PostAnnotation | Kind::SavePlan)
    }

    /// The day's mix, out of 100: mostly reading, a fifth writing.
    fn pick(n: usize) -> Kind {
        match n % 100 {
            0..35 => Kind::CasePageHtml,
            35..50 => Kind::CasePageData,
            50..62 => Kind::CaseApi,
            62..72 => Kind::Agenda,
            72..80 => Kind::CaseList,
            80..92 => Kind::PostAnnotation,
            _ => Kind::SavePlan,
        }
    }
}

struct User {
    cookie: String,
    clinician: bool,
}

struct Day {
    client: Client,
    users: Vec<User>,
    cases: Vec<String>,
    meeting: String,
    first_option: String,
    /// Each case's plan version; one writer per plan at a time, as in the room.
    plans: Vec<Mutex<Option<i64>>>,
}

impl Day {
    async fn run(&self, kind: Kind, n: usize) -> (u16, Duration) {
        let case = &self.cases[n % self.cases.len()];
        let t0 = Instant::now();
        let status = match kind {
            Kind::CasePageHtml => self.get(&format!("/cases/{case}"), n).await,
            Kind::CasePageData => {
                let body = json!({"id": case}).to_string();
                self.client.send("POST", "/sfn/cases/page", self.user(n, false), Some(body), None).await.status
            }
            Kind::CaseApi => self.get(&format!("/api/v1/cases/{case}"), n).await,
            Kind::Agenda => self.get(&format!("/api/v1/meetings/{}", self.meeting), n).await,
            Kind::CaseList => self.get("/api/v1/cases", n).await,
            Kind::PostAnnotation => {
                let body =
                    json!({"kind": "assessment", "body": format!("Note {n}: discussed with the team.")}).to_string();
                let path = format!("/api/v1/cases/{case}/annotations");
                self.client.send("POST", &path, self.user(n, true), Some(body), None).await.status
            }
            Kind::SavePlan => {
                let i = n % self.cases.len();
                let mut version = self.plans[i].lock().await;
                let body = json!({"options": [self.first_option], "rationale": format!("Plan revision {n}.")});
                let path = format!("/api/v1/cases/{case}/plan");
                let a = self.client.send("PUT", &path, self.user(n, false), Some(body.to_string()), *version).await;
                if let Some(v) = a.etag.as_deref().and_then(|e| e.parse().ok()) {
                    *version = Some(v);
                }
                a.status
            }
        };
        (status, t0.elapsed())
    }

    async fn get(&self, path: &str, n: usize) -> u16 {
        self.client.send("GET", path, self.user(n, false), None, None).await.status
    }

    /// The n-th request's user: any user, or a clinician where only a clinician may act.
    fn user(&self, n: usize, clinician: bool) -> &str {
        let mut i = n.wrapping_mul(7919) % self.users.len();
        while clinician && !self.users[i].clinician {
            i = (i + 1) % self.users.len();
        }
        &self.users[i].cookie
    }
}

async fn login(client: &Client, user: &str) -> String {
    let body = json!({"username": user, "password": PASSWORD}).to_string();
    let mut stream = TcpStream::connect(&client.addr).await.unwrap();
    let req = format!(
        "POST /api/v1/login HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        client.addr,
        body.len()
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.to_ascii_lowercase().starts_with("set-cookie:") {
            return line.split_once(':').unwrap().1.trim().split(';').next().unwrap().to_string();
        }
    }
    panic!("no session cookie for {user}");
}

/// Follows a case's live events until the run ends; counts what arrives.
async fn subscriber(addr: String, path: String, cookie: String, events: Arc<AtomicUsize>) {
    let Ok(mut s) = TcpStream::connect(&addr).await else { return };
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n");
    if s.write_all(req.as_bytes()).await.is_err() {
        return;
    }
    let mut lines = BufReader::new(s).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.starts_with("id:") {
            events.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn case_body(i: usize) -> Value {
    json!({
        "patient": {"mrn": format!("DAY-{i:03}"), "name": format!("Patient Day{i:03}"), "birth_date": "1958-04-02", "sex": if i.is_multiple_of(2) { "female" } else { "male" }},
        "question": "Resection or surveillance?",
        "referring_clinician": "Dr. Referrer",
        "history": "Incidental finding on CT; no symptoms.",
        "tumor": {"primary_site": "pancreas", "grade": "G2", "ki67_percent": 6, "differentiation": "well", "tumor_size_mm": 35,
                  "t_stage": "T2", "n_stage": "N0", "m_stage": "M0", "liver_burden": "none", "functional_syndrome": "none",
                  "sstr_imaging": "positive", "ecog": 0}
    })
}

#[tokio::main]
async fn main() {
    let rate = env_or("TB_LOAD_RATE", 300).max(1);
    let secs = env_or("TB_LOAD_SECS", 30).max(1);
    let n_users = env_or("TB_LOAD_USERS", 200).max(2);
    let n_subscribers = env_or("TB_LOAD_SUBSCRIBERS", 50);
    let dir = tempfile::tempdir().unwrap();
    let (state, url) = support::state(&dir, Passwords::cheap_for_tests()).await;
    // A fifth coordinators, the rest clinicians of the NET board's specialties.
    let mut names = Vec::new();
    for i in 0..n_users {
        let (role, specialty) = if i.is_multiple_of(5) {
            ("coordinator", None)
        } else {
            ("clinician", Some(SPECIALTIES[i % SPECIALTIES.len()]))
        };
        let new = NewUser {
            username: format!("user{i:03}"),
            role: role.into(),
            specialty: specialty.map(Into::into),
            password: PASSWORD.into(),
            ..Default::default()
        };
        app::ssr::users::create(&state, &app::ssr::users::cli_actor(), &new).await.unwrap();
        names.push((new.username, role == "clinician"));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let router = server::router(state);
    tokio::spawn(async move {
        // Served as the binary serves it (its socket options and timeouts).
        server::serve::serve(listener, router, std::future::pending()).await
    });
    let client = Client { addr: addr.clone(), idle: Mutex::new(Vec::new()) };
    let mut users = Vec::new();
    for (name, clinician) in &names {
        users.push(User { cookie: login(&client, name).await, clinician: *clinician });
    }

    // The day's board: cases, a meeting with all of them on the agenda, a plan for each.
    let coord = users[0].cookie.clone();
    let m = json!({"title": "NET board", "starts_at": "2030-01-10T14:00", "location": "Room 4"});
    let a = client.send("POST", "/api/v1/meetings", &coord, Some(m.to_string()), None).await;
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    let meeting = json_of(&a)["id"].as_str().unwrap().to_string();
    let mut cases = Vec::new();
    for i in 0..CASES {
        let a = client.send("POST", "/api/v1/cases", &coord, Some(case_body(i).to_string()), None).await;
        assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
        let id = json_of(&a)["id"].as_str().unwrap().to_string();
        let agenda = json!({"case_id": id}).to_string();
        let a = client.send("POST", &format!("/api/v1/meetings/{meeting}/agenda"), &coord, Some(agenda), None).await;
        assert!(a.status < 300, "{}", String::from_utf8_lossy(&a.body));
        cases.push(id);
    }
    let proposal = client.send("GET", &format!("/api/v1/cases/{}/proposal", cases[0]), &coord, None, None).await;
    let first_option = json_of(&proposal)["options"][0]["code"].as_str().unwrap().to_string();
    let day = Arc::new(Day {
        client,
        users,
        cases,
        meeting,
        first_option,
        plans: (0..CASES).map(|_| Mutex::new(None)).collect(),
    });

    let events = Arc::new(AtomicUsize::new(0));
    for i in 0..n_subscribers {
        let path = format!("/api/v1/cases/{}/events", day.cases[i % CASES]);
        let cookie = day.users[i % day.users.len()].cookie.clone();
        tokio::spawn(subscriber(addr.clone(), path, cookie, events.clone()));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Warm up (connections, caches), then the measured run.
    for n in 0..200 {
        day.run(Kind::pick(n * 37), n).await;
    }
    let total = rate * secs;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    for n in 0..total {
        tick.tick().await;
        let (day, tx) = (day.clone(), tx.clone());
        // 37 is prime to 100: consecutive requests walk through the whole mix.
        let kind = Kind::pick(n * 37);
        tokio::spawn(async move {
            let (status, took) = day.run(kind, n + 1000).await;
            let _ = tx.send((kind, status, took));
        });
    }
    drop(tx);
    let mut by_kind: BTreeMap<Kind, (Vec<Duration>, Vec<u16>)> = BTreeMap::new();
    while let Some((kind, status, took)) = rx.recv().await {
        let entry = by_kind.entry(kind).or_default();
        entry.0.push(took);
        if !(200..300).contains(&status) {
            entry.1.push(status);
        }
    }
    let elapsed = started.elapsed();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "engine: {}; {n_users} users, {n_subscribers} live subscribers, {CASES} cases on the agenda",
        support::engine(&url)
    );
    println!(
        "{total} requests in {:.1} s: {:.0} req/s achieved (asked {rate} req/s for {secs} s)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    println!(
        "{:<34} {:>6} {:>6} {:>8} {:>8} {:>8} {:>8}",
        "request", "n", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let mut all_reads = Vec::new();
    let mut all_writes = Vec::new();
    let mut errors = 0;
    for (kind, (mut times, failed)) in by_kind {
        times.sort();
        println!(
            "{:<34} {:>6} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
            kind.label(),
            times.len(),
            failed.len(),
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95)),
            ms(percentile(&times, 0.99)),
            ms(*times.last().unwrap())
        );
        if !failed.is_empty() {
            println!("    statuses of the errors: {:?}", &failed[..failed.len().min(10)]);
        }
        errors += failed.len();
        if kind.is_write() { all_writes.extend(times) } else { all_reads.extend(times) }
    }
    all_reads.sort();
    all_writes.sort();
    println!(
        "all reads  p99 {:.1} ms (target ≤ 50); all writes p99 {:.1} ms (target ≤ 100); errors {errors}; live events delivered {}",
        ms(percentile(&all_reads, 0.99)),
        ms(percentile(&all_writes, 0.99)),
        events.load(Ordering::Relaxed)
    );
}
