//! What the domain says about bad input: a message per field. The application turns it into
//! its HTTP error (422 with the same field messages).

use std::collections::BTreeMap;

/// Field name → messages for that field. Ordered, so answers are stable.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// One or more fields hold invalid values.
#[derive(Clone, Debug, Default, PartialEq, Eq, thiserror::Error)]
#[error("Some fields need attention.")]
pub struct Invalid {
    pub fields: FieldErrors,
}

impl Invalid {
    /// A single field error.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(name.to_string(), vec![message.into()]);
        Invalid { fields }
    }

    /// First message for one field.
    pub fn field_message(&self, name: &str) -> Option<String> {
        self.fields.get(name).and_then(|m| m.first().cloned())
    }
}

/// Builds field errors one by one; `finish` turns them into `Err(Invalid)` if any.
#[derive(Debug, Default, Clone)]
pub struct FieldErrorsBuilder {
    fields: FieldErrors,
}

impl FieldErrorsBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields.entry(field.to_string()).or_default().push(message.into());
    }

    /// Adds the field errors of `result`'s error, if any, each name behind `prefix` ("tumor."),
    /// so that one answer names every bad field of a request; gives back the value if it is one.
    pub fn take<T>(&mut self, prefix: &str, result: Result<T, Invalid>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(err) => {
                for (field, messages) in err.fields {
                    for m in messages {
                        self.add(&format!("{prefix}{field}"), m);
                    }
                }
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn finish(self) -> Result<(), Invalid> {
        if self.fields.is_empty() { Ok(()) } else { Err(Invalid { fields: self.fields }) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_builder_with_no_errors_is_ok_and_with_errors_names_each_field() {
        assert!(FieldErrorsBuilder::new().finish().is_ok());
        let mut b = FieldErrorsBuilder::new();
        b.add("ecog", "ECOG is 0 to 4.");
        b.add("ecog", "second");
        let err = b.finish().unwrap_err();
        assert_eq!(err.fields["ecog"].len(), 2);
        assert_eq!(err.field_message("ecog").as_deref(), Some("ECOG is 0 to 4."));
    }

    #[test]
    fn take_gathers_another_parse_s_errors_under_a_prefix() {
        let mut b = FieldErrorsBuilder::new();
        let v: Option<u8> = b.take("tumor.", Err(Invalid::field("grade", "bad")));
        assert!(v.is_none());
        assert_eq!(b.take("", Ok::<_, Invalid>(3)), Some(3));
        assert_eq!(b.finish().unwrap_err().field_message("tumor.grade").as_deref(), Some("bad"));
    }
}
