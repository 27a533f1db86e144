//! H3: ranking. E1's supportive options, the gates (H3.1), one entry per option in stage order,
//! prerequisites before what they prepare, and (H3.5) therapies continued after the new ones.

use super::facts::Facts;
use super::sources::*;
use super::{Candidate, Out, Stage};
use crate::codes::*;
use crate::proposer::model::*;

use super::gates::excluded;
use OptionCode::*;

/// H3.5: a therapy given and not failed is continued, after the newly indicated options.
pub(super) fn continued_therapies(f: &Facts, out: &mut Out) {
    if !f.m1 && !f.locally_unresectable {
        return;
    }
    for code in f.ongoing.iter().copied() {
        if matches!(code, SsaAntiproliferative | Everolimus | Sunitinib | Chemotherapy) {
            out.add(
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
    if f.t.functional_syndrome == Some(FunctionalSyndrome::CarcinoidSyndrome) && f.sstr_pos && f.g1_g2() {
        out.add(SsaAntiproliferative, Stage::Primary, Intent::Palliative, "B2",
            "Metastatic carcinoid syndrome, SSTR-positive G1/G2: the somatostatin analogue that controls symptoms also slows growth.", &[ENETS_CS, ESMO_GEP]);
    }
}

pub(super) fn finish(f: &Facts, mut out: Out) -> Proposal {
    // E1: at ECOG 3-4 offer symptom control and best supportive care.
    if f.frail {
        out.warn(
            "ECOG 3-4: aggressive treatment is excluded; symptom control and best supportive care come first (E1).",
        );
        if f.m1 && f.sstr_pos && f.g1_g2() && out.candidates.iter().any(|c| c.code == SsaAntiproliferative) {
            out.also(SsaAntiproliferative, "E1");
        } else if f.m1 && f.sstr_pos && f.g1_g2() {
            out.add(
                SsaAntiproliferative,
                Stage::Primary,
                Intent::Palliative,
                "E1",
                "A somatostatin analogue has low toxicity and may slow SSTR-positive G1/G2 disease even at ECOG 3-4.",
                &[ESMO_GEP],
            );
        }
        if !f.m1
            && !f.nec
            && !out.candidates.iter().any(|c| c.code == Surveillance)
            && out.candidates.iter().all(|c| excluded(f, c.code).is_some())
        {
            out.add(
                Surveillance,
                Stage::Primary,
                Intent::Palliative,
                "E1",
                "Surgery is excluded at ECOG 3-4: surveillance with symptom control.",
                &[ESMO_GEP],
            );
        }
    }
    let mut kept: Vec<Candidate> = Vec::new();
    let mut candidates = std::mem::take(&mut out.candidates);
    candidates.sort_by_key(|c| c.stage); // stable: insertion order within a stage
    for c in candidates {
        if excluded(f, c.code).is_some() {
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
    let prerequisites: Vec<Prerequisite> = out
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
        warnings: out.warnings,
        alternatives: out.alternatives,
    }
}
