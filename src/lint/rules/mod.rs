//! The rule registry: every code `lint` reports or `explain` documents, one file per rule,
//! in code order (as ruff's registry). What several rules share is in [`helpers`] (text
//! edits, did-you-mean) and [`input_schema`] (what a tool's input schema says about a path).

mod batch_limited_per_call;
mod condition_never_decides;
mod counter_shape_conflict;
mod dangerous_tool_allowed;
mod default_allow;
pub(crate) mod helpers;
mod hidden_and_configured;
pub(crate) mod input_schema;
mod limit_looser_than_all_tools;
mod max_zero;
mod op_type_mismatch;
mod parse_errors;
mod unknown_argument;
mod unknown_suppression_code;
mod unknown_tool;
mod unlimited_write_tool;
mod unreachable_limit;
mod unused_suppression;
mod url_without_host_constraint;
mod weak_url_regex;

use super::Rule;

/// Every rule, in code order.
pub static ALL: &[&Rule] = &[
    &parse_errors::UNREADABLE,
    &parse_errors::SYNTAX,
    &parse_errors::DUPLICATE_KEY,
    &parse_errors::UNKNOWN_FIELD,
    &parse_errors::WRONG_TYPE,
    &parse_errors::INVALID_VALUE,
    &parse_errors::MISSING_FIELD,
    &unlimited_write_tool::RULE,
    &dangerous_tool_allowed::RULE,
    &unknown_tool::RULE,
    &unknown_argument::RULE,
    &op_type_mismatch::RULE,
    &url_without_host_constraint::RULE,
    &weak_url_regex::RULE,
    &batch_limited_per_call::RULE,
    &counter_shape_conflict::RULE,
    &limit_looser_than_all_tools::RULE,
    &hidden_and_configured::RULE,
    &condition_never_decides::RULE,
    &max_zero::RULE,
    &default_allow::RULE,
    &unreachable_limit::RULE,
    &unknown_suppression_code::RULE,
    &unused_suppression::RULE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_documented() {
        let codes: Vec<&str> = ALL.iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted, "codes must be unique and in order");
        for r in ALL {
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Fix",
            ] {
                assert!(r.doc.contains(section), "{} lacks {section}", r.code);
            }
        }
    }

    #[test]
    fn names_are_unique_kebab_case() {
        let mut names: Vec<&str> = ALL.iter().map(|r| r.name).collect();
        assert!(names
            .iter()
            .all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')));
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "rule names must be unique");
    }
}
