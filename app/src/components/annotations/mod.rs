//! The specialties' voices on a case, side by side, so that a missing voice shows. Text is
//! rendered as text (never as markup). Clinicians post in their own specialty, amend or
//! withdraw their own notes, and reply to others'.

mod note;
mod post;
mod summary;

use std::collections::HashMap;

use leptos::prelude::*;

pub use summary::VoicesSummary;

use crate::api::annotations::{AmendAnnotation, Annotation, WithdrawAnnotation};
use crate::components::actions::{CaseActions, after_saving, failure};
use crate::components::errors::{ActionError, error_notice};
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
    /// Open amend/withdraw forms by annotation id: (amended text, reason for withdrawing).
    pub(crate) amends: RwSignal<HashMap<String, (String, String)>>,
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

#[component]
pub fn AnnotationsPanel(
    case_id: String,
    annotations: Resource<Result<Vec<Annotation>, AppError>>,
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
    after_saving(amend, close);
    after_saving(withdraw, close);
    let reply_to = drafts.reply_to;
    let my_id = me.as_ref().map(|m| m.id.clone());
    let my_voice = me.as_ref().and_then(|m| m.specialty);
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
                                r.map(|list| view! { <Voices list my_id reply_to amend withdraw drafts /> })
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
    reply_to: RwSignal<Option<(String, String)>>,
    amend: ServerAction<AmendAnnotation>,
    withdraw: ServerAction<WithdrawAnnotation>,
    drafts: NoteDrafts,
) -> impl IntoView {
    let note = move |a: Annotation| {
        let mine = my_id.as_deref() == Some(a.author_id.as_str());
        view! { <Note a mine reply_to amend withdraw drafts /> }
    };
    view! {
        <div class="voices" data-testid="voices">{voice_columns(list, |_| true, " voice yet.", note)}</div>
    }
}

/// One column per specialty (in `voice_order`): its notes that `keep` keeps, each drawn by
/// `note`, or a line saying the voice is silent ("No radiology voice yet.").
pub(super) fn voice_columns<V: IntoView + 'static>(
    list: Vec<Annotation>,
    keep: impl Fn(&Annotation) -> bool,
    silent: &'static str,
    note: impl Fn(Annotation) -> V,
) -> impl IntoView {
    voice_order(&list)
        .into_iter()
        .map(|s| {
            let notes: Vec<Annotation> = list.iter().filter(|a| a.specialty == s && keep(a)).cloned().collect();
            let body = if notes.is_empty() {
                view! { <p class="muted silent">"No " {s.label().to_lowercase()} {silent}</p> }.into_any()
            } else {
                view! { <ul class="notes">{notes.into_iter().map(&note).collect_view()}</ul> }.into_any()
            };
            view! {
                <div class="voice" data-specialty=s.code()>
                    <h3>{s.label()}</h3>
                    {body}
                </div>
            }
        })
        .collect_view()
}
