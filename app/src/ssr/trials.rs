//! The centre's clinical trials (issue 21): each board's register, kept by its coordinators
//! (every change a new version, If-Match, audited), and the match of a case to the open trials
//! of its board (`domain::trial::match_case`; audited as a read of the case).

use super::access;
use super::audit::{self, Event, Outcome};
use super::auth::Session;
use super::db::from_json;
use super::{AppState, new_id, now_text};
use crate::domain::case::CaseInput;
use crate::domain::role::Action;
use crate::domain::trial::{EligibilityInput, Trial, TrialInput, TrialMatch, TrialStatus, match_case};
use crate::error::AppError;

/// A trial with its board and who changed it last: a literal, so that every query built on it with
/// `concat!` is one static SQL text.
macro_rules! select_trial {
    () => {
        "SELECT t.id, t.board_id, b.name AS board_name, t.title, t.acronym, t.registry_id, t.phase, \
             t.status, t.contact, t.eligibility, t.other_criteria, t.version, t.updated_at, u.display_name AS updated_by_name \
             FROM trials t JOIN boards b ON b.id = t.board_id JOIN users u ON u.id = t.updated_by"
    };
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    board_id: String,
    board_name: String,
    title: String,
    acronym: String,
    registry_id: String,
    phase: String,
    status: String,
    contact: String,
    eligibility: String,
    other_criteria: String,
    version: i64,
    updated_at: String,
    updated_by_name: String,
}

impl TryFrom<Row> for Trial {
    type Error = AppError;

    fn try_from(r: Row) -> Result<Trial, AppError> {
        use crate::domain::trial::{TrialPhase, TrialStatus};
        Ok(Trial {
            phase: TrialPhase::parse(&r.phase).map_err(|_| AppError::internal("stored trial phase"))?,
            status: TrialStatus::parse(&r.status).map_err(|_| AppError::internal("stored trial status"))?,
            eligibility: from_json::<EligibilityInput>(&r.eligibility, "trial eligibility")?,
            id: r.id,
            board_id: r.board_id,
            board_name: r.board_name,
            title: r.title,
            acronym: r.acronym,
            registry_id: r.registry_id,
            contact: r.contact,
            other_criteria: r.other_criteria,
            version: r.version,
            updated_at: r.updated_at,
            updated_by_name: r.updated_by_name,
        })
    }
}

async fn load(state: &AppState, id: &str) -> Result<Trial, AppError> {
    load_in(&mut *state.db.acquire().await?, id).await
}

/// The trial as `conn` sees it: a change reads back what it wrote before its commit, so its
/// answer names its own version, not a later one committed in between.
async fn load_in(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Trial, AppError> {
    let row: Row = sqlx::query_as(concat!(select_trial!(), " WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    row.try_into()
}

/// The trials of the user's boards (reviewers: every board), open ones first.
pub async fn list(state: &AppState, session: &Session) -> Result<Vec<Trial>, AppError> {
    super::auth::require(state, session, Action::ReadCases, None).await?;
    let rows: Vec<Row> = sqlx::query_as(concat!(
        select_trial!(),
        " WHERE ",
        on_visible_boards!("t.board_id", "$1", "$2"),
        " ORDER BY CASE t.status WHEN 'open' THEN 0 WHEN 'suspended' THEN 1 ELSE 2 END, t.acronym"
    ))
    .bind(access::sees_every_board(session) as i64)
    .bind(&session.me.id)
    .fetch_all(&state.db.pool)
    .await?;
    let trials = rows.into_iter().map(Trial::try_from).collect::<Result<Vec<_>, _>>()?;
    audit::record(&state.db, &Event::new(&session.actor(), "trial.list", Outcome::Success)).await?;
    Ok(trials)
}

/// The stored form of a trial's content (for its versions).
fn content_json(input: &TrialInput, checked: &crate::domain::trial::CheckedTrial) -> Result<String, AppError> {
    let mut stored = input.clone();
    stored.board_id = None;
    stored.title = checked.title.clone();
    stored.acronym = checked.acronym.clone();
    stored.registry_id = checked.registry_id.clone();
    serde_json::to_string(&stored).map_err(|_| AppError::internal("serialise a trial"))
}

fn duplicate(e: sqlx::Error) -> AppError {
    super::db::unique_violation_as(e, || {
        AppError::field("registry_id", "This board's register already lists a trial with this registry id.")
    })
}

/// Adds a trial to a board's register (coordinators of that board).
pub async fn create(state: &AppState, session: &Session, input: &TrialInput) -> Result<Trial, AppError> {
    let board = access::board_for_new(state, session, Action::ManageTrials, input.board_id.as_deref()).await?;
    let checked = input.parse()?;
    let id = new_id();
    let now = now_text();
    let content = content_json(input, &checked)?;
    let mut tx = state.db.begin_write().await?;
    bind_fields(
        sqlx::query(
            "INSERT INTO trials (title, acronym, registry_id, phase, status, contact, eligibility, other_criteria, \
             id, board_id, version, created_at, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11, $12)",
        ),
        &checked,
        input,
    )?
    .bind(&id)
    .bind(&board)
    .bind(&now)
    .bind(&session.me.id)
    .execute(&mut *tx)
    .await
    .map_err(duplicate)?;
    insert_version(&mut tx, &id, 1, &now, &session.me.id, &content).await?;
    let actor = session.actor();
    let detail = format!("{} {}", checked.acronym, checked.registry_id);
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&actor, "trial.create", Outcome::Success).target(&id).detail(&detail),
    )
    .await?;
    let cases = tell_the_board(&mut tx, state, &board, &id).await?;
    tx.commit().await?;
    announce(state, &cases);
    load(state, &id).await
}

/// Tells everyone viewing a case of the board that its trials' match may have changed: a
/// `trial.register` event on each case not yet followed up (those have nothing left to decide),
/// inside the register change's transaction. Returns the cases to announce after commit.
async fn tell_the_board(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    state: &AppState,
    board: &str,
    trial_id: &str,
) -> Result<Vec<String>, AppError> {
    let cases: Vec<String> = sqlx::query_scalar("SELECT id FROM cases WHERE board_id = $1 AND status <> $2")
        .bind(board)
        .bind(crate::domain::codes::CaseStatus::FollowedUp.code())
        .fetch_all(&mut **tx)
        .await?;
    for case in &cases {
        super::events::record(tx, state.db.engine, case, crate::domain::events::CaseEventKind::TrialRegister, trial_id)
            .await?;
    }
    Ok(cases)
}

fn announce(state: &AppState, cases: &[String]) {
    for case in cases {
        state.db.announce(case);
    }
}

/// Binds a trial's fields as `$1`–`$8` (title … other criteria), for the insert and the update.
fn bind_fields<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    c: &'q crate::domain::trial::CheckedTrial,
    input: &TrialInput,
) -> Result<sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>, AppError> {
    let eligibility =
        serde_json::to_string(&input.eligibility).map_err(|_| AppError::internal("serialise eligibility"))?;
    Ok(q.bind(&c.title)
        .bind(&c.acronym)
        .bind(&c.registry_id)
        .bind(c.phase.code())
        .bind(c.status.code())
        .bind(&c.contact)
        .bind(eligibility)
        .bind(&c.other_criteria))
}

async fn insert_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    version: i64,
    at: &str,
    author: &str,
    content: &str,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO trial_versions (trial_id, version, at, author_id, content) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(version)
        .bind(at)
        .bind(author)
        .bind(content)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Changes a trial (a JSON merge patch over what is stored; `expected` is the version read).
pub async fn patch(
    state: &AppState,
    session: &Session,
    id: &str,
    expected: i64,
    patch: &serde_json::Value,
) -> Result<Trial, AppError> {
    let current = load(state, id).await?;
    access::require_board(state, session, Action::ManageTrials, &current.board_id).await?;
    if !patch.is_object() {
        return Err(AppError::bad_request("The body must be a JSON object."));
    }
    if patch.get("board_id").is_some() {
        return Err(AppError::field("board_id", "A trial stays on its board: add it to the other board's register."));
    }
    let mut merged = serde_json::to_value(TrialInput {
        title: current.title.clone(),
        acronym: current.acronym.clone(),
        registry_id: current.registry_id.clone(),
        phase: current.phase.code().into(),
        status: current.status.code().into(),
        contact: current.contact.clone(),
        eligibility: current.eligibility.clone(),
        other_criteria: current.other_criteria.clone(),
        board_id: None,
    })
    .map_err(|_| AppError::internal("serialise a trial"))?;
    crate::domain::case::merge_patch(&mut merged, patch);
    let input: TrialInput = serde_json::from_value(merged)
        .map_err(|e| AppError::bad_request(format!("The trial's fields could not be read: {e}")))?;
    let checked = input.parse()?;
    let now = now_text();
    let content = content_json(&input, &checked)?;
    let mut tx = state.db.begin_write().await?;
    let done = bind_fields(
        sqlx::query(
            "UPDATE trials SET title = $1, acronym = $2, registry_id = $3, phase = $4, status = $5, contact = $6, \
             eligibility = $7, other_criteria = $8, version = version + 1, updated_at = $9, updated_by = $10 \
             WHERE id = $11 AND version = $12",
        ),
        &checked,
        &input,
    )?
    .bind(&now)
    .bind(&session.me.id)
    .bind(id)
    .bind(expected)
    .execute(&mut *tx)
    .await
    .map_err(duplicate)?;
    if done.rows_affected() == 0 {
        return Err(AppError::PreconditionFailed { current: current.version });
    }
    insert_version(&mut tx, id, expected + 1, &now, &session.me.id, &content).await?;
    let actor = session.actor();
    let detail = format!("{} version {}", checked.acronym, expected + 1);
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&actor, "trial.update", Outcome::Success).target(id).detail(&detail),
    )
    .await?;
    let cases = tell_the_board(&mut tx, state, &current.board_id, id).await?;
    let changed = load_in(&mut tx, id).await?;
    tx.commit().await?;
    announce(state, &cases);
    Ok(changed)
}

/// The open trials of the case's board matched to the case as recorded now (audited as a read
/// of the case: `trial.match`).
pub async fn for_case(state: &AppState, session: &Session, case_id: &str) -> Result<Vec<TrialMatch>, AppError> {
    access::require_case(state, session, Action::ReadCases, case_id).await?;
    let matches = load_for_case(state, case_id).await?;
    audit::record(&state.db, &Event::new(&session.actor(), "trial.match", Outcome::Success).case(case_id)).await?;
    Ok(matches)
}

/// The match, not audited (the caller records the read).
async fn load_for_case(state: &AppState, case_id: &str) -> Result<Vec<TrialMatch>, AppError> {
    let (board, content): (String, String) = sqlx::query_as("SELECT board_id, content FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let content: CaseInput = from_json(&content, "case content")?;
    match_on_board(&mut *state.db.acquire().await?, state.today(), &board, &content).await
}

/// The open trials of `board` matched to a case's content already read (the case page's parts
/// pass the case they loaded). Not audited: the caller records the read.
pub(crate) async fn match_on_board(
    conn: &mut sqlx::AnyConnection,
    today: chrono::NaiveDate,
    board: &str,
    content: &CaseInput,
) -> Result<Vec<TrialMatch>, AppError> {
    // A draft may hold invalid fields: then nothing is matched on it (every trial unknown).
    let tumor = content.parse(today).ok().map(|c| c.tumor);
    let rows: Vec<Row> =
        sqlx::query_as(concat!(select_trial!(), " WHERE t.board_id = $1 AND t.status = $2 ORDER BY t.acronym"))
            .bind(board)
            .bind(TrialStatus::Open.code())
            .fetch_all(&mut *conn)
            .await?;
    let mut out = Vec::new();
    for row in rows {
        let trial = Trial::try_from(row)?;
        let mut errors = crate::domain::error::FieldErrorsBuilder::new();
        let eligibility = trial.eligibility.parse(&mut errors);
        let (verdict, mut reasons) = match &tumor {
            Some(t) => match_case(&eligibility, t),
            None => (
                crate::domain::trial::MatchVerdict::Unknown,
                vec!["The case has invalid fields: correct them to match trials.".to_string()],
            ),
        };
        if !trial.other_criteria.trim().is_empty() {
            reasons.push("Also to check by a person: the trial's other criteria.".into());
        }
        out.push(TrialMatch {
            trial_id: trial.id,
            acronym: trial.acronym,
            title: trial.title,
            registry_id: trial.registry_id,
            verdict,
            reasons,
            other_criteria: trial.other_criteria,
            contact: trial.contact,
        });
    }
    // Eligible first, then unknown, then not eligible.
    out.sort_by_key(|m| match m.verdict {
        crate::domain::trial::MatchVerdict::Eligible => 0,
        crate::domain::trial::MatchVerdict::Unknown => 1,
        crate::domain::trial::MatchVerdict::NotEligible => 2,
    });
    Ok(out)
}
