//! The `<option>`s of a coded choice, built from its code enum (never typed out in a view).

use leptos::prelude::*;

use crate::domain::codes::Code;

/// One `<option>` per value of `T`, value = code, text = label.
pub fn code_options<T: Code>() -> impl IntoView {
    T::ALL.iter().map(|v| view! { <option value=v.code()>{v.label()}</option> }).collect_view()
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
