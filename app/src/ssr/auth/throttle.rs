//! Login throttling (security.md AU-5, AU-6): every password attempt is counted per account
//! and per client address *before* the hash is checked, with one atomic upsert per key, so
//! parallel guesses cannot slip past; beyond the free attempts each waits a growing delay.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::parse_time;
use crate::error::AppError;
use crate::ssr::{Db, time_text};

/// Attempts per account before delays start.
const ACCOUNT_FREE_FAILURES: i64 = 5;
/// Attempts per client address before delays start (covers guessing across many accounts).
const ADDRESS_FREE_FAILURES: i64 = 20;
/// A counter is forgotten when its last attempt is older than this.
const FAILURE_WINDOW_SECS: i64 = 15 * 60;
/// The longest delay ever imposed; a lock always ends, so nobody is locked out for good.
const MAX_DELAY_SECS: i64 = 15 * 60;

/// The throttle keys of an attempt and how many attempts each allows before delays start.
/// The account is named by a hash of the typed name: what was typed (perhaps a password in the
/// wrong field) is never stored.
pub(super) fn throttle_keys(username: &str, client_addr: &str) -> [(String, i64); 2] {
    let account = hex::encode(Sha256::digest(username.trim().to_lowercase().as_bytes()));
    [(format!("user:{account}"), ACCOUNT_FREE_FAILURES), (format!("addr:{client_addr}"), ADDRESS_FREE_FAILURES)]
}

/// Seconds to wait after `failures` counted failures: none for the free ones, then 1 s,
/// doubling with each further failure, at most `MAX_DELAY_SECS`.
fn delay_after(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    1i64.checked_shl((failures - free).min(20) as u32).unwrap_or(MAX_DELAY_SECS).min(MAX_DELAY_SECS)
}

/// One atomic write per key: count this attempt (a new window when the last attempt is old)
/// and return the count with the time of the attempt before.
const COUNT_ATTEMPT: &str = "INSERT INTO login_throttle (key, failures, first_at, last_at, prev_at) VALUES ($1, 1, $2, $2, NULL) \
     ON CONFLICT (key) DO UPDATE SET \
     failures = CASE WHEN login_throttle.last_at < $3 THEN 1 ELSE login_throttle.failures + 1 END, \
     first_at = CASE WHEN login_throttle.last_at < $3 THEN $2 ELSE login_throttle.first_at END, \
     prev_at = CASE WHEN login_throttle.last_at < $3 THEN NULL ELSE login_throttle.last_at END, \
     last_at = $2 \
     RETURNING failures, prev_at";

/// Counts a password attempt for the account and the address *before* the password is checked
/// (AU-5): one transaction, one atomic upsert per key, so parallel guesses are counted one by one
/// and only the free ones reach the check. `Err(seconds)` when a key must still wait; a refused
/// attempt is not counted (the transaction is rolled back), so waiting is never extended by
/// trying again too early.
pub(super) async fn count_attempt(
    db: &Db,
    now: DateTime<Utc>,
    keys: &[(String, i64)],
) -> Result<Result<(), u64>, AppError> {
    let now_t = time_text(now);
    let window_start = time_text(now - Duration::seconds(FAILURE_WINDOW_SECS));
    let mut tx = db.begin_write().await?;
    let mut wait = 0i64;
    for (key, free) in keys {
        let (failures, prev_at): (i64, Option<String>) =
            sqlx::query_as(COUNT_ATTEMPT).bind(key).bind(&now_t).bind(&window_start).fetch_one(&mut *tx).await?;
        let before = failures - 1;
        let delay = delay_after(before, *free);
        if let Some(prev) = prev_at.and_then(|t| parse_time(&t)) {
            let ready_at = prev + Duration::seconds(delay);
            if delay > 0 && now < ready_at {
                wait = wait.max((ready_at - now).num_seconds() + 1);
            }
        }
    }
    if wait > 0 {
        tx.rollback().await?;
        return Ok(Err(wait as u64));
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// After a right password: the account starts afresh, and the attempt no longer counts against
/// the address (it was counted before the check).
pub(super) async fn forgive_attempt(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    keys: &[(String, i64)],
) -> Result<(), sqlx::Error> {
    let [account, address] = keys else { return Ok(()) };
    sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(&account.0).execute(&mut **tx).await?;
    sqlx::query("UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0")
        .bind(&address.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
