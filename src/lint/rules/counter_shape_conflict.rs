//! PL109 `counter-shape-conflict`: finds a counter name used by limits that differ in
//! `window`, `algorithm` or `scope`, anywhere in the policy (`all_tools` and every tool).
//! Each use that differs from the first is reported, with the first one marked.
//! The documentation below is what `policylayer explain` prints.

use std::collections::HashMap;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::lint::Context;
use crate::policy::{window_name, Limit};

declare_rule! {
    /// ## What it does
    /// Finds a counter name used by limits that differ in `window`, `algorithm` or
    /// `scope`, anywhere in the policy (`all_tools` and every tool). Each use that differs
    /// from the first is reported, with the first one marked.
    ///
    /// ## Why is this bad?
    /// A counter is identified by its name, window, algorithm and scope together. Limits
    /// that agree on all four share one count: that is how two tools draw on one quota.
    /// The same name with another window is a second, separate count, so the quota you
    /// meant to share is not shared: each tool gets its own.
    ///
    /// ## Example
    /// ```json
    /// "tab_close":  { "limits": [ { "counter": "tabs", "window": "minute", "max": 60 } ] },
    /// "tab_switch": { "limits": [ { "counter": "tabs", "window": "hour", "max": 600 } ] }
    /// ```
    ///
    /// ## Fix
    /// To share one quota, make window, algorithm and scope agree (each limit may keep its
    /// own `max`). To count separately, give the counters different names.
    pub static RULE = {
        code: "PL109",
        name: "counter-shape-conflict",
        severity: Error,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut limits: Vec<&Limit> = cx.limits().map(|(_, limit)| limit).collect();
    limits.sort_by_key(|l| l.span.start);
    let mut first: HashMap<&str, &Limit> = HashMap::new();
    for limit in limits {
        let Some(earlier) = first.get(limit.counter.value.as_str()).copied() else {
            first.insert(&limit.counter.value, limit);
            continue;
        };
        let differences = differences(earlier, limit);
        if differences.is_empty() {
            continue;
        }
        let line = cx.policy.location(earlier.counter.span).line;
        out.push(
            RULE.finding(
                cx,
                limit.counter.span,
                format!(
                    "counter `{}` has another {} here than on line {line}: these are two separate counts",
                    limit.counter.value,
                    and_list(&differences)
                ),
            )
            .with_label(format!("{} here", shape(limit)))
            .with_related(earlier.counter.span, format!("{} here", shape(earlier)))
            .with_help(
                "to share one count, make window, algorithm and scope agree; to count separately, rename one counter",
            ),
        );
    }
}

/// `window (hour vs minute)`, for each of window, algorithm and scope that differ.
fn differences(first: &Limit, here: &Limit) -> Vec<String> {
    let mut out = Vec::new();
    if first.window.value != here.window.value {
        out.push(format!(
            "window ({} vs {})",
            window_name(here.window.value),
            window_name(first.window.value)
        ));
    }
    if first.algorithm != here.algorithm {
        out.push(format!(
            "algorithm ({} vs {})",
            here.algorithm.as_str(),
            first.algorithm.as_str()
        ));
    }
    if first.scope != here.scope {
        out.push(format!(
            "scope ({} vs {})",
            here.scope.as_str(),
            first.scope.as_str()
        ));
    }
    out
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => items.join(""),
    }
}

/// `minute, fixed, grant`.
fn shape(limit: &Limit) -> String {
    format!(
        "{}, {}, {}",
        window_name(limit.window.value),
        limit.algorithm.as_str(),
        limit.scope.as_str()
    )
}
