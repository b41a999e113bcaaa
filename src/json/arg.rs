//! [`Arg`]: a value of a trace line read through its tape, without building a tree. It is
//! what `simulate` hands the engine as call arguments ([`ArgValue`]).

use super::tape::{same, Kind, Node, Tape};
use super::Value;
use crate::engine::{ArgValue, Leaf};

/// One value of a parsed line.
#[derive(Debug, Clone, Copy)]
pub struct Arg<'a> {
    pub(super) tape: &'a Tape,
    pub(super) line: &'a str,
    pub(super) i: u32,
}

impl<'a> Arg<'a> {
    fn node(self) -> Node {
        self.tape.nodes[self.i as usize]
    }

    fn at(self, i: u32) -> Arg<'a> {
        Arg { i, ..self }
    }

    /// The value's position on its tape, for [`Tape::arg`](super::tape::Tape::arg).
    pub fn index(self) -> u32 {
        self.i
    }

    /// Byte offset of the value in its line.
    pub fn offset(self) -> usize {
        self.node().at as usize
    }

    /// The object's members as (key, value), or nothing for another value.
    pub fn members(self) -> impl Iterator<Item = (&'a [u8], Arg<'a>)> {
        let node = self.node();
        let len = if matches!(node.kind(), Kind::Object) {
            node.len
        } else {
            0
        };
        let mut c = self.i + 1;
        (0..len).map(move |_| {
            let member = self.at(c);
            let n = member.node();
            c = n.next;
            (self.tape.bytes(self.line.as_bytes(), n.key), member)
        })
    }

    pub fn as_str(self) -> Option<&'a str> {
        match self.node().kind() {
            Kind::Str(s) => Some(self.tape.str(self.line, s)),
            _ => None,
        }
    }

    pub fn is_object(self) -> bool {
        matches!(self.node().kind(), Kind::Object)
    }

    /// Whether the value is a string (without reading it).
    pub fn is_str(self) -> bool {
        matches!(self.node().kind(), Kind::Str(_))
    }

    /// The JSON type name, as error messages say it.
    pub fn type_name(self) -> &'static str {
        match self.node().kind() {
            Kind::Null => "null",
            Kind::Bool(_) => "boolean",
            Kind::Number(..) => "number",
            Kind::Str(_) => "string",
            Kind::Array => "array",
            Kind::Object => "object",
        }
    }

    /// Converts to serde_json, for JSON Schema validation and messages.
    pub fn to_serde(self) -> serde_json::Value {
        match self.leaf() {
            Leaf::Null => serde_json::Value::Null,
            Leaf::Bool(b) => serde_json::Value::Bool(b),
            Leaf::Number(n) => match self.node().kind() {
                Kind::Number(_, true) if n.abs() <= crate::json::MAX_SAFE_INT as f64 => {
                    serde_json::Value::from(n as i64)
                }
                _ => serde_json::Number::from_f64(n)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number),
            },
            Leaf::String(s) => serde_json::Value::String(s.to_string()),
            Leaf::Array(a) => serde_json::Value::Array(a.items().map(Arg::to_serde).collect()),
            Leaf::Object(o) => serde_json::Value::Object(
                o.members()
                    .map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

impl<'a> ArgValue<'a> for Arg<'a> {
    fn leaf(self) -> Leaf<'a, Self> {
        match self.node().kind() {
            Kind::Null => Leaf::Null,
            Kind::Bool(b) => Leaf::Bool(b),
            Kind::Number(n, _) => Leaf::Number(n),
            Kind::Str(s) => Leaf::String(self.tape.str(self.line, s)),
            Kind::Array => Leaf::Array(self),
            Kind::Object => Leaf::Object(self),
        }
    }

    fn get(self, key: &str) -> Option<Self> {
        self.members()
            .find(|(k, _)| same(k, key.as_bytes()))
            .map(|(_, v)| v)
    }

    fn index(self, i: usize) -> Option<Self> {
        self.items().nth(i)
    }

    fn items(self) -> impl Iterator<Item = Self> {
        let node = self.node();
        let len = if matches!(node.kind(), Kind::Array) {
            node.len
        } else {
            0
        };
        let mut c = self.i + 1;
        (0..len).map(move |_| {
            let item = self.at(c);
            c = item.node().next;
            item
        })
    }

    fn count(self) -> usize {
        match self.node().kind() {
            Kind::Array | Kind::Object => self.node().len as usize,
            _ => 0,
        }
    }

    fn eq_value(self, other: &Value) -> bool {
        match (self.leaf(), other) {
            (Leaf::Null, Value::Null) => true,
            (Leaf::Bool(a), Value::Bool(b)) => a == *b,
            (Leaf::Number(a), Value::Number(b)) => a == b.as_f64(),
            (Leaf::String(a), Value::String(b)) => a == b,
            (Leaf::Array(a), Value::Array(b)) => {
                a.count() == b.len() && a.items().zip(b).all(|(x, y)| x.eq_value(&y.value))
            }
            // Neither side has duplicate keys: same size and every member matched is equal.
            (Leaf::Object(a), Value::Object(b)) => {
                a.count() == b.len()
                    && a.members().all(|(k, v)| {
                        b.iter()
                            .find(|m| m.key.as_bytes() == k)
                            .is_some_and(|m| v.eq_value(&m.value.value))
                    })
            }
            _ => false,
        }
    }
}
