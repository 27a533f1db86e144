//! Boards: the hospital's tumor boards, their members, and who may open which case.
//!
//! Need to know (HIPAA minimum necessary; security.md AC-3): clinicians and coordinators reach
//! the cases and meetings of their own boards; reviewers read every board and change nothing;
//! administrators manage users and boards and read no clinical data. A clinician or
//! coordinator who must read a case outside their boards in an emergency breaks the glass: a
//! reason, a bounded time, that case only, every read flagged in the audit trail.

use serde::{Deserialize, Serialize};

use crate::text::{self, Shape};

use crate::codes::code_list;
use crate::error::{FieldErrorsBuilder, Invalid};
use crate::role::{Action, Role, Specialty, can};

/// The board every installation starts with (migration 0010); existing data was put on it.
pub const FIRST_BOARD_ID: &str = "00000000-0000-4000-8000-000000000001";

/// Default emergency access time (`TUMORBOARD_BREAK_GLASS_SECS`).
pub const BREAK_GLASS_DEFAULT_SECS: i64 = 3600;

/// A board as typed (REST body or form).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct BoardInput {
    pub name: String,
    pub description: String,
    /// Specialty codes the board expects at its meetings; empty means the core four.
    pub expected_specialties: Vec<String>,
}

/// A checked board.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedBoard {
    pub name: String,
    pub description: String,
    pub expected_specialties: Vec<Specialty>,
}

impl BoardInput {
    pub fn parse(&self) -> Result<CheckedBoard, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let name = check_name(&mut e, &self.name);
        let description = check_description(&mut e, &self.description);
        let expected_specialties = check_specialties(&mut e, &self.expected_specialties);
        e.finish()?;
        Ok(CheckedBoard { name, description, expected_specialties })
    }
}

/// A change to a board (REST `PATCH`, the administration page's form): only the fields sent
/// change; a field left out (or `null`) keeps what is stored, so a client that knows of one
/// field never resets the others.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct BoardChange {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Specialty codes; an empty list means the core four, as when a board is created.
    pub expected_specialties: Option<Vec<String>>,
}

/// A checked change: `None` keeps the stored value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckedBoardChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub expected_specialties: Option<Vec<Specialty>>,
}

impl BoardChange {
    /// Each field sent is checked as when a board is created; every problem at once.
    pub fn parse(&self) -> Result<CheckedBoardChange, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let name = self.name.as_deref().map(|n| check_name(&mut e, n));
        let description = self.description.as_deref().map(|d| check_description(&mut e, d));
        let expected_specialties = self.expected_specialties.as_deref().map(|s| check_specialties(&mut e, s));
        e.finish()?;
        Ok(CheckedBoardChange { name, description, expected_specialties })
    }
}

/// A change to the voices a board expects, as its administration page sends it: the
/// specialties ticked and those unticked since the page was drawn. It is applied to the list as
/// stored when it is written, so a change made meanwhile to another specialty (by another
/// administrator, or through the REST API) is kept, where sending the whole list would undo it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExpectedChange {
    /// Specialty codes to expect from now on.
    pub expect: Vec<String>,
    /// Specialty codes no longer to expect.
    pub stop: Vec<String>,
}

impl ExpectedChange {
    /// What a form that drew `drawn` and now has `ticked` sends: the specialties ticked since,
    /// and those unticked.
    pub fn between(drawn: &[Specialty], ticked: &[Specialty]) -> Self {
        let codes = |from: &[Specialty], not_in: &[Specialty]| {
            from.iter().filter(|s| !not_in.contains(s)).map(|s| s.code().to_string()).collect::<Vec<_>>()
        };
        ExpectedChange { expect: codes(ticked, drawn), stop: codes(drawn, ticked) }
    }

    /// The list `stored` becomes: those stopped taken off, those expected added after the rest
    /// (each once). Every problem is an error on `expected_specialties`, the field the page
    /// shows: an unknown code, a specialty both ticked and unticked, or no specialty left (an
    /// empty list would mean "the core four" and change what the page showed without a word).
    pub fn apply(&self, stored: &[Specialty]) -> Result<Vec<Specialty>, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let expect: Vec<Specialty> = code_list(&mut e, "expected_specialties", &self.expect);
        let stop: Vec<Specialty> = code_list(&mut e, "expected_specialties", &self.stop);
        if let Some(both) = expect.iter().find(|s| stop.contains(s)) {
            e.add("expected_specialties", format!("{} is both ticked and unticked: send it once.", both.label()));
        }
        let mut out: Vec<Specialty> = stored.iter().copied().filter(|s| !stop.contains(s)).collect();
        for s in expect {
            if !out.contains(&s) {
                out.push(s);
            }
        }
        if out.is_empty() {
            e.add("expected_specialties", "Tick at least one voice to expect: none ticked would mean the core four.");
        }
        e.finish()?;
        Ok(out)
    }
}

fn check_name(e: &mut FieldErrorsBuilder, name: &str) -> String {
    let name = text::field(e, "name", name, 100, Shape::Line, "A board's name");
    if name.is_empty() {
        e.add("name", "Name the board (for example \"NET board\").");
    }
    name
}

fn check_description(e: &mut FieldErrorsBuilder, description: &str) -> String {
    text::field(e, "description", description, 1000, Shape::Lines, "The description")
}

/// The specialties a board expects; none named means the core four.
fn check_specialties(e: &mut FieldErrorsBuilder, codes: &[String]) -> Vec<Specialty> {
    let specialties: Vec<Specialty> = code_list(e, "expected_specialties", codes);
    if specialties.is_empty() { Specialty::CORE.to_vec() } else { specialties }
}

/// How two board names compare: trimmed, lower case ("NET Board " and "net board" are one).
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// A member of a board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardMember {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub specialty: Option<Specialty>,
}

/// A board with its members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    pub id: String,
    pub name: String,
    pub description: String,
    pub expected_specialties: Vec<Specialty>,
    pub members: Vec<BoardMember>,
    pub case_count: i64,
    pub created_at: String,
}

/// A board as a choice in a form or a filter: every board is listed (a case may be referred to
/// a board one is not on); `member` says whether the user belongs to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardRef {
    pub id: String,
    pub name: String,
    pub member: bool,
    /// The voices the board's cases wait for: what a new meeting of the board expects, unless
    /// the coordinator changes it.
    pub expected_specialties: Vec<Specialty>,
}

/// Why a case is opened outside one's boards.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct BreakGlassInput {
    pub reason: String,
}

impl BreakGlassInput {
    /// The reason, required: it is what a reviewer judges the access by.
    pub fn parse(&self) -> Result<String, Invalid> {
        let reason = self.reason.trim();
        if reason.chars().count() < 10 {
            return Err(Invalid::field(
                "reason",
                "Say why you need this case now (at least 10 characters); the access is reviewed.",
            ));
        }
        text::check(reason, 500, Shape::Lines, "The reason").map_err(|m| Invalid::field("reason", m))
    }
}

/// Emergency access granted to one user for one case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakGlassGrant {
    pub id: String,
    pub case_id: String,
    pub granted_at: String,
    pub expires_at: String,
}

/// A break-glass access as reviewers see it: who, which case, why, when, and how many reads
/// were made under it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakGlassAccess {
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub case_id: String,
    pub board_name: String,
    pub reason: String,
    pub granted_at: String,
    pub expires_at: String,
    /// Audit rows flagged break-glass for this user and case within the access time.
    pub reads: i64,
}

/// How a user reaches a case for an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseAccess {
    /// A member of the case's board.
    Member,
    /// A reviewer: every board, read-only (their role allows nothing else).
    AllBoards,
    /// Outside the user's boards, under a running break-glass access: reads only.
    BreakGlass,
    /// Outside the user's boards; a read may be made after breaking the glass.
    NeedsBreakGlass,
    /// Not for this user.
    Refused,
}

impl CaseAccess {
    pub fn allowed(self) -> bool {
        matches!(self, CaseAccess::Member | CaseAccess::AllBoards | CaseAccess::BreakGlass)
    }
}

/// The need-to-know rule, one place for every route, server function, page and stream:
/// whether `role` may do `action` to a case of a board it is (`member`) or is not a member of,
/// with or without a running break-glass access (`glass`).
pub fn case_access(role: Role, action: Action, member: bool, glass: bool) -> CaseAccess {
    if can(role, action) {
        if role == Role::Reviewer {
            return CaseAccess::AllBoards;
        }
        if member {
            return CaseAccess::Member;
        }
    }
    // Break-glass opens one case for reading to those who may need it in an emergency:
    // coordinators and clinicians of other boards, and administrators, who otherwise read no
    // clinical data (least privilege, issue 15). Acting on a case stays with its own board.
    match (action == Action::ReadCases && can(role, Action::BreakGlass), glass) {
        (true, true) => CaseAccess::BreakGlass,
        (true, false) => CaseAccess::NeedsBreakGlass,
        (false, _) => CaseAccess::Refused,
    }
}

/// Whether a running break-glass access matters for this request: a read by someone who does
/// not reach the case as a member or a reviewer.
pub fn glass_matters(role: Role, action: Action, member: bool) -> bool {
    action == Action::ReadCases && can(role, Action::BreakGlass) && !(member && can(role, action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_board_needs_a_name_and_known_specialties() {
        let err =
            BoardInput { name: " ".into(), expected_specialties: vec!["dermatology".into()], ..Default::default() }
                .parse()
                .unwrap_err();
        assert!(err.field_message("name").is_some());
        assert!(err.field_message("expected_specialties").unwrap().contains("dermatology"));
        let ok = BoardInput { name: " HPB board ".into(), ..Default::default() }.parse().unwrap();
        assert_eq!(ok.name, "HPB board");
        assert_eq!(ok.expected_specialties, Specialty::CORE.to_vec());
        assert_eq!(name_key(" HPB Board "), "hpb board");
    }

    #[test]
    fn a_board_change_checks_only_what_it_sends_and_keeps_the_rest() {
        let none = BoardChange::default().parse().unwrap();
        assert_eq!(none, CheckedBoardChange::default(), "nothing sent, nothing changes");
        let renamed = BoardChange { name: Some(" HPB ".into()), ..Default::default() }.parse().unwrap();
        assert_eq!(renamed.name.as_deref(), Some("HPB"));
        assert_eq!((renamed.description, renamed.expected_specialties), (None, None));
        let reset = BoardChange { expected_specialties: Some(vec![]), ..Default::default() }.parse().unwrap();
        assert_eq!(reset.expected_specialties, Some(Specialty::CORE.to_vec()), "an empty list is the core four");
        let err = BoardChange {
            name: Some(" ".into()),
            description: Some("a\u{7}b".into()),
            expected_specialties: Some(vec!["dermatology".into()]),
        }
        .parse()
        .unwrap_err();
        for field in ["name", "description", "expected_specialties"] {
            assert!(err.field_message(field).is_some(), "{field}: {err:?}");
        }
        let json: BoardChange = serde_json::from_str(r#"{"description": null}"#).unwrap();
        assert_eq!(json, BoardChange::default(), "null keeps the stored value");
        assert!(serde_json::from_str::<BoardChange>(r#"{"title": "x"}"#).is_err(), "unknown fields are refused");
    }

    #[test]
    fn an_expected_change_keeps_what_it_does_not_name() {
        use Specialty::*;
        let stored = [Surgery, MedicalOncology, Radiology, Pathology];
        let change = |expect: &[&str], stop: &[&str]| ExpectedChange {
            expect: expect.iter().map(|s| s.to_string()).collect(),
            stop: stop.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(change(&[], &[]).apply(&stored).unwrap(), stored.to_vec(), "nothing named, nothing changes");
        // A form's ticks against the list it drew.
        assert_eq!(
            ExpectedChange::between(&stored, &[Surgery, Pathology, NuclearMedicine, MedicalOncology]),
            change(&["nuclear_medicine"], &["radiology"])
        );
        assert_eq!(ExpectedChange::between(&stored, &stored), change(&[], &[]));
        assert_eq!(
            change(&["nuclear_medicine"], &["radiology"]).apply(&stored).unwrap(),
            vec![Surgery, MedicalOncology, Pathology, NuclearMedicine]
        );
        // Another page's change applied first is kept (the lists as two pages drawn from one).
        let first = change(&["nuclear_medicine"], &[]).apply(&stored).unwrap();
        let second = change(&[], &["surgery"]).apply(&first).unwrap();
        assert_eq!(second, vec![MedicalOncology, Radiology, Pathology, NuclearMedicine]);
        assert_eq!(change(&["surgery", "surgery"], &["endocrinology"]).apply(&stored).unwrap(), stored.to_vec());
        for (bad, words) in [
            (change(&["dermatology"], &[]), "dermatology"),
            (change(&[], &["x"]), "\"x\""),
            (change(&["radiology"], &["radiology"]), "Radiology is both ticked and unticked"),
            (change(&[], &["surgery", "medical_oncology", "radiology", "pathology"]), "at least one voice"),
        ] {
            let err = bad.apply(&stored).unwrap_err();
            assert!(err.field_message("expected_specialties").unwrap().contains(words), "{bad:?}: {err:?}");
        }
        assert!(serde_json::from_str::<ExpectedChange>(r#"{"add": []}"#).is_err(), "unknown fields are refused");
    }

    #[test]
    fn break_glass_needs_a_reason_a_reviewer_can_judge() {
        assert!(BreakGlassInput { reason: "".into() }.parse().is_err());
        assert!(BreakGlassInput { reason: "urgent".into() }.parse().is_err());
        assert!(BreakGlassInput { reason: "x".repeat(501) }.parse().is_err());
        assert_eq!(
            BreakGlassInput { reason: "  Patient in ED with carcinoid crisis  ".into() }.parse().unwrap(),
            "Patient in ED with carcinoid crisis"
        );
    }

    /// The whole table: every role × action × membership × break-glass.
    #[test]
    fn need_to_know_table() {
        use CaseAccess::*;
        for &role in Role::ALL {
            for action in Action::ALL {
                for member in [false, true] {
                    for glass in [false, true] {
                        let got = case_access(role, action, member, glass);
                        let may = can(role, action);
                        let may_glass = action == Action::ReadCases && can(role, Action::BreakGlass);
                        let expected = if may && role == Role::Reviewer {
                            AllBoards
                        } else if may && member {
                            Member
                        } else if may_glass && glass {
                            BreakGlass
                        } else if may_glass {
                            NeedsBreakGlass
                        } else {
                            Refused
                        };
                        assert_eq!(got, expected, "{role:?} {action:?} member={member} glass={glass}");
                    }
                }
            }
        }
    }

    #[test]
    fn administrators_read_a_case_only_under_break_glass_even_as_members() {
        for member in [false, true] {
            assert_eq!(case_access(Role::Admin, Action::ReadCases, member, false), CaseAccess::NeedsBreakGlass);
            assert_eq!(case_access(Role::Admin, Action::ReadCases, member, true), CaseAccess::BreakGlass);
            assert!(glass_matters(Role::Admin, Action::ReadCases, member));
            for action in Action::ALL.into_iter().filter(|a| !can(Role::Admin, *a) && *a != Action::ReadCases) {
                assert_eq!(case_access(Role::Admin, action, member, true), CaseAccess::Refused, "{action:?}");
            }
        }
        assert!(!glass_matters(Role::Clinician, Action::ReadCases, true));
        assert!(glass_matters(Role::Clinician, Action::ReadCases, false));
        assert!(!glass_matters(Role::Reviewer, Action::ReadCases, false));
    }

    #[test]
    fn break_glass_never_lets_anyone_change_another_boards_case() {
        for role in [Role::Clinician, Role::Coordinator] {
            for action in Action::ALL.into_iter().filter(|a| *a != Action::ReadCases) {
                assert!(!case_access(role, action, false, true).allowed(), "{role:?} {action:?}");
            }
        }
    }
}
