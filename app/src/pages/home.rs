//! Home = my work (issue 18): what waits for the logged-in user, by role — a coordinator's next
//! agendas and incomplete cases, a clinician's cases awaiting their specialty's voice and plans
//! awaiting a signature, a reviewer's decisions and emergency accesses, an administrator's users
//! and boards. Logged out: what Tumorboard is for, and the state of this instance.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::system::system_status;
use crate::api::work::{MyWork, load_my_work};
use crate::components::errors::error_notice;
use crate::components::format::when;
use crate::components::session::use_session;
use crate::domain::role::Role;
use crate::domain::work::WorkItem;

#[component]
pub fn HomePage() -> impl IntoView {
    let status = Resource::new(|| (), |_| system_status());
    let session = use_session();
    // Created here, up front (see `pages::review`); for a logged-out visitor it answers 401.
    let work = Resource::new(|| (), |_| load_my_work());
    view! {
        <Title text="" />
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || session.get().map(|s| match s {
                Ok(Some(_)) => view! {
                    <ErrorBoundary fallback=error_notice>
                        {move || work.get().map(|r| r.map(|w| view! { <MyWorkView w /> }))}
                    </ErrorBoundary>
                }.into_any(),
                _ => view! { <Welcome /> }.into_any(),
            })}
        </Transition>
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

#[component]
fn Welcome() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Tumorboard"</h1>
            <p class="lead">
                "The shared case for your multidisciplinary tumor board: every specialty's view, "
                "proposed options with their reasons and sources, and the board's signed plan."
            </p>
            <p><a class="button" href="/login">"Log in"</a></p>
        </section>
    }
}

/// One list of work: its heading, what it means, and its cases (or a calm "nothing").
#[component]
fn WorkList(id: &'static str, title: &'static str, empty: &'static str, items: Vec<WorkItem>) -> impl IntoView {
    let heading = format!("{id}-heading");
    let labelledby = heading.clone();
    let count = items.len();
    view! {
        <section class="panel work" aria-labelledby=labelledby data-testid=id>
            <h2 id=heading>{title} " " <span class="count" aria-label=format!("{count} items")>{count}</span></h2>
            {if items.is_empty() {
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! {
                    <ul class="work-list">
                        {items.into_iter().map(|i| view! {
                            <li>
                                <a href=format!("/cases/{}", i.case_id)>{i.patient_name}</a>
                                " " <span class="muted">"MRN " {i.mrn}</span>
                                <br /><span>{i.summary}</span>
                                <br /><span class="work-detail">{i.detail}</span>
                                {i.meeting.map(|m| view! { " · " <a href=format!("/meetings/{}", m.id)>{m.title}</a> " " <span class="muted">{when(&m.starts_at)}</span> })}
                                " " <span class="muted">"since " {when(&i.since)}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn MyWorkView(w: MyWork) -> impl IntoView {
    let role = w.role;
    let specialty = w.specialty.map(|s| s.label().to_lowercase()).unwrap_or_else(|| "your specialty".into());
    view! {
        <div class="page-head"><h1>"My work"</h1></div>
        {(role == Role::Coordinator).then(|| view! {
            <section class="panel work" aria-labelledby="agendas-heading" data-testid="next-meetings">
                <h2 id="agendas-heading">"Next meetings"</h2>
                {if w.next_meetings.is_empty() {
                    view! { <p class="muted">"No upcoming meeting has cases yet. " <a href="/meetings">"Schedule or fill one"</a></p> }.into_any()
                } else {
                    view! {
                        <ul class="work-list">
                            {w.next_meetings.iter().cloned().map(|r| view! {
                                <li>
                                    <a href=format!("/meetings/{}", r.meeting.id)>{r.meeting.title}</a> " " <span class="muted">{when(&r.meeting.starts_at)}</span>
                                    <br />{r.cases} " cases · " {r.complete} " complete · "
                                    <span class:warn-text={r.awaiting_voices > 0}>{r.awaiting_voices} " still awaiting a voice"</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <WorkList id="incomplete" title="Incomplete cases" empty="Every case of your boards is complete." items=w.incomplete.clone() />
        })}
        {(role == Role::Clinician).then(|| view! {
            <WorkList id="awaiting-voice" title="Awaiting your voice"
                empty="No case on an upcoming agenda waits for your specialty." items=w.awaiting_my_voice.clone() />
            <p class="hint">"Cases on upcoming agendas without a " {specialty.clone()} " view or a “no comment”."</p>
            <WorkList id="questions-for-me" title="Questions for your specialty" empty="No open question asks your specialty."
                items=w.questions_for_me.clone() />
            <WorkList id="awaiting-signature" title="Plans awaiting a signature" empty="No recorded plan waits for a signature."
                items=w.awaiting_signature.clone() />
        })}
        {matches!(role, Role::Coordinator | Role::Clinician).then(|| view! {
            <WorkList id="awaiting-follow-up" title="Follow-up to record" empty="Every signed plan has its follow-up."
                items=w.awaiting_follow_up.clone() />
        })}
        {(role == Role::Reviewer).then(|| view! {
            <WorkList id="decisions-to-audit" title="Latest decisions" empty="No signed decision yet."
                items=w.decisions_to_audit.clone() />
            <p><a href="/decisions">"Find any decision"</a> " · " <a href="/dashboard">"Board figures"</a></p>
        })}
        {matches!(role, Role::Reviewer | Role::Admin).then(|| view! {
            <section class="panel work" aria-labelledby="glass-work-heading" data-testid="break-glass-work">
                <h2 id="glass-work-heading">"Emergency accesses, last 30 days " <span class="count">{w.break_glass.len()}</span></h2>
                {if w.break_glass.is_empty() {
                    view! { <p class="muted">"None."</p> }.into_any()
                } else {
                    view! {
                        <ul class="work-list">
                            {w.break_glass.iter().cloned().map(|g| view! {
                                <li>{g.display_name} " · " {when(&g.granted_at)} " · " {g.reason}</li>
                            }).collect_view()}
                        </ul>
                        <p><a href="/audit">"Review them in the audit"</a></p>
                    }.into_any()
                }}
            </section>
        })}
        {(role == Role::Admin).then(|| view! {
            <section class="panel work" aria-labelledby="admin-heading">
                <h2 id="admin-heading">"Administration"</h2>
                <p>
                    <a href="/admin/users">{w.users.unwrap_or_default()} " active users"</a> " · "
                    <a href="/admin/boards">{w.boards.unwrap_or_default()} " boards"</a>
                </p>
            </section>
        })}
    }
}
