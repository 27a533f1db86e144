//! The board's figures (issue 18): counts and shares over a period, each with its definition,
//! as server-rendered SVG bars legible on a wall screen and on paper, and as CSV and JSON.

use leptos::prelude::*;

use crate::api::boards::board_choices;
use crate::api::review::{DecisionQuery, Figures, board_figures};
use crate::components::choices::BoardFilter;
use crate::components::errors::error_notice;
use crate::components::format::when;
use crate::components::session::GatedPage;
use crate::domain::review::Share;
use crate::domain::role::Action;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = RwSignal::new(DecisionQuery::default());
    let figures = Resource::new(move || query.get(), board_figures);
    let boards = Resource::new(|| (), |_| board_choices());
    let set = move |f: fn(&mut DecisionQuery, Option<String>)| {
        move |ev: leptos::ev::Event| {
            let v = Some(event_target_value(&ev)).filter(|s| !s.trim().is_empty());
            query.update(|q| f(q, v));
        }
    };
    // The downloads carry the period and the board only (no patient identifier).
    let download = move |path: &str| {
        let q = query.get();
        let params: Vec<String> = [("board", q.board), ("from", q.from), ("to", q.to)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
            .collect();
        if params.is_empty() { path.to_string() } else { format!("{path}?{}", params.join("&")) }
    };
    view! {
        <GatedPage title="Board figures" action=Action::ReadCases>
            <div class="page-head">
                <h1>"Board figures"</h1>
                <div class="actions">
                    <a class="button" href=move || download("/api/v1/figures.csv") download="board-figures.csv" data-testid="csv">"Download CSV"</a>
                    <a class="button secondary" href=move || download("/api/v1/figures")>"JSON"</a>
                </div>
            </div>
            <section class="panel filters-panel" aria-label="Period and board">
                <form class="filters" on:submit=|ev| ev.prevent_default()>
                    <div class="field">
                        <label for="f-from">"From"</label>
                        <input id="f-from" type="date" on:change=set(|q, v| q.from = v) />
                    </div>
                    <div class="field">
                        <label for="f-to">"To"</label>
                        <input id="f-to" type="date" on:change=set(|q, v| q.to = v) />
                    </div>
                    <BoardFilter id="f-board" boards set=set(|q, v| q.board = v) />
                </form>
            </section>
            <Transition fallback=|| view! { <p aria-busy="true">"Counting…"</p> }>
                <ErrorBoundary fallback=error_notice>
                    {move || figures.get().map(|r| r.map(|f| view! { <FigureBoard f /> }))}
                </ErrorBoundary>
            </Transition>
        </GatedPage>
    }
}

/// Horizontal bars, one a row, the number written beside each bar (no colour needed to read it).
fn bars(id: &'static str, title: &str, rows: Vec<(String, f64, String)>) -> impl IntoView + use<> {
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max).max(1.0);
    let height = 8 + rows.len() * 30;
    let summary = rows.iter().map(|(l, _, t)| format!("{l}: {t}")).collect::<Vec<_>>().join("; ");
    let label = format!("{title}. {summary}");
    view! {
        <svg class="chart" viewBox=format!("0 0 640 {height}") role="img" aria-label=label data-testid=id>
            {rows.into_iter().enumerate().map(|(i, (l, v, t))| {
                let y = 4 + i * 30;
                let w = (v / max * 280.0).max(if v > 0.0 { 2.0 } else { 0.0 });
                // Long labels (a meeting's title) are cut to fit beside the bar; the figure's
                // accessible name and the CSV keep them whole.
                let short = if l.chars().count() > 30 { format!("{}…", l.chars().take(29).collect::<String>()) } else { l };
                view! {
                    <text x="0" y=y + 19 class="chart-label">{short}</text>
                    <rect x="250" y=y + 4 width=format!("{w:.1}") height="20" class="chart-bar" />
                    <text x=format!("{:.1}", 258.0 + w) y=y + 19 class="chart-value">{t}</text>
                }
            }).collect_view()}
        </svg>
    }
}

fn share_row(label: &str, s: Share) -> (String, f64, String) {
    (label.to_string(), s.share.unwrap_or(0.0) * 100.0, s.words())
}

fn count_row(label: String, n: u32) -> (String, f64, String) {
    (label, n as f64, n.to_string())
}

/// One figure: its title, its definition next to it, and its chart or numbers.
#[component]
fn Figure(title: &'static str, definition: String, children: Children) -> impl IntoView {
    view! {
        <figure class="panel figure">
            <figcaption><h2>{title}</h2><p class="muted definition">{definition}</p></figcaption>
            {children()}
        </figure>
    }
}

/// Counts by reason code in words: "Patient's choice: 2, No reason given: 1".
fn by_reason<T: crate::domain::codes::Code>(counts: &std::collections::BTreeMap<String, u32>) -> String {
    counts
        .iter()
        .map(|(code, n)| format!("{}: {n}", T::parse_code(code).map(|r| r.label()).unwrap_or("No reason given")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
fn FigureBoard(f: Figures) -> impl IntoView {
    let definitions = f.definitions.clone();
    let def = move |k: &str| definitions.get(k).cloned().unwrap_or_default();
    let d = f.referral_to_decision_days.clone();
    let days = |v: Option<f64>| v.map(|x| format!("{x} days")).unwrap_or_else(|| "—".into());
    let c = f.concordance.clone();
    let o = f.outcomes.clone();
    let a = f.accreditation;
    let reasons = by_reason::<crate::domain::plan::NotImplementedReason>(&o.not_implemented_reasons);
    let t = f.trials.clone();
    let trial_reasons = by_reason::<crate::domain::plan::NotEnrolledReason>(&t.not_enrolled_reasons);
    view! {
        <div class="figures" data-testid="figures">
            <Figure title="Plans signed" definition=def("plans_signed")>
                <p class="big-number" data-testid="plans-signed">{f.plans_signed}</p>
            </Figure>
            <Figure title="Referral to decision" definition=def("referral_to_decision_days")>
                <dl class="facts">
                    <dt>"Median"</dt><dd data-testid="median-days">{days(d.median)}</dd>
                    <dt>"Mean"</dt><dd>{days(d.mean)}</dd>
                    <dt>"Shortest – longest"</dt><dd>{days(d.min)} " – " {days(d.max)}</dd>
                    <dt>"Plans"</dt><dd>{d.count}</dd>
                </dl>
            </Figure>
            <Figure title="Plan and proposal" definition=def("concordance")>
                {bars("chart-concordance", "Plan and proposal", vec![
                    count_row("First option taken".into(), c.first_option),
                    count_row("Another proposed option".into(), c.other_proposed),
                    count_row("Outside the proposal".into(), c.outside_proposal),
                ])}
                {(!c.deviation_reasons.is_empty()).then(|| view! {
                    <details>
                        <summary>"Reasons given for departing from the first option (" {c.deviation_reasons.len()} ")"</summary>
                        <ul>{c.deviation_reasons.into_iter().map(|r| view! {
                            <li><a href=format!("/cases/{}/report", r.case_id)>{r.concordance.label()}</a> ": " {r.reason}</li>
                        }).collect_view()}</ul>
                    </details>
                })}
            </Figure>
            <Figure title="Plan and outcome" definition=def("outcomes")>
                {bars("chart-outcomes", "Plan and outcome", vec![
                    count_row("Implemented".into(), o.implemented),
                    count_row("Not implemented".into(), o.not_implemented),
                    count_row("Follow-up pending".into(), o.pending),
                ])}
                {(!reasons.is_empty()).then(|| view! { <p>"Why not: " {reasons}</p> })}
            </Figure>
            <Figure title="Clinical trials" definition=def("trials")>
                {bars("chart-trials", "Clinical trials", vec![
                    count_row("Discussed".into(), t.discussed),
                    count_row("Offered".into(), t.offered),
                    count_row("Enrolled".into(), t.enrolled),
                    count_row("Not enrolled".into(), t.not_enrolled),
                    count_row("Enrolment not yet known".into(), t.pending),
                ])}
                {(!trial_reasons.is_empty()).then(|| view! { <p>"Why not enrolled: " {trial_reasons}</p> })}
                {(!t.by_trial.is_empty()).then(|| view! {
                    <table class="list" data-testid="trial-figures">
                        <caption>"By trial"</caption>
                        <thead><tr><th scope="col">"Trial"</th><th scope="col">"Discussed"</th><th scope="col">"Offered"</th><th scope="col">"Enrolled"</th></tr></thead>
                        <tbody>{t.by_trial.iter().map(|x| view! {
                            <tr><th scope="row">{x.acronym.clone()}</th><td>{x.discussed}</td><td>{x.offered}</td><td>{x.enrolled}</td></tr>
                        }).collect_view()}</tbody>
                    </table>
                })}
            </Figure>
            <Figure title="Cases per meeting" definition=def("cases_per_meeting")>
                {if f.cases_per_meeting.is_empty() {
                    view! { <p class="muted">"No meeting held in this period."</p> }.into_any()
                } else {
                    bars("chart-meetings", "Cases per meeting", f.cases_per_meeting.iter()
                        .map(|m| count_row(format!("{} {}", when(&m.starts_at).get(..10).unwrap_or(""), m.title), m.cases))
                        .collect()).into_any()
                }}
            </Figure>
            <Figure title="Cases per site" definition=def("cases_per_site")>
                {if f.cases_per_site.is_empty() {
                    view! { <p class="muted">"No case on an agenda in this period."</p> }.into_any()
                } else {
                    bars("chart-sites", "Cases per site", f.cases_per_site.iter().map(|s| count_row(s.label.clone(), s.cases)).collect()).into_any()
                }}
            </Figure>
            <Figure title="Attendance by specialty" definition=def("attendance")>
                {bars("chart-attendance", "Attendance by specialty", f.attendance.iter().map(|s| share_row(&s.label, s.meetings)).collect())}
            </Figure>
            <Figure title="Accreditation" definition="Shares of the signed plans of the period; each row's definition follows the chart.".to_string()>
                {bars("chart-accreditation", "Accreditation", vec![
                    share_row("Discussed before treatment", a.discussed_before_treatment),
                    share_row("Stage recorded", a.stage_recorded),
                    share_row("Guideline-cited proposal", a.guideline_cited_proposal),
                    share_row("Clinical trial discussed", a.trial_discussed),
                    share_row("Core specialties present", a.core_specialties_present),
                ])}
                <dl class="definitions">
                    <dt>"Discussed before treatment"</dt><dd>{def("accreditation.discussed_before_treatment")}</dd>
                    <dt>"Stage recorded"</dt><dd>{def("accreditation.stage_recorded")}</dd>
                    <dt>"Guideline-cited proposal"</dt><dd>{def("accreditation.guideline_cited_proposal")}</dd>
                    <dt>"Clinical trial discussed"</dt><dd>{def("accreditation.trial_discussed")}</dd>
                    <dt>"Core specialties present"</dt><dd>{def("accreditation.core_specialties_present")}</dd>
                </dl>
            </Figure>
        </div>
    }
}
