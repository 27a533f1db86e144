//! The hospital's time zone: times are stored in UTC and shown, typed and counted in days on the
//! hospital's clock.
//!
//! A `Zone` is the zone's offsets over the years the app deals in, as a plain table the server
//! builds from the time zone database at start-up (`TUMORBOARD_TIME_ZONE`) and hands to the
//! browser in the page, so the server and the browser turn a stored time into the same text
//! without the browser carrying the database. Without a zone everything reads as UTC, as before.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// A time zone as a table of offsets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// The IANA name ("Europe/Berlin"), or "UTC".
    pub name: String,
    /// From which instant (Unix seconds) which offset (seconds east of UTC) and abbreviation
    /// hold, in order; the first also holds before its instant and the last after.
    pub spans: Vec<(i64, i32, String)>,
}

/// The earliest and latest years whose offsets a zone's table holds: before and after them a
/// time is shown with the first or last offset known.
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2100;

/// Why a wall-clock time typed in the zone names no single instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wall {
    /// The clocks went forward over it (e.g. 02:30 on the last Sunday of March in Berlin).
    Skipped,
}

impl Default for Zone {
    fn default() -> Self {
        Zone::utc()
    }
}

impl Zone {
    /// UTC, the zone when the hospital has not chosen one.
    pub fn utc() -> Zone {
        Zone { name: "UTC".into(), spans: vec![(i64::MIN, 0, "UTC".into())] }
    }

    pub fn is_utc(&self) -> bool {
        self.spans.iter().all(|(_, offset, _)| *offset == 0) && self.name == "UTC"
    }

    /// The span in force at `second` (Unix seconds).
    fn span(&self, second: i64) -> (i32, &str) {
        let after = self.spans.partition_point(|(from, _, _)| *from <= second);
        match self.spans.get(after.saturating_sub(1)) {
            Some((_, offset, abbreviation)) => (*offset, abbreviation.as_str()),
            None => (0, "UTC"),
        }
    }

    /// The wall-clock time and the zone's abbreviation at `t`.
    pub fn local(&self, t: DateTime<Utc>) -> (NaiveDateTime, &str) {
        let (offset, abbreviation) = self.span(t.timestamp());
        let wall = t.naive_utc().checked_add_signed(TimeDelta::seconds(offset.into())).unwrap_or(t.naive_utc());
        (wall, abbreviation)
    }

    /// A stored time (`2026-11-26T15:13:18.123456Z`) as people read it, to the minute and with
    /// the zone's abbreviation: `2026-11-26 16:13 CET`. Text that is not such a time is shown
    /// as it is.
    pub fn show(&self, stored: &str) -> String {
        match stored_time(stored) {
            Some(t) => {
                let (wall, abbreviation) = self.local(t);
                format!("{} {abbreviation}", wall.format("%Y-%m-%d %H:%M"))
            }
            None => stored.to_string(),
        }
    }

    /// A stored time on the zone's wall clock; None for text that is not a time.
    pub fn wall(&self, stored: &str) -> Option<NaiveDateTime> {
        stored_time(stored).map(|t| self.local(t).0)
    }

    /// A stored time as a `datetime-local` input takes it (`2026-11-26T16:13`), on the zone's
    /// clock; "" for text that is not a time.
    pub fn input(&self, stored: &str) -> String {
        self.wall(stored).map(|w| w.format("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default()
    }

    /// The day a stored time falls on, on the zone's clock.
    pub fn day(&self, stored: &str) -> Option<NaiveDate> {
        self.wall(stored).map(|w| w.date())
    }

    /// Today on the zone's clock, when it is `now`.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        self.local(now).0.date()
    }

    /// The instant a wall-clock time on the zone's clock names. A time the clocks went back
    /// over (it happens twice) is the first of the two; one they went forward over is none.
    pub fn instant(&self, wall: NaiveDateTime) -> Result<DateTime<Utc>, Wall> {
        // Each offset the zone had near that time, tried in the order they held: the instant is
        // the one whose offset is the one tried.
        let rough = wall.and_utc().timestamp();
        let mut offsets: Vec<i32> = Vec::new();
        for probe in [rough - 2 * 86_400, rough, rough + 2 * 86_400] {
            let (offset, _) = self.span(probe);
            if !offsets.contains(&offset) {
                offsets.push(offset);
            }
        }
        offsets
            .into_iter()
            .filter_map(|offset| {
                wall.checked_sub_signed(TimeDelta::seconds(offset.into())).map(|n| (offset, n.and_utc()))
            })
            .filter(|(offset, t)| self.span(t.timestamp()).0 == *offset)
            .map(|(_, t)| t)
            .min()
            .ok_or(Wall::Skipped)
    }

    /// The first instant of `day` on the zone's clock (its midnight, or when the clocks went
    /// forward over midnight, the moment after).
    pub fn day_start(&self, day: NaiveDate) -> DateTime<Utc> {
        let midnight = day.and_time(chrono::NaiveTime::MIN);
        (0..=24 * 4)
            .filter_map(|quarter| midnight.checked_add_signed(TimeDelta::minutes(15 * quarter)))
            .find_map(|wall| self.instant(wall).ok())
            .unwrap_or_else(|| midnight.and_utc())
    }

    /// The first instant after `day` on the zone's clock.
    pub fn day_end(&self, day: NaiveDate) -> DateTime<Utc> {
        match day.checked_add_days(Days::new(1)) {
            Some(next) => self.day_start(next),
            None => DateTime::<Utc>::MAX_UTC,
        }
    }

    /// What a label says the times are in: "UTC", or the zone's name ("Europe/Berlin").
    pub fn label(&self) -> &str {
        &self.name
    }
}

/// A time as every timestamp column stores it: fixed-width UTC text
/// (`2026-11-26T15:13:18.123456Z`), so that text order is time order on both engines.
pub fn stored_text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A stored time read back: RFC 3339 as every timestamp column holds it.
fn stored_time(stored: &str) -> Option<DateTime<Utc>> {
    if stored.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    DateTime::parse_from_rfc3339(stored).ok().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Berlin's offsets around 2026 as the server builds them (CET +1, CEST +2; the clocks go
    /// forward at 01:00 UTC on the last Sunday of March and back at 01:00 UTC on the last of
    /// October).
    pub(crate) fn berlin() -> Zone {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().timestamp();
        Zone {
            name: "Europe/Berlin".into(),
            spans: vec![
                (at("2025-10-26T01:00:00Z"), 3600, "CET".into()),
                (at("2026-03-29T01:00:00Z"), 7200, "CEST".into()),
                (at("2026-10-25T01:00:00Z"), 3600, "CET".into()),
                (at("2027-03-28T01:00:00Z"), 7200, "CEST".into()),
            ],
        }
    }

    fn wall(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn utc_reads_as_before() {
        let utc = Zone::utc();
        assert!(utc.is_utc());
        assert_eq!(utc.show("2026-11-26T15:13:18.123456Z"), "2026-11-26 15:13 UTC");
        assert_eq!(utc.show("2026-11-26"), "2026-11-26");
        assert_eq!(utc.show(""), "");
        assert_eq!(utc.input("2026-11-26T15:13:18Z"), "2026-11-26T15:13");
        assert_eq!(utc.instant(wall("2026-03-29T02:30")).unwrap().to_rfc3339(), "2026-03-29T02:30:00+00:00");
    }

    #[test]
    fn a_stored_time_reads_on_the_hospitals_clock_summer_and_winter() {
        let z = berlin();
        assert!(!z.is_utc());
        assert_eq!(z.show("2026-11-26T15:13:18.123456Z"), "2026-11-26 16:13 CET");
        assert_eq!(z.show("2026-07-01T12:00:00Z"), "2026-07-01 14:00 CEST");
        // Late in the evening UTC is the next day in Berlin.
        assert_eq!(z.show("2026-12-31T23:30:00Z"), "2027-01-01 00:30 CET");
        assert_eq!(z.day("2026-12-31T23:30:00Z"), NaiveDate::from_ymd_opt(2027, 1, 1));
        assert_eq!(z.input("2026-07-01T12:00:00Z"), "2026-07-01T14:00");
        // Before the table's first change its first offset holds; after its last, the last.
        assert_eq!(z.show("2025-01-01T12:00:00Z"), "2025-01-01 13:00 CET");
        assert_eq!(z.show("2027-07-01T12:00:00Z"), "2027-07-01 14:00 CEST");
    }

    #[test]
    fn a_typed_time_names_its_instant_and_the_hour_the_clocks_skip_none() {
        let z = berlin();
        assert_eq!(z.instant(wall("2026-12-03T14:00")).unwrap().to_rfc3339(), "2026-12-03T13:00:00+00:00");
        assert_eq!(z.instant(wall("2026-07-02T14:00")).unwrap().to_rfc3339(), "2026-07-02T12:00:00+00:00");
        assert_eq!(z.instant(wall("2026-03-29T02:30")), Err(Wall::Skipped));
        assert_eq!(z.instant(wall("2026-03-29T03:00")).unwrap().to_rfc3339(), "2026-03-29T01:00:00+00:00");
        // 02:30 on 25 October happens twice: the first (still summer time).
        assert_eq!(z.instant(wall("2026-10-25T02:30")).unwrap().to_rfc3339(), "2026-10-25T00:30:00+00:00");
        // Every time it shows reads back as the same instant.
        for stored in ["2026-03-29T00:59:00Z", "2026-03-29T01:00:00Z", "2026-10-25T00:59:00Z", "2026-10-25T01:30:00Z"] {
            let t = DateTime::parse_from_rfc3339(stored).unwrap().with_timezone(&Utc);
            let back = z.instant(z.local(t).0).unwrap();
            assert!(back == t || z.local(back).0 == z.local(t).0, "{stored} → {back}");
        }
    }

    #[test]
    fn a_day_runs_from_the_hospitals_midnight_to_the_next() {
        let z = berlin();
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(z.day_start(day).to_rfc3339(), "2026-11-30T23:00:00+00:00");
        assert_eq!(z.day_end(day).to_rfc3339(), "2026-12-01T23:00:00+00:00");
        let short = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        assert_eq!(z.day_end(short) - z.day_start(short), TimeDelta::hours(23));
        let now = DateTime::parse_from_rfc3339("2026-11-30T23:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(z.today(now), day);
        assert_eq!(Zone::utc().today(now), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    }
}
