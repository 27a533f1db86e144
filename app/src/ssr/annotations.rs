//! Annotations: clinicians write in their specialty's voice; only the author amends (others
//! reply); every amendment and withdrawal is a new version; the write and its audit row share
//! one transaction, committed before the answer (durable: synchronous=FULL on SQLite).

use super::access;
use super::audit::{self, Event, Outcome};
use super::auth::Session;
use super::cases::exists as case_exists;
use super::db::from_json;
use super::events;
use super::{AppState, new_id, now_text};
use crate::domain::annotation::{Annotation, AnnotationInput, AnnotationKind, AnnotationVersion};
use crate::domain::events::CaseEventKind;
use crate::domain::role::{Action, Specialty};
use crate::domain::text::{self, Shape};
use crate::error::AppError;

/// The author's specialty, or 403: an annotation always speaks for a specialty.
fn voice(session: &Session) -> Result<Specialty, AppError> {
    session.me.specialty.ok_or_else(|| AppError::Forbidden {
        message: "Annotations are written in a specialty's voice: your account has no specialty.".into(),
    })
}

/// A note with its author's name: a literal, so that every query built on it with `concat!` is one
/// static SQL text.
macro_rules! select_annotation {
    () => {
        "SELECT a.id, a.case_id, a.author_id, u.display_name, a.specialty, a.reply_to, a.asks, \
             a.version, a.withdrawn, a.created_at FROM annotations a JOIN users u ON u.id = a.author_id"
    };
}

#[derive(sqlx::FromRow)]
struct AnnotationRow {
    id: String,
    case_id: String,
    author_id: String,
    display_name: String,
    #[sqlx(try_from = "String")]
    specialty: Specialty,
    reply_to: Option<String>,
    asks: Option<String>,
    version: i64,
    withdrawn: i64,
    created_at: String,
}

impl From<AnnotationRow> for Annotation {
    fn from(r: AnnotationRow) -> Self {
        Annotation {
            id: r.id,
            case_id: r.case_id,
            author_id: r.author_id,
            author_name: r.display_name,
            specialty: r.specialty,
            reply_to: r.reply_to,
            asks: r.asks.as_deref().and_then(|a| Specialty::parse(a).ok()),
            version: r.version,
            withdrawn: r.withdrawn != 0,
            created_at: r.created_at,
            versions: Vec::new(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    annotation_id: String,
    version: i64,
    at: String,
    body: String,
    #[sqlx(try_from = "String")]
    kind: AnnotationKind,
    structured: String,
    withdrawn_reason: Option<String>,
}

/// Loads one annotation with its versions.
async fn load(state: &AppState, id: &str) -> Result<Annotation, AppError> {
    load_in(&mut *state.db.acquire().await?, id).await
}

/// The annotation as `conn` sees it: a change reads back what it wrote before its commit, so its
/// answer names its own version, not a later one committed in between (see `plans::load_in`).
async fn load_in(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Annotation, AppError> {
    let row: AnnotationRow = sqlx::query_as(concat!(select_annotation!(), " WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let versions = sqlx::query_as(
        "SELECT annotation_id, version, at, body, kind, structured, withdrawn_reason FROM annotation_versions \
         WHERE annotation_id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    with_versions(vec![row.into()], versions).map(|mut all| all.remove(0))
}

/// Puts each version (oldest first) under its annotation.
fn with_versions(mut list: Vec<Annotation>, versions: Vec<VersionRow>) -> Result<Vec<Annotation>, AppError> {
    for v in versions {
        if let Some(a) = list.iter_mut().find(|a| a.id == v.annotation_id) {
            a.versions.push(AnnotationVersion {
                version: v.version,
                at: v.at,
                body: v.body,
                kind: v.kind,
                structured: from_json(&v.structured, "annotation's structured fields")?,
                withdrawn_reason: v.withdrawn_reason,
            });
        }
    }
    Ok(list)
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    version: i64,
    body: &str,
    kind: AnnotationKind,
    structured: &crate::domain::annotation::Structured,
    withdrawn_reason: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO annotation_versions (annotation_id, version, at, body, kind, structured, withdrawn_reason) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(version)
    .bind(now_text())
    .bind(body)
    .bind(kind.code())
    .bind(serde_json::to_string(structured).map_err(|_| AppError::internal("serialise structured fields"))?)
    .bind(withdrawn_reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Posts an annotation (or a reply) on a case, in the author's specialty.
pub async fn create(
    state: &AppState,
    session: &Session,
    case_id: &str,
    input: &AnnotationInput,
) -> Result<Annotation, AppError> {
    access::require_case(state, session, Action::Annotate, case_id).await?;
    let specialty = voice(session)?;
    case_exists(state, case_id).await?;
    let checked = input.parse(specialty)?;
    if let Some(parent) = &input.reply_to {
        let parent_case: Option<String> = sqlx::query_scalar("SELECT case_id FROM annotations WHERE id = $1")
            .bind(parent)
            .fetch_optional(&state.db.pool)
            .await?;
        if parent_case.as_deref() != Some(case_id) {
            return Err(AppError::field("reply_to", "Reply to an annotation of this case."));
        }
    }
    let id = new_id();
    let now = now_text();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO annotations (id, case_id, author_id, specialty, reply_to, version, withdrawn, created_at, updated_at, asks) VALUES ($1, $2, $3, $4, $5, 1, 0, $6, $6, $7)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(&session.me.id)
    .bind(specialty.code())
    .bind(&input.reply_to)
    .bind(&now)
    .bind(checked.asks.map(|s| s.code()))
    .execute(&mut *tx)
    .await?;
    insert_version(&mut tx, &id, 1, &checked.body, checked.kind, &checked.structured, None).await?;
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), CaseEventKind::AnnotationCreate.code(), Outcome::Success)
            .case(case_id)
            .target(&id),
    )
    .await?;
    events::record(&mut tx, state.db.engine, case_id, CaseEventKind::AnnotationCreate, &id).await?;
    tx.commit().await?;
    state.db.announce(case_id);
    load(state, &id).await
}

/// Every annotation of a case with its versions (audited as one read of the case).
pub async fn list(state: &AppState, session: &Session, case_id: &str) -> Result<Vec<Annotation>, AppError> {
    access::require_case(state, session, Action::ReadCases, case_id).await?;
    case_exists(state, case_id).await?;
    let list = load_all(&mut *state.db.acquire().await?, case_id).await?;
    audit::record(&state.db, &Event::new(&session.actor(), "annotation.list", Outcome::Success).case(case_id)).await?;
    Ok(list)
}

/// A case's annotations with their versions; not audited (the caller records the read).
pub(crate) async fn load_all(conn: &mut sqlx::AnyConnection, case_id: &str) -> Result<Vec<Annotation>, AppError> {
    let rows: Vec<AnnotationRow> =
        sqlx::query_as(concat!(select_annotation!(), " WHERE a.case_id = $1 ORDER BY a.created_at, a.id"))
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?;
    // Every version of every annotation of the case in one query.
    let versions = sqlx::query_as(
        "SELECT v.annotation_id, v.version, v.at, v.body, v.kind, v.structured, v.withdrawn_reason \
         FROM annotation_versions v JOIN annotations a ON a.id = v.annotation_id WHERE a.case_id = $1 \
         ORDER BY v.annotation_id, v.version",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    with_versions(rows.into_iter().map(Annotation::from).collect(), versions)
}

/// A change to an existing annotation: a new text, or a withdrawal with its reason.
pub enum Change<'a> {
    /// The amended annotation in full (the form).
    Amend(&'a AnnotationInput),
    /// An RFC 7396 merge patch over the current version (`PATCH /api/v1/annotations/{id}`):
    /// fields not sent keep their value.
    MergePatch(&'a serde_json::Value),
    Withdraw {
        reason: &'a str,
    },
}

/// Amends or withdraws an annotation: only its author, only on top of the version they saw.
pub async fn change(
    state: &AppState,
    session: &Session,
    id: &str,
    expected_version: i64,
    change: Change<'_>,
) -> Result<Annotation, AppError> {
    let current = load(state, id).await?;
    access::require_case(state, session, Action::Annotate, &current.case_id).await?;
    if current.author_id != session.me.id {
        // AC-2: each clinician changes only their own voice; others reply.
        audit::record(
            &state.db,
            &Event::new(&session.actor(), "annotation.change", Outcome::Denied)
                .case(&current.case_id)
                .target(id)
                .detail("not the author"),
        )
        .await?;
        return Err(AppError::Forbidden {
            message: "Only the author amends an annotation; reply to it instead.".into(),
        });
    }
    if current.withdrawn {
        return Err(AppError::conflict("This annotation was withdrawn; write a new one."));
    }
    if current.version != expected_version {
        return Err(AppError::PreconditionFailed { current: current.version });
    }
    let next = expected_version + 1;
    let last = current.versions.last().ok_or_else(|| AppError::internal("annotation without versions"))?;
    let merged;
    let change = match change {
        Change::MergePatch(patch) => {
            if patch.get("reply_to").is_some() {
                return Err(AppError::field("reply_to", "What a note replies to does not change; write a new reply."));
            }
            let mut value = serde_json::json!({
                "body": last.body, "kind": last.kind.code(), "structured": last.structured,
            });
            crate::domain::case::merge_patch(&mut value, patch);
            merged = serde_json::from_value::<AnnotationInput>(value)
                .map_err(|e| AppError::bad_request(format!("The patch does not fit an annotation: {e}")))?;
            Change::Amend(&merged)
        }
        other => other,
    };
    let (body, kind, structured, reason, action) = match change {
        Change::Amend(input) => {
            let c = input.parse(current.specialty)?;
            (c.body, c.kind, c.structured, None, CaseEventKind::AnnotationAmend)
        }
        Change::MergePatch(_) => unreachable!("merged above"),
        Change::Withdraw { reason } => {
            let reason =
                text::check(reason, 500, Shape::Lines, "The reason").map_err(|m| AppError::field("reason", m))?;
            if reason.is_empty() {
                return Err(AppError::field("reason", "Say why the annotation is withdrawn (up to 500 characters)."));
            }
            (
                last.body.clone(),
                last.kind,
                last.structured.clone(),
                Some(reason.to_string()),
                CaseEventKind::AnnotationWithdraw,
            )
        }
    };
    let mut tx = state.db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE annotations SET version = $1, withdrawn = $2, updated_at = $3 WHERE id = $4 AND version = $5",
    )
    .bind(next)
    .bind(reason.is_some() as i64)
    .bind(now_text())
    .bind(id)
    .bind(expected_version)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::PreconditionFailed { current: expected_version + 1 });
    }
    insert_version(&mut tx, id, next, &body, kind, &structured, reason.as_deref()).await?;
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), action.code(), Outcome::Success).case(&current.case_id).target(id),
    )
    .await?;
    events::record(&mut tx, state.db.engine, &current.case_id, action, id).await?;
    let changed = load_in(&mut tx, id).await?;
    tx.commit().await?;
    state.db.announce(&current.case_id);
    Ok(changed)
}
