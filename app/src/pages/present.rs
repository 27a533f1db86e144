//! Meeting mode: a presenter view for the big screen. One case at a time (tumour summary, the
//! specialties' voices, the proposal, the plan); the presenter steps with the keyboard
//! (→ / PageDown / n for next, ← / PageUp / p for previous) or the buttons, and every
//! participant's screen follows live. A timer shows the time spent on the case against its
//! estimate.

use leptos::prelude::*;

use crate::components::errors::error_notice;
use crate::error::AppError;
use leptos_router::hooks::use_params_map;

use crate::api::meetings::{PresentCase, present_view};
use crate::components::annotations::VoicesSummary;
use crate::components::live::{LiveBadge, follow_meeting};
use crate::components::proposal::ProposalPanel;
use crate::components::session::{GatedPage, use_session};
use crate::domain::meeting::{AgendaMode, PresentView};
use crate::domain::role::{Action, can};

#[component]
pub fn PresentPage() -> impl IntoView {
    view! { <GatedPage title="Meeting mode" action=Action::ReadCases><Presenter /></GatedPage> }
}

/// Milliseconds since the epoch of an RFC 3339 time.
fn millis(t: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(t).ok().map(|t| t.timestamp_millis())
}

#[component]
fn Presenter() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let tick = RwSignal::new(0u32);
    let present = ServerAction::<PresentCase>::new();
    // Refetched on the meeting's live events only (the presenter's own steps come back as events
    // too): one refetch per change. Refetching also on the step action's version doubled the
    // overlapping refetches while stepping quickly, under which a suspended view could resolve
    // after its owner was disposed (issue 16, item 0).
    let view_res = Resource::new(move || (id(), tick.get()), |(id, _)| present_view(id));
    let session = use_session();
    let first = StoredValue::new(true);
    let live = follow_meeting(
        move || Some(id()).filter(|i| !i.is_empty()),
        move |_| {
            if !first.get_value() {
                tick.update(|t| *t += 1);
            }
            first.set_value(false);
        },
    );
    // The agenda order and where the presenter is, for the keyboard.
    let order: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let current: RwSignal<Option<String>> = RwSignal::new(None);
    Effect::new(move || {
        if let Some(Ok(v)) = view_res.get() {
            order.set(v.detail.agenda.iter().map(|a| a.case_id.clone()).collect());
            current.set(v.detail.meeting.current_case_id.clone());
        }
    });
    let may_present = Signal::derive(
        move || matches!(session.get(), Some(Ok(Some(ref i))) if can(i.me.role, Action::PresentMeeting)),
    );
    // Stepping as fast as keys are pressed: each press moves the wanted position on at once; one
    // request is in flight at a time and, when it is answered, the latest wanted position is
    // sent if it differs. Presses never race each other to the server, and ten presses are ten
    // steps even before the first answer arrives.
    let id_now = move || params.with_untracked(|p| p.get("id").unwrap_or_default());
    let wanted: RwSignal<Option<String>> = RwSignal::new(None);
    let sent = StoredValue::new(None::<String>);
    let send = move |case_id: String| {
        sent.set_value(Some(case_id.clone()));
        present.dispatch(PresentCase { meeting_id: id_now(), case_id: Some(case_id) });
    };
    Effect::new(move || {
        if present.pending().get() {
            return;
        }
        let Some(w) = wanted.get() else { return };
        if sent.get_value().as_ref() == Some(&w) {
            current.set(Some(w));
            wanted.set(None);
        } else {
            send(w);
        }
    });
    let step = move |delta: i64| {
        let list = order.get_untracked();
        if list.is_empty() {
            return;
        }
        let from = wanted.get_untracked().or_else(|| current.get_untracked());
        let at = from.and_then(|c| list.iter().position(|x| *x == c));
        let next = match at {
            None => 0,
            Some(i) => (i as i64 + delta).clamp(0, list.len() as i64 - 1) as usize,
        };
        if at != Some(next) {
            wanted.set(Some(list[next].clone()));
            if !present.pending().get_untracked() {
                send(list[next].clone());
            }
        }
    };
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let handle = window_event_listener(leptos::ev::keydown, move |ev: leptos::ev::KeyboardEvent| {
            if !may_present.get_untracked() || ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
                return;
            }
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            if typing {
                return;
            }
            match ev.key().as_str() {
                "ArrowRight" | "PageDown" | "n" => {
                    ev.prevent_default();
                    step(1);
                }
                "ArrowLeft" | "PageUp" | "p" => {
                    ev.prevent_default();
                    step(-1);
                }
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }
    // The timer: now, every second, in the browser.
    // Zero while rendering (server and hydration alike, so both render the same), then the
    // browser's clock.
    let now_ms = RwSignal::new(0i64);
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move || now_ms.set(js_sys::Date::now() as i64));
        if let Ok(h) =
            set_interval_with_handle(move || now_ms.set(js_sys::Date::now() as i64), std::time::Duration::from_secs(1))
        {
            on_cleanup(move || h.clear());
        }
    }
    view! {
        <div class="present">
            <Transition fallback=|| view! { <p aria-busy="true">"Loading meeting mode…"</p> }>
                <ErrorBoundary fallback=error_notice>
                    {move || Suspend::new(async move {
                        let _ = session.await; // who may present is known before rendering
                        let v = view_res.await?;
                        Ok::<_, AppError>(view! { <PresentBody v may_present step now_ms=now_ms.read_only() /> })
                    })}
                </ErrorBoundary>
            </Transition>
            <LiveBadge state=live />
        </div>
    }
}

#[component]
fn PresentBody(
    v: PresentView,
    may_present: Signal<bool>,
    step: impl Fn(i64) + Copy + Send + Sync + 'static,
    now_ms: ReadSignal<i64>,
) -> impl IntoView {
    let PresentView { detail, case, annotations, proposal, plan } = v;
    let m = detail.meeting.clone();
    let since = m.current_since.as_deref().and_then(millis);
    let elapsed = move || match (since, now_ms.get()) {
        (Some(s), n) if n > 0 => Some(((n - s) / 1000).max(0)),
        _ => None,
    };
    let at = m.current_case_id.as_ref().and_then(|c| detail.agenda.iter().position(|a| a.case_id == *c));
    let count = detail.agenda.len();
    let estimate = at.map(|i| detail.agenda[i].minutes).unwrap_or(0);
    let item = at.map(|i| detail.agenda[i].clone());
    let position = match at {
        Some(i) => format!("Case {} of {}", i + 1, count),
        None => format!("{count} cases on the agenda"),
    };
    let timer = move || {
        elapsed().map(|s| {
            let over = estimate > 0 && s > estimate * 60;
            view! {
                <span class="timer" class:over=over data-testid="timer" aria-label=format!("Time on this case {} minutes {} seconds of {} estimated", s / 60, s % 60, estimate)>
                    {format!("{:02}:{:02}", s / 60, s % 60)} " / " {estimate} " min"
                </span>
            }
        })
    };
    view! {
        <header class="present-bar">
            <div>
                <p class="muted"><a href=format!("/meetings/{}", m.id)>{m.title.clone()}</a></p>
                <p class="present-position" data-testid="present-position">{position}</p>
            </div>
            {timer}
            <div class="actions-row">
                {move || may_present.get().then(|| view! {
                    <button type="button" class="secondary" on:click=move |_| step(-1) disabled=at.is_none_or(|i| i == 0)
                        aria-keyshortcuts="ArrowLeft">"← Previous"</button>
                    <button type="button" on:click=move |_| step(1) disabled=at.is_some_and(|i| i + 1 >= count)
                        aria-keyshortcuts="ArrowRight">{if at.is_none() { "Start with the first case →" } else { "Next →" }}</button>
                })}
            </div>
        </header>
        {(!detail.missing_core.is_empty()).then(|| {
            let names: Vec<&str> = detail.missing_core.iter().map(|s| s.label()).collect();
            view! { <p class="notice warn" role="status">"No one present for: " {names.join(", ")} "."</p> }
        })}
        <div class="present-grid">
            <nav class="present-agenda" aria-label="Agenda">
                <ol>
                    {detail.agenda.iter().enumerate().map(|(i, a)| view! {
                        <li class:current=Some(i) == at class:soc=a.mode == AgendaMode::StandardOfCare
                            aria-current=if Some(i) == at { Some("step") } else { None }>
                            {a.patient_name.clone()}
                            {(a.mode == AgendaMode::StandardOfCare).then(|| view! { " " <span class="muted">"(standard of care)"</span> })}
                        </li>
                    }).collect_view()}
                </ol>
                {may_present.get_untracked().then(|| view! { <p class="muted small-print">"Keys: → next, ← previous."</p> })}
            </nav>
            <main class="present-case" aria-live="polite">
                {match (case, item) {
                    (Some(c), Some(item)) => view! {
                        <h1 data-testid="present-case">{c.content.patient.name.clone()} <span class="muted">" · MRN " {c.content.patient.mrn.clone()}</span></h1>
                        <p class="present-question"><strong>"Question: "</strong>{c.content.question.clone()}</p>
                        <p class="case-summary">{c.summary.clone()}</p>
                        {(item.mode == AgendaMode::StandardOfCare).then(|| view! {
                            <p class="notice">"Listed as standard of care: recorded with its plan, not discussed unless the board pulls it in."</p>
                        })}
                        {(!item.missing.is_empty()).then(|| view! { <p class="notice warn">"Missing: " {item.missing.join(", ")}</p> })}
                        <section class="panel" aria-labelledby="present-voices">
                            <h2 id="present-voices">"Specialty voices"</h2>
                            <VoicesSummary list=annotations />
                        </section>
                        {proposal.map(|p| view! { <ProposalPanel proposal=p.proposal note=format!("Computed for version {} of this case.", p.case_version) /> })}
                        <section class="panel" aria-labelledby="present-plan">
                            <h2 id="present-plan">"The board's plan"</h2>
                            {match plan {
                                Some(p) => view! { <crate::components::plan::PlanView plan=p /> }.into_any(),
                                None => view! { <p>"No plan recorded yet."</p> }.into_any(),
                            }}
                            <p><a href=format!("/cases/{}", c.id)>"Open the case to record or sign the plan"</a></p>
                        </section>
                    }.into_any(),
                    _ => view! {
                        <h1>"Meeting mode"</h1>
                        <p>"No case is being presented yet."
                            {move || may_present.get().then_some(" Press → or \"Start with the first case\".")}
                        </p>
                    }.into_any(),
                }}
            </main>
        </div>
    }
}
