//! Applying fixes (`lint --fix`): edits are applied to the text, never to a re-serialised
//! model, so the rest of the file stays as the user wrote it.
//!
//! Each round applies every fix that does not touch another one's text, from the end of
//! the text backwards so earlier offsets stay valid, then re-parses: a round whose result
//! is not a valid policy stops everything and nothing is written. Fixes left out of a
//! round (overlapping ones, or findings that only appear after a fix) get the next round.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::policy::Policy;
use crate::source::{SourceFile, Span};

/// Enough for fixes that enable one another; more means fixes that undo each other.
pub const MAX_ROUNDS: usize = 10;

/// The fixed policy.
pub struct Fixed {
    pub policy: Policy,
    /// Fixes applied, over all rounds.
    pub applied: usize,
    /// `false` when fixes were still being applied after [`MAX_ROUNDS`] rounds.
    pub converged: bool,
}

/// A round of fixes produced text that is not a valid policy (a bug in a rule's fix).
pub struct Broken {
    /// The codes whose fixes were applied in that round.
    pub codes: Vec<&'static str>,
    /// Why the result does not validate, pointing into the rejected text.
    pub diagnostics: Vec<Diagnostic>,
}

/// Applies the fixes `lint` offers (safe ones, and unsafe ones too when `unsafe_fixes`)
/// until none is left or [`MAX_ROUNDS`] is reached.
pub fn fix(
    mut policy: Policy,
    unsafe_fixes: bool,
    mut lint: impl FnMut(&Policy) -> Vec<Diagnostic>,
) -> Result<Fixed, Broken> {
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let diagnostics = lint(&policy);
        let fixes: Vec<(&'static str, &Fix)> = diagnostics
            .iter()
            .filter_map(|d| Some((d.code, d.fix.as_ref()?)))
            .filter(|(_, f)| unsafe_fixes || f.applicability == Applicability::Safe)
            .collect();
        let text = policy.source.text();
        let (new_text, codes) = apply(text, &fixes);
        if codes.is_empty() || new_text == text {
            return Ok(Fixed {
                policy,
                applied,
                converged: true,
            });
        }
        let source = SourceFile::new(policy.source.name(), new_text);
        policy = Policy::parse(source).map_err(|diagnostics| Broken {
            codes: codes.clone(),
            diagnostics,
        })?;
        applied += codes.len();
    }
    Ok(Fixed {
        policy,
        applied,
        converged: false,
    })
}

/// Applies the fixes that fit together, in source order, and returns the new text and
/// the codes of the fixes applied. A fix is all or nothing: it is left out when one of its
/// edits touches an edit already taken (adjacent edits count: two insertions at one
/// place have no defined order) or does not fall on character boundaries of `text`.
pub fn apply(text: &str, fixes: &[(&'static str, &Fix)]) -> (String, Vec<&'static str>) {
    let mut order: Vec<&(&'static str, &Fix)> = fixes.iter().collect();
    order.sort_by_key(|(_, f)| f.edits.iter().map(|e| e.span.start).min());
    let mut taken: Vec<&Edit> = Vec::new();
    let mut codes = Vec::new();
    for (code, fix) in order {
        let fits = !fix.edits.is_empty()
            && fix.edits.iter().enumerate().all(|(i, e)| {
                valid(text, e.span)
                    && !taken.iter().any(|t| touches(t.span, e.span))
                    && !fix.edits[..i].iter().any(|o| touches(o.span, e.span))
            });
        if fits {
            taken.extend(&fix.edits);
            codes.push(*code);
        }
    }
    (splice(text, &taken), codes)
}

/// `text` with `edits` made (they must not overlap; an insertion may meet a replacement at
/// its end), later ones first so that earlier offsets hold, their line endings the file's.
/// An edit off the text's character boundaries is left out. `lint --fix` and
/// `suggest-limits --write` edit a policy through here.
pub fn splice(text: &str, edits: &[&Edit]) -> String {
    let mut order = edits.to_vec();
    order.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let crlf = crate::rewrite::uses_crlf(text);
    let mut out = text.to_string();
    for e in order.into_iter().filter(|e| valid(text, e.span)) {
        let replacement = if crlf {
            e.replacement.replace("\r\n", "\n").replace('\n', "\r\n")
        } else {
            e.replacement.clone()
        };
        out.replace_range(e.span.start..e.span.end, &replacement);
    }
    out
}

fn valid(text: &str, span: Span) -> bool {
    span.start <= span.end
        && span.end <= text.len()
        && text.is_char_boundary(span.start)
        && text.is_char_boundary(span.end)
}

/// Closed intervals: edits that meet at one offset conflict too.
fn touches(a: Span, b: Span) -> bool {
    a.start <= b.end && b.start <= a.end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, replacement: &str) -> Fix {
        Fix {
            description: String::new(),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                span: Span::new(start, end),
                replacement: replacement.into(),
            }],
        }
    }

    #[test]
    fn applies_non_overlapping_edits_from_the_end() {
        let (a, b, c) = (edit(0, 1, "X"), edit(4, 5, "YY"), edit(4, 6, "Z"));
        let (out, codes) = apply("abcdefg", &[("B", &b), ("A", &a), ("C", &c)]);
        assert_eq!(out, "XbcdYYfg");
        assert_eq!(codes, ["A", "B"]);
    }

    #[test]
    fn insertions_at_one_place_wait_for_the_next_round() {
        let (a, b) = (edit(2, 2, "1"), edit(2, 2, "2"));
        let (out, codes) = apply("abcd", &[("A", &a), ("B", &b)]);
        assert_eq!((out.as_str(), codes.len()), ("ab1cd", 1));
    }

    #[test]
    fn edits_off_char_boundaries_or_out_of_range_are_skipped() {
        let (a, b) = (edit(1, 2, "x"), edit(9, 10, "x"));
        let (out, codes) = apply("é", &[("A", &a), ("B", &b)]);
        assert_eq!((out.as_str(), codes.len()), ("é", 0));
    }

    #[test]
    fn new_lines_follow_crlf_files() {
        let a = edit(1, 1, "\n  x");
        let (out, _) = apply("{\r\n}", &[("A", &a)]);
        assert_eq!(out, "{\r\n  x\r\n}");
    }

    #[test]
    fn a_fix_that_breaks_the_policy_is_refused() {
        let text = r#"{"version":"1","default":"deny"}"#;
        let policy = Policy::parse(SourceFile::new("p.json", text)).unwrap();
        let broken = fix(policy, false, |p| {
            let bad = edit(1, 1, "\"oops\": 1, ");
            vec![Diagnostic::error("PL999", &p.source, Span::new(0, 1), "x").with_fix(bad)]
        });
        let Err(broken) = broken else {
            panic!("the fix should have been refused")
        };
        assert_eq!(broken.codes, ["PL999"]);
        assert!(broken.diagnostics[0]
            .message
            .contains("unknown field `oops`"));
    }

    #[test]
    fn fixes_that_keep_reappearing_stop_after_max_rounds() {
        let text = r#"{"version":"1","default":"deny","hide":["a"]}"#;
        let policy = Policy::parse(SourceFile::new("p.json", text)).unwrap();
        let fixed = fix(policy, false, |p| {
            let at = p.source.text().find('[').unwrap() + 1;
            vec![Diagnostic::error("PL999", &p.source, Span::new(0, 1), "x")
                .with_fix(edit(at, at, "\"x\","))]
        });
        let Ok(fixed) = fixed else {
            panic!("should stay valid")
        };
        assert!(!fixed.converged);
        assert_eq!(fixed.applied, MAX_ROUNDS);
    }
}
