//! PL103 `unknown-tool`: finds a tool name the catalogue does not list: a key of `tools` or
//! an entry of `hide` (other than `"*"`). It suggests the closest catalogued name, and when
//! exactly one name is close, the safe fix renames the key or entry to it.
//! The documentation below is what `policylayer explain` prints.

use super::helpers::{quote, sole_suggestion};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::lint::Context;
use crate::policy::Access;
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// Finds a tool name the catalogue does not list: a key of `tools` or an entry of
    /// `hide` (other than `"*"`). It suggests the closest catalogued name, and when exactly
    /// one name is close, the safe fix renames the key or entry to it.
    ///
    /// ## Why is this bad?
    /// A misspelt entry matches no call. Under `tools`, the rule you wrote never applies
    /// and the tool you meant falls to `default`. Under `hide` it is worse: a misspelt
    /// hidden tool is a tool left visible, so `"hide": ["session_destory"]` leaves
    /// `session_destroy` in the agent's tool list.
    ///
    /// ## Example
    /// ```json
    /// "hide": ["session_destory"],
    /// "tools": { "navigat": { "limits": [ { "counter": "nav", "window": "minute", "max": 30 } ] } }
    /// ```
    ///
    /// ## Fix
    /// Use the name the server lists (`policylayer catalog list`): `session_destroy`,
    /// `navigate`. If the server really has this tool, the catalogue is out of date:
    /// re-import it with `policylayer catalog scan` or pass `--catalog`.
    pub static RULE = {
        code: "PL103",
        name: "unknown-tool",
        severity: Error,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let names: Vec<&str> = cx.catalog.tools().iter().map(|t| t.name.as_str()).collect();
    let server = &cx.catalog.server().name;
    for entry in cx.policy.hide.iter().filter(|h| h.value != "*") {
        let name = &entry.value;
        if cx.catalog.tool(name).is_some() {
            continue;
        }
        let (message, help) = match cx.catalog.suggest(name) {
            Some(meant) if matches!(cx.policy.access(meant), Access::Hidden(_)) => (
                format!("hidden tool `{name}` is not in the {server} catalogue: this entry hides nothing"),
                format!("did you mean `{meant}`? (it is hidden by another entry)"),
            ),
            Some(meant) => (
                format!("hidden tool `{name}` is not in the {server} catalogue: `{meant}` stays visible to the agent"),
                format!("did you mean `{meant}`?"),
            ),
            None => (
                format!("hidden tool `{name}` is not in the {server} catalogue: this entry hides nothing"),
                "check the name with `policylayer catalog list`".into(),
            ),
        };
        let taken = |n: &str| cx.policy.hide.iter().any(|h| h.value == n);
        let fix = sole_suggestion(name, &names)
            .filter(|n| !taken(n))
            .map(|n| rename(entry.span, n, "hide entry"));
        out.push(finding(cx, entry.span, message, help, fix));
    }
    for entry in cx.tools() {
        let (Some(rule), None) = (entry.rule, entry.tool) else {
            continue;
        };
        let message = format!(
            "tool `{}` is not in the {server} catalogue: this rule matches no call",
            rule.name
        );
        let help = match cx.catalog.suggest(&rule.name) {
            Some(meant) => format!("did you mean `{meant}`?"),
            None => "check the name with `policylayer catalog list`".into(),
        };
        let fix = sole_suggestion(&rule.name, &names)
            .filter(|n| cx.policy.tool(n).is_none())
            .map(|n| rename(rule.key_span, n, "tool"));
        out.push(finding(cx, rule.key_span, message, help, fix));
    }
}

fn finding(
    cx: &Context,
    span: Span,
    message: String,
    help: String,
    fix: Option<Fix>,
) -> Diagnostic {
    let d = RULE
        .finding(cx, span, message)
        .with_label("not a tool of this server")
        .with_help(help);
    match fix {
        Some(fix) => d.with_fix(fix),
        None => d,
    }
}

fn rename(span: Span, to: &str, what: &str) -> Fix {
    Fix {
        description: format!("rename the {what} to `{to}`"),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            span,
            replacement: quote(to),
        }],
    }
}
