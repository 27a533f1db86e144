//! The coded vocabulary of spec/net-case.md. Codes are snake_case and stable: a rename breaks API
//! clients and saved proposals.

use serde::{Deserialize, Serialize};

/// A kind of stable code with words for people; every `code_enum!` is one, so a list of
/// choices (a `<select>`, a filter) is built from the enum and never typed out again.
pub trait Code: Copy + Sized + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;

    /// The value for a code, or a message listing the codes allowed.
    fn parse_code(s: &str) -> Result<Self, String> {
        let s = s.trim();
        Self::ALL.iter().copied().find(|v| v.code() == s).ok_or_else(|| {
            let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.code()).collect();
            format!("Unknown code {s:?}; use one of: {}.", allowed.join(", "))
        })
    }
}

/// An optional code from a form or a query: empty means "not given"; a wrong code is an error
/// on `field` (and `None`).
pub fn optional_code<T: Code>(
    errors: &mut crate::error::FieldErrorsBuilder,
    field: &str,
    value: Option<&str>,
) -> Option<T> {
    let value = value.map(str::trim).filter(|s| !s.is_empty())?;
    T::parse_code(value).map_err(|m| errors.add(field, m)).ok()
}

/// Every value of a code kind as (code, label), in declaration order.
pub fn choices<T: Code>() -> Vec<(&'static str, &'static str)> {
    T::ALL.iter().map(|v| (v.code(), v.label())).collect()
}

/// A list of codes, each once; a wrong code is an error on `field`.
pub fn code_list<T: Code + PartialEq>(
    errors: &mut crate::error::FieldErrorsBuilder,
    field: &str,
    values: &[String],
) -> Vec<T> {
    let mut out = Vec::new();
    for v in values {
        match T::parse_code(v) {
            Ok(c) if !out.contains(&c) => out.push(c),
            Ok(_) => {}
            Err(e) => errors.add(field, e),
        }
    }
    out
}

/// Declares an enum of stable codes with words for people (`code`, `label`, `parse`, `ALL`)
/// that implements `Code`.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// Words for people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// The value for a code, or a message listing the codes allowed.
            pub fn parse(s: &str) -> Result<$name, String> {
                <$name as $crate::codes::Code>::parse_code(s)
            }
        }

        impl $crate::codes::Code for $name {
            const ALL: &'static [$name] = $name::ALL;

            fn code(self) -> &'static str {
                $name::code(self)
            }

            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        /// The OpenAPI schema: a string, one of the codes, the words for people in its
        /// description (written by hand: utoipa's derive does not see the serde renames through
        /// this macro and would list the Rust names).
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let words: Vec<String> = $name::ALL.iter().map(|v| format!("`{}` {}", v.code(), v.label())).collect();
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .description(Some(words.join("; ")))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        /// A stored code read back (the database layer maps columns with it).
        impl TryFrom<String> for $name {
            type Error = $crate::codes::UnknownCode;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s).map_err($crate::codes::UnknownCode)
            }
        }
    };
}

/// A code that names no value of its kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnknownCode(pub String);
pub(crate) use code_enum;

code_enum!(PrimarySite {
    Pancreas => "pancreas", "Pancreas";
    SmallIntestine => "small_intestine", "Small intestine";
    Appendix => "appendix", "Appendix";
    Rectum => "rectum", "Rectum";
    Colon => "colon", "Colon";
    Stomach => "stomach", "Stomach";
    Duodenum => "duodenum", "Duodenum";
    Lung => "lung", "Lung";
    Thymus => "thymus", "Thymus";
    Unknown => "unknown", "Unknown primary";
});

impl PrimarySite {
    /// Gastro-entero-pancreatic sites, graded by Ki-67 (WHO 2019); lung and thymic carcinoids are
    /// graded by mitoses and necrosis instead (net-case.md).
    pub fn graded_by_ki67(self) -> bool {
        !matches!(self, PrimarySite::Lung | PrimarySite::Thymus)
    }
}

code_enum!(Grade {
    G1 => "G1", "G1";
    G2 => "G2", "G2";
    G3 => "G3", "G3";
});

code_enum!(Differentiation {
    Well => "well", "Well differentiated (NET)";
    Poor => "poor", "Poorly differentiated (NEC)";
});

code_enum!(TStage {
    TX => "TX", "TX";
    T1 => "T1", "T1";
    T2 => "T2", "T2";
    T3 => "T3", "T3";
    T4 => "T4", "T4";
});

code_enum!(NStage {
    NX => "NX", "NX";
    N0 => "N0", "N0";
    N1 => "N1", "N1";
});

code_enum!(MStage {
    M0 => "M0", "M0";
    M1 => "M1", "M1";
});

code_enum!(MetastaticSite {
    Liver => "liver", "Liver";
    Bone => "bone", "Bone";
    Lung => "lung", "Lung";
    Peritoneum => "peritoneum", "Peritoneum";
    DistantNodes => "distant_nodes", "Distant lymph nodes";
    Other => "other", "Other";
});

code_enum!(LiverBurden {
    None => "none", "No liver metastases";
    LimitedResectable => "limited_resectable", "Limited, resectable";
    Unresectable => "unresectable", "Unresectable";
});

code_enum!(FunctionalSyndrome {
    None => "none", "Non-functioning";
    Insulinoma => "insulinoma", "Insulinoma";
    Gastrinoma => "gastrinoma", "Gastrinoma";
    CarcinoidSyndrome => "carcinoid_syndrome", "Carcinoid syndrome";
    Vipoma => "vipoma", "VIPoma";
    Glucagonoma => "glucagonoma", "Glucagonoma";
});

code_enum!(SstrImaging {
    Positive => "positive", "Positive";
    Negative => "negative", "Negative";
    Unknown => "unknown", "Unknown / not done";
});

code_enum!(MibgAvid {
    Yes => "yes", "Yes";
    No => "no", "No";
    Unknown => "unknown", "Unknown / not done";
});

code_enum!(GastricType {
    Type1 => "type1", "Type 1 (atrophic gastritis)";
    Type2 => "type2", "Type 2 (ZES / MEN1)";
    Type3 => "type3", "Type 3 (sporadic)";
});

code_enum!(ResectionMargin {
    R0 => "R0", "R0";
    R1 => "R1", "R1";
    RX => "RX", "RX";
});

code_enum!(TumorBurden {
    Low => "low", "Low";
    High => "high", "High (bulky or symptomatic)";
});

code_enum!(
    /// The stage group the case list filters on (derived from N and M).
    StageGroup {
        Localized => "localized", "Localized (M0 N0)";
        Regional => "regional", "Regional (M0 N1)";
        Metastatic => "metastatic", "Metastatic (M1)";
    }
);

code_enum!(Sex {
    Female => "female", "Female";
    Male => "male", "Male";
    Other => "other", "Other";
    Unknown => "unknown", "Unknown";
});

code_enum!(
    /// Management options the proposer may propose and the board may choose (net-case.md).
    OptionCode {
        SurgeryCurative => "surgery_curative", "Curative surgery";
        EndoscopicResection => "endoscopic_resection", "Endoscopic resection";
        Surveillance => "surveillance", "Surveillance";
        HormoneControl => "hormone_control", "Control of hormone excess";
        SsaAntiproliferative => "ssa_antiproliferative", "Somatostatin analogue (antiproliferative)";
        SurgeryDebulking => "surgery_debulking", "Debulking surgery";
        LiverResection => "liver_resection", "Liver resection";
        LiverAblation => "liver_ablation", "Liver ablation";
        LiverEmbolization => "liver_embolization", "Liver embolization";
        Prrt => "prrt", "PRRT (177Lu-DOTATATE)";
        MibgTherapy => "mibg_therapy", "131I-MIBG therapy";
        Everolimus => "everolimus", "Everolimus";
        Sunitinib => "sunitinib", "Sunitinib";
        Chemotherapy => "chemotherapy", "Chemotherapy";
        ExternalBeamRadiation => "external_beam_radiation", "External beam radiotherapy";
        ClinicalTrial => "clinical_trial", "Clinical trial";
    }
);

code_enum!(
    /// Where a case stands in the board's workflow.
    CaseStatus {
        Draft => "draft", "Draft";
        Ready => "ready", "Ready for the board";
        OnAgenda => "on_agenda", "On an agenda";
        Discussed => "discussed", "Discussed";
        PlanSigned => "plan_signed", "Plan signed";
        FollowedUp => "followed_up", "Followed up";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_name_the_allowed_ones() {
        for c in OptionCode::ALL {
            assert_eq!(OptionCode::parse(c.code()).unwrap(), *c);
        }
        let err = Grade::parse("G4").unwrap_err();
        assert!(err.contains("G1, G2, G3"), "{err}");
    }

    #[test]
    fn serde_uses_the_stable_codes() {
        assert_eq!(serde_json::to_string(&PrimarySite::SmallIntestine).unwrap(), "\"small_intestine\"");
        assert_eq!(serde_json::from_str::<TStage>("\"T2\"").unwrap(), TStage::T2);
    }

    #[test]
    fn lung_and_thymus_are_not_graded_by_ki67() {
        assert!(!PrimarySite::Lung.graded_by_ki67());
        assert!(!PrimarySite::Thymus.graded_by_ki67());
        assert!(PrimarySite::Pancreas.graded_by_ki67());
    }
}
