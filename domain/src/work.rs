//! Before the meeting (issue 18): which specialties' voices a case still lacks, what each case
//! of the pipeline waits for and since when, and the shape of each role's "my work".
//! Pure: the server reads the rows; this module decides.

use serde::{Deserialize, Serialize};

use crate::annotation::AnnotationKind;
use crate::case::MeetingRef;
use crate::codes::{CaseStatus, PrimarySite};
use crate::error::{FieldErrorsBuilder, Invalid};
use crate::role::{Role, Specialty};

/// Where one expected specialty stands on a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VoiceState {
    /// An assessment or a recommendation of the specialty stands.
    Given,
    /// The specialty said it has nothing to add.
    NoComment,
    /// Not given yet, and someone asked for it.
    Asked,
    /// Not given and not asked for.
    Missing,
}

impl VoiceState {
    pub fn code(self) -> &'static str {
        match self {
            VoiceState::Given => "given",
            VoiceState::NoComment => "no_comment",
            VoiceState::Asked => "asked",
            VoiceState::Missing => "missing",
        }
    }

    /// Whether the board still waits for this voice.
    pub fn awaited(self) -> bool {
        matches!(self, VoiceState::Asked | VoiceState::Missing)
    }
}

/// One standing annotation of the case, as far as voices are concerned.
#[derive(Clone, Debug, PartialEq)]
pub struct VoiceFact {
    pub specialty: Specialty,
    /// The kind of its latest version.
    pub kind: AnnotationKind,
    pub withdrawn: bool,
}

/// A request for a specialty's view (a coordinator's in-app ask).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoiceRequest {
    pub specialty: Specialty,
    pub asked_by_name: String,
    pub asked_at: String,
    pub note: String,
}

/// Where a specialty stands on a case, with the latest request if any.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoiceStatus {
    pub specialty: Specialty,
    pub state: VoiceState,
    /// Whether the case's board expects this specialty (a specialty asked without being expected
    /// is listed too).
    pub expected: bool,
    pub request: Option<VoiceRequest>,
}

/// Each expected specialty's state on a case, then any other specialty that was asked. A voice
/// counts when a non-withdrawn assessment, recommendation or "no comment" of that specialty
/// stands; a question is not a view.
pub fn voices(expected: &[Specialty], given: &[VoiceFact], requests: &[VoiceRequest]) -> Vec<VoiceStatus> {
    let state_of = |s: Specialty| {
        let standing = given.iter().filter(|g| g.specialty == s && !g.withdrawn);
        let mut state = None;
        for g in standing {
            match g.kind {
                AnnotationKind::Assessment | AnnotationKind::Recommendation => return VoiceState::Given,
                AnnotationKind::NoComment => state = Some(VoiceState::NoComment),
                AnnotationKind::Question => {}
            }
        }
        state.unwrap_or(if requests.iter().any(|r| r.specialty == s) { VoiceState::Asked } else { VoiceState::Missing })
    };
    let latest_request =
        |s: Specialty| requests.iter().filter(|r| r.specialty == s).max_by(|a, b| a.asked_at.cmp(&b.asked_at)).cloned();
    let mut out: Vec<VoiceStatus> = expected
        .iter()
        .map(|&s| VoiceStatus { specialty: s, state: state_of(s), expected: true, request: latest_request(s) })
        .collect();
    for r in requests {
        if !out.iter().any(|v| v.specialty == r.specialty) {
            out.push(VoiceStatus {
                specialty: r.specialty,
                state: state_of(r.specialty),
                expected: false,
                request: latest_request(r.specialty),
            });
        }
    }
    out
}

/// The voices' facts of a case's annotations (each annotation's latest version).
pub fn voice_facts(annotations: &[crate::annotation::Annotation]) -> Vec<VoiceFact> {
    annotations
        .iter()
        .filter_map(|a| {
            a.versions.last().map(|v| VoiceFact { specialty: a.specialty, kind: v.kind, withdrawn: a.withdrawn })
        })
        .collect()
}

/// The specialties the board still waits for.
pub fn awaited(statuses: &[VoiceStatus]) -> Vec<Specialty> {
    statuses.iter().filter(|v| v.state.awaited()).map(|v| v.specialty).collect()
}

/// A coordinator's request for a specialty's view, as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct VoiceRequestInput {
    pub specialty: String,
    /// What the board needs from them (optional, at most 1,000 characters).
    pub note: String,
}

pub const MAX_REQUEST_NOTE: usize = 1_000;

impl VoiceRequestInput {
    pub fn parse(&self) -> Result<(Specialty, String), Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let specialty = match self.specialty.trim() {
            "" => {
                e.add("specialty", "Choose the specialty to ask.");
                None
            }
            s => Specialty::parse(s).map_err(|m| e.add("specialty", m)).ok(),
        };
        let note =
            crate::text::field(&mut e, "note", &self.note, MAX_REQUEST_NOTE, crate::text::Shape::Lines, "The note");
        e.finish()?;
        Ok((specialty.expect("checked"), note))
    }
}

/// What a case in the pipeline waits for, in words a coordinator acts on.
pub fn waits_for(
    status: CaseStatus,
    missing_fields: usize,
    meeting: Option<&MeetingRef>,
    awaited_voices: &[Specialty],
    plan_recorded: bool,
) -> String {
    let voices = || {
        let names: Vec<&str> = awaited_voices.iter().map(|s| s.label()).collect();
        names.join(", ")
    };
    match status {
        CaseStatus::Draft if missing_fields > 0 => {
            format!("Complete data: {missing_fields} field{} missing", if missing_fields == 1 { "" } else { "s" })
        }
        CaseStatus::Draft => "Marking ready for the board".into(),
        CaseStatus::Ready => "A place on a meeting's agenda".into(),
        CaseStatus::OnAgenda if !awaited_voices.is_empty() => {
            format!("Voices before the meeting: {}", voices())
        }
        CaseStatus::OnAgenda => match meeting {
            Some(m) => format!("Discussion at {}", m.title),
            None => "Discussion at the meeting".into(),
        },
        CaseStatus::Discussed if plan_recorded => "A clinician's signature on the plan".into(),
        CaseStatus::Discussed => "The board's plan to be recorded".into(),
        CaseStatus::PlanSigned => "Follow-up: was the plan carried out?".into(),
        CaseStatus::FollowedUp => "Nothing: done".into(),
    }
}

/// Whole days from `since` to `now` (both stored UTC times); 0 when either is unreadable.
pub fn days_between(since: &str, now: &str) -> i64 {
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
    match (parse(since), parse(now)) {
        (Some(a), Some(b)) => (b - a).num_days().max(0),
        _ => 0,
    }
}

/// One case on the pipeline board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PipelineCard {
    pub case_id: String,
    pub patient_name: String,
    pub mrn: String,
    pub board_id: String,
    pub board_name: String,
    pub site: Option<PrimarySite>,
    pub summary: String,
    pub status: CaseStatus,
    /// When the case reached its current status.
    pub since: String,
    /// Whole days in the current status.
    pub days: i64,
    pub waits_for: String,
    pub awaited_voices: Vec<Specialty>,
    pub meeting: Option<MeetingRef>,
    /// Ready for the board (complete) — the pipeline offers "Mark ready" on a complete draft.
    pub complete: bool,
    pub version: i64,
}

/// The pipeline's filters as typed (`GET /api/v1/pipeline?board=&site=&min_days=`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(default, deny_unknown_fields)]
pub struct PipelineQuery {
    pub board: Option<String>,
    pub site: Option<String>,
    /// Only cases at least this many days in their current status.
    pub min_days: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PipelineFilter {
    pub board: Option<String>,
    pub site: Option<PrimarySite>,
    pub min_days: Option<i64>,
}

impl PipelineQuery {
    pub fn parse(&self) -> Result<PipelineFilter, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let board = text(&self.board);
        if board.as_deref().is_some_and(|b| b.len() > 64 || !b.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')) {
            e.add("board", "Not an id this server gives out.");
        }
        let site = text(&self.site).and_then(|s| PrimarySite::parse(&s).map_err(|m| e.add("site", m)).ok());
        let min_days = text(&self.min_days).and_then(|d| match d.parse::<i64>() {
            Ok(n) if (0..=3650).contains(&n) => Some(n),
            _ => {
                e.add("min_days", "Give a whole number of days from 0 to 3650.");
                None
            }
        });
        e.finish()?;
        Ok(PipelineFilter { board, site, min_days })
    }
}

impl PipelineFilter {
    pub fn matches(&self, c: &PipelineCard) -> bool {
        self.board.as_ref().is_none_or(|b| *b == c.board_id)
            && self.site.is_none_or(|s| c.site == Some(s))
            && self.min_days.is_none_or(|d| c.days >= d)
    }
}

/// One item of a "my work" list: a case and why it is there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItem {
    pub case_id: String,
    pub patient_name: String,
    pub mrn: String,
    pub summary: String,
    /// What is awaited, in words ("Missing: ECOG, SSTR imaging"; "Asked by Cora: …").
    pub detail: String,
    pub since: String,
    pub meeting: Option<MeetingRef>,
}

/// How ready the next meeting's agenda is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaReadiness {
    pub meeting: MeetingRef,
    pub cases: u32,
    /// Cases with everything the board needs.
    pub complete: u32,
    /// Cases still lacking at least one expected voice.
    pub awaiting_voices: u32,
}

/// A break-glass access for the reviewer's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GlassItem {
    pub case_id: String,
    pub display_name: String,
    pub reason: String,
    pub granted_at: String,
}

/// What waits for the logged-in user (`GET /api/v1/me/work`), by role; lists a role has no
/// part in are empty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyWork {
    pub role: Role,
    pub specialty: Option<Specialty>,
    /// Coordinators: the next meeting of each of their boards.
    pub next_meetings: Vec<AgendaReadiness>,
    /// Coordinators: cases not yet complete, with what is missing and who was asked.
    pub incomplete: Vec<WorkItem>,
    /// Clinicians: cases on upcoming agendas without their specialty's voice (asked or not).
    pub awaiting_my_voice: Vec<WorkItem>,
    /// Clinicians: open questions another specialty asked of theirs (answered by a reply).
    #[serde(default)]
    pub questions_for_me: Vec<WorkItem>,
    /// Clinicians: recorded plans not yet signed.
    pub awaiting_signature: Vec<WorkItem>,
    /// Coordinators and clinicians: signed plans whose follow-up is not recorded.
    pub awaiting_follow_up: Vec<WorkItem>,
    /// Reviewers: the latest signed decisions (to audit).
    pub decisions_to_audit: Vec<WorkItem>,
    /// Reviewers and admins: emergency accesses of the last 30 days.
    pub break_glass: Vec<GlassItem>,
    /// Admins: active users and boards.
    pub users: Option<i64>,
    pub boards: Option<i64>,
}

impl MyWork {
    /// The number the navigation shows: what this user is asked to act on.
    pub fn count(&self) -> usize {
        self.incomplete.len()
            + self.awaiting_my_voice.len()
            + self.questions_for_me.len()
            + self.awaiting_signature.len()
            + self.awaiting_follow_up.len()
            + self.break_glass.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(s: Specialty, kind: AnnotationKind, withdrawn: bool) -> VoiceFact {
        VoiceFact { specialty: s, kind, withdrawn }
    }

    fn ask(s: Specialty, at: &str) -> VoiceRequest {
        VoiceRequest { specialty: s, asked_by_name: "Cora".into(), asked_at: at.into(), note: String::new() }
    }

    #[test]
    fn each_expected_voice_is_given_no_comment_asked_or_missing() {
        use Specialty::*;
        let expected = Specialty::CORE;
        let given = [
            fact(Surgery, AnnotationKind::Assessment, false),
            fact(Radiology, AnnotationKind::NoComment, false),
            fact(Pathology, AnnotationKind::Recommendation, true),
            fact(Pathology, AnnotationKind::Question, false),
            fact(MedicalOncology, AnnotationKind::NoComment, false),
            fact(MedicalOncology, AnnotationKind::Recommendation, false),
        ];
        let requests = [
            ask(Pathology, "2026-01-01T00:00:00Z"),
            ask(Pathology, "2026-01-02T00:00:00Z"),
            ask(NuclearMedicine, "2026-01-03T00:00:00Z"),
        ];
        let v = voices(&expected, &given, &requests);
        let state = |s: Specialty| v.iter().find(|x| x.specialty == s).unwrap().state;
        assert_eq!(state(Surgery), VoiceState::Given);
        assert_eq!(state(MedicalOncology), VoiceState::Given, "a view outweighs a no comment");
        assert_eq!(state(Radiology), VoiceState::NoComment);
        assert_eq!(state(Pathology), VoiceState::Asked, "a withdrawn view and a question are not a voice");
        assert_eq!(state(NuclearMedicine), VoiceState::Asked);
        assert_eq!(v.len(), 5);
        assert!(!v[4].expected);
        let path = v.iter().find(|x| x.specialty == Pathology).unwrap();
        assert_eq!(path.request.as_ref().unwrap().asked_at, "2026-01-02T00:00:00Z", "the latest request");
        assert_eq!(awaited(&v), vec![Pathology, NuclearMedicine]);
        let none = voices(&expected, &[], &[]);
        assert_eq!(awaited(&none), expected.to_vec());
        assert!(none.iter().all(|x| x.state == VoiceState::Missing));
    }

    #[test]
    fn a_request_names_a_real_specialty_and_a_short_note() {
        let ok = VoiceRequestInput { specialty: " pathology ".into(), note: " Ki-67 please ".into() }.parse().unwrap();
        assert_eq!(ok, (Specialty::Pathology, "Ki-67 please".into()));
        let err = VoiceRequestInput { specialty: "dermatology".into(), note: "x".repeat(1_001) }.parse().unwrap_err();
        assert!(err.fields.contains_key("specialty") && err.fields.contains_key("note"), "{err:?}");
        let err = VoiceRequestInput::default().parse().unwrap_err();
        assert!(err.fields.contains_key("specialty"));
    }

    #[test]
    fn every_status_says_what_it_waits_for() {
        let m =
            MeetingRef { id: "m".into(), title: "NET board 3 Dec".into(), starts_at: "2026-12-03T14:00:00Z".into() };
        assert_eq!(waits_for(CaseStatus::Draft, 2, None, &[], false), "Complete data: 2 fields missing");
        assert_eq!(waits_for(CaseStatus::Draft, 1, None, &[], false), "Complete data: 1 field missing");
        assert_eq!(waits_for(CaseStatus::Draft, 0, None, &[], false), "Marking ready for the board");
        assert_eq!(waits_for(CaseStatus::Ready, 0, None, &[], false), "A place on a meeting's agenda");
        assert_eq!(
            waits_for(CaseStatus::OnAgenda, 0, Some(&m), &[Specialty::Pathology, Specialty::Radiology], false),
            "Voices before the meeting: Pathology, Radiology"
        );
        assert_eq!(waits_for(CaseStatus::OnAgenda, 0, Some(&m), &[], false), "Discussion at NET board 3 Dec");
        assert_eq!(waits_for(CaseStatus::Discussed, 0, None, &[], true), "A clinician's signature on the plan");
        assert_eq!(waits_for(CaseStatus::Discussed, 0, None, &[], false), "The board's plan to be recorded");
        assert_eq!(waits_for(CaseStatus::PlanSigned, 0, None, &[], true), "Follow-up: was the plan carried out?");
        assert_eq!(waits_for(CaseStatus::FollowedUp, 0, None, &[], true), "Nothing: done");
    }

    #[test]
    fn pipeline_filters_check_their_values() {
        let err = PipelineQuery { board: Some("a b".into()), site: Some("moon".into()), min_days: Some("-1".into()) }
            .parse()
            .unwrap_err();
        for f in ["board", "site", "min_days"] {
            assert!(err.fields.contains_key(f), "{f}");
        }
        let f =
            PipelineQuery { min_days: Some("7".into()), site: Some("pancreas".into()), board: None }.parse().unwrap();
        assert_eq!(f.min_days, Some(7));
        assert_eq!(days_between("2026-12-01T10:00:00Z", "2026-12-08T09:59:59Z"), 6);
        assert_eq!(days_between("2026-12-01T10:00:00Z", "2026-12-08T10:00:00Z"), 7);
        assert_eq!(days_between("bad", "2026-12-08T10:00:00Z"), 0);
    }
}
