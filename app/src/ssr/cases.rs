//! Cases: create, read, list and find, edit with versions, change status, history.
//! Every read and write of a case writes an audit row (LG-1); writes do so in their own
//! transaction. No MRN or name goes into a log line or an audit row.

use sqlx::Row;

use super::audit::{self, Event, Outcome};
use super::auth::{self, Session};
use super::events;
use super::{AppState, new_id, now_text};
use crate::domain::case::{
    CaseContent, CaseFilter, CaseInput, CaseListItem, CaseRecord, CaseVersion, StoredProposal, changed_fields,
    stage_group,
};
use crate::domain::codes::{CaseStatus, PrimarySite};
use crate::domain::proposer::{Proposal, propose};
use crate::domain::role::Action;
use crate::error::{AppError, FieldErrorsBuilder};

fn today(state: &AppState) -> chrono::NaiveDate {
    state.clock.now().date_naive()
}

fn record_from_row(row: &sqlx::any::AnyRow, today: chrono::NaiveDate) -> Result<CaseRecord, AppError> {
    let content: CaseInput = serde_json::from_str(&row.try_get::<String, _>("content")?)
        .map_err(|_| AppError::internal("stored case content is not valid JSON"))?;
    let parsed = content.parse(today).ok();
    Ok(CaseRecord {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        status: CaseStatus::parse(&row.try_get::<String, _>("status")?).map_err(|e| AppError::internal(&e))?,
        summary: row.try_get("summary")?,
        missing_for_board: parsed.map(|c| c.missing_for_board()).unwrap_or_default(),
        content,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by_name")?,
        live_seq: row.try_get("live_seq")?,
    })
}

const SELECT_CASE: &str = "SELECT c.id, c.version, c.status, c.summary, c.content, c.created_at, c.updated_at, \
     u.display_name AS updated_by_name, \
     (SELECT COALESCE(MAX(e.seq), 0) FROM case_events e WHERE e.case_id = c.id) AS live_seq \
     FROM cases c JOIN users u ON u.id = c.updated_by WHERE c.id = $1";

async fn load(state: &AppState, id: &str) -> Result<CaseRecord, AppError> {
    let row = sqlx::query(SELECT_CASE).bind(id).fetch_optional(&state.db.pool).await?.ok_or(AppError::NotFound)?;
    record_from_row(&row, today(state))
}

/// Derived columns kept beside the JSON content for lists and filters.
struct Derived {
    primary_site: Option<&'static str>,
    stage_group: Option<&'static str>,
    summary: String,
    ready: bool,
}

fn derive(content: &CaseContent) -> Derived {
    Derived {
        primary_site: content.tumor.primary_site.map(PrimarySite::code),
        stage_group: stage_group(&content.tumor),
        summary: content.tumor.shorthand(),
        ready: content.missing_for_board().is_empty(),
    }
}

/// Finds or creates the patient for an MRN inside `tx`. An existing MRN must match the name and
/// birth date given, so a typo in an MRN cannot attach a case to another person.
async fn upsert_patient(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    content: &CaseContent,
    update_existing: bool,
) -> Result<String, AppError> {
    let p = &content.patient;
    let existing = sqlx::query("SELECT id, name, birth_date FROM patients WHERE mrn = $1")
        .bind(&p.mrn)
        .fetch_optional(&mut **tx)
        .await?;
    let now = now_text();
    match existing {
        Some(row) => {
            let id: String = row.try_get("id")?;
            let same_person = row.try_get::<String, _>("birth_date")? == p.birth_date.to_string()
                && row.try_get::<String, _>("name")?.to_lowercase() == p.name.to_lowercase();
            if !same_person && !update_existing {
                return Err(AppError::field(
                    "patient.mrn",
                    "This MRN belongs to a patient with another name or birth date. Check the MRN.",
                ));
            }
            sqlx::query("UPDATE patients SET name = $1, name_search = $2, birth_date = $3, sex = $4, updated_at = $5 WHERE id = $6")
                .bind(&p.name)
                .bind(p.name.to_lowercase())
                .bind(p.birth_date.to_string())
                .bind(p.sex.code())
                .bind(&now)
                .bind(&id)
                .execute(&mut **tx)
                .await?;
            Ok(id)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO patients (id, mrn, name, name_search, birth_date, sex, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(&id)
            .bind(&p.mrn)
            .bind(&p.name)
            .bind(p.name.to_lowercase())
            .bind(p.birth_date.to_string())
            .bind(p.sex.code())
            .bind(&now)
            .execute(&mut **tx)
            .await?;
            Ok(id)
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    case_id: &str,
    version: i64,
    author: &str,
    reason: Option<&str>,
    changed: &[String],
    status: CaseStatus,
    content: &CaseInput,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO case_versions (case_id, version, at, author_id, reason, changed_fields, status, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(case_id)
    .bind(version)
    .bind(now_text())
    .bind(author)
    .bind(reason)
    .bind(serde_json::to_string(changed).unwrap_or_default())
    .bind(status.code())
    .bind(serde_json::to_string(content).map_err(|_| AppError::internal("serialise case"))?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Normalises typed content for storage: trimmed text, the age derived from the birth date.
fn normalised(input: &CaseInput, content: &CaseContent) -> CaseInput {
    let mut c = input.clone();
    c.patient.mrn = content.patient.mrn.clone();
    c.patient.name = content.patient.name.clone();
    c.patient.birth_date = content.patient.birth_date.to_string();
    c.patient.sex = content.patient.sex.code().to_string();
    c.referring_clinician = content.referring_clinician.clone();
    c.question = content.question.clone();
    c.history = content.history.clone();
    c.comorbidities = content.comorbidities.clone();
    c.tumor.age = content.tumor.age.map(f64::from);
    c
}

/// The current case for an editor, without a read audit row (the change that follows is
/// audited instead; LG-1 asks for one row per request).
pub async fn current_for_edit(state: &AppState, session: &Session, id: &str) -> Result<CaseRecord, AppError> {
    auth::require(state, session, Action::EditCase, Some(id)).await?;
    load(state, id).await
}

/// Creates a case (status draft, version 1).
pub async fn create(state: &AppState, session: &Session, input: &CaseInput) -> Result<CaseRecord, AppError> {
    auth::require(state, session, Action::CreateCase, None).await?;
    let content = input.parse(today(state))?;
    let stored = normalised(input, &content);
    let d = derive(&content);
    let id = new_id();
    let now = now_text();
    let mut tx = state.db.begin_write().await?;
    let patient_id = upsert_patient(&mut tx, &content, false).await?;
    sqlx::query(
        "INSERT INTO cases (id, patient_id, version, status, primary_site, stage_group, summary, ready_for_board, question, content, created_at, created_by, updated_at, updated_by) \
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $11)",
    )
    .bind(&id)
    .bind(&patient_id)
    .bind(CaseStatus::Draft.code())
    .bind(d.primary_site)
    .bind(d.stage_group)
    .bind(&d.summary)
    .bind(d.ready as i64)
    .bind(&content.question)
    .bind(serde_json::to_string(&stored).map_err(|_| AppError::internal("serialise case"))?)
    .bind(&now)
    .bind(&session.me.id)
    .execute(&mut *tx)
    .await?;
    insert_version(&mut tx, &id, 1, &session.me.id, Some("created"), &[], CaseStatus::Draft, &stored).await?;
    store_proposal(&mut tx, &id, 1, &propose(&content.tumor)).await?;
    audit::append(&mut tx, state.db.engine, &Event::new(&session.actor(), "case.create", Outcome::Success).case(&id))
        .await?;
    tx.commit().await?;
    load(state, &id).await
}

/// Reads a case (audited).
pub async fn get(state: &AppState, session: &Session, id: &str) -> Result<CaseRecord, AppError> {
    auth::require(state, session, Action::ReadCases, Some(id)).await?;
    let record = load(state, id).await?;
    audit::record(&state.db, &Event::new(&session.actor(), "case.read", Outcome::Success).case(id)).await?;
    Ok(record)
}

/// Escapes LIKE wildcards in user text.
fn like_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Lists and finds cases, most recently changed first (audited, without the search text).
pub async fn list(state: &AppState, session: &Session, filter: &CaseFilter) -> Result<Vec<CaseListItem>, AppError> {
    auth::require(state, session, Action::ReadCases, None).await?;
    let mut e = FieldErrorsBuilder::new();
    let status = filter
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| CaseStatus::parse(s).map_err(|m| e.add("status", m)).ok())
        .flatten();
    let site = filter
        .site
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| PrimarySite::parse(s).map_err(|m| e.add("site", m)).ok())
        .flatten();
    let stage = match filter.stage.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s @ ("localized" | "regional" | "metastatic")) => Some(s),
        Some(_) => {
            e.add("stage", "Use localized, regional or metastatic.");
            None
        }
    };
    let text = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > 100) {
        e.add("text", "Search with at most 100 characters.");
    }
    e.finish()?;
    let rows = sqlx::query(
        "SELECT c.id, p.mrn, p.name, c.status, c.summary, c.question, c.ready_for_board, c.updated_at \
         FROM cases c JOIN patients p ON p.id = c.patient_id \
         WHERE ($1 IS NULL OR c.status = $1) AND ($2 IS NULL OR c.primary_site = $2) AND ($3 IS NULL OR c.stage_group = $3) \
         AND ($4 IS NULL OR p.mrn = $4 OR p.name_search LIKE $5 ESCAPE '\\') \
         ORDER BY c.updated_at DESC LIMIT 500",
    )
    .bind(status.map(|s| s.code()))
    .bind(site.map(|s| s.code()))
    .bind(stage)
    .bind(text)
    .bind(text.map(|t| like_pattern(&t.to_lowercase())))
    .fetch_all(&state.db.pool)
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(CaseListItem {
                id: r.try_get("id")?,
                mrn: r.try_get("mrn")?,
                patient_name: r.try_get("name")?,
                status: CaseStatus::parse(&r.try_get::<String, _>("status")?).map_err(|e| AppError::internal(&e))?,
                summary: r.try_get("summary")?,
                question: r.try_get("question")?,
                ready_for_board: r.try_get::<i64, _>("ready_for_board")? != 0,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let detail = format!("{} cases listed{}", items.len(), if text.is_some() { " (name/MRN search)" } else { "" });
    audit::record(&state.db, &Event::new(&session.actor(), "case.list", Outcome::Success).detail(&detail)).await?;
    Ok(items)
}

/// Saves new content as the next version, if the caller saw the current one (DI-3).
pub async fn update(
    state: &AppState,
    session: &Session,
    id: &str,
    expected_version: i64,
    input: &CaseInput,
    reason: Option<&str>,
) -> Result<CaseRecord, AppError> {
    auth::require(state, session, Action::EditCase, Some(id)).await?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::field("reason", "The reason has at most 500 characters."));
    }
    let current = load(state, id).await?;
    if current.version != expected_version {
        return Err(AppError::PreconditionFailed { current: current.version });
    }
    let content = input.parse(today(state))?;
    let stored = normalised(input, &content);
    let changed = changed_fields(&current.content, &stored);
    if changed.is_empty() {
        return Ok(current);
    }
    if current.status == CaseStatus::Ready && !content.missing_for_board().is_empty() {
        return Err(missing_error(&content, "A case that is ready for the board must stay complete"));
    }
    let d = derive(&content);
    let next = expected_version + 1;
    let mut tx = state.db.begin_write().await?;
    let patient_id = upsert_patient(&mut tx, &content, true).await?;
    let updated = sqlx::query(
        "UPDATE cases SET patient_id = $1, version = $2, primary_site = $3, stage_group = $4, summary = $5, ready_for_board = $6, \
         question = $7, content = $8, updated_at = $9, updated_by = $10 WHERE id = $11 AND version = $12",
    )
    .bind(&patient_id)
    .bind(next)
    .bind(d.primary_site)
    .bind(d.stage_group)
    .bind(&d.summary)
    .bind(d.ready as i64)
    .bind(&content.question)
    .bind(serde_json::to_string(&stored).map_err(|_| AppError::internal("serialise case"))?)
    .bind(now_text())
    .bind(&session.me.id)
    .bind(id)
    .bind(expected_version)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        // Someone saved between our read and this write.
        return Err(AppError::PreconditionFailed { current: expected_version + 1 });
    }
    insert_version(&mut tx, id, next, &session.me.id, reason, &changed, current.status, &stored).await?;
    // Whenever the tumor fields change, the proposal is recomputed and kept with this version.
    if changed.iter().any(|f| f.starts_with("tumor.") || f == "patient.birth_date") {
        store_proposal(&mut tx, id, next, &propose(&content.tumor)).await?;
    }
    let detail = format!("version {next}; changed: {}", changed.join(", "));
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), "case.update", Outcome::Success).case(id).detail(&detail),
    )
    .await?;
    events::record(&mut tx, state.db.engine, id, "case.update", id).await?;
    tx.commit().await?;
    state.db.announce(id);
    load(state, id).await
}

pub(crate) fn missing_error(content: &CaseContent, lead: &str) -> AppError {
    let mut e = FieldErrorsBuilder::new();
    for (field, what) in content.missing_for_board() {
        e.add(&field, format!("{lead}: record {what}."));
    }
    e.finish().expect_err("something is missing")
}

/// Moves a case between draft and ready. Ready needs everything the board needs.
/// (Later stages — on agenda, discussed, plan signed — are set by meetings and plans.)
pub async fn set_status(
    state: &AppState,
    session: &Session,
    id: &str,
    expected_version: i64,
    status: &str,
) -> Result<CaseRecord, AppError> {
    auth::require(state, session, Action::EditCase, Some(id)).await?;
    let target = CaseStatus::parse(status).map_err(|m| AppError::field("status", m))?;
    if !matches!(target, CaseStatus::Draft | CaseStatus::Ready) {
        return Err(AppError::field(
            "status",
            "Only draft and ready are set by hand; the other stages follow the meeting and the plan.",
        ));
    }
    let current = load(state, id).await?;
    if current.version != expected_version {
        return Err(AppError::PreconditionFailed { current: current.version });
    }
    if !matches!(current.status, CaseStatus::Draft | CaseStatus::Ready) {
        return Err(AppError::conflict(format!(
            "The case is {} and can no longer go back to draft or ready by hand.",
            current.status.label().to_lowercase()
        )));
    }
    if current.status == target {
        return Ok(current);
    }
    if target == CaseStatus::Ready {
        let content = current.content.parse(today(state))?;
        if !content.missing_for_board().is_empty() {
            return Err(missing_error(&content, "Before the board"));
        }
    }
    let next = expected_version + 1;
    let mut tx = state.db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE cases SET status = $1, version = $2, updated_at = $3, updated_by = $4 WHERE id = $5 AND version = $6",
    )
    .bind(target.code())
    .bind(next)
    .bind(now_text())
    .bind(&session.me.id)
    .bind(id)
    .bind(expected_version)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::PreconditionFailed { current: expected_version + 1 });
    }
    insert_version(
        &mut tx,
        id,
        next,
        &session.me.id,
        Some(&format!("status: {}", target.label().to_lowercase())),
        &["status".to_string()],
        target,
        &current.content,
    )
    .await?;
    let detail = format!("version {next}; status {} -> {}", current.status.code(), target.code());
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), "case.status", Outcome::Success).case(id).detail(&detail),
    )
    .await?;
    events::record(&mut tx, state.db.engine, id, "case.status", id).await?;
    tx.commit().await?;
    state.db.announce(id);
    load(state, id).await
}

/// Moves a case to a workflow stage (on an agenda, discussed, plan signed, followed up) inside
/// the caller's write transaction: a new case version naming the status, its audit row and its
/// live event. Call `Db::announce` after commit. Does nothing when the case is already there.
pub(crate) async fn advance_status(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    engine: super::Engine,
    session: &Session,
    id: &str,
    target: CaseStatus,
) -> Result<(), AppError> {
    let row = sqlx::query("SELECT version, status, content FROM cases WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let version: i64 = row.try_get("version")?;
    let status = CaseStatus::parse(&row.try_get::<String, _>("status")?).map_err(|e| AppError::internal(&e))?;
    if status == target {
        return Ok(());
    }
    let content: CaseInput = serde_json::from_str(&row.try_get::<String, _>("content")?)
        .map_err(|_| AppError::internal("stored case content is not valid JSON"))?;
    let next = version + 1;
    sqlx::query("UPDATE cases SET status = $1, version = $2, updated_at = $3, updated_by = $4 WHERE id = $5")
        .bind(target.code())
        .bind(next)
        .bind(now_text())
        .bind(&session.me.id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let reason = format!("status: {}", target.label().to_lowercase());
    insert_version(tx, id, next, &session.me.id, Some(&reason), &["status".to_string()], target, &content).await?;
    let detail = format!("version {next}; status {} -> {}", status.code(), target.code());
    audit::append(tx, engine, &Event::new(&session.actor(), "case.status", Outcome::Success).case(id).detail(&detail))
        .await?;
    events::record(tx, engine, id, "case.status", id).await?;
    Ok(())
}

async fn store_proposal(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    case_id: &str,
    version: i64,
    p: &Proposal,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO proposals (case_id, case_version, ruleset_version, computed_at, proposal) VALUES ($1, $2, $3, $4, $5)")
        .bind(case_id)
        .bind(version)
        .bind(&p.ruleset_version)
        .bind(now_text())
        .bind(serde_json::to_string(p).map_err(|_| AppError::internal("serialise proposal"))?)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The proposal stored for the case's current tumor data (audited as a read of the case).
pub async fn proposal(state: &AppState, session: &Session, id: &str) -> Result<StoredProposal, AppError> {
    auth::require(state, session, Action::ReadCases, Some(id)).await?;
    let row = sqlx::query(
        "SELECT case_version, computed_at, proposal FROM proposals WHERE case_id = $1 ORDER BY case_version DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let proposal: Proposal = serde_json::from_str(&row.try_get::<String, _>("proposal")?)
        .map_err(|_| AppError::internal("stored proposal is not valid JSON"))?;
    audit::record(
        &state.db,
        &Event::new(&session.actor(), "case.proposal", Outcome::Success).case(id).detail(&proposal.ruleset_version),
    )
    .await?;
    Ok(StoredProposal {
        case_id: id.to_string(),
        case_version: row.try_get("case_version")?,
        computed_at: row.try_get("computed_at")?,
        proposal,
    })
}

/// Every version of a case, newest first (audited).
pub async fn history(state: &AppState, session: &Session, id: &str) -> Result<Vec<CaseVersion>, AppError> {
    auth::require(state, session, Action::ReadCases, Some(id)).await?;
    let rows = sqlx::query(
        "SELECT v.version, v.at, v.author_id, u.display_name, v.reason, v.changed_fields, v.status, v.content \
         FROM case_versions v JOIN users u ON u.id = v.author_id WHERE v.case_id = $1 ORDER BY v.version DESC",
    )
    .bind(id)
    .fetch_all(&state.db.pool)
    .await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let versions = rows
        .iter()
        .map(|r| {
            Ok(CaseVersion {
                version: r.try_get("version")?,
                at: r.try_get("at")?,
                author_id: r.try_get("author_id")?,
                author_name: r.try_get("display_name")?,
                reason: r.try_get("reason")?,
                changed_fields: serde_json::from_str(&r.try_get::<String, _>("changed_fields")?).unwrap_or_default(),
                status: CaseStatus::parse(&r.try_get::<String, _>("status")?).map_err(|e| AppError::internal(&e))?,
                content: serde_json::from_str(&r.try_get::<String, _>("content")?)
                    .map_err(|_| AppError::internal("stored version is not valid JSON"))?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    audit::record(&state.db, &Event::new(&session.actor(), "case.history", Outcome::Success).case(id)).await?;
    Ok(versions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_search_text_are_escaped() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
