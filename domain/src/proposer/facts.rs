//! Section 0 of net-rules.md: the facts the rules read, derived once from the tumor, and the
//! warnings for facts that no field records (say what is missing instead of guessing).

use super::Out;
use crate::codes::*;
use crate::tumor::{Tumor, trim_number};

use OptionCode::*;

/// The facts the rules read, derived once from the tumor (net-rules.md section 0).
pub(super) struct Facts<'a> {
    pub(super) t: &'a Tumor,
    pub(super) site: Option<PrimarySite>,
    pub(super) nec: bool,
    pub(super) grade: Option<Grade>,
    pub(super) ki67: Option<f64>,
    pub(super) m1: bool,
    pub(super) n1: bool,
    pub(super) ecog: u8,
    pub(super) frail: bool,
    pub(super) fit: bool,
    pub(super) functional: bool,
    pub(super) sstr_pos: bool,
    pub(super) sstr_neg: bool,
    pub(super) elderly: bool,
    pub(super) young: bool,
    pub(super) size: Option<f64>,
    pub(super) liver_dominant: bool,
    pub(super) primary_in_situ: bool,
    /// Systemic or locoregional treatments on which the disease progressed.
    pub(super) failed: Vec<OptionCode>,
    /// Treatments given and not failed.
    pub(super) ongoing: Vec<OptionCode>,
    pub(super) locally_unresectable: bool,
}

impl<'a> Facts<'a> {
    pub(super) fn new(t: &'a Tumor) -> Self {
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

    pub(super) fn g1_g2(&self) -> bool {
        matches!(self.grade, Some(Grade::G1 | Grade::G2)) || (self.grade.is_none() && !self.nec)
    }

    /// C1: limited, resectable liver-dominant metastases in a fit patient with G1/G2 NET,
    /// treated with curative intent.
    pub(super) fn resectable_liver_disease(&self) -> bool {
        self.m1
            && !self.nec
            && self.liver_dominant
            && self.t.liver_burden == Some(LiverBurden::LimitedResectable)
            && self.fit
            && self.g1_g2()
    }

    pub(super) fn net_g3(&self) -> bool {
        !self.nec && self.grade == Some(Grade::G3)
    }

    pub(super) fn progressed_on(&self, code: OptionCode) -> bool {
        self.failed.contains(&code)
    }

    pub(super) fn midgut_like(&self) -> bool {
        matches!(self.site, Some(PrimarySite::SmallIntestine | PrimarySite::Appendix | PrimarySite::Unknown) | None)
    }

    pub(super) fn grade_text(&self) -> String {
        let mut s = match self.grade {
            Some(g) => g.code().to_string(),
            None => "grade not recorded".to_string(),
        };
        if let Some(k) = self.ki67 {
            s.push_str(&format!(" (Ki-67 {} %)", trim_number(k)));
        }
        s
    }

    pub(super) fn site_text(&self) -> &'static str {
        self.site.map(|s| s.label()).unwrap_or("primary site not recorded")
    }
}

/// Section 0 / "Facts no field records": say what is missing instead of guessing.
pub(super) fn missing_data_warnings(f: &Facts, out: &mut Out) {
    let t = f.t;
    if t.primary_site.is_none() {
        out.warn("Primary site not recorded: the site-specific rules cannot be applied.");
    }
    if t.differentiation.is_none() {
        out.warn("Differentiation not recorded: assumed well differentiated (NET); a poorly differentiated NEC is treated differently.");
    }
    if t.grade.is_none() && t.ki67_percent.is_none() {
        out.warn("Grade and Ki-67 not recorded: grade-dependent options (SSA, chemotherapy, PRRT timing) may change.");
    }
    if t.m_stage.is_none() {
        out.warn("M stage not recorded: treated as M0 unless metastatic sites are recorded.");
    }
    if t.ecog.is_none() {
        out.warn("ECOG not recorded: assumed fit; ECOG 3-4 excludes surgery, chemotherapy, PRRT and liver-directed therapy (E1).");
    }
    if t.sstr_imaging.is_none() || t.sstr_imaging == Some(SstrImaging::Unknown) {
        out.warn("SSTR imaging unknown: PRRT cannot be assessed; obtain SSTR-PET (C3).");
    }
}
