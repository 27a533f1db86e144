#![recursion_limit = "256"]
//! Tumorboard: the web app for multidisciplinary tumor boards.
//!
//! This crate is compiled twice: with `ssr` into the server (pages rendered on the server,
//! server functions, database services) and with `hydrate` into the browser's wasm (the same
//! pages made interactive). The `domain` crate is plain Rust used by both.

pub mod api;
pub mod components;
pub mod error;

/// The domain crate, re-exported so that `crate::domain::…` and `app::domain::…` keep working.
pub use domain;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::components::layout::Layout;
use crate::components::session::provide_session;
use crate::pages::{
    account::AccountPage, admin_users::AdminUsersPage, case::CasePage, case_new::NewCasePage, cases::CasesPage,
    home::HomePage, login::LoginPage, meetings::MeetingsPage, not_found::NotFound, review::ReviewPage,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <meta name="description" content="Tumorboard: the shared case for multidisciplinary tumor boards." />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
                // The hospital's time zone for the browser's clock (none: UTC); read before it hydrates.
                {components::format::zone_json().map(|json| view! {
                    <script type="application/json" id=components::format::ZONE_ELEMENT_ID inner_html=json></script>
                })}
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: layout, routes, and the 404 fallback.
///
/// Pages behind a login render completely on the server before anything is sent
/// (`SsrMode::Async`), so a visitor without a session gets a real HTTP redirect to the login page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session();
    provide_context(components::layout::HeaderSearch(RwSignal::new(None)));
    components::errors::give_focus_back_to_pressed_buttons();
    view! {
        <Title formatter=|page: String| if page.is_empty() { "Tumorboard".to_string() } else { format!("{page} · Tumorboard") } />
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                    <Route path=StaticSegment("cases") view=CasesPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("cases"), StaticSegment("new")) view=NewCasePage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("cases"), ParamSegment("id")) view=CasePage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("cases"), ParamSegment("id"), StaticSegment("report")) view=pages::report::ReportPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("meetings") view=MeetingsPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("meetings"), ParamSegment("id")) view=pages::meeting::MeetingPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("meetings"), ParamSegment("id"), StaticSegment("present")) view=pages::present::PresentPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("review") view=ReviewPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("audit") view=ReviewPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("pipeline") view=pages::pipeline::PipelinePage ssr=SsrMode::Async />
                    <Route path=StaticSegment("decisions") view=pages::decisions::DecisionsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("dashboard") view=pages::dashboard::DashboardPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("trials") view=pages::trials::TrialsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("login") view=LoginPage />
                    <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("admin"), StaticSegment("users")) view=AdminUsersPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("admin"), StaticSegment("boards")) view=pages::admin_boards::AdminBoardsPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

/// Browser entry point: makes the server-rendered page interactive.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // The times the server wrote are on the hospital's clock: read them on the same one.
    let zone = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(components::format::ZONE_ELEMENT_ID))
        .and_then(|e| e.text_content())
        .and_then(|json| serde_json::from_str(&json).ok());
    if let Some(zone) = zone {
        components::format::set_zone(zone);
    }
    leptos::mount::hydrate_body(App);
    // A marker for the browser tests: the page is now interactive.
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"__TB_HYDRATED".into(), &true.into());
    }
}
