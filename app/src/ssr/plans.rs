//! The board's plan: record (versions, If-Match once it exists), sign (password re-entered,
//! SHA-256 of the canonical content, then locked: changes are a 409 and a database trigger
//! refuses them too), addenda and the follow-up outcome. Every write is audited in its
//! transaction and announced to the case's viewers.

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::audit::{self, Event, Outcome as AuditOutcome};
use super::auth::{self, Session};
use super::{AppState, events, new_id, now_text};
use crate::domain::codes::CaseStatus;
use crate::domain::plan::{Addendum, Dissent, Outcome, OutcomeInput, Plan, PlanContent, PlanInput, Signature};
use crate::domain::proposer::Proposal;
use crate::domain::role::Action;
use crate::error::AppError;

/// SHA-256 of a plan's canonical content, lowercase hex.
pub fn content_sha256(content: &PlanContent) -> String {
    Sha256::digest(content.canonical().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

async fn name_of(state: &AppState, user_id: &str) -> Result<String, AppError> {
    let name: Option<String> = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(name.unwrap_or_else(|| "(unknown user)".into()))
}

async fn load(state: &AppState, case_id: &str) -> Result<Option<Plan>, AppError> {
    let Some(row) = sqlx::query(
        "SELECT p.version, p.content, p.signed_by, p.signed_at, p.content_sha256, p.outcome, p.outcome_at, \
         s.display_name AS signer_name, o.display_name AS outcome_name \
         FROM plans p LEFT JOIN users s ON s.id = p.signed_by LEFT JOIN users o ON o.id = p.outcome_by WHERE p.case_id = $1",
    )
    .bind(case_id)
    .fetch_optional(&state.db.pool)
    .await?
    else {
        return Ok(None);
    };
    let content: PlanContent = serde_json::from_str(&row.try_get::<String, _>("content")?)
        .map_err(|_| AppError::internal("stored plan is not valid JSON"))?;
    let signature = match row.try_get::<Option<String>, _>("signed_at")? {
        Some(signed_at) => Some(Signature {
            signer_id: row.try_get::<Option<String>, _>("signed_by")?.unwrap_or_default(),
            signer_name: row.try_get::<Option<String>, _>("signer_name")?.unwrap_or_default(),
            signed_at,
            content_sha256: row.try_get::<Option<String>, _>("content_sha256")?.unwrap_or_default(),
        }),
        None => None,
    };
    let outcome = match row.try_get::<Option<String>, _>("outcome")? {
        Some(json) => {
            let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
            Some(Outcome {
                implemented: v["implemented"].as_bool().unwrap_or(false),
                reason: serde_json::from_value(v["reason"].clone()).ok().flatten(),
                date: v["date"].as_str().map(str::to_string),
                note: v["note"].as_str().unwrap_or_default().to_string(),
                recorded_by_name: row.try_get::<Option<String>, _>("outcome_name")?.unwrap_or_default(),
                recorded_at: row.try_get::<Option<String>, _>("outcome_at")?.unwrap_or_default(),
            })
        }
        None => None,
    };
    let addenda = sqlx::query(
        "SELECT a.id, a.body, a.at, u.display_name FROM plan_addenda a JOIN users u ON u.id = a.author_id WHERE a.case_id = $1 ORDER BY a.at, a.id",
    )
    .bind(case_id)
    .fetch_all(&state.db.pool)
    .await?
    .iter()
    .map(|r| Ok(Addendum { id: r.try_get("id")?, body: r.try_get("body")?, author_name: r.try_get("display_name")?, at: r.try_get("at")? }))
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(Plan {
        case_id: case_id.to_string(),
        version: row.try_get("version")?,
        content,
        signature,
        addenda,
        outcome,
    }))
}

async fn case_exists(state: &AppState, case_id: &str) -> Result<(), AppError> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM cases WHERE id = $1").bind(case_id).fetch_optional(&state.db.pool).await?;
    found.map(|_| ()).ok_or(AppError::NotFound)
}

/// The case's plan, if one is recorded (audited read). 404 for an unknown case.
pub async fn get(state: &AppState, session: &Session, case_id: &str) -> Result<Option<Plan>, AppError> {
    auth::require(state, session, Action::ReadCases, Some(case_id)).await?;
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
    auth::require(state, session, Action::RecordPlan, Some(case_id)).await?;
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
    let row = sqlx::query("SELECT proposal FROM proposals WHERE case_id = $1 ORDER BY case_version DESC LIMIT 1")
        .bind(case_id)
        .fetch_optional(&state.db.pool)
        .await?;
    let proposal: Proposal = match row {
        Some(r) => serde_json::from_str(&r.try_get::<String, _>("proposal")?)
            .map_err(|_| AppError::internal("stored proposal is not valid JSON"))?,
        None => return Err(AppError::conflict("The case has no proposal yet: complete its tumour data first.")),
    };
    let checked = input.parse(&proposal)?;
    if let Some(m) = &checked.meeting_id {
        let found: Option<String> =
            sqlx::query_scalar("SELECT id FROM meetings WHERE id = $1").bind(m).fetch_optional(&state.db.pool).await?;
        if found.is_none() {
            return Err(AppError::field("meeting_id", "There is no such meeting."));
        }
    }
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
    let version = current.as_ref().map(|p| p.version + 1).unwrap_or(1);
    let now = now_text();
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
    };
    let json = serde_json::to_string(&content).map_err(|_| AppError::internal("plan does not serialise"))?;
    let mut tx = state.db.begin_write().await?;
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
        Err(e) if version == 1 && e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
            return Err(AppError::PreconditionFailed { current: 1 });
        }
        Err(e) => return Err(e.into()),
    }
    sqlx::query("INSERT INTO plan_versions (case_id, version, content, author_id, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(case_id)
        .bind(version)
        .bind(&json)
        .bind(&session.me.id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    let actor = session.actor();
    let detail = format!("version {version}");
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&actor, "plan.save", AuditOutcome::Success).case(case_id).detail(&detail),
    )
    .await?;
    let status: String =
        sqlx::query_scalar("SELECT status FROM cases WHERE id = $1").bind(case_id).fetch_one(&mut *tx).await?;
    if matches!(CaseStatus::parse(&status), Ok(CaseStatus::Draft | CaseStatus::Ready | CaseStatus::OnAgenda)) {
        super::cases::advance_status(&mut tx, state.db.engine, session, case_id, CaseStatus::Discussed).await?;
    }
    events::record(&mut tx, state.db.engine, case_id, "plan.save", case_id).await?;
    tx.commit().await?;
    state.db.announce(case_id);
    load(state, case_id).await?.ok_or_else(|| AppError::internal("plan vanished after saving"))
}

/// Signs the plan: the clinician re-enters their password (SE-4); the signature records the
/// signer, the time and the SHA-256 of the canonical content, and locks the plan (DI-2).
pub async fn sign(state: &AppState, session: &Session, case_id: &str, password: String) -> Result<Plan, AppError> {
    auth::require(state, session, Action::SignPlan, Some(case_id)).await?;
    case_exists(state, case_id).await?;
    if password.is_empty() {
        return Err(AppError::Forbidden { message: "Signing needs your password, entered again.".into() });
    }
    if auth::reauthenticate(state, session, password).await.is_err() {
        return Err(AppError::Forbidden { message: "The password is not correct; the plan was not signed.".into() });
    }
    let plan = load(state, case_id).await?.ok_or_else(|| AppError::conflict("There is no plan to sign yet."))?;
    if plan.signature.is_some() {
        return Err(AppError::conflict("The plan is already signed."));
    }
    let sha = content_sha256(&plan.content);
    let now = now_text();
    let mut tx = state.db.begin_write().await?;
    let signed = sqlx::query(
        "UPDATE plans SET signed_by = $1, signed_at = $2, content_sha256 = $3 WHERE case_id = $4 AND version = $5 AND signed_at IS NULL",
    )
    .bind(&session.me.id)
    .bind(&now)
    .bind(&sha)
    .bind(case_id)
    .bind(plan.version)
    .execute(&mut *tx)
    .await?;
    if signed.rows_affected() != 1 {
        return Err(AppError::conflict("The plan changed or was signed meanwhile; review it and sign again."));
    }
    let actor = session.actor();
    let detail = format!("version {}; sha256 {sha}", plan.version);
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&actor, "plan.sign", AuditOutcome::Success).case(case_id).detail(&detail),
    )
    .await?;
    super::cases::advance_status(&mut tx, state.db.engine, session, case_id, CaseStatus::PlanSigned).await?;
    events::record(&mut tx, state.db.engine, case_id, "plan.sign", case_id).await?;
    tx.commit().await?;
    state.db.announce(case_id);
    load(state, case_id).await?.ok_or_else(|| AppError::internal("plan vanished after signing"))
}

/// Adds an addendum to a signed plan (corrections, new information).
pub async fn add_addendum(
    state: &AppState,
    session: &Session,
    case_id: &str,
    body: &str,
) -> Result<Addendum, AppError> {
    auth::require(state, session, Action::AddAddendum, Some(case_id)).await?;
    case_exists(state, case_id).await?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::field("body", "Write the addendum."));
    }
    if body.chars().count() > crate::domain::plan::MAX_TEXT {
        return Err(AppError::field("body", "An addendum has at most 10,000 characters."));
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
        .bind(body)
        .bind(&session.me.id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    let actor = session.actor();
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&actor, "plan.addendum", AuditOutcome::Success).case(case_id).target(&id),
    )
    .await?;
    events::record(&mut tx, state.db.engine, case_id, "plan.addendum", &id).await?;
    tx.commit().await?;
    state.db.announce(case_id);
    Ok(Addendum { id, body: body.to_string(), author_name: name_of(state, &session.me.id).await?, at: now })
}

/// Records whether the signed plan was carried out (once; later news is an addendum).
pub async fn record_outcome(
    state: &AppState,
    session: &Session,
    case_id: &str,
    input: &OutcomeInput,
) -> Result<Plan, AppError> {
    auth::require(state, session, Action::RecordOutcome, Some(case_id)).await?;
    case_exists(state, case_id).await?;
    let (implemented, reason, date, note) = input.parse(state.clock.now().date_naive())?;
    let plan = load(state, case_id).await?.ok_or_else(|| AppError::conflict("There is no plan yet."))?;
    if plan.signature.is_none() {
        return Err(AppError::conflict("Sign the plan before recording whether it was carried out."));
    }
    let json =
        serde_json::json!({"implemented": implemented, "reason": reason, "date": date, "note": note}).to_string();
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
    let detail = if implemented {
        "implemented".to_string()
    } else {
        format!("not implemented: {}", reason.map(|r| r.code()).unwrap_or_default())
    };
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&actor, "plan.outcome", AuditOutcome::Success).case(case_id).detail(&detail),
    )
    .await?;
    super::cases::advance_status(&mut tx, state.db.engine, session, case_id, CaseStatus::FollowedUp).await?;
    events::record(&mut tx, state.db.engine, case_id, "plan.outcome", case_id).await?;
    tx.commit().await?;
    state.db.announce(case_id);
    load(state, case_id).await?.ok_or_else(|| AppError::internal("plan vanished"))
}
