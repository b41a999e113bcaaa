//! The rule registry: every code `lint` reports or `explain` documents, in code order,
//! and the helpers several rules share (fix edits, suggestions, input-schema lookups).

mod batch_limited_per_call;
mod condition_never_decides;
mod counter_shape_conflict;
mod dangerous_tool_allowed;
mod default_allow;
mod hidden_and_configured;
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

use serde_json::Value as Schema;

use super::Rule;
use crate::diagnostic::Edit;
use crate::policy::Segment;
use crate::source::Span;

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

/// `text` as a JSON string literal, for fix replacements.
fn quote(text: &str) -> String {
    Schema::String(text.to_owned()).to_string()
}

/// A catalogue signal's argument (`sessions[*].url`, relative to `args`) as a policy path.
fn signal_path(arg: &str) -> String {
    if arg.starts_with('[') {
        format!("args{arg}")
    } else {
        format!("args.{arg}")
    }
}

/// The candidate within one edit of `word` (two for words of six characters or more),
/// ignoring case, when no other candidate is as close: only then may a fix rename to it
/// without guessing between look-alikes.
fn sole_suggestion<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    let limit = if word.chars().count() < 6 { 1 } else { 2 };
    let mut best: Option<(usize, &'a str)> = None;
    let mut tied = false;
    for &candidate in candidates {
        let distance = strsim::damerau_levenshtein(&word, &candidate.to_lowercase());
        match best {
            Some((b, _)) if distance > b => {}
            Some((b, _)) if distance == b => tied = true,
            _ => {
                best = Some((distance, candidate));
                tied = false;
            }
        }
    }
    let (distance, candidate) = best?;
    (!tied && distance <= limit).then_some(candidate)
}

/// An edit adding `member` (`"key": value`) as the last member of the object at `object`.
fn append_member(text: &str, object: Span, member: &str) -> Edit {
    let close = object.end.saturating_sub(1);
    let body = text.get(object.start + 1..close).unwrap_or("");
    if body.trim().is_empty() {
        return Edit {
            span: object,
            replacement: format!("{{ {member} }}"),
        };
    }
    // After the last member's value, before any whitespace leading to `}`.
    let body_end = text.get(..close).map_or(close, |t| t.trim_end().len());
    Edit {
        span: Span::new(body_end, body_end),
        replacement: format!(", {member}"),
    }
}

/// An edit removing an array item that follows another (`previous`), with the comma
/// between them.
fn remove_item(previous: Span, item: Span) -> Edit {
    Edit {
        span: Span::new(previous.end, item.end),
        replacement: String::new(),
    }
}

/// What a tool's input schema says about the value at a path's segments.
enum Resolved<'s> {
    /// The path leads to this schema.
    Schema(&'s Schema),
    /// The schema cannot say: an open object, a combinator, a `$ref`, a tuple.
    Unknown,
    /// Segment `at` names a key the closed object before it does not have.
    NoSuchKey { at: usize, known: Vec<&'s str> },
    /// Segment `at` steps into a value the schema types as `types`: the path never resolves.
    NotContainer { at: usize, types: Vec<&'s str> },
}

/// Follows `segments` through `properties` (keys) and `items` (`[N]`, `[*]`), saying
/// "unknown" wherever JSON Schema would let more through than this walk sees.
fn resolve<'s>(mut schema: &'s Schema, segments: &[Segment]) -> Resolved<'s> {
    for (at, segment) in segments.iter().enumerate() {
        let Some(object) = schema.as_object() else {
            return Resolved::Unknown;
        };
        if object.contains_key("$ref") {
            return Resolved::Unknown;
        }
        let container = match segment {
            Segment::Key(_) => "object",
            Segment::Index(_) | Segment::Each => "array",
        };
        if let Some(types) = declared_types(schema) {
            if !types.contains(&container) {
                return Resolved::NotContainer { at, types };
            }
        }
        schema = match segment {
            Segment::Key(key) => {
                let properties = object.get("properties").and_then(Schema::as_object);
                if let Some(found) = properties.and_then(|p| p.get(key)) {
                    found
                } else if ["patternProperties", "anyOf", "oneOf", "allOf", "if"]
                    .iter()
                    .any(|k| object.contains_key(*k))
                {
                    return Resolved::Unknown;
                } else {
                    match (object.get("additionalProperties"), properties) {
                        (Some(Schema::Bool(false)), Some(p)) => {
                            return Resolved::NoSuchKey {
                                at,
                                known: p.keys().map(String::as_str).collect(),
                            }
                        }
                        (Some(extra @ Schema::Object(_)), _) => extra,
                        _ => return Resolved::Unknown,
                    }
                }
            }
            Segment::Index(_) | Segment::Each => match object.get("items") {
                Some(items @ Schema::Object(_)) if !object.contains_key("prefixItems") => items,
                _ => return Resolved::Unknown,
            },
        };
    }
    Resolved::Schema(schema)
}

/// The JSON types a schema admits when it states them: its `type`, or the types of its
/// `const` or `enum` values. `None` when it does not say or a `$ref` may override it.
fn declared_types(schema: &Schema) -> Option<Vec<&str>> {
    let object = schema.as_object()?;
    if object.contains_key("$ref") {
        return None;
    }
    let types: Vec<&str> = match object.get("type") {
        Some(Schema::String(t)) => vec![t.as_str()],
        Some(Schema::Array(ts)) => ts.iter().map(Schema::as_str).collect::<Option<_>>()?,
        Some(_) => return None,
        None => {
            let values = match (object.get("const"), object.get("enum")) {
                (Some(c), _) => std::slice::from_ref(c),
                (None, Some(Schema::Array(values))) => values.as_slice(),
                _ => return None,
            };
            let mut kinds: Vec<&str> = values.iter().map(kind_of_schema_value).collect();
            kinds.sort_unstable();
            kinds.dedup();
            kinds
        }
    };
    (!types.is_empty()).then_some(types)
}

fn kind_of_schema_value(value: &Schema) -> &'static str {
    match value {
        Schema::Null => "null",
        Schema::Bool(_) => "boolean",
        Schema::Number(_) => "number",
        Schema::String(_) => "string",
        Schema::Array(_) => "array",
        Schema::Object(_) => "object",
    }
}

/// Whether a schema's `types` admit a JSON value of `kind` (as [`Value::type_name`]
/// says it); `integer` admits numbers.
///
/// [`Value::type_name`]: crate::json::Value::type_name
fn admits(types: &[&str], kind: &str) -> bool {
    types
        .iter()
        .any(|t| *t == kind || (kind == "number" && *t == "integer"))
}

/// `types` for a message, with an article: `a string`, `an integer`, `a string or null`.
fn a_type(types: &[&str]) -> String {
    let list = types.join(" or ");
    let article = if list.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {list}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    fn key(k: &str) -> Segment {
        Segment::Key(k.into())
    }

    #[test]
    fn resolve_walks_properties_and_items() {
        let schema = json!({
            "type": "object",
            "properties": {
                "sessions": { "type": "array", "items": { "type": "object",
                    "properties": { "url": { "type": "string" } }, "additionalProperties": false } },
                "open": { "type": "object" },
                "map": { "type": "object", "additionalProperties": { "type": "integer" } }
            },
            "additionalProperties": false
        });
        let leaf = |segments: &[Segment]| match resolve(&schema, segments) {
            Resolved::Schema(s) => Some(s.clone()),
            _ => None,
        };
        assert_eq!(
            leaf(&[key("sessions"), Segment::Each, key("url")]),
            Some(json!({ "type": "string" }))
        );
        assert_eq!(
            leaf(&[key("map"), key("anything")]),
            Some(json!({ "type": "integer" }))
        );
        assert!(matches!(
            resolve(&schema, &[key("sesions")]),
            Resolved::NoSuchKey { at: 0, .. }
        ));
        assert!(matches!(
            resolve(&schema, &[key("sessions"), Segment::Index(0), key("uri")]),
            Resolved::NoSuchKey { at: 2, .. }
        ));
        assert!(matches!(
            resolve(&schema, &[key("sessions"), key("url")]),
            Resolved::NotContainer { at: 1, .. }
        ));
        assert!(matches!(
            resolve(&schema, &[key("open"), key("x")]),
            Resolved::Unknown
        ));
    }

    #[test]
    fn declared_types_come_from_type_const_or_enum() {
        assert_eq!(
            declared_types(&json!({ "type": ["string", "null"] })),
            Some(vec!["string", "null"])
        );
        assert_eq!(
            declared_types(&json!({ "enum": ["a", 1, "b"] })),
            Some(vec!["number", "string"])
        );
        assert_eq!(declared_types(&json!({ "anyOf": [] })), None);
        assert_eq!(
            declared_types(&json!({ "$ref": "#/x", "type": "string" })),
            None
        );
        assert!(admits(&["integer"], "number"));
        assert!(!admits(&["number"], "string"));
    }

    #[test]
    fn appending_a_member_handles_empty_and_filled_objects() {
        let text = r#"{ "a": {}, "b": { "x": 1 } }"#;
        let empty = Span::new(7, 9);
        let e = append_member(text, empty, "\"k\": 2");
        assert_eq!((e.span, e.replacement.as_str()), (empty, "{ \"k\": 2 }"));
        let filled = Span::new(16, 26);
        let e = append_member(text, filled, "\"k\": 2");
        assert_eq!(e.span, Span::new(24, 24));
        assert_eq!(e.replacement, ", \"k\": 2");
    }

    #[test]
    fn a_sole_suggestion_needs_one_close_candidate() {
        let tools = ["navigate", "session_create", "session_create_batch"];
        assert_eq!(sole_suggestion("navigat", &tools), Some("navigate"));
        assert_eq!(
            sole_suggestion("Session_Creat", &tools),
            Some("session_create")
        );
        assert_eq!(
            sole_suggestion("sesion_crate", &tools),
            Some("session_create")
        );
        assert_eq!(sole_suggestion("sessions", &tools), None);
        assert_eq!(sole_suggestion("uri", &["url", "sessionId"]), Some("url"));
        assert_eq!(sole_suggestion("PL1O6", &["PL106", "PL116"]), None);
    }
}
