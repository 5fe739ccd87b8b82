//! Times as Shopify reads them from a request: REST's `updated_at_min`-style parameters and the
//! values of search terms (`search.rs`). A full ISO-8601 time with an offset (`Z`, `+00:00`,
//! `-0500`) means that instant; a date (`2024-12-04`) or a time without an offset
//! (`2024-12-04T10:00:00`, `2024-12-04 10:00`) is read on the shop's wall clock, in its IANA
//! time zone (`ShopInfo::iana_timezone`, `store/mod.rs`). A date or time and its offset may
//! be separated by `T` or a space, as clients write them.

use std::str::FromStr;

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A value that is not a date or a time Shopify would read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a valid ISO 8601 date or time")]
pub struct BadTime(pub String);

/// The shop's time zone from its IANA name; UTC when the name is unknown.
pub fn zone(iana: &str) -> Tz {
    Tz::from_str(iana).unwrap_or(Tz::UTC)
}

/// Shopify's `(GMT-05:00) America/New_York` label of a zone at `at`.
pub fn label(zone: Tz, at: DateTime<Utc>) -> String {
    let offset = at.with_timezone(&zone).format("%:z").to_string();
    format!("(GMT{offset}) {}", zone.name())
}

/// Reads `value` as Shopify does (see the module header).
pub fn parse(value: &str, zone: Tz) -> Result<DateTime<Utc>, BadTime> {
    let bad = || BadTime(value.to_string());
    let text = value.trim();
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return on_wall_clock(date.and_hms_opt(0, 0, 0).ok_or_else(bad)?, zone).ok_or_else(bad);
    }
    // `2024-12-04 23:59:59+00:00` is `2024-12-04T23:59:59+00:00`.
    let text = match text.as_bytes().get(10) {
        Some(b' ') => format!("{}T{}", &text[..10], &text[11..]),
        _ => text.to_string(),
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(&text) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(t) = DateTime::parse_from_str(&text, format) {
            return Ok(t.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&text, format) {
            return on_wall_clock(t, zone).ok_or_else(bad);
        }
    }
    Err(bad())
}

/// The instant a wall-clock time names in `zone`: the earlier one when clocks go back, and
/// when they jump forward over it, the first instant after the gap.
fn on_wall_clock(t: NaiveDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&t) {
        LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => Some(x.with_timezone(&Utc)),
        LocalResult::None => (1..=4).find_map(|h| {
            zone.from_local_datetime(&(t + chrono::Duration::minutes(30 * h)))
                .earliest()
                .map(|x| x.with_timezone(&Utc))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn dates_and_offsetless_times_are_read_in_the_shops_zone() {
        let ny = zone("America/New_York");
        assert_eq!(parse("2024-12-04", ny), Ok(utc("2024-12-04T05:00:00Z")));
        assert_eq!(parse("2024-07-04", ny), Ok(utc("2024-07-04T04:00:00Z")));
        assert_eq!(
            parse("2024-12-04T10:30:00", ny),
            Ok(utc("2024-12-04T15:30:00Z"))
        );
        assert_eq!(
            parse("2024-12-04 10:30", ny),
            Ok(utc("2024-12-04T15:30:00Z"))
        );
        // 02:30 does not exist on 2024-03-10 in New York: the first instant after the gap.
        assert_eq!(
            parse("2024-03-10T02:30:00", ny),
            Ok(utc("2024-03-10T07:00:00Z"))
        );
    }

    #[test]
    fn an_offset_names_the_instant_whatever_the_zone() {
        let ny = zone("America/New_York");
        for s in [
            "2024-12-04T23:59:59+00:00",
            "2024-12-04 23:59:59+00:00",
            "2024-12-04T23:59:59Z",
            "2024-12-04T18:59:59-05:00",
            "2024-12-04T18:59:59-0500",
            "2024-12-04T23:59:59.000Z",
        ] {
            assert_eq!(parse(s, ny), Ok(utc("2024-12-04T23:59:59Z")), "{s}");
        }
    }

    #[test]
    fn malformed_values_are_refused_and_unknown_zones_are_utc() {
        for s in [
            "",
            "yesterday",
            "2024-13-01",
            "2024-12-04T25:00:00",
            "12/04/2024",
        ] {
            assert!(parse(s, Tz::UTC).is_err(), "{s}");
        }
        assert_eq!(zone("Mars/Olympus"), Tz::UTC);
        assert_eq!(
            label(zone("America/New_York"), utc("2024-01-01T00:00:00Z")),
            "(GMT-05:00) America/New_York"
        );
    }
}
