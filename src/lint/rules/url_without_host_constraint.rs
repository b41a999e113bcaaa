//! PL106 `url-without-host-constraint`: finds a tool with a URL argument (a
//! `url_input:<path>` signal in the catalogue) whose calls get through (allowed, or
//! unlisted under `default: "allow"`) with no `require` condition on that exact path that
//! pins the host: `host_in`, `regex` or `starts_with`, or an `eq`/`in` listing the allowed
//! URLs. For an argument inside an array (`sessions[*].url`) the condition must use the
//! same `[*]` path; a condition on `sessions[0].url` checks only the first element. A
//! `deny_if` does not count: it lists what is refused, not what is allowed.
//! The documentation below is what `policylayer explain` prints.

use super::helpers::signal_path;
use crate::catalog::Signal;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::json::Value;
use crate::lint::Context;
use crate::policy::{Access, Condition, Op};

declare_rule! {
    /// ## What it does
    /// Finds a tool with a URL argument (a `url_input:<path>` signal in the catalogue)
    /// whose calls get through (allowed, or unlisted under `default: "allow"`) with no
    /// `require` condition on that exact path that pins the host: `host_in`, `regex` or
    /// `starts_with`, or an `eq`/`in` listing the allowed URLs. For an argument inside an
    /// array (`sessions[*].url`) the condition must use the same `[*]` path; a condition
    /// on `sessions[0].url` checks only the first element. A `deny_if` does not count: it
    /// lists what is refused, not what is allowed.
    ///
    /// ## Why is this bad?
    /// An agent that reads web pages can be talked into visiting any address: an
    /// attacker's page that phishes the session, an internal admin panel, a cloud metadata
    /// endpoint, a URL that carries the data it just read. Limits do not help; one call
    /// is enough.
    ///
    /// ## Example
    /// ```json
    /// "navigate": { "limits": [ { "counter": "nav", "window": "minute", "max": 30 } ] }
    /// ```
    ///
    /// ## Fix
    /// Allow only the hosts the agent needs:
    /// ```json
    /// "require": [ { "path": "args.url", "op": "host_in", "value": ["example.com", "*.example.com"] } ]
    /// ```
    pub static RULE = {
        code: "PL106",
        name: "url-without-host-constraint",
        severity: Warning,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for entry in cx.tools().filter(|e| e.access.lets_calls_through()) {
        let Some(tool) = entry.tool else {
            continue;
        };
        for signal in &tool.signals {
            let Signal::UrlInput(arg) = signal else {
                continue;
            };
            let path = signal_path(arg);
            let (span, message) = match entry.access {
                Access::Allowed(rule) => {
                    if rule.require.iter().any(|c| pins_host(c, &path)) {
                        continue;
                    }
                    (
                        rule.key_span,
                        format!(
                            "`{}` takes a URL at `{path}` and no `require` constrains its host",
                            tool.name
                        ),
                    )
                }
                _ => (
                    cx.policy.default.span,
                    format!(
                        "`{}` takes a URL at `{path}` and is allowed by `default: \"allow\"` with no constraint on its host",
                        tool.name
                    ),
                ),
            };
            out.push(
                RULE.finding(cx, span, message)
                    .with_label("any host gets through")
                    .with_help(format!(
                        "add \"require\": [{{ \"path\": \"{path}\", \"op\": \"host_in\", \"value\": [\"example.com\"] }}] with the hosts the agent needs"
                    )),
            );
        }
    }
}

/// A `require` condition on exactly `path` that lets only some URLs through.
fn pins_host(cond: &Condition, path: &str) -> bool {
    cond.path.value.to_string() == path
        && match cond.op.value {
            Op::HostIn | Op::Regex | Op::StartsWith => true,
            Op::Eq => matches!(cond.value.value, Value::String(_)),
            Op::In => cond
                .value
                .value
                .as_array()
                .is_some_and(|items| items.iter().all(|i| matches!(i.value, Value::String(_)))),
            _ => false,
        }
}
