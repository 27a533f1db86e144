//! H3.1: the hard constraints. Applied to the final list, so no rule can ever break them.

use super::facts::Facts;
use crate::codes::*;

use OptionCode::*;

/// H3.1 gates, then ranking: the hard constraints are applied to the final list, so no rule
/// above can ever break them.
pub(super) fn excluded(f: &Facts, code: OptionCode) -> Option<&'static str> {
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
