//! What every text typed into the record shares: trimmed, a greatest length, no control
//! characters. Each field keeps its own rule for being empty (its message says what to write).

use crate::error::FieldErrorsBuilder;

/// The shape of a free text: one line (a title, a name) or several (a note, a reason).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Line,
    Lines,
}

/// Whether `s` holds a control character: any at all in a one-line text, any but line breaks
/// and tabs in a text of several lines. Nobody types one into a clinical record; NUL cannot be
/// stored in PostgreSQL's text at all (a request carrying one answered 500 there: issue 17's
/// fuzzing), and the others (escape sequences, backspace) can rewrite what a terminal, a log or
/// a spreadsheet shows of the record.
pub fn has_control(s: &str, shape: Shape) -> bool {
    s.chars().any(|c| c.is_control() && (shape == Shape::Line || !matches!(c, '\n' | '\r' | '\t')))
}

/// A free text as typed, trimmed, checked against the two limits every text shares: at most
/// `max` characters, no control characters for its shape. `what` names the text in the message:
/// "The note" gives "The note has at most 1000 characters." or "The note contains control
/// characters.". An empty text passes: whether a field may be empty is its own rule.
pub fn check(raw: &str, max: usize, shape: Shape, what: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.chars().count() > max {
        Err(format!("{what} has at most {max} characters."))
    } else if has_control(s, shape) {
        Err(format!("{what} contains control characters."))
    } else {
        Ok(s.to_string())
    }
}

/// [`check`] for a form of several fields: a problem is added on `field`, and the trimmed text
/// comes back either way (the form's other checks go on; `finish` refuses the whole).
pub fn field(e: &mut FieldErrorsBuilder, field: &str, raw: &str, max: usize, shape: Shape, what: &str) -> String {
    check(raw, max, shape, what).unwrap_or_else(|m| {
        e.add(field, m);
        raw.trim().to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_tabs_are_text_only_in_texts_of_several_lines() {
        assert!(!has_control("Resect.\nThen PRRT.\tLater.\r\n", Shape::Lines));
        assert!(has_control("Resect.\nThen PRRT.", Shape::Line));
        assert!(has_control("a\tb", Shape::Line));
        for bad in ["\u{0}", "\u{1b}[2J", "\u{8}", "\u{7f}", "\u{85}"] {
            assert!(has_control(&format!("Resect{bad}"), Shape::Lines), "{bad:?}");
            assert!(has_control(&format!("Resect{bad}"), Shape::Line), "{bad:?}");
        }
        assert!(!has_control("Ki-67 3 % — ünïcødé 🩺", Shape::Line));
    }

    #[test]
    fn a_text_is_trimmed_and_refused_for_its_length_or_a_control_character_naming_what_it_is() {
        assert_eq!(check("  Resect.\n ", 10, Shape::Lines, "The note"), Ok("Resect.".to_string()));
        assert_eq!(check("   ", 10, Shape::Line, "The note"), Ok(String::new()));
        // The limit counts characters, not bytes, and not the spaces trimmed away.
        assert_eq!(check(" ünïcødé🩺 ", 8, Shape::Line, "A title"), Ok("ünïcødé🩺".to_string()));
        assert_eq!(check("ünïcødé🩺!", 8, Shape::Line, "A title"), Err("A title has at most 8 characters.".into()));
        assert_eq!(
            check("Resect\u{1b}[2J", 100, Shape::Lines, "The rationale"),
            Err("The rationale contains control characters.".into())
        );
        assert_eq!(
            check("two\nlines", 100, Shape::Line, "The title"),
            Err("The title contains control characters.".into())
        );
        let mut e = FieldErrorsBuilder::new();
        assert_eq!(field(&mut e, "note", " a\u{0}b ", 100, Shape::Lines, "The note"), "a\u{0}b");
        assert_eq!(field(&mut e, "title", " fine ", 100, Shape::Line, "The title"), "fine");
        let fields = e.finish().unwrap_err().fields;
        assert_eq!(fields.len(), 1, "{fields:?}");
        assert_eq!(fields["note"], ["The note contains control characters."]);
    }
}
