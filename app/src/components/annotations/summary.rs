//! The voices read-only and compact, and the structured findings in words.

use leptos::prelude::*;

use super::voice_columns;
use crate::api::annotations::Annotation;
use crate::domain::annotation::Structured;

/// The filled structured fields in words ("Lesions 12, 8 mm", "PRRT eligible: yes").
pub(super) fn structured_lines(s: &Structured) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if !s.lesion_sizes_mm.is_empty() {
        let sizes: Vec<String> = s.lesion_sizes_mm.iter().map(|v| crate::domain::tumor::trim_number(*v)).collect();
        out.push(("Lesion sizes", format!("{} mm", sizes.join(", "))));
    }
    if let Some(u) = s.sstr_uptake {
        out.push(("SSTR uptake", u.label().to_string()));
    }
    if let Some(r) = s.resectability {
        out.push(("Resectability", r.label().to_string()));
    }
    if let Some(g) = s.confirmed_grade {
        out.push(("Confirmed grade", g.label().to_string()));
    }
    if let Some(k) = s.confirmed_ki67_percent {
        out.push(("Confirmed Ki-67", format!("{} %", crate::domain::tumor::trim_number(k))));
    }
    if let Some(p) = s.prrt_eligible {
        out.push(("PRRT eligible", if p { "yes" } else { "no" }.to_string()));
    }
    out
}

/// The voices read-only and compact, for meeting mode and the decision report: each shown
/// specialty with its current (not withdrawn) notes and structured findings.
#[component]
pub fn VoicesSummary(list: Vec<Annotation>) -> impl IntoView {
    view! {
        <div class="voices compact" data-testid="voices-summary">
            {voice_columns(list, |a| !a.withdrawn, " voice.", summary_note)}
        </div>
    }
}

/// A note as the summary shows it: kind, author, the current text and its structured findings.
fn summary_note(a: Annotation, replying_to: Option<String>) -> impl IntoView {
    let v = a.versions.last().cloned();
    let facts = v.as_ref().map(|v| structured_lines(&v.structured)).unwrap_or_default();
    view! {
        <li class="note">
            <p class="note-head">
                <span class="badge">{v.as_ref().map(|v| v.kind.label()).unwrap_or_default()}</span>
                " " <strong>{a.author_name.clone()}</strong>
                {(a.version > 1).then_some(" · amended")}
                {replying_to.map(|to| view! { " " <span class="reply-to">"↪ to " {to}</span> })}
            </p>
            <p class="note-body">{v.as_ref().map(|v| v.body.clone()).unwrap_or_default()}</p>
            {(!facts.is_empty()).then(|| view! {
                <dl class="facts note-facts">{facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}</dl>
            })}
        </li>
    }
}
