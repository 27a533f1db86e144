//! Meetings and their agendas.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::session::RequireLogin;

#[component]
pub fn MeetingsPage() -> impl IntoView {
    view! {
        <Title text="Meetings" />
        <RequireLogin>
        <h1>"Meetings"</h1>
        <section class="panel empty">
            <p>"No meetings scheduled. Coordinators schedule boards and build their agendas here."</p>
        </section>
        </RequireLogin>
    }
}
