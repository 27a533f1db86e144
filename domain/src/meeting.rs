//! Meetings of the board: scheduling, the agenda and attendance.

use serde::{Deserialize, Serialize};

use crate::text::{self, Shape, has_control};

use super::codes::{CaseStatus, code_enum};
use super::role::Specialty;
use crate::error::{FieldErrorsBuilder, Invalid};
use crate::zone::{Wall, Zone};

code_enum!(
    /// How a case is on an agenda. Standard-of-care triage follows NHS England, "Streamlining
    /// Multi-Disciplinary Team Meetings: guidance for cancer alliances" (2020), section 3: cases
    /// with an agreed standard-of-care pathway are listed with their plan, not discussed, and the
    /// board can pull any of them into discussion.
    AgendaMode {
        Discuss => "discuss", "For discussion";
        StandardOfCare => "standard_of_care", "Standard of care (listed, not discussed)";
    }
);

/// Minutes per case when the coordinator has not estimated it.
pub const DEFAULT_MINUTES: i64 = 5;
pub const MAX_MINUTES: i64 = 120;

/// A meeting as typed (REST body or form).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct MeetingInput {
    pub title: String,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` on the hospital's clock (its time zone; UTC unless
    /// the server sets one).
    pub starts_at: String,
    pub location: String,
    pub video_link: String,
    pub board_type: String,
    /// Specialty codes expected to attend; empty means the core four.
    pub expected_specialties: Vec<String>,
    /// The board the meeting is of; may be left out by a member of exactly one board.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub board_id: Option<String>,
}

/// A checked meeting.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedMeeting {
    pub title: String,
    pub starts_at: String,
    pub location: String,
    pub video_link: String,
    pub board_type: String,
    pub expected_specialties: Vec<Specialty>,
}

impl MeetingInput {
    /// The meeting checked; a start typed without an offset is on `zone`'s clock.
    pub fn parse(&self, zone: &Zone) -> Result<CheckedMeeting, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let title = text::field(&mut e, "title", &self.title, 200, Shape::Line, "The title");
        if title.is_empty() {
            e.add("title", "Give the meeting a title, e.g. \"NET board\".");
        }
        let starts_at = match parse_time(self.starts_at.trim(), zone) {
            Ok(t) => Some(time_text(t)),
            Err(message) => {
                e.add("starts_at", message);
                None
            }
        };
        let location = text::field(&mut e, "location", &self.location, 200, Shape::Line, "The location");
        let video_link = self.video_link.trim().to_string();
        if location.is_empty() && video_link.is_empty() {
            e.add("location", "Give a room or a video link.");
        }
        let link_ok = video_link.is_empty() || (video_link.starts_with("https://") && video_link.len() <= 500);
        if !link_ok {
            e.add("video_link", "A video link starts with https:// (at most 500 characters).");
        } else if has_control(&video_link, Shape::Line) {
            e.add("video_link", "The video link contains control characters.");
        }
        let board_type = match text::field(&mut e, "board_type", &self.board_type, 100, Shape::Line, "The board type") {
            t if t.is_empty() => "NET".to_string(),
            t => t,
        };
        let mut expected = Vec::new();
        for code in &self.expected_specialties {
            match Specialty::parse(code) {
                Ok(s) if !expected.contains(&s) => expected.push(s),
                Ok(_) => {}
                Err(m) => e.add("expected_specialties", m),
            }
        }
        if expected.is_empty() {
            expected = Specialty::CORE.to_vec();
        }
        e.finish()?;
        Ok(CheckedMeeting {
            title,
            starts_at: starts_at.expect("checked"),
            location,
            video_link,
            board_type,
            expected_specialties: expected,
        })
    }

    /// `weeks` meetings as typed, one a week from `starts_at` at the same time on `zone`'s
    /// clock (so across a change to or from summer time the hour people meet stays); the
    /// meeting's fields and the count are checked together, every problem at once (the
    /// count's on `weeks`).
    pub fn parse_weekly(&self, weeks: u32, zone: &Zone) -> Result<Vec<CheckedMeeting>, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let first = e.take("", self.parse(zone));
        if !(1..=MAX_WEEKS).contains(&weeks) {
            e.add("weeks", format!("Schedule 1 to {MAX_WEEKS} meetings at once, one a week."));
        }
        let mut starts = Vec::new();
        if let Ok(start) = parse_time(self.starts_at.trim(), zone) {
            let wall = zone.local(start).0;
            for week in 0..weeks.min(MAX_WEEKS) {
                let Some(day) = wall.checked_add_days(chrono::Days::new(7 * u64::from(week))) else {
                    e.add(
                        "starts_at",
                        "The weeks would run past the last date this calendar knows: choose an earlier start.",
                    );
                    break;
                };
                match if week == 0 { Ok(start) } else { zone.instant(day) } {
                    Ok(t) => starts.push(time_text(t)),
                    Err(Wall::Skipped) => {
                        e.add("starts_at", skipped(day, zone));
                        break;
                    }
                }
            }
        }
        e.finish()?;
        let first = first.expect("checked");
        Ok(starts.into_iter().map(|starts_at| CheckedMeeting { starts_at, ..first.clone() }).collect())
    }
}

/// How many weekly meetings one request schedules at most: a year of a weekly board.
pub const MAX_WEEKS: u32 = 52;

/// A board's weekly meetings scheduled at once (REST `POST /meetings/series`; the meetings
/// page's *Meetings to schedule*): `weeks` meetings alike, the first at `starts_at` and each
/// next one seven days later at the same time on the hospital's clock. A week that falls on a
/// holiday is cancelled on its own page afterwards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeetingSeries {
    pub meeting: MeetingInput,
    /// How many meetings, one a week (1 to 52).
    pub weeks: u32,
}

/// A change to a scheduled meeting (REST `PATCH`, the meeting page's form): only the fields
/// sent change; a field left out (or `null`) keeps what is stored, so two coordinators changing
/// different fields keep each other's change. Its board is not changed (its agenda holds that
/// board's cases).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct MeetingChange {
    pub title: Option<String>,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` on the hospital's clock.
    pub starts_at: Option<String>,
    pub location: Option<String>,
    pub video_link: Option<String>,
    pub board_type: Option<String>,
    /// Specialty codes expected to attend; an empty list means the core four.
    pub expected_specialties: Option<Vec<String>>,
}

impl MeetingChange {
    /// The meeting `stored` becomes, checked as a new meeting is (every problem at once, on the
    /// fields' own names: a room taken away with no video link is refused on `location`), with
    /// the names of the fields whose value changed.
    pub fn apply(&self, stored: &Meeting, zone: &Zone) -> Result<(CheckedMeeting, Vec<&'static str>), Invalid> {
        let pick = |sent: &Option<String>, kept: &str| sent.clone().unwrap_or_else(|| kept.to_string());
        let merged = MeetingInput {
            title: pick(&self.title, &stored.title),
            starts_at: pick(&self.starts_at, &stored.starts_at),
            location: pick(&self.location, &stored.location),
            video_link: pick(&self.video_link, &stored.video_link),
            board_type: pick(&self.board_type, &stored.board_type),
            expected_specialties: self
                .expected_specialties
                .clone()
                .unwrap_or_else(|| stored.expected_specialties.iter().map(|s| s.code().to_string()).collect()),
            board_id: None,
        }
        .parse(zone)?;
        let changed = [
            ("title", merged.title != stored.title),
            ("starts_at", merged.starts_at != stored.starts_at),
            ("location", merged.location != stored.location),
            ("video_link", merged.video_link != stored.video_link),
            ("board_type", merged.board_type != stored.board_type),
            ("expected_specialties", merged.expected_specialties != stored.expected_specialties),
        ];
        Ok((merged, changed.into_iter().filter(|(_, c)| *c).map(|(f, _)| f).collect()))
    }
}

/// A start as typed: RFC 3339, or `YYYY-MM-DDTHH:MM` on `zone`'s clock; else what to type.
fn parse_time(s: &str, zone: &Zone) -> Result<chrono::DateTime<chrono::Utc>, String> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let Ok(wall) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") else {
        return Err(format!("Give the start as date and time, e.g. 2026-12-03T14:00 ({}).", zone.label()));
    };
    zone.instant(wall).map_err(|Wall::Skipped| skipped(wall, zone))
}

/// What to do about a time the clocks skip.
fn skipped(wall: chrono::NaiveDateTime, zone: &Zone) -> String {
    format!(
        "{} does not happen in {}: the clocks go forward over it. Choose another time.",
        wall.format("%Y-%m-%d %H:%M"),
        zone.label()
    )
}

/// A start as stored: `2026-12-03T14:00:00Z`.
fn time_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A meeting in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Meeting {
    pub id: String,
    pub title: String,
    pub starts_at: String,
    pub location: String,
    pub video_link: String,
    pub board_type: String,
    pub expected_specialties: Vec<Specialty>,
    pub case_count: i64,
    /// The case the presenter shows now (meeting mode), if any.
    pub current_case_id: Option<String>,
    pub current_since: Option<String>,
    #[serde(default)]
    pub board_id: String,
    #[serde(default)]
    pub board_name: String,
    /// Who presents (moves everyone's screen) in meeting mode; others follow or browse.
    #[serde(default)]
    pub presenter_id: Option<String>,
    #[serde(default)]
    pub presenter_name: Option<String>,
    /// The document or key image the presenter shows with the case (issue 20), if any.
    #[serde(default)]
    pub current_attachment_id: Option<String>,
    /// Set once a coordinator has called the meeting off: nothing more is scheduled on it.
    #[serde(default)]
    pub cancelled: Option<Cancellation>,
}

/// Who called a meeting off, when and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cancellation {
    pub at: String,
    pub by_name: String,
    pub reason: String,
    /// The meeting its cases moved to, if the coordinator chose one.
    #[serde(default)]
    pub moved_to: Option<super::case::MeetingRef>,
}

/// A meeting called off (REST `POST …/cancel`, the meeting page's form): the reason is required,
/// so that the people whose cases were on its agenda, and an auditor later, know why.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct MeetingCancel {
    /// Why the meeting does not take place (at most 500 characters), e.g. "Public holiday".
    pub reason: String,
    /// Another meeting of the same board, still to come, whose agenda takes the cases (at its
    /// end, as listed and timed here); left out, they wait for a meeting.
    pub move_to: Option<String>,
}

impl MeetingCancel {
    /// The reason as stored.
    pub fn parse(&self) -> Result<String, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let reason = text::field(&mut e, "reason", &self.reason, 500, Shape::Lines, "The reason");
        if reason.is_empty() {
            e.add("reason", "Say why the meeting is cancelled, e.g. \"Public holiday\".");
        }
        e.finish()?;
        Ok(reason)
    }
}

/// A case on an agenda, with what the meeting needs at a glance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaItem {
    pub case_id: String,
    pub position: i64,
    pub mode: AgendaMode,
    pub minutes: i64,
    /// Seconds the board has spent on this case in meeting mode before the current stretch
    /// (kept when the board returns to it).
    #[serde(default)]
    pub seconds_spent: i64,
    pub patient_name: String,
    pub mrn: String,
    pub question: String,
    pub summary: String,
    pub status: CaseStatus,
    /// What the board still needs (labels); empty when complete.
    pub missing: Vec<String>,
    /// Pre-review (issue 18): the expected specialties whose voice the case still lacks.
    #[serde(default)]
    pub awaited_voices: Vec<crate::role::Specialty>,
}

/// Someone marked present.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attendee {
    pub user_id: String,
    pub display_name: String,
    pub role: String,
    pub specialty: Option<Specialty>,
    pub marked_at: String,
}

/// One meeting with its ordered agenda and attendance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingDetail {
    pub meeting: Meeting,
    pub agenda: Vec<AgendaItem>,
    pub attendance: Vec<Attendee>,
    /// Core specialties (surgery, medical oncology, radiology, pathology) nobody present speaks
    /// for: the board should not decide without them.
    pub missing_core: Vec<Specialty>,
    pub total_minutes: i64,
}

/// Core specialties without anyone present.
pub fn missing_core(attendance: &[Attendee]) -> Vec<Specialty> {
    Specialty::CORE.into_iter().filter(|s| !attendance.iter().any(|a| a.specialty == Some(*s))).collect()
}

/// "1 h 25 min", "40 min".
pub fn duration_label(minutes: i64) -> String {
    if minutes >= 60 { format!("{} h {} min", minutes / 60, minutes % 60) } else { format!("{minutes} min") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> MeetingInput {
        MeetingInput {
            title: "NET board".into(),
            starts_at: "2026-12-03T14:00".into(),
            location: "Room 4.12".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_weekly_series_keeps_the_time_of_day_across_months_and_years() {
        let first = MeetingInput { starts_at: "2026-12-22T14:30".into(), ..input() };
        let all = first.parse_weekly(3, &Zone::utc()).unwrap();
        let starts: Vec<&str> = all.iter().map(|m| m.starts_at.as_str()).collect();
        assert_eq!(starts, ["2026-12-22T14:30:00Z", "2026-12-29T14:30:00Z", "2027-01-05T14:30:00Z"]);
        assert!(all.iter().all(|m| m.title == "NET board" && m.location == "Room 4.12"));
        // One is a single meeting; a year of weeks at the most.
        assert_eq!(input().parse_weekly(1, &Zone::utc()).unwrap(), vec![input().parse(&Zone::utc()).unwrap()]);
        assert_eq!(input().parse_weekly(MAX_WEEKS, &Zone::utc()).unwrap().len(), 52);
        assert_eq!(input().parse_weekly(52, &Zone::utc()).unwrap()[51].starts_at, "2027-11-25T14:00:00Z");
        for weeks in [0, MAX_WEEKS + 1, u32::MAX] {
            let err = input().parse_weekly(weeks, &Zone::utc()).unwrap_err();
            assert_eq!(err.field_message("weeks").as_deref(), Some("Schedule 1 to 52 meetings at once, one a week."));
        }
        // The meeting's fields and the count are named at once.
        let err = MeetingInput { title: String::new(), ..input() }.parse_weekly(0, &Zone::utc()).unwrap_err();
        assert!(err.field_message("title").is_some() && err.field_message("weeks").is_some());
        assert!(serde_json::from_str::<MeetingSeries>(r#"{"meeting": {}, "weeks": 2, "every": 7}"#).is_err());
        // A start at the end of the calendar takes one meeting, not a series past it (a panic before).
        let last = MeetingInput { starts_at: "+262142-12-30T10:00".into(), ..input() };
        assert_eq!(last.parse_weekly(1, &Zone::utc()).unwrap()[0].starts_at, "+262142-12-30T10:00:00Z");
        assert!(
            last.parse_weekly(2, &Zone::utc())
                .unwrap_err()
                .field_message("starts_at")
                .unwrap()
                .contains("earlier start")
        );
    }

    #[test]
    fn on_the_hospitals_clock_a_weekly_board_meets_at_the_same_hour_through_summer_time() {
        let berlin = crate::zone::tests::berlin();
        // 14:00 in Berlin: 13:00 UTC in winter, 12:00 UTC once the clocks go forward on 29 March.
        let first = MeetingInput { starts_at: "2026-03-19T14:00".into(), ..input() };
        let starts: Vec<String> = first.parse_weekly(3, &berlin).unwrap().into_iter().map(|m| m.starts_at).collect();
        assert_eq!(starts, ["2026-03-19T13:00:00Z", "2026-03-26T13:00:00Z", "2026-04-02T12:00:00Z"]);
        assert!(starts.iter().all(|s| berlin.show(s).contains(" 14:00 ")));
        // A start given with its offset is that instant; the weeks after it keep its hour.
        let exact = MeetingInput { starts_at: "2026-10-22T14:00:00+02:00".into(), ..input() };
        let starts: Vec<String> = exact.parse_weekly(2, &berlin).unwrap().into_iter().map(|m| m.starts_at).collect();
        assert_eq!(starts, ["2026-10-22T12:00:00Z", "2026-10-29T13:00:00Z"]);
        // An hour the clocks skip is refused on the start, for one meeting or for a week of a series.
        let skipped = MeetingInput { starts_at: "2026-03-29T02:30".into(), ..input() };
        let said =
            "2026-03-29 02:30 does not happen in Europe/Berlin: the clocks go forward over it. Choose another time.";
        assert_eq!(skipped.parse(&berlin).unwrap_err().field_message("starts_at").as_deref(), Some(said));
        let sunday = MeetingInput { starts_at: "2026-03-22T02:30".into(), ..input() };
        assert_eq!(sunday.parse_weekly(2, &berlin).unwrap_err().field_message("starts_at").as_deref(), Some(said));
        assert_eq!(sunday.parse_weekly(1, &berlin).unwrap().len(), 1);
        // What to type names the zone.
        let bad = MeetingInput { starts_at: "next week".into(), ..input() };
        assert_eq!(
            bad.parse(&berlin).unwrap_err().field_message("starts_at").as_deref(),
            Some("Give the start as date and time, e.g. 2026-12-03T14:00 (Europe/Berlin).")
        );
    }

    #[test]
    fn a_meeting_needs_title_time_and_a_place_or_link() {
        let m = input().parse(&Zone::utc()).unwrap();
        assert_eq!(m.starts_at, "2026-12-03T14:00:00Z");
        assert_eq!(m.expected_specialties, Specialty::CORE.to_vec());
        assert_eq!(m.board_type, "NET");
        let bad = MeetingInput { title: " ".into(), starts_at: "next week".into(), ..Default::default() };
        let err = bad.parse(&Zone::utc()).unwrap_err();
        for f in ["title", "starts_at", "location"] {
            assert!(err.field_message(f).is_some(), "{f}");
        }
        let link = MeetingInput { location: "".into(), video_link: "javascript:alert(1)".into(), ..input() };
        assert!(link.parse(&Zone::utc()).unwrap_err().field_message("video_link").is_some());
        let control = MeetingInput { video_link: "https://meet.example/\u{1b}[2J".into(), ..input() };
        assert_eq!(
            control.parse(&Zone::utc()).unwrap_err().field_message("video_link").as_deref(),
            Some("The video link contains control characters.")
        );
        let title = MeetingInput { title: "NET\u{0} board".into(), ..input() };
        assert!(title.parse(&Zone::utc()).unwrap_err().field_message("title").is_some_and(|m| m.contains("control")));
        let offset = MeetingInput { starts_at: "2026-12-03T15:00:00+01:00".into(), ..input() };
        assert_eq!(offset.parse(&Zone::utc()).unwrap().starts_at, "2026-12-03T14:00:00Z");
    }

    #[test]
    fn a_meeting_change_keeps_what_it_does_not_send_and_is_checked_as_a_new_meeting() {
        let m = input().parse(&Zone::utc()).unwrap();
        let stored = Meeting {
            id: "m".into(),
            title: m.title,
            starts_at: m.starts_at,
            location: m.location,
            video_link: m.video_link,
            board_type: m.board_type,
            expected_specialties: m.expected_specialties,
            case_count: 0,
            current_case_id: None,
            current_since: None,
            board_id: "b".into(),
            board_name: "NET board".into(),
            presenter_id: None,
            presenter_name: None,
            current_attachment_id: None,
            cancelled: None,
        };
        let (same, changed) = MeetingChange::default().apply(&stored, &Zone::utc()).unwrap();
        assert_eq!(
            (same.title.as_str(), same.starts_at.as_str(), changed.len()),
            ("NET board", "2026-12-03T14:00:00Z", 0)
        );
        let moved = MeetingChange {
            starts_at: Some("2026-12-04T15:30".into()),
            location: Some("Room 2".into()),
            ..Default::default()
        };
        let (after, changed) = moved.apply(&stored, &Zone::utc()).unwrap();
        assert_eq!(
            (after.starts_at.as_str(), after.location.as_str(), after.title.as_str()),
            ("2026-12-04T15:30:00Z", "Room 2", "NET board")
        );
        assert_eq!(changed, ["starts_at", "location"]);
        // The same value again is no change.
        let again = MeetingChange { starts_at: Some("2026-12-03T15:00:00+01:00".into()), ..Default::default() };
        assert!(again.apply(&stored, &Zone::utc()).unwrap().1.is_empty());
        let bad = MeetingChange {
            title: Some(" ".into()),
            starts_at: Some("soon".into()),
            location: Some("".into()),
            ..Default::default()
        };
        let err = bad.apply(&stored, &Zone::utc()).unwrap_err();
        for f in ["title", "starts_at", "location"] {
            assert!(err.field_message(f).is_some(), "{f}: {err:?}");
        }
        let json: MeetingChange = serde_json::from_str(r#"{"title": null, "location": "Room 9"}"#).unwrap();
        assert_eq!(json, MeetingChange { location: Some("Room 9".into()), ..Default::default() });
        assert!(
            serde_json::from_str::<MeetingChange>(r#"{"board_id": "x"}"#).is_err(),
            "the board is not changed here"
        );
    }

    #[test]
    fn missing_core_voices_are_named() {
        let a = |s: Specialty| Attendee {
            user_id: "u".into(),
            display_name: "x".into(),
            role: "clinician".into(),
            specialty: Some(s),
            marked_at: String::new(),
        };
        assert_eq!(missing_core(&[]), Specialty::CORE.to_vec());
        assert_eq!(
            missing_core(&[a(Specialty::Surgery), a(Specialty::Radiology), a(Specialty::NuclearMedicine)]),
            vec![Specialty::MedicalOncology, Specialty::Pathology]
        );
        assert_eq!(duration_label(85), "1 h 25 min");
        assert_eq!(duration_label(40), "40 min");
    }

    #[test]
    fn a_cancellation_says_why() {
        let why = |r: &str| MeetingCancel { reason: r.into(), move_to: None }.parse();
        assert_eq!(why("  Public holiday \n").unwrap(), "Public holiday");
        for bad in ["", "  \n ", &"x".repeat(501), "Ill\u{7}ness"] {
            let e = why(bad).unwrap_err();
            assert!(e.field_message("reason").is_some(), "{bad:?} refused on reason");
        }
        assert!(why(&"x".repeat(500)).is_ok());
        assert!(serde_json::from_str::<MeetingCancel>(r#"{"reason": "x", "cases": []}"#).is_err());
    }
}

/// What meeting mode shows: the meeting, and the case the presenter is on with its voices and
/// the proposal (read in one go, so every screen shows one consistent moment).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PresentView {
    pub detail: MeetingDetail,
    pub case: Option<super::case::CaseRecord>,
    pub annotations: Vec<super::annotation::Annotation>,
    pub proposal: Option<super::case::StoredProposal>,
    pub plan: Option<super::plan::Plan>,
    /// The case's documents and key images (issue 20).
    #[serde(default)]
    pub attachments: Vec<super::attachment::Attachment>,
    /// The open trials of the case's board matched to it (issue 21).
    #[serde(default)]
    pub trials: Vec<super::trial::TrialMatch>,
}
