//! Roles, specialties and the one permission function `can(role, action)`.
//!
//! Every server function and REST handler asks `can` before it acts (security.md AC-1); the UI
//! asks it only to decide what to show. The table follows spec/api.md's "who" column.

use serde::{Deserialize, Serialize};

/// What a user may do in Tumorboard (api.md, "Roles and specialties").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Coordinator,
    Clinician,
    /// Read-only: audits decisions afterwards.
    Reviewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Coordinator, Role::Clinician, Role::Reviewer];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Clinician => "clinician",
            Role::Reviewer => "reviewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Coordinator => "Coordinator",
            Role::Clinician => "Clinician",
            Role::Reviewer => "Reviewer",
        }
    }

    pub fn parse(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s.trim())
            .ok_or_else(|| format!("Unknown role {s:?}: use admin, coordinator, clinician or reviewer."))
    }
}

/// Whose voice an annotation is (api.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Specialty {
    Surgery,
    MedicalOncology,
    Radiology,
    Pathology,
    NuclearMedicine,
    RadiationOncology,
    Gastroenterology,
    Endocrinology,
    Nursing,
    Other,
}

impl Specialty {
    pub const ALL: [Specialty; 10] = [
        Specialty::Surgery,
        Specialty::MedicalOncology,
        Specialty::Radiology,
        Specialty::Pathology,
        Specialty::NuclearMedicine,
        Specialty::RadiationOncology,
        Specialty::Gastroenterology,
        Specialty::Endocrinology,
        Specialty::Nursing,
        Specialty::Other,
    ];

    /// The four specialties a NET board cannot decide without (meeting attendance warns).
    pub const CORE: [Specialty; 4] =
        [Specialty::Surgery, Specialty::MedicalOncology, Specialty::Radiology, Specialty::Pathology];

    pub fn code(self) -> &'static str {
        match self {
            Specialty::Surgery => "surgery",
            Specialty::MedicalOncology => "medical_oncology",
            Specialty::Radiology => "radiology",
            Specialty::Pathology => "pathology",
            Specialty::NuclearMedicine => "nuclear_medicine",
            Specialty::RadiationOncology => "radiation_oncology",
            Specialty::Gastroenterology => "gastroenterology",
            Specialty::Endocrinology => "endocrinology",
            Specialty::Nursing => "nursing",
            Specialty::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Specialty::Surgery => "Surgery",
            Specialty::MedicalOncology => "Medical oncology",
            Specialty::Radiology => "Radiology",
            Specialty::Pathology => "Pathology",
            Specialty::NuclearMedicine => "Nuclear medicine",
            Specialty::RadiationOncology => "Radiation oncology",
            Specialty::Gastroenterology => "Gastroenterology",
            Specialty::Endocrinology => "Endocrinology",
            Specialty::Nursing => "Nursing",
            Specialty::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Result<Specialty, String> {
        Specialty::ALL.into_iter().find(|x| x.code() == s.trim()).ok_or_else(|| format!("Unknown specialty {s:?}."))
    }
}

/// Everything a request may try to do. Reads of patient data are actions too, so that the
/// same table answers for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    ReadAudit,
    ManageUsers,
}

impl Action {
    pub const ALL: [Action; 12] = [
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
    ];
}

/// Whether `role` may perform `action`. Deny by default: every pair not listed is refused.
pub fn can(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match (role, action) {
        // Everyone logged in reads the cases (api.md: "logged in"); each read is audited.
        (_, ReadCases) => true,
        (Coordinator | Clinician, CreateCase | EditCase) => true,
        (Clinician, Annotate) => true,
        (Coordinator, ManageMeetings) => true,
        (Coordinator | Clinician, PresentMeeting) => true,
        (Coordinator | Clinician, RecordPlan | RecordOutcome) => true,
        // Signing and addenda are clinical acts.
        (Clinician, SignPlan | AddAddendum) => true,
        (Admin | Reviewer, ReadAudit) => true,
        (Admin, ManageUsers) => true,
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
        for role in Role::ALL {
            assert_eq!(can(role, Action::ManageUsers), role == Role::Admin);
        }
    }

    #[test]
    fn only_clinicians_sign_plans_and_annotate() {
        for role in Role::ALL {
            assert_eq!(can(role, Action::SignPlan), role == Role::Clinician);
            assert_eq!(can(role, Action::Annotate), role == Role::Clinician);
        }
    }

    #[test]
    fn admins_cannot_change_clinical_records() {
        for action in [Action::CreateCase, Action::EditCase, Action::RecordPlan, Action::SignPlan, Action::Annotate] {
            assert!(!can(Role::Admin, action), "{action:?}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()).unwrap(), r);
        }
        for s in Specialty::ALL {
            assert_eq!(Specialty::parse(s.code()).unwrap(), s);
        }
        assert!(Role::parse("superuser").is_err());
        assert!(Specialty::parse("dermatology").is_err());
    }
}
