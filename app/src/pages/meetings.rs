//! Meetings: the list (upcoming first) and, for coordinators, scheduling a new one.

use leptos::prelude::*;

use crate::components::errors::error_notice;
use crate::error::AppError;

use crate::components::format::when;

use crate::api::boards::BoardRef;
use crate::api::meetings::{CreateMeeting, MeetingInput, list_meetings};
use crate::components::actions::{after_saving, field_error};
use crate::components::board::{BoardChoice, board_choice_resource};
use crate::components::choices::SpecialtyChecks;
use crate::components::errors::{FieldError, invalid};
use crate::components::session::{GatedPage, use_session};
use crate::domain::meeting::{MAX_WEEKS, Meeting};
use crate::domain::role::{Action, Specialty, can};

#[component]
pub fn MeetingsPage() -> impl IntoView {
    view! { <GatedPage title="Meetings" action=Action::ReadCases><MeetingList /></GatedPage> }
}

#[component]
fn MeetingList() -> impl IntoView {
    let session = use_session();
    let create = ServerAction::<CreateMeeting>::new();
    let meetings = Resource::new(move || create.version().get(), |_| list_meetings());
    let boards = board_choice_resource();
    view! {
        <div class="page-head">
            <h1>"Meetings"</h1>
            // The form is below the list, which a year of weekly meetings makes long.
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    matches!(session.await, Ok(Some(ref i)) if can(i.me.role, Action::ManageMeetings))
                        .then(|| view! { <a class="button" href="#new-meeting-heading">"Schedule a meeting"</a> })
                })}
            </Suspense>
        </div>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading meetings…"</p> }>
            <ErrorBoundary fallback=error_notice>
                {move || Suspend::new(async move {
                    let list = meetings.await?;
                    Ok::<_, AppError>(if list.is_empty() {
                        view! { <section class="panel empty"><p>"No meetings scheduled yet."</p></section> }.into_any()
                    } else {
                        view! { <MeetingTable list /> }.into_any()
                    })
                })}
            </ErrorBoundary>
        </Transition>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(session.await, Ok(Some(ref i)) if can(i.me.role, Action::ManageMeetings))
                    .then(|| view! { <NewMeetingForm create boards /> })
            })}
        </Suspense>
    }
}

#[component]
fn MeetingTable(list: Vec<Meeting>) -> impl IntoView {
    // The board column only when the list holds several boards' meetings (one board: no boards).
    let multi = list.iter().any(|m| m.board_id != list[0].board_id);
    view! {
        <section class="panel" aria-labelledby="meetings-heading">
            <h2 id="meetings-heading" class="visually-hidden">"Scheduled meetings"</h2>
            <table class="list" data-testid="meetings">
                <thead><tr><th scope="col">"Meeting"</th>{multi.then(|| view! { <th scope="col">"Board"</th> })}<th scope="col">"Starts"</th><th scope="col">"Where"</th><th scope="col">"Cases"</th></tr></thead>
                <tbody>
                    {list.into_iter().map(|m| view! {
                        <tr>
                            <td><a href=format!("/meetings/{}", m.id)>{m.title.clone()}</a> " " <span class="muted">{m.board_type.clone()}</span>
                                {m.cancelled.is_some().then(|| view! { " " <span class="badge warn">"Cancelled"</span> })}</td>
                            {multi.then(|| view! { <td>{m.board_name.clone()}</td> })}
                            <td class="nowrap">{when(&m.starts_at)}</td>
                            <td>{m.location.clone()}{(!m.video_link.is_empty()).then(|| view! { " " <span class="muted">"(video link)"</span> })}</td>
                            <td>{m.case_count}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn NewMeetingForm(
    create: ServerAction<CreateMeeting>,
    boards: Resource<Result<Vec<BoardRef>, AppError>>,
) -> impl IntoView {
    let input = RwSignal::new(MeetingInput { title: "NET board".into(), ..Default::default() });
    let board_id = RwSignal::new(None::<String>);
    let weeks = RwSignal::new("1".to_string());
    // Scheduled, the count goes back to one, so a second press does not schedule the weeks twice.
    after_saving(create, move |_| weeks.set("1".to_string()));
    let expected = RwSignal::new(Specialty::CORE.to_vec());
    // The ticks start as the board's expected voices: the chosen board's, or the only one's
    // for a user of one board; choosing another board starts them again from its list.
    Effect::new(move || {
        let chosen = board_id.get();
        let Some(Ok(list)) = boards.get() else { return };
        let mut mine = list.into_iter().filter(|b| b.member);
        let board = match chosen {
            Some(id) => mine.find(|b| b.id == id),
            None => mine.next().filter(|_| mine.next().is_none()),
        };
        if let Some(b) = board {
            expected.set(b.expected_specialties);
        }
    });
    let err = move |f: &'static str| field_error(create, f);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut i = input.get_untracked();
        i.expected_specialties = expected.get_untracked().iter().map(|s| s.code().to_string()).collect();
        i.board_id = board_id.get_untracked();
        // Left empty, one meeting; anything but a whole number is refused under the field.
        let weeks = weeks.with_untracked(|w| if w.trim().is_empty() { 1 } else { w.trim().parse().unwrap_or(0) });
        create.dispatch(CreateMeeting { input: i, weeks: Some(weeks) });
    };
    let bind = move |f: fn(&mut MeetingInput) -> &mut String| {
        (
            move || {
                let mut i = input.get();
                f(&mut i).clone()
            },
            move |ev: leptos::ev::Event| input.update(|i| *f(i) = event_target_value(&ev)),
        )
    };
    let (title, set_title) = bind(|i| &mut i.title);
    let (starts, set_starts) = bind(|i| &mut i.starts_at);
    let (location, set_location) = bind(|i| &mut i.location);
    let (link, set_link) = bind(|i| &mut i.video_link);
    let (board, set_board) = bind(|i| &mut i.board_type);
    view! {
        <section class="panel" aria-labelledby="new-meeting-heading">
            <h2 id="new-meeting-heading">"Schedule a meeting"</h2>
            {move || create.value().get().and_then(|r| r.ok()).map(|made| {
                let link = |m: &Meeting| view! { <a href=format!("/meetings/{}", m.id)>{m.title.clone()} ", " {when(&m.starts_at)}</a> };
                match made.as_slice() {
                    [m] => view! { <p class="notice ok" role="status">"Scheduled: " {link(m)} ". Open it to build the agenda."</p> }.into_any(),
                    [first, .., last] => view! {
                        <p class="notice ok" role="status">"Scheduled " {made.len()} " meetings, one a week: the first " {link(first)} ", the last " {link(last)} ". Open one to build its agenda."</p>
                    }.into_any(),
                    [] => ().into_any(),
                }
            })}
            <form on:submit=submit novalidate class="grid-form">
                <BoardChoice id="m-board-id" boards selected=board_id error=err("board_id") />
                <div class="field">
                    <label for="m-title">"Title"</label>
                    <input id="m-title" type="text" prop:value=title on:input=set_title aria-invalid=invalid(err("title")) aria-describedby="m-title-error" />
                    <FieldError id="m-title-error" message=err("title") />
                </div>
                <div class="field">
                    <label for="m-starts">{crate::pages::meeting::starts_label()}</label>
                    <input id="m-starts" type="datetime-local" prop:value=starts on:input=set_starts aria-invalid=invalid(err("starts_at")) aria-describedby="m-starts-error" />
                    <FieldError id="m-starts-error" message=err("starts_at") />
                    // A past time is allowed (recording a meeting held on paper) but said.
                    {move || {
                        let now = crate::components::case_form::now_local_minute();
                        input.with(|i| !i.starts_at.is_empty() && i.starts_at.as_str() < now.as_str()).then(|| view! {
                            <p class="notice warn" id="m-starts-past" data-testid="starts-past">"This time is in the past. Schedule it only to record a meeting that was held."</p>
                        })
                    }}
                </div>
                <div class="field">
                    <label for="m-location">"Room"</label>
                    <input id="m-location" type="text" prop:value=location on:input=set_location aria-invalid=invalid(err("location")) aria-describedby="m-location-error" />
                    <FieldError id="m-location-error" message=err("location") />
                </div>
                <div class="field">
                    <label for="m-link">"Video link (https://…)"</label>
                    <input id="m-link" type="url" prop:value=link on:input=set_link aria-invalid=invalid(err("video_link")) aria-describedby="m-link-error" />
                    <FieldError id="m-link-error" message=err("video_link") />
                </div>
                <div class="field">
                    <label for="m-board">"Tumour type"</label>
                    <input id="m-board" type="text" maxlength="100" placeholder="NET" prop:value=board on:input=set_board
                        aria-invalid=invalid(err("board_type")) aria-describedby="m-board-error" />
                    <FieldError id="m-board-error" message=err("board_type") />
                </div>
                <div class="field">
                    <label for="m-weeks">"Meetings to schedule"</label>
                    <input id="m-weeks" type="number" min="1" max=MAX_WEEKS.to_string() step="1" inputmode="numeric" prop:value=weeks
                        on:input=move |ev| weeks.set(event_target_value(&ev))
                        aria-invalid=invalid(err("weeks")) aria-describedby="m-weeks-hint m-weeks-error" />
                    <p class="hint" id="m-weeks-hint">{format!("One a week at the same time ({}). Cancel a week that falls on a holiday on its page.", crate::components::format::zone().label())}</p>
                    <FieldError id="m-weeks-error" message=err("weeks") />
                </div>
                <SpecialtyChecks legend="Expected specialties" chosen=expected error_id="m-expected-error" error=err("expected_specialties") />
                <button type="submit" disabled=move || create.pending().get()>
                    {move || match weeks.with(|w| w.trim().parse::<u32>().unwrap_or(1)) {
                        _ if create.pending().get() => "Scheduling…".to_string(),
                        n @ 2.. => format!("Schedule {n} meetings"),
                        _ => "Schedule meeting".to_string(),
                    }}
                </button>
            </form>
        </section>
    }
}
