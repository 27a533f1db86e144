//! After the plan is recorded: signing it (the version shown, with the password again),
//! addenda to a signed plan, and the follow-up.

use leptos::prelude::*;

use crate::components::errors::FieldError;

use super::field_error;
use crate::api::plans::{AddAddendum, OutcomeInput, RecordOutcome, SignPlan};
use crate::domain::plan::NotImplementedReason;

#[component]
pub(super) fn SignForm(case_id: String, version: i64, sign: ServerAction<SignPlan>) -> impl IntoView {
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
    view! {
        <form class="addendum-form" on:submit=submit novalidate>
            <div class="field">
                <label for="addendum-body">"Addendum (corrections or new information)"</label>
                <textarea id="addendum-body" rows="2" aria-describedby="addendum-error" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <FieldError id="addendum-error" message=Signal::derive(move || field_error(addendum.value().get().and_then(|r| r.err()), "body")) />
            </div>
            <button type="submit" class="secondary">"Add addendum"</button>
        </form>
    }
}

#[component]
pub(super) fn OutcomeForm(case_id: String, outcome: ServerAction<RecordOutcome>) -> impl IntoView {
    let input = RwSignal::new(OutcomeInput::default());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.dispatch(RecordOutcome { case_id: case_id.clone(), input: input.get_untracked() });
    };
    let err = move |f: &'static str| move || field_error(outcome.value().get().and_then(|r| r.err()), f);
    view! {
        <form class="outcome-form" on:submit=submit novalidate>
            <h3>"Follow-up: was the plan carried out?"</h3>
            <div class="field">
                <label for="outcome-implemented">"Carried out"</label>
                <select id="outcome-implemented" aria-describedby="outcome-implemented-error" on:change=move |ev| input.update(|i| i.implemented = match event_target_value(&ev).as_str() { "yes" => Some(true), "no" => Some(false), _ => None })>
                    <option value="">"Choose…"</option>
                    <option value="yes">"Yes"</option>
                    <option value="no">"No"</option>
                </select>
                <FieldError id="outcome-implemented-error" message=Signal::derive(err("implemented")) />
            </div>
            <div class="field">
                <label for="outcome-reason">"If not, why"</label>
                <select id="outcome-reason" aria-describedby="outcome-reason-error" on:change=move |ev| input.update(|i| i.reason = Some(event_target_value(&ev)).filter(|v| !v.is_empty()))>
                    <option value="">"—"</option>
                    {NotImplementedReason::ALL.iter().copied().map(|r| view! { <option value=r.code()>{r.label()}</option> }).collect_view()}
                </select>
                <FieldError id="outcome-reason-error" message=Signal::derive(err("reason")) />
            </div>
            <div class="field">
                <label for="outcome-date">"When (YYYY-MM-DD)"</label>
                <input id="outcome-date" type="date" aria-describedby="outcome-date-error" on:input=move |ev| input.update(|i| i.date = Some(event_target_value(&ev)).filter(|v| !v.is_empty())) />
                <FieldError id="outcome-date-error" message=Signal::derive(err("date")) />
            </div>
            <div class="field">
                <label for="outcome-note">"Note"</label>
                <input id="outcome-note" type="text" aria-describedby="outcome-note-error" on:input=move |ev| input.update(|i| i.note = event_target_value(&ev)) />
                <FieldError id="outcome-note-error" message=Signal::derive(err("note")) />
            </div>
            <button type="submit" class="secondary">"Record the outcome"</button>
        </form>
    }
}
