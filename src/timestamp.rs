//! Timestamps: RFC 3339 text or UNIX seconds in, RFC 3339 UTC out. Traces and `check --at`
//! read them the same way; simulate writes one per decided call, so both directions have a
//! fast path for the common shape.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Latest instant a trace may name: 9999-12-31T23:59:59Z.
pub const MAX_TS: f64 = 253_402_300_799.0;

/// One timestamp written by a person (`check --at`): UNIX seconds (fractions allowed) or an
/// RFC 3339 string, between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
pub fn parse_ts(text: &str) -> Result<f64, String> {
    let t = match text.trim().parse::<f64>() {
        Ok(n) if n.is_finite() => n,
        Ok(_) => return Err(format!("`{text}` is not a finite number of seconds")),
        Err(_) => parse_rfc3339(text.trim()).map_err(|e| {
            format!("`{text}` is neither UNIX seconds nor an RFC 3339 timestamp ({e})")
        })?,
    };
    if !(0.0..=MAX_TS).contains(&t) {
        return Err(format!(
            "`{text}` is outside 1970-01-01T00:00:00Z … 9999-12-31T23:59:59Z"
        ));
    }
    Ok(t)
}

/// Seconds since the epoch of an RFC 3339 timestamp; the error is the parser's reason.
pub fn parse_rfc3339(s: &str) -> Result<f64, String> {
    if let Some(t) = rfc3339_common(s) {
        return Ok(t);
    }
    let dt = OffsetDateTime::parse(s, &Rfc3339).map_err(|e| e.to_string())?;
    // Whole seconds and the fraction apart: nanoseconds since the epoch do not fit a
    // double's 53 bits, and rounding them would move a `.25` off its value.
    Ok(dt.unix_timestamp() as f64 + f64::from(dt.nanosecond()) / 1e9)
}

/// The common shape of an RFC 3339 timestamp, `2026-11-24T10:00:00.123Z` or with a
/// `±hh:mm` offset, read without the general parser (a visible share of the time per line);
/// `None` sends anything else, including every invalid text, to the general parser. It gives
/// what the general parser gives: seconds plus nanoseconds over 1e9.
fn rfc3339_common(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let head: &[u8; 19] = b.get(..19)?.try_into().ok()?;
    let shape = head[4] == b'-'
        && head[7] == b'-'
        && matches!(head[10], b'T' | b't')
        && head[13] == b':'
        && head[16] == b':';
    const DIGITS: [usize; 14] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
    if !shape || DIGITS.iter().any(|&i| !head[i].is_ascii_digit()) {
        return None;
    }
    let d = |i: usize| i64::from(head[i] - b'0');
    let two = |i: usize| d(i) * 10 + d(i + 1);
    let year = two(0) * 100 + two(2);
    let (month, day, hour, minute, second) = (two(5), two(8), two(11), two(14), two(17));
    // Leap seconds and the like are the general parser's business.
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0i64;
    if b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        let frac = b[i + 1..i + 1 + digits]
            .iter()
            .fold(0i64, |n, &c| n * 10 + i64::from(c - b'0'));
        nanos = frac * 10i64.pow(9 - digits as u32);
        i += 1 + digits;
    }
    let offset = match b.get(i..)? {
        b"Z" | b"z" => 0,
        &[sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(u8::is_ascii_digit) =>
        {
            let h = i64::from(h1 - b'0') * 10 + i64::from(h2 - b'0');
            let m = i64::from(m1 - b'0') * 10 + i64::from(m2 - b'0');
            // `-00:00` (offset unknown) is left to the general parser.
            if h > 23 || m > 59 || (sign == b'-' && h == 0 && m == 0) {
                return None;
            }
            if sign == b'-' {
                -(h * 3600 + m * 60)
            } else {
                h * 3600 + m * 60
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some(secs as f64 + nanos as f64 / 1e9)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats seconds since the epoch as RFC 3339 UTC, with a fraction only when there is one.
pub fn format_ts(t: f64) -> String {
    TsText::default().format(t).to_string()
}

/// Formats timestamps as RFC 3339 UTC, keeping the text of the last whole second: a trace
/// has many calls per second, and the date part is the costly one.
#[derive(Debug, Default)]
pub struct TsText {
    /// The whole second `prefix` spells, as `YYYY-MM-DDTHH:MM:SS`.
    second: Option<i64>,
    /// The day of `prefix`: a new second on the same day rewrites only the time of day.
    day: Option<i64>,
    prefix: String,
    text: String,
}

impl TsText {
    /// The fraction is rounded to microseconds: a double near today's epoch seconds
    /// resolves about 0.24 µs, so further digits would be noise (`.1` would print as
    /// `.099999905`).
    pub fn format(&mut self, t: f64) -> &str {
        // Truncation and `+ 0.5` instead of `floor` and `round`, which are library calls
        // on baseline x86-64; times are never negative.
        let t = t.max(0.0);
        let mut whole = t as i64;
        let mut micros = ((t - whole as f64) * 1e6 + 0.5) as u32;
        if micros >= 1_000_000 {
            whole += 1;
            micros = 0;
        }
        if self.second != Some(whole) {
            let day = whole.div_euclid(86_400);
            if self.day == Some(day) {
                let s = whole.rem_euclid(86_400);
                let two = |n: i64| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
                let [h, m, sec] = [two(s / 3600), two(s / 60 % 60), two(s % 60)];
                let hms = [h[0], h[1], b':', m[0], m[1], b':', sec[0], sec[1]];
                self.prefix
                    .replace_range(11..19, std::str::from_utf8(&hms).unwrap_or("00:00:00"));
            } else {
                self.prefix = match OffsetDateTime::from_unix_timestamp(whole) {
                    Ok(dt) => format!(
                        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                        dt.year(),
                        dt.month() as u8,
                        dt.day(),
                        dt.hour(),
                        dt.minute(),
                        dt.second()
                    ),
                    Err(_) => whole.to_string(),
                };
                // Only an RFC 3339 prefix can have its time of day rewritten.
                self.day = (self.prefix.len() == 19).then_some(day);
            }
            self.second = Some(whole);
        }
        self.text.clear();
        self.text.push_str(&self.prefix);
        if micros > 0 {
            let mut digits = [b'0'; 6];
            let mut m = micros;
            for d in digits.iter_mut().rev() {
                *d = b'0' + (m % 10) as u8;
                m /= 10;
            }
            let len = 6 - digits.iter().rev().take_while(|&&d| d == b'0').count();
            self.text.push('.');
            self.text
                .push_str(std::str::from_utf8(&digits[..len]).unwrap_or_default());
        }
        self.text.push('Z');
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_at_reads_seconds_and_rfc3339() {
        assert_eq!(parse_ts("1700000000.5"), Ok(1_700_000_000.5));
        assert_eq!(parse_ts("2026-11-24T10:00:00Z"), Ok(1_795_514_400.0));
        assert_eq!(parse_ts("2026-11-24T12:00:00+02:00"), Ok(1_795_514_400.0));
        assert!(parse_ts("-1").unwrap_err().contains("outside"));
        assert!(parse_ts("NaN").is_err());
        assert!(parse_ts("yesterday").unwrap_err().contains("neither"));
        assert!(parse_ts("10000-01-01T00:00:00Z").is_err());
    }

    #[test]
    fn the_common_rfc3339_shape_reads_as_the_general_parser_does() {
        let general = |s: &str| {
            OffsetDateTime::parse(s, &Rfc3339)
                .ok()
                .map(|dt| dt.unix_timestamp() as f64 + f64::from(dt.nanosecond()) / 1e9)
        };
        let mut cases = vec![
            "2026-11-24T10:00:00Z".to_string(),
            "2026-11-24t10:00:00.5z".into(),
            "2024-02-29T23:59:59.999999999+14:00".into(),
            "2023-02-29T00:00:00Z".into(),
            "1970-01-01T00:00:00-00:00".into(),
            "1970-01-01T00:00:00+00:00".into(),
            "2026-11-24T10:00:60Z".into(),
            "2026-11-24T10:00:00.Z".into(),
            "2026-11-24T10:00:00.1234567891Z".into(),
            "2026-11-24T24:00:00Z".into(),
            "2026-13-01T00:00:00Z".into(),
            "2026-11-24T10:00:00+24:00".into(),
            "2026-11-24T10:00:00+05:60".into(),
            "2026-11-24 10:00:00Z".into(),
            "2026-11-24T10:00:00".into(),
            "+2026-11-24T10:00:00Z".into(),
            "9999-12-31T23:59:59Z".into(),
            "0000-01-01T00:00:00Z".into(),
        ];
        // Every day of a leap and a common year, with offsets and fractions.
        let mut x = 7u64;
        for _ in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let pick = |n: u64, m: u64| (x >> n) % m;
            cases.push(format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{}",
                1968 + pick(1, 60),
                1 + pick(7, 12),
                1 + pick(11, 31),
                pick(16, 24),
                pick(21, 60),
                pick(27, 60),
                [".5", "", ".000001", ".123456789", ".25"][pick(33, 5) as usize],
                ["Z", "+01:00", "-05:30", "+23:59", "-00:01"][pick(37, 5) as usize],
            ));
        }
        for c in &cases {
            if let Some(fast) = rfc3339_common(c) {
                assert_eq!(Some(fast), general(c), "{c}");
            }
        }
        assert!(rfc3339_common("2026-11-24T10:00:00.123Z").is_some());
        assert!(rfc3339_common("2026-11-24T10:00:00+01:00").is_some());
    }
}
