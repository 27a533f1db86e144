//! One way to act and refetch: a page creates its server actions once (`CaseActions`) and hands
//! them down as props, its resources are keyed on the actions' versions (a completed action
//! refetches what it changed), and a form that must react to its own save (close, clear) does
//! so with `after_saving`.
//!
//! Props, not context: a view built inside a `Suspend` after an await can lose its owner's
//! parents on the client (leptos-rs/leptos#3024), and then `expect_context` panics on a click
//! that opens a form. What a component needs, it is given.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::annotations::{AmendAnnotation, CreateAnnotation, WithdrawAnnotation};
use crate::api::cases::{BreakGlass, CorrectPatient, MoveCase, SetCaseStatus, UpdateCase};
use crate::api::plans::{AddAddendum, RecordOutcome, SavePlan, SignPlan};
use crate::error::AppError;

/// Whether a control that moves the case at `version` between draft and ready must wait: while a
/// status request runs, and after one changed this case until the page draws it anew. Pressed
/// in between (a second Enter, a double click) it would send the version just replaced and be
/// refused as "changed by someone else", a change nobody else made.
pub fn status_waits(status: ServerAction<SetCaseStatus>, id: String, version: i64) -> Signal<bool> {
    Signal::derive(move || {
        status.pending().get() || status.value().with(|v| matches!(v, Some(Ok(r)) if r.id == id && r.version > version))
    })
}

/// Calls `on_ok` with each successful result of `action` that completes after this call; a
/// result the action already held (from a form used earlier on the page) is not a new save.
pub fn after_saving<S>(action: ServerAction<S>, on_ok: impl Fn(&S::Output) + 'static)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    after_completing(action, move |r| {
        if let Ok(out) = r {
            on_ok(out)
        }
    });
}

/// Calls `on_err` with each failed result of `action` that completes after this call.
pub fn after_failing<S>(action: ServerAction<S>, on_err: impl Fn(&AppError) + 'static)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    after_completing(action, move |r| {
        if let Err(e) = r {
            on_err(e)
        }
    });
}

/// How many times `action` has succeeded since this call. A list keyed on it (instead of on the
/// action's version) is drawn again after a save only: a refused attempt leaves the form as it
/// was typed, open, with its field errors.
pub fn saves<S>(action: ServerAction<S>) -> ReadSignal<usize>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let counter = RwSignal::new(0);
    counts_saves(action, counter);
    counter.read_only()
}

/// Adds one to `counter` for each successful result of `action`.
fn counts_saves<S>(action: ServerAction<S>, counter: RwSignal<usize>)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    after_saving(action, move |_| counter.update(|n| *n += 1));
}

/// Calls `f` with each result of `action` that completes after this call.
fn after_completing<S>(action: ServerAction<S>, f: impl Fn(&Result<S::Output, AppError>) + 'static)
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let seen = action.version().get_untracked();
    Effect::new(move || {
        if action.version().get() > seen {
            action.value().with_untracked(|v| {
                if let Some(r) = v {
                    f(r)
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

/// The message for `field` of the action's latest failure, if it failed on that field: what a
/// form shows under that field (`FieldError`, `aria-invalid`).
pub fn field_error<S>(action: ServerAction<S>, field: &'static str) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || failed_on(action, field))
}

/// [`field_error`]'s message, read where it is needed.
fn failed_on<S>(action: ServerAction<S>, field: &str) -> Option<String>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    action.value().with(|v| v.as_ref()?.as_ref().err()?.field_message(field))
}

/// Which item's form sent an action that every item of a list shares (one amend action for all
/// of a page's notes, one update for all its boards or user rows): only that form shows the
/// action's field errors, under its own controls. Mark the item just before each dispatch.
#[derive(Clone, Copy)]
pub struct SentFrom(RwSignal<Option<String>>);

impl SentFrom {
    pub fn new() -> Self {
        SentFrom(RwSignal::new(None))
    }

    /// The item `id`'s form is sending now.
    pub fn mark(self, id: &str) {
        self.0.set(Some(id.to_string()));
    }

    /// The message for `field` of the action's latest failure, when item `id`'s form sent it.
    pub fn field_error<S>(self, action: ServerAction<S>, id: String, field: &'static str) -> Signal<Option<String>>
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        Signal::derive(move || {
            let here = self.0.with(|sent| sent.as_deref() == Some(id.as_str()));
            here.then(|| failed_on(action, field)).flatten()
        })
    }
}

impl Default for SentFrom {
    fn default() -> Self {
        Self::new()
    }
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
    pub move_case: ServerAction<MoveCase>,
    pub break_glass: ServerAction<BreakGlass>,
    /// A coordinator asks a specialty for its view (pre-review, issue 18).
    pub ask_voice: ServerAction<crate::api::work::RequestVoice>,
    /// Successful changes to the case or its plan, and to the notes (resource keys).
    case_changes: RwSignal<usize>,
    note_changes: RwSignal<usize>,
}

impl Default for CaseActions {
    fn default() -> Self {
        Self::new()
    }
}

impl CaseActions {
    /// Creates the actions (once per page).
    pub fn new() -> Self {
        let a = CaseActions {
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
            move_case: ServerAction::new(),
            break_glass: ServerAction::new(),
            ask_voice: ServerAction::new(),
            case_changes: RwSignal::new(0),
            note_changes: RwSignal::new(0),
        };
        // Only a change that was made refetches: a refused one (a stale save, a field error)
        // must leave the page as it is, with the form and its message where the user is.
        let (case, note) = (a.case_changes, a.note_changes);
        counts_saves(a.status, case);
        counts_saves(a.update, case);
        counts_saves(a.correct_patient, case);
        counts_saves(a.save_plan, case);
        counts_saves(a.sign_plan, case);
        counts_saves(a.add_addendum, case);
        counts_saves(a.record_outcome, case);
        counts_saves(a.move_case, case);
        counts_saves(a.ask_voice, case);
        // Emergency access opens everything on the page: the case and its notes.
        counts_saves(a.break_glass, case);
        counts_saves(a.break_glass, note);
        counts_saves(a.post_note, note);
        counts_saves(a.amend_note, note);
        counts_saves(a.withdraw_note, note);
        a
    }

    /// Moves whenever a change to the case or its plan is made (a resource key).
    pub fn case_saved(&self) -> usize {
        self.case_changes.get()
    }

    /// Moves whenever a change to the notes is made (a resource key).
    pub fn notes_saved(&self) -> usize {
        self.note_changes.get()
    }
}
