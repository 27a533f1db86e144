//! The frame of every page: skip link, header with navigation, main region, footer.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::errors::ErrorPanel;
use crate::components::session::{UserMenu, use_session};
use crate::domain::role::{Action, can};

/// Key under which the display preference is kept in the browser.
#[cfg(feature = "hydrate")]
const DISPLAY_KEY: &str = "tumorboard.display";

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    // Meeting-room display: larger type for the big screen. Off on the server; after hydration
    // the browser's saved preference applies.
    let (large, set_large) = signal(false);

    #[cfg(feature = "hydrate")]
    {
        let storage = || web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        Effect::new(move |first: Option<()>| {
            if first.is_none() {
                if let Some(saved) = storage().and_then(|s| s.get_item(DISPLAY_KEY).ok().flatten()) {
                    set_large.set(saved == "large");
                }
            } else if let Some(s) = storage() {
                let _ = s.set_item(DISPLAY_KEY, if large.get() { "large" } else { "normal" });
            }
            // track the signal on the first run too
            let _ = large.get();
        });
    }

    view! {
        <div class="app" class:large-display=move || large.get()>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="site-header">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"TB"</span>
                    <span class="brand-name">"Tumorboard"</span>
                </a>
                <nav aria-label="Main">
                    <ul class="nav-list">
                        <RoleLinks />
                    </ul>
                </nav>
                <div class="header-tools">
                    <HeaderSearchBox />
                    <button
                        type="button"
                        class="toggle"
                        id="display-toggle"
                        aria-pressed=move || if large.get() { "true" } else { "false" }
                        on:click=move |_| set_large.update(|v| *v = !*v)
                    >
                        "Meeting-room display"
                    </button>
                    <UserMenu />
                </div>
            </header>
            <main id="main" tabindex="-1">
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {children()}
                </ErrorBoundary>
            </main>
            <footer class="site-footer">
                <p>
                    "Tumorboard " {env!("CARGO_PKG_VERSION")}
                    " · Proposals are options for the board to consider; the board decides."
                </p>
            </footer>
        </div>
    }
}

/// A search the header hands to the case list (the text travels in a POST body there, never in
/// a URL): set by the header's search box, taken by the case list.
#[derive(Clone, Copy)]
pub struct HeaderSearch(pub RwSignal<Option<String>>);

/// "Find a patient" in the header, for those who read cases: goes to the case list and runs
/// the search there.
#[component]
fn HeaderSearchBox() -> impl IntoView {
    let session = use_session();
    let wanted = expect_context::<HeaderSearch>().0;
    let text = RwSignal::new(String::new());
    let navigate = leptos_router::hooks::use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = text.get_untracked().trim().to_string();
        if !t.is_empty() {
            wanted.set(Some(t));
            text.set(String::new());
            navigate("/cases", Default::default());
        }
    };
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let reads = matches!(session.get(), Some(Ok(Some(ref i))) if can(i.me.role, Action::ReadCases));
                let submit = submit.clone();
                reads.then(|| view! {
                    <form class="header-search" role="search" method="post" action="/cases" on:submit=submit>
                        <label for="header-q" class="visually-hidden">"Find a patient by name or MRN"</label>
                        <input id="header-q" type="search" placeholder="Name or MRN" autocomplete="off"
                            prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
                        <button type="submit" class="small">"Find"</button>
                    </form>
                })
            }}
        </Suspense>
    }
}

/// How many things wait for the user, next to "My work". Fetched by the browser once the page is
/// up (an effect, not a resource): rendering a page on the server never waits for it, and no
/// Suspense waits on it either.
#[component]
fn WorkCount() -> impl IntoView {
    let count = RwSignal::new(0usize);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(n) = crate::api::work::my_work_count().await {
                count.set(n);
            }
        });
    });
    move || {
        Some(count.get()).filter(|n| *n > 0).map(|n| {
            view! {
                " " <span class="count" data-testid="work-count">{n}</span>
                <span class="visually-hidden">" items wait for you"</span>
            }
        })
    }
}

/// The main links a role has work behind: clinical pages for those who read cases, the audit for
/// admins and reviewers, users and boards for admins. Logged out: none.
#[component]
fn RoleLinks() -> impl IntoView {
    let session = use_session();
    // One `Suspend`, built once (see `GatedPage`).
    let links = Suspend::new(async move {
        let role = match session.await {
            Ok(Some(i)) => Some(i.me.role),
            _ => None,
        };
        let may = |a: Action| role.is_some_and(|r| can(r, a));
        view! {
            {role.is_some().then(|| view! {
                <li>
                    <A href="/">"My work" <WorkCount /></A>
                </li>
            })}
            {may(Action::ReadCases).then(|| view! {
                <li><A href="/cases">"Cases"</A></li>
                <li><A href="/meetings">"Meetings"</A></li>
                <li><A href="/pipeline">"Pipeline"</A></li>
                <li><A href="/decisions">"Decisions"</A></li>
                <li><A href="/dashboard">"Figures"</A></li>
                <li><A href="/trials">"Trials"</A></li>
            })}
            {may(Action::ReadAudit).then(|| view! { <li><A href="/audit">"Audit"</A></li> })}
            {may(Action::ManageUsers).then(|| view! {
                <li><A href="/admin/users">"Users"</A></li>
                <li><A href="/admin/boards">"Boards"</A></li>
            })}
        }
    });
    view! { <Suspense fallback=|| ()>{links}</Suspense> }
}
