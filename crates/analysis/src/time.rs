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

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whole months from the start of day `from` (days since 1970) to the instant `to` (unix
/// seconds), as Joda-Time's `monthsBetween` counts them: the largest `k` such that `from` plus `k`
/// calendar months (the day clamped to the month's length) is not after `to`.
pub fn months_between(from_days: i64, to_seconds: i64) -> i64 {
    let (year, month, day) = civil_from_days(from_days);
    let add = |k: i64| -> i64 {
        let total = year * 12 + i64::from(month) - 1 + k;
        let (y, m) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
        let last = days_from_civil(y + i64::from(m == 12), if m == 12 { 1 } else { m + 1 }, 1) - 1;
        let clamped = day.min(civil_from_days(last).2);
        days_from_civil(y, m, clamped) * 86_400
    };
    let (to_year, to_month, _) = civil_from_days(to_seconds.div_euclid(86_400));
    let mut k = (to_year - year) * 12 + i64::from(to_month) - i64::from(month);
    while k > 0 && add(k) > to_seconds {
        k -= 1;
    }
    k.max(0)
}

/// The instant `months` calendar months before `seconds` (the day clamped to the month's length,
/// the time of day kept): the start of "the last N months".
pub fn months_before(seconds: i64, months: u32) -> i64 {
    shift_months(seconds, -i64::from(months))
}

/// The instant `months` calendar months after `seconds`, as [`months_before`] counts them.
pub fn months_after(seconds: i64, months: u32) -> i64 {
    shift_months(seconds, i64::from(months))
}

fn shift_months(seconds: i64, months: i64) -> i64 {
    let days = seconds.div_euclid(86_400);
    let time_of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let total = year * 12 + i64::from(month) - 1 + months;
    let (y, m) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let last_day = civil_from_days(days_from_civil(next.0, next.1, 1) - 1).2;
    days_from_civil(y, m, day.min(last_day)) * 86_400 + time_of_day
}

/// Year, month and day of the day `days` after 1970-01-01 (Howard Hinnant's algorithm).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
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
    use super::{days_from_civil, format_time, months_before, months_between};

    #[test]
    fn months_before_clamps_the_day() {
        let day = |y, m, d| days_from_civil(y, m, d) * 86_400;
        assert_eq!(months_before(day(2024, 3, 31) + 5, 1), day(2024, 2, 29) + 5);
        assert_eq!(months_before(day(2025, 1, 15), 12), day(2024, 1, 15));
        assert_eq!(months_before(day(2025, 1, 15), 6), day(2024, 7, 15));
    }

    #[test]
    fn months_are_counted_like_joda() {
        let day = |y, m, d| days_from_civil(y, m, d);
        let at = |y, m, d| day(y, m, d) * 86_400;
        assert_eq!(day(1970, 1, 1), 0);
        assert_eq!(day(2000, 3, 1), 11_017);
        assert_eq!(months_between(day(2020, 1, 15), at(2020, 3, 15)), 2);
        assert_eq!(months_between(day(2020, 1, 15), at(2020, 3, 14)), 1);
        // January 31st plus one month is February 29th (clamped), so a month has passed.
        assert_eq!(months_between(day(2020, 1, 31), at(2020, 2, 29)), 1);
        assert_eq!(months_between(day(2020, 1, 31), at(2020, 2, 28)), 0);
        assert_eq!(months_between(day(2019, 12, 1), at(2021, 1, 1)), 13);
    }

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
