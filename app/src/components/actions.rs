//! One way to act and refetch: a page creates its server actions once (`CaseActions`), its
//! resources are keyed on the actions' versions (a completed action refetches what it changed),
//! and a form that must react to its own save (close, clear) does so with `after_saving`.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::annotations::{AmendAnnotation, CreateAnnotation, WithdrawAnnotation};
use crate::api::cases::{CorrectPatient, SetCaseStatus, UpdateCase};
use crate::api::plans::{AddAddendum, RecordOutcome, SavePlan, SignPlan};
use crate::error::AppError;

/// Calls `on_ok` with each successful result of `action` that completes after this call; a
/// result the action already held (from a form used earlier on the page) is not a new save.
pub fn after_saving<S>(action: ServerAction<S>, on_ok: impl Fn(&S::Output) + 'static)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let seen = action.version().get_untracked();
    Effect::new(move || {
        if action.version().get() > seen {
            action.value().with_untracked(|v| {
                if let Some(Ok(out)) = v {
                    on_ok(out)
                }
            });
        }
    });
}

/// Calls `on_err` with each failed result of `action` that completes after this call.
pub fn after_failing<S>(action: ServerAction<S>, on_err: impl Fn(&AppError) + 'static)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let seen = action.version().get_untracked();
    Effect::new(move || {
        if action.version().get() > seen {
            action.value().with_untracked(|v| {
                if let Some(Err(e)) = v {
                    on_err(e)
                }
            });
        }
    });
}

/// The error of an action's latest result, if it failed.
pub fn failure<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// Everything that can be done to a case from its page (and from meeting mode), created once.
#[derive(Clone, Copy)]
pub struct CaseActions {
    pub status: ServerAction<SetCaseStatus>,
    pub update: ServerAction<UpdateCase>,
    pub correct_patient: ServerAction<CorrectPatient>,
    pub post_note: ServerAction<CreateAnnotation>,
    pub amend_note: ServerAction<AmendAnnotation>,
    pub withdraw_note: ServerAction<WithdrawAnnotation>,
    pub save_plan: ServerAction<SavePlan>,
    pub sign_plan: ServerAction<SignPlan>,
    pub add_addendum: ServerAction<AddAddendum>,
    pub record_outcome: ServerAction<RecordOutcome>,
}

impl CaseActions {
    /// Creates the actions and provides them to the components below.
    pub fn provide() -> Self {
        let actions = CaseActions {
            status: ServerAction::new(),
            update: ServerAction::new(),
            correct_patient: ServerAction::new(),
            post_note: ServerAction::new(),
            amend_note: ServerAction::new(),
            withdraw_note: ServerAction::new(),
            save_plan: ServerAction::new(),
            sign_plan: ServerAction::new(),
            add_addendum: ServerAction::new(),
            record_outcome: ServerAction::new(),
        };
        provide_context(actions);
        actions
    }

    pub fn use_context() -> Self {
        expect_context::<CaseActions>()
    }

    /// Moves whenever a change to the case or its plan completes (a resource key).
    pub fn case_saved(&self) -> usize {
        self.status.version().get()
            + self.update.version().get()
            + self.correct_patient.version().get()
            + self.save_plan.version().get()
            + self.sign_plan.version().get()
            + self.add_addendum.version().get()
            + self.record_outcome.version().get()
    }

    /// Moves whenever a change to the notes completes (a resource key).
    pub fn notes_saved(&self) -> usize {
        self.post_note.version().get() + self.amend_note.version().get() + self.withdraw_note.version().get()
    }
}
