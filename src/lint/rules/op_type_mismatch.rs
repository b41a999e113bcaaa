//! PL105 `op-type-mismatch`: finds an op that cannot apply to the type the tool's input
//! schema gives the argument: `lt`/`lte`/`gt`/`gte` on anything but a number, `regex`,
//! `starts_with` or `host_in` on anything but a string, `len_*` on a number, boolean or
//! null, `contains` on anything but a string or an array (and with a non-string value on a
//! string). Also an `increment_from` on a boolean, object or null, which cannot be counted.
//! `grant` and `tool` are strings. Only a type the schema states (`type`, or the values of
//! `const`/`enum`) counts; an argument it leaves untyped is not checked.
//! The documentation below is what `policylayer explain` prints.

use super::input_schema::{a_type, admits, declared_types, resolve, Resolved};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::json::Value;
use crate::lint::{Context, ToolEntry};
use crate::policy::{Condition, Op, Path, Root, Spanned};

declare_rule! {
    /// ## What it does
    /// Finds an op that cannot apply to the type the tool's input schema gives the
    /// argument: `lt`/`lte`/`gt`/`gte` on anything but a number, `regex`, `starts_with` or
    /// `host_in` on anything but a string, `len_*` on a number, boolean or null, `contains`
    /// on anything but a string or an array (and with a non-string value on a string).
    /// Also an `increment_from` on a boolean, object or null, which cannot be counted.
    /// `grant` and `tool` are strings. Only a type the schema states (`type`, or the
    /// values of `const`/`enum`) counts; an argument it leaves untyped is not checked.
    ///
    /// ## Why is this bad?
    /// A value of the wrong type for its op is a type mismatch, and a type mismatch denies
    /// the call whichever list the condition is in (fail closed). So `{"path":
    /// "args.url", "op": "lt", "value": 5}` does not compare anything: it denies every
    /// call that sets `url`. An `increment_from` on a boolean denies every call that
    /// passes one.
    ///
    /// ## Example
    /// ```json
    /// "snapshot": { "deny_if": [ { "path": "args.maxChars", "op": "len_gt", "value": 20000 } ] }
    /// ```
    ///
    /// ## Fix
    /// Use an op made for the type: for numbers `lt`, `lte`, `gt`, `gte`, `eq`, `in`
    /// (`{"path": "args.maxChars", "op": "gt", "value": 20000}`); for strings `regex`,
    /// `starts_with`, `contains`, `host_in`, `len_*`; for arrays `contains`, `len_*`, or
    /// `[*]` to test each element.
    pub static RULE = {
        code: "PL105",
        name: "op-type-mismatch",
        severity: Error,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for ToolEntry { rule, tool, .. } in cx.tools() {
        let Some(rule) = rule else { continue };
        let schema = tool.map(|t| &t.input_schema);
        for cond in rule.require.iter().chain(&rule.deny_if) {
            if let Some(d) = condition(cx, schema, cond) {
                out.push(d);
            }
        }
        let Some(schema) = schema else {
            continue;
        };
        for from in rule.limits.iter().filter_map(|l| l.increment_from.as_ref()) {
            if let Some(d) = increment_from(cx, schema, from) {
                out.push(d);
            }
        }
    }
}

/// The types an argument can have by the schema (`grant` and `tool` are strings).
fn types_at<'s>(schema: Option<&'s serde_json::Value>, path: &Path) -> Option<Vec<&'s str>> {
    match path.root {
        Root::Grant | Root::Tool => Some(vec!["string"]),
        Root::Args => match resolve(schema?, &path.segments) {
            Resolved::Schema(leaf) => declared_types(leaf),
            _ => None,
        },
    }
}

fn condition(
    cx: &Context,
    schema: Option<&serde_json::Value>,
    cond: &Condition,
) -> Option<Diagnostic> {
    let op = cond.op.value;
    let string_value = matches!(cond.value.value, Value::String(_));
    let accepted: &[&str] = match op {
        Op::Lt | Op::Lte | Op::Gt | Op::Gte => &["number"],
        Op::Regex | Op::StartsWith | Op::HostIn => &["string"],
        Op::LenLt | Op::LenLte | Op::LenGt | Op::LenGte => &["string", "array", "object"],
        Op::Contains if string_value => &["string", "array"],
        Op::Contains => &["array"],
        Op::Eq | Op::Neq | Op::In | Op::NotIn | Op::Exists => return None,
    };
    let types = types_at(schema, &cond.path.value)?;
    if accepted.iter().any(|kind| admits(&types, kind)) {
        return None;
    }
    let path = &cond.path.value;
    let who = if path.root == Root::Args {
        "every call that sets it"
    } else {
        "every call"
    };
    let typed = a_type(&types);
    let message = if op == Op::Contains && admits(&types, "string") {
        format!(
            "`contains` on the string `{path}` needs a string value, not {}: {who} is denied as a type mismatch",
            a_type(&[cond.value.value.type_name()])
        )
    } else {
        format!(
            "`{op}` cannot apply to `{path}`, which is {typed}: {who} is denied as a type mismatch"
        )
    };
    Some(
        RULE.finding(cx, cond.op.span, message)
            .with_label(format!("`{op}` on {typed}"))
            .with_help(ops_for(&types)),
    )
}

fn increment_from(
    cx: &Context,
    schema: &serde_json::Value,
    from: &Spanned<Path>,
) -> Option<Diagnostic> {
    let types = types_at(Some(schema), &from.value)?;
    if ["number", "string", "array"]
        .iter()
        .any(|kind| admits(&types, kind))
    {
        return None;
    }
    let typed = a_type(&types);
    Some(
        RULE.finding(
            cx,
            from.span,
            format!(
                "`increment_from` cannot count `{}`, which is {typed}: every call that sets it is denied as a type mismatch",
                from.value
            ),
        )
        .with_label(format!("counts {typed}"))
        .with_help("count a number, an array (its length) or a string (its characters)"),
    )
}

/// Which ops suit the first stated type.
fn ops_for(types: &[&str]) -> String {
    match types.first().copied().unwrap_or("") {
        "string" => {
            "for strings use eq, in, regex, starts_with, contains (with a string), host_in or len_*"
                .into()
        }
        "number" | "integer" => "for numbers use eq, in, lt, lte, gt or gte".into(),
        "boolean" => "for booleans use eq or neq".into(),
        "array" => {
            "for arrays use contains, len_*, or `[*]` in the path to test each element".into()
        }
        "object" => "for objects test a field (`.key`) or use len_*".into(),
        other => format!("for {other} use eq, neq or exists"),
    }
}
