//! Specialty annotations on a case: each clinician speaks in their specialty's voice, as an
//! assessment, a recommendation or a question, with structured fields where they help the
//! board. Amend, never overwrite: every amendment is a new version; withdrawal is a tombstone
//! with a reason (security.md DI-1).

use serde::{Deserialize, Serialize};

use super::codes::{Grade, SstrImaging, code_enum};
use super::role::Specialty;
use crate::error::{FieldErrorsBuilder, Invalid};

code_enum!(
    /// What kind of contribution an annotation is.
    AnnotationKind {
        Assessment => "assessment", "Assessment";
        Recommendation => "recommendation", "Recommendation";
        Question => "question", "Question";
        NoComment => "no_comment", "No comment"; // pre-review (issue 18): nothing to add
    }
);

code_enum!(
    /// Resectability as a surgeon judges it.
    Resectability {
        Resectable => "resectable", "Resectable";
        Borderline => "borderline", "Borderline resectable";
        Unresectable => "unresectable", "Unresectable";
    }
);

/// Structured fields per specialty (all optional). Only the author's specialty's fields may be
/// filled: a radiologist does not record resectability.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Structured {
    /// Radiology: largest lesion sizes in mm.
    pub lesion_sizes_mm: Vec<f64>,
    /// Radiology / nuclear medicine: somatostatin-receptor uptake.
    pub sstr_uptake: Option<SstrImaging>,
    /// Surgery.
    pub resectability: Option<Resectability>,
    /// Pathology: confirmed grade and Ki-67.
    pub confirmed_grade: Option<Grade>,
    pub confirmed_ki67_percent: Option<f64>,
    /// Nuclear medicine: eligible for PRRT.
    pub prrt_eligible: Option<bool>,
}

/// Longest annotation text accepted.
pub const MAX_BODY: usize = 10_000;

/// An annotation as typed (REST body or form).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AnnotationInput {
    pub body: String,
    pub kind: String,
    pub structured: Structured,
    /// Set when this is a reply to another clinician's annotation.
    pub reply_to: Option<String>,
    /// For a question: the specialty it asks (a specialty code). Kept from the first version.
    pub asks: Option<String>,
}

/// A checked annotation.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedAnnotation {
    pub body: String,
    pub kind: AnnotationKind,
    pub structured: Structured,
    pub asks: Option<Specialty>,
}

impl AnnotationInput {
    /// Checks the text, the kind, and that the structured fields belong to `specialty`.
    pub fn parse(&self, specialty: Specialty) -> Result<CheckedAnnotation, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let mut body =
            crate::text::field(&mut e, "body", &self.body, MAX_BODY, crate::text::Shape::Lines, "An annotation");
        if body.is_empty() && self.kind == AnnotationKind::NoComment.code() {
            body = "No comment.".to_string();
        }
        if body.is_empty() {
            e.add("body", "Write the annotation.");
        }
        let kind = AnnotationKind::parse(&self.kind).map_err(|m| e.add("kind", m)).ok();
        let s = &self.structured;
        let allowed = |field: &str| -> bool {
            match field {
                "lesion_sizes_mm" => specialty == Specialty::Radiology,
                "sstr_uptake" => matches!(specialty, Specialty::Radiology | Specialty::NuclearMedicine),
                "resectability" => specialty == Specialty::Surgery,
                "confirmed_grade" | "confirmed_ki67_percent" => specialty == Specialty::Pathology,
                "prrt_eligible" => specialty == Specialty::NuclearMedicine,
                _ => false,
            }
        };
        let filled = [
            ("lesion_sizes_mm", !s.lesion_sizes_mm.is_empty()),
            ("sstr_uptake", s.sstr_uptake.is_some()),
            ("resectability", s.resectability.is_some()),
            ("confirmed_grade", s.confirmed_grade.is_some()),
            ("confirmed_ki67_percent", s.confirmed_ki67_percent.is_some()),
            ("prrt_eligible", s.prrt_eligible.is_some()),
        ];
        for (field, is_filled) in filled {
            if is_filled && !allowed(field) {
                e.add(
                    &format!("structured.{field}"),
                    format!("This field is recorded by another specialty than {}.", specialty.label().to_lowercase()),
                );
            }
        }
        if s.lesion_sizes_mm.iter().any(|v| !v.is_finite() || *v <= 0.0 || *v > 500.0) || s.lesion_sizes_mm.len() > 50 {
            e.add("structured.lesion_sizes_mm", "Lesion sizes are between 0 and 500 mm, at most 50 of them.");
        }
        if s.confirmed_ki67_percent.is_some_and(|k| !(0.0..=100.0).contains(&k)) {
            e.add("structured.confirmed_ki67_percent", "Ki-67 must be between 0 and 100.");
        }
        let asks = match self.asks.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(code) => match Specialty::parse(code) {
                Ok(s) if kind == Some(AnnotationKind::Question) => Some(s),
                Ok(_) => {
                    e.add("asks", "Only a question asks a specialty: choose the kind \"Question\".");
                    None
                }
                Err(m) => {
                    e.add("asks", m);
                    None
                }
            },
        };
        e.finish()?;
        Ok(CheckedAnnotation { body, kind: kind.expect("checked"), structured: self.structured.clone(), asks })
    }
}

/// One version of an annotation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnotationVersion {
    pub version: i64,
    pub at: String,
    pub body: String,
    pub kind: AnnotationKind,
    pub structured: Structured,
    /// Set on the tombstone version that withdrew the annotation.
    pub withdrawn_reason: Option<String>,
}

/// An annotation with every version, newest last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Annotation {
    pub id: String,
    pub case_id: String,
    pub author_id: String,
    pub author_name: String,
    pub specialty: Specialty,
    pub reply_to: Option<String>,
    /// For a question, the specialty it asks.
    #[serde(default)]
    pub asks: Option<Specialty>,
    pub version: i64,
    pub withdrawn: bool,
    pub created_at: String,
    pub versions: Vec<AnnotationVersion>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(body: &str, kind: &str) -> AnnotationInput {
        AnnotationInput { body: body.into(), kind: kind.into(), ..Default::default() }
    }

    #[test]
    fn an_assessment_with_text_is_accepted_and_trimmed() {
        let a = input("  Resectable; no vascular involvement. ", "assessment").parse(Specialty::Surgery).unwrap();
        assert_eq!(a.body, "Resectable; no vascular involvement.");
        assert_eq!(a.kind, AnnotationKind::Assessment);
    }

    #[test]
    fn empty_text_and_unknown_kind_are_field_errors() {
        let err = input(" ", "opinion").parse(Specialty::Surgery).unwrap_err();
        assert!(err.field_message("body").is_some() && err.field_message("kind").is_some());
    }

    #[test]
    fn markup_is_kept_as_text_for_inert_rendering() {
        let a = input("<img src=x onerror=alert(1)>", "question").parse(Specialty::Radiology).unwrap();
        assert_eq!(a.body, "<img src=x onerror=alert(1)>");
    }

    #[test]
    fn structured_fields_belong_to_their_specialty() {
        let mut i = input("Resectable.", "assessment");
        i.structured.resectability = Some(Resectability::Resectable);
        assert!(i.parse(Specialty::Surgery).is_ok());
        let err = i.parse(Specialty::Radiology).unwrap_err();
        assert!(err.field_message("structured.resectability").is_some());
        let mut p = input("Ki-67 confirmed.", "assessment");
        p.structured.confirmed_grade = Some(Grade::G2);
        p.structured.confirmed_ki67_percent = Some(150.0);
        let err = p.parse(Specialty::Pathology).unwrap_err();
        assert!(err.field_message("structured.confirmed_ki67_percent").is_some());
    }

    #[test]
    fn overlong_text_is_refused() {
        assert!(input(&"x".repeat(MAX_BODY + 1), "assessment").parse(Specialty::Surgery).is_err());
    }
}
