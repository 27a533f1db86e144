//! Meeting mode: the room's screen. One case at a time, with everything the board needs in view
//! at 1920×1080: the agenda, the case (question, summary, key facts, history), the specialties'
//! voices, the proposed options and the plan, recorded right here.
//!
//! One presenter at a time moves everyone's screen (→ / PageDown / n next, ← / PageUp / p
//! previous, or a click on the agenda). Everyone else follows the presenter or, with the switch
//! off, browses the agenda on their own; taking control is explicit and audited. Each case keeps
//! the time the board has spent on it.
//!
//! Views are built from resources read synchronously (`.get()`) inside `<Transition>`, not in a
//! `Suspend`: a view made inside a `Suspend`'s future owns its reactive values through that
//! `Suspend`, which is disposed as soon as a resource it awaited reloads, while `<Transition>`
//! keeps the old view on screen with its effects until the new data arrives. A timer tick or an
//! action's answer in that window read a disposed value: the crash of issue 16, item 0. Built
//! synchronously, the new view replaces the old one at the moment its owner goes.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::meetings::{PresentCase, present_view};
use crate::components::actions::CaseActions;
use crate::components::annotations::VoicesSummary;
use crate::components::attachments::file_url;
use crate::components::live::{LiveBadge, follow_case, follow_meeting};
use crate::components::plan::{PlanDraft, PlanPanel};
use crate::components::proposal::ProposalPanel;
use crate::components::session::{GatedPage, use_session};
use crate::domain::attachment::Attachment;
use crate::domain::meeting::{AgendaItem, AgendaMode, PresentView};
use crate::domain::role::{Action, can};
use crate::domain::stepping::Stepping;
use crate::domain::user::Me;
use crate::error::AppError;

#[component]
pub fn PresentPage() -> impl IntoView {
    view! { <GatedPage title="Meeting mode" action=Action::ReadCases><Presenter /></GatedPage> }
}

/// Milliseconds since the epoch of an RFC 3339 time.
fn millis(t: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(t).ok().map(|t| t.timestamp_millis())
}

/// What the page keeps across the views it rebuilds (all created once, by `Presenter`).
#[derive(Clone, Copy)]
struct Room {
    me: Signal<Option<Me>>,
    /// The user may present (chair) at all.
    may_present: Signal<bool>,
    /// The meeting's presenter, as last read.
    presenter: RwSignal<Option<String>>,
    /// The case shown to all, as last known, and where the presenter's presses want it
    /// (`domain::stepping`: views older than this screen's last answer are not taken).
    stepping: StoredValue<Stepping>,
    /// None: follow the presenter. Some(case): look at that case on one's own.
    browse: RwSignal<Option<String>>,
    /// The discussed cases in agenda order (what the arrows step through).
    order: RwSignal<Vec<String>>,
    present: ServerAction<PresentCase>,
    actions: CaseActions,
    draft: PlanDraft,
    now_ms: RwSignal<i64>,
    members: Resource<Result<Vec<crate::domain::meeting::Attendee>, AppError>>,
    meetings: Resource<Result<Vec<crate::domain::meeting::Meeting>, AppError>>,
}

impl Room {
    fn is_presenter(&self) -> bool {
        let me = self.me.get().map(|m| m.id);
        me.is_some() && self.presenter.get() == me
    }

    /// This user's steps move the room: they present, or nobody does and they may.
    fn steers(&self) -> bool {
        self.is_presenter() || (self.presenter.get().is_none() && self.may_present.get())
    }
}

#[component]
fn Presenter() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let id_now = move || params.with_untracked(|p| p.get("id").unwrap_or_default());
    let session = use_session();
    let me = Signal::derive(move || session.get().and_then(|s| s.ok()).flatten().map(|i| i.me));
    let room = Room {
        me,
        may_present: Signal::derive(move || me.get().is_some_and(|m| can(m.role, Action::PresentMeeting))),
        presenter: RwSignal::new(None),
        stepping: StoredValue::new(Stepping::default()),
        browse: RwSignal::new(None),
        order: RwSignal::new(Vec::new()),
        present: ServerAction::new(),
        actions: CaseActions::new(),
        draft: PlanDraft::new(),
        now_ms: RwSignal::new(0),
        members: Resource::new(|| (), |_| crate::api::meetings::board_members()),
        meetings: Resource::new(|| (), |_| crate::api::meetings::list_meetings()),
    };
    // Refetched on the meeting's live events (the presenter's own steps come back as events
    // too), on changes to the shown case (by anyone: its live events; by this user: the
    // actions), and when browsing moves.
    let tick = RwSignal::new(0u32);
    let case_tick = RwSignal::new(0u32);
    let view_res = Resource::new(
        move || {
            (
                id(),
                room.browse.get(),
                tick.get(),
                case_tick.get(),
                room.actions.case_saved(),
                room.actions.notes_saved(),
            )
        },
        // Each view carries the stamp of when it was asked for (see `Stepping::view`).
        move |(id, browse, ..)| {
            let stamp = room.stepping.with_value(Stepping::stamp);
            async move { present_view(id, browse).await.map(|v| (stamp, v)) }
        },
    );
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
    let _case_live = follow_case(
        move || view_res.get().and_then(|r| r.ok()).and_then(|(_, v)| v.case).map(|c| (c.id, c.live_seq)),
        move |_| case_tick.update(|t| *t += 1),
    );
    // A plan being typed belongs to the case it was typed for: moving on closes the form.
    let shown_case = StoredValue::new(None::<String>);
    Effect::new(move || {
        if let Some(Ok((stamp, v))) = view_res.get() {
            let shown = v.case.as_ref().map(|c| c.id.clone());
            if shown != shown_case.get_value() {
                shown_case.set_value(shown);
                room.draft.editing.set(false);
            }
            // Only what changed is set: a signal set to its own value still wakes its readers,
            // and every button that asks `room.steers()` was rebuilt after each view.
            let m = &v.detail.meeting;
            set_changed(room.order, discussed(&v.detail.agenda));
            if room.stepping.try_update_value(|s| s.view(stamp, m.current_case_id.clone())).unwrap_or(false) {
                set_changed(room.presenter, m.presenter_id.clone());
            }
        }
    });
    // Stepping as fast as keys are pressed (`domain::stepping`): each press moves the wanted
    // position on at once; one request is in flight at a time and, when it is answered, the
    // latest wanted position is sent if the room is not there yet.
    let send = move |case_id: String, take_control: bool| {
        room.present.dispatch(PresentCase {
            meeting_id: id_now(),
            case_id: Some(case_id),
            attachment_id: None,
            take_control,
        });
    };
    // Every answer (a step's or a shown document's) says where the room is and who presents.
    let answers_seen = StoredValue::new(0usize);
    Effect::new(move || {
        let version = room.present.version().get();
        if version == answers_seen.get_value() {
            return;
        }
        answers_seen.set_value(version);
        match room.present.value().get_untracked() {
            Some(Ok(detail)) => {
                room.stepping.update_value(|s| s.answered(detail.meeting.current_case_id.clone()));
                set_changed(room.presenter, detail.meeting.presenter_id.clone());
            }
            // Refused (someone else took control): stop chasing the wanted position.
            Some(Err(_)) => room.stepping.update_value(Stepping::refused),
            None => {}
        }
        if !room.present.pending().get_untracked()
            && let Some(next) = room.stepping.with_value(Stepping::next)
        {
            send(next, false);
        }
    });
    let go_to = move |case_id: String, take_control: bool| {
        room.stepping.update_value(|s| s.want(case_id.clone()));
        if !room.present.pending().get_untracked() {
            send(case_id, take_control);
        }
    };
    // The presenter shows one of the case's documents large to everyone (None closes it). The
    // case is the one on the presenter's screen, named by the view that shows the document
    // (not the room's position as last known, which views and answers rewrite as they arrive).
    let show_doc = move |case_id: String, attachment_id: Option<String>| {
        room.present.dispatch(PresentCase {
            meeting_id: id_now(),
            case_id: Some(case_id),
            attachment_id,
            take_control: false,
        });
    };
    let step = move |delta: i64| {
        let order = room.order.get_untracked();
        if let Some(next) = room.stepping.try_update_value(|s| s.press(&order, delta)).flatten() {
            go_to(next, false);
        }
    };
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let handle = window_event_listener(leptos::ev::keydown, move |ev: leptos::ev::KeyboardEvent| {
            if !untrack(|| room.steers()) || ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
                return;
            }
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            if typing {
                return;
            }
            let key = ev.key();
            match key.as_str() {
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
        // The timer: zero while rendering (server and hydration alike), then the browser's clock.
        Effect::new(move || room.now_ms.set(js_sys::Date::now() as i64));
        if let Ok(h) = set_interval_with_handle(
            move || room.now_ms.set(js_sys::Date::now() as i64),
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || h.clear());
        }
    }
    view! {
        <div class="present">
            <Transition fallback=|| view! { <p aria-busy="true">"Loading meeting mode…"</p> }>
                {move || view_res.get().map(|r| match r {
                    Ok((_, v)) => view! { <PresentBody v room step go_to show_doc /> }.into_any(),
                    Err(e) => view! { <p class="notice bad" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <LiveBadge state=live />
        </div>
    }
}

/// Sets `signal` to `value` only if it differs, so that its readers wake only for a change.
fn set_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|old| *old != value) {
        signal.set(value);
    }
}

/// The discussed cases in agenda order (standard-of-care cases are recorded, not stepped to).
fn discussed(agenda: &[AgendaItem]) -> Vec<String> {
    agenda.iter().filter(|a| a.mode == AgendaMode::Discuss).map(|a| a.case_id.clone()).collect()
}

#[component]
fn PresentBody(
    v: PresentView,
    room: Room,
    step: impl Fn(i64) + Copy + Send + Sync + 'static,
    go_to: impl Fn(String, bool) + Copy + Send + Sync + 'static,
    show_doc: impl Fn(String, Option<String>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let PresentView { detail, case, annotations, proposal, plan, attachments, trials } = v;
    let docs: Vec<Attachment> = attachments.into_iter().filter(Attachment::is_current).collect();
    let m = detail.meeting.clone();
    let shown_id = case.as_ref().map(|c| c.id.clone());
    let item = shown_id.as_ref().and_then(|c| detail.agenda.iter().find(|a| a.case_id == *c)).cloned();
    let order = discussed(&detail.agenda);
    let at = shown_id.as_ref().and_then(|c| order.iter().position(|x| x == c));
    let shown_is_current = shown_id.is_some() && shown_id == m.current_case_id;
    // The document the presenter shows with the case, when this screen shows that case.
    let shown_doc = m
        .current_attachment_id
        .as_ref()
        .filter(|_| shown_is_current)
        .and_then(|d| docs.iter().find(|a| a.id == *d))
        .cloned();
    let since = m.current_since.as_deref().and_then(millis).filter(|_| shown_is_current);
    let spent = item.as_ref().map(|i| i.seconds_spent).unwrap_or(0);
    let estimate = item.as_ref().map(|i| i.minutes).unwrap_or(0);
    let now_ms = room.now_ms;
    let elapsed = move || match (since, now_ms.get()) {
        (Some(s), n) if n > 0 => Some(spent + ((n - s) / 1000).max(0)),
        (None, _) if spent > 0 => Some(spent),
        _ => None,
    };
    let timer = move || {
        elapsed().map(|s| {
            let over = estimate > 0 && s > estimate * 60;
            view! {
                <span class="timer" class:over=over data-testid="timer"
                    aria-label=format!("Time on this case {} minutes {} seconds of {} estimated", s / 60, s % 60, estimate)>
                    {format!("{:02}:{:02}", s / 60, s % 60)} " / " {estimate} " min"
                </span>
            }
        })
    };
    let position = match (at, &item) {
        (Some(i), _) => format!("Case {} of {}", i + 1, order.len()),
        (None, Some(_)) => "Standard of care".to_string(),
        (None, None) => format!("{} cases on the agenda", detail.agenda.len()),
    };
    let count = order.len();
    let presenter_line = {
        let name = m.presenter_name.clone();
        move || match (room.is_presenter(), name.clone()) {
            (true, _) => "You are presenting: your screen moves everyone's.".to_string(),
            (false, Some(n)) => format!("Presented by {n}."),
            (false, None) => "No one is presenting yet.".to_string(),
        }
    };
    let first_case = order.first().cloned();
    let take_control = {
        let target = m.current_case_id.clone().or(first_case.clone());
        move |_| {
            if let Some(c) = target.clone() {
                room.browse.set(None);
                go_to(c, true);
            }
        }
    };
    let agenda = detail.agenda.clone();
    let soc: Vec<AgendaItem> = agenda.iter().filter(|a| a.mode == AgendaMode::StandardOfCare).cloned().collect();
    let discuss: Vec<AgendaItem> = agenda.iter().filter(|a| a.mode == AgendaMode::Discuss).cloned().collect();
    let current = m.current_case_id.clone();
    let agenda_entry = {
        let (shown_id, current) = (shown_id.clone(), current.clone());
        move |a: AgendaItem| {
            let is_shown = shown_id.as_deref() == Some(a.case_id.as_str());
            let is_current = current.as_deref() == Some(a.case_id.as_str());
            let case_id = a.case_id.clone();
            let open = move |_| {
                if untrack(|| room.steers()) {
                    room.browse.set(None);
                    go_to(case_id.clone(), false);
                } else {
                    room.browse.set(Some(case_id.clone()));
                }
            };
            let minutes = a.seconds_spent / 60;
            view! {
                <li class:current=is_current class:shown=is_shown>
                    <button type="button" class="agenda-jump" on:click=open aria-current=is_shown.then_some("true")>
                        <span class="agenda-name">{a.patient_name.clone()}</span>
                        {(minutes > 0).then(|| view! { <span class="muted">" · " {minutes} " min"</span> })}
                        {is_current.then(|| view! { <span class="sr-only">" (shown to the room)"</span> })}
                    </button>
                </li>
            }
        }
    };
    view! {
        <header class="present-bar">
            <div class="present-title">
                <p class="muted"><a href=format!("/meetings/{}", m.id)>{m.title.clone()}</a></p>
                <p class="present-position" data-testid="present-position">{position}</p>
            </div>
            {timer}
            <p class="presenter" data-testid="presenter" role="status">{presenter_line}</p>
            <div class="actions-row">
                {move || {
                    if room.steers() {
                        view! {
                            <button type="button" class="secondary" on:click=move |_| step(-1) disabled=at.is_none_or(|i| i == 0)
                                aria-keyshortcuts="ArrowLeft">"← Previous"</button>
                            <button type="button" on:click=move |_| step(1) disabled=at.is_some_and(|i| i + 1 >= count)
                                aria-keyshortcuts="ArrowRight">{if at.is_none() { "Start with the first case →" } else { "Next →" }}</button>
                        }.into_any()
                    } else if room.may_present.get() {
                        view! { <button type="button" class="secondary" on:click=take_control.clone()>"Take control"</button> }.into_any()
                    } else {
                        ().into_any()
                    }
                }}
                {move || (!room.is_presenter()).then(|| view! {
                    <label class="check follow-switch">
                        <input type="checkbox" role="switch" data-testid="follow"
                            prop:checked=move || room.browse.get().is_none()
                            on:change=move |ev| {
                                if event_target_checked(&ev) {
                                    room.browse.set(None);
                                } else {
                                    room.browse.set(room.stepping.with_value(|s| s.current().cloned()));
                                }
                            } />
                        " Follow the presenter"
                    </label>
                })}
            </div>
        </header>
        {move || room.present.value().get().and_then(|r| r.err()).map(|e| view! {
            <p class="notice warn" role="alert" data-testid="present-refused">{e.to_string()}</p>
        })}
        {m.cancelled.clone().map(|c| view! {
            <p class="notice warn" role="status" data-testid="present-cancelled">
                "This meeting was cancelled by " {c.by_name} " (reason: " {c.reason} "): there is nothing to present."
            </p>
        })}
        {(!detail.missing_core.is_empty()).then(|| {
            let names: Vec<&str> = detail.missing_core.iter().map(|s| s.label()).collect();
            view! { <p class="notice warn" role="status">"No one present for: " {names.join(", ")} "."</p> }
        })}
        {shown_doc.clone().map(|d| view! { <ShownDocument d room show_doc /> })}
        <div class="present-grid">
            <nav class="present-agenda" aria-label="Agenda">
                <h2 class="present-h">"To discuss"</h2>
                <ol>{discuss.into_iter().map(agenda_entry.clone()).collect_view()}</ol>
                {(!soc.is_empty()).then(|| view! {
                    <h2 class="present-h">"Standard of care"</h2>
                    <p class="muted small-print">"Recorded with their plan, not discussed unless the board pulls one in."</p>
                    <ul>{soc.into_iter().map(agenda_entry.clone()).collect_view()}</ul>
                })}
                <p class="muted small-print">"Keys for the presenter: → next, ← previous."</p>
            </nav>
            {match (case, item) {
                (Some(c), Some(item)) => {
                    let facts = c.content.tumor.facts();
                    let case_id = c.id.clone();
                    let members = room.members.get().and_then(|r| r.ok()).unwrap_or_default();
                    let meetings = room.meetings.get().and_then(|r| r.ok()).unwrap_or_default();
                    let me = room.me.get_untracked();
                    view! {
                        <section class="present-case" aria-labelledby="present-case">
                            <h1 id="present-case" data-testid="present-case">{c.content.patient.name.clone()}
                                <span class="muted">" · MRN " {c.content.patient.mrn.clone()}</span></h1>
                            <p class="present-question"><strong>"Question: "</strong>{c.content.question.clone()}</p>
                            <p class="case-summary">{c.summary.clone()}</p>
                            {(item.mode == AgendaMode::StandardOfCare).then(|| view! {
                                <p class="notice">"Listed as standard of care: recorded with its plan, not discussed unless the board pulls it in."</p>
                            })}
                            {(!item.missing.is_empty()).then(|| view! { <p class="notice warn">"Missing: " {item.missing.join(", ")}</p> })}
                            <h2 class="present-h">"Key facts"</h2>
                            <dl class="facts two-col present-facts">
                                {facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                            </dl>
                            <h2 class="present-h">"Clinical history"</h2>
                            <p class="prose">{if c.content.history.is_empty() { "—".to_string() } else { c.content.history.clone() }}</p>
                            {(!c.content.comorbidities.is_empty()).then(|| view! {
                                <h2 class="present-h">"Comorbidities"</h2>
                                <p class="prose">{c.content.comorbidities.clone()}</p>
                            })}
                            <DocumentList docs=docs.clone() shown=shown_doc.as_ref().map(|d| d.id.clone()) room show_doc />
                            <p><a href=format!("/cases/{}", c.id)>"Open the full case"</a></p>
                        </section>
                        <section class="present-voices" aria-labelledby="present-voices">
                            <h2 id="present-voices" class="present-h">"Specialty voices"</h2>
                            <VoicesSummary list=annotations />
                        </section>
                        <section class="present-decision" aria-label="Options and plan">
                            {proposal.clone().map(|p| view! {
                                <ProposalPanel proposal=p.proposal note=format!("Computed for version {} of this case.", p.case_version) trials=trials.clone() compact=true />
                            })}
                            <PlanPanel case_id plan proposal me members meetings actions=room.actions draft=room.draft default_meeting=Some(m.id.clone()) trials=trials.clone() />
                            // After the plan, and not inside the options: the voices, the first option
                            // and the plan stay in view at 1920×1080 (issue 16).
                            <crate::components::trials::TrialsPanel matches=trials.clone() compact=true />
                        </section>
                    }.into_any()
                }
                _ => view! {
                    <section class="present-case">
                        <h1>"Meeting mode"</h1>
                        <p>"No case is being presented yet."
                            {move || room.may_present.get().then_some(" Press → or \"Start with the first case\".")}
                        </p>
                    </section>
                }.into_any(),
            }}
        </div>
    }
}

/// The case's current documents and key images: the presenter shows one to the room, everyone
/// else may open one on their own screen.
#[component]
fn DocumentList(
    docs: Vec<Attachment>,
    shown: Option<String>,
    room: Room,
    show_doc: impl Fn(String, Option<String>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    (!docs.is_empty()).then(|| {
        view! {
            <h2 class="present-h">"Documents and images"</h2>
            <ul class="present-docs" data-testid="present-docs">
                {docs.into_iter().map(|a| {
                    let is_shown = shown.as_deref() == Some(a.id.as_str());
                    let label = format!("{} · {} · {}", a.title, a.kind.label(), a.examined_on.clone().unwrap_or_default());
                    let id = a.id.clone();
                    let case_id = a.case_id.clone();
                    view! {
                        <li class:shown=is_shown>
                            {label.clone()}
                            " "
                            {move || if room.steers() && !is_shown {
                                let (id, case_id) = (id.clone(), case_id.clone());
                                view! {
                                    <button type="button" class="small" on:click=move |_| show_doc(case_id.clone(), Some(id.clone()))>
                                        "Show to the room"<span class="sr-only">{format!(": {}", a.title)}</span>
                                    </button>
                                }.into_any()
                            } else if is_shown {
                                view! { <span class="badge">"on screen"</span> }.into_any()
                            } else {
                                view! {
                                    <a href=file_url(&id, true) target="_blank" rel="noopener">
                                        "Open"<span class="sr-only">{format!(": {}", a.title)}</span>
                                    </a>
                                }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    })
}

/// The document the presenter shows, large, above the case: an image from its display copy
/// (without metadata), a report in the browser's own PDF viewer.
#[component]
fn ShownDocument(
    d: Attachment,
    room: Room,
    show_doc: impl Fn(String, Option<String>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let caption =
        format!("{} · {} · {}", d.kind.label(), d.examined_on.clone().unwrap_or_default(), d.specialty.label());
    let d_case = d.case_id.clone();
    view! {
        <section class="present-document" aria-labelledby="present-doc-title" data-testid="present-document">
            <div class="present-document-bar">
                <h2 id="present-doc-title" class="present-h">{d.title.clone()} <span class="muted">" · " {caption}</span></h2>
                {move || room.steers().then(|| {
                    let d_case = d_case.clone();
                    view! {
                        <button type="button" class="secondary small" on:click=move |_| show_doc(d_case.clone(), None)>"Close the document"</button>
                    }
                })}
            </div>
            {if d.is_image() {
                view! { <img class="present-image" src=file_url(&d.id, true) alt=d.title.clone() /> }.into_any()
            } else {
                view! {
                    <iframe class="present-pdf" src=file_url(&d.id, true) title=d.title.clone()></iframe>
                    <p class="muted small-print"><a href=file_url(&d.id, true) target="_blank" rel="noopener">"Open the report in its own tab"</a></p>
                }.into_any()
            }}
        </section>
    }
}
