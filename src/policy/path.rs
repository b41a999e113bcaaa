//! Condition paths: `args.sessions[*].url`, `args["key.with.dots"]`, `grant`, `tool`.

use std::fmt;

/// Where a path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Args,
    Grant,
    Tool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
    /// `[*]`: every element of an array.
    Each,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub root: Root,
    pub segments: Vec<Segment>,
}

/// A path syntax error: byte offset inside the path string and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathError {
    pub offset: usize,
    pub message: String,
}

impl Path {
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let err = |offset: usize, message: &str| PathError {
            offset,
            message: message.to_string(),
        };
        let root_end = text.find(['.', '[', ']']).unwrap_or(text.len());
        let root = match &text[..root_end] {
            "args" => Root::Args,
            "grant" | "tool" if root_end < text.len() => {
                return Err(err(
                    root_end,
                    "`grant` and `tool` are plain strings and have no parts",
                ))
            }
            "grant" => Root::Grant,
            "tool" => Root::Tool,
            _ => return Err(err(0, "a path starts with `args`, or is `grant` or `tool`")),
        };
        let bytes = text.as_bytes();
        let mut segments = Vec::new();
        let mut pos = root_end;
        while pos < text.len() {
            match bytes[pos] {
                b'.' => {
                    let start = pos + 1;
                    let end = text[start..]
                        .find(['.', '[', ']'])
                        .map_or(text.len(), |n| start + n);
                    if end == start {
                        return Err(err(pos, "expected a key name after `.`"));
                    }
                    segments.push(Segment::Key(text[start..end].to_string()));
                    pos = end;
                }
                b'[' => {
                    let (segment, next) = bracket(text, pos)?;
                    segments.push(segment);
                    pos = next;
                }
                _ => return Err(err(pos, "expected `.key`, `[N]`, `[*]` or `[\"key\"]`")),
            }
        }
        Ok(Path { root, segments })
    }

    pub fn has_wildcard(&self) -> bool {
        self.segments.contains(&Segment::Each)
    }
}

/// Parses `[N]`, `[*]` or `["key"]` starting at the `[`; returns the segment and the
/// offset after the `]`.
fn bracket(text: &str, open: usize) -> Result<(Segment, usize), PathError> {
    let err = |offset: usize, message: &str| PathError {
        offset,
        message: message.to_string(),
    };
    let rest = &text[open + 1..];
    if let Some(after) = rest.strip_prefix('"') {
        let mut key = String::new();
        let mut chars = after.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    let close = open + 2 + i + 1;
                    if text.as_bytes().get(close) != Some(&b']') {
                        return Err(err(close, "expected `]` after the quoted key"));
                    }
                    return Ok((Segment::Key(key), close + 1));
                }
                '\\' => match chars.next() {
                    Some((_, c @ ('"' | '\\'))) => key.push(c),
                    _ => {
                        return Err(err(
                            open + 2 + i,
                            "only \\\" and \\\\ escapes are allowed in a quoted key",
                        ))
                    }
                },
                c => key.push(c),
            }
        }
        return Err(err(open, "unterminated quoted key"));
    }
    let close = rest.find(']').ok_or_else(|| err(open, "unclosed `[`"))?;
    let inner = &rest[..close];
    let next = open + 1 + close + 1;
    if inner == "*" {
        return Ok((Segment::Each, next));
    }
    if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
        return inner
            .parse()
            .map(|n| (Segment::Index(n), next))
            .map_err(|_| err(open + 1, "array index too large"));
    }
    Err(err(
        open + 1,
        "brackets hold an index `[0]`, `[*]` or a quoted key `[\"key\"]`",
    ))
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.root {
            Root::Args => "args",
            Root::Grant => "grant",
            Root::Tool => "tool",
        })?;
        for s in &self.segments {
            match s {
                Segment::Key(k) if is_plain_key(k) => write!(f, ".{k}")?,
                Segment::Key(k) => {
                    write!(f, "[\"{}\"]", k.replace('\\', "\\\\").replace('"', "\\\""))?
                }
                Segment::Index(i) => write!(f, "[{i}]")?,
                Segment::Each => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

fn is_plain_key(k: &str) -> bool {
    !k.is_empty() && !k.contains(['.', '[', ']'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Segment {
        Segment::Key(k.into())
    }

    #[test]
    fn parses_every_segment_form() {
        let p = Path::parse(r#"args.sessions[*].url"#).unwrap();
        assert_eq!(p.segments, vec![key("sessions"), Segment::Each, key("url")]);
        let p = Path::parse(r#"args["a.b"][2]["q\"x"]"#).unwrap();
        assert_eq!(p.segments, vec![key("a.b"), Segment::Index(2), key("q\"x")]);
        assert_eq!(Path::parse("args").unwrap().segments, vec![]);
        assert_eq!(Path::parse("grant").unwrap().root, Root::Grant);
        assert_eq!(Path::parse("tool").unwrap().root, Root::Tool);
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "args.a[*].b",
            r#"args["a.b"][0]"#,
            "grant",
            r#"args["x]\"y"]"#,
        ] {
            assert_eq!(Path::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn rejects_bad_syntax_with_an_offset() {
        for (text, offset) in [
            ("arg.x", 0),
            ("args.", 4),
            ("args..x", 4),
            ("args[", 4),
            ("args[x]", 5),
            ("args[-1]", 5),
            ("args[\"x", 4),
            ("args[\"x\"", 8),
            ("grant.id", 5),
            ("args]", 4),
            ("", 0),
            ("args[99999999999999999999999]", 5),
        ] {
            let e = Path::parse(text).unwrap_err();
            assert_eq!(e.offset, offset, "{text}: {}", e.message);
        }
    }
}
