//! The proposer against every public vignette (here), rule by rule (`rules`), and by
//! properties over thousands of generated cases (`properties`).

mod per_rule;
mod properties;
mod rules;

use super::*;
use crate::tumor::{Tumor, TumorInput};

pub(super) fn tumor(v: serde_json::Value) -> Tumor {
    let input: TumorInput = serde_json::from_value(v).expect("tumor input");
    Tumor::parse(&input).expect("valid tumor")
}

pub(super) fn base() -> serde_json::Value {
    serde_json::json!({
        "primary_site": "pancreas", "grade": "G2", "ki67_percent": 6, "differentiation": "well", "tumor_size_mm": 35,
        "t_stage": "T2", "n_stage": "N0", "m_stage": "M0", "metastatic_sites": [], "liver_burden": "none",
        "functional_syndrome": "none", "hormonal_symptoms": false, "hormonal_symptoms_refractory": false,
        "sstr_imaging": "positive", "mibg_avid": "unknown", "ecog": 0, "bone_pain": false, "prior_treatments": [],
        "progression_on_prior": false, "men1": false, "gastric_type": null, "age": 57
    })
}

pub(super) fn with(changes: serde_json::Value) -> Tumor {
    let mut v = base();
    for (k, val) in changes.as_object().unwrap() {
        v[k] = val.clone();
    }
    tumor(v)
}

pub(super) fn codes(t: &Tumor) -> Vec<&'static str> {
    propose(t).options.iter().map(|o| o.code.code()).collect()
}

// ---- the public vignettes ----------------------------------------------------------------------

#[test]
fn every_public_vignette_gets_what_the_guidelines_ask() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/vignettes/public.json");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("the vignettes must be at {}: {e}", path.display()));
    let vignettes: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert!(vignettes.len() >= 12);
    let mut failures = Vec::new();
    for v in &vignettes {
        let id = v["id"].as_str().unwrap();
        let p = propose(&tumor(v["input"].clone()));
        let got: Vec<&str> = p.options.iter().map(|o| o.code.code()).collect();
        for code in v["must_include"].as_array().unwrap() {
            if !got.contains(&code.as_str().unwrap()) {
                failures.push(format!("{id}: missing {code} in {got:?}"));
            }
        }
        for code in v["must_exclude"].as_array().unwrap() {
            if got.contains(&code.as_str().unwrap()) {
                failures.push(format!("{id}: must not propose {code} ({got:?})"));
            }
        }
        if let Some(first) = v["first_line"].as_str()
            && got.first() != Some(&first)
        {
            failures.push(format!("{id}: first should be {first}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
