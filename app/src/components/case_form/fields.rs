//! The case's fields in the order clinicians fill them in: patient, question, tumour, disease
//! extent, function and imaging, performance status and history.

use leptos::prelude::*;

use super::FormState;
use super::inputs::*;
use crate::domain::codes::*;

/// The fields of a case, grouped as a referral letter is.
#[component]
pub fn CaseFields(form: FormState) -> impl IntoView {
    let missing = form.missing();
    view! {
        <div class="case-form-layout">
            <div class="case-form-main">
                <fieldset class="panel">
                    <legend>"Patient"</legend>
                    <div class="grid-form">
                        <TextInput form field="patient.mrn" label="MRN" required=true get=|d| d.patient.mrn.clone() set=|d, v| d.patient.mrn = v />
                        <TextInput form field="patient.name" label="Name" required=true autocomplete="off" get=|d| d.patient.name.clone() set=|d, v| d.patient.name = v />
                        <TextInput form field="patient.birth_date" label="Birth date" kind="date" required=true get=|d| d.patient.birth_date.clone() set=|d, v| d.patient.birth_date = v />
                        <CodeSelect form field="patient.sex" label="Sex" empty="— choose —" options={choices::<Sex>()}
                            get=|d| Some(d.patient.sex.clone()).filter(|s| !s.is_empty()) set=|d, v| d.patient.sex = v.unwrap_or_default() />
                    </div>
                </fieldset>
                <fieldset class="panel">
                    <legend>"Referral"</legend>
                    <div class="grid-form">
                        <TextInput form field="referring_clinician" label="Referring clinician" get=|d| d.referring_clinician.clone() set=|d, v| d.referring_clinician = v />
                    </div>
                    <TextArea form field="question" label="Question to the board" rows=2 get=|d| d.question.clone() set=|d, v| d.question = v />
                </fieldset>
                <fieldset class="panel">
                    <legend>"Primary tumour and pathology"</legend>
                    <div class="grid-form">
                        <CodeSelect form field="tumor.primary_site" label="Primary site" options={choices::<PrimarySite>()}
                            get=|d| d.tumor.primary_site.clone() set=|d, v| d.tumor.primary_site = v />
                        <CodeSelect form field="tumor.gastric_type" label="Gastric type (stomach only)" options={choices::<GastricType>()}
                            get=|d| d.tumor.gastric_type.clone() set=|d, v| d.tumor.gastric_type = v />
                        <CodeSelect form field="tumor.differentiation" label="Differentiation" options={choices::<Differentiation>()}
                            get=|d| d.tumor.differentiation.clone() set=|d, v| d.tumor.differentiation = v />
                        <CodeSelect form field="tumor.grade" label="Grade (WHO 2019)" options={choices::<Grade>()}
                            hint="GEP: G1 Ki-67 < 3 %, G2 3–20 %, G3 > 20 %. Lung/thymus: typical = G1, atypical = G2."
                            get=|d| d.tumor.grade.clone() set=|d, v| d.tumor.grade = v />
                        <NumberInput form field="tumor.ki67_percent" label="Ki-67 (%)" get=|d| d.tumor.ki67_percent set=|d, v| d.tumor.ki67_percent = v />
                        <NumberInput form field="tumor.tumor_size_mm" label="Largest diameter (mm)" get=|d| d.tumor.tumor_size_mm set=|d, v| d.tumor.tumor_size_mm = v />
                    </div>
                </fieldset>
                <fieldset class="panel">
                    <legend>"Stage"</legend>
                    <div class="grid-form">
                        <CodeSelect form field="tumor.t_stage" label="T" options={choices::<TStage>()} get=|d| d.tumor.t_stage.clone() set=|d, v| d.tumor.t_stage = v />
                        <CodeSelect form field="tumor.n_stage" label="N" options={choices::<NStage>()} get=|d| d.tumor.n_stage.clone() set=|d, v| d.tumor.n_stage = v />
                        <CodeSelect form field="tumor.m_stage" label="M" options={choices::<MStage>()} get=|d| d.tumor.m_stage.clone() set=|d, v| d.tumor.m_stage = v />
                        <CodeSelect form field="tumor.liver_burden" label="Liver burden" options={choices::<LiverBurden>()}
                            get=|d| d.tumor.liver_burden.clone() set=|d, v| d.tumor.liver_burden = v />
                    </div>
                    <MultiCheck form field="tumor.metastatic_sites" legend="Metastatic sites (empty when M0)" options={choices::<MetastaticSite>()}
                        get=|d| d.tumor.metastatic_sites.clone() set=|d, v| d.tumor.metastatic_sites = v />
                    <div class="grid-form">
                        <NumberInput form field="tumor.liver_lesion_count" label="Number of liver lesions" step="1" get=|d| d.tumor.liver_lesion_count set=|d, v| d.tumor.liver_lesion_count = v />
                        <NumberInput form field="tumor.liver_max_lesion_mm" label="Largest liver lesion (mm)" get=|d| d.tumor.liver_max_lesion_mm set=|d, v| d.tumor.liver_max_lesion_mm = v />
                        <TriState form field="tumor.primary_resectable" label="Primary resectable" get=|d| d.tumor.primary_resectable set=|d, v| d.tumor.primary_resectable = v />
                        <CodeSelect form field="tumor.tumor_burden" label="Tumour burden" options={choices::<TumorBurden>()}
                            get=|d| d.tumor.tumor_burden.clone() set=|d, v| d.tumor.tumor_burden = v />
                    </div>
                </fieldset>
                <fieldset class="panel">
                    <legend>"Function and imaging"</legend>
                    <div class="grid-form">
                        <CodeSelect form field="tumor.functional_syndrome" label="Functional status" options={choices::<FunctionalSyndrome>()}
                            get=|d| d.tumor.functional_syndrome.clone() set=|d, v| d.tumor.functional_syndrome = v />
                        <CodeSelect form field="tumor.sstr_imaging" label="SSTR imaging (PET or scintigraphy)" options={choices::<SstrImaging>()}
                            get=|d| d.tumor.sstr_imaging.clone() set=|d, v| d.tumor.sstr_imaging = v />
                        <CodeSelect form field="tumor.mibg_avid" label="MIBG avid" options={choices::<MibgAvid>()}
                            get=|d| d.tumor.mibg_avid.clone() set=|d, v| d.tumor.mibg_avid = v />
                    </div>
                    <div class="checks">
                        <Check form field="tumor.hormonal_symptoms" label="Symptoms of hormone excess now" get=|d| d.tumor.hormonal_symptoms set=|d, v| d.tumor.hormonal_symptoms = v />
                        <Check form field="tumor.hormonal_symptoms_refractory" label="Symptoms persist despite medical control" get=|d| d.tumor.hormonal_symptoms_refractory set=|d, v| d.tumor.hormonal_symptoms_refractory = v />
                        <Check form field="tumor.men1" label="MEN1" get=|d| d.tumor.men1 set=|d, v| d.tumor.men1 = v />
                    </div>
                </fieldset>
                <fieldset class="panel">
                    <legend>"Performance status and symptoms"</legend>
                    <div class="grid-form">
                        <CodeSelect form field="tumor.ecog" label="ECOG performance status"
                            options=vec![("0", "0 — fully active"), ("1", "1 — restricted in strenuous activity"), ("2", "2 — ambulatory, no work"), ("3", "3 — limited self-care"), ("4", "4 — completely disabled")]
                            get=|d| d.tumor.ecog.map(crate::domain::tumor::trim_number) set=|d, v| d.tumor.ecog = v.and_then(|s| s.parse().ok()) />
                    </div>
                    <div class="checks">
                        <Check form field="tumor.bone_pain" label="Pain from bone metastases" get=|d| d.tumor.bone_pain set=|d, v| d.tumor.bone_pain = v />
                    </div>
                </fieldset>
                <fieldset class="panel">
                    <legend>"Treatment so far"</legend>
                    <MultiCheck form field="tumor.prior_treatments" legend="Treatments already given" options={choices::<OptionCode>()}
                        get=|d| d.tumor.prior_treatments.clone() set=|d, v| d.tumor.prior_treatments = v />
                    <div class="checks">
                        <Check form field="tumor.progression_on_prior" label="Progression on the most recent treatment" get=|d| d.tumor.progression_on_prior set=|d, v| d.tumor.progression_on_prior = v />
                    </div>
                    <div class="grid-form">
                        <CodeSelect form field="tumor.resection_margin" label="Resection margin" options={choices::<ResectionMargin>()}
                            get=|d| d.tumor.resection_margin.clone() set=|d, v| d.tumor.resection_margin = v />
                        <TriState form field="tumor.lymphovascular_invasion" label="Lymphovascular invasion" get=|d| d.tumor.lymphovascular_invasion set=|d, v| d.tumor.lymphovascular_invasion = v />
                        <TriState form field="tumor.ampullary" label="Ampullary (duodenum)" get=|d| d.tumor.ampullary set=|d, v| d.tumor.ampullary = v />
                    </div>
                </fieldset>
                <fieldset class="panel">
                    <legend>"History"</legend>
                    <TextArea form field="history" label="Clinical history" get=|d| d.history.clone() set=|d, v| d.history = v />
                    <TextArea form field="comorbidities" label="Comorbidities" rows=3 get=|d| d.comorbidities.clone() set=|d, v| d.comorbidities = v />
                </fieldset>
            </div>
            <aside class="case-form-side" aria-label="Completeness">
                <div class="panel sticky">
                    <h2>"Before the board"</h2>
                    {move || {
                        let Some(m) = missing.get() else {
                            return view! {
                                <p data-testid="form-unchecked">"Completeness is shown once the patient's fields (marked *) are filled in and the form has no errors."</p>
                            }.into_any();
                        };
                        if m.is_empty() {
                            view! { <p class="notice ok" data-testid="form-complete">"Everything the board needs is recorded."</p> }.into_any()
                        } else {
                            view! {
                                <p>"Still missing:"</p>
                                <ul class="missing" data-testid="form-missing">{m.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                                <p class="hint">"A draft can be saved without these."</p>
                            }.into_any()
                        }
                    }}
                </div>
            </aside>
        </div>
    }
}
