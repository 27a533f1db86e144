//! The option proposer: from the structured case to ranked NET management options with
//! reasons, sources, prerequisites, warnings and alternatives. Pure and deterministic.
//!
//! It encodes domain/docs/net-rules.md. Every rule below carries its id there (A1…H3) and the
//! guideline section it comes from, so a clinician can check each against its source. The
//! guiding principle (H1): local options for local disease, regional options for regional
//! disease, systemic options only when both fail or disease is systemic.
//!
//! How a proposal is built (H3): candidates are collected in stages — hormone control first
//! (B1), radiotherapy for painful bone metastases (F1), the disease-directed options of the
//! site rule or the current systemic line, liver-directed therapy after that line (C4),
//! therapies continued (H3.5), clinical trials last (G1) — and then the hard gates (H3.1) remove
//! whatever must never be proposed. The proposer proposes; the board decides.

mod advanced;
mod facts;
mod functional;
mod gates;
mod localized;
mod model;
mod nec;
mod ranking;
mod sources;

pub use model::*;

use crate::codes::*;
use crate::tumor::Tumor;
use facts::Facts;

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

/// What the rules produce: candidate options, prerequisites, warnings and alternatives. The
/// rules read the facts and write here; the gates and the ranking turn it into a proposal.
#[derive(Default)]
struct Out {
    candidates: Vec<Candidate>,
    prerequisites: Vec<Prerequisite>,
    warnings: Vec<String>,
    alternatives: Vec<Alternative>,
}

impl Out {
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

    /// Names one more rule behind an option already proposed (a rule that asks for the same
    /// option for its own reason). Nothing happens if the option is not there.
    fn also(&mut self, code: OptionCode, rule: &str) {
        if let Some(c) = self.candidates.iter_mut().rev().find(|c| c.code == code)
            && !c.rules.iter().any(|r| r == rule)
        {
            c.rules.push(rule.to_string());
        }
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
    let f = Facts::new(t);
    let mut out = Out::default();
    facts::missing_data_warnings(&f, &mut out);
    functional::functional_syndromes(&f, &mut out);
    advanced::bone_pain(&f, &mut out);
    if f.nec {
        nec::neuroendocrine_carcinoma(&f, &mut out);
    } else if !f.m1 && !f.locally_unresectable {
        localized::localized_by_site(&f, &mut out);
    } else {
        advanced::advanced_well_differentiated(&f, &mut out);
    }
    ranking::continued_therapies(&f, &mut out);
    advanced::clinical_trial(&f, &mut out);
    ranking::finish(&f, out)
}

#[cfg(test)]
mod tests;
