//! The board's plan: record (versions, If-Match once it exists), sign (password re-entered,
//! SHA-256 of the canonical content, then locked: changes are a 409 and a database trigger
//! refuses them too), addenda and the follow-up outcome. Every write is audited in its
//! transaction and announced to the case's viewers.

use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use super::access;
use super::audit::{self, Event, Outcome as AuditOutcome};
use super::auth::{self, Session};
use super::cases::exists as case_exists;
use super::db::from_json;
use super::{AppState, events, new_id, now_text};
use crate::domain::case::{CaseInput, field_changes};
use crate::domain::events::CaseEventKind;
use crate::domain::plan::{
    Addendum, DecidedOn, Dissent, Outcome, OutcomeInput, Plan, PlanContent, PlanInput, PlanMeeting, Signature,
};
use crate::domain::proposer::Proposal;
use crate::domain::role::Action;
use crate::domain::text::{self, Shape};
use crate::domain::workflow::WorkflowEvent;
use crate::error::AppError;

async fn name_of(state: &AppState, user_id: &str) -> Result<String, AppError> {
    let name: Option<String> = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(name.unwrap_or_else(|| "(unknown user)".into()))
}

/// A plan row with the names of its signer and of whoever recorded the outcome.
#[derive(sqlx::FromRow)]
struct PlanRow {
    version: i64,
    content: String,
    signed_by: Option<String>,
    signed_at: Option<String>,
    content_sha256: Option<String>,
    outcome: Option<String>,
    outcome_at: Option<String>,
    signer_name: Option<String>,
    outcome_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AddendumRow {
    id: String,
    body: String,
    at: String,
    display_name: String,
}

/// A case's plan, if recorded; not audited (the caller records the read).
pub(crate) async fn load(state: &AppState, case_id: &str) -> Result<Option<Plan>, AppError> {
    load_in(&mut *state.db.acquire().await?, case_id).await
}

/// The plan as `conn` sees it: a change reads back what it wrote inside its own transaction,
/// before the commit, so its answer names its own version and not a later one that another
/// writer committed in between (a client that took that version for its own would overwrite a
/// change it never saw: server/tests/lost_update.rs).
pub(crate) async fn load_in(conn: &mut AnyConnection, case_id: &str) -> Result<Option<Plan>, AppError> {
    let row: Option<PlanRow> = sqlx::query_as(
        "SELECT p.version, p.content, p.signed_by, p.signed_at, p.content_sha256, p.outcome, p.outcome_at, \
         s.display_name AS signer_name, o.display_name AS outcome_name \
         FROM plans p LEFT JOIN users s ON s.id = p.signed_by LEFT JOIN users o ON o.id = p.outcome_by WHERE p.case_id = $1",
    )
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let content: PlanContent = from_json(&row.content, "plan")?;
    let signature = row.signed_at.map(|signed_at| Signature {
        signer_id: row.signed_by.unwrap_or_default(),
        signer_name: row.signer_name.unwrap_or_default(),
        signed_at,
        content_sha256: row.content_sha256.unwrap_or_default(),
    });
    let outcome = match row.outcome {
        Some(json) => Some(Outcome {
            record: from_json(&json, "outcome")?,
            recorded_by_name: row.outcome_name.unwrap_or_default(),
            recorded_at: row.outcome_at.unwrap_or_default(),
        }),
        None => None,
    };
    let addenda: Vec<AddendumRow> = sqlx::query_as(
        "SELECT a.id, a.body, a.at, u.display_name FROM plan_addenda a JOIN users u ON u.id = a.author_id \
         WHERE a.case_id = $1 ORDER BY a.at, a.id",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let addenda = addenda
        .into_iter()
        .map(|r| Addendum { id: r.id, body: r.body, author_name: r.display_name, at: r.at })
        .collect();
    let decided_on = match content.case_version {
        Some(v) => decided_on(conn, case_id, v).await?,
        None => None,
    };
    let meeting = match &content.meeting_id {
        Some(m) => plan_meeting(conn, m).await?,
        None => None,
    };
    Ok(Some(Plan {
        case_id: case_id.to_string(),
        version: row.version,
        content,
        signature,
        addenda,
        outcome,
        decided_on,
        meeting,
    }))
}

/// The meeting a plan names, with who was marked present (issue 16, item 6).
async fn plan_meeting(conn: &mut AnyConnection, meeting_id: &str) -> Result<Option<PlanMeeting>, AppError> {
    let Some(m) = super::meetings::reference(conn, meeting_id).await? else { return Ok(None) };
    let present: Vec<String> = sqlx::query_scalar(
        "SELECT u.display_name FROM attendance t JOIN users u ON u.id = t.user_id WHERE t.meeting_id = $1 \
         ORDER BY u.specialty, u.display_name",
    )
    .bind(meeting_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(PlanMeeting { id: m.id, title: m.title, starts_at: m.starts_at, present }))
}

/// The case version a plan was decided on and what changed in the case since (DI-7).
async fn decided_on(conn: &mut AnyConnection, case_id: &str, version: i64) -> Result<Option<DecidedOn>, AppError> {
    let then: Option<String> =
        sqlx::query_scalar("SELECT content FROM case_versions WHERE case_id = $1 AND version = $2")
            .bind(case_id)
            .bind(version)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(then) = then else { return Ok(None) };
    let (current_version, now): (i64, String) =
        sqlx::query_as("SELECT version, content FROM cases WHERE id = $1").bind(case_id).fetch_one(&mut *conn).await?;
    let then: CaseInput = from_json(&then, "case version")?;
    let now: CaseInput = from_json(&now, "case content")?;
    Ok(Some(DecidedOn {
        case_version: version,
        changed_since: field_changes(&then, &now),
        content: then,
        current_version,
    }))
}

/// The case's plan, if one is recorded (audited read). 404 for an unknown case.
pub async fn get(state: &AppState, session: &Session, case_id: &str) -> Result<Option<Plan>, AppError> {
    access::require_case(state, session, Action::ReadCases, case_id).await?;
    case_exists(state, case_id).await?;
    let plan = load(state, case_id).await?;
    audit::record(&state.db, &Event::new(&session.actor(), "plan.read", AuditOutcome::Success).case(case_id)).await?;
    Ok(plan)
}

/// Records the plan, or its next version. Once a plan exists the caller names the version it
/// saw (`expected`: 428 without, 412 when stale); a signed plan is locked (409).
pub async fn save(
    state: &AppState,
    session: &Session,
    case_id: &str,
    expected: Option<i64>,
    input: &PlanInput,
) -> Result<Plan, AppError> {
    access::require_case(state, session, Action::RecordPlan, case_id).await?;
    case_exists(state, case_id).await?;
    let current = load(state, case_id).await?;
    if let Some(plan) = &current {
        if plan.signature.is_some() {
            return Err(AppError::conflict(
                "The plan is signed and locked. Add an addendum for corrections or new information.",
            ));
        }
        match expected {
            None => return Err(AppError::PreconditionRequired),
            Some(v) if v != plan.version => return Err(AppError::PreconditionFailed { current: plan.version }),
            _ => {}
        }
    }
    // The proposal the board sees now is stored with the plan.
    let stored: Option<String> =
        sqlx::query_scalar("SELECT proposal FROM proposals WHERE case_id = $1 ORDER BY case_version DESC LIMIT 1")
            .bind(case_id)
            .fetch_optional(&state.db.pool)
            .await?;
    let Some(stored) = stored else {
        return Err(AppError::conflict("The case has no proposal yet: complete its tumour data first."));
    };
    let proposal: Proposal = from_json(&stored, "proposal")?;
    let checked = input.parse(&proposal)?;
    let mut dissent = Vec::new();
    for d in &checked.dissent {
        let found: Option<String> = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
            .bind(&d.user_id)
            .fetch_optional(&state.db.pool)
            .await?;
        match found {
            Some(name) => dissent.push(Dissent { user_id: d.user_id.clone(), name, note: d.note.clone() }),
            None => return Err(AppError::field("dissent", "A dissent names a user who does not exist.")),
        }
    }
    // Each discussed trial is one of the register of the case's board (its name kept as it is now).
    // Only an open trial can be newly offered: a suspended or closed one enrols nobody (an offer
    // the plan already recorded while the trial was open is kept through an edit).
    let mut trials = Vec::new();
    for t in &checked.trials {
        let found: Option<(String, String, String)> = sqlx::query_as(
            "SELECT t.acronym, t.registry_id, t.status FROM trials t JOIN cases c ON c.board_id = t.board_id \
             WHERE t.id = $1 AND c.id = $2",
        )
        .bind(&t.trial_id)
        .bind(case_id)
        .fetch_optional(&state.db.pool)
        .await?;
        let Some((acronym, registry_id, status)) = found else {
            return Err(AppError::field("trials", "Name trials of this board's register."));
        };
        let offered_before =
            current.as_ref().is_some_and(|p| p.content.trials.iter().any(|x| x.trial_id == t.trial_id && x.offered));
        if t.offered && status != crate::domain::trial::TrialStatus::Open.code() && !offered_before {
            return Err(AppError::field(
                "trials",
                format!("{acronym} is {status}: it cannot be offered; record it as discussed, not offered."),
            ));
        }
        trials.push(crate::domain::plan::PlanTrial {
            trial_id: t.trial_id.clone(),
            acronym,
            registry_id,
            offered: t.offered,
            note: t.note.clone(),
        });
    }
    let version = current.as_ref().map(|p| p.version + 1).unwrap_or(1);
    let now = now_text();
    let case_version: i64 =
        sqlx::query_scalar("SELECT version FROM cases WHERE id = $1").bind(case_id).fetch_one(&state.db.pool).await?;
    let content = PlanContent {
        case_id: case_id.to_string(),
        version,
        meeting_id: checked.meeting_id,
        options: checked.options,
        rationale: checked.rationale,
        dissent,
        deviation_reason: checked.deviation_reason,
        trial_discussed: checked.trial_discussed,
        proposal,
        recorded_by: session.me.id.clone(),
        recorded_by_name: session.me.display_name.clone(),
        recorded_at: now.clone(),
        case_version: Some(case_version),
        trials,
    };
    let json = serde_json::to_string(&content).map_err(|_| AppError::internal("plan does not serialise"))?;
    let mut tx = state.db.begin_write().await?;
    // The meeting named is locked and read in the plan's transaction, so a cancellation of it
    // running beside this save either comes first (and the plan is refused) or sees the plan.
    if let Some(m) = &content.meeting_id {
        super::meetings::lock_open(&mut tx, m).await.map_err(|e| match e {
            AppError::NotFound => AppError::field("meeting_id", "There is no such meeting."),
            AppError::Conflict { .. } => AppError::field("meeting_id", super::meetings::CANCELLED),
            e => e,
        })?;
    }
    let written = if version == 1 {
        sqlx::query(
            "INSERT INTO plans (case_id, version, content, recorded_by, recorded_at) VALUES ($1, 1, $2, $3, $4)",
        )
        .bind(case_id)
        .bind(&json)
        .bind(&session.me.id)
        .bind(&now)
        .execute(&mut *tx)
        .await
    } else {
        sqlx::query(
            "UPDATE plans SET version = $1, content = $2, recorded_by = $3, recorded_at = $4 WHERE case_id = $5 AND version = $6 AND signed_at IS NULL",
        )
        .bind(version)
        .bind(&json)
        .bind(&session.me.id)
        .bind(&now)
        .bind(case_id)
        .bind(version - 1)
        .execute(&mut *tx)
        .await
    };
    match written {
        Ok(r) if r.rows_affected() == 1 => {}
        // Someone else saved or signed between our read and this write.
        Ok(_) => return Err(AppError::PreconditionFailed { current: version }),
        // Two first saves at once: the primary key decides, the second is stale.
        Err(e) => return Err(super::db::unique_violation_as(e, || AppError::PreconditionFailed { current: 1 })),
    }
    sqlx::query("INSERT INTO plan_versions (case_id, version, content, author_id, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(case_id)
        .bind(version)
        .bind(&json)
        .bind(&session.me.id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    // The case's row before the audit log's lock, as every change of a case takes them (the
    // other order deadlocked on PostgreSQL with a removal from the agenda sent at once).
    super::cases::transition(&mut tx, state.db.engine, session, case_id, WorkflowEvent::PlanRecorded).await?;
    let actor = session.actor();
    let detail = format!("version {version}");
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&actor, CaseEventKind::PlanSave.code(), AuditOutcome::Success).case(case_id).detail(&detail),
    )
    .await?;
    events::record(&mut tx, state.db.engine, case_id, CaseEventKind::PlanSave, case_id).await?;
    let plan = load_in(&mut tx, case_id).await?.ok_or_else(|| AppError::internal("plan vanished after saving"))?;
    tx.commit().await?;
    state.db.announce(case_id);
    Ok(plan)
}

/// Signs the plan version the signer read (DI-7): `expected` names it (a changed plan is 412);
/// the clinician re-enters their password (SE-4, throttled like a login); the signature records
/// the signer, the time and the SHA-256 of the stored canonical content (which names the case
/// version decided on) and locks the plan (DI-2).
pub async fn sign(
    state: &AppState,
    session: &Session,
    case_id: &str,
    expected: i64,
    password: String,
) -> Result<Plan, AppError> {
    access::require_case(state, session, Action::SignPlan, case_id).await?;
    case_exists(state, case_id).await?;
    let plan = load(state, case_id).await?.ok_or_else(|| AppError::conflict("There is no plan to sign yet."))?;
    if plan.signature.is_some() {
        return Err(AppError::conflict("The plan is already signed."));
    }
    if plan.version != expected {
        return Err(AppError::PreconditionFailed { current: plan.version });
    }
    if password.is_empty() {
        return Err(AppError::Forbidden { message: "Signing needs your password, entered again.".into() });
    }
    match auth::reauthenticate(state, session, password).await {
        Ok(()) => {}
        Err(e @ AppError::TooManyRequests { .. }) => return Err(e),
        Err(e) if e.fields().is_some() => {
            return Err(AppError::Forbidden {
                message: "The password is not correct; the plan was not signed.".into(),
            });
        }
        Err(e) => return Err(e),
    }
    let now = now_text();
    let mut tx = state.db.begin_write().await?;
    let (version, content, signed_at): (i64, String, Option<String>) =
        sqlx::query_as("SELECT version, content, signed_at FROM plans WHERE case_id = $1")
            .bind(case_id)
            .fetch_one(&mut *tx)
            .await?;
    if signed_at.is_some() {
        return Err(AppError::conflict("The plan was signed meanwhile."));
    }
    if version != expected {
        return Err(AppError::PreconditionFailed { current: version });
    }
    // The hash covers exactly the stored text the signer's version holds.
    let sha = sha256_hex(&content);
    let signed = sqlx::query(
        "UPDATE plans SET signed_by = $1, signed_at = $2, content_sha256 = $3 WHERE case_id = $4 AND version = $5 AND signed_at IS NULL",
    )
    .bind(&session.me.id)
    .bind(&now)
    .bind(&sha)
    .bind(case_id)
    .bind(expected)
    .execute(&mut *tx)
    .await?;
    if signed.rows_affected() != 1 {
        return Err(AppError::PreconditionFailed { current: version });
    }
    // The meeting the plan names is part of the signed record from now on (`meetings::change`
    // refuses once a signed plan names it).
    if let Some(meeting) = &plan.content.meeting_id {
        super::meetings::lock(&mut tx, meeting).await?;
    }
    let actor = session.actor();
    let detail = format!("version {expected}; sha256 {sha}");
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&actor, CaseEventKind::PlanSign.code(), AuditOutcome::Success).case(case_id).detail(&detail),
    )
    .await?;
    super::cases::transition(&mut tx, state.db.engine, session, case_id, WorkflowEvent::PlanSigned).await?;
    events::record(&mut tx, state.db.engine, case_id, CaseEventKind::PlanSign, case_id).await?;
    let plan = load_in(&mut tx, case_id).await?.ok_or_else(|| AppError::internal("plan vanished after signing"))?;
    tx.commit().await?;
    state.db.announce(case_id);
    Ok(plan)
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// What `verify_signatures` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureCheck {
    AllValid {
        signed: i64,
    },
    /// The first signed plan whose stored content no longer matches its signature, and why.
    Mismatch {
        case_id: String,
        signed_at: String,
        reason: String,
    },
}

/// Recomputes every signed plan's SHA-256 from what is stored (DI-7: `tumorboard plan verify`),
/// oldest signature first, and reports the first that does not match.
pub async fn verify_signatures(db: &super::Db) -> Result<SignatureCheck, sqlx::Error> {
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query_as::<_, (String, i64, String, String, Option<String>)>(
        "SELECT case_id, version, content, signed_at, content_sha256 FROM plans WHERE signed_at IS NOT NULL ORDER BY signed_at, case_id",
    )
    .fetch(&db.pool);
    let mut signed = 0;
    while let Some((case_id, version, text, signed_at, stored_sha)) = rows.try_next().await? {
        let mismatch = |reason: &str| SignatureCheck::Mismatch {
            case_id: case_id.clone(),
            signed_at: signed_at.clone(),
            reason: reason.to_string(),
        };
        if stored_sha.as_deref() != Some(sha256_hex(&text).as_str()) {
            return Ok(mismatch("its content does not match the SHA-256 recorded at signing (changed after signing)"));
        }
        match serde_json::from_str::<PlanContent>(&text) {
            Ok(c) if c.case_id == case_id && c.version == version && c.canonical() == text => {}
            Ok(_) => return Ok(mismatch("its content names another case or version, or is not in canonical form")),
            Err(_) => return Ok(mismatch("its content is not a plan")),
        }
        signed += 1;
    }
    Ok(SignatureCheck::AllValid { signed })
}

/// Adds an addendum to a signed plan (corrections, new information).
pub async fn add_addendum(
    state: &AppState,
    session: &Session,
    case_id: &str,
    body: &str,
) -> Result<Addendum, AppError> {
    access::require_case(state, session, Action::AddAddendum, case_id).await?;
    case_exists(state, case_id).await?;
    let body = text::check(body, crate::domain::plan::MAX_TEXT, Shape::Lines, "The addendum")
        .map_err(|m| AppError::field("body", m))?;
    if body.is_empty() {
        return Err(AppError::field("body", "Write the addendum."));
    }
    let plan = load(state, case_id).await?.ok_or_else(|| AppError::conflict("There is no plan yet."))?;
    if plan.signature.is_none() {
        return Err(AppError::conflict(
            "The plan is not signed yet: change the plan itself instead of adding an addendum.",
        ));
    }
    let id = new_id();
    let now = now_text();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("INSERT INTO plan_addenda (id, case_id, body, author_id, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(case_id)
        .bind(&body)
        .bind(&session.me.id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    let actor = session.actor();
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&actor, CaseEventKind::PlanAddendum.code(), AuditOutcome::Success).case(case_id).target(&id),
    )
    .await?;
    events::record(&mut tx, state.db.engine, case_id, CaseEventKind::PlanAddendum, &id).await?;
    tx.commit().await?;
    state.db.announce(case_id);
    Ok(Addendum { id, body, author_name: name_of(state, &session.me.id).await?, at: now })
}

/// Records whether the signed plan was carried out (once; later news is an addendum).
pub async fn record_outcome(
    state: &AppState,
    session: &Session,
    case_id: &str,
    input: &OutcomeInput,
) -> Result<Plan, AppError> {
    access::require_case(state, session, Action::RecordOutcome, case_id).await?;
    case_exists(state, case_id).await?;
    let plan = load(state, case_id).await?.ok_or_else(|| AppError::conflict("There is no plan yet."))?;
    let Some(signature) = &plan.signature else {
        return Err(AppError::conflict("Sign the plan before recording whether it was carried out."));
    };
    if plan.outcome.is_some() {
        return Err(AppError::conflict("The outcome is already recorded; add an addendum for later news."));
    }
    // Not before the board decided: the meeting's day when the plan names one, else the signature's.
    let day = |t: &str| state.config.zone.day(t);
    let not_before = plan.meeting.as_ref().and_then(|m| day(&m.starts_at)).or_else(|| day(&signature.signed_at));
    let outcome = input.parse(state.today(), not_before, &plan.content.trials)?;
    let json = serde_json::to_string(&outcome).map_err(|_| AppError::internal("outcome does not serialise"))?;
    let mut tx = state.db.begin_write().await?;
    let written = sqlx::query(
        "UPDATE plans SET outcome = $1, outcome_by = $2, outcome_at = $3 WHERE case_id = $4 AND outcome IS NULL",
    )
    .bind(&json)
    .bind(&session.me.id)
    .bind(now_text())
    .bind(case_id)
    .execute(&mut *tx)
    .await?;
    if written.rows_affected() != 1 {
        return Err(AppError::conflict("The outcome is already recorded; add an addendum for later news."));
    }
    let actor = session.actor();
    let mut detail = match outcome.reason {
        _ if outcome.implemented => "implemented".to_string(),
        reason => format!("not implemented: {}", reason.map(|r| r.code()).unwrap_or_default()),
    };
    for t in &outcome.trials {
        let answer = match t.reason {
            _ if t.enrolled => "enrolled".to_string(),
            r => format!("not enrolled ({})", r.map(|r| r.code()).unwrap_or_default()),
        };
        detail.push_str(&format!("; trial {}: {answer}", t.acronym));
    }
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&actor, CaseEventKind::PlanOutcome.code(), AuditOutcome::Success).case(case_id).detail(&detail),
    )
    .await?;
    super::cases::transition(&mut tx, state.db.engine, session, case_id, WorkflowEvent::OutcomeRecorded).await?;
    events::record(&mut tx, state.db.engine, case_id, CaseEventKind::PlanOutcome, case_id).await?;
    let plan = load_in(&mut tx, case_id).await?.ok_or_else(|| AppError::internal("plan vanished"))?;
    tx.commit().await?;
    state.db.announce(case_id);
    Ok(plan)
}
