//! The case: the shared object of the board. A patient (MRN, name, birth date, sex), the
//! referring clinician, the question to the board, the tumor fields, free-text history and
//! comorbidities, and a status. Every edit is a new version (security.md DI-1).

use serde::{Deserialize, Serialize};

use super::codes::{CaseStatus, Sex, StageGroup};
use super::tumor::{Tumor, TumorInput};
use crate::error::{FieldErrorsBuilder, Invalid};
use crate::text::{self, Shape};

/// The patient as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PatientInput {
    pub mrn: String,
    pub name: String,
    /// ISO date, YYYY-MM-DD.
    pub birth_date: String,
    pub sex: String,
}

/// The case content as typed (REST body, form, or a stored version's snapshot).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CaseInput {
    pub patient: PatientInput,
    pub referring_clinician: String,
    pub question: String,
    pub tumor: TumorInput,
    pub history: String,
    pub comorbidities: String,
}

/// A checked patient.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Patient {
    pub mrn: String,
    pub name: String,
    pub birth_date: chrono::NaiveDate,
    pub sex: Sex,
}

/// Checked case content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseContent {
    pub patient: Patient,
    pub referring_clinician: String,
    pub question: String,
    pub tumor: Tumor,
    pub history: String,
    pub comorbidities: String,
}

/// Longest free text accepted in history and comorbidities.
pub const MAX_TEXT: usize = 20_000;

/// Checks a patient's fields, reporting errors as `{prefix}mrn`, `{prefix}name`, … so that the
/// case form ("patient.") and the patient record ("") share one set of rules.
fn parse_patient(
    e: &mut FieldErrorsBuilder,
    p: &PatientInput,
    today: chrono::NaiveDate,
    prefix: &str,
) -> Option<Patient> {
    let f = |name: &str| format!("{prefix}{name}");
    let mrn = p.mrn.trim().to_string();
    if mrn.is_empty() {
        e.add(&f("mrn"), "Enter the medical record number (MRN).");
    } else if mrn.len() > 32 || !mrn.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/') {
        e.add(&f("mrn"), "An MRN has up to 32 letters, digits, '-' or '/'.");
    }
    let name = text::field(e, &f("name"), &p.name, 200, Shape::Line, "The name");
    if name.is_empty() {
        e.add(&f("name"), "Enter the patient's name.");
    }
    let birth_date = match chrono::NaiveDate::parse_from_str(p.birth_date.trim(), "%Y-%m-%d") {
        Ok(d) if d > today => {
            e.add(&f("birth_date"), "The birth date is in the future.");
            None
        }
        Ok(d) if today.years_since(d).unwrap_or(0) > 120 => {
            e.add(&f("birth_date"), "The birth date is more than 120 years ago.");
            None
        }
        Ok(d) => Some(d),
        Err(_) if p.birth_date.trim().is_empty() => {
            e.add(&f("birth_date"), "Enter the birth date.");
            None
        }
        Err(_) => {
            e.add(&f("birth_date"), "Use the form YYYY-MM-DD.");
            None
        }
    };
    let sex = if p.sex.trim().is_empty() {
        e.add(&f("sex"), "Choose the sex (or \"unknown\").");
        None
    } else {
        Sex::parse(&p.sex).map_err(|m| e.add(&f("sex"), m)).ok()
    };
    Some(Patient { mrn: (!mrn.is_empty()).then_some(mrn)?, name, birth_date: birth_date?, sex: sex? })
}

impl PatientInput {
    /// Checks the fields of a patient's own record (errors named `mrn`, `name`, …).
    pub fn parse(&self, today: chrono::NaiveDate) -> Result<Patient, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let patient = parse_patient(&mut e, self, today, "");
        e.finish()?;
        patient.ok_or_else(|| Invalid::field("mrn", "The patient could not be read."))
    }
}

impl Patient {
    /// The fields in which `other` names a different person than this record: the name
    /// (compared without regard to case and spacing), the birth date and the sex.
    pub fn differences(&self, other: &Patient) -> Vec<&'static str> {
        let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let mut d = Vec::new();
        if norm(&self.name) != norm(&other.name) {
            d.push("name");
        }
        if self.birth_date != other.birth_date {
            d.push("birth_date");
        }
        if self.sex != other.sex {
            d.push("sex");
        }
        d
    }

    /// The record as typed input (for stored snapshots).
    pub fn to_input(&self) -> PatientInput {
        PatientInput {
            mrn: self.mrn.clone(),
            name: self.name.clone(),
            birth_date: self.birth_date.to_string(),
            sex: self.sex.code().to_string(),
        }
    }
}

impl CaseInput {
    /// Checks every field; a draft may leave the tumor incomplete, but the patient is always
    /// identified (MRN, name, birth date, sex) so that a case can never lose its patient.
    pub fn parse(&self, today: chrono::NaiveDate) -> Result<CaseContent, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let patient = parse_patient(&mut e, &self.patient, today, "patient.");
        let birth_date = patient.as_ref().map(|p| p.birth_date);
        let referring_clinician = text::field(
            &mut e,
            "referring_clinician",
            &self.referring_clinician,
            200,
            Shape::Line,
            "The referring clinician",
        );
        let question = text::field(&mut e, "question", &self.question, 2000, Shape::Lines, "The question");
        let history = text::field(&mut e, "history", &self.history, MAX_TEXT, Shape::Lines, "The history");
        let comorbidities =
            text::field(&mut e, "comorbidities", &self.comorbidities, MAX_TEXT, Shape::Lines, "The comorbidities");
        let mut tumor_input = self.tumor.clone();
        // The patient's age comes from the birth date; a typed age is only a fallback.
        if let Some(d) = birth_date {
            tumor_input.age = today.years_since(d).map(|y| y as f64);
        }
        let tumor = e.take("tumor.", Tumor::parse(&tumor_input));
        e.finish()?;
        Ok(CaseContent {
            patient: patient.ok_or_else(|| Invalid::field("patient.mrn", "The patient could not be read."))?,
            referring_clinician,
            question,
            tumor: tumor.unwrap(),
            history,
            comorbidities,
        })
    }
}

impl CaseContent {
    /// What the board needs and this case lacks: (field, what to record).
    pub fn missing_for_board(&self) -> Vec<(String, String)> {
        let mut missing = Vec::new();
        if self.question.is_empty() {
            missing.push(("question".to_string(), "the question to the board".to_string()));
        }
        for (field, what) in self.tumor.missing_for_board() {
            missing.push((format!("tumor.{field}"), what.to_string()));
        }
        missing
    }
}

/// Flattens a JSON value into `path → value` pairs ("tumor.grade" → "G2").
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut std::collections::BTreeMap<String, String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&p, v, out);
            }
        }
        serde_json::Value::Null => {}
        serde_json::Value::Array(a) if a.is_empty() => {}
        serde_json::Value::String(s) if s.is_empty() => {}
        // Whole numbers read as clinicians write them: "6", not "6.0".
        serde_json::Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e15) => {
            out.insert(prefix.to_string(), format!("{}", n.as_f64().unwrap_or_default() as i64));
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// One changed field between two versions: dotted path, value before, value after
/// (`None` = not recorded).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// What differs between two versions of the content, field by field, in path order.
pub fn field_changes(before: &CaseInput, after: &CaseInput) -> Vec<FieldChange> {
    let (mut a, mut b) = (Default::default(), Default::default());
    flatten("", &serde_json::to_value(before).unwrap_or_default(), &mut a);
    flatten("", &serde_json::to_value(after).unwrap_or_default(), &mut b);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let show = |v: Option<&String>| v.map(|s| s.trim_matches('"').to_string());
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| FieldChange { field: k.clone(), before: show(a.get(k)), after: show(b.get(k)) })
        .collect()
}

/// The same changes for people: in the order a case is read (`tumor::FIELD_ORDER`, so T, N and
/// M stay together) with values in words, never codes.
pub fn changes_in_words(mut changes: Vec<FieldChange>) -> Vec<FieldChange> {
    changes.sort_by_key(|c| crate::tumor::field_rank(&c.field));
    for c in &mut changes {
        c.before = c.before.as_deref().map(|v| crate::tumor::value_in_words(&c.field, v));
        c.after = c.after.as_deref().map(|v| crate::tumor::value_in_words(&c.field, v));
    }
    changes
}

/// The fields that differ between two versions of the content, as dotted paths.
pub fn changed_fields(before: &CaseInput, after: &CaseInput) -> Vec<String> {
    field_changes(before, after).into_iter().map(|c| c.field).collect()
}

/// RFC 7396 JSON merge patch: `patch` objects merge into `target`; `null` removes a key.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    match patch {
        serde_json::Value::Object(p) => {
            if !target.is_object() {
                *target = serde_json::Value::Object(Default::default());
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(serde_json::Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// A case as read: its current version and what the board still needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRecord {
    pub id: String,
    pub version: i64,
    pub status: CaseStatus,
    pub content: CaseInput,
    /// The clinical shorthand of the tumor ("pNET G2 (Ki-67 6 %), T2 N0 M0, …").
    pub summary: String,
    pub missing_for_board: Vec<(String, String)>,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
    /// The newest live event of the case when this was read: a viewer subscribes to the
    /// events after it (`GET /api/v1/cases/{id}/events?after=`), so nothing between reading
    /// and subscribing is missed.
    #[serde(default)]
    pub live_seq: i64,
    /// The patient's own record and its version: demographics are corrected there (ID-1).
    #[serde(default)]
    pub patient_id: String,
    #[serde(default)]
    pub patient_version: i64,
    /// The board the case is referred to.
    #[serde(default)]
    pub board_id: String,
    #[serde(default)]
    pub board_name: String,
    /// When the reader's emergency (break-glass) access to this case ends, if they read it so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub break_glass_until: Option<String>,
    /// The latest meeting whose agenda holds the case: where its plan is decided (the plan
    /// form's default meeting).
    #[serde(default)]
    pub agenda_meeting: Option<MeetingRef>,
}

/// A meeting as other records name it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingRef {
    pub id: String,
    pub title: String,
    pub starts_at: String,
}

/// A patient's own record: the identity that every case of the patient shows (ID-1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientRecord {
    pub id: String,
    pub version: i64,
    /// MRN, name, birth date and sex, as stored.
    #[serde(flatten)]
    pub patient: PatientInput,
    /// The patient's cases (opaque ids).
    pub case_ids: Vec<String>,
    /// Every version of the record, newest first.
    pub versions: Vec<PatientVersion>,
}

/// One version of a patient's record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatientVersion {
    pub version: i64,
    pub at: String,
    /// Who made it (none for records older than versioning).
    pub author_name: Option<String>,
    pub reason: Option<String>,
    #[serde(flatten)]
    pub patient: PatientInput,
}

/// A deliberate correction of a patient's record (`PATCH /api/v1/patients/{id}`): the fields
/// to change (absent ones keep their value) and why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PatientCorrection {
    pub mrn: Option<String>,
    pub name: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub reason: String,
}

/// A line of the case list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseListItem {
    pub id: String,
    pub mrn: String,
    pub patient_name: String,
    pub status: CaseStatus,
    pub summary: String,
    pub question: String,
    pub ready_for_board: bool,
    pub updated_at: String,
    #[serde(default)]
    pub board_id: String,
    #[serde(default)]
    pub board_name: String,
    /// The latest meeting whose agenda holds the case.
    #[serde(default)]
    pub meeting: Option<MeetingRef>,
}

/// One version in a case's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseVersion {
    pub version: i64,
    pub at: String,
    pub author_id: String,
    pub author_name: String,
    pub reason: Option<String>,
    pub changed_fields: Vec<String>,
    pub status: CaseStatus,
    pub content: CaseInput,
}

/// Filters of the case list. Name and MRN search text travels in a request body, never in a URL.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CaseFilter {
    pub status: Option<String>,
    pub site: Option<String>,
    /// A `StageGroup` code: localized (M0 N0), regional (M0 N1) or metastatic (M1).
    pub stage: Option<String>,
    /// Part of the patient's name, or an exact MRN.
    pub text: Option<String>,
    /// One board's cases only (a board id among the user's).
    pub board: Option<String>,
}

/// Stage group used by the list filter.
pub fn stage_group(t: &Tumor) -> Option<StageGroup> {
    use super::codes::{MStage, NStage};
    match (t.m_stage, t.n_stage) {
        (Some(MStage::M1), _) => Some(StageGroup::Metastatic),
        (Some(MStage::M0), Some(NStage::N1)) => Some(StageGroup::Regional),
        (Some(MStage::M0), Some(NStage::N0)) => Some(StageGroup::Localized),
        _ => None,
    }
}

/// Everything the case page shows of one case, read together and audited as one view. The
/// versions are not in it: the page's history is folded and reads them when it is opened
/// (`cases/history`, audited on its own), so a view costs the same whatever the case's age.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CasePageData {
    pub case: CaseRecord,
    /// None when no proposal is stored (never for a case created through the app).
    pub proposal: Option<StoredProposal>,
    pub annotations: Vec<super::annotation::Annotation>,
    pub plan: Option<super::plan::Plan>,
    /// For the page's forms, in the same answer: the clinicians of the user's boards (for
    /// dissent), the meetings (for the plan's meeting), the boards a case may be referred to.
    #[serde(default)]
    pub members: Vec<super::meeting::Attendee>,
    #[serde(default)]
    pub meetings: Vec<super::meeting::Meeting>,
    #[serde(default)]
    pub boards: Vec<super::board::BoardRef>,
    /// Pre-review (issue 18): the specialties the case's board expects, and the coordinators'
    /// requests for a specialty's view; the page works out each voice's state from these and the
    /// annotations (`work::voices`), also when the annotations reload live.
    #[serde(default)]
    pub expected_specialties: Vec<super::role::Specialty>,
    #[serde(default)]
    pub voice_requests: Vec<super::work::VoiceRequest>,
    /// Documents and key images (issue 20), withdrawn and superseded ones included.
    #[serde(default)]
    pub attachments: Vec<super::attachment::Attachment>,
    /// The largest file the server accepts, bytes (for the upload form to say so).
    #[serde(default)]
    pub max_upload_bytes: u64,
    /// The open trials of the case's board matched to it (issue 21).
    #[serde(default)]
    pub trials: Vec<super::trial::TrialMatch>,
}

/// The stored proposal of a case version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredProposal {
    pub case_id: String,
    /// The case version whose tumor fields it was computed from.
    pub case_version: i64,
    pub computed_at: String,
    #[serde(flatten)]
    pub proposal: super::proposer::Proposal,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn input() -> CaseInput {
        CaseInput {
            patient: PatientInput {
                mrn: "MRN-1001".into(),
                name: "Anna Example".into(),
                birth_date: "1969-05-01".into(),
                sex: "female".into(),
            },
            question: "Resection or surveillance?".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_draft_needs_only_the_patient() {
        let c = input().parse(today()).unwrap();
        assert_eq!(c.tumor.age, Some(57));
        assert!(c.missing_for_board().iter().any(|m| m.0 == "tumor.primary_site"));
    }

    #[test]
    fn the_patient_fields_are_checked_one_by_one() {
        let mut i = input();
        i.patient =
            PatientInput { mrn: "12 34".into(), name: " ".into(), birth_date: "2030-01-01".into(), sex: "x".into() };
        let err = i.parse(today()).unwrap_err();
        for f in ["patient.mrn", "patient.name", "patient.birth_date", "patient.sex"] {
            assert!(err.field_message(f).is_some(), "{f}");
        }
    }

    #[test]
    fn a_malformed_birth_date_says_the_form_to_use() {
        let mut i = input();
        i.patient.birth_date = "01.05.1969".into();
        assert!(i.parse(today()).unwrap_err().field_message("patient.birth_date").unwrap().contains("YYYY-MM-DD"));
    }

    #[test]
    fn tumor_errors_are_reported_under_tumor() {
        let mut i = input();
        i.tumor.ecog = Some(7.0);
        assert!(i.parse(today()).unwrap_err().field_message("tumor.ecog").is_some());
    }

    #[test]
    fn a_missing_question_is_listed_for_the_board() {
        let mut i = input();
        i.question = String::new();
        let c = i.parse(today()).unwrap();
        assert_eq!(c.missing_for_board()[0].0, "question");
    }

    #[test]
    fn a_name_is_one_line_and_the_question_and_history_may_be_several() {
        let mut i = input();
        i.question = "Resection?\n\tOr surveillance?".into();
        i.history = "2019: appendectomy.\r\n2024: incidental finding.".into();
        let c = i.parse(today()).unwrap();
        assert_eq!(c.question, "Resection?\n\tOr surveillance?");
        i.patient.name = "Anna\nExample".into();
        i.referring_clinician = "Dr\tB".into();
        let err = i.parse(today()).unwrap_err();
        assert_eq!(err.field_message("patient.name").as_deref(), Some("The name contains control characters."));
        assert_eq!(
            err.field_message("referring_clinician").as_deref(),
            Some("The referring clinician contains control characters.")
        );
        assert_eq!(err.fields.len(), 2, "{err:?}");
    }
    #[test]
    fn changed_fields_name_dotted_paths() {
        let a = input();
        let mut b = input();
        b.tumor.grade = Some("G2".into());
        b.question = "New question".into();
        assert_eq!(changed_fields(&a, &b), vec!["question", "tumor.grade"]);
        assert!(changed_fields(&a, &a).is_empty());
    }

    #[test]
    fn whole_numbers_show_without_a_decimal_point() {
        let a = input();
        let mut b = input();
        b.tumor.ki67_percent = Some(6.0);
        b.tumor.tumor_size_mm = Some(12.5);
        let changes = field_changes(&a, &b);
        assert_eq!(changes[0].after.as_deref(), Some("6"));
        assert_eq!(changes[1].after.as_deref(), Some("12.5"));
    }

    #[test]
    fn merge_patch_changes_only_what_is_given() {
        let mut v = serde_json::to_value(input()).unwrap();
        merge_patch(&mut v, &serde_json::json!({"tumor": {"grade": "G1"}, "question": "Q2"}));
        let c: CaseInput = serde_json::from_value(v).unwrap();
        assert_eq!(c.tumor.grade.as_deref(), Some("G1"));
        assert_eq!(c.question, "Q2");
        assert_eq!(c.patient.mrn, "MRN-1001");
    }

    #[test]
    fn overlong_history_is_refused() {
        let mut i = input();
        i.history = "x".repeat(MAX_TEXT + 1);
        assert!(i.parse(today()).unwrap_err().field_message("history").is_some());
    }
}
