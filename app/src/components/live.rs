//! The page's own subscription to a case's live events (`GET /api/v1/cases/{id}/events`).
//! The browser's EventSource reconnects by itself and sends the last event id back, so the
//! server resumes without loss; the page only has to refetch what an event names.

use leptos::prelude::*;

use crate::domain::events::{CaseEvent, CaseEventKind, MeetingEvent};

/// Connection state shown to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveState {
    Connecting,
    Live,
    Reconnecting,
}

/// Follows a case while the calling component lives: `on_event(kind)` for every change
/// (`CaseEventKind::AnnotationCreate`, `CaseUpdate`, …). `case` yields the case id and the
/// `live_seq` it was read at; the subscription starts after that so nothing between reading and
/// following is missed. On the server this does nothing.
pub fn follow_case(
    case: impl Fn() -> Option<(String, i64)> + Send + Sync + 'static,
    on_event: impl Fn(CaseEventKind) + Clone + 'static,
) -> ReadSignal<LiveState> {
    follow(
        move || case().map(|(id, after)| format!("/api/v1/cases/{id}/events?after={after}")),
        move |event: CaseEvent| on_event(event.kind),
    )
}

/// Follows a meeting (`GET /api/v1/meetings/{id}/events`): `on_change(current_case_id)` now
/// and after every change to the meeting.
pub fn follow_meeting(
    meeting_id: impl Fn() -> Option<String> + Send + Sync + 'static,
    on_change: impl Fn(Option<String>) + Clone + 'static,
) -> ReadSignal<LiveState> {
    follow(
        move || meeting_id().map(|id| format!("/api/v1/meetings/{id}/events")),
        move |event: MeetingEvent| on_change(event.current_case_id),
    )
}

/// An EventSource on the URL `url` yields (leptos-use's `use_event_source`), each event's data
/// read as a typed event `T` and handed to `on_data`. The stream is reopened only when the
/// subject changes (the path): a new starting point (`?after=`) for the same case does not
/// reconnect. The browser's own reconnection sends the last event id; when the stream is closed
/// for good, it is reopened every three seconds without limit (a meeting lasts hours).
fn follow<T>(
    url: impl Fn() -> Option<String> + Send + Sync + 'static,
    on_data: impl Fn(T) + Clone + 'static,
) -> ReadSignal<LiveState>
where
    T: serde::de::DeserializeOwned + Clone + PartialEq + Send + Sync + 'static,
{
    let (state, set_state) = signal(LiveState::Connecting);
    #[cfg(feature = "hydrate")]
    {
        use codee::string::JsonSerdeCodec;
        use leptos_use_event_source::{
            ConnectionReadyState, ReconnectLimit, UseEventSourceOptions, UseEventSourceReturn,
            use_event_source_with_options,
        };
        let subject = |u: &str| u.split('?').next().unwrap_or_default().to_string();
        let stream_url = Memo::new(move |prev: Option<&String>| match (url(), prev) {
            (Some(u), Some(p)) if subject(p) == subject(&u) => p.clone(),
            (Some(u), _) => u,
            (None, _) => String::new(),
        });
        let UseEventSourceReturn { message, ready_state, .. } = use_event_source_with_options::<T, JsonSerdeCodec>(
            stream_url,
            UseEventSourceOptions::default().reconnect_limit(ReconnectLimit::Infinite).reconnect_interval(3000),
        );
        Effect::new(move || {
            if let Some(m) = message.get() {
                on_data(m.data);
            }
        });
        Effect::new(move || {
            set_state.set(match ready_state.get() {
                ConnectionReadyState::Open => LiveState::Live,
                ConnectionReadyState::Connecting => LiveState::Connecting,
                ConnectionReadyState::Closing | ConnectionReadyState::Closed => LiveState::Reconnecting,
            })
        });
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (url, on_data, set_state);
    }
    state
}

/// A small status line: whether this page is receiving live changes.
#[component]
pub fn LiveBadge(state: ReadSignal<LiveState>) -> impl IntoView {
    view! {
        <p class="live-state" data-testid="live-state" data-state=move || format!("{:?}", state.get()).to_lowercase()>
            {move || match state.get() {
                LiveState::Connecting => "Connecting to live updates…",
                LiveState::Live => "Live: changes by others appear here as they are made.",
                LiveState::Reconnecting => "Live updates interrupted; reconnecting. Reload the page if this persists.",
            }}
        </p>
    }
}
