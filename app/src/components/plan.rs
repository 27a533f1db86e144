//! The board's plan on the case page: record it (options taken from the proposal in one
//! click or added, rationale, meeting, trials, dissent, a deviation reason when it departs
//! from the first option), sign it with the password, then addenda and the follow-up outcome.
//! What the proposer suggested and what the board decided are always shown apart.

use leptos::prelude::*;

use crate::api::meetings::Meeting;
use crate::api::plans::{AddAddendum, OutcomeInput, Plan, PlanInput, RecordOutcome, SavePlan, SignPlan};
use crate::domain::case::StoredProposal;
use crate::domain::codes::OptionCode;
use crate::domain::meeting::Attendee;
use crate::domain::plan::{DissentInput, NotImplementedReason, departs_from};
use crate::domain::role::{Action, can};
use crate::domain::user::Me;
use crate::error::AppError;

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

fn field_error(e: Option<AppError>, f: &str) -> Option<String> {
    e.and_then(|e| e.field_message(f))
}

/// The plan as recorded (read-only), used by the case page and the decision report.
#[component]
pub fn PlanView(plan: Plan) -> impl IntoView {
    let c = plan.content.clone();
    view! {
        <div class="plan-view" data-testid="plan">
            <p class="muted">"Version " {plan.version} " · recorded by " {c.recorded_by_name.clone()} " · " {c.recorded_at.get(..16).unwrap_or_default().replace('T', " ")} " UTC"
                {c.case_version.map(|v| view! { " · decided on case version " <span data-testid="decided-on">{v}</span> })}</p>
            {plan.decided_on.clone().filter(|d| !d.changed_since.is_empty()).map(|d| view! {
                <div class="notice warn" role="note" data-testid="changed-since-decision">
                    <p>"The case changed after this plan was decided on (version " {d.case_version} " → now version " {d.current_version} "):"</p>
                    <crate::pages::case_view::ChangeTable changes=d.changed_since />
                </div>
            })}
            <h3>"Decided options"</h3>
            <ol class="plan-options">{c.options.iter().map(|o| view! { <li>{o.label()}</li> }).collect_view()}</ol>
            <h3>"Rationale"</h3>
            <p class="prose">{c.rationale.clone()}</p>
            {c.deviation_reason.clone().map(|r| view! {
                <h3>"Why the plan departs from the proposer's first option"</h3>
                <p class="prose" data-testid="deviation">{r}</p>
            })}
            <p>"Clinical trials discussed: " <strong>{if c.trial_discussed { "yes" } else { "no" }}</strong></p>
            {(!c.dissent.is_empty()).then(|| view! {
                <h3>"Dissent"</h3>
                <ul>{c.dissent.iter().map(|d| view! { <li><strong>{d.name.clone()}</strong> ": " {d.note.clone()}</li> }).collect_view()}</ul>
            })}
            <p class="muted">"Proposal shown at the time (" {c.proposal.ruleset_version.clone()} "): "
                {c.proposal.options.iter().map(|o| o.code.label()).collect::<Vec<_>>().join(" · ")}</p>
            {match plan.signature.clone() {
                Some(s) => view! {
                    <p class="notice ok signature" data-testid="signature">
                        "Signed by " <strong>{s.signer_name}</strong> " on " {s.signed_at.get(..16).unwrap_or_default().replace('T', " ")} " UTC. "
                        "The plan is locked. SHA-256 of its content: " <code class="hash">{s.content_sha256}</code>
                    </p>
                }.into_any(),
                None => view! { <p class="notice warn">"Not signed yet: this plan can still change."</p> }.into_any(),
            }}
            {(!plan.addenda.is_empty()).then(|| view! {
                <h3>"Addenda"</h3>
                <ul class="addenda">{plan.addenda.iter().map(|a| view! {
                    <li><span class="muted">{a.author_name.clone()} " · " {a.at.get(..16).unwrap_or_default().replace('T', " ")} " UTC"</span><br />{a.body.clone()}</li>
                }).collect_view()}</ul>
            })}
            {plan.outcome.clone().map(|o| view! {
                <h3>"Follow-up"</h3>
                <p data-testid="outcome">
                    {if o.record.implemented { "Carried out".to_string() } else { format!("Not carried out: {}", o.record.reason.map(|r| r.label()).unwrap_or_default()) }}
                    {o.record.date.map(|d| format!(" ({d})"))}
                    {(!o.record.note.is_empty()).then(|| format!(". {}", o.record.note))}
                    " " <span class="muted">"— recorded by " {o.recorded_by_name} "."</span>
                </p>
            })}
        </div>
    }
}

#[component]
pub fn PlanPanel(
    case_id: String,
    plan: Option<Plan>,
    proposal: Option<StoredProposal>,
    me: Option<Me>,
    members: Vec<Attendee>,
    meetings: Vec<Meeting>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let draft = use_context::<PlanDraft>().unwrap_or_default();
    let save = ServerAction::<SavePlan>::new();
    let sign = ServerAction::<SignPlan>::new();
    let addendum = ServerAction::<AddAddendum>::new();
    let outcome = ServerAction::<RecordOutcome>::new();
    Effect::new(move || {
        if matches!(save.value().get(), Some(Ok(_))) {
            draft.editing.set(false);
        }
        let done = matches!(save.value().get(), Some(Ok(_)))
            || matches!(sign.value().get(), Some(Ok(_)))
            || matches!(addendum.value().get(), Some(Ok(_)))
            || matches!(outcome.value().get(), Some(Ok(_)));
        if done {
            refresh.update(|r| *r += 1);
        }
    });
    let role = me.as_ref().map(|m| m.role);
    let may = move |a: Action| role.is_some_and(|r| can(r, a));
    let signed = plan.as_ref().is_some_and(|p| p.signature.is_some());
    let version = plan.as_ref().map(|p| p.version);
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
                },
                None => PlanInput::default(),
            };
            draft.input.set(input);
            draft.editing.set(true);
        }
    };
    view! {
        <section class="panel plan" aria-labelledby="plan-heading">
            <h2 id="plan-heading">"The board's plan"</h2>
            <p class="muted">"The proposer's options are suggestions; this is what the board decided. "
                <a href=format!("/cases/{case_id}/report")>"Decision report"</a></p>
            {match plan.clone() {
                Some(p) => view! { <PlanView plan=p /> }.into_any(),
                None => view! { <p data-testid="no-plan">"No plan recorded yet."</p> }.into_any(),
            }}
            {(may(Action::RecordPlan) && !signed).then(|| view! {
                <button type="button" class="secondary" aria-expanded=move || draft.editing.get().to_string() on:click=start_editing.clone()
                    hidden=move || draft.editing.get()>
                    {if version.is_some() { "Edit the plan" } else { "Record the board's plan" }}
                </button>
            })}
            {
                let case_id = case_id.clone();
                move || draft.editing.get().then(|| view! {
                    <PlanForm case_id=case_id.clone() version proposal=proposal.clone() members=members.clone() meetings=meetings.clone() save draft />
                })
            }
            {version.filter(|_| !signed && may(Action::SignPlan)).map(|version| view! { <SignForm case_id=case_id.clone() version sign /> })}
            {(signed && may(Action::AddAddendum)).then(|| view! { <AddendumForm case_id=case_id.clone() addendum /> })}
            {(signed && plan.as_ref().is_some_and(|p| p.outcome.is_none()) && may(Action::RecordOutcome)).then(|| view! {
                <OutcomeForm case_id=case_id.clone() outcome />
            })}
        </section>
    }
}

#[component]
fn PlanForm(
    case_id: String,
    version: Option<i64>,
    proposal: Option<StoredProposal>,
    members: Vec<Attendee>,
    meetings: Vec<Meeting>,
    save: ServerAction<SavePlan>,
    draft: PlanDraft,
) -> impl IntoView {
    let input = draft.input;
    let proposed = proposal.as_ref().map(|p| p.proposal.clone());
    let first = proposed.as_ref().and_then(|p| p.options.first().map(|o| o.code));
    let err = move |f: &'static str| move || field_error(save.value().get().and_then(|r| r.err()), f);
    let general =
        move || save.value().get().and_then(|r| r.err()).filter(|e| e.fields().is_none()).map(|e| e.to_string());
    let chosen = move |code: OptionCode| input.with(|i| i.options.iter().any(|o| o == code.code()));
    let toggle = move |code: OptionCode, on: bool| {
        input.update(|i| {
            i.options.retain(|o| o != code.code());
            if on {
                i.options.push(code.code().to_string());
            }
        })
    };
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
            <fieldset class="multi" aria-describedby="plan-options-error">
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
                <p class="field-error" id="plan-options-error" aria-live="polite">{err("options")}</p>
            </fieldset>
            {move || departs().then(|| view! {
                <div class="field">
                    <label for="plan-deviation">"Why the plan departs from the proposer's first option (required)"</label>
                    <textarea id="plan-deviation" rows="2" aria-describedby="plan-deviation-error"
                        prop:value=move || input.with(|i| i.deviation_reason.clone().unwrap_or_default())
                        on:input=move |ev| input.update(|i| i.deviation_reason = Some(event_target_value(&ev)))></textarea>
                    <p class="field-error" id="plan-deviation-error" aria-live="polite">{err("deviation_reason")}</p>
                </div>
            })}
            <div class="field">
                <label for="plan-rationale">"Rationale"</label>
                <textarea id="plan-rationale" rows="3" aria-describedby="plan-rationale-error"
                    prop:value=move || input.with(|i| i.rationale.clone()) on:input=move |ev| input.update(|i| i.rationale = event_target_value(&ev))></textarea>
                <p class="field-error" id="plan-rationale-error" aria-live="polite">{err("rationale")}</p>
            </div>
            <div class="field">
                <label for="plan-meeting">"Meeting"</label>
                <select id="plan-meeting" prop:value=move || input.with(|i| i.meeting_id.clone().unwrap_or_default())
                    on:change=move |ev| input.update(|i| i.meeting_id = Some(event_target_value(&ev)).filter(|v| !v.is_empty()))>
                    <option value="">"Not at a meeting"</option>
                    {meetings.into_iter().map(|m| view! { <option value=m.id.clone()>{m.title.clone()} " — " {m.starts_at.get(..10).unwrap_or_default().to_string()}</option> }).collect_view()}
                </select>
            </div>
            <label class="check">
                <input type="checkbox" prop:checked=move || input.with(|i| i.trial_discussed) on:change=move |ev| input.update(|i| i.trial_discussed = event_target_checked(&ev)) />
                " Clinical trials were discussed"
            </label>
            <fieldset class="multi">
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
                                <input id=note_id type="text" prop:value=move || input.with(|i| i.dissent.get(n).map(|d| d.note.clone()).unwrap_or_default())
                                    on:input=move |ev| input.update(|i| if let Some(d) = i.dissent.get_mut(n) { d.note = event_target_value(&ev) }) />
                                <button type="button" class="secondary small" on:click=move |_| input.update(|i| { if n < i.dissent.len() { i.dissent.remove(n); } })>"Remove"</button>
                            </div>
                        }
                    }).collect_view()
                }
                <button type="button" class="secondary small" on:click=move |_| input.update(|i| i.dissent.push(DissentInput::default()))>"Add a dissent"</button>
                <p class="field-error" aria-live="polite">{err("dissent")}</p>
            </fieldset>
            {move || general().map(|m| view! { <p class="notice bad" role="alert">{m}</p> })}
            <div class="actions-row">
                <button type="submit" disabled=move || save.pending().get()>{move || if save.pending().get() { "Saving…" } else { "Save the plan" }}</button>
                <button type="button" class="secondary" on:click=move |_| draft.editing.set(false)>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
fn SignForm(case_id: String, version: i64, sign: ServerAction<SignPlan>) -> impl IntoView {
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
fn AddendumForm(case_id: String, addendum: ServerAction<AddAddendum>) -> impl IntoView {
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
                <p class="field-error" id="addendum-error" aria-live="polite">{move || field_error(addendum.value().get().and_then(|r| r.err()), "body")}</p>
            </div>
            <button type="submit" class="secondary">"Add addendum"</button>
        </form>
    }
}

#[component]
fn OutcomeForm(case_id: String, outcome: ServerAction<RecordOutcome>) -> impl IntoView {
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
                <p class="field-error" id="outcome-implemented-error" aria-live="polite">{err("implemented")}</p>
            </div>
            <div class="field">
                <label for="outcome-reason">"If not, why"</label>
                <select id="outcome-reason" aria-describedby="outcome-reason-error" on:change=move |ev| input.update(|i| i.reason = Some(event_target_value(&ev)).filter(|v| !v.is_empty()))>
                    <option value="">"—"</option>
                    {NotImplementedReason::ALL.iter().copied().map(|r| view! { <option value=r.code()>{r.label()}</option> }).collect_view()}
                </select>
                <p class="field-error" id="outcome-reason-error" aria-live="polite">{err("reason")}</p>
            </div>
            <div class="field">
                <label for="outcome-date">"When (YYYY-MM-DD)"</label>
                <input id="outcome-date" type="date" aria-describedby="outcome-date-error" on:input=move |ev| input.update(|i| i.date = Some(event_target_value(&ev)).filter(|v| !v.is_empty())) />
                <p class="field-error" id="outcome-date-error" aria-live="polite">{err("date")}</p>
            </div>
            <div class="field">
                <label for="outcome-note">"Note"</label>
                <input id="outcome-note" type="text" aria-describedby="outcome-note-error" on:input=move |ev| input.update(|i| i.note = event_target_value(&ev)) />
                <p class="field-error" id="outcome-note-error" aria-live="polite">{err("note")}</p>
            </div>
            <button type="submit" class="secondary">"Record the outcome"</button>
        </form>
    }
}
