//! The case itself: who and what it is about, what the board still needs, the proposed options,
//! the voices, the board's plan, the details or the editor, and the history.

use leptos::prelude::*;

use super::editor::CaseEditor;
use super::history::CaseHistory;
use super::{CasePage, CaseResources, Editing};
use crate::api::cases::{CaseRecord, SetCaseStatus};
use crate::components::actions::{CaseActions, after_saving, status_waits};
use crate::components::errors::{error_notice, keep_focus_at};
use crate::components::format::when;
use crate::components::plan::PlanDraft;
use crate::components::proposal::ProposalPanel;
use crate::domain::case::CaseInput;
use crate::domain::codes::{CaseStatus, Sex};
use crate::domain::user::Me;
use crate::pages::cases::StatusBadge;

#[component]
pub(super) fn CaseDetail(record: CaseRecord, may_edit: bool, me: Option<Me>, page: CasePage) -> impl IntoView {
    let CasePage { r, actions, drafts, editing } = page;
    // Under emergency access the page is for reading only: no forms, no buttons.
    let glass = record.break_glass_until.clone();
    let (may_edit, me) = if glass.is_some() { (false, None) } else { (may_edit, me) };
    let p = record.content.patient.clone();
    let sex = Sex::parse(&p.sex).map(|s| s.label()).unwrap_or("—");
    view! {
        <header class="case-head">
            <p class="muted"><a href="/cases">"Cases"</a>" / case"</p>
            <h1 data-testid="case-title">{format!("{} · MRN {}", p.name, p.mrn)}</h1>
            <p class="case-summary" data-testid="case-summary">{record.summary.clone()}</p>
            <p class="case-meta">
                <StatusBadge status=record.status />
                " Version " <span data-testid="case-version">{record.version}</span>
                " · born " {p.birth_date.clone()} " · " {sex}
                " · last change " {when(&record.updated_at)} " by " {record.updated_by.clone()}
                " · " <span class="board-tag" data-testid="case-board">{record.board_name.clone()}</span>
            </p>
            {glass.map(|until| view! { <super::access::BreakGlassBanner until /> })}
        </header>
        // What the board works with first: readiness, the options, the voices and the plan;
        // the recorded details, the patient's record and the history below (issue 16, item 5).
        <nav class="section-menu" aria-label="Sections of this case">
            <a href="#proposal-heading">"Options"</a>
            <a href="#voices-heading">"Voices"</a>
            <a href="#plan-heading">"Plan"</a>
            <a href="#trials-heading">"Trials"</a>
            <a href="#documents-heading">"Documents"</a>
            <a href="#details-heading">"Details"</a>
            <a href="#history-heading">"History"</a>
        </nav>
        <Readiness record=record.clone() may_edit editing status=actions.status />
        <StoredProposalPanel proposal=r.proposal trials=r.trials editing />
        <Transition fallback=|| ()>
            {move || r.trials.get().and_then(|t| t.ok()).map(|matches| view! {
                <crate::components::trials::TrialsPanel matches />
            })}
        </Transition>
        <crate::components::annotations::PreReview case_id=record.id.clone() annotations=r.annotations pre_review=r.pre_review
            may_ask=me.as_ref().is_some_and(|m| crate::domain::role::can(m.role, crate::domain::role::Action::ManageMeetings))
                && !matches!(record.status, CaseStatus::PlanSigned | CaseStatus::FollowedUp)
            ask=actions.ask_voice />
        <crate::components::annotations::AnnotationsPanel case_id=record.id.clone() annotations=r.annotations me=me.clone()
            actions drafts=drafts.notes />
        <PlanSection id=record.id.clone() r me=me.clone() actions draft=drafts.plan default_meeting=record.agenda_meeting.as_ref().map(|m| m.id.clone()) />
        <crate::components::attachments::AttachmentsPanel case_id=record.id.clone() list=r.attachments
            max_upload_bytes=r.max_upload_bytes.get_untracked().and_then(|r| r.ok()).unwrap_or_default() me saved=r.files_saved />
        {move || editing.changed_meanwhile.get().then(|| view! {
            <p class="notice warn" role="status" data-testid="changed-meanwhile">
                "Someone else has just changed this case. Your edits are kept; when you save, you will see their changes and can keep yours on top."
            </p>
        })}
        {
            let record = record.clone();
            move || if editing.open.get() {
                view! { <CaseEditor record=record.clone() editing save=actions.update /> }.into_any()
            } else {
                view! { <CaseDetails content=record.content.clone() /> }.into_any()
            }
        }
        <crate::components::patient::PatientRecordPanel patient_id=record.patient_id.clone() version=record.patient_version
            patient=p.clone() may_edit save=actions.correct_patient />
        {may_edit.then(|| {
            let record = record.clone();
            view! {
                <Transition fallback=|| ()>
                    {move || {
                        let record = record.clone();
                        r.boards.get().map(|b| {
                            let boards = b.unwrap_or_default();
                            view! { <super::access::ReferPanel record boards action=actions.move_case /> }
                        })
                    }}
                </Transition>
            }
        })}
        <CaseHistory history=r.history open=r.history_open />
    }
}

/// What the board still needs, and the moves between draft and ready.
#[component]
fn Readiness(
    record: CaseRecord,
    may_edit: bool,
    editing: Editing,
    status: ServerAction<SetCaseStatus>,
) -> impl IntoView {
    let (id, version, current) = (record.id.clone(), record.version, record.status);
    let missing = record.missing_for_board;
    // The button pressed is replaced by the other one ("Back to draft" for "Mark ready"; both are
    // `#case-status`): a lost focus goes to it once it is drawn (the pressed one waits until then,
    // so the focus is not given to "Edit case" beside it meanwhile).
    after_saving(status, move |_| keep_focus_at("#case-status"));
    let waits = status_waits(status, id.clone(), version);
    let change_status = move |to: CaseStatus| {
        let id = id.clone();
        move |_| {
            status.dispatch(SetCaseStatus { id: id.clone(), version, status: to.code().to_string() });
        }
    };
    view! {
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
                    {(current == CaseStatus::Draft).then(|| view! {
                        <button type="button" id="case-status" on:click=change_status(CaseStatus::Ready) disabled=waits>"Mark ready for the board"</button>
                    })}
                    {(current == CaseStatus::Ready).then(|| view! {
                        <button type="button" id="case-status" class="secondary" on:click=change_status(CaseStatus::Draft) disabled=waits>"Back to draft"</button>
                    })}
                    <button type="button" id="edit-case" class="secondary" aria-expanded=move || editing.open.get().to_string()
                        on:click=move |_| editing.open.update(|e| *e = !*e)>
                        {move || if editing.open.get() { "Close the editor" } else { "Edit case" }}
                    </button>
                </div>
            })}
        </section>
    }
}

/// The board's plan, with what it needs (the proposal, the board's clinicians, meetings).
#[component]
fn PlanSection(
    id: String,
    r: CaseResources,
    me: Option<Me>,
    actions: CaseActions,
    draft: PlanDraft,
    default_meeting: Option<String>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the plan…"</p> }>
            <ErrorBoundary fallback=error_notice>
                {
                    let (id, me) = (id.clone(), me.clone());
                    move || {
                        let (id, me, default_meeting) = (id.clone(), me.clone(), default_meeting.clone());
                        let proposal = r.proposal.get()?.ok();
                        let members = r.members.get()?.unwrap_or_default();
                        let meetings = r.meetings.get()?.unwrap_or_default();
                        let plan = r.plan.get()?;
                        let trials = r.trials.get().and_then(|t| t.ok()).unwrap_or_default();
                        Some(plan.map(|plan| view! {
                            <crate::components::plan::PlanPanel case_id=id plan proposal me members meetings actions draft default_meeting trials />
                        }))
                    }
                }
            </ErrorBoundary>
        </Transition>
    }
}

/// The proposal stored with the current tumor data (hidden while editing: the editor shows a
/// live preview instead).
#[component]
fn StoredProposalPanel(
    proposal: super::Part<crate::domain::case::StoredProposal>,
    trials: super::Part<Vec<crate::domain::trial::TrialMatch>>,
    editing: Editing,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the proposed options…"</p> }>
            <ErrorBoundary fallback=error_notice>
                {move || proposal.get().map(|r| r.map(|stored| (!editing.open.get()).then(|| view! {
                    <ProposalPanel proposal=stored.proposal note=format!("Computed for version {} of this case.", stored.case_version)
                        trials=trials.get().and_then(|t| t.ok()).unwrap_or_default() />
                })))}
            </ErrorBoundary>
        </Transition>
    }
}

/// The recorded fields, read-only: words, not codes, in clinical order.
#[component]
fn CaseDetails(content: CaseInput) -> impl IntoView {
    let mut rows: Vec<(String, String)> = vec![("Referring clinician".into(), content.referring_clinician.clone())];
    rows.retain(|r| !r.1.trim().is_empty());
    rows.extend(content.tumor.facts().into_iter().map(|(k, v)| (k.to_string(), v)));
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
