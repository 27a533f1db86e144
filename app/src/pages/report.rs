//! The decision report of a case: one page, made to print, with what an auditor needs months
//! later: patient, question, tumour summary, the specialties' voices, the proposal the board
//! saw, the plan with its rationale and dissent, the signature, addenda and the outcome.

use leptos::prelude::*;

use crate::components::errors::error_notice;
use crate::error::AppError;
use leptos_router::hooks::use_params_map;

use crate::api::attachments::Attachment;
use crate::api::cases::case_report;
use crate::components::annotations::VoicesSummary;
use crate::components::plan::PlanView;
use crate::components::proposal::ProposalPanel;
use crate::components::session::GatedPage;

#[component]
pub fn ReportPage() -> impl IntoView {
    view! { <GatedPage title="Decision report"><Report /></GatedPage> }
}

#[component]
fn Report() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // One answer, one audit row (`case.report`), not five.
    let report = Resource::new(id, case_report);
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the report…"</p> }>
            <ErrorBoundary fallback=error_notice>
            {move || Suspend::new(async move {
                let crate::domain::case::CasePageData { case, annotations: notes, plan, proposal, attachments: files, .. } = report.await?;
                let p = case.content.patient.clone();
                // A signed decision is reported with the case as the board saw it (DI-7); what
                // changed since is marked by the plan view.
                let decided = plan.as_ref().and_then(|pl| pl.decided_on.clone());
                let (question, summary, as_of) = match &decided {
                    Some(d) => (
                        d.content.question.clone(),
                        d.content.parse(crate::components::case_form::today()).map(|c| c.tumor.shorthand()).unwrap_or_default(),
                        format!("The case as the board decided on it: version {} (now version {}).", d.case_version, d.current_version),
                    ),
                    None => (case.content.question.clone(), case.summary.clone(), format!("Case version {}.", case.version)),
                };
                Ok::<_, AppError>(view! {
                    <article class="report" data-testid="report">
                        <header class="page-head">
                            <div>
                                <p class="muted no-print"><a href=format!("/cases/{}", case.id)>"Back to the case"</a></p>
                                <h1>"Decision report"</h1>
                                <p><strong>{p.name.clone()}</strong> " · MRN " {p.mrn.clone()} " · born " {p.birth_date.clone()} " · " {p.sex.clone()}</p>
                                <p class="muted" data-testid="report-as-of">{as_of} " Status " {case.status.label()} " · printed from Tumorboard"</p>
                            </div>
                            <button type="button" class="secondary no-print" on:click=print>"Print"</button>
                        </header>
                        <section class="panel"><h2>"Question to the board"</h2><p>{question}</p>
                            <h2>"Tumour"</h2><p class="case-summary" data-testid="report-summary">{summary}</p></section>
                        <section class="panel"><h2>"Specialty voices"</h2><VoicesSummary list=notes /></section>
                        {match &plan {
                            Some(pl) => view! {
                                <ProposalPanel proposal=pl.content.proposal.clone() note="The proposal the board saw when it recorded its plan." />
                            }.into_any(),
                            None => proposal.map(|s| view! {
                                <ProposalPanel proposal=s.proposal note=format!("Computed for version {} of this case.", s.case_version) />
                            }).into_any(),
                        }}
                        <DocumentsNamed files signed_at=plan.as_ref().and_then(|pl| pl.signature.as_ref().map(|s| s.signed_at.clone())) />
                        <section class="panel"><h2>"The board's plan"</h2>
                            {match plan {
                                Some(pl) => view! { <PlanView plan=pl /> }.into_any(),
                                None => view! { <p>"No plan recorded yet."</p> }.into_any(),
                            }}
                        </section>
                    </article>
                })
            })}
            </ErrorBoundary>
        </Transition>
    }
}

/// The documents and key images of the case, each named with its date, owner and SHA-256, and
/// whether it came after the signature, was corrected or withdrawn (issue 20).
#[component]
fn DocumentsNamed(files: Vec<Attachment>, signed_at: Option<String>) -> impl IntoView {
    view! {
        <section class="panel" data-testid="report-documents"><h2>"Documents and images"</h2>
            {if files.is_empty() {
                view! { <p>"None attached."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {files.into_iter().map(|a| {
                            let mut notes = Vec::new();
                            if signed_at.as_deref().is_some_and(|s| a.uploaded_at.as_str() > s) {
                                notes.push("added after the signature".to_string());
                            }
                            if a.superseded_by.is_some() {
                                notes.push("corrected since".to_string());
                            }
                            if let Some(w) = &a.withdrawn {
                                notes.push(format!("withdrawn: {}", w.reason));
                            }
                            let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
                            view! {
                                <li>
                                    <strong>{a.title.clone()}</strong>
                                    {format!(" · {} · {} · {}{notes}", a.kind.label(), a.examined_on.clone().unwrap_or_default(), a.specialty.label())}
                                    <br /><span class="muted">"SHA-256 " <code class="hash">{a.sha256.clone()}</code></span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
