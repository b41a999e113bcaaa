//! Trace lines (SPEC §3): canonical call records and MCP JSON-RPC messages, each parsed
//! from one line into an [`Event`] or a located [`Malformed`] error.

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::tape::{Arg, Tape};
use crate::engine::{ArgValue, Decision, Leaf, Reason};
use crate::json;

/// Latest instant a trace may name: 9999-12-31T23:59:59Z.
pub const MAX_TS: f64 = 253_402_300_799.0;

/// What a record expects: a decision, or a deny with a specific reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Decision(Decision),
    Reason(Reason),
}

impl Expect {
    pub fn parse(s: &str) -> Option<Expect> {
        match s {
            "allow" => Some(Expect::Decision(Decision::Allow)),
            "deny" => Some(Expect::Decision(Decision::Deny)),
            "approve" => Some(Expect::Decision(Decision::Approve)),
            _ => Reason::from_name(s).map(Expect::Reason),
        }
    }

    pub fn met_by(self, decision: Decision, reason: Option<Reason>) -> bool {
        match self {
            Expect::Decision(d) => d == decision,
            Expect::Reason(r) => reason == Some(r),
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Decision(d) => f.write_str(d.as_str()),
            Expect::Reason(r) => f.write_str(r.as_str()),
        }
    }
}

/// A JSON-RPC id, compared by JSON value: `1` and `1.0` are one id, `"1"` another.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RpcId {
    Number(u64),
    String(String),
}

impl RpcId {
    fn from_number(n: f64) -> RpcId {
        // -0.0 and 0.0 are the same JSON value.
        RpcId::Number(if n == 0.0 { 0 } else { n.to_bits() })
    }
}

/// One call to evaluate, borrowing from its line and the [`Tape`] it was parsed into.
#[derive(Debug)]
pub struct CallRecord<'a> {
    /// Seconds since the epoch, when the line carries a `ts`.
    pub ts: Option<f64>,
    pub grant: &'a str,
    pub tool: &'a str,
    pub args: Arg<'a>,
    /// `"outcome": "error"`: the call failed upstream and gives its quota back.
    pub failed: bool,
    pub expect: Option<Expect>,
    /// The JSON-RPC request id, whose later error response rolls the call back.
    pub id: Option<RpcId>,
}

#[derive(Debug)]
pub enum Event<'a> {
    Blank,
    Call(CallRecord<'a>),
    /// A JSON-RPC response settling (or, `failed`, rolling back) the most recent request
    /// pending under its id.
    Response {
        id: RpcId,
        failed: bool,
    },
    /// A JSON-RPC request with an id that is not a `tools/call` (a client's `tools/list`, a
    /// server's `sampling/createMessage`): pending under its id, counted in `skipped`.
    Request(RpcId),
    /// Other JSON-RPC messages: counted in `skipped`.
    Skipped,
}

/// A line that is not a valid record: where (1-based column) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    pub column: usize,
    pub message: String,
}

/// Parses one trace line (without its line terminator) into `tape`, which the returned
/// event borrows.
pub fn parse_line<'a>(line: &'a [u8], tape: &'a mut Tape) -> Result<Event<'a>, Malformed> {
    // Only a line that starts with whitespace (Unicode's included) can be blank.
    if line
        .first()
        .is_none_or(|&b| b.is_ascii_whitespace() || b >= 0x80)
        && std::str::from_utf8(line).is_ok_and(|t| t.trim().is_empty())
    {
        return Ok(Event::Blank);
    }
    let line = std::str::from_utf8(line).map_err(|e| Malformed {
        column: column(line, e.valid_up_to()),
        message: "the line is not valid UTF-8".into(),
    })?;
    if tape.parse(line).is_err() {
        return Err(syntax_error(line));
    }
    let tape: &'a Tape = tape;
    let root = tape.root(line);
    let bad = |n: Arg, message: String| Malformed {
        column: column(line.as_bytes(), n.offset()),
        message,
    };
    if !root.is_object() {
        return Err(bad(
            root,
            format!("a trace line is a JSON object, found {}", root.type_name()),
        ));
    }
    // One pass over the members; the checks below then go in a fixed order, so a line
    // with several problems always reports the same one.
    let mut fields: [Option<Arg>; 7] = [None; 7];
    for (key, value) in root.members() {
        // Length and first byte pick the one candidate to compare.
        let slot = match (key.len(), key.first()) {
            (7, Some(b'j')) if key == b"jsonrpc" => 0,
            (4, Some(b't')) if key == b"tool" => 1,
            (5, Some(b'g')) if key == b"grant" => 2,
            (4, Some(b'a')) if key == b"args" => 3,
            (2, Some(b't')) if key == b"ts" => 4,
            (7, Some(b'o')) if key == b"outcome" => 5,
            (6, Some(b'e')) if key == b"expect" => 6,
            _ => continue,
        };
        fields[slot] = Some(value);
    }
    let [jsonrpc, tool, grant, args, ts, outcome, expect] = fields;
    if jsonrpc.is_some() {
        return rpc(root, tape.empty_object(line), &bad);
    }
    let tool = match tool {
        Some(n) => n.as_str().ok_or_else(|| {
            bad(
                n,
                format!("`tool` must be a string, found {}", n.type_name()),
            )
        })?,
        None => {
            return Err(bad(
                root,
                "missing `tool`: every call record names its tool".into(),
            ))
        }
    };
    let grant = match grant {
        None => "default",
        Some(n) => n.as_str().ok_or_else(|| {
            bad(
                n,
                format!("`grant` must be a string, found {}", n.type_name()),
            )
        })?,
    };
    let args = match args {
        None => tape.empty_object(line),
        Some(n) if n.is_object() => n,
        Some(n) => {
            return Err(bad(
                n,
                format!("`args` must be an object, found {}", n.type_name()),
            ))
        }
    };
    let ts = match ts {
        None => None,
        Some(n) => Some(timestamp(n).map_err(|m| bad(n, m))?),
    };
    let failed = match outcome {
        None => false,
        Some(n) => match n.as_str() {
            Some("ok") => false,
            Some("error") => true,
            _ => {
                return Err(bad(
                    n,
                    format!(
                        "`outcome` must be \"ok\" or \"error\", found {}",
                        n.to_serde()
                    ),
                ))
            }
        },
    };
    let expect = match expect {
        None => None,
        Some(n) => match n.as_str().and_then(Expect::parse) {
            Some(e) => Some(e),
            None => {
                return Err(bad(
                    n,
                    format!(
                        "`expect` must be allow, deny, approve or a deny reason ({}), found {}",
                        Reason::ALL.map(Reason::as_str).join(", "),
                        n.to_serde()
                    ),
                ))
            }
        },
    };
    Ok(Event::Call(CallRecord {
        ts,
        grant,
        tool,
        args,
        failed,
        expect,
        id: None,
    }))
}

/// The strict parser's located message for a line the tape rejected.
fn syntax_error(line: &str) -> Malformed {
    match json::parse_strict(line) {
        Err(e) => Malformed {
            column: column(line.as_bytes(), e.span.start),
            message: e.message,
        },
        // The two parsers accept the same language; should they ever disagree, the line is
        // still reported rather than half-read.
        Ok(_) => Malformed {
            column: 1,
            message: "the line is not JSON this tool can read".into(),
        },
    }
}

/// A JSON-RPC message: `tools/call` requests are calls, responses may roll one back,
/// everything else is skipped.
fn rpc<'a>(
    root: Arg<'a>,
    no_args: Arg<'a>,
    bad: &dyn Fn(Arg, String) -> Malformed,
) -> Result<Event<'a>, Malformed> {
    let id = match root.get("id") {
        None => None,
        Some(n) => match n.leaf() {
            Leaf::Null => None,
            Leaf::Number(x) => Some(RpcId::from_number(x)),
            Leaf::String(s) => Some(RpcId::String(s.to_string())),
            _ => {
                return Err(bad(
                    n,
                    format!(
                        "a JSON-RPC id is a number, string or null, found {}",
                        n.type_name()
                    ),
                ))
            }
        },
    };
    let method = match root.get("method") {
        None => None,
        Some(n) => Some(n.as_str().ok_or_else(|| {
            bad(
                n,
                format!("`method` must be a string, found {}", n.type_name()),
            )
        })?),
    };
    match (method, id) {
        (Some("tools/call"), Some(id)) => {
            let params = match root.get("params") {
                Some(n) if n.is_object() => n,
                Some(n) => {
                    return Err(bad(
                        n,
                        format!("`params` must be an object, found {}", n.type_name()),
                    ))
                }
                None => {
                    return Err(bad(
                        root,
                        "a tools/call request needs `params` with the tool's `name`".into(),
                    ))
                }
            };
            let tool = match params.get("name") {
                Some(n) => n.as_str().ok_or_else(|| {
                    bad(
                        n,
                        format!("`params.name` must be a string, found {}", n.type_name()),
                    )
                })?,
                None => {
                    return Err(bad(
                        params,
                        "a tools/call request needs `params.name`".into(),
                    ))
                }
            };
            let args = match params.get("arguments") {
                None => no_args,
                Some(n) if n.is_object() => n,
                Some(n) => {
                    return Err(bad(
                        n,
                        format!(
                            "`params.arguments` must be an object, found {}",
                            n.type_name()
                        ),
                    ))
                }
            };
            Ok(Event::Call(CallRecord {
                ts: None,
                grant: "default",
                tool,
                args,
                failed: false,
                expect: None,
                id: Some(id),
            }))
        }
        (None, Some(id)) if root.get("result").is_some() || root.get("error").is_some() => {
            let is_error = root.get("result").and_then(|r| r.get("isError"));
            let failed = root.get("error").is_some()
                || matches!(is_error.map(ArgValue::leaf), Some(Leaf::Bool(true)));
            Ok(Event::Response { id, failed })
        }
        (Some(_), Some(id)) => Ok(Event::Request(id)),
        _ => Ok(Event::Skipped),
    }
}

/// A `ts` as seconds since the epoch: RFC 3339 text or a number of seconds.
fn timestamp(n: Arg) -> Result<f64, String> {
    let t = match n.leaf() {
        Leaf::Number(x) => x,
        Leaf::String(s) => match rfc3339_common(s) {
            Some(t) => t,
            None => {
                let dt = OffsetDateTime::parse(s, &Rfc3339)
                    .map_err(|e| format!("`ts` \"{s}\" is not an RFC 3339 timestamp ({e})"))?;
                // Whole seconds and the fraction apart: nanoseconds since the epoch do not
                // fit a double's 53 bits, and rounding them would move a `.25` off its value.
                dt.unix_timestamp() as f64 + f64::from(dt.nanosecond()) / 1e9
            }
        },
        _ => {
            return Err(format!(
                "`ts` must be an RFC 3339 string or UNIX seconds, found {}",
                n.type_name()
            ))
        }
    };
    if !(0.0..=MAX_TS).contains(&t) {
        return Err(format!(
            "`ts` {} is outside 1970-01-01T00:00:00Z … 9999-12-31T23:59:59Z",
            n.to_serde()
        ));
    }
    Ok(t)
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

/// 1-based character column of a byte offset within one line.
fn column(line: &[u8], offset: usize) -> usize {
    let before = line.get(..offset).unwrap_or(line);
    String::from_utf8_lossy(before).chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses into a tape of its own, kept for the rest of the test.
    fn parse(line: &'static str) -> Result<Event<'static>, Malformed> {
        parse_line(line.as_bytes(), Box::leak(Box::default()))
    }

    fn call(line: &'static str) -> CallRecord<'static> {
        match parse(line) {
            Ok(Event::Call(c)) => c,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn canonical_records_take_defaults() {
        let c = call(r#"{"tool":"snapshot"}"#);
        assert_eq!(
            (c.grant, c.ts, c.failed, c.expect),
            ("default", None, false, None)
        );
        let c = call(
            r#"{"ts":"2026-11-24T10:00:00Z","grant":"g","tool":"t","args":{"a":1},"outcome":"error","expect":"rate_limited","extra":[1]}"#,
        );
        assert_eq!(c.ts, Some(1_795_514_400.0));
        assert!(c.failed);
        assert_eq!(c.expect, Some(Expect::Reason(Reason::RateLimited)));
    }

    #[test]
    fn timestamps_in_both_forms_and_range() {
        assert_eq!(call(r#"{"tool":"t","ts":1.5}"#).ts, Some(1.5));
        assert_eq!(
            call(r#"{"tool":"t","ts":"1970-01-01T01:00:00+01:00"}"#).ts,
            Some(0.0)
        );
        assert_eq!(
            call(r#"{"tool":"t","ts":"9999-12-31T23:59:59Z"}"#).ts,
            Some(MAX_TS)
        );
        for bad in [
            r#"{"tool":"t","ts":-1}"#,
            r#"{"tool":"t","ts":253402300800}"#,
            r#"{"tool":"t","ts":"yesterday"}"#,
            r#"{"tool":"t","ts":"1969-12-31T23:59:59Z"}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(format_ts(1_795_514_400.0), "2026-11-24T10:00:00Z");
        assert_eq!(format_ts(1.25), "1970-01-01T00:00:01.25Z");
        assert_eq!(format_ts(1_795_514_400.25), "2026-11-24T10:00:00.25Z");
        assert_eq!(format_ts(1_795_514_400.1), "2026-11-24T10:00:00.1Z");
        assert_eq!(format_ts(59.999_999_9), "1970-01-01T00:01:00Z");
        // One formatter across seconds, days and back: the cached date must follow.
        let mut ts = TsText::default();
        for (t, text) in [
            (1_795_514_400.5, "2026-11-24T10:00:00.5Z"),
            (1_795_514_401.0, "2026-11-24T10:00:01Z"),
            (1_795_557_599.0, "2026-11-24T21:59:59Z"),
            (1_795_564_799.75, "2026-11-24T23:59:59.75Z"),
            (1_795_564_800.0, "2026-11-25T00:00:00Z"),
            (1_795_514_400.0, "2026-11-24T10:00:00Z"),
            (MAX_TS, "9999-12-31T23:59:59Z"),
        ] {
            assert_eq!(ts.format(t), text);
        }
        assert_eq!(
            call(r#"{"tool":"t","ts":"2026-11-24T10:00:00.1Z"}"#).ts,
            Some(1_795_514_400.1)
        );
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

    #[test]
    fn invalid_utf8_is_located() {
        let mut tape = Tape::default();
        for (bytes, column) in [
            (&b"{\"tool\":\"\xff\"}"[..], 10),
            (b"{\"tool\":\"\xc3\xa9\xc3\"}", 11),
            (b"{\"tool\":\"t\"}\xed\xa0\x80", 13),
        ] {
            let e = parse_line(bytes, &mut tape).unwrap_err();
            assert_eq!(e.column, column, "{bytes:?}");
            assert!(e.message.contains("UTF-8"));
        }
    }

    #[test]
    fn wrong_types_are_located() {
        let e = parse(r#"{"tool": 5}"#).unwrap_err();
        assert_eq!(e.column, 10);
        for bad in [
            r#"{"grant":1,"tool":"t"}"#,
            r#"{"tool":"t","args":[]}"#,
            r#"{"tool":"t","outcome":"failed"}"#,
            r#"{"tool":"t","expect":"maybe"}"#,
            r#"{"tool":"t","grant":null}"#,
            r#"[1]"#,
            r#"{"tool":"t","tool":"u"}"#,
            r#"{"tool":"t""#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn json_rpc_messages() {
        let c = call(
            r#"{"jsonrpc":"2.0","id":1.0,"method":"tools/call","params":{"name":"nav","arguments":{"u":1}}}"#,
        );
        assert_eq!(c.id, Some(RpcId::from_number(1.0)));
        assert_eq!(c.grant, "default");
        assert!(matches!(
            parse(r#"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}"#),
            Ok(Event::Skipped)
        ));
        assert!(matches!(
            parse(r#"{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"x"}}"#),
            Ok(Event::Skipped)
        ));
        assert!(matches!(
            parse(r#"{"jsonrpc":"2.0","id":1,"result":{"isError":true}}"#),
            Ok(Event::Response { failed: true, .. })
        ));
        assert!(matches!(
            parse(r#"{"jsonrpc":"2.0","id":"1","result":{}}"#),
            Ok(Event::Response { failed: false, .. })
        ));
        assert!(
            parse(r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":3}}"#).is_err()
        );
    }
}
