//! PL114 `default-allow`: finds `"default": "allow"`: every tool that `tools` does not list
//! is allowed.
//! The documentation below is what `policylayer explain` prints.

use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::lint::Context;
use crate::policy::{Access, Posture};

declare_rule! {
    /// ## What it does
    /// Finds `"default": "allow"`: every tool that `tools` does not list is allowed.
    ///
    /// ## Why is this bad?
    /// The policy then describes what is forbidden, and everything it forgets is allowed:
    /// a tool the server adds in its next version, a tool nobody thought about, a tool
    /// whose name is misspelt under `tools`. A deny default fails closed: what it forgets
    /// is denied, which someone notices and fixes.
    ///
    /// ## Example
    /// ```json
    /// { "version": "1", "default": "allow", "hide": ["session_destroy"] }
    /// ```
    ///
    /// ## Fix
    /// Write `"default": "deny"` and list every tool the agent needs under `tools`
    /// (`policylayer init` writes a starting list). The fix is unsafe: unlisted tools are
    /// denied from then on.
    pub static RULE = {
        code: "PL114",
        name: "default-allow",
        severity: Warning,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let default = &cx.policy.default;
    if default.value != Posture::Allow {
        return;
    }
    let unlisted = cx
        .tools()
        .filter(|t| matches!(t.access, Access::DefaultAllowed))
        .count();
    out.push(
        RULE.finding(
            cx,
            default.span,
            format!("`default: \"allow\"` lets every unlisted tool through ({unlisted} in this catalogue)"),
        )
        .with_label("allow unless listed")
        .with_help("write \"default\": \"deny\" and list the tools the agent needs under `tools`")
        .with_fix(Fix {
            description: "deny unlisted tools (\"default\": \"deny\")".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                span: default.span,
                replacement: "\"deny\"".into(),
            }],
        }),
    );
}
