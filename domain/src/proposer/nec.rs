//! (d) D1/D2: poorly differentiated neuroendocrine carcinoma (NEC), with E1 for the frail.

use super::facts::Facts;
use super::sources::*;
use super::{Out, Stage};
use crate::codes::*;
use crate::proposer::model::*;

use OptionCode::*;

/// (d) D1/D2 and E1 for poorly differentiated neuroendocrine carcinoma.
pub(super) fn neuroendocrine_carcinoma(f: &Facts, out: &mut Out) {
    let site = f.site_text();
    if f.m1 || f.locally_unresectable {
        // D1: platinum-etoposide first line; FOLFIRI second line. No SSA, PRRT or liver resection.
        let line = if f.progressed_on(Chemotherapy) {
            "Progression after first-line chemotherapy: second-line irinotecan with a fluoropyrimidine (FOLFIRI)."
        } else {
            "Metastatic neuroendocrine carcinoma: first-line carboplatin or cisplatin with etoposide."
        };
        out.add(
            Chemotherapy,
            Stage::Primary,
            Intent::Palliative,
            "D1",
            format!("{site} NEC {}: {line}", f.grade_text()),
            &[ENETS_NEC, ESMO_GEP, NCCN],
        );
        if f.frail {
            // E1: chemotherapy is excluded at ECOG 3-4, but the tumour may be the cause.
            out.warn("ECOG 3-4 excludes chemotherapy (E1); if the poor performance status is caused by the NEC itself, chemotherapy may still be discussed.");
        }
    } else {
        // D2: localized NEC: surgery after extensive staging, with perioperative chemotherapy;
        // rectal/anal NEC: chemoradiotherapy.
        if f.site == Some(PrimarySite::Rectum) {
            out.add(
                Chemotherapy,
                Stage::Primary,
                Intent::Curative,
                "D2",
                "Localized rectal NEC: chemoradiotherapy (chemotherapy with radiotherapy).",
                &[ENETS_NEC],
            );
            out.add(
                ExternalBeamRadiation,
                Stage::Primary,
                Intent::Curative,
                "D2",
                "Localized rectal NEC: radiotherapy as part of chemoradiotherapy.",
                &[ENETS_NEC],
            );
        } else {
            out.add(
                SurgeryCurative,
                Stage::Primary,
                Intent::Curative,
                "D2",
                format!("Localized {site} NEC: resection after extensive staging (FDG-PET/CT) is the curative option."),
                &[ENETS_NEC],
            );
            out.add(
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
