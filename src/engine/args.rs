//! What the engine reads from call arguments, as a trait: `check` and the tests hand it a
//! parsed [`Value`] tree, while `simulate` hands it a view into a line it never turns into a
//! tree (building one per call cost more than deciding the call).

use crate::json::Value;

/// A value inside call arguments, classified for the condition ops.
#[derive(Debug, Clone, Copy)]
pub enum Leaf<'a, A> {
    Null,
    Bool(bool),
    Number(f64),
    String(&'a str),
    Array(A),
    Object(A),
}

/// Read access to a JSON value of call arguments. Cheap to copy: a reference or an index.
pub trait ArgValue<'a>: Copy {
    fn leaf(self) -> Leaf<'a, Self>;

    /// The member `key` of an object; `None` for a missing key or a non-object.
    fn get(self, key: &str) -> Option<Self>;

    /// Item `i` of an array; `None` out of range or for a non-array.
    fn index(self, i: usize) -> Option<Self>;

    /// The items of an array (nothing for other values).
    fn items(self) -> impl Iterator<Item = Self>;

    /// Items of an array or members of an object.
    fn count(self) -> usize;

    /// Deep equality with a policy value: numbers numerically, objects in any key order.
    fn eq_value(self, other: &Value) -> bool;
}

impl<'a> ArgValue<'a> for &'a Value {
    fn leaf(self) -> Leaf<'a, Self> {
        match self {
            Value::Null => Leaf::Null,
            Value::Bool(b) => Leaf::Bool(*b),
            Value::Number(n) => Leaf::Number(n.as_f64()),
            Value::String(s) => Leaf::String(s),
            Value::Array(_) => Leaf::Array(self),
            Value::Object(_) => Leaf::Object(self),
        }
    }

    fn get(self, key: &str) -> Option<Self> {
        Value::get(self, key).map(|n| &n.value)
    }

    fn index(self, i: usize) -> Option<Self> {
        self.as_array()?.get(i).map(|n| &n.value)
    }

    fn items(self) -> impl Iterator<Item = Self> {
        self.as_array().unwrap_or_default().iter().map(|n| &n.value)
    }

    fn count(self) -> usize {
        match self {
            Value::Array(a) => a.len(),
            Value::Object(m) => m.len(),
            _ => 0,
        }
    }

    fn eq_value(self, other: &Value) -> bool {
        self.deep_eq(other)
    }
}
