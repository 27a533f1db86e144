//! Roles, specialties and the one permission function `can(role, action)`.
//!
//! Every server function and REST handler asks `can` before it acts (security.md AC-1); the UI
//! asks it only to decide what to show. The table follows spec/api.md's "who" column.

use serde::{Deserialize, Serialize};

use crate::codes::code_enum;

code_enum!(
    /// What a user may do in Tumorboard (api.md, "Roles and specialties"). A reviewer is
    /// read-only: they audit decisions afterwards.
    Role {
        Admin => "admin", "Administrator";
        Coordinator => "coordinator", "Coordinator";
        Clinician => "clinician", "Clinician";
        Reviewer => "reviewer", "Reviewer";
    }
);

code_enum!(
    /// Whose voice an annotation is (api.md).
    Specialty {
        Surgery => "surgery", "Surgery";
        MedicalOncology => "medical_oncology", "Medical oncology";
        Radiology => "radiology", "Radiology";
        Pathology => "pathology", "Pathology";
        NuclearMedicine => "nuclear_medicine", "Nuclear medicine";
        RadiationOncology => "radiation_oncology", "Radiation oncology";
        Gastroenterology => "gastroenterology", "Gastroenterology";
        Endocrinology => "endocrinology", "Endocrinology";
        Nursing => "nursing", "Nursing";
        Other => "other", "Other";
    }
);

impl Specialty {
    /// The four specialties a NET board cannot decide without (meeting attendance warns).
    pub const CORE: [Specialty; 4] =
        [Specialty::Surgery, Specialty::MedicalOncology, Specialty::Radiology, Specialty::Pathology];
}

/// Everything a request may try to do. Reads of patient data are actions too, so that the
/// same table answers for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read cases, their history, annotations, proposals and plans.
    ReadCases,
    CreateCase,
    EditCase,
    /// Write an annotation in one's own specialty's voice.
    Annotate,
    ManageMeetings,
    /// Step through a meeting's agenda in meeting mode (the chair may be a clinician).
    PresentMeeting,
    RecordPlan,
    SignPlan,
    AddAddendum,
    RecordOutcome,
    /// Read the audit trail and the list of break-glass accesses.
    ReadAudit,
    ManageUsers,
    /// Create boards and manage their members.
    ManageBoards,
    /// Open a case outside one's boards in an emergency (AC-3), with a reason.
    BreakGlass,
    /// Attach documents and key images to a case, supersede and withdraw them (issue 20).
    Attach,
    /// Keep the board's register of clinical trials (issue 21).
    ManageTrials,
}

impl Action {
    pub const ALL: [Action; 16] = [
        Action::ReadCases,
        Action::CreateCase,
        Action::EditCase,
        Action::Annotate,
        Action::ManageMeetings,
        Action::PresentMeeting,
        Action::RecordPlan,
        Action::SignPlan,
        Action::AddAddendum,
        Action::RecordOutcome,
        Action::ReadAudit,
        Action::ManageUsers,
        Action::ManageBoards,
        Action::BreakGlass,
        Action::Attach,
        Action::ManageTrials,
    ];
}

/// Whether `role` may perform `action`. Deny by default: every pair not listed is refused.
pub fn can(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match (role, action) {
        // Clinical data is read by those who work on it and those who review it, within the
        // boards rule (board::case_access); administrators read none except one case at a time
        // under break-glass (least privilege, issue 15).
        (Coordinator | Clinician | Reviewer, ReadCases) => true,
        (Coordinator | Clinician, CreateCase | EditCase) => true,
        // Coordinators file the reports they gather; clinicians their own (issue 20).
        (Coordinator | Clinician, Attach) => true,
        (Clinician, Annotate) => true,
        (Coordinator, ManageMeetings | ManageTrials) => true,
        (Coordinator | Clinician, PresentMeeting) => true,
        (Coordinator | Clinician, RecordPlan | RecordOutcome) => true,
        // Signing and addenda are clinical acts.
        (Clinician, SignPlan | AddAddendum) => true,
        (Admin | Reviewer, ReadAudit) => true,
        (Admin, ManageUsers | ManageBoards) => true,
        (Admin | Coordinator | Clinician, BreakGlass) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviewers_may_only_read() {
        for action in Action::ALL {
            let expected = matches!(action, Action::ReadCases | Action::ReadAudit);
            assert_eq!(can(Role::Reviewer, action), expected, "{action:?}");
        }
    }

    #[test]
    fn only_admins_manage_users() {
        for &role in Role::ALL {
            assert_eq!(can(role, Action::ManageUsers), role == Role::Admin);
        }
    }

    #[test]
    fn only_clinicians_sign_plans_and_annotate() {
        for &role in Role::ALL {
            assert_eq!(can(role, Action::SignPlan), role == Role::Clinician);
            assert_eq!(can(role, Action::Annotate), role == Role::Clinician);
        }
    }

    #[test]
    fn admins_read_no_clinical_data_and_manage_boards() {
        assert!(!can(Role::Admin, Action::ReadCases));
        assert!(can(Role::Admin, Action::BreakGlass));
        for &role in Role::ALL {
            assert_eq!(can(role, Action::ManageBoards), role == Role::Admin);
        }
    }

    #[test]
    fn reviewers_never_need_to_break_the_glass_and_everyone_else_may() {
        for &role in Role::ALL {
            assert_eq!(can(role, Action::BreakGlass), role != Role::Reviewer);
        }
    }

    #[test]
    fn admins_cannot_change_clinical_records() {
        for action in [
            Action::CreateCase,
            Action::EditCase,
            Action::RecordPlan,
            Action::SignPlan,
            Action::Annotate,
            Action::Attach,
        ] {
            assert!(!can(Role::Admin, action), "{action:?}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for &r in Role::ALL {
            assert_eq!(Role::parse(r.code()).unwrap(), r);
        }
        for &s in Specialty::ALL {
            assert_eq!(Specialty::parse(s.code()).unwrap(), s);
        }
        assert!(Role::parse("superuser").is_err());
        assert!(Specialty::parse("dermatology").is_err());
    }
}
