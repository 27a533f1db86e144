//! The board's plan on the case page: record it (options taken from the proposal in one
//! click or added, rationale, meeting, trials, dissent, a deviation reason when it departs
//! from the first option), sign it with the password, then addenda and the follow-up outcome.
//! What the proposer suggested and what the board decided are always shown apart.

mod follow_up;
mod form;
mod view;

use leptos::prelude::*;

pub use view::PlanView;

use crate::api::meetings::Meeting;
use crate::api::plans::{Plan, PlanInput};
use crate::components::actions::{CaseActions, after_saving};
use crate::components::errors::{focus_first_in, keep_focus_at};
use crate::domain::case::StoredProposal;
use crate::domain::meeting::Attendee;
use crate::domain::plan::DissentInput;
use crate::domain::role::{Action, can};
use crate::domain::user::Me;
use crate::error::AppError;
use follow_up::{AddendumForm, OutcomeForm, SignForm};
use form::PlanForm;

/// The plan being typed, kept above views that live changes rebuild.
#[derive(Clone, Copy)]
pub struct PlanDraft {
    pub input: RwSignal<PlanInput>,
    pub editing: RwSignal<bool>,
}

impl PlanDraft {
    pub fn new() -> Self {
        PlanDraft { input: RwSignal::new(PlanInput::default()), editing: RwSignal::new(false) }
    }
}

impl Default for PlanDraft {
    fn default() -> Self {
        Self::new()
    }
}

/// The plan panel's heading row (its heading and its Record/Edit button): where the focus goes
/// back to when the plan's form closes or one of the panel's actions succeeds.
pub(super) const PLAN_HEAD: &str = ".plan .panel-head";

pub(super) fn field_error(e: Option<AppError>, f: &str) -> Option<String> {
    e.and_then(|e| e.field_message(f))
}

#[component]
pub fn PlanPanel(
    case_id: String,
    plan: Option<Plan>,
    proposal: Option<StoredProposal>,
    me: Option<Me>,
    members: Vec<Attendee>,
    meetings: Vec<Meeting>,
    actions: CaseActions,
    draft: PlanDraft,
    /// The meeting whose agenda holds the case: a new plan names it unless changed.
    default_meeting: Option<String>,
    /// The board's open trials matched to the case (the form lists them).
    #[prop(optional)]
    trials: Vec<crate::domain::trial::TrialMatch>,
) -> impl IntoView {
    let (save, sign, addendum, outcome) =
        (actions.save_plan, actions.sign_plan, actions.add_addendum, actions.record_outcome);
    // Saved, signed or added to: the form that had the focus is gone, and the panel is drawn
    // anew; a lost focus goes to the heading's "Edit the plan", or to the heading of a signed plan.
    after_saving(save, move |_| {
        draft.editing.set(false);
        keep_focus_at(PLAN_HEAD);
    });
    after_saving(sign, move |_| keep_focus_at(PLAN_HEAD));
    after_saving(addendum, move |_| keep_focus_at(PLAN_HEAD));
    after_saving(outcome, move |_| keep_focus_at(PLAN_HEAD));
    let role = me.as_ref().map(|m| m.role);
    let may = move |a: Action| role.is_some_and(|r| can(r, a));
    let signed = plan.as_ref().is_some_and(|p| p.signature.is_some());
    let version = plan.as_ref().map(|p| p.version);
    let named = plan.as_ref().map(|p| p.content.trials.clone()).unwrap_or_default();
    let start_editing = {
        let plan = plan.clone();
        move |_| {
            let input = match &plan {
                Some(p) => PlanInput {
                    meeting_id: p.content.meeting_id.clone(),
                    options: p.content.options.iter().map(|o| o.code().to_string()).collect(),
                    rationale: p.content.rationale.clone(),
                    dissent: p
                        .content
                        .dissent
                        .iter()
                        .map(|d| DissentInput { user_id: d.user_id.clone(), note: d.note.clone() })
                        .collect(),
                    deviation_reason: p.content.deviation_reason.clone(),
                    trial_discussed: p.content.trial_discussed,
                    trials: p
                        .content
                        .trials
                        .iter()
                        .map(|t| crate::domain::plan::PlanTrialInput {
                            trial_id: t.trial_id.clone(),
                            offered: t.offered,
                            note: t.note.clone(),
                        })
                        .collect(),
                },
                None => PlanInput { meeting_id: default_meeting.clone(), ..Default::default() },
            };
            draft.input.set(input);
            draft.editing.set(true);
            // The button hides as the form opens: the focus goes to the form's first control (on
            // the wall screen that also scrolls the column to it).
            focus_first_in(".plan-form");
        }
    };
    view! {
        <section class="panel plan" aria-labelledby="plan-heading">
            // The button to record or edit sits on the heading's line: wherever the heading is in
            // view (on the wall screen, at the foot of its column), so is the way to record.
            <div class="panel-head">
                <h2 id="plan-heading" tabindex="-1">"The board's plan"</h2>
                {(may(Action::RecordPlan) && !signed).then(|| view! {
                    <button type="button" class="secondary" aria-expanded=move || draft.editing.get().to_string() on:click=start_editing.clone()
                        hidden=move || draft.editing.get()>
                        {if version.is_some() { "Edit the plan" } else { "Record the board's plan" }}
                    </button>
                })}
            </div>
            <p class="muted">"The proposer's options are suggestions; this is what the board decided. "
                <a href=format!("/cases/{case_id}/report")>"Decision report"</a></p>
            {match plan.clone() {
                Some(p) => view! { <PlanView plan=p /> }.into_any(),
                None => view! { <p data-testid="no-plan">"No plan recorded yet."</p> }.into_any(),
            }}
            {
                let case_id = case_id.clone();
                move || draft.editing.get().then(|| view! {
                    <PlanForm case_id=case_id.clone() version proposal=proposal.clone() members=members.clone() meetings=meetings.clone() save draft trials=trials.clone()
                        named=named.clone() />
                })
            }
            {version.filter(|_| !signed && may(Action::SignPlan)).map(|version| {
                let meeting_starts = plan.as_ref().and_then(|p| p.meeting.as_ref()).map(|m| m.starts_at.clone());
                view! { <SignForm case_id=case_id.clone() version sign meeting_starts /> }
            })}
            {(signed && may(Action::AddAddendum)).then(|| view! { <AddendumForm case_id=case_id.clone() addendum /> })}
            {(signed && plan.as_ref().is_some_and(|p| p.outcome.is_none()) && may(Action::RecordOutcome)).then(|| view! {
                <OutcomeForm case_id=case_id.clone() outcome trials=plan.as_ref().map(|p| p.content.trials.clone()).unwrap_or_default() />
            })}
        </section>
    }
}
