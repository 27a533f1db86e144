//! Boards and their members (administrators), the boards a user belongs to, and break-glass
//! (AC-3): emergency access to one case outside one's boards, for a bounded time, with the
//! reason; administrators and reviewers review the list. Every change is audited in its
//! transaction.

use super::audit::{self, Event, Outcome};
use super::auth::{self, Session};
use super::db::{from_json, unique_violation_as};
use super::{AppState, access, new_id, now_text, time_text};
use crate::domain::board::{
    Board, BoardChange, BoardInput, BoardMember, BoardRef, BreakGlassAccess, BreakGlassGrant, ExpectedChange, name_key,
};
use crate::domain::role::{Action, Role, Specialty};
use crate::error::AppError;

#[derive(sqlx::FromRow)]
struct BoardRow {
    id: String,
    name: String,
    description: String,
    expected_specialties: String,
    created_at: String,
    case_count: i64,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    board_id: String,
    user_id: String,
    username: String,
    display_name: String,
    #[sqlx(try_from = "String")]
    role: Role,
    specialty: Option<String>,
}

/// A board with its number of cases: a literal, so that every query built on it with `concat!` is
/// one static SQL text.
macro_rules! select_board {
    () => {
        "SELECT b.id, b.name, b.description, b.expected_specialties, b.created_at, \
             (SELECT COUNT(*) FROM cases c WHERE c.board_id = b.id) AS case_count FROM boards b"
    };
}

/// Boards with their members: `ids` None for every board.
async fn read(state: &AppState, ids: Option<&[String]>) -> Result<Vec<Board>, AppError> {
    let rows: Vec<BoardRow> =
        sqlx::query_as(concat!(select_board!(), " ORDER BY b.name_key")).fetch_all(&state.db.pool).await?;
    let members: Vec<MemberRow> = sqlx::query_as(
        "SELECT m.board_id, u.id AS user_id, u.username, u.display_name, u.role, u.specialty \
         FROM board_members m JOIN users u ON u.id = m.user_id ORDER BY u.display_name",
    )
    .fetch_all(&state.db.pool)
    .await?;
    rows.into_iter()
        .filter(|r| ids.is_none_or(|ids| ids.contains(&r.id)))
        .map(|r| {
            Ok(Board {
                expected_specialties: from_json(&r.expected_specialties, "board's expected specialties")?,
                members: members
                    .iter()
                    .filter(|m| m.board_id == r.id)
                    .map(|m| BoardMember {
                        user_id: m.user_id.clone(),
                        username: m.username.clone(),
                        display_name: m.display_name.clone(),
                        role: m.role,
                        specialty: m.specialty.as_deref().and_then(|s| Specialty::parse(s).ok()),
                    })
                    .collect(),
                id: r.id,
                name: r.name,
                description: r.description,
                case_count: r.case_count,
                created_at: r.created_at,
            })
        })
        .collect()
}

async fn one(state: &AppState, id: &str) -> Result<Board, AppError> {
    read(state, Some(&[id.to_string()])).await?.pop().ok_or(AppError::NotFound)
}

/// The boards a user may see: administrators and reviewers every board, others their own.
pub async fn list(state: &AppState, session: &Session) -> Result<Vec<Board>, AppError> {
    if session.may(Action::ManageBoards) || session.me.role == Role::Reviewer {
        return read(state, None).await;
    }
    let mine = access::boards_of(state, &session.me.id).await?;
    read(state, Some(&mine)).await
}

/// Every board's name, with whether the user belongs to it: the choices for a filter, for
/// creating a case or a meeting (one's own boards) and for referring a case (any board).
/// Board names are not clinical data; members are listed only by `list`.
pub async fn choices(state: &AppState, session: &Session) -> Result<Vec<BoardRef>, AppError> {
    choices_on(&mut *state.db.acquire().await?, session).await
}

/// [`choices`] on `conn` (the case page's read transaction).
pub(crate) async fn choices_on(conn: &mut sqlx::AnyConnection, session: &Session) -> Result<Vec<BoardRef>, AppError> {
    let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
        "SELECT b.id, b.name, (SELECT COUNT(*) FROM board_members m WHERE m.board_id = b.id AND m.user_id = $1), \
         b.expected_specialties FROM boards b ORDER BY b.name_key",
    )
    .bind(&session.me.id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, name, member, expected)| {
            let expected_specialties = from_json(&expected, "board's expected specialties")?;
            Ok(BoardRef { id, name, member: member > 0, expected_specialties })
        })
        .collect()
}

fn taken() -> AppError {
    AppError::field("name", "A board with this name exists already.")
}

/// Creates a board (administrators).
pub async fn create(state: &AppState, session: &Session, input: &BoardInput) -> Result<Board, AppError> {
    auth::require(state, session, Action::ManageBoards, None).await?;
    let b = input.parse()?;
    let id = new_id();
    let specialties: Vec<&str> = b.expected_specialties.iter().map(|s| s.code()).collect();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO boards (id, name, name_key, description, expected_specialties, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&b.name)
    .bind(name_key(&b.name))
    .bind(&b.description)
    .bind(serde_json::to_string(&specialties).unwrap_or_default())
    .bind(now_text())
    .bind(&session.me.id)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_violation_as(e, taken))?;
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), "board.create", Outcome::Success).target(&id),
    )
    .await?;
    tx.commit().await?;
    one(state, &id).await
}

/// A board made by the command line (the demo), with the core specialties expected.
pub(crate) async fn insert_board(state: &AppState, name: &str, description: &str) -> Result<String, AppError> {
    let id = new_id();
    let specialties: Vec<&str> = Specialty::CORE.iter().map(|s| s.code()).collect();
    sqlx::query(
        "INSERT INTO boards (id, name, name_key, description, expected_specialties, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(&id)
    .bind(name)
    .bind(name_key(name))
    .bind(description)
    .bind(serde_json::to_string(&specialties).unwrap_or_default())
    .bind(now_text())
    .execute(&state.db.pool)
    .await
    .map_err(|e| unique_violation_as(e, taken))?;
    audit::record(&state.db, &Event::new(&super::users::cli_actor(), "board.create", Outcome::Success).target(&id))
        .await?;
    Ok(id)
}

/// Renames a board or changes its description or expected specialties (administrators): only
/// the fields the change carries are written, each by its own statement, so a rename sent from
/// a page read before someone changed the specialties does not put the old ones back. The
/// audit row names the fields changed; a change with none writes nothing.
pub async fn update(state: &AppState, session: &Session, id: &str, change: &BoardChange) -> Result<Board, AppError> {
    auth::require(state, session, Action::ManageBoards, None).await?;
    let c = change.parse()?;
    let mut changed = Vec::new();
    let mut tx = state.db.begin_write().await?;
    if let Some(name) = &c.name {
        let done = sqlx::query("UPDATE boards SET name = $1, name_key = $2 WHERE id = $3")
            .bind(name)
            .bind(name_key(name))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| unique_violation_as(e, taken))?;
        changed.push(("name", done.rows_affected()));
    }
    if let Some(description) = &c.description {
        let done = sqlx::query("UPDATE boards SET description = $1 WHERE id = $2")
            .bind(description)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        changed.push(("description", done.rows_affected()));
    }
    if let Some(specialties) = &c.expected_specialties {
        changed.push(("expected_specialties", set_expected(&mut tx, id, specialties).await?));
    }
    if changed.iter().any(|(_, rows)| *rows == 0) {
        return Err(AppError::NotFound);
    }
    if !changed.is_empty() {
        let fields = changed.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", ");
        let actor = session.actor();
        let event = Event::new(&actor, "board.update", Outcome::Success).target(id).detail(&fields);
        audit::append(&mut tx, state.db.engine, &event).await?;
        tx.commit().await?;
    }
    one(state, id).await
}

/// Ticks and unticks the voices a board expects (administrators; the administration page):
/// the change is applied to the list as stored when it is written, under the board row's lock,
/// so two administrators changing different specialties, or the page and the REST API, keep
/// each other's change. A change that leaves the list as it was writes and records nothing.
pub async fn change_expected(
    state: &AppState,
    session: &Session,
    id: &str,
    change: &ExpectedChange,
) -> Result<Board, AppError> {
    auth::require(state, session, Action::ManageBoards, None).await?;
    let mut tx = state.db.begin_write().await?;
    // Locks the row until the commit on PostgreSQL (SQLite's write lock is already held), so
    // the list read next is the one this change replaces.
    let found = sqlx::query("UPDATE boards SET expected_specialties = expected_specialties WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if found.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let stored: String = sqlx::query_scalar("SELECT expected_specialties FROM boards WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let stored: Vec<Specialty> = from_json(&stored, "board's expected specialties")?;
    let list = change.apply(&stored)?;
    if list != stored {
        set_expected(&mut tx, id, &list).await?;
        let codes: Vec<&str> = list.iter().map(|s| s.code()).collect();
        let detail = format!("expected_specialties: {}", codes.join(", "));
        let actor = session.actor();
        let event = Event::new(&actor, "board.update", Outcome::Success).target(id).detail(&detail);
        audit::append(&mut tx, state.db.engine, &event).await?;
        tx.commit().await?;
    }
    one(state, id).await
}

/// Writes a board's expected specialties (stored as their codes); the rows changed (0: no such
/// board).
async fn set_expected(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    specialties: &[Specialty],
) -> Result<u64, AppError> {
    let codes: Vec<&str> = specialties.iter().map(|s| s.code()).collect();
    let done = sqlx::query("UPDATE boards SET expected_specialties = $1 WHERE id = $2")
        .bind(serde_json::to_string(&codes).unwrap_or_default())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// Adds a member inside the caller's transaction (once: a second add changes nothing).
pub(crate) async fn join(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    board_id: &str,
    user_id: &str,
    added_by: Option<&str>,
) -> Result<bool, AppError> {
    let added = sqlx::query(
        "INSERT INTO board_members (board_id, user_id, added_at, added_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (board_id, user_id) DO NOTHING",
    )
    .bind(board_id)
    .bind(user_id)
    .bind(now_text())
    .bind(added_by)
    .execute(&mut **tx)
    .await?;
    Ok(added.rows_affected() > 0)
}

/// The boards a new user joins: those named (each must exist), or, when none is named, the
/// installation's only board if it has just one (so a small hospital never sees boards).
pub(crate) async fn boards_for_new_user(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    named: &[String],
) -> Result<Vec<String>, AppError> {
    let all: Vec<String> = sqlx::query_scalar("SELECT id FROM boards").fetch_all(&mut **tx).await?;
    if named.is_empty() {
        return Ok(if all.len() == 1 { all } else { Vec::new() });
    }
    let mut out = Vec::new();
    for b in named {
        if !all.contains(b) {
            return Err(AppError::field("boards", "There is no such board."));
        }
        if !out.contains(b) {
            out.push(b.clone());
        }
    }
    Ok(out)
}

/// The board ids for board names (the command line's `--board NAME`); an unknown name is an
/// error naming it.
pub async fn ids_for_names(state: &AppState, names: &[String]) -> Result<Vec<String>, AppError> {
    let mut ids = Vec::new();
    for name in names {
        let id: Option<String> = sqlx::query_scalar("SELECT id FROM boards WHERE name_key = $1")
            .bind(name_key(name))
            .fetch_optional(&state.db.pool)
            .await?;
        ids.push(id.ok_or_else(|| AppError::field("boards", format!("There is no board named {name:?}.")))?);
    }
    Ok(ids)
}

/// Adds a user to a board (administrators).
pub async fn add_member(state: &AppState, session: &Session, board_id: &str, user_id: &str) -> Result<Board, AppError> {
    auth::require(state, session, Action::ManageBoards, None).await?;
    one(state, board_id).await?;
    let user: Option<String> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = $1").bind(user_id).fetch_optional(&state.db.pool).await?;
    if user.is_none() {
        return Err(AppError::field("user_id", "There is no such user."));
    }
    let mut tx = state.db.begin_write().await?;
    let added = join(&mut tx, board_id, user_id, Some(&session.me.id)).await?;
    let actor = session.actor();
    let detail = if added { user_id.to_string() } else { format!("{user_id} (already a member)") };
    let event = Event::new(&actor, "board.member.add", Outcome::Success).target(board_id).detail(&detail);
    audit::append(&mut tx, state.db.engine, &event).await?;
    tx.commit().await?;
    one(state, board_id).await
}

/// Removes a user from a board (administrators). Their running break-glass accesses are not
/// touched; their access to the board's cases ends with this request.
pub async fn remove_member(
    state: &AppState,
    session: &Session,
    board_id: &str,
    user_id: &str,
) -> Result<Board, AppError> {
    auth::require(state, session, Action::ManageBoards, None).await?;
    one(state, board_id).await?;
    let mut tx = state.db.begin_write().await?;
    let removed = sqlx::query("DELETE FROM board_members WHERE board_id = $1 AND user_id = $2")
        .bind(board_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), "board.member.remove", Outcome::Success).target(board_id).detail(user_id),
    )
    .await?;
    tx.commit().await?;
    one(state, board_id).await
}

/// Breaks the glass (AC-3): `session`'s user may read `case_id`, outside their boards, until the
/// configured time has passed. The reason is required; the grant and its audit row (flagged)
/// are one transaction. A member of the case's board needs none (409).
pub async fn break_glass(
    state: &AppState,
    session: &Session,
    case_id: &str,
    input: &crate::domain::board::BreakGlassInput,
) -> Result<BreakGlassGrant, AppError> {
    auth::require(state, session, Action::BreakGlass, Some(case_id)).await?;
    let (board_id, _) = access::case_board(state, case_id).await?;
    let reason = input.parse()?;
    let reads_as_member = crate::domain::role::can(session.me.role, Action::ReadCases);
    if reads_as_member && access::boards_of(state, &session.me.id).await?.contains(&board_id) {
        return Err(AppError::conflict("You are a member of this case's board: open it as usual."));
    }
    let now = state.clock.now();
    let grant = BreakGlassGrant {
        id: new_id(),
        case_id: case_id.to_string(),
        granted_at: time_text(now),
        expires_at: time_text(now + chrono::Duration::seconds(state.config.break_glass_secs)),
    };
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO break_glass (id, user_id, case_id, reason, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&grant.id)
    .bind(&session.me.id)
    .bind(case_id)
    .bind(&reason)
    .bind(&grant.granted_at)
    .bind(&grant.expires_at)
    .execute(&mut *tx)
    .await?;
    let mut actor = session.actor();
    actor.break_glass = true;
    let detail = format!("emergency access until {}", grant.expires_at);
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&actor, "case.break_glass", Outcome::Success).case(case_id).target(&grant.id).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(grant)
}

#[derive(sqlx::FromRow)]
struct AccessRow {
    id: String,
    user_id: String,
    username: String,
    display_name: String,
    case_id: String,
    board_name: String,
    reason: String,
    granted_at: String,
    expires_at: String,
    reads: i64,
}

/// Every break-glass access, newest first, with the reads made under it (administrators and
/// reviewers review them; the list is itself audited).
pub async fn accesses(state: &AppState, session: &Session) -> Result<Vec<BreakGlassAccess>, AppError> {
    auth::require(state, session, Action::ReadAudit, None).await?;
    let rows: Vec<AccessRow> = sqlx::query_as(
        "SELECT g.id, g.user_id, u.username, u.display_name, g.case_id, b.name AS board_name, g.reason, g.granted_at, g.expires_at, \
         (SELECT COUNT(*) FROM audit_log a WHERE a.break_glass = 1 AND a.user_id = g.user_id AND a.case_id = g.case_id \
            AND a.at >= g.granted_at AND a.at <= g.expires_at AND a.action <> 'case.break_glass') AS reads \
         FROM break_glass g JOIN users u ON u.id = g.user_id JOIN cases c ON c.id = g.case_id JOIN boards b ON b.id = c.board_id \
         ORDER BY g.granted_at DESC LIMIT 500",
    )
    .fetch_all(&state.db.pool)
    .await?;
    let list: Vec<BreakGlassAccess> = rows
        .into_iter()
        .map(|r| BreakGlassAccess {
            id: r.id,
            user_id: r.user_id,
            username: r.username,
            display_name: r.display_name,
            case_id: r.case_id,
            board_name: r.board_name,
            reason: r.reason,
            granted_at: r.granted_at,
            expires_at: r.expires_at,
            reads: r.reads,
        })
        .collect();
    let ids: Vec<String> = list.iter().map(|a| a.case_id.clone()).collect();
    let detail = format!("{} break-glass accesses listed", list.len());
    audit::record(
        &state.db,
        &Event::new(&session.actor(), "break_glass.list", Outcome::Success).detail(&detail).cases(&ids),
    )
    .await?;
    Ok(list)
}
