//! After the meeting (issue 18): the signed decisions of the boards a user may see, and the
//! board's figures. The domain (`domain::review`) decides what each decision is and counts; this
//! module reads the rows under the same need-to-know condition as the case list, and audits.

use std::collections::HashMap;

use super::AppState;
use super::access;
use super::audit;
use super::auth::{self, Session};
use super::db::from_json;
use crate::domain::case::{CaseInput, MeetingRef, stage_group};
use crate::domain::plan::{OutcomeRecord, PlanContent};
use crate::domain::review::{Decision, DecisionFacts, DecisionFilter, DecisionQuery, Figures, MeetingFacts, Person};
use crate::domain::role::{Action, Specialty};
use crate::domain::tumor::Tumor;
use crate::error::AppError;

#[derive(sqlx::FromRow)]
struct SignedRow {
    case_id: String,
    mrn: String,
    name: String,
    board_id: String,
    board_name: String,
    created_at: String,
    signed_at: String,
    signed_by: String,
    signer_name: String,
    content: String,
    outcome: Option<String>,
    current: String,
}

/// The checked filter, with the board checked against the boards the user may see.
async fn checked(
    state: &AppState,
    session: &Session,
    query: &DecisionQuery,
) -> Result<(DecisionFilter, access::Visible), AppError> {
    auth::require(state, session, Action::ReadCases, None).await?;
    let filter = query.parse()?.on(state.config.zone.clone());
    let visible = access::visible_boards(state, session).await?;
    if let Some(b) = &filter.board
        && !visible.includes(b)
    {
        return Err(AppError::field("board", "Choose one of your boards."));
    }
    Ok((filter, visible))
}

/// The meetings of the visible boards (or of `board`), each with the specialties marked present.
async fn meetings(
    state: &AppState,
    session: &Session,
    visible: &access::Visible,
    board: Option<&str>,
) -> Result<Vec<(MeetingRef, Vec<Specialty>)>, AppError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(concat!(
        // A cancelled meeting was not held: it counts in no figure.
        "SELECT m.id, m.title, m.starts_at FROM meetings m WHERE m.cancelled_at IS NULL AND ($1 IS NULL OR m.board_id = $1) AND ",
        on_visible_boards!("m.board_id", "$2", "$3"),
        " ORDER BY m.starts_at, m.id",
    ))
    .bind(board)
    .bind(visible.all())
    .bind(&session.me.id)
    .fetch_all(&state.db.pool)
    .await?;
    let present: Vec<(String, Option<String>)> = sqlx::query_as(concat!(
        "SELECT t.meeting_id, u.specialty FROM attendance t JOIN users u ON u.id = t.user_id \
         JOIN meetings m ON m.id = t.meeting_id \
         WHERE ($1 IS NULL OR m.board_id = $1) AND ",
        on_visible_boards!("m.board_id", "$2", "$3"),
    ))
    .bind(board)
    .bind(visible.all())
    .bind(&session.me.id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut by_meeting: HashMap<String, Vec<Specialty>> = HashMap::new();
    for (m, s) in present {
        let entry = by_meeting.entry(m).or_default();
        if let Some(s) = s.and_then(|s| Specialty::parse(&s).ok())
            && !entry.contains(&s)
        {
            entry.push(s);
        }
    }
    Ok(rows
        .into_iter()
        .map(|(id, title, starts_at)| {
            let present = by_meeting.remove(&id).unwrap_or_default();
            (MeetingRef { id, title, starts_at }, present)
        })
        .collect())
}

/// Every signed plan the filter selects, newest first; not audited (the callers are).
async fn load(
    state: &AppState,
    session: &Session,
    filter: &DecisionFilter,
    visible: &access::Visible,
    meetings: &[(MeetingRef, Vec<Specialty>)],
) -> Result<Vec<Decision>, AppError> {
    let rows: Vec<SignedRow> = sqlx::query_as(concat!(
        "SELECT c.id AS case_id, pt.mrn, pt.name, c.board_id, b.name AS board_name, c.created_at, \
         p.signed_at, p.signed_by, COALESCE(u.display_name, '') AS signer_name, p.content, p.outcome, \
         c.content AS current \
         FROM plans p JOIN cases c ON c.id = p.case_id JOIN patients pt ON pt.id = c.patient_id \
         JOIN boards b ON b.id = c.board_id LEFT JOIN users u ON u.id = p.signed_by \
         WHERE p.signed_at IS NOT NULL AND ($1 IS NULL OR c.board_id = $1) AND ",
        on_visible_boards!("c.board_id", "$2", "$3"),
        " ORDER BY p.signed_at DESC, c.id",
    ))
    .bind(filter.board.as_deref())
    .bind(visible.all())
    .bind(&session.me.id)
    .fetch_all(&state.db.pool)
    .await?;
    let by_id: HashMap<&str, &(MeetingRef, Vec<Specialty>)> = meetings.iter().map(|m| (m.0.id.as_str(), m)).collect();
    let mut out = Vec::new();
    for r in rows {
        // The period first: it needs no further reading.
        if !filter.in_period(&r.signed_at) {
            continue;
        }
        let content: PlanContent = from_json(&r.content, "plan")?;
        // The case as it was decided on (DI-7); the current case when the plan predates that.
        let then: Option<String> = match content.case_version {
            Some(v) => {
                sqlx::query_scalar("SELECT content FROM case_versions WHERE case_id = $1 AND version = $2")
                    .bind(&r.case_id)
                    .bind(v)
                    .fetch_optional(&state.db.pool)
                    .await?
            }
            None => None,
        };
        let case: CaseInput = from_json(then.as_deref().unwrap_or(&r.current), "case content")?;
        let tumor = Tumor::parse(&case.tumor).ok();
        let outcome: Option<OutcomeRecord> = match &r.outcome {
            Some(json) => Some(from_json(json, "outcome")?),
            None => None,
        };
        let meeting = content.meeting_id.as_deref().and_then(|m| by_id.get(m));
        let decision = Decision::from_facts(DecisionFacts {
            case_id: r.case_id,
            mrn: r.mrn,
            patient_name: r.name,
            board_id: r.board_id,
            board_name: r.board_name,
            referred_at: r.created_at,
            signed_at: r.signed_at,
            signer: Person { id: r.signed_by, name: r.signer_name },
            meeting: meeting.map(|m| m.0.clone()),
            options: content.options.clone(),
            proposal: content.proposal.clone(),
            deviation_reason: content.deviation_reason.clone(),
            trial_discussed: content.trial_discussed,
            trials: content.trials.clone(),
            site: tumor.as_ref().and_then(|t| t.primary_site),
            stage: tumor.as_ref().and_then(stage_group),
            prior_treatments: tumor
                .as_ref()
                .map(|t| t.prior_treatments.len())
                .unwrap_or(case.tumor.prior_treatments.len()),
            outcome,
            present: meeting.map(|m| m.1.clone()),
        });
        if filter.matches(&decision) {
            out.push(decision);
        }
    }
    Ok(out)
}

/// `GET /api/v1/decisions`: the signed plans of the user's boards that match (audited read).
pub async fn decisions(state: &AppState, session: &Session, query: &DecisionQuery) -> Result<Vec<Decision>, AppError> {
    let (filter, visible) = checked(state, session, query).await?;
    let meetings = meetings(state, session, &visible, filter.board.as_deref()).await?;
    let list = load(state, session, &filter, &visible, &meetings).await?;
    let ids: Vec<String> = list.iter().map(|d| d.case_id.clone()).collect();
    audit::record_cases(
        &state.db,
        &session.actor(),
        "decision.list",
        &format!("{} decisions listed", list.len()),
        &ids,
    )
    .await?;
    Ok(list)
}

/// `GET /api/v1/figures`: the board's figures for the period (audited read: the deviation
/// reasons name cases).
pub async fn figures(state: &AppState, session: &Session, query: &DecisionQuery) -> Result<Figures, AppError> {
    let (filter, visible) = checked(state, session, query).await?;
    let all_meetings = meetings(state, session, &visible, filter.board.as_deref()).await?;
    let decisions = load(state, session, &filter, &visible, &all_meetings).await?;
    // Held: a meeting still to come (a weekly series is scheduled a year ahead) is no meeting
    // of the figures yet; today's counts (the figures go by day, the hospital's).
    let today = state.today();
    let in_period: Vec<&(MeetingRef, Vec<Specialty>)> = all_meetings
        .iter()
        .filter(|(m, _)| filter.in_period(&m.starts_at) && filter.day_of(&m.starts_at).is_some_and(|d| d <= today))
        .collect();
    let agenda: Vec<(String, String, Option<String>)> = sqlx::query_as(concat!(
        "SELECT a.meeting_id, a.case_id, c.primary_site FROM agenda_items a JOIN cases c ON c.id = a.case_id \
         JOIN meetings m ON m.id = a.meeting_id \
         WHERE ($1 IS NULL OR m.board_id = $1) AND ",
        on_visible_boards!("m.board_id", "$2", "$3"),
        " ORDER BY a.position",
    ))
    .bind(filter.board.as_deref())
    .bind(visible.all())
    .bind(&session.me.id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut cases: HashMap<String, Vec<(String, Option<crate::domain::codes::PrimarySite>)>> = HashMap::new();
    for (m, c, site) in agenda {
        cases.entry(m).or_default().push((c, site.and_then(|s| crate::domain::codes::PrimarySite::parse(&s).ok())));
    }
    let facts: Vec<MeetingFacts> = in_period
        .into_iter()
        .map(|(m, present)| MeetingFacts {
            id: m.id.clone(),
            title: m.title.clone(),
            starts_at: m.starts_at.clone(),
            cases: cases.remove(&m.id).unwrap_or_default(),
            present: present.clone(),
        })
        .collect();
    let result = crate::domain::review::figures(&filter, &decisions, &facts);
    let ids: Vec<String> = decisions.iter().map(|d| d.case_id.clone()).collect();
    let detail = format!("figures over {} signed plans and {} meetings", result.plans_signed, result.meetings);
    audit::record_cases(&state.db, &session.actor(), "figures.view", &detail, &ids).await?;
    Ok(result)
}

/// Who signed the plans of the boards the user may see (the decision list's signer filter):
/// names only, no patient data, so not an audited read.
pub async fn signers(state: &AppState, session: &Session) -> Result<Vec<Person>, AppError> {
    auth::require(state, session, Action::ReadCases, None).await?;
    // The condition reads the memberships itself: they need not be read first.
    let rows: Vec<(String, String)> = sqlx::query_as(concat!(
        "SELECT DISTINCT u.id, u.display_name FROM plans p JOIN cases c ON c.id = p.case_id \
         JOIN users u ON u.id = p.signed_by WHERE p.signed_at IS NOT NULL AND ",
        on_visible_boards!("c.board_id", "$1", "$2"),
        " ORDER BY u.display_name",
    ))
    .bind(access::sees_every_board(session) as i64)
    .bind(&session.me.id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows.into_iter().map(|(id, name)| Person { id, name }).collect())
}
