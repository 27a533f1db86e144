//! (c) C1-C10, D3 and H3.4: metastatic (or locally unresectable) well-differentiated NET, with
//! (f) F1 for painful bone metastases and (g) G1 for clinical trials.

use super::facts::Facts;
use super::sources::*;
use super::{Out, Stage};
use crate::codes::*;
use crate::proposer::model::*;
use crate::tumor::trim_number;

use OptionCode::*;

/// (c) C1-C10, D3 and H3.4: metastatic (or locally unresectable) well-differentiated NET.
pub(super) fn advanced_well_differentiated(f: &Facts, out: &mut Out) {
    let site = f.site_text();
    let grade = f.grade_text();

    // C1: liver-only (± resectable nodes), limited and resectable, fit → liver resection, with
    // resection of the primary if it is still in situ.
    if f.resectable_liver_disease() {
        out.add(LiverResection, Stage::Primary, Intent::Curative, "C1",
            format!("{site} NET {grade} with limited, resectable liver-only metastases in a fit patient: resection of the liver metastases."), &[ENETS_MET, ESMO_GEP, ENETS_SI]);
        if f.primary_in_situ {
            out.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "C1",
                "The primary is still in place: resect it with its regional nodes together with the liver metastases.",
                &[ENETS_MET, ENETS_SI],
            );
        }
        return;
    }

    systemic_line(f, out);
    liver_directed(f, out);

    if f.m1 && f.site == Some(PrimarySite::SmallIntestine) && f.primary_in_situ {
        // C9: palliative primary resection for obstruction or ischaemia (not recorded).
        out.warn("Obstruction or mesenteric ischaemia is not recorded: if present, palliative resection of the primary (surgery_debulking) is indicated (C9).");
        out.disagree(
            "Primary resection in asymptomatic metastatic SI-NET",
            &["Prophylactic resection of the primary (some centres)", "Resection only for symptoms (ENETS-SI-24)"],
        );
    }
}

/// H3.4: the first systemic line not yet failed, for unresectable well-differentiated disease.
fn systemic_line(f: &Facts, out: &mut Out) {
    let site = f.site;
    let site_text = f.site_text();
    let grade = f.grade_text();
    let ki67 = f.ki67;
    let pnet = site == Some(PrimarySite::Pancreas);
    let systemic = [SsaAntiproliferative, Prrt, Everolimus, Sunitinib, Chemotherapy, MibgTherapy];
    let any_failed = f.failed.iter().any(|c| systemic.contains(c));
    let ki_10_55 = ki67.is_some_and(|k| (10.0..=55.0).contains(&k));
    let high_burden = f.t.tumor_burden == Some(TumorBurden::High);

    if !any_failed {
        // Line 1.
        if pnet && (ki67.is_some_and(|k| k >= 10.0) || high_burden || f.net_g3()) {
            // C7 / H3.4: pNET with Ki-67 ≥ 10 % or high burden → chemotherapy (CAPTEM or
            // STZ/5-FU), PRRT as the NETTER-2 alternative when SSTR-positive.
            out.add(Chemotherapy, Stage::Primary, Intent::Palliative, "C7",
                format!("Pancreatic NET {grade}{}: first-line chemotherapy (capecitabine-temozolomide or streptozocin-5-FU).", if high_burden { " with a high tumour burden" } else { "" }),
                &[ESMO_GEP, ENETS_NF_PNET]);
            if ki_10_55 && f.sstr_pos {
                out.add(
                    Prrt,
                    Stage::Primary,
                    Intent::Palliative,
                    "C5",
                    "SSTR-positive with Ki-67 10-55 %: first-line PRRT is the NETTER-2 alternative.",
                    &[ESMO_GEP, "NETTER-2 (Lancet 2024)"],
                );
                out.disagree(
                    "PRRT timing",
                    &[
                        "Second line after SSA (ESMO 2020, NETTER-1)",
                        "First line for Ki-67 10-55 % (NETTER-2 2024; later NCCN)",
                    ],
                );
            }
            if f.net_g3() {
                // D3 asks for the same chemotherapy and PRRT for a NET G3.
                out.also(Chemotherapy, "D3");
                out.also(Prrt, "D3");
                d3_targeted(f, out);
            }
            if ki67.is_none() && !high_burden {
                out.warn("Tumour burden not recorded: a high burden in pNET favours chemotherapy first (C7).");
            }
            return;
        }
        if f.net_g3() {
            // D3: NET G3 advanced → chemotherapy (CAPTEM), PRRT if SSTR+ (NETTER-2), targeted for pNET.
            out.add(Chemotherapy, Stage::Primary, Intent::Palliative, "D3",
                format!("{site_text} NET G3 (well differentiated){}: chemotherapy such as capecitabine-temozolomide; platinum-etoposide is less effective below Ki-67 55 %.", ki67.map(|k| format!(", Ki-67 {} %", trim_number(k))).unwrap_or_default()),
                &[ENETS_NEC, ENETS_NF_PNET]);
            if f.sstr_pos && ki67.is_none_or(|k| k <= 55.0) {
                out.add(
                    Prrt,
                    Stage::Primary,
                    Intent::Palliative,
                    "D3",
                    "SSTR-positive NET G3: PRRT is an option (NETTER-2 first line for Ki-67 10-55 %).",
                    &[ENETS_NEC, "NETTER-2 (Lancet 2024)"],
                );
            }
            d3_targeted(f, out);
            return;
        }
        let ki_low = ki67.is_none_or(|k| k < 10.0);
        if !f.sstr_neg && ki_low {
            // C2: SSTR-positive with Ki-67 < 10 % → SSA first line (PROMID, CLARINET).
            // C3: SSTR unknown → still SSA for G1/G2 (PROMID did not select by SSTR).
            if !f.ongoing.contains(&SsaAntiproliferative) {
                let why = if f.sstr_pos {
                    format!(
                        "Unresectable SSTR-positive {site_text} NET {grade}: a somatostatin analogue (octreotide LAR or lanreotide) slows growth (PROMID, CLARINET)."
                    )
                } else {
                    format!(
                        "Unresectable {site_text} NET {grade} with SSTR status unknown: a somatostatin analogue is still reasonable (PROMID did not select by SSTR)."
                    )
                };
                out.add(
                    SsaAntiproliferative,
                    Stage::Primary,
                    Intent::Palliative,
                    if f.sstr_pos { "C2" } else { "C3" },
                    why,
                    &[ESMO_GEP, ENETS_SI],
                );
            }
            if f.sstr_pos && ki_10_55 {
                out.add(Prrt, Stage::Primary, Intent::Palliative, "C5", "Treatment-naive SSTR-positive disease with Ki-67 10-55 %: PRRT is a first-line alternative (NETTER-2).", &[ESMO_GEP, "NETTER-2 (Lancet 2024)"]);
            }
            // C2: watch-and-wait for low-burden stable G1 SI-NET.
            if site == Some(PrimarySite::SmallIntestine)
                && f.grade == Some(Grade::G1)
                && !f.functional
                && f.t.tumor_burden == Some(TumorBurden::Low)
            {
                out.add(
                    Surveillance,
                    Stage::Primary,
                    Intent::Palliative,
                    "C2",
                    "Low-burden G1 small-intestinal NET: watch-and-wait is acceptable while the disease is stable.",
                    &[ESMO_GEP, ENETS_SI],
                );
            }
            return;
        }
        if !f.sstr_neg && !ki_low && !pnet {
            // Non-pancreatic G2 with Ki-67 ≥ 10 %: SSA evidence is weaker; PRRT (NETTER-2) if SSTR+.
            if f.sstr_pos {
                out.add(
                    Prrt,
                    Stage::Primary,
                    Intent::Palliative,
                    "C5",
                    format!(
                        "SSTR-positive {site_text} NET with Ki-67 {} %: first-line PRRT (NETTER-2).",
                        trim_number(ki67.unwrap_or(0.0))
                    ),
                    &[ESMO_GEP, "NETTER-2 (Lancet 2024)"],
                );
            }
            out.add(
                SsaAntiproliferative,
                Stage::Primary,
                Intent::Palliative,
                "C2",
                "A somatostatin analogue remains an option, with less evidence above Ki-67 10 %.",
                &[ESMO_GEP],
            );
            return;
        }
        // SSTR-negative well-differentiated disease: SSA and PRRT need receptors; go to the
        // targeted and cytotoxic options of the next line.
    }
    second_line(f, out);
}

/// D3: targeted options for a pancreatic NET G3.
fn d3_targeted(f: &Facts, out: &mut Out) {
    if f.site == Some(PrimarySite::Pancreas) {
        out.add(
            Everolimus,
            Stage::Primary,
            Intent::Palliative,
            "D3",
            "Pancreatic NET G3: everolimus is an option.",
            &[ENETS_NEC, ENETS_NF_PNET],
        );
        out.add(
            Sunitinib,
            Stage::Primary,
            Intent::Palliative,
            "D3",
            "Pancreatic NET G3: sunitinib is an option.",
            &[ENETS_NEC, ENETS_NF_PNET],
        );
    }
}

/// H3.4 line 2 (and later): after progression, or when SSA/PRRT cannot be used.
fn second_line(f: &Facts, out: &mut Out) {
    let site = f.site;
    let site_text = f.site_text();
    // Name only the treatments that count as a line (not the resection of the primary).
    let failed_lines: Vec<String> = f
        .failed
        .iter()
        .filter(|c| !matches!(c, SurgeryCurative | EndoscopicResection | Surveillance | HormoneControl))
        .map(|c| c.label().to_lowercase())
        .collect();
    let after = if failed_lines.is_empty() {
        "SSTR-negative disease".to_string()
    } else {
        format!("Progression on {}", failed_lines.join(" and "))
    };
    let mut line: Vec<(OptionCode, &str, String, Vec<&str>)> = Vec::new();
    match site {
        Some(PrimarySite::Pancreas) => {
            // C6/C7: progressive pNET: everolimus (RADIANT-3), sunitinib, chemotherapy, PRRT —
            // no agreed order (disagreement 6).
            line.push((
                Everolimus,
                "C6",
                format!("{after} in pancreatic NET: everolimus (RADIANT-3)."),
                vec![ESMO_GEP, ENETS_NF_PNET],
            ));
            line.push((
                Sunitinib,
                "C6",
                "Sunitinib for progressive well-differentiated pancreatic NET.".into(),
                vec![ESMO_GEP, ENETS_NF_PNET],
            ));
            line.push((
                Chemotherapy,
                "C7",
                "Chemotherapy (capecitabine-temozolomide or streptozocin-5-FU) for progressive pancreatic NET.".into(),
                vec![ESMO_GEP, ENETS_NF_PNET],
            ));
            line.push((
                Prrt,
                "C5",
                "PRRT for SSTR-positive pancreatic NET after or alongside targeted therapy or chemotherapy.".into(),
                vec![ESMO_GEP, ENETS_NF_PNET],
            ));
            out.disagree("pNET after SSA", &["everolimus", "sunitinib", "chemotherapy", "PRRT — no agreed order"]);
        }
        Some(PrimarySite::Lung | PrimarySite::Thymus) => {
            // C6/C7 (ESMO-LUNG-21): everolimus (RADIANT-4), PRRT, chemotherapy for atypical.
            line.push((
                Everolimus,
                "C6",
                format!("{after} in {site_text} carcinoid: everolimus (RADIANT-4)."),
                vec![ESMO_LUNG],
            ));
            line.push((Prrt, "C5", "PRRT for SSTR-positive lung carcinoid.".into(), vec![ESMO_LUNG]));
            if f.grade == Some(Grade::G2) {
                line.push((
                    Chemotherapy,
                    "C7",
                    "Atypical (G2) carcinoid: temozolomide or oxaliplatin-based chemotherapy.".into(),
                    vec![ESMO_LUNG],
                ));
            }
        }
        _ => {
            // C5: SSTR+ small-intestinal, midgut or unknown primary → PRRT (NETTER-1), then
            // everolimus (RADIANT-4, non-functional GI).
            let midgut = f.midgut_like();
            line.push((Prrt, "C5", format!("{after} in SSTR-positive {site_text} NET: PRRT with 177Lu-DOTATATE is the standard next line (NETTER-1)."),
                vec![ESMO_GEP, ENETS_SI, "NETTER-1 (NEJM 2017)"]));
            line.push((
                Everolimus,
                "C6",
                format!(
                    "Everolimus for progressive non-functional {} NET (RADIANT-4).",
                    if midgut { "gastrointestinal" } else { site_text }
                ),
                vec![ESMO_GEP],
            ));
            if f.functional {
                out.warn("RADIANT-4 studied non-functional tumours: everolimus in a functioning NET needs care.");
            }
        }
    }
    let failed = f.failed.clone();
    for (code, rule, why, sources) in line {
        if !failed.contains(&code) {
            out.add(code, Stage::Primary, Intent::Palliative, rule, why, &sources);
        }
    }
    // C8: MIBG only if SSTR-negative (or PRRT impossible) and MIBG-avid.
    if f.t.mibg_avid == Some(MibgAvid::Yes) && (f.sstr_neg || f.progressed_on(Prrt)) {
        out.add(
            MibgTherapy,
            Stage::Primary,
            Intent::Palliative,
            "C8",
            "MIBG-avid disease where PRRT is not possible: 131I-MIBG therapy (weak evidence).",
            &[ENETS_MET, "Navalkissoor, Clin Med 2017"],
        );
        out.warn("131I-MIBG products have become scarce: check availability (disagreement 9).");
    } else if f.sstr_neg && f.t.mibg_avid.is_none_or(|m| m == MibgAvid::Unknown) {
        out.warn("SSTR-negative disease with MIBG avidity unknown: MIBG scintigraphy would show whether 131I-MIBG therapy is possible (C8).");
    }
    if f.sstr_neg {
        out.warn("SSTR-negative: somatostatin analogues and PRRT are not expected to work.");
    }
}

/// C4: liver-directed therapy for liver-dominant unresectable disease that is progressive,
/// symptomatic or functional; after the current systemic line. Needs ECOG ≤ 2.
fn liver_directed(f: &Facts, out: &mut Out) {
    if !(f.m1 && f.liver_dominant && f.t.liver_burden == Some(LiverBurden::Unresectable)) {
        return;
    }
    let indicated = f.t.progression_on_prior || f.functional || f.t.hormonal_symptoms;
    if !indicated {
        return;
    }
    let why = if f.t.progression_on_prior { "progressive" } else { "functional" };
    let embolization_failed = f.progressed_on(LiverEmbolization);
    if !embolization_failed {
        out.add(LiverEmbolization, Stage::AfterLine, Intent::Palliative, "C4",
            format!("Unresectable liver-dominant disease that is {why}: transarterial (chemo- or radio-)embolization, repeatable; it also reduces hormone secretion."),
            &[ESMO_GEP, ENETS_MET]);
    }
    let few_small =
        f.t.liver_lesion_count.is_some_and(|n| n <= 5) && f.t.liver_max_lesion_mm.is_some_and(|s| s <= 50.0);
    if embolization_failed || few_small {
        let why =
            if embolization_failed { "embolization has not been effective" } else { "there are few small lesions" };
        out.add(
            LiverAblation,
            Stage::AfterLine,
            Intent::Palliative,
            "C4",
            format!("Liver ablation because {why}."),
            &[ESMO_GEP, ENETS_MET, SEED],
        );
    } else if f.t.liver_lesion_count.is_none() || f.t.liver_max_lesion_mm.is_none() {
        out.warn("Number and size of liver lesions not recorded: ablation suits about ≤ 5 lesions of ≤ 3-5 cm (C4).");
    }
}

/// (f) F1: painful bone metastases → radiotherapy, right after hormone control.
pub(super) fn bone_pain(f: &Facts, out: &mut Out) {
    if f.t.bone_pain {
        out.add(ExternalBeamRadiation, Stage::BonePain, Intent::Palliative, "F1",
            "Painful bone metastasis: external beam radiotherapy relieves pain and protects against fracture or cord compression.",
            &[ESMO_GEP, ENETS_MET]);
    }
}

/// G1: trials for advanced, progressive, G3/NEC or refractory disease.
pub(super) fn clinical_trial(f: &Facts, out: &mut Out) {
    // Disease resected with curative intent (C1) is not "advanced" for G1.
    let advanced = (f.m1 && !f.resectable_liver_disease()) || f.locally_unresectable;
    let reason = if f.nec {
        Some("neuroendocrine carcinoma")
    } else if f.grade == Some(Grade::G3) {
        Some("grade 3 disease")
    } else if advanced && f.t.progression_on_prior {
        Some("progressive advanced disease")
    } else if f.t.hormonal_symptoms_refractory {
        Some("refractory hormonal symptoms")
    } else if advanced {
        Some("advanced disease")
    } else {
        None
    };
    if let Some(reason) = reason.filter(|_| !f.frail && (advanced || f.nec || f.grade == Some(Grade::G3))) {
        out.add(
            ClinicalTrial,
            Stage::Trial,
            Intent::Palliative,
            "G1",
            format!("Consider a clinical trial for {reason}."),
            &[NCCN, ESMO_GEP, ENETS_NEC],
        );
    }
}
