//! One note in its specialty's column: the text, its findings, earlier versions, and the
//! author's amend and withdraw forms.

use leptos::prelude::*;

use super::NoteDrafts;
use super::summary::structured_lines;
use crate::api::annotations::{AmendAnnotation, Annotation, AnnotationInput, WithdrawAnnotation};
use crate::components::errors::{FieldError, focus_first_in, invalid};
use crate::components::format::when;

use crate::domain::annotation::{AnnotationKind, Structured};

#[component]
pub(super) fn Note(
    a: Annotation,
    mine: bool,
    /// Whether the user may post (and so reply) at all.
    may_reply: bool,
    /// For a reply: the name of the author it answers.
    replying_to: Option<String>,
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
    let structured = latest.as_ref().map(|v| v.structured.clone()).unwrap_or_default();
    let facts = structured_lines(&structured);
    let kind = latest.as_ref().map(|v| v.kind).unwrap_or(AnnotationKind::Assessment);
    let reply_label = format!("Reply to {}", a.author_name);
    let history: Vec<_> = a.versions.iter().rev().skip(1).cloned().collect();
    let reply_target = (a.id.clone(), a.author_name.clone());
    view! {
        <li class="note" id=format!("note-{}", a.id) class:withdrawn=a.withdrawn data-testid="note">
            <p class="note-head">
                <span class=format!("badge kind-{}", kind.code())>{kind.label()}</span>
                " " <strong>{a.author_name.clone()}</strong>
                " · " {latest.as_ref().map(|v| when(&v.at)).unwrap_or_default()}
                {(a.version > 1 && !a.withdrawn).then_some(" · amended")}
                {replying_to.map(|to| view! { " " <span class="reply-to">"↪ to " {to}</span> })}
            </p>
            {if a.withdrawn {
                view! {
                    <p class="muted" tabindex="-1">"Withdrawn: " {latest.as_ref().and_then(|v| v.withdrawn_reason.clone()).unwrap_or_default()}</p>
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
                    <ul>{history.into_iter().map(|v| view! { <li><span class="muted">"v" {v.version} " · " {when(&v.at)}</span> " " {v.body}</li> }).collect_view()}</ul>
                </details>
            })}
            {(!a.withdrawn).then(|| view! {
                <div class="actions-row">
                    {(!mine && may_reply).then(|| view! {
                        <button type="button" class="secondary small" on:click=move |_| {
                            reply_to.set(Some(reply_target.clone()));
                            // The reply is written in the panel's form, often far below: the
                            // focus goes there.
                            focus_first_in("#note-body");
                        }>{reply_label.clone()}</button>
                    })}
                    {mine.then(|| view! {
                        <button type="button" class="secondary small" aria-expanded=move || editing.get().to_string()
                            on:click=toggle.clone()>"Amend or withdraw"</button>
                    })}
                </div>
            })}
            {move || editing.get().then(|| view! {
                <AmendForms id=id.clone() version kind structured=structured.clone() drafts amend withdraw />
            })}
        </li>
    }
}

/// The author's two forms for a note: an amended text (a new version), or a withdrawal with
/// its reason (a tombstone). What is typed lives in the page's drafts.
#[component]
fn AmendForms(
    id: String,
    version: i64,
    kind: AnnotationKind,
    structured: Structured,
    drafts: NoteDrafts,
    amend: ServerAction<AmendAnnotation>,
    withdraw: ServerAction<WithdrawAnnotation>,
) -> impl IntoView {
    let (amends, changing) = (drafts.amends, drafts.changing);
    let text_error = changing.field_error(amend, id.clone(), "body");
    let reason_error = changing.field_error(withdraw, id.clone(), "reason");
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
    let save = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            changing.mark(&id);
            amend.dispatch(AmendAnnotation {
                id: id.clone(),
                version,
                input: AnnotationInput {
                    body: text.get_untracked(),
                    kind: kind.code().into(),
                    structured: structured.clone(),
                    reply_to: None,
                    asks: None,
                },
            });
        }
    };
    let retract = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            changing.mark(&id);
            withdraw.dispatch(WithdrawAnnotation { id: id.clone(), version, reason: reason.get_untracked() });
        }
    };
    let amend_id = format!("amend-{id}");
    let reason_id = format!("reason-{id}");
    let (amend_error_id, reason_error_id) = (format!("amend-{id}-error"), format!("reason-{id}-error"));
    let (on_text, on_reason) = (set_field(id.clone(), false), set_field(id.clone(), true));
    view! {
        <form class="amend" on:submit=save>
            <label for=amend_id.clone()>"Amended text"</label>
            <textarea id=amend_id rows="3" prop:value=move || text.get() on:input=on_text
                aria-invalid=invalid(text_error)
                aria-describedby=amend_error_id.clone()></textarea>
            <FieldError id=amend_error_id message=text_error />
            <button type="submit" class="small" disabled=move || amend.pending().get()>"Save amendment"</button>
        </form>
        <form class="amend" on:submit=retract>
            <label for=reason_id.clone()>"Reason for withdrawing"</label>
            <input id=reason_id type="text" prop:value=move || reason.get() on:input=on_reason
                aria-invalid=invalid(reason_error)
                aria-describedby=reason_error_id.clone() />
            <FieldError id=reason_error_id message=reason_error />
            <button type="submit" class="secondary small" disabled=move || withdraw.pending().get()>"Withdraw"</button>
        </form>
    }
}
