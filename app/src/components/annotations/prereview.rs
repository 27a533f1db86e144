//! Before the meeting (issue 18): where each specialty the board expects stands on the case
//! (view given, no comment, asked, missing), worked out in the browser from the annotations as
//! they reload live; coordinators ask a specialty for its view from here.

use leptos::prelude::*;

use crate::api::annotations::Annotation;
use crate::api::work::{RequestVoice, VoiceRequestInput};
use crate::components::actions::{failure, field_error};
use crate::components::errors::{ActionError, FieldError, invalid};
use crate::components::format::when;
use crate::domain::role::Specialty;
use crate::domain::work::{VoiceRequest, VoiceState, VoiceStatus, voice_facts, voices};
use crate::error::AppError;

type Pre = (Vec<Specialty>, Vec<VoiceRequest>);

fn words(v: &VoiceStatus) -> String {
    let asked = v.request.as_ref().map(|r| format!(" — asked by {} {}", r.asked_by_name, when(&r.asked_at)));
    match v.state {
        VoiceState::Given => "view given".to_string(),
        VoiceState::NoComment => "no comment".to_string(),
        VoiceState::Asked => format!("awaited{}", asked.unwrap_or_default()),
        VoiceState::Missing => "missing".to_string(),
    }
}

#[component]
pub fn PreReview(
    case_id: String,
    annotations: Signal<Option<Result<Vec<Annotation>, AppError>>>,
    pre_review: Signal<Option<Result<Pre, AppError>>>,
    /// A coordinator, on a case whose plan is not signed.
    may_ask: bool,
    ask: ServerAction<RequestVoice>,
) -> impl IntoView {
    let statuses = move || {
        let notes = annotations.get().and_then(Result::ok).unwrap_or_default();
        let (expected, requests) = pre_review.get().and_then(Result::ok).unwrap_or_default();
        voices(&expected, &voice_facts(&notes), &requests)
    };
    let (specialty, set_specialty) = signal(String::new());
    let (note, set_note) = signal(String::new());
    let err = move |f: &'static str| field_error(ask, f);
    let (specialty_error, note_error) = (err("specialty"), err("note"));
    let submit = {
        let case_id = case_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            ask.dispatch(RequestVoice {
                case_id: case_id.clone(),
                input: VoiceRequestInput { specialty: specialty.get_untracked(), note: note.get_untracked() },
            });
        }
    };
    view! {
        <section class="panel prereview" aria-labelledby="prereview-heading">
            <h2 id="prereview-heading">"Before the meeting"</h2>
            <ul class="voice-states" data-testid="voice-states">
                {move || statuses().into_iter().map(|v| {
                    let class = format!("voice-state state-{}", v.state.code());
                    let text = words(&v);
                    view! {
                        <li class=class data-specialty=v.specialty.code()>
                            <strong>{v.specialty.label()}</strong> ": " {text}
                            {v.request.as_ref().filter(|r| !r.note.is_empty() && v.state.awaited()).map(|r| view! {
                                <br /><span class="muted">"“" {r.note.clone()} "”"</span>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {may_ask.then(|| view! {
                <form class="filters ask-voice" on:submit=submit aria-label="Request a view before the meeting">
                    <div class="field">
                        <label for="ask-specialty">"Ask a specialty"</label>
                        <select id="ask-specialty" aria-describedby="ask-specialty-error"
                            aria-invalid=invalid(specialty_error)
                            on:change=move |ev| set_specialty.set(event_target_value(&ev))>
                            <option value="">"Choose…"</option>
                            {Specialty::ALL.iter().map(|s| view! { <option value=s.code()>{s.label()}</option> }).collect_view()}
                        </select>
                        <FieldError id="ask-specialty-error" message=specialty_error />
                    </div>
                    <div class="field grow">
                        <label for="ask-note">"What the board needs (optional)"</label>
                        <input id="ask-note" type="text" maxlength="1000" aria-describedby="ask-note-error" aria-invalid=invalid(note_error)
                            prop:value=note on:input=move |ev| set_note.set(event_target_value(&ev)) />
                        <FieldError id="ask-note-error" message=note_error />
                    </div>
                    <div class="field actions">
                        <button type="submit" disabled=move || ask.pending().get()>
                            {move || if ask.pending().get() { "Asking…" } else { "Ask" }}
                        </button>
                    </div>
                </form>
                <ActionError error=failure(ask) />
            })}
        </section>
    }
}
