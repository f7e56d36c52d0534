//! Reading the raw `<seconds> <±hhmm>` time of a signature the way git does, and the dates users
//! type.

/// Unix seconds of a date a user typed (`2024-01-31`, ISO 8601, `@<unix seconds>`, `6 months
/// ago`), relative dates counted from `now`. With `end_of_day`, a plain `YYYY-MM-DD` means the
/// last second of that day (an inclusive `--until`). `None` when `text` is not a date.
pub fn parse_date(text: &str, now: &gix::date::Zoned, end_of_day: bool) -> Option<i64> {
    let time = gix::date::parse(text, Some(now.clone())).ok()?;
    let date_only = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    Some(if end_of_day && date_only {
        time.seconds + 86_399
    } else {
        time.seconds
    })
}

/// Parses a signature's raw time field into unix seconds and an offset in minutes.
///
/// git reads the offset as a decimal number `hhmm` with `strtol` and converts it with
/// `hh * 60 + mm`, without range checks, so offsets such as `+051800` found in real histories
/// become 518 hours. We read it the same way instead of rejecting the commit.
/// Returns `None` only when there is no number at all.
pub(crate) fn parse_raw_time(raw: &str) -> Option<(i64, i32)> {
    let mut parts = raw.split_ascii_whitespace();
    let seconds: i64 = parts.next()?.parse().ok()?;
    let offset = parts.next().map_or(0, parse_offset);
    Some((seconds, offset))
}

fn parse_offset(raw: &str) -> i32 {
    let (negative, digits) = match raw.as_bytes().first() {
        Some(b'-') => (true, &raw[1..]),
        Some(b'+') => (false, &raw[1..]),
        _ => (false, raw),
    };
    let digits: String = digits.chars().take_while(char::is_ascii_digit).collect();
    let hhmm: i64 = digits.parse().unwrap_or(0);
    let minutes = (hhmm / 100) * 60 + hhmm % 100;
    let minutes = i32::try_from(minutes).unwrap_or(if negative { i32::MIN } else { i32::MAX });
    if negative { -minutes } else { minutes }
}

#[cfg(test)]
mod tests {
    use super::parse_raw_time;

    #[test]
    fn ordinary_offsets() {
        assert_eq!(parse_raw_time("1577836800 +0000"), Some((1_577_836_800, 0)));
        assert_eq!(
            parse_raw_time("1577836800 -0730"),
            Some((1_577_836_800, -450))
        );
        assert_eq!(
            parse_raw_time("1577836800 +0100"),
            Some((1_577_836_800, 60))
        );
    }

    #[test]
    fn out_of_range_offset_is_read_as_git_reads_it() {
        // 051800 -> 518 hours and 0 minutes.
        assert_eq!(parse_raw_time("1234 +051800"), Some((1234, 518 * 60)));
    }

    #[test]
    fn dates_before_1970_and_missing_offset() {
        assert_eq!(parse_raw_time("-86400 +0000"), Some((-86_400, 0)));
        assert_eq!(parse_raw_time("42"), Some((42, 0)));
        assert_eq!(parse_raw_time("garbage"), None);
    }
}
