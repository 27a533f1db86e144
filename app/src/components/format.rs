//! How times read on screen: one format everywhere (UTC, to the minute), so a clinician never
//! has to guess which clock a time is on.

/// A stored UTC time (`2026-11-26T15:13:18.123456Z`) as people read it: `2026-11-26 15:13 UTC`.
/// Text that is not such a time is shown as it is.
pub fn when(stored: &str) -> String {
    match stored.get(..16) {
        Some(minutes) if stored.as_bytes().get(10) == Some(&b'T') => format!("{} UTC", minutes.replace('T', " ")),
        _ => stored.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_read_as_utc_to_the_minute() {
        assert_eq!(when("2026-11-26T15:13:18.123456Z"), "2026-11-26 15:13 UTC");
        assert_eq!(when("2026-11-26"), "2026-11-26");
        assert_eq!(when(""), "");
    }
}
