//! A new case. A coordinator can fill it in within two minutes: native controls, the tab
//! order of a referral letter, nothing required but the patient for a draft.

use leptos::prelude::*;

use crate::components::actions::{failure, field_error};
use crate::components::errors::{ActionError, ErrorSummary, FieldError, focus_soon, invalid};
use leptos_router::hooks::use_navigate;

use crate::api::cases::{CreateCase, ImportCase};
use crate::components::board::{BoardChoice, board_choice_resource};
use crate::components::case_form::{CaseFields, FormState, InvalidNotice, summary_dom_id, summary_label};
use crate::components::session::GatedPage;
use crate::domain::case::CaseInput;
use crate::domain::role::Action;

#[component]
pub fn NewCasePage() -> impl IntoView {
    view! { <GatedPage title="New case" action=Action::CreateCase><NewCaseForm /></GatedPage> }
}

#[component]
fn NewCaseForm() -> impl IntoView {
    let form = FormState::new(CaseInput::default());
    let create = ServerAction::<CreateCase>::new();
    let board = RwSignal::new(None::<String>);
    let boards = board_choice_resource();
    let board_error = field_error(create, "board_id");
    let navigate = use_navigate();
    let summary = NodeRef::<leptos::html::Div>::new();
    Effect::new(move || match create.value().get() {
        Some(Ok(record)) => navigate(&format!("/cases/{}", record.id), Default::default()),
        Some(Err(e)) => {
            form.show_server_error(&e);
            focus_soon(summary);
        }
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submitted.set(true);
        if form.is_valid() {
            create.dispatch(CreateCase { input: form.data.get_untracked(), board_id: board.get_untracked() });
        } else {
            // The messages may be far below: the summary at the top lists them, with links.
            focus_soon(summary);
        }
    };
    // The board is chosen outside the case's fields: a new choice answers the server's message.
    Effect::new(move |_| {
        board.track();
        form.forget_server_error("board_id");
    });
    let errors = form.shown_errors();
    view! {
        <h1>"New case"</h1>
        <p class="muted">"Fields marked " <abbr class="req" title="required">"*"</abbr> " are needed to save a draft; the rest can follow."</p>
        <BoardChoice id="case-board" boards selected=board error=board_error />
        <FhirImport board />
        <ErrorSummary errors dom_id=summary_dom_id label=summary_label node=summary />
        <form on:submit=submit novalidate aria-label="New case">
            <CaseFields form />
            <div class="form-actions">
                <ActionError error=failure(create) />
                <InvalidNotice form />
                <button type="submit" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Saving…" } else { "Create case (draft)" }}
                </button>
                <a class="button secondary" href="/cases">"Cancel"</a>
            </div>
        </form>
    }
}

/// The largest FHIR file read in the browser (the server takes request bodies up to 1 MiB).
#[cfg(feature = "hydrate")]
const MAX_FHIR_FILE: f64 = 900_000.0;

/// Issue 19: a referral's FHIR R4 Bundle, read from a file, becomes a draft case on the board
/// chosen above; what the file held that did not become a field is listed, never guessed.
#[component]
fn FhirImport(board: RwSignal<Option<String>>) -> impl IntoView {
    let import = ServerAction::<ImportCase>::new();
    let reading = RwSignal::new(false);
    let file_error = RwSignal::new(None::<String>);
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            if file.size() > MAX_FHIR_FILE {
                file_error.set(Some("The file is larger than 900 KB: export the referral without attachments.".into()));
                return;
            }
            file_error.set(None);
            reading.set(true);
            leptos::task::spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
                reading.set(false);
                match text.ok().and_then(|t| t.as_string()) {
                    Some(bundle) => {
                        import.dispatch(ImportCase { bundle, board_id: board.get_untracked() });
                    }
                    None => file_error.set(Some("The file could not be read: choose it again.".into())),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, board, file_error, reading);
    };
    let message = Signal::derive(move || {
        file_error.get().or_else(|| failure(import).get().and_then(|e| e.field_message("file")))
    });
    view! {
        <section class="panel fhir-import" aria-labelledby="fhir-import-heading">
            <h2 id="fhir-import-heading">"Import a referral from a FHIR file"</h2>
            <p class="muted">
                "A FHIR R4 Bundle (JSON) with the patient, the tumour and its observations becomes a draft case with every field it holds; what it could not read is listed below. Or fill in the form."
            </p>
            <div class="field">
                <label for="fhir-file">"FHIR file (.json)"</label>
                <input id="fhir-file" type="file" accept=".json,application/json,application/fhir+json"
                    aria-describedby="fhir-file-error" aria-invalid=invalid(message) on:change=on_change
                    disabled=move || reading.get() || import.pending().get() />
                <FieldError id="fhir-file-error" message />
            </div>
            {move || (reading.get() || import.pending().get()).then(|| view! { <p role="status">"Importing the file…"</p> })}
            <ActionError error=failure(import) />
            {move || failure(import).get().and_then(|e| e.fields().cloned()).filter(|f| !f.contains_key("file")).map(|fields| view! {
                <div class="notice bad" role="alert" data-testid="fhir-errors">
                    <p>"The file was not imported; nothing was saved. Correct it at its source, or fill in the form:"</p>
                    <ul>
                        {fields.into_iter().map(|(field, messages)| view! {
                            <li><code>{field}</code> ": " {messages.join(" ")}</li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            {move || import.value().get().and_then(Result::ok).map(|made| {
                let href = format!("/cases/{}", made.case.id);
                let name = made.case.content.patient.name.clone();
                view! {
                    <div class="notice ok" role="status" data-testid="fhir-imported">
                        <p>"Draft case made for " <strong>{name}</strong> ". " <a href=href>"Open the new case"</a></p>
                        {if made.unread.is_empty() {
                            view! { <p>"Everything in the file became a field."</p> }.into_any()
                        } else {
                            view! {
                                <p>"Not imported (enter or check these on the case):"</p>
                                <ul data-testid="fhir-unread">
                                    {made.unread.into_iter().map(|u| view! { <li>{u}</li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </div>
                }
            })}
        </section>
    }
}
