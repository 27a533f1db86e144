//! Review: the audit trail for administrators and reviewers (decisions and follow-up join it
//! as they are built).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::users::{AuditQuery, audit_rows};
use crate::components::session::RequireLogin;
use crate::domain::role::Action;

#[component]
pub fn ReviewPage() -> impl IntoView {
    view! {
        <Title text="Review" />
        <RequireLogin action=Action::ReadAudit>
            <AuditTrail />
        </RequireLogin>
    }
}

#[component]
fn AuditTrail() -> impl IntoView {
    let (user_filter, set_user_filter) = signal(String::new());
    let (case_filter, set_case_filter) = signal(String::new());
    let rows = Resource::new(
        move || (user_filter.get(), case_filter.get()),
        |(user, case)| {
            let opt = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
            audit_rows(AuditQuery { user_id: opt(user), case_id: opt(case), limit: Some(200), ..Default::default() })
        },
    );
    view! {
        <h1>"Review"</h1>
        <section class="panel" aria-labelledby="audit-heading">
            <h2 id="audit-heading">"Audit trail"</h2>
            <p class="hint">"Every login, change and access to patient data, newest first. The trail is hash-chained: `tumorboard audit verify` checks it."</p>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <div class="field">
                    <label for="f-user">"User id"</label>
                    <input id="f-user" type="text" on:change=move |ev| set_user_filter.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="f-case">"Case id"</label>
                    <input id="f-case" type="text" on:change=move |ev| set_case_filter.set(event_target_value(&ev)) />
                </div>
            </form>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading the audit trail…"</p> }>
                {move || Suspend::new(async move {
                    match rows.await {
                        Ok(rows) if rows.is_empty() => view! { <p>"No entries match."</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-wrap" tabindex="0" role="region" aria-label="Audit trail entries">
                                <table data-testid="audit-table">
                                    <caption class="visually-hidden">"Audit trail entries"</caption>
                                    <thead>
                                        <tr><th scope="col">"#"</th><th scope="col">"Time (UTC)"</th><th scope="col">"User"</th><th scope="col">"Action"</th><th scope="col">"Outcome"</th><th scope="col">"Detail"</th></tr>
                                    </thead>
                                    <tbody>
                                        {rows.into_iter().map(|r| view! {
                                            <tr>
                                                <td>{r.seq}</td>
                                                <td>{r.at}</td>
                                                <td>{r.username.unwrap_or_default()}" "<span class="muted">{r.role.unwrap_or_default()}</span></td>
                                                <td>{r.action}</td>
                                                <td class=format!("outcome-{}", r.outcome)>{r.outcome.clone()}</td>
                                                <td>{r.detail.unwrap_or_default()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
