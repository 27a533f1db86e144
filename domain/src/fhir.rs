//! FHIR R4 (4.0.1) export of a case (issue 19): one `collection` Bundle with the Patient, the
//! primary cancer Condition, an Observation per recorded tumour fact, a ClinicalImpression per
//! standing specialty annotation, the stored proposal as a RequestGroup (intent `proposal`:
//! the proposer proposes, the board decides), the board's plan as a CarePlan, and a Provenance
//! for its signature.
//!
//! Codes only where a real code exists (issue 19: "never an invented one"):
//! - body sites: SNOMED CT body structures (the codes DICOM CID 4031 uses);
//! - histology: ICD-O-3 morphology of the WHO 2019 classification of digestive NENs
//!   (8240/3 NET G1, 8249/3 NET G2 and G3, 8246/3 neuroendocrine carcinoma NOS);
//! - ECOG: LOINC 89247-1 (as mCODE's ECOGPerformanceStatus);
//! - Ki-67 in percent: UCUM `%`;
//! - the plan's category: SNOMED CT 312384001 "Multidisciplinary assessment";
//! - patient gender, condition clinical status and category, the provenance agent type and
//!   the signature type: FHIR's own code systems.
//!
//! The case records T, N and M without saying whether they are clinical or pathological and
//! without a TNM edition, and its stage group is the summary stage the proposer uses
//! (localized, regional, metastatic), not an AJCC group: so the TNM and stage Observations
//! carry their values as text under a text code, not the mCODE TNM profiles' LOINC codes,
//! which would assert a staging basis and an edition the record does not hold. Grade, Ki-67
//! and SSTR imaging are text-coded for the same reason (no single code says exactly what the
//! case records).

use serde_json::{Value, json};

use crate::annotation::Annotation;
use crate::case::{CaseRecord, StoredProposal, stage_group};
use crate::codes::{Differentiation, Grade, PrimarySite};
use crate::plan::Plan;
use crate::tumor::Tumor;

const SNOMED: &str = "http://snomed.info/sct";
const LOINC: &str = "http://loinc.org";
const ICD_O_3: &str = "http://terminology.hl7.org/CodeSystem/icd-o-3";
const UCUM: &str = "http://unitsofmeasure.org";
/// mCODE's primary cancer condition profile and its histology extension (STU2).
pub const MCODE_PRIMARY_CANCER: &str =
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-primary-cancer-condition";
pub const MCODE_HISTOLOGY: &str =
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior";

/// The SNOMED CT body structure of a primary site (DICOM CID 4031 "Common Anatomic Regions").
pub fn body_site(site: PrimarySite) -> Option<(&'static str, &'static str)> {
    Some(match site {
        PrimarySite::Pancreas => ("15776009", "Pancreatic structure"),
        PrimarySite::SmallIntestine => ("30315005", "Small intestinal structure"),
        PrimarySite::Appendix => ("66754008", "Appendix structure"),
        PrimarySite::Rectum => ("34402009", "Rectum structure"),
        PrimarySite::Colon => ("71854001", "Colon structure"),
        PrimarySite::Stomach => ("69695003", "Stomach structure"),
        PrimarySite::Duodenum => ("38848004", "Duodenal structure"),
        PrimarySite::Lung => ("39607008", "Lung structure"),
        PrimarySite::Thymus => ("9875009", "Thymus structure"),
        PrimarySite::Unknown => return None,
    })
}

/// The ICD-O-3 morphology of a tumour, when differentiation (and for NETs the grade) is known
/// (WHO Classification of Tumours, Digestive System, 5th ed. 2019, neuroendocrine neoplasms).
pub fn morphology(
    differentiation: Option<Differentiation>,
    grade: Option<Grade>,
) -> Option<(&'static str, &'static str)> {
    match (differentiation?, grade) {
        (Differentiation::Poor, _) => Some(("8246/3", "Neuroendocrine carcinoma, NOS")),
        (Differentiation::Well, Some(Grade::G1)) => Some(("8240/3", "Neuroendocrine tumor, grade 1")),
        (Differentiation::Well, Some(Grade::G2)) => Some(("8249/3", "Neuroendocrine tumor, grade 2")),
        (Differentiation::Well, Some(Grade::G3)) => Some(("8249/3", "Neuroendocrine tumor, grade 3")),
        (Differentiation::Well, None) => None,
    }
}

/// What the export reads: the case as read now, its standing annotations, the proposal stored
/// with its current version and its plan.
pub struct ExportInput<'a> {
    pub case: &'a CaseRecord,
    pub annotations: &'a [Annotation],
    pub proposal: Option<&'a StoredProposal>,
    pub plan: Option<&'a Plan>,
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({"system": system, "code": code, "display": display})
}

fn text(t: impl Into<String>) -> Value {
    json!({"text": t.into()})
}

fn entry(resource: Value) -> Value {
    json!({"resource": resource})
}

/// The observation ids of a case: the case id and what is observed (FHIR ids allow 64
/// characters of `[A-Za-z0-9-.]`; a case id is a 36-character UUID).
fn obs_id(case_id: &str, what: &str) -> String {
    format!("{case_id}-{what}")
}

/// The Bundle. `timestamp` is when it was made (an instant).
pub fn export(input: &ExportInput<'_>, timestamp: &str) -> Value {
    let case = input.case;
    let patient_ref = json!({"reference": format!("Patient/{}", case.patient_id)});
    let condition_ref = json!({"reference": format!("Condition/{}", case.id)});
    let p = &case.content.patient;
    let mut entries = vec![entry(json!({
        "resourceType": "Patient",
        "id": case.patient_id,
        "identifier": [{
            "use": "usual",
            "type": {"coding": [coding("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number")]},
            "value": p.mrn,
        }],
        "name": [{"text": p.name}],
        // The case's sex codes are FHIR's administrative-gender codes.
        "gender": p.sex,
        "birthDate": p.birth_date,
    }))];
    let tumor = Tumor::parse(&case.content.tumor).ok();
    let mut condition = json!({
        "resourceType": "Condition",
        "id": case.id,
        "meta": {"profile": [MCODE_PRIMARY_CANCER]},
        "clinicalStatus": {"coding": [coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active")]},
        "category": [{"coding": [coding("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item")]}],
        "code": text(if case.summary.is_empty() { "Neuroendocrine neoplasm".to_string() } else { format!("Neuroendocrine neoplasm: {}", case.summary) }),
        "subject": patient_ref,
        "recordedDate": case.created_at,
    });
    if let Some(t) = &tumor {
        if let Some((code, display)) = t.primary_site.and_then(body_site) {
            condition["bodySite"] =
                json!([{"coding": [coding(SNOMED, code, display)], "text": t.primary_site.map(PrimarySite::label)}]);
        }
        if let Some((code, display)) = morphology(t.differentiation, t.grade) {
            condition["extension"] = json!([{
                "url": MCODE_HISTOLOGY,
                "valueCodeableConcept": {"coding": [coding(ICD_O_3, code, display)]},
            }]);
        }
    }
    entries.push(entry(condition));
    if let Some(t) = &tumor {
        let observe = |what: &str, code: Value, value: (&str, Value)| {
            let mut o = json!({
                "resourceType": "Observation",
                "id": obs_id(&case.id, what),
                "status": "final",
                "code": code,
                "subject": patient_ref,
                "focus": [condition_ref],
                "effectiveDateTime": case.updated_at,
            });
            o[value.0] = value.1;
            entry(o)
        };
        let concept = |s: &str| ("valueCodeableConcept", text(s));
        if let Some(v) = t.t_stage {
            entries.push(observe("t", text("Primary tumour (T) category"), concept(v.label())));
        }
        if let Some(v) = t.n_stage {
            entries.push(observe("n", text("Regional lymph nodes (N) category"), concept(v.label())));
        }
        if let Some(v) = t.m_stage {
            entries.push(observe("m", text("Distant metastasis (M) category"), concept(v.label())));
        }
        if let Some(g) = stage_group(t) {
            entries.push(observe("stage", text("Stage group (summary, from N and M)"), concept(g.label())));
        }
        if let Some(g) = t.grade {
            entries.push(observe("grade", text("Histological grade (WHO 2019)"), concept(g.label())));
        }
        if let Some(k) = t.ki67_percent {
            let q = json!({"value": k, "unit": "%", "system": UCUM, "code": "%"});
            entries.push(observe("ki67", text("Ki-67 proliferation index"), ("valueQuantity", q)));
        }
        if let Some(s) = t.sstr_imaging {
            entries.push(observe("sstr", text("Somatostatin receptor imaging"), concept(s.label())));
        }
        if let Some(e) = t.ecog {
            let code = json!({"coding": [coding(LOINC, "89247-1", "ECOG Performance Status score")]});
            entries.push(observe("ecog", code, ("valueInteger", json!(e))));
        }
        // The other facts of a NET case, each under the words the case page uses for it (no
        // code system names these facts as the case records them).
        let mm = |v: f64| ("valueQuantity", json!({"value": v, "unit": "mm", "system": UCUM, "code": "mm"}));
        if let Some(v) = t.tumor_size_mm {
            entries.push(observe("size", text("Tumour size"), mm(v)));
        }
        if let Some(v) = t.differentiation {
            entries.push(observe("differentiation", text("Differentiation"), concept(v.label())));
        }
        for (i, site) in t.metastatic_sites.iter().enumerate() {
            entries.push(observe(&format!("metastasis-{}", i + 1), text("Metastatic site"), concept(site.label())));
        }
        let coded: [(&str, &str, Option<&'static str>); 6] = [
            ("liver-burden", "Liver burden", t.liver_burden.map(|v| v.label())),
            ("tumour-burden", "Tumour burden", t.tumor_burden.map(|v| v.label())),
            ("function", "Functional status", t.functional_syndrome.map(|v| v.label())),
            ("mibg", "MIBG avid", t.mibg_avid.map(|v| v.label())),
            ("gastric-type", "Gastric type", t.gastric_type.map(|v| v.label())),
            ("margin", "Resection margin", t.resection_margin.map(|v| v.label())),
        ];
        for (what, label, value) in coded {
            if let Some(v) = value {
                entries.push(observe(what, text(label), concept(v)));
            }
        }
        // Yes/no facts as recorded (a fact not recorded is left out, never sent as "no").
        let raw = &case.content.tumor;
        let flags = [
            ("hormonal-symptoms", "Hormonal symptoms", raw.hormonal_symptoms),
            ("refractory", "Refractory symptoms", raw.hormonal_symptoms_refractory),
            ("bone-pain", "Bone pain", raw.bone_pain),
            ("progression", "Progression on prior treatment", raw.progression_on_prior),
            ("men1", "MEN1", raw.men1),
            ("primary-resectable", "Primary resectable", raw.primary_resectable),
            ("ampullary", "Ampullary", raw.ampullary),
            ("lvi", "Lymphovascular invasion", raw.lymphovascular_invasion),
        ];
        for (what, label, value) in flags {
            if let Some(b) = value {
                entries.push(observe(what, text(label), ("valueBoolean", json!(b))));
            }
        }
        for (i, prior) in t.prior_treatments.iter().enumerate() {
            entries.push(observe(&format!("prior-{}", i + 1), text("Prior treatment"), concept(prior.label())));
        }
        if let Some(n) = t.liver_lesion_count {
            entries.push(observe("liver-lesions", text("Liver lesions"), ("valueInteger", json!(n))));
        }
        if let Some(v) = t.liver_max_lesion_mm {
            entries.push(observe("largest-liver-lesion", text("Largest liver lesion"), mm(v)));
        }
    }
    for a in input.annotations.iter().filter(|a| !a.withdrawn) {
        let Some(v) = a.versions.last() else { continue };
        entries.push(entry(json!({
            "resourceType": "ClinicalImpression",
            "id": a.id,
            "status": "completed",
            "description": format!("{} ({})", v.kind.label(), a.specialty.label()),
            "subject": patient_ref,
            "date": v.at,
            "assessor": {"display": format!("{} ({})", a.author_name, a.specialty.label())},
            "problem": [condition_ref],
            "summary": v.body,
        })));
    }
    if let Some(sp) = input.proposal {
        let actions: Vec<Value> = sp
            .proposal
            .options
            .iter()
            .map(|o| {
                json!({
                    "prefix": o.rank.to_string(),
                    "title": o.code.label(),
                    "description": o.rationale,
                    "documentation": o.sources.iter().map(|s| json!({"type": "citation", "citation": s})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut rg = json!({
            "resourceType": "RequestGroup",
            "id": obs_id(&case.id, "proposal"),
            "status": "active",
            "intent": "proposal",
            "subject": patient_ref,
            "authoredOn": sp.computed_at,
            "reasonReference": [condition_ref],
            "note": [{"text": format!(
                "Options proposed by Tumorboard's rule set {} for case version {}: a proposal, not the board's decision.",
                sp.proposal.ruleset_version, sp.case_version
            )}],
        });
        if !actions.is_empty() {
            rg["action"] = json!(actions);
        }
        entries.push(entry(rg));
    }
    if let Some(plan) = input.plan {
        entries.extend(care_plan(case, plan, &patient_ref, &condition_ref));
    }
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timestamp,
        "entry": entries,
    })
}

/// The plan as a CarePlan (and the Provenance of its signature).
fn care_plan(case: &CaseRecord, plan: &Plan, patient_ref: &Value, condition_ref: &Value) -> Vec<Value> {
    let c = &plan.content;
    let plan_id = obs_id(&case.id, "plan");
    // The follow-up is each activity's status: done, not done (with why), or not yet known.
    let (status, reason) = match &plan.outcome {
        Some(o) if o.record.implemented => ("completed", None),
        Some(o) => ("cancelled", Some(o.record.reason.map(|r| r.label().to_string()).unwrap_or_default())),
        None => ("not-started", None),
    };
    let activities: Vec<Value> = c
        .options
        .iter()
        .map(|code| {
            let mut detail = json!({"status": status, "code": text(code.label()), "description": code.label()});
            if let Some(r) = &reason {
                let note = plan.outcome.as_ref().map(|o| o.record.note.trim()).filter(|n| !n.is_empty());
                detail["statusReason"] = text(match note {
                    Some(n) => format!("{r}: {n}"),
                    None => r.clone(),
                });
            }
            json!({"detail": detail})
        })
        .collect();
    let mut notes: Vec<Value> = Vec::new();
    for d in &c.dissent {
        notes.push(json!({"text": format!("Dissent — {}: {}", d.name, d.note)}));
    }
    if let Some(r) = c.deviation_reason.as_deref().filter(|r| !r.trim().is_empty()) {
        notes.push(json!({"text": format!("Deviation from the proposal's first option: {r}")}));
    }
    notes.push(json!({"text": if c.trial_discussed { "A clinical trial was discussed." } else { "No clinical trial was discussed." }}));
    if let Some(s) = &plan.signature {
        notes.push(json!({"text": format!(
            "Signed by {} at {}; SHA-256 of the signed plan version {}: {}",
            s.signer_name, s.signed_at, plan.version, s.content_sha256
        )}));
    }
    if let Some(o) = &plan.outcome
        && let Some(date) = &o.record.date
    {
        notes.push(json!({"text": format!("Carried out on {date} (recorded by {}).", o.recorded_by_name)}));
    }
    for a in &plan.addenda {
        notes.push(json!({"time": a.at, "authorString": a.author_name, "text": format!("Addendum: {}", a.body)}));
    }
    let mut care_plan = json!({
        "resourceType": "CarePlan",
        "id": plan_id,
        "status": if plan.signature.is_some() { "active" } else { "draft" },
        "intent": "plan",
        "category": [{"coding": [coding(SNOMED, "312384001", "Multidisciplinary assessment")]}],
        "title": "Multidisciplinary tumour board plan",
        "description": c.rationale,
        "subject": patient_ref,
        "created": c.recorded_at,
        "author": {"display": c.recorded_by_name},
        "addresses": [condition_ref],
        "note": notes,
    });
    if !activities.is_empty() {
        care_plan["activity"] = json!(activities);
    }
    let mut out = vec![entry(care_plan)];
    if let Some(s) = &plan.signature {
        let signer = json!({"display": s.signer_name});
        out.push(entry(json!({
            "resourceType": "Provenance",
            "id": obs_id(&case.id, "signature"),
            "target": [{"reference": format!("CarePlan/{plan_id}")}],
            "recorded": s.signed_at,
            "agent": [{
                "type": {"coding": [coding("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "attester", "Attester")]},
                "who": signer,
            }],
            "signature": [{
                "type": [coding("urn:iso-astm:E1762-95:2013", "1.2.840.10065.1.12.1.1", "Author's Signature")],
                "when": s.signed_at,
                "who": signer,
            }],
        })));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_site_has_its_body_structure_and_an_unknown_primary_has_none() {
        for site in PrimarySite::ALL {
            match body_site(*site) {
                Some((code, display)) => {
                    assert!(code.chars().all(|c| c.is_ascii_digit()) && display.ends_with("structure"), "{code}");
                }
                None => assert_eq!(*site, PrimarySite::Unknown),
            }
        }
        let codes: std::collections::BTreeSet<_> = PrimarySite::ALL.iter().filter_map(|s| body_site(*s)).collect();
        assert_eq!(codes.len(), PrimarySite::ALL.len() - 1, "one structure per site");
    }

    #[test]
    fn morphology_follows_differentiation_then_grade_and_is_absent_when_unknown() {
        use Differentiation::*;
        assert_eq!(morphology(Some(Poor), None).unwrap().0, "8246/3");
        assert_eq!(morphology(Some(Poor), Some(Grade::G3)).unwrap().0, "8246/3", "a NEC is not a NET G3");
        assert_eq!(morphology(Some(Well), Some(Grade::G1)).unwrap().0, "8240/3");
        assert_eq!(morphology(Some(Well), Some(Grade::G2)).unwrap().0, "8249/3");
        assert_eq!(morphology(Some(Well), Some(Grade::G3)).unwrap().0, "8249/3");
        assert_eq!(morphology(Some(Well), None), None, "no grade, no guess");
        assert_eq!(morphology(None, Some(Grade::G1)), None, "no differentiation, no guess");
        assert!(Grade::ALL.iter().all(|g| Grade::parse(g.code()).is_ok()));
    }

    /// A case with every tumour fact recorded: each fact the case page shows is in the Bundle
    /// (the ground for importing the export back), none twice.
    #[test]
    fn every_recorded_fact_travels_and_none_twice() {
        let tumor = json!({"primary_site": "small_intestine", "grade": "G2", "ki67_percent": 4, "differentiation": "well",
            "tumor_size_mm": 22, "t_stage": "T3", "n_stage": "N1", "m_stage": "M1",
            "metastatic_sites": ["liver", "bone"], "liver_burden": "unresectable", "tumor_burden": "high",
            "functional_syndrome": "carcinoid_syndrome", "hormonal_symptoms": true,
            "hormonal_symptoms_refractory": false, "sstr_imaging": "positive", "mibg_avid": "no", "ecog": 1});
        let more = json!({"bone_pain": true, "prior_treatments": ["ssa_antiproliferative"], "progression_on_prior": true, "men1": false,
            "primary_resectable": false, "liver_lesion_count": 12, "liver_max_lesion_mm": 41,
            "lymphovascular_invasion": true, "resection_margin": "R1"});
        let mut tumor = tumor.as_object().unwrap().clone();
        tumor.extend(more.as_object().unwrap().clone());
        let content = json!({
            "patient": {"mrn": "M-1", "name": "Any Body", "birth_date": "1960-01-01", "sex": "male"},
            "referring_clinician": "", "question": "Next?", "history": "", "comorbidities": "", "tumor": tumor,
        });
        let case: CaseRecord = serde_json::from_value(json!({
            "id": "c0ffee00-0000-4000-8000-000000000001", "version": 3, "status": "draft", "summary": "SI-NET",
            "missing_for_board": [], "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-02T10:00:00Z",
            "updated_by": "u", "patient_id": "c0ffee00-0000-4000-8000-000000000002", "patient_version": 1,
            "content": content,
        }))
        .unwrap();
        let bundle =
            export(&ExportInput { case: &case, annotations: &[], proposal: None, plan: None }, "2026-12-02T10:00:00Z");
        let obs: Vec<&Value> = bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == "Observation")
            .collect();
        let texts: Vec<String> = obs
            .iter()
            .map(|o| o["code"]["text"].as_str().or(o["code"]["coding"][0]["display"].as_str()).unwrap().to_string())
            .collect();
        // The case page's label of each fact, and the Observation that carries it.
        fn carried_as(label: &'static str) -> Option<&'static str> {
            Some(match label {
                "Primary site" | "Age" => return None, // the Condition's body site; the birth date
                "Grade" => "Histological grade (WHO 2019)",
                "Ki-67" => "Ki-67 proliferation index",
                "Size" => "Tumour size",
                "T" => "Primary tumour (T) category",
                "N" => "Regional lymph nodes (N) category",
                "M" => "Distant metastasis (M) category",
                "Metastatic sites" => "Metastatic site",
                "SSTR imaging" => "Somatostatin receptor imaging",
                "ECOG" => "ECOG Performance Status score",
                "Prior treatments" => "Prior treatment",
                other => other,
            })
        }
        Tumor::parse(&case.content.tumor).expect("the fixture is a valid tumour");
        let facts = case.content.tumor.facts();
        assert!(facts.len() >= 25, "the fixture records every fact: {}", facts.len());
        for (label, _) in &facts {
            if let Some(t) = carried_as(label) {
                assert!(texts.iter().any(|x| x == t), "{label} is not exported (as {t})");
            }
        }
        let ids: std::collections::BTreeSet<&str> = obs.iter().map(|o| o["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), obs.len(), "ids are unique");
        assert_eq!(texts.iter().filter(|t| *t == "Metastatic site").count(), 2);
        let men1 = obs.iter().find(|o| o["code"]["text"] == "MEN1").unwrap();
        assert_eq!(men1["valueBoolean"], false, "a recorded no is a no");
    }
}
