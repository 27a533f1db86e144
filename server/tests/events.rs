//! Live case events over Server-Sent Events: several subscribers each get every change in
//! commit order, a reconnect with Last-Event-ID (or `?after=` from the case read) misses
//! nothing, access is checked and audited, and on PostgreSQL an event written through one app
//! instance reaches a viewer on another (LISTEN/NOTIFY).

mod common;

use std::time::Duration;

use axum::body::Body;
use common::*;
use http_body_util::BodyExt;
use serde_json::{Value, json};

/// Reads `text/event-stream` events (id and data) from a streaming response body.
struct SseReader {
    body: Body,
    buf: String,
}

impl SseReader {
    fn new(res: axum::http::Response<Body>) -> SseReader {
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        SseReader { body: res.into_body(), buf: String::new() }
    }

    /// The next event with data, or None after `wait` without one.
    async fn next(&mut self, wait: Duration) -> Option<(i64, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut id = None;
                let mut data = None;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = serde_json::from_str(v.trim()).ok();
                    }
                }
                if let (Some(id), Some(data)) = (id, data) {
                    return Some((id, data));
                }
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame()).await.ok()??.ok()?;
            if let Ok(bytes) = frame.into_data() {
                self.buf.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
}

const WAIT: Duration = Duration::from_secs(10);

struct Board {
    state: app::ssr::AppState,
    db: TestDb,
    case_id: String,
    cora: String,
    surgeon: String,
    radiologist: String,
}

async fn board() -> Board {
    board_on(TestDb::new()).await
}

async fn board_on(db: TestDb) -> Board {
    let state = state_for(&db).await;
    add_user(&state, "cora", "coordinator", None).await;
    add_user(&state, "sam", "clinician", Some("surgery")).await;
    add_user(&state, "rui", "clinician", Some("radiology")).await;
    let cora = login(&state, "cora", PW).await;
    let body = json!({"patient": {"mrn": "E-1", "name": "Eve Ents", "birth_date": "1960-01-01", "sex": "female"}, "question": "Q"});
    let res = send(&state, json_req("POST", "/api/v1/cases", body, Some(&cora))).await;
    let case_id = body_json(res).await["id"].as_str().unwrap().to_string();
    let surgeon = login(&state, "sam", PW).await;
    let radiologist = login(&state, "rui", PW).await;
    Board { state, db, case_id, cora, surgeon, radiologist }
}

fn subscribe_req(
    case_id: &str,
    cookie: &str,
    last_event_id: Option<i64>,
    after: Option<i64>,
) -> axum::http::Request<Body> {
    let path = match after {
        Some(a) => format!("/api/v1/cases/{case_id}/events?after={a}"),
        None => format!("/api/v1/cases/{case_id}/events"),
    };
    let mut r = req("GET", &path, Some(cookie));
    if let Some(id) = last_event_id {
        r.headers_mut().insert("last-event-id", id.to_string().parse().unwrap());
    }
    r
}

async fn subscribe(state: &app::ssr::AppState, case_id: &str, cookie: &str) -> SseReader {
    SseReader::new(send(state, subscribe_req(case_id, cookie, None, None)).await)
}

async fn annotate(state: &app::ssr::AppState, case_id: &str, cookie: &str, text: &str) -> Value {
    let res = send(
        state,
        json_req(
            "POST",
            &format!("/api/v1/cases/{case_id}/annotations"),
            json!({"body": text, "kind": "assessment"}),
            Some(cookie),
        ),
    )
    .await;
    assert_eq!(res.status(), 201);
    body_json(res).await
}

#[tokio::test]
async fn several_subscribers_each_receive_every_change_in_commit_order() {
    let b = board().await;
    let mut viewers = vec![
        subscribe(&b.state, &b.case_id, &b.cora).await,
        subscribe(&b.state, &b.case_id, &b.surgeon).await,
        subscribe(&b.state, &b.case_id, &b.radiologist).await,
    ];
    let note = annotate(&b.state, &b.case_id, &b.surgeon, "Resectable.").await;
    let note_id = note["id"].as_str().unwrap();
    let mut amend = json_req(
        "PATCH",
        &format!("/api/v1/annotations/{note_id}"),
        json!({"body": "Resectable after review.", "kind": "assessment"}),
        Some(&b.surgeon),
    );
    amend.headers_mut().insert("if-match", "\"1\"".parse().unwrap());
    assert_eq!(send(&b.state, amend).await.status(), 200);
    let mut edit = json_req(
        "PATCH",
        &format!("/api/v1/cases/{}", b.case_id),
        json!({"history": "Flushing since 2024."}),
        Some(&b.cora),
    );
    edit.headers_mut().insert("if-match", "\"1\"".parse().unwrap());
    assert_eq!(send(&b.state, edit).await.status(), 200);

    for viewer in &mut viewers {
        let mut got = Vec::new();
        for _ in 0..3 {
            let (id, data) = viewer.next(WAIT).await.expect("an event within the wait");
            assert_eq!(data["seq"], id);
            got.push((id, data["kind"].as_str().unwrap().to_string(), data["ref_id"].as_str().unwrap().to_string()));
        }
        assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "in order: {got:?}");
        let kinds: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(kinds, ["annotation.create", "annotation.amend", "case.update"]);
        assert_eq!(got[0].2, note_id);
        assert_eq!(got[2].2, b.case_id);
        // Nothing else: events name what changed, and only this case's changes arrive.
        assert!(viewer.next(Duration::from_millis(300)).await.is_none());
    }
}

#[tokio::test]
async fn events_of_other_cases_do_not_reach_a_viewer() {
    let b = board().await;
    let body = json!({"patient": {"mrn": "E-2", "name": "Other Case", "birth_date": "1970-01-01", "sex": "male"}, "question": "Q"});
    let other = body_json(send(&b.state, json_req("POST", "/api/v1/cases", body, Some(&b.cora))).await).await;
    let other_id = other["id"].as_str().unwrap();
    let mut viewer = subscribe(&b.state, &b.case_id, &b.radiologist).await;
    annotate(&b.state, other_id, &b.surgeon, "Not this case.").await;
    annotate(&b.state, &b.case_id, &b.surgeon, "This case.").await;
    let (_, data) = viewer.next(WAIT).await.unwrap();
    assert_eq!(data["kind"], "annotation.create");
    assert!(viewer.next(Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_resumes_without_losing_events() {
    let b = board().await;
    let mut viewer = subscribe(&b.state, &b.case_id, &b.radiologist).await;
    annotate(&b.state, &b.case_id, &b.surgeon, "First.").await;
    let (first, _) = viewer.next(WAIT).await.unwrap();
    drop(viewer); // the connection drops
    annotate(&b.state, &b.case_id, &b.surgeon, "Second, while disconnected.").await;
    annotate(&b.state, &b.case_id, &b.surgeon, "Third, while disconnected.").await;
    let mut again = SseReader::new(send(&b.state, subscribe_req(&b.case_id, &b.radiologist, Some(first), None)).await);
    let (second, _) = again.next(WAIT).await.expect("the second event");
    let (third, _) = again.next(WAIT).await.expect("the third event");
    assert!(first < second && second < third);
    assert!(again.next(Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn a_viewer_starting_from_the_case_it_read_misses_nothing() {
    let b = board().await;
    let case = body_json(get_with(&b.state, &format!("/api/v1/cases/{}", b.case_id), &b.radiologist).await).await;
    let seen = case["live_seq"].as_i64().expect("live_seq on the case");
    // A change lands between reading the case and subscribing.
    annotate(&b.state, &b.case_id, &b.surgeon, "Posted in between.").await;
    let mut viewer = SseReader::new(send(&b.state, subscribe_req(&b.case_id, &b.radiologist, None, Some(seen))).await);
    let (id, data) = viewer.next(WAIT).await.expect("the change made in between");
    assert!(id > seen);
    assert_eq!(data["kind"], "annotation.create");
}

/// A viewer that missed more than one batch of events catches up on all of them at once: the
/// stream reads again while a read came back full (`events::BATCH`), without waiting for a
/// new event.
#[tokio::test]
async fn a_viewer_that_missed_more_than_a_batch_catches_up_on_every_event() {
    let b = board().await;
    let case = body_json(get_with(&b.state, &format!("/api/v1/cases/{}", b.case_id), &b.radiologist).await).await;
    let seen = case["live_seq"].as_i64().expect("live_seq on the case");
    let missed = app::ssr::events::BATCH as usize + 5;
    for n in 0..missed {
        annotate(&b.state, &b.case_id, &b.surgeon, &format!("Note {n}.")).await;
    }
    let mut viewer = SseReader::new(send(&b.state, subscribe_req(&b.case_id, &b.radiologist, None, Some(seen))).await);
    let mut ids = Vec::new();
    while let Some((id, data)) = viewer.next(Duration::from_millis(500)).await {
        assert_eq!(data["kind"], "annotation.create");
        ids.push(id);
    }
    assert_eq!(ids.len(), missed);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in order: {ids:?}");
}

async fn get_with(state: &app::ssr::AppState, path: &str, cookie: &str) -> axum::http::Response<Body> {
    send(state, req("GET", path, Some(cookie))).await
}

#[tokio::test]
async fn following_a_case_needs_a_session_and_a_case_and_is_audited() {
    let b = board().await;
    let path = format!("/api/v1/cases/{}/events", b.case_id);
    assert_eq!(send(&b.state, req("GET", &path, None)).await.status(), 401);
    assert_eq!(get_with(&b.state, "/api/v1/cases/no-such-case/events", &b.cora).await.status(), 404);
    let res = get_with(&b.state, &path, &b.cora).await;
    assert_eq!(res.status(), 200);
    drop(res);
    let rows = audit_rows(&b.state).await;
    let follows: Vec<_> = rows.iter().filter(|r| r.action == "case.follow").collect();
    assert_eq!(follows.len(), 1);
    assert_eq!(follows[0].case_id.as_deref(), Some(b.case_id.as_str()));
    assert_eq!(follows[0].username.as_deref(), Some("cora"));
}

#[tokio::test]
async fn an_ended_session_is_no_longer_valid_for_a_stream() {
    let b = board().await;
    let hash = app::ssr::auth::hash_session_id(b.cora.split_once('=').unwrap().1);
    assert!(app::ssr::auth::session_still_valid(&b.state, &hash).await.unwrap());
    assert_eq!(send(&b.state, req("POST", "/api/v1/logout", Some(&b.cora))).await.status(), 204);
    assert!(!app::ssr::auth::session_still_valid(&b.state, &hash).await.unwrap());
}

#[tokio::test]
#[ignore = "needs PostgreSQL (LISTEN/NOTIFY between instances): set TEST_DATABASE_URL; scripts/test-all runs it"]
async fn on_postgresql_an_event_through_one_instance_reaches_a_viewer_on_another() {
    let b = board_on(TestDb::postgres_required()).await;
    let other_instance = state_for(&b.db).await; // its own pool and its own in-process hub
    let mut viewer = subscribe(&b.state, &b.case_id, &b.radiologist).await;
    annotate(&other_instance, &b.case_id, &b.surgeon, "Posted through instance B.").await;
    // Sooner than the viewers' periodic look (POLL_EVERY), so it came by NOTIFY.
    let wait = app::ssr::events::POLL_EVERY / 2;
    let (_, data) = viewer.next(wait).await.expect("relayed by LISTEN/NOTIFY");
    assert_eq!(data["kind"], "annotation.create");
}
