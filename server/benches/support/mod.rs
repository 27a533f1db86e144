//! What the benches share: the app state over a fresh database, and percentiles.
#![allow(dead_code)]

use std::time::Duration;

use app::ssr::auth::{Clock, Passwords};
use app::ssr::{AppState, Config, Db};

/// The password every bench user has.
pub const PASSWORD: &str = "timing the doors of the board room";

/// A migrated database (`TB_BENCH_DATABASE_URL`, or a SQLite file in `dir`) and the state over
/// it, hashing passwords with `passwords`.
pub async fn state(dir: &tempfile::TempDir, passwords: Passwords) -> (AppState, String) {
    let url = std::env::var("TB_BENCH_DATABASE_URL").unwrap_or(format!("sqlite://{}/bench.db", dir.path().display()));
    let db = Db::open_and_migrate(&url).await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await.unwrap();
    assert!(
        users == 0,
        "TB_BENCH_DATABASE_URL must name an empty database (this one has {users} users): \
         the bench creates its own users and cases, e.g. `createdb tb_bench` and drop it after"
    );
    let state = AppState::from(app::ssr::state::Shared {
        leptos_options: leptos::config::LeptosOptions::builder().output_name("tumorboard").build(),
        db,
        config: Config::for_database(&url),
        passwords,
        clock: Clock::default(),
    });
    (state, url)
}

/// The sample at fraction `p` of a sorted list.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// "SQLite" or "PostgreSQL", for the report.
pub fn engine(url: &str) -> &'static str {
    if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" }
}
