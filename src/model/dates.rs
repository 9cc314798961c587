//! Dates and durations: parsing what authors write, and the formats pages and feeds show.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Parse an RFC 3339 date-time (`2024-03-14T09:32:00Z`), a plain date (`2024-03-14`, read as
/// 00:00 UTC) or the looser forms YAML allows (a space instead of `T`, no seconds, no offset,
/// read as UTC). Returns the instant in UTC and whether only a date was given.
pub fn parse_datetime(text: &str) -> Option<(OffsetDateTime, bool)> {
    let text = text.trim();
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some((at.to_offset(UtcOffset::UTC), false));
    }
    if text.len() == 10 {
        let date = Date::parse(text, format_description!("[year]-[month]-[day]")).ok()?;
        return Some((date.midnight().assume_utc(), true));
    }
    // Loose form: `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH:MM]`.
    let (date_part, rest) = text.split_at_checked(10)?;
    let date = Date::parse(date_part, format_description!("[year]-[month]-[day]")).ok()?;
    let rest = rest.strip_prefix(['T', 't', ' '])?.trim_start();
    let (time_part, offset) = split_offset(rest)?;
    let time = parse_time(time_part)?;
    let at = PrimitiveDateTime::new(date, time).assume_offset(offset).to_offset(UtcOffset::UTC);
    Some((at, false))
}

fn split_offset(text: &str) -> Option<(&str, UtcOffset)> {
    if let Some(t) = text.strip_suffix(['Z', 'z']) {
        return Some((t.trim_end(), UtcOffset::UTC));
    }
    if let Some(i) = text.rfind(['+', '-']) {
        let (t, off) = text.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off[1..].chars().filter(char::is_ascii_digit).collect();
        let (h, m) = match digits.len() {
            1 | 2 => (digits.parse::<i8>().ok()?, 0),
            4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
            _ => return None,
        };
        return Some((t.trim_end(), UtcOffset::from_hms(sign * h, sign * m, 0).ok()?));
    }
    Some((text, UtcOffset::UTC))
}

fn parse_time(text: &str) -> Option<Time> {
    let mut parts = text.split(':');
    let hour: u8 = parts.next()?.parse().ok()?;
    let minute: u8 = parts.next()?.parse().ok()?;
    let (second, nanos) = match parts.next() {
        Some(s) => {
            let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
            let mut nanos = 0u32;
            if !frac.is_empty() {
                let digits: String = frac.chars().take(9).collect();
                nanos = digits.parse::<u32>().ok()? * 10u32.pow(9 - digits.len() as u32);
            }
            (whole.parse().ok()?, nanos)
        }
        None => (0, 0),
    };
    if parts.next().is_some() {
        return None;
    }
    Time::from_hms_nano(hour, minute, second, nanos).ok()
}

/// Convert a TOML date-time. A local date is 00:00 UTC; a local date-time is read as UTC.
pub fn from_toml(dt: &toml::value::Datetime) -> Result<(OffsetDateTime, bool), String> {
    let Some(d) = dt.date else {
        return Err("a time of day without a date".into());
    };
    let month = Month::try_from(d.month).map_err(|e| e.to_string())?;
    let date =
        Date::from_calendar_date(i32::from(d.year), month, d.day).map_err(|e| e.to_string())?;
    let Some(t) = dt.time else {
        return Ok((date.midnight().assume_utc(), true));
    };
    let time =
        Time::from_hms_nano(t.hour, t.minute, t.second.unwrap_or(0), t.nanosecond.unwrap_or(0))
            .map_err(|e| e.to_string())?;
    let offset = match dt.offset {
        None | Some(toml::value::Offset::Z) => UtcOffset::UTC,
        Some(toml::value::Offset::Custom { minutes }) => {
            UtcOffset::from_whole_seconds(i32::from(minutes) * 60).map_err(|e| e.to_string())?
        }
    };
    Ok((PrimitiveDateTime::new(date, time).assume_offset(offset).to_offset(UtcOffset::UTC), false))
}

/// RFC 3339 text of an instant (`2024-03-14T09:32:00Z`), or just the date when `date_only`.
pub fn format_rfc3339(at: OffsetDateTime, date_only: bool) -> String {
    if date_only { format_date(at.date()) } else { at.format(&Rfc3339).unwrap_or_default() }
}

/// `2024-03-14`.
pub fn format_date(date: Date) -> String {
    date.format(format_description!("[year]-[month]-[day]")).unwrap_or_default()
}

/// `14 Mar 2024`.
pub fn format_human_date(date: Date) -> String {
    date.format(format_description!("[day padding:none] [month repr:short] [year]"))
        .unwrap_or_default()
}

/// `2024-03-14 09:32 UTC`.
pub fn format_datetime_utc(at: OffsetDateTime) -> String {
    at.format(format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).unwrap_or_default()
}

/// `09:32`.
pub fn format_time_of_day(at: OffsetDateTime) -> String {
    at.format(format_description!("[hour]:[minute]")).unwrap_or_default()
}

/// A duration as people say it: `45s`, `9m`, `1h 23m`, `2d 4h`.
pub fn format_duration(d: Duration) -> String {
    let secs = d.whole_seconds().max(0);
    let (days, hours, minutes) = (secs / 86_400, (secs % 86_400) / 3_600, (secs % 3_600) / 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// Parse a `--build-date` value: a plain date or an RFC 3339 date-time.
pub fn parse_build_date(text: &str) -> Result<Date, String> {
    parse_datetime(text)
        .map(|(at, _)| at.date())
        .ok_or_else(|| format!("`{text}` is not a date; use YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn parses_the_forms_authors_write() {
        for (text, expected, date_only) in [
            ("2024-03-14T09:32:00Z", datetime!(2024-03-14 09:32 UTC), false),
            ("2024-03-14T10:32:00+01:00", datetime!(2024-03-14 09:32 UTC), false),
            ("2024-03-14", datetime!(2024-03-14 00:00 UTC), true),
            ("2024-03-14 09:32", datetime!(2024-03-14 09:32 UTC), false),
            ("2024-03-14 09:32:05.5 -02:00", datetime!(2024-03-14 11:32:05.5 UTC), false),
            ("2024-03-14t09:32:00z", datetime!(2024-03-14 09:32 UTC), false),
        ] {
            assert_eq!(parse_datetime(text), Some((expected, date_only)), "{text}");
        }
        for bad in ["", "yesterday", "2024-13-01", "2024-02-30", "2024-03-14T25:00", "14/03/2024"] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_read_like_people_say_them() {
        for (secs, text) in [
            (40, "40s"),
            (540, "9m"),
            (3600, "1h"),
            (4980, "1h 23m"),
            (187_200, "2d 4h"),
            (172_800, "2d"),
        ] {
            assert_eq!(format_duration(Duration::seconds(secs)), text);
        }
    }
}
