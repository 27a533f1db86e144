//! The case page: the tumor summary in clinical shorthand, what the board still needs, the
//! details, editing with versions (a stale save shows what changed meanwhile instead of
//! overwriting it), and the history of versions.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::cases::{CaseRecord, CaseVersion, SetCaseStatus, UpdateCase, case_history, case_proposal, get_case};
use crate::components::case_form::today;
use crate::components::case_form::{CaseFields, FormState};
use crate::components::live::{LiveBadge, follow_case};
use crate::components::proposal::ProposalPanel;
use crate::components::session::{RequireLogin, use_session};
use crate::domain::case::{CaseInput, FieldChange, field_changes};
use crate::domain::codes::CaseStatus;
use crate::domain::proposer::propose;
use crate::domain::role::{Action, can};
use crate::error::AppError;
use crate::pages::cases::StatusBadge;

#[component]
pub fn CasePage() -> impl IntoView {
    view! {
        <Title text="Case" />
        <RequireLogin>
            <CaseView />
        </RequireLogin>
    }
}

/// Words for a dotted field path ("tumor.ki67_percent" → "Ki-67 %").
pub fn field_label(path: &str) -> String {
    let name = path.rsplit('.').next().unwrap_or(path);
    let label = match name {
        "mrn" => "MRN",
        "name" => "Name",
        "birth_date" => "Birth date",
        "sex" => "Sex",
        "referring_clinician" => "Referring clinician",
        "question" => "Question",
        "history" => "History",
        "comorbidities" => "Comorbidities",
        "status" => "Status",
        "primary_site" => "Primary site",
        "grade" => "Grade",
        "ki67_percent" => "Ki-67 %",
        "differentiation" => "Differentiation",
        "tumor_size_mm" => "Size (mm)",
        "t_stage" => "T",
        "n_stage" => "N",
        "m_stage" => "M",
        "metastatic_sites" => "Metastatic sites",
        "liver_burden" => "Liver burden",
        "functional_syndrome" => "Functional status",
        "hormonal_symptoms" => "Hormonal symptoms",
        "hormonal_symptoms_refractory" => "Refractory symptoms",
        "sstr_imaging" => "SSTR imaging",
        "mibg_avid" => "MIBG avid",
        "ecog" => "ECOG",
        "bone_pain" => "Bone pain",
        "prior_treatments" => "Prior treatments",
        "progression_on_prior" => "Progression on prior",
        "men1" => "MEN1",
        "gastric_type" => "Gastric type",
        "age" => "Age",
        "primary_resectable" => "Primary resectable",
        "liver_lesion_count" => "Liver lesions",
        "liver_max_lesion_mm" => "Largest liver lesion (mm)",
        "ampullary" => "Ampullary",
        "resection_margin" => "Resection margin",
        "lymphovascular_invasion" => "Lymphovascular invasion",
        "tumor_burden" => "Tumour burden",
        other => other,
    };
    if path.starts_with("patient.") { format!("Patient: {label}") } else { label.to_string() }
}

/// A table of changes, before → after.
#[component]
pub fn ChangeTable(changes: Vec<FieldChange>) -> impl IntoView {
    view! {
        <table class="changes">
            <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
            <tbody>
                {changes.into_iter().map(|c| view! {
                    <tr>
                        <td>{field_label(&c.field)}</td>
                        <td class="before">{c.before.unwrap_or_else(|| "—".into())}</td>
                        <td class="after">{c.after.unwrap_or_else(|| "—".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn CaseView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // `refresh` follows this user's own saves; `case_tick` and `notes_tick` follow other
    // people's changes arriving live, so a new annotation does not rebuild the case view.
    let refresh = RwSignal::new(0u32);
    let case_tick = RwSignal::new(0u32);
    let notes_tick = RwSignal::new(0u32);
    // Every resource of the page is created here, up front: a resource created inside another
    // one's Suspend can resolve after the server has sent the page, and the browser then
    // renders something else than the server did (a hydration panic, seen in testing).
    let case = Resource::new(move || (id(), refresh.get(), case_tick.get()), |(id, _, _)| get_case(id));
    let proposal = Resource::new(move || (id(), refresh.get(), case_tick.get()), |(id, _, _)| case_proposal(id));
    let history = Resource::new(move || (id(), refresh.get(), case_tick.get()), |(id, _, _)| case_history(id));
    let annotations = Resource::new(
        move || (id(), refresh.get(), notes_tick.get()),
        |(id, _, _)| crate::api::annotations::list_annotations(id),
    );
    let plan =
        Resource::new(move || (id(), refresh.get(), case_tick.get()), |(id, _, _)| crate::api::plans::get_plan(id));
    let members = Resource::new(|| (), |_| crate::api::meetings::board_members());
    let meetings = Resource::new(|| (), |_| crate::api::meetings::list_meetings());
    // Drafts live here, above the views that live changes rebuild, so nothing typed is lost.
    provide_context(crate::components::plan::PlanDraft::new());
    let editing = RwSignal::new(false);
    let changed_meanwhile = RwSignal::new(false);
    provide_context(crate::components::annotations::NoteDrafts::new());
    let live = follow_case(
        move || case.get().and_then(|r| r.ok()).map(|r| (r.id, r.live_seq)),
        move |kind: crate::domain::events::CaseEventKind| {
            if kind.is_annotation() {
                notes_tick.update(|t| *t += 1);
            } else if editing.get_untracked() {
                // Rebuilding the editor would throw the user's edits away: say so instead; their
                // save will show what changed (a stale save is a 412 with the changes).
                changed_meanwhile.set(true);
            } else {
                case_tick.update(|t| *t += 1);
            }
        },
    );
    Effect::new(move || {
        if !editing.get() && changed_meanwhile.get_untracked() {
            changed_meanwhile.set(false);
            case_tick.update(|t| *t += 1);
        }
    });
    let session = use_session();
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the case…"</p> }>
            {move || Suspend::new(async move {
                let me = session.await.ok().flatten().map(|i| i.me);
                let me_for_plan = me.clone();
                let may_edit = me.as_ref().is_some_and(|m| can(m.role, Action::EditCase));
                match case.await {
                    Ok(record) => view! {
                        <CaseDetail record may_edit refresh notes_tick editing changed_meanwhile proposal history annotations me />
                        <PlanSection id=id() plan proposal members meetings me=me_for_plan refresh />
                    }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <section class="panel"><h1>"Case not found"</h1><p>"There is no case at this address. "<a href="/cases">"Back to the case list"</a></p></section>
                    }.into_any(),
                    Err(e) => view! { <p class="notice bad" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        <LiveBadge state=live />
    }
}

#[allow(clippy::too_many_arguments)]
#[component]
fn CaseDetail(
    record: CaseRecord,
    may_edit: bool,
    refresh: RwSignal<u32>,
    notes_tick: RwSignal<u32>,
    editing: RwSignal<bool>,
    changed_meanwhile: RwSignal<bool>,
    proposal: Resource<Result<crate::domain::case::StoredProposal, AppError>>,
    history: Resource<Result<Vec<CaseVersion>, AppError>>,
    annotations: Resource<Result<Vec<crate::domain::annotation::Annotation>, AppError>>,
    me: Option<crate::domain::user::Me>,
) -> impl IntoView {
    let status = ServerAction::<SetCaseStatus>::new();
    Effect::new(move || {
        if let Some(Ok(_)) = status.value().get() {
            refresh.update(|r| *r += 1);
        }
    });
    let p = record.content.patient.clone();
    let title = format!("{} · MRN {}", p.name, p.mrn);
    let id = record.id.clone();
    let version = record.version;
    let current_status = record.status;
    let missing = record.missing_for_board.clone();
    let change_status = move |to: CaseStatus| {
        let id = id.clone();
        move |_| {
            status.dispatch(SetCaseStatus { id: id.clone(), version, status: to.code().to_string() });
        }
    };
    view! {
        <header class="case-head">
            <p class="muted"><a href="/cases">"Cases"</a>" / case"</p>
            <h1 data-testid="case-title">{title}</h1>
            <p class="case-summary" data-testid="case-summary">{record.summary.clone()}</p>
            <p class="case-meta">
                <StatusBadge status=record.status />
                " Version " <span data-testid="case-version">{record.version}</span>
                " · born " {p.birth_date.clone()} " · " {p.sex.clone()}
                " · last change " {record.updated_at.get(..16).unwrap_or_default().replace('T', " ")} " UTC by " {record.updated_by.clone()}
            </p>
        </header>
        <crate::components::patient::PatientRecordPanel patient_id=record.patient_id.clone() version=record.patient_version
            patient=p.clone() may_edit refresh />
        <section class="panel readiness" aria-labelledby="ready-heading">
            <h2 id="ready-heading">"Before the board"</h2>
            {if missing.is_empty() {
                view! { <p class="notice ok" data-testid="case-complete">"Everything the board needs is recorded."</p> }.into_any()
            } else {
                view! {
                    <p>"Still missing:"</p>
                    <ul class="missing" data-testid="case-missing">{missing.into_iter().map(|m| view! { <li>{m.1}</li> }).collect_view()}</ul>
                }.into_any()
            }}
            {move || status.value().get().and_then(|r| r.err()).map(|e| {
                let details: Vec<String> = e.fields().map(|f| f.values().flatten().cloned().collect()).unwrap_or_default();
                view! {
                    <div class="notice bad" role="alert">
                        <p>{e.to_string()}</p>
                        <ul>{details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
                    </div>
                }
            })}
            {may_edit.then(|| view! {
                <div class="actions-row">
                    {(current_status == CaseStatus::Draft).then(|| view! {
                        <button type="button" on:click=change_status(CaseStatus::Ready)>"Mark ready for the board"</button>
                    })}
                    {(current_status == CaseStatus::Ready).then(|| view! {
                        <button type="button" class="secondary" on:click=change_status(CaseStatus::Draft)>"Back to draft"</button>
                    })}
                    <button type="button" class="secondary" aria-expanded=move || editing.get().to_string()
                        on:click=move |_| editing.update(|e| *e = !*e)>
                        {move || if editing.get() { "Close the editor" } else { "Edit case" }}
                    </button>
                </div>
            })}
        </section>
        <StoredProposalPanel proposal editing />
        <crate::components::annotations::AnnotationsPanel case_id=record.id.clone() annotations me refresh=notes_tick />
        {move || changed_meanwhile.get().then(|| view! {
            <p class="notice warn" role="status" data-testid="changed-meanwhile">
                "Someone else has just changed this case. Your edits are kept; when you save, you will see their changes and can keep yours on top."
            </p>
        })}
        {
            let record = record.clone();
            move || if editing.get() {
                view! { <CaseEditor record=record.clone() editing refresh /> }.into_any()
            } else {
                view! { <CaseDetails content=record.content.clone() /> }.into_any()
            }
        }
        <CaseHistory history />
    }
}

/// The board's plan, with what it needs (the proposal, the board's clinicians, meetings).
#[component]
fn PlanSection(
    id: String,
    plan: Resource<Result<Option<crate::domain::plan::Plan>, AppError>>,
    proposal: Resource<Result<crate::domain::case::StoredProposal, AppError>>,
    members: Resource<Result<Vec<crate::domain::meeting::Attendee>, AppError>>,
    meetings: Resource<Result<Vec<crate::domain::meeting::Meeting>, AppError>>,
    me: Option<crate::domain::user::Me>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the plan…"</p> }>
            {
                let (id, me) = (id.clone(), me.clone());
                move || {
                    let (id, me) = (id.clone(), me.clone());
                    Suspend::new(async move {
                        let proposal = proposal.await.ok();
                        let members = members.await.unwrap_or_default();
                        let meetings = meetings.await.unwrap_or_default();
                        match plan.await {
                            Ok(plan) => view! {
                                <crate::components::plan::PlanPanel case_id=id plan proposal me members meetings refresh />
                            }.into_any(),
                            Err(e) => view! { <p class="notice bad" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }
            }
        </Transition>
    }
}

/// The proposal stored with the current tumor data (hidden while editing: the editor shows a
/// live preview instead).
#[component]
fn StoredProposalPanel(
    proposal: Resource<Result<crate::domain::case::StoredProposal, AppError>>,
    editing: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the proposed options…"</p> }>
            {move || Suspend::new(async move {
                let p = proposal.await;
                (!editing.get()).then(|| match p {
                    Ok(stored) => view! {
                        <ProposalPanel proposal=stored.proposal note=format!("Computed for version {} of this case.", stored.case_version) />
                    }.into_any(),
                    Err(e) => view! { <p class="notice bad" role="alert">{e.to_string()}</p> }.into_any(),
                })
            })}
        </Transition>
    }
}

/// The recorded fields, read-only.
#[component]
fn CaseDetails(content: CaseInput) -> impl IntoView {
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut flat = std::collections::BTreeMap::new();
    let empty = CaseInput::default();
    for change in field_changes(&empty, &content) {
        if !change.field.starts_with("patient.") {
            flat.insert(change.field.clone(), change.after.unwrap_or_default());
        }
    }
    for (k, v) in flat {
        if !matches!(k.as_str(), "history" | "comorbidities") {
            rows.push((field_label(&k), v.replace("\",\"", ", ").trim_matches(['[', ']', '"']).replace('_', " ")));
        }
    }
    view! {
        <section class="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">"Details"</h2>
            <dl class="facts two-col">
                {rows.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
            </dl>
            <h3>"Clinical history"</h3>
            <p class="prose">{if content.history.is_empty() { "—".to_string() } else { content.history.clone() }}</p>
            <h3>"Comorbidities"</h3>
            <p class="prose">{if content.comorbidities.is_empty() { "—".to_string() } else { content.comorbidities.clone() }}</p>
        </section>
    }
}

/// Editing: saves on top of the version it started from; if someone saved meanwhile, shows
/// their changes and lets the user keep their edits on top of the new version or discard them.
#[component]
fn CaseEditor(record: CaseRecord, editing: RwSignal<bool>, refresh: RwSignal<u32>) -> impl IntoView {
    let form = FormState::new(record.content.clone());
    let base = RwSignal::new(record.clone());
    let reason = RwSignal::new(String::new());
    let conflict: RwSignal<Option<CaseRecord>> = RwSignal::new(None);
    let save = ServerAction::<UpdateCase>::new();
    let id = record.id.clone();
    Effect::new({
        let id = id.clone();
        move || match save.value().get() {
            Some(Ok(_)) => {
                editing.set(false);
                refresh.update(|r| *r += 1);
            }
            Some(Err(AppError::PreconditionFailed { .. })) => {
                let id = id.clone();
                leptos::task::spawn_local(async move {
                    if let Ok(latest) = get_case(id).await {
                        conflict.set(Some(latest));
                    }
                });
            }
            Some(Err(e)) => form.show_server_error(&e),
            None => {}
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submitted.set(true);
        if form.is_valid() {
            let b = base.get_untracked();
            save.dispatch(UpdateCase {
                id: b.id.clone(),
                version: b.version,
                input: form.data.get_untracked(),
                reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
            });
        }
    };
    let keep_mine = move |_| {
        if let Some(latest) = conflict.get_untracked() {
            base.set(latest);
            conflict.set(None);
            save.value().set(None);
        }
    };
    let discard = move |_| {
        editing.set(false);
        refresh.update(|r| *r += 1);
    };
    view! {
        <section class="panel editor" aria-labelledby="edit-heading">
            <h2 id="edit-heading">"Edit case"</h2>
            <p class="hint">"Saving makes a new version; earlier versions stay readable below."</p>
            {move || conflict.get().map(|latest| {
                let changes = field_changes(&base.get_untracked().content, &latest.content);
                view! {
                    <div class="notice warn conflict" role="alert" data-testid="conflict">
                        <h3>"Someone saved this case while you were editing"</h3>
                        <p>"Your changes were not saved. Version " {latest.version} " by " {latest.updated_by.clone()} " changed:"</p>
                        <ChangeTable changes />
                        <div class="actions-row">
                            <button type="button" on:click=keep_mine>"Keep my edits on top of version " {latest.version}</button>
                            <button type="button" class="secondary" on:click=discard>"Discard my edits"</button>
                        </div>
                        <p class="hint">"Keeping your edits puts your form on top of the new version: check the fields above, then save again."</p>
                    </div>
                }
            })}
            <form on:submit=submit novalidate>
                <CaseFields form />
                {move || form.data.with(|d| d.parse(today()).ok()).map(|c| view! {
                    <ProposalPanel proposal=propose(&c.tumor) note="Live preview for the fields above; it is stored when you save." />
                })}
                <div class="field">
                    <label for="edit-reason">"Reason for the change (optional)"</label>
                    <input id="edit-reason" type="text" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                </div>
                <div class="form-actions">
                    {move || save.value().get().and_then(|r| r.err()).filter(|e| e.fields().is_none() && !matches!(e, AppError::PreconditionFailed { .. })).map(|e| view! {
                        <p class="notice bad" role="alert">{e.to_string()}</p>
                    })}
                    <button type="submit" disabled=move || save.pending().get() || conflict.get().is_some()>
                        {move || if save.pending().get() { "Saving…".to_string() } else { format!("Save as version {}", base.get().version + 1) }}
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn CaseHistory(history: Resource<Result<Vec<CaseVersion>, AppError>>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading the history…"</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(versions) => view! { <VersionList versions /> }.into_any(),
                        Err(e) => view! { <p class="notice bad" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn VersionList(versions: Vec<CaseVersion>) -> impl IntoView {
    let items: Vec<_> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let changes = match versions.get(i + 1) {
                Some(prev) => {
                    let mut c = field_changes(&prev.content, &v.content);
                    if prev.status != v.status {
                        c.insert(
                            0,
                            FieldChange {
                                field: "status".into(),
                                before: Some(prev.status.label().into()),
                                after: Some(v.status.label().into()),
                            },
                        );
                    }
                    c
                }
                None => Vec::new(),
            };
            (v.clone(), changes)
        })
        .collect();
    view! {
        <ol class="versions" data-testid="versions" reversed>
            {items.into_iter().map(|(v, changes)| view! {
                <li>
                    <p class="version-head">
                        <strong>"Version " {v.version}</strong>
                        " · " {v.at.get(..19).unwrap_or_default().replace('T', " ")} " UTC · " {v.author_name.clone()}
                        {v.reason.clone().map(|r| view! { " · " <em>{r}</em> })}
                    </p>
                    {if v.version == 1 {
                        view! { <p class="muted">"Case created."</p> }.into_any()
                    } else if changes.is_empty() {
                        view! { <p class="muted">"No field changed."</p> }.into_any()
                    } else {
                        view! { <ChangeTable changes /> }.into_any()
                    }}
                </li>
            }).collect_view()}
        </ol>
    }
}
