//! The start page: what Tumorboard is for, and the state of this instance.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::system::system_status;

#[component]
pub fn HomePage() -> impl IntoView {
    let status = Resource::new(|| (), |_| system_status());
    view! {
        <Title text="" />
        <section class="hero">
            <h1>"Tumorboard"</h1>
            <p class="lead">
                "The shared case for your multidisciplinary tumor board: every specialty's view, "
                "proposed options with their reasons and sources, and the board's signed plan."
            </p>
        </section>
        <div class="cards">
            <a class="card" href="/cases">
                <h2>"Cases"</h2>
                <p>"Prepare and read the cases for the board."</p>
            </a>
            <a class="card" href="/meetings">
                <h2>"Meetings"</h2>
                <p>"Agendas and meeting mode for the big screen."</p>
            </a>
            <a class="card" href="/review">
                <h2>"Review"</h2>
                <p>"Decisions, their reasons, and whether plans were carried out."</p>
            </a>
        </div>
        <section class="panel status" aria-labelledby="status-heading">
            <h2 id="status-heading">"This instance"</h2>
            <Suspense fallback=|| view! { <p aria-busy="true">"Checking the database…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => view! {
                            <dl class="facts">
                                <dt>"Database"</dt>
                                <dd data-testid="db-status">
                                    {if s.database_ok { "answering" } else { "not answering — call IT" }}
                                    " (" {s.engine} ")"
                                </dd>
                                <dt>"Version"</dt>
                                <dd>{s.version}</dd>
                            </dl>
                        }.into_any(),
                        Err(crate::error::AppError::Unauthorized) => view! {
                            <p class="muted">"Log in to see the state of this instance."</p>
                        }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
