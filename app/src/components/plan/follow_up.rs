//! After the plan is recorded: signing it (the version shown, with the password again),
//! addenda to a signed plan, and the follow-up.

use leptos::prelude::*;

use crate::components::errors::{FieldError, invalid};

use super::field_error;
use crate::api::plans::{AddAddendum, OutcomeInput, RecordOutcome, SignPlan};
use crate::domain::plan::{EnrolmentInput, NotEnrolledReason, NotImplementedReason, PlanTrial};

#[component]
pub(super) fn SignForm(
    case_id: String,
    version: i64,
    sign: ServerAction<SignPlan>,
    /// When the plan's meeting starts, if it names one: signing before it is warned about.
    meeting_starts: Option<String>,
) -> impl IntoView {
    let today = crate::components::case_form::today();
    let early = meeting_starts.filter(|s| crate::components::format::zone().day(s).is_some_and(|d| d > today));
    let password = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The signature covers the version shown here; if it changed meanwhile the server refuses.
        sign.dispatch(SignPlan { case_id: case_id.clone(), version, password: password.get_untracked() });
        password.set(String::new());
    };
    view! {
        <form class="sign-form" on:submit=submit>
            <h3>"Sign the plan (version " {version} ")"</h3>
            <p class="muted">"Signing locks the plan as the board's decision; later corrections become addenda. Enter your password again to sign."</p>
            {early.map(|s| view! {
                <p class="notice warn" role="note" data-testid="sign-early">
                    "The meeting this plan names has not started yet (" {crate::components::format::when(&s)} "). Sign only if the board has decided."
                </p>
            })}
            <div class="field">
                <label for="sign-password">"Your password"</label>
                <input id="sign-password" type="password" autocomplete="current-password" aria-describedby="sign-error"
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
            </div>
            <p id="sign-error" aria-live="polite">{move || sign.value().get().and_then(|r| r.err()).map(|e| view! { <span class="notice bad" role="alert">{e.to_string()}</span> })}</p>
            <button type="submit" disabled=move || sign.pending().get()>{move || if sign.pending().get() { "Signing…" } else { "Sign the plan" }}</button>
        </form>
    }
}

#[component]
pub(super) fn AddendumForm(case_id: String, addendum: ServerAction<AddAddendum>) -> impl IntoView {
    let body = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        addendum.dispatch(AddAddendum { case_id: case_id.clone(), body: body.get_untracked() });
    };
    Effect::new(move || {
        if matches!(addendum.value().get(), Some(Ok(_))) {
            body.set(String::new());
        }
    });
    let error = Signal::derive(move || field_error(addendum.value().get().and_then(|r| r.err()), "body"));
    view! {
        <form class="addendum-form" on:submit=submit novalidate>
            <div class="field">
                <label for="addendum-body">"Addendum (corrections or new information)"</label>
                <textarea id="addendum-body" rows="2" aria-describedby="addendum-error" aria-invalid=invalid(error) prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <FieldError id="addendum-error" message=error />
            </div>
            // Waits while the request runs: an addendum is never removed, so a second press must
            // not add it twice.
            <button type="submit" class="secondary" disabled=move || addendum.pending().get()>
                {move || if addendum.pending().get() { "Adding…" } else { "Add addendum" }}
            </button>
        </form>
    }
}

#[component]
pub(super) fn OutcomeForm(
    case_id: String,
    outcome: ServerAction<RecordOutcome>,
    /// The plan's discussed trials: each one offered gets its enrolment question.
    trials: Vec<PlanTrial>,
) -> impl IntoView {
    let offered: Vec<PlanTrial> = trials.into_iter().filter(|t| t.offered).collect();
    let input = RwSignal::new(OutcomeInput {
        trials: offered.iter().map(|t| EnrolmentInput { trial_id: t.trial_id.clone(), ..Default::default() }).collect(),
        ..Default::default()
    });
    // A follow-up is recorded once (later news is an addendum), so it is confirmed first: the
    // form is checked here, then shown back in words with "Record" and "Change".
    let confirming = RwSignal::new(false);
    let local: RwSignal<Option<crate::domain::error::FieldErrors>> = RwSignal::new(None);
    let checked_against = offered.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match input.get_untracked().parse(crate::components::case_form::today(), None, &checked_against) {
            Err(e) => local.set(Some(e.fields)),
            Ok(_) => {
                local.set(None);
                confirming.set(true);
            }
        }
    };
    let record = move |_| {
        confirming.set(false);
        outcome.dispatch(RecordOutcome { case_id: case_id.clone(), input: input.get_untracked() });
    };
    let err = move |f: &'static str| {
        Signal::derive(move || {
            local
                .with(|l| l.as_ref().and_then(|l| l.get(f).and_then(|m| m.first().cloned())))
                .or_else(|| field_error(outcome.value().get().and_then(|r| r.err()), f))
        })
    };
    let named = offered.clone();
    let summary = Signal::derive(move || {
        let i = input.get();
        let trials: String = i
            .trials
            .iter()
            .filter_map(|e| {
                let acronym = &named.iter().find(|t| t.trial_id == e.trial_id)?.acronym;
                Some(match e.enrolled {
                    Some(true) => format!(" {acronym}: enrolled."),
                    _ => {
                        let why = e.reason.as_deref().and_then(|r| NotEnrolledReason::parse(r).ok()).map(|r| r.label());
                        format!(" {acronym}: not enrolled ({}).", why.unwrap_or(""))
                    }
                })
            })
            .collect();
        let plan = match i.implemented {
            Some(true) => format!("The plan was carried out on {}.", i.date.unwrap_or_default()),
            _ => {
                let why = i
                    .reason
                    .as_deref()
                    .and_then(|r| NotImplementedReason::ALL.iter().find(|x| x.code() == r))
                    .map(|r| r.label())
                    .unwrap_or("");
                format!("The plan was not carried out: {why}.")
            }
        };
        format!("{plan}{trials}")
    });
    let trial_error = move |id: String| {
        let field = format!("trials.{id}");
        Signal::derive(move || {
            local
                .with(|l| l.as_ref().and_then(|l| l.get(&field).and_then(|m| m.first().cloned())))
                .or_else(|| field_error(outcome.value().get().and_then(|r| r.err()), &field))
        })
    };
    view! {
        <form class="outcome-form" on:submit=submit novalidate>
            <h3>"Follow-up: was the plan carried out?"</h3>
            <p class="muted small-print">"Fields marked " <abbr title="required">"*"</abbr> " are required."</p>
            <div class="field">
                <label for="outcome-implemented">"Carried out " <abbr title="required">"*"</abbr></label>
                <select id="outcome-implemented" required aria-describedby="outcome-implemented-error"
                    aria-invalid=invalid(err("implemented")) prop:disabled=confirming
                    on:change=move |ev| input.update(|i| i.implemented = match event_target_value(&ev).as_str() { "yes" => Some(true), "no" => Some(false), _ => None })>
                    <option value="">"Choose…"</option>
                    <option value="yes">"Yes"</option>
                    <option value="no">"No"</option>
                </select>
                <FieldError id="outcome-implemented-error" message=err("implemented") />
            </div>
            <div class="field">
                <label for="outcome-reason">"If not, why (required when not carried out)"</label>
                <select id="outcome-reason" aria-describedby="outcome-reason-error" aria-invalid=invalid(err("reason")) prop:disabled=confirming
                    on:change=move |ev| input.update(|i| i.reason = Some(event_target_value(&ev)).filter(|v| !v.is_empty()))>
                    <option value="">"—"</option>
                    {NotImplementedReason::ALL.iter().copied().map(|r| view! { <option value=r.code()>{r.label()}</option> }).collect_view()}
                </select>
                <FieldError id="outcome-reason-error" message=err("reason") />
            </div>
            <div class="field">
                <label for="outcome-date">"Day carried out (required when carried out)"</label>
                <input id="outcome-date" type="date" aria-describedby="outcome-date-error" aria-invalid=invalid(err("date")) prop:disabled=confirming
                    on:input=move |ev| input.update(|i| i.date = Some(event_target_value(&ev)).filter(|v| !v.is_empty())) />
                <FieldError id="outcome-date-error" message=err("date") />
            </div>
            <div class="field">
                <label for="outcome-note">"Note"</label>
                <input id="outcome-note" type="text" aria-describedby="outcome-note-error" aria-invalid=invalid(err("note")) prop:disabled=confirming
                    on:input=move |ev| input.update(|i| i.note = event_target_value(&ev)) />
                <FieldError id="outcome-note-error" message=err("note") />
            </div>
            {offered.into_iter().enumerate().map(|(n, t)| view! {
                <EnrolmentFields n trial=t input confirming error=trial_error />
            }).collect_view()}
            <FieldError id="outcome-trials-error" message=err("trials") />
            <Show
                when=move || confirming.get()
                fallback=|| view! { <button type="submit" class="secondary">"Check the outcome"</button> }
            >
                <div class="notice" role="status" data-testid="outcome-confirm">
                    <p><strong>{summary}</strong></p>
                    <p>"Once recorded it is not changed; later news is added as an addendum."</p>
                    <div class="actions-row">
                        <button type="button" on:click=record.clone()>"Record the outcome"</button>
                        <button type="button" class="secondary" on:click=move |_| confirming.set(false)>"Change"</button>
                    </div>
                </div>
            </Show>
        </form>
    }
}

/// Whether the patient entered the `n`th offered trial, or why not.
#[component]
fn EnrolmentFields<F>(
    n: usize,
    trial: PlanTrial,
    input: RwSignal<OutcomeInput>,
    confirming: RwSignal<bool>,
    error: F,
) -> impl IntoView
where
    F: Fn(String) -> Signal<Option<String>>,
{
    let (enrolled_id, reason_id, note_id, error_id) =
        (format!("enrol-{n}"), format!("enrol-reason-{n}"), format!("enrol-note-{n}"), format!("enrol-{n}-error"));
    // One message for the trial's three answers: the group is marked, and each answer points to it.
    let message = error(trial.trial_id.clone());
    let set = move |f: &dyn Fn(&mut EnrolmentInput)| {
        input.update(|i| {
            if let Some(e) = i.trials.get_mut(n) {
                f(e)
            }
        })
    };
    view! {
        <fieldset class="multi enrolment" data-testid="enrolment" aria-describedby=error_id.clone() aria-invalid=invalid(message)>
            <legend>"Trial " {trial.acronym.clone()} " (" {trial.registry_id.clone()} "), offered by the plan"</legend>
            <div class="field">
                <label for=enrolled_id.clone()>"Did the patient enrol? " <abbr title="required">"*"</abbr></label>
                <select id=enrolled_id required aria-describedby=error_id.clone() prop:disabled=confirming
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(&move |e| e.enrolled = match v.as_str() { "yes" => Some(true), "no" => Some(false), _ => None })
                    }>
                    <option value="">"Choose…"</option>
                    <option value="yes">"Yes, enrolled"</option>
                    <option value="no">"No"</option>
                </select>
            </div>
            <div class="field">
                <label for=reason_id.clone()>"If not, why"</label>
                <select id=reason_id aria-describedby=error_id.clone() prop:disabled=confirming
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(&move |e| e.reason = Some(v.clone()).filter(|v| !v.is_empty()))
                    }>
                    <option value="">"—"</option>
                    {NotEnrolledReason::ALL.iter().copied().map(|r| view! { <option value=r.code()>{r.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for=note_id.clone()>"Note on " {trial.acronym.clone()}</label>
                <input id=note_id type="text" aria-describedby=error_id.clone() prop:disabled=confirming
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        set(&move |e| e.note = v.clone())
                    } />
            </div>
            <FieldError id=error_id.clone() message />
        </fieldset>
    }
}
