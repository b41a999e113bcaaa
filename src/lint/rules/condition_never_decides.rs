//! PL112 `condition-never-decides`: finds a condition that cannot have the effect it was
//! written for, where the policy (and the tool's input schema) prove it: - a `deny_if` that
//! cannot hold when the `require`s hold: `require` `args.tab eq "main"` with `deny_if`
//! `args.tab eq "footer"` (any op, tested on every value an `eq`/`in` `require` on the same
//! path lets through); - a `deny_if` that holds for every value a `require` on the same
//! path lets through, or repeats that `require`: the tool can never be called; - two
//! `require`s on one path that no value satisfies together; - an `eq`/`in` whose values the
//! schema excludes (`enum`, `const` or `type`), such as `deny_if` `args.type eq
//! "javascript"` when `type` is one of `"text"`, `"js"`…; - `in []`; - a condition written
//! twice in one list (the safe fix removes the copy).
//! The documentation below is what `policylayer explain` prints.

use serde_json::Value as Schema;

use super::helpers::{quote, remove_item, sole_suggestion};
use super::input_schema::{a_type, declared_types, resolve, Resolved};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::engine::condition::{apply, Verdict};
use crate::json::Value;
use crate::lint::{Context, ToolEntry};
use crate::policy::{Condition, ConditionList, Root, Test, ToolRule};

declare_rule! {
    /// ## What it does
    /// Finds a condition that cannot have the effect it was written for, where the policy
    /// (and the tool's input schema) prove it:
    /// - a `deny_if` that cannot hold when the `require`s hold: `require` `args.tab eq
    ///   "main"` with `deny_if` `args.tab eq "footer"` (any op, tested on every value an
    ///   `eq`/`in` `require` on the same path lets through);
    /// - a `deny_if` that holds for every value a `require` on the same path lets
    ///   through, or repeats that `require`: the tool can never be called;
    /// - two `require`s on one path that no value satisfies together;
    /// - an `eq`/`in` whose values the schema excludes (`enum`, `const` or `type`), such as
    ///   `deny_if` `args.type eq "javascript"` when `type` is one of `"text"`, `"js"`…;
    /// - `in []`;
    /// - a condition written twice in one list (the safe fix removes the copy).
    ///
    /// ## Why is this bad?
    /// Each of these reads like a rule and does nothing, or denies everything. The
    /// `deny_if` on `"footer"` was meant to block something, so the policy author believes
    /// it is blocked; the `"javascript"` typo lets `"js"` through.
    ///
    /// ## Example
    /// ```json
    /// "extract": {
    ///   "require": [ { "path": "args.type", "op": "eq", "value": "text" } ],
    ///   "deny_if": [ { "path": "args.type", "op": "eq", "value": "js" } ]
    /// }
    /// ```
    ///
    /// ## Fix
    /// Decide which condition states the intent and remove the other, or correct the
    /// values (`policylayer catalog show TOOL` lists what an argument takes). To deny a
    /// tool outright, write `"action": "deny"`.
    pub static RULE = {
        code: "PL112",
        name: "condition-never-decides",
        severity: Warning,
        check: Some(check),
    };
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for ToolEntry { rule, tool, .. } in cx.tools() {
        let Some(rule) = rule else { continue };
        let schema = tool.map(|t| &t.input_schema);
        Tool {
            cx,
            rule,
            reported: Vec::new(),
        }
        .check(schema, out);
    }
}

/// One tool's conditions, each reported at most once.
struct Tool<'a> {
    cx: &'a Context<'a>,
    rule: &'a ToolRule,
    /// Spans of conditions already reported.
    reported: Vec<crate::source::Span>,
}

impl Tool<'_> {
    fn check(mut self, schema: Option<&Schema>, out: &mut Vec<Diagnostic>) {
        for list in [ConditionList::Require, ConditionList::DenyIf] {
            self.duplicates(list, out);
            self.empty_in(list, out);
        }
        self.deny_if_against_require(out);
        self.contradicting_requires(out);
        if let Some(schema) = schema {
            self.outside_schema(schema, out);
        }
    }

    fn open(&self, cond: &Condition) -> bool {
        !self.reported.contains(&cond.span)
    }

    fn report(&mut self, cond: &Condition, d: Diagnostic, out: &mut Vec<Diagnostic>) {
        self.reported.push(cond.span);
        out.push(d);
    }

    fn duplicates(&mut self, list: ConditionList, out: &mut Vec<Diagnostic>) {
        let conds = conditions(self.rule, list);
        for (k, cond) in conds.iter().enumerate() {
            let Some(j) = conds[..k].iter().position(|c| same(c, cond)) else {
                continue;
            };
            let Some(previous) = k.checked_sub(1).and_then(|p| conds.get(p)) else {
                continue;
            };
            let key = list.as_str();
            let d = RULE
                .finding(
                    self.cx,
                    cond.span,
                    format!("this condition repeats `{key}[{j}]`: it never decides anything"),
                )
                .with_label("duplicate condition")
                .with_related(conds[j].span, "first written here")
                .with_help("remove the copy, or write the condition you meant")
                .with_fix(Fix {
                    description: "remove the duplicate condition".into(),
                    applicability: Applicability::Safe,
                    edits: vec![remove_item(previous.span, cond.span)],
                });
            self.report(cond, d, out);
        }
    }

    fn empty_in(&mut self, list: ConditionList, out: &mut Vec<Diagnostic>) {
        for cond in conditions(self.rule, list) {
            if !matches!(&cond.test, Test::In(items) if items.is_empty()) || !self.open(cond) {
                continue;
            }
            let effect = match list {
                ConditionList::Require => "this `require` denies every call",
                ConditionList::DenyIf => "this `deny_if` never denies anything",
            };
            let d = RULE
                .finding(
                    self.cx,
                    cond.value.span,
                    format!("`in []` never holds: {effect}"),
                )
                .with_label("no values")
                .with_help("list the values, or remove the condition");
            self.report(cond, d, out);
        }
    }

    fn deny_if_against_require(&mut self, out: &mut Vec<Diagnostic>) {
        let rule = self.rule;
        for deny in &rule.deny_if {
            for (i, req) in rule.require.iter().enumerate() {
                if req.path.value != deny.path.value || !self.open(deny) {
                    continue;
                }
                let each = deny.path.value.has_wildcard();
                let verdicts: Option<Vec<Verdict>> = allowed(req)
                    .map(|values| values.iter().map(|v| apply(&deny.test, Some(v))).collect());
                let never = verdicts
                    .as_ref()
                    .is_some_and(|v| v.iter().all(|v| *v == Verdict::Fails));
                let always = !each
                    && (same(req, deny)
                        || verdicts
                            .as_ref()
                            .is_some_and(|v| v.iter().all(|v| *v == Verdict::Holds)));
                let path = &deny.path.value;
                let d = if never {
                    RULE.finding(
                        self.cx,
                        deny.value.span,
                        format!(
                            "this `deny_if` can never hold: `require[{i}]` only lets {} through at `{path}`",
                            values_text(req)
                        ),
                    )
                    .with_label("never holds")
                    .with_related(req.value.span, "all that gets past `require`")
                    .with_help("remove this `deny_if`, or fix its values: as written it never denies anything")
                } else if always {
                    RULE.finding(
                        self.cx,
                        deny.value.span,
                        format!(
                            "this `deny_if` holds for every call that passes `require[{i}]`: `{}` can never be called",
                            rule.name
                        ),
                    )
                    .with_label("always holds")
                    .with_related(req.value.span, "every value this lets through")
                    .with_help("remove one of the two; to deny the tool, write \"action\": \"deny\"")
                } else {
                    continue;
                };
                self.report(deny, d, out);
            }
        }
    }

    fn contradicting_requires(&mut self, out: &mut Vec<Diagnostic>) {
        let rule = self.rule;
        for (k, later) in rule.require.iter().enumerate() {
            for (j, earlier) in rule.require[..k].iter().enumerate() {
                if earlier.path.value != later.path.value
                    || later.path.value.has_wildcard()
                    || !self.open(later)
                    || !self.open(earlier)
                {
                    continue;
                }
                if !(excludes(earlier, later) || excludes(later, earlier)) {
                    continue;
                }
                let d = RULE
                    .finding(
                        self.cx,
                        later.value.span,
                        format!(
                            "this `require` and `require[{j}]` cannot both hold: every call to `{}` is denied",
                            rule.name
                        ),
                    )
                    .with_label("contradicts an earlier `require`")
                    .with_related(earlier.value.span, "requires this")
                    .with_help("to allow several values use one `in`; to deny the tool, write \"action\": \"deny\"");
                self.report(later, d, out);
            }
        }
    }

    fn outside_schema(&mut self, schema: &Schema, out: &mut Vec<Diagnostic>) {
        let rule = self.rule;
        let lists = [
            (ConditionList::Require, &rule.require),
            (ConditionList::DenyIf, &rule.deny_if),
        ];
        for (list, conds) in lists {
            for cond in conds.iter() {
                let path = &cond.path.value;
                let each = path.has_wildcard();
                if path.root != Root::Args
                    || (list == ConditionList::Require && each)
                    || !self.open(cond)
                {
                    continue;
                }
                let Some(values) = allowed(cond) else {
                    continue;
                };
                let Resolved::Schema(leaf) = resolve(schema, &path.segments) else {
                    continue;
                };
                if leaf.get("$ref").is_some() || values.iter().any(|v| fits(v, leaf)) {
                    continue;
                }
                let takes = takes(leaf);
                let (message, label) = match list {
                    ConditionList::Require => (
                        format!("this `require` denies every call the server accepts: `{path}` takes {takes}"),
                        "no valid value passes",
                    ),
                    ConditionList::DenyIf => (
                        format!("this `deny_if` can never hold for a call the server accepts: `{path}` takes {takes}"),
                        "never holds",
                    ),
                };
                let mut d = RULE
                    .finding(self.cx, cond.value.span, message)
                    .with_label(label);
                let options = enum_strings(leaf);
                let typo = match &cond.test {
                    Test::Eq(Value::String(s)) => sole_suggestion(s, &options),
                    _ => None,
                };
                d = match typo {
                    Some(meant) => d
                        .with_help(format!("did you mean \"{meant}\"?"))
                        .with_fix(Fix {
                            description: format!("use \"{meant}\" (the condition starts to decide)"),
                            applicability: Applicability::Unsafe,
                            edits: vec![Edit {
                                span: cond.value.span,
                                replacement: quote(meant),
                            }],
                        }),
                    None => d.with_help(
                        "use values the argument takes (`policylayer catalog show TOOL` lists them)",
                    ),
                };
                self.report(cond, d, out);
            }
        }
    }
}

fn conditions(rule: &ToolRule, list: ConditionList) -> &[Condition] {
    match list {
        ConditionList::Require => &rule.require,
        ConditionList::DenyIf => &rule.deny_if,
    }
}

/// Same path, op and value (deep equality).
fn same(a: &Condition, b: &Condition) -> bool {
    a.path.value == b.path.value
        && a.op.value == b.op.value
        && a.value.value.deep_eq(&b.value.value)
}

/// The values an `eq` or non-empty `in` lets through; `None` for other ops.
fn allowed(cond: &Condition) -> Option<Vec<&Value>> {
    match &cond.test {
        Test::Eq(v) => Some(vec![v]),
        Test::In(items) if !items.is_empty() => Some(items.iter().collect()),
        _ => None,
    }
}

/// `narrow` lets only values through that `other` does not hold for (on one path, no
/// `[*]`): together they deny every call.
fn excludes(narrow: &Condition, other: &Condition) -> bool {
    allowed(narrow).is_some_and(|values| {
        values
            .iter()
            .all(|v| apply(&other.test, Some(v)) != Verdict::Holds)
    })
}

/// `"main"`, or `"a", "b" or "c"` (at most five shown).
fn values_text(cond: &Condition) -> String {
    let values: Vec<String> = allowed(cond)
        .unwrap_or_default()
        .iter()
        .map(|v| v.to_string())
        .collect();
    one_of(&values)
}

fn one_of(values: &[String]) -> String {
    match values {
        [] => "nothing".into(),
        [one] => one.clone(),
        [rest @ .., last] if values.len() <= 5 => format!("{} or {last}", rest.join(", ")),
        _ => format!("{}, … ({} values)", values[..4].join(", "), values.len()),
    }
}

/// Whether the schema admits a value: its stated types, `enum` and `const`.
fn fits(value: &Value, schema: &Schema) -> bool {
    if let Some(types) = declared_types(schema) {
        let integral = matches!(value, Value::Number(n) if n.as_f64().fract() == 0.0);
        let kind = value.type_name();
        if !types
            .iter()
            .any(|t| *t == kind || (*t == "integer" && integral))
        {
            return false;
        }
    }
    if let Some(Schema::Array(options)) = schema.get("enum") {
        if !options.iter().any(|o| equal(value, o)) {
            return false;
        }
    }
    schema.get("const").is_none_or(|c| equal(value, c))
}

/// What the schema lets an argument take, for messages.
fn takes(schema: &Schema) -> String {
    if let Some(c) = schema.get("const") {
        return format!("only {c}");
    }
    if let Some(Schema::Array(options)) = schema.get("enum") {
        let values: Vec<String> = options.iter().map(ToString::to_string).collect();
        return format!("one of {}", one_of(&values));
    }
    declared_types(schema).map_or_else(|| "other values".into(), |t| a_type(&t))
}

fn enum_strings(schema: &Schema) -> Vec<&str> {
    match schema.get("enum") {
        Some(Schema::Array(options)) => options.iter().filter_map(Schema::as_str).collect(),
        _ => Vec::new(),
    }
}

/// JSON equality between a policy value and a schema value; numbers numerically.
fn equal(a: &Value, b: &Schema) -> bool {
    match (a, b) {
        (Value::Null, Schema::Null) => true,
        (Value::Bool(x), Schema::Bool(y)) => x == y,
        (Value::Number(x), Schema::Number(y)) => y.as_f64() == Some(x.as_f64()),
        (Value::String(x), Schema::String(y)) => x == y,
        (Value::Array(x), Schema::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(&x.value, y))
        }
        (Value::Object(x), Schema::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|m| y.get(&m.key).is_some_and(|v| equal(&m.value.value, v)))
        }
        _ => false,
    }
}
