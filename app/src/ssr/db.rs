//! The database: one pool over SQLite (the embedded default) or PostgreSQL, chosen by the URL.
//!
//! Queries go through sqlx's `Any` driver with `$1`-style bound parameters, which both engines
//! accept, so one query text serves both. Columns are portable: TEXT, BIGINT, DOUBLE PRECISION;
//! timestamps are fixed-width UTC text (see `ssr::now_text`), booleans are BIGINT 0/1.

use std::time::{Duration, Instant};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

/// Which engine a pool talks to; the few places that must differ ask this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Why the database could not be opened, said so that an operator knows what to do.
#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("DATABASE_URL must start with sqlite:// or postgres:// (got {0:?})")]
    UnsupportedUrl(String),
    #[error("cannot create the database directory {dir}: {source}")]
    CreateDir { dir: String, source: std::io::Error },
    #[error("cannot open the database ({engine:?}): {source}")]
    Connect { engine: Engine, source: sqlx::Error },
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The application's database handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub engine: Engine,
    /// Wakes live viewers of a case after a change commits (see `ssr::events`).
    pub hub: std::sync::Arc<super::events::EventHub>,
    /// The audit log's group-commit writer (see `audit::record`); `None` in the writer itself.
    pub audit: Option<super::audit::AuditQueue>,
    /// Sessions recently read (SQLite only; see `auth::SessionCache`).
    pub sessions: std::sync::Arc<super::auth::SessionCache>,
    /// Connections kept between uses (see [`Db::acquire`]).
    pub(crate) kept: std::sync::Arc<Kept>,
}

/// How many idle connections [`Db::acquire`] keeps outside sqlx's pool. The pool has 8 (SQLite)
/// or 10 (PostgreSQL): at least 4 are always left for writes and for the audit writer.
const KEPT_MAX: usize = 4;

/// How long after sqlx's pool last checked a PostgreSQL connection [`Db::acquire`] may still
/// hand it out from [`Kept`] without asking the pool again.
pub const PG_KEEP_FOR: Duration = Duration::from_secs(1);

type PooledConn = sqlx::pool::PoolConnection<sqlx::Any>;

/// Failures of a database connection itself that this process has seen (see [`note_failure`]).
static FAILURES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn failures() -> u64 {
    FAILURES.load(std::sync::atomic::Ordering::Relaxed)
}

/// Called with every database error on its way to a request's answer (`AppError::from`); true
/// when it is a failure of the connection itself: an I/O, TLS or protocol error, a crashed
/// SQLite worker, or PostgreSQL ending the session or refusing it (SQLSTATE class 08, and
/// 57P01–57P05: shut down by an administrator, a crash, starting up, the database dropped, an
/// idle session ended). Such a failure sends every connection kept until then back through
/// sqlx's pool and its checks instead of to the next request: a restart or failover of
/// PostgreSQL fails the requests it caught, not every request for the next second on the
/// connections it broke.
pub fn note_failure(err: &sqlx::Error) -> bool {
    let broken = match err {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    };
    if broken {
        FAILURES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    broken
}

/// Connections this process keeps between uses, outside sqlx's pool (issue 17).
///
/// sqlx tests every connection given back to its pool (`PoolConnection::return_to_pool` pings
/// it, unconditionally), and on PostgreSQL it pings it again before each use
/// (`test_before_acquire`): one more round trip per use on SQLite (to the connection's own
/// thread; 6–8 % of the API read's CPU in a profile), two more on PostgreSQL (to the server;
/// the API read's sessions and case query were 6 round trips, of which 4 were pings).
///
/// The ping on return waits for commands still queued on the connection, such as the ROLLBACK
/// of a transaction dropped unfinished or the rest of a query given up on. Both drivers finish
/// those before the next user's first command: SQLite's connection thread runs its commands
/// strictly in order, and sqlx's PostgreSQL connection waits for every answer still owed
/// (`wait_until_ready`) before it sends anything new. A connection comes back here only when its
/// user is done with it (not while unwinding from a panic); anything else goes back through
/// sqlx as before.
///
/// On PostgreSQL the ping before use finds a connection broken by a server restart or a
/// failover before a request does. A kept connection is therefore handed out only within
/// [`PG_KEEP_FOR`] of the pool's last check (its `checked` time); after that it goes back
/// through the pool and its two checks. A connection failure seen by any request
/// ([`note_failure`]) sends every kept connection back the same way, so a restart fails the
/// requests it caught and not those of the following second. A task gives back kept
/// connections that no one asked for within that time, so a ROLLBACK queued by a dropped read
/// transaction goes out within two seconds even on a quiet night, instead of leaving the server
/// a session idle in transaction. SQLite's connections are files in this process, do not break
/// that way and are kept without a time limit (a failure still sends them back).
#[derive(Debug)]
pub(crate) struct Kept {
    idle: std::sync::Mutex<Idle>,
    /// `None` on SQLite: kept for as long as they are wanted.
    keep_for: Option<Duration>,
}

#[derive(Debug, Default)]
struct Idle {
    /// Each with when it was handed out: the time sqlx's pool last checked it and the count of
    /// connection failures then (newest given back last).
    conns: Vec<(PooledConn, Handed)>,
    /// Set by [`Db::close`]: nothing is kept any more, so that the pool's close, which waits
    /// for every connection, is not left waiting for one kept after it began.
    closed: bool,
}

impl Kept {
    fn new(engine: Engine) -> Kept {
        let keep_for = (engine == Engine::Postgres).then_some(PG_KEEP_FOR);
        Kept { idle: std::sync::Mutex::default(), keep_for }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Idle> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// True while a connection may be handed out again: no connection failure since it was
    /// handed out, and (PostgreSQL) its check recent enough.
    fn fresh(&self, handed: Handed) -> bool {
        handed.failures == failures() && self.keep_for.is_none_or(|keep_for| handed.checked.elapsed() < keep_for)
    }

    /// A kept connection still fresh, with when it was handed out. Stale ones go back to sqlx's
    /// pool (dropped once the lock is released).
    fn take(&self) -> Option<(PooledConn, Handed)> {
        let (found, stale) = {
            let mut idle = self.idle();
            let stale = self.take_stale(&mut idle);
            (idle.conns.pop(), stale)
        };
        drop(stale);
        found
    }

    /// Keeps a connection given back by its user, unless the database is closing, enough are
    /// kept or its check is too old; then it goes back to sqlx's pool as it is dropped.
    fn put(&self, conn: PooledConn, handed: Handed) {
        let mut idle = self.idle();
        if !idle.closed && idle.conns.len() < KEPT_MAX && self.fresh(handed) {
            idle.conns.push((conn, handed));
            return;
        }
        drop(idle);
        drop(conn);
    }

    /// Takes the kept connections that are no longer fresh out of `idle` (none allocated when
    /// every one is fresh, as on the hot path).
    fn take_stale(&self, idle: &mut Idle) -> Vec<PooledConn> {
        idle.conns.extract_if(.., |(_, handed)| !self.fresh(*handed)).map(|(conn, _)| conn).collect()
    }

    fn len(&self) -> usize {
        self.idle().conns.len()
    }

    /// Stops keeping connections and hands back those kept, for the pool to take back.
    fn close(&self) -> Vec<PooledConn> {
        let mut idle = self.idle();
        idle.closed = true;
        std::mem::take(&mut idle.conns).into_iter().map(|(conn, _)| conn).collect()
    }
}

/// Every [`PG_KEEP_FOR`], gives the kept connections that went stale back to sqlx's pool,
/// which pings them (sending anything still queued on them); ends with the database.
async fn give_back_stale(kept: std::sync::Weak<Kept>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(kept) = kept.upgrade() else { return };
        let stale = kept.take_stale(&mut kept.idle());
        drop(stale);
    }
}

impl Drop for Kept {
    /// The last handle of the database is gone, perhaps with its runtime: the connections are
    /// closed here, without the task that giving them back to the pool would start.
    fn drop(&mut self) {
        for conn in self.close() {
            drop(conn.detach());
        }
    }
}

/// When a connection was handed out by sqlx's pool (see [`Kept`]).
#[derive(Clone, Copy, Debug)]
struct Handed {
    /// When the pool last checked it (PostgreSQL; SQLite's pool does not).
    checked: Instant,
    /// [`FAILURES`] then.
    failures: u64,
}

/// A connection from [`Db::acquire`]; it derefs to the connection.
pub struct Conn<'a> {
    conn: Option<PooledConn>,
    handed: Handed,
    /// Where it goes back to when done.
    kept: &'a Kept,
    engine: Engine,
}

impl Conn<'_> {
    /// A read-only transaction for a page's reads: they run on one connection and see one
    /// snapshot of the database, so the parts of a page agree with each other (a plan is never
    /// shown beside an older version of its case). SQLite's deferred transaction takes its
    /// snapshot at the first read; PostgreSQL's default isolation would take one per statement,
    /// hence repeatable read.
    pub async fn begin_read(&mut self) -> Result<sqlx::Transaction<'_, sqlx::Any>, sqlx::Error> {
        let statement = match self.engine {
            Engine::Sqlite => "BEGIN DEFERRED",
            Engine::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        sqlx::Connection::begin_with(&mut **self, statement).await
    }
}

impl std::ops::Deref for Conn<'_> {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &sqlx::AnyConnection {
        self.conn.as_ref().expect("a Conn holds its connection until dropped")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        self.conn.as_mut().expect("a Conn holds its connection until dropped")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take()
            && !std::thread::panicking()
        {
            self.kept.put(conn, self.handed);
        }
        // Otherwise the connection goes back to sqlx's pool as it is dropped here.
    }
}

/// The embedded, ordered migrations for each engine (../migrations/{sqlite,postgres}).
/// Never edit one that has been applied.
pub static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
pub static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// SQLite settings required by security.md DI-4, applied to every new connection.
const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
];

impl Db {
    /// Engine named by a database URL.
    pub fn engine_of(url: &str) -> Result<Engine, DbOpenError> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(DbOpenError::UnsupportedUrl(redact_url(url)))
        }
    }

    /// Opens the pool (creating a SQLite file and its directory if needed). Does not migrate.
    pub async fn connect(url: &str) -> Result<Db, DbOpenError> {
        install_default_drivers();
        let engine = Self::engine_of(url)?;
        let url = match engine {
            Engine::Sqlite => prepare_sqlite_url(url)?,
            Engine::Postgres => url.to_string(),
        };
        let hub = super::events::EventHub::new((engine == Engine::Postgres).then(|| url.clone()));
        let options = AnyPoolOptions::new()
            .max_connections(match engine {
                Engine::Sqlite => 8,
                Engine::Postgres => 10,
            })
            .acquire_timeout(Duration::from_secs(5))
            // SQLite connections are files in this process and do not break: a ping before
            // every query was one more round trip to the connection's thread each time (issue
            // 17). PostgreSQL keeps it: a connection dropped by a restart or failover is
            // found before use, not by a request (`Db::acquire` hands a connection out again
            // without it only within `PG_KEEP_FOR` of the pool's check; see `Kept`).
            .test_before_acquire(engine == Engine::Postgres);
        let options = if engine == Engine::Sqlite {
            options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in SQLITE_PRAGMAS {
                        conn.execute(pragma).await?;
                    }
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(&url).await.map_err(|source| DbOpenError::Connect { engine, source })?;
        let sessions = std::sync::Arc::new(match engine {
            Engine::Sqlite => super::auth::SessionCache::sqlite(sqlite_file(&url).map(|f| {
                let mut name = f.into_os_string();
                name.push(".sessions-stamp");
                std::path::PathBuf::from(name)
            })),
            Engine::Postgres => super::auth::SessionCache::off(),
        });
        let kept = std::sync::Arc::new(Kept::new(engine));
        if let Some(every) = kept.keep_for {
            tokio::spawn(give_back_stale(std::sync::Arc::downgrade(&kept), every));
        }
        let mut db = Db { pool, engine, hub, audit: None, sessions, kept };
        db.audit = Some(super::audit::AuditQueue::start(&db));
        Ok(db)
    }

    /// Connects and applies every pending migration.
    pub async fn open_and_migrate(url: &str) -> Result<Db, DbOpenError> {
        let db = Self::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    pub async fn migrate(&self) -> Result<(), DbOpenError> {
        self.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// The migrations for this engine.
    pub fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATOR,
            Engine::Postgres => &POSTGRES_MIGRATOR,
        }
    }

    /// True when the database answers a trivial query within two seconds.
    pub async fn ping(&self) -> bool {
        let q = sqlx::query("SELECT 1").fetch_one(&self.pool);
        matches!(tokio::time::timeout(Duration::from_secs(2), q).await, Ok(Ok(_)))
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so a read-then-write transaction cannot fail to upgrade under WAL.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        }
    }

    /// A connection for a request's reads (several reads of a page: [`Conn::begin_read`]), or
    /// for the audit writer's one-statement append: one this process kept from its last use
    /// when there is one (see [`Kept`]), else one from sqlx's pool. Use instead of
    /// `pool.acquire()`.
    pub async fn acquire(&self) -> Result<Conn<'_>, sqlx::Error> {
        let (conn, handed) = match self.kept.take() {
            Some(kept) => kept,
            None => {
                // The failures counted before asking: one noted while the pool was busy with
                // this connection sends it back rather than keeping it.
                let failures = failures();
                let conn = self.pool.acquire().await?;
                // sqlx's pool checks a PostgreSQL connection as it hands it out.
                (conn, Handed { checked: Instant::now(), failures })
            }
        };
        Ok(Conn { conn: Some(conn), handed, kept: &self.kept, engine: self.engine })
    }

    /// How many connections [`Db::acquire`] keeps between uses now (for tests).
    pub fn kept_connections(&self) -> usize {
        self.kept.len()
    }

    /// Closes the database: gives back the connections it keeps, then closes the pool
    /// (which waits for every connection in use to come back). Use this, not `pool.close()`.
    pub async fn close(&self) {
        drop(self.kept.close());
        self.pool.close().await;
    }

    /// Wakes this process's live viewers of a case; call after the commit that wrote its
    /// `case_events` row (other instances hear of it through PostgreSQL NOTIFY).
    pub fn announce(&self, case_id: &str) {
        self.hub.announce(case_id);
    }

    /// The SQLite settings of one pooled connection, as (journal_mode, synchronous,
    /// foreign_keys, busy_timeout). Used by start-up checks and tests (DI-4).
    pub async fn sqlite_pragmas(&self) -> Result<(String, i64, i64, i64), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await?;
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await?;
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *conn).await?;
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *conn).await?;
        Ok((journal, sync, fk, busy))
    }
}

/// Makes sure a SQLite file URL creates its file (`mode=rwc`) and that its directory exists.
/// The file of a SQLite URL; `None` for a database in memory.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let in_memory = path.is_empty() || path == ":memory:" || query.is_some_and(|q| q.contains("mode=memory"));
    (!in_memory).then(|| std::path::PathBuf::from(path))
}

fn prepare_sqlite_url(url: &str) -> Result<String, DbOpenError> {
    if let Some(file) = sqlite_file(url)
        && let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|source| DbOpenError::CreateDir { dir: dir.display().to_string(), source })?;
    }
    Ok(match url.split_once('?').map(|(_, q)| q) {
        Some(q) if q.contains("mode=") => url.to_string(),
        Some(_) => format!("{url}&mode=rwc"),
        None => format!("{url}?mode=rwc"),
    })
}

/// A database URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match split_password(url) {
        (without, Some(_)) => match without.split_once('@') {
            Some((head, rest)) => format!("{head}:***@{rest}"),
            None => without,
        },
        (without, None) => without,
    }
}

/// Splits the password out of a database URL: the URL without it, and the password (percent-
/// decoded). Tools such as pg_dump get the password through the environment (`PGPASSWORD`),
/// never on their command line, where every user of the host could read it.
pub fn split_password(url: &str) -> (String, Option<String>) {
    let (Some(scheme_end), Some(at)) = (url.find("://"), url.rfind('@')) else { return (url.to_string(), None) };
    if at < scheme_end {
        return (url.to_string(), None);
    }
    let creds = &url[scheme_end + 3..at];
    match creds.split_once(':') {
        Some((user, password)) => {
            (format!("{}{}{}", &url[..scheme_end + 3], user, &url[at..]), Some(percent_decode(password)))
        }
        None => (url.to_string(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A unique-constraint violation answered as `conflict` (a 409 or a field error): two requests
/// that race for the same key get the same answer as a check would give, never a 500. Any other
/// database error stays what it is.
pub fn unique_violation_as(
    e: sqlx::Error,
    conflict: impl FnOnce() -> crate::error::AppError,
) -> crate::error::AppError {
    if e.as_database_error().is_some_and(|d| d.is_unique_violation()) { conflict() } else { e.into() }
}

/// Reads a JSON text column into its type; a stored value that does not fit is an internal
/// error naming what it was (the client sees only a reference, LG-3).
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, crate::error::AppError> {
    serde_json::from_str(text)
        .map_err(|e| crate::error::AppError::internal(&format!("stored {what} is not valid: {e}")))
}

/// A LIKE pattern matching `text` anywhere, with its wildcards escaped (use `ESCAPE '\\'`).
pub fn like_contains(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_search_text_are_escaped() {
        assert_eq!(like_contains("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn urls_choose_the_engine() {
        assert_eq!(Db::engine_of("sqlite://data/x.db").unwrap(), Engine::Sqlite);
        assert_eq!(Db::engine_of("postgres://u@h/db").unwrap(), Engine::Postgres);
        assert!(Db::engine_of("mysql://x").is_err());
    }

    #[test]
    fn the_password_is_split_out_of_a_url_for_the_environment() {
        assert_eq!(
            split_password("postgres://tb:s%40cret@db:5432/tb?sslmode=require"),
            ("postgres://tb@db:5432/tb?sslmode=require".to_string(), Some("s@cret".to_string()))
        );
        assert_eq!(split_password("postgres://tb@db/tb"), ("postgres://tb@db/tb".to_string(), None));
        assert_eq!(split_password("postgres://db/tb"), ("postgres://db/tb".to_string(), None));
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(redact_url("postgres://tb:secret@db:5432/tb"), "postgres://tb:***@db:5432/tb");
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = std::env::temp_dir().join(format!("tb-url-{}", std::process::id()));
        let url = format!("sqlite://{}/a/b.db", dir.display());
        assert!(prepare_sqlite_url(&url).unwrap().ends_with("?mode=rwc"));
        assert!(dir.join("a").is_dir());
        std::fs::remove_dir_all(dir).ok();
    }
}
