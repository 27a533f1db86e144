//! The login page. Works without JavaScript (a plain form post, answered with a redirect);
//! with JavaScript the error shows in place.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::{Login, safe_next};
use crate::error::AppError;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_next(&query.read().get("next").unwrap_or_default());
    let flag = move |name: &str| query.read().get(name).is_some();
    let login = ServerAction::<Login>::new();

    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        if let Some(Ok(_)) = login.value().get() {
            // A full load, so every part of the page sees the new session.
            if let Some(w) = web_sys::window() {
                let _ = w.location().assign(&next());
            }
        }
    });

    let message = move || -> Option<(&'static str, String)> {
        match login.value().get() {
            Some(Err(AppError::TooManyRequests { retry_after_secs })) => {
                Some(("bad", format!("Too many failed attempts. Wait {retry_after_secs} seconds, then try again.")))
            }
            Some(Err(AppError::Unauthorized)) => Some(("bad", crate::api::auth::LOGIN_FAILED.to_string())),
            Some(Err(e)) => Some(("bad", e.to_string())),
            Some(Ok(_)) => Some(("ok", "Logged in. Opening your page…".to_string())),
            None if flag("throttled") => {
                Some(("bad", "Too many failed attempts. Wait a little, then try again.".to_string()))
            }
            None if flag("failed") => Some(("bad", crate::api::auth::LOGIN_FAILED.to_string())),
            None if flag("expired") => {
                Some(("warn", "You were logged out after a period of inactivity. Log in to continue.".to_string()))
            }
            None if flag("logged_out") => Some(("ok", "You are logged out.".to_string())),
            None if query.read().get("next").is_some() => Some(("warn", "Log in to see this page.".to_string())),
            None => None,
        }
    };

    view! {
        <Title text="Log in" />
        <section class="panel login-panel">
            <h1>"Log in to Tumorboard"</h1>
            {move || message().map(|(kind, text)| view! {
                <p class=format!("notice {kind}") role=if kind == "bad" { "alert" } else { "status" } data-testid="login-message">{text}</p>
            })}
            <ActionForm action=login>
                <input type="hidden" name="next" value=next />
                <div class="field">
                    <label for="username">"Username"</label>
                    <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none"
                        spellcheck="false" required autofocus />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required />
                </div>
                <button type="submit" disabled=move || login.pending().get()>
                    {move || if login.pending().get() { "Logging in…" } else { "Log in" }}
                </button>
            </ActionForm>
            <p class="hint">"Accounts are created by your administrator. Forgot your password? Ask them to reset it."</p>
        </section>
    }
}
