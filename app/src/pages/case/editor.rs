//! Editing a case: saves on top of the version it started from; if someone saved meanwhile,
//! shows their changes and lets the user keep their edits on top of the new version or discard
//! them.

use leptos::prelude::*;

use super::{ChangeTable, Editing};
use crate::api::cases::{CaseRecord, UpdateCase, get_case};
use crate::components::actions::{after_failing, after_saving, failure};
use crate::components::case_form::{CaseFields, FormState, InvalidNotice, summary_dom_id, summary_label, today};
use crate::components::errors::{ActionError, ErrorSummary, FieldError, focus_soon, invalid, keep_focus_at};
use crate::components::proposal::ProposalPanel;
use crate::domain::case::field_changes;
use crate::domain::proposer::propose;
use crate::error::AppError;

#[component]
pub(super) fn CaseEditor(record: CaseRecord, editing: Editing, save: ServerAction<UpdateCase>) -> impl IntoView {
    let form = FormState::new(record.content.clone());
    let base = RwSignal::new(record.clone());
    let reason = RwSignal::new(String::new());
    let conflict: RwSignal<Option<CaseRecord>> = RwSignal::new(None);
    let id = record.id.clone();
    let summary = NodeRef::<leptos::html::Div>::new();
    after_saving(save, move |_| {
        editing.open.set(false);
        // The editor (and its Save button) are gone: a lost focus goes back to "Edit case".
        keep_focus_at("#edit-case");
    });
    after_failing(save, move |e| match e {
        AppError::PreconditionFailed { .. } => {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                if let Ok(latest) = get_case(id).await {
                    conflict.set(Some(latest));
                }
            });
        }
        e => {
            form.show_server_error(e);
            focus_soon(summary);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.submitted.set(true);
        if form.is_valid() {
            let b = base.get_untracked();
            save.dispatch(UpdateCase {
                id: b.id.clone(),
                version: b.version,
                input: form.data.get_untracked(),
                reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
            });
        } else {
            // The messages may be far above the Save button: the summary lists them, with links.
            focus_soon(summary);
        }
    };
    let reason_error = form.error("reason");
    let keep_mine = move |_| {
        if let Some(latest) = conflict.get_untracked() {
            base.set(latest);
            conflict.set(None);
            save.value().set(None);
        }
    };
    let discard = move |_| {
        // Closing shows the case as it is now, with the other person's changes.
        editing.changed_meanwhile.set(true);
        editing.open.set(false);
    };
    view! {
        <section class="panel editor" aria-labelledby="edit-heading">
            <h2 id="edit-heading">"Edit case"</h2>
            <p class="hint">"Saving makes a new version; earlier versions stay readable below."</p>
            {move || conflict.get().map(|latest| {
                let changes = field_changes(&base.get_untracked().content, &latest.content);
                view! {
                    <div class="notice warn conflict" role="alert" data-testid="conflict">
                        <h3>"Someone saved this case while you were editing"</h3>
                        <p>"Your changes were not saved. Version " {latest.version} " by " {latest.updated_by.clone()} " changed:"</p>
                        <ChangeTable changes />
                        <div class="actions-row">
                            <button type="button" on:click=keep_mine>"Keep my edits on top of version " {latest.version}</button>
                            <button type="button" class="secondary" on:click=discard>"Discard my edits"</button>
                        </div>
                        <p class="hint">"Keeping your edits puts your form on top of the new version: check the fields above, then save again."</p>
                    </div>
                }
            })}
            <ErrorSummary errors=form.shown_errors() dom_id=summary_dom_id label=summary_label node=summary />
            <form on:submit=submit novalidate>
                <CaseFields form />
                {move || form.data.with(|d| d.parse(today()).ok()).map(|c| view! {
                    <ProposalPanel proposal=propose(&c.tumor) note="Live preview for the fields above; it is stored when you save." />
                })}
                <div class="field">
                    <label for="edit-reason">"Reason for the change (optional)"</label>
                    <input id="edit-reason" type="text" maxlength="500" aria-describedby="edit-reason-error" aria-invalid=invalid(reason_error)
                        prop:value=move || reason.get()
                        on:input=move |ev| {
                            reason.set(event_target_value(&ev));
                            form.forget_server_error("reason");
                        } />
                    <FieldError id="edit-reason-error" message=reason_error />
                </div>
                <div class="form-actions">
                    <ActionError error=Signal::derive(move || failure(save).get().filter(|e| !matches!(e, AppError::PreconditionFailed { .. }))) />
                    <InvalidNotice form />
                    <button type="submit" disabled=move || save.pending().get() || conflict.get().is_some()>
                        {move || if save.pending().get() { "Saving…".to_string() } else { format!("Save as version {}", base.get().version + 1) }}
                    </button>
                </div>
            </form>
        </section>
    }
}
