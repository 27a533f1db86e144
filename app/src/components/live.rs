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

/// An EventSource on the URL `url` yields (reopened when it changes), each event's data read
/// as a typed event `T` and handed to `on_data` (data that is not such an event is ignored).
fn follow<T: serde::de::DeserializeOwned + 'static>(
    url: impl Fn() -> Option<String> + Send + Sync + 'static,
    on_data: impl Fn(T) + Clone + 'static,
) -> ReadSignal<LiveState> {
    let (state, set_state) = signal(LiveState::Connecting);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        type Handlers = (web_sys::EventSource, Vec<Closure<dyn FnMut(web_sys::Event)>>);
        let current: StoredValue<Option<(String, Handlers)>, LocalStorage> = StoredValue::new_local(None);
        let close = move || {
            current.try_update_value(|c| {
                if let Some((_, (source, _))) = c.take() {
                    source.close();
                }
            });
        };
        Effect::new(move || {
            let Some(url) = url() else { return };
            // The same subject (the path without its starting point) is already followed.
            let id = url.split('?').next().unwrap_or_default().to_string();
            if current.with_value(|c| c.as_ref().is_some_and(|(following, _)| *following == id)) {
                return;
            }
            close();
            let Ok(source) = web_sys::EventSource::new(&url) else {
                set_state.set(LiveState::Reconnecting);
                return;
            };
            let on_data = on_data.clone();
            let message = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
                let Some(ev) = ev.dyn_ref::<web_sys::MessageEvent>() else { return };
                let data = ev.data().as_string().unwrap_or_default();
                if let Ok(event) = serde_json::from_str::<T>(&data) {
                    on_data(event);
                }
            });
            let open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| set_state.set(LiveState::Live));
            let error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| set_state.set(LiveState::Reconnecting));
            source.set_onmessage(Some(message.as_ref().unchecked_ref()));
            source.set_onopen(Some(open.as_ref().unchecked_ref()));
            source.set_onerror(Some(error.as_ref().unchecked_ref()));
            current.set_value(Some((id, (source, vec![message, open, error]))));
        });
        on_cleanup(close);
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
