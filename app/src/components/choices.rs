//! The `<option>`s of a coded choice, built from its code enum (never typed out in a view).

use leptos::prelude::*;

use crate::components::errors::{FieldError, invalid};
use crate::domain::codes::Code;
use crate::domain::role::Specialty;

/// One `<option>` per value of `T`, value = code, text = label.
pub fn code_options<T: Code>() -> impl IntoView {
    T::ALL.iter().map(|v| view! { <option value=v.code()>{v.label()}</option> }).collect_view()
}

/// Every specialty as a checkbox, `chosen` holding those ticked, with the field's error under
/// them (a new meeting's expected specialties, the voices a board expects).
#[component]
pub fn SpecialtyChecks(
    #[prop(into)] legend: String,
    chosen: RwSignal<Vec<Specialty>>,
    #[prop(into)] error_id: String,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let described_by = error_id.clone();
    view! {
        <fieldset class="multi" aria-describedby=described_by aria-invalid=invalid(error)>
            <legend>{legend}</legend>
            {Specialty::ALL.iter().copied().map(|s| view! {
                <label class="check">
                    <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&s))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| { c.retain(|x| *x != s); if on { c.push(s) } })
                        } />
                    " " {s.label()}
                </label>
            }).collect_view()}
            <FieldError id=error_id message=error />
        </fieldset>
    }
}

/// The boards a list can be narrowed to: a user's own boards, every board for a reviewer (who
/// reads them all). Empty until both the session and the boards are loaded.
pub async fn filterable_boards(
    session: Resource<Result<Option<crate::api::auth::SessionInfo>, crate::error::AppError>>,
    boards: Resource<Result<Vec<crate::domain::board::BoardRef>, crate::error::AppError>>,
) -> Vec<crate::domain::board::BoardRef> {
    let reviewer = matches!(session.await, Ok(Some(ref i)) if i.me.role == crate::domain::role::Role::Reviewer);
    boards.await.unwrap_or_default().into_iter().filter(|b| reviewer || b.member).collect()
}

/// A list page's board filter, shown only when there is more than one board to choose from;
/// `set` receives the chosen board's id (`None` = all).
#[component]
pub fn BoardFilter(
    id: &'static str,
    boards: Resource<Result<Vec<crate::domain::board::BoardRef>, crate::error::AppError>>,
    set: impl Fn(leptos::ev::Event) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = crate::components::session::use_session();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = filterable_boards(session, boards).await;
                (list.len() > 1).then(|| view! {
                    <div class="field">
                        <label for=id>"Board"</label>
                        <select id=id on:change=set>
                            <option value="">"All my boards"</option>
                            {list.into_iter().map(|b| view! { <option value=b.id>{b.name}</option> }).collect_view()}
                        </select>
                    </div>
                })
            })}
        </Suspense>
    }
}
