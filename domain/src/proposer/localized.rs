//! (a) A1-A22: resectable localized or regional well-differentiated disease, by site.

use super::facts::Facts;
use super::sources::*;
use super::{Out, Stage};
use crate::codes::*;
use crate::proposer::model::*;
use crate::tumor::trim_number;

use OptionCode::*;

/// (a) A1-A22: resectable localized or regional well-differentiated disease, by site.
pub(super) fn localized_by_site(f: &Facts, out: &mut Out) {
    let t = f.t;
    let size = f.size;
    let size_text = size.map(|s| format!("{} mm", trim_number(s))).unwrap_or_else(|| "size not recorded".into());
    let grade = f.grade_text();
    let site = f.site;

    // After a curative resection (outside the appendix, where resection is how the tumour is
    // found), there is no adjuvant therapy: follow-up (section 0; A9; A21).
    if !f.primary_in_situ && site != Some(PrimarySite::Appendix) {
        out.add(Surveillance, Stage::Primary, Intent::Curative, "0",
            "The primary has been resected and the disease is M0: follow-up; no adjuvant therapy for well-differentiated NET.", &[ESMO_GEP, NCCN]);
        if t.resection_margin == Some(ResectionMargin::R1) {
            out.warn("R1 resection: discuss re-resection.");
        }
        return;
    }

    match site {
        Some(PrimarySite::Pancreas) if f.functional => pancreas_functional(f, out, &size_text),
        Some(PrimarySite::Pancreas) => pancreas_non_functioning(f, out, &size_text, &grade),
        Some(PrimarySite::Duodenum) => duodenum(f, out, &size_text, &grade),
        Some(PrimarySite::SmallIntestine) => {
            // A9: resection with systematic mesenteric lymphadenectomy; no adjuvant therapy.
            out.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A9",
                format!("Resectable small-intestinal NET {grade}{}: resection with systematic mesenteric lymphadenectomy and palpation of the whole small bowel.",
                    if f.n1 { " with nodal disease" } else { "" }),
                &[ENETS_SI, ESMO_GEP]);
        }
        Some(PrimarySite::Appendix) => appendix(f, out, &size_text, &grade),
        Some(PrimarySite::Rectum) => rectum(f, out, &size_text, &grade),
        Some(PrimarySite::Colon) => {
            // A16: surgery as for adenocarcinoma; ≤ 10 mm G1 T1 N0 → endoscopic resection acceptable.
            let small = size.is_some_and(|s| s <= 10.0)
                && f.grade == Some(Grade::G1)
                && t.t_stage == Some(TStage::T1)
                && t.n_stage == Some(NStage::N0);
            if small {
                out.add(
                    EndoscopicResection,
                    Stage::Primary,
                    Intent::Curative,
                    "A16",
                    format!("Colonic NET {size_text}, G1, T1 N0: endoscopic resection is acceptable."),
                    &[ENETS_CRC],
                );
            }
            out.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A16", format!("Colonic NET {size_text}, {grade}: oncological colectomy with lymphadenectomy, as for adenocarcinoma."), &[ENETS_CRC]);
        }
        Some(PrimarySite::Stomach) => stomach(f, out, &size_text, &grade),
        Some(PrimarySite::Lung) => {
            // A21: anatomical resection with systematic mediastinal node dissection.
            let kind = if f.grade == Some(Grade::G2) { "atypical" } else { "typical" };
            out.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A21",
                format!("Localized lung {kind} carcinoid ({size_text}): lobectomy or anatomical segmentectomy with systematic mediastinal node dissection; no adjuvant therapy for typical carcinoid."),
                &[ESMO_LUNG, NCCN]);
        }
        Some(PrimarySite::Thymus) => {
            // A22: complete thymectomy; postoperative radiotherapy may follow incomplete resection.
            out.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A22",
                "Thymic carcinoid: complete thymectomy.",
                &[ESMO_LUNG],
            );
        }
        Some(PrimarySite::Unknown) | None => {
            // No site rule applies: resect regional disease; search for the primary.
            if f.n1 {
                out.add(SurgeryCurative, Stage::Primary, Intent::Curative, "H1",
                    "Regional nodal disease without a known primary: resection of the nodal disease (and the primary if found) with curative intent.", &[ESMO_GEP, SEED]);
            } else {
                out.add(
                    Surveillance,
                    Stage::Primary,
                    Intent::Curative,
                    "H1",
                    "No measurable locoregional disease recorded: follow-up while the primary is sought.",
                    &[ESMO_GEP],
                );
            }
            out.warn(
                "Primary not identified: SSTR-PET/CT and endoscopy may find it and change the site-specific options.",
            );
        }
    }
    let _ = f;
}

fn pancreas_functional(f: &Facts, out: &mut Out, size_text: &str) {
    let t = f.t;
    let syndrome = t.functional_syndrome.unwrap_or(FunctionalSyndrome::None);
    match syndrome {
        FunctionalSyndrome::Gastrinoma if t.men1 => {
            // A7: MEN1 gastrinoma: PPI backbone; surgery mainly for pNET > 20 mm (controversial).
            if f.size.is_some_and(|s| s > 20.0) {
                out.add(
                    SurgeryCurative,
                    Stage::Primary,
                    Intent::Curative,
                    "A7",
                    format!("MEN1 with a pancreatic tumour of {size_text} (> 20 mm): resection can be discussed."),
                    &[ENETS_F_PNET, THAKKER],
                );
                out.prerequisite(HormoneControl, SurgeryCurative);
            } else {
                out.add(Surveillance, Stage::Primary, Intent::Curative, "A7", format!("MEN1 gastrinoma, tumour {size_text}: PPI control and surveillance; surgery mainly for pNET > 20 mm."), &[ENETS_F_PNET, THAKKER]);
            }
            out.disagree(
                "MEN1 gastrinoma surgery",
                &[
                    "ENETS 2023: medical control; surgery mainly for pNET > 20 mm",
                    "Some centres operate earlier to prevent metastasis",
                ],
            );
        }
        _ => {
            // A5 insulinoma (enucleation if feasible; never surveillance), A6 sporadic
            // gastrinoma, A8 VIPoma/glucagonoma: control the hormone excess, then resect.
            let (rule, how) = match syndrome {
                FunctionalSyndrome::Insulinoma => ("A5", "enucleation if feasible, otherwise pancreatic resection"),
                FunctionalSyndrome::Gastrinoma => ("A6", "pancreatic resection with lymphadenectomy"),
                _ => ("A8", "resection with lymphadenectomy"),
            };
            out.add(SurgeryCurative, Stage::Primary, Intent::Curative, rule,
                format!("Localized functioning pancreatic NET ({}, {size_text}): {how} after medical control of the hormone excess.", syndrome.label().to_lowercase()),
                &[ENETS_F_PNET]);
            out.prerequisite(HormoneControl, SurgeryCurative);
            if syndrome == FunctionalSyndrome::Insulinoma && f.frail {
                out.warn("Unfit for surgery: EUS-guided ablation of an insulinoma may be considered (A5).");
            }
        }
    }
    if !out.candidates.iter().any(|c| c.code == HormoneControl) {
        out.add(
            HormoneControl,
            Stage::HormoneControl,
            Intent::Prerequisite,
            "B1",
            format!("{}: medical control of the hormone excess comes first.", syndrome.label()),
            &[ENETS_F_PNET],
        );
    }
}

fn pancreas_non_functioning(f: &Facts, out: &mut Out, size_text: &str, grade: &str) {
    let small = f.size.map(|s| s <= 20.0);
    let low_grade = f.grade == Some(Grade::G1) || (f.grade == Some(Grade::G2) && f.ki67.is_some_and(|k| k < 5.0));
    let symptomatic_or_nodal = f.n1 || f.t.hormonal_symptoms;
    if f.t.men1 {
        // A3: MEN1 NF-pNET ≤ 20 mm → surveillance; > 20 mm → surgery.
        match small {
            Some(true) => out.add(
                Surveillance,
                Stage::Primary,
                Intent::Curative,
                "A3",
                format!("MEN1 non-functioning pNET of {size_text} (≤ 20 mm): surveillance."),
                &[ENETS_NF_PNET, THAKKER],
            ),
            _ => out.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A3",
                format!("MEN1 non-functioning pNET of {size_text} (> 20 mm or size unknown): resection."),
                &[ENETS_NF_PNET, THAKKER],
            ),
        }
        if small.is_none() {
            out.warn("Tumour size not recorded: MEN1 NF-pNET ≤ 20 mm are watched, larger ones resected (A3).");
        }
        return;
    }
    if small == Some(true) && (f.elderly || f.ecog >= 2) && !symptomatic_or_nodal {
        // A4: elderly or comorbid with a small NF-pNET → surveillance first.
        out.add(
            Surveillance,
            Stage::Primary,
            Intent::Curative,
            "A4",
            format!(
                "Small non-functioning pNET ({size_text}) in an {} patient (ECOG {}): surveillance first.",
                if f.elderly { "elderly" } else { "comorbid" },
                f.ecog
            ),
            &[ENETS_NF_PNET],
        );
        return;
    }
    if small == Some(true) && low_grade && !symptomatic_or_nodal && !f.net_g3() {
        // A1: ≤ 20 mm, G1/low G2, asymptomatic, N0 → surveillance preferred; surgery is the
        // alternative for young patients, G2 or growth.
        out.add(Surveillance, Stage::Primary, Intent::Curative, "A1",
            format!("Asymptomatic non-functioning pNET of {size_text}, {grade}, without nodes: active surveillance is preferred."), &[ENETS_NF_PNET, ESMO_GEP, NCCN]);
        if f.young || f.grade == Some(Grade::G2) {
            let why = if f.young { "the patient is under 50" } else { "the tumour is G2" };
            out.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A1",
                format!("Resection is the alternative to surveillance because {why}."),
                &[ENETS_NF_PNET],
            );
        }
        out.warn("Growth on serial imaging is not recorded: growth makes resection the preferred option (A1/A2).");
        out.disagree(
            "Small NF-pNET",
            &["ENETS/ESMO: surveillance up to 20 mm", "NCCN: observation in selected cases, strongest below 10 mm"],
        );
        return;
    }
    // A2: > 20 mm, N1, symptoms or growth → formal resection with lymphadenectomy.
    let why = match (small, f.n1) {
        (_, true) => format!("nodal disease (N1), {size_text}"),
        (Some(false), _) => format!("{size_text} (> 20 mm)"),
        (None, _) => "size not recorded".to_string(),
        (Some(true), _) => format!("{size_text} but {grade}, not low grade"),
    };
    out.add(
        SurgeryCurative,
        Stage::Primary,
        Intent::Curative,
        "A2",
        format!("Non-functioning pNET, {grade}, {why}: formal pancreatic resection with lymphadenectomy."),
        &[ENETS_NF_PNET, ESMO_GEP],
    );
    if small.is_none() {
        out.warn("Tumour size not recorded: NF-pNET ≤ 20 mm without risk features may be watched instead (A1).");
    }
}

fn duodenum(f: &Facts, out: &mut Out, size_text: &str, grade: &str) {
    let t = f.t;
    // A20: functioning duodenal tumours follow A6 (sporadic) or A7 (MEN1 gastrinoma).
    if t.functional_syndrome == Some(FunctionalSyndrome::Gastrinoma) {
        return pancreas_functional(f, out, size_text);
    }
    let t2_plus = matches!(t.t_stage, Some(TStage::T2 | TStage::T3 | TStage::T4));
    let big = f.size.is_some_and(|s| s > 20.0);
    if t.ampullary == Some(true) || big || t2_plus || f.n1 || f.grade == Some(Grade::G3) {
        // A20: > 20 mm, T2+, N1, G3 or ampullary → surgery.
        out.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A20",
            format!("Duodenal NET ({size_text}, {grade}) with a feature that needs surgery (ampullary, > 20 mm, T2+, N1 or G3): resection with lymphadenectomy."), &[ENETS_GD]);
    } else if f.size.is_some_and(|s| s <= 10.0)
        && f.grade == Some(Grade::G1)
        && t.t_stage == Some(TStage::T1)
        && t.n_stage == Some(NStage::N0)
    {
        out.add(
            EndoscopicResection,
            Stage::Primary,
            Intent::Curative,
            "A20",
            format!("Non-ampullary duodenal NET {size_text}, G1, T1 N0: endoscopic resection."),
            &[ENETS_GD, ESGE],
        );
    } else {
        // 11-20 mm (or small but not G1 T1 N0): endoscopic resection or surgery.
        out.add(
            EndoscopicResection,
            Stage::Primary,
            Intent::Curative,
            "A20",
            format!("Non-ampullary duodenal NET {size_text}, {grade}: endoscopic resection by an expert endoscopist…"),
            &[ENETS_GD, ESGE],
        );
        out.add(
            SurgeryCurative,
            Stage::Primary,
            Intent::Curative,
            "A20",
            "…or surgical resection: both are options at this size.",
            &[ENETS_GD],
        );
    }
    if t.ampullary.is_none() {
        out.warn("Ampullary location not recorded: an ampullary duodenal NET needs surgery (A20).");
    }
}

fn appendix(f: &Facts, out: &mut Out, size_text: &str, grade: &str) {
    let t = f.t;
    let resected = !f.primary_in_situ;
    let risk = t.lymphovascular_invasion == Some(true)
        || matches!(f.grade, Some(Grade::G2 | Grade::G3))
        || t.resection_margin == Some(ResectionMargin::R1);
    let size = f.size;
    if size.is_some_and(|s| s > 20.0) || t.resection_margin == Some(ResectionMargin::R1) || f.n1 {
        // A12: > 20 mm, R1 or N1 → right hemicolectomy.
        out.add(
            SurgeryCurative,
            Stage::Primary,
            Intent::Curative,
            "A12",
            format!("Appendiceal NET {size_text}, {grade}{}: right hemicolectomy.", if f.n1 { ", N1" } else { "" }),
            &[ENETS_ANET, NCCN, ESMO_GEP],
        );
        out.disagree(
            "Appendiceal NET: right hemicolectomy",
            &["ENETS 2023 questions its benefit, even above 2 cm", "NCCN recommends it above 2 cm"],
        );
    } else if size.is_some_and(|s| s > 10.0) {
        // A11: 10-20 mm → appendectomy usually sufficient; discuss hemicolectomy with risk factors.
        if resected {
            out.add(
                Surveillance,
                Stage::Primary,
                Intent::Curative,
                "A11",
                format!("Appendiceal NET {size_text} removed by appendectomy: usually sufficient."),
                &[ENETS_ANET],
            );
        } else {
            out.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A11",
                format!("Appendiceal NET {size_text}: appendectomy."),
                &[ENETS_ANET],
            );
        }
        if risk {
            out.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A11",
                "Risk features (lymphovascular invasion, G2/G3 or R1): discuss right hemicolectomy.",
                &[ENETS_ANET, NCCN],
            );
        }
        out.warn(
            "Mesoappendiceal invasion depth is not recorded: > 3 mm is a reason to discuss right hemicolectomy (A11).",
        );
        out.disagree(
            "Appendiceal NET 1-2 cm with risk factors",
            &["ENETS 2023: benefit of right hemicolectomy uncertain", "NCCN: consider right hemicolectomy"],
        );
    } else {
        // A10: ≤ 10 mm, R0, no risk factors → no further treatment.
        if resected {
            out.add(Surveillance, Stage::Primary, Intent::Curative, "A10",
                format!("Appendiceal NET {size_text}, {grade}, removed by appendectomy: no further treatment; routine follow-up is not required."), &[ENETS_ANET, ESMO_GEP]);
        } else {
            out.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A10",
                format!("Appendiceal NET {size_text}: appendectomy."),
                &[ENETS_ANET],
            );
        }
        if size.is_none() {
            out.warn("Tumour size not recorded: the appendix rules depend on it (≤ 10 mm, 10-20 mm, > 20 mm).");
        }
        if t.resection_margin.is_none() && resected {
            out.warn("Resection margin not recorded: R1 or a positive base changes the advice (A10/A12).");
        }
    }
}

fn rectum(f: &Facts, out: &mut Out, size_text: &str, grade: &str) {
    let t = f.t;
    let t2_plus = matches!(t.t_stage, Some(TStage::T2 | TStage::T3 | TStage::T4));
    let size = f.size;
    if size.is_some_and(|s| s > 20.0) || t2_plus || f.n1 {
        // A15: > 20 mm, T2-T4 or N1 → LAR/APR with TME.
        out.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A15",
            format!("Rectal NET {size_text}, {grade}, {}: low anterior or abdominoperineal resection with total mesorectal excision.",
                [t.t_stage.map(|s| s.code()), t.n_stage.map(|s| s.code())].iter().flatten().copied().collect::<Vec<_>>().join(" ")),
            &[ENETS_CRC, NCCN]);
    } else if size.is_some_and(|s| s >= 10.0) {
        // A14: 10-20 mm "grey zone": T1 N0 without risk → advanced endoscopic resection;
        // LVI, G3 or R1 → TME.
        let risk = t.lymphovascular_invasion == Some(true)
            || f.grade == Some(Grade::G3)
            || t.resection_margin == Some(ResectionMargin::R1);
        if risk {
            out.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A14",
                format!("Rectal NET {size_text} with risk features (LVI, G3 or R1): total mesorectal excision."),
                &[ENETS_CRC],
            );
        } else {
            out.add(EndoscopicResection, Stage::Primary, Intent::Curative, "A14",
                format!("Rectal NET {size_text}, {grade}, T1 N0 on EUS/MRI: advanced endoscopic resection (ESD/EFTR) or transanal excision."), &[ENETS_CRC, ESGE]);
            out.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A14",
                "Total mesorectal excision is the surgical alternative at 10-20 mm.",
                &[ENETS_CRC, NCCN],
            );
            if t.lymphovascular_invasion.is_none() {
                out.warn("Lymphovascular invasion not recorded: LVI makes surgery preferred for a 10-20 mm rectal NET (A14).");
            }
        }
        out.disagree(
            "Rectal NET 10-20 mm",
            &["Advanced endoscopic resection (ENETS/ESGE grey zone)", "Total mesorectal excision"],
        );
    } else {
        // A13: < 10 mm, G1/G2, T1 N0 → endoscopic resection aiming at R0; TME is over-treatment.
        out.add(EndoscopicResection, Stage::Primary, Intent::Curative, "A13",
            format!("Rectal NET {size_text}, {grade}, confined to the submucosa: modified EMR/ESD aiming at R0; TME would be over-treatment."), &[ENETS_CRC, NCCN, ESGE]);
        if size.is_none() {
            out.warn(
                "Tumour size not recorded: rectal NET ≥ 10 mm need EUS/MRI staging and may need surgery (A14/A15).",
            );
        }
    }
}

fn stomach(f: &Facts, out: &mut Out, size_text: &str, grade: &str) {
    let t = f.t;
    let size = f.size;
    let invasive =
        matches!(t.t_stage, Some(TStage::T2 | TStage::T3 | TStage::T4)) || f.n1 || f.grade == Some(Grade::G3);
    match t.gastric_type {
        Some(GastricType::Type1) => {
            // A17: < 10 mm → endoscopic surveillance or resection; ≥ 10 mm → endoscopic resection
            // after EUS; surgery only with muscularis propria invasion, N1 or G3.
            if invasive {
                out.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A17", format!("Type 1 gastric NET {size_text} with invasion of the muscularis propria, nodes or G3: surgical resection."), &[ENETS_GD]);
            } else if size.is_some_and(|s| s < 10.0) {
                out.add(
                    Surveillance,
                    Stage::Primary,
                    Intent::Curative,
                    "A17",
                    format!("Type 1 gastric NET {size_text} (< 10 mm): endoscopic surveillance…"),
                    &[ENETS_GD, ESGE],
                );
                out.add(
                    EndoscopicResection,
                    Stage::Primary,
                    Intent::Curative,
                    "A17",
                    "…or endoscopic resection.",
                    &[ENETS_GD, ESGE],
                );
            } else {
                out.add(
                    EndoscopicResection,
                    Stage::Primary,
                    Intent::Curative,
                    "A17",
                    format!("Type 1 gastric NET {size_text}: endoscopic resection after EUS."),
                    &[ENETS_GD, ESGE],
                );
            }
        }
        Some(GastricType::Type2) => {
            // A18: ZES/MEN1 → PPI, manage the gastrinoma, endoscopic resection of gastric lesions.
            out.add(HormoneControl, Stage::HormoneControl, Intent::Symptomatic, "A18", "Type 2 gastric NET (Zollinger-Ellison / MEN1): high-dose proton pump inhibitor; manage the gastrinoma.", &[ENETS_GD]);
            out.add(
                EndoscopicResection,
                Stage::Primary,
                Intent::Curative,
                "A18",
                format!("Type 2 gastric NET {size_text}: endoscopic resection of the gastric lesions."),
                &[ENETS_GD],
            );
        }
        Some(GastricType::Type3) | None => {
            // A19: type 3 > 10 mm, G2/G3, N1 or risk features → gastrectomy with lymphadenectomy;
            // ≤ 10 mm G1 without risk features → endoscopic resection acceptable.
            if t.gastric_type.is_none() {
                out.warn("Gastric NET type not recorded: treated as type 3 (sporadic), the most aggressive; types 1 and 2 are managed endoscopically.");
            }
            let small_low = size.is_some_and(|s| s <= 10.0) && f.grade == Some(Grade::G1) && !invasive;
            if small_low {
                out.add(EndoscopicResection, Stage::Primary, Intent::Curative, "A19", format!("Sporadic (type 3) gastric NET {size_text}, G1, without risk features: endoscopic resection is acceptable."), &[ENETS_GD]);
                out.add(
                    SurgeryCurative,
                    Stage::Primary,
                    Intent::Curative,
                    "A19",
                    "Gastrectomy with lymphadenectomy is the more conservative alternative (NCCN).",
                    &[NCCN],
                );
                out.disagree("Type 3 gastric NET ≤ 10 mm", &["ENETS 2023: endoscopic resection", "NCCN: gastrectomy"]);
            } else {
                out.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A19", format!("Sporadic (type 3) gastric NET {size_text}, {grade}: partial or total gastrectomy with lymphadenectomy."), &[ENETS_GD, NCCN]);
            }
        }
    }
}
