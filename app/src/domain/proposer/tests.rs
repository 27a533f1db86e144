//! The proposer against every public vignette, rule by rule, and by properties over thousands
//! of generated cases.

use super::*;
use crate::domain::tumor::TumorInput;

fn tumor(v: serde_json::Value) -> Tumor {
    let input: TumorInput = serde_json::from_value(v).expect("tumor input");
    Tumor::parse(&input).expect("valid tumor")
}

fn base() -> serde_json::Value {
    serde_json::json!({
        "primary_site": "pancreas", "grade": "G2", "ki67_percent": 6, "differentiation": "well", "tumor_size_mm": 35,
        "t_stage": "T2", "n_stage": "N0", "m_stage": "M0", "metastatic_sites": [], "liver_burden": "none",
        "functional_syndrome": "none", "hormonal_symptoms": false, "hormonal_symptoms_refractory": false,
        "sstr_imaging": "positive", "mibg_avid": "unknown", "ecog": 0, "bone_pain": false, "prior_treatments": [],
        "progression_on_prior": false, "men1": false, "gastric_type": null, "age": 57
    })
}

fn with(changes: serde_json::Value) -> Tumor {
    let mut v = base();
    for (k, val) in changes.as_object().unwrap() {
        v[k] = val.clone();
    }
    tumor(v)
}

fn codes(t: &Tumor) -> Vec<&'static str> {
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
        if let Some(first) = v["first_line"].as_str() {
            if got.first() != Some(&first) {
                failures.push(format!("{id}: first should be {first}, got {got:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- rule by rule -----------------------------------------------------------------------------

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

// ---- properties ----------------------------------------------------------------------------

/// A small deterministic generator (xorshift), so the property tests need no extra crate and
/// every run checks the same cases.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[(self.next() % from.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A random tumor that passes validation.
fn random_tumor(g: &mut Gen) -> Tumor {
    loop {
        let site = g.pick(PrimarySite::ALL);
        let m1 = g.chance(45);
        let mut sites: Vec<&str> = Vec::new();
        if m1 {
            for s in MetastaticSite::ALL {
                if g.chance(35) {
                    sites.push(s.code());
                }
            }
            if sites.is_empty() {
                sites.push("liver");
            }
        }
        let liver = sites.contains(&"liver");
        let nec = g.chance(12);
        let ki67: f64 = g.pick(&[0.5, 1.0, 2.0, 4.0, 6.0, 12.0, 18.0, 25.0, 40.0, 70.0]);
        let grade = if ki67 < 3.0 {
            "G1"
        } else if ki67 <= 20.0 {
            "G2"
        } else {
            "G3"
        };
        let prior: Vec<&str> = OptionCode::ALL.iter().filter(|_| g.chance(8)).map(|c| c.code()).collect();
        let v = serde_json::json!({
            "primary_site": site.code(),
            "grade": if nec { "G3" } else { grade },
            "ki67_percent": if nec { 70.0 } else { ki67 },
            "differentiation": if nec { "poor" } else { "well" },
            "tumor_size_mm": g.pick(&[5.0, 9.0, 12.0, 15.0, 19.0, 25.0, 40.0]),
            "t_stage": g.pick(&["T1", "T2", "T3", "T4", "TX"]),
            "n_stage": g.pick(&["N0", "N1", "NX"]),
            "m_stage": if m1 { "M1" } else { "M0" },
            "metastatic_sites": sites,
            "liver_burden": if liver { g.pick(&["limited_resectable", "unresectable"]) } else { "none" },
            "functional_syndrome": if g.chance(30) { g.pick(&["insulinoma", "gastrinoma", "carcinoid_syndrome", "vipoma", "glucagonoma"]) } else { "none" },
            "hormonal_symptoms": g.chance(30),
            "hormonal_symptoms_refractory": g.chance(10),
            "sstr_imaging": g.pick(&["positive", "negative", "unknown"]),
            "mibg_avid": g.pick(&["yes", "no", "unknown"]),
            "ecog": g.pick(&[0.0, 1.0, 2.0, 3.0, 4.0]),
            "bone_pain": sites.contains(&"bone") && g.chance(50),
            "prior_treatments": prior,
            "progression_on_prior": g.chance(40),
            "men1": g.chance(10),
            "gastric_type": if site == PrimarySite::Stomach { serde_json::json!(g.pick(&["type1", "type2", "type3"])) } else { serde_json::Value::Null },
            "age": g.pick(&[30.0, 45.0, 60.0, 75.0, 85.0]),
            "primary_resectable": if g.chance(10) { serde_json::json!(false) } else { serde_json::Value::Null },
            "liver_lesion_count": if liver && g.chance(50) { serde_json::json!(g.pick(&[2.0, 4.0, 12.0])) } else { serde_json::Value::Null },
            "liver_max_lesion_mm": if liver && g.chance(50) { serde_json::json!(g.pick(&[20.0, 45.0, 90.0])) } else { serde_json::Value::Null },
        });
        let input: TumorInput = serde_json::from_value(v).unwrap();
        if let Ok(t) = Tumor::parse(&input) {
            return t;
        }
    }
}

/// The hard gates of net-rules.md (H3.1 and the sections it names), written again from the
/// text and independently of the engine's own `excluded()`: for a tumor, each option it must
/// never propose and the gate that forbids it. Where a fact is not recorded the oracle forbids
/// nothing on its account (the engine may be stricter, never looser).
fn forbidden(t: &Tumor) -> Vec<(OptionCode, &'static str)> {
    let m1 = t.m_stage == Some(MStage::M1) || !t.metastatic_sites.is_empty();
    let nec = t.differentiation == Some(Differentiation::Poor);
    let well = t.differentiation == Some(Differentiation::Well);
    let ecog_above = |n: u8| t.ecog.is_some_and(|e| e > n);
    let mut out = Vec::new();
    let mut forbid = |codes: &[OptionCode], gate: &'static str| out.extend(codes.iter().map(|c| (*c, gate)));
    // Section 0: no adjuvant systemic therapy after resection of M0 well-differentiated disease.
    if !m1 && well && t.primary_resectable != Some(false) {
        forbid(&[Chemotherapy, Everolimus, Sunitinib, Prrt, SsaAntiproliferative], "0 no adjuvant systemic therapy");
    }
    // E1: ECOG 3-4 excludes aggressive treatment.
    if ecog_above(2) {
        forbid(
            &[SurgeryCurative, SurgeryDebulking, LiverResection, Chemotherapy, Prrt, LiverEmbolization, LiverAblation],
            "E1 ECOG 3-4",
        );
    }
    // C10: never curative surgery for M1 disease that is not fully resectable (only limited,
    // resectable liver(-dominant) disease can be).
    let only_liver_and_nodes =
        t.metastatic_sites.iter().all(|s| matches!(s, MetastaticSite::Liver | MetastaticSite::DistantNodes));
    if m1 && (t.liver_burden != Some(LiverBurden::LimitedResectable) || !only_liver_and_nodes || nec) {
        forbid(&[SurgeryCurative], "C10 M1 not fully resectable");
    }
    // Section 0 / C5: PRRT needs SSTR-positive disease and ECOG <= 2; D1: never in NEC.
    if t.sstr_imaging != Some(SstrImaging::Positive) || ecog_above(2) || nec {
        forbid(&[Prrt], "C5 PRRT needs SSTR+ and ECOG <= 2, not NEC");
    }
    // C6: sunitinib for pancreatic NET only.
    if t.primary_site != Some(PrimarySite::Pancreas) {
        forbid(&[Sunitinib], "C6 sunitinib pancreas only");
    }
    // C7: no chemotherapy for G1/G2 small-intestinal NET.
    if t.primary_site == Some(PrimarySite::SmallIntestine) && !nec && matches!(t.grade, Some(Grade::G1 | Grade::G2)) {
        forbid(&[Chemotherapy], "C7 no chemotherapy for G1/G2 SI-NET");
    }
    // D1: NEC gets no SSA, PRRT or liver resection.
    if nec {
        forbid(&[SsaAntiproliferative, Prrt, LiverResection], "D1 NEC");
    }
    // C8: MIBG only when MIBG-avid and PRRT is not possible (SSTR-negative, or PRRT failed or
    // excluded).
    let prrt_failed = t.progression_on_prior && t.prior_treatments.contains(&Prrt);
    let prrt_possible = t.sstr_imaging == Some(SstrImaging::Positive) && !ecog_above(2) && !prrt_failed;
    if t.mibg_avid != Some(MibgAvid::Yes) || prrt_possible {
        forbid(&[MibgTherapy], "C8 MIBG only when avid and PRRT impossible");
    }
    // C4: liver-directed therapy needs ECOG <= 2.
    if ecog_above(2) {
        forbid(&[LiverEmbolization, LiverAblation], "C4 liver-directed therapy needs ECOG <= 2");
    }
    out
}

#[test]
fn no_proposal_ever_breaks_a_hard_constraint() {
    let mut g = Gen(0x7457_4f52_4241_4f44);
    let mut applied: std::collections::BTreeMap<&str, usize> = Default::default();
    for i in 0..8000 {
        let t = random_tumor(&mut g);
        let p = propose(&t);
        for (code, gate) in forbidden(&t) {
            *applied.entry(gate).or_default() += 1;
            assert!(!p.codes().contains(&code), "case {i}: {} proposed against gate {gate} for {t:?}", code.code());
        }
    }
    // Every gate was put to the test many times by the generated cases.
    let gates = [
        "0 no adjuvant systemic therapy",
        "E1 ECOG 3-4",
        "C10 M1 not fully resectable",
        "C5 PRRT needs SSTR+ and ECOG <= 2, not NEC",
        "C6 sunitinib pancreas only",
        "C7 no chemotherapy for G1/G2 SI-NET",
        "D1 NEC",
        "C8 MIBG only when avid and PRRT impossible",
        "C4 liver-directed therapy needs ECOG <= 2",
    ];
    for gate in gates {
        assert!(
            applied.get(gate).copied().unwrap_or(0) >= 50,
            "gate {gate} applied only {:?} times",
            applied.get(gate)
        );
    }
}

/// The oracle above is itself checked: each gate forbids what its rule names, on a case built
/// to trigger it, and nothing on a case that does not.
#[test]
fn the_hard_constraint_oracle_names_each_gate_on_a_case_that_triggers_it() {
    let cases = [
        (serde_json::json!({}), "0 no adjuvant systemic therapy", Everolimus),
        (serde_json::json!({"ecog": 3}), "E1 ECOG 3-4", SurgeryCurative),
        (
            serde_json::json!({"m_stage": "M1", "metastatic_sites": ["bone"], "liver_burden": "none"}),
            "C10 M1 not fully resectable",
            SurgeryCurative,
        ),
        (
            serde_json::json!({"sstr_imaging": "negative", "m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable"}),
            "C5 PRRT needs SSTR+ and ECOG <= 2, not NEC",
            Prrt,
        ),
        (serde_json::json!({"primary_site": "small_intestine"}), "C6 sunitinib pancreas only", Sunitinib),
        (
            serde_json::json!({"primary_site": "small_intestine", "m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable"}),
            "C7 no chemotherapy for G1/G2 SI-NET",
            Chemotherapy,
        ),
        (serde_json::json!({"differentiation": "poor", "grade": "G3", "ki67_percent": 70}), "D1 NEC", LiverResection),
        (serde_json::json!({"mibg_avid": "no"}), "C8 MIBG only when avid and PRRT impossible", MibgTherapy),
        (serde_json::json!({"ecog": 4}), "C4 liver-directed therapy needs ECOG <= 2", LiverEmbolization),
    ];
    for (changes, gate, code) in cases {
        let f = forbidden(&with(changes.clone()));
        assert!(f.contains(&(code, gate)), "{gate} for {changes}: {f:?}");
    }
    // A fit, SSTR-positive, progressive metastatic pNET: PRRT, sunitinib, chemotherapy allowed.
    let open = with(
        serde_json::json!({"m_stage": "M1", "metastatic_sites": ["liver"], "liver_burden": "unresectable", "prior_treatments": ["ssa_antiproliferative"], "progression_on_prior": true}),
    );
    let f = forbidden(&open);
    for code in [Prrt, Sunitinib, Chemotherapy, Everolimus, LiverEmbolization] {
        assert!(!f.iter().any(|(c, _)| *c == code), "{} wrongly forbidden: {f:?}", code.code());
    }
}

#[test]
fn the_same_input_always_gives_the_same_output() {
    let mut g = Gen(42);
    for _ in 0..500 {
        let t = random_tumor(&mut g);
        assert_eq!(propose(&t), propose(&t.clone()));
    }
}

#[test]
fn every_option_has_a_rationale_a_source_a_rule_and_ranks_run_from_one() {
    let mut g = Gen(7);
    for i in 0..3000 {
        let t = random_tumor(&mut g);
        let p = propose(&t);
        assert_eq!(p.ruleset_version, RULESET_VERSION);
        let mut seen = Vec::new();
        for (n, o) in p.options.iter().enumerate() {
            assert_eq!(o.rank as usize, n + 1, "case {i}");
            assert!(o.rationale.len() > 10, "case {i}: {} has no rationale", o.code.code());
            assert!(!o.sources.is_empty() && !o.rules.is_empty(), "case {i}: {} has no source", o.code.code());
            assert!(!seen.contains(&o.code), "case {i}: {} twice", o.code.code());
            seen.push(o.code);
        }
        for pre in &p.prerequisites {
            let rank = |c| p.options.iter().find(|o| o.code == c).map(|o| o.rank);
            assert!(rank(pre.before) < rank(pre.option), "case {i}: prerequisite ranked after its option");
        }
        // A symptomatic functional tumour always starts with hormone control (B1), unless a
        // type 2 gastric NET's own rule already placed it.
        if t.functional_syndrome.is_some_and(|f| f != FunctionalSyndrome::None) && t.hormonal_symptoms {
            assert_eq!(p.first(), Some(HormoneControl), "case {i}: {t:?}");
        }
    }
}

// ---- the remaining rules, one test each ----------------------------------------------------------

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
