//! Need to know (issue 15, security.md AC-3): which cases, meetings and patients a user may
//! reach, by their boards. One rule (`domain::board::case_access`) and one place that applies it
//! for every server function, REST handler, page and event stream; lists filter in SQL with the
//! same membership, one condition for all of them (`on_visible_boards!`). Every refusal is
//! audited (AC-2); a read under break-glass flags every audit row the request writes.

use std::sync::atomic::Ordering;

use super::AppState;
use super::audit::{self, Event, Outcome};
use super::auth::{self, Session};
use super::time_text;
use crate::domain::board::{CaseAccess, case_access, glass_matters};
use crate::domain::role::{Action, Role};
use crate::error::AppError;

/// Which boards a user's lists show: every board (reviewers), or the boards they belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Visible {
    All,
    Boards(Vec<String>),
}

impl Visible {
    /// Whether a record of `board_id` is shown.
    pub fn includes(&self, board_id: &str) -> bool {
        match self {
            Visible::All => true,
            Visible::Boards(ids) => ids.iter().any(|b| b == board_id),
        }
    }

    /// 1 when every board is visible: the `$all` parameter of the list queries' board condition.
    pub fn all(&self) -> i64 {
        matches!(self, Visible::All) as i64
    }
}

/// The need-to-know condition of every list query (AC-3), written once: a record whose board is
/// the column `$board` is shown when `$all` (the placeholder bound to [`Visible::all`], or to
/// [`sees_every_board`] as 0 or 1) is 1 or the user bound to `$user` is a member of that
/// board. Gives a literal, so a query stays one static text (`concat!`, IN-1); the arguments
/// are literals too, so nothing else can go in.
macro_rules! on_visible_boards {
    ($board:literal, $all:literal, $user:literal) => {
        concat!(
            "(",
            $all,
            " = 1 OR ",
            $board,
            " IN (SELECT vb.board_id FROM board_members vb WHERE vb.user_id = ",
            $user,
            "))"
        )
    };
}

/// Whether `session`'s lists show every board (reviewers): the `$all` parameter of the list
/// queries whose board condition reads the user's memberships itself, so that they need not
/// be read first (issue 17: the case page's meeting list read them for nothing).
pub fn sees_every_board(session: &Session) -> bool {
    session.me.role == Role::Reviewer
}

/// The boards `session`'s lists show.
pub async fn visible_boards(state: &AppState, session: &Session) -> Result<Visible, AppError> {
    if sees_every_board(session) {
        return Ok(Visible::All);
    }
    Ok(Visible::Boards(boards_of(state, &session.me.id).await?))
}

/// The boards a user is a member of.
pub async fn boards_of(state: &AppState, user_id: &str) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar("SELECT board_id FROM board_members WHERE user_id = $1 ORDER BY board_id")
        .bind(user_id)
        .fetch_all(&state.db.pool)
        .await?)
}

async fn is_member(state: &AppState, board_id: &str, user_id: &str) -> Result<bool, AppError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM board_members WHERE board_id = $1 AND user_id = $2")
        .bind(board_id)
        .bind(user_id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(found.is_some())
}

/// Whether `user_id` holds a running break-glass access to `case_id`.
pub async fn glass_running(state: &AppState, user_id: &str, case_id: &str) -> Result<bool, AppError> {
    glass_running_on(&mut *state.db.acquire().await?, state, user_id, case_id).await
}

/// [`glass_running`] on `conn` (a page's read transaction).
pub(crate) async fn glass_running_on(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    user_id: &str,
    case_id: &str,
) -> Result<bool, AppError> {
    Ok(glass_until_on(conn, state, user_id, case_id).await?.is_some())
}

/// When `user_id`'s running break-glass access to `case_id` ends, if there is one, on `conn`.
pub(crate) async fn glass_until_on(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    user_id: &str,
    case_id: &str,
) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(expires_at) FROM break_glass WHERE user_id = $1 AND case_id = $2 AND expires_at > $3",
    )
    .bind(user_id)
    .bind(case_id)
    .bind(time_text(state.clock.now()))
    .fetch_one(&mut *conn)
    .await?)
}

/// The board of a case (id and name); 404 when there is no such case.
pub async fn case_board(state: &AppState, case_id: &str) -> Result<(String, String), AppError> {
    sqlx::query_as("SELECT b.id, b.name FROM cases c JOIN boards b ON b.id = c.board_id WHERE c.id = $1")
        .bind(case_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)
}

pub(crate) async fn refuse(
    state: &AppState,
    session: &Session,
    case_id: Option<&str>,
    detail: &str,
) -> Result<(), AppError> {
    audit::record(
        &state.db,
        &Event { case_id, ..Event::new(&session.actor(), "access.denied", Outcome::Denied).detail(detail) },
    )
    .await?;
    Ok(())
}

/// The role may do `action` (AC-1) and the case is within the user's boards, or the user is a
/// reviewer reading, or a running break-glass access covers a read (AC-3; the request's audit
/// rows are flagged from here on). Otherwise 403 (audited): `break_glass_required` where the
/// user may break the glass for a read, `forbidden` else; 404 when there is no such case.
pub async fn require_case(state: &AppState, session: &Session, action: Action, case_id: &str) -> Result<(), AppError> {
    require_role_for_case(state, session, action, Some(case_id)).await?;
    // The case's board and whether the user belongs to it, in one query.
    let (board_name, member): (String, i64) = sqlx::query_as(
        "SELECT b.name, (SELECT COUNT(*) FROM board_members m WHERE m.board_id = b.id AND m.user_id = $2) \
         FROM cases c JOIN boards b ON b.id = c.board_id WHERE c.id = $1",
    )
    .bind(case_id)
    .bind(&session.me.id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    decide_case(state, session, action, case_id, &board_name, member > 0).await
}

/// The role part of [`require_case`] and [`require_patient`], before anything is read: 403
/// (audited, naming the case if there is one) unless the role may do `action`. An
/// administrator may not read cases, but may break the glass to read one: the board rule
/// decides that.
pub(crate) async fn require_role_for_case(
    state: &AppState,
    session: &Session,
    action: Action,
    case_id: Option<&str>,
) -> Result<(), AppError> {
    if !(action == Action::ReadCases && crate::domain::role::can(session.me.role, Action::BreakGlass)) {
        auth::require(state, session, action, case_id).await?;
    }
    Ok(())
}

/// The board part of [`require_case`], once the case's board and the user's membership are
/// known (read by the caller, possibly with the case itself in the same query: issue 17).
pub(crate) async fn decide_case(
    state: &AppState,
    session: &Session,
    action: Action,
    case_id: &str,
    board_name: &str,
    member: bool,
) -> Result<(), AppError> {
    let glass = glass_matters(session.me.role, action, member) && glass_running(state, &session.me.id, case_id).await?;
    match case_verdict(session, action, board_name, member, glass) {
        Ok(()) => Ok(()),
        Err(refusal) => Err(refused(state, session, case_id, refusal).await),
    }
}

/// A refusal decided by [`case_verdict`], not yet audited.
pub(crate) struct Refusal {
    board_name: String,
    glass_offered: bool,
}

/// The decision of [`decide_case`] once whether a break-glass access covers the case is known
/// (`glass`, looked up by the caller where [`glass_matters`] says it does): a read under
/// break-glass flags the request's audit rows from here on; a refusal is returned to be
/// audited by [`refused`], which the caller calls holding no pooled connection (the audit
/// writer needs one).
pub(crate) fn case_verdict(
    session: &Session,
    action: Action,
    board_name: &str,
    member: bool,
    glass: bool,
) -> Result<(), Refusal> {
    match case_access(session.me.role, action, member, glass) {
        CaseAccess::Member | CaseAccess::AllBoards => Ok(()),
        CaseAccess::BreakGlass => {
            session.break_glass.store(true, Ordering::Relaxed);
            Ok(())
        }
        CaseAccess::NeedsBreakGlass => Err(Refusal { board_name: board_name.to_string(), glass_offered: true }),
        CaseAccess::Refused => Err(Refusal { board_name: board_name.to_string(), glass_offered: false }),
    }
}

/// Audits a refusal (AC-2) and returns the error to answer with: `break_glass_required` where
/// the user may break the glass, `forbidden` else.
pub(crate) async fn refused(state: &AppState, session: &Session, case_id: &str, refusal: Refusal) -> AppError {
    let (detail, error) = if refusal.glass_offered {
        (
            "case outside the user's boards; break-glass offered",
            AppError::BreakGlassRequired { board: refusal.board_name },
        )
    } else {
        ("case outside the user's boards", AppError::other_board())
    };
    match refuse(state, session, Some(case_id), detail).await {
        Ok(()) => error,
        Err(e) => e,
    }
}

/// The role may do `action` and the meeting's board is one of the user's (reviewers read every
/// board's meetings). Returns the meeting's board id; 404 when there is no such meeting.
pub async fn require_meeting(
    state: &AppState,
    session: &Session,
    action: Action,
    meeting_id: &str,
) -> Result<String, AppError> {
    auth::require(state, session, action, None).await?;
    let board_id: String = sqlx::query_scalar("SELECT board_id FROM meetings WHERE id = $1")
        .bind(meeting_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let member = is_member(state, &board_id, &session.me.id).await?;
    if case_access(session.me.role, action, member, false).allowed() {
        return Ok(board_id);
    }
    refuse(state, session, None, &format!("meeting {meeting_id} outside the user's boards")).await?;
    Err(AppError::other_board())
}

/// The role may do `action` in `board_id` (create a case or a meeting there): a member only.
pub async fn require_board(
    state: &AppState,
    session: &Session,
    action: Action,
    board_id: &str,
) -> Result<(), AppError> {
    auth::require(state, session, action, None).await?;
    if is_member(state, board_id, &session.me.id).await? {
        return Ok(());
    }
    refuse(state, session, None, &format!("board {board_id}: not a member")).await?;
    Err(AppError::other_board())
}

/// The board a new case or meeting goes to: the one named (the user must be a member), or the
/// user's only board. A user of several boards must name one (422 on `board_id`).
pub async fn board_for_new(
    state: &AppState,
    session: &Session,
    action: Action,
    named: Option<&str>,
) -> Result<String, AppError> {
    auth::require(state, session, action, None).await?;
    match named.map(str::trim).filter(|b| !b.is_empty()) {
        Some(board_id) => {
            let exists: Option<String> = sqlx::query_scalar("SELECT id FROM boards WHERE id = $1")
                .bind(board_id)
                .fetch_optional(&state.db.pool)
                .await?;
            if exists.is_none() {
                return Err(AppError::field("board_id", "There is no such board."));
            }
            require_board(state, session, action, board_id).await?;
            Ok(board_id.to_string())
        }
        None => match boards_of(state, &session.me.id).await?.as_slice() {
            [only] => Ok(only.clone()),
            [] => {
                refuse(state, session, None, "member of no board").await?;
                Err(AppError::Forbidden {
                    message: "You are not a member of any board yet. Ask an administrator to add you to one.".into(),
                })
            }
            _ => Err(AppError::field("board_id", "Choose the board this is for: you are a member of several.")),
        },
    }
}

/// A patient's record is reached through their cases: read when any of their cases may be
/// read (a member, a reviewer, or a running break-glass access), changed by members only.
pub async fn require_patient(
    state: &AppState,
    session: &Session,
    action: Action,
    patient_id: &str,
) -> Result<(), AppError> {
    require_role_for_case(state, session, action, None).await?;
    let cases: Vec<(String, String)> = sqlx::query_as("SELECT id, board_id FROM cases WHERE patient_id = $1")
        .bind(patient_id)
        .fetch_all(&state.db.pool)
        .await?;
    if cases.is_empty() {
        return Err(AppError::NotFound);
    }
    let mut glass = false;
    for (case_id, board_id) in &cases {
        let member = is_member(state, board_id, &session.me.id).await?;
        let running =
            glass_matters(session.me.role, action, member) && glass_running(state, &session.me.id, case_id).await?;
        match case_access(session.me.role, action, member, running) {
            CaseAccess::Member | CaseAccess::AllBoards => return Ok(()),
            CaseAccess::BreakGlass => glass = true,
            CaseAccess::NeedsBreakGlass | CaseAccess::Refused => {}
        }
    }
    if glass {
        session.break_glass.store(true, Ordering::Relaxed);
        return Ok(());
    }
    refuse(state, session, None, &format!("patient {patient_id}: no case within the user's boards")).await?;
    Err(AppError::other_board())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_boards_include_what_they_name() {
        assert!(Visible::All.includes("x"));
        let v = Visible::Boards(vec!["a".into(), "b".into()]);
        assert!(v.includes("b") && !v.includes("c"));
        assert_eq!((Visible::All.all(), v.all()), (1, 0));
    }
}
