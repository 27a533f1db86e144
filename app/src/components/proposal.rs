//! The proposal panel: ranked options with their reasons and sources, prerequisites, what
//! would change the proposal, and where guidelines disagree. Worded as options for the board:
//! the proposer proposes, the board decides.

use leptos::prelude::*;

use crate::domain::proposer::{Intent, Proposal, ProposedOption};

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
    /// Meeting mode's wall screen: the first option whole, every other option as its heading
    /// line with the reasons and sources folded, and the order, the warnings and the guideline
    /// disagreements folded under a line that counts them, so that the plan below stays in view
    /// at 1920×1080 with the meeting-room display's type. Folded with `<details>`: opened by
    /// keyboard, no nested scroller.
    #[prop(optional)]
    compact: bool,
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
    // An option's reasons, the centre's trials for it and its sources: shown under its heading,
    // or folded under it on the wall screen.
    let body = move |o: ProposedOption| {
        view! {
            <p class="option-why">{o.rationale}</p>
            {at_centre(o.code)}
            <p class="option-sources">
                "Sources: " {o.sources.join("; ")}
                " · rules " {o.rules.join(", ")}
            </p>
        }
    };
    let head = |o: &ProposedOption| {
        view! {
            <strong>{o.code.label()}</strong>
            " " <span class=format!("badge intent-{}", intent_label(o.intent))>{intent_label(o.intent)}</span>
        }
    };
    // A folded list on the wall screen says what it holds and how many; elsewhere a heading.
    let list_section = move |title: &'static str, list: AnyView, count: usize| {
        if compact {
            view! {
                <details class="proposal-more">
                    <summary>{title} " (" {count} ")"</summary>
                    {list}
                </details>
            }
            .into_any()
        } else {
            view! { <h3>{title}</h3> {list} }.into_any()
        }
    };
    // The same note in fewer words on the wall screen.
    let (source, after_ruleset, not_a_decision) = if compact {
        ("Rule engine, rule set ", ". ", "Options, not a decision: the board decides.")
    } else {
        (
            "Suggested by Tumorboard's rule engine from the recorded tumour data (rule set ",
            "). ",
            "These are options, not a decision: the board decides.",
        )
    };
    view! {
        <section class="panel proposal" class:compact=compact aria-labelledby="proposal-heading" data-testid="proposal">
            <h2 id="proposal-heading">"Options for the board to consider"</h2>
            <p class="proposal-note">
                {source} <code>{ruleset_version}</code> {after_ruleset} {note} " "
                <strong>{not_a_decision}</strong>
            </p>
            {if options.is_empty() {
                view! { <p>"No option can be suggested from the data recorded so far."</p> }.into_any()
            } else {
                view! {
                    <ol class="options">
                        {options.into_iter().enumerate().map(|(i, o)| {
                            let code = o.code.code();
                            if compact && i > 0 {
                                view! {
                                    <li class="option folded" data-code=code>
                                        <details>
                                            <summary class="option-head">{head(&o)}</summary>
                                            {body(o)}
                                        </details>
                                    </li>
                                }.into_any()
                            } else {
                                view! {
                                    <li class="option" data-code=code>
                                        <p class="option-head">{head(&o)}</p>
                                        {body(o)}
                                    </li>
                                }.into_any()
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {(!prerequisites.is_empty()).then(|| {
                let count = prerequisites.len();
                let list = view! {
                    <ul>{prerequisites.into_iter().map(|p| view! { <li>{p.before.label()} " before " {p.option.label().to_lowercase()}</li> }).collect_view()}</ul>
                };
                list_section("Order", list.into_any(), count)
            })}
            {(!warnings.is_empty()).then(|| {
                let count = warnings.len();
                let list = view! {
                    <ul class="warnings" data-testid="proposal-warnings">{warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                };
                list_section("What would change these options", list.into_any(), count)
            })}
            {(!alternatives.is_empty()).then(|| {
                let count = alternatives.len();
                let list = view! {
                    <ul>{alternatives.into_iter().map(|a| view! { <li><strong>{a.topic}</strong> ": " {a.positions.join(" / ")}</li> }).collect_view()}</ul>
                };
                list_section("Where guidelines disagree", list.into_any(), count)
            })}
        </section>
    }
}
