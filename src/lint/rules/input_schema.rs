//! What a tool's input schema (from the catalogue) says about a condition's path: whether
//! the path exists, what JSON types it admits, and those types in a message's words.
//! PL104, PL105, PL108 and PL112 read argument paths and types through here.

use serde_json::Value as Schema;

use crate::policy::Segment;

/// What a tool's input schema says about the value at a path's segments.
pub(crate) enum Resolved<'s> {
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
pub(crate) fn resolve<'s>(mut schema: &'s Schema, segments: &[Segment]) -> Resolved<'s> {
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
pub(super) fn declared_types(schema: &Schema) -> Option<Vec<&str>> {
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

/// The JSON type of a `const` or `enum` value, in the schema's words.
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
pub(super) fn admits(types: &[&str], kind: &str) -> bool {
    types
        .iter()
        .any(|t| *t == kind || (kind == "number" && *t == "integer"))
}

/// `types` for a message, with an article: `a string`, `an integer`, `a string or null`.
pub(super) fn a_type(types: &[&str]) -> String {
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
}
