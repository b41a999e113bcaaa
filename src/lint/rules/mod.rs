//! The rule registry: every code `lint` reports or `explain` documents, in code order.

mod parse_errors;
mod unlimited_write_tool;

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
}
