//! Cases: create, read, list and find, edit with versions, change status, history.
//! Every read and write of a case writes an audit row (LG-1); writes do so in their own
//! transaction. No MRN or name goes into a log line or an audit row.

use super::access;
use super::audit::{self, Event, Outcome};
use super::auth::{self, Session};
use super::db::{from_json, like_contains};
use super::{AppState, new_id, now_text};
use super::{events, patients};
use crate::domain::board::glass_matters;
use crate::domain::case::{
    CaseContent, CaseFilter, CaseInput, CaseListItem, CasePageData, CaseRecord, CaseVersion, MeetingRef,
    StoredProposal, changed_fields, merge_patch, stage_group,
};
use crate::domain::codes::{CaseStatus, PrimarySite, StageGroup, optional_code};
use crate::domain::events::CaseEventKind;
use crate::domain::proposer::{Proposal, propose};
use crate::domain::role::Action;
use crate::domain::text::{self, Shape, has_control};
use crate::domain::workflow::{self, WorkflowEvent};
use crate::error::{AppError, FieldErrorsBuilder};

/// A case row as `SELECT_CASE` reads it.
#[derive(sqlx::FromRow)]
struct CaseRow {
    id: String,
    version: i64,
    #[sqlx(try_from = "String")]
    status: CaseStatus,
    summary: String,
    content: String,
    created_at: String,
    updated_at: String,
    updated_by_name: String,
    live_seq: i64,
    patient_id: String,
    patient_version: i64,
    board_id: String,
    board_name: String,
    agenda_meeting_id: Option<String>,
    agenda_meeting_title: Option<String>,
    agenda_meeting_starts_at: Option<String>,
}

impl CaseRow {
    fn into_record(self, today: chrono::NaiveDate) -> Result<CaseRecord, AppError> {
        let content: CaseInput = from_json(&self.content, "case content")?;
        let missing_for_board = content.parse(today).map(|c| c.missing_for_board()).unwrap_or_default();
        Ok(CaseRecord {
            id: self.id,
            version: self.version,
            status: self.status,
            summary: self.summary,
            missing_for_board,
            content,
            created_at: self.created_at,
            updated_at: self.updated_at,
            updated_by: self.updated_by_name,
            live_seq: self.live_seq,
            patient_id: self.patient_id,
            patient_version: self.patient_version,
            board_id: self.board_id,
            board_name: self.board_name,
            break_glass_until: None,
            agenda_meeting: meeting_ref(
                self.agenda_meeting_id,
                self.agenda_meeting_title,
                self.agenda_meeting_starts_at,
            ),
        })
    }
}

/// The meeting a case is on (the latest whose agenda holds it) as `am`, for a query over `c`.
macro_rules! agenda_meeting_join {
    () => {
        "LEFT JOIN meetings am ON am.id = (SELECT a.meeting_id FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id \
         WHERE a.case_id = c.id ORDER BY m.starts_at DESC LIMIT 1) "
    };
}

/// A case's meeting as `agenda_meeting_join!` reads it, when there is one.
pub(crate) fn meeting_ref(id: Option<String>, title: Option<String>, starts_at: Option<String>) -> Option<MeetingRef> {
    match (id, title, starts_at) {
        (Some(id), Some(title), Some(starts_at)) => Some(MeetingRef { id, title, starts_at }),
        _ => None,
    }
}

/// The case query, with `$extra` columns before the case's own.
macro_rules! select_case {
    ($extra:literal) => {
        concat!(
            "SELECT ",
            $extra,
            "c.id, c.version, c.status, c.summary, c.content, c.created_at, c.updated_at, \
             u.display_name AS updated_by_name, c.patient_id, p.version AS patient_version, c.board_id, b.name AS board_name, \
             (SELECT COALESCE(MAX(e.seq), 0) FROM case_events e WHERE e.case_id = c.id) AS live_seq, \
             am.id AS agenda_meeting_id, am.title AS agenda_meeting_title, am.starts_at AS agenda_meeting_starts_at \
             FROM cases c JOIN users u ON u.id = c.updated_by JOIN patients p ON p.id = c.patient_id \
             JOIN boards b ON b.id = c.board_id ",
            agenda_meeting_join!(),
            "WHERE c.id = $1"
        )
    };
}

const SELECT_CASE: &str = select_case!("");

/// The case with whether the user (`$2`) is a member of its board: the access check's question
/// and the read in one query (issue 17: the API read made one query for each).
const SELECT_CASE_FOR_MEMBER: &str =
    select_case!("(SELECT COUNT(*) FROM board_members m WHERE m.board_id = c.board_id AND m.user_id = $2) AS member, ");

#[derive(sqlx::FromRow)]
struct MemberCaseRow {
    member: i64,
    #[sqlx(flatten)]
    case: CaseRow,
}

/// Reads a case on `conn` (a pooled connection or the caller's transaction), with the meeting
/// it is on, in one query.
async fn load_on(conn: &mut sqlx::AnyConnection, id: &str, today: chrono::NaiveDate) -> Result<CaseRecord, AppError> {
    let row: CaseRow =
        sqlx::query_as(SELECT_CASE).bind(id).fetch_optional(&mut *conn).await?.ok_or(AppError::NotFound)?;
    row.into_record(today)
}

/// 404 unless the case exists.
pub(crate) async fn exists(state: &AppState, id: &str) -> Result<(), AppError> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM cases WHERE id = $1").bind(id).fetch_optional(&state.db.pool).await?;
    found.map(|_| ()).ok_or(AppError::NotFound)
}

/// Derived columns kept beside the JSON content for lists and filters.
struct Derived {
    primary_site: Option<&'static str>,
    stage_group: Option<&'static str>,
    summary: String,
    ready: bool,
}

/// Binds the content columns, in the order both the insert and the update name them:
/// primary_site, stage_group, summary, ready_for_board, question, content.
fn bind_content<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    d: &Derived,
    content: &CaseContent,
    stored: &CaseInput,
) -> Result<sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>, AppError> {
    Ok(q.bind(d.primary_site)
        .bind(d.stage_group)
        .bind(d.summary.clone())
        .bind(d.ready as i64)
        .bind(content.question.clone())
        .bind(serde_json::to_string(stored).map_err(|_| AppError::internal("serialise case"))?))
}

fn derive(content: &CaseContent) -> Derived {
    Derived {
        primary_site: content.tumor.primary_site.map(PrimarySite::code),
        stage_group: stage_group(&content.tumor).map(StageGroup::code),
        summary: content.tumor.shorthand(),
        ready: content.missing_for_board().is_empty(),
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_version(
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
    c.patient = content.patient.to_input();
    c.referring_clinician = content.referring_clinician.clone();
    c.question = content.question.clone();
    c.history = content.history.clone();
    c.comorbidities = content.comorbidities.clone();
    c.tumor.age = content.tumor.age.map(f64::from);
    c
}

/// Creates a case (status draft, version 1) on a board: the one named, or the creator's only
/// board.
pub async fn create(
    state: &AppState,
    session: &Session,
    input: &CaseInput,
    board_id: Option<&str>,
) -> Result<CaseRecord, AppError> {
    let board = access::board_for_new(state, session, Action::CreateCase, board_id).await;
    let (board_id, mut content) = AppError::both(board, input.parse(state.today()).map_err(AppError::from))?;
    let id = new_id();
    let now = now_text();
    let mut tx = state.db.begin_write().await?;
    let patient_id = patients::resolve(&mut tx, &mut content, &session.me.id).await?;
    let stored = normalised(input, &content);
    let d = derive(&content);
    let insert = sqlx::query(
        "INSERT INTO cases (id, patient_id, version, status, primary_site, stage_group, summary, ready_for_board, question, content, created_at, created_by, updated_at, updated_by, board_id) \
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10, $11, $12)",
    )
    .bind(&id)
    .bind(&patient_id)
    .bind(CaseStatus::Draft.code());
    bind_content(insert, &d, &content, &stored)?
        .bind(&now)
        .bind(&session.me.id)
        .bind(&board_id)
        .execute(&mut *tx)
        .await?;
    insert_version(&mut tx, &id, 1, &session.me.id, Some("created"), &[], CaseStatus::Draft, &stored).await?;
    store_proposal(&mut tx, &id, 1, &propose(&content.tumor)).await?;
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), "case.create", Outcome::Success).case(&id).detail(&board_id),
    )
    .await?;
    let record = load_on(&mut tx, &id, state.today()).await?;
    tx.commit().await?;
    Ok(record)
}

/// Reads a case (audited; under break-glass, flagged and with the access's end).
pub async fn get(state: &AppState, session: &Session, id: &str) -> Result<CaseRecord, AppError> {
    let record = read_checked(state, session, id).await?;
    audit::record(&state.db, &Event::new(&session.actor(), "case.read", Outcome::Success).case(id)).await?;
    Ok(record)
}

/// The case after the access check ([`access::require_case`] for reading, answered by the
/// same query that reads the case), with the end of a break-glass access that covers it.
async fn read_checked(state: &AppState, session: &Session, id: &str) -> Result<CaseRecord, AppError> {
    access::require_role_for_case(state, session, Action::ReadCases, Some(id)).await?;
    // The connection is given back before a refusal is audited (the audit writer takes one).
    let checked = read_checked_on(&mut *state.db.acquire().await?, state, session, id).await?;
    match checked {
        Ok(record) => Ok(record),
        Err(refusal) => Err(access::refused(state, session, id, refusal).await),
    }
}

/// [`read_checked`] on `conn` (a page's read transaction), after the role check: the refusal,
/// if any, is returned for the caller to audit once it holds no connection.
async fn read_checked_on(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    session: &Session,
    id: &str,
) -> Result<Result<CaseRecord, access::Refusal>, AppError> {
    let row: MemberCaseRow = sqlx::query_as(SELECT_CASE_FOR_MEMBER)
        .bind(id)
        .bind(&session.me.id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let member = row.member > 0;
    let glass = glass_matters(session.me.role, Action::ReadCases, member)
        && access::glass_running_on(conn, state, &session.me.id, id).await?;
    if let Err(refusal) = access::case_verdict(session, Action::ReadCases, &row.case.board_name, member, glass) {
        return Ok(Err(refusal));
    }
    let mut record = row.case.into_record(state.today())?;
    if session.actor().break_glass {
        record.break_glass_until = access::glass_until_on(conn, state, &session.me.id, id).await?;
    }
    Ok(Ok(record))
}

/// Everything the case page shows, under one access check and one audit row (`case.view`):
/// a page view is audited once, not once per part (issue 17).
pub async fn page(state: &AppState, session: &Session, id: &str) -> Result<CasePageData, AppError> {
    let data = page_parts(state, session, id, Parts::CasePage).await?;
    audit::record(
        &state.db,
        &Event::new(&session.actor(), "case.view", Outcome::Success)
            .case(id)
            .detail("case, proposal, voices, plan, documents, trials"),
    )
    .await?;
    Ok(data)
}

/// What the decision report prints, under one access check and one audit row (`case.report`):
/// it used to read its five parts separately, each audited on its own.
pub async fn report(state: &AppState, session: &Session, id: &str) -> Result<CasePageData, AppError> {
    let data = page_parts(state, session, id, Parts::Record).await?;
    audit::record(
        &state.db,
        &Event::new(&session.actor(), "case.report", Outcome::Success)
            .case(id)
            .detail("case, proposal, voices, plan, documents"),
    )
    .await?;
    Ok(data)
}

/// Which of a case's parts a reader needs, beyond the case, its proposal, voices, plan and
/// documents, which every reader has.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parts {
    /// The case page: also the pre-review's inputs and the trials' match (its history is read
    /// when opened, through [`history`]).
    CasePage,
    /// Meeting mode (every follower reads it on every step): also the trials' match.
    Meeting,
    /// The record as it stands, for the decision report and the FHIR export: nothing more.
    Record,
}

/// The parts of a case that `parts` names, after one access check. Not audited: the caller
/// records the view in one row.
pub(crate) async fn page_parts(
    state: &AppState,
    session: &Session,
    id: &str,
    parts: Parts,
) -> Result<CasePageData, AppError> {
    let case_page = parts == Parts::CasePage;
    access::require_role_for_case(state, session, Action::ReadCases, Some(id)).await?;
    // Every part in one read transaction: one connection (sqlx's pool costs a round trip on
    // every return, so a read per part was two) and one snapshot, so the parts agree.
    let mut conn = state.db.acquire().await?;
    let mut tx = conn.begin_read().await?;
    let case = match read_checked_on(&mut tx, state, session, id).await? {
        Ok(case) => case,
        Err(refusal) => {
            drop(tx);
            drop(conn);
            return Err(access::refused(state, session, id, refusal).await);
        }
    };
    let proposal = match load_proposal(&mut tx, id).await {
        Ok(p) => Some(p),
        Err(AppError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let annotations = super::annotations::load_all(&mut tx, id).await?;
    let plan = super::plans::load_in(&mut tx, id).await?;
    let (expected_specialties, voice_requests) =
        if case_page { super::work::voice_inputs(&mut tx, id).await? } else { (Vec::new(), Vec::new()) };
    let attachments = super::attachments::load_all(&mut tx, id).await?;
    let trials = match parts {
        Parts::Record => Vec::new(),
        Parts::CasePage | Parts::Meeting => {
            super::trials::match_on_board(&mut tx, state.today(), &case.board_id, &case.content).await?
        }
    };
    // The case page's forms' lists come in the same answer and the same transaction: one
    // request, not four. (Someone reading under break-glass without the right to read cases,
    // an administrator, has no forms: no lists, and no refusal to record.)
    let (members, meetings, boards) = if case_page && session.may(Action::ReadCases) {
        (
            super::meetings::members_on(&mut tx, session).await?,
            super::meetings::list_on(&mut tx, state, session).await?,
            super::boards::choices_on(&mut tx, session).await?,
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    tx.commit().await?;
    Ok(CasePageData {
        case,
        proposal,
        annotations,
        plan,
        members,
        meetings,
        boards,
        expected_specialties,
        voice_requests,
        attachments,
        max_upload_bytes: state.config.max_upload_bytes,
        trials,
    })
}

/// Lists and finds cases, most recently changed first. Audited with every case id returned
/// (LG-1: "who looked up patient X" finds list and search rows too), never the search text.
pub async fn list(state: &AppState, session: &Session, filter: &CaseFilter) -> Result<Vec<CaseListItem>, AppError> {
    auth::require(state, session, Action::ReadCases, None).await?;
    let mut e = FieldErrorsBuilder::new();
    let status: Option<CaseStatus> = optional_code(&mut e, "status", filter.status.as_deref());
    let site: Option<PrimarySite> = optional_code(&mut e, "site", filter.site.as_deref());
    let stage: Option<StageGroup> = optional_code(&mut e, "stage", filter.stage.as_deref());
    let text = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > 100) {
        e.add("text", "Search with at most 100 characters.");
    } else if text.is_some_and(|t| has_control(t, Shape::Line)) {
        e.add("text", "Search with letters, digits and punctuation only (no control characters).");
    }
    let visible = access::visible_boards(state, session).await?;
    let board = filter.board.as_deref().map(str::trim).filter(|b| !b.is_empty());
    if board.is_some_and(|b| !visible.includes(b)) {
        e.add("board", "Choose one of your boards.");
    }
    e.finish()?;
    // Need to know: only the cases of the user's boards (reviewers: every board).
    // The text finds a name or an MRN by any part of it, in any case ("2101" finds "UX-2101").
    let rows: Vec<ListRow> = sqlx::query_as(concat!(
        "SELECT c.id, p.mrn, p.name, c.status, c.summary, c.question, c.ready_for_board, c.updated_at, \
         c.board_id, b.name AS board_name, \
         am.id AS meeting_id, am.title AS meeting_title, am.starts_at AS meeting_starts_at \
         FROM cases c JOIN patients p ON p.id = c.patient_id JOIN boards b ON b.id = c.board_id ",
        agenda_meeting_join!(),
        "WHERE ($1 IS NULL OR c.status = $1) AND ($2 IS NULL OR c.primary_site = $2) AND ($3 IS NULL OR c.stage_group = $3) \
         AND ($4 IS NULL OR LOWER(p.mrn) LIKE $5 ESCAPE '\\' OR p.name_search LIKE $5 ESCAPE '\\') \
         AND ($8 IS NULL OR c.board_id = $8) AND ",
        on_visible_boards!("c.board_id", "$6", "$7"),
        " ORDER BY c.updated_at DESC LIMIT 500",
    ))
    .bind(status.map(|s| s.code()))
    .bind(site.map(|s| s.code()))
    .bind(stage.map(|s| s.code()))
    .bind(text)
    .bind(text.map(|t| like_contains(&t.to_lowercase())))
    .bind(visible.all())
    .bind(&session.me.id)
    .bind(board)
    .fetch_all(&state.db.pool)
    .await?;
    let items: Vec<CaseListItem> = rows
        .into_iter()
        .map(|r| CaseListItem {
            meeting: meeting_ref(r.meeting_id, r.meeting_title, r.meeting_starts_at),
            id: r.id,
            mrn: r.mrn,
            patient_name: r.name,
            status: r.status,
            summary: r.summary,
            question: r.question,
            ready_for_board: r.ready_for_board != 0,
            updated_at: r.updated_at,
            board_id: r.board_id,
            board_name: r.board_name,
        })
        .collect();
    let detail = format!("{} cases listed{}", items.len(), if text.is_some() { " (name/MRN search)" } else { "" });
    let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
    audit::record(&state.db, &Event::new(&session.actor(), "case.list", Outcome::Success).detail(&detail).cases(&ids))
        .await?;
    Ok(items)
}

/// A line of the case list as read.
#[derive(sqlx::FromRow)]
struct ListRow {
    id: String,
    mrn: String,
    name: String,
    #[sqlx(try_from = "String")]
    status: CaseStatus,
    summary: String,
    question: String,
    ready_for_board: i64,
    updated_at: String,
    board_id: String,
    board_name: String,
    meeting_id: Option<String>,
    meeting_title: Option<String>,
    meeting_starts_at: Option<String>,
}

/// What an edit changes in the case's content.
pub enum ContentChange<'a> {
    /// Leave the content as it is (a status change alone).
    Keep,
    /// New content in full (the case form).
    Replace(&'a CaseInput),
    /// An RFC 7396 JSON merge patch over the current content (`PATCH /api/v1/cases/{id}`).
    MergePatch(&'a serde_json::Value),
}

/// One edit of a case: content and/or status, with the reason kept with the version.
pub struct Edit<'a> {
    pub content: ContentChange<'a>,
    /// `draft` or `ready`: the stages after ready follow the meeting and the plan.
    pub status: Option<&'a str>,
    pub reason: Option<&'a str>,
    /// Refer the case to another board (needs a reason; not while it is on an agenda).
    pub board: Option<&'a str>,
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
    let edit_ = Edit { content: ContentChange::Replace(input), status: None, reason, board: None };
    edit(state, session, id, expected_version, edit_).await
}

/// Moves a case between draft and ready. Ready needs everything the board needs.
pub async fn set_status(
    state: &AppState,
    session: &Session,
    id: &str,
    expected_version: i64,
    status: &str,
) -> Result<CaseRecord, AppError> {
    edit(
        state,
        session,
        id,
        expected_version,
        Edit { content: ContentChange::Keep, status: Some(status), reason: None, board: None },
    )
    .await
}

/// One request, one transaction: checks everything first (a 422 names every bad field and
/// changes nothing), then writes at most one new version with its audit row and live event.
/// A case from "ready" on stays complete, whatever its status (what the board needs cannot
/// be emptied once it was there). An edit that changes nothing writes no version; the case it
/// returns is audited as a read (LG-1).
pub async fn edit(
    state: &AppState,
    session: &Session,
    id: &str,
    expected_version: i64,
    edit: Edit<'_>,
) -> Result<CaseRecord, AppError> {
    access::require_case(state, session, Action::EditCase, id).await?;
    let mut e = FieldErrorsBuilder::new();
    let reason = edit.reason.map(|r| text::field(&mut e, "reason", r, 500, Shape::Lines, "The reason"));
    let reason = reason.as_deref().filter(|r| !r.is_empty());
    let target = match edit.status {
        None => None,
        Some(s) => match CaseStatus::parse(s) {
            Ok(t @ (CaseStatus::Draft | CaseStatus::Ready)) => Some(t),
            Ok(_) => {
                e.add(
                    "status",
                    "Only draft and ready are set by hand; the other stages follow the meeting and the plan.",
                );
                None
            }
            Err(m) => {
                e.add("status", m);
                None
            }
        },
    };
    let today = state.today();
    let mut tx = state.db.begin_write().await?;
    let current = load_on(&mut tx, id, today).await?;
    if current.version != expected_version {
        return Err(AppError::PreconditionFailed { current: current.version });
    }
    let board = edit.board.map(str::trim).filter(|b| !b.is_empty() && *b != current.board_id);
    if let Some(b) = board {
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM boards WHERE id = $1").bind(b).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            e.add("board_id", "There is no such board.");
        }
        if reason.is_none() {
            e.add("reason", "Say why the case goes to another board.");
        }
        if current.status == CaseStatus::OnAgenda {
            return Err(AppError::conflict(
                "The case is on a meeting's agenda: take it off the agenda before referring it to another board.",
            ));
        }
    }
    let input = match edit.content {
        ContentChange::Keep => current.content.clone(),
        ContentChange::Replace(input) => input.clone(),
        ContentChange::MergePatch(patch) => {
            let mut merged =
                serde_json::to_value(&current.content).map_err(|_| AppError::internal("case does not serialise"))?;
            merge_patch(&mut merged, patch);
            serde_json::from_value(merged)
                .map_err(|err| AppError::bad_request(format!("The patch does not fit a case: {err}")))?
        }
    };
    let parsed = e.take("", input.parse(today));
    e.finish()?;
    let mut content = parsed.ok_or_else(|| AppError::internal("case parse failed without field errors"))?;
    let status = match target {
        Some(CaseStatus::Ready) => workflow::next(current.status, WorkflowEvent::MarkReady),
        Some(_) => workflow::next(current.status, WorkflowEvent::BackToDraft),
        None => Ok(current.status),
    }
    .map_err(|c| AppError::conflict(c.0))?;
    if status != CaseStatus::Draft && !content.missing_for_board().is_empty() {
        let lead = if current.status == CaseStatus::Draft {
            "Before the board"
        } else {
            "A case that has gone to the board must stay complete"
        };
        return Err(missing_error(&content, lead));
    }
    let patient_id = patients::same_or_other(&mut tx, &current, &mut content, &session.me.id).await?;
    let stored = normalised(&input, &content);
    let changed = changed_fields(&current.content, &stored);
    let status_changed = status != current.status;
    if changed.is_empty() && !status_changed && board.is_none() {
        audit::append(
            &mut tx,
            state.db.engine,
            &Event::new(&session.actor(), "case.read", Outcome::Success).case(id).detail("edit without changes"),
        )
        .await?;
        tx.commit().await?;
        return Ok(current);
    }
    let d = derive(&content);
    let next = expected_version + 1;
    let update = sqlx::query(
        "UPDATE cases SET patient_id = $1, version = $2, status = $3, primary_site = $4, stage_group = $5, summary = $6, \
         ready_for_board = $7, question = $8, content = $9, updated_at = $10, updated_by = $11, board_id = $14 \
         WHERE id = $12 AND version = $13",
    )
    .bind(&patient_id)
    .bind(next)
    .bind(status.code());
    let updated = bind_content(update, &d, &content, &stored)?
        .bind(now_text())
        .bind(&session.me.id)
        .bind(id)
        .bind(expected_version)
        .bind(board.unwrap_or(&current.board_id))
        .execute(&mut *tx)
        .await?;
    if updated.rows_affected() == 0 {
        // Someone saved between our read and this write (PostgreSQL: no lock was held).
        return Err(AppError::PreconditionFailed { current: expected_version + 1 });
    }
    let mut all_changed = changed.clone();
    if status_changed {
        all_changed.push("status".to_string());
    }
    if board.is_some() {
        all_changed.push("board".to_string());
    }
    let status_reason = format!("status: {}", status.label().to_lowercase());
    let version_reason = reason.or(status_changed.then_some(status_reason.as_str()));
    insert_version(&mut tx, id, next, &session.me.id, version_reason, &all_changed, status, &stored).await?;
    // Whenever the tumor fields change, the proposal is recomputed and kept with this version.
    if changed.iter().any(|f| f.starts_with("tumor.") || f == "patient.birth_date") {
        store_proposal(&mut tx, id, next, &propose(&content.tumor)).await?;
    }
    let mut detail = format!("version {next}");
    if !changed.is_empty() {
        detail.push_str(&format!("; changed: {}", changed.join(", ")));
    }
    if status_changed {
        detail.push_str(&format!("; status {} -> {}", current.status.code(), status.code()));
    }
    if let Some(b) = board {
        detail.push_str(&format!("; board {} -> {b}", current.board_id));
    }
    let kind =
        if changed.is_empty() && board.is_none() { CaseEventKind::CaseStatus } else { CaseEventKind::CaseUpdate };
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), kind.code(), Outcome::Success).case(id).detail(&detail),
    )
    .await?;
    events::record(&mut tx, state.db.engine, id, kind, id).await?;
    let record = load_on(&mut tx, id, today).await?;
    tx.commit().await?;
    state.db.announce(id);
    Ok(record)
}

pub(crate) fn missing_error(content: &CaseContent, lead: &str) -> AppError {
    let mut e = FieldErrorsBuilder::new();
    for (field, what) in content.missing_for_board() {
        e.add(&field, format!("{lead}: record {what}."));
    }
    e.finish().expect_err("something is missing").into()
}

/// Applies a workflow event to a case inside the caller's write transaction
/// (`domain::workflow::next`): when the status changes, a new case version naming it, its audit
/// row and its live event. Call `Db::announce` after commit. A move the workflow does not have
/// is a 409.
pub(crate) async fn transition(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    engine: super::Engine,
    session: &Session,
    id: &str,
    event: WorkflowEvent,
) -> Result<(), AppError> {
    // The case's row first (PostgreSQL; SQLite's write transaction already holds the database):
    // two status changes of one case at once then read one after the other, and the later one
    // builds on the version the earlier wrote, instead of writing the same version again.
    sqlx::query("UPDATE cases SET version = version WHERE id = $1").bind(id).execute(&mut **tx).await?;
    let (version, status, content): (i64, String, String) =
        sqlx::query_as("SELECT version, status, content FROM cases WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(AppError::NotFound)?;
    let status = CaseStatus::try_from(status).map_err(|e| AppError::internal(&e.0))?;
    let target = workflow::next(status, event).map_err(|c| AppError::conflict(c.0))?;
    if status == target {
        return Ok(());
    }
    let content: CaseInput = from_json(&content, "case content")?;
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
    let kind = CaseEventKind::CaseStatus;
    audit::append(tx, engine, &Event::new(&session.actor(), kind.code(), Outcome::Success).case(id).detail(&detail))
        .await?;
    events::record(tx, engine, id, kind, id).await?;
    Ok(())
}

pub(crate) async fn store_proposal(
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
    access::require_case(state, session, Action::ReadCases, id).await?;
    let stored = load_proposal(&mut *state.db.acquire().await?, id).await?;
    audit::record(
        &state.db,
        &Event::new(&session.actor(), "case.proposal", Outcome::Success)
            .case(id)
            .detail(&stored.proposal.ruleset_version),
    )
    .await?;
    Ok(stored)
}

async fn load_proposal(conn: &mut sqlx::AnyConnection, id: &str) -> Result<StoredProposal, AppError> {
    let (case_version, computed_at, proposal): (i64, String, String) = sqlx::query_as(
        "SELECT case_version, computed_at, proposal FROM proposals WHERE case_id = $1 ORDER BY case_version DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let proposal: Proposal = from_json(&proposal, "proposal")?;
    Ok(StoredProposal { case_id: id.to_string(), case_version, computed_at, proposal })
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    at: String,
    author_id: String,
    display_name: String,
    reason: Option<String>,
    changed_fields: String,
    #[sqlx(try_from = "String")]
    status: CaseStatus,
    content: String,
}

/// Every version of a case, newest first (audited).
pub async fn history(state: &AppState, session: &Session, id: &str) -> Result<Vec<CaseVersion>, AppError> {
    access::require_case(state, session, Action::ReadCases, id).await?;
    let versions = load_history(state, id).await?;
    audit::record(&state.db, &Event::new(&session.actor(), "case.history", Outcome::Success).case(id)).await?;
    Ok(versions)
}

async fn load_history(state: &AppState, id: &str) -> Result<Vec<CaseVersion>, AppError> {
    let rows: Vec<VersionRow> = sqlx::query_as(
        "SELECT v.version, v.at, v.author_id, u.display_name, v.reason, v.changed_fields, v.status, v.content \
         FROM case_versions v JOIN users u ON u.id = v.author_id WHERE v.case_id = $1 ORDER BY v.version DESC",
    )
    .bind(id)
    .fetch_all(&state.db.pool)
    .await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    rows.into_iter()
        .map(|r| {
            Ok(CaseVersion {
                version: r.version,
                at: r.at,
                author_id: r.author_id,
                author_name: r.display_name,
                reason: r.reason,
                changed_fields: from_json(&r.changed_fields, "list of changed fields")?,
                status: r.status,
                content: from_json(&r.content, "case version")?,
            })
        })
        .collect()
}
