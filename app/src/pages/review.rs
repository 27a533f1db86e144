//! Review: decisions and their follow-up, for auditors.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ReviewPage() -> impl IntoView {
    view! {
        <Title text="Review" />
        <h1>"Review"</h1>
        <section class="panel empty">
            <p>"No signed plans yet. Reviewers audit board decisions and their follow-up here."</p>
        </section>
    }
}
