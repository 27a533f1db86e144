//! The specialties' voices on a case, side by side, so that a missing voice shows. Text is
//! rendered as text (never as markup). Clinicians post in their own specialty, amend or
//! withdraw their own notes, and reply to others'.

mod note;
mod post;
mod prereview;
mod summary;

use std::collections::HashMap;

use leptos::prelude::*;

pub use prereview::PreReview;
pub use summary::VoicesSummary;

use crate::api::annotations::{AmendAnnotation, Annotation, WithdrawAnnotation};
use crate::components::actions::{CaseActions, SentFrom, after_saving, failure};
use crate::components::errors::{ActionError, error_notice, keep_focus_at};
use crate::domain::annotation::AnnotationKind;
use crate::domain::role::Specialty;
use crate::domain::user::Me;
use crate::error::AppError;
use note::Note;
use post::{PostForm, StructuredDraft};

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
    pub(crate) body: RwSignal<String>,
    pub(crate) kind: RwSignal<String>,
    pub(crate) reply_to: RwSignal<Option<(String, String)>>,
    pub(crate) structured: RwSignal<StructuredDraft>,
    /// The specialty a question asks (a code; empty: none).
    pub(crate) asks: RwSignal<String>,
    /// Open amend/withdraw forms by annotation id: (amended text, reason for withdrawing).
    pub(crate) amends: RwSignal<HashMap<String, (String, String)>>,
    /// The note whose amendment or withdrawal was sent last: its form shows the field errors.
    pub(crate) changing: SentFrom,
}

impl NoteDrafts {
    pub fn new() -> Self {
        NoteDrafts {
            body: RwSignal::new(String::new()),
            kind: RwSignal::new("assessment".into()),
            reply_to: RwSignal::new(None),
            structured: RwSignal::new(StructuredDraft::default()),
            asks: RwSignal::new(String::new()),
            amends: RwSignal::new(HashMap::new()),
            changing: SentFrom::new(),
        }
    }
}

impl Default for NoteDrafts {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn AnnotationsPanel(
    case_id: String,
    annotations: Signal<Option<Result<Vec<Annotation>, AppError>>>,
    me: Option<Me>,
    actions: CaseActions,
    drafts: NoteDrafts,
) -> impl IntoView {
    let (create, amend, withdraw) = (actions.post_note, actions.amend_note, actions.withdraw_note);
    // An amended or withdrawn note closes its form.
    let close = move |saved: &Annotation| {
        drafts.amends.update(|m| {
            m.remove(&saved.id);
        })
    };
    after_saving(amend, move |saved: &Annotation| {
        close(saved);
        // The form (and its Save button) are gone: a lost focus goes to the note's own buttons.
        keep_focus_at(format!("#note-{} .actions-row", saved.id));
    });
    after_saving(withdraw, move |saved: &Annotation| {
        close(saved);
        // The note is a tombstone now, without buttons: the focus goes to its withdrawal line.
        keep_focus_at(format!("#note-{}", saved.id));
    });
    let reply_to = drafts.reply_to;
    let my_id = me.as_ref().map(|m| m.id.clone());
    let my_voice = me.as_ref().and_then(|m| m.specialty);
    let may_reply = my_voice.is_some();
    view! {
        <section class="panel" aria-labelledby="voices-heading">
            <h2 id="voices-heading">"Specialty voices"</h2>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading annotations…"</p> }>
                <ErrorBoundary fallback=error_notice>
                    {
                        let my_id = my_id.clone();
                        // Read synchronously, not in a Suspend (see `pages::present`): a reload
                        // replaces the view at once, never leaving a stale one with disposed values.
                        move || {
                            let my_id = my_id.clone();
                            annotations.get().map(|r| {
                                r.map(|list| view! { <Voices list my_id may_reply reply_to amend withdraw drafts /> })
                            })
                        }
                    }
                </ErrorBoundary>
            </Transition>
            <ActionError error=failure(amend) />
            <ActionError error=failure(withdraw) />
            {my_voice.map(|voice| view! { <PostForm case_id=case_id.clone() voice create drafts /> })}
        </section>
    }
}

/// The specialties a case's voices are shown under: the usual board (`SHOWN`) always, so a
/// silent voice is visible, then any other specialty that spoke.
fn voice_order(list: &[Annotation]) -> Vec<Specialty> {
    let mut voices: Vec<Specialty> = SHOWN.to_vec();
    for a in list {
        if !voices.contains(&a.specialty) {
            voices.push(a.specialty);
        }
    }
    voices
}

#[component]
fn Voices(
    list: Vec<Annotation>,
    my_id: Option<String>,
    /// The user has a voice of their own (a clinician): only then is there a Reply button.
    may_reply: bool,
    reply_to: RwSignal<Option<(String, String)>>,
    amend: ServerAction<AmendAnnotation>,
    withdraw: ServerAction<WithdrawAnnotation>,
    drafts: NoteDrafts,
) -> impl IntoView {
    let note = move |a: Annotation, replying_to: Option<String>| {
        let mine = my_id.as_deref() == Some(a.author_id.as_str());
        view! { <Note a mine may_reply replying_to reply_to amend withdraw drafts /> }
    };
    view! {
        <div class="voices" data-testid="voices">{voice_columns(list, |_| true, " voice yet.", note)}</div>
    }
}

/// One column per specialty (in `voice_order`): its notes that `keep` keeps, each drawn by
/// `note`, or a line saying the voice is silent ("No radiology voice yet."). A reply sits under
/// the note it answers (the thread's first note), marked "↪ to" whom it answers, not in the
/// replier's column; `note` gets that name for a reply.
pub(super) fn voice_columns<V: IntoView + 'static>(
    list: Vec<Annotation>,
    keep: impl Fn(&Annotation) -> bool,
    silent: &'static str,
    note: impl Fn(Annotation, Option<String>) -> V,
) -> impl IntoView {
    let list: Vec<Annotation> = list.into_iter().filter(|a| keep(a)).collect();
    let by_id: std::collections::HashMap<&str, &Annotation> = list.iter().map(|a| (a.id.as_str(), a)).collect();
    // The first note of a reply's thread (following reply_to up, at most the list's length).
    let root = |a: &Annotation| -> Option<String> {
        let mut at = a;
        for _ in 0..list.len() {
            match at.reply_to.as_deref().and_then(|p| by_id.get(p)) {
                Some(parent) => at = parent,
                None => break,
            }
        }
        (at.id != a.id).then(|| at.id.clone())
    };
    let roots: Vec<Option<String>> = list.iter().map(root).collect();
    let top: Vec<Annotation> = list.iter().zip(&roots).filter(|(_, r)| r.is_none()).map(|(a, _)| a.clone()).collect();
    let replies_to = |id: &str| -> Vec<(Annotation, Option<String>)> {
        list.iter()
            .zip(&roots)
            .filter(|(_, r)| r.as_deref() == Some(id))
            .map(|(a, _)| {
                let to = a.reply_to.as_deref().and_then(|p| by_id.get(p)).map(|p| p.author_name.clone());
                (a.clone(), to)
            })
            .collect()
    };
    // Questions asked of a specialty that nobody of it has answered yet (a reply from it
    // closes them), shown at the head of that specialty's column.
    let is_question = |a: &Annotation| a.versions.last().is_some_and(|v| v.kind == AnnotationKind::Question);
    let open: Vec<(Specialty, Annotation)> = list
        .iter()
        .filter(|q| !q.withdrawn && is_question(q))
        .filter_map(|q| q.asks.map(|s| (s, q)))
        .filter(|(s, q)| !list.iter().any(|r| r.reply_to.as_deref() == Some(q.id.as_str()) && r.specialty == *s))
        .map(|(s, q)| (s, q.clone()))
        .collect();
    let mut columns = voice_order(&top);
    for (s, _) in &open {
        if !columns.contains(s) {
            columns.push(*s);
        }
    }
    columns
        .into_iter()
        .map(|s| {
            let asked: Vec<Annotation> = open.iter().filter(|(o, _)| *o == s).map(|(_, q)| q.clone()).collect();
            let asked = (!asked.is_empty()).then(|| {
                view! {
                    <ul class="open-questions" aria-label=format!("Open questions for {}", s.label().to_lowercase())>
                        {asked.into_iter().map(|q| view! {
                            <li class="open-question" data-testid="open-question">
                                <strong>"Open question"</strong> " from " {q.author_name.clone()} ": "
                                {q.versions.last().map(|v| v.body.clone()).unwrap_or_default()}
                            </li>
                        }).collect_view()}
                    </ul>
                }
            });
            let notes: Vec<Annotation> = top.iter().filter(|a| a.specialty == s).cloned().collect();
            let body = if notes.is_empty() {
                view! { <p class="muted silent">"No " {s.label().to_lowercase()} {silent}</p> }.into_any()
            } else {
                let items = notes
                    .into_iter()
                    .map(|a| {
                        let replies = replies_to(&a.id);
                        let label = format!("Replies to {}", a.author_name);
                        view! {
                            {note(a, None)}
                            {(!replies.is_empty()).then(|| view! {
                                <li class="thread">
                                    <ul class="notes replies" aria-label=label>
                                        {replies.into_iter().map(|(r, to)| note(r, to)).collect_view()}
                                    </ul>
                                </li>
                            })}
                        }
                    })
                    .collect_view();
                view! { <ul class="notes">{items}</ul> }.into_any()
            };
            view! {
                <div class="voice" data-specialty=s.code()>
                    <h3>{s.label()}</h3>
                    {asked}
                    {body}
                </div>
            }
        })
        .collect_view()
}
