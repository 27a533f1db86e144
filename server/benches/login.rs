//! Login latency with the real argon2id parameters (m = 19456 KiB, t = 2, p = 1), through the
//! whole router: `cargo bench -p server --bench login`. Target: p95 ≤ 150 ms on the project's
//! 2-core machine. Prints percentiles for one client and for 8 concurrent clients.

use std::time::{Duration, Instant};

use app::domain::user::NewUser;
use app::ssr::auth::Passwords;
use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

mod support;
use support::{PASSWORD, percentile};

fn login_request(user: usize) -> Request<Body> {
    Request::post("/api/v1/login")
        .header("content-type", "application/json")
        .body(Body::from(
            serde_json::json!({"username": format!("loadtester{user}"), "password": PASSWORD}).to_string(),
        ))
        .unwrap()
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{label:<28} n={:<4} p50={:>6.1} ms  p95={:>6.1} ms  p99={:>6.1} ms  max={:>6.1} ms",
        samples.len(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (state, _url) = support::state(&dir, Passwords::production()).await;
    // Eight people, one account each: eight logins of one account at once are parallel
    // guesses to the throttle (AU-5) and are slowed down on purpose.
    for user in 0..8 {
        let new = NewUser {
            username: format!("loadtester{user}"),
            role: "coordinator".into(),
            password: PASSWORD.into(),
            ..Default::default()
        };
        app::ssr::users::create(&state, &app::ssr::users::cli_actor(), &new).await.unwrap();
    }
    let router = server::router(state);

    // Warm-up.
    for _ in 0..3 {
        router.clone().oneshot(login_request(0)).await.unwrap();
    }

    let mut one = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let res = router.clone().oneshot(login_request(0)).await.unwrap();
        assert_eq!(res.status(), 200);
        one.push(t.elapsed());
    }
    report("1 client, 100 logins", one);

    let mut handles = Vec::new();
    for user in 0..8 {
        let r = router.clone();
        handles.push(tokio::spawn(async move {
            let mut v = Vec::new();
            for _ in 0..25 {
                let t = Instant::now();
                let res = r.clone().oneshot(login_request(user)).await.unwrap();
                assert_eq!(res.status(), 200);
                v.push(t.elapsed());
            }
            v
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    report("8 concurrent clients", all);
}
