//! The form's controls: label, control and message of each kind of field, all tied together
//! for screen readers (`aria-describedby`, `aria-invalid`).

use leptos::prelude::*;

use super::{FormState, dom_id};
use crate::components::errors::{FieldError, invalid};
use crate::domain::case::CaseInput;

/// Label, control and message of one field.
#[component]
pub(super) fn Field(
    form: FormState,
    field: &'static str,
    label: &'static str,
    #[prop(default = None)] hint: Option<&'static str>,
    children: Children,
) -> AnyView {
    let id = dom_id(field);
    let error = form.error(field);
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}
                {super::REQUIRED.contains(&field).then(|| view! { " " <abbr class="req" title="required" aria-hidden="true">"*"</abbr> })}
            </label>
            {children()}
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            <FieldError id=format!("{id}-error") message=error />
        </div>
    }
    .into_any()
}

pub(super) fn described_by(field: &str, hint: bool) -> String {
    let id = dom_id(field);
    if hint { format!("{id}-error {id}-hint") } else { format!("{id}-error") }
}

#[component]
pub(super) fn TextInput(
    form: FormState,
    field: &'static str,
    label: &'static str,
    get: fn(&CaseInput) -> String,
    set: fn(&mut CaseInput, String),
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> AnyView {
    let error = form.error(field);
    view! {
        <Field form field label hint>
            <input
                id=dom_id(field)
                type=kind
                required=required
                autocomplete=autocomplete.unwrap_or("off")
                aria-invalid=invalid(error)
                aria-describedby=described_by(field, hint.is_some())
                prop:value=move || form.data.with(get)
                on:input=move |ev| { let v = event_target_value(&ev); form.edit(field, |d| set(d, v)); }
            />
        </Field>
    }
    .into_any()
}

#[component]
pub(super) fn TextArea(
    form: FormState,
    field: &'static str,
    label: &'static str,
    get: fn(&CaseInput) -> String,
    set: fn(&mut CaseInput, String),
    #[prop(default = 4)] rows: u32,
) -> AnyView {
    let error = form.error(field);
    view! {
        <Field form field label hint=None>
            <textarea
                id=dom_id(field)
                rows=rows
                aria-invalid=invalid(error)
                aria-describedby=described_by(field, false)
                prop:value=move || form.data.with(get)
                on:input=move |ev| { let v = event_target_value(&ev); form.edit(field, |d| set(d, v)); }
            ></textarea>
        </Field>
    }
    .into_any()
}

#[component]
pub(super) fn CodeSelect(
    form: FormState,
    field: &'static str,
    label: &'static str,
    options: Vec<(&'static str, &'static str)>,
    get: fn(&CaseInput) -> Option<String>,
    set: fn(&mut CaseInput, Option<String>),
    #[prop(default = "— not recorded —")] empty: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> AnyView {
    let error = form.error(field);
    view! {
        <Field form field label hint>
            <select
                id=dom_id(field)
                aria-invalid=invalid(error)
                aria-describedby=described_by(field, hint.is_some())
                prop:value=move || form.data.with(get).unwrap_or_default()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    form.edit(field, |d| set(d, Some(v).filter(|s| !s.is_empty())));
                }
            >
                <option value="">{empty}</option>
                {options.into_iter().map(|(code, text)| view! {
                    <option value=code selected=move || form.data.with(get).as_deref() == Some(code)>{text}</option>
                }).collect_view()}
            </select>
        </Field>
    }
    .into_any()
}

#[component]
pub(super) fn NumberInput(
    form: FormState,
    field: &'static str,
    label: &'static str,
    get: fn(&CaseInput) -> Option<f64>,
    set: fn(&mut CaseInput, Option<f64>),
    #[prop(default = "any")] step: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> AnyView {
    let error = form.error(field);
    view! {
        <Field form field label hint>
            <input
                id=dom_id(field)
                type="number"
                inputmode="decimal"
                step=step
                aria-invalid=invalid(error)
                aria-describedby=described_by(field, hint.is_some())
                prop:value=move || form.data.with(get).map(crate::domain::tumor::trim_number).unwrap_or_default()
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    form.edit(field, |d| set(d, v.trim().parse::<f64>().ok()));
                }
            />
        </Field>
    }
    .into_any()
}

#[component]
pub(super) fn Check(
    form: FormState,
    field: &'static str,
    label: &'static str,
    get: fn(&CaseInput) -> Option<bool>,
    set: fn(&mut CaseInput, Option<bool>),
) -> AnyView {
    let id = dom_id(field);
    view! {
        <div class="field check">
            <input
                id=id.clone()
                type="checkbox"
                prop:checked=move || form.data.with(get).unwrap_or(false)
                on:change=move |ev| { let v = event_target_checked(&ev); form.edit(field, |d| set(d, Some(v))); }
            />
            <label for=id>{label}</label>
        </div>
    }
    .into_any()
}

/// Yes / no / not recorded, for the optional refinements where "not recorded" matters.
#[component]
pub(super) fn TriState(
    form: FormState,
    field: &'static str,
    label: &'static str,
    get: fn(&CaseInput) -> Option<bool>,
    set: fn(&mut CaseInput, Option<bool>),
) -> AnyView {
    let error = form.error(field);
    view! {
        <Field form field label hint=None>
            <select
                id=dom_id(field)
                aria-describedby=described_by(field, false)
                aria-invalid=invalid(error)
                prop:value=move || match form.data.with(get) { Some(true) => "yes", Some(false) => "no", None => "" }
                on:change=move |ev| {
                    let v = match event_target_value(&ev).as_str() { "yes" => Some(true), "no" => Some(false), _ => None };
                    form.edit(field, |d| set(d, v));
                }
            >
                <option value="">"— not recorded —"</option>
                <option value="yes" selected=move || form.data.with(get) == Some(true)>"Yes"</option>
                <option value="no" selected=move || form.data.with(get) == Some(false)>"No"</option>
            </select>
        </Field>
    }
    .into_any()
}

#[component]
pub(super) fn MultiCheck(
    form: FormState,
    field: &'static str,
    legend: &'static str,
    options: Vec<(&'static str, &'static str)>,
    get: fn(&CaseInput) -> Vec<String>,
    set: fn(&mut CaseInput, Vec<String>),
) -> AnyView {
    let error = form.error(field);
    let base = dom_id(field);
    view! {
        <fieldset class="multi" aria-describedby=format!("{base}-error") aria-invalid=invalid(error)>
            <legend>{legend}</legend>
            <div class="multi-options">
                {options.into_iter().map(|(code, text)| {
                    let id = format!("{base}-{code}");
                    view! {
                        <span class="check">
                            <input
                                id=id.clone()
                                type="checkbox"
                                prop:checked=move || form.data.with(|d| get(d).iter().any(|c| c == code))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    form.edit(field, |d| {
                                        let mut v = get(d);
                                        v.retain(|c| c != code);
                                        if on { v.push(code.to_string()); }
                                        set(d, v);
                                    });
                                }
                            />
                            <label for=id>{text}</label>
                        </span>
                    }
                }).collect_view()}
            </div>
            <FieldError id=format!("{base}-error") message=Signal::derive(move || error.get()) />
        </fieldset>
    }
    .into_any()
}
