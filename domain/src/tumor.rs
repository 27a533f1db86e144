//! The tumor fields of spec/net-case.md: what is typed (`TumorInput`), what it means once
//! checked (`Tumor`), the consistency rules, what a case still lacks before the board, and the
//! clinical shorthand that heads a case.
//!
//! Parse, don't validate: `Tumor::parse` either returns typed values or a message per field.
//! A draft may leave fields empty; what is given must be valid and consistent.

use serde::{Deserialize, Serialize};

use super::codes::*;
use crate::error::{FieldErrorsBuilder, Invalid};

/// Tumor fields as a client sends them. Every field may be absent in a draft.
/// Unknown field names are refused (a typo must not silently drop data).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct TumorInput {
    pub primary_site: Option<String>,
    pub grade: Option<String>,
    pub ki67_percent: Option<f64>,
    pub differentiation: Option<String>,
    pub tumor_size_mm: Option<f64>,
    pub t_stage: Option<String>,
    pub n_stage: Option<String>,
    pub m_stage: Option<String>,
    pub metastatic_sites: Vec<String>,
    pub liver_burden: Option<String>,
    pub functional_syndrome: Option<String>,
    pub hormonal_symptoms: Option<bool>,
    pub hormonal_symptoms_refractory: Option<bool>,
    pub sstr_imaging: Option<String>,
    pub mibg_avid: Option<String>,
    pub ecog: Option<f64>,
    pub bone_pain: Option<bool>,
    pub prior_treatments: Vec<String>,
    pub progression_on_prior: Option<bool>,
    pub men1: Option<bool>,
    pub gastric_type: Option<String>,
    pub age: Option<f64>,
    // Optional refinements (null = not recorded).
    pub primary_resectable: Option<bool>,
    pub liver_lesion_count: Option<f64>,
    pub liver_max_lesion_mm: Option<f64>,
    pub ampullary: Option<bool>,
    pub resection_margin: Option<String>,
    pub lymphovascular_invasion: Option<bool>,
    pub tumor_burden: Option<String>,
}

/// Checked tumor fields. `None` means "not recorded".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tumor {
    pub primary_site: Option<PrimarySite>,
    pub grade: Option<Grade>,
    pub ki67_percent: Option<f64>,
    pub differentiation: Option<Differentiation>,
    pub tumor_size_mm: Option<f64>,
    pub t_stage: Option<TStage>,
    pub n_stage: Option<NStage>,
    pub m_stage: Option<MStage>,
    pub metastatic_sites: Vec<MetastaticSite>,
    pub liver_burden: Option<LiverBurden>,
    pub functional_syndrome: Option<FunctionalSyndrome>,
    pub hormonal_symptoms: bool,
    pub hormonal_symptoms_refractory: bool,
    pub sstr_imaging: Option<SstrImaging>,
    pub mibg_avid: Option<MibgAvid>,
    pub ecog: Option<u8>,
    pub bone_pain: bool,
    pub prior_treatments: Vec<OptionCode>,
    pub progression_on_prior: bool,
    pub men1: bool,
    pub gastric_type: Option<GastricType>,
    pub age: Option<u8>,
    pub primary_resectable: Option<bool>,
    pub liver_lesion_count: Option<u32>,
    pub liver_max_lesion_mm: Option<f64>,
    pub ampullary: Option<bool>,
    pub resection_margin: Option<ResectionMargin>,
    pub lymphovascular_invasion: Option<bool>,
    pub tumor_burden: Option<TumorBurden>,
}

fn number(
    errors: &mut FieldErrorsBuilder,
    field: &str,
    value: Option<f64>,
    min: f64,
    max: f64,
    what: &str,
) -> Option<f64> {
    let v = value?;
    if !v.is_finite() || v < min || v > max {
        errors.add(field, format!("{what} must be between {min} and {max}."));
        return None;
    }
    Some(v)
}

fn whole(
    errors: &mut FieldErrorsBuilder,
    field: &str,
    value: Option<f64>,
    min: f64,
    max: f64,
    what: &str,
) -> Option<f64> {
    let v = number(errors, field, value, min, max, what)?;
    if v.fract() != 0.0 {
        errors.add(field, format!("{what} is a whole number."));
        return None;
    }
    Some(v)
}

impl Tumor {
    /// Checks every field and the consistency rules of net-case.md; returns all problems at once.
    pub fn parse(input: &TumorInput) -> Result<Tumor, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let t = Tumor {
            primary_site: optional_code(&mut e, "primary_site", input.primary_site.as_deref()),
            grade: optional_code(&mut e, "grade", input.grade.as_deref()),
            ki67_percent: number(&mut e, "ki67_percent", input.ki67_percent, 0.0, 100.0, "Ki-67"),
            differentiation: optional_code(&mut e, "differentiation", input.differentiation.as_deref()),
            tumor_size_mm: number(&mut e, "tumor_size_mm", input.tumor_size_mm, 0.1, 500.0, "The tumour size (mm)"),
            t_stage: optional_code(&mut e, "t_stage", input.t_stage.as_deref()),
            n_stage: optional_code(&mut e, "n_stage", input.n_stage.as_deref()),
            m_stage: optional_code(&mut e, "m_stage", input.m_stage.as_deref()),
            metastatic_sites: code_list(&mut e, "metastatic_sites", &input.metastatic_sites),
            liver_burden: optional_code(&mut e, "liver_burden", input.liver_burden.as_deref()),
            functional_syndrome: optional_code(&mut e, "functional_syndrome", input.functional_syndrome.as_deref()),
            hormonal_symptoms: input.hormonal_symptoms.unwrap_or(false),
            hormonal_symptoms_refractory: input.hormonal_symptoms_refractory.unwrap_or(false),
            sstr_imaging: optional_code(&mut e, "sstr_imaging", input.sstr_imaging.as_deref()),
            mibg_avid: optional_code(&mut e, "mibg_avid", input.mibg_avid.as_deref()),
            ecog: whole(&mut e, "ecog", input.ecog, 0.0, 4.0, "ECOG").map(|v| v as u8),
            bone_pain: input.bone_pain.unwrap_or(false),
            prior_treatments: code_list(&mut e, "prior_treatments", &input.prior_treatments),
            progression_on_prior: input.progression_on_prior.unwrap_or(false),
            men1: input.men1.unwrap_or(false),
            gastric_type: optional_code(&mut e, "gastric_type", input.gastric_type.as_deref()),
            age: whole(&mut e, "age", input.age, 0.0, 120.0, "Age").map(|v| v as u8),
            primary_resectable: input.primary_resectable,
            liver_lesion_count: whole(
                &mut e,
                "liver_lesion_count",
                input.liver_lesion_count,
                0.0,
                1000.0,
                "The number of liver lesions",
            )
            .map(|v| v as u32),
            liver_max_lesion_mm: number(
                &mut e,
                "liver_max_lesion_mm",
                input.liver_max_lesion_mm,
                0.1,
                500.0,
                "The largest liver lesion (mm)",
            ),
            ampullary: input.ampullary,
            resection_margin: optional_code(&mut e, "resection_margin", input.resection_margin.as_deref()),
            lymphovascular_invasion: input.lymphovascular_invasion,
            tumor_burden: optional_code(&mut e, "tumor_burden", input.tumor_burden.as_deref()),
        };
        t.check_consistency(&mut e);
        e.finish()?;
        Ok(t)
    }

    /// The cross-field rules of net-case.md ("Inconsistent input is a validation error").
    fn check_consistency(&self, e: &mut FieldErrorsBuilder) {
        // M1 needs at least one metastatic site; M0 has none.
        match self.m_stage {
            Some(MStage::M1) if self.metastatic_sites.is_empty() => {
                e.add("metastatic_sites", "M1 needs at least one metastatic site.")
            }
            Some(MStage::M0) if !self.metastatic_sites.is_empty() => {
                e.add("metastatic_sites", "M0 has no metastatic sites: clear them or set M1.")
            }
            _ => {}
        }
        // Liver burden other than none needs liver among the metastatic sites.
        if matches!(self.liver_burden, Some(b) if b != LiverBurden::None)
            && !self.metastatic_sites.contains(&MetastaticSite::Liver)
        {
            e.add("liver_burden", "A liver burden needs liver among the metastatic sites.");
        }
        // WHO 2019 grading of GEP-NETs by Ki-67: G1 < 3 %, G2 3–20 %, G3 > 20 %. Lung and thymic
        // carcinoids are graded by mitoses and necrosis, so Ki-67 does not contradict there.
        if let (Some(grade), Some(ki67)) = (self.grade, self.ki67_percent) {
            let gep = self.primary_site.is_none_or(PrimarySite::graded_by_ki67);
            let fits = match grade {
                Grade::G1 => ki67 < 3.0,
                Grade::G2 => (3.0..=20.0).contains(&ki67),
                Grade::G3 => ki67 > 20.0,
            };
            if gep && !fits {
                let range = match grade {
                    Grade::G1 => "below 3 %",
                    Grade::G2 => "3 to 20 %",
                    Grade::G3 => "above 20 %",
                };
                e.add("grade", format!("{} means Ki-67 {range} (WHO 2019); Ki-67 is {ki67} %.", grade.code()));
            }
        }
        // A gastric type is for gastric NETs only.
        if self.gastric_type.is_some() && self.primary_site.is_some_and(|s| s != PrimarySite::Stomach) {
            e.add("gastric_type", "A gastric type applies to a gastric (stomach) primary only.");
        }
    }

    /// What the board needs and this tumor record lacks (the completeness gate of the
    /// meetings issue uses the same list): field names with what to record.
    pub fn missing_for_board(&self) -> Vec<(&'static str, &'static str)> {
        let mut missing = Vec::new();
        if self.primary_site.is_none() {
            missing.push(("primary_site", "the primary site"));
        }
        if self.grade.is_none() && self.ki67_percent.is_none() {
            missing.push(("grade", "the grade or Ki-67"));
        }
        if self.differentiation.is_none() {
            missing.push(("differentiation", "the differentiation"));
        }
        if self.t_stage.is_none() || self.n_stage.is_none() || self.m_stage.is_none() {
            missing.push(("tnm", "the TNM stage (T, N and M)"));
        }
        if self.functional_syndrome.is_none() {
            missing.push(("functional_syndrome", "the functional status"));
        }
        if self.sstr_imaging.is_none() {
            missing.push(("sstr_imaging", "the SSTR imaging status (or \"unknown / not done\")"));
        }
        if self.ecog.is_none() {
            missing.push(("ecog", "the ECOG performance status"));
        }
        missing
    }

    /// The grade, derived from Ki-67 when only Ki-67 is recorded (GEP sites, WHO 2019).
    pub fn effective_grade(&self) -> Option<Grade> {
        self.grade.or_else(|| {
            let ki67 = self.ki67_percent?;
            if self.primary_site.is_some_and(|s| !s.graded_by_ki67()) {
                return None;
            }
            Some(if ki67 < 3.0 {
                Grade::G1
            } else if ki67 <= 20.0 {
                Grade::G2
            } else {
                Grade::G3
            })
        })
    }

    /// Clinical shorthand for the head of a case, e.g.
    /// "pNET G2 (Ki-67 6 %), T2 N0 M0, non-functioning, SSTR+, ECOG 0".
    pub fn shorthand(&self) -> String {
        let nec = self.differentiation == Some(Differentiation::Poor);
        let kind = if nec { "NEC" } else { "NET" };
        let mut head = match self.primary_site {
            Some(PrimarySite::Pancreas) => format!("p{kind}"),
            Some(PrimarySite::SmallIntestine) => format!("SI-{kind}"),
            Some(PrimarySite::Appendix) => format!("appendiceal {kind}"),
            Some(PrimarySite::Rectum) => format!("rectal {kind}"),
            Some(PrimarySite::Colon) => format!("colonic {kind}"),
            Some(PrimarySite::Stomach) => match self.gastric_type {
                Some(GastricType::Type1) => format!("gastric {kind} type 1"),
                Some(GastricType::Type2) => format!("gastric {kind} type 2"),
                Some(GastricType::Type3) => format!("gastric {kind} type 3"),
                None => format!("gastric {kind}"),
            },
            Some(PrimarySite::Duodenum) => format!("duodenal {kind}"),
            Some(PrimarySite::Lung) if !nec => match self.grade {
                Some(Grade::G1) => "lung typical carcinoid".to_string(),
                Some(Grade::G2) => "lung atypical carcinoid".to_string(),
                _ => "lung carcinoid".to_string(),
            },
            Some(PrimarySite::Lung) => "lung NEC".to_string(),
            Some(PrimarySite::Thymus) => format!("thymic {}", if nec { "NEC" } else { "carcinoid" }),
            Some(PrimarySite::Unknown) => format!("{kind} of unknown primary"),
            None => format!("{kind}, primary not recorded"),
        };
        if let Some(g) = self.grade {
            head.push(' ');
            head.push_str(g.code());
        }
        if let Some(k) = self.ki67_percent {
            head.push_str(&format!(" (Ki-67 {} %)", trim_number(k)));
        }
        let mut parts = vec![head];
        let stage = |v: Option<&'static str>, unknown: &'static str| v.unwrap_or(unknown);
        let mut tnm = format!(
            "{} {} {}",
            stage(self.t_stage.map(|s| s.code()), "T?"),
            stage(self.n_stage.map(|s| s.code()), "N?"),
            stage(self.m_stage.map(|s| s.code()), "M?")
        );
        if !self.metastatic_sites.is_empty() {
            let sites: Vec<&str> = self.metastatic_sites.iter().map(|s| s.code()).collect();
            tnm.push_str(&format!(" ({})", sites.join(", ").replace('_', " ")));
        }
        parts.push(tnm);
        parts.push(match self.functional_syndrome {
            Some(FunctionalSyndrome::None) => "non-functioning".to_string(),
            Some(f) => f.label().to_lowercase().replace("vipoma", "VIPoma"),
            None => "functional status not recorded".to_string(),
        });
        parts.push(
            match self.sstr_imaging {
                Some(SstrImaging::Positive) => "SSTR+",
                Some(SstrImaging::Negative) => "SSTR−",
                Some(SstrImaging::Unknown) => "SSTR unknown",
                None => "SSTR not recorded",
            }
            .to_string(),
        );
        if self.men1 {
            parts.push("MEN1".into());
        }
        parts.push(match self.ecog {
            Some(e) => format!("ECOG {e}"),
            None => "ECOG not recorded".into(),
        });
        parts.join(", ")
    }
}

/// 6.0 → "6", 2.5 → "2.5".
pub fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 { format!("{}", v as i64) } else { format!("{v}") }
}

/// The words for a stored code of kind `T`, or the text itself when it is not one.
fn words<T: Code>(value: &str) -> String {
    T::parse_code(value).map(|c| c.label().to_string()).unwrap_or_else(|_| value.to_string())
}

fn yes_no(b: bool) -> String {
    if b { "Yes" } else { "No" }.to_string()
}

fn num(n: f64) -> String {
    if n.fract() == 0.0 { format!("{n:.0}") } else { format!("{n}") }
}

/// Adds (label, words) when the code is recorded.
fn coded<T: Code>(out: &mut Vec<(&'static str, String)>, label: &'static str, v: &Option<String>) {
    if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
        out.push((label, words::<T>(v)));
    }
}

impl TumorInput {
    /// The recorded tumour facts in clinical order (site and biology, then T, N, M and spread,
    /// function and imaging, the patient, prior treatment, refinements), each as (label, words):
    /// what people read on the case page and the meeting-room screen, never codes. Facts not
    /// recorded are left out.
    pub fn facts(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let o = &mut out;
        coded::<PrimarySite>(o, "Primary site", &self.primary_site);
        coded::<Grade>(o, "Grade", &self.grade);
        if let Some(k) = self.ki67_percent {
            o.push(("Ki-67", format!("{} %", num(k))));
        }
        coded::<Differentiation>(o, "Differentiation", &self.differentiation);
        if let Some(mm) = self.tumor_size_mm {
            o.push(("Size", format!("{} mm", num(mm))));
        }
        coded::<TStage>(o, "T", &self.t_stage);
        coded::<NStage>(o, "N", &self.n_stage);
        coded::<MStage>(o, "M", &self.m_stage);
        if !self.metastatic_sites.is_empty() {
            let sites: Vec<String> = self.metastatic_sites.iter().map(|s| words::<MetastaticSite>(s)).collect();
            o.push(("Metastatic sites", sites.join(", ")));
        }
        coded::<LiverBurden>(o, "Liver burden", &self.liver_burden);
        coded::<TumorBurden>(o, "Tumour burden", &self.tumor_burden);
        coded::<FunctionalSyndrome>(o, "Functional status", &self.functional_syndrome);
        let flags =
            [("Hormonal symptoms", self.hormonal_symptoms), ("Refractory symptoms", self.hormonal_symptoms_refractory)];
        o.extend(flags.into_iter().filter_map(|(l, v)| v.map(|b| (l, yes_no(b)))));
        coded::<SstrImaging>(o, "SSTR imaging", &self.sstr_imaging);
        coded::<MibgAvid>(o, "MIBG avid", &self.mibg_avid);
        if let Some(e) = self.ecog {
            o.push(("ECOG", num(e)));
        }
        if let Some(a) = self.age {
            o.push(("Age", num(a)));
        }
        if let Some(b) = self.bone_pain {
            o.push(("Bone pain", yes_no(b)));
        }
        if !self.prior_treatments.is_empty() {
            let t: Vec<String> = self.prior_treatments.iter().map(|s| words::<OptionCode>(s)).collect();
            o.push(("Prior treatments", t.join(", ")));
        }
        let flags = [
            ("Progression on prior treatment", self.progression_on_prior),
            ("MEN1", self.men1),
            ("Primary resectable", self.primary_resectable),
            ("Ampullary", self.ampullary),
            ("Lymphovascular invasion", self.lymphovascular_invasion),
        ];
        o.extend(flags.into_iter().filter_map(|(l, v)| v.map(|b| (l, yes_no(b)))));
        coded::<GastricType>(o, "Gastric type", &self.gastric_type);
        coded::<ResectionMargin>(o, "Resection margin", &self.resection_margin);
        if let Some(n) = self.liver_lesion_count {
            o.push(("Liver lesions", num(n)));
        }
        if let Some(mm) = self.liver_max_lesion_mm {
            o.push(("Largest liver lesion", format!("{} mm", num(mm))));
        }
        out
    }
}

/// The order people read a case's fields in (the case form's order, the facts' order):
/// patient, question, tumour (as `TumorInput::facts`), history, comorbidities.
pub const FIELD_ORDER: &[&str] = &[
    "status",
    "patient.mrn",
    "patient.name",
    "patient.birth_date",
    "patient.sex",
    "referring_clinician",
    "question",
    "tumor.primary_site",
    "tumor.grade",
    "tumor.ki67_percent",
    "tumor.differentiation",
    "tumor.tumor_size_mm",
    "tumor.t_stage",
    "tumor.n_stage",
    "tumor.m_stage",
    "tumor.metastatic_sites",
    "tumor.liver_burden",
    "tumor.tumor_burden",
    "tumor.functional_syndrome",
    "tumor.hormonal_symptoms",
    "tumor.hormonal_symptoms_refractory",
    "tumor.sstr_imaging",
    "tumor.mibg_avid",
    "tumor.ecog",
    "tumor.age",
    "tumor.bone_pain",
    "tumor.prior_treatments",
    "tumor.progression_on_prior",
    "tumor.men1",
    "tumor.primary_resectable",
    "tumor.ampullary",
    "tumor.lymphovascular_invasion",
    "tumor.gastric_type",
    "tumor.resection_margin",
    "tumor.liver_lesion_count",
    "tumor.liver_max_lesion_mm",
    "history",
    "comorbidities",
];

/// A stored value of a case field (as the change list shows it: a code, `true`, a JSON list)
/// in words: the code's label, Yes/No, a list joined with commas.
pub fn value_in_words(field: &str, raw: &str) -> String {
    let one = |v: &str| -> String {
        let v = v.trim().trim_matches('"');
        match field.rsplit('.').next().unwrap_or(field) {
            "primary_site" => words::<PrimarySite>(v),
            "grade" => words::<Grade>(v),
            "differentiation" => words::<Differentiation>(v),
            "t_stage" => words::<TStage>(v),
            "n_stage" => words::<NStage>(v),
            "m_stage" => words::<MStage>(v),
            "metastatic_sites" => words::<MetastaticSite>(v),
            "liver_burden" => words::<LiverBurden>(v),
            "tumor_burden" => words::<TumorBurden>(v),
            "functional_syndrome" => words::<FunctionalSyndrome>(v),
            "sstr_imaging" => words::<SstrImaging>(v),
            "mibg_avid" => words::<MibgAvid>(v),
            "prior_treatments" => words::<OptionCode>(v),
            "gastric_type" => words::<GastricType>(v),
            "resection_margin" => words::<ResectionMargin>(v),
            "sex" => words::<Sex>(v),
            _ => match v {
                "true" => "Yes".into(),
                "false" => "No".into(),
                other => other.to_string(),
            },
        }
    };
    match raw.trim().strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(list) if list.trim().is_empty() => "—".into(),
        Some(list) => list.split(',').map(one).collect::<Vec<_>>().join(", "),
        None => one(raw),
    }
}

/// Where `field` comes in `FIELD_ORDER` (unknown fields last, in name order).
pub fn field_rank(field: &str) -> usize {
    FIELD_ORDER.iter().position(|f| *f == field).unwrap_or(FIELD_ORDER.len())
}

#[cfg(test)]
mod facts_tests {
    use super::*;

    #[test]
    fn facts_read_as_words_in_clinical_order() {
        let t = TumorInput {
            primary_site: Some("pancreas".into()),
            grade: Some("G2".into()),
            ki67_percent: Some(7.0),
            differentiation: Some("well".into()),
            t_stage: Some("T2".into()),
            n_stage: Some("N0".into()),
            m_stage: Some("M0".into()),
            liver_burden: Some("none".into()),
            functional_syndrome: Some("none".into()),
            hormonal_symptoms: Some(true),
            ..Default::default()
        };
        let facts = t.facts();
        let labels: Vec<&str> = facts.iter().map(|f| f.0).collect();
        assert_eq!(
            labels,
            [
                "Primary site",
                "Grade",
                "Ki-67",
                "Differentiation",
                "T",
                "N",
                "M",
                "Liver burden",
                "Functional status",
                "Hormonal symptoms"
            ]
        );
        let values: Vec<&str> = facts.iter().map(|f| f.1.as_str()).collect();
        assert!(values.contains(&"Pancreas") && values.contains(&"Well differentiated (NET)"));
        assert!(values.contains(&"No liver metastases") && values.contains(&"Non-functioning"));
        assert!(values.contains(&"Yes") && values.contains(&"7 %"));
        assert!(!values.iter().any(|v| ["pancreas", "well", "none", "true"].contains(v)), "no codes: {values:?}");
    }

    #[test]
    fn stored_values_read_as_words() {
        assert_eq!(value_in_words("tumor.primary_site", "pancreas"), "Pancreas");
        assert_eq!(value_in_words("tumor.liver_burden", "none"), "No liver metastases");
        assert_eq!(value_in_words("tumor.men1", "true"), "Yes");
        assert_eq!(value_in_words("tumor.metastatic_sites", "[\"liver\",\"bone\"]"), "Liver, Bone");
        assert_eq!(value_in_words("tumor.ki67_percent", "12"), "12");
        assert!(field_rank("tumor.t_stage") < field_rank("tumor.n_stage"));
        assert!(field_rank("tumor.n_stage") < field_rank("tumor.m_stage"));
        assert!(field_rank("question") < field_rank("tumor.primary_site"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v01() -> TumorInput {
        TumorInput {
            primary_site: Some("pancreas".into()),
            grade: Some("G2".into()),
            ki67_percent: Some(6.0),
            differentiation: Some("well".into()),
            tumor_size_mm: Some(35.0),
            t_stage: Some("T2".into()),
            n_stage: Some("N0".into()),
            m_stage: Some("M0".into()),
            liver_burden: Some("none".into()),
            functional_syndrome: Some("none".into()),
            sstr_imaging: Some("positive".into()),
            mibg_avid: Some("unknown".into()),
            ecog: Some(0.0),
            age: Some(57.0),
            ..Default::default()
        }
    }

    fn field_error(input: &TumorInput, field: &str) -> String {
        let err = Tumor::parse(input).expect_err("should be refused");
        err.field_message(field).unwrap_or_else(|| panic!("no error on {field}: {err:?}"))
    }

    #[test]
    fn a_complete_consistent_case_parses_and_lacks_nothing() {
        let t = Tumor::parse(&v01()).unwrap();
        assert_eq!(t.primary_site, Some(PrimarySite::Pancreas));
        assert!(t.missing_for_board().is_empty());
    }

    #[test]
    fn the_shorthand_reads_like_a_clinician_writes_it() {
        assert_eq!(
            Tumor::parse(&v01()).unwrap().shorthand(),
            "pNET G2 (Ki-67 6 %), T2 N0 M0, non-functioning, SSTR+, ECOG 0"
        );
    }

    #[test]
    fn an_empty_draft_is_valid_and_lists_everything_missing() {
        let t = Tumor::parse(&TumorInput::default()).unwrap();
        let missing: Vec<&str> = t.missing_for_board().iter().map(|m| m.0).collect();
        assert_eq!(
            missing,
            ["primary_site", "grade", "differentiation", "tnm", "functional_syndrome", "sstr_imaging", "ecog"]
        );
    }

    #[test]
    fn ki67_alone_satisfies_the_grade_requirement() {
        let mut i = v01();
        i.grade = None;
        let t = Tumor::parse(&i).unwrap();
        assert!(t.missing_for_board().is_empty());
        assert_eq!(t.effective_grade(), Some(Grade::G2));
    }

    #[test]
    fn m1_without_a_metastatic_site_is_refused() {
        let mut i = v01();
        i.m_stage = Some("M1".into());
        assert!(field_error(&i, "metastatic_sites").contains("M1"));
    }

    #[test]
    fn m0_with_metastatic_sites_is_refused() {
        let mut i = v01();
        i.metastatic_sites = vec!["liver".into()];
        field_error(&i, "metastatic_sites");
    }

    #[test]
    fn liver_burden_without_liver_metastases_is_refused() {
        let mut i = v01();
        i.m_stage = Some("M1".into());
        i.metastatic_sites = vec!["bone".into()];
        i.liver_burden = Some("unresectable".into());
        assert!(field_error(&i, "liver_burden").contains("liver"));
    }

    #[test]
    fn g1_with_ki67_25_is_refused_for_a_gep_site() {
        let mut i = v01();
        i.grade = Some("G1".into());
        i.ki67_percent = Some(25.0);
        assert!(field_error(&i, "grade").contains("below 3 %"));
    }

    #[test]
    fn grade_boundaries_follow_who_2019() {
        for (grade, ki67, ok) in [
            ("G1", 2.9, true),
            ("G1", 3.0, false),
            ("G2", 3.0, true),
            ("G2", 20.0, true),
            ("G2", 20.5, false),
            ("G3", 21.0, true),
            ("G3", 20.0, false),
        ] {
            let mut i = v01();
            i.grade = Some(grade.into());
            i.ki67_percent = Some(ki67);
            assert_eq!(Tumor::parse(&i).is_ok(), ok, "{grade} with Ki-67 {ki67}");
        }
    }

    #[test]
    fn lung_carcinoids_are_not_graded_by_ki67() {
        let mut i = v01();
        i.primary_site = Some("lung".into());
        i.grade = Some("G1".into());
        i.ki67_percent = Some(5.0);
        let t = Tumor::parse(&i).unwrap();
        assert!(t.shorthand().starts_with("lung typical carcinoid G1"));
    }

    #[test]
    fn gastric_type_on_a_non_gastric_primary_is_refused() {
        let mut i = v01();
        i.gastric_type = Some("type1".into());
        field_error(&i, "gastric_type");
    }

    #[test]
    fn ecog_7_and_fractional_ecog_are_refused() {
        let mut i = v01();
        i.ecog = Some(7.0);
        assert!(field_error(&i, "ecog").contains("between 0 and 4"));
        i.ecog = Some(1.5);
        assert!(field_error(&i, "ecog").contains("whole number"));
    }

    #[test]
    fn unknown_codes_are_refused_everywhere() {
        let mut i = v01();
        i.primary_site = Some("liver".into());
        i.prior_treatments = vec!["magic".into()];
        i.metastatic_sites = vec!["brain".into()];
        let err = Tumor::parse(&i).unwrap_err();
        for f in ["primary_site", "prior_treatments", "metastatic_sites"] {
            assert!(err.field_message(f).is_some(), "{f}");
        }
    }

    #[test]
    fn numbers_out_of_range_are_refused() {
        let mut i = v01();
        i.ki67_percent = Some(101.0);
        i.tumor_size_mm = Some(-3.0);
        i.age = Some(130.0);
        let err = Tumor::parse(&i).unwrap_err();
        for f in ["ki67_percent", "tumor_size_mm", "age"] {
            assert!(err.field_message(f).is_some(), "{f}");
        }
    }

    #[test]
    fn unknown_field_names_are_refused_when_reading_json() {
        let r: Result<TumorInput, _> = serde_json::from_str(r#"{"primary_sight": "pancreas"}"#);
        assert!(r.is_err());
    }

    #[test]
    fn nec_shorthand_names_the_carcinoma() {
        let mut i = v01();
        i.differentiation = Some("poor".into());
        i.grade = Some("G3".into());
        i.ki67_percent = Some(70.0);
        i.m_stage = Some("M1".into());
        i.metastatic_sites = vec!["liver".into()];
        i.liver_burden = Some("unresectable".into());
        assert_eq!(
            Tumor::parse(&i).unwrap().shorthand(),
            "pNEC G3 (Ki-67 70 %), T2 N0 M1 (liver), non-functioning, SSTR+, ECOG 0"
        );
    }
}
