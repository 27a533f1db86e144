//! The audit trail (security.md LG-1..LG-3): who did what, when, to which case, with what outcome.
//!
//! Append-only (database triggers refuse UPDATE and DELETE) and tamper-evident: each row's
//! `hash` is SHA-256 over the previous row's hash and the row's own fields, so an edited,
//! removed or inserted row breaks the chain from there on. Rows are written in the same
//! transaction as the change they record; a read is recorded before its data is sent, by one
//! writer that commits the rows of concurrent requests together (group commit, `record`).
//! Appends are serialised: SQLite write transactions start with `BEGIN IMMEDIATE`; on
//! PostgreSQL a transaction-scoped advisory lock orders the appends of every app instance, and
//! the primary key on `seq` refuses a second row with a number already taken.
//!
//! Beside the trail, `audit_cases` lists every case a list, search or agenda named (a row's
//! `case_ids`), kept by a trigger in the statement that appends the row and checked by
//! [`verify`]: the audit viewer's case filter reads it and the trail's `(case_id, seq)` index,
//! as its other filters read their own indexes ([`query`]).
//!
//! No patient identifier (MRN, name) is ever put in a row: cases are named by opaque id.

use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};

use super::{Db, Engine};
pub use crate::domain::audit::{AuditQuery, AuditRow};

/// The columns of an audit row as stored, in the order the writer binds them and [`StoredRow`]
/// reads them: a literal, so that a query built on it with `concat!` is one static SQL text.
macro_rules! columns {
    () => {
        "seq, at, user_id, username, role, action, case_id, target, outcome, detail, client_addr, \
         prev_hash, hash, case_ids, break_glass"
    };
}

/// The hash that stands before the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Advisory-lock key that serialises audit appends on PostgreSQL ("TBAUDIT" in ASCII).
pub const PG_AUDIT_LOCK: i64 = 0x54_42_41_55_44_49_54;

/// Who acted: the logged-in user, or what is known of an anonymous attempt.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub client_addr: Option<String>,
    /// The request is served under a break-glass access: every row it writes is flagged.
    pub break_glass: bool,
}

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Refused by a permission check.
    Denied,
    /// Refused for another reason (wrong password, invalid input, conflict).
    Failure,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failure => "failure",
        }
    }
}

/// One event to record.
#[derive(Clone, Debug)]
pub struct Event<'a> {
    pub actor: &'a Actor,
    /// Dotted action name, e.g. `auth.login`, `case.read`, `user.create`.
    pub action: &'a str,
    pub case_id: Option<&'a str>,
    /// Another object the event concerns (a user id, an annotation id).
    pub target: Option<&'a str>,
    pub outcome: Outcome,
    /// Short non-identifying detail, e.g. "role changed to reviewer".
    pub detail: Option<&'a str>,
    /// Every case the response named, when it named several (LG-1).
    pub case_ids: &'a [String],
}

impl<'a> Event<'a> {
    /// An event with no case, target or detail; add them with the methods below.
    pub fn new(actor: &'a Actor, action: &'a str, outcome: Outcome) -> Self {
        Event { actor, action, case_id: None, target: None, outcome, detail: None, case_ids: &[] }
    }

    /// The cases a read returned (lists, searches, agendas); one case alone goes in `case`.
    pub fn cases(mut self, ids: &'a [String]) -> Self {
        self.case_ids = ids;
        self
    }

    pub fn case(mut self, case_id: &'a str) -> Self {
        self.case_id = Some(case_id);
        self
    }

    pub fn target(mut self, target: &'a str) -> Self {
        self.target = Some(target);
        self
    }

    pub fn detail(mut self, detail: &'a str) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// The hash of a row: SHA-256 over the previous hash and every field, each field prefixed by
/// its length so that no two different rows can encode to the same bytes.
pub fn row_hash(prev_hash: &str, r: &AuditRow) -> String {
    let mut h = Sha256::new();
    let mut field = |v: Option<&str>| match v {
        None => h.update(b"-;"),
        Some(s) => {
            h.update(s.len().to_string().as_bytes());
            h.update(b":");
            h.update(s.as_bytes());
            h.update(b";");
        }
    };
    field(Some(prev_hash));
    field(Some(&r.seq.to_string()));
    field(Some(&r.at));
    field(r.user_id.as_deref());
    field(r.username.as_deref());
    field(r.role.as_deref());
    field(Some(&r.action));
    field(r.case_id.as_deref());
    field(r.target.as_deref());
    field(Some(&r.outcome));
    field(r.detail.as_deref());
    field(r.client_addr.as_deref());
    // Added later (migration 0009): hashed only when present, so older rows keep their hash.
    if let Some(ids) = case_ids_text(&r.case_ids) {
        field(Some(&ids));
    }
    // Added by migration 0010, the same way: hashed only when set.
    if r.break_glass {
        field(Some("break_glass"));
    }
    hex::encode(h.finalize())
}

/// The stored form of a row's case ids: a JSON array, or nothing when there are none.
fn case_ids_text(ids: &[String]) -> Option<String> {
    (!ids.is_empty()).then(|| serde_json::to_string(ids).unwrap_or_default())
}

/// `s` with each control character written out as `\u{…}`: a refused request's typed id or
/// name is recorded as it came, but a NUL cannot be stored in PostgreSQL's text (the refusal's
/// row failed and the request answered 500; issue 17's fuzzing), and an escape sequence must
/// not rewrite what a terminal shows of the log. Text without one (every id the server makes)
/// is kept as it is, so no stored row's hash changes.
fn printable(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars().map(|c| if c.is_control() { format!("\\u{{{:x}}}", c as u32) } else { c.to_string() }).collect()
}

/// A row for `event`, before the chain gives it its number, time and hashes.
fn draft(event: &Event<'_>) -> AuditRow {
    let text = |v: Option<&str>| v.map(printable);
    AuditRow {
        seq: 0,
        at: String::new(),
        user_id: text(event.actor.user_id.as_deref()),
        username: text(event.actor.username.as_deref()),
        role: text(event.actor.role.as_deref()),
        action: printable(event.action),
        case_id: text(event.case_id),
        target: text(event.target),
        outcome: event.outcome.code().to_string(),
        detail: text(event.detail),
        client_addr: text(event.actor.client_addr.as_deref()),
        prev_hash: String::new(),
        hash: String::new(),
        case_ids: event.case_ids.iter().map(|id| printable(id)).collect(),
        break_glass: event.actor.break_glass,
    }
}

/// Appends one event inside the caller's write transaction (see `Db::begin_write`).
pub async fn append(tx: &mut Transaction<'static, Any>, engine: Engine, event: &Event<'_>) -> Result<i64, sqlx::Error> {
    let mut rows = [draft(event)];
    append_rows(tx, engine, &mut rows).await?;
    Ok(rows[0].seq)
}

/// Chains `rows` onto the log, in order, inside `tx`: one lock, one look at the last row.
async fn append_rows(
    tx: &mut Transaction<'static, Any>,
    engine: Engine,
    rows: &mut [AuditRow],
) -> Result<(), sqlx::Error> {
    if engine == Engine::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(PG_AUDIT_LOCK).execute(&mut **tx).await?;
    }
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut **tx).await?;
    chain(rows, last.unwrap_or_else(|| (0, GENESIS_HASH.to_string())));
    // One statement for the whole group (issue 17): each statement is a round trip to the
    // database (on SQLite, to the connection's thread), and a group is up to `GROUP_MAX` rows.
    for chunk in rows.chunks(INSERT_ROWS_MAX) {
        insert(chunk).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Numbers, times and hashes `rows` as the rows that follow `last` (its seq and hash).
fn chain(rows: &mut [AuditRow], last: (i64, String)) {
    let (mut prev_seq, mut prev_hash) = last;
    let at = super::now_text();
    for row in rows.iter_mut() {
        row.seq = prev_seq + 1;
        row.at = at.clone();
        row.prev_hash = prev_hash;
        row.hash = row_hash(&row.prev_hash, row);
        prev_seq = row.seq;
        prev_hash = row.hash.clone();
    }
}

/// One INSERT of `chunk` (at most `INSERT_ROWS_MAX` rows) inside a caller's transaction.
fn insert(chunk: &[AuditRow]) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments> {
    insert_where(chunk, None)
}

/// One INSERT of `chunk`; with `after: Some((seq, engine))` the rows are inserted only if
/// `seq` is still the last row of the log, checked in the same statement, which commits on its
/// own (see [`write_group`]). On SQLite the check and the append are one atomic step (a
/// statement runs under the write lock). On PostgreSQL the statement first takes the appends'
/// advisory lock, so that no append holding it can be overtaken, and the check reads the
/// statement's snapshot, which may predate an append committed while it waited for the lock:
/// then its first row's `seq` is taken, the primary key refuses the whole statement (unique
/// violation), and the caller appends the usual way. A row is never chained after the wrong one.
fn insert_where(
    chunk: &[AuditRow],
    after: Option<(i64, Engine)>,
) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments> {
    // The guard's parameters come first ($1 the last row's seq, $2 the lock's key), so that its
    // SQL is the same text whatever the group's size; the rows' parameters follow them.
    let (guard, first) = match after {
        Some((_, Engine::Postgres)) => (Some(GUARD_POSTGRES), 3),
        Some((_, Engine::Sqlite)) => (Some(GUARD_SQLITE), 2),
        None => (None, 1),
    };
    let mut sql = String::from(concat!("INSERT INTO audit_log (", columns!(), ") "));
    sql.push_str(if guard.is_some() { "SELECT v.* FROM (VALUES " } else { "VALUES " });
    // Only placeholders are generated here, numbered; every value is bound.
    for r in 0..chunk.len() {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..INSERT_COLUMNS {
            sql.push_str(if c == 0 { "$" } else { ", $" });
            sql.push_str(&(first + r * INSERT_COLUMNS + c).to_string());
        }
        sql.push(')');
    }
    if let Some(guard) = guard {
        sql.push_str(guard);
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some((seq, engine)) = after {
        q = q.bind(seq);
        if engine == Engine::Postgres {
            q = q.bind(PG_AUDIT_LOCK);
        }
    }
    for row in chunk {
        q = q
            .bind(row.seq)
            .bind(&row.at)
            .bind(&row.user_id)
            .bind(&row.username)
            .bind(&row.role)
            .bind(&row.action)
            .bind(&row.case_id)
            .bind(&row.target)
            .bind(&row.outcome)
            .bind(&row.detail)
            .bind(&row.client_addr)
            .bind(&row.prev_hash)
            .bind(&row.hash)
            .bind(case_ids_text(&row.case_ids))
            .bind(row.break_glass as i64);
    }
    q
}

/// [`insert_where`]'s guard on SQLite: the rows only if `$1` is still the last row's seq.
const GUARD_SQLITE: &str = ") AS v WHERE (SELECT COALESCE(MAX(seq), 0) FROM audit_log) = $1";

/// The same on PostgreSQL, where a row of the result needs the appends' lock (`$2`): nothing
/// is inserted before it is held.
const GUARD_POSTGRES: &str = ") AS v CROSS JOIN (SELECT pg_advisory_xact_lock($2)) AS l \
     WHERE (SELECT COALESCE(MAX(seq), 0) FROM audit_log) = $1";

/// The columns one audit row binds.
const INSERT_COLUMNS: usize = 15;

/// Rows per INSERT statement: 64 × 15 = 960 bound parameters, far below SQLite's (32,766) and
/// PostgreSQL's (65,535) limits.
const INSERT_ROWS_MAX: usize = 64;

/// Records a successful read that returned several cases (a list, a board, a dashboard): one
/// row naming every case, so that "who saw patient X" finds it.
pub async fn record_cases(
    db: &Db,
    actor: &Actor,
    action: &str,
    detail: &str,
    ids: &[String],
) -> Result<i64, sqlx::Error> {
    record(db, &Event::new(actor, action, Outcome::Success).detail(detail).cases(ids)).await
}

/// Records one event in a transaction of its own (reads, logins, refusals), and returns once
/// the row is durable: the caller sends its data only after that.
///
/// Group commit (issue 17): the rows of concurrent requests go through one writer
/// ([`AuditQueue`]) that commits everything waiting in one transaction, so a busy meeting
/// morning pays one fsync for many reads instead of one each, and reads no longer queue for
/// the write lock one by one.
pub async fn record(db: &Db, event: &Event<'_>) -> Result<i64, sqlx::Error> {
    let mut row = draft(event);
    if let Some(queue) = &db.audit {
        let (done, answer) = tokio::sync::oneshot::channel();
        match queue.jobs.send(Job { row, done }).await {
            // The writer answers after its commit; no answer means it stopped mid-batch (the
            // runtime is ending), and the row may or may not be written: say so, never guess.
            Ok(()) => {
                return match answer.await {
                    Ok(result) => result.map_err(sqlx::Error::Protocol),
                    Err(_) => Err(sqlx::Error::WorkerCrashed),
                };
            }
            // The queue hands the row back when nobody takes it.
            Err(tokio::sync::mpsc::error::SendError(job)) => row = job.row,
        }
    }
    // No writer (its runtime has ended, as in a one-off command): write here.
    let mut rows = [row];
    write_batch(db, &mut rows).await.map(|seqs| seqs[0])
}

/// The most rows one group commit writes: the short queue's length.
const GROUP_MAX: usize = 128;

/// The audit writer's queue: rows waiting to be committed, each with who waits for it.
#[derive(Clone, Debug)]
pub struct AuditQueue {
    jobs: tokio::sync::mpsc::Sender<Job>,
}

struct Job {
    row: AuditRow,
    done: tokio::sync::oneshot::Sender<Result<i64, String>>,
}

impl AuditQueue {
    /// Starts the writer for `db` on the current runtime. It ends when every handle is gone.
    pub(crate) fn start(db: &Db) -> AuditQueue {
        let (jobs, rx) = tokio::sync::mpsc::channel(GROUP_MAX);
        // The writer's own handle has no queue, so it writes directly and cannot wait on itself.
        let writer = Db { audit: None, ..db.clone() };
        tokio::spawn(run_writer(writer, rx));
        AuditQueue { jobs }
    }
}

/// Takes everything waiting (up to `GROUP_MAX`), commits it in one transaction, answers each
/// waiter. While one group commits, the next one gathers: no timer, no added wait when idle.
async fn run_writer(db: Db, mut rx: tokio::sync::mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(GROUP_MAX);
    // The last row this writer wrote (seq, hash): its next group follows it without reading
    // the log first when nobody else has appended since (see `write_group`).
    let mut last: Option<(i64, String)> = None;
    while rx.recv_many(&mut jobs, GROUP_MAX).await > 0 {
        // A row's number, time and hashes are (re)computed when it is written, so a failed
        // group's rows can be written again as they are.
        let (mut rows, waiters): (Vec<AuditRow>, Vec<_>) = jobs.drain(..).map(|j| (j.row, j.done)).unzip();
        match write_group(&db, &mut rows, last.take()).await {
            Ok(seqs) => {
                last = rows.last().map(|r| (r.seq, r.hash.clone()));
                for (waiter, seq) in waiters.into_iter().zip(seqs) {
                    let _ = waiter.send(Ok(seq));
                }
            }
            // One bad row must not fail the others: write each alone and answer each.
            Err(e) if rows.len() > 1 => {
                tracing::warn!(rows = rows.len(), error = %e, "audit group commit failed; writing its rows one by one");
                for (row, waiter) in rows.into_iter().zip(waiters) {
                    let mut one = [row];
                    let result = write_batch(&db, &mut one).await.map(|s| s[0]).map_err(|e| e.to_string());
                    let _ = waiter.send(result);
                }
            }
            Err(e) => {
                for waiter in waiters {
                    let _ = waiter.send(Err(e.to_string()));
                }
            }
        }
    }
}

/// The writer's group: when the writer knows the last row it wrote, one statement that
/// appends the group only if that row is still the last (issue 17: one round trip to the
/// database instead of four on SQLite, `BEGIN`, the look at the last row, the insert and
/// `COMMIT`, and instead of seven on PostgreSQL, those with the lock and the pool's two checks
/// of the connection; the statement commits on its own, with the same fsync). When another
/// writer has appended since (a change's own transaction, another process on the file, another
/// instance), nothing is inserted (or, on PostgreSQL, the primary key refuses the statement:
/// see [`insert_where`]) and the group goes the usual way: a transaction that reads the last
/// row.
async fn write_group(db: &Db, rows: &mut [AuditRow], last: Option<(i64, String)>) -> Result<Vec<i64>, sqlx::Error> {
    if let Some(last) = last.filter(|_| rows.len() <= INSERT_ROWS_MAX) {
        let after = last.0;
        chain(rows, last);
        let appended = insert_where(rows, Some((after, db.engine))).execute(&mut *db.acquire().await?).await;
        match appended {
            Ok(done) if done.rows_affected() == rows.len() as u64 => return Ok(rows.iter().map(|r| r.seq).collect()),
            Ok(_) => {}
            Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {}
            Err(e) => return Err(e),
        }
    }
    write_batch(db, rows).await
}

/// Writes `rows` in one write transaction; their sequence numbers, in order.
async fn write_batch(db: &Db, rows: &mut [AuditRow]) -> Result<Vec<i64>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    append_rows(&mut tx, db.engine, rows).await?;
    tx.commit().await?;
    Ok(rows.iter().map(|r| r.seq).collect())
}

/// An audit row as stored (`case_ids` as its JSON text).
#[derive(sqlx::FromRow)]
struct StoredRow {
    seq: i64,
    at: String,
    user_id: Option<String>,
    username: Option<String>,
    role: Option<String>,
    action: String,
    case_id: Option<String>,
    target: Option<String>,
    outcome: String,
    detail: Option<String>,
    client_addr: Option<String>,
    prev_hash: String,
    hash: String,
    case_ids: Option<String>,
    break_glass: i64,
}

impl TryFrom<StoredRow> for AuditRow {
    type Error = sqlx::Error;

    fn try_from(r: StoredRow) -> Result<Self, sqlx::Error> {
        let case_ids = match r.case_ids {
            Some(text) => serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            None => Vec::new(),
        };
        Ok(AuditRow {
            seq: r.seq,
            at: r.at,
            user_id: r.user_id,
            username: r.username,
            role: r.role,
            action: r.action,
            case_id: r.case_id,
            target: r.target,
            outcome: r.outcome,
            detail: r.detail,
            client_addr: r.client_addr,
            prev_hash: r.prev_hash,
            hash: r.hash,
            case_ids,
            break_glass: r.break_glass != 0,
        })
    }
}

/// A value bound to a generated placeholder.
#[derive(Clone, Debug)]
enum Value {
    Text(String),
    Int(i64),
}

/// A read of the trail being written: its SQL (placeholders only, numbered as they are added)
/// and the values bound to them, in order.
#[derive(Default)]
struct Read {
    sql: String,
    values: Vec<Value>,
}

impl Read {
    /// The placeholder for `value`, bound in turn.
    fn bind(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }
}

/// What leads a read: the index its rows come from, newest first.
#[derive(Clone, Debug)]
enum Lead {
    /// `audit_cases`: the rows whose list named the case.
    Listed(String),
    /// `audit_log (column, seq)`: the rows with this value.
    Column(&'static str, Value),
    /// The trail itself, down `seq`.
    All,
}

/// The filters of an [`AuditQuery`] as the read applies them: texts trimmed (an empty one is
/// no filter) and an action resolved to the actions of the trail it names.
struct Filters {
    case_id: Option<String>,
    user_id: Option<String>,
    username: Option<String>,
    actions: Option<Vec<String>>,
    from: Option<String>,
    to: Option<String>,
    before_seq: Option<i64>,
    break_glass_only: bool,
}

/// Newest rows first, filtered.
///
/// Issue 17: a year of a busy hospital is millions of rows, and one static text with every
/// filter written `($n IS NULL OR …)` left the planner one plan, the walk down `seq`: a filter
/// that matched rarely read the whole trail (a case 612 ms, an action with no row 648 ms at a
/// million rows). Now only the filters given are in the SQL, and one of them leads with its
/// index, which holds `seq` behind the value: a case (the rows about it, and from `audit_cases`
/// the lists that named it), else a user, a login name, each action the filter names, or the
/// break-glass flag. The rows come from the index newest first and a rare filter reads only its own; the
/// other filters are checked on them. The leads' sequence numbers are merged (one part per
/// action of a family) and only the page's rows are read whole. Every value is bound.
pub async fn query(db: &Db, q: &AuditQuery) -> Result<Vec<AuditRow>, sqlx::Error> {
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let actions = match text(&q.action) {
        Some(filter) => Some(actions_named(db, &filter).await?),
        None => None,
    };
    if actions.as_ref().is_some_and(Vec::is_empty) {
        // No row of the trail has an action the filter names.
        return Ok(Vec::new());
    }
    let f = Filters {
        case_id: text(&q.case_id),
        user_id: text(&q.user_id),
        username: text(&q.username),
        actions,
        from: text(&q.from),
        to: text(&q.to),
        before_seq: q.before_seq,
        break_glass_only: q.break_glass_only,
    };
    let leads: Vec<Lead> = if let Some(id) = &f.case_id {
        vec![Lead::Column("case_id", Value::Text(id.clone())), Lead::Listed(id.clone())]
    } else if let Some(id) = &f.user_id {
        vec![Lead::Column("user_id", Value::Text(id.clone()))]
    } else if let Some(name) = &f.username {
        vec![Lead::Column("username", Value::Text(name.clone()))]
    } else if let Some(actions) = &f.actions {
        actions.iter().map(|a| Lead::Column("action", Value::Text(a.clone()))).collect()
    } else if f.break_glass_only {
        vec![Lead::Column("break_glass", Value::Int(1))]
    } else {
        vec![Lead::All]
    };
    let read = page(&leads, &f, limit);
    let mut query = sqlx::query_as::<_, StoredRow>(sqlx::AssertSqlSafe(read.sql));
    for value in read.values {
        query = match value {
            Value::Text(t) => query.bind(t),
            Value::Int(i) => query.bind(i),
        };
    }
    let rows = query.fetch_all(&db.pool).await?;
    rows.into_iter().map(AuditRow::try_from).collect()
}

/// The read of one page: each lead's newest `limit` sequence numbers that pass every filter,
/// merged, and the rows of the newest `limit` of them. No row comes from two leads: a row has
/// one action, and a list's entries leave out the row's own case.
fn page(leads: &[Lead], f: &Filters, limit: i64) -> Read {
    let mut read = Read::default();
    let mut parts = Vec::with_capacity(leads.len());
    for (i, lead) in leads.iter().enumerate() {
        let mut conditions = Vec::new();
        let (from, seq) = match lead {
            Lead::Listed(id) => {
                conditions.push(format!("c.case_id = {}", read.bind(Value::Text(id.clone()))));
                ("audit_cases c JOIN audit_log a ON a.seq = c.seq", "c.seq")
            }
            Lead::Column(column, value) => {
                conditions.push(format!("a.{column} = {}", read.bind(value.clone())));
                ("audit_log a", "a.seq")
            }
            Lead::All => ("audit_log a", "a.seq"),
        };
        let leads_with = |column: &str| matches!(lead, Lead::Column(c, _) if *c == column);
        if let Some(id) = f.user_id.as_ref().filter(|_| !leads_with("user_id")) {
            conditions.push(format!("a.user_id = {}", read.bind(Value::Text(id.clone()))));
        }
        if let Some(name) = f.username.as_ref().filter(|_| !leads_with("username")) {
            conditions.push(format!("a.username = {}", read.bind(Value::Text(name.clone()))));
        }
        if let Some(actions) = f.actions.as_ref().filter(|_| !leads_with("action")) {
            let list: Vec<String> = actions.iter().map(|a| read.bind(Value::Text(a.clone()))).collect();
            conditions.push(format!("a.action IN ({})", list.join(", ")));
        }
        if f.break_glass_only && !leads_with("break_glass") {
            conditions.push("a.break_glass = 1".to_string());
        }
        if let Some(from) = &f.from {
            conditions.push(format!("a.at >= {}", read.bind(Value::Text(from.clone()))));
        }
        if let Some(to) = &f.to {
            conditions.push(format!("a.at <= {}", read.bind(Value::Text(to.clone()))));
        }
        if let Some(before) = f.before_seq {
            conditions.push(format!("{seq} < {}", read.bind(Value::Int(before))));
        }
        let filter = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
        let limit = read.bind(Value::Int(limit));
        parts.push(format!(
            "SELECT * FROM (SELECT {seq} AS seq FROM {from}{filter} ORDER BY {seq} DESC LIMIT {limit}) p{i}"
        ));
    }
    let limit = read.bind(Value::Int(limit));
    read.sql = format!(
        "SELECT {} FROM ({}) s JOIN audit_log USING (seq) ORDER BY seq DESC LIMIT {limit}",
        columns!(),
        parts.join(" UNION ALL ")
    );
    read
}

/// The actions of the trail that `filter` names: itself, and its family (`plan` names
/// `plan.sign` and `plan.outcome`, not `planet`), compared without regard to case. Read from the
/// action index one distinct value at a time (a few dozen seeks, whatever the trail's size).
async fn actions_named(db: &Db, filter: &str) -> Result<Vec<String>, sqlx::Error> {
    let all: Vec<String> = sqlx::query_scalar(
        "WITH RECURSIVE seen(action) AS (SELECT MIN(action) FROM audit_log \
         UNION ALL SELECT (SELECT MIN(l.action) FROM audit_log l WHERE l.action > seen.action) FROM seen \
         WHERE seen.action IS NOT NULL) SELECT action FROM seen WHERE action IS NOT NULL",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(all.into_iter().filter(|a| names_action(filter, a)).collect())
}

/// Whether the viewer's action filter names `action`: the action itself or one of its family.
fn names_action(filter: &str, action: &str) -> bool {
    let (filter, action) = (filter.to_lowercase(), action.to_lowercase());
    action == filter || action.strip_prefix(filter.as_str()).is_some_and(|rest| rest.starts_with('.'))
}

/// What `verify` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainCheck {
    Intact {
        rows: i64,
    },
    /// The first row whose sequence, link or hash is wrong, and why; `rows` found intact
    /// before it.
    Broken {
        seq: i64,
        reason: String,
        rows: i64,
    },
}

impl ChainCheck {
    pub fn status(&self) -> crate::domain::audit::ChainStatus {
        match self {
            ChainCheck::Intact { rows } => {
                crate::domain::audit::ChainStatus { intact: true, rows: *rows, first_bad_seq: None, reason: None }
            }
            ChainCheck::Broken { seq, reason, rows } => crate::domain::audit::ChainStatus {
                intact: false,
                rows: *rows,
                first_bad_seq: Some(*seq),
                reason: Some(reason.clone()),
            },
        }
    }
}

/// Rows per page of [`verify`]'s walk.
const VERIFY_PAGE: i64 = 2000;

/// Walks the whole chain in order and reports the first bad row (LG-2), and checks the case
/// index beside it (`audit_cases`) against the rows: each row must be indexed under exactly the
/// cases its list names, so that "who saw patient X" cannot lose a row, or gain one, unseen.
///
/// One read transaction (one snapshot: rows appended meanwhile are neither walked nor counted),
/// read a page at a time: the page's rows, then the index's entries for them.
pub async fn verify(db: &Db) -> Result<ChainCheck, sqlx::Error> {
    let mut conn = db.acquire().await?;
    let mut tx = conn.begin_read().await?;
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut count = 0;
    loop {
        let page: Vec<StoredRow> =
            sqlx::query_as(concat!("SELECT ", columns!(), " FROM audit_log WHERE seq >= $1 ORDER BY seq ASC LIMIT $2"))
                .bind(expected_seq)
                .bind(VERIFY_PAGE)
                .fetch_all(&mut *tx)
                .await?;
        let Some(last) = page.last().map(|r| r.seq) else { break };
        let indexed: Vec<(i64, String)> =
            sqlx::query_as("SELECT seq, case_id FROM audit_cases WHERE seq >= $1 AND seq <= $2")
                .bind(expected_seq)
                .bind(last)
                .fetch_all(&mut *tx)
                .await?;
        let mut indexed_by_row = std::collections::BTreeMap::<i64, Vec<String>>::new();
        for (seq, case_id) in indexed {
            indexed_by_row.entry(seq).or_default().push(case_id);
        }
        for r in page {
            let row = AuditRow::try_from(r)?;
            if row.seq != expected_seq {
                return Ok(ChainCheck::Broken {
                    seq: row.seq,
                    reason: format!("expected row {expected_seq} here: a row is missing or inserted"),
                    rows: count,
                });
            }
            if row.prev_hash != prev_hash {
                return Ok(ChainCheck::Broken {
                    seq: row.seq,
                    reason: "does not link to the row before it".into(),
                    rows: count,
                });
            }
            if row_hash(&prev_hash, &row) != row.hash {
                return Ok(ChainCheck::Broken {
                    seq: row.seq,
                    reason: "its content does not match its hash (edited)".into(),
                    rows: count,
                });
            }
            let mut indexed = indexed_by_row.remove(&row.seq).unwrap_or_default();
            indexed.sort();
            if indexed != cases_named(&row) {
                return Ok(ChainCheck::Broken {
                    seq: row.seq,
                    reason: "the case index does not list exactly the cases this row names".into(),
                    rows: count,
                });
            }
            prev_hash = row.hash;
            expected_seq += 1;
            count += 1;
        }
    }
    // The walk starts at row 1, so a row numbered below it (inserted with a number of its own)
    // would never be walked; nor would an index entry below it or past the last row (the key's
    // reference refuses entries naming no row; checked all the same). Every page was whole
    // (rows `1..expected_seq`, no gap), so every other entry met its row.
    let outside: Option<i64> =
        sqlx::query_scalar("SELECT MAX(seq) FROM audit_log WHERE seq < 1").fetch_one(&mut *tx).await?;
    if let Some(seq) = outside {
        return Ok(ChainCheck::Broken {
            seq,
            reason: "numbered before the trail's first row: a row inserted outside the chain".into(),
            rows: count,
        });
    }
    let stray: Option<i64> = sqlx::query_scalar("SELECT MIN(seq) FROM audit_cases WHERE seq < 1 OR seq >= $1")
        .bind(expected_seq)
        .fetch_one(&mut *tx)
        .await?;
    if let Some(seq) = stray {
        return Ok(ChainCheck::Broken {
            seq,
            reason: "the case index lists a row that is not in the trail".into(),
            rows: count,
        });
    }
    tx.commit().await?;
    Ok(ChainCheck::Intact { rows: count })
}

/// The index entries a row should have: the cases its list named, each once, sorted, without
/// the row's own case (found through the trail's own index).
fn cases_named(row: &AuditRow) -> Vec<String> {
    let mut cases: Vec<String> = row.case_ids.iter().filter(|id| row.case_id.as_ref() != Some(*id)).cloned().collect();
    cases.sort();
    cases.dedup();
    cases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_filter_names_the_action_and_its_family_only() {
        assert!(names_action("plan", "plan.sign"));
        assert!(names_action("plan", "plan"));
        assert!(names_action("PLAN.Sign", "plan.sign"));
        assert!(names_action("meeting.agenda", "meeting.agenda.add"));
        assert!(!names_action("plan", "planet.view"));
        assert!(!names_action("pla_", "plan.sign"), "no wildcard");
        assert!(!names_action("plan.sign", "plan"));
        assert!(!names_action("", "plan"));
    }

    /// IN-1: the viewer's read writes column names and numbered placeholders; no value of a
    /// filter ever reaches its text, and each is bound once in the order of its placeholder.
    #[test]
    fn the_viewers_read_binds_every_value_and_writes_none() {
        let evil = "x' OR '1'='1";
        let f = Filters {
            case_id: Some(evil.into()),
            user_id: Some(format!("{evil}u")),
            username: Some(format!("{evil}n")),
            actions: Some(vec![format!("{evil}a"), format!("{evil}b")]),
            from: Some(format!("{evil}f")),
            to: Some(format!("{evil}t")),
            before_seq: Some(77),
            break_glass_only: true,
        };
        let leads = [Lead::Column("action", Value::Text(format!("{evil}a"))), Lead::Listed(evil.into()), Lead::All];
        let read = page(&leads, &f, 200);
        assert!(!read.sql.contains('\''), "{}", read.sql);
        assert!(!read.sql.contains("77"), "{}", read.sql);
        let numbers: Vec<usize> = read
            .sql
            .split('$')
            .skip(1)
            .map(|rest| rest[..rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len())].parse().unwrap())
            .collect();
        assert_eq!(numbers, (1..=read.values.len()).collect::<Vec<_>>(), "{}", read.sql);
        assert!(read.sql.starts_with("SELECT seq, at, user_id"), "{}", read.sql);
    }
}
