//! The case form, for new cases and edits. The same domain parser that the server uses
//! checks the fields in the browser while the user types, so a message appears next to the
//! field before anything is sent; the server checks again and its messages land in the same
//! places. Native controls only: everything works with the keyboard.

mod fields;
mod inputs;

use std::collections::BTreeSet;

use leptos::prelude::*;

pub use fields::CaseFields;

use crate::domain::case::CaseInput;
use crate::error::{AppError, FieldErrors};

/// Now as a stored time (RFC 3339, UTC), where the code runs (chrono's clock is not available in
/// the browser build).
fn now_stored() -> String {
    #[cfg(feature = "hydrate")]
    {
        String::from(js_sys::Date::new_0().to_iso_string())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

/// Now in UTC to the minute ("2026-12-02T05:40"), to compare with stored times.
pub fn now_utc_minute() -> String {
    now_stored().chars().take(16).collect()
}

/// Now on the hospital's clock to the minute ("2026-12-02T06:40"), to compare with a time typed
/// into a `datetime-local` input.
pub fn now_local_minute() -> String {
    crate::components::format::zone().input(&now_stored())
}

/// Today on the hospital's clock, where the code runs.
pub fn today() -> chrono::NaiveDate {
    crate::components::format::zone().day(&now_stored()).unwrap_or_default()
}

/// The state of one form: its data, which fields were touched, and the server's verdict.
#[derive(Clone, Copy)]
pub struct FormState {
    pub data: RwSignal<CaseInput>,
    touched: RwSignal<BTreeSet<String>>,
    pub submitted: RwSignal<bool>,
    server_errors: RwSignal<FieldErrors>,
    live_errors: Memo<FieldErrors>,
}

impl FormState {
    pub fn new(initial: CaseInput) -> Self {
        let data = RwSignal::new(initial);
        let live_errors =
            Memo::new(move |_| data.with(|d| d.parse(today()).err().map(|e| e.fields).unwrap_or_default()));
        Self {
            data,
            touched: RwSignal::new(BTreeSet::new()),
            submitted: RwSignal::new(false),
            server_errors: RwSignal::new(FieldErrors::new()),
            live_errors,
        }
    }

    /// The message to show for a field: the server's, else the live check's once the field was
    /// touched or the form submitted.
    pub fn error(&self, field: &'static str) -> Signal<Option<String>> {
        let s = *self;
        Signal::derive(move || {
            if let Some(m) = s.server_errors.with(|e| e.get(field).and_then(|m| m.first().cloned())) {
                return Some(m);
            }
            let show = s.submitted.get() || s.touched.with(|t| t.contains(field));
            if show { s.live_errors.with(|e| e.get(field).and_then(|m| m.first().cloned())) } else { None }
        })
    }

    pub(super) fn edit(&self, field: &'static str, f: impl FnOnce(&mut CaseInput)) {
        self.data.update(f);
        self.touched.update(|t| {
            t.insert(field.to_string());
        });
        self.server_errors.update(|e| {
            e.remove(field);
        });
    }

    /// A field outside the case's own was changed (the editor's reason, the new case's board):
    /// the server's message on it is out of date.
    pub fn forget_server_error(&self, field: &str) {
        self.server_errors.update(|e| {
            e.remove(field);
        });
    }

    /// True when the live check finds nothing wrong.
    pub fn is_valid(&self) -> bool {
        self.live_errors.with(|e| e.is_empty())
    }

    /// Shows a server answer's field errors next to their fields.
    pub fn show_server_error(&self, err: &AppError) {
        self.server_errors.set(err.fields().cloned().unwrap_or_default());
    }

    /// What the board still needs, live; None while the form does not check (its errors come
    /// first: an empty or invalid form never reads as complete).
    pub fn missing(&self) -> Signal<Option<Vec<String>>> {
        let data = self.data;
        Signal::derive(move || {
            data.with(|d| d.parse(today()).ok().map(|c| c.missing_for_board().into_iter().map(|m| m.1).collect()))
        })
    }

    /// Every message the form shows now, in the order its fields are read: the server's, and
    /// the live check's once submitted. For the error summary at the top of the form.
    pub fn shown_errors(&self) -> Signal<Vec<(String, String)>> {
        let s = *self;
        Signal::derive(move || {
            let first = |e: &FieldErrors| -> Vec<(String, String)> {
                e.iter().filter_map(|(f, m)| Some((f.clone(), m.first()?.clone()))).collect()
            };
            // One message per field; the server's replaces the live check's.
            let mut all: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
            if s.submitted.get() {
                all.extend(s.live_errors.with(first));
            }
            all.extend(s.server_errors.with(first));
            let mut list: Vec<(String, String)> = all.into_iter().collect();
            list.sort_by_key(|(f, _)| crate::domain::tumor::field_rank(f));
            list
        })
    }
}

/// The fields the case forms send beside the case's own, as their error summary names and links
/// them: the new case's board (chosen above the form) and the editor's reason for the change.
const OUTSIDE_FIELDS: &[(&str, &str, &str)] =
    &[("board_id", "case-board", "Board"), ("reason", "edit-reason", "Reason for the change")];

/// The DOM id an error summary links to for `field` (`ErrorSummary`'s `dom_id`).
pub fn summary_dom_id(field: &str) -> String {
    OUTSIDE_FIELDS.iter().find(|(f, _, _)| *f == field).map_or_else(|| dom_id(field), |(_, id, _)| id.to_string())
}

/// The words an error summary names `field` with (`ErrorSummary`'s `label`).
pub fn summary_label(field: &str) -> String {
    OUTSIDE_FIELDS
        .iter()
        .find(|(f, _, _)| *f == field)
        .map_or_else(|| crate::pages::case::field_label(field), |(_, _, label)| label.to_string())
}

/// Beside the form's save button after a refused save: the messages may be far above it.
#[component]
pub fn InvalidNotice(form: FormState) -> impl IntoView {
    move || {
        (form.submitted.get() && (!form.is_valid() || form.server_errors.with(|e| !e.is_empty()))).then(|| {
            view! {
                <p class="notice bad" data-testid="form-invalid">
                    "Some fields need attention: the list at the top of the form links to each."
                </p>
            }
        })
    }
}

/// The fields a draft cannot be saved without (marked * on the form).
pub(super) const REQUIRED: &[&str] = &["patient.mrn", "patient.name", "patient.birth_date", "patient.sex"];

pub fn dom_id(field: &str) -> String {
    format!("f-{}", field.replace('.', "-"))
}
