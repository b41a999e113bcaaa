//! Trace lines (SPEC §3): canonical call records and MCP JSON-RPC messages, each parsed
//! from one line into an [`Event`] or a located [`Malformed`] error.

use std::fmt;

use crate::diagnostic::Diagnostic;
use crate::engine::{ArgValue, Decision, Leaf, Reason};
use crate::json;
use crate::json::tape::{Arg, Tape};
use crate::source::{SourceFile, Span};
use crate::timestamp::{parse_rfc3339, MAX_TS};

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
    /// A whole number. Kept as itself, not as its `f64` bits: those of 1, 2, 3… end in 40
    /// to 52 zeros, which the map's hash cannot spread, and a log of a million calls
    /// pending under such ids took minutes.
    Integer(i64),
    /// Any other number, as its `f64` bits.
    Number(u64),
    String(String),
}

impl RpcId {
    fn from_number(n: f64) -> RpcId {
        // -0.0 and 0.0 are the same JSON value (`as` keeps both as 0).
        if n.fract() == 0.0 && n.abs() < 9.2e18 {
            RpcId::Integer(n as i64)
        } else {
            RpcId::Number(n.to_bits())
        }
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

impl Malformed {
    /// The error as a diagnostic at its place in the trace (a long line is cut around it).
    pub fn diagnostic(&self, file: &str, line: usize, text: &str) -> Diagnostic {
        let at = text
            .char_indices()
            .nth(self.column.saturating_sub(1))
            .map_or(text.len(), |(i, _)| i);
        let (src, offset) = SourceFile::line_excerpt(file, text, line, at);
        let end = src.text()[offset..]
            .chars()
            .next()
            .map_or(offset, |c| offset + c.len_utf8());
        Diagnostic::error(
            "trace",
            &src,
            Span::new(offset, end),
            format!("malformed trace line: {}", self.message),
        )
        .with_help("a line is a JSON call record or an MCP JSON-RPC message; --keep-going reports every bad line and goes on")
    }
}

/// Parses one trace line (without its line terminator) into `tape`, which the returned
/// event borrows.
pub fn parse_line<'a>(line: &'a [u8], tape: &'a mut Tape) -> Result<Event<'a>, Malformed> {
    match parse_text(line, tape)? {
        None => Ok(Event::Blank),
        Some(text) => Ok(interpret(text, tape)?.into_event()),
    }
}

/// The blank check, the encoding and the JSON of a line: its text, parsed into `tape`, or
/// `None` for a blank line.
fn parse_text<'a>(line: &'a [u8], tape: &mut Tape) -> Result<Option<&'a str>, Malformed> {
    // Only a line that starts with whitespace (Unicode's included) can be blank.
    if line
        .first()
        .is_none_or(|&b| b.is_ascii_whitespace() || b >= 0x80)
        && std::str::from_utf8(line).is_ok_and(|t| t.trim().is_empty())
    {
        return Ok(None);
    }
    let text = std::str::from_utf8(line).map_err(|e| Malformed {
        column: column(line, e.valid_up_to()),
        message: "the line is not valid UTF-8".into(),
    })?;
    if tape.parse(text).is_err() {
        return Err(syntax_error(text));
    }
    Ok(Some(text))
}

/// What [`prepare`] made of a line: everything that needs no state of the run, so that
/// lines can be prepared on other threads while earlier ones are decided.
#[derive(Debug)]
pub enum Prepared {
    Blank,
    /// The line's event, read from `tape`; [`bind`] turns it into an [`Event`].
    Ready(Interpreted),
    Bad(Malformed),
}

/// A line's event with its strings and arguments as positions on the line's tape: owned,
/// so a line read on one thread can be decided on another.
#[derive(Debug)]
pub enum Interpreted {
    Call(CallAt),
    Response { id: RpcId, failed: bool },
    Request(RpcId),
    Skipped,
}

/// A [`CallRecord`] with tape positions for its strings and arguments.
#[derive(Debug)]
pub struct CallAt {
    ts: Option<f64>,
    /// `None`: the default grant.
    grant: Option<u32>,
    tool: u32,
    args: u32,
    failed: bool,
    expect: Option<Expect>,
    id: Option<RpcId>,
}

/// The [`Event`] of a line [`prepare`] read into `tape`.
pub fn bind<'a>(line: &'a str, tape: &'a Tape, it: Interpreted) -> Event<'a> {
    match it {
        Interpreted::Call(c) => Event::Call(CallRecord {
            ts: c.ts,
            grant: c
                .grant
                .and_then(|g| tape.arg(line, g).as_str())
                .unwrap_or("default"),
            tool: tape.arg(line, c.tool).as_str().unwrap_or_default(),
            args: tape.arg(line, c.args),
            failed: c.failed,
            expect: c.expect,
            id: c.id,
        }),
        Interpreted::Response { id, failed } => Event::Response { id, failed },
        Interpreted::Request(id) => Event::Request(id),
        Interpreted::Skipped => Event::Skipped,
    }
}

/// Checks a line's encoding and parses it into `tape`.
pub fn prepare(line: &[u8], tape: &mut Tape) -> Prepared {
    match parse_text(line, tape) {
        Ok(None) => Prepared::Blank,
        Ok(Some(text)) => match interpret(text, tape) {
            Ok(read) => Prepared::Ready(read.detach()),
            Err(m) => Prepared::Bad(m),
        },
        Err(m) => Prepared::Bad(m),
    }
}

/// A line's event as read, its strings and arguments still nodes of the tape: made into
/// an [`Event`] where it is read, or detached as an [`Interpreted`] for another thread.
enum Read<'a> {
    Call {
        ts: Option<f64>,
        grant: Option<Arg<'a>>,
        tool: Arg<'a>,
        args: Arg<'a>,
        failed: bool,
        expect: Option<Expect>,
        id: Option<RpcId>,
    },
    Response {
        id: RpcId,
        failed: bool,
    },
    Request(RpcId),
    Skipped,
}

impl<'a> Read<'a> {
    fn into_event(self) -> Event<'a> {
        match self {
            Read::Call {
                ts,
                grant,
                tool,
                args,
                failed,
                expect,
                id,
            } => Event::Call(CallRecord {
                ts,
                grant: grant.and_then(Arg::as_str).unwrap_or("default"),
                tool: tool.as_str().unwrap_or_default(),
                args,
                failed,
                expect,
                id,
            }),
            Read::Response { id, failed } => Event::Response { id, failed },
            Read::Request(id) => Event::Request(id),
            Read::Skipped => Event::Skipped,
        }
    }

    fn detach(self) -> Interpreted {
        match self {
            Read::Call {
                ts,
                grant,
                tool,
                args,
                failed,
                expect,
                id,
            } => Interpreted::Call(CallAt {
                ts,
                grant: grant.map(Arg::index),
                tool: tool.index(),
                args: args.index(),
                failed,
                expect,
                id,
            }),
            Read::Response { id, failed } => Interpreted::Response { id, failed },
            Read::Request(id) => Interpreted::Request(id),
            Read::Skipped => Interpreted::Skipped,
        }
    }
}

/// The event of a line parsed into `tape`.
fn interpret<'a>(line: &'a str, tape: &'a Tape) -> Result<Read<'a>, Malformed> {
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
        Some(n) if n.is_str() => n,
        Some(n) => {
            return Err(bad(
                n,
                format!("`tool` must be a string, found {}", n.type_name()),
            ))
        }
        None => {
            return Err(bad(
                root,
                "missing `tool`: every call record names its tool".into(),
            ))
        }
    };
    let grant = match grant {
        None => None,
        Some(n) if n.is_str() => Some(n),
        Some(n) => {
            return Err(bad(
                n,
                format!("`grant` must be a string, found {}", n.type_name()),
            ))
        }
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
    Ok(Read::Call {
        ts,
        grant,
        tool,
        args,
        failed,
        expect,
        id: None,
    })
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
) -> Result<Read<'a>, Malformed> {
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
                Some(n) if n.is_str() => n,
                Some(n) => {
                    return Err(bad(
                        n,
                        format!("`params.name` must be a string, found {}", n.type_name()),
                    ))
                }
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
            Ok(Read::Call {
                ts: None,
                grant: None,
                tool,
                args,
                failed: false,
                expect: None,
                id: Some(id),
            })
        }
        (None, Some(id)) if root.get("result").is_some() || root.get("error").is_some() => {
            let is_error = root.get("result").and_then(|r| r.get("isError"));
            let failed = root.get("error").is_some()
                || matches!(is_error.map(ArgValue::leaf), Some(Leaf::Bool(true)));
            Ok(Read::Response { id, failed })
        }
        (Some(_), Some(id)) => Ok(Read::Request(id)),
        _ => Ok(Read::Skipped),
    }
}

/// A `ts` as seconds since the epoch: RFC 3339 text or a number of seconds.
fn timestamp(n: Arg) -> Result<f64, String> {
    let t = match n.leaf() {
        Leaf::Number(x) => x,
        Leaf::String(s) => parse_rfc3339(s)
            .map_err(|e| format!("`ts` \"{s}\" is not an RFC 3339 timestamp ({e})"))?,
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

/// 1-based character column of a byte offset within one line.
fn column(line: &[u8], offset: usize) -> usize {
    let before = line.get(..offset).unwrap_or(line);
    String::from_utf8_lossy(before).chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::{format_ts, TsText};

    /// Numeric ids 1, 2, 3… spread over a hash table's buckets (picked by the hash's low
    /// bits), so a log of many pending calls stays linear.
    #[test]
    fn numeric_ids_spread_over_buckets() {
        use std::collections::HashSet;
        use std::hash::{BuildHasher, BuildHasherDefault};
        let build = BuildHasherDefault::<crate::engine::hash::FxHasher>::default();
        let buckets: HashSet<u64> = (1..=4096u32)
            .map(|i| build.hash_one(RpcId::from_number(f64::from(i))) & 0xfff)
            .collect();
        assert!(buckets.len() > 1500, "{} buckets of 4096", buckets.len());
        assert_eq!(RpcId::from_number(-0.0), RpcId::from_number(0.0));
        assert_ne!(RpcId::from_number(1.0), RpcId::from_number(2.0));
    }

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
