//! What several rules share besides schema lookups ([`super::input_schema`]): text edits
//! for fixes, did-you-mean suggestions, and catalogue signal paths in policy terms.

use serde_json::Value as Json;

use crate::diagnostic::Edit;
use crate::source::Span;

/// `text` as a JSON string literal, for fix replacements.
pub(crate) fn quote(text: &str) -> String {
    Json::String(text.to_owned()).to_string()
}

pub(super) use crate::catalog::signal_path;

/// The candidate within one edit of `word` (two for words of six characters or more),
/// ignoring case, when no other candidate is as close: only then may a fix rename to it
/// without guessing between look-alikes.
pub(super) fn sole_suggestion<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    let limit = if word.chars().count() < 6 { 1 } else { 2 };
    let mut best: Option<(usize, &'a str)> = None;
    let mut tied = false;
    // Within `limit` edits only of a name about as long: the distance costs the product of
    // the lengths, and a 50 MB name is nobody's typo.
    let chars = word.chars().count();
    let near = |c: &str| {
        c.len() <= chars.saturating_mul(4) + limit && c.chars().count().abs_diff(chars) <= limit
    };
    for &candidate in candidates.iter().filter(|c| near(c)) {
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
pub(crate) fn append_member(text: &str, object: Span, member: &str) -> Edit {
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
pub(super) fn remove_item(previous: Span, item: Span) -> Edit {
    Edit {
        span: Span::new(previous.end, item.end),
        replacement: String::new(),
    }
}

/// A help line for a finding that rests on `tool`'s category or risk, with a second
/// sentence when a person never chose that classification (it was inferred on import).
pub(super) fn classified_help(help: String, tool: &crate::catalog::Tool) -> String {
    match tool.unreviewed_classification() {
        Some(why) => format!("{help}\n{why}"),
        None => help,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
