//! Showing errors to people: what went wrong and what to do next.

use leptos::prelude::*;

use crate::error::AppError;

/// One message per caught error: an `AppError` says what happened and what to do; anything
/// else (a bug) gets `fallback`, never internal detail.
fn messages(errors: &ArcRwSignal<Errors>, fallback: &str) -> Vec<String> {
    errors
        .get()
        .into_iter()
        .map(|(_, e)| match e.downcast_ref::<AppError>() {
            Some(app) => app.to_string(),
            None => fallback.to_string(),
        })
        .collect()
}

/// Fallback of the page's error boundary: one message per error, never internal detail.
#[component]
pub fn ErrorPanel(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let messages = move || messages(&errors, "Something went wrong. Reload the page; if it persists, call IT.");
    view! {
        <section class="panel error-panel" role="alert">
            <h1>"This page could not be shown"</h1>
            <ul>{move || messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
            <p><a href="/">"Back to the start page"</a></p>
        </section>
    }
}

/// Fallback of a section's error boundary: the section could not be loaded; the message says
/// what to do next (reload, log in again, call IT with the reference).
pub fn error_notice(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let messages = move || messages(&errors, "This part of the page could not be loaded. Reload the page.");
    view! {
        <div class="notice bad" role="alert">{move || messages().into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}</div>
    }
}

/// What went wrong with an action, when it is not about one field (those show next to their
/// field): a stale version, a refusal, a lost connection.
#[component]
pub fn ActionError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| e.fields().is_none())
            .map(|e| view! { <p class="notice bad" role="alert">{e.to_string()}</p> })
    }
}

/// `aria-invalid` of a control: "true" while its field shows an error.
pub fn invalid(error: Signal<Option<String>>) -> impl Fn() -> &'static str + Copy {
    move || if error.get().is_some() { "true" } else { "false" }
}

/// A field's error message, tied to its control by id (`aria-describedby`).
#[component]
pub fn FieldError(#[prop(into)] id: String, #[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p class="field-error" id=id aria-live="polite">
            {move || message.get()}
        </p>
    }
}

/// A labelled one-line text input bound to `value`, with its field error tied to it by id
/// (`{id}-error`) and `aria-invalid` while there is one.
#[component]
pub fn TextField(
    id: &'static str,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
    /// The input's type when not "text" ("url", "datetime-local").
    #[prop(optional)]
    kind: Option<&'static str>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type=kind.unwrap_or("text") required=required
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=invalid(error)
                aria-describedby=error_id.clone() />
            <FieldError id=error_id message=error />
        </div>
    }
}

/// The error summary at the top of a form: how many fields need attention, each message
/// linking to its field (`#{dom id}`), so nobody hunts for messages below the fold. The page
/// moves the focus here after a refused submit (`focus`).
#[component]
pub fn ErrorSummary(
    /// (field, message) in the order the fields are read.
    #[prop(into)]
    errors: Signal<Vec<(String, String)>>,
    /// The field's DOM id from its name.
    dom_id: fn(&str) -> String,
    /// The field's words from its name.
    label: fn(&str) -> String,
    node: NodeRef<leptos::html::Div>,
) -> impl IntoView {
    view! {
        <div class="notice bad error-summary" role="alert" tabindex="-1" node_ref=node data-testid="error-summary"
            hidden=move || errors.with(|e| e.is_empty())>
            {move || {
                let list = errors.get();
                let n = list.len();
                view! {
                    <p><strong>{if n == 1 { "1 field needs attention:".to_string() } else { format!("{n} fields need attention:") }}</strong></p>
                    <ul>
                        {list.into_iter().map(|(f, m)| view! {
                            <li><a href=format!("#{}", dom_id(&f))>{label(&f)} ": " {m}</a></li>
                        }).collect_view()}
                    </ul>
                }
            }}
        </div>
    }
}

/// Moves the keyboard focus, once the view has updated, to the element that `container` (a CSS
/// selector) finds if it is a control, a link, a summary of a `<details>` or made focusable for
/// this (`tabindex="-1"`), else to the first visible control inside it, or else to an element in
/// it made focusable for this (a heading, a withdrawal's notice): into a form that has just
/// replaced the button that opened it, or back to that button when the form closes. Without it
/// the focus falls to the page when the button or the form it was on is removed.
pub fn focus_first_in(container: impl Into<String>) {
    let container: String = container.into();
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        focus_in_now(&container);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = container;
}

/// `focus_first_in` at once: the element focused, if one was found.
#[cfg(feature = "hydrate")]
fn focus_in_now(container: &str) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    let find = |selector: String| document().query_selector(&selector).ok().flatten();
    let usable = ":is(input, select, textarea, button):not([hidden]):not([disabled]):not([type=hidden])";
    let found = find(format!("{container}{usable}"))
        .or_else(|| find(format!("{container}:is(a[href], summary, [tabindex=\"-1\"])")))
        .or_else(|| find(format!("{container} {usable}")))
        .or_else(|| find(format!("{container} [tabindex=\"-1\"]")))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())?;
    found.focus().ok()?;
    Some(found)
}

/// For a few seconds after one of the page's own actions succeeded, a keyboard focus that is
/// lost goes to `target` (as `focus_first_in` finds it). "Lost" is on the page's body: the form
/// or button that had the focus is gone, and the page draws its views anew, once or several
/// times, as its data comes back; a focus on any field or button is never taken. Lost too: the
/// element this watch gave the focus to no longer is (or is in) `target`, because a list drawn
/// anew reused it for another item (a card that moved on, its place taken by the next one). A
/// newer call, or a press of any button, ends the watch. Call it where the action's success is
/// handled (`after_saving`).
pub fn keep_focus_at(target: impl Into<String>) {
    #[cfg(feature = "hydrate")]
    {
        use std::sync::atomic::Ordering;
        let me = KEEPER.fetch_add(1, Ordering::Relaxed) + 1;
        keep_focus_tick(me, js_sys::Date::now() + KEEP_FOCUS_MS, target.into(), None);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = target;
}

/// How long `keep_focus_at` watches: the page's data comes back well within it on a working
/// network; after it, a redraw leaves the focus where it is.
#[cfg(feature = "hydrate")]
const KEEP_FOCUS_MS: f64 = 5_000.0;

/// The latest `keep_focus_at` call; an older one's watch stops.
#[cfg(feature = "hydrate")]
static KEEPER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

#[cfg(feature = "hydrate")]
fn keep_focus_tick(me: u32, until: f64, target: String, placed: Option<web_sys::HtmlElement>) {
    if KEEPER.load(std::sync::atomic::Ordering::Relaxed) != me || js_sys::Date::now() > until {
        return;
    }
    let active = document().active_element();
    let lost = focus_lost(&active);
    let reused = placed.as_ref().is_some_and(|p| {
        active.as_ref().is_some_and(|a| a == &**p) && !p.matches(&format!("{target}, {target} *")).unwrap_or(false)
    });
    let placed = if lost || reused { focus_in_now(&target).or(placed) } else { placed };
    set_timeout(move || keep_focus_tick(me, until, target, placed), std::time::Duration::from_millis(50));
}

/// The keyboard focus is on nobody: the page's body has it (the element that had it was
/// removed, hidden or disabled).
#[cfg(feature = "hydrate")]
fn focus_lost(active: &Option<web_sys::Element>) -> bool {
    active.as_ref().is_none_or(|e| e.tag_name() == "BODY")
}

/// Installed once by the app: a button pressed and then disabled while its request runs loses
/// the keyboard focus to the page (the browser takes it away), and when the request ends without
/// removing the button (a refused field, a save that keeps the form) the focus came back to
/// nobody. Now it comes back to that button once it is enabled again, if the focus is still on
/// the page then; a focus anywhere else, or the button gone or hidden, ends the watch (a form
/// closed by its save is `keep_focus_at`'s work).
pub fn give_focus_back_to_pressed_buttons() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let handle = window_event_listener(leptos::ev::click, |ev| {
            let pressed = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("button").ok().flatten())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(button) = pressed {
                use std::sync::atomic::Ordering;
                // A new press also ends an earlier save's `keep_focus_at`: the person moved on.
                let keeper = KEEPER.fetch_add(1, Ordering::Relaxed) + 1;
                let me = PRESSED.fetch_add(1, Ordering::Relaxed) + 1;
                // After the click's own handlers and the redraw they cause (a pending button is
                // disabled by then).
                let until = js_sys::Date::now() + GIVE_BACK_MS;
                set_timeout(move || give_back_tick(me, keeper, until, button), std::time::Duration::from_millis(50));
            }
        });
        // For the life of the page.
        std::mem::forget(handle);
    }
}

/// How long a pressed button's request may run and still get the focus back.
#[cfg(feature = "hydrate")]
const GIVE_BACK_MS: f64 = 15_000.0;

/// The latest press: an older one's watch stops.
#[cfg(feature = "hydrate")]
static PRESSED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

#[cfg(feature = "hydrate")]
fn give_back_tick(me: u32, keeper: u32, until: f64, button: web_sys::HtmlElement) {
    use std::sync::atomic::Ordering;
    // A newer press, or the press's success now placing the focus itself (`keep_focus_at`).
    let superseded = PRESSED.load(Ordering::Relaxed) != me || KEEPER.load(Ordering::Relaxed) != keeper;
    if superseded || js_sys::Date::now() > until || !button.is_connected() {
        return;
    }
    let disabled = button.has_attribute("disabled");
    let active = document().active_element();
    let lost = focus_lost(&active);
    let on_button = active.is_some_and(|e| e == *button);
    if !(lost || (on_button && disabled)) {
        // On the enabled button (never lost), or somewhere else (the person moved on).
        return;
    }
    if lost && !disabled {
        // The request is over and the button works again (and is shown): it has the focus back.
        if button.offset_parent().is_some() {
            let _ = button.focus();
        }
        return;
    }
    set_timeout(move || give_back_tick(me, keeper, until, button), std::time::Duration::from_millis(50));
}

/// Moves the keyboard focus to `node` once the view has updated (an error summary after a
/// refused submit).
pub fn focus_soon(node: NodeRef<leptos::html::Div>) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        if let Some(el) = node.get_untracked() {
            let _ = el.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = node;
}
