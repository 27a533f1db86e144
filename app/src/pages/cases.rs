//! The case list.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::session::RequireLogin;

#[component]
pub fn CasesPage() -> impl IntoView {
    view! {
        <Title text="Cases" />
        <RequireLogin>
        <h1>"Cases"</h1>
        <section class="panel empty">
            <p>"No cases yet. Structured NET cases are created and found here."</p>
        </section>
        </RequireLogin>
    }
}
