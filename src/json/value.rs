//! The values both parsers produce: a tree of [`Node`]s that keep their spans, and
//! [`Number`]s that remember whether they were written as exact integers.

use std::fmt;

use crate::source::Span;

/// A JSON number, keeping whether it was written as an integer that is exact in a double.
#[derive(Debug, Clone, Copy)]
pub struct Number {
    pub(super) value: f64,
    /// `Some` when the literal had no fraction or exponent and |n| ≤ 2^53.
    pub(super) int: Option<i64>,
    /// The literal was integer syntax but too large to be exact.
    pub(super) big_int: bool,
}

/// 2^53: integers above it are not all representable in a double.
pub const MAX_SAFE_INT: i64 = 1 << 53;

impl Number {
    pub fn from_f64(value: f64) -> Number {
        Number {
            value,
            int: None,
            big_int: false,
        }
    }

    pub fn as_f64(&self) -> f64 {
        self.value
    }

    /// The value when the literal is an integer exact in a double (`30`, not `30.0`).
    pub fn as_int(&self) -> Option<i64> {
        self.int
    }

    /// Why this number is not an acceptable integer, for error messages.
    pub fn int_problem(&self) -> Option<&'static str> {
        match (self.int, self.big_int) {
            (Some(_), _) => None,
            (None, true) => Some("is beyond 2^53 and cannot be represented exactly"),
            (None, false) => {
                Some("is not an integer literal (write it without a fraction or exponent)")
            }
        }
    }
}

impl PartialEq for Number {
    /// Numbers compare numerically: `1 == 1.0`.
    fn eq(&self, other: &Number) -> bool {
        self.value == other.value
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.int {
            Some(i) => write!(f, "{i}"),
            None => write!(f, "{}", self.value),
        }
    }
}

/// A parsed value with its span.
#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// An object member: the key keeps its own span for "unknown field" labels.
#[derive(Debug, Clone)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Node>),
    /// Members in source order; duplicate keys were rejected while parsing.
    Object(Vec<Member>),
}

impl Value {
    /// The JSON type name, as error messages say it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Looks up an object member by key (objects are small; a scan beats hashing).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_object()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// Deep equality: numbers numerically, objects regardless of member order.
    pub fn deep_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.value.deep_eq(&y.value))
            }
            (Value::Object(a), Value::Object(b)) if a.len() != b.len() => false,
            (Value::Object(a), Value::Object(b)) if a.len() <= 16 => a.iter().all(|m| {
                b.iter()
                    .find(|n| n.key == m.key)
                    .is_some_and(|n| n.value.value.deep_eq(&m.value.value))
            }),
            (Value::Object(a), Value::Object(b)) => {
                // Large objects (a policy's 20,000 tools) through an index, not a scan each.
                let index: std::collections::HashMap<&str, &Value> =
                    b.iter().map(|n| (n.key.as_str(), &n.value.value)).collect();
                a.iter().all(|m| {
                    index
                        .get(m.key.as_str())
                        .is_some_and(|v| v.deep_eq(&m.value.value))
                })
            }
            _ => false,
        }
    }

    /// Converts to serde_json, for JSON Schema validation and output.
    pub fn to_serde(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => match n.as_int() {
                Some(i) => serde_json::Value::from(i),
                None => serde_json::Number::from_f64(n.as_f64())
                    .map_or(serde_json::Value::Null, serde_json::Value::Number),
            },
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(a) => {
                serde_json::Value::Array(a.iter().map(|n| n.value.to_serde()).collect())
            }
            Value::Object(m) => serde_json::Value::Object(
                m.iter()
                    .map(|m| (m.key.clone(), m.value.value.to_serde()))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for Value {
    /// Compact JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_serde())
    }
}
