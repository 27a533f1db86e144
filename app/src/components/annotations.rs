//! The specialties' voices on a case, side by side, so that a missing voice shows. Text is
//! rendered as text (never as markup). Clinicians post in their own specialty, amend or
//! withdraw their own notes, and reply to others'.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::api::annotations::{AmendAnnotation, Annotation, AnnotationInput, CreateAnnotation, WithdrawAnnotation};
use crate::domain::annotation::{AnnotationKind, Resectability, Structured};
use crate::domain::codes::{Grade, SstrImaging};
use crate::domain::role::Specialty;
use crate::domain::user::Me;
use crate::error::AppError;

/// Voices always shown, even when silent: the core of a NET board.
pub const SHOWN: [Specialty; 5] = [
    Specialty::Surgery,
    Specialty::MedicalOncology,
    Specialty::Radiology,
    Specialty::Pathology,
    Specialty::NuclearMedicine,
];

/// What a user is typing, kept by the case page above the views that live changes rebuild, so
/// a note arriving from someone else never wipes a draft.
#[derive(Clone, Copy)]
pub struct NoteDrafts {
    body: RwSignal<String>,
    kind: RwSignal<String>,
    reply_to: RwSignal<Option<(String, String)>>,
    structured: RwSignal<StructuredDraft>,
    /// Open amend/withdraw forms by annotation id: (amended text, reason for withdrawing).
    amends: RwSignal<HashMap<String, (String, String)>>,
}

impl NoteDrafts {
    pub fn new() -> Self {
        NoteDrafts {
            body: RwSignal::new(String::new()),
            kind: RwSignal::new("assessment".into()),
            reply_to: RwSignal::new(None),
            structured: RwSignal::new(StructuredDraft::default()),
            amends: RwSignal::new(HashMap::new()),
        }
    }
}

impl Default for NoteDrafts {
    fn default() -> Self {
        Self::new()
    }
}

/// The structured fields as typed (text), checked into `Structured` on posting.
#[derive(Clone, Debug, Default, PartialEq)]
struct StructuredDraft {
    lesion_sizes: String,
    sstr_uptake: String,
    resectability: String,
    confirmed_grade: String,
    confirmed_ki67: String,
    prrt_eligible: String,
}

impl StructuredDraft {
    /// The typed fields as `Structured`, or the field (`structured.…`) and what to fix.
    fn parse(&self) -> Result<Structured, (&'static str, String)> {
        let mut s = Structured::default();
        for part in self.lesion_sizes.split([',', ';', ' ']).filter(|p| !p.trim().is_empty()) {
            let mm = part.trim().parse::<f64>().map_err(|_| {
                (
                    "structured.lesion_sizes_mm",
                    format!("\"{}\" is not a size in mm; write numbers separated by commas.", part.trim()),
                )
            })?;
            s.lesion_sizes_mm.push(mm);
        }
        s.sstr_uptake = SstrImaging::parse(&self.sstr_uptake).ok();
        s.resectability = Resectability::parse(&self.resectability).ok();
        s.confirmed_grade = Grade::parse(&self.confirmed_grade).ok();
        if !self.confirmed_ki67.trim().is_empty() {
            s.confirmed_ki67_percent =
                Some(self.confirmed_ki67.trim().replace(',', ".").parse::<f64>().map_err(|_| {
                    ("structured.confirmed_ki67_percent", "Ki-67 is a number between 0 and 100.".to_string())
                })?);
        }
        s.prrt_eligible = match self.prrt_eligible.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        Ok(s)
    }
}

/// The filled structured fields in words ("Lesions 12, 8 mm", "PRRT eligible: yes").
fn structured_lines(s: &Structured) -> Vec<(&'static str, String)> {
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

#[component]
pub fn AnnotationsPanel(
    case_id: String,
    annotations: Resource<Result<Vec<Annotation>, AppError>>,
    me: Option<Me>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let create = ServerAction::<CreateAnnotation>::new();
    let amend = ServerAction::<AmendAnnotation>::new();
    let withdraw = ServerAction::<WithdrawAnnotation>::new();
    let drafts = use_context::<NoteDrafts>().unwrap_or_default();
    Effect::new(move || {
        let done = [amend.value().get(), withdraw.value().get()];
        for saved in done.into_iter().flatten().flatten() {
            drafts.amends.update(|m| {
                m.remove(&saved.id);
            });
        }
        let done = matches!(create.value().get(), Some(Ok(_)))
            || matches!(amend.value().get(), Some(Ok(_)))
            || matches!(withdraw.value().get(), Some(Ok(_)));
        if done {
            refresh.update(|r| *r += 1);
        }
    });
    let reply_to = drafts.reply_to;
    let my_id = me.as_ref().map(|m| m.id.clone());
    let my_voice = me.as_ref().and_then(|m| m.specialty);
    view! {
        <section class="panel" aria-labelledby="voices-heading">
            <h2 id="voices-heading">"Specialty voices"</h2>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading annotations…"</p> }>
                {
                    let my_id = my_id.clone();
                    move || {
                        let my_id = my_id.clone();
                        Suspend::new(async move {
                            match annotations.await {
                                Ok(list) => view! { <Voices list my_id reply_to amend withdraw drafts /> }.into_any(),
                                Err(e) => view! { <p class="notice bad" role="alert">{e.to_string()}</p> }.into_any(),
                            }
                        })
                    }
                }
            </Transition>
            {move || amend.value().get().and_then(|r| r.err()).or_else(|| withdraw.value().get().and_then(|r| r.err())).map(|e| view! {
                <p class="notice bad" role="alert">{e.to_string()}</p>
            })}
            {my_voice.map(|voice| view! { <PostForm case_id=case_id.clone() voice create drafts /> })}
        </section>
    }
}

#[component]
fn Voices(
    list: Vec<Annotation>,
    my_id: Option<String>,
    reply_to: RwSignal<Option<(String, String)>>,
    amend: ServerAction<AmendAnnotation>,
    withdraw: ServerAction<WithdrawAnnotation>,
    drafts: NoteDrafts,
) -> impl IntoView {
    let mut voices: Vec<Specialty> = SHOWN.to_vec();
    for a in &list {
        if !voices.contains(&a.specialty) {
            voices.push(a.specialty);
        }
    }
    view! {
        <div class="voices" data-testid="voices">
            {voices.into_iter().map(|s| {
                let notes: Vec<Annotation> = list.iter().filter(|a| a.specialty == s).cloned().collect();
                let my_id = my_id.clone();
                view! {
                    <div class="voice" data-specialty=s.code()>
                        <h3>{s.label()}</h3>
                        {if notes.is_empty() {
                            view! { <p class="muted silent">"No " {s.label().to_lowercase()} " voice yet."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="notes">
                                    {notes.into_iter().map(|a| {
                                        let mine = my_id.as_deref() == Some(a.author_id.as_str());
                                        view! { <Note a mine reply_to amend withdraw drafts /> }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Note(
    a: Annotation,
    mine: bool,
    reply_to: RwSignal<Option<(String, String)>>,
    amend: ServerAction<AmendAnnotation>,
    withdraw: ServerAction<WithdrawAnnotation>,
    drafts: NoteDrafts,
) -> impl IntoView {
    let latest = a.versions.last().cloned();
    let (id, version) = (a.id.clone(), a.version);
    let amends = drafts.amends;
    let editing = {
        let id = id.clone();
        Signal::derive(move || amends.with(|m| m.contains_key(&id)))
    };
    let toggle = {
        let (id, body) = (id.clone(), latest.as_ref().map(|v| v.body.clone()).unwrap_or_default());
        move |_| {
            amends.update(|m| {
                if m.remove(&id).is_none() {
                    m.insert(id.clone(), (body.clone(), String::new()));
                }
            })
        }
    };
    let field = |id: String, second: bool| {
        Signal::derive(move || {
            amends.with(|m| m.get(&id).map(|(t, r)| if second { r.clone() } else { t.clone() }).unwrap_or_default())
        })
    };
    let text = field(id.clone(), false);
    let reason = field(id.clone(), true);
    let set_field = move |id: String, second: bool| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            amends.update(|m| {
                if let Some(entry) = m.get_mut(&id) {
                    if second { entry.1 = v } else { entry.0 = v }
                }
            })
        }
    };
    let structured = latest.as_ref().map(|v| v.structured.clone()).unwrap_or_default();
    let facts = structured_lines(&structured);
    let kind = latest.as_ref().map(|v| v.kind).unwrap_or(AnnotationKind::Assessment);
    let reply_label = format!("Reply to {}", a.author_name);
    let history: Vec<_> = a.versions.iter().rev().skip(1).cloned().collect();
    let save = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            amend.dispatch(AmendAnnotation {
                id: id.clone(),
                version,
                input: AnnotationInput {
                    body: text.get_untracked(),
                    kind: kind.code().into(),
                    structured: structured.clone(),
                    reply_to: None,
                },
            });
        }
    };
    let retract = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            withdraw.dispatch(WithdrawAnnotation { id: id.clone(), version, reason: reason.get_untracked() });
        }
    };
    let reply_target = (a.id.clone(), a.author_name.clone());
    view! {
        <li class="note" class:withdrawn=a.withdrawn data-testid="note">
            <p class="note-head">
                <span class=format!("badge kind-{}", kind.code())>{kind.label()}</span>
                " " <strong>{a.author_name.clone()}</strong>
                " · " {latest.as_ref().map(|v| v.at.get(..16).unwrap_or_default().replace('T', " ")).unwrap_or_default()}
                {(a.version > 1 && !a.withdrawn).then(|| view! { " · amended" })}
                {a.reply_to.is_some().then(|| view! { " · reply" })}
            </p>
            {if a.withdrawn {
                view! {
                    <p class="muted">"Withdrawn: " {latest.as_ref().and_then(|v| v.withdrawn_reason.clone()).unwrap_or_default()}</p>
                    <p class="struck">{latest.as_ref().map(|v| v.body.clone()).unwrap_or_default()}</p>
                }.into_any()
            } else {
                view! { <p class="note-body">{latest.as_ref().map(|v| v.body.clone()).unwrap_or_default()}</p> }.into_any()
            }}
            {(!facts.is_empty()).then(|| view! {
                <dl class="facts note-facts">
                    {facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                </dl>
            })}
            {(!history.is_empty()).then(|| view! {
                <details>
                    <summary>"Earlier versions (" {history.len()} ")"</summary>
                    <ul>{history.into_iter().map(|v| view! { <li><span class="muted">"v" {v.version} " · " {v.at.get(..16).unwrap_or_default().replace('T', " ")}</span> " " {v.body}</li> }).collect_view()}</ul>
                </details>
            })}
            {(!a.withdrawn).then(|| view! {
                <div class="actions-row">
                    {(!mine).then(|| view! {
                        <button type="button" class="secondary small" on:click=move |_| reply_to.set(Some(reply_target.clone()))>{reply_label.clone()}</button>
                    })}
                    {mine.then(|| view! {
                        <button type="button" class="secondary small" aria-expanded=move || editing.get().to_string()
                            on:click=toggle.clone()>"Amend or withdraw"</button>
                    })}
                </div>
            })}
            {move || editing.get().then(|| {
                let (save, retract) = (save.clone(), retract.clone());
                let amend_id = format!("amend-{}", id);
                let reason_id = format!("reason-{}", id);
                let (on_text, on_reason) = (set_field(id.clone(), false), set_field(id.clone(), true));
                view! {
                    <form class="amend" on:submit=save>
                        <label for=amend_id.clone()>"Amended text"</label>
                        <textarea id=amend_id rows="3" prop:value=move || text.get() on:input=on_text></textarea>
                        <button type="submit" class="small">"Save amendment"</button>
                    </form>
                    <form class="amend" on:submit=retract>
                        <label for=reason_id.clone()>"Reason for withdrawing"</label>
                        <input id=reason_id type="text" prop:value=move || reason.get() on:input=on_reason />
                        <button type="submit" class="secondary small">"Withdraw"</button>
                    </form>
                }
            })}
        </li>
    }
}

#[component]
fn PostForm(
    case_id: String,
    voice: Specialty,
    create: ServerAction<CreateAnnotation>,
    drafts: NoteDrafts,
) -> impl IntoView {
    let NoteDrafts { body, kind, reply_to, structured, .. } = drafts;
    let local_error: RwSignal<Option<(&'static str, String)>> = RwSignal::new(None);
    Effect::new(move || {
        if let Some(Ok(_)) = create.value().get() {
            body.set(String::new());
            structured.set(StructuredDraft::default());
            reply_to.set(None);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let fields = match structured.get_untracked().parse() {
            Ok(fields) => fields,
            Err(e) => {
                local_error.set(Some(e));
                return;
            }
        };
        local_error.set(None);
        create.dispatch(CreateAnnotation {
            case_id: case_id.clone(),
            input: AnnotationInput {
                body: body.get_untracked(),
                kind: kind.get_untracked(),
                structured: fields,
                reply_to: reply_to.get_untracked().map(|(id, _)| id),
            },
        });
    };
    let err = move |f: &'static str| {
        if let Some((field, msg)) = local_error.get() {
            return (field == f).then_some(msg);
        }
        create.value().get().and_then(|r| r.err()).and_then(|e| e.field_message(f))
    };
    let radiology = voice == Specialty::Radiology;
    let nuclear = voice == Specialty::NuclearMedicine;
    view! {
        <form class="post-note" on:submit=submit novalidate>
            <h3>"Add your " {voice.label().to_lowercase()} " voice"</h3>
            {move || reply_to.get().map(|(_, who)| view! {
                <p class="notice">"Replying to " {who} " " <button type="button" class="secondary small" on:click=move |_| reply_to.set(None)>"Cancel reply"</button></p>
            })}
            <div class="field">
                <label for="note-kind">"Kind"</label>
                <select id="note-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                    {AnnotationKind::ALL.iter().copied().map(|k| view! { <option value=k.code()>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="note-body">"Annotation"</label>
                <textarea id="note-body" rows="3" aria-describedby="note-body-error"
                    aria-invalid=move || if err("body").is_some() { "true" } else { "false" }
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <p class="field-error" id="note-body-error" aria-live="polite">{move || err("body")}</p>
            </div>
            <fieldset class="structured">
                <legend>"Structured findings (optional)"</legend>
                {radiology.then(|| view! {
                    <div class="field">
                        <label for="note-lesions">"Lesion sizes (mm, comma-separated)"</label>
                        <input id="note-lesions" type="text" inputmode="decimal" aria-describedby="note-lesions-error"
                            aria-invalid=move || if err("structured.lesion_sizes_mm").is_some() { "true" } else { "false" }
                            prop:value=move || structured.with(|s| s.lesion_sizes.clone())
                            on:input=move |ev| structured.update(|s| s.lesion_sizes = event_target_value(&ev)) />
                        <p class="field-error" id="note-lesions-error" aria-live="polite">{move || err("structured.lesion_sizes_mm")}</p>
                    </div>
                })}
                {(radiology || nuclear).then(|| view! {
                    <div class="field">
                        <label for="note-sstr">"SSTR uptake"</label>
                        <select id="note-sstr" prop:value=move || structured.with(|s| s.sstr_uptake.clone())
                            on:change=move |ev| structured.update(|s| s.sstr_uptake = event_target_value(&ev))>
                            <option value="">"Not stated"</option>
                            {SstrImaging::ALL.iter().map(|u| view! { <option value=u.code()>{u.label()}</option> }).collect_view()}
                        </select>
                    </div>
                })}
                {(voice == Specialty::Surgery).then(|| view! {
                    <div class="field">
                        <label for="note-resectability">"Resectability"</label>
                        <select id="note-resectability" prop:value=move || structured.with(|s| s.resectability.clone())
                            on:change=move |ev| structured.update(|s| s.resectability = event_target_value(&ev))>
                            <option value="">"Not stated"</option>
                            <option value="resectable">"Resectable"</option>
                            <option value="borderline">"Borderline resectable"</option>
                            <option value="unresectable">"Unresectable"</option>
                        </select>
                    </div>
                })}
                {(voice == Specialty::Pathology).then(|| view! {
                    <div class="field">
                        <label for="note-grade">"Confirmed grade"</label>
                        <select id="note-grade" prop:value=move || structured.with(|s| s.confirmed_grade.clone())
                            on:change=move |ev| structured.update(|s| s.confirmed_grade = event_target_value(&ev))>
                            <option value="">"Not stated"</option>
                            {Grade::ALL.iter().map(|g| view! { <option value=g.code()>{g.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="note-ki67">"Confirmed Ki-67 %"</label>
                        <input id="note-ki67" type="text" inputmode="decimal" aria-describedby="note-ki67-error"
                            aria-invalid=move || if err("structured.confirmed_ki67_percent").is_some() { "true" } else { "false" }
                            prop:value=move || structured.with(|s| s.confirmed_ki67.clone())
                            on:input=move |ev| structured.update(|s| s.confirmed_ki67 = event_target_value(&ev)) />
                        <p class="field-error" id="note-ki67-error" aria-live="polite">{move || err("structured.confirmed_ki67_percent")}</p>
                    </div>
                })}
                {nuclear.then(|| view! {
                    <div class="field">
                        <label for="note-prrt">"PRRT eligible"</label>
                        <select id="note-prrt" prop:value=move || structured.with(|s| s.prrt_eligible.clone())
                            on:change=move |ev| structured.update(|s| s.prrt_eligible = event_target_value(&ev))>
                            <option value="">"Not stated"</option>
                            <option value="yes">"Yes"</option>
                            <option value="no">"No"</option>
                        </select>
                    </div>
                })}
                {(voice == Specialty::MedicalOncology || !Specialty::CORE.contains(&voice) && !nuclear).then(|| view! {
                    <p class="muted">"No structured fields for this specialty; write them in the annotation."</p>
                })}
            </fieldset>
            <button type="submit" disabled=move || create.pending().get()>"Post as " {voice.label().to_lowercase()}</button>
        </form>
    }
}

/// The voices read-only and compact, for meeting mode and the decision report: each shown
/// specialty with its current (not withdrawn) notes and structured findings.
#[component]
pub fn VoicesSummary(list: Vec<Annotation>) -> impl IntoView {
    let mut voices: Vec<Specialty> = SHOWN.to_vec();
    for a in &list {
        if !voices.contains(&a.specialty) {
            voices.push(a.specialty);
        }
    }
    view! {
        <div class="voices compact" data-testid="voices-summary">
            {voices.into_iter().map(|s| {
                let notes: Vec<Annotation> = list.iter().filter(|a| a.specialty == s && !a.withdrawn).cloned().collect();
                view! {
                    <div class="voice" data-specialty=s.code()>
                        <h3>{s.label()}</h3>
                        {if notes.is_empty() {
                            view! { <p class="muted silent">"No " {s.label().to_lowercase()} " voice."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="notes">
                                    {notes.into_iter().map(|a| {
                                        let v = a.versions.last().cloned();
                                        let facts = v.as_ref().map(|v| structured_lines(&v.structured)).unwrap_or_default();
                                        view! {
                                            <li class="note">
                                                <p class="note-head">
                                                    <span class="badge">{v.as_ref().map(|v| v.kind.label()).unwrap_or_default()}</span>
                                                    " " <strong>{a.author_name.clone()}</strong>
                                                    {(a.version > 1).then(|| " · amended")}
                                                </p>
                                                <p class="note-body">{v.as_ref().map(|v| v.body.clone()).unwrap_or_default()}</p>
                                                {(!facts.is_empty()).then(|| view! {
                                                    <dl class="facts note-facts">{facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}</dl>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </div>
                }
            }).collect_view()}
        </div>
    }
}
