//! Trace lines (SPEC §3): canonical call records and MCP JSON-RPC messages, each parsed
//! from one line into an [`Event`] or a located [`Malformed`] error.

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::engine::{Decision, Reason};
use crate::json::{self, Node, Value};

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

/// One call to evaluate.
#[derive(Debug)]
pub struct CallRecord {
    /// Seconds since the epoch, when the line carries a `ts`.
    pub ts: Option<f64>,
    pub grant: String,
    pub tool: String,
    pub args: Value,
    /// `"outcome": "error"`: the call failed upstream and gives its quota back.
    pub failed: bool,
    pub expect: Option<Expect>,
    /// The JSON-RPC request id, whose later error response rolls the call back.
    pub id: Option<RpcId>,
}

#[derive(Debug)]
pub enum Event {
    Blank,
    Call(CallRecord),
    /// A JSON-RPC response settling (or, `failed`, rolling back) a pending call.
    Response {
        id: RpcId,
        failed: bool,
    },
    /// Other JSON-RPC messages: counted in `skipped`.
    Skipped,
}

/// A line that is not a valid record: where (1-based column) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    pub column: usize,
    pub message: String,
}

/// Parses one trace line (without its line terminator).
pub fn parse_line(line: &str) -> Result<Event, Malformed> {
    if line.trim().is_empty() {
        return Ok(Event::Blank);
    }
    let node = json::parse_strict(line).map_err(|e| Malformed {
        column: column(line, e.span.start),
        message: e.message,
    })?;
    let bad = |n: &Node, message: String| Malformed {
        column: column(line, n.span.start),
        message,
    };
    let Value::Object(_) = node.value else {
        return Err(bad(
            &node,
            format!(
                "a trace line is a JSON object, found {}",
                node.value.type_name()
            ),
        ));
    };
    if node.value.get("jsonrpc").is_some() {
        return rpc(&node, &bad);
    }
    let v = &node.value;
    let tool = match v.get("tool") {
        Some(Node {
            value: Value::String(s),
            ..
        }) => s.clone(),
        Some(n) => {
            return Err(bad(
                n,
                format!("`tool` must be a string, found {}", n.value.type_name()),
            ))
        }
        None => {
            return Err(bad(
                &node,
                "missing `tool`: every call record names its tool".into(),
            ))
        }
    };
    let grant = match v.get("grant") {
        None => "default".to_string(),
        Some(Node {
            value: Value::String(s),
            ..
        }) => s.clone(),
        Some(n) => {
            return Err(bad(
                n,
                format!("`grant` must be a string, found {}", n.value.type_name()),
            ))
        }
    };
    let args = match v.get("args") {
        None => Value::Object(Vec::new()),
        Some(
            n @ Node {
                value: Value::Object(_),
                ..
            },
        ) => n.value.clone(),
        Some(n) => {
            return Err(bad(
                n,
                format!("`args` must be an object, found {}", n.value.type_name()),
            ))
        }
    };
    let ts = match v.get("ts") {
        None => None,
        Some(n) => Some(timestamp(n).map_err(|m| bad(n, m))?),
    };
    let failed = match v.get("outcome") {
        None => false,
        Some(Node {
            value: Value::String(s),
            ..
        }) if s == "ok" => false,
        Some(Node {
            value: Value::String(s),
            ..
        }) if s == "error" => true,
        Some(n) => {
            return Err(bad(
                n,
                format!("`outcome` must be \"ok\" or \"error\", found {}", n.value),
            ))
        }
    };
    let expect = match v.get("expect") {
        None => None,
        Some(n) => match n.value.as_str().and_then(Expect::parse) {
            Some(e) => Some(e),
            None => {
                return Err(bad(
                    n,
                    format!(
                        "`expect` must be allow, deny, approve or a deny reason ({}), found {}",
                        Reason::ALL.map(Reason::as_str).join(", "),
                        n.value
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

/// A JSON-RPC message: `tools/call` requests are calls, responses may roll one back,
/// everything else is skipped.
fn rpc(node: &Node, bad: &dyn Fn(&Node, String) -> Malformed) -> Result<Event, Malformed> {
    let v = &node.value;
    let id = match v.get("id") {
        None
        | Some(Node {
            value: Value::Null, ..
        }) => None,
        Some(Node {
            value: Value::Number(n),
            ..
        }) => Some(RpcId::from_number(n.as_f64())),
        Some(Node {
            value: Value::String(s),
            ..
        }) => Some(RpcId::String(s.clone())),
        Some(n) => {
            return Err(bad(
                n,
                format!(
                    "a JSON-RPC id is a number, string or null, found {}",
                    n.value.type_name()
                ),
            ))
        }
    };
    let method = match v.get("method") {
        None => None,
        Some(Node {
            value: Value::String(s),
            ..
        }) => Some(s.as_str()),
        Some(n) => {
            return Err(bad(
                n,
                format!("`method` must be a string, found {}", n.value.type_name()),
            ))
        }
    };
    match (method, id) {
        (Some("tools/call"), Some(id)) => {
            let params = match v.get("params") {
                Some(
                    n @ Node {
                        value: Value::Object(_),
                        ..
                    },
                ) => n,
                Some(n) => {
                    return Err(bad(
                        n,
                        format!("`params` must be an object, found {}", n.value.type_name()),
                    ))
                }
                None => {
                    return Err(bad(
                        node,
                        "a tools/call request needs `params` with the tool's `name`".into(),
                    ))
                }
            };
            let tool = match params.value.get("name") {
                Some(Node {
                    value: Value::String(s),
                    ..
                }) => s.clone(),
                Some(n) => {
                    return Err(bad(
                        n,
                        format!(
                            "`params.name` must be a string, found {}",
                            n.value.type_name()
                        ),
                    ))
                }
                None => {
                    return Err(bad(
                        params,
                        "a tools/call request needs `params.name`".into(),
                    ))
                }
            };
            let args = match params.value.get("arguments") {
                None => Value::Object(Vec::new()),
                Some(
                    n @ Node {
                        value: Value::Object(_),
                        ..
                    },
                ) => n.value.clone(),
                Some(n) => {
                    return Err(bad(
                        n,
                        format!(
                            "`params.arguments` must be an object, found {}",
                            n.value.type_name()
                        ),
                    ))
                }
            };
            Ok(Event::Call(CallRecord {
                ts: None,
                grant: "default".into(),
                tool,
                args,
                failed: false,
                expect: None,
                id: Some(id),
            }))
        }
        (None, Some(id)) if v.get("result").is_some() || v.get("error").is_some() => {
            let is_error = v.get("result").and_then(|r| r.value.get("isError"));
            let failed = v.get("error").is_some()
                || matches!(
                    is_error,
                    Some(Node {
                        value: Value::Bool(true),
                        ..
                    })
                );
            Ok(Event::Response { id, failed })
        }
        _ => Ok(Event::Skipped),
    }
}

/// A `ts` as seconds since the epoch: RFC 3339 text or a number of seconds.
fn timestamp(n: &Node) -> Result<f64, String> {
    let t = match &n.value {
        Value::Number(x) => x.as_f64(),
        Value::String(s) => {
            let dt = OffsetDateTime::parse(s, &Rfc3339)
                .map_err(|e| format!("`ts` \"{s}\" is not an RFC 3339 timestamp ({e})"))?;
            dt.unix_timestamp_nanos() as f64 / 1e9
        }
        other => {
            return Err(format!(
                "`ts` must be an RFC 3339 string or UNIX seconds, found {}",
                other.type_name()
            ))
        }
    };
    if !(0.0..=MAX_TS).contains(&t) {
        return Err(format!(
            "`ts` {} is outside 1970-01-01T00:00:00Z … 9999-12-31T23:59:59Z",
            n.value
        ));
    }
    Ok(t)
}

/// Formats seconds since the epoch as RFC 3339 UTC, with a fraction only when there is one.
pub fn format_ts(t: f64) -> String {
    let nanos = (t * 1e9).round() as i128;
    match OffsetDateTime::from_unix_timestamp_nanos(nanos) {
        Ok(dt) => {
            let (y, mo, d) = (dt.year(), dt.month() as u8, dt.day());
            let (h, mi, s, ns) = (dt.hour(), dt.minute(), dt.second(), dt.nanosecond());
            let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            if ns != 0 {
                let frac = format!("{ns:09}");
                out.push('.');
                out.push_str(frac.trim_end_matches('0'));
            }
            out.push('Z');
            out
        }
        Err(_) => t.to_string(),
    }
}

/// 1-based character column of a byte offset within one line.
fn column(line: &str, offset: usize) -> usize {
    line.get(..offset).map_or(offset, |s| s.chars().count()) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(line: &str) -> CallRecord {
        match parse_line(line) {
            Ok(Event::Call(c)) => c,
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn canonical_records_take_defaults() {
        let c = call(r#"{"tool":"snapshot"}"#);
        assert_eq!(
            (c.grant.as_str(), c.ts, c.failed, c.expect),
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
            assert!(parse_line(bad).is_err(), "{bad}");
        }
        assert_eq!(format_ts(1_795_514_400.0), "2026-11-24T10:00:00Z");
        assert_eq!(format_ts(1.25), "1970-01-01T00:00:01.25Z");
    }

    #[test]
    fn wrong_types_are_located() {
        let e = parse_line(r#"{"tool": 5}"#).unwrap_err();
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
            assert!(parse_line(bad).is_err(), "{bad}");
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
            parse_line(r#"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}"#),
            Ok(Event::Skipped)
        ));
        assert!(matches!(
            parse_line(
                r#"{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"x"}}"#
            ),
            Ok(Event::Skipped)
        ));
        assert!(matches!(
            parse_line(r#"{"jsonrpc":"2.0","id":1,"result":{"isError":true}}"#),
            Ok(Event::Response { failed: true, .. })
        ));
        assert!(matches!(
            parse_line(r#"{"jsonrpc":"2.0","id":"1","result":{}}"#),
            Ok(Event::Response { failed: false, .. })
        ));
        assert!(parse_line(
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":3}}"#
        )
        .is_err());
    }
}
