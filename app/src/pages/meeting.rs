//! One meeting: details, attendance with a warning for absent core specialties, and the agenda
//! (readiness at a glance, order, minutes, standard-of-care triage). Coordinators edit it and
//! change its time, room or link; everyone reads it. It prints as a clean agenda.

use leptos::prelude::*;

use crate::components::actions::{after_failing, after_saving, failure, field_error};
use crate::components::errors::{
    ActionError, FieldError, TextField, error_notice, focus_first_in, invalid, keep_focus_at,
};
use leptos_router::hooks::use_params_map;

use crate::api::cases::{CaseFilter, list_cases};
use crate::api::meetings::{
    AddToAgenda, CancelMeeting, ChangeAgenda, ChangeMeeting, ExpectedChange, MeetingCancel, MeetingChange,
    SetAttendance, board_members, get_meeting,
};
use crate::components::choices::SpecialtyChecks;
use crate::components::format::when;
use crate::components::live::follow_meeting;
use crate::components::session::{GatedPage, use_session};
use crate::domain::case::CaseListItem;
use crate::domain::codes::CaseStatus;
use crate::domain::meeting::{AgendaItem, AgendaMode, Attendee, Meeting, MeetingDetail, duration_label};
use crate::domain::role::{Action, Specialty, can};
use crate::error::AppError;
use crate::pages::cases::StatusBadge;

#[component]
pub fn MeetingPage() -> impl IntoView {
    view! { <GatedPage title="Meeting" action=Action::ReadCases><MeetingView /></GatedPage> }
}

#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddToAgenda>,
    change: ServerAction<ChangeAgenda>,
    attend: ServerAction<SetAttendance>,
    /// The id of the order button to focus once the agenda is shown again after a move, so a
    /// keyboard user can keep moving the same case (or of the choice of a case to add, after a
    /// removal).
    refocus: RwSignal<Option<String>>,
    /// The case being dragged to a new place on the agenda.
    dragging: RwSignal<Option<String>>,
    /// The case chosen to add (kept across the agenda's reloads, so a refusal can link to it).
    adding: RwSignal<String>,
    edit: ServerAction<ChangeMeeting>,
    /// The details' form, kept across the live reloads, which draw the page anew.
    details: DetailsDraft,
    cancel: ServerAction<CancelMeeting>,
    /// The cancellation's form is open, its reason as typed and the meeting chosen to take the
    /// cases (kept across live reloads).
    cancelling: RwSignal<bool>,
    reason: RwSignal<String>,
    move_to: RwSignal<String>,
}

/// The meeting's details form: open while `drawn` holds the details as drawn when "Change
/// details" was pressed; each field as typed since.
#[derive(Clone, Copy)]
struct DetailsDraft {
    drawn: RwSignal<Option<MeetingDraft>>,
    title: RwSignal<String>,
    starts_at: RwSignal<String>,
    location: RwSignal<String>,
    video_link: RwSignal<String>,
    board_type: RwSignal<String>,
    expected: RwSignal<Vec<Specialty>>,
}

impl DetailsDraft {
    fn new() -> Self {
        let text = || RwSignal::new(String::new());
        DetailsDraft {
            drawn: RwSignal::new(None),
            title: text(),
            starts_at: text(),
            location: text(),
            video_link: text(),
            board_type: text(),
            expected: RwSignal::new(Vec::new()),
        }
    }

    fn open(self, m: MeetingDraft) {
        self.title.set(m.title.clone());
        self.starts_at.set(m.starts_at.clone());
        self.location.set(m.location.clone());
        self.video_link.set(m.video_link.clone());
        self.board_type.set(m.board_type.clone());
        self.expected.set(m.expected.clone());
        self.drawn.set(Some(m));
    }

    fn typed(self) -> MeetingDraft {
        MeetingDraft {
            title: self.title.get_untracked(),
            starts_at: self.starts_at.get_untracked(),
            location: self.location.get_untracked(),
            video_link: self.video_link.get_untracked(),
            board_type: self.board_type.get_untracked(),
            expected: self.expected.get_untracked(),
        }
    }
}

/// The fields of the meeting's details form, as the inputs hold them.
#[derive(Clone, Debug, Default, PartialEq)]
struct MeetingDraft {
    title: String,
    /// `YYYY-MM-DDTHH:MM` on the hospital's clock, as a `datetime-local` input takes it.
    starts_at: String,
    location: String,
    video_link: String,
    board_type: String,
    expected: Vec<Specialty>,
}

impl MeetingDraft {
    fn of(m: &Meeting) -> Self {
        MeetingDraft {
            title: m.title.clone(),
            starts_at: crate::components::format::zone().input(&m.starts_at),
            location: m.location.clone(),
            video_link: m.video_link.clone(),
            board_type: m.board_type.clone(),
            expected: m.expected_specialties.clone(),
        }
    }

    /// The fields typed differently from those drawn, and the specialties ticked or unticked:
    /// what the form sends, so a change another coordinator made meanwhile to another field, or
    /// to another specialty, is kept.
    fn change(id: String, drawn: &Self, typed: &Self) -> ChangeMeeting {
        let f = |a: &String, b: &String| (a != b).then(|| b.clone());
        ChangeMeeting {
            id,
            change: MeetingChange {
                title: f(&drawn.title, &typed.title),
                starts_at: f(&drawn.starts_at, &typed.starts_at),
                location: f(&drawn.location, &typed.location),
                video_link: f(&drawn.video_link, &typed.video_link),
                board_type: f(&drawn.board_type, &typed.board_type),
                expected_specialties: None,
            },
            expected: (drawn.expected != typed.expected)
                .then(|| ExpectedChange::between(&drawn.expected, &typed.expected)),
        }
    }
}

#[component]
fn MeetingView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let actions = Actions {
        add: ServerAction::new(),
        change: ServerAction::new(),
        attend: ServerAction::new(),
        refocus: RwSignal::new(None),
        dragging: RwSignal::new(None),
        adding: RwSignal::new(String::new()),
        edit: ServerAction::new(),
        details: DetailsDraft::new(),
        cancel: ServerAction::new(),
        cancelling: RwSignal::new(false),
        reason: RwSignal::new(String::new()),
        move_to: RwSignal::new(String::new()),
    };
    let tick = RwSignal::new(0u32);
    // A refused change (minutes out of range) reloads the agenda, so every field shows what is
    // stored again, beside the message saying why the change was refused.
    after_failing(actions.change, move |_| tick.update(|t| *t += 1));
    after_saving(actions.add, move |_| actions.adding.set(String::new()));
    // Saved, the details' form closes and the focus goes back to the button that opened it.
    after_saving(actions.edit, move |_| {
        actions.details.drawn.set(None);
        keep_focus_at("#edit-meeting");
    });
    // Cancelled, the page says so where the buttons were, and the focus goes there.
    after_saving(actions.cancel, move |_| {
        actions.cancelling.set(false);
        actions.details.drawn.set(None);
        keep_focus_at("#meeting-cancelled");
    });
    let saved = move || {
        (
            actions.add.version().get(),
            actions.change.version().get(),
            actions.attend.version().get(),
            actions.edit.version().get(),
            actions.cancel.version().get(),
        )
    };
    // The meeting and the cases that may go on its agenda, read together: one answer, one
    // rebuild (two resources resolving one after the other rebuilt the agenda twice, and the
    // second rebuild took the keyboard focus from the case just moved).
    let detail = Resource::new(
        move || (id(), tick.get(), saved()),
        |(id, _, _)| async move { (get_meeting(id).await, list_cases(CaseFilter::default()).await) },
    );
    let members = Resource::new(|| (), |_| board_members());
    let session = use_session();
    // Changes by others (another coordinator, the presenter) arrive live.
    let first = StoredValue::new(true);
    follow_meeting(
        move || Some(id()).filter(|i| !i.is_empty()),
        move |_| {
            if !first.get_value() {
                tick.update(|t| *t += 1);
            }
            first.set_value(false);
        },
    );
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading the meeting…"</p> }>
            <ErrorBoundary fallback=error_notice>
            // Read synchronously, not in a Suspend (see `pages::present`): a live reload replaces
            // the view at once, never leaving a stale one whose values are already disposed.
            {move || {
                let manage = matches!(session.get()?, Ok(Some(ref i)) if can(i.me.role, Action::ManageMeetings));
                let members = if manage { members.get()?.unwrap_or_default() } else { Vec::new() };
                let (detail, candidates) = detail.get()?;
                let candidates = if manage { candidates.unwrap_or_default() } else { Vec::new() };
                Some(Ok::<_, AppError>(match detail {
                    Ok(d) => view! { <MeetingBody d manage members candidates actions /> }.into_any(),
                    Err(AppError::NotFound) => view! {
                        <section class="panel"><h1>"Meeting not found"</h1><p><a href="/meetings">"Back to the meetings"</a></p></section>
                    }.into_any(),
                    Err(e) => return Some(Err(e)),
                }))
            }}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn MeetingBody(
    d: MeetingDetail,
    manage: bool,
    members: Vec<Attendee>,
    candidates: Vec<CaseListItem>,
    actions: Actions,
) -> impl IntoView {
    let m = d.meeting.clone();
    // A cancelled meeting is read, not changed (the server refuses every change to it), and
    // has no agenda, attendance or meeting mode: its notice says where its cases went.
    let held = m.cancelled.is_none();
    let manage = manage && held;
    let on_agenda: Vec<String> = d.agenda.iter().map(|a| a.case_id.clone()).collect();
    let candidates: Vec<CaseListItem> = candidates
        .into_iter()
        // Only this board's cases go on its agenda (the server refuses the others).
        .filter(|c| c.board_id == m.board_id)
        .filter(|c| !on_agenda.contains(&c.id) && matches!(c.status, CaseStatus::Draft | CaseStatus::Ready))
        .collect();
    let expected: Vec<&str> = m.expected_specialties.iter().map(|s| s.label()).collect();
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <header class="page-head">
            <div>
                <p class="muted no-print"><a href="/meetings">"Meetings"</a>" / meeting"</p>
                <h1 data-testid="meeting-title">{m.title.clone()}</h1>
                <p class="case-meta">
                    {when(&m.starts_at)} " · " {m.location.clone()}
                    {(!m.video_link.is_empty()).then(|| view! { " · " <a href=m.video_link.clone() rel="noopener noreferrer">"Video link"</a> })}
                    " · " <span class="board-tag" data-testid="meeting-board">{m.board_name.clone()}</span>
                    " · " {m.board_type.clone()}
                </p>
                <p class="muted">"Expected: " {expected.join(", ")}</p>
            </div>
            {held.then(|| view! {
            <div class="actions-row no-print">
                <a class="button" href=format!("/meetings/{}/present", m.id)>"Open meeting mode"</a>
                {manage.then(|| {
                    let drawn = MeetingDraft::of(&m);
                    let details = actions.details;
                    view! {
                        <button type="button" class="secondary" id="edit-meeting" aria-controls="meeting-details"
                            aria-expanded=move || if details.drawn.with(|d| d.is_some()) { "true" } else { "false" }
                            on:click=move |_| {
                                if details.drawn.with_untracked(|d| d.is_none()) {
                                    // An earlier attempt's refusal is not this one's.
                                    actions.edit.value().set(None);
                                    details.open(drawn.clone());
                                    focus_first_in("#meeting-details");
                                }
                            }>
                            "Change details"
                        </button>
                        <button type="button" class="secondary" id="cancel-meeting" aria-controls="meeting-cancel"
                            aria-expanded=move || if actions.cancelling.get() { "true" } else { "false" }
                            on:click=move |_| {
                                if !actions.cancelling.get_untracked() {
                                    actions.cancel.value().set(None);
                                    actions.cancelling.set(true);
                                    focus_first_in("#meeting-cancel");
                                }
                            }>
                            "Cancel meeting"
                        </button>
                    }
                })}
                <button type="button" class="secondary" on:click=print>"Print agenda"</button>
            </div>
            })}
        </header>
        {m.cancelled.clone().map(|c| view! {
            <div class="notice warn" id="meeting-cancelled" tabindex="-1" data-testid="meeting-cancelled">
                <p><strong>"Cancelled"</strong> " on " {when(&c.at)} " by " {c.by_name} ". Reason: " {c.reason}</p>
                {match c.moved_to {
                    Some(to) => view! {
                        <p>"Its cases moved to " <a href=format!("/meetings/{}", to.id)>{to.title} ", " {when(&to.starts_at)}</a> "."</p>
                    }.into_any(),
                    None => view! { <p>"Its cases were taken off the agenda to wait for another meeting."</p> }.into_any(),
                }}
            </div>
        })}
        {manage.then(|| view! { <MeetingDetailsForm meeting_id=m.id.clone() actions /> })}
        {manage.then(|| view! { <CancelForm meeting_id=m.id.clone() board_id=m.board_id.clone() cases=d.agenda.len() actions /> })}
        {held.then(|| view! {
            <Agenda meeting_id=m.id.clone() starts_at=m.starts_at.clone() items=d.agenda.clone() total=d.total_minutes manage actions />
        })}
        {manage.then(|| view! { <AddCase meeting_id=m.id.clone() candidates actions /> })}
        {held.then(|| view! { <Attendance meeting_id=m.id.clone() d=d.clone() members manage actions /> })}
    }
}

/// The start field's label, naming the clock it is typed on: "Starts (Europe/Berlin)".
pub(crate) fn starts_label() -> String {
    format!("Starts ({})", crate::components::format::zone().label())
}

/// The meeting's title, time, room, link, tumour type and expected specialties, changed by a
/// coordinator: only the fields typed differently, and the specialties ticked or unticked, are
/// sent.
#[component]
fn MeetingDetailsForm(meeting_id: String, actions: Actions) -> impl IntoView {
    let (edit, details) = (actions.edit, actions.details);
    let err = move |f: &'static str| field_error(edit, f);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(drawn) = details.drawn.get_untracked() {
            edit.dispatch(MeetingDraft::change(meeting_id.clone(), &drawn, &details.typed()));
        }
    };
    let cancel = move |_| {
        details.drawn.set(None);
        keep_focus_at("#edit-meeting");
    };
    move || {
        details.drawn.with(|d| d.is_some()).then(|| {
            view! {
                <section class="panel no-print" id="meeting-details" aria-labelledby="meeting-details-heading">
                    <h2 id="meeting-details-heading">"Change the meeting's details"</h2>
                    <p class="hint">"Everyone following the meeting sees the change. Once a plan signed at this meeting names it, the meeting is part of that decision and stays as it is."</p>
                    <ActionError error=failure(edit) />
                    <form class="grid-form" on:submit=submit.clone() novalidate>
                        <TextField id="me-title" label="Title" value=details.title error=err("title") />
                        <TextField id="me-starts" label=starts_label() kind="datetime-local" value=details.starts_at error=err("starts_at") />
                        <TextField id="me-location" label="Room" value=details.location error=err("location") />
                        <TextField id="me-link" label="Video link (https://…)" kind="url" value=details.video_link error=err("video_link") />
                        <TextField id="me-board" label="Tumour type" value=details.board_type error=err("board_type") />
                        <SpecialtyChecks legend="Expected specialties" chosen=details.expected error_id="me-expected-error" error=err("expected_specialties") />
                        <div class="field actions actions-row">
                            <button type="submit" disabled=move || edit.pending().get()>
                                {move || if edit.pending().get() { "Saving…" } else { "Save details" }}
                            </button>
                            <button type="button" class="secondary" on:click=cancel>"Cancel"</button>
                        </div>
                    </form>
                </section>
            }
        })
    }
}

/// Calling the meeting off, with the reason (required): its cases move to another meeting of
/// the board still to come, or go back to waiting.
#[component]
fn CancelForm(meeting_id: String, board_id: String, cases: usize, actions: Actions) -> impl IntoView {
    let cancel = actions.cancel;
    let submit = {
        let meeting_id = meeting_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            cancel.dispatch(CancelMeeting {
                id: meeting_id.clone(),
                cancel: MeetingCancel {
                    reason: actions.reason.get_untracked(),
                    move_to: Some(actions.move_to.get_untracked()).filter(|m| !m.is_empty()),
                },
            });
        }
    };
    let keep = move |_| {
        actions.cancelling.set(false);
        keep_focus_at("#cancel-meeting");
    };
    let what = match cases {
        0 => "The agenda is empty.".to_string(),
        1 => "Its one case moves to the meeting chosen below, or waits for another meeting.".to_string(),
        n => format!("Its {n} cases move to the meeting chosen below, or wait for another meeting."),
    };
    move || {
        actions.cancelling.get().then(|| {
            // Read when the form opens, not with every view of the meeting.
            let meetings = Resource::new(|| (), |_| crate::api::meetings::list_meetings());
            let (this, board) = (meeting_id.clone(), board_id.clone());
            let choices = move || {
                let now = crate::components::case_form::now_utc_minute();
                let list = meetings.get().and_then(|r| r.ok()).unwrap_or_default();
                list.into_iter()
                    .filter(|m| m.id != this && m.board_id == board && m.cancelled.is_none() && m.starts_at.as_str() >= now.as_str())
                    .map(|m| {
                        // Chosen before a live reload, chosen again once the list is back.
                        let chosen = actions.move_to.get_untracked() == m.id;
                        view! { <option value=m.id.clone() selected=chosen>{m.title.clone()} " — " {when(&m.starts_at)}</option> }
                    })
                    .collect_view()
            };
            let err = field_error(cancel, "move_to");
            view! {
                <section class="panel no-print" id="meeting-cancel" aria-labelledby="meeting-cancel-heading">
                    <h2 id="meeting-cancel-heading">"Cancel this meeting"</h2>
                    <p class="hint">{what.clone()} " Everyone following the meeting sees that it is cancelled, and why; the meeting stays in the list, marked cancelled, and cannot be used again."</p>
                    <ActionError error=failure(cancel) />
                    <form on:submit=submit.clone() novalidate>
                        <TextField id="mc-reason" label="Why is it cancelled?" value=actions.reason error=field_error(cancel, "reason") required=true />
                        {(cases > 0).then(|| view! {
                            <div class="field">
                                <label for="mc-move-to">"Its cases go to"</label>
                                <select id="mc-move-to" prop:value=move || actions.move_to.get()
                                    on:change=move |ev| actions.move_to.set(event_target_value(&ev))
                                    aria-invalid=invalid(err) aria-describedby="mc-move-to-error">
                                    <option value="">"No meeting yet: they wait for one"</option>
                                    {choices.clone()}
                                </select>
                                <FieldError id="mc-move-to-error" message=err />
                            </div>
                        })}
                        <div class="actions-row">
                            <button type="submit" class="danger" disabled=move || cancel.pending().get()>
                                {move || if cancel.pending().get() { "Cancelling…" } else { "Cancel the meeting" }}
                            </button>
                            <button type="button" class="secondary" on:click=keep>"Keep the meeting"</button>
                        </div>
                    </form>
                </section>
            }
        })
    }
}

#[component]
fn Agenda(
    meeting_id: String,
    starts_at: String,
    items: Vec<AgendaItem>,
    total: i64,
    manage: bool,
    actions: Actions,
) -> impl IntoView {
    let count = items.len();
    // Each slot's start: the meeting's start plus the estimates of the cases discussed before it
    // (standard-of-care cases take no slot), on the hospital's clock.
    let start = crate::components::format::zone().wall(&starts_at);
    let mut offset = 0i64;
    let starts: Vec<Option<String>> = items
        .iter()
        .map(|i| {
            let at = start.map(|s| (s + chrono::Duration::minutes(offset)).format("%H:%M").to_string());
            if i.mode == AgendaMode::Discuss {
                offset += i.minutes;
            }
            at.filter(|_| i.mode == AgendaMode::Discuss)
        })
        .collect();
    let soc = items.iter().filter(|i| i.mode == AgendaMode::StandardOfCare).count();
    let change = actions.change;
    view! {
        <section class="panel agenda" aria-labelledby="agenda-heading">
            <h2 id="agenda-heading">"Agenda"</h2>
            <p data-testid="agenda-total">
                {count} " cases · " {count - soc} " for discussion, " {soc} " standard of care · estimated " <strong>{duration_label(total)}</strong>
            </p>
            <ActionError error=failure(change) />
            {move || failure(change).get().and_then(|e| e.fields().cloned()).map(|fields| view! {
                <div class="notice bad" role="alert" data-testid="agenda-error">
                    <p>"The change was not saved; the agenda shows what is stored:"</p>
                    <ul>{fields.into_values().flatten().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </div>
            })}
            {if items.is_empty() {
                view! { <p class="muted">"No cases on the agenda yet."</p> }.into_any()
            } else {
                view! {
                    <table class="list agenda-table" data-testid="agenda">
                        <thead><tr>
                            <th scope="col">"#"</th><th scope="col">"Starts"</th><th scope="col">"Patient"</th><th scope="col">"Question and tumour"</th>
                            <th scope="col">"Ready?"</th><th scope="col">"Listed as"</th><th scope="col">"Minutes"</th>
                            {manage.then(|| view! { <th scope="col" class="no-print">"Order"</th> })}
                        </tr></thead>
                        <tbody>
                            {items.into_iter().zip(starts).enumerate().map(|(i, (item, start))| view! {
                                <AgendaRow meeting_id=meeting_id.clone() item start index=i last=count - 1 manage change
                                    refocus=actions.refocus dragging=actions.dragging />
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn AgendaRow(
    meeting_id: String,
    item: AgendaItem,
    /// When the case's slot starts (discussed cases only).
    start: Option<String>,
    index: usize,
    last: usize,
    manage: bool,
    change: ServerAction<ChangeAgenda>,
    refocus: RwSignal<Option<String>>,
    dragging: RwSignal<Option<String>>,
) -> impl IntoView {
    let name = item.patient_name.clone();
    let up_id = format!("up-{}", item.case_id);
    let down_id = format!("down-{}", item.case_id);
    let (up_ref, down_ref) = (NodeRef::<leptos::html::Button>::new(), NodeRef::<leptos::html::Button>::new());
    Effect::new({
        let (up_id, down_id) = (up_id.clone(), down_id.clone());
        move || {
            let wanted = refocus.get_untracked();
            for (id, r) in [(&up_id, up_ref), (&down_id, down_ref)] {
                if wanted.as_deref() == Some(id.as_str())
                    && let Some(button) = r.get()
                {
                    let _ = button.focus();
                    refocus.set(None);
                }
            }
        }
    });
    // After moving, focus the same arrow unless the case reached that end of the list.
    let after_up = if index <= 1 { down_id.clone() } else { up_id.clone() };
    let after_down = if index + 1 >= last { up_id.clone() } else { down_id.clone() };
    // From a change sent until the agenda is drawn anew (every answer redraws it, a refusal
    // too), the row's buttons wait: a second press, say Remove on a case already removed,
    // would act on what the screen no longer shows and be refused.
    let sent = RwSignal::new(false);
    let op = {
        let (m, c) = (meeting_id.clone(), item.case_id.clone());
        move |op: &'static str, mode: Option<String>, minutes: Option<i64>| {
            sent.set(true);
            change.dispatch(ChangeAgenda {
                meeting_id: m.clone(),
                case_id: c.clone(),
                op: op.into(),
                mode,
                minutes,
                position: None,
            });
        }
    };
    // Drag a row onto another to put it in that place; the position menu does the same by
    // keyboard.
    let move_to = {
        let m = meeting_id.clone();
        move |case_id: String, position: i64| {
            change.dispatch(ChangeAgenda {
                meeting_id: m.clone(),
                case_id,
                op: "to".into(),
                mode: None,
                minutes: None,
                position: Some(position),
            });
        }
    };
    let (move_drop, move_menu) = (move_to.clone(), move_to);
    let this_case = item.case_id.clone();
    let drag_start = {
        let c = item.case_id.clone();
        move |_| dragging.set(Some(c.clone()))
    };
    let drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(from) = dragging.get_untracked().filter(|c| *c != this_case) {
            move_drop(from, index as i64 + 1);
        }
        dragging.set(None);
    };
    let pos_id = format!("pos-{}", item.case_id);
    let menu_case = item.case_id.clone();
    let mode = item.mode;
    let minutes = item.minutes;
    let (op1, op2, op3, op4, op5) = (op.clone(), op.clone(), op.clone(), op.clone(), op);
    let mode_id = format!("mode-{}", item.case_id);
    let min_id = format!("min-{}", item.case_id);
    view! {
        <tr data-testid="agenda-row" class:soc=mode == AgendaMode::StandardOfCare
            draggable=manage.then_some("true") on:dragstart=drag_start on:dragend=move |_| dragging.set(None)
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=drop>
            <td>{index + 1}</td>
            <td class="nowrap">{start.unwrap_or_else(|| "—".into())}</td>
            <td><a href=format!("/cases/{}", item.case_id)>{item.patient_name.clone()}</a><br /><span class="muted">"MRN " {item.mrn.clone()}</span></td>
            <td><strong>{item.question.clone()}</strong><br />{item.summary.clone()}</td>
            <td>
                {if item.missing.is_empty() {
                    view! { <span class="badge ready-yes">"Complete"</span> }.into_any()
                } else {
                    view! { <span class="badge ready-no">"Missing: " {item.missing.join(", ")}</span> }.into_any()
                }}
                " " <StatusBadge status=item.status />
                <br />
                {if item.awaited_voices.is_empty() {
                    view! { <span class="voices-cell muted" data-testid="voices-in">"Every expected voice is in"</span> }.into_any()
                } else {
                    let names: Vec<&str> = item.awaited_voices.iter().map(|s| s.label()).collect();
                    view! { <span class="voices-cell warn-text" data-testid="voices-awaited">"Voices awaited: " {names.join(", ")}</span> }.into_any()
                }}
            </td>
            <td>
                {if manage {
                    view! {
                        <label class="visually-hidden" for=mode_id.clone()>"Listed as, " {name.clone()}</label>
                        <select id=mode_id on:change=move |ev| op1("set", Some(event_target_value(&ev)), None)>
                            <option value="discuss" selected=mode == AgendaMode::Discuss>"Discuss"</option>
                            <option value="standard_of_care" selected=mode == AgendaMode::StandardOfCare>"Standard of care"</option>
                        </select>
                    }.into_any()
                } else {
                    view! { {mode.label()} }.into_any()
                }}
            </td>
            <td>
                {if manage {
                    view! {
                        <label class="visually-hidden" for=min_id.clone()>"Minutes for " {name.clone()}</label>
                        <input id=min_id class="minutes" type="number" min="1" max="120" value=minutes
                            on:change=move |ev| {
                                let wanted: Option<i64> = event_target_value(&ev).parse().ok();
                                // Out of range: the field goes back to what is stored at once; the
                                // server's refusal above says why.
                                #[cfg(feature = "hydrate")]
                                if !wanted.is_some_and(|m| (1..=crate::domain::meeting::MAX_MINUTES).contains(&m)) {
                                    event_target::<web_sys::HtmlInputElement>(&ev).set_value(&minutes.to_string());
                                }
                                // Only the minutes: the mode stays as stored (another
                                // coordinator may just have changed it). An empty field is sent
                                // as 0, which the server refuses with the range.
                                op2("set", None, Some(wanted.unwrap_or(0)))
                            } />
                    }.into_any()
                } else {
                    view! { {minutes} }.into_any()
                }}
            </td>
            {manage.then(|| view! {
                <td class="no-print nowrap">
                    <button type="button" class="secondary small" id=up_id node_ref=up_ref disabled=move || index == 0 || sent.get()
                        aria-label=format!("Move {name} up")
                        on:click=move |_| { refocus.set(Some(after_up.clone())); op3("up", None, None) }>"↑"</button>
                    <button type="button" class="secondary small" id=down_id node_ref=down_ref disabled=move || index == last || sent.get()
                        aria-label=format!("Move {name} down")
                        on:click=move |_| { refocus.set(Some(after_down.clone())); op4("down", None, None) }>"↓"</button>
                    <label class="visually-hidden" for=pos_id.clone()>"Position of " {name.clone()}</label>
                    <select id=pos_id class="position" title="Move to position"
                        on:change=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse::<i64>() {
                                move_menu(menu_case.clone(), n)
                            }
                            // The row is redrawn in place with the new order: its menu shows this
                            // row's place again, not the choice just made.
                            #[cfg(feature = "hydrate")]
                            event_target::<web_sys::HtmlSelectElement>(&ev).set_value(&(index + 1).to_string());
                        }>
                        {(1..=last + 1).map(|n| view! { <option value=n selected=n == index + 1>{n}</option> }).collect_view()}
                    </select>
                    <button type="button" class="secondary small" aria-label=format!("Remove {name} from the agenda") disabled=move || sent.get()
                        on:click=move |_| { refocus.set(Some(ADD_CASE.into())); op5("remove", None, None) }>"Remove"</button>
                </td>
            })}
        </tr>
    }
}

/// The id of the choice of a case to add to the agenda.
const ADD_CASE: &str = "add-case";

#[component]
fn AddCase(meeting_id: String, candidates: Vec<CaseListItem>, actions: Actions) -> impl IntoView {
    let add = actions.add;
    let case_id = actions.adding;
    let mode = RwSignal::new("discuss".to_string());
    // A case taken off the agenda takes its row with it: the focus comes here, where the case
    // is offered again.
    let select = NodeRef::<leptos::html::Select>::new();
    let refocus = actions.refocus;
    Effect::new(move || {
        if refocus.get_untracked().as_deref() == Some(ADD_CASE)
            && let Some(s) = select.get()
        {
            let _ = s.focus();
            refocus.set(None);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add.dispatch(AddToAgenda {
            meeting_id: meeting_id.clone(),
            case_id: case_id.get_untracked(),
            mode: mode.get_untracked(),
            minutes: None,
        });
    };
    let error = move || add.value().get().and_then(|r| r.err());
    view! {
        <section class="panel no-print" aria-labelledby="add-heading">
            <h2 id="add-heading">"Add a case"</h2>
            <form on:submit=submit class="inline-form">
                <div class="field">
                    <label for=ADD_CASE>"Case"</label>
                    <select id=ADD_CASE node_ref=select prop:value=move || case_id.get() on:change=move |ev| case_id.set(event_target_value(&ev))
                        aria-describedby="add-error">
                        <option value="">"Choose a case…"</option>
                        {candidates.into_iter().map(|c| {
                            let label = format!("{} — {}{}", c.patient_name, c.question, if c.ready_for_board { "" } else { " (incomplete)" });
                            view! { <option value=c.id.clone()>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="add-mode">"Listed as"</label>
                    <select id="add-mode" prop:value=move || mode.get() on:change=move |ev| mode.set(event_target_value(&ev))>
                        <option value="discuss">"For discussion"</option>
                        <option value="standard_of_care">"Standard of care (not discussed)"</option>
                    </select>
                </div>
                <button type="submit" disabled=move || add.pending().get()>"Add to agenda"</button>
            </form>
            <div id="add-error" aria-live="polite">
                {move || error().map(|e| {
                    let missing: Vec<String> = e.fields().map(|f| f.values().flatten().cloned().collect()).unwrap_or_default();
                    view! {
                        <div class="notice bad" role="alert" data-testid="add-error">
                            <p>{e.to_string()}</p>
                            <ul>{missing.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                            <p>"Complete the case first, then add it again: "
                                <a href=format!("/cases/{}", case_id.get_untracked()) data-testid="edit-refused">"edit the case"</a> "."</p>
                        </div>
                    }
                })}
            </div>
        </section>
    }
}

#[component]
fn Attendance(
    meeting_id: String,
    d: MeetingDetail,
    members: Vec<Attendee>,
    manage: bool,
    actions: Actions,
) -> impl IntoView {
    let attend = actions.attend;
    let present: Vec<String> = d.attendance.iter().map(|a| a.user_id.clone()).collect();
    let missing: Vec<&str> = d.missing_core.iter().map(|s| s.label()).collect();
    view! {
        <section class="panel attendance" aria-labelledby="attendance-heading">
            <h2 id="attendance-heading">"Attendance"</h2>
            {if missing.is_empty() {
                view! { <p class="notice ok" data-testid="core-present">"Every core specialty is present."</p> }.into_any()
            } else {
                view! {
                    <p class="notice warn" role="status" data-testid="core-missing">
                        "No one present for: " {missing.join(", ")} ". A NET board should not decide without them; record who is absent in the plan or defer."
                    </p>
                }.into_any()
            }}
            {if manage {
                view! {
                    <fieldset class="multi">
                        <legend>"Present"</legend>
                        {members.into_iter().map(|u| {
                            let here = present.contains(&u.user_id);
                            let (m, uid) = (meeting_id.clone(), u.user_id.clone());
                            view! {
                                <label class="check">
                                    <input type="checkbox" checked=here
                                        on:change=move |ev| { attend.dispatch(SetAttendance { meeting_id: m.clone(), user_id: uid.clone(), present: event_target_checked(&ev) }); } />
                                    " " {u.display_name.clone()} " " <span class="muted">{u.specialty.map(|s| s.label()).unwrap_or_default()}</span>
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                }.into_any()
            } else {
                view! {
                    <ul>{d.attendance.iter().map(|a| view! { <li>{a.display_name.clone()} " " <span class="muted">{a.specialty.map(|s| s.label()).unwrap_or_default()}</span></li> }).collect_view()}</ul>
                }.into_any()
            }}
        </section>
    }
}
