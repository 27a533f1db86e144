//! What a proposal holds (spec/net-case.md, "What a proposal holds").

use serde::{Deserialize, Serialize};

use crate::codes::OptionCode;

/// Version of the rule set; stored with every proposal so a decision can be explained later.
pub const RULESET_VERSION: &str = "net-rules-2026.12-1";

/// Why an option is proposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Curative,
    Palliative,
    Symptomatic,
    Prerequisite,
}

/// One proposed option.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposedOption {
    pub code: OptionCode,
    /// 1 = first to consider.
    pub rank: u32,
    pub intent: Intent,
    /// Plain language, naming the case facts that led to it.
    pub rationale: String,
    /// Guideline and section, e.g. "ENETS-NF-pNET-23 (Kos-Kudła 2023), localized NF-pNET > 2 cm".
    pub sources: Vec<String>,
    /// The rule ids of net-rules.md that produced it (A2, C5, …).
    pub rules: Vec<String>,
}

/// Where guidelines disagree (net-rules.md, "Disagreements").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alternative {
    pub topic: String,
    pub positions: Vec<String>,
}

/// A prerequisite: `before` is done before `option`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Prerequisite {
    pub before: OptionCode,
    pub option: OptionCode,
}

/// The proposer's answer for one case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub ruleset_version: String,
    pub options: Vec<ProposedOption>,
    pub prerequisites: Vec<Prerequisite>,
    /// Missing or unknown data that would change the proposal.
    pub warnings: Vec<String>,
    pub alternatives: Vec<Alternative>,
}

impl Proposal {
    pub fn codes(&self) -> Vec<OptionCode> {
        self.options.iter().map(|o| o.code).collect()
    }

    pub fn first(&self) -> Option<OptionCode> {
        self.options.first().map(|o| o.code)
    }
}
