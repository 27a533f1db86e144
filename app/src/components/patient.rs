//! The patient's own record on the case page (security.md ID-1): who the case is about, and the
//! one place where a patient's details are corrected, on purpose and with a reason. A
//! correction is a new version of the patient and shows on every case of the patient; a case
//! edit never changes a patient.
//!
//! Like the case form, the server's own parser checks the fields in the browser as the user
//! types, and the server's messages land in the same places.

use leptos::prelude::*;

use crate::components::errors::{FieldError, invalid, keep_focus_at};

use crate::api::cases::CorrectPatient;
use crate::components::actions::{after_failing, after_saving, failure};
use crate::components::case_form::today;
use crate::components::errors::ActionError;
use crate::domain::case::{PatientCorrection, PatientInput};
use crate::domain::codes::Sex;
use crate::error::FieldErrors;

/// The patient line of a case, with the correction form for those who may edit cases.
#[component]
pub fn PatientRecordPanel(
    patient_id: String,
    version: i64,
    patient: PatientInput,
    may_edit: bool,
    save: ServerAction<CorrectPatient>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let sex_label = Sex::parse(&patient.sex).map(|s| s.label()).unwrap_or("—");
    view! {
        <section class="panel patient" aria-labelledby="patient-heading" data-testid="patient-record">
            <h2 id="patient-heading">"Patient"</h2>
            <p>
                <strong>{patient.name.clone()}</strong> " · MRN " {patient.mrn.clone()} " · born " {patient.birth_date.clone()}
                " · " {sex_label} <span class="muted">" · patient record version " {version}</span>
            </p>
            {may_edit.then(|| view! {
                <button type="button" id="correct-patient" class="secondary small" aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|o| *o = !*o)>
                    {move || if open.get() { "Close" } else { "Correct patient details" }}
                </button>
            })}
            {move || open.get().then(|| view! {
                <CorrectionForm patient_id=patient_id.clone() version patient=patient.clone() open save />
            })}
        </section>
    }
}

#[component]
fn CorrectionForm(
    patient_id: String,
    version: i64,
    patient: PatientInput,
    open: RwSignal<bool>,
    save: ServerAction<CorrectPatient>,
) -> impl IntoView {
    let original = patient.clone();
    let data = RwSignal::new(patient);
    let reason = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let server_errors = RwSignal::new(FieldErrors::new());
    let live_errors = Memo::new(move |_| {
        let mut errors = data.with(|d| d.parse(today()).err().map(|e| e.fields).unwrap_or_default());
        if reason.with(|r| r.trim().is_empty()) {
            errors.insert("reason".into(), vec!["Say why the details are corrected.".into()]);
        }
        errors
    });
    let error = move |field: &'static str| {
        Signal::derive(move || {
            server_errors.with(|e| e.get(field).and_then(|m| m.first().cloned())).or_else(|| {
                submitted.get().then(|| live_errors.with(|e| e.get(field).and_then(|m| m.first().cloned()))).flatten()
            })
        })
    };
    after_saving(save, move |_| {
        open.set(false);
        keep_focus_at("#correct-patient");
    });
    after_failing(save, move |e| server_errors.set(e.fields().cloned().unwrap_or_default()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if !live_errors.with(|e| e.is_empty()) {
            return;
        }
        let d = data.get_untracked();
        let changed = |now: &str, before: &str| (now.trim() != before).then(|| now.trim().to_string());
        save.dispatch(CorrectPatient {
            id: patient_id.clone(),
            version,
            change: PatientCorrection {
                mrn: changed(&d.mrn, &original.mrn),
                name: changed(&d.name, &original.name),
                birth_date: changed(&d.birth_date, &original.birth_date),
                sex: changed(&d.sex, &original.sex),
                reason: reason.get_untracked(),
            },
        });
    };
    let text_field = move |field: &'static str, label: &'static str, kind: &'static str| {
        let id = format!("patient-{field}");
        let err = error(field);
        let err_id = format!("{id}-error");
        view! {
            <div class="field" class:has-error=move || err.get().is_some()>
                <label for=id.clone()>{label}</label>
                <input id=id type=kind required aria-invalid=invalid(err)
                    aria-describedby=err_id.clone()
                    prop:value=move || data.with(|d| match field { "mrn" => d.mrn.clone(), "name" => d.name.clone(), _ => d.birth_date.clone() })
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        server_errors.update(|e| { e.remove(field); });
                        data.update(|d| match field { "mrn" => d.mrn = v, "name" => d.name = v, _ => d.birth_date = v });
                    } />
                <FieldError id=err_id message=err />
            </div>
        }
    };
    let sex_error = error("sex");
    let reason_error = error("reason");

    view! {
        <form class="patient-correction" on:submit=submit novalidate>
            <p class="hint">
                "A correction changes the patient's record and shows on every case of this patient, as a new version. "
                "To put this case under another patient, change the MRN in the case editor instead."
            </p>
            {text_field("name", "Name", "text")}
            {text_field("birth_date", "Birth date", "date")}
            <div class="field" class:has-error=move || sex_error.get().is_some()>
                <label for="patient-sex">"Sex"</label>
                <select id="patient-sex" aria-describedby="patient-sex-error" aria-invalid=invalid(sex_error)
                    on:change=move |ev| { let v = event_target_value(&ev); data.update(|d| d.sex = v); }>
                    {Sex::ALL.iter().map(|s| {
                        let code = s.code();
                        view! { <option value=code selected=move || data.with(|d| d.sex == code)>{s.label()}</option> }
                    }).collect_view()}
                </select>
                <FieldError id="patient-sex-error" message=sex_error />
            </div>
            {text_field("mrn", "MRN", "text")}
            <div class="field" class:has-error=move || reason_error.get().is_some()>
                <label for="patient-reason">"Why the correction (required)"</label>
                <input id="patient-reason" type="text" required aria-describedby="patient-reason-error"
                    aria-invalid=invalid(reason_error)
                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                <FieldError id="patient-reason-error" message=Signal::derive(move || reason_error.get()) />
            </div>
            <ActionError error=failure(save) />
            <button type="submit" disabled=move || save.pending().get()>
                {move || if save.pending().get() { "Saving…" } else { "Save the correction" }}
            </button>
        </form>
    }
}
