//! The case list: filter by status, site and stage; find by name or MRN. The search text is
//! sent in the request body (a server-function call), never in the URL.

use leptos::prelude::*;

use crate::components::errors::error_notice;
use crate::error::AppError;

use crate::components::format::when;
use crate::components::table::DataTable;

use crate::api::cases::{CaseFilter, list_cases};
use crate::components::choices::code_options;
use crate::components::session::{GatedPage, use_session};
use crate::domain::codes::{CaseStatus, PrimarySite, StageGroup};
use crate::domain::role::{Action, can};

#[component]
pub fn CasesPage() -> impl IntoView {
    view! { <GatedPage title="Cases" action=Action::ReadCases><CaseList /></GatedPage> }
}

/// A status as a small coloured label.
#[component]
pub fn StatusBadge(status: CaseStatus) -> impl IntoView {
    view! { <span class=format!("badge status-{}", status.code())>{status.label()}</span> }
}

#[component]
fn CaseList() -> impl IntoView {
    let session = use_session();
    let filter = RwSignal::new(CaseFilter::default());
    let (text, set_text) = signal(String::new());
    let cases = Resource::new(move || filter.get(), list_cases);
    // The boards this user's list can show: a filter and a column only when there are several.
    let boards = Resource::new(|| (), |_| crate::api::boards::board_choices());
    let visible_boards = move || crate::components::choices::filterable_boards(session, boards);
    let set = move |f: fn(&mut CaseFilter, Option<String>)| {
        move |ev: leptos::ev::Event| {
            let v = Some(event_target_value(&ev)).filter(|s| !s.is_empty());
            filter.update(|flt| f(flt, v));
        }
    };
    // A search typed into the header: run it here (also when already on this page).
    let header = expect_context::<crate::components::layout::HeaderSearch>().0;
    Effect::new(move || {
        if let Some(t) = header.get() {
            set_text.set(t.clone());
            filter.update(|f| f.text = Some(t));
            header.set(None);
        }
    });
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = Some(text.get_untracked().trim().to_string()).filter(|s| !s.is_empty());
        filter.update(|f| f.text = t);
    };
    view! {
        <div class="page-head">
            <h1>"Cases"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    matches!(session.await, Ok(Some(ref i)) if can(i.me.role, Action::CreateCase))
                        .then(|| view! { <a class="button" href="/cases/new">"New case"</a> })
                })}
            </Suspense>
        </div>
        <section class="panel filters-panel" aria-label="Filter and search">
            <form class="filters" on:submit=search role="search">
                <div class="field">
                    <label for="q">"Name or MRN"</label>
                    <input id="q" type="search" autocomplete="off" prop:value=text on:input=move |ev| set_text.set(event_target_value(&ev)) />
                </div>
                <div class="field actions"><button type="submit">"Search"</button></div>
                <div class="field">
                    <label for="f-status">"Status"</label>
                    <select id="f-status" on:change=set(|f, v| f.status = v)>
                        <option value="">"Any status"</option>
                        {code_options::<CaseStatus>()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-site">"Primary site"</label>
                    <select id="f-site" on:change=set(|f, v| f.site = v)>
                        <option value="">"Any site"</option>
                        {code_options::<PrimarySite>()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-stage">"Stage"</label>
                    <select id="f-stage" on:change=set(|f, v| f.stage = v)>
                        <option value="">"Any stage"</option>
                        {code_options::<StageGroup>()}
                    </select>
                </div>
                <crate::components::choices::BoardFilter id="f-board" boards set=set(|f, v| f.board = v) />
            </form>
        </section>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading cases…"</p> }>
            <ErrorBoundary fallback=error_notice>
            {move || Suspend::new(async move {
                let list = cases.await?;
                let multi = visible_boards().await.len() > 1;
                let headers: &'static [&'static str] = if multi {
                    &["Patient", "Tumour", "Question", "Status", "Meeting", "Board", "Updated"]
                } else {
                    &["Patient", "Tumour", "Question", "Status", "Meeting", "Updated"]
                };
                Ok::<_, AppError>(match list {
                    list if list.is_empty() => view! { <p class="panel empty" data-testid="no-cases">"No cases match."</p> }.into_any(),
                    list => view! {
                        <DataTable label="Case list" testid="case-table" class="cases" headers>
                                    {list.into_iter().map(|c| view! {
                                        <tr>
                                            <td><a href=format!("/cases/{}", c.id)>{c.patient_name}</a><br /><span class="muted">"MRN " {c.mrn}</span></td>
                                            <td>{c.summary}</td>
                                            <td>{c.question}</td>
                                            <td>
                                                <StatusBadge status=c.status />
                                                {(!c.ready_for_board).then(|| view! { <br /><span class="muted">"incomplete"</span> })}
                                            </td>
                                            <td>{match c.meeting.clone() {
                                                Some(m) => view! { <a href=format!("/meetings/{}", m.id)>{m.title}</a><br /><span class="muted nowrap">{when(&m.starts_at)}</span> }.into_any(),
                                                None => view! { <span class="muted">"—"</span> }.into_any(),
                                            }}</td>
                                            {multi.then(|| view! { <td>{c.board_name.clone()}</td> })}
                                            <td class="nowrap">{when(&c.updated_at)}</td>
                                        </tr>
                                    }).collect_view()}
                        </DataTable>
                    }.into_any(),
                })
            })}
            </ErrorBoundary>
        </Transition>
    }
}
