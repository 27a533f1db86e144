//! A case's versions and what changed between them, in words.

use leptos::prelude::*;

use crate::components::errors::error_notice;
use crate::components::format::when;
use crate::domain::case::{CaseVersion, FieldChange, changes_in_words, field_changes};

/// Words for a dotted field path ("tumor.ki67_percent" → "Ki-67 %").
pub fn field_label(path: &str) -> String {
    let name = path.rsplit('.').next().unwrap_or(path);
    let label = match name {
        "mrn" => "MRN",
        "name" => "Name",
        "birth_date" => "Birth date",
        "sex" => "Sex",
        "referring_clinician" => "Referring clinician",
        "question" => "Question",
        "history" => "History",
        "comorbidities" => "Comorbidities",
        "status" => "Status",
        "primary_site" => "Primary site",
        "grade" => "Grade",
        "ki67_percent" => "Ki-67 %",
        "differentiation" => "Differentiation",
        "tumor_size_mm" => "Size (mm)",
        "t_stage" => "T",
        "n_stage" => "N",
        "m_stage" => "M",
        "metastatic_sites" => "Metastatic sites",
        "liver_burden" => "Liver burden",
        "functional_syndrome" => "Functional status",
        "hormonal_symptoms" => "Hormonal symptoms",
        "hormonal_symptoms_refractory" => "Refractory symptoms",
        "sstr_imaging" => "SSTR imaging",
        "mibg_avid" => "MIBG avid",
        "ecog" => "ECOG",
        "bone_pain" => "Bone pain",
        "prior_treatments" => "Prior treatments",
        "progression_on_prior" => "Progression on prior",
        "men1" => "MEN1",
        "gastric_type" => "Gastric type",
        "age" => "Age",
        "primary_resectable" => "Primary resectable",
        "liver_lesion_count" => "Liver lesions",
        "liver_max_lesion_mm" => "Largest liver lesion (mm)",
        "ampullary" => "Ampullary",
        "resection_margin" => "Resection margin",
        "lymphovascular_invasion" => "Lymphovascular invasion",
        "tumor_burden" => "Tumour burden",
        other => other,
    };
    if path.starts_with("patient.") { format!("Patient: {label}") } else { label.to_string() }
}

/// A table of changes, before → after.
#[component]
pub fn ChangeTable(changes: Vec<FieldChange>) -> impl IntoView {
    let changes = changes_in_words(changes);
    view! {
        <table class="changes">
            <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
            <tbody>
                {changes.into_iter().map(|c| view! {
                    <tr>
                        <td>{field_label(&c.field)}</td>
                        <td class="before">{c.before.unwrap_or_else(|| "—".into())}</td>
                        <td class="after">{c.after.unwrap_or_else(|| "—".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub(super) fn CaseHistory(history: super::Part<Vec<CaseVersion>>, open: RwSignal<bool>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            // Folded: every version is kept and one click away, but it does not push the
            // board's work down the page. Its versions are read when it is first opened (a
            // case's history grows with every edit; most looks at a case never open it).
            <details class="history-fold" on:toggle=move |_| if !open.get_untracked() { open.set(true) }>
                <summary>"Every version and what changed"</summary>
                <Transition fallback=|| view! { <p aria-busy="true">"Loading the history…"</p> }>
                    <ErrorBoundary fallback=error_notice>
                        {move || match history.get() {
                            Some(r) => Some(r.map(|versions| view! { <VersionList versions /> }.into_any())),
                            None if open.get() => Some(Ok(view! { <p aria-busy="true">"Loading the history…"</p> }.into_any())),
                            None => None,
                        }}
                    </ErrorBoundary>
                </Transition>
            </details>
        </section>
    }
}

#[component]
fn VersionList(versions: Vec<CaseVersion>) -> impl IntoView {
    let items: Vec<_> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let changes = match versions.get(i + 1) {
                Some(prev) => {
                    let mut c = field_changes(&prev.content, &v.content);
                    if prev.status != v.status {
                        c.insert(
                            0,
                            FieldChange {
                                field: "status".into(),
                                before: Some(prev.status.label().into()),
                                after: Some(v.status.label().into()),
                            },
                        );
                    }
                    c
                }
                None => Vec::new(),
            };
            (v.clone(), changes)
        })
        .collect();
    view! {
        <ol class="versions" data-testid="versions" reversed>
            {items.into_iter().map(|(v, changes)| view! {
                <li>
                    <p class="version-head">
                        <strong>"Version " {v.version}</strong>
                        " · " {when(&v.at)} " · " {v.author_name.clone()}
                        {v.reason.clone().map(|r| view! { " · " <em>{r}</em> })}
                    </p>
                    {if v.version == 1 {
                        view! { <p class="muted">"Case created."</p> }.into_any()
                    } else if changes.is_empty() {
                        view! { <p class="muted">"No field changed."</p> }.into_any()
                    } else {
                        view! { <ChangeTable changes /> }.into_any()
                    }}
                </li>
            }).collect_view()}
        </ol>
    }
}
