//! The strict JSON parser that keeps the span of every value, for policies, catalogues and
//! the located errors of trace lines.
//!
//! serde_json silently keeps the last of two duplicate keys, accepts numbers that lose
//! precision and forgets positions; policies and traces need all three, so one small
//! recursive-descent parser serves both. It rejects comments and trailing commas with a
//! message saying so, reports every duplicate key, and limits nesting so no input can
//! overflow the stack.

use super::{short_escape, Member, Node, Number, Value, MAX_SAFE_INT};
use crate::source::Span;

/// Members of one object past which duplicate keys are found through an index.
const INDEX_AT: usize = 16;

/// Why a text is not the JSON we accept.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
    pub help: String,
    /// Where the first of two duplicate keys stands.
    pub first: Option<Span>,
}

/// The parse result: a tree, or the first syntax error; duplicate keys are collected
/// alongside a tree because parsing can go on past them.
pub struct Parsed {
    pub root: Option<Node>,
    pub errors: Vec<ParseError>,
}

/// Parses one complete JSON text (surrounding whitespace allowed).
pub fn parse(text: &str) -> Parsed {
    let mut p = Parser {
        src: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
        max_depth: super::max_depth(),
        errors: Vec::new(),
    };
    let root = p.document();
    Parsed {
        root,
        errors: p.errors,
    }
}

/// Parses and fails on the first error of any kind: what a trace line needs.
pub fn parse_strict(text: &str) -> Result<Node, ParseError> {
    let mut parsed = parse(text);
    match (parsed.errors.is_empty(), parsed.root) {
        (true, Some(root)) => Ok(root),
        _ => Err(parsed.errors.swap_remove(0)),
    }
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
    max_depth: usize,
    errors: Vec<ParseError>,
}

/// A syntax error stops parsing; the message is already in `errors`.
struct Stop;

type Step<T> = Result<T, Stop>;

impl<'a> Parser<'a> {
    fn document(&mut self) -> Option<Node> {
        self.skip_ws().ok()?;
        if self.pos >= self.src.len() {
            self.fail_at(
                self.pos,
                "expected a JSON value, found the end of the input",
                "the input is empty",
            );
            return None;
        }
        let root = self.value().ok()?;
        self.skip_ws().ok()?;
        if self.pos < self.src.len() {
            let end = self.char_end(self.pos);
            self.fail(
                Span::new(self.pos, end),
                "unexpected text after the JSON value",
                "a file holds exactly one JSON value; remove what follows it",
            );
            return None;
        }
        Some(root)
    }

    fn fail(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) -> Stop {
        self.errors.push(ParseError {
            span,
            message: message.into(),
            help: help.into(),
            first: None,
        });
        Stop
    }

    fn fail_at(&mut self, pos: usize, message: impl Into<String>, help: impl Into<String>) -> Stop {
        let end = self.char_end(pos);
        self.fail(Span::new(pos, end), message, help)
    }

    /// End of the character starting at `pos` (for one-character labels).
    fn char_end(&self, pos: usize) -> usize {
        self.text
            .get(pos..)
            .and_then(|s| s.chars().next())
            .map_or(pos, |c| pos + c.len_utf8())
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn skip_ws(&mut self) -> Step<()> {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'/' if matches!(self.src.get(self.pos + 1), Some(b'/' | b'*')) => {
                    let start = self.pos;
                    let end = self.comment_end(start);
                    return Err(self.fail(
                        Span::new(start, end),
                        "comments are not allowed in JSON",
                        "remove the comment; to document a rule, use its \"message\" field",
                    ));
                }
                _ => break,
            }
        }
        Ok(())
    }

    fn comment_end(&self, start: usize) -> usize {
        let rest = &self.text[start..];
        let len = if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else {
            rest.find("*/").map_or(rest.len(), |i| i + 2)
        };
        start + len
    }

    fn value(&mut self) -> Step<Node> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'\'') => {
                return Err(self.fail_at(
                    start,
                    "strings must use double quotes",
                    "JSON strings are written \"like this\"",
                ))
            }
            Some(_) => {
                return Err(self.fail_at(
                    start,
                    "expected a JSON value",
                    "a value is an object, array, string, number, true, false or null",
                ))
            }
            None => {
                return Err(self.fail_at(
                    start,
                    "unexpected end of input, expected a value",
                    "the text is cut short",
                ))
            }
        };
        Ok(Node {
            value,
            span: Span::new(start, self.pos),
        })
    }

    fn literal(&mut self, word: &str, value: Value) -> Step<Value> {
        if self.src[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            let end = self.src[self.pos..]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .map_or(self.src.len(), |n| self.pos + n.max(1));
            let end = end.max(self.char_end(self.pos));
            Err(self.fail(
                Span::new(self.pos, end),
                "expected a JSON value",
                "bare words are not JSON; quote strings, and write true, false or null in lower case",
            ))
        }
    }

    fn enter(&mut self) -> Step<()> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(self.fail_at(
                self.pos,
                format!("nesting deeper than {} levels", self.max_depth),
                "no policy or trace needs this depth, so the input is probably not what you meant; \
                 `--max-depth` raises the limit",
            ));
        }
        Ok(())
    }

    fn object(&mut self) -> Step<Value> {
        self.enter()?;
        self.pos += 1; // '{'
        let mut members: Vec<Member> = Vec::new();
        let mut seen: std::collections::HashMap<String, Span> = std::collections::HashMap::new();
        self.skip_ws()?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws()?;
            let key_start = self.pos;
            match self.peek() {
                Some(b'"') => {}
                Some(b'}') if !members.is_empty() => {
                    return Err(self.trailing_comma(key_start));
                }
                Some(_) => {
                    return Err(self.fail_at(
                        key_start,
                        "expected a double-quoted key",
                        "object keys are JSON strings: \"key\": value",
                    ))
                }
                None => {
                    return Err(self.fail_at(
                        key_start,
                        "unexpected end of input inside an object",
                        "close it with `}`",
                    ))
                }
            }
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_ws()?;
            if self.peek() != Some(b':') {
                return Err(self.fail_at(
                    self.pos,
                    "expected `:` after the key",
                    "write \"key\": value",
                ));
            }
            self.pos += 1;
            self.skip_ws()?;
            let value = self.value()?;
            // A scan for small objects; an index once an object is large (a policy with
            // 20,000 tools must not cost 20,000² comparisons).
            if members.len() >= INDEX_AT && seen.is_empty() {
                seen.extend(members.iter().map(|m| (m.key.clone(), m.key_span)));
            }
            let first = if seen.is_empty() {
                members.iter().find(|m| m.key == key).map(|m| m.key_span)
            } else {
                seen.get(&key).copied()
            };
            if let Some(first) = first {
                self.errors.push(ParseError {
                    span: key_span,
                    message: format!("duplicate key \"{key}\""),
                    help: "JSON readers disagree on which copy wins; keep exactly one".into(),
                    first: Some(first),
                });
            } else {
                if !seen.is_empty() {
                    seen.insert(key.clone(), key_span);
                }
                members.push(Member {
                    key,
                    key_span,
                    value,
                });
            }
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => {
                    return Err(self.fail_at(
                        self.pos,
                        "expected `,` or `}` after an object member",
                        "separate members with commas",
                    ))
                }
                None => {
                    return Err(self.fail_at(
                        self.pos,
                        "unexpected end of input inside an object",
                        "close it with `}`",
                    ))
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Object(members))
    }

    /// A comma followed by a closing bracket: point at the comma, which is what to delete.
    fn trailing_comma(&mut self, close: usize) -> Stop {
        let comma = self.text[..close].rfind(',').unwrap_or(close);
        self.fail(
            Span::new(comma, comma + 1),
            "trailing comma",
            "JSON does not allow a comma before `}` or `]`; remove it",
        )
    }

    fn array(&mut self) -> Step<Value> {
        self.enter()?;
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws()?;
            if self.peek() == Some(b']') && !items.is_empty() {
                return Err(self.trailing_comma(self.pos));
            }
            items.push(self.value()?);
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => {
                    return Err(self.fail_at(
                        self.pos,
                        "expected `,` or `]` after an array item",
                        "separate items with commas",
                    ))
                }
                None => {
                    return Err(self.fail_at(
                        self.pos,
                        "unexpected end of input inside an array",
                        "close it with `]`",
                    ))
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    fn string(&mut self) -> Step<String> {
        let open = self.pos;
        self.pos += 1; // '"'
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.src.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => {
                    return Err(self.fail_at(
                        self.pos,
                        "control character inside a string",
                        "write newlines and tabs as \\n and \\t",
                    ))
                }
                None => {
                    return Err(self.fail(
                        Span::new(open, self.pos),
                        "unterminated string",
                        "close the string with `\"`",
                    ))
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Step<()> {
        let start = self.pos;
        self.pos += 1; // '\\'
        let c = match self.peek().map(|b| (b, short_escape(b))) {
            Some((_, Some(c))) => c,
            Some((b'u', None)) => {
                self.pos += 1;
                let hi = self.hex4(start)?;
                let c = if (0xD800..0xDC00).contains(&hi) {
                    if !self.src[self.pos..].starts_with(b"\\u") {
                        return Err(self.lone_surrogate(start));
                    }
                    self.pos += 2;
                    let lo = self.hex4(start)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.lone_surrogate(start));
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else if (0xDC00..0xE000).contains(&hi) {
                    return Err(self.lone_surrogate(start));
                } else {
                    hi
                };
                match char::from_u32(c) {
                    Some(c) => out.push(c),
                    None => return Err(self.lone_surrogate(start)),
                }
                return Ok(());
            }
            _ => {
                let end = self.char_end(self.pos);
                return Err(self.fail(
                    Span::new(start, end),
                    "invalid escape in string",
                    "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX",
                ));
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self, start: usize) -> Step<u32> {
        let digits = self.src.get(self.pos..self.pos + 4);
        let parsed = digits
            .filter(|d| d.iter().all(u8::is_ascii_hexdigit))
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok());
        match parsed {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => {
                let end = (self.pos + 4).min(self.src.len()).max(self.pos);
                let end = if self.text.is_char_boundary(end) {
                    end
                } else {
                    self.pos
                };
                Err(self.fail(
                    Span::new(start, end),
                    "invalid \\u escape",
                    "\\u takes exactly four hexadecimal digits",
                ))
            }
        }
    }

    fn lone_surrogate(&mut self, start: usize) -> Stop {
        self.fail(
            Span::new(start, self.pos),
            "unpaired UTF-16 surrogate in \\u escape",
            "a surrogate \\uD800-\\uDFFF must be followed by its pair",
        )
    }

    fn number(&mut self) -> Step<Number> {
        let start = self.pos;
        let mut integral = true;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(
                        self.bad_number(start, "leading zeros are not allowed in JSON numbers")
                    );
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.bad_number(start, "a number needs digits")),
        }
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.bad_number(start, "a decimal point must be followed by digits"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integral = false;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.bad_number(start, "an exponent must have digits"));
            }
            self.digits();
        }
        let literal = &self.text[start..self.pos];
        let value: f64 = literal
            .parse()
            .map_err(|_| self.bad_number(start, "not a valid number"))?;
        if !value.is_finite() {
            return Err(self.bad_number(start, "number out of range"));
        }
        let int = if integral {
            literal
                .parse::<i64>()
                .ok()
                .filter(|i| i.abs() <= MAX_SAFE_INT)
        } else {
            None
        };
        Ok(Number {
            value,
            int,
            big_int: integral && int.is_none(),
        })
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn bad_number(&mut self, start: usize, help: &str) -> Stop {
        let mut end = self.pos.max(start + 1);
        while matches!(
            self.src.get(end),
            Some(b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
        ) {
            end += 1;
        }
        let end = end.min(self.src.len());
        self.fail(Span::new(start, end), "invalid number", help)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ParseError {
        match parse_strict(text) {
            Ok(_) => panic!("{text:?} parsed"),
            Err(e) => e,
        }
    }

    #[test]
    fn parses_nested_values_with_spans() {
        let n = parse_strict(r#" {"a": [1, 2.5, "x\u00e9"], "b": null} "#).unwrap();
        assert_eq!(n.span, Span::new(1, 38));
        let a = n.value.get("a").unwrap();
        assert_eq!(
            &r#" {"a": [1, 2.5, "x\u00e9"], "b": null} "#[a.span.start..a.span.end],
            r#"[1, 2.5, "x\u00e9"]"#
        );
        let items = a.value.as_array().unwrap();
        assert_eq!(items[2].value.as_str(), Some("xé"));
        assert!(matches!(n.value.get("b").unwrap().value, Value::Null));
    }

    #[test]
    fn integers_are_exact_or_flagged() {
        let n = |t: &str| match parse_strict(t).unwrap().value {
            Value::Number(n) => n,
            _ => unreachable!(),
        };
        assert_eq!(n("30").as_int(), Some(30));
        assert_eq!(n("30.0").as_int(), None);
        assert_eq!(n("1e3").as_int(), None);
        assert_eq!(n("9007199254740992").as_int(), Some(MAX_SAFE_INT));
        assert!(n("9007199254740993")
            .int_problem()
            .unwrap()
            .contains("2^53"));
        assert_eq!(n("1"), n("1.0"));
    }

    #[test]
    fn rejects_comments_and_trailing_commas_with_a_reason() {
        assert_eq!(
            err("{\"a\": 1, // x\n}").message,
            "comments are not allowed in JSON"
        );
        assert_eq!(err("/* x */ {}").span, Span::new(0, 7));
        let e = err("{\"a\": 1,}");
        assert_eq!(
            (e.message.as_str(), e.span),
            ("trailing comma", Span::new(7, 8))
        );
        assert_eq!(err("[1, 2, ]").span, Span::new(5, 6));
    }

    #[test]
    fn reports_every_duplicate_key_and_keeps_parsing() {
        let p = parse(r#"{"a": 1, "a": 2, "b": {"c": 1, "c": 2}}"#);
        assert!(p.root.is_some());
        assert_eq!(p.errors.len(), 2);
        assert_eq!(p.errors[0].span, Span::new(9, 12));
        assert_eq!(p.errors[0].first, Some(Span::new(1, 4)));
    }

    #[test]
    fn malformed_inputs_error_without_panicking() {
        for text in [
            "",
            "{",
            "[",
            "\"abc",
            "{\"a\"}",
            "{\"a\":}",
            "[1 2]",
            "01",
            "1.",
            "-",
            "1e",
            "tru",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "{} {}",
            "'a'",
            "{a: 1}",
            "\"\t\"",
            "NaN",
            "1e999",
            "[\"é",
            "\"\\ud800\\u0041\"",
        ] {
            let _ = err(text);
        }
        let deep = "[".repeat(100_000);
        assert!(err(&deep).message.contains("nesting"));
    }

    #[test]
    fn deep_eq_is_order_insensitive_for_objects() {
        let a = parse_strict(r#"{"x": 1, "y": [1, {"z": 2}]}"#).unwrap();
        let b = parse_strict(r#"{"y": [1.0, {"z": 2e0}], "x": 1}"#).unwrap();
        assert!(a.value.deep_eq(&b.value));
        let c = parse_strict(r#"{"y": [{"z": 2}, 1], "x": 1}"#).unwrap();
        assert!(!a.value.deep_eq(&c.value));
    }
}
