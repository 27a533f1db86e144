//! A new case. A coordinator can fill it in within two minutes: native controls, the tab
//! order of a referral letter, nothing required but the patient for a draft.

use leptos::prelude::*;

use crate::components::actions::failure;
use crate::components::errors::{ActionError, ErrorSummary, focus_soon};
use leptos_router::hooks::use_navigate;

use crate::api::cases::CreateCase;
use crate::components::board::{BoardChoice, board_choice_resource};
use crate::components::case_form::{CaseFields, FormState};
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
    let board_error = Signal::derive(move || failure(create).get().and_then(|e| e.field_message("board_id")));
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
    let errors = form.shown_errors();
    view! {
        <h1>"New case"</h1>
        <p class="muted">"Fields marked " <abbr class="req" title="required">"*"</abbr> " are needed to save a draft; the rest can follow."</p>
        <ErrorSummary errors dom_id=crate::components::case_form::dom_id label=crate::pages::case::field_label node=summary />
        <form on:submit=submit novalidate>
            <BoardChoice id="case-board" boards selected=board error=board_error />
            <CaseFields form />
            <div class="form-actions">
                <ActionError error=failure(create) />
                {move || (form.submitted.get() && !form.is_valid()).then(|| view! {
                    <p class="notice bad" data-testid="form-invalid">"Some fields need attention: the list at the top of the form links to each."</p>
                })}
                <button type="submit" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Saving…" } else { "Create case (draft)" }}
                </button>
                <a class="button secondary" href="/cases">"Cancel"</a>
            </div>
        </form>
    }
}
