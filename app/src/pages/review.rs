//! Review: the audit trail for administrators and reviewers (decisions and follow-up join it
//! as they are built).

use leptos::prelude::*;

use crate::api::boards::{BreakGlassAccess, break_glass_accesses};
use crate::api::users::{AuditQuery, AuditRow, audit_rows};
use crate::components::errors::error_notice;
use crate::components::format::when;
use crate::components::session::GatedPage;
use crate::components::table::DataTable;
use crate::domain::role::Action;
use crate::error::AppError;

#[component]
pub fn ReviewPage() -> impl IntoView {
    // Created here, not inside the login gate's suspended view: a resource created there may be
    // numbered differently while hydrating and the page then failed to hydrate now and then.
    // For a role that may not read the audit the server refuses it (and records the refusal).
    let (user_filter, set_user_filter) = signal(String::new());
    let (case_filter, set_case_filter) = signal(String::new());
    let loaded: Resource<Loaded> = Resource::new(
        move || (user_filter.get(), case_filter.get()),
        |(user, case)| async move {
            let opt = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
            let rows = audit_rows(AuditQuery {
                user_id: opt(user),
                case_id: opt(case),
                limit: Some(200),
                ..Default::default()
            })
            .await?;
            Ok((rows, break_glass_accesses().await?))
        },
    );
    view! {
        <GatedPage title="Review" action=Action::ReadAudit><ReviewBody loaded set_user_filter set_case_filter /></GatedPage>
    }
}

type Loaded = Result<(Vec<AuditRow>, Vec<BreakGlassAccess>), AppError>;

/// The break-glass accesses and the audit trail, from one resource made by the page.
#[component]
fn ReviewBody(
    loaded: Resource<Loaded>,
    set_user_filter: WriteSignal<String>,
    set_case_filter: WriteSignal<String>,
) -> impl IntoView {
    view! {
        <h1>"Review"</h1>
        <BreakGlassReview loaded />
        <AuditTrail loaded set_user_filter set_case_filter />
    }
}

/// Every emergency access (AC-3): who opened which case outside their boards, why, until when,
/// and how many reads they made under it.
#[component]
fn BreakGlassReview(loaded: Resource<Loaded>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="glass-heading">
            <h2 id="glass-heading">"Emergency access (break-glass)"</h2>
            <p class="hint">"Each time someone opened a case of a board they are not a member of, with the reason they gave. Follow up any access whose reason does not hold."</p>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading emergency accesses…"</p> }>
                <ErrorBoundary fallback=error_notice>
                {move || Suspend::new(async move {
                    let (_, list) = loaded.await?;
                    Ok::<_, AppError>(if list.is_empty() {
                        view! { <p data-testid="glass-none">"No emergency access so far."</p> }.into_any()
                    } else {
                        view! {
                            <DataTable label="Emergency accesses" testid="glass-table"
                                headers=&["Granted", "Until", "Who", "Case", "Board", "Reason", "Reads"]>
                                {list.into_iter().map(|a| view! {
                                    <tr>
                                        <td class="nowrap">{when(&a.granted_at)}</td>
                                        <td class="nowrap">{when(&a.expires_at)}</td>
                                        <td>{a.display_name}" "<span class="muted">{a.username}</span></td>
                                        <td><a href=format!("/cases/{}", a.case_id)>"Open case"</a></td>
                                        <td>{a.board_name}</td>
                                        <td>{a.reason}</td>
                                        <td>{a.reads}</td>
                                    </tr>
                                }).collect_view()}
                            </DataTable>
                        }.into_any()
                    })
                })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn AuditTrail(
    loaded: Resource<Loaded>,
    set_user_filter: WriteSignal<String>,
    set_case_filter: WriteSignal<String>,
) -> impl IntoView {
    view! {
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
                <ErrorBoundary fallback=error_notice>
                {move || Suspend::new(async move {
                    let (rows, _) = loaded.await?;
                    Ok::<_, AppError>(match rows {
                        rows if rows.is_empty() => view! { <p>"No entries match."</p> }.into_any(),
                        rows => view! {
                            <DataTable label="Audit trail entries" testid="audit-table"
                                headers=&["#", "Time (UTC)", "User", "Action", "Outcome", "Detail"]>
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
                            </DataTable>
                        }.into_any(),
                    })
                })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
