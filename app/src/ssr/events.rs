//! Live changes to a case for everyone viewing it (`GET /api/v1/cases/{id}/events`).
//!
//! Every change that viewers should see writes a `case_events` row in its own write
//! transaction, after its audit row (`record`), and announces the case after commit
//! (`Db::announce`). Rows are numbered in commit order (SQLite: one writer at a time;
//! PostgreSQL: the audit advisory lock, held until commit), so a viewer that has seen `seq`
//! misses nothing by asking for everything after it: that is how a reconnect resumes
//! (Last-Event-ID). Announcements only wake viewers up; the rows are the truth.
//!
//! Fan-out: within one process a broadcast channel; across app instances on PostgreSQL,
//! `NOTIFY tumorboard_case_events` sent inside the transaction (delivered on commit) and a
//! `LISTEN` task per instance started with the first viewer. Viewers also look for new rows every
//! few seconds, so a lost notification delays an event but never loses it.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{Any, Transaction};
use tokio::sync::{OnceCell, broadcast};

use super::access;
use super::{Db, Engine, now_text};

/// The PostgreSQL notification channel; its payload is the case id.
pub const PG_CHANNEL: &str = "tumorboard_case_events";

/// How long a viewer waits without any announcement before looking for new rows anyway.
pub const POLL_EVERY: Duration = Duration::from_secs(5);

pub use crate::domain::events::{CaseEvent, CaseEventKind};

/// Wakes viewers in this process; on PostgreSQL also relays other instances' notifications.
pub struct EventHub {
    tx: broadcast::Sender<String>,
    pg_url: Option<String>,
    listener: OnceCell<()>,
}

impl std::fmt::Debug for EventHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventHub").field("receivers", &self.tx.receiver_count()).finish()
    }
}

impl EventHub {
    pub fn new(pg_url: Option<String>) -> Arc<EventHub> {
        let (tx, _) = broadcast::channel(1024);
        Arc::new(EventHub { tx, pg_url, listener: OnceCell::new() })
    }

    /// Wakes this process's viewers of `case_id`.
    pub fn announce(&self, case_id: &str) {
        let _ = self.tx.send(case_id.to_string());
    }

    /// A receiver of announced case ids. On PostgreSQL the first call starts this instance's
    /// LISTEN task, which relays other instances' commits, and returns once it listens.
    pub async fn subscribe(self: &Arc<Self>) -> broadcast::Receiver<String> {
        let rx = self.tx.subscribe();
        if let Some(url) = self.pg_url.clone() {
            let hub = Arc::clone(self);
            self.listener
                .get_or_init(|| async move {
                    let first = listen(&url).await;
                    tokio::spawn(relay(hub, url, first));
                })
                .await;
        }
        rx
    }
}

/// A connection listening on the events channel, or None (logged) when that fails.
async fn listen(url: &str) -> Option<sqlx::postgres::PgListener> {
    let result = async {
        let mut listener = sqlx::postgres::PgListener::connect(url).await?;
        listener.listen(PG_CHANNEL).await?;
        Ok::<_, sqlx::Error>(listener)
    }
    .await;
    result.map_err(|e| tracing::warn!(error = %e, "cannot LISTEN for case events; retrying")).ok()
}

/// Relays PostgreSQL notifications to this process's viewers, reconnecting after failures.
/// `recv` reconnects by itself after a lost connection; notifications sent meanwhile are caught
/// by the viewers' periodic look.
async fn relay(hub: Arc<EventHub>, url: String, mut listener: Option<sqlx::postgres::PgListener>) {
    loop {
        if let Some(l) = listener.as_mut() {
            while let Ok(n) = l.recv().await {
                hub.announce(n.payload());
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        listener = listen(&url).await;
    }
}

/// Writes an event inside the caller's write transaction, after its audit row. Call
/// `Db::announce` after commit.
pub async fn record(
    tx: &mut Transaction<'static, Any>,
    engine: Engine,
    case_id: &str,
    kind: CaseEventKind,
    ref_id: &str,
) -> Result<i64, sqlx::Error> {
    if engine == Engine::Postgres {
        // Already held when the audit row was appended first; taking it again is harmless and
        // keeps the commit order even for a caller that did not.
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(super::audit::PG_AUDIT_LOCK).execute(&mut **tx).await?;
    }
    let seq: i64 =
        sqlx::query_scalar("INSERT INTO case_events (case_id, kind, ref_id, at) VALUES ($1, $2, $3, $4) RETURNING seq")
            .bind(case_id)
            .bind(kind.code())
            .bind(ref_id)
            .bind(now_text())
            .fetch_one(&mut **tx)
            .await?;
    if engine == Engine::Postgres {
        sqlx::query("SELECT pg_notify($1, $2)").bind(PG_CHANNEL).bind(case_id).execute(&mut **tx).await?;
    }
    Ok(seq)
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    #[sqlx(try_from = "String")]
    kind: CaseEventKind,
    ref_id: String,
    at: String,
}

/// How many of a case's events [`since`] reads at once.
pub const BATCH: i64 = 200;

/// The events of a case after `after`, oldest first (at most [`BATCH`]). Every follower of a case
/// reads this at each of its events.
pub async fn since(db: &Db, case_id: &str, after: i64) -> Result<Vec<CaseEvent>, sqlx::Error> {
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT seq, kind, ref_id, at FROM case_events WHERE case_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(case_id)
    .bind(after)
    .bind(BATCH)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| CaseEvent { seq: r.seq, kind: r.kind, ref_id: r.ref_id, at: r.at }).collect())
}

/// The newest event's number for a case (0 when none).
pub async fn latest(db: &Db, case_id: &str) -> Result<i64, sqlx::Error> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM case_events WHERE case_id = $1")
        .bind(case_id)
        .fetch_one(&db.pool)
        .await?;
    Ok(seq.unwrap_or(0))
}

/// Lets a viewer follow a case (audited as one read of the case) and says where to start:
/// after `after` when given (a resume), else after the newest event.
pub async fn open(
    state: &super::AppState,
    session: &super::auth::Session,
    case_id: &str,
    after: Option<i64>,
) -> Result<i64, crate::error::AppError> {
    use super::audit::{self, Event, Outcome};
    access::require_case(state, session, crate::domain::role::Action::ReadCases, case_id).await?;
    super::cases::exists(state, case_id).await?;
    audit::record(&state.db, &Event::new(&session.actor(), "case.follow", Outcome::Success).case(case_id)).await?;
    match after {
        Some(a) if a >= 0 => Ok(a),
        _ => Ok(latest(&state.db, case_id).await?),
    }
}
