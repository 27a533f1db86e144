//! Recording the board's plan: the options chosen (from the proposal in one click, or any
//! other), why the plan departs from the first option when it does, the rationale, the
//! meeting, trials discussed and dissent.

use leptos::prelude::*;

use crate::components::actions::failure;

use crate::components::errors::{ActionError, FieldError, focus_first_in, invalid};

use super::{PLAN_HEAD, PlanDraft, field_error};
use crate::api::meetings::Meeting;
use crate::api::plans::{PlanInput, SavePlan};
use crate::domain::case::StoredProposal;
use crate::domain::codes::OptionCode;
use crate::domain::meeting::Attendee;
use crate::domain::plan::{DissentInput, PlanTrial, PlanTrialInput, departs_from};
use crate::domain::proposer::ProposedOption;
use crate::domain::trial::TrialMatch;

#[component]
pub(super) fn PlanForm(
    case_id: String,
    version: Option<i64>,
    proposal: Option<StoredProposal>,
    members: Vec<Attendee>,
    meetings: Vec<Meeting>,
    save: ServerAction<SavePlan>,
    draft: PlanDraft,
    /// The board's open trials matched to the case, to tick as discussed and offered.
    trials: Vec<TrialMatch>,
    /// The trials the plan being edited already names (one closed since is still listed).
    named: Vec<PlanTrial>,
) -> impl IntoView {
    let input = draft.input;
    let proposed = proposal.as_ref().map(|p| p.proposal.clone());
    let first = proposed.as_ref().and_then(|p| p.options.first().map(|o| o.code));
    let err = move |f: &'static str| Signal::derive(move || field_error(save.value().get().and_then(|r| r.err()), f));
    let departs = {
        let proposed = proposed.clone();
        move || {
            let opts: Vec<OptionCode> =
                input.with(|i| i.options.iter().filter_map(|o| OptionCode::parse(o).ok()).collect());
            proposed.as_ref().is_some_and(|p| !opts.is_empty() && departs_from(p, &opts))
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SavePlan { case_id: case_id.clone(), version, input: input.get_untracked() });
    };
    let proposed_options = proposed.map(|p| p.options).unwrap_or_default();
    let proposed_codes: Vec<OptionCode> = proposed_options.iter().map(|o| o.code).collect();
    let others: Vec<OptionCode> = OptionCode::ALL.iter().copied().filter(|c| !proposed_codes.contains(c)).collect();
    view! {
        <form class="plan-form" on:submit=submit novalidate>
            <OptionChoices input first proposed_options others err=err("options") />
            {move || departs().then(|| view! {
                <div class="field">
                    <label for="plan-deviation">"Why the plan departs from the proposer's first option (required)"</label>
                    <textarea id="plan-deviation" rows="2" aria-describedby="plan-deviation-error"
                        aria-invalid=invalid(err("deviation_reason"))
                        prop:value=move || input.with(|i| i.deviation_reason.clone().unwrap_or_default())
                        on:input=move |ev| input.update(|i| i.deviation_reason = Some(event_target_value(&ev)))></textarea>
                    <FieldError id="plan-deviation-error" message=err("deviation_reason") />
                </div>
            })}
            <div class="field">
                <label for="plan-rationale">"Rationale"</label>
                <textarea id="plan-rationale" rows="3" aria-describedby="plan-rationale-error"
                    aria-invalid=invalid(err("rationale"))
                    prop:value=move || input.with(|i| i.rationale.clone()) on:input=move |ev| input.update(|i| i.rationale = event_target_value(&ev))></textarea>
                <FieldError id="plan-rationale-error" message=err("rationale") />
            </div>
            <div class="field">
                <label for="plan-meeting">"Meeting"</label>
                <select id="plan-meeting" prop:value=move || input.with(|i| i.meeting_id.clone().unwrap_or_default())
                    aria-invalid=invalid(err("meeting_id")) aria-describedby="plan-meeting-error"
                    on:change=move |ev| input.update(|i| i.meeting_id = Some(event_target_value(&ev)).filter(|v| !v.is_empty()))>
                    <option value="">"Not at a meeting"</option>
                    // A cancelled meeting decided nothing (the server refuses a plan naming it).
                    {meetings.into_iter().filter(|m| m.cancelled.is_none()).map(|m| view! { <option value=m.id.clone()>{m.title.clone()} " — " {crate::components::format::zone().day(&m.starts_at).map(|d| d.to_string()).unwrap_or_default()}</option> }).collect_view()}
                </select>
                <FieldError id="plan-meeting-error" message=err("meeting_id") />
            </div>
            <label class="check">
                <input type="checkbox" aria-describedby="plan-trial-discussed-error"
                    aria-invalid=invalid(err("trial_discussed")) prop:checked=move || input.with(|i| i.trial_discussed)
                    on:change=move |ev| input.update(|i| i.trial_discussed = event_target_checked(&ev)) />
                " Clinical trials were discussed"
            </label>
            <FieldError id="plan-trial-discussed-error" message=err("trial_discussed") />
            <TrialChoices input trials named err=err("trials") />
            <DissentRows input members err=err("dissent") />
            <ActionError error=failure(save) />
            <div class="actions-row">
                <button type="submit" disabled=move || save.pending().get()>{move || if save.pending().get() { "Saving…" } else { "Save the plan" }}</button>
                <button type="button" class="secondary" on:click=move |_| {
                    draft.editing.set(false);
                    focus_first_in(PLAN_HEAD);
                }>"Cancel"</button>
            </div>
        </form>
    }
}

/// The options the board chose: the proposal's, one click for its first, or any other.
#[component]
fn OptionChoices(
    input: RwSignal<PlanInput>,
    first: Option<OptionCode>,
    proposed_options: Vec<ProposedOption>,
    others: Vec<OptionCode>,
    err: Signal<Option<String>>,
) -> impl IntoView {
    let chosen = move |code: OptionCode| input.with(|i| i.options.iter().any(|o| o == code.code()));
    let toggle = move |code: OptionCode, on: bool| {
        input.update(|i| {
            i.options.retain(|o| o != code.code());
            if on {
                i.options.push(code.code().to_string());
            }
        })
    };
    view! {
        <fieldset class="multi" aria-describedby="plan-options-error" aria-invalid=invalid(err)>
            <legend>"Options the board chose"</legend>
            {first.map(|f| view! {
                <button type="button" class="secondary small" on:click=move |_| input.update(|i| i.options = vec![f.code().to_string()])>
                    "Take the proposal's first option (" {f.label()} ")"
                </button>
            })}
            <ul class="option-choices">
                {proposed_options.into_iter().map(|o| {
                    let code = o.code;
                    view! {
                        <li><label class="check">
                            <input type="checkbox" prop:checked=move || chosen(code) on:change=move |ev| toggle(code, event_target_checked(&ev)) />
                            " " {code.label()} " " <span class="muted">"(proposed, rank " {o.rank} ")"</span>
                        </label></li>
                    }
                }).collect_view()}
            </ul>
            <div class="field">
                <label for="plan-add-option">"Add an option not proposed"</label>
                <select id="plan-add-option" on:change=move |ev| {
                    if let Ok(c) = OptionCode::parse(&event_target_value(&ev)) { toggle(c, true) }
                }>
                    <option value="">"Choose…"</option>
                    {others.iter().map(|c| view! { <option value=c.code()>{c.label()}</option> }).collect_view()}
                </select>
            </div>
            <p>"Chosen: " <strong data-testid="plan-chosen">{move || input.with(|i| i.options.iter().filter_map(|o| OptionCode::parse(o).ok()).map(|c| c.label()).collect::<Vec<_>>().join(" · "))}</strong></p>
            // Each chosen option can be taken out on its own (one added by mistake).
            <ul class="chosen-options">
                {move || input.with(|i| i.options.iter().filter_map(|o| OptionCode::parse(o).ok()).collect::<Vec<_>>()).into_iter().map(|c| view! {
                    <li>
                        <button type="button" class="secondary small" aria-label=format!("Remove {} from the plan", c.label())
                            on:click=move |_| toggle(c, false)>{c.label()} " ×"</button>
                    </li>
                }).collect_view()}
            </ul>
            <FieldError id="plan-options-error" message=err />
        </fieldset>
    }
}

/// The centre's trials discussed for this patient, each offered or not: the board's open trials
/// as matched to the case, and any the plan already names (a trial closed since stays listed).
#[component]
fn TrialChoices(
    input: RwSignal<PlanInput>,
    trials: Vec<TrialMatch>,
    named: Vec<PlanTrial>,
    err: Signal<Option<String>>,
) -> impl IntoView {
    let mut rows: Vec<(String, String)> =
        trials.iter().map(|m| (m.trial_id.clone(), format!("{} — {}", m.acronym, m.verdict.label()))).collect();
    for t in named {
        if !rows.iter().any(|(id, _)| *id == t.trial_id) {
            rows.push((t.trial_id, format!("{} — no longer open", t.acronym)));
        }
    }
    (!rows.is_empty()).then(|| view! {
        <fieldset class="multi plan-trial-choices" aria-describedby="plan-trials-error" aria-invalid=invalid(err)>
            <legend>"Trials of this centre discussed"</legend>
            <p class="muted">"Tick each trial the board discussed, and whether it was offered to the patient. The match is a suggestion; eligibility is confirmed at screening."</p>
            <ul class="option-choices">
                {rows.into_iter().enumerate().map(|(n, (id, label))| {
                    let (discussed_id, offered_id, note_id) = (format!("plan-trial-{n}"), format!("plan-trial-offered-{n}"), format!("plan-trial-note-{n}"));
                    let id = StoredValue::new(id);
                    let ours = move |t: &PlanTrialInput| id.with_value(|id| t.trial_id == *id);
                    // This trial's entry in the plan being typed, while it is ticked as discussed.
                    let entry = move || input.with(|i| i.trials.iter().find(|t| ours(t)).cloned());
                    // The offer's fields appear and go with the tick alone, not with every key typed.
                    let discussed = Memo::new(move |_| entry().is_some());
                    let edit = move |f: &dyn Fn(&mut PlanTrialInput)| {
                        input.update(|i| if let Some(t) = i.trials.iter_mut().find(|t| ours(t)) { f(t) })
                    };
                    let toggle = move |on: bool| {
                        input.update(|i| {
                            i.trials.retain(|t| !ours(t));
                            if on {
                                i.trials.push(PlanTrialInput { trial_id: id.get_value(), ..Default::default() });
                                // Listing a trial is discussing one (the accreditors' count).
                                i.trial_discussed = true;
                            }
                        })
                    };
                    view! {
                        <li data-testid="plan-trial-choice">
                            <label class="check">
                                <input id=discussed_id type="checkbox" prop:checked=discussed
                                    on:change=move |ev| toggle(event_target_checked(&ev)) />
                                " Discussed: " {label}
                            </label>
                            {move || discussed.get().then(|| view! {
                                <div class="trial-offer">
                                    <label class="check">
                                        <input id=offered_id.clone() type="checkbox" prop:checked=move || entry().is_some_and(|t| t.offered)
                                            on:change=move |ev| { let on = event_target_checked(&ev); edit(&move |t| t.offered = on) } />
                                        " Offered to the patient"
                                    </label>
                                    <label for=note_id.clone()>"Note (why not offered, or what was agreed)"</label>
                                    <input id=note_id.clone() type="text" prop:value=move || entry().map(|t| t.note).unwrap_or_default()
                                        on:input=move |ev| { let v = event_target_value(&ev); edit(&move |t| t.note = v.clone()) } />
                                </div>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <FieldError id="plan-trials-error" message=err />
        </fieldset>
    })
}

/// Who dissented and what they said, one row each.
#[component]
fn DissentRows(input: RwSignal<PlanInput>, members: Vec<Attendee>, err: Signal<Option<String>>) -> impl IntoView {
    view! {
        <fieldset class="multi" aria-describedby="plan-dissent-error" aria-invalid=invalid(err)>
            <legend>"Dissent"</legend>
            {move || input.with(|i| i.dissent.len()).eq(&0).then(|| view! { <p class="muted">"No dissent recorded."</p> })}
            {
                let members = members.clone();
                move || (0..input.with(|i| i.dissent.len())).map(|n| {
                    let who_id = format!("dissent-who-{n}");
                    let note_id = format!("dissent-note-{n}");
                    view! {
                        <div class="dissent-row">
                            <label for=who_id.clone()>"Who"</label>
                            <select id=who_id prop:value=move || input.with(|i| i.dissent.get(n).map(|d| d.user_id.clone()).unwrap_or_default())
                                on:change=move |ev| input.update(|i| if let Some(d) = i.dissent.get_mut(n) { d.user_id = event_target_value(&ev) })>
                                <option value="">"Choose…"</option>
                                {members.iter().map(|m| view! { <option value=m.user_id.clone()>{m.display_name.clone()} " (" {m.specialty.map(|s| s.label()).unwrap_or_default()} ")"</option> }).collect_view()}
                            </select>
                            <label for=note_id.clone()>"What they said"</label>
                            <textarea id=note_id rows="3" prop:value=move || input.with(|i| i.dissent.get(n).map(|d| d.note.clone()).unwrap_or_default())
                                on:input=move |ev| input.update(|i| if let Some(d) = i.dissent.get_mut(n) { d.note = event_target_value(&ev) })></textarea>
                            <button type="button" class="secondary small" on:click=move |_| input.update(|i| { if n < i.dissent.len() { i.dissent.remove(n); } })>"Remove"</button>
                        </div>
                    }
                }).collect_view()
            }
            <button type="button" class="secondary small" on:click=move |_| input.update(|i| i.dissent.push(DissentInput::default()))>"Add a dissent"</button>
            <FieldError id="plan-dissent-error" message=err />
        </fieldset>
    }
}
