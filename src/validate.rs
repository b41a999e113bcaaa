//! Checks shared by the validators of every JSON format (policies, catalogues): known
//! fields with a did-you-mean, required members, types, integers and keywords, each error
//! a located diagnostic, all of a file's errors collected at once.

use std::sync::Arc;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::json::{self, Member, Node, Number, Value};
use crate::policy::codes::*;
use crate::policy::Spanned;
use crate::source::{SourceFile, Span};

/// The member `key` of an object, if present.
pub(crate) fn get<'n>(members: &'n [Member], key: &str) -> Option<&'n Node> {
    members.iter().find(|m| m.key == key).map(|m| &m.value)
}

/// `"a", "b"`: names as a person would type them in JSON.
pub(crate) fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A validator's state: the source it points into and the errors found so far.
pub(crate) struct Cx<'s> {
    pub(crate) source: &'s Arc<SourceFile>,
    pub(crate) errors: Vec<Diagnostic>,
}

impl<'s> Cx<'s> {
    /// A checker for `source`, starting with the JSON stage's own errors (syntax, duplicate
    /// keys), each located, the duplicate with its first copy labelled.
    pub(crate) fn new(source: &'s Arc<SourceFile>, parsed: &json::Parsed) -> Cx<'s> {
        let mut cx = Cx {
            source,
            errors: Vec::new(),
        };
        for e in &parsed.errors {
            let code = if e.first.is_some() {
                DUPLICATE_KEY
            } else {
                SYNTAX
            };
            let mut d = Diagnostic::error(code, source, e.span, e.message.clone())
                .with_label(if e.first.is_some() {
                    "duplicate key"
                } else {
                    "here"
                })
                .with_help(e.help.clone());
            if let Some(first) = e.first {
                d = d.with_related(first, "first defined here");
            }
            cx.errors.push(d);
        }
        cx
    }

    pub(crate) fn error(
        &mut self,
        code: &'static str,
        span: Span,
        message: impl Into<String>,
        label: &str,
        help: impl Into<String>,
    ) {
        self.errors.push(
            Diagnostic::error(code, self.source, span, message)
                .with_label(label)
                .with_help(help),
        );
    }

    pub(crate) fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        let found = node.value.type_name();
        let help = if matches!(node.value, Value::Null) {
            "null is not accepted in place of an omitted field; remove the field to use its default"
                .to_string()
        } else {
            format!("{what} must be {expected}")
        };
        self.error(
            WRONG_TYPE,
            node.span,
            format!("{what} must be {expected}, found {found}"),
            &format!("expected {expected}"),
            help,
        );
    }

    /// Checks an object's keys against `allowed`, reporting unknown ones with a suggestion.
    pub(crate) fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Option<&'n [Member]> {
        let Value::Object(members) = &node.value else {
            self.wrong_type(node, what, "an object");
            return None;
        };
        for m in members {
            if !allowed.contains(&m.key.as_str()) {
                let help = match did_you_mean(&m.key, allowed.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("allowed fields: {}", allowed.join(", ")),
                };
                self.error(
                    UNKNOWN_FIELD,
                    m.key_span,
                    format!("unknown field `{}` in {what}", m.key),
                    "unknown field",
                    help,
                );
            }
        }
        Some(members)
    }

    pub(crate) fn required<'n>(
        &mut self,
        members: &'n [Member],
        key: &str,
        owner: Span,
        what: &str,
        help: &str,
    ) -> Option<&'n Node> {
        let found = get(members, key);
        if found.is_none() {
            self.error(
                MISSING_FIELD,
                Span::new(owner.start, owner.start + 1),
                format!("{what} is missing required field `{key}`"),
                &format!("`{key}` missing"),
                help,
            );
        }
        found
    }

    pub(crate) fn string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        match &node.value {
            Value::String(s) => Some(Spanned {
                value: s.clone(),
                span: node.span,
            }),
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    /// An integer field: a JSON integer literal within ±2^53, at least `min`.
    pub(crate) fn integer(&mut self, node: &Node, what: &str, min: i64) -> Option<u64> {
        let Value::Number(n) = &node.value else {
            self.wrong_type(node, what, "an integer");
            return None;
        };
        let i = self.int_literal(node, n, what)?;
        if i < min {
            self.error(
                INVALID_VALUE,
                node.span,
                format!("{what} must be at least {min}, found {i}"),
                "too small",
                format!("use an integer ≥ {min}"),
            );
            return None;
        }
        u64::try_from(i).ok()
    }

    pub(crate) fn int_literal(&mut self, node: &Node, n: &Number, what: &str) -> Option<i64> {
        if let Some(problem) = n.int_problem() {
            self.error(
                WRONG_TYPE,
                node.span,
                format!(
                    "{what} must be an integer: `{}` {problem}",
                    &self.source.text()[node.span.start..node.span.end]
                ),
                "not an integer",
                "integer fields take plain JSON integers such as 30",
            );
            return None;
        }
        n.as_int()
    }

    /// One choice among fixed words, with a did-you-mean.
    pub(crate) fn keyword<T: Copy>(
        &mut self,
        node: &Node,
        what: &str,
        choices: &[(&str, T)],
    ) -> Option<T> {
        let s = self.string(node, what)?;
        if let Some((_, v)) = choices.iter().find(|(k, _)| *k == s.value) {
            return Some(*v);
        }
        let names: Vec<&str> = choices.iter().map(|(k, _)| *k).collect();
        let help = match did_you_mean(&s.value, names.iter().copied()) {
            Some(m) => format!("did you mean \"{m}\"?"),
            None => format!("expected one of: {}", quoted(&names)),
        };
        self.error(
            INVALID_VALUE,
            node.span,
            format!("invalid {what} \"{}\"", s.value),
            &format!("expected {}", quoted(&names)),
            help,
        );
        None
    }
}
