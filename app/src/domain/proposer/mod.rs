//! The option proposer: from the structured case to ranked NET management options with
//! reasons, sources, prerequisites, warnings and alternatives. Pure and deterministic.
//!
//! It encodes app/docs/net-rules.md. Every rule below carries its id there (A1…H3) and the
//! guideline section it comes from, so a clinician can check each against its source. The
//! guiding principle (H1): local options for local disease, regional options for regional
//! disease, systemic options only when both fail or disease is systemic.
//!
//! How a proposal is built (H3): candidates are collected in stages — hormone control first
//! (B1), radiotherapy for painful bone metastases (F1), the disease-directed options of the
//! site rule or the current systemic line, liver-directed therapy after that line (C4),
//! therapies continued (H3.5), clinical trials last (G1) — and then the hard gates (H3.1) remove
//! whatever must never be proposed. The proposer proposes; the board decides.

mod model;

pub use model::*;

use crate::domain::codes::*;
use crate::domain::tumor::{Tumor, trim_number};

use OptionCode::*;

// Source keys of net-rules.md, with the paper they name.
const ESMO_GEP: &str = "ESMO-GEP-20 (Pavel, Ann Oncol 2020)";
const ESMO_LUNG: &str = "ESMO-LUNG-21 (Baudin, Ann Oncol 2021)";
const ENETS_NF_PNET: &str = "ENETS-NF-pNET-23 (Kos-Kudła, J Neuroendocrinol 2023)";
const ENETS_F_PNET: &str = "ENETS-F-pNET-23 (Hofland, J Neuroendocrinol 2023)";
const ENETS_ANET: &str = "ENETS-aNET-23 (Kaltsas, J Neuroendocrinol 2023)";
const ENETS_CRC: &str = "ENETS-CRC-23 (Rinke, J Neuroendocrinol 2023)";
const ENETS_GD: &str = "ENETS-GD-23 (Panzuto, J Neuroendocrinol 2023)";
const ENETS_NEC: &str = "ENETS-NEC-23 (Sorbye, J Neuroendocrinol 2023)";
const ENETS_SI: &str = "ENETS-SI-24 (Lamarca, J Neuroendocrinol 2024)";
const ENETS_CS: &str = "ENETS-CS-22 (Grozinsky-Glasberg, J Neuroendocrinol 2022)";
const ENETS_MET: &str = "ENETS-MET-16 (Pavel, Neuroendocrinology 2016)";
const NCCN: &str = "NCCN-NAT (Neuroendocrine and Adrenal Tumors 2024-25)";
const ESGE: &str = "ESGE-22 (Deprez, Endoscopy 2022)";
const THAKKER: &str = "Thakker 2012 MEN1 guideline (J Clin Endocrinol Metab)";
const SEED: &str = "Tumorboard seed principle: local → regional → systemic";

/// Ordering stages of H3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    HormoneControl = 0,
    BonePain = 1,
    Primary = 2,
    AfterLine = 3,
    Continued = 4,
    Trial = 5,
}

struct Candidate {
    code: OptionCode,
    stage: Stage,
    intent: Intent,
    rationale: String,
    sources: Vec<String>,
    rules: Vec<String>,
}

/// The facts the rules read, derived once from the tumor (net-rules.md section 0).
#[derive(Clone)]
struct Facts<'a> {
    t: &'a Tumor,
    site: Option<PrimarySite>,
    nec: bool,
    grade: Option<Grade>,
    ki67: Option<f64>,
    m1: bool,
    n1: bool,
    ecog: u8,
    frail: bool,
    fit: bool,
    functional: bool,
    sstr_pos: bool,
    sstr_neg: bool,
    elderly: bool,
    young: bool,
    size: Option<f64>,
    liver_dominant: bool,
    primary_in_situ: bool,
    /// Systemic or locoregional treatments on which the disease progressed.
    failed: Vec<OptionCode>,
    /// Treatments given and not failed.
    ongoing: Vec<OptionCode>,
    locally_unresectable: bool,
}

impl<'a> Facts<'a> {
    fn new(t: &'a Tumor) -> Self {
        let m1 = t.m_stage == Some(MStage::M1) || !t.metastatic_sites.is_empty();
        let sites = &t.metastatic_sites;
        let liver = sites.contains(&MetastaticSite::Liver);
        let ecog = t.ecog.unwrap_or(0);
        let progressed = t.progression_on_prior;
        let (failed, ongoing): (Vec<_>, Vec<_>) = t.prior_treatments.iter().partition(|_| progressed);
        Facts {
            t,
            site: t.primary_site,
            nec: t.differentiation == Some(Differentiation::Poor),
            grade: t.effective_grade(),
            ki67: t.ki67_percent,
            m1,
            n1: t.n_stage == Some(NStage::N1),
            ecog,
            frail: ecog >= 3,
            fit: ecog <= 1,
            functional: t.functional_syndrome.is_some_and(|f| f != FunctionalSyndrome::None),
            sstr_pos: t.sstr_imaging == Some(SstrImaging::Positive),
            sstr_neg: t.sstr_imaging == Some(SstrImaging::Negative),
            elderly: t.age.is_some_and(|a| a >= 80),
            young: t.age.is_some_and(|a| a < 50),
            size: t.tumor_size_mm,
            liver_dominant: liver
                && sites.iter().all(|s| matches!(s, MetastaticSite::Liver | MetastaticSite::DistantNodes)),
            primary_in_situ: !t.prior_treatments.contains(&SurgeryCurative),
            failed: failed.into_iter().copied().collect(),
            ongoing: ongoing.into_iter().copied().collect(),
            locally_unresectable: t.primary_resectable == Some(false),
        }
    }

    fn g1_g2(&self) -> bool {
        matches!(self.grade, Some(Grade::G1 | Grade::G2)) || (self.grade.is_none() && !self.nec)
    }

    /// C1: limited, resectable liver-dominant metastases in a fit patient with G1/G2 NET,
    /// treated with curative intent.
    fn resectable_liver_disease(&self) -> bool {
        self.m1
            && !self.nec
            && self.liver_dominant
            && self.t.liver_burden == Some(LiverBurden::LimitedResectable)
            && self.fit
            && self.g1_g2()
    }

    fn net_g3(&self) -> bool {
        !self.nec && self.grade == Some(Grade::G3)
    }

    fn progressed_on(&self, code: OptionCode) -> bool {
        self.failed.contains(&code)
    }

    fn midgut_like(&self) -> bool {
        matches!(self.site, Some(PrimarySite::SmallIntestine | PrimarySite::Appendix | PrimarySite::Unknown) | None)
    }

    fn grade_text(&self) -> String {
        let mut s = match self.grade {
            Some(g) => g.code().to_string(),
            None => "grade not recorded".to_string(),
        };
        if let Some(k) = self.ki67 {
            s.push_str(&format!(" (Ki-67 {} %)", trim_number(k)));
        }
        s
    }

    fn site_text(&self) -> &'static str {
        self.site.map(|s| s.label()).unwrap_or("primary site not recorded")
    }
}

struct Builder<'a> {
    f: Facts<'a>,
    candidates: Vec<Candidate>,
    prerequisites: Vec<Prerequisite>,
    warnings: Vec<String>,
    alternatives: Vec<Alternative>,
}

impl<'a> Builder<'a> {
    fn add(
        &mut self,
        code: OptionCode,
        stage: Stage,
        intent: Intent,
        rule: &str,
        rationale: impl Into<String>,
        sources: &[&str],
    ) {
        self.candidates.push(Candidate {
            code,
            stage,
            intent,
            rationale: rationale.into(),
            sources: sources.iter().map(|s| s.to_string()).collect(),
            rules: vec![rule.to_string()],
        });
    }

    fn warn(&mut self, w: impl Into<String>) {
        let w = w.into();
        if !self.warnings.contains(&w) {
            self.warnings.push(w);
        }
    }

    fn disagree(&mut self, topic: &str, positions: &[&str]) {
        if !self.alternatives.iter().any(|a| a.topic == topic) {
            self.alternatives.push(Alternative {
                topic: topic.into(),
                positions: positions.iter().map(|p| p.to_string()).collect(),
            });
        }
    }

    fn prerequisite(&mut self, before: OptionCode, option: OptionCode) {
        let p = Prerequisite { before, option };
        if !self.prerequisites.contains(&p) {
            self.prerequisites.push(p);
        }
    }
}

/// Proposes management options for a tumor. Same input, same output.
pub fn propose(t: &Tumor) -> Proposal {
    let mut b = Builder {
        f: Facts::new(t),
        candidates: Vec::new(),
        prerequisites: Vec::new(),
        warnings: Vec::new(),
        alternatives: Vec::new(),
    };
    missing_data_warnings(&mut b);
    functional_syndromes(&mut b);
    bone_pain(&mut b);
    if b.f.nec {
        neuroendocrine_carcinoma(&mut b);
    } else if !b.f.m1 && !b.f.locally_unresectable {
        localized_by_site(&mut b);
    } else {
        advanced_well_differentiated(&mut b);
    }
    continued_therapies(&mut b);
    clinical_trial(&mut b);
    finish(b)
}

/// Section 0 / "Facts no field records": say what is missing instead of guessing.
fn missing_data_warnings(b: &mut Builder) {
    let t = b.f.t;
    if t.primary_site.is_none() {
        b.warn("Primary site not recorded: the site-specific rules cannot be applied.");
    }
    if t.differentiation.is_none() {
        b.warn("Differentiation not recorded: assumed well differentiated (NET); a poorly differentiated NEC is treated differently.");
    }
    if t.grade.is_none() && t.ki67_percent.is_none() {
        b.warn("Grade and Ki-67 not recorded: grade-dependent options (SSA, chemotherapy, PRRT timing) may change.");
    }
    if t.m_stage.is_none() {
        b.warn("M stage not recorded: treated as M0 unless metastatic sites are recorded.");
    }
    if t.ecog.is_none() {
        b.warn("ECOG not recorded: assumed fit; ECOG 3-4 excludes surgery, chemotherapy, PRRT and liver-directed therapy (E1).");
    }
    if t.sstr_imaging.is_none() || t.sstr_imaging == Some(SstrImaging::Unknown) {
        b.warn("SSTR imaging unknown: PRRT cannot be assessed; obtain SSTR-PET (C3).");
    }
}

/// (b) B1-B4: control hormone excess first. A5-A8 localized functional tumours.
fn functional_syndromes(b: &mut Builder) {
    let t = b.f.t;
    let Some(syndrome) = t.functional_syndrome.filter(|s| *s != FunctionalSyndrome::None) else { return };
    let (what, src): (&str, &[&str]) = match syndrome {
        // B3 / A5: diet and diazoxide; SSA only if SSTR+, it may worsen hypoglycaemia.
        FunctionalSyndrome::Insulinoma => (
            "frequent meals and diazoxide (an SSA only if SSTR-positive: it can worsen hypoglycaemia)",
            &[ENETS_F_PNET],
        ),
        // B4 / A6: high-dose PPI, never stopped abruptly.
        FunctionalSyndrome::Gastrinoma => {
            ("a high-dose proton pump inhibitor (never stopped abruptly)", &[ENETS_F_PNET, ENETS_GD])
        }
        // B2: SSA; telotristat for refractory diarrhoea (TELESTAR); screen for carcinoid heart disease.
        FunctionalSyndrome::CarcinoidSyndrome => (
            "a somatostatin analogue (telotristat if diarrhoea persists; screen for carcinoid heart disease)",
            &[ENETS_CS, ESMO_GEP],
        ),
        // B4 / A8: SSA with fluids and nutrition.
        FunctionalSyndrome::Vipoma | FunctionalSyndrome::Glucagonoma => {
            ("a somatostatin analogue with fluid and nutritional support", &[ENETS_F_PNET])
        }
        FunctionalSyndrome::None => return,
    };
    if t.hormonal_symptoms || !b.f.m1 {
        // B1: symptoms are controlled before surgery, locoregional therapy or PRRT (octreotide
        // cover against carcinoid crisis). A5/A6/A8 also prepare a localized functional tumour.
        let why = if t.hormonal_symptoms {
            format!("{} with symptoms of hormone excess: control them first with {what}.", syndrome.label())
        } else {
            format!("{}: medical control with {what} prepares any further treatment.", syndrome.label())
        };
        let intent = if t.hormonal_symptoms { Intent::Symptomatic } else { Intent::Prerequisite };
        b.add(HormoneControl, Stage::HormoneControl, intent, "B1", why, src);
    }
    if t.hormonal_symptoms_refractory {
        // B5: refractory symptoms add debulking, liver-directed therapy and PRRT (E1 still applies).
        b.add(
            SurgeryDebulking,
            Stage::AfterLine,
            Intent::Symptomatic,
            "B5",
            "Hormonal symptoms persist despite medical control: cytoreductive surgery can reduce hormone secretion.",
            &[ENETS_CS, ESMO_GEP],
        );
        b.warn("Debulking helps only if at least 70-90 % of the tumour can be removed: confirm feasibility (B5).");
        if b.f.liver_dominant {
            b.add(LiverEmbolization, Stage::AfterLine, Intent::Symptomatic, "B5",
                "Refractory hormonal symptoms with liver-dominant disease: embolization also reduces hormone secretion.", &[ENETS_MET, ESMO_GEP]);
        }
        if b.f.sstr_pos {
            b.add(
                Prrt,
                Stage::AfterLine,
                Intent::Symptomatic,
                "B5",
                "Refractory hormonal symptoms in SSTR-positive disease: PRRT can control symptoms.",
                &[ENETS_CS, ESMO_GEP],
            );
        }
    }
}

/// (f) F1: painful bone metastases → radiotherapy, right after hormone control.
fn bone_pain(b: &mut Builder) {
    if b.f.t.bone_pain {
        b.add(ExternalBeamRadiation, Stage::BonePain, Intent::Palliative, "F1",
            "Painful bone metastasis: external beam radiotherapy relieves pain and protects against fracture or cord compression.",
            &[ESMO_GEP, ENETS_MET]);
    }
}

/// (d) D1/D2 and E1 for poorly differentiated neuroendocrine carcinoma.
fn neuroendocrine_carcinoma(b: &mut Builder) {
    let site = b.f.site_text();
    if b.f.m1 || b.f.locally_unresectable {
        // D1: platinum-etoposide first line; FOLFIRI second line. No SSA, PRRT or liver resection.
        let line = if b.f.progressed_on(Chemotherapy) {
            "Progression after first-line chemotherapy: second-line irinotecan with a fluoropyrimidine (FOLFIRI)."
        } else {
            "Metastatic neuroendocrine carcinoma: first-line carboplatin or cisplatin with etoposide."
        };
        b.add(
            Chemotherapy,
            Stage::Primary,
            Intent::Palliative,
            "D1",
            format!("{site} NEC {}: {line}", b.f.grade_text()),
            &[ENETS_NEC, ESMO_GEP, NCCN],
        );
        if b.f.frail {
            // E1: chemotherapy is excluded at ECOG 3-4, but the tumour may be the cause.
            b.warn("ECOG 3-4 excludes chemotherapy (E1); if the poor performance status is caused by the NEC itself, chemotherapy may still be discussed.");
        }
    } else {
        // D2: localized NEC: surgery after extensive staging, with perioperative chemotherapy;
        // rectal/anal NEC: chemoradiotherapy.
        if b.f.site == Some(PrimarySite::Rectum) {
            b.add(
                Chemotherapy,
                Stage::Primary,
                Intent::Curative,
                "D2",
                "Localized rectal NEC: chemoradiotherapy (chemotherapy with radiotherapy).",
                &[ENETS_NEC],
            );
            b.add(
                ExternalBeamRadiation,
                Stage::Primary,
                Intent::Curative,
                "D2",
                "Localized rectal NEC: radiotherapy as part of chemoradiotherapy.",
                &[ENETS_NEC],
            );
        } else {
            b.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "D2",
                format!("Localized {site} NEC: resection after extensive staging (FDG-PET/CT) is the curative option."),
                &[ENETS_NEC],
            );
            b.add(
                Chemotherapy,
                Stage::Primary,
                Intent::Curative,
                "D2",
                "Localized NEC: perioperative platinum-etoposide chemotherapy is usually given with surgery.",
                &[ENETS_NEC],
            );
        }
    }
}

/// (a) A1-A22: resectable localized or regional well-differentiated disease, by site.
fn localized_by_site(b: &mut Builder) {
    let f = b.f.clone();
    let t = f.t;
    let size = f.size;
    let size_text = size.map(|s| format!("{} mm", trim_number(s))).unwrap_or_else(|| "size not recorded".into());
    let grade = f.grade_text();
    let site = f.site;

    // After a curative resection (outside the appendix, where resection is how the tumour is
    // found), there is no adjuvant therapy: follow-up (section 0; A9; A21).
    if !f.primary_in_situ && site != Some(PrimarySite::Appendix) {
        b.add(Surveillance, Stage::Primary, Intent::Curative, "0",
            "The primary has been resected and the disease is M0: follow-up; no adjuvant therapy for well-differentiated NET.", &[ESMO_GEP, NCCN]);
        if t.resection_margin == Some(ResectionMargin::R1) {
            b.warn("R1 resection: discuss re-resection.");
        }
        return;
    }

    match site {
        Some(PrimarySite::Pancreas) if f.functional => pancreas_functional(b, &size_text),
        Some(PrimarySite::Pancreas) => pancreas_non_functioning(b, &size_text, &grade),
        Some(PrimarySite::Duodenum) => duodenum(b, &size_text, &grade),
        Some(PrimarySite::SmallIntestine) => {
            // A9: resection with systematic mesenteric lymphadenectomy; no adjuvant therapy.
            b.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A9",
                format!("Resectable small-intestinal NET {grade}{}: resection with systematic mesenteric lymphadenectomy and palpation of the whole small bowel.",
                    if b.f.n1 { " with nodal disease" } else { "" }),
                &[ENETS_SI, ESMO_GEP]);
        }
        Some(PrimarySite::Appendix) => appendix(b, &size_text, &grade),
        Some(PrimarySite::Rectum) => rectum(b, &size_text, &grade),
        Some(PrimarySite::Colon) => {
            // A16: surgery as for adenocarcinoma; ≤ 10 mm G1 T1 N0 → endoscopic resection acceptable.
            let small = size.is_some_and(|s| s <= 10.0)
                && f.grade == Some(Grade::G1)
                && t.t_stage == Some(TStage::T1)
                && t.n_stage == Some(NStage::N0);
            if small {
                b.add(
                    EndoscopicResection,
                    Stage::Primary,
                    Intent::Curative,
                    "A16",
                    format!("Colonic NET {size_text}, G1, T1 N0: endoscopic resection is acceptable."),
                    &[ENETS_CRC],
                );
            }
            b.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A16", format!("Colonic NET {size_text}, {grade}: oncological colectomy with lymphadenectomy, as for adenocarcinoma."), &[ENETS_CRC]);
        }
        Some(PrimarySite::Stomach) => stomach(b, &size_text, &grade),
        Some(PrimarySite::Lung) => {
            // A21: anatomical resection with systematic mediastinal node dissection.
            let kind = if f.grade == Some(Grade::G2) { "atypical" } else { "typical" };
            b.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A21",
                format!("Localized lung {kind} carcinoid ({size_text}): lobectomy or anatomical segmentectomy with systematic mediastinal node dissection; no adjuvant therapy for typical carcinoid."),
                &[ESMO_LUNG, NCCN]);
        }
        Some(PrimarySite::Thymus) => {
            // A22: complete thymectomy; postoperative radiotherapy may follow incomplete resection.
            b.add(
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
            if b.f.n1 {
                b.add(SurgeryCurative, Stage::Primary, Intent::Curative, "H1",
                    "Regional nodal disease without a known primary: resection of the nodal disease (and the primary if found) with curative intent.", &[ESMO_GEP, SEED]);
            } else {
                b.add(
                    Surveillance,
                    Stage::Primary,
                    Intent::Curative,
                    "H1",
                    "No measurable locoregional disease recorded: follow-up while the primary is sought.",
                    &[ESMO_GEP],
                );
            }
            b.warn(
                "Primary not identified: SSTR-PET/CT and endoscopy may find it and change the site-specific options.",
            );
        }
    }
    let _ = f;
}

fn pancreas_functional(b: &mut Builder, size_text: &str) {
    let t = b.f.t;
    let syndrome = t.functional_syndrome.unwrap_or(FunctionalSyndrome::None);
    match syndrome {
        FunctionalSyndrome::Gastrinoma if t.men1 => {
            // A7: MEN1 gastrinoma: PPI backbone; surgery mainly for pNET > 20 mm (controversial).
            if b.f.size.is_some_and(|s| s > 20.0) {
                b.add(
                    SurgeryCurative,
                    Stage::Primary,
                    Intent::Curative,
                    "A7",
                    format!("MEN1 with a pancreatic tumour of {size_text} (> 20 mm): resection can be discussed."),
                    &[ENETS_F_PNET, THAKKER],
                );
                b.prerequisite(HormoneControl, SurgeryCurative);
            } else {
                b.add(Surveillance, Stage::Primary, Intent::Curative, "A7", format!("MEN1 gastrinoma, tumour {size_text}: PPI control and surveillance; surgery mainly for pNET > 20 mm."), &[ENETS_F_PNET, THAKKER]);
            }
            b.disagree(
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
            b.add(SurgeryCurative, Stage::Primary, Intent::Curative, rule,
                format!("Localized functioning pancreatic NET ({}, {size_text}): {how} after medical control of the hormone excess.", syndrome.label().to_lowercase()),
                &[ENETS_F_PNET]);
            b.prerequisite(HormoneControl, SurgeryCurative);
            if syndrome == FunctionalSyndrome::Insulinoma && b.f.frail {
                b.warn("Unfit for surgery: EUS-guided ablation of an insulinoma may be considered (A5).");
            }
        }
    }
    if !b.candidates.iter().any(|c| c.code == HormoneControl) {
        b.add(
            HormoneControl,
            Stage::HormoneControl,
            Intent::Prerequisite,
            "B1",
            format!("{}: medical control of the hormone excess comes first.", syndrome.label()),
            &[ENETS_F_PNET],
        );
    }
}

fn pancreas_non_functioning(b: &mut Builder, size_text: &str, grade: &str) {
    let f = b.f.clone();
    let small = f.size.map(|s| s <= 20.0);
    let low_grade = f.grade == Some(Grade::G1) || (f.grade == Some(Grade::G2) && f.ki67.is_some_and(|k| k < 5.0));
    let symptomatic_or_nodal = f.n1 || f.t.hormonal_symptoms;
    if f.t.men1 {
        // A3: MEN1 NF-pNET ≤ 20 mm → surveillance; > 20 mm → surgery.
        match small {
            Some(true) => b.add(
                Surveillance,
                Stage::Primary,
                Intent::Curative,
                "A3",
                format!("MEN1 non-functioning pNET of {size_text} (≤ 20 mm): surveillance."),
                &[ENETS_NF_PNET, THAKKER],
            ),
            _ => b.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A3",
                format!("MEN1 non-functioning pNET of {size_text} (> 20 mm or size unknown): resection."),
                &[ENETS_NF_PNET, THAKKER],
            ),
        }
        if small.is_none() {
            b.warn("Tumour size not recorded: MEN1 NF-pNET ≤ 20 mm are watched, larger ones resected (A3).");
        }
        return;
    }
    if small == Some(true) && (f.elderly || f.ecog >= 2) && !symptomatic_or_nodal {
        // A4: elderly or comorbid with a small NF-pNET → surveillance first.
        b.add(
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
        b.add(Surveillance, Stage::Primary, Intent::Curative, "A1",
            format!("Asymptomatic non-functioning pNET of {size_text}, {grade}, without nodes: active surveillance is preferred."), &[ENETS_NF_PNET, ESMO_GEP, NCCN]);
        if f.young || f.grade == Some(Grade::G2) {
            let why = if f.young { "the patient is under 50" } else { "the tumour is G2" };
            b.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A1",
                format!("Resection is the alternative to surveillance because {why}."),
                &[ENETS_NF_PNET],
            );
        }
        b.warn("Growth on serial imaging is not recorded: growth makes resection the preferred option (A1/A2).");
        b.disagree(
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
    b.add(
        SurgeryCurative,
        Stage::Primary,
        Intent::Curative,
        "A2",
        format!("Non-functioning pNET, {grade}, {why}: formal pancreatic resection with lymphadenectomy."),
        &[ENETS_NF_PNET, ESMO_GEP],
    );
    if small.is_none() {
        b.warn("Tumour size not recorded: NF-pNET ≤ 20 mm without risk features may be watched instead (A1).");
    }
}

fn duodenum(b: &mut Builder, size_text: &str, grade: &str) {
    let f = b.f.clone();
    let t = f.t;
    match t.functional_syndrome {
        // A20: functioning duodenal tumours follow A6 (sporadic) or A7 (MEN1 gastrinoma).
        Some(FunctionalSyndrome::Gastrinoma) => return pancreas_functional(b, size_text),
        _ => {}
    }
    let t2_plus = matches!(t.t_stage, Some(TStage::T2 | TStage::T3 | TStage::T4));
    let big = f.size.is_some_and(|s| s > 20.0);
    if t.ampullary == Some(true) || big || t2_plus || f.n1 || f.grade == Some(Grade::G3) {
        // A20: > 20 mm, T2+, N1, G3 or ampullary → surgery.
        b.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A20",
            format!("Duodenal NET ({size_text}, {grade}) with a feature that needs surgery (ampullary, > 20 mm, T2+, N1 or G3): resection with lymphadenectomy."), &[ENETS_GD]);
    } else if f.size.is_some_and(|s| s <= 10.0)
        && f.grade == Some(Grade::G1)
        && t.t_stage == Some(TStage::T1)
        && t.n_stage == Some(NStage::N0)
    {
        b.add(
            EndoscopicResection,
            Stage::Primary,
            Intent::Curative,
            "A20",
            format!("Non-ampullary duodenal NET {size_text}, G1, T1 N0: endoscopic resection."),
            &[ENETS_GD, ESGE],
        );
    } else {
        // 11-20 mm (or small but not G1 T1 N0): endoscopic resection or surgery.
        b.add(
            EndoscopicResection,
            Stage::Primary,
            Intent::Curative,
            "A20",
            format!("Non-ampullary duodenal NET {size_text}, {grade}: endoscopic resection by an expert endoscopist…"),
            &[ENETS_GD, ESGE],
        );
        b.add(
            SurgeryCurative,
            Stage::Primary,
            Intent::Curative,
            "A20",
            "…or surgical resection: both are options at this size.",
            &[ENETS_GD],
        );
    }
    if t.ampullary.is_none() {
        b.warn("Ampullary location not recorded: an ampullary duodenal NET needs surgery (A20).");
    }
}

fn appendix(b: &mut Builder, size_text: &str, grade: &str) {
    let f = b.f.clone();
    let t = f.t;
    let resected = !f.primary_in_situ;
    let risk = t.lymphovascular_invasion == Some(true)
        || matches!(f.grade, Some(Grade::G2 | Grade::G3))
        || t.resection_margin == Some(ResectionMargin::R1);
    let size = f.size;
    if size.is_some_and(|s| s > 20.0) || t.resection_margin == Some(ResectionMargin::R1) || f.n1 {
        // A12: > 20 mm, R1 or N1 → right hemicolectomy.
        b.add(
            SurgeryCurative,
            Stage::Primary,
            Intent::Curative,
            "A12",
            format!("Appendiceal NET {size_text}, {grade}{}: right hemicolectomy.", if f.n1 { ", N1" } else { "" }),
            &[ENETS_ANET, NCCN, ESMO_GEP],
        );
        b.disagree(
            "Appendiceal NET: right hemicolectomy",
            &["ENETS 2023 questions its benefit, even above 2 cm", "NCCN recommends it above 2 cm"],
        );
    } else if size.is_some_and(|s| s > 10.0) {
        // A11: 10-20 mm → appendectomy usually sufficient; discuss hemicolectomy with risk factors.
        if resected {
            b.add(
                Surveillance,
                Stage::Primary,
                Intent::Curative,
                "A11",
                format!("Appendiceal NET {size_text} removed by appendectomy: usually sufficient."),
                &[ENETS_ANET],
            );
        } else {
            b.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A11",
                format!("Appendiceal NET {size_text}: appendectomy."),
                &[ENETS_ANET],
            );
        }
        if risk {
            b.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A11",
                "Risk features (lymphovascular invasion, G2/G3 or R1): discuss right hemicolectomy.",
                &[ENETS_ANET, NCCN],
            );
        }
        b.warn(
            "Mesoappendiceal invasion depth is not recorded: > 3 mm is a reason to discuss right hemicolectomy (A11).",
        );
        b.disagree(
            "Appendiceal NET 1-2 cm with risk factors",
            &["ENETS 2023: benefit of right hemicolectomy uncertain", "NCCN: consider right hemicolectomy"],
        );
    } else {
        // A10: ≤ 10 mm, R0, no risk factors → no further treatment.
        if resected {
            b.add(Surveillance, Stage::Primary, Intent::Curative, "A10",
                format!("Appendiceal NET {size_text}, {grade}, removed by appendectomy: no further treatment; routine follow-up is not required."), &[ENETS_ANET, ESMO_GEP]);
        } else {
            b.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A10",
                format!("Appendiceal NET {size_text}: appendectomy."),
                &[ENETS_ANET],
            );
        }
        if size.is_none() {
            b.warn("Tumour size not recorded: the appendix rules depend on it (≤ 10 mm, 10-20 mm, > 20 mm).");
        }
        if t.resection_margin.is_none() && resected {
            b.warn("Resection margin not recorded: R1 or a positive base changes the advice (A10/A12).");
        }
    }
}

fn rectum(b: &mut Builder, size_text: &str, grade: &str) {
    let f = b.f.clone();
    let t = f.t;
    let t2_plus = matches!(t.t_stage, Some(TStage::T2 | TStage::T3 | TStage::T4));
    let size = f.size;
    if size.is_some_and(|s| s > 20.0) || t2_plus || f.n1 {
        // A15: > 20 mm, T2-T4 or N1 → LAR/APR with TME.
        b.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A15",
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
            b.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A14",
                format!("Rectal NET {size_text} with risk features (LVI, G3 or R1): total mesorectal excision."),
                &[ENETS_CRC],
            );
        } else {
            b.add(EndoscopicResection, Stage::Primary, Intent::Curative, "A14",
                format!("Rectal NET {size_text}, {grade}, T1 N0 on EUS/MRI: advanced endoscopic resection (ESD/EFTR) or transanal excision."), &[ENETS_CRC, ESGE]);
            b.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "A14",
                "Total mesorectal excision is the surgical alternative at 10-20 mm.",
                &[ENETS_CRC, NCCN],
            );
            if t.lymphovascular_invasion.is_none() {
                b.warn("Lymphovascular invasion not recorded: LVI makes surgery preferred for a 10-20 mm rectal NET (A14).");
            }
        }
        b.disagree(
            "Rectal NET 10-20 mm",
            &["Advanced endoscopic resection (ENETS/ESGE grey zone)", "Total mesorectal excision"],
        );
    } else {
        // A13: < 10 mm, G1/G2, T1 N0 → endoscopic resection aiming at R0; TME is over-treatment.
        b.add(EndoscopicResection, Stage::Primary, Intent::Curative, "A13",
            format!("Rectal NET {size_text}, {grade}, confined to the submucosa: modified EMR/ESD aiming at R0; TME would be over-treatment."), &[ENETS_CRC, NCCN, ESGE]);
        if size.is_none() {
            b.warn("Tumour size not recorded: rectal NET ≥ 10 mm need EUS/MRI staging and may need surgery (A14/A15).");
        }
    }
}

fn stomach(b: &mut Builder, size_text: &str, grade: &str) {
    let f = b.f.clone();
    let t = f.t;
    let size = f.size;
    let invasive =
        matches!(t.t_stage, Some(TStage::T2 | TStage::T3 | TStage::T4)) || f.n1 || f.grade == Some(Grade::G3);
    match t.gastric_type {
        Some(GastricType::Type1) => {
            // A17: < 10 mm → endoscopic surveillance or resection; ≥ 10 mm → endoscopic resection
            // after EUS; surgery only with muscularis propria invasion, N1 or G3.
            if invasive {
                b.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A17", format!("Type 1 gastric NET {size_text} with invasion of the muscularis propria, nodes or G3: surgical resection."), &[ENETS_GD]);
            } else if size.is_some_and(|s| s < 10.0) {
                b.add(
                    Surveillance,
                    Stage::Primary,
                    Intent::Curative,
                    "A17",
                    format!("Type 1 gastric NET {size_text} (< 10 mm): endoscopic surveillance…"),
                    &[ENETS_GD, ESGE],
                );
                b.add(
                    EndoscopicResection,
                    Stage::Primary,
                    Intent::Curative,
                    "A17",
                    "…or endoscopic resection.",
                    &[ENETS_GD, ESGE],
                );
            } else {
                b.add(
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
            b.add(HormoneControl, Stage::HormoneControl, Intent::Symptomatic, "A18", "Type 2 gastric NET (Zollinger-Ellison / MEN1): high-dose proton pump inhibitor; manage the gastrinoma.", &[ENETS_GD]);
            b.add(
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
                b.warn("Gastric NET type not recorded: treated as type 3 (sporadic), the most aggressive; types 1 and 2 are managed endoscopically.");
            }
            let small_low = size.is_some_and(|s| s <= 10.0) && f.grade == Some(Grade::G1) && !invasive;
            if small_low {
                b.add(EndoscopicResection, Stage::Primary, Intent::Curative, "A19", format!("Sporadic (type 3) gastric NET {size_text}, G1, without risk features: endoscopic resection is acceptable."), &[ENETS_GD]);
                b.add(
                    SurgeryCurative,
                    Stage::Primary,
                    Intent::Curative,
                    "A19",
                    "Gastrectomy with lymphadenectomy is the more conservative alternative (NCCN).",
                    &[NCCN],
                );
                b.disagree("Type 3 gastric NET ≤ 10 mm", &["ENETS 2023: endoscopic resection", "NCCN: gastrectomy"]);
            } else {
                b.add(SurgeryCurative, Stage::Primary, Intent::Curative, "A19", format!("Sporadic (type 3) gastric NET {size_text}, {grade}: partial or total gastrectomy with lymphadenectomy."), &[ENETS_GD, NCCN]);
            }
        }
    }
}

/// (c) C1-C10, D3 and H3.4: metastatic (or locally unresectable) well-differentiated NET.
fn advanced_well_differentiated(b: &mut Builder) {
    let f = b.f.clone();
    let site = f.site_text();
    let grade = f.grade_text();

    // C1: liver-only (± resectable nodes), limited and resectable, fit → liver resection, with
    // resection of the primary if it is still in situ.
    if f.resectable_liver_disease() {
        b.add(LiverResection, Stage::Primary, Intent::Curative, "C1",
            format!("{site} NET {grade} with limited, resectable liver-only metastases in a fit patient: resection of the liver metastases."), &[ENETS_MET, ESMO_GEP, ENETS_SI]);
        if b.f.primary_in_situ {
            b.add(
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

    systemic_line(b);
    liver_directed(b);

    if b.f.m1 && b.f.site == Some(PrimarySite::SmallIntestine) && b.f.primary_in_situ {
        // C9: palliative primary resection for obstruction or ischaemia (not recorded).
        b.warn("Obstruction or mesenteric ischaemia is not recorded: if present, palliative resection of the primary (surgery_debulking) is indicated (C9).");
        b.disagree(
            "Primary resection in asymptomatic metastatic SI-NET",
            &["Prophylactic resection of the primary (some centres)", "Resection only for symptoms (ENETS-SI-24)"],
        );
    }
}

/// H3.4: the first systemic line not yet failed, for unresectable well-differentiated disease.
fn systemic_line(b: &mut Builder) {
    let f = b.f.clone();
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
            b.add(Chemotherapy, Stage::Primary, Intent::Palliative, "C7",
                format!("Pancreatic NET {grade}{}: first-line chemotherapy (capecitabine-temozolomide or streptozocin-5-FU).", if high_burden { " with a high tumour burden" } else { "" }),
                &[ESMO_GEP, ENETS_NF_PNET]);
            if ki_10_55 && f.sstr_pos {
                b.add(
                    Prrt,
                    Stage::Primary,
                    Intent::Palliative,
                    "C5",
                    "SSTR-positive with Ki-67 10-55 %: first-line PRRT is the NETTER-2 alternative.",
                    &[ESMO_GEP, "NETTER-2 (Lancet 2024)"],
                );
                b.disagree(
                    "PRRT timing",
                    &[
                        "Second line after SSA (ESMO 2020, NETTER-1)",
                        "First line for Ki-67 10-55 % (NETTER-2 2024; later NCCN)",
                    ],
                );
            }
            if f.net_g3() {
                d3_targeted(b);
            }
            if ki67.is_none() && !high_burden {
                b.warn("Tumour burden not recorded: a high burden in pNET favours chemotherapy first (C7).");
            }
            return;
        }
        if f.net_g3() {
            // D3: NET G3 advanced → chemotherapy (CAPTEM), PRRT if SSTR+ (NETTER-2), targeted for pNET.
            b.add(Chemotherapy, Stage::Primary, Intent::Palliative, "D3",
                format!("{site_text} NET G3 (well differentiated){}: chemotherapy such as capecitabine-temozolomide; platinum-etoposide is less effective below Ki-67 55 %.", ki67.map(|k| format!(", Ki-67 {} %", trim_number(k))).unwrap_or_default()),
                &[ENETS_NEC, ENETS_NF_PNET]);
            if f.sstr_pos && ki67.is_none_or(|k| k <= 55.0) {
                b.add(
                    Prrt,
                    Stage::Primary,
                    Intent::Palliative,
                    "D3",
                    "SSTR-positive NET G3: PRRT is an option (NETTER-2 first line for Ki-67 10-55 %).",
                    &[ENETS_NEC, "NETTER-2 (Lancet 2024)"],
                );
            }
            d3_targeted(b);
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
                b.add(
                    SsaAntiproliferative,
                    Stage::Primary,
                    Intent::Palliative,
                    if f.sstr_pos { "C2" } else { "C3" },
                    why,
                    &[ESMO_GEP, ENETS_SI],
                );
            }
            if f.sstr_pos && ki_10_55 {
                b.add(Prrt, Stage::Primary, Intent::Palliative, "C5", "Treatment-naive SSTR-positive disease with Ki-67 10-55 %: PRRT is a first-line alternative (NETTER-2).", &[ESMO_GEP, "NETTER-2 (Lancet 2024)"]);
            }
            // C2: watch-and-wait for low-burden stable G1 SI-NET.
            if site == Some(PrimarySite::SmallIntestine)
                && f.grade == Some(Grade::G1)
                && !f.functional
                && f.t.tumor_burden == Some(TumorBurden::Low)
            {
                b.add(
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
                b.add(
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
            b.add(
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
    second_line(b);
}

/// D3: targeted options for a pancreatic NET G3.
fn d3_targeted(b: &mut Builder) {
    if b.f.site == Some(PrimarySite::Pancreas) {
        b.add(
            Everolimus,
            Stage::Primary,
            Intent::Palliative,
            "D3",
            "Pancreatic NET G3: everolimus is an option.",
            &[ENETS_NEC, ENETS_NF_PNET],
        );
        b.add(
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
fn second_line(b: &mut Builder) {
    let f = b.f.clone();
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
            b.disagree("pNET after SSA", &["everolimus", "sunitinib", "chemotherapy", "PRRT — no agreed order"]);
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
                b.warn("RADIANT-4 studied non-functional tumours: everolimus in a functioning NET needs care.");
            }
        }
    }
    let failed = f.failed.clone();
    for (code, rule, why, sources) in line {
        if !failed.contains(&code) {
            b.add(code, Stage::Primary, Intent::Palliative, rule, why, &sources);
        }
    }
    // C8: MIBG only if SSTR-negative (or PRRT impossible) and MIBG-avid.
    if b.f.t.mibg_avid == Some(MibgAvid::Yes) && (b.f.sstr_neg || b.f.progressed_on(Prrt)) {
        b.add(
            MibgTherapy,
            Stage::Primary,
            Intent::Palliative,
            "C8",
            "MIBG-avid disease where PRRT is not possible: 131I-MIBG therapy (weak evidence).",
            &[ENETS_MET, "Navalkissoor, Clin Med 2017"],
        );
        b.warn("131I-MIBG products have become scarce: check availability (disagreement 9).");
    } else if b.f.sstr_neg && b.f.t.mibg_avid.is_none_or(|m| m == MibgAvid::Unknown) {
        b.warn("SSTR-negative disease with MIBG avidity unknown: MIBG scintigraphy would show whether 131I-MIBG therapy is possible (C8).");
    }
    if b.f.sstr_neg {
        b.warn("SSTR-negative: somatostatin analogues and PRRT are not expected to work.");
    }
}

/// C4: liver-directed therapy for liver-dominant unresectable disease that is progressive,
/// symptomatic or functional; after the current systemic line. Needs ECOG ≤ 2.
fn liver_directed(b: &mut Builder) {
    let f = b.f.clone();
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
        b.add(LiverEmbolization, Stage::AfterLine, Intent::Palliative, "C4",
            format!("Unresectable liver-dominant disease that is {why}: transarterial (chemo- or radio-)embolization, repeatable; it also reduces hormone secretion."),
            &[ESMO_GEP, ENETS_MET]);
    }
    let few_small =
        f.t.liver_lesion_count.is_some_and(|n| n <= 5) && f.t.liver_max_lesion_mm.is_some_and(|s| s <= 50.0);
    if embolization_failed || few_small {
        let why =
            if embolization_failed { "embolization has not been effective" } else { "there are few small lesions" };
        b.add(
            LiverAblation,
            Stage::AfterLine,
            Intent::Palliative,
            "C4",
            format!("Liver ablation because {why}."),
            &[ESMO_GEP, ENETS_MET, SEED],
        );
    } else if f.t.liver_lesion_count.is_none() || f.t.liver_max_lesion_mm.is_none() {
        b.warn("Number and size of liver lesions not recorded: ablation suits about ≤ 5 lesions of ≤ 3-5 cm (C4).");
    }
}

/// H3.5: a therapy given and not failed is continued, after the newly indicated options.
fn continued_therapies(b: &mut Builder) {
    if !b.f.m1 && !b.f.locally_unresectable {
        return;
    }
    for code in b.f.ongoing.clone() {
        if matches!(code, SsaAntiproliferative | Everolimus | Sunitinib | Chemotherapy) {
            b.add(
                code,
                Stage::Continued,
                Intent::Palliative,
                "H3.5",
                format!("{} was given without progression: continue it.", code.label()),
                &[ESMO_GEP],
            );
        }
    }
    // B2: carcinoid syndrome in metastatic SSTR+ G1/G2 disease: the SSA also controls growth.
    if b.f.t.functional_syndrome == Some(FunctionalSyndrome::CarcinoidSyndrome) && b.f.sstr_pos && b.f.g1_g2() {
        b.add(SsaAntiproliferative, Stage::Primary, Intent::Palliative, "B2",
            "Metastatic carcinoid syndrome, SSTR-positive G1/G2: the somatostatin analogue that controls symptoms also slows growth.", &[ENETS_CS, ESMO_GEP]);
    }
}

/// G1: trials for advanced, progressive, G3/NEC or refractory disease.
fn clinical_trial(b: &mut Builder) {
    let f = b.f.clone();
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
        b.add(
            ClinicalTrial,
            Stage::Trial,
            Intent::Palliative,
            "G1",
            format!("Consider a clinical trial for {reason}."),
            &[NCCN, ESMO_GEP, ENETS_NEC],
        );
    }
}

/// H3.1 gates, then ranking: the hard constraints are applied to the final list, so no rule
/// above can ever break them.
fn excluded(f: &Facts, code: OptionCode) -> Option<&'static str> {
    // Section 0: no adjuvant systemic therapy after resection of M0 well-differentiated disease
    // (unless the primary is locally unresectable).
    if !f.nec
        && !f.m1
        && !f.locally_unresectable
        && matches!(code, Chemotherapy | Everolimus | Sunitinib | Prrt | SsaAntiproliferative)
    {
        return Some("no adjuvant systemic therapy for M0 well-differentiated NET");
    }
    // E1: ECOG 3-4 excludes aggressive treatment.
    if f.frail
        && matches!(
            code,
            SurgeryCurative
                | SurgeryDebulking
                | LiverResection
                | Chemotherapy
                | Prrt
                | LiverEmbolization
                | LiverAblation
        )
    {
        return Some("ECOG 3-4");
    }
    // C10: no curative surgery for M1 disease that is not fully resectable (C1 is the exception).
    if f.m1 && code == SurgeryCurative && !f.resectable_liver_disease() {
        return Some("M1 disease that is not fully resectable");
    }
    // PRRT needs SSTR-positive disease and ECOG ≤ 2 (ENETS-MET-16; NETTER-1/2).
    if code == Prrt && (!f.sstr_pos || f.ecog > 2 || f.nec) {
        return Some("PRRT needs SSTR-positive well-differentiated disease and ECOG ≤ 2");
    }
    // C6: sunitinib only for pancreatic NET.
    if code == Sunitinib && f.site != Some(PrimarySite::Pancreas) {
        return Some("sunitinib is for pancreatic NET only");
    }
    // C7: no chemotherapy for G1/G2 small-intestinal NET.
    if code == Chemotherapy
        && f.site == Some(PrimarySite::SmallIntestine)
        && !f.nec
        && matches!(f.grade, Some(Grade::G1 | Grade::G2))
    {
        return Some("chemotherapy is not indicated for G1/G2 small-intestinal NET");
    }
    // D1: NEC gets no SSA, PRRT or liver resection.
    if f.nec && matches!(code, SsaAntiproliferative | Prrt | LiverResection) {
        return Some("not indicated in NEC");
    }
    // C8: MIBG only when SSTR-negative or PRRT impossible, and MIBG-avid.
    if code == MibgTherapy
        && !(f.t.mibg_avid == Some(MibgAvid::Yes) && (f.sstr_neg || f.progressed_on(Prrt) || f.ecog > 2))
    {
        return Some("MIBG therapy needs MIBG-avid disease where PRRT is not possible");
    }
    // C4: liver-directed therapy needs ECOG ≤ 2.
    if matches!(code, LiverEmbolization | LiverAblation) && f.ecog > 2 {
        return Some("liver-directed therapy needs ECOG ≤ 2");
    }
    None
}

fn finish(mut b: Builder) -> Proposal {
    // E1: at ECOG 3-4 offer symptom control and best supportive care.
    if b.f.frail {
        b.warn("ECOG 3-4: aggressive treatment is excluded; symptom control and best supportive care come first (E1).");
        if b.f.m1 && b.f.sstr_pos && b.f.g1_g2() && !b.candidates.iter().any(|c| c.code == SsaAntiproliferative) {
            b.add(
                SsaAntiproliferative,
                Stage::Primary,
                Intent::Palliative,
                "E1",
                "A somatostatin analogue has low toxicity and may slow SSTR-positive G1/G2 disease even at ECOG 3-4.",
                &[ESMO_GEP],
            );
        }
        if !b.f.m1
            && !b.f.nec
            && !b.candidates.iter().any(|c| c.code == Surveillance)
            && b.candidates.iter().all(|c| excluded(&b.f, c.code).is_some())
        {
            b.add(
                Surveillance,
                Stage::Primary,
                Intent::Palliative,
                "E1",
                "Surgery is excluded at ECOG 3-4: surveillance with symptom control.",
                &[ESMO_GEP],
            );
        }
    }
    let facts = &b.f;
    let mut kept: Vec<Candidate> = Vec::new();
    let mut candidates = std::mem::take(&mut b.candidates);
    candidates.sort_by_key(|c| c.stage); // stable: insertion order within a stage
    for c in candidates {
        if excluded(facts, c.code).is_some() {
            continue;
        }
        if let Some(existing) = kept.iter_mut().find(|k| k.code == c.code) {
            // The same option from a second rule: keep its first place, add the reason.
            for r in c.rules {
                if !existing.rules.contains(&r) {
                    existing.rules.push(r);
                }
            }
            for s in c.sources {
                if !existing.sources.contains(&s) {
                    existing.sources.push(s);
                }
            }
            if !existing.rationale.contains(&c.rationale) {
                existing.rationale.push(' ');
                existing.rationale.push_str(&c.rationale);
            }
            continue;
        }
        kept.push(c);
    }
    // A prerequisite is itself proposed and ranked before the option it prepares.
    let prerequisites: Vec<Prerequisite> = b
        .prerequisites
        .into_iter()
        .filter(|p| kept.iter().any(|k| k.code == p.before) && kept.iter().any(|k| k.code == p.option))
        .collect();
    let options = kept
        .into_iter()
        .enumerate()
        .map(|(i, c)| ProposedOption {
            code: c.code,
            rank: i as u32 + 1,
            intent: c.intent,
            rationale: c.rationale,
            sources: c.sources,
            rules: c.rules,
        })
        .collect();
    Proposal {
        ruleset_version: RULESET_VERSION.to_string(),
        options,
        prerequisites,
        warnings: b.warnings,
        alternatives: b.alternatives,
    }
}

#[cfg(test)]
mod tests;
