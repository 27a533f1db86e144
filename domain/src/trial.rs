//! The centre's clinical trials (issue 21): a register per board, kept by coordinators, and the
//! match of each open trial to a case on the case's recorded facts.
//!
//! Matching is pure and conservative: a trial is *eligible on the recorded facts* only when
//! every structured criterion it sets is met by a recorded fact; a criterion that a recorded
//! fact fails makes it *not eligible* (each failing criterion named); otherwise a criterion
//! whose fact is not recorded makes it *unknown* (each missing fact named). The free-text
//! criteria are always for a person to check, and the board decides: a match is a suggestion.

use serde::{Deserialize, Serialize};

use crate::codes::{
    Code, Differentiation, FunctionalSyndrome, Grade, MStage, OptionCode, PrimarySite, SstrImaging, code_enum,
    code_list, optional_code,
};
use crate::error::{FieldErrorsBuilder, Invalid};
use crate::text::{
    self,
    Shape::{Line, Lines},
};
use crate::tumor::Tumor;

code_enum!(
    /// Whether a trial recruits.
    TrialStatus {
        Open => "open", "Open";
        Suspended => "suspended", "Suspended";
        Closed => "closed", "Closed";
    }
);

code_enum!(
    /// The trial's phase.
    TrialPhase {
        P1 => "1", "Phase 1";
        P1_2 => "1/2", "Phase 1/2";
        P2 => "2", "Phase 2";
        P2_3 => "2/3", "Phase 2/3";
        P3 => "3", "Phase 3";
        P4 => "4", "Phase 4";
        Na => "n/a", "Not applicable (observational)";
    }
);

code_enum!(
    /// How a trial matches a case.
    MatchVerdict {
        Eligible => "eligible", "Eligible on the recorded facts";
        NotEligible => "not_eligible", "Not eligible";
        Unknown => "unknown", "Unknown: facts missing";
    }
);

/// Structured eligibility as typed: every criterion optional (absent: does not restrict); values
/// use the case's own codes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct EligibilityInput {
    pub primary_sites: Vec<String>,
    pub grades: Vec<String>,
    pub ki67_min: Option<f64>,
    pub ki67_max: Option<f64>,
    pub differentiation: Option<String>,
    pub m_stages: Vec<String>,
    pub functional_syndromes: Vec<String>,
    pub sstr_imaging: Option<String>,
    pub ecog_max: Option<u8>,
    /// Option codes of treatments the patient must have had.
    pub prior_required: Vec<String>,
    /// Option codes of treatments the patient must not have had.
    pub prior_excluded: Vec<String>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
}

/// Checked eligibility.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Eligibility {
    pub primary_sites: Vec<PrimarySite>,
    pub grades: Vec<Grade>,
    pub ki67_min: Option<f64>,
    pub ki67_max: Option<f64>,
    pub differentiation: Option<Differentiation>,
    pub m_stages: Vec<MStage>,
    pub functional_syndromes: Vec<FunctionalSyndrome>,
    pub sstr_imaging: Option<SstrImaging>,
    pub ecog_max: Option<u8>,
    pub prior_required: Vec<OptionCode>,
    pub prior_excluded: Vec<OptionCode>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
}

impl EligibilityInput {
    /// Checks every criterion; field names are prefixed with `eligibility.`.
    pub fn parse(&self, e: &mut FieldErrorsBuilder) -> Eligibility {
        let f = |name: &str| format!("eligibility.{name}");
        let range =
            |e: &mut FieldErrorsBuilder, name: &str, min: Option<f64>, max: Option<f64>, top: f64, what: &str| {
                for (n, v) in [("min", min), ("max", max)] {
                    if v.is_some_and(|v| !v.is_finite() || !(0.0..=top).contains(&v)) {
                        e.add(&format!("eligibility.{name}_{n}"), format!("{what} is from 0 to {top}."));
                    }
                }
                if let (Some(a), Some(b)) = (min, max)
                    && a > b
                {
                    e.add(&format!("eligibility.{name}_max"), format!("The largest {what} is below the smallest."));
                }
            };
        range(e, "ki67", self.ki67_min, self.ki67_max, 100.0, "Ki-67 (%)");
        range(e, "age", self.age_min.map(f64::from), self.age_max.map(f64::from), 120.0, "age (years)");
        if self.ecog_max.is_some_and(|v| v > 4) {
            e.add(&f("ecog_max"), "ECOG is 0 to 4.");
        }
        Eligibility {
            primary_sites: code_list(e, &f("primary_sites"), &self.primary_sites),
            grades: code_list(e, &f("grades"), &self.grades),
            ki67_min: self.ki67_min,
            ki67_max: self.ki67_max,
            differentiation: optional_code(e, &f("differentiation"), self.differentiation.as_deref()),
            m_stages: code_list(e, &f("m_stages"), &self.m_stages),
            functional_syndromes: code_list(e, &f("functional_syndromes"), &self.functional_syndromes),
            sstr_imaging: optional_code(e, &f("sstr_imaging"), self.sstr_imaging.as_deref()),
            ecog_max: self.ecog_max,
            prior_required: code_list(e, &f("prior_required"), &self.prior_required),
            prior_excluded: code_list(e, &f("prior_excluded"), &self.prior_excluded),
            age_min: self.age_min,
            age_max: self.age_max,
        }
    }
}

/// A trial as typed (REST body or form).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct TrialInput {
    pub title: String,
    pub acronym: String,
    /// A public registry id: NCT01234567, EudraCT 2019-001234-12, EU CT 2023-501234-12-00,
    /// ISRCTN12345678 or DRKS00012345.
    pub registry_id: String,
    pub phase: String,
    pub status: String,
    /// Who to ask (study nurse, investigator), as people write it.
    pub contact: String,
    pub eligibility: EligibilityInput,
    /// Criteria a person must check (one per line).
    pub other_criteria: String,
    /// The board the trial is for (optional for a member of one board).
    pub board_id: Option<String>,
}

/// A checked trial.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedTrial {
    pub title: String,
    pub acronym: String,
    pub registry_id: String,
    pub phase: TrialPhase,
    pub status: TrialStatus,
    pub contact: String,
    pub eligibility: Eligibility,
    pub other_criteria: String,
}

/// Whether `id` has the format of a public trial registry's id (the registries the ICTRP lists
/// most often for European centres: ClinicalTrials.gov, EudraCT, CTIS, ISRCTN, DRKS).
pub fn registry_id_ok(id: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let dashed = |s: &str, parts: &[usize]| {
        let p: Vec<&str> = s.split('-').collect();
        p.len() == parts.len() && p.iter().zip(parts).all(|(x, n)| digits(x, *n))
    };
    if let Some(rest) = id.strip_prefix("NCT") {
        return digits(rest, 8);
    }
    if let Some(rest) = id.strip_prefix("ISRCTN") {
        return digits(rest, 8);
    }
    if let Some(rest) = id.strip_prefix("DRKS") {
        return digits(rest, 8);
    }
    // EudraCT 2019-001234-12; EU CT (CTIS) 2023-501234-12-00.
    dashed(id, &[4, 6, 2]) || dashed(id, &[4, 6, 2, 2])
}

impl TrialInput {
    pub fn parse(&self) -> Result<CheckedTrial, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let title = text::field(&mut e, "title", &self.title, 300, Line, "The title");
        if title.is_empty() {
            e.add("title", "Give the trial's title.");
        }
        let acronym = text::field(&mut e, "acronym", &self.acronym, 40, Line, "The short name");
        if acronym.is_empty() {
            e.add("acronym", "Give the trial's short name, e.g. NETTER-3.");
        }
        let registry_id = self.registry_id.trim().to_uppercase().replace(' ', "");
        if registry_id.is_empty() {
            e.add("registry_id", "Give the registry id, e.g. NCT01234567.");
        } else if !registry_id_ok(&registry_id) {
            e.add(
                "registry_id",
                "Not a registry id: NCT and 8 digits, EudraCT 2019-001234-12, EU CT 2023-501234-12-00, ISRCTN or DRKS and 8 digits.",
            );
        }
        let phase = TrialPhase::parse(&self.phase).map_err(|m| e.add("phase", m)).ok();
        let status = TrialStatus::parse(&self.status).map_err(|m| e.add("status", m)).ok();
        let contact = text::field(&mut e, "contact", &self.contact, 300, Lines, "The contact");
        if contact.is_empty() {
            e.add("contact", "Say who to ask (study nurse, investigator).");
        }
        let other_criteria =
            text::field(&mut e, "other_criteria", &self.other_criteria, 4000, Lines, "The text of other criteria");
        let eligibility = self.eligibility.parse(&mut e);
        e.finish()?;
        Ok(CheckedTrial {
            title,
            acronym,
            registry_id,
            phase: phase.expect("checked"),
            status: status.expect("checked"),
            contact,
            eligibility,
            other_criteria,
        })
    }
}

/// A trial of the register.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trial {
    pub id: String,
    pub board_id: String,
    pub board_name: String,
    pub title: String,
    pub acronym: String,
    pub registry_id: String,
    pub phase: TrialPhase,
    pub status: TrialStatus,
    pub contact: String,
    /// As stored (the input's codes, checked when saved).
    pub eligibility: EligibilityInput,
    pub other_criteria: String,
    pub version: i64,
    pub updated_at: String,
    pub updated_by_name: String,
}

/// One trial matched to a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrialMatch {
    pub trial_id: String,
    pub acronym: String,
    pub title: String,
    pub registry_id: String,
    #[serde(rename = "match")]
    pub verdict: MatchVerdict,
    /// Why: for a trial not eligible, each criterion that fails; unknown, each fact missing;
    /// eligible, each criterion met. Then, always, what a person must still check.
    pub reasons: Vec<String>,
    /// The free-text criteria, for a person to check.
    pub other_criteria: String,
    pub contact: String,
}

/// How one criterion fares on a case.
enum Check {
    Met(String),
    Fails(String),
    Missing(String),
}

fn list<T: Code>(v: &[T]) -> String {
    v.iter().map(|c| c.label()).collect::<Vec<_>>().join(", ")
}

fn one_of<T: Code + PartialEq>(allowed: &[T], fact: Option<T>, what: &str) -> Option<Check> {
    if allowed.is_empty() {
        return None;
    }
    Some(match fact {
        None => Check::Missing(format!("{what} is not recorded (the trial takes: {}).", list(allowed))),
        Some(f) if allowed.contains(&f) => {
            Check::Met(format!("{what}: {} (the trial takes: {}).", f.label(), list(allowed)))
        }
        Some(f) => Check::Fails(format!("{what}: {}; the trial takes only: {}.", f.label(), list(allowed))),
    })
}

fn within(min: Option<f64>, max: Option<f64>, fact: Option<f64>, what: &str, unit: &str) -> Option<Check> {
    if min.is_none() && max.is_none() {
        return None;
    }
    let bounds = match (min, max) {
        (Some(a), Some(b)) => format!("{a}–{b}{unit}"),
        (Some(a), None) => format!("at least {a}{unit}"),
        (None, Some(b)) => format!("at most {b}{unit}"),
        (None, None) => unreachable!(),
    };
    Some(match fact {
        None => Check::Missing(format!("{what} is not recorded (the trial takes {bounds}).")),
        Some(v) if min.is_some_and(|a| v < a) || max.is_some_and(|b| v > b) => {
            Check::Fails(format!("{what} {v}{unit} is outside {bounds}."))
        }
        Some(v) => Check::Met(format!("{what} {v}{unit} is within {bounds}.")),
    })
}

/// How a trial's structured criteria fare on `tumor`, and the verdict (see the module's rules).
pub fn match_case(e: &Eligibility, tumor: &Tumor) -> (MatchVerdict, Vec<String>) {
    let mut checks: Vec<Check> = Vec::new();
    checks.extend(one_of(&e.primary_sites, tumor.primary_site, "Primary site"));
    checks.extend(one_of(&e.grades, tumor.grade, "Grade"));
    checks.extend(within(e.ki67_min, e.ki67_max, tumor.ki67_percent, "Ki-67", " %"));
    if let Some(d) = e.differentiation {
        checks.extend(one_of(&[d], tumor.differentiation, "Differentiation"));
    }
    checks.extend(one_of(&e.m_stages, tumor.m_stage, "M category"));
    checks.extend(one_of(&e.functional_syndromes, tumor.functional_syndrome, "Functional status"));
    if let Some(s) = e.sstr_imaging {
        // "Not done" is not a result: the trial's SSTR criterion is unknown then.
        let fact = tumor.sstr_imaging.filter(|v| matches!(v, SstrImaging::Positive | SstrImaging::Negative));
        checks.extend(one_of(&[s], fact, "SSTR imaging"));
    }
    checks.extend(within(None, e.ecog_max.map(f64::from), tumor.ecog.map(f64::from), "ECOG", ""));
    checks.extend(within(
        e.age_min.map(f64::from),
        e.age_max.map(f64::from),
        tumor.age.map(f64::from),
        "Age",
        " years",
    ));
    // Prior treatments: the case lists those given. An empty list may mean "none" or "not
    // recorded": a required treatment is then unknown, an excluded one cannot be ruled out.
    let recorded = !tumor.prior_treatments.is_empty();
    for p in &e.prior_required {
        checks.push(match (tumor.prior_treatments.contains(p), recorded) {
            (true, _) => Check::Met(format!("Prior {} (required) was given.", p.label())),
            (false, true) => {
                Check::Fails(format!("Prior {} is required and is not among the recorded treatments.", p.label()))
            }
            (false, false) => {
                Check::Missing(format!("No prior treatment is recorded; the trial requires prior {}.", p.label()))
            }
        });
    }
    for p in &e.prior_excluded {
        checks.push(match (tumor.prior_treatments.contains(p), recorded) {
            (true, _) => Check::Fails(format!("Prior {} excludes the patient.", p.label())),
            (false, true) => Check::Met(format!("No prior {} (excluded) recorded.", p.label())),
            (false, false) => {
                Check::Missing(format!("No prior treatment is recorded; the trial excludes prior {}.", p.label()))
            }
        });
    }
    let fails: Vec<String> =
        checks.iter().filter_map(|c| if let Check::Fails(m) = c { Some(m.clone()) } else { None }).collect();
    let missing: Vec<String> =
        checks.iter().filter_map(|c| if let Check::Missing(m) = c { Some(m.clone()) } else { None }).collect();
    if !fails.is_empty() {
        let mut reasons = fails;
        reasons.extend(missing);
        (MatchVerdict::NotEligible, reasons)
    } else if !missing.is_empty() {
        (MatchVerdict::Unknown, missing)
    } else {
        let met = checks.into_iter().filter_map(|c| if let Check::Met(m) = c { Some(m) } else { None }).collect();
        (MatchVerdict::Eligible, met)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tumor::TumorInput;
    use proptest::prelude::*;

    fn tumor(v: serde_json::Value) -> Tumor {
        let input: TumorInput = serde_json::from_value(v).expect("tumor input");
        Tumor::parse(&input).expect("valid tumor")
    }

    /// A pNET G2, Ki-67 6 %, M0, SSTR-positive, ECOG 0, 57 years, no prior treatment.
    fn pnet() -> serde_json::Value {
        serde_json::json!({
            "primary_site": "pancreas", "grade": "G2", "ki67_percent": 6, "differentiation": "well", "tumor_size_mm": 35,
            "t_stage": "T2", "n_stage": "N0", "m_stage": "M0", "liver_burden": "none", "functional_syndrome": "none",
            "sstr_imaging": "positive", "ecog": 0, "age": 57
        })
    }

    fn eligibility(v: serde_json::Value) -> Eligibility {
        let input: EligibilityInput = serde_json::from_value(v).unwrap();
        let mut e = FieldErrorsBuilder::new();
        let out = input.parse(&mut e);
        e.finish().unwrap();
        out
    }

    /// A PRRT study for SSTR-positive G2 disease with metastases.
    fn prrt() -> Eligibility {
        eligibility(serde_json::json!({
            "grades": ["G2"], "ki67_min": 3, "ki67_max": 20, "m_stages": ["M1"], "sstr_imaging": "positive",
            "ecog_max": 2, "prior_excluded": ["prrt"], "age_min": 18
        }))
    }

    #[test]
    fn a_failing_criterion_makes_the_trial_not_eligible_and_is_named() {
        let (v, reasons) = match_case(&prrt(), &tumor(pnet()));
        assert_eq!(v, MatchVerdict::NotEligible);
        // The failing criterion first, then what is not recorded.
        assert_eq!(reasons[0], "M category: M0; the trial takes only: M1.");
        assert_eq!(reasons[1], "No prior treatment is recorded; the trial excludes prior PRRT (177Lu-DOTATATE).");
    }

    #[test]
    fn a_missing_fact_makes_it_unknown_never_eligible() {
        let mut t = pnet();
        t["m_stage"] = serde_json::json!("M1");
        t["metastatic_sites"] = serde_json::json!(["liver"]);
        t["liver_burden"] = serde_json::json!("unresectable");
        t["ki67_percent"] = serde_json::Value::Null;
        let (v, reasons) = match_case(&prrt(), &tumor(t.clone()));
        assert_eq!(v, MatchVerdict::Unknown);
        assert!(reasons.iter().any(|r| r.starts_with("Ki-67 is not recorded")), "{reasons:?}");
        // No prior treatment recorded: an excluded treatment cannot be ruled out.
        assert!(reasons.iter().any(|r| r.contains("excludes prior")), "{reasons:?}");
        t["ki67_percent"] = serde_json::json!(12);
        t["prior_treatments"] = serde_json::json!(["ssa_antiproliferative"]);
        let (v, reasons) = match_case(&prrt(), &tumor(t.clone()));
        assert_eq!(v, MatchVerdict::Eligible, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("Ki-67 12 % is within 3–20 %")), "{reasons:?}");
        // Prior PRRT excludes.
        t["prior_treatments"] = serde_json::json!(["ssa_antiproliferative", "prrt"]);
        assert_eq!(match_case(&prrt(), &tumor(t)).0, MatchVerdict::NotEligible);
    }

    /// What a criterion of a trial makes of a vignette's recorded fact, worked out on the
    /// vignette's JSON (not through `Tumor`), as a second opinion on `match_case`.
    fn oracle(trial: &serde_json::Value, case: &serde_json::Value) -> MatchVerdict {
        let (mut fails, mut missing) = (false, false);
        let mut judge = |fact: &serde_json::Value, ok: &dyn Fn(&serde_json::Value) -> bool| match fact {
            serde_json::Value::Null => missing = true,
            f if !ok(f) => fails = true,
            _ => {}
        };
        let e = &trial["eligibility"];
        for (list, field) in [
            ("primary_sites", "primary_site"),
            ("grades", "grade"),
            ("m_stages", "m_stage"),
            ("functional_syndromes", "functional_syndrome"),
        ] {
            if let Some(allowed) = e[list].as_array() {
                judge(&case[field], &|f| allowed.contains(f));
            }
        }
        for (one, field) in [("differentiation", "differentiation"), ("sstr_imaging", "sstr_imaging")] {
            if !e[one].is_null() {
                // "unknown"/"not done" SSTR imaging is no result.
                let fact = match &case[field] {
                    v if field == "sstr_imaging" && v != "positive" && v != "negative" => serde_json::Value::Null,
                    v => v.clone(),
                };
                judge(&fact, &|f| *f == e[one]);
            }
        }
        for (min, max, field) in [("ki67_min", "ki67_max", "ki67_percent"), ("age_min", "age_max", "age")] {
            if !e[min].is_null() || !e[max].is_null() {
                let (lo, hi) = (e[min].as_f64().unwrap_or(f64::MIN), e[max].as_f64().unwrap_or(f64::MAX));
                judge(&case[field], &|f| f.as_f64().is_some_and(|x| lo <= x && x <= hi));
            }
        }
        if let Some(max) = e["ecog_max"].as_f64() {
            judge(&case["ecog"], &|f| f.as_f64().is_some_and(|x| x <= max));
        }
        let given: Vec<&serde_json::Value> =
            case["prior_treatments"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
        for p in e["prior_required"].as_array().into_iter().flatten() {
            if given.contains(&p) {
            } else if given.is_empty() {
                missing = true
            } else {
                fails = true
            }
        }
        for p in e["prior_excluded"].as_array().into_iter().flatten() {
            if given.contains(&p) {
                fails = true
            } else if given.is_empty() {
                missing = true
            }
        }
        if fails {
            MatchVerdict::NotEligible
        } else if missing {
            MatchVerdict::Unknown
        } else {
            MatchVerdict::Eligible
        }
    }

    /// Every public vignette against the demo's trials and a few more: the verdict is the
    /// second opinion's, a trial is never eligible with a failing criterion or a missing fact,
    /// and every verdict but "eligible on no criteria" gives its reasons.
    #[test]
    fn every_public_vignette_is_matched_conservatively() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/vignettes/public.json");
        let vignettes: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let trials = serde_json::json!([
            {"eligibility": {"grades": ["G2"], "ki67_min": 3, "ki67_max": 20, "m_stages": ["M1"], "sstr_imaging": "positive",
                             "ecog_max": 2, "prior_excluded": ["prrt"], "age_min": 18}},
            {"eligibility": {"primary_sites": ["pancreas"], "differentiation": "well", "m_stages": ["M1"], "ecog_max": 1,
                             "prior_required": ["ssa_antiproliferative"], "age_min": 18, "age_max": 80}},
            {"eligibility": {"primary_sites": ["pancreas"], "functional_syndromes": ["none"], "m_stages": ["M0"]}},
            {"eligibility": {"primary_sites": ["small_intestine"], "functional_syndromes": ["carcinoid_syndrome", "none"],
                             "ecog_max": 1, "age_max": 75}},
            {"eligibility": {"grades": ["G3"], "differentiation": "poor", "ki67_min": 20, "sstr_imaging": "negative"}},
            {"eligibility": {"prior_required": ["surgery_curative"], "prior_excluded": ["everolimus"]}},
            {"eligibility": {"sstr_imaging": "positive", "primary_sites": ["pancreas", "small_intestine", "lung", "rectum"]}},
            {"eligibility": {}}
        ]);
        let mut seen = std::collections::BTreeMap::new();
        for v in &vignettes {
            let t = tumor(v["input"].clone());
            for (n, trial) in trials.as_array().unwrap().iter().enumerate() {
                let (verdict, reasons) = match_case(&eligibility(trial["eligibility"].clone()), &t);
                let expected = oracle(trial, &v["input"]);
                assert_eq!(verdict, expected, "{} on trial {n}: {reasons:?}", v["id"]);
                assert!(
                    !reasons.is_empty() || trial["eligibility"] == serde_json::json!({}),
                    "{} on trial {n}: a verdict without reasons",
                    v["id"]
                );
                *seen.entry(verdict.code()).or_insert(0) += 1;
            }
        }
        // Not vacuous: the vignettes reach every verdict.
        assert_eq!(seen.len(), 3, "{seen:?}");
    }

    #[test]
    fn no_criteria_restrict_nothing() {
        assert_eq!(match_case(&Eligibility::default(), &tumor(pnet())).0, MatchVerdict::Eligible);
    }

    #[test]
    fn a_trial_is_checked_field_by_field() {
        let bad = TrialInput {
            title: " ".into(),
            acronym: "X".into(),
            registry_id: "NCT123".into(),
            phase: "5".into(),
            status: "recruiting".into(),
            contact: "".into(),
            eligibility: EligibilityInput {
                grades: vec!["G7".into()],
                ki67_min: Some(30.0),
                ki67_max: Some(10.0),
                ecog_max: Some(6),
                prior_required: vec!["magic".into()],
                ..Default::default()
            },
            ..Default::default()
        };
        let err = bad.parse().unwrap_err();
        for f in [
            "title",
            "registry_id",
            "phase",
            "status",
            "contact",
            "eligibility.grades",
            "eligibility.ki67_max",
            "eligibility.ecog_max",
            "eligibility.prior_required",
        ] {
            assert!(err.field_message(f).is_some(), "{f}: {err:?}");
        }
        for ok in ["NCT01234567", "2019-001234-12", "2023-501234-12-00", "ISRCTN12345678", "DRKS00012345"] {
            assert!(registry_id_ok(ok), "{ok}");
        }
        for bad in ["NCT0123456", "NCT0123456X", "2019-01234-12", "12345678", ""] {
            assert!(!registry_id_ok(bad), "{bad}");
        }
        let good = TrialInput {
            title: "PRRT in G2 NET".into(),
            acronym: "PRRT-G2".into(),
            registry_id: "nct 01234567".into(),
            phase: "2".into(),
            status: "open".into(),
            contact: "Study nurse, ext. 4711".into(),
            ..Default::default()
        };
        assert_eq!(good.parse().unwrap().registry_id, "NCT01234567");
    }

    fn arb_tumor() -> impl Strategy<Value = serde_json::Value> {
        let opt = |v: Vec<&'static str>| proptest::option::of(proptest::sample::select(v));
        (
            opt(vec!["pancreas", "small_intestine", "stomach", "rectum", "lung"]),
            opt(vec!["G1", "G2", "G3"]),
            proptest::option::of(0.0f64..100.0),
            opt(vec!["M0", "M1"]),
            opt(vec!["positive", "negative", "not_done"]),
            proptest::option::of(0u8..=4),
            proptest::option::of(18u8..=95),
            proptest::sample::subsequence(vec!["ssa_antiproliferative", "prrt", "everolimus", "sunitinib"], 0..=2),
        )
            .prop_map(|(site, grade, ki67, m, sstr, ecog, age, prior)| {
                serde_json::json!({
                    "primary_site": site, "grade": grade, "ki67_percent": ki67.map(|k| (k * 10.0).round() / 10.0),
                    "m_stage": m, "metastatic_sites": if m == Some("M1") { vec!["liver"] } else { vec![] },
                    "sstr_imaging": sstr, "ecog": ecog, "age": age, "prior_treatments": prior
                })
            })
    }

    fn arb_eligibility() -> impl Strategy<Value = serde_json::Value> {
        (
            proptest::sample::subsequence(vec!["pancreas", "small_intestine", "lung"], 0..=2),
            proptest::sample::subsequence(vec!["G1", "G2", "G3"], 0..=2),
            proptest::option::of(0.0f64..50.0),
            proptest::option::of(proptest::sample::select(vec!["positive", "negative"])),
            proptest::option::of(0u8..=4),
            proptest::sample::subsequence(vec!["ssa_antiproliferative", "prrt"], 0..=1),
            proptest::sample::subsequence(vec!["everolimus", "prrt"], 0..=1),
        )
            .prop_map(|(sites, grades, ki67_max, sstr, ecog_max, required, excluded)| {
                serde_json::json!({"primary_sites": sites, "grades": grades, "ki67_max": ki67_max, "sstr_imaging": sstr,
                                   "ecog_max": ecog_max, "prior_required": required, "prior_excluded": excluded})
            })
    }

    proptest! {
        /// Eligible only when every criterion the trial sets is met by a recorded fact; a failing
        /// fact always gives not eligible. Checked against the criteria directly.
        #[test]
        fn never_eligible_when_a_criterion_fails_or_a_fact_is_missing(t in arb_tumor(), e in arb_eligibility()) {
            let Ok(tumor) = Tumor::parse(&serde_json::from_value::<TumorInput>(t).unwrap()) else { return Ok(()) };
            let el = eligibility(e);
            let (verdict, reasons) = match_case(&el, &tumor);
            prop_assert!(!reasons.is_empty() || verdict == MatchVerdict::Eligible);
            let site_fails = !el.primary_sites.is_empty() && tumor.primary_site.is_some_and(|s| !el.primary_sites.contains(&s));
            let grade_missing = !el.grades.is_empty() && tumor.grade.is_none();
            let ki67_fails = el.ki67_max.is_some_and(|m| tumor.ki67_percent.is_some_and(|k| k > m));
            let ki67_missing = el.ki67_max.is_some() && tumor.ki67_percent.is_none();
            let excluded_given = el.prior_excluded.iter().any(|p| tumor.prior_treatments.contains(p));
            let sstr_missing = el.sstr_imaging.is_some()
                && !matches!(tumor.sstr_imaging, Some(SstrImaging::Positive | SstrImaging::Negative));
            if site_fails || ki67_fails || excluded_given {
                prop_assert_eq!(verdict, MatchVerdict::NotEligible);
            }
            if grade_missing || ki67_missing || sstr_missing {
                prop_assert_ne!(verdict, MatchVerdict::Eligible);
            }
        }
    }
}
