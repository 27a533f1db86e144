//! Online backup and restore (security.md DI-6): never a copy of a live database file.
//!
//! SQLite: `VACUUM INTO` writes a consistent snapshot while the server keeps serving.
//! PostgreSQL: `pg_dump --format=custom` (one consistent snapshot) and `pg_restore`.
//! A restore checks the backup first (integrity, migrations, the audit hash chain) and never
//! destroys data silently: an existing SQLite database is moved aside, and a non-empty
//! PostgreSQL database is only replaced with `--force`.

use std::path::{Path, PathBuf};

use super::audit::{self, ChainCheck};
use super::db::{Db, Engine, redact_url, split_password};

/// What went wrong, said so that an operator knows what to do.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: choose a new file name")]
    TargetExists(String),
    #[error("{0} does not exist")]
    Missing(String),
    #[error("the database refused: {0}")]
    Database(#[from] sqlx::Error),
    #[error("could not open the database: {0}")]
    Open(#[from] super::db::DbOpenError),
    #[error("{tool} failed: {detail}")]
    Tool { tool: &'static str, detail: String },
    #[error("the backup is not usable: {0}")]
    Invalid(String),
    #[error("the target database already holds data; stop every instance and pass --force to replace it")]
    TargetNotEmpty,
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
}

/// Summary of a database, to compare a backup with its source or its restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub users: i64,
    pub cases: i64,
    pub case_versions: i64,
    pub audit_rows: i64,
    pub audit_head: String,
    /// Documents and key images (issue 20) and the bytes of their originals: stored in the
    /// database, so a backup carries them.
    pub attachments: i64,
    pub attachment_bytes: i64,
    /// Attachments whose bytes are in the object store (`TUMORBOARD_BLOB_URL`), not in the
    /// database: a backup of the database does not carry those; the bucket needs its own.
    pub attachments_in_object_store: i64,
}

/// Counts and the audit chain's last hash.
pub async fn fingerprint(db: &Db) -> Result<Fingerprint, sqlx::Error> {
    let count = |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&db.pool).await };
    let head: Option<String> =
        sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&db.pool).await?;
    Ok(Fingerprint {
        users: count("SELECT COUNT(*) FROM users").await?,
        cases: count("SELECT COUNT(*) FROM cases").await?,
        case_versions: count("SELECT COUNT(*) FROM case_versions").await?,
        audit_rows: count("SELECT COUNT(*) FROM audit_log").await?,
        audit_head: head.unwrap_or_default(),
        attachments: count("SELECT COUNT(*) FROM attachments").await?,
        attachment_bytes: count("SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM attachments").await?,
        attachments_in_object_store: count("SELECT COUNT(*) FROM attachments WHERE storage = 'object_store'").await?,
    })
}

/// Writes an online, consistent backup of `db` (whose URL is `url`) to `file`.
pub async fn backup(db: &Db, url: &str, file: &Path) -> Result<(), BackupError> {
    if file.exists() {
        return Err(BackupError::TargetExists(file.display().to_string()));
    }
    match db.engine {
        Engine::Sqlite => {
            sqlx::query("VACUUM INTO $1").bind(file.display().to_string()).execute(&db.pool).await?;
            Ok(())
        }
        Engine::Postgres => {
            let out = pg_tool("pg_dump", url)
                .arg("--format=custom")
                .arg("--no-owner")
                .arg("--file")
                .arg(file)
                .output()
                .await
                .map_err(|e| BackupError::Tool {
                    tool: "pg_dump",
                    detail: format!("{e} (is the PostgreSQL client installed?)"),
                })?;
            if !out.status.success() {
                return Err(BackupError::Tool {
                    tool: "pg_dump",
                    detail: redact_url(&String::from_utf8_lossy(&out.stderr)),
                });
            }
            Ok(())
        }
    }
}

/// A PostgreSQL client tool for `url`: the database is named with `--dbname` without the
/// password, which goes through `PGPASSWORD` (not visible in the process list).
fn pg_tool(tool: &str, url: &str) -> tokio::process::Command {
    let (without_password, password) = split_password(url);
    let mut cmd = tokio::process::Command::new(tool);
    cmd.arg("--dbname").arg(without_password);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    cmd
}

/// Removes a SQLite database file and its -wal and -shm companions, if present.
fn remove_sqlite_files(path: &Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", path.display()));
        if p.exists() {
            std::fs::remove_file(p)?;
        }
    }
    Ok(())
}

fn sqlite_path(url: &str) -> PathBuf {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

/// Checks a backup opened as a database: integrity (SQLite), migrations, the audit chain.
async fn check_restored(db: &Db) -> Result<Fingerprint, BackupError> {
    if db.engine == Engine::Sqlite {
        let ok: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&db.pool).await?;
        if ok != "ok" {
            return Err(BackupError::Invalid(format!("integrity check says: {ok}")));
        }
    }
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&db.pool).await?;
    if applied == 0 {
        return Err(BackupError::Invalid("it holds no Tumorboard schema".into()));
    }
    // A backup taken by an earlier version is brought to this version's schema before it is
    // checked (the server would at its start anyway): the chain's check reads what later
    // migrations derive from the rows, such as the audit trail's case index (0017). Only the
    // copy being checked changes, never the backup file.
    db.migrate()
        .await
        .map_err(|e| BackupError::Invalid(format!("its schema cannot be brought to this version's: {e}")))?;
    match audit::verify(db).await? {
        ChainCheck::Intact { .. } => {}
        ChainCheck::Broken { seq, reason, .. } => {
            return Err(BackupError::Invalid(format!("its audit chain is broken at row {seq}: {reason}")));
        }
    }
    if let Some(id) = super::attachments::first_damaged(db).await? {
        return Err(BackupError::Invalid(format!("attachment {id}'s stored bytes do not match its SHA-256")));
    }
    Ok(fingerprint(db).await?)
}

/// Restores `file` into the database named by `url`. Every instance must be stopped first.
pub async fn restore(url: &str, file: &Path, force: bool) -> Result<Fingerprint, BackupError> {
    if !file.exists() {
        return Err(BackupError::Missing(file.display().to_string()));
    }
    match Db::engine_of(url)? {
        Engine::Sqlite => {
            let target = sqlite_path(url);
            if target.exists() && !force {
                return Err(BackupError::TargetNotEmpty);
            }
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            // Check a working copy beside the target (the backup file stays untouched), then
            // move it into place. The backup is a closed snapshot, so copying it is safe.
            let work = PathBuf::from(format!("{}.restoring", target.display()));
            remove_sqlite_files(&work)?;
            std::fs::copy(file, &work)?;
            let work_url = format!("sqlite://{}", work.display());
            let checked = match Db::connect(&work_url).await {
                Ok(db) => {
                    let r = check_restored(&db).await;
                    db.close().await;
                    r
                }
                Err(e) => Err(e.into()),
            };
            if let Err(e) = checked {
                remove_sqlite_files(&work)?;
                return Err(match e {
                    BackupError::Database(_) | BackupError::Open(_) => {
                        BackupError::Invalid("it is not a Tumorboard SQLite backup".into())
                    }
                    other => other,
                });
            }
            if target.exists() {
                let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
                for suffix in ["", "-wal", "-shm"] {
                    let from = PathBuf::from(format!("{}{suffix}", target.display()));
                    if from.exists() {
                        std::fs::rename(&from, format!("{}.before-restore-{stamp}{suffix}", target.display()))?;
                    }
                }
            }
            std::fs::rename(&work, &target)?;
            remove_sqlite_files(&work)?;
            let db = Db::open_and_migrate(url).await?;
            let fp = check_restored(&db).await?;
            db.close().await;
            Ok(fp)
        }
        Engine::Postgres => {
            let db = Db::connect(url).await?;
            let has_data: Option<i64> =
                sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'audit_log'")
                    .fetch_optional(&db.pool)
                    .await?;
            if has_data.unwrap_or(0) > 0 && !force {
                return Err(BackupError::TargetNotEmpty);
            }
            db.close().await;
            let out = pg_tool("pg_restore", url)
                .args(["--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction"])
                .arg(file)
                .output()
                .await
                .map_err(|e| BackupError::Tool {
                    tool: "pg_restore",
                    detail: format!("{e} (is the PostgreSQL client installed?)"),
                })?;
            if !out.status.success() {
                return Err(BackupError::Tool {
                    tool: "pg_restore",
                    detail: redact_url(&String::from_utf8_lossy(&out.stderr)),
                });
            }
            let db = Db::open_and_migrate(url).await?;
            let fp = check_restored(&db).await?;
            db.close().await;
            Ok(fp)
        }
    }
}
