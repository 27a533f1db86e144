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
//! - documents (issue 20, as DocumentReference): LOINC 11526-1 "Pathology study" for a pathology
//!   report, 18748-4 "Diagnostic imaging study" for an imaging report; key images, letters and
//!   other documents by their kind in words. R4's `Attachment.hash` is SHA-1, so the file's
//!   SHA-256 travels as an identifier; the bytes are at the `url`, under the same access rules;
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

use serde::{Deserialize, Serialize};

use crate::annotation::Annotation;
use crate::case::{CaseInput, CaseRecord, StoredProposal, stage_group};
use crate::codes::{Code, Differentiation, Grade, PrimarySite};
use crate::error::{FieldErrorsBuilder, Invalid};
use crate::plan::Plan;
use crate::tumor::{Tumor, TumorInput};

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
    /// Documents and key images (issue 20), withdrawn and superseded ones included.
    pub attachments: &'a [crate::attachment::Attachment],
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

/// The yes/no facts of a case: the id suffix of their Observation, the words that name it (its
/// code's text) and the field. Export and import both read this one table.
type FlagSlot = fn(&mut TumorInput) -> &mut Option<bool>;
const FLAGS: [(&str, &str, FlagSlot); 8] = [
    ("hormonal-symptoms", "Hormonal symptoms", |t| &mut t.hormonal_symptoms),
    ("refractory", "Refractory symptoms", |t| &mut t.hormonal_symptoms_refractory),
    ("bone-pain", "Bone pain", |t| &mut t.bone_pain),
    ("progression", "Progression on prior treatment", |t| &mut t.progression_on_prior),
    ("men1", "MEN1", |t| &mut t.men1),
    ("primary-resectable", "Primary resectable", |t| &mut t.primary_resectable),
    ("ampullary", "Ampullary", |t| &mut t.ampullary),
    ("lvi", "Lymphovascular invasion", |t| &mut t.lymphovascular_invasion),
];

/// The ids of the resources a case gives (observations, proposal, plan, signature): the case id
/// and what the resource is (FHIR ids allow 64
/// characters of `[A-Za-z0-9-.]`; a case id is a 36-character UUID).
fn sub_id(case_id: &str, what: &str) -> String {
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
                "id": sub_id(&case.id, what),
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
        // Read through the table's field accessors (a copy: they hand out the field to set).
        let mut raw = case.content.tumor.clone();
        for (what, label, slot) in FLAGS {
            if let Some(b) = *slot(&mut raw) {
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
            "id": sub_id(&case.id, "proposal"),
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
    entries.extend(input.attachments.iter().map(|a| entry(document_reference(a, &patient_ref))));
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timestamp,
        "entry": entries,
    })
}

/// A document or key image as a DocumentReference: its kind, title, date, owner and file (type,
/// size, SHA-256, where to fetch it); a correction `replaces` what it corrects; a withdrawn one
/// is `entered-in-error`, with the reason.
fn document_reference(a: &crate::attachment::Attachment, patient_ref: &Value) -> Value {
    use crate::attachment::AttachmentKind;
    let mut kind = text(a.kind.label());
    match a.kind {
        AttachmentKind::PathologyReport => kind["coding"] = json!([coding(LOINC, "11526-1", "Pathology study")]),
        AttachmentKind::ImagingReport => kind["coding"] = json!([coding(LOINC, "18748-4", "Diagnostic imaging study")]),
        AttachmentKind::KeyImage | AttachmentKind::Letter | AttachmentKind::Other => {}
    }
    let status = match (&a.withdrawn, &a.superseded_by) {
        (Some(_), _) => "entered-in-error",
        (None, Some(_)) => "superseded",
        (None, None) => "current",
    };
    let mut attachment = json!({
        "contentType": a.content_type,
        "url": format!("/api/v1/attachments/{}", a.id),
        "size": a.size_bytes,
        "title": a.title,
    });
    if let Some(d) = &a.examined_on {
        attachment["creation"] = json!(d);
    }
    let mut doc = json!({
        "resourceType": "DocumentReference",
        "id": a.id,
        "identifier": [{"type": text("SHA-256 of the file"), "value": a.sha256}],
        "status": status,
        "type": kind,
        "subject": patient_ref,
        "date": a.uploaded_at,
        "author": [{"display": a.uploaded_by_name}],
        "description": format!("{} ({})", a.title, a.specialty.label()),
        "content": [{"attachment": attachment}],
    });
    if let Some(d) = &a.examined_on {
        doc["context"] = json!({"period": {"start": d}});
    }
    if let Some(old) = &a.supersedes {
        doc["relatesTo"] = json!([{"code": "replaces", "target": {"reference": format!("DocumentReference/{old}")}}]);
    }
    if let Some(w) = &a.withdrawn {
        doc["description"] = json!(format!("{} — withdrawn by {} on {}: {}", a.title, w.by_name, w.at, w.reason));
    }
    doc
}

/// The plan as a CarePlan (and the Provenance of its signature).
fn care_plan(case: &CaseRecord, plan: &Plan, patient_ref: &Value, condition_ref: &Value) -> Vec<Value> {
    let c = &plan.content;
    let plan_id = sub_id(&case.id, "plan");
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
    // Each trial of the centre's register the plan names (issue 21), offered or not, and from the
    // follow-up whether the patient enrolled.
    for t in &c.trials {
        let mut words = format!(
            "Clinical trial {} ({}): {}",
            t.acronym,
            t.registry_id,
            if t.offered { "offered to the patient" } else { "discussed, not offered" }
        );
        if !t.note.trim().is_empty() {
            words.push_str(&format!(" — {}", t.note.trim()));
        }
        let answer = plan.outcome.as_ref().and_then(|o| o.record.trials.iter().find(|e| e.trial_id == t.trial_id));
        match answer {
            Some(e) if e.enrolled => words.push_str("; enrolled"),
            Some(e) => words
                .push_str(&format!("; not enrolled: {}", e.reason.map(|r| r.label()).unwrap_or("reason not given"))),
            None => {}
        }
        if let Some(e) = answer.filter(|e| !e.note.trim().is_empty()) {
            words.push_str(&format!(" ({})", e.note.trim()));
        }
        notes.push(json!({"text": format!("{words}.")}));
    }
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
            "id": sub_id(&case.id, "signature"),
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

/// What a referral Bundle gave: the case as typed (a draft: the server checks it like any new
/// case) and, in words, everything it held that did not become a field (never a guess).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Imported {
    pub case: CaseInput,
    pub unread: Vec<String>,
}

/// `POST /api/v1/cases/import`'s answer: the draft case made, and what the Bundle held that
/// did not become a field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedCase {
    pub case: CaseRecord,
    pub unread: Vec<String>,
}

/// The fact an Observation carries, by its code: the case page's words (this exporter's text
/// codes), ECOG's LOINC code, or the LOINC TNM category codes mCODE uses (clinical and
/// pathological).
#[derive(Clone, Copy)]
enum Fact {
    T,
    N,
    M,
    Stage,
    Grade,
    Ki67,
    Sstr,
    Ecog,
    Size,
    Differentiation,
    MetastaticSite,
    LiverBurden,
    TumorBurden,
    Function,
    Mibg,
    GastricType,
    Margin,
    Flag(FlagSlot),
    Prior,
    LiverLesions,
    LargestLiverLesion,
}

fn fact_of(code: &Value) -> Option<Fact> {
    let codings = code["coding"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    for c in codings {
        if c["system"] == LOINC {
            match c["code"].as_str() {
                Some("89247-1") => return Some(Fact::Ecog),
                // LOINC: Primary tumor / Regional lymph nodes / Distant metastases, clinical
                // and pathological [Class] Cancer (the codes of mCODE's TNM category profiles).
                Some("21905-5" | "21899-0") => return Some(Fact::T),
                Some("21906-3" | "21900-6") => return Some(Fact::N),
                Some("21907-1" | "21901-4") => return Some(Fact::M),
                _ => {}
            }
        }
    }
    Some(match code["text"].as_str()? {
        "Primary tumour (T) category" => Fact::T,
        "Regional lymph nodes (N) category" => Fact::N,
        "Distant metastasis (M) category" => Fact::M,
        "Stage group (summary, from N and M)" => Fact::Stage,
        "Histological grade (WHO 2019)" => Fact::Grade,
        "Ki-67 proliferation index" => Fact::Ki67,
        "Somatostatin receptor imaging" => Fact::Sstr,
        "Tumour size" => Fact::Size,
        "Differentiation" => Fact::Differentiation,
        "Metastatic site" => Fact::MetastaticSite,
        "Liver burden" => Fact::LiverBurden,
        "Tumour burden" => Fact::TumorBurden,
        "Functional status" => Fact::Function,
        "MIBG avid" => Fact::Mibg,
        "Gastric type" => Fact::GastricType,
        "Resection margin" => Fact::Margin,
        "Prior treatment" => Fact::Prior,
        "Liver lesions" => Fact::LiverLesions,
        "Largest liver lesion" => Fact::LargestLiverLesion,
        words => return FLAGS.iter().find(|f| f.1 == words).map(|f| Fact::Flag(f.2)),
    })
}

/// A code of kind `T` from a coded value's code or words (a TNM value may carry the AJCC
/// prefix: `cT2`, `pN1`).
fn code_of<T: Code>(value: &Value) -> Option<&'static str> {
    let mut said: Vec<String> = Vec::new();
    for c in value["coding"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        if let Some(code) = c["code"].as_str() {
            said.push(code.to_string());
        }
    }
    if let Some(t) = value["text"].as_str() {
        said.push(t.to_string());
    }
    for s in said {
        let s = s.trim();
        let bare = s.strip_prefix("yp").or_else(|| s.strip_prefix('c')).or_else(|| s.strip_prefix('p')).unwrap_or(s);
        if let Some(v) = T::ALL.iter().find(|v| v.code() == s || v.code() == bare || v.label() == s) {
            return Some(v.code());
        }
    }
    None
}

/// How a resource is named in the list of what was not read.
fn named(r: &Value) -> String {
    let kind = r["resourceType"].as_str().unwrap_or("resource");
    let words = r["code"]["text"]
        .as_str()
        .or_else(|| r["code"]["coding"][0]["display"].as_str())
        .or_else(|| r["code"]["coding"][0]["code"].as_str());
    match words {
        Some(w) => format!("{kind} “{w}”"),
        None => kind.to_string(),
    }
}

/// Reads a referral Bundle (FHIR R4): the Patient, the primary cancer Condition and the
/// Observations this exporter writes, and the LOINC-coded ones a hospital's system may send.
/// A Bundle that is not valid FHIR for what is read is refused with the element at fault.
pub fn import(bundle: &Value) -> Result<Imported, Invalid> {
    let mut e = FieldErrorsBuilder::new();
    if bundle["resourceType"] != "Bundle" {
        return Err(Invalid::field("resourceType", "A FHIR R4 Bundle is expected: \"resourceType\": \"Bundle\"."));
    }
    // Bundle.type, when given, is one of R4's BundleType codes (FHIR R4 4.0.1, Bundle.type,
    // value set http://hl7.org/fhir/ValueSet/bundle-type); what kind of Bundle it is does not
    // change what is read, so a Bundle without it is read too.
    const BUNDLE_TYPES: [&str; 9] = [
        "document",
        "message",
        "transaction",
        "transaction-response",
        "batch",
        "batch-response",
        "history",
        "searchset",
        "collection",
    ];
    if !bundle["type"].is_null() && !bundle["type"].as_str().is_some_and(|t| BUNDLE_TYPES.contains(&t)) {
        return Err(Invalid::field("type", "Bundle.type is one of FHIR R4's bundle types, e.g. \"collection\"."));
    }
    let Some(entries) = bundle["entry"].as_array() else {
        return Err(Invalid::field("entry", "The Bundle holds no entries: \"entry\" must be a list of resources."));
    };
    let mut resources: Vec<&Value> = Vec::new();
    for (i, en) in entries.iter().enumerate() {
        match en["resource"]["resourceType"].as_str() {
            Some(_) => resources.push(&en["resource"]),
            None => e.add(&format!("entry[{i}].resource"), "Each entry holds a resource with its resourceType."),
        }
    }
    e.finish()?;
    let mut e = FieldErrorsBuilder::new();
    let patients: Vec<&Value> = resources.iter().copied().filter(|r| r["resourceType"] == "Patient").collect();
    if patients.len() != 1 {
        return Err(Invalid::field(
            "entry",
            format!("A referral names exactly one Patient; this Bundle holds {}.", patients.len()),
        ));
    }
    let p = patients[0];
    let mut unread: Vec<String> = Vec::new();
    let mut case = CaseInput::default();
    // The MRN: the identifier typed MR, else the only identifier.
    let ids = p["identifier"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let mr = ids.iter().find(|i| i["type"]["coding"].as_array().is_some_and(|c| c.iter().any(|c| c["code"] == "MR")));
    match mr.or(if ids.len() == 1 { ids.first() } else { None }) {
        Some(id) => match id["value"].as_str() {
            Some(v) => case.patient.mrn = v.to_string(),
            None => e.add("Patient.identifier.value", "An identifier's value is a string."),
        },
        None => unread.push("Patient: no identifier typed MR (medical record number); enter the MRN".into()),
    }
    let name = &p["name"][0];
    case.patient.name = match name["text"].as_str() {
        Some(t) => t.to_string(),
        None => {
            let given: Vec<&str> =
                name["given"].as_array().map(|g| g.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let family = name["family"].as_str().unwrap_or("");
            [given.join(" "), family.to_string()]
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    match &p["birthDate"] {
        Value::Null => {}
        Value::String(d) if d.len() == 10 => case.patient.birth_date = d.clone(),
        Value::String(d) => unread.push(format!("Patient.birthDate “{d}”: not a full date; enter the birth date")),
        _ => e.add("Patient.birthDate", "A FHIR date is a string (YYYY-MM-DD)."),
    }
    match &p["gender"] {
        Value::Null => {}
        Value::String(g) if ["male", "female", "other", "unknown"].contains(&g.as_str()) => {
            case.patient.sex = g.clone()
        }
        _ => e.add("Patient.gender", "gender is one of male, female, other, unknown (FHIR administrative gender)."),
    }
    let t = &mut case.tumor;
    let conditions: Vec<&Value> = resources.iter().copied().filter(|r| r["resourceType"] == "Condition").collect();
    for (n, c) in conditions.iter().enumerate() {
        if n > 0 {
            unread.push(format!("{}: one primary tumour is read, the first Condition", named(c)));
            continue;
        }
        for site in c["bodySite"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let snomed = site["coding"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["system"] == SNOMED).and_then(|c| c["code"].as_str()));
            let known =
                snomed.and_then(|code| PrimarySite::ALL.iter().find(|s| body_site(**s).is_some_and(|b| b.0 == code)));
            match known {
                Some(s) if t.primary_site.is_none() => t.primary_site = Some(s.code().to_string()),
                _ => unread.push(format!(
                    "Condition body site “{}”: not a primary site this app knows",
                    site["text"].as_str().or(site["coding"][0]["display"].as_str()).unwrap_or("?")
                )),
            }
        }
        for ext in c["extension"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let code = ext["valueCodeableConcept"]["coding"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["system"] == ICD_O_3).and_then(|c| c["code"].as_str()));
            match (ext["url"].as_str(), code) {
                // The morphology says the differentiation (and for 8240/3 the grade, which the
                // grade Observation, when present, says too).
                (Some(MCODE_HISTOLOGY), Some("8246/3")) => t.differentiation = Some("poor".into()),
                (Some(MCODE_HISTOLOGY), Some("8240/3")) => {
                    t.differentiation = Some("well".into());
                    t.grade.get_or_insert_with(|| "G1".into());
                }
                (Some(MCODE_HISTOLOGY), Some("8249/3")) => t.differentiation = Some("well".into()),
                (Some(MCODE_HISTOLOGY), other) => unread
                    .push(format!("Condition histology {}: not a NET morphology this app knows", other.unwrap_or("?"))),
                (url, _) => unread.push(format!("Condition extension {}: not read", url.unwrap_or("?"))),
            }
        }
    }
    for (i, r) in resources.iter().enumerate() {
        match r["resourceType"].as_str() {
            Some("Patient" | "Condition") => {}
            Some("Observation") => {
                if r["status"] == "entered-in-error" || r["status"] == "cancelled" {
                    unread.push(format!("{}: status {}, not read", named(r), r["status"].as_str().unwrap_or("")));
                    continue;
                }
                let Some(fact) = fact_of(&r["code"]) else {
                    unread.push(format!("{}: not a field of a NET case", named(r)));
                    continue;
                };
                let at = |el: &str| format!("entry[{i}].resource.{el}");
                let concept = &r["valueCodeableConcept"];
                let not_known = |unread: &mut Vec<String>| {
                    let said = concept["text"].as_str().or(concept["coding"][0]["code"].as_str()).unwrap_or("?");
                    unread.push(format!("{}: “{said}” is not a value this app knows", named(r)));
                };
                macro_rules! coded {
                    ($ty:ty, $slot:expr) => {
                        match code_of::<$ty>(concept) {
                            Some(c) => $slot = Some(c.to_string()),
                            None => not_known(&mut unread),
                        }
                    };
                }
                let number = |el: &str, e: &mut FieldErrorsBuilder| -> Option<f64> {
                    let v = match el {
                        "valueInteger" => &r["valueInteger"],
                        _ => &r["valueQuantity"]["value"],
                    };
                    match v {
                        Value::Number(n) => n.as_f64(),
                        Value::Null => None,
                        _ => {
                            e.add(
                                &at(if el == "valueInteger" { el } else { "valueQuantity.value" }),
                                "A FHIR number is a JSON number.",
                            );
                            None
                        }
                    }
                };
                let unit_is = |u: &str| r["valueQuantity"]["code"] == u || r["valueQuantity"]["unit"] == u;
                match fact {
                    Fact::T => coded!(crate::codes::TStage, t.t_stage),
                    Fact::N => coded!(crate::codes::NStage, t.n_stage),
                    Fact::M => coded!(crate::codes::MStage, t.m_stage),
                    Fact::Stage => {} // worked out from N and M
                    Fact::Grade => coded!(Grade, t.grade),
                    Fact::Sstr => coded!(crate::codes::SstrImaging, t.sstr_imaging),
                    Fact::Differentiation => coded!(Differentiation, t.differentiation),
                    Fact::LiverBurden => coded!(crate::codes::LiverBurden, t.liver_burden),
                    Fact::TumorBurden => coded!(crate::codes::TumorBurden, t.tumor_burden),
                    Fact::Function => coded!(crate::codes::FunctionalSyndrome, t.functional_syndrome),
                    Fact::Mibg => coded!(crate::codes::MibgAvid, t.mibg_avid),
                    Fact::GastricType => coded!(crate::codes::GastricType, t.gastric_type),
                    Fact::Margin => coded!(crate::codes::ResectionMargin, t.resection_margin),
                    Fact::MetastaticSite => match code_of::<crate::codes::MetastaticSite>(concept) {
                        Some(c) if !t.metastatic_sites.iter().any(|s| s == c) => t.metastatic_sites.push(c.to_string()),
                        Some(_) => {}
                        None => not_known(&mut unread),
                    },
                    Fact::Prior => match code_of::<crate::codes::OptionCode>(concept) {
                        Some(c) if !t.prior_treatments.iter().any(|s| s == c) => t.prior_treatments.push(c.to_string()),
                        Some(_) => {}
                        None => not_known(&mut unread),
                    },
                    Fact::Ecog => t.ecog = number("valueInteger", &mut e),
                    Fact::LiverLesions => t.liver_lesion_count = number("valueInteger", &mut e),
                    Fact::Ki67 if unit_is("%") => t.ki67_percent = number("valueQuantity", &mut e),
                    Fact::Size if unit_is("mm") => t.tumor_size_mm = number("valueQuantity", &mut e),
                    Fact::LargestLiverLesion if unit_is("mm") => {
                        t.liver_max_lesion_mm = number("valueQuantity", &mut e)
                    }
                    Fact::Ki67 | Fact::Size | Fact::LargestLiverLesion => {
                        unread.push(format!("{}: a quantity in a unit other than the case's (% or mm)", named(r)))
                    }
                    Fact::Flag(slot) => match &r["valueBoolean"] {
                        Value::Bool(b) => *slot(t) = Some(*b),
                        Value::Null => unread.push(format!("{}: no yes/no value", named(r))),
                        _ => e.add(&at("valueBoolean"), "A FHIR boolean is true or false."),
                    },
                }
            }
            Some(kind @ ("ClinicalImpression" | "CarePlan" | "RequestGroup" | "Provenance")) => unread
                .push(format!("{kind}: not imported (notes, proposals and plans are made on the board's own case)")),
            Some(other) => unread.push(format!("{other}: not read")),
            None => {}
        }
    }
    e.finish()?;
    // The same message once with a count, not once per resource, in the order first met.
    let mut counts: Vec<(String, usize)> = Vec::new();
    for u in unread {
        match counts.iter_mut().find(|(seen, _)| *seen == u) {
            Some((_, n)) => *n += 1,
            None => counts.push((u, 1)),
        }
    }
    let counted = counts.into_iter().map(|(u, n)| if n > 1 { format!("{u} (×{n})") } else { u }).collect();
    Ok(Imported { case, unread: counted })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A case with every tumour fact recorded.
    fn full_case() -> CaseRecord {
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
        serde_json::from_value(json!({
            "id": "c0ffee00-0000-4000-8000-000000000001", "version": 3, "status": "draft", "summary": "SI-NET",
            "missing_for_board": [], "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-02T10:00:00Z",
            "updated_by": "u", "patient_id": "c0ffee00-0000-4000-8000-000000000002", "patient_version": 1,
            "content": content,
        }))
        .unwrap()
    }

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
        let case = full_case();
        let bundle = export(
            &ExportInput { case: &case, annotations: &[], proposal: None, plan: None, attachments: &[] },
            "2026-12-02T10:00:00Z",
        );
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

    #[test]
    fn an_exported_case_imports_back_with_the_same_patient_and_tumour_fields() {
        let case = full_case();
        let bundle = export(
            &ExportInput { case: &case, annotations: &[], proposal: None, plan: None, attachments: &[] },
            "2026-12-02T10:00:00Z",
        );
        let back = import(&bundle).unwrap();
        assert_eq!(back.case.patient, case.content.patient);
        assert_eq!(back.case.tumor, case.content.tumor);
        assert_eq!(back.unread, Vec::<String>::new());
    }

    #[test]
    fn what_an_outside_system_sends_is_read_where_it_can_be_and_listed_where_not() {
        let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Patient", "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": "H-77"}],
                "name": [{"given": ["Ada", "B."], "family": "Lovelace"}], "gender": "female", "birthDate": "1950-12-10"}},
            {"resource": {"resourceType": "Condition", "bodySite": [{"coding": [{"system": SNOMED, "code": "15776009"}]}],
                "extension": [{"url": MCODE_HISTOLOGY, "valueCodeableConcept": {"coding": [{"system": ICD_O_3, "code": "8240/3"}]}}]}},
            {"resource": {"resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": LOINC, "code": "21905-5"}]}, "valueCodeableConcept": {"coding": [{"code": "cT2"}]}}},
            {"resource": {"resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": LOINC, "code": "21900-6"}]}, "valueCodeableConcept": {"text": "pN0"}}},
            {"resource": {"resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": LOINC, "code": "718-7", "display": "Hemoglobin"}]}, "valueQuantity": {"value": 12.1}}},
            {"resource": {"resourceType": "Observation", "status": "final",
                "code": {"text": "Ki-67 proliferation index"}, "valueQuantity": {"value": 0.03, "unit": "ratio"}}},
            {"resource": {"resourceType": "Observation", "status": "final",
                "code": {"text": "Histological grade (WHO 2019)"}, "valueCodeableConcept": {"text": "G4"}}},
        ]});
        let got = import(&bundle).unwrap();
        assert_eq!((got.case.patient.mrn.as_str(), got.case.patient.name.as_str()), ("H-77", "Ada B. Lovelace"));
        assert_eq!((got.case.patient.sex.as_str(), got.case.patient.birth_date.as_str()), ("female", "1950-12-10"));
        let t = &got.case.tumor;
        assert_eq!(t.primary_site.as_deref(), Some("pancreas"));
        assert_eq!((t.differentiation.as_deref(), t.grade.as_deref()), (Some("well"), Some("G1")));
        assert_eq!((t.t_stage.as_deref(), t.n_stage.as_deref()), (Some("T2"), Some("N0")));
        assert_eq!(t.ki67_percent, None, "a ratio is not guessed into a percentage");
        assert_eq!(
            got.unread,
            vec![
                "Observation “Hemoglobin”: not a field of a NET case".to_string(),
                "Observation “Ki-67 proliferation index”: a quantity in a unit other than the case's (% or mm)"
                    .to_string(),
                "Observation “Histological grade (WHO 2019)”: “G4” is not a value this app knows".to_string(),
            ]
        );
    }

    #[test]
    fn a_bundle_that_is_not_valid_fhir_names_what_is_wrong() {
        let field = |v: Value| import(&v).unwrap_err().fields.keys().cloned().collect::<Vec<_>>();
        assert_eq!(field(json!({"resourceType": "Patient"})), ["resourceType"]);
        assert_eq!(field(json!({"resourceType": "Bundle"})), ["entry"]);
        assert_eq!(field(json!({"resourceType": "Bundle", "type": "collection\u{0}", "entry": []})), ["type"]);
        assert_eq!(field(json!({"resourceType": "Bundle", "type": 3, "entry": []})), ["type"]);
        assert_eq!(field(json!({"resourceType": "Bundle", "type": "collection"})), ["entry"]);
        assert_eq!(
            field(json!({"resourceType": "Bundle", "entry": [{"resource": {"id": "x"}}]})),
            ["entry[0].resource"]
        );
        let two = json!({"resourceType": "Bundle", "entry": [
            {"resource": {"resourceType": "Patient"}}, {"resource": {"resourceType": "Patient"}}]});
        assert_eq!(field(two), ["entry"]);
        let bad = json!({"resourceType": "Bundle", "entry": [
            {"resource": {"resourceType": "Patient", "gender": "woman", "birthDate": 1950}},
            {"resource": {"resourceType": "Observation", "code": {"text": "MEN1"}, "valueBoolean": "yes"}},
            {"resource": {"resourceType": "Observation", "code": {"coding": [{"system": LOINC, "code": "89247-1"}]}, "valueInteger": "one"}}]});
        assert_eq!(
            field(bad),
            ["Patient.birthDate", "Patient.gender", "entry[1].resource.valueBoolean", "entry[2].resource.valueInteger"]
        );
    }
}
