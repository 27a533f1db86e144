//! The specialties' voices on a case, side by side, so that a missing voice shows. Text is
//! rendered as text (never as markup). Clinicians post in their own specialty, amend or
//! withdraw their own notes, and reply to others'.

use leptos::prelude::*;

use crate::api::annotations::{AmendAnnotation, Annotation, AnnotationInput, CreateAnnotation, WithdrawAnnotation};
use crate::domain::annotation::AnnotationKind;
use crate::domain::role::Specialty;
use crate::domain::user::Me;
use crate::error::AppError;

/// Voices always shown, even when silent: the core of a NET board.
const SHOWN: [Specialty; 5] = [
    Specialty::Surgery,
    Specialty::MedicalOncology,
    Specialty::Radiology,
    Specialty::Pathology,
    Specialty::NuclearMedicine,
];

fn kind_label(k: AnnotationKind) -> &'static str {
    match k {
        AnnotationKind::Assessment => "Assessment",
        AnnotationKind::Recommendation => "Recommendation",
        AnnotationKind::Question => "Question",
    }
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
    Effect::new(move || {
        let done = matches!(create.value().get(), Some(Ok(_)))
            || matches!(amend.value().get(), Some(Ok(_)))
            || matches!(withdraw.value().get(), Some(Ok(_)));
        if done {
            refresh.update(|r| *r += 1);
        }
    });
    let reply_to: RwSignal<Option<(String, String)>> = RwSignal::new(None);
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
                                Ok(list) => view! { <Voices list my_id reply_to amend withdraw /> }.into_any(),
                                Err(e) => view! { <p class="notice bad" role="alert">{e.to_string()}</p> }.into_any(),
                            }
                        })
                    }
                }
            </Transition>
            {my_voice.map(|voice| view! { <PostForm case_id=case_id.clone() voice create reply_to /> })}
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
                                        view! { <Note a mine reply_to amend withdraw /> }
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
) -> impl IntoView {
    let latest = a.versions.last().cloned();
    let editing = RwSignal::new(false);
    let text = RwSignal::new(latest.as_ref().map(|v| v.body.clone()).unwrap_or_default());
    let reason = RwSignal::new(String::new());
    let (id, version) = (a.id.clone(), a.version);
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
                input: AnnotationInput { body: text.get_untracked(), kind: kind.code().into(), ..Default::default() },
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
                <span class=format!("badge kind-{}", kind.code())>{kind_label(kind)}</span>
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
                            on:click=move |_| editing.update(|e| *e = !*e)>"Amend or withdraw"</button>
                    })}
                </div>
            })}
            {move || editing.get().then(|| {
                let (save, retract) = (save.clone(), retract.clone());
                let amend_id = format!("amend-{}", id);
                let reason_id = format!("reason-{}", id);
                view! {
                    <form class="amend" on:submit=save>
                        <label for=amend_id.clone()>"Amended text"</label>
                        <textarea id=amend_id rows="3" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                        <button type="submit" class="small">"Save amendment"</button>
                    </form>
                    <form class="amend" on:submit=retract>
                        <label for=reason_id.clone()>"Reason for withdrawing"</label>
                        <input id=reason_id type="text" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
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
    reply_to: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let body = RwSignal::new(String::new());
    let kind = RwSignal::new("assessment".to_string());
    Effect::new(move || {
        if let Some(Ok(_)) = create.value().get() {
            body.set(String::new());
            reply_to.set(None);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateAnnotation {
            case_id: case_id.clone(),
            input: AnnotationInput {
                body: body.get_untracked(),
                kind: kind.get_untracked(),
                reply_to: reply_to.get_untracked().map(|(id, _)| id),
                ..Default::default()
            },
        });
    };
    let err = move |f: &'static str| create.value().get().and_then(|r| r.err()).and_then(|e| e.field_message(f));
    view! {
        <form class="post-note" on:submit=submit>
            <h3>"Add your " {voice.label().to_lowercase()} " voice"</h3>
            {move || reply_to.get().map(|(_, who)| view! {
                <p class="notice">"Replying to " {who} " " <button type="button" class="secondary small" on:click=move |_| reply_to.set(None)>"Cancel reply"</button></p>
            })}
            <div class="field">
                <label for="note-kind">"Kind"</label>
                <select id="note-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                    {AnnotationKind::ALL.into_iter().map(|k| view! { <option value=k.code()>{kind_label(k)}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="note-body">"Annotation"</label>
                <textarea id="note-body" rows="3" aria-describedby="note-body-error"
                    aria-invalid=move || if err("body").is_some() { "true" } else { "false" }
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <p class="field-error" id="note-body-error" aria-live="polite">{move || err("body")}</p>
            </div>
            <button type="submit" disabled=move || create.pending().get()>"Post as " {voice.label().to_lowercase()}</button>
        </form>
    }
}
