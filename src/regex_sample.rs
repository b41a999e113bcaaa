//! Strings a regex matches, built from its syntax tree (`regex_syntax::ast`): one sample per
//! top-level alternative, taking every construct once: the first alternative of a group,
//! one repetition of `?`/`*`/`+`, the least of `{n,m}` (at least one), the first character
//! listed in a class. A lone `.` stands for a dot (it was meant as one); repeated, for a
//! letter. PL107 probes URL regexes with these samples, and `diff` tries them as
//! witnesses for an edited regex.
//!
//! The AST rather than the HIR: the HIR sorts and case-folds classes, so `[._-]` would give
//! `-` and `\w` a digit, where a person reading the pattern expects `.` and a letter.

use regex_syntax::ast::{
    self, AssertionKind, Ast, ClassPerlKind, ClassSet, ClassSetItem, Flag, GroupKind, LiteralKind,
    RepetitionKind, RepetitionRange, SpecialLiteralKind,
};

/// One top-level alternative of a pattern: a string it matches, and whether it starts
/// with `^` or `\A`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub sample: String,
    pub anchored: bool,
}

/// Longest repetition sampled; longer ones are not URL host patterns.
const MAX_REPEAT: u32 = 32;

/// Longest sample built: nested repetitions multiply, and a URL is far shorter.
const MAX_SAMPLE: usize = 4096;

/// A sample for each top-level alternative of `pattern`, or `None` for syntax this does
/// not model (verbose mode, code-point escapes, Unicode classes, set operations).
pub fn branches(pattern: &str) -> Option<Vec<Branch>> {
    let ast = ast::parse::Parser::new().parse(pattern).ok()?;
    match &ast {
        Ast::Alternation(alt) => alt.asts.iter().map(branch).collect(),
        other => Some(vec![branch(other)?]),
    }
}

/// What one piece of a pattern contributes to a sample.
enum Piece {
    /// Text of one repetition, and whether it starts with a start anchor (a group).
    Text {
        text: String,
        anchored: bool,
    },
    StartAnchor,
    /// Zero-width (`$`, `\b`, a flag group) or empty.
    Nothing,
}

fn branch(ast: &Ast) -> Option<Branch> {
    let items: &[Ast] = match ast {
        Ast::Concat(c) => &c.asts,
        other => std::slice::from_ref(other),
    };
    let mut sample = String::new();
    let mut anchored = None;
    for item in items {
        let (inner, repeat) = match item {
            Ast::Repetition(r) => (&*r.ast, Some(count(&r.op.kind)?)),
            other => (other, None),
        };
        match piece(inner)? {
            Piece::StartAnchor => {
                anchored.get_or_insert(true);
            }
            Piece::Nothing => {}
            Piece::Text {
                text,
                anchored: starts,
            } => {
                anchored.get_or_insert(starts);
                let text = if repeat.is_some() && matches!(inner, Ast::Dot(_)) {
                    "a".to_string()
                } else {
                    text
                };
                sample.push_str(&text.repeat(repeat.unwrap_or(1) as usize));
                if sample.len() > MAX_SAMPLE {
                    return None;
                }
            }
        }
    }
    Some(Branch {
        sample,
        anchored: anchored.unwrap_or(false),
    })
}

/// The repetition count sampled for a quantifier.
fn count(kind: &RepetitionKind) -> Option<u32> {
    let n = match kind {
        RepetitionKind::ZeroOrOne | RepetitionKind::ZeroOrMore | RepetitionKind::OneOrMore => 1,
        RepetitionKind::Range(RepetitionRange::Exactly(n) | RepetitionRange::AtLeast(n)) => {
            (*n).max(1)
        }
        RepetitionKind::Range(RepetitionRange::Bounded(min, max)) => (*min).max(1).min(*max),
    };
    (n <= MAX_REPEAT).then_some(n)
}

fn text(c: char) -> Piece {
    Piece::Text {
        text: c.to_string(),
        anchored: false,
    }
}

fn piece(ast: &Ast) -> Option<Piece> {
    Some(match ast {
        Ast::Empty(_) => Piece::Nothing,
        Ast::Flags(f) => {
            if ignores_whitespace(&f.flags) {
                return None;
            }
            Piece::Nothing
        }
        Ast::Literal(l) => text(literal(l)?),
        Ast::Dot(_) => text('.'),
        Ast::Assertion(a) => match a.kind {
            AssertionKind::StartLine | AssertionKind::StartText => Piece::StartAnchor,
            _ => Piece::Nothing,
        },
        Ast::ClassUnicode(_) => return None,
        Ast::ClassPerl(p) => text(perl(p.kind.clone(), p.negated)),
        Ast::ClassBracketed(c) => text(bracketed(&c.kind, c.negated)?),
        Ast::Repetition(_) => return None,
        Ast::Group(g) => {
            if let GroupKind::NonCapturing(flags) = &g.kind {
                if ignores_whitespace(flags) {
                    return None;
                }
            }
            let first = match &*g.ast {
                Ast::Alternation(alt) => branch(alt.asts.first()?)?,
                other => branch(other)?,
            };
            match (first.sample.is_empty(), first.anchored) {
                (true, true) => Piece::StartAnchor,
                (true, false) => Piece::Nothing,
                (false, anchored) => Piece::Text {
                    text: first.sample,
                    anchored,
                },
            }
        }
        Ast::Alternation(alt) => piece(alt.asts.first()?)?,
        Ast::Concat(_) => {
            let b = branch(ast)?;
            Piece::Text {
                text: b.sample,
                anchored: b.anchored,
            }
        }
    })
}

/// Verbose mode changes what whitespace means: not modelled.
fn ignores_whitespace(flags: &ast::Flags) -> bool {
    flags
        .items
        .iter()
        .any(|i| i.kind == ast::FlagsItemKind::Flag(Flag::IgnoreWhitespace))
}

/// The character a literal stands for; `None` for code-point escapes.
fn literal(l: &ast::Literal) -> Option<char> {
    match l.kind {
        LiteralKind::Verbatim | LiteralKind::Meta | LiteralKind::Superfluous => Some(l.c),
        LiteralKind::Special(
            SpecialLiteralKind::LineFeed
            | SpecialLiteralKind::Tab
            | SpecialLiteralKind::CarriageReturn,
        ) => Some(l.c),
        _ => None,
    }
}

/// A character `\d`, `\w`, `\s` (or their negations) match.
fn perl(kind: ClassPerlKind, negated: bool) -> char {
    match (kind, negated) {
        (ClassPerlKind::Digit, false) => '0',
        (ClassPerlKind::Word, false) => 'a',
        (ClassPerlKind::Space, false) => ' ',
        (ClassPerlKind::Word, true) => '-',
        (ClassPerlKind::Digit | ClassPerlKind::Space, true) => 'a',
    }
}

/// The ranges `\d`, `\w`, `\s` stand for inside a class.
fn perl_ranges(kind: &ClassPerlKind) -> &'static [(char, char)] {
    match kind {
        ClassPerlKind::Digit => &[('0', '9')],
        ClassPerlKind::Word => &[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')],
        ClassPerlKind::Space => &[(' ', ' '), ('\t', '\r')],
    }
}

/// A character of a bracket class: the first listed, or for a negated class the first of
/// a few common ones it does not exclude.
fn bracketed(set: &ClassSet, negated: bool) -> Option<char> {
    let ClassSet::Item(item) = set else {
        return None; // `&&`, `--`, `~~`
    };
    let items: &[ClassSetItem] = match item {
        ClassSetItem::Union(u) => &u.items,
        other => std::slice::from_ref(other),
    };
    let mut ranges: Vec<(char, char)> = Vec::new();
    for item in items {
        match item {
            ClassSetItem::Empty(_) => {}
            ClassSetItem::Literal(l) => {
                let c = literal(l)?;
                ranges.push((c, c));
            }
            ClassSetItem::Range(r) => ranges.push((literal(&r.start)?, literal(&r.end)?)),
            ClassSetItem::Perl(p) if !p.negated => ranges.extend_from_slice(perl_ranges(&p.kind)),
            ClassSetItem::Perl(p) => {
                let c = perl(p.kind.clone(), true);
                ranges.push((c, c));
            }
            ClassSetItem::Ascii(_)
            | ClassSetItem::Unicode(_)
            | ClassSetItem::Bracketed(_)
            | ClassSetItem::Union(_) => return None,
        }
    }
    if negated {
        ['a', '0', '-', '_', 'x']
            .into_iter()
            .find(|c| !ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(c)))
    } else {
        ranges.first().map(|(lo, _)| *lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(p: &str) -> Option<Vec<(String, bool)>> {
        branches(p).map(|b| b.into_iter().map(|b| (b.sample, b.anchored)).collect())
    }

    fn one(p: &str) -> String {
        samples(p).unwrap_or_else(|| panic!("{p}"))[0].0.clone()
    }

    #[test]
    fn literals_escapes_and_dots() {
        assert_eq!(one(r"^https://example\.com/"), "https://example.com/");
        assert_eq!(one(r"a\tb\/c"), "a\tb/c");
        assert_eq!(one("x.y"), "x.y");
        assert_eq!(one("x.+y"), "xay");
    }

    #[test]
    fn classes_take_the_first_listed_character() {
        assert_eq!(one("[._-]"), ".");
        assert_eq!(one(r"[\w.]"), "a");
        assert_eq!(one(r"\d\w\s\D\W\S"), "0a a-a");
        assert_eq!(one("[^a-z]"), "0");
        assert_eq!(one("[^a0-]"), "_");
    }

    #[test]
    fn alternation_repetition_and_groups() {
        assert_eq!(
            samples("^a|b$").unwrap(),
            [("a".to_string(), true), ("b".to_string(), false)]
        );
        assert_eq!(one("(ab|cd)+e"), "abe");
        assert_eq!(one("x{3}y{2,5}z{0,}"), "xxxyyz");
        assert_eq!(one("(?i)(?:^www)\\.example"), "www.example");
        assert_eq!(samples("(^www)x").unwrap()[0], ("wwwx".to_string(), true));
    }

    #[test]
    fn syntax_it_does_not_model_gives_nothing() {
        for p in [
            r"\x41",
            r"\p{L}",
            "[[:alpha:]]",
            "[a&&b]",
            "(?x) a b",
            "a{100}",
        ] {
            assert_eq!(samples(p), None, "{p}");
        }
    }
}
