//! The proposal panel: ranked options with their reasons and sources, prerequisites, what
//! would change the proposal, and where guidelines disagree. Worded as options for the board:
//! the proposer proposes, the board decides.

use leptos::prelude::*;

use crate::domain::proposer::{Intent, Proposal};

fn intent_label(i: Intent) -> &'static str {
    match i {
        Intent::Curative => "curative",
        Intent::Palliative => "palliative",
        Intent::Symptomatic => "symptomatic",
        Intent::Prerequisite => "prerequisite",
    }
}

/// `note` says where the proposal comes from (stored with version N, or a live preview).
#[component]
pub fn ProposalPanel(
    proposal: Proposal,
    #[prop(into)] note: String,
    /// The board's open trials matched to the case (issue 21): the trial option names the
    /// eligible ones. None where no match is at hand (the editor's preview, the report).
    #[prop(optional)]
    trials: Option<Vec<crate::domain::trial::TrialMatch>>,
) -> impl IntoView {
    let Proposal { ruleset_version, options, prerequisites, warnings, alternatives } = proposal;
    let at_centre = move |code: crate::domain::codes::OptionCode| {
        let trials = trials.clone().filter(|_| code == crate::domain::codes::OptionCode::ClinicalTrial)?;
        let eligible: Vec<String> = trials
            .iter()
            .filter(|m| m.verdict == crate::domain::trial::MatchVerdict::Eligible)
            .map(|m| format!("{} ({})", m.acronym, m.registry_id))
            .collect();
        // One short line under the option, so that the plan below stays in view on the wall
        // screen: the trials panel has the reasons.
        Some(view! {
            <p class="option-trials" data-testid="option-trials">
                {if eligible.is_empty() { "At this centre: none eligible on the recorded facts.".to_string() } else {
                    format!("At this centre, eligible on the recorded facts: {}.", eligible.join(", "))
                }}
            </p>
        })
    };
    view! {
        <section class="panel proposal" aria-labelledby="proposal-heading" data-testid="proposal">
            <h2 id="proposal-heading">"Options for the board to consider"</h2>
            <p class="proposal-note">
                "Suggested by Tumorboard's rule engine from the recorded tumour data (rule set "
                <code>{ruleset_version}</code> "). " {note} " "
                <strong>"These are options, not a decision: the board decides."</strong>
            </p>
            {if options.is_empty() {
                view! { <p>"No option can be suggested from the data recorded so far."</p> }.into_any()
            } else {
                view! {
                    <ol class="options">
                        {options.into_iter().map(|o| view! {
                            <li class="option" data-code=o.code.code()>
                                <p class="option-head">
                                    <strong>{o.code.label()}</strong>
                                    " " <span class=format!("badge intent-{}", intent_label(o.intent))>{intent_label(o.intent)}</span>
                                </p>
                                <p class="option-why">{o.rationale}</p>
                                {at_centre(o.code)}
                                <p class="option-sources">
                                    "Sources: " {o.sources.join("; ")}
                                    " · rules " {o.rules.join(", ")}
                                </p>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {(!prerequisites.is_empty()).then(|| view! {
                <h3>"Order"</h3>
                <ul>{prerequisites.into_iter().map(|p| view! { <li>{p.before.label()} " before " {p.option.label().to_lowercase()}</li> }).collect_view()}</ul>
            })}
            {(!warnings.is_empty()).then(|| view! {
                <h3>"What would change these options"</h3>
                <ul class="warnings" data-testid="proposal-warnings">{warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
            })}
            {(!alternatives.is_empty()).then(|| view! {
                <h3>"Where guidelines disagree"</h3>
                <ul>{alternatives.into_iter().map(|a| view! { <li><strong>{a.topic}</strong> ": " {a.positions.join(" / ")}</li> }).collect_view()}</ul>
            })}
        </section>
    }
}
