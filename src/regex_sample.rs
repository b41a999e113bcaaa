//! Strings a regex matches, built from its high-level syntax tree (`regex_syntax::hir`, the
//! form the `regex` crate compiles, with flags, escapes, Unicode and set operations already
//! resolved). PL107 probes a URL regex with them; `diff` tries them as witnesses for an
//! edited regex.
//!
//! One sample per top-level alternative, taking every construct once: the first
//! alternative of an inner alternation, one repetition of `?`/`*`/`+`, the least count of
//! `{n,m}` (at least one). The HIR factors a prefix common to all alternatives out
//! (`^a\.com|^b\.org` becomes `^(?:a\.com|b\.org)`), so an alternation that ends the
//! pattern counts as top-level, with what precedes it in front of each alternative.
//!
//! The HIR sorts and case-folds classes, so it no longer knows which character a class
//! listed first; a class gives the first of `a`–`z`, `0`–`9`, `-`, `_`, `/`, `:`, `.` and
//! space it contains (then any printable ASCII, then its least character): `[._-]` gives
//! `-`, `\w` a letter, `[^/]` `a`. A lone `.` (a class of every character but a line end)
//! stands for a dot, since it was meant as one; repeated, for a letter.
//!
//! Samples are candidates: start anchors are noted ([`Sample::anchored`]), but `$`, `\b` and
//! the other zero-width assertions are not checked, so `a\bb` gives `ab`, which it does not
//! match. Callers test a sample against the compiled regex before relying on it.

use regex_syntax::hir::{Class, Hir, HirKind, Look, Repetition};

/// A string one top-level alternative of a pattern matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub text: String,
    /// The alternative starts with `^` or `\A`: it matches only at the start of the text.
    pub anchored: bool,
}

/// Longest repetition sampled; longer ones are not URL host patterns.
const MAX_REPEAT: u32 = 32;

/// Longest sample built: nested repetitions multiply, and a URL is far shorter.
const MAX_SAMPLE: usize = 4096;

/// The characters a class is sampled by, in order of preference: what a person reading
/// a URL or host pattern expects to see, with `.` late: a dot a class lets through would
/// pass for a dot of the host (PL107 would call `\W` an unescaped dot).
const PREFERRED: &str = "abcdefghijklmnopqrstuvwxyz0123456789-_/:. ";

/// A sample for each top-level alternative of `pattern`, in pattern order, or `None` when
/// the pattern does not parse or one of its alternatives cannot be sampled: a class that
/// matches nothing (`[a&&b]`), a repetition of more than 32 (`a{100}`), a sample over
/// 4 KiB, bytes that are not UTF-8.
pub fn sample_matches(pattern: &str) -> Option<Vec<Sample>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    alternatives(&hir)
        .into_iter()
        .map(|pieces| {
            let mut builder = Builder::default();
            for piece in pieces {
                builder.push(piece)?;
            }
            Some(Sample {
                text: builder.text,
                anchored: builder.anchored.unwrap_or(false),
            })
        })
        .collect()
}

/// The top-level alternatives of a pattern, each as the pieces to sample in order.
fn alternatives(hir: &Hir) -> Vec<Vec<&Hir>> {
    match hir.kind() {
        HirKind::Alternation(alts) => alts.iter().map(|alt| vec![alt]).collect(),
        HirKind::Concat(items) => match items.split_last() {
            Some((last, prefix)) => match last.kind() {
                HirKind::Alternation(alts) => alts
                    .iter()
                    .map(|alt| prefix.iter().chain([alt]).collect())
                    .collect(),
                _ => vec![vec![hir]],
            },
            None => vec![vec![hir]],
        },
        _ => vec![vec![hir]],
    }
}

/// One sample being built.
#[derive(Default)]
struct Builder {
    text: String,
    /// Decided by the first start anchor or text: whether the anchor came first.
    anchored: Option<bool>,
}

impl Builder {
    /// Appends what `hir` contributes; `None` when it cannot be sampled.
    fn push(&mut self, hir: &Hir) -> Option<()> {
        match hir.kind() {
            HirKind::Empty => {}
            HirKind::Literal(literal) => self.push_text(std::str::from_utf8(&literal.0).ok()?)?,
            HirKind::Class(_) if is_dot(hir) => self.push_text(".")?,
            HirKind::Class(class) => self.push_text(pick(class)?.encode_utf8(&mut [0; 4]))?,
            HirKind::Look(look) => {
                if matches!(look, Look::Start | Look::StartLF | Look::StartCRLF) {
                    self.anchored.get_or_insert(true);
                }
            }
            HirKind::Repetition(repetition) => self.push_repeated(repetition)?,
            HirKind::Capture(capture) => self.push(&capture.sub)?,
            HirKind::Concat(items) => {
                for item in items {
                    self.push(item)?;
                }
            }
            HirKind::Alternation(alts) => self.push(alts.first()?)?,
        }
        Some(())
    }

    fn push_text(&mut self, text: &str) -> Option<()> {
        self.anchored.get_or_insert(false);
        self.text.push_str(text);
        (self.text.len() <= MAX_SAMPLE).then_some(())
    }

    /// One repetition at the count sampled for its quantifier; a repeated dot as a letter.
    fn push_repeated(&mut self, repetition: &Repetition) -> Option<()> {
        let n = repetition.min.max(1);
        let n = repetition.max.map_or(n, |max| n.min(max));
        if n > MAX_REPEAT {
            return None;
        }
        if is_dot(&repetition.sub) {
            return self.push_text(&"a".repeat(n as usize));
        }
        let start = self.text.len();
        self.push(&repetition.sub)?;
        let once = self.text.split_off(start);
        if once.is_empty() {
            return Some(()); // zero-width, as `(?:\b)?`
        }
        for _ in 0..n {
            self.push_text(&once)?;
        }
        Some(())
    }
}

/// The character sampled for a class (see the module documentation); `None` for a class
/// that matches nothing or only bytes outside ASCII.
fn pick(class: &Class) -> Option<char> {
    let contains = |c: char| match class {
        Class::Unicode(u) => u.ranges().iter().any(|r| r.start() <= c && c <= r.end()),
        Class::Bytes(b) => u8::try_from(c)
            .ok()
            .filter(u8::is_ascii)
            .is_some_and(|c| b.ranges().iter().any(|r| r.start() <= c && c <= r.end())),
    };
    let least = match class {
        Class::Unicode(u) => u.ranges().first().map(|r| r.start()),
        Class::Bytes(b) => b
            .ranges()
            .first()
            .map(|r| r.start())
            .filter(u8::is_ascii)
            .map(char::from),
    };
    PREFERRED
        .chars()
        .chain('!'..='~')
        .find(|&c| contains(c))
        .or(least)
}

/// A class of every character but line ends: what `.` compiles to.
fn is_dot(hir: &Hir) -> bool {
    let HirKind::Class(class) = hir.kind() else {
        return false;
    };
    let line_end = |start: u32, end: u32| start == end && (start == 0x0A || start == 0x0D);
    let mut others = class.clone();
    match &mut others {
        Class::Unicode(u) => {
            u.negate();
            u.ranges()
                .iter()
                .all(|r| line_end(r.start().into(), r.end().into()))
        }
        Class::Bytes(b) => {
            b.negate();
            b.ranges()
                .iter()
                .all(|r| line_end(r.start().into(), r.end().into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(p: &str) -> Option<Vec<(String, bool)>> {
        sample_matches(p).map(|s| s.into_iter().map(|s| (s.text, s.anchored)).collect())
    }

    fn one(p: &str) -> String {
        samples(p).unwrap_or_else(|| panic!("{p}"))[0].0.clone()
    }

    /// Every sample of these patterns is matched by the pattern.
    fn assert_matched(patterns: &[&str]) {
        for p in patterns {
            let re = regex::Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            for s in sample_matches(p).unwrap_or_else(|| panic!("{p}")) {
                assert!(re.is_match(&s.text), "{p} does not match {:?}", s.text);
            }
        }
    }

    #[test]
    fn literals_escapes_and_dots() {
        assert_eq!(one(r"^https://example\.com/"), "https://example.com/");
        assert_eq!(one(r"a\tb\/c"), "a\tb/c");
        assert_eq!(one(r"\x41\u{e9}"), "Aé");
        assert_eq!(one("(?x) a b # comment"), "ab");
        assert_eq!(one("x.y"), "x.y");
        assert_eq!(one("x.+y"), "xay");
        assert_eq!(one("(?s)x.*y"), "xay");
        assert_eq!(one("(?i)EXAMPLE"), "example");
    }

    #[test]
    fn classes_give_a_preferred_character() {
        assert_eq!(one("[._-]"), "-");
        assert_eq!(one("[.,]"), ".");
        assert_eq!(one("[/:?#]"), "/");
        assert_eq!(one(r"[\w.]"), "a");
        assert_eq!(one(r"\d\w\s\D\W\S"), "0a a-a");
        assert_eq!(one("[^a-z]"), "0");
        assert_eq!(one("[^/]"), "a");
        assert_eq!(one("[A-Z]"), "A");
        assert_eq!(one("[[:upper:]&&[^A]]"), "B");
        assert_eq!(one(r"\p{Greek}"), "Ͱ");
        assert_eq!(one("(?-u:[x-z])"), "x");
    }

    #[test]
    fn alternation_samples_each_top_level_alternative() {
        assert_eq!(
            samples("^ab|cd$").unwrap(),
            [("ab".to_string(), true), ("cd".to_string(), false)]
        );
        // The common `^` is factored out of both alternatives, and put back.
        assert_eq!(
            samples(r"(?i)^a\.com$|^b\.org/.*").unwrap(),
            [("a.com".to_string(), true), ("b.org/a".to_string(), true)]
        );
        // Inner alternations take their first alternative.
        assert_eq!(
            one("^https://(docs|api)\\.example\\.com"),
            "https://docs.example.com"
        );
        assert_eq!(one("(ab|cd)+e"), "abe");
    }

    #[test]
    fn repetitions_are_sampled_once_or_at_their_least_count() {
        assert_eq!(one("x{3}y{2,5}z{0,}w?v*u+"), "xxxyyzwvu");
        assert_eq!(one(r"[^/]{2,5}\d"), "aa0");
        assert_eq!(one("(ab){2}"), "abab");
        assert_eq!(one("a{0}b"), "b");
    }

    #[test]
    fn anchors_mark_a_sample_anchored() {
        for (p, anchored) in [
            ("^a", true),
            (r"\Aa", true),
            ("(?m)^a", true),
            ("(^www)x", true),
            ("(?i)(?:^www)\\.example", true),
            ("a^", false),
            (r"(?:\b)?^a", true),
            ("a$", false),
            (r"\ba\b", false),
        ] {
            let s = &samples(p).unwrap()[0];
            assert_eq!(s.1, anchored, "{p}");
        }
        assert_eq!(one(r"^\bwww\b$"), "www");
    }

    #[test]
    fn samples_match_their_pattern() {
        assert_matched(&[
            r"^https?://(www\.)?example\.com(:[0-9]+)?([/?#]|$)",
            r"^https://[a-z0-9-]+\.example\.com[/:?#]",
            r"(?i)^a\.com$|^b\.org/.*",
            r"^(document\.title|window\.location\.href)$",
            r"[^a-z]+@[\w.]+",
            r"\p{L}{2}\d{3}",
        ]);
    }

    proptest::proptest! {
        /// Without zero-width assertions, which samples do not check, every sample of a
        /// pattern is matched by it.
        #[test]
        fn samples_without_assertions_match(pattern in r"[\\.|?*+(){}\[\]^a-z0-9:/@#-]{0,40}") {
            let Ok(re) = regex::Regex::new(&pattern) else { return Ok(()) };
            let Ok(hir) = regex_syntax::Parser::new().parse(&pattern) else { return Ok(()) };
            if hir.properties().look_set().is_empty() {
                for s in sample_matches(&pattern).unwrap_or_default() {
                    proptest::prop_assert!(re.is_match(&s.text), "{:?}", s.text);
                }
            }
        }
    }

    #[test]
    fn patterns_it_cannot_sample_give_nothing() {
        for p in [
            "[a&&b]",
            r"\P{any}",
            "a{100}",
            "((a{32}){32}){32}",
            "(",
            r"(?-u:\xFF)",
        ] {
            assert_eq!(samples(p), None, "{p}");
        }
    }
}
