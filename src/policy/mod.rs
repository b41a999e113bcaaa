//! The policy model (SPEC §1): parsed once from a spanned JSON tree, validated completely,
//! and kept with its source so that every rule can be named as a JSON pointer and as
//! `file:line:column`.

mod parse;
pub mod path;

/// The fields each object of the format may hold, in the order the spec documents them:
/// the validator rejects any other, and `fmt` writes them in this order.
pub mod fields {
    pub const TOP_FIELDS: &[&str] = &[
        "$schema",
        "version",
        "default",
        "hide",
        "all_tools",
        "tools",
    ];
    pub const TOOL_FIELDS: &[&str] = &["action", "require", "deny_if", "limits", "message", "lint"];
    pub const CONDITION_FIELDS: &[&str] = &["path", "op", "value"];
    pub const LIMIT_FIELDS: &[&str] = &[
        "counter",
        "window",
        "max",
        "scope",
        "increment",
        "increment_from",
        "algorithm",
    ];
    pub const LINT_FIELDS: &[&str] = &["ignore", "reason"];
}

/// Codes of the errors found while parsing and validating; `explain` documents them
/// beside the lint rules.
pub mod codes {
    pub const UNREADABLE: &str = "PL000";
    pub const SYNTAX: &str = "PL001";
    pub const DUPLICATE_KEY: &str = "PL002";
    pub const UNKNOWN_FIELD: &str = "PL003";
    pub const WRONG_TYPE: &str = "PL004";
    pub const INVALID_VALUE: &str = "PL005";
    pub const MISSING_FIELD: &str = "PL006";
}

use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;

use crate::diagnostic::Diagnostic;
use crate::json::{Node, Value};
use crate::source::{Location, SourceFile, Span};
pub use path::{Path, Root, Segment};

/// A value with the span it was written at.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

crate::keywords! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Posture {
        Allow = "allow",
        Deny = "deny",
    }
}

crate::keywords! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Action {
        Allow = "allow",
        Deny = "deny",
        Approve = "approve",
    }
}

#[derive(Debug)]
pub struct Policy {
    pub source: Arc<SourceFile>,
    /// The whole document, for pointer → span lookups and for `fmt`.
    pub doc: Node,
    pub default: Spanned<Posture>,
    pub hide: Vec<Spanned<String>>,
    /// `all_tools.limits`, empty when absent.
    pub all_tools: Vec<Limit>,
    /// Tool rules in file order.
    pub tools: Vec<ToolRule>,
    index: HashMap<String, usize>,
}

#[derive(Debug)]
pub struct ToolRule {
    pub name: String,
    pub key_span: Span,
    /// The rule object `{ ... }`.
    pub span: Span,
    pub action: Option<Spanned<Action>>,
    pub require: Vec<Condition>,
    pub deny_if: Vec<Condition>,
    pub limits: Vec<Limit>,
    pub message: Option<Spanned<String>>,
    pub lint: Option<Suppression>,
}

impl ToolRule {
    /// The JSON pointer of this rule: `/tools/<name>` with RFC 6901 escaping.
    pub fn pointer(&self) -> String {
        format!("/tools/{}", escape_pointer(&self.name))
    }

    /// The action in force: `allow` unless written otherwise.
    pub fn effective_action(&self) -> Action {
        self.action.as_ref().map_or(Action::Allow, |a| a.value)
    }
}

/// An inline `"lint": {"ignore": [...], "reason": "..."}` on a tool entry.
#[derive(Debug, Clone)]
pub struct Suppression {
    pub span: Span,
    pub ignore: Vec<Spanned<String>>,
    pub reason: Spanned<String>,
}

crate::keywords! {
    /// Which list a condition stands in; `[*]` quantifies differently in each.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ConditionList {
        Require = "require",
        DenyIf = "deny_if",
    }
}

#[derive(Debug)]
pub struct Condition {
    pub span: Span,
    pub path: Spanned<Path>,
    pub op: Spanned<Op>,
    pub value: Node,
    /// The op with its value compiled (regex built, hosts lowered, numbers extracted).
    pub test: Test,
}

crate::keywords! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Op {
        Eq = "eq",
        Neq = "neq",
        In = "in",
        NotIn = "not_in",
        Lt = "lt",
        Lte = "lte",
        Gt = "gt",
        Gte = "gte",
        Regex = "regex",
        Contains = "contains",
        StartsWith = "starts_with",
        Exists = "exists",
        HostIn = "host_in",
        LenLt = "len_lt",
        LenLte = "len_lte",
        LenGt = "len_gt",
        LenGte = "len_gte",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Lte,
    Gt,
    Gte,
}

impl Cmp {
    pub fn holds<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Lte => a <= b,
            Cmp::Gt => a > b,
            Cmp::Gte => a >= b,
        }
    }
}

/// A compiled condition test.
#[derive(Debug, Clone)]
pub enum Test {
    Eq(Value),
    Neq(Value),
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Compare(Cmp, f64),
    Regex(Regex),
    Contains(Value),
    StartsWith(String),
    Exists(bool),
    HostIn(Vec<HostPattern>),
    Len(Cmp, u64),
}

/// A `host_in` pattern: an exact host, or `*.suffix` for any subdomain of `suffix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPattern {
    Exact(String),
    /// Stored as `.suffix` so a match is a plain `ends_with`.
    Subdomain(String),
}

impl HostPattern {
    pub fn matches(&self, host: &str) -> bool {
        match self {
            HostPattern::Exact(h) => host.eq_ignore_ascii_case(h),
            HostPattern::Subdomain(dot_suffix) => {
                host.len() > dot_suffix.len()
                    && host
                        .get(host.len() - dot_suffix.len()..)
                        .is_some_and(|tail| tail.eq_ignore_ascii_case(dot_suffix))
            }
        }
    }
}

crate::keywords! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Scope {
        Grant = "grant",
        Global = "global",
    }
}

crate::keywords! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Algorithm {
        Fixed = "fixed",
        Sliding = "sliding",
    }
}

#[derive(Debug, Clone)]
pub struct Limit {
    /// The limit object.
    pub span: Span,
    pub counter: Spanned<String>,
    /// Window length in seconds.
    pub window: Spanned<u64>,
    pub max: Spanned<u64>,
    pub scope: Scope,
    pub increment: u64,
    pub increment_from: Option<Spanned<Path>>,
    pub algorithm: Algorithm,
}

impl Limit {
    /// Limits that agree on these share one count (SPEC §1).
    pub fn counter_identity(&self) -> (&str, u64, Algorithm, Scope) {
        (
            &self.counter.value,
            self.window.value,
            self.algorithm,
            self.scope,
        )
    }
}

/// Human form of a window: `minute`, `hour`, `day` or `N s`.
pub fn window_name(seconds: u64) -> String {
    match seconds {
        60 => "minute".into(),
        3600 => "hour".into(),
        86400 => "day".into(),
        s => format!("{s}s"),
    }
}

/// RFC 6901 escaping of one pointer token.
pub fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// How a policy treats a tool (see [`Policy::access`]).
#[derive(Debug, Clone, Copy)]
pub enum Access<'p> {
    /// Hidden by the `hide` entry at this index.
    Hidden(usize),
    DefaultDenied,
    /// Not listed, let through by `default: "allow"`.
    DefaultAllowed,
    Denied(&'p ToolRule),
    Approve(&'p ToolRule),
    Allowed(&'p ToolRule),
}

impl Access<'_> {
    /// Calls can get through without a person approving them.
    pub fn lets_calls_through(&self) -> bool {
        matches!(self, Access::DefaultAllowed | Access::Allowed(_))
    }
}

impl Policy {
    /// Parses and validates a policy; every problem in the file is reported, not just the first.
    pub fn parse(source: Arc<SourceFile>) -> Result<Policy, Vec<Diagnostic>> {
        parse::parse(source)
    }

    /// Reads, parses and validates a policy file.
    pub fn load(path: &std::path::Path) -> Result<Policy, Vec<Diagnostic>> {
        match SourceFile::read(path) {
            Ok(src) => Policy::parse(src),
            Err(d) => Err(vec![*d]),
        }
    }

    pub fn tool(&self, name: &str) -> Option<&ToolRule> {
        self.index.get(name).map(|&i| &self.tools[i])
    }

    /// The index of the first `hide` entry that hides `tool`.
    pub fn hidden_by(&self, tool: &str) -> Option<usize> {
        self.hide
            .iter()
            .position(|h| h.value == "*" || h.value == tool)
    }

    /// How the policy treats calls to `tool`, before conditions and limits.
    pub fn access(&self, tool: &str) -> Access<'_> {
        if let Some(i) = self.hidden_by(tool) {
            return Access::Hidden(i);
        }
        match (self.tool(tool), self.default.value) {
            (None, Posture::Deny) => Access::DefaultDenied,
            (None, Posture::Allow) => Access::DefaultAllowed,
            (Some(rule), _) => match rule.effective_action() {
                Action::Deny => Access::Denied(rule),
                Action::Approve => Access::Approve(rule),
                Action::Allow => Access::Allowed(rule),
            },
        }
    }

    /// The span of the value a JSON pointer names, if the pointer resolves in the document.
    pub fn span_of(&self, pointer: &str) -> Option<Span> {
        let mut node = &self.doc;
        for raw in pointer.split('/').skip(1) {
            let token = raw.replace("~1", "/").replace("~0", "~");
            node = match &node.value {
                Value::Object(members) => &members.iter().find(|m| m.key == token)?.value,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node.span)
    }

    /// `file:line:column` of a span in this policy.
    pub fn location(&self, span: Span) -> Location {
        self.source.location(span.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_patterns_match_exact_hosts_and_strict_subdomains() {
        let exact = HostPattern::Exact("example.com".into());
        let sub = HostPattern::Subdomain(".example.org".into());
        assert!(exact.matches("example.com"));
        assert!(exact.matches("EXAMPLE.com"));
        assert!(!exact.matches("www.example.com"));
        assert!(sub.matches("docs.example.org"));
        assert!(sub.matches("a.b.example.org"));
        assert!(!sub.matches("example.org"));
        assert!(!sub.matches("evilexample.org"));
    }

    #[test]
    fn pointers_escape_slash_and_tilde() {
        assert_eq!(escape_pointer("fs/read~x"), "fs~1read~0x");
    }
}
