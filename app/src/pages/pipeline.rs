//! The case pipeline (issue 18): every case of the user's boards as a card in its status's
//! column (draft → ready → on agenda → discussed → plan signed → followed up), saying what it
//! waits for and for how long; filters by board, site and age. Moving a case on is the same
//! action as on its page (the workflow's rules and the audit unchanged): here, marking a complete
//! draft ready. Columns are lists with headings, cards are links and buttons: all keyboard.

use leptos::prelude::*;

use crate::api::boards::board_choices;
use crate::api::cases::{CaseRecord, SetCaseStatus};
use crate::api::work::{PipelineCard, PipelineQuery, pipeline};
use crate::components::actions::{after_saving, failure, status_waits};
use crate::components::choices::{BoardFilter, code_options};
use crate::components::errors::{ActionError, error_notice, keep_focus_at};
use crate::components::session::{GatedPage, use_session};
use crate::domain::codes::{CaseStatus, PrimarySite};
use crate::domain::role::{Action, can};

#[component]
pub fn PipelinePage() -> impl IntoView {
    let query = RwSignal::new(PipelineQuery::default());
    let mark_ready = ServerAction::<SetCaseStatus>::new();
    let cards = Resource::new(move || (query.get(), mark_ready.version().get()), |(q, _)| pipeline(q));
    // A case marked ready moves to the next column, and the pressed button is gone: the focus
    // goes to the case's link in its new place.
    after_saving(mark_ready, |c: &CaseRecord| keep_focus_at(format!("#card-{} a", c.id)));
    let boards = Resource::new(|| (), |_| board_choices());
    let session = use_session();
    let set = move |f: fn(&mut PipelineQuery, Option<String>)| {
        move |ev: leptos::ev::Event| {
            let v = Some(event_target_value(&ev)).filter(|s| !s.trim().is_empty());
            query.update(|q| f(q, v));
        }
    };
    view! {
        <GatedPage title="Pipeline" action=Action::ReadCases>
            <h1>"Case pipeline"</h1>
            <section class="panel filters-panel" aria-label="Filter the pipeline">
                <form class="filters" on:submit=|ev| ev.prevent_default()>
                    <div class="field">
                        <label for="p-site">"Primary site"</label>
                        <select id="p-site" on:change=set(|q, v| q.site = v)>
                            <option value="">"Any site"</option>
                            {code_options::<PrimarySite>()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="p-age">"Waiting at least"</label>
                        <select id="p-age" on:change=set(|q, v| q.min_days = v)>
                            <option value="">"Any time"</option>
                            <option value="3">"3 days"</option>
                            <option value="7">"7 days"</option>
                            <option value="14">"14 days"</option>
                            <option value="30">"30 days"</option>
                        </select>
                    </div>
                    <BoardFilter id="p-board" boards set=set(|q, v| q.board = v) />
                </form>
            </section>
            <ActionError error=failure(mark_ready) />
            <Transition fallback=|| view! { <p aria-busy="true">"Loading the pipeline…"</p> }>
                <ErrorBoundary fallback=error_notice>
                    {move || cards.get().map(|r| r.map(|cards| {
                        let may_edit = session.get().and_then(|s| s.ok().flatten()).is_some_and(|i| can(i.me.role, Action::EditCase));
                        view! { <Columns cards may_edit mark_ready /> }
                    }))}
                </ErrorBoundary>
            </Transition>
        </GatedPage>
    }
}

#[component]
fn Columns(cards: Vec<PipelineCard>, may_edit: bool, mark_ready: ServerAction<SetCaseStatus>) -> impl IntoView {
    view! {
        <div class="pipeline" data-testid="pipeline">
            {CaseStatus::ALL.iter().map(|&status| {
                let column: Vec<PipelineCard> = cards.iter().filter(|c| c.status == status).cloned().collect();
                let heading = format!("col-{}", status.code());
                let labelledby = heading.clone();
                view! {
                    <section class="pipeline-column" aria-labelledby=labelledby data-status=status.code()>
                        <h2 id=heading>{status.label()} " " <span class="count">{column.len()}</span></h2>
                        {if column.is_empty() {
                            view! { <p class="muted">"None."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="cards-list">
                                    {column.into_iter().map(|c| view! { <Card c may_edit mark_ready /> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Card(c: PipelineCard, may_edit: bool, mark_ready: ServerAction<SetCaseStatus>) -> impl IntoView {
    let days = match c.days {
        0 => "today".to_string(),
        1 => "1 day".to_string(),
        n => format!("{n} days"),
    };
    let ready = (may_edit && c.status == CaseStatus::Draft && c.complete).then(|| {
        let (id, version) = (c.case_id.clone(), c.version);
        let waits = status_waits(mark_ready, id.clone(), version);
        view! {
            <button type="button" class="secondary small" disabled=waits
                on:click=move |_| { mark_ready.dispatch(SetCaseStatus { id: id.clone(), version, status: "ready".into() }); }>
                "Mark ready"
            </button>
        }
    });
    view! {
        <li class="pipeline-card" id=format!("card-{}", c.case_id) class:stale={c.days >= 14} data-testid="pipeline-card">
            <a href=format!("/cases/{}", c.case_id)><strong>{c.patient_name}</strong></a>
            <span class="muted">" MRN " {c.mrn}</span>
            <br /><span class="card-summary">{c.summary}</span>
            <br /><span class="waits">"Waits for: " {c.waits_for}</span>
            <br /><span class="muted">{days} " in this column · " {c.board_name}</span>
            {ready}
        </li>
    }
}
