//! The hospital's time zone (`TUMORBOARD_TIME_ZONE`) read from the time zone database into the
//! table of offsets the app works with (`domain::zone::Zone`).

use crate::domain::zone::{FIRST_YEAR, LAST_YEAR, Zone};

/// The zone named `name` (an IANA name such as `Europe/Berlin`; empty or `UTC` for UTC), with
/// its offsets from the start of `FIRST_YEAR` to the end of `LAST_YEAR`; an unknown name is an
/// error naming the variable.
pub fn load(name: &str) -> Result<Zone, String> {
    let name = name.trim();
    if name.is_empty() || name == "UTC" {
        return Ok(Zone::utc());
    }
    let tz = jiff::tz::TimeZone::get(name).map_err(|_| {
        format!("TUMORBOARD_TIME_ZONE: {name:?} is not a time zone this server knows (give an IANA name such as Europe/Berlin)")
    })?;
    let year = |y: i32| {
        let second =
            chrono::NaiveDate::from_ymd_opt(y, 1, 1).map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp());
        second.and_then(|s| jiff::Timestamp::from_second(s).ok()).expect("the table's years are in range")
    };
    let (first, end) = (year(FIRST_YEAR), year(LAST_YEAR + 1));
    let at_first = tz.to_offset_info(first);
    let mut spans = vec![(i64::MIN, at_first.offset().seconds(), at_first.abbreviation().to_string())];
    for change in tz.following(first).take_while(|t| t.timestamp() < end) {
        let span = (change.timestamp().as_second(), change.offset().seconds(), change.abbreviation().to_string());
        let last = spans.last().expect("one span at least");
        if (last.1, last.2.as_str()) != (span.1, span.2.as_str()) {
            spans.push(span);
        }
    }
    Ok(Zone { name: name.to_string(), spans })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hospitals_zone_is_read_with_its_summer_time_and_an_unknown_one_is_refused() {
        let berlin = load("Europe/Berlin").unwrap();
        assert_eq!(berlin.show("2026-11-26T15:13:00Z"), "2026-11-26 16:13 CET");
        assert_eq!(berlin.show("2031-07-01T12:00:00Z"), "2031-07-01 14:00 CEST");
        assert_eq!(berlin.show("2099-07-01T12:00:00Z"), "2099-07-01 14:00 CEST");
        // Two changes a year from 2000 to 2100.
        assert!((200..=204).contains(&berlin.spans.len()), "{}", berlin.spans.len());
        let tokyo = load("Asia/Tokyo").unwrap();
        assert_eq!(tokyo.spans.len(), 1);
        assert_eq!(tokyo.show("2026-11-26T15:13:00Z"), "2026-11-27 00:13 JST");
        assert_eq!(load(" ").unwrap(), Zone::utc());
        assert_eq!(load("UTC").unwrap(), Zone::utc());
        let err = load("Europe/Berln").unwrap_err();
        assert!(err.starts_with("TUMORBOARD_TIME_ZONE: \"Europe/Berln\""), "{err}");
    }
}
