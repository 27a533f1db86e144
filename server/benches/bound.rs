//! What a parameter costs where SQLite's planner could read it: `cargo bench -p server --bench
//! bound` (SQLite in a temporary directory, the server's own pool);
//! `TB_BENCH_DATABASE_URL=postgres://…` for PostgreSQL (an empty database). Without its query
//! planner stability guarantee, SQLite 3.51 (STAT4) reads a bare `LIMIT $n` (and a bare
//! `LIKE $n` directly under AND) while planning and marks the prepared statement to be compiled
//! again whenever that parameter is bound anew, which sqlx does at every execution; once the
//! database has statistics, so does every `col = $n` on a non-unique index. The server's build
//! sets the guarantee (`LIBSQLITE3_FLAGS` in `.cargo/config.toml`); `LIBSQLITE3_FLAGS=
//! cargo bench -p server --bench bound` (set and empty) builds SQLite without it, to see the
//! difference. Two queries over the real schema, one after the other on one task, each with its
//! planner-read parameters bare, cast (`CAST($n AS BIGINT)`, which no planner reads) and (the
//! list) written in: the meetings list as it was at 9760240 (two limits over two subqueries;
//! the regression daaca00 measured) and the audit viewer's read (its caller's limit and two
//! LIKE patterns inside ORs); then the list again once `ANALYZE` has gathered statistics over
//! 200 users on 10 boards, on new connections, where an unguarded planner reads the board
//! condition's `$2` too. Results go in BENCHMARKS.md ("A bound `LIMIT`").

use std::time::Instant;

mod support;

const RUNS: usize = 2000;

/// The meetings list of 9760240 with its two limits written as `$l4` and `$l5`.
macro_rules! meetings {
    ($l4:literal, $l5:literal) => {
        concat!(
            "SELECT * FROM (",
            meetings!(@select),
            " AND m.starts_at >= $3 ORDER BY m.starts_at ASC LIMIT ",
            $l4,
            ") soon UNION ALL SELECT * FROM (",
            meetings!(@select),
            " AND m.starts_at < $3 ORDER BY m.starts_at DESC LIMIT ",
            $l5,
            ") held"
        )
    };
    (@select) => {
        "SELECT m.id, m.title, m.starts_at, m.location, m.board_id, b.name AS board_name, \
         (SELECT u.display_name FROM users u WHERE u.id = m.presenter_id) AS presenter_name, \
         (SELECT u.display_name FROM users u WHERE u.id = m.cancelled_by) AS cancelled_by_name, \
         (SELECT t.title FROM meetings t WHERE t.id = m.cancel_moved_to) AS moved_to_title, \
         (SELECT t.starts_at FROM meetings t WHERE t.id = m.cancel_moved_to) AS moved_to_starts_at, \
         (SELECT COUNT(*) FROM agenda_items a WHERE a.meeting_id = m.id) AS case_count \
         FROM meetings m JOIN boards b ON b.id = m.board_id \
         WHERE ($1 = 1 OR m.board_id IN (SELECT vb.board_id FROM board_members vb WHERE vb.user_id = $2))"
    };
}

/// The audit viewer's read (`ssr::audit::query`) with its limit written as `$l` and its two
/// patterns as `$p7` and `$p11` (no literal form: the limit is the caller's).
macro_rules! audit {
    ($l:literal, $p7:literal, $p11:literal) => {
        concat!(
            "SELECT seq, at, user_id, username, role, action, case_id, target, outcome, detail, client_addr, \
             prev_hash, hash, case_ids, break_glass FROM audit_log \
             WHERE ($1 IS NULL OR case_id = $1 OR case_ids LIKE ",
            $p7,
            " ESCAPE '\\') AND ($2 IS NULL OR user_id = $2) AND ($3 IS NULL OR at >= $3) \
             AND ($4 IS NULL OR at <= $4) AND ($5 IS NULL OR seq < $5) AND ($8 = 0 OR break_glass = 1) \
             AND ($9 IS NULL OR username = $9) AND ($10 IS NULL OR action = $10 OR action LIKE ",
            $p11,
            " ESCAPE '\\') ORDER BY seq DESC LIMIT ",
            $l
        )
    };
}

/// Microseconds a run of `sql` takes, binding its parameters anew each time as sqlx does (the
/// limits only when `sql` has them as parameters).
async fn meetings_list(pool: &sqlx::AnyPool, sql: &'static str, limits_bound: bool) -> f64 {
    let mut conn = pool.acquire().await.unwrap();
    let start = Instant::now();
    for _ in 0..RUNS {
        let query = sqlx::query(sql).bind(1_i64).bind("nobody").bind("2026-12-06");
        let query = if limits_bound { query.bind(104_i64).bind(104_i64) } else { query };
        let rows = query.fetch_all(&mut *conn).await.unwrap();
        assert!(rows.is_empty());
    }
    start.elapsed().as_secs_f64() * 1e6 / RUNS as f64
}

/// Users on boards, for the statistics `ANALYZE` gathers: 200 users, 10 boards, each user on two.
async fn members(pool: &sqlx::AnyPool) {
    let at = "2026-12-06T00:00:00Z";
    for b in 0..10 {
        sqlx::query(
            "INSERT INTO boards (id, name, name_key, description, expected_specialties, created_at) \
             VALUES ($1, $1, $1, '', '[]', $2)",
        )
        .bind(format!("board-{b}"))
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    }
    for u in 0..200 {
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, created_at, updated_at, \
             password_changed_at) VALUES ($1, $1, $1, 'clinician', 'x', $2, $2, $2)",
        )
        .bind(format!("user-{u}"))
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
        for b in [u % 10, (u + 1) % 10] {
            sqlx::query("INSERT INTO board_members (board_id, user_id, added_at) VALUES ($1, $2, $3)")
                .bind(format!("board-{b}"))
                .bind(format!("user-{u}"))
                .bind(at)
                .execute(pool)
                .await
                .unwrap();
        }
    }
}

async fn audit_read(pool: &sqlx::AnyPool, sql: &'static str) -> f64 {
    let mut conn = pool.acquire().await.unwrap();
    let start = Instant::now();
    for _ in 0..RUNS {
        let rows = sqlx::query(sql)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(None::<i64>)
            .bind(100_i64)
            .bind(None::<String>)
            .bind(0_i64)
            .bind(None::<String>)
            .bind(Some("case"))
            .bind(Some("case.%"))
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        assert!(rows.is_empty());
    }
    start.elapsed().as_secs_f64() * 1e6 / RUNS as f64
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (state, url) = support::state(&dir, app::ssr::auth::Passwords::cheap_for_tests()).await;
        let pool = &state.db.pool;
        println!("{} · {RUNS} runs of each form on one connection", support::engine(&url));
        for round in 1..=3 {
            let bare = meetings_list(pool, meetings!("$4", "$5"), true).await;
            let cast = meetings_list(pool, meetings!("CAST($4 AS BIGINT)", "CAST($5 AS BIGINT)"), true).await;
            let literal = meetings_list(pool, meetings!("104", "104"), false).await;
            println!(
                "round {round}  meetings list: bound {bare:6.1} µs  cast {cast:6.1} µs  literal {literal:6.1} µs a query"
            );
            let bare = audit_read(pool, audit!("$6", "$7", "$11")).await;
            let cast = audit_read(pool, audit!("CAST($6 AS BIGINT)", "CAST($7 AS TEXT)", "CAST($11 AS TEXT)")).await;
            println!("round {round}  audit read:    bound {bare:6.1} µs  cast {cast:6.1} µs a query");
        }
        // With statistics, SQLite's planner (without its stability guarantee) would also read
        // `vb.user_id = $2`, the board condition of every list, and compile each run anew.
        members(pool).await;
        sqlx::query("ANALYZE").execute(pool).await.unwrap();
        // Statistics are read when a connection loads the schema: new connections, as after a
        // restart.
        state.db.close().await;
        let db = app::ssr::Db::connect(&url).await.unwrap();
        let pool = &db.pool;
        for round in 1..=3 {
            let cast = meetings_list(pool, meetings!("CAST($4 AS BIGINT)", "CAST($5 AS BIGINT)"), true).await;
            let literal = meetings_list(pool, meetings!("104", "104"), false).await;
            println!("round {round}  after ANALYZE, meetings list: cast {cast:6.1} µs  literal {literal:6.1} µs a query");
        }
    });
}
