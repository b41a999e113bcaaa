//! PL116 `unknown-suppression-code`: finds a code in a tool's `"lint": {"ignore": [...]}`
//! that is not the code of a lint rule: a typo (`PL1O1`), a rule name
//! (`unlimited-write-tool`), or a parse error code (`PL000`–`PL006`), which is reported
//! before any rule runs and cannot be suppressed. Codes match in any case (`pl106`). When
//! the code meant is clear (a rule's name, or a letter typed for a digit as in `PL1O6`),
//! the safe fix writes it.
//! The documentation below is what `policylayer explain` prints.

use super::helpers::{quote, sole_suggestion};
use super::ALL;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::lint::Context;
use crate::policy::codes;

declare_rule! {
    /// ## What it does
    /// Finds a code in a tool's `"lint": {"ignore": [...]}` that is not the code of a lint
    /// rule: a typo (`PL1O1`), a rule name (`unlimited-write-tool`), or a parse error code
    /// (`PL000`–`PL006`), which is reported before any rule runs and cannot be
    /// suppressed. Codes match in any case (`pl106`). When the code meant is clear (a
    /// rule's name, or a letter typed for a digit as in `PL1O6`), the safe fix writes it.
    ///
    /// ## Why is this bad?
    /// The suppression suppresses nothing, so the finding it was written for still shows,
    /// or the reviewer believes a finding was looked at and waived when the entry matches
    /// no rule at all.
    ///
    /// ## Example
    /// ```json
    /// "navigate": { "lint": { "ignore": ["PL1O6"], "reason": "internal hosts only, enforced upstream" } }
    /// ```
    ///
    /// ## Fix
    /// Write the code as `policylayer explain --all` lists it: `PL106`.
    pub static RULE = {
        code: "PL116",
        name: "unknown-suppression-code",
        severity: Warning,
        check: Some(check),
    };
}

/// Found while parsing, before rules run and suppressions apply.
const PARSE_ERRORS: [&str; 7] = [
    codes::UNREADABLE,
    codes::SYNTAX,
    codes::DUPLICATE_KEY,
    codes::UNKNOWN_FIELD,
    codes::WRONG_TYPE,
    codes::INVALID_VALUE,
    codes::MISSING_FIELD,
];

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let codes: Vec<&str> = ALL
        .iter()
        .map(|r| r.code)
        .filter(|c| !PARSE_ERRORS.contains(c))
        .collect();
    for rule in &cx.policy.tools {
        let Some(lint) = &rule.lint else {
            continue;
        };
        for entry in &lint.ignore {
            let code = entry.value.as_str();
            // Suppressions match codes case-insensitively.
            if codes.iter().any(|c| c.eq_ignore_ascii_case(code)) {
                continue;
            }
            let known = ALL
                .iter()
                .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code);
            let (message, meant) = match known {
                Some(r) if PARSE_ERRORS.contains(&r.code) => (
                    format!("`{}` is a parse error, reported before lint rules run: it cannot be suppressed", r.code),
                    None,
                ),
                Some(r) => (
                    format!("`{code}` is the name of {}, not its code: this suppresses nothing", r.code),
                    Some(r.code),
                ),
                None => (
                    format!("`{code}` is not a lint rule code: this suppresses nothing"),
                    None,
                ),
            };
            let misread = known
                .is_none()
                .then(|| misread_digits(code, &codes))
                .flatten();
            let parse_error = known.is_some_and(|r| PARSE_ERRORS.contains(&r.code));
            let help = match meant.or(misread).or_else(|| {
                known
                    .is_none()
                    .then(|| sole_suggestion(code, &codes))
                    .flatten()
            }) {
                Some(m) => format!("did you mean `{m}`?"),
                None if parse_error => {
                    "remove it: a file with parse errors is not linted at all".into()
                }
                None => "list codes as `policylayer explain --all` prints them".into(),
            };
            let mut d = RULE
                .finding(cx, entry.span, message)
                .with_label("not a rule code")
                .with_help(help);
            // A rule's name or a letter for a digit is unambiguous; a code one digit off may
            // be another rule.
            let fix = match (known, meant) {
                (Some(r), Some(m)) => Some((m, format!("write `{m}` for {}", r.name))),
                _ => misread.map(|m| (m, format!("write `{m}`"))),
            };
            if let Some((m, description)) = fix {
                d = d.with_fix(Fix {
                    description,
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        span: entry.span,
                        replacement: quote(m),
                    }],
                });
            }
            out.push(d);
        }
    }
}

/// The code meant when letters were typed for digits: `PL1O6` and `PLl06` are `PL106`.
fn misread_digits<'a>(code: &str, codes: &[&'a str]) -> Option<&'a str> {
    let (prefix, number) = (code.get(..2)?, code.get(2..)?);
    let digits: String = number
        .chars()
        .map(|c| match c {
            'O' | 'o' => '0',
            'I' | 'i' | 'l' => '1',
            c => c,
        })
        .collect();
    let read = format!("{}{digits}", prefix.to_ascii_uppercase());
    codes.iter().copied().find(|c| *c == read)
}
