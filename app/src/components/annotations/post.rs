//! Posting a note in one's own specialty's voice, with the structured findings of that
//! specialty.

use leptos::prelude::*;

use crate::components::choices::code_options;
use crate::components::errors::{FieldError, focus_first_in, invalid};

use super::NoteDrafts;
use crate::api::annotations::{AnnotationInput, CreateAnnotation};
use crate::components::actions::after_saving;
use crate::domain::annotation::{AnnotationKind, Resectability, Structured};
use crate::domain::codes::{Grade, SstrImaging};
use crate::domain::role::Specialty;

/// The structured fields as typed (text), checked into `Structured` on posting.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct StructuredDraft {
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

#[component]
pub(super) fn PostForm(
    case_id: String,
    voice: Specialty,
    create: ServerAction<CreateAnnotation>,
    drafts: NoteDrafts,
) -> impl IntoView {
    let NoteDrafts { body, kind, reply_to, structured, asks, .. } = drafts;
    let local_error: RwSignal<Option<(&'static str, String)>> = RwSignal::new(None);
    after_saving(create, move |_| {
        body.set(String::new());
        structured.set(StructuredDraft::default());
        reply_to.set(None);
        asks.set(String::new());
    });
    let max = crate::domain::annotation::MAX_BODY;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let length = body.with_untracked(|b| b.chars().count());
        if length > max {
            local_error.set(Some(("body", format!("At most {max} characters: shorten it by {}.", length - max))));
            return;
        }
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
                asks: Some(asks.get_untracked()).filter(|a| !a.is_empty() && kind.get_untracked() == "question"),
            },
        });
    };
    let err = move |f: &'static str| {
        if let Some((field, msg)) = local_error.get() {
            return (field == f).then_some(msg);
        }
        create.value().get().and_then(|r| r.err()).and_then(|e| e.field_message(f))
    };
    let (asks_error, body_error) = (Signal::derive(move || err("asks")), Signal::derive(move || err("body")));
    view! {
        <form class="post-note" on:submit=submit novalidate>
            <h3>"Add your " {voice.label().to_lowercase()} " voice"</h3>
            {move || reply_to.get().map(|(_, who)| view! {
                <p class="notice">"Replying to " {who} " " <button type="button" class="secondary small" on:click=move |_| {
                    reply_to.set(None);
                    // The button goes with the notice: the focus stays in the form.
                    focus_first_in("#note-body");
                }>"Cancel reply"</button></p>
            })}
            <div class="field">
                <label for="note-kind">"Kind"</label>
                <select id="note-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                    {AnnotationKind::ALL.iter().copied().map(|k| view! { <option value=k.code()>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            {move || (kind.get() == "question").then(|| view! {
                <div class="field">
                    <label for="note-asks">"Question for"</label>
                    <select id="note-asks" aria-describedby="note-asks-error" aria-invalid=invalid(asks_error)
                        prop:value=move || asks.get() on:change=move |ev| asks.set(event_target_value(&ev))>
                        <option value="">"The whole board"</option>
                        {Specialty::ALL.iter().copied().filter(|s| *s != voice).map(|s| view! { <option value=s.code()>{s.label()}</option> }).collect_view()}
                    </select>
                    <FieldError id="note-asks-error" message=asks_error />
                </div>
            })}
            <div class="field">
                <label for="note-body">"Annotation"</label>
                <textarea id="note-body" rows="3" aria-describedby="note-body-error note-body-count"
                    aria-invalid=invalid(body_error)
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <FieldError id="note-body-error" message=body_error />
                // Counted while typing, so a long note is shortened before Post, not after.
                <p class="hint" id="note-body-count" data-testid="note-count"
                    class:over=move || body.with(|b| b.chars().count() > max)>
                    {move || body.with(|b| b.chars().count())} " / " {max} " characters"
                </p>
            </div>
            <StructuredFields voice structured err />
            <button type="submit" disabled=move || create.pending().get()>"Post as " {voice.label().to_lowercase()}</button>
        </form>
    }
}

/// The findings each specialty records in structure (radiology: lesion sizes and SSTR uptake;
/// surgery: resectability; pathology: confirmed grade and Ki-67; nuclear medicine: SSTR uptake
/// and PRRT eligibility).
#[component]
fn StructuredFields<F>(voice: Specialty, structured: RwSignal<StructuredDraft>, err: F) -> impl IntoView
where
    F: Fn(&'static str) -> Option<String> + Copy + Send + Sync + 'static,
{
    let radiology = voice == Specialty::Radiology;
    let nuclear = voice == Specialty::NuclearMedicine;
    let lesions_error = Signal::derive(move || err("structured.lesion_sizes_mm"));
    let ki67_error = Signal::derive(move || err("structured.confirmed_ki67_percent"));
    view! {
        <fieldset class="structured">
            <legend>"Structured findings (optional)"</legend>
            {radiology.then(|| view! {
                <div class="field">
                    <label for="note-lesions">"Lesion sizes (mm, comma-separated)"</label>
                    <input id="note-lesions" type="text" inputmode="decimal" aria-describedby="note-lesions-error"
                        aria-invalid=invalid(lesions_error)
                        prop:value=move || structured.with(|s| s.lesion_sizes.clone())
                        on:input=move |ev| structured.update(|s| s.lesion_sizes = event_target_value(&ev)) />
                    <FieldError id="note-lesions-error" message=lesions_error />
                </div>
            })}
            {(radiology || nuclear).then(|| view! {
                <div class="field">
                    <label for="note-sstr">"SSTR uptake"</label>
                    <select id="note-sstr" prop:value=move || structured.with(|s| s.sstr_uptake.clone())
                        on:change=move |ev| structured.update(|s| s.sstr_uptake = event_target_value(&ev))>
                        <option value="">"Not stated"</option>
                        {code_options::<SstrImaging>()}
                    </select>
                </div>
            })}
            {(voice == Specialty::Surgery).then(|| view! {
                <div class="field">
                    <label for="note-resectability">"Resectability"</label>
                    <select id="note-resectability" prop:value=move || structured.with(|s| s.resectability.clone())
                        on:change=move |ev| structured.update(|s| s.resectability = event_target_value(&ev))>
                        <option value="">"Not stated"</option>
                        {code_options::<Resectability>()}
                    </select>
                </div>
            })}
            {(voice == Specialty::Pathology).then(|| view! {
                <div class="field">
                    <label for="note-grade">"Confirmed grade"</label>
                    <select id="note-grade" prop:value=move || structured.with(|s| s.confirmed_grade.clone())
                        on:change=move |ev| structured.update(|s| s.confirmed_grade = event_target_value(&ev))>
                        <option value="">"Not stated"</option>
                        {code_options::<Grade>()}
                    </select>
                </div>
                <div class="field">
                    <label for="note-ki67">"Confirmed Ki-67 %"</label>
                    <input id="note-ki67" type="text" inputmode="decimal" aria-describedby="note-ki67-error"
                        aria-invalid=invalid(ki67_error)
                        prop:value=move || structured.with(|s| s.confirmed_ki67.clone())
                        on:input=move |ev| structured.update(|s| s.confirmed_ki67 = event_target_value(&ev)) />
                    <FieldError id="note-ki67-error" message=ki67_error />
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
    }
}
