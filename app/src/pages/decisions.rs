//! Decision review (issue 18): the signed plans of the user's boards, found by date, board,
//! site, stage, chosen option, meeting, signer and follow-up; each opens its decision report.
//! The filters go in the request body of a server function, never in the URL.

use leptos::prelude::*;

use crate::api::boards::board_choices;
use crate::api::meetings::list_meetings;
use crate::api::review::{Decision, DecisionQuery, decision_signers, list_decisions};
use crate::components::choices::{BoardFilter, code_options};
use crate::components::errors::error_notice;
use crate::components::format::when;
use crate::components::session::GatedPage;
use crate::components::table::DataTable;
use crate::domain::codes::{OptionCode, PrimarySite, StageGroup};
use crate::domain::review::{Concordance, Implementation};
use crate::domain::role::Action;
use crate::error::AppError;

/// The choices of the meeting and signer filters.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct Choices {
    meetings: Vec<(String, String)>,
    signers: Vec<(String, String)>,
}

async fn choices() -> Result<Choices, AppError> {
    let meetings = list_meetings().await.unwrap_or_default();
    let signers = decision_signers().await.unwrap_or_default();
    Ok(Choices {
        // A cancelled meeting decided nothing.
        meetings: meetings
            .into_iter()
            .filter(|m| m.cancelled.is_none())
            .map(|m| (m.id, format!("{} — {}", m.title, when(&m.starts_at))))
            .collect(),
        signers: signers.into_iter().map(|p| (p.id, p.name)).collect(),
    })
}

#[component]
pub fn DecisionsPage() -> impl IntoView {
    let query = RwSignal::new(DecisionQuery::default());
    let list = Resource::new(move || query.get(), list_decisions);
    let choices = Resource::new(|| (), |_| choices());
    let boards = Resource::new(|| (), |_| board_choices());
    view! {
        <GatedPage title="Decisions" action=Action::ReadCases>
            <h1>"Decisions"</h1>
            <p class="muted">"Signed plans of your boards, newest first. Open one for its decision report."</p>
            <DecisionFilters query choices boards />
            <DecisionList list />
        </GatedPage>
    }
}

/// A select or input that sets one field of the query (empty = any).
fn setter(
    query: RwSignal<DecisionQuery>,
    f: fn(&mut DecisionQuery, Option<String>),
) -> impl Fn(leptos::ev::Event) + Copy {
    move |ev: leptos::ev::Event| {
        let v = Some(event_target_value(&ev)).filter(|s| !s.trim().is_empty());
        query.update(|q| f(q, v));
    }
}

#[component]
fn DecisionFilters(
    query: RwSignal<DecisionQuery>,
    choices: Resource<Result<Choices, AppError>>,
    boards: Resource<Result<Vec<crate::domain::board::BoardRef>, AppError>>,
) -> impl IntoView {
    let pick = move |id: &'static str,
                     label: &'static str,
                     any: &'static str,
                     list: Vec<(String, String)>,
                     set: fn(&mut DecisionQuery, Option<String>)| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id on:change=setter(query, set)>
                    <option value="">{any}</option>
                    {list.into_iter().map(|(v, t)| view! { <option value=v>{t}</option> }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <section class="panel filters-panel" aria-label="Find decisions">
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <div class="field">
                    <label for="d-from">"Signed from"</label>
                    <input id="d-from" type="date" on:change=setter(query, |q, v| q.from = v) />
                </div>
                <div class="field">
                    <label for="d-to">"to"</label>
                    <input id="d-to" type="date" on:change=setter(query, |q, v| q.to = v) />
                </div>
                <div class="field">
                    <label for="d-site">"Primary site"</label>
                    <select id="d-site" on:change=setter(query, |q, v| q.site = v)>
                        <option value="">"Any site"</option>
                        {code_options::<PrimarySite>()}
                    </select>
                </div>
                <div class="field">
                    <label for="d-stage">"Stage"</label>
                    <select id="d-stage" on:change=setter(query, |q, v| q.stage = v)>
                        <option value="">"Any stage"</option>
                        {code_options::<StageGroup>()}
                    </select>
                </div>
                <div class="field">
                    <label for="d-option">"Chosen option"</label>
                    <select id="d-option" on:change=setter(query, |q, v| q.option = v)>
                        <option value="">"Any option"</option>
                        {code_options::<OptionCode>()}
                    </select>
                </div>
                <div class="field">
                    <label for="d-implemented">"Follow-up"</label>
                    <select id="d-implemented" on:change=setter(query, |q, v| q.implemented = v)>
                        <option value="">"Any"</option>
                        {[Implementation::Implemented, Implementation::NotImplemented, Implementation::Pending]
                            .map(|i| view! { <option value=i.code()>{i.label()}</option> })
                            .collect_view()}
                    </select>
                </div>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let c = choices.await.unwrap_or_default();
                        view! {
                            {pick("d-meeting", "Meeting", "Any meeting", c.meetings, |q, v| q.meeting = v)}
                            {pick("d-signer", "Signed by", "Anyone", c.signers, |q, v| q.signer = v)}
                        }
                    })}
                </Suspense>
                <BoardFilter id="d-board" boards set=setter(query, |q, v| q.board = v) />
            </form>
        </section>
    }
}

#[component]
fn DecisionList(list: Resource<Result<Vec<Decision>, AppError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Finding decisions…"</p> }>
            <ErrorBoundary fallback=error_notice>
                {move || list.get().map(|r| r.map(|list| {
                    if list.is_empty() {
                        return view! { <p class="panel empty" data-testid="no-decisions">"No signed decision matches."</p> }.into_any();
                    }
                    let count = format!("{} decision{}", list.len(), if list.len() == 1 { "" } else { "s" });
                    view! {
                        <p class="muted" aria-live="polite">{count}</p>
                        <DataTable
                            label="Signed decisions"
                            testid="decision-table"
                            class="decisions"
                            headers=&["Signed", "Patient", "Tumour", "Options chosen", "Proposal", "Signed by", "Meeting", "Follow-up"]
                        >
                            {list.into_iter().map(decision_row).collect_view()}
                        </DataTable>
                    }.into_any()
                }))}
            </ErrorBoundary>
        </Transition>
    }
}

fn decision_row(d: Decision) -> impl IntoView {
    let tumour =
        [d.site.map(|s| s.label()), d.stage.map(|s| s.label())].into_iter().flatten().collect::<Vec<_>>().join(", ");
    let options = d.options.iter().map(|o| o.label.clone()).collect::<Vec<_>>().join("; ");
    let concordance_class = match d.concordance {
        Concordance::FirstOption => "badge",
        _ => "badge warn",
    };
    let follow = match d.outcome.status {
        Implementation::NotImplemented => format!(
            "Not implemented{}",
            d.outcome.reason.map(|r| format!(" ({})", r.label().to_lowercase())).unwrap_or_default()
        ),
        other => other.label().to_string(),
    };
    view! {
        <tr>
            <td class="nowrap">{when(&d.signed_at)}</td>
            <td>
                <a href=format!("/cases/{}/report", d.case_id)>{d.patient_name}</a><br />
                <span class="muted">"MRN " {d.mrn}</span>
            </td>
            <td>{if tumour.is_empty() { "—".to_string() } else { tumour }}<br /><span class="muted">{d.board_name}</span></td>
            <td>{options}</td>
            <td>
                <span class=concordance_class>{d.concordance.label()}</span>
                {d.deviation_reason.map(|r| view! { <br /><span class="muted">"Why: " {r}</span> })}
            </td>
            <td>{d.signer.name}</td>
            <td>{match d.meeting {
                Some(m) => view! { <a href=format!("/meetings/{}", m.id)>{m.title}</a> }.into_any(),
                None => view! { <span class="muted">"—"</span> }.into_any(),
            }}</td>
            <td>{follow}</td>
        </tr>
    }
}
