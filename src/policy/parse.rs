//! From a spanned JSON tree to a validated [`Policy`], collecting every error of the file.

use std::sync::Arc;

use regex::RegexBuilder;

use super::fields::*;
use super::*;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::json::{self, Member, Node, Value};
use crate::source::{SourceFile, Span};
use crate::validate::{get, Cx};

use super::codes::*;

pub(super) fn parse(source: Arc<SourceFile>) -> Result<Policy, Vec<Diagnostic>> {
    let parsed = json::parse(source.text());
    let mut cx = Cx::new(&source, &parsed);
    let Some(doc) = parsed.root else {
        return Err(cx.errors);
    };
    let policy = cx.policy(&doc);
    match policy {
        Some((default, hide, all_tools, tools)) if cx.errors.is_empty() => {
            let index = tools
                .iter()
                .enumerate()
                .map(|(i, t): (usize, &ToolRule)| (t.name.clone(), i))
                .collect();
            Ok(Policy {
                source,
                doc,
                default,
                hide,
                all_tools,
                tools,
                index,
            })
        }
        _ => Err(cx.errors),
    }
}

type Parts = (
    Spanned<Posture>,
    Vec<Spanned<String>>,
    Vec<Limit>,
    Vec<ToolRule>,
);

impl Cx<'_> {
    fn policy(&mut self, doc: &Node) -> Option<Parts> {
        let members = self.fields(doc, "the policy", TOP_FIELDS)?;
        if let Some(schema) = get(members, "$schema") {
            self.string(schema, "`$schema`");
        }
        let version_help = "write \"version\": \"1\" (the only format version)";
        if let Some(v) = self.required(members, "version", doc.span, "the policy", version_help) {
            match &v.value {
                Value::String(s) if s == "1" => {}
                Value::String(s) => self.error(
                    INVALID_VALUE,
                    v.span,
                    format!("unsupported policy version \"{s}\""),
                    "expected \"1\"",
                    version_help,
                ),
                _ => self.wrong_type(v, "`version`", "the string \"1\""),
            }
        }
        let default = self
            .required(
                members,
                "default",
                doc.span,
                "the policy",
                "add \"default\": \"deny\" (recommended) or \"allow\"",
            )
            .and_then(|d| {
                let value = self.keyword(
                    d,
                    "`default`",
                    &[("allow", Posture::Allow), ("deny", Posture::Deny)],
                )?;
                Some(Spanned {
                    value,
                    span: d.span,
                })
            });
        let hide = get(members, "hide").map_or_else(Vec::new, |h| self.hide(h));
        let all_tools = get(members, "all_tools").map_or_else(Vec::new, |a| self.all_tools(a));
        let tools = get(members, "tools").map_or_else(Vec::new, |t| self.tools(t));
        Some((default?, hide, all_tools, tools))
    }

    fn hide(&mut self, node: &Node) -> Vec<Spanned<String>> {
        let Value::Array(items) = &node.value else {
            self.wrong_type(node, "`hide`", "an array of tool names");
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.string(item, "a `hide` entry"))
            .collect()
    }

    fn all_tools(&mut self, node: &Node) -> Vec<Limit> {
        let Some(members) = self.fields(node, "`all_tools`", &["limits"]) else {
            return Vec::new();
        };
        get(members, "limits").map_or_else(Vec::new, |l| self.limits(l))
    }

    fn tools(&mut self, node: &Node) -> Vec<ToolRule> {
        let Value::Object(members) = &node.value else {
            self.wrong_type(node, "`tools`", "an object mapping tool names to rules");
            return Vec::new();
        };
        members.iter().filter_map(|m| self.tool(m)).collect()
    }

    fn tool(&mut self, m: &Member) -> Option<ToolRule> {
        if m.key.is_empty() {
            self.error(
                INVALID_VALUE,
                m.key_span,
                "empty tool name",
                "empty",
                "name the tool as the server lists it",
            );
        }
        let what = format!("tool `{}`", m.key);
        let members = self.fields(&m.value, &what, TOOL_FIELDS)?;
        let action = get(members, "action").and_then(|a| {
            let value = self.keyword(
                a,
                "`action`",
                &[
                    ("allow", Action::Allow),
                    ("deny", Action::Deny),
                    ("approve", Action::Approve),
                ],
            )?;
            Some(Spanned {
                value,
                span: a.span,
            })
        });
        let require =
            get(members, "require").map_or_else(Vec::new, |r| self.conditions(r, "`require`"));
        let deny_if =
            get(members, "deny_if").map_or_else(Vec::new, |r| self.conditions(r, "`deny_if`"));
        let limits = get(members, "limits").map_or_else(Vec::new, |l| self.limits(l));
        let message = get(members, "message").and_then(|n| self.string(n, "`message`"));
        let lint = get(members, "lint").and_then(|n| self.suppression(n));
        Some(ToolRule {
            name: m.key.clone(),
            key_span: m.key_span,
            span: m.value.span,
            action,
            require,
            deny_if,
            limits,
            message,
            lint,
        })
    }

    fn suppression(&mut self, node: &Node) -> Option<Suppression> {
        let members = self.fields(node, "`lint`", LINT_FIELDS)?;
        let ignore_node = self.required(
            members,
            "ignore",
            node.span,
            "`lint`",
            "list the codes to ignore: \"ignore\": [\"PL101\"]",
        );
        let reason_node = self.required(
            members,
            "reason",
            node.span,
            "`lint`",
            "a suppression must say why: \"reason\": \"...\"",
        );
        let ignore = ignore_node.and_then(|n| match &n.value {
            Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|i| self.string(i, "a lint code"))
                    .collect::<Vec<_>>(),
            ),
            _ => {
                self.wrong_type(n, "`ignore`", "an array of rule codes");
                None
            }
        });
        let reason = reason_node.and_then(|n| self.string(n, "`reason`"));
        if let Some(r) = &reason {
            if r.value.trim().is_empty() {
                self.error(
                    INVALID_VALUE,
                    r.span,
                    "empty suppression reason",
                    "empty",
                    "say why the rule does not apply here",
                );
            }
        }
        Some(Suppression {
            span: node.span,
            ignore: ignore?,
            reason: reason?,
        })
    }

    fn conditions(&mut self, node: &Node, what: &str) -> Vec<Condition> {
        let Value::Array(items) = &node.value else {
            self.wrong_type(node, what, "an array of conditions");
            return Vec::new();
        };
        items.iter().filter_map(|c| self.condition(c)).collect()
    }

    fn condition(&mut self, node: &Node) -> Option<Condition> {
        let members = self.fields(node, "a condition", CONDITION_FIELDS)?;
        let shape = "a condition is { \"path\": \"args.x\", \"op\": \"eq\", \"value\": ... }";
        let path = self
            .required(members, "path", node.span, "the condition", shape)
            .and_then(|p| self.path(p, "`path`"));
        let op = self
            .required(members, "op", node.span, "the condition", shape)
            .and_then(|o| {
                let s = self.string(o, "`op`")?;
                match Op::from_name(&s.value) {
                    Some(op) => Some(Spanned {
                        value: op,
                        span: o.span,
                    }),
                    None => {
                        let names = Op::ALL.map(Op::as_str);
                        let help = match did_you_mean(&s.value, names) {
                            Some(m) => format!("did you mean \"{m}\"?"),
                            None => format!("ops: {}", names.join(", ")),
                        };
                        self.error(
                            INVALID_VALUE,
                            o.span,
                            format!("unknown op \"{}\"", s.value),
                            "unknown op",
                            help,
                        );
                        None
                    }
                }
            });
        let value = self.required(members, "value", node.span, "the condition", shape);
        let (path, op, value) = (path?, op?, value?);
        let test = self.test(op.value, value)?;
        Some(Condition {
            span: node.span,
            path,
            op,
            value: value.clone(),
            test,
        })
    }

    fn path(&mut self, node: &Node, what: &str) -> Option<Spanned<Path>> {
        let s = self.string(node, what)?;
        match Path::parse(&s.value) {
            Ok(p) => Some(Spanned {
                value: p,
                span: node.span,
            }),
            Err(e) => {
                // Point into the string when it has no escapes, so offsets map 1:1.
                let raw = &self.source.text()[node.span.start..node.span.end];
                let span = if raw.len() == s.value.len() + 2 {
                    let at = node.span.start + 1 + e.offset.min(s.value.len());
                    let end = (at + 1).min(node.span.end - 1).max(at);
                    Span::new(at, end)
                } else {
                    node.span
                };
                self.error(
                    INVALID_VALUE,
                    span,
                    format!("invalid path \"{}\": {}", s.value, e.message),
                    "here",
                    "paths look like args.url, args.sessions[*].url, args[\"a.b\"], grant or tool",
                );
                None
            }
        }
    }

    /// Checks the value's type for the op and compiles it.
    fn test(&mut self, op: Op, value: &Node) -> Option<Test> {
        let v = &value.value;
        let fail = |cx: &mut Self, expected: &str| {
            cx.wrong_type(value, &format!("the value of `{}`", op.as_str()), expected);
            None
        };
        Some(match op {
            Op::Eq => Test::Eq(v.clone()),
            Op::Neq => Test::Neq(v.clone()),
            Op::Contains => Test::Contains(v.clone()),
            Op::In | Op::NotIn => {
                let Value::Array(items) = v else {
                    return fail(self, "an array");
                };
                let items = items.iter().map(|n| n.value.clone()).collect();
                if op == Op::In {
                    Test::In(items)
                } else {
                    Test::NotIn(items)
                }
            }
            Op::Lt | Op::Lte | Op::Gt | Op::Gte => {
                let Value::Number(n) = v else {
                    return fail(self, "a number");
                };
                Test::Compare(cmp(op), n.as_f64())
            }
            Op::LenLt | Op::LenLte | Op::LenGt | Op::LenGte => {
                let n = self.integer(value, &format!("the value of `{}`", op.as_str()), 0)?;
                Test::Len(cmp(op), n)
            }
            Op::Regex => {
                let Value::String(pattern) = v else {
                    return fail(self, "a string (a regular expression)");
                };
                match RegexBuilder::new(pattern).size_limit(1 << 22).build() {
                    Ok(re) => Test::Regex(re),
                    Err(e) => {
                        let detail = e.to_string();
                        let last = detail.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
                        self.error(
                            INVALID_VALUE,
                            value.span,
                            format!(
                                "regex does not compile: {}",
                                last.trim_start_matches("error: ")
                            ),
                            "invalid regex",
                            "patterns use Rust `regex` syntax; escape literal dots as \\\\.",
                        );
                        return None;
                    }
                }
            }
            Op::StartsWith => {
                let Value::String(s) = v else {
                    return fail(self, "a string");
                };
                Test::StartsWith(s.clone())
            }
            Op::Exists => {
                let Value::Bool(b) = v else {
                    return fail(self, "true or false");
                };
                Test::Exists(*b)
            }
            Op::HostIn => {
                let Value::Array(items) = v else {
                    return fail(self, "an array of host patterns");
                };
                let mut patterns = Vec::new();
                for item in items {
                    if let Some(p) = self.host_pattern(item) {
                        patterns.push(p);
                    }
                }
                (patterns.len() == items.len()).then_some(Test::HostIn(patterns))?
            }
        })
    }

    fn host_pattern(&mut self, node: &Node) -> Option<HostPattern> {
        let s = self.string(node, "a host pattern")?;
        let host = s.value.to_ascii_lowercase();
        let (suffix, wildcard) = match host.strip_prefix("*.") {
            Some(rest) => (rest, true),
            None => (host.as_str(), false),
        };
        let bad = suffix.is_empty()
            || suffix.contains(['*', '/', ':', '@', '?', '#', ' '])
            || suffix.starts_with('.')
            || suffix.ends_with('.');
        if bad {
            self.error(
                INVALID_VALUE,
                node.span,
                format!("invalid host pattern \"{}\"", s.value),
                "not a host",
                "write a bare host (\"example.com\") or \"*.example.com\" for its subdomains; no scheme, port or path",
            );
            return None;
        }
        Some(if wildcard {
            HostPattern::Subdomain(format!(".{suffix}"))
        } else {
            HostPattern::Exact(suffix.to_string())
        })
    }

    fn limits(&mut self, node: &Node) -> Vec<Limit> {
        let Value::Array(items) = &node.value else {
            self.wrong_type(node, "`limits`", "an array of limits");
            return Vec::new();
        };
        items.iter().filter_map(|l| self.limit(l)).collect()
    }

    fn limit(&mut self, node: &Node) -> Option<Limit> {
        let members = self.fields(node, "a limit", LIMIT_FIELDS)?;
        let shape = "a limit is { \"counter\": \"name\", \"window\": \"minute\", \"max\": 30 }";
        let counter = self
            .required(members, "counter", node.span, "the limit", shape)
            .and_then(|c| self.string(c, "`counter`"));
        if let Some(c) = &counter {
            if c.value.is_empty() {
                self.error(
                    INVALID_VALUE,
                    c.span,
                    "empty counter name",
                    "empty",
                    "name the counter, e.g. \"nav_rate\"",
                );
            }
        }
        let window = self
            .required(members, "window", node.span, "the limit", shape)
            .and_then(|w| self.window(w));
        let max = self
            .required(members, "max", node.span, "the limit", shape)
            .and_then(|m| {
                Some(Spanned {
                    value: self.integer(m, "`max`", 0)?,
                    span: m.span,
                })
            });
        let scope = get(members, "scope").map_or(Some(Scope::Grant), |s| {
            self.keyword(
                s,
                "`scope`",
                &[("grant", Scope::Grant), ("global", Scope::Global)],
            )
        });
        let increment =
            get(members, "increment").map_or(Some(1), |i| self.integer(i, "`increment`", 0));
        let increment_from = match get(members, "increment_from") {
            None => Some(None),
            Some(p) => self.increment_from(p).map(Some),
        };
        let algorithm = get(members, "algorithm").map_or(Some(Algorithm::Fixed), |a| {
            self.keyword(
                a,
                "`algorithm`",
                &[("fixed", Algorithm::Fixed), ("sliding", Algorithm::Sliding)],
            )
        });
        Some(Limit {
            span: node.span,
            counter: counter.filter(|c| !c.value.is_empty())?,
            window: window?,
            max: max?,
            scope: scope?,
            increment: increment?,
            increment_from: increment_from?,
            algorithm: algorithm?,
        })
    }

    fn window(&mut self, node: &Node) -> Option<Spanned<u64>> {
        let seconds = match &node.value {
            Value::String(_) => self.keyword(
                node,
                "`window`",
                &[("minute", 60), ("hour", 3600), ("day", 86400)],
            )?,
            Value::Number(_) => self.integer(node, "`window`", 1)?,
            _ => {
                self.wrong_type(
                    node,
                    "`window`",
                    "\"minute\", \"hour\", \"day\" or a positive number of seconds",
                );
                return None;
            }
        };
        Some(Spanned {
            value: seconds,
            span: node.span,
        })
    }

    fn increment_from(&mut self, node: &Node) -> Option<Spanned<Path>> {
        let path = self.path(node, "`increment_from`")?;
        let problem = if path.value.root != Root::Args {
            Some("`increment_from` must name a value inside `args`")
        } else if path.value.segments.is_empty() {
            Some("`increment_from` must name a value inside `args`, not `args` itself")
        } else if path.value.has_wildcard() {
            Some("`increment_from` cannot use `[*]`: it must name one value")
        } else {
            None
        };
        if let Some(p) = problem {
            self.error(
                INVALID_VALUE,
                node.span,
                p,
                "not a single args value",
                "name a number, array or string in the arguments, e.g. \"args.sessions\"",
            );
            return None;
        }
        Some(path)
    }
}

fn cmp(op: Op) -> Cmp {
    match op {
        Op::Lt | Op::LenLt => Cmp::Lt,
        Op::Lte | Op::LenLte => Cmp::Lte,
        Op::Gt | Op::LenGt => Cmp::Gt,
        _ => Cmp::Gte,
    }
}
