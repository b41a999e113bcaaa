//! Trace lines parsed into a flat tape that is reused from line to line: one node per JSON
//! value, strings left in the line unless they hold escapes, no allocation once the buffers
//! have grown. Building a tree of owned strings and vectors per line cost more than deciding
//! the call; the engine reads arguments through [`ArgValue`] instead.
//!
//! It accepts exactly what [`crate::json::parse_strict`] accepts (duplicate keys at any
//! depth, comments, trailing commas, lone surrogates, non-finite numbers and nesting past
//! [`max_depth`](super::max_depth) are errors), and on an error it only says so: the caller asks the strict
//! parser for the located message, which is rare and may be slow.

pub use super::arg::Arg;
use super::short_escape;

/// A string: a byte range of the line, or of [`Tape::decoded`] when it held escapes
/// (the top bit of `start` says which). Eight bytes, so it travels in registers.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Str {
    start: u32,
    end: u32,
}

const DECODED: u32 = 1 << 31;

impl Str {
    fn decoded(start: usize, end: usize) -> Str {
        Str {
            start: start as u32 | DECODED,
            end: end as u32,
        }
    }

    fn in_line(start: usize, end: usize) -> Str {
        Str {
            start: start as u32,
            end: end as u32,
        }
    }
}

/// A node's value, as read back from its compact form.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Null,
    Bool(bool),
    /// The value, and whether the literal was written as an integer a double holds exactly.
    Number(f64, bool),
    Str(Str),
    Array,
    Object,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Tag {
    Null,
    False,
    True,
    Number,
    Integer,
    Str,
    Array,
    Object,
}

/// One value, 32 bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Node {
    /// A number's bits, or a string's range (start in the high half).
    pub(super) payload: u64,
    /// The member's key, when the node is an object member.
    pub(super) key: Str,
    /// Index just past this node's subtree: the next sibling.
    pub(super) next: u32,
    /// Items of an array or members of an object.
    pub(super) len: u32,
    /// Byte offset of the value in the line, for error columns.
    pub(super) at: u32,
    pub(super) tag: Tag,
}

impl Node {
    pub(super) fn kind(&self) -> Kind {
        match self.tag {
            Tag::Null => Kind::Null,
            Tag::False => Kind::Bool(false),
            Tag::True => Kind::Bool(true),
            Tag::Number => Kind::Number(f64::from_bits(self.payload), false),
            Tag::Integer => Kind::Number(f64::from_bits(self.payload), true),
            Tag::Str => Kind::Str(Str {
                start: (self.payload >> 32) as u32,
                end: self.payload as u32,
            }),
            Tag::Array => Kind::Array,
            Tag::Object => Kind::Object,
        }
    }
}

/// The parsed form of one line; reuse it for the next with [`Tape::parse`].
#[derive(Debug, Default)]
pub struct Tape {
    pub(super) nodes: Vec<Node>,
    decoded: Vec<u8>,
    /// Member indices of a large object, sorted to find duplicate keys.
    scratch: Vec<u32>,
    /// An empty object after the line's nodes, standing for arguments a record leaves out.
    empty: u32,
}

/// The line is not JSON as the strict parser accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid;

type Step<T> = Result<T, Invalid>;

/// Up to this many members, duplicate keys are found by comparing each key with the ones
/// before it; larger objects sort their keys instead.
const LINEAR_DUPLICATE_CHECK: u32 = 16;

impl Tape {
    /// Parses `line` into this tape; the root is [`Tape::root`].
    pub fn parse(&mut self, line: &str) -> Result<(), Invalid> {
        self.nodes.clear();
        self.decoded.clear();
        // Offsets are 31 bits (see `Str`).
        if line.len() >= DECODED as usize {
            return Err(Invalid);
        }
        let mut p = Parser {
            src: line.as_bytes(),
            pos: 0,
            max_depth: super::max_depth(),
            tape: self,
        };
        p.ws();
        p.value(0, Str::default())?;
        p.ws();
        if p.pos != p.src.len() {
            return Err(Invalid);
        }
        let empty = p.push(Kind::Object, Str::default(), 0);
        self.empty = empty as u32;
        Ok(())
    }

    /// The root value of the parsed line.
    pub fn root<'a>(&'a self, line: &'a str) -> Arg<'a> {
        Arg {
            tape: self,
            line,
            i: 0,
        }
    }

    /// The value at `index` (from [`Arg::index`]) of the parsed line; an index the tape
    /// does not have gives the empty object.
    pub fn arg<'a>(&'a self, line: &'a str, index: u32) -> Arg<'a> {
        let i = if (index as usize) < self.nodes.len() {
            index
        } else {
            self.empty
        };
        Arg {
            tape: self,
            line,
            i,
        }
    }

    /// An empty object, standing for arguments a record leaves out.
    pub fn empty_object<'a>(&'a self, line: &'a str) -> Arg<'a> {
        Arg {
            tape: self,
            line,
            i: self.empty,
        }
    }

    pub(super) fn bytes<'a>(&'a self, line: &'a [u8], s: Str) -> &'a [u8] {
        let (text, start) = if s.start & DECODED != 0 {
            (self.decoded.as_slice(), s.start & !DECODED)
        } else {
            (line, s.start)
        };
        text.get(start as usize..s.end as usize).unwrap_or_default()
    }

    pub(super) fn str<'a>(&'a self, line: &'a str, s: Str) -> &'a str {
        if s.start & DECODED != 0 {
            // Decoded escapes are rare; their bytes were built from chars.
            std::str::from_utf8(self.bytes(line.as_bytes(), s)).unwrap_or_default()
        } else {
            line.get(s.start as usize..s.end as usize)
                .unwrap_or_default()
        }
    }
}

/// Byte equality that looks at length and first byte before calling `memcmp`: keys of one
/// object mostly differ there, and the call showed in profiles.
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.first() == b.first() && a == b
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that is below `n` (exact up to the lowest such byte,
/// which is all the callers use).
fn bytes_below(x: u64, n: u64) -> u64 {
    x.wrapping_sub(n * ONES) & !x & HIGHS
}

/// How many leading bytes need no attention in a JSON string: not `"`, `\` or a control
/// character. Eight bytes at a time, since strings are most of a trace line.
pub(crate) fn plain_prefix(bytes: &[u8]) -> usize {
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let x = u64::from_le_bytes(w);
        // Control characters (bytes past ASCII have the high bit set and never count), and
        // bytes equal to `"` or `\`.
        let special = bytes_below(x, 0x20)
            | bytes_below(x ^ (0x22 * ONES), 1)
            | bytes_below(x ^ (0x5C * ONES), 1);
        if special != 0 {
            return i + (special.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// Where `byte` first occurs, eight bytes at a time.
pub(crate) fn find_byte(bytes: &[u8], byte: u8) -> Option<usize> {
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let hits = bytes_below(u64::from_le_bytes(w) ^ (u64::from(byte) * ONES), 1);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i..].iter().position(|&b| b == byte).map(|p| i + p)
}

struct Parser<'t, 'l> {
    src: &'l [u8],
    pos: usize,
    max_depth: usize,
    tape: &'t mut Tape,
}

impl Parser<'_, '_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    /// Skips JSON whitespace; a comment is not whitespace and fails where it stands.
    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn push(&mut self, kind: Kind, key: Str, at: usize) -> usize {
        let (tag, payload) = match kind {
            Kind::Null => (Tag::Null, 0),
            Kind::Bool(false) => (Tag::False, 0),
            Kind::Bool(true) => (Tag::True, 0),
            Kind::Number(n, false) => (Tag::Number, n.to_bits()),
            Kind::Number(n, true) => (Tag::Integer, n.to_bits()),
            Kind::Str(s) => (Tag::Str, (u64::from(s.start) << 32) | u64::from(s.end)),
            Kind::Array => (Tag::Array, 0),
            Kind::Object => (Tag::Object, 0),
        };
        let i = self.tape.nodes.len();
        self.tape.nodes.push(Node {
            payload,
            key,
            next: i as u32 + 1,
            len: 0,
            at: at as u32,
            tag,
        });
        i
    }

    /// One value at nesting `depth`, as a member named `key` (or an array item).
    fn value(&mut self, depth: usize, key: Str) -> Step<()> {
        let at = self.pos;
        match self.peek() {
            Some(b'{') => self.object(depth + 1, key),
            Some(b'[') => self.array(depth + 1, key),
            Some(b'"') => {
                let s = self.string()?;
                self.push(Kind::Str(s), key, at);
                Ok(())
            }
            Some(b'-' | b'0'..=b'9') => {
                let (n, integral) = self.number()?;
                self.push(Kind::Number(n, integral), key, at);
                Ok(())
            }
            Some(b't') => self.literal(b"true", Kind::Bool(true), key),
            Some(b'f') => self.literal(b"false", Kind::Bool(false), key),
            Some(b'n') => self.literal(b"null", Kind::Null, key),
            _ => Err(Invalid),
        }
    }

    fn literal(&mut self, word: &[u8], kind: Kind, key: Str) -> Step<()> {
        if !self.src[self.pos..].starts_with(word) {
            return Err(Invalid);
        }
        self.push(kind, key, self.pos);
        self.pos += word.len();
        Ok(())
    }

    fn object(&mut self, depth: usize, key: Str) -> Step<()> {
        if depth > self.max_depth {
            return Err(Invalid);
        }
        let me = self.push(Kind::Object, key, self.pos);
        self.pos += 1; // '{'
        self.ws();
        let mut len = 0u32;
        // One bit per (length, first byte) of the keys so far: a key whose bit is clear
        // cannot repeat one, and most keys of an object differ there.
        let mut seen = 0u64;
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.ws();
                if self.peek() != Some(b'"') {
                    return Err(Invalid);
                }
                let k = self.string()?;
                self.ws();
                if self.peek() != Some(b':') {
                    return Err(Invalid);
                }
                self.pos += 1;
                self.ws();
                let bytes = self.tape.bytes(self.src, k);
                let bit = 1u64
                    << ((bytes.len() * 31 + usize::from(bytes.first().copied().unwrap_or(0))) % 64);
                if len < LINEAR_DUPLICATE_CHECK
                    && seen & bit != 0
                    && self.duplicate_before(me, len, k)
                {
                    return Err(Invalid);
                }
                seen |= bit;
                self.value(depth, k)?;
                len += 1;
                self.ws();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(Invalid),
                }
            }
        }
        let next = self.tape.nodes.len() as u32;
        let node = &mut self.tape.nodes[me];
        node.next = next;
        node.len = len;
        if len > LINEAR_DUPLICATE_CHECK && self.sorted_keys_repeat(me) {
            return Err(Invalid);
        }
        Ok(())
    }

    /// Whether `key` equals one of the first `len` members' keys of object `obj`.
    fn duplicate_before(&self, obj: usize, len: u32, key: Str) -> bool {
        let nodes = &self.tape.nodes;
        let wanted = self.tape.bytes(self.src, key);
        let mut c = obj + 1;
        for _ in 0..len {
            let Some(n) = nodes.get(c) else {
                return false;
            };
            // Lengths first, read off the range: most keys of an object differ in length.
            let len = (n.key.end - (n.key.start & !DECODED)) as usize;
            if len == wanted.len() && same(self.tape.bytes(self.src, n.key), wanted) {
                return true;
            }
            c = n.next as usize;
        }
        false
    }

    /// Whether two members of object `obj` share a key, by sorting the keys.
    fn sorted_keys_repeat(&mut self, obj: usize) -> bool {
        let tape = &mut *self.tape;
        let line = self.src;
        let mut members = std::mem::take(&mut tape.scratch);
        members.clear();
        let mut c = obj + 1;
        for _ in 0..tape.nodes[obj].len {
            members.push(c as u32);
            c = tape.nodes[c].next as usize;
        }
        let key = |i: &u32| tape.bytes(line, tape.nodes[*i as usize].key);
        members.sort_unstable_by(|a, b| key(a).cmp(key(b)));
        let repeat = members.windows(2).any(|w| key(&w[0]) == key(&w[1]));
        tape.scratch = members;
        repeat
    }

    fn array(&mut self, depth: usize, key: Str) -> Step<()> {
        if depth > self.max_depth {
            return Err(Invalid);
        }
        let me = self.push(Kind::Array, key, self.pos);
        self.pos += 1; // '['
        self.ws();
        let mut len = 0u32;
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                self.ws();
                self.value(depth, Str::default())?;
                len += 1;
                self.ws();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(Invalid),
                }
            }
        }
        let next = self.tape.nodes.len() as u32;
        let node = &mut self.tape.nodes[me];
        node.next = next;
        node.len = len;
        Ok(())
    }

    /// A string starting at the `"`: where its text is, decoded if it held escapes.
    fn string(&mut self) -> Step<Str> {
        self.pos += 1; // '"'
        let start = self.pos;
        self.plain_run();
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                Ok(Str::in_line(start, self.pos - 1))
            }
            Some(b'\\') => self.escaped_string(start),
            _ => Err(Invalid),
        }
    }

    /// Moves past the bytes that need no attention in a string.
    fn plain_run(&mut self) {
        self.pos += plain_prefix(self.src.get(self.pos..).unwrap_or_default());
    }

    /// The rest of a string whose plain start is `start..self.pos` and which continues with
    /// an escape at `self.pos`: decoded into the tape's buffer.
    fn escaped_string(&mut self, start: usize) -> Step<Str> {
        let from = self.tape.decoded.len();
        let src = self.src;
        self.tape.decoded.extend_from_slice(&src[start..self.pos]);
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Str::decoded(from, self.tape.decoded.len()));
                }
                Some(b'\\') => {
                    let c = self.escape()?;
                    let mut utf8 = [0u8; 4];
                    self.tape
                        .decoded
                        .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
                _ => return Err(Invalid),
            }
            let run = self.pos;
            self.plain_run();
            self.tape.decoded.extend_from_slice(&src[run..self.pos]);
        }
    }

    fn escape(&mut self) -> Step<char> {
        self.pos += 1; // '\\'
        let c = match self.peek().map(|b| (b, short_escape(b))) {
            Some((_, Some(c))) => c,
            Some((b'u', None)) => {
                self.pos += 1;
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if !self.src[self.pos..].starts_with(b"\\u") {
                        return Err(Invalid);
                    }
                    self.pos += 2;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(Invalid);
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                return char::from_u32(code).ok_or(Invalid);
            }
            _ => return Err(Invalid),
        };
        self.pos += 1;
        Ok(c)
    }

    fn hex4(&mut self) -> Step<u32> {
        let digits = self.src.get(self.pos..self.pos + 4).ok_or(Invalid)?;
        let mut v = 0u32;
        for &d in digits {
            let n = (d as char).to_digit(16).ok_or(Invalid)?;
            v = v * 16 + n;
        }
        self.pos += 4;
        Ok(v)
    }

    /// A number literal, with JSON's grammar: its value and whether it was integral.
    fn number(&mut self) -> Step<(f64, bool)> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let digits_start = self.pos;
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(Invalid);
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Invalid),
        }
        let int_end = self.pos;
        let mut integral = true;
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(Invalid);
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
                return Err(Invalid);
            }
            self.digits();
        }
        // Up to 15 digits are exact in a double: no need for the general conversion.
        if integral && int_end - digits_start <= 15 {
            let n = self.src[digits_start..int_end]
                .iter()
                .fold(0u64, |n, d| n * 10 + u64::from(d - b'0')) as f64;
            return Ok((if negative { -n } else { n }, true));
        }
        let literal = std::str::from_utf8(&self.src[start..self.pos]).map_err(|_| Invalid)?;
        let value: f64 = literal.parse().map_err(|_| Invalid)?;
        if !value.is_finite() {
            return Err(Invalid);
        }
        // An integer literal counts as one only where a double holds it exactly, as in
        // the strict parser.
        let exact = integral
            && literal
                .parse::<i64>()
                .is_ok_and(|i| i.abs() <= crate::json::MAX_SAFE_INT);
        Ok((value, exact))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ArgValue;
    use crate::json;

    fn same_as_strict(text: &str) {
        let mut tape = Tape::default();
        let fast = tape.parse(text);
        let strict = json::parse_strict(text);
        assert_eq!(fast.is_ok(), strict.is_ok(), "{text:?}: {strict:?}");
        if let Ok(node) = strict {
            let root = tape.root(text);
            assert!(root.eq_value(&node.value), "{text:?}");
            assert_eq!(root.to_serde(), node.value.to_serde(), "{text:?}");
        }
    }

    #[test]
    fn accepts_and_rejects_what_the_strict_parser_does() {
        for text in [
            r#"{"a": [1, 2.5, -0, 1e3, "x\u00e9\n\"q\"", {"b": null}], "c": true, "d": false}"#,
            r#" {"long string with no escapes at all, past eight bytes": "\ud83d\ude00 done"} "#,
            r#"{"a":1,"b":{"a":2}}"#,
            r#"{"é":"ü","k\u00e9":1}"#,
            "[]",
            "{}",
            "\"\"",
            "123456789012345678901234567890",
            "-9007199254740993",
            "0.1",
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\":1 // c\n}",
            "{\"a\":1,\"a\":2}",
            "{\"a\":1,\"\\u0061\":2}",
            "{\"x\":{\"b\":1,\"b\":1}}",
            "01",
            "1.",
            "-",
            "1e",
            "1e999",
            "tru",
            "nul",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"a\tb\"",
            "'a'",
            "{a:1}",
            "{} {}",
            "NaN",
            "[\"unterminated",
        ] {
            same_as_strict(text);
        }
        let many: Vec<String> = (0..40).map(|i| format!("\"k{}\":{i}", i % 39)).collect();
        same_as_strict(&format!("{{{}}}", many.join(",")));
        let unique: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        same_as_strict(&format!("{{{}}}", unique.join(",")));
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        same_as_strict(&deep(super::super::DEFAULT_MAX_DEPTH));
        same_as_strict(&deep(super::super::DEFAULT_MAX_DEPTH + 1));
    }

    #[test]
    fn a_tape_is_reused_from_line_to_line() {
        let mut tape = Tape::default();
        let first = r#"{"a":"x\"y","b":[1,2,3]}"#;
        assert!(tape.parse(first).is_ok());
        let second = r#"{"b":"z"}"#;
        assert!(tape.parse(second).is_ok());
        let root = tape.root(second);
        assert_eq!(root.get("b").and_then(Arg::as_str), Some("z"));
        assert!(root.get("a").is_none());
        assert_eq!(root.count(), 1);
    }
}
