//! Live events: what changed in a case, as its viewers receive it
//! (`GET /api/v1/cases/{id}/events`). An event names the change, not its content: a viewer
//! fetches the content through the audited reads.

use serde::{Deserialize, Serialize};

use crate::codes::code_enum;

code_enum!(
    /// What changed. The codes are the stored and the sent ones.
    CaseEventKind {
        AnnotationCreate => "annotation.create", "A note was posted";
        AnnotationAmend => "annotation.amend", "A note was amended";
        AnnotationWithdraw => "annotation.withdraw", "A note was withdrawn";
        CaseUpdate => "case.update", "The case was edited";
        CaseStatus => "case.status", "The case moved in the workflow";
        PlanSave => "plan.save", "The plan was recorded";
        PlanSign => "plan.sign", "The plan was signed";
        PlanAddendum => "plan.addendum", "An addendum was added to the plan";
        PlanOutcome => "plan.outcome", "The follow-up was recorded";
        VoiceRequest => "voice.request", "A specialty was asked for its view";
        AttachmentAdd => "attachment.add", "A document or image was attached";
        AttachmentWithdraw => "attachment.withdraw", "A document or image was withdrawn";
        TrialRegister => "trial.register", "The board's trial register changed";
    }
);

impl CaseEventKind {
    /// Whether the event is about the specialties' notes (the rest of the case is unchanged).
    pub fn is_annotation(self) -> bool {
        matches!(self, Self::AnnotationCreate | Self::AnnotationAmend | Self::AnnotationWithdraw)
    }
}

/// One change to a case, as sent to its viewers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    /// Commit order within the case: a viewer that saw `seq` resumes after it.
    pub seq: i64,
    pub kind: CaseEventKind,
    /// The id of what changed (annotation, case, plan, addendum, attachment, trial).
    pub ref_id: String,
    pub at: String,
}

/// A meeting's state as its followers receive it (`GET /api/v1/meetings/{id}/events`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingEvent {
    pub revision: i64,
    pub current_case_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_travel_as_the_documented_codes() {
        let e = CaseEvent { seq: 3, kind: CaseEventKind::AnnotationAmend, ref_id: "a".into(), at: "t".into() };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "annotation.amend");
        assert_eq!(serde_json::from_value::<CaseEvent>(json).unwrap(), e);
        for k in CaseEventKind::ALL {
            assert_eq!(CaseEventKind::parse(k.code()), Ok(*k));
        }
        assert!(CaseEventKind::AnnotationWithdraw.is_annotation() && !CaseEventKind::PlanSign.is_annotation());
    }
}
