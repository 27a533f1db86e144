//! Each rule of net-rules.md, as a table: a case that triggers it gets every option the rule
//! names, with the rule's id among that option's reasons; a near-miss case (one fact changed so
//! that the rule no longer applies) gets no option for that rule. A rule the engine forgot,
//! or an output it never reaches, fails here (as B3's everolimus once did).

use serde_json::{Value, json};

use super::super::*;
use super::with;
use OptionCode::*;

/// A metastatic (liver, unresectable) case on the base case.
fn metastatic(extra: Value) -> Value {
    let mut v = json!({"m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable"});
    for (k, val) in extra.as_object().unwrap() {
        v[k] = val.clone();
    }
    v
}

/// (rule, triggering case, the options it names, near-miss case) on the base case: a 57-year-old
/// with a non-functioning pancreatic NET, 35 mm, G2, Ki-67 6 %, T2 N0 M0, SSTR-positive, ECOG 0.
fn table() -> Vec<(&'static str, Value, Vec<OptionCode>, Value)> {
    let small_pnet = json!({"tumor_size_mm": 15, "grade": "G1", "ki67_percent": 1, "t_stage": "T1"});
    let appendix = |size: f64, extra: Value| {
        let mut v = json!({"primary_site": "appendix", "tumor_size_mm": size, "t_stage": "T1", "grade": "G1", "ki67_percent": 1,
                           "prior_treatments": ["surgery_curative"], "resection_margin": "R0", "lymphovascular_invasion": false});
        for (k, val) in extra.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    let rectum = |size: f64, t: &str| json!({"primary_site": "rectum", "tumor_size_mm": size, "t_stage": t, "grade": "G1", "ki67_percent": 1});
    let stomach = |kind: &str, size: f64| json!({"primary_site": "stomach", "gastric_type": kind, "tumor_size_mm": size, "t_stage": "T1", "grade": "G1", "ki67_percent": 1});
    let duodenum = |size: f64, extra: Value| {
        let mut v = json!({"primary_site": "duodenum", "tumor_size_mm": size, "t_stage": "T1", "grade": "G1", "ki67_percent": 1, "ampullary": false});
        for (k, val) in extra.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    };
    let nec = json!({"differentiation": "poor", "grade": "G3", "ki67_percent": 70});
    let netg3 = json!({"grade": "G3", "ki67_percent": 30});
    let rows = vec![
        // (a) localized disease by site
        (
            "A1",
            json!({"tumor_size_mm": 15, "grade": "G1", "ki67_percent": 1, "t_stage": "T1", "age": 40}),
            vec![Surveillance, SurgeryCurative],
            json!({}),
        ),
        ("A2", json!({}), vec![SurgeryCurative], small_pnet.clone()),
        ("A3", json!({"men1": true, "tumor_size_mm": 15}), vec![Surveillance], json!({"tumor_size_mm": 15})),
        ("A4", json!({"age": 84, "tumor_size_mm": 18}), vec![Surveillance], json!({"age": 60, "tumor_size_mm": 18})),
        (
            "A5",
            json!({"functional_syndrome": "insulinoma", "tumor_size_mm": 12}),
            vec![HormoneControl, SurgeryCurative],
            json!({"tumor_size_mm": 12}),
        ),
        ("A6", json!({"functional_syndrome": "gastrinoma"}), vec![HormoneControl, SurgeryCurative], json!({})),
        (
            "A7",
            json!({"functional_syndrome": "gastrinoma", "men1": true, "tumor_size_mm": 12}),
            vec![HormoneControl],
            json!({"functional_syndrome": "gastrinoma", "tumor_size_mm": 12}),
        ),
        ("A8", json!({"functional_syndrome": "vipoma"}), vec![HormoneControl, SurgeryCurative], json!({})),
        (
            "A9",
            json!({"primary_site": "small_intestine", "n_stage": "N1"}),
            vec![SurgeryCurative],
            json!({"n_stage": "N1"}),
        ),
        ("A10", appendix(8.0, json!({})), vec![Surveillance], appendix(25.0, json!({}))),
        (
            "A11",
            appendix(15.0, json!({"lymphovascular_invasion": true})),
            vec![SurgeryCurative],
            appendix(8.0, json!({})),
        ),
        ("A12", appendix(25.0, json!({})), vec![SurgeryCurative], appendix(8.0, json!({}))),
        ("A13", rectum(8.0, "T1"), vec![EndoscopicResection], rectum(25.0, "T2")),
        ("A14", rectum(15.0, "T1"), vec![EndoscopicResection, SurgeryCurative], rectum(8.0, "T1")),
        ("A15", rectum(25.0, "T2"), vec![SurgeryCurative], rectum(8.0, "T1")),
        ("A16", json!({"primary_site": "colon", "tumor_size_mm": 30}), vec![SurgeryCurative], rectum(25.0, "T2")),
        ("A17", stomach("type1", 6.0), vec![Surveillance, EndoscopicResection], stomach("type3", 25.0)),
        ("A18", stomach("type2", 8.0), vec![HormoneControl, EndoscopicResection], stomach("type1", 6.0)),
        ("A19", stomach("type3", 25.0), vec![SurgeryCurative], stomach("type1", 6.0)),
        ("A20", duodenum(8.0, json!({})), vec![EndoscopicResection], json!({"tumor_size_mm": 8})),
        ("A21", json!({"primary_site": "lung"}), vec![SurgeryCurative], json!({})),
        ("A22", json!({"primary_site": "thymus"}), vec![SurgeryCurative], json!({})),
        // (b) functional syndromes
        (
            "B1",
            json!({"functional_syndrome": "carcinoid_syndrome", "hormonal_symptoms": true}),
            vec![HormoneControl],
            json!({}),
        ),
        (
            "B3",
            metastatic(
                json!({"functional_syndrome": "insulinoma", "hormonal_symptoms": true, "hormonal_symptoms_refractory": true}),
            ),
            vec![Everolimus],
            metastatic(json!({"functional_syndrome": "insulinoma", "hormonal_symptoms": true})),
        ),
        (
            "B5",
            metastatic(
                json!({"functional_syndrome": "carcinoid_syndrome", "primary_site": "small_intestine", "hormonal_symptoms": true, "hormonal_symptoms_refractory": true}),
            ),
            vec![SurgeryDebulking, LiverEmbolization, Prrt],
            metastatic(
                json!({"functional_syndrome": "carcinoid_syndrome", "primary_site": "small_intestine", "hormonal_symptoms": true}),
            ),
        ),
        // (c) metastatic well-differentiated NET
        (
            "C1",
            json!({"primary_site": "small_intestine", "m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "limited_resectable"}),
            vec![LiverResection, SurgeryCurative],
            metastatic(json!({"primary_site": "small_intestine"})),
        ),
        (
            "C2",
            metastatic(json!({"primary_site": "small_intestine"})),
            vec![SsaAntiproliferative],
            metastatic(json!({"primary_site": "small_intestine", "sstr_imaging": "negative"})),
        ),
        (
            "C4",
            metastatic(
                json!({"primary_site": "small_intestine", "prior_treatments": ["ssa_antiproliferative"], "progression_on_prior": true}),
            ),
            vec![LiverEmbolization],
            metastatic(
                json!({"primary_site": "small_intestine", "prior_treatments": ["ssa_antiproliferative"], "progression_on_prior": true, "ecog": 3}),
            ),
        ),
        (
            "C5",
            metastatic(
                json!({"primary_site": "small_intestine", "prior_treatments": ["ssa_antiproliferative"], "progression_on_prior": true}),
            ),
            vec![Prrt],
            metastatic(json!({"primary_site": "small_intestine"})),
        ),
        (
            "C6",
            metastatic(json!({"prior_treatments": ["ssa_antiproliferative"], "progression_on_prior": true})),
            vec![Everolimus, Sunitinib],
            metastatic(json!({})),
        ),
        (
            "C7",
            metastatic(json!({"ki67_percent": 15})),
            vec![Chemotherapy],
            metastatic(json!({"primary_site": "small_intestine"})),
        ),
        (
            "C8",
            metastatic(json!({"primary_site": "small_intestine", "sstr_imaging": "negative", "mibg_avid": "yes"})),
            vec![MibgTherapy],
            metastatic(json!({"primary_site": "small_intestine", "sstr_imaging": "negative", "mibg_avid": "no"})),
        ),
        // (d) grade 3
        ("D1", metastatic(nec.clone()), vec![Chemotherapy], metastatic(json!({}))),
        ("D2", nec.clone(), vec![SurgeryCurative, Chemotherapy], json!({})),
        ("D3", metastatic(netg3.clone()), vec![Chemotherapy, Prrt, Everolimus, Sunitinib], metastatic(json!({}))),
        // (e) frail, (f) bone pain, (g) trials
        ("E1", metastatic(json!({"ecog": 3})), vec![SsaAntiproliferative], metastatic(json!({}))),
        (
            "F1",
            metastatic(json!({"metastatic_sites": ["liver", "bone"], "bone_pain": true})),
            vec![ExternalBeamRadiation],
            metastatic(json!({"metastatic_sites": ["liver", "bone"]})),
        ),
        (
            "G1",
            metastatic(json!({"prior_treatments": ["ssa_antiproliferative"], "progression_on_prior": true})),
            vec![ClinicalTrial],
            json!({}),
        ),
    ];
    rows
}

#[test]
fn each_rule_gets_what_it_names_when_triggered_and_nothing_when_not() {
    let mut failures = Vec::new();
    for (rule, trigger, outputs, near_miss) in table() {
        let p = propose(&with(trigger.clone()));
        for code in &outputs {
            match p.options.iter().find(|o| o.code == *code) {
                None => failures.push(format!("{rule}: {} missing for {trigger} (got {:?})", code.code(), p.codes())),
                Some(o) if !o.rules.iter().any(|r| r == rule) => {
                    failures.push(format!("{rule}: {} proposed without naming {rule} ({:?})", code.code(), o.rules))
                }
                Some(_) => {}
            }
        }
        let q = propose(&with(near_miss.clone()));
        if let Some(o) = q.options.iter().find(|o| o.rules.iter().any(|r| r == rule)) {
            failures.push(format!("{rule}: {} still named for the near-miss {near_miss}", o.code.code()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_table_has_a_row_for_every_rule_that_proposes_an_option() {
    let rules: Vec<&str> = table().iter().map(|r| r.0).collect();
    for rule in [
        "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A10", "A11", "A12", "A13", "A14", "A15", "A16", "A17",
        "A18", "A19", "A20", "A21", "A22", "B1", "B3", "B5", "C1", "C2", "C4", "C5", "C6", "C7", "C8", "D1", "D2",
        "D3", "E1", "F1", "G1",
    ] {
        assert!(rules.contains(&rule), "{rule} has no row");
    }
}
