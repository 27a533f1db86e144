//! The board a new case or meeting is for. A user of one board is never asked; a user of
//! several must choose (no default: a case on the wrong board is read by the wrong people).

use leptos::prelude::*;

use crate::api::boards::{BoardRef, board_choices};
use crate::components::errors::{FieldError, invalid};
use crate::error::AppError;

/// The boards to choose from. Created by the page, outside any `Suspend`: a resource created
/// while a suspended view resolves may arrive after the server sent the page and break hydration.
pub fn board_choice_resource() -> Resource<Result<Vec<BoardRef>, AppError>> {
    Resource::new(|| (), |_| board_choices())
}

#[component]
pub fn BoardChoice(
    /// The select's id; its error is `{id}-error`.
    id: &'static str,
    boards: Resource<Result<Vec<BoardRef>, AppError>>,
    selected: RwSignal<Option<String>>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let error_id = error_id.clone();
                Suspend::new(async move {
                    let mine: Vec<BoardRef> = boards.await.unwrap_or_default().into_iter().filter(|b| b.member).collect();
                    (mine.len() > 1).then(|| view! {
                        <div class="field">
                            <label for=id>"Board"</label>
                            <select id=id required
                                on:change=move |ev| selected.set(Some(event_target_value(&ev)).filter(|v| !v.is_empty()))
                                aria-invalid=invalid(error)
                                aria-describedby=error_id.clone()>
                                <option value="" selected=move || selected.get().is_none()>"Choose the board…"</option>
                                {mine.into_iter().map(|b| {
                                    let id = b.id.clone();
                                    view! { <option value=b.id selected=move || selected.get().as_deref() == Some(id.as_str())>{b.name}</option> }
                                }).collect_view()}
                            </select>
                            <FieldError id=error_id message=error />
                        </div>
                    })
                })
            }}
        </Suspense>
    }
}
