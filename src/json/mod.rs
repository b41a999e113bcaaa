//! The one JSON language of policies, catalogues and traces, read by two parsers that
//! accept exactly the same texts: [`strict`] builds a tree with the span of every value and
//! locates every error (policies, catalogues, the message for a bad trace line), and
//! [`tape`] reads a trace line into a reusable flat tape without allocating, only saying
//! whether it is valid. `differential` (a test) holds them to each other.

mod arg;
mod strict;
pub mod tape;
mod value;

use std::sync::atomic::{AtomicUsize, Ordering};

#[cfg(test)]
mod differential;

pub use strict::*;
pub use value::*;

/// Deeper nesting than this is an error instead of a stack overflow, by default;
/// `--max-depth` raises it (see [`set_max_depth`]).
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// The most `--max-depth` accepts: the parsers and the walkers over a parsed value
/// recurse once per level, and this many levels fit a thread's stack with room to spare.
pub const DEPTH_CEILING: usize = 1024;

static MAX_DEPTH: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_DEPTH);

/// The deepest nesting the parsers accept in this run.
pub fn max_depth() -> usize {
    MAX_DEPTH.load(Ordering::Relaxed)
}

/// Sets the deepest nesting accepted, for the whole run, never above [`DEPTH_CEILING`].
pub fn set_max_depth(depth: usize) {
    MAX_DEPTH.store(depth.min(DEPTH_CEILING), Ordering::Relaxed);
}

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
