//! PL111 `hidden-and-configured`: finds a tool that `hide` hides (by name or with `"*"`)
//! and that `tools` also configures, and a `hide` entry written twice. The safe fix removes
//! a duplicate entry; for a hidden and configured tool, you choose which one you meant.
//! The documentation below is what `policylayer explain` prints.

use super::helpers::remove_item;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::lint::Context;
use crate::policy::Access;

declare_rule! {
    /// ## What it does
    /// Finds a tool that `hide` hides (by name or with `"*"`) and that `tools` also
    /// configures, and a `hide` entry written twice. The safe fix removes a duplicate
    /// entry; for a hidden and configured tool, you choose which one you meant.
    ///
    /// ## Why is this bad?
    /// `hide` wins: a hidden tool is removed from the agent's list and every call to it is
    /// denied before its rule is read. The rule under `tools` is dead text: its limits,
    /// conditions and `"action": "approve"` suggest the tool is in use, and whoever removes
    /// the `hide` entry later switches on a rule nobody has looked at since. A duplicate
    /// entry is harmless but suggests a different tool was meant.
    ///
    /// ## Example
    /// ```json
    /// "hide": ["execute", "execute"],
    /// "tools": { "execute": { "action": "approve" } }
    /// ```
    ///
    /// ## Fix
    /// Remove the entry under `tools` if the tool should stay hidden, or the `hide` entry
    /// if the rule should apply.
    pub static RULE = {
        code: "PL111",
        name: "hidden-and-configured",
        severity: Warning,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for entry in cx.tools() {
        let (Some(rule), Access::Hidden(i)) = (entry.rule, entry.access) else {
            continue;
        };
        let Some(entry) = cx.policy.hide.get(i) else {
            continue;
        };
        let by = if entry.value == "*" {
            "`\"*\"` in `hide` hides every tool"
        } else {
            "it is also in `hide`"
        };
        out.push(
            RULE.finding(
                cx,
                rule.key_span,
                format!(
                    "`{}` is hidden, so this rule never applies: {by}",
                    rule.name
                ),
            )
            .with_label("dead rule")
            .with_related(entry.span, "hidden here")
            .with_help("remove this rule to keep the tool hidden, or the `hide` entry to apply it"),
        );
    }
    for (i, entry) in cx.policy.hide.iter().enumerate() {
        let Some(first) = cx.policy.hide[..i].iter().find(|h| h.value == entry.value) else {
            continue;
        };
        let Some(previous) = i.checked_sub(1).and_then(|p| cx.policy.hide.get(p)) else {
            continue;
        };
        out.push(
            RULE.finding(
                cx,
                entry.span,
                format!("`{}` is listed twice in `hide`", entry.value),
            )
            .with_label("duplicate entry")
            .with_related(first.span, "first listed here")
            .with_help("remove the duplicate, or name the tool you meant")
            .with_fix(Fix {
                description: "remove the duplicate entry".into(),
                applicability: Applicability::Safe,
                edits: vec![remove_item(previous.span, entry.span)],
            }),
        );
    }
}
