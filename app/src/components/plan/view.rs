//! The plan as recorded (read-only): what the board chose and why, the case version it decided
//! on, dissent, the signature, addenda and the follow-up.

use leptos::prelude::*;

use crate::api::plans::Plan;
use crate::components::format::when;

/// The plan as recorded (read-only), used by the case page and the decision report.
#[component]
pub fn PlanView(plan: Plan) -> impl IntoView {
    let c = plan.content.clone();
    view! {
        <div class="plan-view" data-testid="plan">
            <p class="muted">"Version " {plan.version} " · recorded by " {c.recorded_by_name.clone()} " · " {when(&c.recorded_at)}
                {c.case_version.map(|v| view! { " · decided on case version " <span data-testid="decided-on">{v}</span> })}</p>
            {match plan.meeting.clone() {
                Some(m) => view! {
                    <p data-testid="plan-meeting"><strong>"Meeting: "</strong>{m.title} " · " {when(&m.starts_at)}
                        " · present: " {if m.present.is_empty() { "no attendance recorded".to_string() } else { m.present.join(", ") }}</p>
                }.into_any(),
                None => view! { <p data-testid="plan-meeting"><strong>"Meeting: "</strong>"not decided at a board meeting"</p> }.into_any(),
            }}
            {plan.decided_on.clone().filter(|d| !d.changed_since.is_empty()).map(|d| view! {
                <div class="notice warn" role="note" data-testid="changed-since-decision">
                    <p>"The case changed after this plan was decided on (version " {d.case_version} " → now version " {d.current_version} "):"</p>
                    <crate::pages::case::ChangeTable changes=d.changed_since />
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
            {(!c.trials.is_empty()).then(|| view! {
                <ul class="plan-trials" data-testid="plan-trials">
                    {c.trials.iter().map(|t| {
                        let offered = if t.offered { "offered" } else { "not offered" };
                        let note = if t.note.is_empty() { String::new() } else { format!(": {}", t.note) };
                        view! { <li>{format!("{} ({}) {offered}{note}", t.acronym, t.registry_id)}</li> }
                    }).collect_view()}
                </ul>
            })}
            {(!c.dissent.is_empty()).then(|| view! {
                <h3>"Dissent"</h3>
                <ul>{c.dissent.iter().map(|d| view! { <li><strong>{d.name.clone()}</strong> ": " {d.note.clone()}</li> }).collect_view()}</ul>
            })}
            <p class="muted">"Proposal shown at the time (" {c.proposal.ruleset_version.clone()} "): "
                {c.proposal.options.iter().map(|o| o.code.label()).collect::<Vec<_>>().join(" · ")}</p>
            {match plan.signature.clone() {
                Some(s) => view! {
                    <p class="notice ok signature" data-testid="signature">
                        "Signed by " <strong>{s.signer_name}</strong> " on " {when(&s.signed_at)} ". "
                        "The plan is locked. SHA-256 of its content: " <code class="hash">{s.content_sha256}</code>
                    </p>
                }.into_any(),
                None => view! { <p class="notice warn">"Not signed yet: this plan can still change."</p> }.into_any(),
            }}
            {(!plan.addenda.is_empty()).then(|| view! {
                <h3>"Addenda"</h3>
                <ul class="addenda">{plan.addenda.iter().map(|a| view! {
                    <li><span class="muted">{a.author_name.clone()} " · " {when(&a.at)}</span><br />{a.body.clone()}</li>
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
                {(!o.record.trials.is_empty()).then(|| view! {
                    <ul class="plan-trials" data-testid="enrolments">
                        {o.record.trials.iter().map(|e| {
                            let answer = if e.enrolled {
                                "enrolled".to_string()
                            } else {
                                format!("not enrolled: {}", e.reason.map(|r| r.label()).unwrap_or("reason not given"))
                            };
                            let note = if e.note.is_empty() { String::new() } else { format!(" ({})", e.note) };
                            view! { <li>{format!("{}: {answer}{note}", e.acronym)}</li> }
                        }).collect_view()}
                    </ul>
                })}
                <p class="muted small-print">"A recorded follow-up is not changed: a correction or later news is added as an addendum, which is signed by its author and audited."</p>
            })}
        </div>
    }
}
