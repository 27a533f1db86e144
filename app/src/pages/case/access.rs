//! A case's board on its page: why a case outside one's boards is closed and the emergency
//! access (break-glass, AC-3) that opens it for reading; the banner while that access runs; and
//! referring a case to another board.

use leptos::prelude::*;

use crate::api::boards::BoardRef;
use crate::api::cases::{BreakGlass, CaseRecord, MoveCase};
use crate::components::actions::{failure, field_error};
use crate::components::errors::{ActionError, FieldError, TextField, invalid};
use crate::components::format::when;

/// Shown instead of the case when it belongs to a board the user is not a member of.
#[component]
pub(super) fn BreakGlassPanel(case_id: String, message: String, action: ServerAction<BreakGlass>) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let error = field_error(action, "reason");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(BreakGlass { case_id: case_id.clone(), reason: reason.get_untracked() });
    };
    view! {
        <section class="panel break-glass" aria-labelledby="closed-heading" data-testid="break-glass">
            <h1 id="closed-heading">"This case is outside your boards"</h1>
            <p>{message}</p>
            <form class="grid-form" on:submit=submit novalidate>
                <div class="field wide">
                    <label for="glass-reason">"Why do you need this case now?"</label>
                    <textarea id="glass-reason" rows="3" required
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))
                        aria-invalid=invalid(error)
                        aria-describedby="glass-reason-hint glass-reason-error"></textarea>
                    <p class="hint" id="glass-reason-hint">
                        "Emergency access lets you read this case for a limited time. It is logged with your reason, "
                        "and administrators and reviewers review every such access. You will not be able to change the case."
                    </p>
                    <FieldError id="glass-reason-error" message=error />
                </div>
                <div class="field actions">
                    <button type="submit" class="danger" disabled=move || action.pending().get()>"Open with emergency access"</button>
                    <a href="/cases">"Back to my cases"</a>
                </div>
            </form>
            <ActionError error=Signal::derive(move || failure(action).get().filter(|e| e.field_message("reason").is_none())) />
        </section>
    }
}

/// While a break-glass access runs: the page is read-only and says until when.
#[component]
pub(super) fn BreakGlassBanner(until: String) -> impl IntoView {
    view! {
        <p class="notice warn" role="status" data-testid="break-glass-banner">
            <strong>"Emergency access"</strong> " until " {when(&until)} ". "
            "Every read is logged and reviewed. You can read this case but not change it."
        </p>
    }
}

/// Refers the case to another board, with the reason (for those who may edit it).
#[component]
pub(super) fn ReferPanel(record: CaseRecord, boards: Vec<BoardRef>, action: ServerAction<MoveCase>) -> impl IntoView {
    let others: Vec<BoardRef> = boards.into_iter().filter(|b| b.id != record.board_id).collect();
    if others.is_empty() {
        return ().into_any();
    }
    let target = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let err = move |f: &'static str| field_error(action, f);
    let (id, version) = (record.id.clone(), record.version);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(MoveCase {
            id: id.clone(),
            version,
            board_id: target.get_untracked(),
            reason: reason.get_untracked(),
        });
    };
    view! {
        <details class="panel refer">
            <summary>"Refer to another board"</summary>
            <form class="grid-form" on:submit=submit novalidate>
                <div class="field">
                    <label for="refer-board">"Board"</label>
                    <select id="refer-board" prop:value=move || target.get() on:change=move |ev| target.set(event_target_value(&ev))
                        aria-describedby="refer-board-error" aria-invalid=invalid(err("board_id"))>
                        <option value="">"— choose a board —"</option>
                        {others.into_iter().map(|b| view! { <option value=b.id.clone()>{b.name.clone()}</option> }).collect_view()}
                    </select>
                    <FieldError id="refer-board-error" message=err("board_id") />
                </div>
                <TextField id="refer-reason" label="Reason" value=reason error=err("reason") />
                <div class="field actions">
                    <button type="submit" class="secondary" disabled=move || action.pending().get()>"Refer"</button>
                </div>
            </form>
            <ActionError error=Signal::derive(move || failure(action).get().filter(|e| e.fields().is_none())) />
            <p class="hint">"The members of the other board will read it; yours will not, unless they are on both."</p>
        </details>
    }
    .into_any()
}
