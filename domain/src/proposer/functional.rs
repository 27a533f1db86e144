//! (b) Functional syndromes, B1-B5: control hormone excess first (and A5-A8's preparation of a
//! localized functional tumour).

use super::facts::Facts;
use super::sources::*;
use super::{Out, Stage};
use crate::codes::*;
use crate::proposer::model::*;

use OptionCode::*;

/// (b) B1-B4: control hormone excess first. A5-A8 localized functional tumours.
pub(super) fn functional_syndromes(f: &Facts, out: &mut Out) {
    let t = f.t;
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
    if t.hormonal_symptoms || !f.m1 {
        // B1: symptoms are controlled before surgery, locoregional therapy or PRRT (octreotide
        // cover against carcinoid crisis). A5/A6/A8 also prepare a localized functional tumour.
        let why = if t.hormonal_symptoms {
            format!("{} with symptoms of hormone excess: control them first with {what}.", syndrome.label())
        } else {
            format!("{}: medical control with {what} prepares any further treatment.", syndrome.label())
        };
        let intent = if t.hormonal_symptoms { Intent::Symptomatic } else { Intent::Prerequisite };
        out.add(HormoneControl, Stage::HormoneControl, intent, "B1", why, src);
        // A5-A8: a localized functional tumour is prepared by hormone control before resection.
        let localized_rule = match syndrome {
            FunctionalSyndrome::Insulinoma => Some("A5"),
            FunctionalSyndrome::Gastrinoma if t.men1 => Some("A7"),
            FunctionalSyndrome::Gastrinoma => Some("A6"),
            FunctionalSyndrome::Vipoma | FunctionalSyndrome::Glucagonoma => Some("A8"),
            FunctionalSyndrome::CarcinoidSyndrome | FunctionalSyndrome::None => None,
        };
        if let Some(rule) = localized_rule.filter(|_| !f.m1 && !f.locally_unresectable && !f.nec) {
            out.also(HormoneControl, rule);
        }
    }
    if syndrome == FunctionalSyndrome::Insulinoma && f.m1 && t.hormonal_symptoms_refractory {
        // B3 (ENETS-F-pNET-23): malignant insulinoma with hypoglycaemia refractory to diet and
        // diazoxide: everolimus also suppresses insulin secretion; right after hormone control.
        out.add(
            Everolimus,
            Stage::HormoneControl,
            Intent::Symptomatic,
            "B3",
            "Malignant insulinoma with refractory hypoglycaemia: everolimus controls insulin secretion as well as growth.",
            &[ENETS_F_PNET],
        );
    }
    if t.hormonal_symptoms_refractory {
        // B5: refractory symptoms add debulking, liver-directed therapy and PRRT (E1 still applies).
        out.add(
            SurgeryDebulking,
            Stage::AfterLine,
            Intent::Symptomatic,
            "B5",
            "Hormonal symptoms persist despite medical control: cytoreductive surgery can reduce hormone secretion.",
            &[ENETS_CS, ESMO_GEP],
        );
        out.warn("Debulking helps only if at least 70-90 % of the tumour can be removed: confirm feasibility (B5).");
        if f.liver_dominant {
            out.add(LiverEmbolization, Stage::AfterLine, Intent::Symptomatic, "B5",
                "Refractory hormonal symptoms with liver-dominant disease: embolization also reduces hormone secretion.", &[ENETS_MET, ESMO_GEP]);
        }
        if f.sstr_pos {
            out.add(
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
