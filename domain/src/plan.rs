//! The board's consensus plan: what it chose and why, who dissented, whether trials were
//! discussed, the proposal it saw; then signature, addenda and the follow-up outcome.
//! The proposer proposes; this is where the board decides.

use serde::{Deserialize, Serialize};

use crate::text::{self, Shape};

use super::codes::{OptionCode, code_enum};
use super::proposer::Proposal;
use crate::error::{FieldErrorsBuilder, Invalid};

pub const MAX_TEXT: usize = 10_000;

/// A dissenting voice as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DissentInput {
    pub user_id: String,
    pub note: String,
}

/// A trial of the centre's register discussed for this patient, and whether it was offered
/// (issue 21).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PlanTrialInput {
    pub trial_id: String,
    pub offered: bool,
    /// Why not offered, or what was agreed.
    pub note: String,
}

/// A discussed trial as stored with the plan: its name at the time and whether it was offered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanTrial {
    pub trial_id: String,
    pub acronym: String,
    pub registry_id: String,
    pub offered: bool,
    pub note: String,
}

/// The plan as typed (PUT /cases/{id}/plan, the plan form).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PlanInput {
    pub meeting_id: Option<String>,
    pub options: Vec<String>,
    pub rationale: String,
    pub dissent: Vec<DissentInput>,
    pub deviation_reason: Option<String>,
    pub trial_discussed: bool,
    /// The centre's trials discussed (issue 21), each offered or not.
    pub trials: Vec<PlanTrialInput>,
}

/// A dissent as stored: who (id and name at the time) and what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dissent {
    pub user_id: String,
    pub name: String,
    pub note: String,
}

/// The plan's content: exactly what the signature's SHA-256 covers (serialised canonically by
/// `canonical`). Field order is fixed by this struct; never reorder or rename a field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanContent {
    pub case_id: String,
    pub version: i64,
    pub meeting_id: Option<String>,
    pub options: Vec<OptionCode>,
    pub rationale: String,
    pub dissent: Vec<Dissent>,
    pub deviation_reason: Option<String>,
    pub trial_discussed: bool,
    /// The proposal shown when the plan was recorded.
    pub proposal: Proposal,
    pub recorded_by: String,
    pub recorded_by_name: String,
    pub recorded_at: String,
    /// The case version the board decided on (the case as it was when the plan was recorded).
    /// Covered by the signature with the rest; absent only in plans recorded before it was kept,
    /// which therefore serialise exactly as they were signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_version: Option<i64>,
    /// The centre's trials discussed, each offered or not (issue 21). Covered by the signature;
    /// absent when none was listed, so that earlier plans serialise exactly as they were signed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trials: Vec<PlanTrial>,
}

impl PlanContent {
    /// The canonical text hashed at signing: compact JSON in struct field order.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).expect("plan content serialises")
    }
}

/// The checked parts of an input (identity and time are added by the service).
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedPlan {
    pub meeting_id: Option<String>,
    pub options: Vec<OptionCode>,
    pub rationale: String,
    pub dissent: Vec<DissentInput>,
    pub deviation_reason: Option<String>,
    pub trial_discussed: bool,
    pub trials: Vec<PlanTrialInput>,
}

/// Whether the chosen options depart from the proposer's first option (it is not among them).
pub fn departs_from(proposal: &Proposal, options: &[OptionCode]) -> bool {
    proposal.options.first().is_some_and(|first| !options.contains(&first.code))
}

impl PlanInput {
    pub fn parse(&self, proposal: &Proposal) -> Result<CheckedPlan, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let mut options = Vec::new();
        for code in &self.options {
            match OptionCode::parse(code) {
                Ok(c) if options.contains(&c) => e.add("options", format!("{} is chosen twice.", c.label())),
                Ok(c) => options.push(c),
                Err(m) => e.add("options", m),
            }
        }
        if self.options.is_empty() {
            e.add("options", "Choose at least one option (take it from the proposal or add one).");
        }
        let rationale = text::field(&mut e, "rationale", &self.rationale, MAX_TEXT, Shape::Lines, "The rationale");
        if rationale.is_empty() {
            e.add("rationale", "Write why the board chose this plan.");
        }
        let mut dissent = Vec::new();
        for d in &self.dissent {
            if d.user_id.trim().is_empty() || d.note.trim().is_empty() {
                e.add("dissent", "Each dissent names who dissents and what they said.");
            } else {
                // The id is checked as a line too: it is kept as sent until the board's members
                // are looked up.
                match text::check(&d.user_id, 100, Shape::Line, "A dissenter's id")
                    .and_then(|_| text::check(&d.note, MAX_TEXT, Shape::Lines, "A dissent"))
                {
                    Ok(note) => dissent.push(DissentInput { user_id: d.user_id.trim().into(), note }),
                    Err(m) => e.add("dissent", m),
                }
            }
        }
        let deviation_reason = self
            .deviation_reason
            .as_deref()
            .map(|r| text::field(&mut e, "deviation_reason", r, MAX_TEXT, Shape::Lines, "The reason"))
            .filter(|r| !r.is_empty());
        if departs_from(proposal, &options) && deviation_reason.is_none() {
            let first = proposal.options.first().map(|o| o.code.label()).unwrap_or_default();
            e.add("deviation_reason", format!("The plan departs from the proposer's first option ({first}): say why."));
        }
        let meeting_id = self.meeting_id.as_deref().map(str::trim).filter(|m| !m.is_empty()).map(str::to_string);
        let mut trials: Vec<PlanTrialInput> = Vec::new();
        for t in &self.trials {
            let id = t.trial_id.trim().to_string();
            if id.is_empty() || trials.iter().any(|x| x.trial_id == id) {
                e.add("trials", "Name each discussed trial once.");
            } else {
                match text::check(&id, 100, Shape::Line, "A trial's id")
                    .and_then(|_| text::check(&t.note, MAX_TEXT, Shape::Lines, "A trial's note"))
                {
                    Ok(note) => trials.push(PlanTrialInput { trial_id: id, offered: t.offered, note }),
                    Err(m) => e.add("trials", m),
                }
            }
        }
        // Accreditors count trial discussion: listing trials is discussing them.
        if !trials.is_empty() && !self.trial_discussed {
            e.add("trial_discussed", "Trials are listed as discussed: tick \"A clinical trial was discussed\".");
        }
        e.finish()?;
        Ok(CheckedPlan {
            meeting_id,
            options,
            rationale,
            dissent,
            deviation_reason,
            trial_discussed: self.trial_discussed,
            trials,
        })
    }
}

code_enum!(
    /// Why a plan was not carried out.
    NotImplementedReason {
        PatientChoice => "patient_choice", "Patient's choice";
        Comorbidity => "comorbidity", "Comorbidity";
        NewInformation => "new_information", "New information";
        Other => "other", "Other";
    }
);

code_enum!(
    /// Why a patient offered a trial did not enter it (issue 21).
    NotEnrolledReason {
        PatientDeclined => "patient_declined", "Patient declined";
        ScreenFailure => "screen_failure", "Not eligible at screening";
        TrialUnavailable => "trial_unavailable", "Trial closed or no place";
        Other => "other", "Other";
    }
);

/// Whether the patient entered a trial the plan offered, as typed with the follow-up.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct EnrolmentInput {
    pub trial_id: String,
    pub enrolled: Option<bool>,
    /// patient_declined, screen_failure, trial_unavailable or other (when not enrolled).
    pub reason: Option<String>,
    pub note: String,
}

/// Whether the patient entered an offered trial, or why not, as stored with the follow-up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolment {
    pub trial_id: String,
    /// The trial's acronym as the plan named it.
    pub acronym: String,
    pub enrolled: bool,
    pub reason: Option<NotEnrolledReason>,
    pub note: String,
}

/// The follow-up as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct OutcomeInput {
    pub implemented: Option<bool>,
    /// patient_choice, comorbidity, new_information or other (when not implemented).
    pub reason: Option<String>,
    /// When it was carried out (YYYY-MM-DD), or a note.
    pub date: Option<String>,
    pub note: String,
    /// For each trial the plan offered: whether the patient enrolled, or why not (issue 21).
    pub trials: Vec<EnrolmentInput>,
}

/// The checked follow-up: whether the plan was carried out, when, or why not. Stored as is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeRecord {
    pub implemented: bool,
    /// Why not (only when not implemented).
    pub reason: Option<NotImplementedReason>,
    pub date: Option<String>,
    pub note: String,
    /// Each offered trial: enrolled or why not. Left out when the plan offered none, so that
    /// follow-ups recorded before trials existed read and serialise exactly as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trials: Vec<Enrolment>,
}

/// The follow-up as recorded, with who recorded it and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outcome {
    #[serde(flatten)]
    pub record: OutcomeRecord,
    pub recorded_by_name: String,
    pub recorded_at: String,
}

impl OutcomeInput {
    /// Checks the follow-up: carried out needs the day it was (not in the future, not before
    /// `not_before`, the day of the meeting or of the signature); not carried out needs a reason;
    /// each trial in `offered` (the plan's trials marked offered) needs an answer, enrolled or
    /// why not, and no other trial may be named.
    pub fn parse(
        &self,
        today: chrono::NaiveDate,
        not_before: Option<chrono::NaiveDate>,
        offered: &[PlanTrial],
    ) -> Result<OutcomeRecord, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let Some(implemented) = self.implemented else {
            return Err(Invalid::field("implemented", "Say whether the plan was carried out."));
        };
        let reason = match self.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => match NotImplementedReason::ALL.iter().copied().find(|x| x.code() == r) {
                Some(x) => Some(x),
                None => {
                    e.add("reason", "Use patient_choice, comorbidity, new_information or other.");
                    None
                }
            },
        };
        if !implemented && reason.is_none() && e.is_empty() {
            e.add("reason", "Say why the plan was not carried out.");
        }
        let date = self.date.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
        match &date {
            Some(d) => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(day) if day > today => e.add("date", "The date cannot be in the future."),
                Ok(day) if not_before.is_some_and(|nb| day < nb) => e.add(
                    "date",
                    format!("The date cannot be before the board decided ({}).", not_before.unwrap_or(day)),
                ),
                Ok(_) => {}
                Err(_) => e.add("date", "Give the date as YYYY-MM-DD."),
            },
            None if implemented => e.add("date", "Give the day the plan was carried out."),
            None => {}
        }
        let note = text::field(&mut e, "note", &self.note, MAX_TEXT, Shape::Lines, "The note");
        if reason == Some(NotImplementedReason::Other) && note.is_empty() {
            e.add("note", "Describe the other reason.");
        }
        let trials = enrolments(&self.trials, offered, &mut e);
        e.finish()?;
        Ok(OutcomeRecord { implemented, reason: if implemented { None } else { reason }, date, note, trials })
    }
}

/// Checks the answers about offered trials, in the plan's order. A problem with one trial is
/// reported on `trials.{trial_id}`; a trial the plan did not offer, on `trials`.
fn enrolments(input: &[EnrolmentInput], offered: &[PlanTrial], e: &mut FieldErrorsBuilder) -> Vec<Enrolment> {
    for i in input {
        let id = i.trial_id.trim();
        if !offered.iter().any(|t| t.offered && t.trial_id == id) {
            e.add("trials", "Answer only for the trials the plan offered.");
        }
        if input.iter().filter(|x| x.trial_id.trim() == id).count() > 1 {
            e.add("trials", "Answer once for each offered trial.");
        }
    }
    let mut out = Vec::new();
    for t in offered.iter().filter(|t| t.offered) {
        let field = format!("trials.{}", t.trial_id);
        let Some(answer) = input.iter().find(|i| i.trial_id.trim() == t.trial_id) else {
            e.add(&field, format!("{}: say whether the patient enrolled.", t.acronym));
            continue;
        };
        let Some(enrolled) = answer.enrolled else {
            e.add(&field, format!("{}: say whether the patient enrolled.", t.acronym));
            continue;
        };
        // The reason counts only when the patient did not enrol (a form may still send one).
        let reason = if enrolled {
            None
        } else {
            super::codes::optional_code::<NotEnrolledReason>(e, &field, answer.reason.as_deref())
        };
        let note = text::field(e, &field, &answer.note, MAX_TEXT, Shape::Lines, &format!("{}: the note", t.acronym));
        if !enrolled && answer.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            e.add(&field, format!("{}: say why the patient did not enrol.", t.acronym));
        }
        if reason == Some(NotEnrolledReason::Other) && note.is_empty() {
            e.add(&field, format!("{}: describe the other reason.", t.acronym));
        }
        out.push(Enrolment { trial_id: t.trial_id.clone(), acronym: t.acronym.clone(), enrolled, reason, note });
    }
    out
}

/// An addendum to a signed plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Addendum {
    pub id: String,
    pub body: String,
    pub author_name: String,
    pub at: String,
}

/// The signature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signature {
    pub signer_id: String,
    pub signer_name: String,
    pub signed_at: String,
    pub content_sha256: String,
}

/// A case's plan with everything recorded after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    pub case_id: String,
    pub version: i64,
    pub content: PlanContent,
    pub signature: Option<Signature>,
    pub addenda: Vec<Addendum>,
    pub outcome: Option<Outcome>,
    /// The case as the board decided on it, and what changed in it since (DI-7: a report never
    /// shows later data beside a plan decided on earlier data unmarked).
    #[serde(default)]
    pub decided_on: Option<DecidedOn>,
    /// The meeting the plan names, with its day and who was marked present there.
    #[serde(default)]
    pub meeting: Option<PlanMeeting>,
}

/// The meeting a plan was decided at, as the plan and the decision report show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanMeeting {
    pub id: String,
    pub title: String,
    pub starts_at: String,
    /// Display names of those marked present, by specialty.
    pub present: Vec<String>,
}

/// The case version a plan was decided on, and the changes to the case since then.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecidedOn {
    pub case_version: i64,
    /// The case's content at that version.
    pub content: crate::case::CaseInput,
    /// The case's current version.
    pub current_version: i64,
    /// Field by field, what differs between the version decided on and the current one.
    pub changed_since: Vec<crate::case::FieldChange>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proposer::propose;

    fn proposal() -> Proposal {
        let case: crate::case::CaseInput = serde_json::from_value(serde_json::json!({
            "patient": {"mrn": "X", "name": "X", "birth_date": "1960-01-01", "sex": "male"}, "question": "Q",
            "tumor": {"primary_site": "pancreas", "grade": "G2", "ki67_percent": 6, "differentiation": "well", "tumor_size_mm": 35,
                      "t_stage": "T2", "n_stage": "N0", "m_stage": "M0", "liver_burden": "none", "functional_syndrome": "none",
                      "sstr_imaging": "positive", "ecog": 0}
        }))
        .unwrap();
        let c = case.parse(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()).unwrap();
        propose(&c.tumor)
    }

    #[test]
    fn a_plan_needs_options_and_a_rationale_and_names_each_problem() {
        let p = proposal();
        let err = PlanInput::default().parse(&p).unwrap_err();
        assert!(err.field_message("options").is_some());
        assert!(err.field_message("rationale").is_some());
        let bad = PlanInput { options: vec!["laser".into()], rationale: "x".into(), ..Default::default() };
        assert!(bad.parse(&p).unwrap_err().field_message("options").is_some());
    }

    #[test]
    fn departing_from_the_first_option_needs_a_reason() {
        let p = proposal();
        let first = p.options[0].code;
        let other = OptionCode::ALL.iter().copied().find(|c| *c != first).unwrap();
        let follows =
            PlanInput { options: vec![first.code().into()], rationale: "As proposed.".into(), ..Default::default() };
        assert!(follows.parse(&p).is_ok());
        let departs =
            PlanInput { options: vec![other.code().into()], rationale: "Other.".into(), ..Default::default() };
        assert!(departs.parse(&p).unwrap_err().field_message("deviation_reason").is_some());
        let explained = PlanInput { deviation_reason: Some("Patient declines surgery.".into()), ..departs };
        assert!(explained.parse(&p).is_ok());
    }

    #[test]
    fn every_text_of_a_plan_and_its_outcome_refuses_control_characters() {
        let p = proposal();
        let first = p.options[0].code.code().to_string();
        let other = OptionCode::ALL.iter().copied().find(|c| c.code() != first).unwrap().code().to_string();
        let fine = PlanInput { options: vec![first.clone()], rationale: "As proposed.".into(), ..Default::default() };
        assert!(fine.parse(&p).is_ok());
        let nul = "Said so\u{0}";
        let cases = [
            ("rationale", PlanInput { rationale: nul.into(), ..fine.clone() }),
            (
                "dissent",
                PlanInput { dissent: vec![DissentInput { user_id: "u1".into(), note: nul.into() }], ..fine.clone() },
            ),
            (
                "deviation_reason",
                PlanInput { options: vec![other], deviation_reason: Some(nul.into()), ..fine.clone() },
            ),
        ];
        for (field, input) in cases {
            let err = input.parse(&p).unwrap_err();
            assert!(err.field_message(field).is_some_and(|m| m.contains("control characters")), "{field}: {err:?}");
        }
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let outcome = OutcomeInput {
            implemented: Some(true),
            date: Some("2026-11-25".into()),
            note: "Done\u{1b}[2J".into(),
            ..Default::default()
        };
        assert!(outcome.parse(today, None, &[]).unwrap_err().field_message("note").is_some());
    }

    #[test]
    fn an_unimplemented_plan_needs_a_reason() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let met = chrono::NaiveDate::from_ymd_opt(2026, 11, 20);
        assert!(OutcomeInput::default().parse(today, met, &[]).unwrap_err().field_message("implemented").is_some());
        let no = OutcomeInput { implemented: Some(false), ..Default::default() };
        assert!(no.parse(today, met, &[]).unwrap_err().field_message("reason").is_some());
        let future = OutcomeInput { implemented: Some(true), date: Some("2027-01-01".into()), ..Default::default() };
        assert!(future.parse(today, met, &[]).unwrap_err().field_message("date").is_some());
        let ok = OutcomeInput { implemented: Some(false), reason: Some("patient_choice".into()), ..Default::default() };
        assert_eq!(ok.parse(today, met, &[]).unwrap().reason, Some(NotImplementedReason::PatientChoice));
    }

    #[test]
    fn a_carried_out_plan_needs_a_day_between_the_decision_and_today() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let met = chrono::NaiveDate::from_ymd_opt(2026, 11, 20);
        let undated = OutcomeInput { implemented: Some(true), ..Default::default() };
        assert_eq!(
            undated.parse(today, met, &[]).unwrap_err().field_message("date").as_deref(),
            Some("Give the day the plan was carried out.")
        );
        let early = OutcomeInput { date: Some("2026-11-19".into()), ..undated.clone() };
        assert_eq!(
            early.parse(today, met, &[]).unwrap_err().field_message("date").as_deref(),
            Some("The date cannot be before the board decided (2026-11-20).")
        );
        for day in ["2026-11-20", "2026-11-26"] {
            let fine = OutcomeInput { date: Some(day.into()), ..undated.clone() };
            assert_eq!(fine.parse(today, met, &[]).unwrap().date.as_deref(), Some(day));
        }
    }

    fn offered(id: &str, acronym: &str, offered: bool) -> PlanTrial {
        PlanTrial {
            trial_id: id.into(),
            acronym: acronym.into(),
            registry_id: "NCT20990001".into(),
            offered,
            note: String::new(),
        }
    }

    #[test]
    fn each_offered_trial_needs_enrolled_or_why_not_and_no_other_trial_is_named() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let plan = [offered("t1", "PRRT-X", true), offered("t2", "PNET-Y", false)];
        let base =
            OutcomeInput { implemented: Some(false), reason: Some("patient_choice".into()), ..Default::default() };
        // Nothing said about the offered trial: named on its own field; the one not offered needs nothing.
        let err = base.parse(today, None, &plan).unwrap_err();
        assert_eq!(err.field_message("trials.t1").as_deref(), Some("PRRT-X: say whether the patient enrolled."));
        assert!(err.field_message("trials.t2").is_none());
        let not_enrolled = |reason: Option<&str>, note: &str| OutcomeInput {
            trials: vec![EnrolmentInput {
                trial_id: "t1".into(),
                enrolled: Some(false),
                reason: reason.map(Into::into),
                note: note.into(),
            }],
            ..base.clone()
        };
        assert_eq!(
            not_enrolled(None, "").parse(today, None, &plan).unwrap_err().field_message("trials.t1").as_deref(),
            Some("PRRT-X: say why the patient did not enrol.")
        );
        assert!(
            not_enrolled(Some("bored"), "").parse(today, None, &plan).unwrap_err().field_message("trials.t1").is_some()
        );
        assert_eq!(
            not_enrolled(Some("other"), "")
                .parse(today, None, &plan)
                .unwrap_err()
                .field_message("trials.t1")
                .as_deref(),
            Some("PRRT-X: describe the other reason.")
        );
        let ok = not_enrolled(Some("screen_failure"), " Ki-67 28 % on rebiopsy ").parse(today, None, &plan).unwrap();
        assert_eq!(
            ok.trials,
            vec![Enrolment {
                trial_id: "t1".into(),
                acronym: "PRRT-X".into(),
                enrolled: false,
                reason: Some(NotEnrolledReason::ScreenFailure),
                note: "Ki-67 28 % on rebiopsy".into(),
            }]
        );
        // A trial the plan did not offer, or one answered twice, is refused.
        let mut extra = not_enrolled(Some("patient_declined"), "");
        extra.trials.push(EnrolmentInput { trial_id: "t2".into(), enrolled: Some(true), ..Default::default() });
        assert!(extra.parse(today, None, &plan).unwrap_err().field_message("trials").is_some());
        let mut twice = not_enrolled(Some("patient_declined"), "");
        twice.trials.push(twice.trials[0].clone());
        assert!(twice.parse(today, None, &plan).unwrap_err().field_message("trials").is_some());
        // Enrolled: no reason kept even if one was sent.
        let yes = OutcomeInput {
            trials: vec![EnrolmentInput {
                trial_id: "t1".into(),
                enrolled: Some(true),
                reason: Some("other".into()),
                ..Default::default()
            }],
            ..base
        };
        let rec = yes.parse(today, None, &plan).unwrap();
        assert!(rec.trials[0].enrolled && rec.trials[0].reason.is_none());
    }

    #[test]
    fn a_follow_up_without_trials_serialises_as_before_trials_existed() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let rec = OutcomeInput { implemented: Some(false), reason: Some("comorbidity".into()), ..Default::default() }
            .parse(today, None, &[])
            .unwrap();
        assert_eq!(
            serde_json::to_string(&rec).unwrap(),
            r#"{"implemented":false,"reason":"comorbidity","date":null,"note":""}"#
        );
        let old: OutcomeRecord =
            serde_json::from_str(r#"{"implemented":true,"reason":null,"date":"2026-11-20","note":""}"#).unwrap();
        assert!(old.trials.is_empty());
    }

    mod enrolment_properties {
        use super::*;
        use proptest::prelude::*;

        fn answer() -> impl Strategy<Value = EnrolmentInput> {
            (
                proptest::sample::select(vec!["t1", "t2", "t3", " t1 ", ""]),
                proptest::option::of(any::<bool>()),
                proptest::option::of(proptest::sample::select(vec![
                    "patient_declined",
                    "screen_failure",
                    "trial_unavailable",
                    "other",
                    "bored",
                    "",
                ])),
                proptest::sample::select(vec!["", "Moved away.", " "]),
            )
                .prop_map(|(id, enrolled, reason, note)| EnrolmentInput {
                    trial_id: id.into(),
                    enrolled,
                    reason: reason.map(Into::into),
                    note: note.into(),
                })
        }

        proptest! {
            /// Whatever is sent, an accepted follow-up answers every offered trial once, in the
            /// plan's order, names no other, and has a reason for each patient not enrolled.
            #[test]
            fn an_accepted_follow_up_answers_each_offered_trial(
                answers in proptest::collection::vec(answer(), 0..4),
                offers in proptest::collection::vec(any::<bool>(), 3),
            ) {
                let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
                let plan: Vec<PlanTrial> = ["t1", "t2", "t3"].iter().zip(&offers).map(|(id, o)| offered(id, &id.to_uppercase(), *o)).collect();
                let input = OutcomeInput { implemented: Some(false), reason: Some("comorbidity".into()), trials: answers, ..Default::default() };
                if let Ok(rec) = input.parse(today, None, &plan) {
                    let wanted: Vec<&str> = plan.iter().filter(|t| t.offered).map(|t| t.trial_id.as_str()).collect();
                    let got: Vec<&str> = rec.trials.iter().map(|e| e.trial_id.as_str()).collect();
                    prop_assert_eq!(got, wanted);
                    for e in &rec.trials {
                        prop_assert!(e.enrolled || e.reason.is_some());
                        prop_assert!(!e.enrolled || e.reason.is_none());
                        prop_assert!(e.reason != Some(NotEnrolledReason::Other) || !e.note.is_empty());
                    }
                }
            }
        }
    }
}
