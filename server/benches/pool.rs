//! What a query costs through the connection pool, against the same queries on one connection
//! a request holds: `cargo bench -p server --bench pool` (SQLite in a temporary directory, the
//! server's own pool and settings); `TB_BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (an
//! empty database). sqlx returns a pooled connection after each query run on the pool and
//! checks it on the way back (a ping: one more round trip to SQLite's connection thread, or to
//! PostgreSQL), so a request of N queries on the pool makes about 2N round trips and one on a
//! held connection N + 1. 16 tasks on 2 runtime threads, as `scripts/bench-http`'s 16
//! connections; 3 queries per request (the API read's session, case and a third) and 15 (the
//! case page's reads). Results go in BENCHMARKS.md ("Where the time goes").

use std::time::Instant;

use app::ssr::Db;

mod support;

const TASKS: usize = 16;
const REQUESTS: usize = 1000;

async fn run(db: &Db, queries: usize, held: bool) -> f64 {
    let start = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|k| {
            let pool = db.pool.clone();
            tokio::spawn(async move {
                for r in 0..REQUESTS {
                    let mut conn = if held { Some(pool.acquire().await.unwrap()) } else { None };
                    for q in 0..queries {
                        let id = format!("user-{}", (k + r + q) % 50);
                        let read = sqlx::query_scalar::<_, String>("SELECT username FROM users WHERE id = $1").bind(id);
                        let name = match conn.as_mut() {
                            Some(c) => read.fetch_one(&mut **c).await.unwrap(),
                            None => read.fetch_one(&pool).await.unwrap(),
                        };
                        assert!(name.starts_with("bench"));
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    start.elapsed().as_secs_f64()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (state, url) = support::state(&dir, app::ssr::auth::Passwords::cheap_for_tests()).await;
        for i in 0..50 {
            sqlx::query(
                "INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at, \
                 password_changed_at) VALUES ($1, $2, $2, 'coordinator', 'x', $3, $3, $3)",
            )
            .bind(format!("user-{i}"))
            .bind(format!("bench{i}"))
            .bind("2026-12-03T00:00:00Z")
            .execute(&state.db.pool)
            .await
            .unwrap();
        }
        println!("{} · {TASKS} tasks · {REQUESTS} requests each", support::engine(&url));
        for queries in [3, 15] {
            for round in 1..=3 {
                for held in [false, true] {
                    let secs = run(&state.db, queries, held).await;
                    let n = (TASKS * REQUESTS) as f64;
                    println!(
                        "{queries:2} queries per request, round {round}, {:<28} {:7.0} requests/s  {:5.1} µs per query",
                        if held { "on one connection it holds:" } else { "each query on the pool:" },
                        n / secs,
                        secs * 1e6 / (n * queries as f64)
                    );
                }
            }
        }
    });
}
