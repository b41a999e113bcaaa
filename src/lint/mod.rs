//! `lint`: rules over a validated [`Policy`] and the [`Catalog`] of its server.
//!
//! Each rule lives in its own file under [`rules`], declared with [`declare_rule!`] so that
//! its doc comment (What it does / Why is this bad? / Example / Fix) is both rustdoc and the
//! text `policylayer explain CODE` prints. [`rules::ALL`] is the one registry.

pub mod rules;

use crate::catalog::Catalog;
use crate::diagnostic::{Diagnostic, Severity};
use crate::policy::Policy;
use crate::source::Span;

/// A lint rule: stable code, kebab-case name, default severity, documentation and check.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Markdown: `## What it does`, `## Why is this bad?`, `## Example`, `## Fix`.
    pub doc: &'static str,
    /// `None` for codes the parser reports (syntax, unknown fields, …): they are
    /// documented here but found before any rule runs.
    pub check: Option<fn(&Context, &mut Vec<Diagnostic>)>,
}

impl Rule {
    /// A finding of this rule at `span`, with its default severity.
    pub fn finding(
        &'static self,
        cx: &Context,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(self.code, &cx.policy.source, span, message).with_severity(self.severity)
    }
}

/// Declares a rule; the doc comment becomes the rule's `explain` text.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $id:ident = {
            code: $code:expr,
            name: $name:literal,
            severity: $sev:ident,
            check: $check:expr $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $id: $crate::lint::Rule = $crate::lint::Rule {
            code: $code,
            name: $name,
            severity: $crate::diagnostic::Severity::$sev,
            doc: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}

/// What every rule reads.
pub struct Context<'a> {
    pub policy: &'a Policy,
    pub catalog: &'a Catalog,
}

/// Runs every rule; findings come back in source order.
pub fn check(policy: &Policy, catalog: &Catalog) -> Vec<Diagnostic> {
    let cx = Context { policy, catalog };
    let mut out = Vec::new();
    for rule in rules::ALL {
        if let Some(check) = rule.check {
            check(&cx, &mut out);
        }
    }
    out.sort_by_key(|d| (d.span.start, d.code));
    out
}

/// Looks a rule up by code (case-insensitive) or by name.
pub fn rule(code_or_name: &str) -> Option<&'static Rule> {
    rules::ALL
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// The `explain` text of a rule: a title line, then its documentation.
pub fn explain(rule: &Rule) -> String {
    let doc: String = rule
        .doc
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "{} ({}) — default severity: {}\n\n{}\n",
        rule.code,
        rule.name,
        rule.severity,
        doc.trim()
    )
}
