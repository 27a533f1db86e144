//! The centre's clinical trials matched to a case (issue 21): eligible on the recorded facts,
//! unknown (what is missing) or not eligible (which criterion fails), each with its reasons,
//! the criteria a person must still check and whom to ask. A suggestion: the board decides.

use leptos::prelude::*;

use crate::domain::trial::{MatchVerdict, TrialMatch};

#[component]
pub fn TrialsPanel(matches: Vec<TrialMatch>, #[prop(optional)] compact: bool) -> impl IntoView {
    let eligible = matches.iter().filter(|m| m.verdict == MatchVerdict::Eligible).count();
    view! {
        <section class="panel trials" aria-labelledby="trials-heading" data-testid="trials">
            <h2 id="trials-heading" class:present-h=compact>"Clinical trials at this centre"</h2>
            {if matches.is_empty() {
                view! { <p class="muted">"No open trial on this board's register."</p> }.into_any()
            } else {
                view! {
                    <p class="muted">
                        {format!("{eligible} of {} open trials eligible on the recorded facts. ", matches.len())}
                        "Matched on the structured criteria only: the other criteria need a person, and the board decides."
                    </p>
                    <ul class="trial-list">
                        {matches.into_iter().map(|m| {
                            let class = match m.verdict {
                                MatchVerdict::Eligible => "badge ready-yes",
                                MatchVerdict::Unknown => "badge warn",
                                MatchVerdict::NotEligible => "badge",
                            };
                            view! {
                                <li class="trial" data-match=m.verdict.code() data-testid="trial-match">
                                    <p class="trial-head"><strong>{m.acronym.clone()}</strong>
                                        " " <span class=class>{m.verdict.label()}</span>
                                        " " <span class="muted">{m.registry_id.clone()}</span></p>
                                    {(!compact).then(|| view! { <p>{m.title.clone()}</p> })}
                                    <ul class="reasons">
                                        {m.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                                    </ul>
                                    {(!compact && !m.other_criteria.trim().is_empty()).then(|| view! {
                                        <p class="muted">"To check: " {m.other_criteria.clone()}</p>
                                    })}
                                    <p class="muted">"Contact: " {m.contact.clone()}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
