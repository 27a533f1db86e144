//! Meetings: scheduling, the agenda (completeness gate, order, minutes, standard-of-care
//! triage), attendance and the presenter's position in meeting mode. Every change bumps the
//! meeting's revision, is audited in its transaction and wakes the meeting's followers.

use super::access;
use super::audit::{self, Event, Outcome};
use super::auth::{self, Session};
use super::db::from_json;
use super::{AppState, Engine, new_id, now_text};
use crate::domain::board::ExpectedChange;
use crate::domain::case::CaseInput;
use crate::domain::codes::CaseStatus;
use crate::domain::meeting::{
    AgendaItem, AgendaMode, Attendee, Cancellation, CheckedMeeting, DEFAULT_MINUTES, MAX_MINUTES, Meeting,
    MeetingCancel, MeetingChange, MeetingDetail, MeetingInput, PresentView, missing_core,
};
use crate::domain::role::{Action, Specialty};
use crate::domain::workflow::WorkflowEvent;
use crate::error::AppError;

/// A meeting with its board, presenter and number of cases: a literal, so that every query built on
/// it with `concat!` is one static SQL text.
macro_rules! select_meeting {
    () => {
        "SELECT m.id, m.title, m.starts_at, m.location, m.video_link, m.board_type, \
             m.expected_specialties, m.current_case_id, m.current_since, m.revision, m.board_id, b.name AS board_name, \
             m.presenter_id, (SELECT u.display_name FROM users u WHERE u.id = m.presenter_id) AS presenter_name, \
             m.current_attachment_id, m.cancelled_at, m.cancel_reason, \
             (SELECT u.display_name FROM users u WHERE u.id = m.cancelled_by) AS cancelled_by_name, \
             m.cancel_moved_to, (SELECT t.title FROM meetings t WHERE t.id = m.cancel_moved_to) AS moved_to_title, \
             (SELECT t.starts_at FROM meetings t WHERE t.id = m.cancel_moved_to) AS moved_to_starts_at, \
             (SELECT COUNT(*) FROM agenda_items a WHERE a.meeting_id = m.id) AS case_count \
             FROM meetings m JOIN boards b ON b.id = m.board_id"
    };
}

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: String,
    title: String,
    starts_at: String,
    location: String,
    video_link: String,
    board_type: String,
    expected_specialties: String,
    case_count: i64,
    current_case_id: Option<String>,
    current_since: Option<String>,
    board_id: String,
    board_name: String,
    presenter_id: Option<String>,
    presenter_name: Option<String>,
    current_attachment_id: Option<String>,
    cancelled_at: Option<String>,
    cancel_reason: Option<String>,
    cancelled_by_name: Option<String>,
    cancel_moved_to: Option<String>,
    moved_to_title: Option<String>,
    moved_to_starts_at: Option<String>,
}

impl TryFrom<MeetingRow> for Meeting {
    type Error = AppError;

    fn try_from(r: MeetingRow) -> Result<Self, AppError> {
        let expected: Vec<Specialty> = from_json(&r.expected_specialties, "meeting's expected specialties")?;
        Ok(Meeting {
            id: r.id,
            title: r.title,
            starts_at: r.starts_at,
            location: r.location,
            video_link: r.video_link,
            board_type: r.board_type,
            expected_specialties: expected,
            case_count: r.case_count,
            current_case_id: r.current_case_id,
            current_since: r.current_since,
            board_id: r.board_id,
            board_name: r.board_name,
            presenter_id: r.presenter_id,
            presenter_name: r.presenter_name,
            current_attachment_id: r.current_attachment_id,
            cancelled: r.cancelled_at.map(|at| Cancellation {
                at,
                by_name: r.cancelled_by_name.unwrap_or_default(),
                reason: r.cancel_reason.unwrap_or_default(),
                moved_to: super::cases::meeting_ref(r.cancel_moved_to, r.moved_to_title, r.moved_to_starts_at),
            }),
        })
    }
}

/// An agenda line as read, with the case's content for what it still lacks.
#[derive(sqlx::FromRow)]
struct AgendaRow {
    case_id: String,
    position: i64,
    #[sqlx(try_from = "String")]
    mode: AgendaMode,
    minutes: i64,
    seconds_spent: i64,
    name: String,
    mrn: String,
    question: String,
    summary: String,
    #[sqlx(try_from = "String")]
    status: CaseStatus,
    content: String,
}

/// A clinician as the attendance list shows them.
#[derive(sqlx::FromRow)]
struct AttendeeRow {
    user_id: String,
    display_name: String,
    role: String,
    specialty: Option<String>,
    marked_at: String,
}

impl From<AttendeeRow> for Attendee {
    fn from(r: AttendeeRow) -> Self {
        Attendee {
            user_id: r.user_id,
            display_name: r.display_name,
            role: r.role,
            specialty: r.specialty.and_then(|s| Specialty::parse(&s).ok()),
            marked_at: r.marked_at,
        }
    }
}

/// The meeting's revision: followers re-read when it moves.
pub async fn revision(state: &AppState, id: &str) -> Result<Option<(i64, Option<String>)>, AppError> {
    Ok(sqlx::query_as("SELECT revision, current_case_id FROM meetings WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?)
}

/// Bumps the revision and tells other instances, inside the change's transaction.
async fn touch(tx: &mut sqlx::Transaction<'static, sqlx::Any>, engine: Engine, id: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE meetings SET revision = revision + 1 WHERE id = $1").bind(id).execute(&mut **tx).await?;
    if engine == Engine::Postgres {
        sqlx::query("SELECT pg_notify($1, $2)").bind(super::events::PG_CHANNEL).bind(id).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Schedules a meeting of one board: the board named, or the coordinator's only board.
pub async fn create(state: &AppState, session: &Session, input: &MeetingInput) -> Result<Meeting, AppError> {
    let mut made = create_weekly(state, session, input, 1).await?;
    Ok(made.remove(0))
}

/// Schedules `weeks` meetings of one board, one a week from the input's start (1: one meeting),
/// all or none in one transaction, each with its `meeting.create` audit row; they come back in
/// the order of their dates.
pub async fn create_weekly(
    state: &AppState,
    session: &Session,
    input: &MeetingInput,
    weeks: u32,
) -> Result<Vec<Meeting>, AppError> {
    let board = access::board_for_new(state, session, Action::ManageMeetings, input.board_id.as_deref()).await;
    let (board_id, all) = AppError::both(board, input.parse_weekly(weeks, &state.config.zone).map_err(AppError::from))?;
    let mut tx = state.db.begin_write().await?;
    let mut ids = Vec::with_capacity(all.len());
    for m in &all {
        let id = new_id();
        bind_details(
            sqlx::query(
                "INSERT INTO meetings (title, starts_at, location, video_link, board_type, expected_specialties, id, created_by, created_at, board_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            ),
            m,
        )
        .bind(&id)
        .bind(&session.me.id)
        .bind(now_text())
        .bind(&board_id)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            state.db.engine,
            &Event::new(&session.actor(), "meeting.create", Outcome::Success).target(&id).detail(&board_id),
        )
        .await?;
        ids.push(id);
    }
    tx.commit().await?;
    let mut made = Vec::with_capacity(ids.len());
    for id in &ids {
        made.push(load(state, id).await?);
    }
    Ok(made)
}

/// Reschedules a meeting or changes its room, link, title, tumour type or expected specialties
/// (coordinators of its board): only the fields the change carries, checked as a new meeting
/// is, under the meeting row's lock so two coordinators' changes to different fields keep each
/// other. Once a plan signed at the meeting names it, the meeting is part of that decision's
/// record ("discussed at … on …") and is not changed (409). A change that changes nothing
/// writes nothing; otherwise the audit row names the fields and the followers are told.
///
/// `ticks` (the meeting page's form) are the expected specialties ticked and unticked there,
/// applied to the list as stored under the same lock, so another coordinator's change to
/// another specialty is kept; it is the list or the ticks, never both.
pub async fn change(
    state: &AppState,
    session: &Session,
    id: &str,
    change: &MeetingChange,
    ticks: Option<&ExpectedChange>,
) -> Result<MeetingDetail, AppError> {
    access::require_meeting(state, session, Action::ManageMeetings, id).await?;
    if ticks.is_some() && change.expected_specialties.is_some() {
        return Err(AppError::field("expected_specialties", "Send the list or the ticks, not both."));
    }
    let mut tx = state.db.begin_write().await?;
    lock_open(&mut tx, id).await?;
    let stored = load_on(&mut tx, id).await?;
    let ticked;
    let change = match ticks {
        Some(t) => {
            let list = t.apply(&stored.expected_specialties)?;
            ticked = MeetingChange {
                expected_specialties: Some(list.iter().map(|s| s.code().to_string()).collect()),
                ..change.clone()
            };
            &ticked
        }
        None => change,
    };
    let (m, changed) = change.apply(&stored, &state.config.zone)?;
    if changed.is_empty() {
        drop(tx);
        return get(state, session, id).await;
    }
    if named_by_plan(&mut tx, id, true).await? {
        return Err(AppError::conflict(
            "A plan signed at this meeting records it as held then and there, so it can no longer be changed.",
        ));
    }
    bind_details(
        sqlx::query(
            "UPDATE meetings SET title = $1, starts_at = $2, location = $3, video_link = $4, board_type = $5, \
             expected_specialties = $6 WHERE id = $7",
        ),
        &m,
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let fields = changed.join(", ");
    let actor = session.actor();
    finish(state, tx, id, Event::new(&actor, "meeting.update", Outcome::Success).target(id).detail(&fields)).await
}

/// Calls a meeting off (coordinators of its board), saying why. Its cases move to the end of
/// the agenda of `move_to` (another meeting of the board, still to come, not cancelled; a case
/// already on it stays where it is there), or are taken off and wait for another meeting (a
/// case on no other agenda is "ready" again); their followers are told. The meeting keeps its
/// record, shown as cancelled, and nothing more is scheduled on it: a change, an agenda line,
/// attendance, meeting mode or a plan naming it is refused. A meeting being presented, or named
/// by a recorded plan (signed or not), took place and is not cancelled (409). One audit row,
/// `meeting.cancel`, names its cases and where they went.
pub async fn cancel(
    state: &AppState,
    session: &Session,
    id: &str,
    input: &MeetingCancel,
) -> Result<MeetingDetail, AppError> {
    access::require_meeting(state, session, Action::ManageMeetings, id).await?;
    let reason = input.parse()?;
    let move_to = input.move_to.as_deref().filter(|t| !t.is_empty());
    if move_to == Some(id) {
        return Err(AppError::field("move_to", "Choose another meeting than the one cancelled."));
    }
    let mut tx = state.db.begin_write().await?;
    // Both rows, in the order of their ids: two cancellations moving each other's cases wait
    // for one another instead of deadlocking.
    let mut rows: Vec<&str> = [Some(id), move_to].into_iter().flatten().collect();
    rows.sort_unstable();
    for row in rows {
        lock(&mut tx, row).await?;
    }
    let stored = load_on(&mut tx, id).await?;
    if let Some(c) = &stored.cancelled {
        return Err(AppError::conflict(format!("{} cancelled this meeting already.", c.by_name)));
    }
    // Meeting mode shows a case only while someone presents, so past this no case is on screen
    // and none is left to clear.
    if let Some(name) = &stored.presenter_name {
        return Err(AppError::conflict(format!(
            "{name} is presenting this meeting in meeting mode: close meeting mode before cancelling it."
        )));
    }
    if named_by_plan(&mut tx, id, false).await? {
        return Err(AppError::conflict(
            "A plan recorded at this meeting names it: the meeting took place and is not cancelled. Change the plan's meeting first if it was recorded there by mistake.",
        ));
    }
    let target = match move_to {
        Some(t) => Some(move_target(&mut tx, &stored, t).await?),
        None => None,
    };
    let cases: Vec<String> =
        sqlx::query_scalar("SELECT case_id FROM agenda_items WHERE meeting_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    let mut moved = 0;
    for case_id in &cases {
        match &target {
            Some(t) if !t.agenda.contains(case_id) => {
                // The line itself moves (its listing and minutes with it) to the end of the
                // other agenda; the case stays on an agenda, its status as it is.
                sqlx::query(
                    "UPDATE agenda_items SET meeting_id = $1, position = $2, seconds_spent = 0 \
                     WHERE meeting_id = $3 AND case_id = $4",
                )
                .bind(&t.id)
                .bind(t.last + 1 + moved)
                .bind(id)
                .bind(case_id)
                .execute(&mut *tx)
                .await?;
                moved += 1;
            }
            _ => take_off(&mut tx, state.db.engine, session, id, case_id).await?,
        }
    }
    if let Some(t) = &target {
        touch(&mut tx, state.db.engine, &t.id).await?;
    }
    sqlx::query(
        "UPDATE meetings SET cancelled_at = $1, cancelled_by = $2, cancel_reason = $3, cancel_moved_to = $4 \
         WHERE id = $5",
    )
    .bind(now_text())
    .bind(&session.me.id)
    .bind(&reason)
    .bind(target.as_ref().map(|t| t.id.clone()))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let detail = match &target {
        Some(t) => {
            format!("cases moved to meeting {}: {moved}; taken off the agenda: {}", t.id, cases.len() as i64 - moved)
        }
        None => format!("cases taken off the agenda: {}", cases.len()),
    };
    let actor = session.actor();
    let event = Event::new(&actor, "meeting.cancel", Outcome::Success).target(id).detail(&detail).cases(&cases);
    let answer = finish(state, tx, id, event).await?;
    if let Some(t) = &target {
        state.db.announce(&t.id);
    }
    for case_id in &cases {
        state.db.announce(case_id);
    }
    Ok(answer)
}

/// The meeting a cancelled one's cases move to, as the cancellation found it under its lock.
struct MoveTarget {
    id: String,
    /// Its agenda's cases, and its last position.
    agenda: Vec<String>,
    last: i64,
}

/// Checks the meeting named to take a cancelled one's cases (422 on `move_to`): one of the same
/// board, still to come and not cancelled.
async fn move_target(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    from: &Meeting,
    id: &str,
) -> Result<MoveTarget, AppError> {
    let refuse = |m: &str| AppError::field("move_to", m);
    let target = load_on(tx, id).await.map_err(|e| match e {
        AppError::NotFound => refuse("There is no such meeting."),
        e => e,
    })?;
    if target.board_id != from.board_id {
        return Err(refuse("Choose a meeting of the same board: its cases are that board's."));
    }
    if target.cancelled.is_some() {
        return Err(refuse("That meeting is cancelled too; choose another."));
    }
    if target.starts_at < now_text() {
        return Err(refuse("That meeting has started or is over; choose one still to come."));
    }
    let lines: Vec<(String, i64)> = sqlx::query_as("SELECT case_id, position FROM agenda_items WHERE meeting_id = $1")
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
    let last = lines.iter().map(|l| l.1).max().unwrap_or(0);
    Ok(MoveTarget { id: target.id, agenda: lines.into_iter().map(|l| l.0).collect(), last })
}

/// Whether a plan (only a signed one, with `signed_only`) names the meeting. A plan names its
/// meeting in its content: the id is looked for as text first (a plan that does not contain it
/// cannot name it), then read.
async fn named_by_plan(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    signed_only: bool,
) -> Result<bool, AppError> {
    let contents: Vec<String> =
        sqlx::query_scalar("SELECT content FROM plans WHERE ($1 = 0 OR signed_at IS NOT NULL) AND content LIKE $2")
            .bind(signed_only as i64)
            .bind(format!("%{id}%"))
            .fetch_all(&mut **tx)
            .await?;
    for content in contents {
        let plan: crate::domain::plan::PlanContent = from_json(&content, "plan")?;
        if plan.meeting_id.as_deref() == Some(id) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Takes a case off the meeting's agenda (and off meeting mode's screen); a case on no other
/// agenda waits for the board again.
async fn take_off(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    engine: Engine,
    session: &Session,
    meeting_id: &str,
    case_id: &str,
) -> Result<(), AppError> {
    sqlx::query("DELETE FROM agenda_items WHERE meeting_id = $1 AND case_id = $2")
        .bind(meeting_id)
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE meetings SET current_case_id = NULL, current_since = NULL WHERE id = $1 AND current_case_id = $2",
    )
    .bind(meeting_id)
    .bind(case_id)
    .execute(&mut **tx)
    .await?;
    let elsewhere: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agenda_items WHERE case_id = $1")
        .bind(case_id)
        .fetch_one(&mut **tx)
        .await?;
    if elsewhere == 0 {
        super::cases::transition(tx, engine, session, case_id, WorkflowEvent::RemovedFromLastAgenda).await?;
    }
    Ok(())
}

/// [`lock`], then a refusal (409) when the meeting was called off: what schedules something on
/// a meeting (a change, an agenda line, attendance, meeting mode, a plan naming it) waits for a
/// cancellation running beside it, and then sees it.
pub(crate) async fn lock_open(tx: &mut sqlx::Transaction<'static, sqlx::Any>, id: &str) -> Result<(), AppError> {
    lock(tx, id).await?;
    let cancelled: Option<Option<String>> = sqlx::query_scalar("SELECT cancelled_at FROM meetings WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match cancelled {
        None => Err(AppError::NotFound),
        Some(Some(_)) => Err(AppError::conflict(CANCELLED)),
        Some(None) => Ok(()),
    }
}

/// Why something is refused on a cancelled meeting, and what to do instead.
pub(crate) const CANCELLED: &str = "This meeting is cancelled: use another meeting of the board.";

/// Locks the meeting's row until the transaction ends (PostgreSQL; SQLite's write lock is already
/// held): a change of the meeting and the signature of a plan that names it are ordered, so the
/// change either came first or sees the signature.
pub(crate) async fn lock(tx: &mut sqlx::Transaction<'static, sqlx::Any>, id: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE meetings SET revision = revision WHERE id = $1").bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// Binds a checked meeting's details in the order both statements that write them name them
/// (`create`'s insert and `change`'s update): title, start, room, link, tumour type, expected
/// specialties.
fn bind_details<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    m: &CheckedMeeting,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let expected: Vec<&str> = m.expected_specialties.iter().map(|s| s.code()).collect();
    q.bind(m.title.clone())
        .bind(m.starts_at.clone())
        .bind(m.location.clone())
        .bind(m.video_link.clone())
        .bind(m.board_type.clone())
        .bind(serde_json::to_string(&expected).unwrap_or_default())
}

async fn load(state: &AppState, id: &str) -> Result<Meeting, AppError> {
    load_on(&mut *state.db.acquire().await?, id).await
}

/// The meeting as `conn` sees it (the agenda's read transaction, or a pooled connection).
async fn load_on(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Meeting, AppError> {
    let row: MeetingRow = sqlx::query_as(concat!(select_meeting!(), " WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    row.try_into()
}

/// The meetings of the user's boards (reviewers: every board): the next [`LISTED`] (today's
/// included) soonest first, then the last [`LISTED`] held, most recent first.
pub async fn list(state: &AppState, session: &Session) -> Result<Vec<Meeting>, AppError> {
    auth::require(state, session, Action::ReadCases, None).await?;
    list_on(&mut *state.db.acquire().await?, state, session).await
}

/// How many meetings still to come, and how many held, a list holds: a year of two weekly
/// boards each (the `LIMIT` written in both of `list_on`'s reads).
pub const LISTED: usize = 104;

/// [`list`] on `conn` (the case page's read transaction), for a caller that has checked the role.
/// Each side has its own limit, so a year of weekly meetings scheduled ahead neither hides
/// this week's meeting nor the one just held.
pub(crate) async fn list_on(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    session: &Session,
) -> Result<Vec<Meeting>, AppError> {
    // Need to know: the meetings of the user's boards (reviewers: every board). `$3` is when
    // today began on the hospital's clock: a meeting of today is still to come.
    let today = state.today_began();
    let mut read = async |sql: &'static str| -> Result<Vec<Meeting>, AppError> {
        let rows: Vec<MeetingRow> = sqlx::query_as(sql)
            .bind(access::sees_every_board(session) as i64)
            .bind(&session.me.id)
            .bind(&today)
            .bind(LISTED as i64)
            .fetch_all(&mut *conn)
            .await?;
        rows.into_iter().map(Meeting::try_from).collect()
    };
    let mut upcoming = read(concat!(
        select_meeting!(),
        " WHERE ",
        on_visible_boards!("m.board_id", "$1", "$2"),
        " AND m.starts_at >= $3 ORDER BY m.starts_at ASC LIMIT $4"
    ))
    .await?;
    let past = read(concat!(
        select_meeting!(),
        " WHERE ",
        on_visible_boards!("m.board_id", "$1", "$2"),
        " AND m.starts_at < $3 ORDER BY m.starts_at DESC LIMIT $4"
    ))
    .await?;
    upcoming.extend(past);
    Ok(upcoming)
}

/// A meeting as other records name it (id, title, start), if it exists. Not audited: it names
/// no patient.
pub(crate) async fn reference(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<Option<crate::domain::case::MeetingRef>, AppError> {
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT id, title, starts_at FROM meetings WHERE id = $1").bind(id).fetch_optional(conn).await?;
    Ok(row.map(|(id, title, starts_at)| crate::domain::case::MeetingRef { id, title, starts_at }))
}

/// One meeting with its agenda and attendance, audited with every case on the agenda (the
/// agenda names patients, LG-1).
pub async fn get(state: &AppState, session: &Session, id: &str) -> Result<MeetingDetail, AppError> {
    // The agenda page shows the voices each case still awaits; meeting mode does not, so
    // `present_view`, which every follower calls on every step, does not work them out.
    let detail = with_voices(state, read_checked(state, session, id).await?).await?;
    let ids = agenda_ids(&detail);
    audit::record(&state.db, &Event::new(&session.actor(), "meeting.read", Outcome::Success).target(id).cases(&ids))
        .await?;
    Ok(detail)
}

/// The meeting after the access check; not audited (the caller records the read).
async fn read_checked(state: &AppState, session: &Session, id: &str) -> Result<MeetingDetail, AppError> {
    access::require_meeting(state, session, Action::ReadCases, id).await?;
    let mut conn = state.db.acquire().await?;
    detail_on(&mut conn, state.today(), id).await
}

/// The meeting with the voices each agenda case still waits for (pre-review, issue 18).
async fn with_voices(state: &AppState, mut detail: MeetingDetail) -> Result<MeetingDetail, AppError> {
    if detail.agenda.is_empty() {
        return Ok(detail);
    }
    let cases: Vec<&str> = detail.agenda.iter().map(|a| a.case_id.as_str()).collect();
    let mut awaited = super::work::awaited_on_agenda(state, &detail.meeting.id, &cases).await?;
    for item in &mut detail.agenda {
        item.awaited_voices = awaited.remove(&item.case_id).unwrap_or_default();
    }
    Ok(detail)
}

/// What meeting mode shows: the meeting, and the case on screen (the presenter's, or `case_id`
/// of the agenda for someone browsing on their own). One audit row for the whole view
/// (`meeting.view`: the meeting, the case shown, every case the agenda names), not one per part.
pub async fn present_view(
    state: &AppState,
    session: &Session,
    meeting_id: &str,
    case_id: Option<String>,
) -> Result<PresentView, AppError> {
    let detail = read_checked(state, session, meeting_id).await?;
    let shown = match case_id {
        Some(c) if detail.agenda.iter().any(|a| a.case_id == c) => Some(c),
        Some(_) => return Err(AppError::field("case_id", "This case is not on the meeting's agenda.")),
        None => detail.meeting.current_case_id.clone(),
    };
    let parts = match &shown {
        Some(id) => Some(super::cases::page_parts(state, session, id, super::cases::Parts::Meeting).await?),
        None => None,
    };
    let ids = agenda_ids(&detail);
    let actor = session.actor();
    let mut event = Event::new(&actor, "meeting.view", Outcome::Success).target(meeting_id).cases(&ids);
    if let Some(id) = &shown {
        event = event.case(id).detail("meeting mode: agenda, case, proposal, voices, plan, documents, trials");
    }
    audit::record(&state.db, &event).await?;
    Ok(match parts {
        Some(p) => PresentView {
            detail,
            case: Some(p.case),
            annotations: p.annotations,
            proposal: p.proposal,
            plan: p.plan,
            attachments: p.attachments,
            trials: p.trials,
        },
        None => PresentView {
            detail,
            case: None,
            annotations: Vec::new(),
            proposal: None,
            plan: None,
            attachments: Vec::new(),
            trials: Vec::new(),
        },
    })
}

/// The cases an agenda names, for the audit row of a response that carries it.
fn agenda_ids(d: &MeetingDetail) -> Vec<String> {
    d.agenda.iter().map(|a| a.case_id.clone()).collect()
}

/// Ends a change that answers with the meeting: reads the meeting as changed inside the
/// transaction, writes the change's audit row naming every case the answer carries (LG-1),
/// bumps the revision and commits. One request, one transaction, one audit row.
async fn finish(
    state: &AppState,
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    meeting_id: &str,
    event: Event<'_>,
) -> Result<MeetingDetail, AppError> {
    let detail = detail_on(&mut tx, state.today(), meeting_id).await?;
    let ids = agenda_ids(&detail);
    // An answer with an empty agenda names no case; the event's own (a cancellation's cases
    // taken off) are kept.
    let event = if ids.is_empty() { event } else { event.cases(&ids) };
    audit::append(&mut tx, state.db.engine, &event).await?;
    touch(&mut tx, state.db.engine, meeting_id).await?;
    tx.commit().await?;
    state.db.announce(meeting_id);
    with_voices(state, detail).await
}

async fn detail_on(
    conn: &mut sqlx::AnyConnection,
    today: chrono::NaiveDate,
    id: &str,
) -> Result<MeetingDetail, AppError> {
    let meeting = load_on(&mut *conn, id).await?;
    let rows: Vec<AgendaRow> = sqlx::query_as(
        "SELECT a.case_id, a.position, a.mode, a.minutes, a.seconds_spent, p.name, p.mrn, c.question, c.summary, c.status, c.content \
         FROM agenda_items a JOIN cases c ON c.id = a.case_id JOIN patients p ON p.id = c.patient_id \
         WHERE a.meeting_id = $1 ORDER BY a.position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut agenda = Vec::new();
    for r in rows {
        let content: CaseInput = from_json(&r.content, "case content")?;
        let missing = match content.parse(today) {
            Ok(c) => c.missing_for_board().into_iter().map(|m| m.1).collect(),
            Err(_) => vec!["the case has invalid fields".to_string()],
        };
        agenda.push(AgendaItem {
            case_id: r.case_id,
            position: r.position,
            mode: r.mode,
            minutes: r.minutes,
            seconds_spent: r.seconds_spent,
            patient_name: r.name,
            mrn: r.mrn,
            question: r.question,
            summary: r.summary,
            status: r.status,
            missing,
            awaited_voices: Vec::new(),
        });
    }
    let attendance: Vec<AttendeeRow> = sqlx::query_as(
        "SELECT t.user_id, t.marked_at, u.display_name, u.role, u.specialty FROM attendance t JOIN users u ON u.id = t.user_id \
         WHERE t.meeting_id = $1 ORDER BY u.specialty, u.display_name",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let attendance: Vec<Attendee> = attendance.into_iter().map(Attendee::from).collect();
    let total_minutes = agenda.iter().filter(|a| a.mode == AgendaMode::Discuss).map(|a| a.minutes).sum();
    Ok(MeetingDetail { missing_core: missing_core(&attendance), meeting, agenda, attendance, total_minutes })
}

fn check_minutes(minutes: Option<i64>) -> Result<i64, AppError> {
    match minutes {
        None => Ok(DEFAULT_MINUTES),
        Some(m) if (1..=MAX_MINUTES).contains(&m) => Ok(m),
        Some(_) => Err(AppError::field("minutes", format!("Estimate between 1 and {MAX_MINUTES} minutes."))),
    }
}

/// Puts a case on the agenda. Only a case with everything the board needs goes on (a 422
/// naming what is missing); the same case twice is a 409. The case becomes "on an agenda".
pub async fn add_case(
    state: &AppState,
    session: &Session,
    meeting_id: &str,
    case_id: &str,
    mode: &str,
    minutes: Option<i64>,
) -> Result<MeetingDetail, AppError> {
    let board_id = access::require_meeting(state, session, Action::ManageMeetings, meeting_id).await?;
    // The case is named in the body: an unknown one is a field error, not a missing page.
    let (case_board, case_board_name) = access::case_board(state, case_id).await.map_err(|e| match e {
        AppError::NotFound => AppError::field("case_id", "There is no such case."),
        e => e,
    })?;
    access::require_case(state, session, Action::ManageMeetings, case_id).await?;
    if case_board != board_id {
        return Err(AppError::field(
            "case_id",
            format!("This case is referred to the {case_board_name} board; put it on one of that board's meetings."),
        ));
    }
    let mode = AgendaMode::parse(mode).map_err(|m| AppError::field("mode", m))?;
    let minutes = check_minutes(minutes)?;
    let content: String = sqlx::query_scalar("SELECT content FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| AppError::field("case_id", "There is no such case."))?;
    let content: CaseInput = from_json(&content, "case content")?;
    let parsed = content.parse(state.today())?;
    if !parsed.missing_for_board().is_empty() {
        return Err(super::cases::missing_error(&parsed, "Before this case can go on an agenda"));
    }
    let mut tx = state.db.begin_write().await?;
    lock_open(&mut tx, meeting_id).await?;
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(position) FROM agenda_items WHERE meeting_id = $1")
        .bind(meeting_id)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO agenda_items (meeting_id, case_id, position, mode, minutes, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(meeting_id)
    .bind(case_id)
    .bind(last.unwrap_or(0) + 1)
    .bind(mode.code())
    .bind(minutes)
    .bind(&session.me.id)
    .bind(now_text())
    .execute(&mut *tx)
    .await
    // The primary key (meeting, case) decides, so two coordinators adding at once get a 409.
    .map_err(|e| super::db::unique_violation_as(e, || AppError::conflict("This case is already on this meeting's agenda.")))?;
    super::cases::transition(&mut tx, state.db.engine, session, case_id, WorkflowEvent::PutOnAgenda).await?;
    let actor = session.actor();
    let event = Event::new(&actor, "meeting.agenda.add", Outcome::Success).case(case_id).target(meeting_id);
    let detail = finish(state, tx, meeting_id, event.detail(mode.code())).await?;
    state.db.announce(case_id);
    Ok(detail)
}

/// A change to one agenda line.
pub enum AgendaChange {
    Up,
    Down,
    /// To this place on the agenda (1 = first): drag and drop, or "move to position N".
    To(i64),
    Remove,
    /// How the case is listed, its minutes or both; what is left out is kept, so two
    /// coordinators changing one each (or one person changing both in quick succession) lose
    /// neither.
    Set {
        mode: Option<String>,
        minutes: Option<i64>,
    },
}

pub async fn change_item(
    state: &AppState,
    session: &Session,
    meeting_id: &str,
    case_id: &str,
    change: AgendaChange,
) -> Result<MeetingDetail, AppError> {
    access::require_meeting(state, session, Action::ManageMeetings, meeting_id).await?;
    access::require_case(state, session, Action::ManageMeetings, case_id).await?;
    let set = match &change {
        AgendaChange::Set { mode: None, minutes: None } => {
            return Err(AppError::field("mode", "Send the mode, the minutes or both."));
        }
        AgendaChange::Set { mode, minutes } => Some(AppError::both(
            mode.as_deref().map(AgendaMode::parse).transpose().map_err(|m| AppError::field("mode", m)),
            minutes.map(|m| check_minutes(Some(m))).transpose(),
        )?),
        _ => None,
    };
    let mut tx = state.db.begin_write().await?;
    // The meeting's row before anything else, as every change of a meeting takes it (after the
    // audit log's lock, taken at the end, a cancellation sent at once deadlocked with it).
    lock_open(&mut tx, meeting_id).await?;
    let positions: Vec<(String, i64)> =
        sqlx::query_as("SELECT case_id, position FROM agenda_items WHERE meeting_id = $1 ORDER BY position")
            .bind(meeting_id)
            .fetch_all(&mut *tx)
            .await?;
    let Some(at) = positions.iter().position(|(c, _)| c == case_id) else {
        return Err(AppError::NotFound);
    };
    let action = match change {
        AgendaChange::To(_) | AgendaChange::Up | AgendaChange::Down => {
            // Up and down are moves to the neighbouring place (none past either end).
            let last = positions.len() as i64;
            let n = match change {
                AgendaChange::Up => (at as i64).max(1),
                AgendaChange::Down => (at as i64 + 2).min(last),
                AgendaChange::To(n) => n,
                _ => at as i64 + 1,
            };
            if n < 1 || n > positions.len() as i64 {
                return Err(AppError::field(
                    "position",
                    format!("Choose a position between 1 and {}.", positions.len()),
                ));
            }
            // The same set of position numbers, handed out in the new order.
            let slots: Vec<i64> = positions.iter().map(|p| p.1).collect();
            let mut order: Vec<String> = positions.iter().map(|p| p.0.clone()).collect();
            let moved = order.remove(at);
            order.insert(n as usize - 1, moved);
            for ((case, pos), (was, _)) in order.iter().zip(slots).zip(&positions) {
                if case != was {
                    sqlx::query("UPDATE agenda_items SET position = $1 WHERE meeting_id = $2 AND case_id = $3")
                        .bind(pos)
                        .bind(meeting_id)
                        .bind(case)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            "meeting.agenda.move"
        }
        AgendaChange::Remove => {
            take_off(&mut tx, state.db.engine, session, meeting_id, case_id).await?;
            "meeting.agenda.remove"
        }
        AgendaChange::Set { .. } => {
            let (mode, minutes) = set.expect("checked above");
            if let Some(mode) = mode {
                sqlx::query("UPDATE agenda_items SET mode = $1 WHERE meeting_id = $2 AND case_id = $3")
                    .bind(mode.code())
                    .bind(meeting_id)
                    .bind(case_id)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(minutes) = minutes {
                sqlx::query("UPDATE agenda_items SET minutes = $1 WHERE meeting_id = $2 AND case_id = $3")
                    .bind(minutes)
                    .bind(meeting_id)
                    .bind(case_id)
                    .execute(&mut *tx)
                    .await?;
            }
            "meeting.agenda.set"
        }
    };
    let actor = session.actor();
    let event = Event::new(&actor, action, Outcome::Success).case(case_id).target(meeting_id);
    let detail = finish(state, tx, meeting_id, event).await?;
    state.db.announce(case_id);
    Ok(detail)
}

/// Marks a user present (or not).
pub async fn set_attendance(
    state: &AppState,
    session: &Session,
    meeting_id: &str,
    user_id: &str,
    present: bool,
) -> Result<MeetingDetail, AppError> {
    access::require_meeting(state, session, Action::ManageMeetings, meeting_id).await?;
    let user: Option<i64> = sqlx::query_scalar("SELECT disabled FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&state.db.pool)
        .await?;
    if user.is_none() {
        return Err(AppError::field("user_id", "There is no such user."));
    }
    let mut tx = state.db.begin_write().await?;
    lock_open(&mut tx, meeting_id).await?;
    if present {
        // Marking someone present twice is harmless: the key keeps one row.
        sqlx::query(
            "INSERT INTO attendance (meeting_id, user_id, marked_by, marked_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (meeting_id, user_id) DO NOTHING",
        )
        .bind(meeting_id)
        .bind(user_id)
        .bind(&session.me.id)
        .bind(now_text())
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM attendance WHERE meeting_id = $1 AND user_id = $2")
            .bind(meeting_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    let action = if present { "meeting.attendance.present" } else { "meeting.attendance.absent" };
    let actor = session.actor();
    let event = Event::new(&actor, action, Outcome::Success).target(meeting_id).detail(user_id);
    finish(state, tx, meeting_id, event).await
}

/// Meeting mode: the presenter shows `case_id` (None closes the presentation). Everyone
/// following the meeting moves with it.
///
/// One presenter at a time: the first to present becomes the presenter; anyone else who may
/// present gets a 409 naming the presenter unless they take control (`take_control`), which is
/// audited as a hand-over. Closing the presentation frees it. The time spent on the case that
/// was shown is added to that case's total, so returning to a case keeps its time.
/// `attachment_id` is a document or key image of that case shown large with it (issue 20).
pub async fn present(
    state: &AppState,
    session: &Session,
    meeting_id: &str,
    case_id: Option<&str>,
    attachment_id: Option<&str>,
    take_control: bool,
) -> Result<MeetingDetail, AppError> {
    access::require_meeting(state, session, Action::PresentMeeting, meeting_id).await?;
    let mut tx = state.db.begin_write().await?;
    // The meeting's row lock first, so the presenter and position read next cannot change
    // before the update.
    lock_open(&mut tx, meeting_id).await?;
    type Now = (Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
    let (presenter, presenter_name, current, since, shown_attachment): Now = sqlx::query_as(
        "SELECT m.presenter_id, (SELECT u.display_name FROM users u WHERE u.id = m.presenter_id), \
             m.current_case_id, m.current_since, m.current_attachment_id FROM meetings m WHERE m.id = $1",
    )
    .bind(meeting_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let me = session.me.id.as_str();
    let other = presenter.as_deref().filter(|p| *p != me);
    if other.is_some() && !take_control {
        let name = presenter_name.unwrap_or_else(|| "Someone else".into());
        return Err(AppError::Conflict {
            message: format!(
                "{name} is presenting. Follow the presentation, browse on your own, or take control (everyone will see that you did)."
            ),
        });
    }
    if let Some(case_id) = case_id {
        let on: Option<i64> =
            sqlx::query_scalar("SELECT position FROM agenda_items WHERE meeting_id = $1 AND case_id = $2")
                .bind(meeting_id)
                .bind(case_id)
                .fetch_optional(&mut *tx)
                .await?;
        if on.is_none() {
            return Err(AppError::field("case_id", "This case is not on the meeting's agenda."));
        }
    }
    if let Some(attachment) = attachment_id {
        let of: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT case_id, withdrawn_at FROM attachments WHERE id = $1")
                .bind(attachment)
                .fetch_optional(&mut *tx)
                .await?;
        match of {
            Some((of_case, None)) if Some(of_case.as_str()) == case_id => {}
            Some((of_case, Some(_))) if Some(of_case.as_str()) == case_id => {
                return Err(AppError::field("attachment_id", "This document was withdrawn."));
            }
            _ => return Err(AppError::field("attachment_id", "Choose a document of the case shown.")),
        }
    }
    let actor = session.actor();
    let new_presenter = case_id.map(|_| me);
    if current.as_deref() == case_id
        && presenter.as_deref() == new_presenter
        && shown_attachment.as_deref() == attachment_id
    {
        // Already shown: nothing changes, but the answer carries the agenda and is audited.
        let detail = detail_on(&mut tx, state.today(), meeting_id).await?;
        let ids = agenda_ids(&detail);
        let event = Event::new(&actor, "meeting.read", Outcome::Success).target(meeting_id);
        audit::append(&mut tx, state.db.engine, &event.detail("already presented").cases(&ids)).await?;
        tx.commit().await?;
        return Ok(detail);
    }
    let now = state.clock.now();
    if current.as_deref() != case_id
        && let (Some(shown), Some(since)) = (current.as_deref(), since.as_deref())
        && let Ok(since) = chrono::DateTime::parse_from_rfc3339(since)
    {
        let seconds = (now - since.with_timezone(&chrono::Utc)).num_seconds().max(0);
        sqlx::query(
            "UPDATE agenda_items SET seconds_spent = seconds_spent + $1 WHERE meeting_id = $2 AND case_id = $3",
        )
        .bind(seconds)
        .bind(meeting_id)
        .bind(shown)
        .execute(&mut *tx)
        .await?;
    }
    // The start of the current stretch moves only when the case changes (a hand-over keeps it).
    let since = if current.as_deref() == case_id { since } else { case_id.map(|_| now_text()) };
    sqlx::query(
        "UPDATE meetings SET current_case_id = $1, current_since = $2, presenter_id = $3, current_attachment_id = $4 \
         WHERE id = $5",
    )
    .bind(case_id)
    .bind(since)
    .bind(new_presenter)
    .bind(attachment_id)
    .bind(meeting_id)
    .execute(&mut *tx)
    .await?;
    if let Some(from) = other {
        let detail = format!("presenter was user {from}");
        let handover = Event::new(&actor, "meeting.take_control", Outcome::Success).target(meeting_id).detail(&detail);
        audit::append(&mut tx, state.db.engine, &handover).await?;
    }
    let mut event = Event::new(&actor, "meeting.present", Outcome::Success).target(meeting_id);
    if let Some(c) = case_id {
        event = event.case(c);
    }
    let showing;
    if let Some(a) = attachment_id {
        showing = format!("showing attachment {a}");
        event = event.detail(&showing);
    }
    finish(state, tx, meeting_id, event).await
}

/// Lets a user follow a meeting (audited) and returns its revision and current case.
pub async fn follow(state: &AppState, session: &Session, meeting_id: &str) -> Result<(i64, Option<String>), AppError> {
    access::require_meeting(state, session, Action::ReadCases, meeting_id).await?;
    let rev = revision(state, meeting_id).await?.ok_or(AppError::NotFound)?;
    audit::record(&state.db, &Event::new(&session.actor(), "meeting.follow", Outcome::Success).target(meeting_id))
        .await?;
    Ok(rev)
}

/// The clinicians of the user's boards, for the coordinator's attendance list and for naming a
/// dissent in a plan. Others get an empty list (every viewer's page asks; only those roles use it).
pub async fn members(state: &AppState, session: &Session) -> Result<Vec<Attendee>, AppError> {
    if !sees_members(session) {
        return Ok(Vec::new());
    }
    members_on(&mut *state.db.acquire().await?, session).await
}

fn sees_members(session: &Session) -> bool {
    session.may(Action::ManageMeetings) || session.may(Action::RecordPlan)
}

/// [`members`] on `conn` (the case page's read transaction).
pub(crate) async fn members_on(conn: &mut sqlx::AnyConnection, session: &Session) -> Result<Vec<Attendee>, AppError> {
    if !sees_members(session) {
        return Ok(Vec::new());
    }
    let rows: Vec<AttendeeRow> = sqlx::query_as(
        "SELECT id AS user_id, display_name, role, specialty, '' AS marked_at FROM users \
         WHERE role = 'clinician' AND disabled = 0 AND id IN (SELECT m.user_id FROM board_members m \
         WHERE m.board_id IN (SELECT mine.board_id FROM board_members mine WHERE mine.user_id = $1)) \
         ORDER BY specialty, display_name",
    )
    .bind(&session.me.id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Attendee::from).collect())
}
