//! Before and after the meeting (issue 18): the specialties' voices a case still lacks and the
//! coordinators' requests for them, the case pipeline, and each role's "my work". The domain
//! (`domain::work`) decides; this module reads the rows of the boards a user may see, and audits.

use std::collections::HashMap;

use super::access::{self, Visible};
use super::audit::{self, Event, Outcome};
use super::auth::Session;
use super::cases::{exists as case_exists, meeting_ref};
use super::db::from_json;
use super::{AppState, events, new_id, now_text};
use crate::domain::annotation::AnnotationKind;
use crate::domain::case::{CaseInput, MeetingRef};
use crate::domain::codes::{CaseStatus, PrimarySite};
use crate::domain::events::CaseEventKind;
use crate::domain::role::{Action, Role, Specialty};
use crate::domain::work::{
    AgendaReadiness, GlassItem, MyWork, PipelineCard, PipelineQuery, VoiceFact, VoiceRequest, VoiceRequestInput,
    VoiceStatus, WorkItem, awaited, days_between, voices, waits_for,
};
use crate::error::AppError;

/// Which cases to read: every case of the boards a user may see, or one case (whose access the
/// caller checked). Each has its own condition, so every query can use its
/// index (one `OR` over all three made SQLite scan every version and note: a meeting-day bench
/// caught it).
enum Scope<'a> {
    /// `open`: only cases not yet followed up (the work a coordinator or a clinician can still
    /// be asked for; followed-up cases, most of a board's history, need no reading).
    Boards {
        all: i64,
        user: &'a str,
        open: bool,
    },
    One(&'a str),
}

/// The cases of the boards a user may see (`$1` = every board, `$2` = the user).
macro_rules! on_boards {
    () => {
        on_visible_boards!("c.board_id", "$1", "$2")
    };
}

impl<'a> Scope<'a> {
    fn visible(session: &'a Session, visible: &Visible) -> Self {
        Scope::Boards { all: visible.all(), user: &session.me.id, open: false }
    }

    fn open(session: &'a Session, visible: &Visible) -> Self {
        Scope::Boards { all: visible.all(), user: &session.me.id, open: true }
    }

    fn one(case_id: &'a str) -> Self {
        Scope::One(case_id)
    }
}

/// A query on the cases of `$scope`: its condition on the case `c` between `$before` and
/// `$after` (literals, or macros that give one), and its parameters bound, chosen in one match
/// so that the text and the parameters cannot disagree. One static SQL text for each kind of
/// scope.
macro_rules! scoped_query {
    ($scope:expr, $before:expr, $after:expr) => {
        match $scope {
            Scope::Boards { open: false, all, user } => {
                sqlx::query_as(concat!($before, on_boards!(), $after)).bind(*all).bind(*user)
            }
            Scope::Boards { open: true, all, user } => {
                sqlx::query_as(concat!($before, on_boards!(), " AND c.status <> 'followed_up'", $after))
                    .bind(*all)
                    .bind(*user)
            }
            Scope::One(id) => sqlx::query_as(concat!($before, "c.id = $1", $after)).bind(*id),
        }
    };
}

#[derive(sqlx::FromRow)]
struct OpenRow {
    id: String,
    version: i64,
    #[sqlx(try_from = "String")]
    status: CaseStatus,
    summary: String,
    content: String,
    primary_site: Option<String>,
    board_id: String,
    board_name: String,
    mrn: String,
    name: String,
    updated_at: String,
    meeting_id: Option<String>,
    meeting_title: Option<String>,
    meeting_starts_at: Option<String>,
    plan_version: Option<i64>,
    signed_at: Option<String>,
}

/// What this module knows of one case.
struct Facts {
    row: OpenRow,
    meeting: Option<MeetingRef>,
    missing: Vec<String>,
    since: String,
    voices: Vec<VoiceStatus>,
}

impl Facts {
    fn item(&self, detail: String, since: &str) -> WorkItem {
        WorkItem {
            case_id: self.row.id.clone(),
            patient_name: self.row.name.clone(),
            mrn: self.row.mrn.clone(),
            summary: self.row.summary.clone(),
            detail,
            since: since.to_string(),
            meeting: self.meeting.clone(),
        }
    }
}

/// Every case in `scope` with its meeting, what it lacks, since when it stands where it stands
/// and its voices. Not audited (the callers are).
async fn load(state: &AppState, scope: &Scope<'_>) -> Result<Vec<Facts>, AppError> {
    let rows: Vec<OpenRow> = scoped_query!(
        scope,
        concat!(
            "SELECT c.id, c.version, c.status, c.summary, c.content, c.primary_site, c.board_id, b.name AS board_name, \
             p.mrn, p.name, c.updated_at, am.id AS meeting_id, am.title AS meeting_title, am.starts_at AS meeting_starts_at, \
             pl.version AS plan_version, pl.signed_at \
             FROM cases c JOIN patients p ON p.id = c.patient_id JOIN boards b ON b.id = c.board_id \
             LEFT JOIN plans pl ON pl.case_id = c.id ",
            agenda_meeting_join!(),
            " WHERE "
        ),
        " ORDER BY c.updated_at DESC LIMIT 2000"
    )
    .fetch_all(&state.db.pool)
    .await?;
    // Since when each case stands where it stands: the first of its latest run of versions in
    // its current status.
    let versions: Vec<(String, String, String)> = scoped_query!(
        scope,
        "SELECT v.case_id, v.status, v.at FROM case_versions v JOIN cases c ON c.id = v.case_id WHERE ",
        " ORDER BY v.case_id, v.version"
    )
    .fetch_all(&state.db.pool)
    .await?;
    let mut since: HashMap<String, (String, String)> = HashMap::new();
    for (case, status, at) in versions {
        match since.get_mut(&case) {
            Some((s, _)) if *s == status => {}
            _ => {
                since.insert(case, (status, at));
            }
        }
    }
    // One row per case, specialty and kind: a voice stands or not, however many notes say it.
    let notes: Vec<(String, String, String)> = scoped_query!(
        scope,
        "SELECT DISTINCT a.case_id, a.specialty, v.kind FROM annotations a \
         JOIN annotation_versions v ON v.annotation_id = a.id AND v.version = a.version \
         JOIN cases c ON c.id = a.case_id WHERE a.withdrawn = 0 AND ",
        ""
    )
    .fetch_all(&state.db.pool)
    .await?;
    let mut facts: HashMap<String, Vec<VoiceFact>> = HashMap::new();
    for (case, specialty, kind) in notes {
        if let (Ok(specialty), Ok(kind)) = (Specialty::parse(&specialty), AnnotationKind::parse(&kind)) {
            facts.entry(case).or_default().push(VoiceFact { specialty, kind, withdrawn: false });
        }
    }
    let asked: Vec<(String, String, String, String, String)> = scoped_query!(
        scope,
        "SELECT r.case_id, r.specialty, r.note, r.asked_at, u.display_name FROM voice_requests r \
         JOIN users u ON u.id = r.asked_by JOIN cases c ON c.id = r.case_id WHERE ",
        " ORDER BY r.asked_at"
    )
    .fetch_all(&state.db.pool)
    .await?;
    let mut requests: HashMap<String, Vec<VoiceRequest>> = HashMap::new();
    for (case, specialty, note, asked_at, name) in asked {
        if let Ok(specialty) = Specialty::parse(&specialty) {
            requests.entry(case).or_default().push(VoiceRequest { specialty, asked_by_name: name, asked_at, note });
        }
    }
    let boards: Vec<(String, String)> =
        sqlx::query_as("SELECT id, expected_specialties FROM boards").fetch_all(&state.db.pool).await?;
    let mut expected: HashMap<String, Vec<Specialty>> = HashMap::new();
    for (id, list) in boards {
        expected.insert(id, from_json(&list, "board's expected specialties")?);
    }
    let today = state.today();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let content: CaseInput = from_json(&row.content, "case content")?;
        let missing = match content.parse(today) {
            Ok(c) => c.missing_for_board().into_iter().map(|m| m.1).collect(),
            Err(_) => vec!["valid fields (the case has invalid ones)".to_string()],
        };
        let voices = voices(
            expected.get(&row.board_id).map(Vec::as_slice).unwrap_or(&Specialty::CORE[..]),
            facts.get(&row.id).map(Vec::as_slice).unwrap_or(&[]),
            requests.get(&row.id).map(Vec::as_slice).unwrap_or(&[]),
        );
        let since = since.remove(&row.id).map(|(_, at)| at).unwrap_or_else(|| row.updated_at.clone());
        out.push(Facts {
            meeting: meeting_ref(row.meeting_id.clone(), row.meeting_title.clone(), row.meeting_starts_at.clone()),
            missing,
            since,
            voices,
            row,
        });
    }
    Ok(out)
}

/// A case's voices (part of the case page's answer; the caller checked access and audits).
pub(crate) async fn case_voices(state: &AppState, case_id: &str) -> Result<Vec<VoiceStatus>, AppError> {
    Ok(load(state, &Scope::one(case_id)).await?.pop().map(|f| f.voices).unwrap_or_default())
}

/// The voices each of `cases`, the cases of a meeting's agenda, still waits for (part of the
/// meeting's answer; the caller read the agenda, checked access and audits).
pub(crate) async fn awaited_on_agenda(
    state: &AppState,
    meeting_id: &str,
    cases: &[&str],
) -> Result<HashMap<String, Vec<Specialty>>, AppError> {
    // Only what voices need (the board's expected specialties, the standing notes and the
    // requests of the agenda's cases): the agenda is read on every follower's refresh. One row
    // per case, specialty and kind: a busy case's hundred notes are not all shipped.
    let expected: Option<String> = sqlx::query_scalar(
        "SELECT b.expected_specialties FROM boards b JOIN meetings m ON m.board_id = b.id WHERE m.id = $1",
    )
    .bind(meeting_id)
    .fetch_optional(&state.db.pool)
    .await?;
    let expected: Vec<Specialty> = match expected {
        Some(list) => from_json(&list, "board's expected specialties")?,
        None => return Ok(HashMap::new()),
    };
    let notes: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT DISTINCT a.case_id, a.specialty, v.kind FROM annotations a \
         JOIN annotation_versions v ON v.annotation_id = a.id AND v.version = a.version \
         WHERE a.withdrawn = 0 AND a.case_id IN (SELECT ai.case_id FROM agenda_items ai WHERE ai.meeting_id = $1)",
    )
    .bind(meeting_id)
    .fetch_all(&state.db.pool)
    .await?;
    let asked: Vec<(String, String)> = sqlx::query_as(
        "SELECT r.case_id, r.specialty FROM voice_requests r \
         WHERE r.case_id IN (SELECT ai.case_id FROM agenda_items ai WHERE ai.meeting_id = $1)",
    )
    .bind(meeting_id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(cases
        .iter()
        .map(|case| {
            let facts: Vec<VoiceFact> = notes
                .iter()
                .filter(|n| n.0 == *case)
                .filter_map(|(_, s, k)| {
                    Some(VoiceFact {
                        specialty: Specialty::parse(s).ok()?,
                        kind: AnnotationKind::parse(k).ok()?,
                        withdrawn: false,
                    })
                })
                .collect();
            let requests: Vec<VoiceRequest> = asked
                .iter()
                .filter(|r| r.0 == *case)
                .filter_map(|(_, s)| {
                    Some(VoiceRequest {
                        specialty: Specialty::parse(s).ok()?,
                        asked_by_name: String::new(),
                        asked_at: String::new(),
                        note: String::new(),
                    })
                })
                .collect();
            let awaited = awaited(&voices(&expected, &facts, &requests));
            (case.to_string(), awaited)
        })
        .collect())
}

/// `GET /api/v1/cases/{id}/voices`: each expected specialty's state on the case (audited read).
pub async fn voices_of(state: &AppState, session: &Session, case_id: &str) -> Result<Vec<VoiceStatus>, AppError> {
    access::require_case(state, session, Action::ReadCases, case_id).await?;
    case_exists(state, case_id).await?;
    let list = case_voices(state, case_id).await?;
    audit::record(&state.db, &Event::new(&session.actor(), "voice.list", Outcome::Success).case(case_id)).await?;
    Ok(list)
}

/// `POST /api/v1/cases/{id}/voice-requests`: a coordinator asks a specialty for its view. The
/// request, its audit row and the case's event are one transaction.
pub async fn request_voice(
    state: &AppState,
    session: &Session,
    case_id: &str,
    input: &VoiceRequestInput,
) -> Result<Vec<VoiceStatus>, AppError> {
    access::require_case(state, session, Action::ManageMeetings, case_id).await?;
    case_exists(state, case_id).await?;
    let (specialty, note) = input.parse()?;
    let status: String =
        sqlx::query_scalar("SELECT status FROM cases WHERE id = $1").bind(case_id).fetch_one(&state.db.pool).await?;
    if matches!(CaseStatus::parse(&status), Ok(CaseStatus::PlanSigned | CaseStatus::FollowedUp)) {
        return Err(AppError::field(
            "specialty",
            "The plan of this case is signed: add an addendum instead of asking.",
        ));
    }
    let id = new_id();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO voice_requests (id, case_id, specialty, note, asked_by, asked_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(specialty.code())
    .bind(&note)
    .bind(&session.me.id)
    .bind(now_text())
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), CaseEventKind::VoiceRequest.code(), Outcome::Success)
            .case(case_id)
            .target(&id)
            .detail(specialty.code()),
    )
    .await?;
    events::record(&mut tx, state.db.engine, case_id, CaseEventKind::VoiceRequest, &id).await?;
    tx.commit().await?;
    state.db.announce(case_id);
    case_voices(state, case_id).await
}

fn site_of(row: &OpenRow) -> Option<PrimarySite> {
    row.primary_site.as_deref().and_then(|s| PrimarySite::parse(s).ok())
}

/// `GET /api/v1/pipeline`: every case of the user's boards as a card (audited read).
pub async fn pipeline(
    state: &AppState,
    session: &Session,
    query: &PipelineQuery,
) -> Result<Vec<PipelineCard>, AppError> {
    super::auth::require(state, session, Action::ReadCases, None).await?;
    let filter = query.parse()?;
    let visible = access::visible_boards(state, session).await?;
    if filter.board.as_deref().is_some_and(|b| !visible.includes(b)) {
        return Err(AppError::field("board", "Choose one of your boards."));
    }
    let now = now_text();
    let cards: Vec<PipelineCard> = load(state, &Scope::visible(session, &visible))
        .await?
        .into_iter()
        .map(|f| {
            let awaited_voices = awaited(&f.voices);
            PipelineCard {
                waits_for: waits_for(
                    f.row.status,
                    f.missing.len(),
                    f.meeting.as_ref(),
                    &awaited_voices,
                    f.row.plan_version.is_some(),
                ),
                days: days_between(&f.since, &now),
                site: site_of(&f.row),
                complete: f.missing.is_empty(),
                awaited_voices,
                case_id: f.row.id,
                patient_name: f.row.name,
                mrn: f.row.mrn,
                board_id: f.row.board_id,
                board_name: f.row.board_name,
                summary: f.row.summary,
                status: f.row.status,
                since: f.since,
                meeting: f.meeting,
                version: f.row.version,
            }
        })
        .filter(|c| filter.matches(c))
        .collect();
    let ids: Vec<String> = cards.iter().map(|c| c.case_id.clone()).collect();
    audit::record_cases(&state.db, &session.actor(), "pipeline.view", &format!("{} cases", cards.len()), &ids).await?;
    Ok(cards)
}

/// Whether a stored time is in the future of `now` (both stored UTC text).
fn upcoming(m: &Option<MeetingRef>, now: &str) -> bool {
    m.as_ref().is_some_and(|m| m.starts_at.as_str() >= now)
}

/// How many things wait for the logged-in user (the navigation's count). It carries no patient
/// data, so it is not an audited read.
pub async fn my_work_count(state: &AppState, session: &Session) -> Result<usize, AppError> {
    Ok(gather(state, session).await?.count())
}

/// `GET /api/v1/me/work`: what waits for the logged-in user (audited read when it names cases).
pub async fn my_work(state: &AppState, session: &Session) -> Result<MyWork, AppError> {
    let work = gather(state, session).await?;
    let mut ids: Vec<String> = [
        &work.incomplete,
        &work.awaiting_my_voice,
        &work.questions_for_me,
        &work.awaiting_signature,
        &work.awaiting_follow_up,
        &work.decisions_to_audit,
    ]
    .iter()
    .flat_map(|l| l.iter().map(|i| i.case_id.clone()))
    .chain(work.break_glass.iter().map(|g| g.case_id.clone()))
    .collect();
    ids.sort();
    ids.dedup();
    if !ids.is_empty() {
        let detail = format!("{} cases in my work", ids.len());
        audit::record_cases(&state.db, &session.actor(), "work.view", &detail, &ids).await?;
    }
    Ok(work)
}

/// What waits for the user, by role; not audited (the callers decide).
async fn gather(state: &AppState, session: &Session) -> Result<MyWork, AppError> {
    let me = &session.me;
    let mut work = MyWork {
        role: me.role,
        specialty: me.specialty,
        next_meetings: Vec::new(),
        incomplete: Vec::new(),
        awaiting_my_voice: Vec::new(),
        questions_for_me: Vec::new(),
        awaiting_signature: Vec::new(),
        awaiting_follow_up: Vec::new(),
        decisions_to_audit: Vec::new(),
        break_glass: Vec::new(),
        users: None,
        boards: None,
    };
    let now = now_text();
    if session.may(Action::ReadCases) {
        let visible = access::visible_boards(state, session).await?;
        // Reviewers audit followed-up decisions too; the others' work ends at the follow-up.
        let scope = match me.role {
            Role::Reviewer => Scope::visible(session, &visible),
            _ => Scope::open(session, &visible),
        };
        let all = load(state, &scope).await?;
        for f in &all {
            let status = f.row.status;
            match me.role {
                Role::Coordinator => {
                    if matches!(status, CaseStatus::Draft | CaseStatus::Ready | CaseStatus::OnAgenda)
                        && !f.missing.is_empty()
                    {
                        let asked: Vec<String> = f
                            .voices
                            .iter()
                            .filter(|v| v.state.awaited())
                            .filter_map(|v| {
                                v.request.as_ref().map(|r| format!("{} asked {}", r.asked_by_name, v.specialty.label()))
                            })
                            .collect();
                        let mut detail = format!("Missing: {}", f.missing.join(", "));
                        if !asked.is_empty() {
                            detail.push_str(&format!(". {}", asked.join("; ")));
                        }
                        work.incomplete.push(f.item(detail, &f.since));
                    }
                }
                Role::Clinician => {
                    if let Some(mine) = me.specialty
                        && upcoming(&f.meeting, &now)
                        && status == CaseStatus::OnAgenda
                        && let Some(v) = f.voices.iter().find(|v| v.specialty == mine && v.state.awaited())
                    {
                        let detail = match &v.request {
                            Some(r) if r.note.is_empty() => format!("{} asked for your view", r.asked_by_name),
                            Some(r) => format!("{} asked: {}", r.asked_by_name, r.note),
                            None => format!("No {} voice yet", mine.label().to_lowercase()),
                        };
                        work.awaiting_my_voice.push(f.item(detail, &f.since));
                    }
                    if status == CaseStatus::Discussed && f.row.plan_version.is_some() {
                        work.awaiting_signature
                            .push(f.item("The recorded plan waits for a signature".into(), &f.since));
                    }
                }
                Role::Reviewer => {
                    if let Some(signed) = &f.row.signed_at {
                        work.decisions_to_audit.push(f.item("Signed plan".into(), signed));
                    }
                }
                Role::Admin => {}
            }
            if matches!(me.role, Role::Coordinator | Role::Clinician) && status == CaseStatus::PlanSigned {
                work.awaiting_follow_up.push(f.item("Was the plan carried out?".into(), &f.since));
            }
        }
        if let (Role::Clinician, Some(mine)) = (me.role, me.specialty) {
            work.questions_for_me = open_questions(state, session, &visible, mine, &all).await?;
        }
        work.decisions_to_audit.sort_by(|a, b| b.since.cmp(&a.since));
        work.decisions_to_audit.truncate(20);
        if me.role == Role::Coordinator {
            let mut next: HashMap<String, AgendaReadiness> = HashMap::new();
            for f in all.iter().filter(|f| upcoming(&f.meeting, &now)) {
                let m = f.meeting.clone().expect("upcoming has a meeting");
                let r = next.entry(m.id.clone()).or_insert(AgendaReadiness {
                    meeting: m,
                    cases: 0,
                    complete: 0,
                    awaiting_voices: 0,
                });
                r.cases += 1;
                r.complete += f.missing.is_empty() as u32;
                r.awaiting_voices += f.voices.iter().any(|v| v.state.awaited()) as u32;
            }
            let mut next: Vec<AgendaReadiness> = next.into_values().collect();
            next.sort_by(|a, b| a.meeting.starts_at.cmp(&b.meeting.starts_at));
            next.truncate(3);
            work.next_meetings = next;
        }
    }
    if matches!(me.role, Role::Reviewer | Role::Admin) {
        let since = super::time_text(state.clock.now() - chrono::Duration::days(30));
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT g.case_id, u.display_name, g.reason, g.granted_at FROM break_glass g JOIN users u ON u.id = g.user_id \
             WHERE g.granted_at >= $1 ORDER BY g.granted_at DESC LIMIT 50",
        )
        .bind(&since)
        .fetch_all(&state.db.pool)
        .await?;
        work.break_glass = rows
            .into_iter()
            .map(|(case_id, display_name, reason, granted_at)| GlassItem { case_id, display_name, reason, granted_at })
            .collect();
    }
    if me.role == Role::Admin {
        work.users =
            Some(sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE disabled = 0").fetch_one(&state.db.pool).await?);
        work.boards = Some(sqlx::query_scalar("SELECT COUNT(*) FROM boards").fetch_one(&state.db.pool).await?);
    }
    Ok(work)
}

/// Questions asked of `specialty` on the visible cases that nobody of it has answered yet (a reply
/// from that specialty closes one, as on the case page). A followed-up case is closed: its
/// unanswered questions no longer wait for anyone.
async fn open_questions(
    state: &AppState,
    session: &Session,
    visible: &Visible,
    specialty: Specialty,
    cases: &[Facts],
) -> Result<Vec<WorkItem>, AppError> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(concat!(
        "SELECT a.case_id, a.created_at, u.display_name, v.body FROM annotations a \
         JOIN annotation_versions v ON v.annotation_id = a.id AND v.version = a.version \
         JOIN users u ON u.id = a.author_id JOIN cases c ON c.id = a.case_id \
         WHERE a.asks = $3 AND a.withdrawn = 0 AND v.kind = 'question' AND c.status <> 'followed_up' \
         AND NOT EXISTS (SELECT 1 FROM annotations r WHERE r.reply_to = a.id AND r.specialty = $3) AND ",
        on_boards!(),
        " ORDER BY a.created_at",
    ))
    .bind(visible.all())
    .bind(&session.me.id)
    .bind(specialty.code())
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(case_id, at, who, body)| {
            let f = cases.iter().find(|f| f.row.id == case_id)?;
            let short: String = body.chars().take(160).collect();
            Some(f.item(format!("{who} asks: {short}"), &at))
        })
        .collect())
}

/// What the case page needs to work out its voices: the board's expected specialties and the
/// requests made (not audited: part of the page's one audited view).
pub(crate) async fn voice_inputs(
    conn: &mut sqlx::AnyConnection,
    case_id: &str,
) -> Result<(Vec<Specialty>, Vec<VoiceRequest>), AppError> {
    let expected: Option<String> = sqlx::query_scalar(
        "SELECT b.expected_specialties FROM boards b JOIN cases c ON c.board_id = b.id WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    let expected = match expected {
        Some(list) => from_json(&list, "board's expected specialties")?,
        None => Vec::new(),
    };
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT r.specialty, r.note, r.asked_at, u.display_name FROM voice_requests r JOIN users u ON u.id = r.asked_by \
         WHERE r.case_id = $1 ORDER BY r.asked_at",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let requests = rows
        .into_iter()
        .filter_map(|(specialty, note, asked_at, asked_by_name)| {
            Specialty::parse(&specialty).ok().map(|specialty| VoiceRequest { specialty, asked_by_name, asked_at, note })
        })
        .collect();
    Ok((expected, requests))
}
