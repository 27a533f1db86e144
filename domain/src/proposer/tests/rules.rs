//! One test per rule of net-rules.md (at least): the case that triggers it gets what the rule
//! names, in the order the guideline gives.

use super::super::*;
use super::{codes, with};
use crate::tumor::{Tumor, TumorInput};
use OptionCode::*;

#[test]
fn a1_small_nf_pnet_is_watched_with_surgery_as_the_alternative_when_young() {
    let t =
        with(serde_json::json!({"tumor_size_mm": 15, "grade": "G1", "ki67_percent": 1, "age": 40, "t_stage": "T1"}));
    assert_eq!(codes(&t), ["surveillance", "surgery_curative"]);
    assert!(propose(&t).alternatives.iter().any(|a| a.topic == "Small NF-pNET"));
}

#[test]
fn a2_large_nf_pnet_is_resected_without_adjuvant_therapy() {
    let p = propose(&with(serde_json::json!({})));
    assert_eq!(p.codes(), [SurgeryCurative]);
    assert!(p.options[0].rules.contains(&"A2".to_string()));
}

#[test]
fn a3_men1_small_pnet_is_watched() {
    assert_eq!(codes(&with(serde_json::json!({"men1": true, "tumor_size_mm": 15}))), ["surveillance"]);
}

#[test]
fn a4_elderly_with_small_pnet_is_watched_first() {
    assert_eq!(codes(&with(serde_json::json!({"age": 84, "tumor_size_mm": 18, "ki67_percent": 8})))[0], "surveillance");
}

#[test]
fn a5_insulinoma_hormone_control_before_surgery_never_surveillance() {
    let p = propose(&with(
        serde_json::json!({"functional_syndrome": "insulinoma", "tumor_size_mm": 12, "grade": "G1", "ki67_percent": 1}),
    ));
    assert_eq!(p.codes(), [HormoneControl, SurgeryCurative]);
    assert_eq!(p.prerequisites, vec![Prerequisite { before: HormoneControl, option: SurgeryCurative }]);
}

#[test]
fn a9_small_intestine_is_resected_with_mesenteric_lymphadenectomy() {
    let p = propose(&with(serde_json::json!({"primary_site": "small_intestine", "n_stage": "N1"})));
    assert_eq!(p.codes(), [SurgeryCurative]);
    assert!(p.options[0].rationale.contains("mesenteric"));
}

#[test]
fn a12_large_appendiceal_net_gets_right_hemicolectomy() {
    let t = with(
        serde_json::json!({"primary_site": "appendix", "tumor_size_mm": 25, "prior_treatments": ["surgery_curative"]}),
    );
    assert_eq!(codes(&t), ["surgery_curative"]);
}

#[test]
fn a14_rectal_grey_zone_offers_endoscopy_then_tme() {
    let t = with(
        serde_json::json!({"primary_site": "rectum", "tumor_size_mm": 15, "t_stage": "T1", "grade": "G1", "ki67_percent": 1}),
    );
    assert_eq!(codes(&t), ["endoscopic_resection", "surgery_curative"]);
}

#[test]
fn a15_large_rectal_net_gets_tme() {
    assert_eq!(codes(&with(serde_json::json!({"primary_site": "rectum", "tumor_size_mm": 25}))), ["surgery_curative"]);
}

#[test]
fn a17_small_type1_gastric_net_is_watched_or_resected_endoscopically() {
    let t = with(
        serde_json::json!({"primary_site": "stomach", "gastric_type": "type1", "tumor_size_mm": 6, "t_stage": "T1", "grade": "G1", "ki67_percent": 1}),
    );
    assert_eq!(codes(&t), ["surveillance", "endoscopic_resection"]);
}

#[test]
fn a20_ampullary_duodenal_net_needs_surgery() {
    let t = with(
        serde_json::json!({"primary_site": "duodenum", "tumor_size_mm": 8, "ampullary": true, "grade": "G1", "ki67_percent": 1, "t_stage": "T1"}),
    );
    assert_eq!(codes(&t), ["surgery_curative"]);
}

#[test]
fn c1_resectable_liver_only_disease_gets_liver_resection_and_the_primary() {
    let t = with(
        serde_json::json!({"primary_site": "small_intestine", "m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "limited_resectable"}),
    );
    assert_eq!(codes(&t), ["liver_resection", "surgery_curative"]);
}

#[test]
fn c3_sstr_unknown_still_gets_ssa_and_a_warning_but_no_prrt() {
    let t = with(
        serde_json::json!({"primary_site": "small_intestine", "m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable", "sstr_imaging": "unknown"}),
    );
    let p = propose(&t);
    assert!(p.codes().contains(&SsaAntiproliferative));
    assert!(!p.codes().contains(&Prrt));
    assert!(p.warnings.iter().any(|w| w.contains("PRRT cannot be assessed")));
}

#[test]
fn c6_progressive_pnet_gets_targeted_chemo_and_prrt() {
    let t = with(
        serde_json::json!({"m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable", "prior_treatments": ["ssa_antiproliferative"], "progression_on_prior": true}),
    );
    let c = codes(&t);
    for code in ["everolimus", "sunitinib", "chemotherapy", "prrt"] {
        assert!(c.contains(&code), "{code} in {c:?}");
    }
}

#[test]
fn c7_high_ki67_pnet_gets_chemotherapy_first_with_prrt_alternative() {
    let t = with(
        serde_json::json!({"ki67_percent": 15, "m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable"}),
    );
    assert_eq!(&codes(&t)[..2], ["chemotherapy", "prrt"]);
}

#[test]
fn c8_mibg_only_when_sstr_negative_and_avid() {
    let t = with(
        serde_json::json!({"primary_site": "small_intestine", "m_stage": "M1", "metastatic_sites": ["liver", "bone"], "liver_burden": "unresectable", "sstr_imaging": "negative", "mibg_avid": "yes"}),
    );
    let p = propose(&t);
    assert!(p.codes().contains(&MibgTherapy));
    assert!(!p.codes().contains(&Prrt) && !p.codes().contains(&SsaAntiproliferative));
}

#[test]
fn d1_metastatic_nec_gets_platinum_etoposide_and_no_ssa_or_prrt() {
    let t = with(
        serde_json::json!({"differentiation": "poor", "grade": "G3", "ki67_percent": 80, "m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable"}),
    );
    let p = propose(&t);
    assert_eq!(p.first(), Some(Chemotherapy));
    assert!(!p.codes().contains(&SsaAntiproliferative) && !p.codes().contains(&Prrt));
}

#[test]
fn d2_localized_nec_gets_surgery_with_perioperative_chemotherapy() {
    let t = with(serde_json::json!({"differentiation": "poor", "grade": "G3", "ki67_percent": 60}));
    assert_eq!(codes(&t), ["surgery_curative", "chemotherapy", "clinical_trial"]);
}

#[test]
fn e1_frail_patients_get_no_aggressive_treatment() {
    let t = with(
        serde_json::json!({"ecog": 3, "m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable", "ki67_percent": 15}),
    );
    let c = codes(&t);
    for code in ["surgery_curative", "chemotherapy", "prrt", "liver_embolization"] {
        assert!(!c.contains(&code), "{code} in {c:?}");
    }
}

#[test]
fn f1_bone_pain_puts_radiotherapy_first_after_hormone_control() {
    let t = with(
        serde_json::json!({"primary_site": "small_intestine", "m_stage": "M1", "metastatic_sites": ["liver", "bone"], "liver_burden": "unresectable", "bone_pain": true,
        "functional_syndrome": "carcinoid_syndrome", "hormonal_symptoms": true}),
    );
    assert_eq!(&codes(&t)[..2], ["hormone_control", "external_beam_radiation"]);
}

#[test]
fn missing_data_is_warned_about_not_guessed() {
    let p = propose(&Tumor::parse(&TumorInput::default()).unwrap());
    assert!(p.warnings.iter().any(|w| w.contains("Primary site not recorded")));
    assert!(p.warnings.iter().any(|w| w.contains("ECOG not recorded")));
}

fn metastatic(extra: serde_json::Value) -> Tumor {
    let mut v = serde_json::json!({"m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable"});
    for (k, val) in extra.as_object().unwrap() {
        v[k] = val.clone();
    }
    with(v)
}

#[test]
fn a6_sporadic_gastrinoma_ppi_then_resection() {
    let p = propose(&with(serde_json::json!({"functional_syndrome": "gastrinoma", "hormonal_symptoms": true})));
    assert_eq!(p.codes(), [HormoneControl, SurgeryCurative]);
    assert!(p.options[0].rationale.contains("proton pump inhibitor"));
}

#[test]
fn a7_men1_gastrinoma_is_controlled_medically_when_small() {
    let p = propose(&with(serde_json::json!({"functional_syndrome": "gastrinoma", "men1": true, "tumor_size_mm": 12})));
    assert_eq!(p.codes(), [HormoneControl, Surveillance]);
    assert!(p.alternatives.iter().any(|a| a.topic == "MEN1 gastrinoma surgery"));
}

#[test]
fn a8_vipoma_ssa_then_resection() {
    let p = propose(&with(serde_json::json!({"functional_syndrome": "vipoma", "hormonal_symptoms": true})));
    assert_eq!(p.codes(), [HormoneControl, SurgeryCurative]);
}

#[test]
fn a10_small_appendiceal_net_after_appendectomy_needs_nothing_more() {
    let t = with(
        serde_json::json!({"primary_site": "appendix", "tumor_size_mm": 6, "grade": "G1", "ki67_percent": 1, "prior_treatments": ["surgery_curative"], "resection_margin": "R0"}),
    );
    assert_eq!(codes(&t), ["surveillance"]);
}

#[test]
fn a11_appendiceal_net_1_to_2_cm_with_risk_factors_discusses_hemicolectomy() {
    let t = with(
        serde_json::json!({"primary_site": "appendix", "tumor_size_mm": 15, "prior_treatments": ["surgery_curative"], "lymphovascular_invasion": true}),
    );
    assert_eq!(codes(&t), ["surveillance", "surgery_curative"]);
}

#[test]
fn a13_small_rectal_net_is_resected_endoscopically() {
    let t = with(
        serde_json::json!({"primary_site": "rectum", "tumor_size_mm": 6, "t_stage": "T1", "grade": "G1", "ki67_percent": 1}),
    );
    assert_eq!(codes(&t), ["endoscopic_resection"]);
}

#[test]
fn a16_colonic_net_is_operated_like_adenocarcinoma() {
    assert_eq!(codes(&with(serde_json::json!({"primary_site": "colon", "tumor_size_mm": 25}))), ["surgery_curative"]);
}

#[test]
fn a18_type2_gastric_net_ppi_and_endoscopic_resection() {
    let t = with(
        serde_json::json!({"primary_site": "stomach", "gastric_type": "type2", "tumor_size_mm": 8, "t_stage": "T1", "grade": "G1", "ki67_percent": 1}),
    );
    assert_eq!(codes(&t), ["hormone_control", "endoscopic_resection"]);
}

#[test]
fn a19_type3_gastric_net_over_1_cm_needs_gastrectomy() {
    let t = with(serde_json::json!({"primary_site": "stomach", "gastric_type": "type3", "tumor_size_mm": 15}));
    assert_eq!(codes(&t), ["surgery_curative"]);
}

#[test]
fn a21_a22_lung_and_thymic_carcinoids_are_resected() {
    assert_eq!(
        codes(&with(serde_json::json!({"primary_site": "lung", "grade": "G2", "ki67_percent": 4}))),
        ["surgery_curative"]
    );
    assert_eq!(codes(&with(serde_json::json!({"primary_site": "thymus"}))), ["surgery_curative"]);
}

#[test]
fn b2_metastatic_carcinoid_syndrome_ssa_serves_both_roles() {
    let p = propose(&metastatic(
        serde_json::json!({"primary_site": "small_intestine", "functional_syndrome": "carcinoid_syndrome", "hormonal_symptoms": true, "grade": "G1", "ki67_percent": 2}),
    ));
    assert_eq!(&p.codes()[..2], [HormoneControl, SsaAntiproliferative]);
}

#[test]
fn b5_refractory_symptoms_add_debulking_liver_directed_and_prrt() {
    let p = propose(&metastatic(
        serde_json::json!({"primary_site": "small_intestine", "functional_syndrome": "carcinoid_syndrome", "hormonal_symptoms": true,
        "hormonal_symptoms_refractory": true, "prior_treatments": ["surgery_curative"]}),
    ));
    for c in [SurgeryDebulking, LiverEmbolization, Prrt] {
        assert!(p.codes().contains(&c), "{c:?} in {:?}", p.codes());
    }
    assert!(p.warnings.iter().any(|w| w.contains("70-90 %")));
}

#[test]
fn c2_low_burden_g1_si_net_may_be_watched() {
    let t = metastatic(
        serde_json::json!({"primary_site": "small_intestine", "grade": "G1", "ki67_percent": 1, "tumor_burden": "low", "prior_treatments": ["surgery_curative"]}),
    );
    assert_eq!(&codes(&t)[..2], ["ssa_antiproliferative", "surveillance"]);
}

#[test]
fn c4_progressive_liver_dominant_disease_gets_embolization_after_the_systemic_line() {
    let t = metastatic(
        serde_json::json!({"primary_site": "small_intestine", "prior_treatments": ["ssa_antiproliferative"], "progression_on_prior": true,
        "liver_lesion_count": 3, "liver_max_lesion_mm": 25}),
    );
    let c = codes(&t);
    assert_eq!(&c[..4], ["prrt", "everolimus", "liver_embolization", "liver_ablation"]);
    let p = propose(&t);
    assert!(p.options[0].rationale.starts_with("Progression on somatostatin analogue"), "{}", p.options[0].rationale);
    let resected = metastatic(
        serde_json::json!({"primary_site": "small_intestine", "prior_treatments": ["surgery_curative", "ssa_antiproliferative"], "progression_on_prior": true}),
    );
    assert!(!propose(&resected).options[0].rationale.contains("curative surgery"), "a resection is not a failed line");
}

#[test]
fn c5_netter2_first_line_prrt_for_ki67_10_to_55() {
    let t = metastatic(serde_json::json!({"primary_site": "small_intestine", "ki67_percent": 15}));
    assert_eq!(codes(&t)[0], "prrt");
}

#[test]
fn c9_metastatic_si_net_with_primary_in_place_warns_about_obstruction() {
    let p = propose(&metastatic(serde_json::json!({"primary_site": "small_intestine"})));
    assert!(p.warnings.iter().any(|w| w.contains("Obstruction")));
    assert!(!p.codes().contains(&SurgeryCurative), "C10");
}

#[test]
fn d3_net_g3_gets_capecitabine_temozolomide_prrt_and_targeted_options() {
    let t = metastatic(serde_json::json!({"grade": "G3", "ki67_percent": 30}));
    assert_eq!(&codes(&t)[..4], ["chemotherapy", "prrt", "everolimus", "sunitinib"]);
}

#[test]
fn e1_frail_nec_warns_that_chemotherapy_may_still_be_discussed() {
    let p = propose(&metastatic(
        serde_json::json!({"differentiation": "poor", "grade": "G3", "ki67_percent": 70, "ecog": 3}),
    ));
    assert!(!p.codes().contains(&Chemotherapy));
    assert!(p.warnings.iter().any(|w| w.contains("may still be discussed")));
}

#[test]
fn g1_trials_for_advanced_disease_but_not_for_localized_low_grade() {
    assert_eq!(*codes(&metastatic(serde_json::json!({}))).last().unwrap(), "clinical_trial");
    assert!(!codes(&with(serde_json::json!({}))).contains(&"clinical_trial"));
}

#[test]
fn h3_5_a_therapy_given_without_progression_is_continued_after_new_options() {
    let t = metastatic(
        serde_json::json!({"primary_site": "small_intestine", "prior_treatments": ["surgery_curative", "ssa_antiproliferative"], "bone_pain": true,
        "metastatic_sites": ["liver", "bone"]}),
    );
    assert_eq!(&codes(&t)[..2], ["external_beam_radiation", "ssa_antiproliferative"]);
    let p = propose(&t);
    assert!(p.options[1].rules.contains(&"H3.5".to_string()));
}

#[test]
fn locally_unresectable_primary_is_treated_as_advanced_disease() {
    let t = with(serde_json::json!({"primary_resectable": false, "ki67_percent": 15}));
    assert_eq!(codes(&t)[0], "chemotherapy");
}
