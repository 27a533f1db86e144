//! A patient's own record (security.md ID-1): the identity every case of the patient shows.
//! Demographics change only here, on purpose, with a reason and a new version; every case of
//! the patient gets a new version naming the correction in the same transaction, so lists,
//! searches and agendas never show a case under another person.

use super::audit::{self, Event, Outcome};
use super::auth::Session;
use super::cases::{insert_version as insert_case_version, store_proposal};
use super::db::from_json;
use super::{AppState, events, new_id, now_text};
use crate::domain::case::{
    CaseContent, CaseInput, CaseRecord, Patient, PatientCorrection, PatientInput, PatientRecord, PatientVersion,
    changed_fields,
};
use crate::domain::codes::{CaseStatus, Sex};
use crate::domain::events::CaseEventKind;
use crate::domain::proposer::propose;
use crate::domain::role::Action;
use crate::domain::text::{self, Shape};
use crate::error::{AppError, FieldErrorsBuilder};

/// Appends a version of a patient's record inside `tx`.
pub(crate) async fn insert_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    patient_id: &str,
    version: i64,
    author: Option<&str>,
    reason: Option<&str>,
    p: &Patient,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO patient_versions (patient_id, version, at, author_id, reason, mrn, name, birth_date, sex) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(patient_id)
    .bind(version)
    .bind(now_text())
    .bind(author)
    .bind(reason)
    .bind(&p.mrn)
    .bind(&p.name)
    .bind(p.birth_date.to_string())
    .bind(p.sex.code())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: String,
    version: i64,
    #[sqlx(flatten)]
    patient: IdentityRow,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    version: i64,
    at: String,
    display_name: Option<String>,
    reason: Option<String>,
    #[sqlx(flatten)]
    patient: IdentityRow,
}

/// The identity columns of a patient or patient-version row.
#[derive(sqlx::FromRow)]
struct IdentityRow {
    mrn: String,
    name: String,
    birth_date: String,
    sex: String,
}

impl From<IdentityRow> for PatientInput {
    fn from(r: IdentityRow) -> Self {
        PatientInput { mrn: r.mrn, name: r.name, birth_date: r.birth_date, sex: r.sex }
    }
}

async fn load_on(conn: &mut sqlx::AnyConnection, id: &str) -> Result<PatientRecord, AppError> {
    let row: RecordRow = sqlx::query_as("SELECT id, version, mrn, name, birth_date, sex FROM patients WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let case_ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM cases WHERE patient_id = $1 ORDER BY created_at, id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let versions: Vec<VersionRow> = sqlx::query_as(
        "SELECT v.version, v.at, u.display_name, v.reason, v.mrn, v.name, v.birth_date, v.sex \
         FROM patient_versions v LEFT JOIN users u ON u.id = v.author_id WHERE v.patient_id = $1 ORDER BY v.version DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let versions = versions
        .into_iter()
        .map(|r| PatientVersion {
            version: r.version,
            at: r.at,
            author_name: r.display_name,
            reason: r.reason,
            patient: r.patient.into(),
        })
        .collect();
    Ok(PatientRecord { id: row.id, version: row.version, patient: row.patient.into(), case_ids, versions })
}

// ---- Patients as cases name them -------------------------------------------------------------

/// A patient's record as stored.
pub(crate) struct StoredPatient {
    pub id: String,
    pub patient: Patient,
}

#[derive(sqlx::FromRow)]
struct PatientRow {
    id: String,
    mrn: String,
    name: String,
    birth_date: String,
    #[sqlx(try_from = "String")]
    sex: Sex,
}

impl TryFrom<PatientRow> for StoredPatient {
    type Error = AppError;

    fn try_from(r: PatientRow) -> Result<Self, AppError> {
        let birth_date =
            r.birth_date.parse().map_err(|_| AppError::internal("stored patient has an invalid birth date"))?;
        Ok(StoredPatient { id: r.id, patient: Patient { mrn: r.mrn, name: r.name, birth_date, sex: r.sex } })
    }
}

/// The patient holding an MRN, read inside `tx`.
pub(crate) async fn patient_by_mrn(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    mrn: &str,
) -> Result<Option<StoredPatient>, AppError> {
    let row: Option<PatientRow> = sqlx::query_as("SELECT id, mrn, name, birth_date, sex FROM patients WHERE mrn = $1")
        .bind(mrn)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(StoredPatient::try_from).transpose()
}

/// The message for an MRN that belongs to someone else (ID-1).
const MRN_OF_ANOTHER_PATIENT: &str = "This MRN belongs to a patient with another name, birth date or sex. Check the MRN; a patient's own \
     details are corrected on the patient's record, never through a case.";

/// Finds the patient a case's content names, or creates them, inside `tx`. Never changes an
/// existing patient (ID-1): an MRN on record must name the same person (name, birth date and
/// sex), else the MRN is refused; the stored content then shows the record's own spelling.
pub(crate) async fn resolve(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    content: &mut CaseContent,
    author: &str,
) -> Result<String, AppError> {
    if let Some(existing) = patient_by_mrn(tx, &content.patient.mrn).await? {
        if !existing.patient.differences(&content.patient).is_empty() {
            return Err(AppError::field("patient.mrn", MRN_OF_ANOTHER_PATIENT));
        }
        content.patient = existing.patient;
        return Ok(existing.id);
    }
    let id = new_id();
    let now = now_text();
    let p = &content.patient;
    sqlx::query(
        "INSERT INTO patients (id, mrn, name, name_search, birth_date, sex, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1)",
    )
    .bind(&id)
    .bind(&p.mrn)
    .bind(&p.name)
    .bind(p.name.to_lowercase())
    .bind(p.birth_date.to_string())
    .bind(p.sex.code())
    .bind(&now)
    .execute(&mut **tx)
    .await
    .map_err(|e| mrn_taken(e, "patient.mrn"))?;
    insert_version(tx, &id, 1, Some(author), Some("created"), p).await?;
    Ok(id)
}

/// Two requests recording the same MRN at once: the second is told, on the MRN field.
pub(crate) fn mrn_taken(e: sqlx::Error, field: &str) -> AppError {
    super::db::unique_violation_as(e, || {
        AppError::field(field, "This MRN was just recorded for a patient by someone else. Reload and check it.")
    })
}

/// The patient an edited case names, inside `tx` (ID-1). The same MRN must keep the record's
/// demographics: those are corrected on the patient's own record, for every case of the
/// patient at once. Another MRN moves the case to that patient (who must be the same person
/// the content describes) or to a new patient record; no other patient is ever changed.
pub(crate) async fn same_or_other(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    current: &CaseRecord,
    content: &mut CaseContent,
    author: &str,
) -> Result<String, AppError> {
    let row: PatientRow = sqlx::query_as("SELECT id, mrn, name, birth_date, sex FROM patients WHERE id = $1")
        .bind(&current.patient_id)
        .fetch_one(&mut **tx)
        .await?;
    let own = StoredPatient::try_from(row)?;
    if own.patient.mrn != content.patient.mrn {
        return resolve(tx, content, author).await;
    }
    let differences = own.patient.differences(&content.patient);
    if !differences.is_empty() {
        let mut e = FieldErrorsBuilder::new();
        for field in differences {
            e.add(
                &format!("patient.{field}"),
                "This differs from the patient's record. Correct a patient's details on the patient's record \
                 (\"Correct patient details\"), so that every case of the patient shows the same person.",
            );
        }
        e.finish()?;
    }
    content.patient = own.patient;
    Ok(own.id)
}

// ---- The patient's own record ---------------------------------------------------------------

/// Keeps in `record` only the cases the reader may open (their boards, or a running
/// break-glass access): a patient's cases on other boards are not theirs to know of.
async fn only_visible_cases(state: &AppState, session: &Session, record: &mut PatientRecord) -> Result<(), AppError> {
    let visible = super::access::visible_boards(state, session).await?;
    let mut shown = Vec::new();
    for case_id in record.case_ids.drain(..) {
        let (board, _) = super::access::case_board(state, &case_id).await?;
        if visible.includes(&board) || super::access::glass_running(state, &session.me.id, &case_id).await? {
            shown.push(case_id);
        }
    }
    record.case_ids = shown;
    Ok(())
}

/// A patient's record with its versions (audited with every case of the patient it names: those
/// the reader may open, need to know).
pub async fn get(state: &AppState, session: &Session, id: &str) -> Result<PatientRecord, AppError> {
    super::access::require_patient(state, session, Action::ReadCases, id).await?;
    let mut conn = state.db.acquire().await?;
    let mut record = load_on(&mut conn, id).await?;
    drop(conn);
    only_visible_cases(state, session, &mut record).await?;
    audit::record(
        &state.db,
        &Event::new(&session.actor(), "patient.read", Outcome::Success).target(id).cases(&record.case_ids),
    )
    .await?;
    Ok(record)
}

/// Corrects a patient's demographics on purpose (ID-1): the caller names the version they saw
/// and why; an MRN that belongs to another patient is refused. Every case of the patient gets
/// a new version showing the corrected identity, in the same transaction.
pub async fn correct(
    state: &AppState,
    session: &Session,
    id: &str,
    expected_version: i64,
    change: &PatientCorrection,
) -> Result<PatientRecord, AppError> {
    super::access::require_patient(state, session, Action::EditCase, id).await?;
    let today = state.today();
    let mut tx = state.db.begin_write().await?;
    let current = load_on(&mut tx, id).await?;
    if current.version != expected_version {
        return Err(AppError::PreconditionFailed { current: current.version });
    }
    let before = current.patient.clone();
    let typed = PatientInput {
        mrn: change.mrn.clone().unwrap_or_else(|| before.mrn.clone()),
        name: change.name.clone().unwrap_or_else(|| before.name.clone()),
        birth_date: change.birth_date.clone().unwrap_or_else(|| before.birth_date.clone()),
        sex: change.sex.clone().unwrap_or_else(|| before.sex.clone()),
    };
    let mut e = FieldErrorsBuilder::new();
    let reason = text::field(&mut e, "reason", &change.reason, 500, Shape::Lines, "The reason");
    if reason.is_empty() {
        e.add("reason", "Say why the patient's details are corrected (e.g. \"name misspelt at referral\").");
    }
    let parsed = e.take("", typed.parse(today));
    e.finish()?;
    let patient = parsed.ok_or_else(|| AppError::internal("patient parse failed without field errors"))?;
    if patient.mrn != before.mrn && patient_by_mrn(&mut tx, &patient.mrn).await?.is_some() {
        return Err(AppError::field(
            "mrn",
            "This MRN belongs to another patient. If both records are the same person, ask IT to merge them.",
        ));
    }
    if before == patient.to_input() {
        audit::append(
            &mut tx,
            state.db.engine,
            &Event::new(&session.actor(), "patient.read", Outcome::Success)
                .target(id)
                .detail("correction without changes")
                .cases(&current.case_ids),
        )
        .await?;
        tx.commit().await?;
        return Ok(current);
    }
    let next = expected_version + 1;
    let now = now_text();
    let updated = sqlx::query(
        "UPDATE patients SET mrn = $1, name = $2, name_search = $3, birth_date = $4, sex = $5, updated_at = $6, version = $7 \
         WHERE id = $8 AND version = $9",
    )
    .bind(&patient.mrn)
    .bind(&patient.name)
    .bind(patient.name.to_lowercase())
    .bind(patient.birth_date.to_string())
    .bind(patient.sex.code())
    .bind(&now)
    .bind(next)
    .bind(id)
    .bind(expected_version)
    .execute(&mut *tx)
    .await
    .map_err(|err| mrn_taken(err, "mrn"))?;
    if updated.rows_affected() == 0 {
        return Err(AppError::PreconditionFailed { current: expected_version + 1 });
    }
    insert_version(&mut tx, id, next, Some(&session.me.id), Some(&reason), &patient).await?;
    // Every case of the patient shows the corrected identity, as a new version of its own.
    let case_reason = format!("patient details corrected: {reason}");
    for case_id in &current.case_ids {
        let (version, status, old): (i64, String, String) =
            sqlx::query_as("SELECT version, status, content FROM cases WHERE id = $1")
                .bind(case_id)
                .fetch_one(&mut *tx)
                .await?;
        let status = CaseStatus::try_from(status).map_err(|e| AppError::internal(&e.0))?;
        let old: CaseInput = from_json(&old, "case content")?;
        let mut content = old.clone();
        content.patient = patient.to_input();
        // The age on the tumor follows the birth date, and with it the proposal.
        content.tumor.age = today.years_since(patient.birth_date).map(f64::from);
        let changed = changed_fields(&old, &content);
        sqlx::query("UPDATE cases SET version = $1, content = $2, updated_at = $3, updated_by = $4 WHERE id = $5")
            .bind(version + 1)
            .bind(serde_json::to_string(&content).map_err(|_| AppError::internal("serialise case"))?)
            .bind(&now)
            .bind(&session.me.id)
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        insert_case_version(
            &mut tx,
            case_id,
            version + 1,
            &session.me.id,
            Some(&case_reason),
            &changed,
            status,
            &content,
        )
        .await?;
        if changed.iter().any(|f| f == "tumor.age")
            && let Ok(parsed) = content.parse(today)
        {
            store_proposal(&mut tx, case_id, version + 1, &propose(&parsed.tumor)).await?;
        }
        events::record(&mut tx, state.db.engine, case_id, CaseEventKind::CaseUpdate, case_id).await?;
    }
    let changed: Vec<&str> = [
        ("mrn", before.mrn != patient.mrn),
        ("name", before.name != patient.name),
        ("birth_date", before.birth_date != patient.birth_date.to_string()),
        ("sex", before.sex != patient.sex.code()),
    ]
    .into_iter()
    .filter_map(|(f, c)| c.then_some(f))
    .collect();
    let detail = format!("version {next}; changed: {}", changed.join(", "));
    audit::append(
        &mut tx,
        state.db.engine,
        &Event::new(&session.actor(), "patient.update", Outcome::Success)
            .target(id)
            .detail(&detail)
            .cases(&current.case_ids),
    )
    .await?;
    let mut record = load_on(&mut tx, id).await?;
    tx.commit().await?;
    for case_id in &current.case_ids {
        state.db.announce(case_id);
    }
    only_visible_cases(state, session, &mut record).await?;
    Ok(record)
}
