//! The two parsers of the one language held to each other: on valid JSON, JSON with one
//! byte changed, and JSON-like noise, the tape accepts exactly what the strict parser
//! accepts and reads the same values.

use proptest::prelude::*;

use super::parse_strict;
use super::tape::Tape;
use crate::engine::ArgValue;

/// Arbitrary JSON, with the strings and numbers that are hard to read: escapes, surrogate
/// pairs, control characters, exponents and integers at the edge of exactness.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value as J;
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::from),
        prop_oneof![Just(9_007_199_254_740_993i64), Just(-0), Just(1 << 53)].prop_map(J::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(J::from),
        prop_oneof![
            "\\PC{0,12}",
            Just("tab\there \"quoted\" back\\slash".to_string()),
            Just("\u{1}\u{1f}\u{7f}".to_string()),
            Just("😀 é \u{2028}".to_string()),
        ]
        .prop_map(J::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            prop::collection::btree_map("\\PC{0,4}", inner, 0..6)
                .prop_map(|m| J::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_tape_reads_what_the_strict_parser_reads(
        v in json_value(),
        edit in (any::<prop::sample::Index>(), prop::sample::select(
            vec!["", " ", ",", "]", "}", "\"", "\\", "0", "-", ".", "e", "1e999", "/", "\u{1}", "é", "{\"a\":1,\"a\":2}", "\\ud800"])),
        noise in "[\\[\\]{}\",:0-9a-z\\\\ .eE+\\-]{0,30}",
    ) {
        let valid = serde_json::to_string(&v).expect("serialise");
        let mut edited = valid.clone();
        let at = edit.0.index(edited.len() + 1);
        if edited.is_char_boundary(at) {
            edited.insert_str(at, edit.1);
        }
        let mut tape = Tape::default();
        for text in [valid.as_str(), edited.as_str(), noise.as_str()] {
            let strict = parse_strict(text);
            prop_assert_eq!(tape.parse(text).is_ok(), strict.is_ok(), "{:?}", text);
            if let Ok(node) = strict {
                let root = tape.root(text);
                prop_assert!(root.eq_value(&node.value), "{:?}", text);
                prop_assert_eq!(root.to_serde(), node.value.to_serde());
            }
        }
    }
}
