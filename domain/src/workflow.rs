//! The case workflow as a state machine: where a case stands (draft → ready → on an agenda →
//! discussed → plan signed → followed up) and which event moves it where. Every status change
//! of the application goes through [`next`], so the rules live in one table.
//!
//! Completeness ("ready" needs everything the board needs) is checked by the caller with the
//! case's content; this table says only which moves exist.

use serde::{Deserialize, Serialize};

use crate::codes::CaseStatus;

/// Something that happens to a case and may move it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WorkflowEvent {
    /// Someone marks the case ready for the board (by hand).
    MarkReady,
    /// Someone takes a ready case back to draft (by hand).
    BackToDraft,
    /// A coordinator puts the case on a meeting's agenda.
    PutOnAgenda,
    /// The case is removed from the last agenda it was on: it waits for the board again.
    RemovedFromLastAgenda,
    /// The board records (or revises) its plan.
    PlanRecorded,
    /// A clinician signs the plan.
    PlanSigned,
    /// The follow-up says whether the plan was carried out.
    OutcomeRecorded,
}

/// A move the workflow does not have, said so that the user knows why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Conflict(pub String);

/// Where `event` takes a case that stands at `status`; the same status when the event changes
/// nothing (a case discussed again is still discussed).
pub fn next(status: CaseStatus, event: WorkflowEvent) -> Result<CaseStatus, Conflict> {
    use CaseStatus::{Discussed, Draft, FollowedUp, OnAgenda, Ready};
    use WorkflowEvent::{BackToDraft, MarkReady, OutcomeRecorded, PlanRecorded, PutOnAgenda, RemovedFromLastAgenda};
    let refuse = |why: &str| Err(Conflict(format!("The case is {}: {why}", status.label().to_lowercase())));
    match (status, event) {
        (Draft | Ready, MarkReady) => Ok(Ready),
        (_, MarkReady) => refuse("it went to the board already."),
        (Draft | Ready, BackToDraft) => Ok(Draft),
        (_, BackToDraft) => refuse("it can no longer go back to draft by hand."),
        (Draft | Ready | OnAgenda, PutOnAgenda) => Ok(OnAgenda),
        // Discussed or decided cases may be listed again (a follow-up discussion); they keep
        // their status.
        (Discussed | CaseStatus::PlanSigned | FollowedUp, PutOnAgenda) => Ok(status),
        (OnAgenda, RemovedFromLastAgenda) => Ok(Ready),
        (_, RemovedFromLastAgenda) => Ok(status),
        (Draft | Ready | OnAgenda | Discussed, PlanRecorded) => Ok(Discussed),
        (CaseStatus::PlanSigned | FollowedUp, PlanRecorded) => refuse("its plan is signed; add an addendum instead."),
        (Discussed, WorkflowEvent::PlanSigned) => Ok(CaseStatus::PlanSigned),
        (_, WorkflowEvent::PlanSigned) => refuse("only a recorded, unsigned plan can be signed."),
        (CaseStatus::PlanSigned, OutcomeRecorded) => Ok(FollowedUp),
        (_, OutcomeRecorded) => refuse("the follow-up is recorded for a signed plan, once."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStatus::{Discussed, Draft, FollowedUp, OnAgenda, Ready};
    use WorkflowEvent::{BackToDraft, MarkReady, OutcomeRecorded, PlanRecorded, PutOnAgenda, RemovedFromLastAgenda};

    /// Every (status, event) pair and where it leads; `None` is a refusal.
    const TABLE: [(CaseStatus, WorkflowEvent, Option<CaseStatus>); 42] = [
        (Draft, MarkReady, Some(Ready)),
        (Ready, MarkReady, Some(Ready)),
        (OnAgenda, MarkReady, None),
        (Discussed, MarkReady, None),
        (CaseStatus::PlanSigned, MarkReady, None),
        (FollowedUp, MarkReady, None),
        (Draft, BackToDraft, Some(Draft)),
        (Ready, BackToDraft, Some(Draft)),
        (OnAgenda, BackToDraft, None),
        (Discussed, BackToDraft, None),
        (CaseStatus::PlanSigned, BackToDraft, None),
        (FollowedUp, BackToDraft, None),
        (Draft, PutOnAgenda, Some(OnAgenda)),
        (Ready, PutOnAgenda, Some(OnAgenda)),
        (OnAgenda, PutOnAgenda, Some(OnAgenda)),
        (Discussed, PutOnAgenda, Some(Discussed)),
        (CaseStatus::PlanSigned, PutOnAgenda, Some(CaseStatus::PlanSigned)),
        (FollowedUp, PutOnAgenda, Some(FollowedUp)),
        (Draft, RemovedFromLastAgenda, Some(Draft)),
        (Ready, RemovedFromLastAgenda, Some(Ready)),
        (OnAgenda, RemovedFromLastAgenda, Some(Ready)),
        (Discussed, RemovedFromLastAgenda, Some(Discussed)),
        (CaseStatus::PlanSigned, RemovedFromLastAgenda, Some(CaseStatus::PlanSigned)),
        (FollowedUp, RemovedFromLastAgenda, Some(FollowedUp)),
        (Draft, PlanRecorded, Some(Discussed)),
        (Ready, PlanRecorded, Some(Discussed)),
        (OnAgenda, PlanRecorded, Some(Discussed)),
        (Discussed, PlanRecorded, Some(Discussed)),
        (CaseStatus::PlanSigned, PlanRecorded, None),
        (FollowedUp, PlanRecorded, None),
        (Draft, WorkflowEvent::PlanSigned, None),
        (Ready, WorkflowEvent::PlanSigned, None),
        (OnAgenda, WorkflowEvent::PlanSigned, None),
        (Discussed, WorkflowEvent::PlanSigned, Some(CaseStatus::PlanSigned)),
        (CaseStatus::PlanSigned, WorkflowEvent::PlanSigned, None),
        (FollowedUp, WorkflowEvent::PlanSigned, None),
        (Draft, OutcomeRecorded, None),
        (Ready, OutcomeRecorded, None),
        (OnAgenda, OutcomeRecorded, None),
        (Discussed, OutcomeRecorded, None),
        (CaseStatus::PlanSigned, OutcomeRecorded, Some(FollowedUp)),
        (FollowedUp, OutcomeRecorded, None),
    ];

    #[test]
    fn every_status_and_event_goes_where_the_table_says() {
        for (status, event, expected) in TABLE {
            assert_eq!(next(status, event).ok(), expected, "{status:?} + {event:?}");
        }
    }

    #[test]
    fn the_table_covers_every_pair() {
        assert_eq!(TABLE.len(), CaseStatus::ALL.len() * 7);
        for status in CaseStatus::ALL {
            assert_eq!(TABLE.iter().filter(|(s, _, _)| s == status).count(), 7, "{status:?}");
        }
    }

    #[test]
    fn a_refusal_says_where_the_case_stands_and_why() {
        let Conflict(message) = next(FollowedUp, BackToDraft).unwrap_err();
        assert!(message.starts_with("The case is followed up"), "{message}");
    }

    #[test]
    fn only_taking_a_case_off_its_last_agenda_or_back_to_draft_moves_it_back() {
        let order = |s: CaseStatus| CaseStatus::ALL.iter().position(|x| *x == s).unwrap();
        for (status, event, expected) in TABLE {
            if let Some(to) = expected
                && order(to) < order(status)
            {
                assert!(matches!(event, RemovedFromLastAgenda | BackToDraft), "{status:?} + {event:?}");
            }
        }
    }
}
