//! What every text typed into the record shares.

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
}
