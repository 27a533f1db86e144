//! The audit viewer over a year's trail: `cargo bench -p server --bench audit_trail` (SQLite in a
//! temporary directory, the server's own pool); `TB_BENCH_DATABASE_URL=postgres://…` for
//! PostgreSQL (an empty database); `TB_AUDIT_ROWS` rows (1,000,000 unless set).
//!
//! Fills the trail through the server's own audit writer (group commit, the real hash chain,
//! the case index filled by its trigger): 200 users, 5,000 cases, one row in ten a list read
//! naming 20 cases, a rare action one row in 500, nobody under break-glass. Then reads it as the
//! audit viewer does (`ssr::audit::query`, 200 rows a page) with each filter a reviewer uses,
//! and, for the same filters, the one static text the viewer used before (d26eff4: every filter
//! `($n IS NULL OR …)`, a case's list reads found by `LIKE`; its rows fetched, not decoded).
//! Last, the chain's verification over the whole trail. Results go in BENCHMARKS.md ("The audit
//! trail at a year's size").

use std::time::{Duration, Instant};

use app::domain::audit::AuditQuery;
use app::ssr::audit::{Actor, Event, Outcome};

mod support;

const USERS: usize = 200;
const CASES: usize = 5000;

/// The viewer's read before issue 17's index work (d26eff4), as it was.
const BEFORE: &str = "SELECT seq, at, user_id, username, role, action, case_id, target, outcome, detail, client_addr, \
     prev_hash, hash, case_ids, break_glass FROM audit_log \
     WHERE ($1 IS NULL OR case_id = $1 OR case_ids LIKE $7 ESCAPE '\\') AND ($2 IS NULL OR user_id = $2) \
     AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at <= $4) AND ($5 IS NULL OR seq < $5) \
     AND ($8 = 0 OR break_glass = 1) AND ($9 IS NULL OR username = $9) \
     AND ($10 IS NULL OR action = $10 OR action LIKE $11 ESCAPE '\\') ORDER BY seq DESC LIMIT $6";

/// Row `i`'s action: mostly case reads, a list read one row in ten, a signature one in 500.
fn action(i: usize) -> &'static str {
    match i % 500 {
        0 => "plan.sign",
        n if n % 10 == 1 => "case.list",
        n if n % 10 < 6 => "case.read",
        n if n % 10 < 8 => "case.view",
        8 => "meeting.read",
        _ => "annotation.change",
    }
}

/// A cheap, fixed scatter of `i` over `n` (the same trail every run).
fn pick(i: usize, salt: usize, n: usize) -> usize {
    (i.wrapping_mul(2_654_435_761).wrapping_add(salt.wrapping_mul(40_503))) % n
}

async fn fill(db: &app::ssr::Db, rows: usize) -> Duration {
    let actors: Vec<Actor> = (0..USERS)
        .map(|u| Actor {
            user_id: Some(format!("user-{u:03}")),
            username: Some(format!("name-{u:03}")),
            role: Some("clinician".into()),
            client_addr: Some("10.0.0.1".into()),
            break_glass: false,
        })
        .collect();
    let actors = &actors;
    let start = Instant::now();
    let mut i = 0;
    while i < rows {
        let wave = (rows - i).min(1024);
        let events: Vec<(usize, String, Vec<String>)> = (i..i + wave)
            .map(|n| {
                let case = format!("case-{:04}", pick(n, 1, CASES));
                let list = (0..20).map(|k| format!("case-{:04}", pick(n, 2 + k, CASES))).collect();
                (n, case, list)
            })
            .collect();
        let writes = events.iter().map(|(n, case, list)| async move {
            let event = Event::new(&actors[pick(*n, 0, USERS)], action(*n), Outcome::Success);
            let event = if action(*n) == "case.list" { event.cases(list) } else { event.case(case) };
            app::ssr::audit::record(db, &event).await
        });
        for written in futures_util::future::join_all(writes).await {
            written.unwrap();
        }
        i += wave;
        if i % 100_000 < wave {
            eprintln!("  {i} rows, {:.0} s", start.elapsed().as_secs_f64());
        }
    }
    start.elapsed()
}

/// The fastest of `runs` runs of `f`, and the rows the last one found.
async fn best<F, Fut>(runs: usize, mut f: F) -> (Duration, usize)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut fastest = Duration::MAX;
    let mut found = 0;
    for _ in 0..runs {
        let start = Instant::now();
        found = f().await;
        fastest = fastest.min(start.elapsed());
    }
    (fastest, found)
}

async fn before(pool: &sqlx::AnyPool, q: &AuditQuery) -> usize {
    // As d26eff4 built it: the case's id as JSON text, anywhere in the list, wildcards escaped.
    let in_list = q.case_id.as_deref().map(|id| app::ssr::db::like_contains(&serde_json::to_string(id).unwrap()));
    let family = q.action.as_deref().map(|a| format!("{a}.%"));
    sqlx::query(BEFORE)
        .bind(&q.case_id)
        .bind(&q.user_id)
        .bind(&q.from)
        .bind(&q.to)
        .bind(q.before_seq)
        .bind(q.limit.unwrap_or(200))
        .bind(in_list)
        .bind(q.break_glass_only as i64)
        .bind(&q.username)
        .bind(&q.action)
        .bind(family)
        .fetch_all(pool)
        .await
        .unwrap()
        .len()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let rows: usize = std::env::var("TB_AUDIT_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (state, url) = support::state(&dir, app::ssr::auth::Passwords::cheap_for_tests()).await;
        let db = &state.db;
        println!("{} · {rows} audit rows · {USERS} users · {CASES} cases", support::engine(&url));
        let took = fill(db, rows).await;
        let indexed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_cases").fetch_one(&db.pool).await.unwrap();
        println!(
            "filled through the audit writer in {:.1} s ({:.0} rows/s), {indexed} case index entries",
            took.as_secs_f64(),
            rows as f64 / took.as_secs_f64()
        );
        let last: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log").fetch_one(&db.pool).await.unwrap();
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        let q = |f: &dyn Fn(&mut AuditQuery)| {
            let mut q = AuditQuery { limit: Some(200), ..Default::default() };
            f(&mut q);
            q
        };
        let filters: Vec<(&str, AuditQuery)> = vec![
            ("no filter", q(&|_| {})),
            ("one user", q(&|q| q.user_id = Some("user-017".into()))),
            ("one login name", q(&|q| q.username = Some("name-017".into()))),
            ("one case, own rows and lists", q(&|q| q.case_id = Some("case-1234".into()))),
            (
                "one case, a page back",
                q(&|q| {
                    q.case_id = Some("case-1234".into());
                    q.before_seq = Some(last / 2);
                }),
            ),
            ("a rare action (plan.sign)", q(&|q| q.action = Some("plan.sign".into()))),
            ("a family with no row (trial)", q(&|q| q.action = Some("trial".into()))),
            ("a common family (case)", q(&|q| q.action = Some("case".into()))),
            (
                "one user, a family (plan)",
                q(&|q| {
                    q.user_id = Some("user-017".into());
                    q.action = Some("plan".into());
                }),
            ),
            (
                "a day with no row",
                q(&|q| {
                    q.from = Some("2026-01-01T00:00:00Z".into());
                    q.to = Some("2026-01-01T23:59:59Z".into());
                }),
            ),
            ("today (every row)", q(&|q| q.from = Some(format!("{today}T00:00:00Z")))),
            (
                "one user, today",
                q(&|q| {
                    q.user_id = Some("user-017".into());
                    q.from = Some(format!("{today}T00:00:00Z"));
                }),
            ),
            ("break-glass only (none)", q(&|q| q.break_glass_only = true)),
        ];
        println!("| filter | rows | before ms | after ms |");
        println!("|---|---|---|---|");
        for (label, filter) in &filters {
            let (old, old_rows) = best(3, || before(&db.pool, filter)).await;
            let (new, new_rows) = best(10, || async { app::ssr::audit::query(db, filter).await.unwrap().len() }).await;
            // The family and case filters of the old text differ only where this trail has no rows
            // (a case's id inside another's, actions with another case).
            assert_eq!(old_rows, new_rows, "{label}: the two reads disagree");
            println!("| {label} | {new_rows} | {:.2} | {:.2} |", ms(old), ms(new));
        }
        let start = Instant::now();
        let check = app::ssr::audit::verify(db).await.unwrap();
        let took = start.elapsed();
        assert_eq!(check, app::ssr::audit::ChainCheck::Intact { rows: last });
        println!(
            "verify: {last} rows and their case index in {:.1} s ({:.0} rows/s)",
            took.as_secs_f64(),
            last as f64 / took.as_secs_f64()
        );
    });
}
