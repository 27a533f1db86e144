//! One's own account: who one is, and changing one's password (re-entering the current one).

use leptos::prelude::*;

use crate::components::actions::{failure, field_error};

use crate::api::auth::ChangePassword;
use crate::components::errors::ActionError;
use crate::components::errors::FieldError;
use crate::components::session::{GatedPage, use_session};

#[component]
pub fn AccountPage() -> impl IntoView {
    view! { <GatedPage title="Your account"><AccountDetails /></GatedPage> }
}

#[component]
fn AccountDetails() -> impl IntoView {
    let session = use_session();
    let change = ServerAction::<ChangePassword>::new();
    let err = move |field: &'static str| field_error(change, field);
    let invalid = move |field: &'static str| move || if err(field).get().is_some() { "true" } else { "false" };
    view! {
        <h1>"Your account"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                session.await.ok().flatten().map(|info| view! {
                    <section class="panel">
                        <dl class="facts">
                            <dt>"Name"</dt><dd>{info.me.display_name}</dd>
                            <dt>"Username"</dt><dd>{info.me.username}</dd>
                            <dt>"Role"</dt><dd>{info.me.role.label()}</dd>
                            <dt>"Specialty"</dt><dd>{info.me.specialty.map(|s| s.label()).unwrap_or("—")}</dd>
                        </dl>
                    </section>
                })
            })}
        </Suspense>
        <section class="panel" aria-labelledby="pw-heading">
            <h2 id="pw-heading">"Change your password"</h2>
            <p class="hint">"At least 12 characters. A short sentence is easy to remember and hard to guess."</p>
            {move || match change.value().get() {
                Some(Ok(())) => Some(view! { <p class="notice ok" role="status">"Your password was changed. Other sessions were logged out."</p> }.into_any()),
                _ => None,
            }}
            <ActionError error=failure(change) />
            <ActionForm action=change>
                <div class="field">
                    <label for="current_password">"Current password"</label>
                    <input id="current_password" name="current_password" type="password" autocomplete="current-password" required
                        aria-invalid=invalid("current_password") aria-describedby="current_password-error" />
                    <FieldError id="current_password-error" message=err("current_password") />
                </div>
                <div class="field">
                    <label for="new_password">"New password"</label>
                    <input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="12"
                        aria-invalid=invalid("new_password") aria-describedby="new_password-error" />
                    <FieldError id="new_password-error" message=err("new_password") />
                </div>
                <button type="submit" disabled=move || change.pending().get()>"Change password"</button>
            </ActionForm>
        </section>
    }
}
