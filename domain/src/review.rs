//! After the meeting (issue 18): the board's signed decisions as a searchable list, and the
//! board's figures computed from them. Pure: the server reads the rows, this module decides what
//! each decision is (how it relates to its proposal, whether it was carried out) and counts.
//!
//! Every figure carries its definition ([`Figure::definition`]) so that the page, the JSON and the
//! CSV say the same thing; tests build a known set of decisions and check every number.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::case::MeetingRef;
use crate::codes::{OptionCode, PrimarySite, StageGroup};
use crate::error::{FieldErrorsBuilder, Invalid};
use crate::plan::{NotEnrolledReason, NotImplementedReason, OutcomeRecord, PlanTrial};
use crate::proposer::Proposal;
use crate::role::Specialty;

/// How a signed plan's options relate to the proposal stored when it was signed. Exactly one
/// holds for each plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Concordance {
    /// The proposal's first option is among the chosen options.
    FirstOption,
    /// The first option is not chosen, but every chosen option is one the proposal listed.
    OtherProposed,
    /// The first option is not chosen and at least one chosen option is not in the proposal
    /// (or the proposal listed none).
    OutsideProposal,
}

impl Concordance {
    pub fn of(proposal: &Proposal, chosen: &[OptionCode]) -> Concordance {
        let proposed = proposal.codes();
        match proposal.first() {
            Some(first) if chosen.contains(&first) => Concordance::FirstOption,
            _ if !chosen.is_empty() && chosen.iter().all(|c| proposed.contains(c)) => Concordance::OtherProposed,
            _ => Concordance::OutsideProposal,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Concordance::FirstOption => "first_option",
            Concordance::OtherProposed => "other_proposed",
            Concordance::OutsideProposal => "outside_proposal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Concordance::FirstOption => "First proposed option taken",
            Concordance::OtherProposed => "Another proposed option",
            Concordance::OutsideProposal => "Outside the proposal",
        }
    }
}

/// Whether the signed plan was carried out, as the follow-up says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Implementation {
    Implemented,
    NotImplemented,
    /// No follow-up recorded yet.
    Pending,
}

impl Implementation {
    pub fn of(outcome: Option<&OutcomeRecord>) -> Implementation {
        match outcome {
            Some(o) if o.implemented => Implementation::Implemented,
            Some(_) => Implementation::NotImplemented,
            None => Implementation::Pending,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Implementation::Implemented => "implemented",
            Implementation::NotImplemented => "not_implemented",
            Implementation::Pending => "pending",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Implementation::Implemented => "Implemented",
            Implementation::NotImplemented => "Not implemented",
            Implementation::Pending => "Follow-up pending",
        }
    }

    pub fn parse(s: &str) -> Result<Implementation, String> {
        match s {
            "implemented" | "true" => Ok(Implementation::Implemented),
            "not_implemented" | "false" => Ok(Implementation::NotImplemented),
            "pending" => Ok(Implementation::Pending),
            _ => Err(format!("\"{s}\" is not one of implemented, not_implemented, pending.")),
        }
    }
}

/// A person named on a decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: String,
    pub name: String,
}

/// One chosen option, by code and in words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChosenOption {
    pub code: String,
    pub label: String,
}

/// The follow-up of a decision, as the decision list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionOutcome {
    pub status: Implementation,
    pub reason: Option<NotImplementedReason>,
    pub date: Option<String>,
}

/// One signed plan, as `GET /api/v1/decisions` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub case_id: String,
    pub mrn: String,
    pub patient_name: String,
    pub board_id: String,
    pub board_name: String,
    /// When the case was created (the referral).
    pub referred_at: String,
    /// When the plan was signed (the decision).
    pub signed_at: String,
    pub signer: Person,
    pub meeting: Option<MeetingRef>,
    pub options: Vec<ChosenOption>,
    /// The proposal's first option when the plan was signed.
    pub proposal_first: Option<ChosenOption>,
    pub concordance: Concordance,
    pub deviation_reason: Option<String>,
    pub trial_discussed: bool,
    /// The centre's trials the plan names, each offered or not and, once followed up, whether
    /// the patient enrolled (issue 21).
    #[serde(default)]
    pub trials: Vec<DecisionTrial>,
    /// Site and stage of the case as it was decided on.
    pub site: Option<PrimarySite>,
    pub stage: Option<StageGroup>,
    pub outcome: DecisionOutcome,
    /// The case as decided on recorded no earlier treatment.
    pub before_treatment: bool,
    /// The stored proposal had at least one option citing a guideline.
    pub guideline_cited: bool,
    /// Whether the plan's meeting had every core specialty present; `None` without a meeting.
    pub core_present: Option<bool>,
}

/// A trial named by a signed plan, as the decision list and the figures count it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionTrial {
    pub trial_id: String,
    pub acronym: String,
    pub offered: bool,
    /// Whether the patient enrolled, from the follow-up; `null` while not followed up (or not
    /// offered).
    pub enrolled: Option<bool>,
    /// Why not, when not enrolled.
    pub reason: Option<NotEnrolledReason>,
}

/// What the server reads for one signed plan; [`Decision::from_facts`] decides the rest.
#[derive(Clone, Debug)]
pub struct DecisionFacts {
    pub case_id: String,
    pub mrn: String,
    pub patient_name: String,
    pub board_id: String,
    pub board_name: String,
    pub referred_at: String,
    pub signed_at: String,
    pub signer: Person,
    pub meeting: Option<MeetingRef>,
    pub options: Vec<OptionCode>,
    pub proposal: Proposal,
    pub deviation_reason: Option<String>,
    pub trial_discussed: bool,
    pub trials: Vec<PlanTrial>,
    pub site: Option<PrimarySite>,
    pub stage: Option<StageGroup>,
    pub prior_treatments: usize,
    pub outcome: Option<OutcomeRecord>,
    /// The specialties marked present at the plan's meeting (`None` without a meeting).
    pub present: Option<Vec<Specialty>>,
}

fn chosen(code: OptionCode) -> ChosenOption {
    ChosenOption { code: code.code().to_string(), label: code.label().to_string() }
}

impl Decision {
    pub fn from_facts(f: DecisionFacts) -> Decision {
        Decision {
            concordance: Concordance::of(&f.proposal, &f.options),
            proposal_first: f.proposal.first().map(chosen),
            guideline_cited: f.proposal.options.iter().any(|o| !o.sources.is_empty()),
            options: f.options.iter().copied().map(chosen).collect(),
            outcome: DecisionOutcome {
                status: Implementation::of(f.outcome.as_ref()),
                reason: f.outcome.as_ref().and_then(|o| o.reason),
                date: f.outcome.as_ref().and_then(|o| o.date.clone()),
            },
            trials: f
                .trials
                .iter()
                .map(|t| {
                    let answer = f.outcome.as_ref().and_then(|o| o.trials.iter().find(|e| e.trial_id == t.trial_id));
                    DecisionTrial {
                        trial_id: t.trial_id.clone(),
                        acronym: t.acronym.clone(),
                        offered: t.offered,
                        enrolled: answer.map(|e| e.enrolled),
                        reason: answer.and_then(|e| e.reason),
                    }
                })
                .collect(),
            before_treatment: f.prior_treatments == 0,
            core_present: f.present.map(|p| Specialty::CORE.iter().all(|s| p.contains(s))),
            case_id: f.case_id,
            mrn: f.mrn,
            patient_name: f.patient_name,
            board_id: f.board_id,
            board_name: f.board_name,
            referred_at: f.referred_at,
            signed_at: f.signed_at,
            signer: f.signer,
            meeting: f.meeting,
            deviation_reason: f.deviation_reason,
            trial_discussed: f.trial_discussed,
            site: f.site,
            stage: f.stage,
        }
    }
}

/// The filters of the decision list and of the figures, as typed (query string or form).
/// Dates are `YYYY-MM-DD`, inclusive, compared with the day the plan was signed on the hospital's
/// clock (its time zone; UTC unless the server sets one).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(default, deny_unknown_fields)]
pub struct DecisionQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub board: Option<String>,
    pub site: Option<String>,
    pub stage: Option<String>,
    pub option: Option<String>,
    pub meeting: Option<String>,
    pub signer: Option<String>,
    pub implemented: Option<String>,
}

/// [`DecisionQuery`] checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DecisionFilter {
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub board: Option<String>,
    pub site: Option<PrimarySite>,
    pub stage: Option<StageGroup>,
    pub option: Option<OptionCode>,
    pub meeting: Option<String>,
    pub signer: Option<String>,
    pub implemented: Option<Implementation>,
    /// The clock whose days the period counts (the hospital's).
    pub zone: std::sync::Arc<crate::zone::Zone>,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn date(e: &mut FieldErrorsBuilder, field: &str, v: &Option<String>) -> Option<chrono::NaiveDate> {
    let s = present(v)?;
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            e.add(field, "Give a date as YYYY-MM-DD, e.g. 2026-03-31.");
            None
        }
    }
}

fn id(e: &mut FieldErrorsBuilder, field: &str, v: &Option<String>) -> Option<String> {
    let s = present(v)?;
    if s.len() > 64 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        e.add(field, "Not an id this server gives out.");
        return None;
    }
    Some(s.to_string())
}

impl DecisionQuery {
    pub fn parse(&self) -> Result<DecisionFilter, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let mut code = |field: &str, v: &Option<String>, parse: &dyn Fn(&str) -> Result<(), String>| {
            if let Some(s) = present(v)
                && let Err(m) = parse(s)
            {
                e.add(field, m);
            }
        };
        code("site", &self.site, &|s| PrimarySite::parse(s).map(|_| ()));
        code("stage", &self.stage, &|s| StageGroup::parse(s).map(|_| ()));
        code("option", &self.option, &|s| OptionCode::parse(s).map(|_| ()));
        code("implemented", &self.implemented, &|s| Implementation::parse(s).map(|_| ()));
        let filter = DecisionFilter {
            from: date(&mut e, "from", &self.from),
            to: date(&mut e, "to", &self.to),
            board: id(&mut e, "board", &self.board),
            site: present(&self.site).and_then(|s| PrimarySite::parse(s).ok()),
            stage: present(&self.stage).and_then(|s| StageGroup::parse(s).ok()),
            option: present(&self.option).and_then(|s| OptionCode::parse(s).ok()),
            meeting: id(&mut e, "meeting", &self.meeting),
            signer: id(&mut e, "signer", &self.signer),
            implemented: present(&self.implemented).and_then(|s| Implementation::parse(s).ok()),
            zone: Default::default(),
        };
        if let (Some(f), Some(t)) = (filter.from, filter.to)
            && f > t
        {
            e.add("to", "The end of the period comes before its start.");
        }
        e.finish()?;
        Ok(filter)
    }
}

impl DecisionFilter {
    /// The filter counting days on `zone`'s clock.
    pub fn on(self, zone: std::sync::Arc<crate::zone::Zone>) -> Self {
        DecisionFilter { zone, ..self }
    }

    /// The day a stored time (`2026-03-31T08:00:00Z`) falls on, on the filter's clock.
    pub fn day_of(&self, at: &str) -> Option<chrono::NaiveDate> {
        self.zone.day(at)
    }

    /// Whether a stored time falls in the period.
    pub fn in_period(&self, at: &str) -> bool {
        let Some(d) = self.day_of(at) else { return false };
        self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t)
    }

    pub fn matches(&self, d: &Decision) -> bool {
        self.in_period(&d.signed_at)
            && self.board.as_ref().is_none_or(|b| *b == d.board_id)
            && self.site.is_none_or(|s| d.site == Some(s))
            && self.stage.is_none_or(|s| d.stage == Some(s))
            && self.option.is_none_or(|o| d.options.iter().any(|c| c.code == o.code()))
            && self.meeting.as_ref().is_none_or(|m| d.meeting.as_ref().is_some_and(|dm| dm.id == *m))
            && self.signer.as_ref().is_none_or(|s| d.signer.id == *s)
            && self.implemented.is_none_or(|i| d.outcome.status == i)
    }
}

/// A meeting of the period, as the figures need it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingFacts {
    pub id: String,
    pub title: String,
    pub starts_at: String,
    /// The cases on its agenda, each with its primary site.
    pub cases: Vec<(String, Option<PrimarySite>)>,
    /// The specialties of the members marked present.
    pub present: Vec<Specialty>,
}

/// A count out of a total, with its share (0 when the total is 0).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    pub count: u32,
    pub of: u32,
    /// count / of, rounded to three decimals; `null` when `of` is 0.
    pub share: Option<f64>,
}

impl Share {
    pub fn new(count: u32, of: u32) -> Share {
        Share { count, of, share: (of > 0).then(|| (count as f64 / of as f64 * 1000.0).round() / 1000.0) }
    }

    /// "3 of 4 (75%)".
    pub fn words(&self) -> String {
        match self.share {
            Some(s) => format!("{} of {} ({}%)", self.count, self.of, (s * 100.0).round()),
            None => format!("{} of 0", self.count),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConcordanceCounts {
    pub first_option: u32,
    pub other_proposed: u32,
    pub outside_proposal: u32,
    /// The reason given for every plan that did not take the first option.
    pub deviation_reasons: Vec<DeviationReason>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviationReason {
    pub case_id: String,
    pub concordance: Concordance,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeCounts {
    pub implemented: u32,
    pub not_implemented: u32,
    pub pending: u32,
    /// Plans not implemented, by the reason recorded (code → count).
    pub not_implemented_reasons: BTreeMap<String, u32>,
}

/// Trials named by signed plans, counted per plan and trial (a plan naming two trials counts
/// twice), in all and for each trial.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrialCounts {
    pub discussed: u32,
    pub offered: u32,
    pub enrolled: u32,
    pub not_enrolled: u32,
    /// Offered, and the plan's follow-up not recorded yet.
    pub pending: u32,
    /// Offered and not enrolled, by the reason recorded (code → count).
    pub not_enrolled_reasons: BTreeMap<String, u32>,
    /// The same, trial by trial (by acronym).
    pub by_trial: Vec<TrialCount>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrialCount {
    pub trial_id: String,
    pub acronym: String,
    pub discussed: u32,
    pub offered: u32,
    pub enrolled: u32,
}

/// Days from referral (case created) to decision (plan signed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Days {
    pub count: u32,
    pub median: Option<f64>,
    pub mean: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingCount {
    pub meeting_id: String,
    pub title: String,
    pub starts_at: String,
    pub cases: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteCount {
    /// The site's code; `null` for cases without a recorded site.
    pub site: Option<PrimarySite>,
    pub label: String,
    pub cases: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecialtyAttendance {
    pub specialty: Specialty,
    pub label: String,
    /// Meetings of the period with at least one member of this specialty marked present, out of
    /// the meetings of the period that have any attendance marked.
    pub meetings: Share,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Accreditation {
    pub discussed_before_treatment: Share,
    pub stage_recorded: Share,
    pub guideline_cited_proposal: Share,
    pub trial_discussed: Share,
    pub core_specialties_present: Share,
}

/// The board's figures for a period (`GET /api/v1/figures`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub board: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub plans_signed: u32,
    pub meetings: u32,
    pub cases_per_meeting: Vec<MeetingCount>,
    pub cases_per_site: Vec<SiteCount>,
    pub referral_to_decision_days: Days,
    pub concordance: ConcordanceCounts,
    pub outcomes: OutcomeCounts,
    pub attendance: Vec<SpecialtyAttendance>,
    pub accreditation: Accreditation,
    /// The centre's trials named by the signed plans: discussed, offered, enrolled (issue 21).
    pub trials: TrialCounts,
    /// Every figure's definition, by its key in this document.
    pub definitions: BTreeMap<String, String>,
}

/// The definition of each figure, by key (the same words on the page, in the JSON and the CSV).
pub const DEFINITIONS: [(&str, &str); 13] = [
    ("plans_signed", "Plans signed in the period (the day of the signature, UTC) on the chosen boards."),
    (
        "meetings",
        "Meetings of the chosen boards held in the period: started on a day in it, no later than today, and not cancelled.",
    ),
    ("cases_per_meeting", "Cases on the agenda of each meeting held in the period."),
    ("cases_per_site", "Distinct cases on the agenda of a meeting held in the period, by the case's primary site."),
    (
        "referral_to_decision_days",
        "Days from the case's creation (referral) to its plan's signature, over the plans signed in the period.",
    ),
    (
        "concordance",
        "Signed plans by how their options relate to the proposal stored at signing: the first proposed option \
         is among them; else every option was proposed; else at least one option was outside the proposal.",
    ),
    (
        "outcomes",
        "Signed plans by their follow-up: carried out, not carried out (with the reason), or not yet recorded.",
    ),
    (
        "attendance",
        "For each specialty, the meetings of the period (with attendance marked) at which at least one member of \
         that specialty was marked present.",
    ),
    (
        "accreditation.discussed_before_treatment",
        "Signed plans whose case, as decided on, recorded no earlier treatment.",
    ),
    ("accreditation.stage_recorded", "Signed plans whose case, as decided on, had a stage group."),
    (
        "accreditation.guideline_cited_proposal",
        "Signed plans whose stored proposal had at least one option citing a guideline.",
    ),
    ("accreditation.trial_discussed", "Signed plans recording that a clinical trial was discussed."),
    (
        "trials",
        "Trials of the centre's register named by the signed plans, counted once per plan and trial: discussed, \
         offered to the patient, and, from the follow-up, enrolled, not enrolled (with the reason) or not yet known.",
    ),
];

/// The definition of core specialties present (kept apart from [`DEFINITIONS`] only for length).
pub const CORE_PRESENT_DEFINITION: &str = "Signed plans made at a meeting where surgery, medical oncology, radiology \
     and pathology were each marked present (plans without a meeting count as not).";

fn share_of(decisions: &[Decision], test: impl Fn(&Decision) -> bool) -> Share {
    Share::new(decisions.iter().filter(|d| test(d)).count() as u32, decisions.len() as u32)
}

fn days_between(from: &str, to: &str) -> Option<f64> {
    let a = chrono::DateTime::parse_from_rfc3339(from).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(to).ok()?;
    Some(((b - a).num_seconds() as f64 / 86_400.0 * 10.0).round() / 10.0)
}

fn days(values: Vec<f64>) -> Days {
    let mut v = values;
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        return Days::default();
    }
    let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
    let mean = v.iter().sum::<f64>() / n as f64;
    Days {
        count: n as u32,
        median: Some((median * 10.0).round() / 10.0),
        mean: Some((mean * 10.0).round() / 10.0),
        min: v.first().copied(),
        max: v.last().copied(),
    }
}

/// The figures of `decisions` (already limited to the period and boards) and of the period's
/// `meetings`.
pub fn figures(filter: &DecisionFilter, decisions: &[Decision], meetings: &[MeetingFacts]) -> Figures {
    let mut concordance = ConcordanceCounts::default();
    let mut outcomes = OutcomeCounts::default();
    for d in decisions {
        match d.concordance {
            Concordance::FirstOption => concordance.first_option += 1,
            Concordance::OtherProposed => concordance.other_proposed += 1,
            Concordance::OutsideProposal => concordance.outside_proposal += 1,
        }
        if d.concordance != Concordance::FirstOption {
            concordance.deviation_reasons.push(DeviationReason {
                case_id: d.case_id.clone(),
                concordance: d.concordance,
                reason: d.deviation_reason.clone().unwrap_or_else(|| "(no reason recorded)".into()),
            });
        }
        match d.outcome.status {
            Implementation::Implemented => outcomes.implemented += 1,
            Implementation::NotImplemented => {
                outcomes.not_implemented += 1;
                let reason = d.outcome.reason.map(|r| r.code()).unwrap_or("not_given");
                *outcomes.not_implemented_reasons.entry(reason.to_string()).or_default() += 1;
            }
            Implementation::Pending => outcomes.pending += 1,
        }
    }
    let trials = trial_counts(decisions);
    let mut sites: BTreeMap<Option<PrimarySite>, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for m in meetings {
        for (case, site) in &m.cases {
            sites.entry(*site).or_default().insert(case);
        }
    }
    let mut cases_per_site: Vec<SiteCount> = sites
        .into_iter()
        .map(|(site, cases)| SiteCount {
            site,
            label: site.map(|s| s.label()).unwrap_or("Site not recorded").to_string(),
            cases: cases.len() as u32,
        })
        .collect();
    cases_per_site.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.label.cmp(&b.label)));
    let marked: Vec<&MeetingFacts> = meetings.iter().filter(|m| !m.present.is_empty()).collect();
    let attendance = Specialty::ALL
        .iter()
        .filter(|s| **s != Specialty::Other)
        .map(|&s| SpecialtyAttendance {
            specialty: s,
            label: s.label().to_string(),
            meetings: Share::new(marked.iter().filter(|m| m.present.contains(&s)).count() as u32, marked.len() as u32),
        })
        .collect();
    let mut definitions: BTreeMap<String, String> =
        DEFINITIONS.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    definitions.insert("accreditation.core_specialties_present".into(), CORE_PRESENT_DEFINITION.into());
    Figures {
        board: filter.board.clone(),
        from: filter.from.map(|d| d.to_string()),
        to: filter.to.map(|d| d.to_string()),
        plans_signed: decisions.len() as u32,
        meetings: meetings.len() as u32,
        cases_per_meeting: meetings
            .iter()
            .map(|m| MeetingCount {
                meeting_id: m.id.clone(),
                title: m.title.clone(),
                starts_at: m.starts_at.clone(),
                cases: m.cases.len() as u32,
            })
            .collect(),
        cases_per_site,
        referral_to_decision_days: days(
            decisions.iter().filter_map(|d| days_between(&d.referred_at, &d.signed_at)).collect(),
        ),
        concordance,
        outcomes,
        attendance,
        accreditation: Accreditation {
            discussed_before_treatment: share_of(decisions, |d| d.before_treatment),
            stage_recorded: share_of(decisions, |d| d.stage.is_some()),
            guideline_cited_proposal: share_of(decisions, |d| d.guideline_cited),
            trial_discussed: share_of(decisions, |d| d.trial_discussed),
            core_specialties_present: share_of(decisions, |d| d.core_present == Some(true)),
        },
        trials,
        definitions,
    }
}

fn trial_counts(decisions: &[Decision]) -> TrialCounts {
    let mut c = TrialCounts::default();
    for d in decisions {
        for t in &d.trials {
            let i = match c.by_trial.iter().position(|x| x.trial_id == t.trial_id) {
                Some(i) => i,
                None => {
                    c.by_trial.push(TrialCount {
                        trial_id: t.trial_id.clone(),
                        acronym: t.acronym.clone(),
                        ..Default::default()
                    });
                    c.by_trial.len() - 1
                }
            };
            let one = &mut c.by_trial[i];
            c.discussed += 1;
            one.discussed += 1;
            if !t.offered {
                continue;
            }
            c.offered += 1;
            one.offered += 1;
            match t.enrolled {
                Some(true) => {
                    c.enrolled += 1;
                    one.enrolled += 1;
                }
                Some(false) => {
                    c.not_enrolled += 1;
                    let reason = t.reason.map(|r| r.code()).unwrap_or("not_given");
                    *c.not_enrolled_reasons.entry(reason.to_string()).or_default() += 1;
                }
                None => c.pending += 1,
            }
        }
    }
    c.by_trial.sort_by(|a, b| a.acronym.cmp(&b.acronym).then(a.trial_id.cmp(&b.trial_id)));
    c
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

fn opt_num(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

impl Figures {
    fn definition(&self, key: &str) -> &str {
        self.definitions.get(key).map(String::as_str).unwrap_or("")
    }

    /// The figures as CSV, one figure a row: `figure,value,definition`; a meeting is named by
    /// its day on `zone`'s clock (the hospital's) and its title.
    pub fn to_csv(&self, zone: &crate::zone::Zone) -> String {
        let mut rows: Vec<(String, String, String)> = Vec::new();
        let mut row = |figure: String, value: String, def: &str| rows.push((figure, value, def.to_string()));
        row("plans_signed".into(), self.plans_signed.to_string(), self.definition("plans_signed"));
        row("meetings".into(), self.meetings.to_string(), self.definition("meetings"));
        for m in &self.cases_per_meeting {
            row(
                format!(
                    "cases_per_meeting.{} {}",
                    zone.day(&m.starts_at).map(|d| d.to_string()).unwrap_or_default(),
                    m.title
                ),
                m.cases.to_string(),
                self.definition("cases_per_meeting"),
            );
        }
        for s in &self.cases_per_site {
            let key = s.site.map(|s| s.code()).unwrap_or("not_recorded");
            row(format!("cases_per_site.{key}"), s.cases.to_string(), self.definition("cases_per_site"));
        }
        let d = &self.referral_to_decision_days;
        let def = self.definition("referral_to_decision_days");
        row("referral_to_decision_days.count".into(), d.count.to_string(), def);
        row("referral_to_decision_days.median".into(), opt_num(d.median), def);
        row("referral_to_decision_days.mean".into(), opt_num(d.mean), def);
        row("referral_to_decision_days.min".into(), opt_num(d.min), def);
        row("referral_to_decision_days.max".into(), opt_num(d.max), def);
        let def = self.definition("concordance");
        row("concordance.first_option".into(), self.concordance.first_option.to_string(), def);
        row("concordance.other_proposed".into(), self.concordance.other_proposed.to_string(), def);
        row("concordance.outside_proposal".into(), self.concordance.outside_proposal.to_string(), def);
        let def = self.definition("outcomes");
        row("outcomes.implemented".into(), self.outcomes.implemented.to_string(), def);
        row("outcomes.not_implemented".into(), self.outcomes.not_implemented.to_string(), def);
        row("outcomes.pending".into(), self.outcomes.pending.to_string(), def);
        for (reason, n) in &self.outcomes.not_implemented_reasons {
            row(format!("outcomes.not_implemented.{reason}"), n.to_string(), def);
        }
        for a in &self.attendance {
            row(format!("attendance.{}", a.specialty.code()), opt_num(a.meetings.share), self.definition("attendance"));
        }
        let acc = &self.accreditation;
        for (key, share) in [
            ("discussed_before_treatment", acc.discussed_before_treatment),
            ("stage_recorded", acc.stage_recorded),
            ("guideline_cited_proposal", acc.guideline_cited_proposal),
            ("trial_discussed", acc.trial_discussed),
            ("core_specialties_present", acc.core_specialties_present),
        ] {
            let full = format!("accreditation.{key}");
            let def = self.definitions.get(&full).map(String::as_str).unwrap_or("");
            row(full, opt_num(share.share), def);
        }
        let def = self.definition("trials");
        let t = &self.trials;
        for (key, n) in [
            ("discussed", t.discussed),
            ("offered", t.offered),
            ("enrolled", t.enrolled),
            ("not_enrolled", t.not_enrolled),
            ("pending", t.pending),
        ] {
            row(format!("trials.{key}"), n.to_string(), def);
        }
        for (reason, n) in &t.not_enrolled_reasons {
            row(format!("trials.not_enrolled.{reason}"), n.to_string(), def);
        }
        for one in &t.by_trial {
            for (key, n) in [("discussed", one.discussed), ("offered", one.offered), ("enrolled", one.enrolled)] {
                row(format!("trials.{}.{key}", one.acronym), n.to_string(), def);
            }
        }
        let mut out = String::from("figure,value,definition\r\n");
        for (f, v, d) in rows {
            out.push_str(&format!("{},{},{}\r\n", csv_field(&f), csv_field(&v), csv_field(&d)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Enrolment;
    use crate::proposer::{Intent, ProposedOption};

    fn proposal(codes: &[OptionCode], cited: bool) -> Proposal {
        Proposal {
            ruleset_version: "test".into(),
            options: codes
                .iter()
                .enumerate()
                .map(|(i, &code)| ProposedOption {
                    code,
                    rank: i as u32 + 1,
                    intent: Intent::Curative,
                    rationale: "because".into(),
                    sources: if cited { vec!["ENETS 2023".into()] } else { vec![] },
                    rules: vec![],
                })
                .collect(),
            prerequisites: vec![],
            warnings: vec![],
            alternatives: vec![],
        }
    }

    fn facts(case: &str, signed_at: &str, options: &[OptionCode], proposed: &[OptionCode]) -> DecisionFacts {
        DecisionFacts {
            case_id: case.into(),
            mrn: format!("MRN-{case}"),
            patient_name: format!("Patient {case}"),
            board_id: "b1".into(),
            board_name: "NET board".into(),
            referred_at: "2026-03-01T08:00:00Z".into(),
            signed_at: signed_at.into(),
            signer: Person { id: "u1".into(), name: "Dr One".into() },
            meeting: None,
            options: options.to_vec(),
            proposal: proposal(proposed, true),
            deviation_reason: None,
            trial_discussed: false,
            trials: vec![],
            site: Some(PrimarySite::Pancreas),
            stage: Some(StageGroup::Localized),
            prior_treatments: 0,
            outcome: None,
            present: None,
        }
    }

    use OptionCode as O;

    fn three_options() -> [OptionCode; 3] {
        [O::ALL[0], O::ALL[1], O::ALL[2]]
    }

    #[test]
    fn concordance_is_exactly_one_of_three() {
        let [a, b, c] = three_options();
        let p = proposal(&[a, b], true);
        assert_eq!(Concordance::of(&p, &[a]), Concordance::FirstOption);
        assert_eq!(Concordance::of(&p, &[b, a]), Concordance::FirstOption);
        assert_eq!(Concordance::of(&p, &[a, c]), Concordance::FirstOption);
        assert_eq!(Concordance::of(&p, &[b]), Concordance::OtherProposed);
        assert_eq!(Concordance::of(&p, &[b, c]), Concordance::OutsideProposal);
        assert_eq!(Concordance::of(&p, &[c]), Concordance::OutsideProposal);
        assert_eq!(Concordance::of(&proposal(&[], true), &[c]), Concordance::OutsideProposal);
    }

    #[test]
    fn query_errors_name_each_field_and_a_good_query_parses() {
        let bad = DecisionQuery {
            from: Some("31.03.2026".into()),
            site: Some("moon".into()),
            stage: Some("stage IX".into()),
            option: Some("magic".into()),
            implemented: Some("maybe".into()),
            board: Some("x'; DROP".into()),
            ..Default::default()
        };
        let err = bad.parse().unwrap_err();
        for f in ["from", "site", "stage", "option", "implemented", "board"] {
            assert!(err.fields.contains_key(f), "{f}: {err:?}");
        }
        let reversed =
            DecisionQuery { from: Some("2026-05-01".into()), to: Some("2026-04-01".into()), ..Default::default() };
        assert!(reversed.parse().unwrap_err().fields.contains_key("to"));
        let ok = DecisionQuery {
            from: Some("2026-01-01".into()),
            to: Some(" 2026-12-31 ".into()),
            site: Some(PrimarySite::Pancreas.code().into()),
            implemented: Some("pending".into()),
            board: Some("".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(ok.site, Some(PrimarySite::Pancreas));
        assert_eq!(ok.implemented, Some(Implementation::Pending));
        assert_eq!(ok.board, None);
        assert_eq!(ok.to, chrono::NaiveDate::from_ymd_opt(2026, 12, 31));
    }

    #[test]
    fn the_filter_takes_each_criterion_and_the_period_inclusively() {
        let [a, b, _] = three_options();
        let d = Decision::from_facts(facts("c1", "2026-03-31T23:59:00Z", &[a], &[a, b]));
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let f = |f: DecisionFilter| f.matches(&d);
        assert!(f(DecisionFilter::default()));
        assert!(f(DecisionFilter { from: day("2026-03-31"), to: day("2026-03-31"), ..Default::default() }));
        assert!(!f(DecisionFilter { from: day("2026-04-01"), ..Default::default() }));
        assert!(!f(DecisionFilter { to: day("2026-03-30"), ..Default::default() }));
        assert!(f(DecisionFilter { option: Some(a), ..Default::default() }));
        assert!(!f(DecisionFilter { option: Some(b), ..Default::default() }));
        assert!(f(DecisionFilter { site: Some(PrimarySite::Pancreas), ..Default::default() }));
        assert!(!f(DecisionFilter { board: Some("b2".into()), ..Default::default() }));
        assert!(!f(DecisionFilter { meeting: Some("m1".into()), ..Default::default() }));
        assert!(f(DecisionFilter { signer: Some("u1".into()), ..Default::default() }));
        assert!(f(DecisionFilter { implemented: Some(Implementation::Pending), ..Default::default() }));
        assert!(!f(DecisionFilter { implemented: Some(Implementation::Implemented), ..Default::default() }));
    }

    #[test]
    fn every_figure_of_a_known_set_is_exact() {
        let [a, b, c] = three_options();
        let mut list = Vec::new();
        // 1: first option, implemented, 10 days, trial discussed, core present.
        let mut f1 = facts("c1", "2026-03-11T08:00:00Z", &[a], &[a, b]);
        let trial = |id: &str, acronym: &str, offered: bool| PlanTrial {
            trial_id: id.into(),
            acronym: acronym.into(),
            registry_id: "NCT20990001".into(),
            offered,
            note: String::new(),
        };
        f1.outcome = Some(OutcomeRecord {
            implemented: true,
            reason: None,
            date: None,
            note: String::new(),
            trials: vec![
                Enrolment {
                    trial_id: "t1".into(),
                    acronym: "PRRT-X".into(),
                    enrolled: false,
                    reason: Some(NotEnrolledReason::PatientDeclined),
                    note: String::new(),
                },
                Enrolment {
                    trial_id: "t2".into(),
                    acronym: "PNET-Y".into(),
                    enrolled: true,
                    reason: None,
                    note: String::new(),
                },
            ],
        });
        f1.trial_discussed = true;
        f1.trials = vec![trial("t1", "PRRT-X", true), trial("t2", "PNET-Y", true), trial("t3", "ZETA", false)];
        f1.present = Some(Specialty::CORE.to_vec());
        list.push(f1);
        // 2: another proposed option, not implemented (patient's choice), 20 days, no stage.
        let mut f2 = facts("c2", "2026-03-21T08:00:00Z", &[b], &[a, b]);
        f2.deviation_reason = Some("Patient prefers surveillance".into());
        f2.outcome = Some(OutcomeRecord {
            implemented: false,
            reason: Some(NotImplementedReason::PatientChoice),
            date: None,
            note: String::new(),
            trials: vec![],
        });
        f2.stage = None;
        f2.present = Some(vec![Specialty::Surgery, Specialty::Radiology]);
        list.push(f2);
        // 3: outside the proposal, pending, 40 days, prior treatment, uncited proposal.
        let mut f3 = facts("c3", "2026-04-10T08:00:00Z", &[c], &[a, b]);
        f3.proposal = proposal(&[a, b], false);
        f3.deviation_reason = Some("New imaging".into());
        f3.prior_treatments = 1;
        list.push(f3);
        // 4: first option, pending, 30 days, a trial offered (its enrolment not known yet).
        let mut f4 = facts("c4", "2026-03-31T08:00:00Z", &[a, c], &[a]);
        f4.trial_discussed = true;
        f4.trials = vec![trial("t1", "PRRT-X", true)];
        list.push(f4);
        let decisions: Vec<Decision> = list.into_iter().map(Decision::from_facts).collect();
        let meetings = vec![
            MeetingFacts {
                id: "m1".into(),
                title: "March board".into(),
                starts_at: "2026-03-10T16:00:00Z".into(),
                cases: vec![("c1".into(), Some(PrimarySite::Pancreas)), ("c2".into(), None)],
                present: Specialty::CORE.to_vec(),
            },
            MeetingFacts {
                id: "m2".into(),
                title: "April board".into(),
                starts_at: "2026-04-07T16:00:00Z".into(),
                cases: vec![("c1".into(), Some(PrimarySite::Pancreas)), ("c3".into(), Some(PrimarySite::Pancreas))],
                present: vec![Specialty::Surgery, Specialty::Pathology],
            },
            MeetingFacts {
                id: "m3".into(),
                title: "Cancelled".into(),
                starts_at: "2026-04-21T16:00:00Z".into(),
                cases: vec![],
                present: vec![],
            },
        ];
        let fig = figures(&DecisionFilter::default(), &decisions, &meetings);
        assert_eq!(fig.plans_signed, 4);
        assert_eq!(fig.meetings, 3);
        assert_eq!(fig.cases_per_meeting.iter().map(|m| m.cases).collect::<Vec<_>>(), vec![2, 2, 0]);
        assert_eq!(fig.cases_per_site.len(), 2);
        assert_eq!((fig.cases_per_site[0].site, fig.cases_per_site[0].cases), (Some(PrimarySite::Pancreas), 2));
        assert_eq!((fig.cases_per_site[1].site, fig.cases_per_site[1].cases), (None, 1));
        let d = &fig.referral_to_decision_days;
        assert_eq!((d.count, d.median, d.mean, d.min, d.max), (4, Some(25.0), Some(25.0), Some(10.0), Some(40.0)));
        let c = &fig.concordance;
        assert_eq!((c.first_option, c.other_proposed, c.outside_proposal), (2, 1, 1));
        assert_eq!(
            c.deviation_reasons.iter().map(|r| (r.case_id.as_str(), r.reason.as_str())).collect::<Vec<_>>(),
            vec![("c2", "Patient prefers surveillance"), ("c3", "New imaging")]
        );
        let o = &fig.outcomes;
        assert_eq!((o.implemented, o.not_implemented, o.pending), (1, 1, 2));
        assert_eq!(o.not_implemented_reasons.get("patient_choice"), Some(&1));
        let att = |s: Specialty| fig.attendance.iter().find(|a| a.specialty == s).unwrap().meetings;
        assert_eq!(att(Specialty::Surgery), Share::new(2, 2));
        assert_eq!(att(Specialty::Radiology), Share::new(1, 2));
        assert_eq!(att(Specialty::NuclearMedicine), Share::new(0, 2));
        assert_eq!(att(Specialty::Radiology).share, Some(0.5));
        let acc = &fig.accreditation;
        assert_eq!(acc.discussed_before_treatment, Share::new(3, 4));
        assert_eq!(acc.stage_recorded, Share::new(3, 4));
        assert_eq!(acc.guideline_cited_proposal, Share::new(3, 4));
        assert_eq!(acc.trial_discussed, Share::new(2, 4));
        assert_eq!(acc.core_specialties_present, Share::new(1, 4));
        assert_eq!(acc.trial_discussed.share, Some(0.5));
        let t = &fig.trials;
        assert_eq!((t.discussed, t.offered, t.enrolled, t.not_enrolled, t.pending), (4, 3, 1, 1, 1));
        assert_eq!(t.not_enrolled_reasons.get("patient_declined"), Some(&1));
        assert_eq!(
            t.by_trial.iter().map(|x| (x.acronym.as_str(), x.discussed, x.offered, x.enrolled)).collect::<Vec<_>>(),
            vec![("PNET-Y", 1, 1, 1), ("PRRT-X", 2, 2, 0), ("ZETA", 1, 0, 0)]
        );
        assert_eq!(fig.definitions.len(), 14);

        let csv = fig.to_csv(&crate::zone::Zone::utc());
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "figure,value,definition");
        let value = |figure: &str| {
            lines
                .iter()
                .find(|l| l.starts_with(&format!("{figure},")))
                .map(|l| l.split(',').nth(1).unwrap().to_string())
        };
        assert_eq!(value("plans_signed").as_deref(), Some("4"));
        assert_eq!(value("concordance.first_option").as_deref(), Some("2"));
        assert_eq!(value("concordance.outside_proposal").as_deref(), Some("1"));
        assert_eq!(value("outcomes.pending").as_deref(), Some("2"));
        assert_eq!(value("outcomes.not_implemented.patient_choice").as_deref(), Some("1"));
        assert_eq!(value("referral_to_decision_days.median").as_deref(), Some("25"));
        assert_eq!(value("accreditation.trial_discussed").as_deref(), Some("0.5"));
        assert_eq!(value("trials.offered").as_deref(), Some("3"));
        assert_eq!(value("trials.not_enrolled.patient_declined").as_deref(), Some("1"));
        assert_eq!(value("trials.PRRT-X.discussed").as_deref(), Some("2"));
        assert_eq!(value("cases_per_site.not_recorded").as_deref(), Some("1"));
        // Every row has a definition, quoted when it holds a comma.
        assert!(lines[1..].iter().all(|l| l.matches(',').count() >= 2 && !l.ends_with(',')), "{csv}");
    }

    #[test]
    fn an_empty_period_has_zeroes_and_no_shares() {
        let fig = figures(&DecisionFilter::default(), &[], &[]);
        assert_eq!(fig.plans_signed, 0);
        assert_eq!(fig.accreditation.stage_recorded, Share { count: 0, of: 0, share: None });
        assert_eq!(fig.referral_to_decision_days, Days::default());
        assert!(fig.to_csv(&crate::zone::Zone::utc()).contains("accreditation.stage_recorded,,"));
    }
}
