//! Sessions recently read from the database, so that a request does not ask for its session
//! every time (issue 17: on SQLite the session query and the pool's check of the connection
//! after it were two of the API read's four round trips to SQLite's connection threads).
//!
//! Kept on SQLite only. Every change to a session or a user, by any process on the same file,
//! is followed (once committed) by [`SessionCache::forget_all`], which forgets this process's
//! kept sessions and appends one byte to a stamp file beside the database: each process
//! compares the stamp's length with the one its kept row was read under, on every request, so
//! a logout or a disabled user on one instance ends the session on the others at once (SQLite
//! allows several processes on one file). A read that raced with such a change is not kept
//! (the stamp it started under is gone). A kept row is trusted for [`TRUST_FOR`] at most, and
//! the time limits (idle, absolute) are checked on every request from it, as before; a request
//! that would refresh the idle timer, or finds the session over a limit, asks the database.
//! PostgreSQL instances share no file, and their sessions are always read from the database.
//!
//! A `Mutex<HashMap>` rather than a caching crate: the cache has one rule (forget everything on
//! any change, by any process) that no eviction policy expresses, and it holds one small row
//! per live session.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::domain::user::Me;

/// How long a kept session is trusted without asking the database again.
pub const TRUST_FOR: Duration = Duration::from_secs(10);

/// More live sessions than a hospital has: past this the cache starts again from empty.
const MAX_ENTRIES: usize = 10_000;

/// What the database said about a session.
#[derive(Clone, Debug)]
pub struct Known {
    pub me: Me,
    pub last_seen: DateTime<Utc>,
    pub expires: DateTime<Utc>,
}

/// This process's count of changes, and the stamp file's length (every process's changes).
pub type Stamp = (u64, u64);

#[derive(Debug, Default)]
struct Inner {
    generation: u64,
    entries: HashMap<String, (Known, Stamp, Instant)>,
}

/// See the module's documentation.
#[derive(Debug, Default)]
pub struct SessionCache {
    enabled: AtomicBool,
    /// Beside the database file; `None` for a database in memory (one process only).
    stamp_file: Option<PathBuf>,
    inner: Mutex<Inner>,
}

impl SessionCache {
    /// A cache that keeps nothing (PostgreSQL).
    pub fn off() -> Self {
        SessionCache::default()
    }

    /// A cache for a SQLite database, with its stamp file (`None` in memory).
    pub fn sqlite(stamp_file: Option<PathBuf>) -> Self {
        SessionCache { enabled: AtomicBool::new(true), stamp_file, inner: Mutex::default() }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the map half-changed in a way that
        // matters: at worst an entry is missing, and the database is asked.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The stamp file's length now; `None` when the cache is off or the file cannot be read.
    fn file_len(&self) -> Option<u64> {
        if !self.enabled.load(Ordering::Relaxed) {
            return None;
        }
        match &self.stamp_file {
            None => Some(0),
            Some(path) => match std::fs::metadata(path) {
                Ok(m) => Some(m.len()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(0),
                Err(_) => None,
            },
        }
    }

    /// The stamp now; `None` when the cache is off or the stamp file cannot be read.
    pub fn stamp(&self) -> Option<Stamp> {
        let len = self.file_len()?;
        Some((self.inner().generation, len))
    }

    /// The kept row for a session id's hash, if nothing has changed since it was read and it
    /// is still trusted.
    pub fn get(&self, id_hash: &str) -> Option<Known> {
        let len = self.file_len()?;
        let inner = self.inner();
        let (known, stamp, read_at) = inner.entries.get(id_hash)?;
        (*stamp == (inner.generation, len) && read_at.elapsed() < TRUST_FOR).then(|| known.clone())
    }

    /// Keeps what the database said; `stamp` was taken before reading it.
    pub fn put(&self, stamp: Option<Stamp>, id_hash: &str, known: Known, read_at: Instant) {
        let Some(stamp) = stamp else { return };
        let mut inner = self.inner();
        if inner.generation != stamp.0 {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
        }
        inner.entries.insert(id_hash.to_string(), (known, stamp, read_at));
    }

    /// Forgets every kept session, here and (through the stamp file) in every other process:
    /// called after any change to sessions or users commits. If the stamp file cannot be
    /// written, this process stops keeping sessions (the others notice within [`TRUST_FOR`]).
    pub fn forget_all(&self) {
        {
            let mut inner = self.inner();
            inner.generation += 1;
            inner.entries.clear();
        }
        if let Some(path) = &self.stamp_file {
            let appended =
                std::fs::OpenOptions::new().create(true).append(true).open(path).and_then(|mut f| f.write_all(b"."));
            if let Err(error) = appended {
                tracing::error!(%error, file = %path.display(), "cannot write the sessions' stamp file; sessions are read from the database from now on");
                self.enabled.store(false, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::role::Role;

    fn known() -> Known {
        let now = Utc::now();
        Known {
            me: Me {
                id: "u1".into(),
                username: "a".into(),
                display_name: "A".into(),
                role: Role::Clinician,
                specialty: None,
            },
            last_seen: now,
            expires: now,
        }
    }

    #[test]
    fn a_read_that_raced_with_a_change_is_not_kept() {
        let cache = SessionCache::sqlite(None);
        let before = cache.stamp();
        cache.forget_all();
        cache.put(before, "h", known(), Instant::now());
        assert!(cache.get("h").is_none());
        cache.put(cache.stamp(), "h", known(), Instant::now());
        assert_eq!(cache.get("h").map(|k| k.me.id), Some("u1".to_string()));
        cache.forget_all();
        assert!(cache.get("h").is_none());
    }

    #[test]
    fn another_processs_change_is_seen_through_the_stamp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sessions-stamp");
        let here = SessionCache::sqlite(Some(path.clone()));
        let there = SessionCache::sqlite(Some(path));
        here.put(here.stamp(), "h", known(), Instant::now());
        assert!(here.get("h").is_some());
        there.forget_all();
        assert!(here.get("h").is_none(), "the other process's change ends the kept session");
    }

    #[test]
    fn an_entry_is_trusted_for_a_while_only_and_never_when_off() {
        let cache = SessionCache::sqlite(None);
        cache.put(cache.stamp(), "old", known(), Instant::now() - TRUST_FOR);
        assert!(cache.get("old").is_none());
        let off = SessionCache::off();
        off.put(Some((0, 0)), "h", known(), Instant::now());
        assert!(off.get("h").is_none());
    }
}
