//! How times read on screen: one format everywhere, to the minute on the hospital's clock and
//! naming it (`2026-11-26 16:13 CET`; `… UTC` where no time zone is set), so a clinician never
//! has to guess which clock a time is on.
//!
//! The zone is the server's (`TUMORBOARD_TIME_ZONE`): one instance serves one hospital, so it is
//! set once per process, by the server at start-up and by the browser from the page before it
//! hydrates (`ZONE_ELEMENT_ID`), and both turn a stored time into the same text.

use std::sync::{LazyLock, OnceLock};

use crate::domain::zone::Zone;

/// The zone set, with the JSON the pages hand the browser (None for UTC), made once: every page
/// the server renders carries it.
static ZONE: OnceLock<(Zone, Option<String>)> = OnceLock::new();
static UTC: LazyLock<Zone> = LazyLock::new(Zone::utc);

/// The id of the page's `<script type="application/json">` carrying the zone to the browser.
pub const ZONE_ELEMENT_ID: &str = "tb-zone";

/// Sets the hospital's zone for this process (the first call wins).
pub fn set_zone(zone: Zone) {
    let json = (!zone.is_utc()).then(|| serde_json::to_string(&zone).unwrap_or_default().replace('<', "\\u003c"));
    let _ = ZONE.set((zone, json));
}

/// The hospital's zone; UTC until one is set.
pub fn zone() -> &'static Zone {
    ZONE.get().map_or(&UTC, |(zone, _)| zone)
}

/// A stored UTC time (`2026-11-26T15:13:18.123456Z`) as people read it: `2026-11-26 16:13 CET`
/// (`2026-11-26 15:13 UTC` without a zone). Text that is not such a time is shown as it is.
pub fn when(stored: &str) -> String {
    zone().show(stored)
}

/// The zone as the page hands it to the browser: JSON safe inside a `<script>` element; None
/// for UTC (the browser's default).
pub fn zone_json() -> Option<&'static str> {
    ZONE.get().and_then(|(_, json)| json.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_read_as_utc_to_the_minute_without_a_zone() {
        assert_eq!(when("2026-11-26T15:13:18.123456Z"), "2026-11-26 15:13 UTC");
        assert_eq!(when("2026-11-26"), "2026-11-26");
        assert_eq!(when(""), "");
        assert_eq!(zone_json(), None);
    }
}
