//! One way to show a list as a table: scrollable by keyboard (a focusable region), captioned for
//! screen readers, with column headers that say what they head.

use leptos::prelude::*;

/// A captioned table in a keyboard-scrollable region; `children` are its rows.
#[component]
pub fn DataTable(
    /// Names the region and captions the table.
    label: &'static str,
    testid: &'static str,
    headers: &'static [&'static str],
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table class=class data-testid=testid>
                <caption class="visually-hidden">{label}</caption>
                <thead>
                    <tr>{headers.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
