//! PL113 `max-zero`: finds a limit with `"max": 0` that consumes units (an `increment`
//! above 0 or an `increment_from`). A limit that consumes nothing is reported by PL115
//! instead.
//! The documentation below is what `policylayer explain` prints.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::lint::Context;
use crate::policy::Limit;

declare_rule! {
    /// ## What it does
    /// Finds a limit with `"max": 0` that consumes units (an `increment` above 0 or an
    /// `increment_from`). A limit that consumes nothing is reported by PL115 instead.
    ///
    /// ## Why is this bad?
    /// A call is denied when `used + increment > max`, so `max: 0` denies every call that
    /// consumes a unit, reported as `rate_limited` with no `retry_after_s`: it reads as
    /// "slow down" and means "never". On `all_tools` it denies every call of every tool.
    ///
    /// ## Example
    /// ```json
    /// "execute": { "limits": [ { "counter": "execute_rate", "window": "minute", "max": 0 } ] }
    /// ```
    ///
    /// ## Fix
    /// To forbid the tool, say so: `"action": "deny"` (reason `tool_denied`), or hide it.
    /// To allow it, give `max` the number of calls it may make.
    pub static RULE = {
        code: "PL113",
        name: "max-zero",
        severity: Warning,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (tool, limit) in cx.limits() {
        if limit.max.value != 0 || !consumes(limit) {
            continue;
        }
        let (denied, help) = match tool.map(|t| &t.name) {
            Some(name) => (
                format!("every call to `{name}`"),
                format!("to forbid `{name}`, write \"action\": \"deny\" (or hide it); to allow it, raise `max`"),
            ),
            None => (
                "every call of every tool".into(),
                "to forbid tools, deny or hide them; to allow calls, raise `max`".into(),
            ),
        };
        let units = if limit.increment_from.is_some() {
            " that consumes a unit"
        } else {
            ""
        };
        out.push(
            RULE.finding(
                cx,
                limit.max.span,
                format!(
                    "limit `{}` has `max: 0`: it denies {denied}{units}, as `rate_limited`",
                    limit.counter.value
                ),
            )
            .with_label("denies every call")
            .with_help(help),
        );
    }
}

fn consumes(limit: &Limit) -> bool {
    limit.increment > 0 || limit.increment_from.is_some()
}
