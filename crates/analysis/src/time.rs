//! Dates for people: unix seconds and an offset in minutes as ISO 8601 local time.

/// Formats `seconds` at `offset_minutes` east of UTC as `YYYY-MM-DDTHH:MM:SS±HH:MM`, or with
/// `Z` for a zero offset, like `git log --format=%aI`.
///
/// Works for any `i64` seconds, including dates before 1970, using the days-from-civil
/// algorithm (proleptic Gregorian calendar).
pub fn format_time(seconds: i64, offset_minutes: i32) -> String {
    let local = seconds + i64::from(offset_minutes) * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let clock = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if offset_minutes == 0 {
        return clock + "Z";
    }
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!("{clock}{sign}{:02}:{:02}", off / 60, off % 60)
}

/// Year, month and day of the day `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::format_time;

    #[test]
    fn formats_known_dates() {
        assert_eq!(format_time(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(format_time(1_577_836_800, 0), "2020-01-01T00:00:00Z");
        assert_eq!(
            format_time(1_577_836_800, -450),
            "2019-12-31T16:30:00-07:30"
        );
        assert_eq!(format_time(951_782_400, 60), "2000-02-29T01:00:00+01:00");
        assert_eq!(format_time(-86_400, 0), "1969-12-31T00:00:00Z");
        // git reads an offset of +051800 as 518 hours.
        assert_eq!(
            format_time(1_234_567_890, 518 * 60),
            "2009-03-07T13:31:30+518:00"
        );
    }
}
