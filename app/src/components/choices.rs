//! The `<option>`s of a coded choice, built from its code enum (never typed out in a view).

use leptos::prelude::*;

use crate::domain::codes::Code;

/// One `<option>` per value of `T`, value = code, text = label.
pub fn code_options<T: Code>() -> impl IntoView {
    T::ALL.iter().map(|v| view! { <option value=v.code()>{v.label()}</option> }).collect_view()
}
