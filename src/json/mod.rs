//! The one JSON language of policies, catalogues and traces, read by two parsers that
//! accept exactly the same texts: [`strict`] builds a tree with the span of every value and
//! locates every error (policies, catalogues, the message for a bad trace line), and
//! [`tape`] reads a trace line into a reusable flat tape without allocating, only saying
//! whether it is valid. `differential` (a test) holds them to each other.

mod arg;
mod strict;
pub mod tape;
mod value;

#[cfg(test)]
mod differential;

pub use strict::*;
pub use value::*;

/// Deeper nesting than this is an error instead of a stack overflow.
pub const MAX_DEPTH: usize = 128;

/// The character a one-letter escape (`\n`, `\"`, …) stands for; `\u` is handled apart.
/// Shared with the trace fast path so both parsers accept exactly the same escapes.
pub(crate) fn short_escape(b: u8) -> Option<char> {
    Some(match b {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}
