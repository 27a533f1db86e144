//! The logged-in user on every page: who it is, the login gate for pages with patient data,
//! and the warning before the idle timeout ends the session.
//!
//! The gate only decides what to show; every server function checks the session itself.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::api::auth::{Logout, SessionInfo, current_session};
use crate::domain::role::{Action, can};
use crate::error::AppError;

/// The session of the page, loaded before the page is sent (so a redirect to the login page
/// can still be answered with HTTP 302).
#[derive(Clone, Copy)]
pub struct SessionCtx(pub Resource<Result<Option<SessionInfo>, AppError>>);

pub fn provide_session() {
    let session = Resource::new_blocking(|| (), |_| current_session());
    provide_context(SessionCtx(session));
}

pub fn use_session() -> Resource<Result<Option<SessionInfo>, AppError>> {
    expect_context::<SessionCtx>().0
}

/// A page behind the login gate: its title, and `children` for a logged-in user whose role may
/// do `action` (if given); others are sent to the login page and back here afterwards.
///
/// The gate is one `Suspend`, not a closure returning one: on the server `<Suspense>` walks its
/// children up to three times to find the resources they read, and a closure would build the
/// page (and start its resources) anew on every walk: every gated page read its data three
/// times and recorded three audit rows (issue 17). A `Suspend` keeps what it built. (The
/// session never changes under a page: logging out leaves it.)
#[component]
pub fn GatedPage(title: &'static str, #[prop(optional)] action: Option<Action>, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let gate = Suspend::new(async move {
        match session.await {
            Ok(Some(info)) if action.is_none_or(|a| can(info.me.role, a)) => children().into_any(),
            Ok(Some(_)) => view! {
                <section class="panel notice bad" role="alert">
                    <h1>"Not available for your role"</h1>
                    <p>"Your role does not give access to this page. Ask an administrator if you need it."</p>
                </section>
            }
            .into_any(),
            Ok(None) => {
                let next = location.pathname.get_untracked();
                view! { <Redirect path=format!("/login?next={next}") /> }.into_any()
            }
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        }
    });
    view! {
        <Title text=title />
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>{gate}</Suspense>
    }
}

/// The user's name, role and the logout button, or a login link.
#[component]
pub fn UserMenu() -> impl IntoView {
    let session = use_session();
    let logout = ServerAction::<Logout>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        if let Some(Ok(())) = logout.value().get()
            && let Some(w) = web_sys::window()
        {
            let _ = w.location().assign("/login?logged_out=1");
        }
    });
    // One `Suspend`, not a closure returning one: built once, not on each of `<Suspense>`'s walks
    // on the server (see `GatedPage`).
    let menu = Suspend::new(async move {
        match session.await {
            Ok(Some(info)) => {
                let role = match info.me.specialty {
                    Some(s) => format!("{} · {}", info.me.role.label(), s.label()),
                    None => info.me.role.label().to_string(),
                };
                view! {
                    <div class="user-menu">
                        <a href="/account" class="user-name" data-testid="user-name">{info.me.display_name.clone()}</a>
                        <span class="user-role" data-testid="user-role">{role}</span>
                        <ActionForm action=logout attr:class="inline-form">
                            <button type="submit" class="secondary small">"Log out"</button>
                        </ActionForm>
                    </div>
                    <IdleWarning info />
                }
                .into_any()
            }
            _ => view! { <a class="button secondary small" href="/login">"Log in"</a> }.into_any(),
        }
    });
    view! { <Suspense fallback=|| ()>{menu}</Suspense> }
}

/// Seconds before the idle timeout at which the warning appears.
const WARN_BEFORE_SECS: i64 = 120;

/// Warns before the idle timeout and offers to stay logged in; interaction with the page
/// counts as activity (at most one keep-alive a minute). When the time is up it goes to the
/// login page, which brings the user back here after logging in.
#[component]
fn IdleWarning(info: SessionInfo) -> impl IntoView {
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let (remaining, set_remaining) = signal(info.idle_expires_in_secs);
    let keep_alive = ServerAction::<crate::api::auth::KeepAlive>::new();
    let stay = move |_| {
        keep_alive.dispatch(crate::api::auth::KeepAlive {});
    };

    #[cfg(feature = "hydrate")]
    {
        use std::time::Duration;
        let now = || js_sys::Date::now();
        let deadline = RwSignal::new(now() + info.idle_expires_in_secs as f64 * 1000.0);
        let last_ping = StoredValue::new(now());
        Effect::new(move || {
            if let Some(Ok(fresh)) = keep_alive.value().get() {
                deadline.set(now() + fresh.idle_expires_in_secs as f64 * 1000.0);
                set_remaining.set(fresh.idle_expires_in_secs);
            }
        });
        let activity = move || {
            if now() - last_ping.get_value() > 60_000.0 && !keep_alive.pending().get_untracked() {
                last_ping.set_value(now());
                keep_alive.dispatch(crate::api::auth::KeepAlive {});
            }
        };
        let h1 = window_event_listener(leptos::ev::keydown, move |_| activity());
        let h2 = window_event_listener(leptos::ev::pointerdown, move |_| activity());
        let tick = set_interval_with_handle(
            move || {
                let left = ((deadline.get_untracked() - now()) / 1000.0).ceil() as i64;
                set_remaining.set(left);
                if left <= 0
                    && let Some(w) = web_sys::window()
                {
                    let path = w.location().pathname().unwrap_or_else(|_| "/".into());
                    let _ = w.location().assign(&format!("/login?expired=1&next={path}"));
                }
            },
            Duration::from_secs(1),
        )
        .ok();
        on_cleanup(move || {
            h1.remove();
            h2.remove();
            if let Some(t) = tick {
                t.clear();
            }
        });
    }

    view! {
        <Show when=move || { remaining.get() <= WARN_BEFORE_SECS }>
            <div class="idle-warning" role="alertdialog" aria-labelledby="idle-title" aria-live="assertive">
                <p id="idle-title">
                    "For patient privacy you will be logged out in "
                    <strong>{move || remaining.get().max(0)}" s"</strong>
                    " because of inactivity."
                </p>
                <button type="button" on:click=stay>"Stay logged in"</button>
            </div>
        </Show>
    }
}
