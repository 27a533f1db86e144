//! The centre's clinical trials (issue 21): each board's register, read by its members;
//! coordinators add a trial with its structured eligibility and open, suspend or close it.
//! The case page and meeting mode match each case to the open ones.

use leptos::prelude::*;

use crate::api::trials::{CreateTrial, SetTrialStatus, Trial, TrialInput, list_trials};
use crate::components::actions::{after_saving, failure, field_error};
use crate::components::board::{BoardChoice, board_choice_resource};
use crate::components::errors::{ActionError, FieldError, TextField, error_notice, invalid, keep_focus_at};
use crate::components::session::{GatedPage, use_session};
use crate::domain::codes::{Code, Grade, MStage, PrimarySite, SstrImaging, choices};
use crate::domain::role::{Action, can};
use crate::domain::trial::{EligibilityInput, TrialPhase, TrialStatus};
use crate::error::AppError;

#[component]
pub fn TrialsPage() -> impl IntoView {
    view! { <GatedPage title="Clinical trials" action=Action::ReadCases><Register /></GatedPage> }
}

#[component]
fn Register() -> impl IntoView {
    let session = use_session();
    let create = ServerAction::<CreateTrial>::new();
    let status = ServerAction::<SetTrialStatus>::new();
    let trials = Resource::new(move || (create.version().get(), status.version().get()), |_| list_trials());
    // The row is drawn anew with the register (its Save button disabled): the focus goes back
    // to the row's status.
    after_saving(status, |t: &Trial| keep_focus_at(format!("#trial-{} select", t.id)));
    let boards = board_choice_resource();
    let may = Signal::derive(move || {
        session.get().and_then(|s| s.ok()).flatten().is_some_and(|i| can(i.me.role, Action::ManageTrials))
    });
    view! {
        <div class="page-head"><h1>"Clinical trials"</h1></div>
        <p class="muted">"The centre's studies, per board. Each case page matches its case to the open ones on the recorded facts; a person checks the other criteria and the board decides."</p>
        <ActionError error=failure(status) />
        {move || status.value().get().and_then(|r| r.ok()).map(|t| view! {
            <p class="notice ok" role="status" data-testid="trial-status-saved">
                {format!("{} is now {}.", t.acronym, t.status.label().to_lowercase())}
                {(t.status != TrialStatus::Open).then_some(" Case pages no longer offer it.")}
            </p>
        })}
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the register…"</p> }>
            <ErrorBoundary fallback=error_notice>
                {move || trials.get().map(|r| r.map(|list| view! { <TrialTable list may=may.get() status /> }))}
            </ErrorBoundary>
        </Transition>
        {move || may.get().then(|| view! { <NewTrialForm create boards /> })}
    }
}

/// The structured criteria in words, for the table.
fn criteria(e: &EligibilityInput) -> String {
    let mut out = Vec::new();
    let labels = |codes: &[String], parse: fn(&str) -> Option<&'static str>| {
        codes.iter().map(|c| parse(c).unwrap_or("?")).collect::<Vec<_>>().join(", ")
    };
    if !e.primary_sites.is_empty() {
        out.push(labels(&e.primary_sites, |c| PrimarySite::parse(c).ok().map(|s| s.label())));
    }
    if !e.grades.is_empty() {
        out.push(labels(&e.grades, |c| Grade::parse(c).ok().map(|s| s.label())));
    }
    match (e.ki67_min, e.ki67_max) {
        (Some(a), Some(b)) => out.push(format!("Ki-67 {a}–{b} %")),
        (Some(a), None) => out.push(format!("Ki-67 ≥ {a} %")),
        (None, Some(b)) => out.push(format!("Ki-67 ≤ {b} %")),
        (None, None) => {}
    }
    if !e.m_stages.is_empty() {
        out.push(e.m_stages.join("/"));
    }
    if let Some(s) = &e.sstr_imaging {
        out.push(format!("SSTR {s}"));
    }
    if let Some(m) = e.ecog_max {
        out.push(format!("ECOG ≤ {m}"));
    }
    if let Some(a) = e.age_min {
        out.push(format!("age ≥ {a}"));
    }
    if out.is_empty() { "—".into() } else { out.join(" · ") }
}

#[component]
fn TrialTable(list: Vec<Trial>, may: bool, status: ServerAction<SetTrialStatus>) -> impl IntoView {
    if list.is_empty() {
        return view! { <section class="panel empty"><p>"No trial on your boards' registers yet."</p></section> }
            .into_any();
    }
    view! {
        <section class="panel" aria-labelledby="register-heading">
            <h2 id="register-heading">"Register"</h2>
            <table class="list" data-testid="trials-register">
                <thead><tr>
                    <th scope="col">"Trial"</th><th scope="col">"Registry"</th><th scope="col">"Phase"</th>
                    <th scope="col">"Structured criteria"</th><th scope="col">"Contact"</th><th scope="col">"Board"</th><th scope="col">"Status"</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|t| {
                        let (id, version, current) = (t.id.clone(), t.version, t.status);
                        let label = format!("Status of {}", t.acronym);
                        view! {
                            <tr data-testid="trial-row" id=format!("trial-{}", t.id)>
                                <td><strong>{t.acronym.clone()}</strong><br /><span class="muted">{t.title.clone()}</span></td>
                                <td>{t.registry_id.clone()}</td>
                                <td>{t.phase.label()}</td>
                                <td>{criteria(&t.eligibility)}</td>
                                <td>{t.contact.clone()}</td>
                                <td>{t.board_name.clone()}</td>
                                <td>{if may {
                                    // Chosen, then saved with the button: a select that saved on
                                    // each change saved every step of the arrow keys.
                                    let choice = RwSignal::new(current.code().to_string());
                                    let save_label = format!("Save the status of {}", t.acronym);
                                    view! {
                                        <form class="inline-fields" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                            ev.prevent_default();
                                            status.dispatch(SetTrialStatus { id: id.clone(), version, status: choice.get_untracked() });
                                        }>
                                            <select aria-label=label prop:value=move || choice.get()
                                                on:change=move |ev| choice.set(event_target_value(&ev))>
                                                {TrialStatus::ALL.iter().map(|s| view! {
                                                    <option value=s.code() selected=*s == current>{s.label()}</option>
                                                }).collect_view()}
                                            </select>
                                            <button type="submit" class="secondary small" aria-label=save_label
                                                disabled=move || status.pending().get() || choice.with(|c| c == current.code())>
                                                "Save"
                                            </button>
                                        </form>
                                    }.into_any()
                                } else {
                                    view! { <span>{current.label()}</span> }.into_any()
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn NewTrialForm(
    create: ServerAction<CreateTrial>,
    boards: Resource<Result<Vec<crate::api::boards::BoardRef>, AppError>>,
) -> impl IntoView {
    let input = RwSignal::new(TrialInput { phase: "2".into(), status: "open".into(), ..Default::default() });
    let board_id = RwSignal::new(None::<String>);
    let err = move |f: &'static str| field_error(create, f);
    let number = move |f: fn(&mut EligibilityInput) -> &mut Option<f64>| {
        move |ev: leptos::ev::Event| {
            input.update(|i| *f(&mut i.eligibility) = event_target_value(&ev).trim().parse().ok())
        }
    };
    let small = move |f: fn(&mut EligibilityInput) -> &mut Option<u8>| {
        move |ev: leptos::ev::Event| {
            input.update(|i| *f(&mut i.eligibility) = event_target_value(&ev).trim().parse().ok())
        }
    };
    // The text fields as their own signals, put into the input when it is sent.
    let (title, acronym, registry, contact, other) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    fn checks<T: Code>(
        legend: &'static str,
        input: RwSignal<TrialInput>,
        field: fn(&mut EligibilityInput) -> &mut Vec<String>,
    ) -> impl IntoView {
        view! {
            <fieldset class="multi">
                <legend>{legend}</legend>
                {choices::<T>().into_iter().map(|(code, label)| view! {
                    <label class="check">
                        <input type="checkbox" on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            input.update(|i| {
                                let list = field(&mut i.eligibility);
                                list.retain(|c| c != code);
                                if on { list.push(code.to_string()) }
                            })
                        } />
                        " " {label}
                    </label>
                }).collect_view()}
            </fieldset>
        }
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut i = input.get_untracked();
        i.board_id = board_id.get_untracked();
        i.title = title.get_untracked();
        i.acronym = acronym.get_untracked();
        i.registry_id = registry.get_untracked();
        i.contact = contact.get_untracked();
        i.other_criteria = other.get_untracked();
        create.dispatch(CreateTrial { input: i });
    };
    view! {
        <section class="panel" aria-labelledby="new-trial-heading">
            <h2 id="new-trial-heading">"Add a trial"</h2>
            {move || create.value().get().and_then(|r| r.ok()).map(|t| view! {
                <p class="notice ok" role="status" data-testid="trial-added">{format!("{} is on the register. Case pages match it now.", t.acronym)}</p>
            })}
            <ActionError error=failure(create) />
            <form on:submit=submit novalidate class="grid-form" aria-label="Add a trial">
                <BoardChoice id="t-board-id" boards selected=board_id error=err("board_id") />
                <TextField id="t-title" label="Title" value=title error=err("title") />
                <TextField id="t-acronym" label="Short name" value=acronym error=err("acronym") />
                <TextField id="t-registry" label="Registry id (NCT, EudraCT, EU CT, ISRCTN, DRKS)" value=registry error=err("registry_id") />
                <div class="field">
                    <label for="t-phase">"Phase"</label>
                    <select id="t-phase" on:change=move |ev| input.update(|i| i.phase = event_target_value(&ev))>
                        {TrialPhase::ALL.iter().map(|p| view! { <option value=p.code() selected=*p == TrialPhase::P2>{p.label()}</option> }).collect_view()}
                    </select>
                </div>
                <TextField id="t-contact" label="Contact" value=contact error=err("contact") />
                {checks::<PrimarySite>("Primary sites (none ticked: any)", input, |e| &mut e.primary_sites)}
                {checks::<Grade>("Grades (none ticked: any)", input, |e| &mut e.grades)}
                {checks::<MStage>("M category (none ticked: any)", input, |e| &mut e.m_stages)}
                <div class="field">
                    <label for="t-ki67-min">"Ki-67 from (%)"</label>
                    <input id="t-ki67-min" type="number" min="0" max="100" step="any" on:input=number(|e| &mut e.ki67_min) aria-describedby="t-ki67-min-error"
                        aria-invalid=invalid(err("eligibility.ki67_min")) />
                    <FieldError id="t-ki67-min-error" message=err("eligibility.ki67_min") />
                </div>
                <div class="field">
                    <label for="t-ki67-max">"Ki-67 up to (%)"</label>
                    <input id="t-ki67-max" type="number" min="0" max="100" step="any" on:input=number(|e| &mut e.ki67_max) aria-describedby="t-ki67-max-error"
                        aria-invalid=invalid(err("eligibility.ki67_max")) />
                    <FieldError id="t-ki67-max-error" message=err("eligibility.ki67_max") />
                </div>
                <div class="field">
                    <label for="t-sstr">"SSTR imaging"</label>
                    <select id="t-sstr" on:change=move |ev| input.update(|i| i.eligibility.sstr_imaging = Some(event_target_value(&ev)).filter(|v| !v.is_empty()))>
                        <option value="">"Any"</option>
                        {[SstrImaging::Positive, SstrImaging::Negative].into_iter().map(|s| view! { <option value=s.code()>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="t-ecog">"ECOG at most"</label>
                    <select id="t-ecog" on:change=move |ev| input.update(|i| i.eligibility.ecog_max = event_target_value(&ev).parse().ok())>
                        <option value="">"Any"</option>
                        {(0..=4).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="t-age-min">"Age from (years)"</label>
                    <input id="t-age-min" type="number" min="0" max="120" on:input=small(|e| &mut e.age_min) aria-describedby="t-age-min-error"
                        aria-invalid=invalid(err("eligibility.age_min")) />
                    <FieldError id="t-age-min-error" message=err("eligibility.age_min") />
                </div>
                <div class="field">
                    <label for="t-other">"Other criteria (a person checks these)"</label>
                    <textarea id="t-other" rows="3" maxlength="4000" aria-describedby="t-other-error" aria-invalid=invalid(err("other_criteria"))
                        prop:value=move || other.get() on:input=move |ev| other.set(event_target_value(&ev))></textarea>
                    <FieldError id="t-other-error" message=err("other_criteria") />
                </div>
                <button type="submit" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Adding…" } else { "Add the trial" }}
                </button>
            </form>
        </section>
    }
}
