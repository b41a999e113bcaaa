//! Codes the parser and validator report before any rule runs. A policy with any of these
//! is not linted: the command exits 2.

use crate::declare_rule;
use crate::policy::codes;

declare_rule! {
    /// ## What it does
    /// Reports a policy file that cannot be read: missing, unreadable or not UTF-8.
    ///
    /// ## Why is this bad?
    /// Nothing can be checked in a file that cannot be read.
    ///
    /// ## Example
    /// `policylayer lint no-such-file.json`
    ///
    /// ## Fix
    /// Check the path and permissions, and save the file as UTF-8.
    pub static UNREADABLE = { code: codes::UNREADABLE, name: "unreadable-file", severity: Error, check: None };
}

declare_rule! {
    /// ## What it does
    /// Reports text that is not JSON: comments, trailing commas, single quotes, bare words,
    /// unterminated strings, text after the value.
    ///
    /// ## Why is this bad?
    /// The gateway that enforces the policy reads strict JSON; what one lenient reader
    /// accepts another rejects or reads differently.
    ///
    /// ## Example
    /// ```json
    /// { "version": "1", "default": "deny", } // trailing comma and a comment
    /// ```
    ///
    /// ## Fix
    /// Remove the comment and the comma. To document a rule, use its `message` field.
    pub static SYNTAX = { code: codes::SYNTAX, name: "invalid-json", severity: Error, check: None };
}

declare_rule! {
    /// ## What it does
    /// Reports an object key written twice, at any depth.
    ///
    /// ## Why is this bad?
    /// JSON readers disagree on which copy wins (serde_json keeps the last, others the
    /// first), so the policy you review may not be the policy that is enforced.
    ///
    /// ## Example
    /// ```json
    /// "navigate": { "action": "deny", "action": "allow" }
    /// ```
    ///
    /// ## Fix
    /// Keep exactly one of the keys.
    pub static DUPLICATE_KEY = { code: codes::DUPLICATE_KEY, name: "duplicate-key", severity: Error, check: None };
}

declare_rule! {
    /// ## What it does
    /// Reports a field the policy format does not define, with the closest known name.
    ///
    /// ## Why is this bad?
    /// A misspelt field is silently ignored by lenient readers: `"deny_iff"` looks like a
    /// restriction and restricts nothing.
    ///
    /// ## Example
    /// ```json
    /// "navigate": { "limit": [ { "counter": "nav", "window": "minute", "max": 30 } ] }
    /// ```
    ///
    /// ## Fix
    /// Use the suggested field name (`limits`). Only the top level may carry `$schema`.
    pub static UNKNOWN_FIELD = { code: codes::UNKNOWN_FIELD, name: "unknown-field", severity: Error, check: None };
}

declare_rule! {
    /// ## What it does
    /// Reports a value of the wrong JSON type: a string where an array belongs, `30.0` or
    /// `1e3` where an integer belongs, an integer beyond 2^53, or `null` in place of an
    /// omitted field.
    ///
    /// ## Why is this bad?
    /// Readers coerce such values differently; a limit of `"30"` might be read as 30, as 0
    /// or not at all.
    ///
    /// ## Example
    /// ```json
    /// { "counter": "nav", "window": "minute", "max": 30.0 }
    /// ```
    ///
    /// ## Fix
    /// Write the type the format asks for (`"max": 30`), or remove an optional field
    /// instead of setting it to `null`.
    pub static WRONG_TYPE = { code: codes::WRONG_TYPE, name: "wrong-type", severity: Error, check: None };
}

declare_rule! {
    /// ## What it does
    /// Reports a value of the right type that the format does not accept: a `version`
    /// other than "1", an unknown `default`, `action`, `op`, `scope`, `algorithm` or
    /// `window`, a regex that does not compile, a path with a syntax error, an
    /// `increment_from` outside `args` or with `[*]`, a negative integer, an invalid host
    /// pattern.
    ///
    /// ## Why is this bad?
    /// The policy cannot be evaluated as written.
    ///
    /// ## Example
    /// ```json
    /// { "path": "args.url", "op": "host_is", "value": ["example.com"] }
    /// ```
    ///
    /// ## Fix
    /// Use one of the values the message lists (here `host_in`).
    pub static INVALID_VALUE = { code: codes::INVALID_VALUE, name: "invalid-value", severity: Error, check: None };
}

declare_rule! {
    /// ## What it does
    /// Reports a required field that is missing: `version` and `default` at the top level,
    /// `path`/`op`/`value` in a condition, `counter`/`window`/`max` in a limit.
    ///
    /// ## Why is this bad?
    /// Guessing a default for these would guess the policy's meaning.
    ///
    /// ## Example
    /// ```json
    /// { "version": "1", "tools": {} }
    /// ```
    ///
    /// ## Fix
    /// Add the field; for `default`, `"deny"` is the safe posture.
    pub static MISSING_FIELD = { code: codes::MISSING_FIELD, name: "missing-field", severity: Error, check: None };
}
