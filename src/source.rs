//! Source files and positions: every diagnostic and every decision points back at
//! `file:line:column`, so the text and a line index travel together. A [`SourceFile`] is
//! shared (`Arc`) by every diagnostic on it and is itself what miette reads snippets from,
//! so rendering copies nothing.

use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::diagnostic::Diagnostic;

const BOM: char = '\u{feff}';

/// The largest policy or catalogue file read, by default: 64 MiB, thousands of times a
/// real policy. `--max-file-bytes` raises it (see [`set_max_file_bytes`]).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 << 20;

static MAX_FILE_BYTES: AtomicU64 = AtomicU64::new(DEFAULT_MAX_FILE_BYTES);

/// Sets the largest file [`SourceFile::read`] accepts, for the whole run.
pub fn set_max_file_bytes(bytes: u64) {
    MAX_FILE_BYTES.store(bytes, Ordering::Relaxed);
}

/// Bytes of a long line shown on each side of an error in it.
pub const EXCERPT: usize = 120;

/// The largest char boundary of `s` at or before `i`.
fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A byte range in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

impl From<Span> for SourceSpan {
    fn from(s: Span) -> Self {
        SourceSpan::new(s.start.into(), s.end.saturating_sub(s.start))
    }
}

/// One loaded text (a policy, a catalogue, a trace line) with its display name.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    text: Arc<str>,
    /// The file started with a UTF-8 byte-order mark (dropped from `text`).
    bom: bool,
    /// Lines before this text in its file: a trace line is shown at its own line number.
    first_line: usize,
    /// Characters of the first line left out before this text (an excerpt of a long line).
    first_column: usize,
    /// Byte offset at which each line starts.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps `text`, dropping a leading UTF-8 byte-order mark (editors on Windows add one).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile::build(name.into(), text.into(), 0))
    }

    /// One line of a longer file (a trace line), numbered as in that file.
    pub fn line_of(
        name: impl Into<String>,
        text: impl Into<String>,
        line: usize,
    ) -> Arc<SourceFile> {
        Arc::new(SourceFile::build(
            name.into(),
            text.into(),
            line.saturating_sub(1),
        ))
    }

    /// A line of a longer file, cut to at most [`EXCERPT`] bytes on each side of byte
    /// `at`, so that an error in a huge line does not print the whole line. Returns the
    /// source and where `at` is in it; locations still count from the full line.
    pub fn line_excerpt(
        name: &str,
        text: &str,
        line: usize,
        at: usize,
    ) -> (Arc<SourceFile>, usize) {
        let at = floor_char(text, at.min(text.len()));
        let start = floor_char(text, at.saturating_sub(EXCERPT));
        let end = floor_char(text, (at + EXCERPT).min(text.len()));
        let end = if end < at { text.len() } else { end };
        if start == 0 && end == text.len() {
            return (SourceFile::line_of(name, text, line), at);
        }
        let mut cut = String::with_capacity(end - start + 8);
        let mut skipped = text[..start].chars().count();
        if start > 0 {
            cut.push('…');
            skipped -= 1;
        }
        let offset = cut.len() + (at - start);
        cut.push_str(&text[start..end]);
        if end < text.len() {
            cut.push('…');
        }
        let mut src = SourceFile::build(name.to_string(), cut, line.saturating_sub(1));
        src.first_column = skipped;
        (Arc::new(src), offset)
    }

    fn build(name: String, mut text: String, first_line: usize) -> SourceFile {
        let bom = text.starts_with(BOM);
        if bom {
            text.drain(..BOM.len_utf8());
        }
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name,
            text: text.into(),
            bom,
            first_line,
            first_column: 0,
            line_starts,
        }
    }

    /// Reads a file. One that cannot be read, or is not UTF-8, is a PL000 diagnostic; for
    /// bytes that are not UTF-8 it points at the line and column of the first bad byte.
    pub fn read(path: &Path) -> Result<Arc<SourceFile>, Box<Diagnostic>> {
        let name = path.display().to_string();
        let max = MAX_FILE_BYTES.load(Ordering::Relaxed);
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.is_file() && meta.len() > max {
                return Err(Box::new(
                    Diagnostic::error(
                        crate::policy::codes::UNREADABLE,
                        &SourceFile::new(name.clone(), ""),
                        Span::default(),
                        format!(
                            "{name} is {} bytes, more than the {max} a policy or catalogue may have",
                            meta.len()
                        ),
                    )
                    .with_help("raise the limit with --max-file-bytes if the file is really this large"),
                ));
            }
        }
        match std::fs::read(path) {
            Ok(bytes) => SourceFile::from_bytes(name, bytes),
            Err(e) => Err(Box::new(
                Diagnostic::error(
                    crate::policy::codes::UNREADABLE,
                    &SourceFile::new(name.clone(), ""),
                    Span::default(),
                    format!("cannot read {name}: {e}"),
                )
                .with_help("check the path and that the file is readable"),
            )),
        }
    }

    /// A source from bytes read elsewhere (`git show`), checked to be UTF-8 as [`read`](Self::read) does.
    pub fn from_bytes(name: String, bytes: Vec<u8>) -> Result<Arc<SourceFile>, Box<Diagnostic>> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(name, text)),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bad = e.utf8_error().error_len().unwrap_or(1);
                let shown = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let src = SourceFile::new(name.clone(), shown);
                // The text up to the bad byte is the same in the lossy copy; the bad bytes
                // became one U+FFFD (3 bytes) there. A BOM was dropped from the copy.
                let start = at.saturating_sub(if src.bom { BOM.len_utf8() } else { 0 });
                let end = (start + '\u{fffd}'.len_utf8()).min(src.text.len());
                Err(Box::new(
                    Diagnostic::error(
                        crate::policy::codes::UNREADABLE,
                        &src,
                        Span::new(start, end),
                        format!("{name} is not valid UTF-8: {bad} bad byte(s) at offset {at}"),
                    )
                    .with_label("not UTF-8")
                    .with_help(
                        "policies, catalogues and traces are UTF-8 JSON: re-save the file as UTF-8",
                    ),
                ))
            }
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the file started with a byte-order mark (a rewrite keeps it).
    pub fn had_bom(&self) -> bool {
        self.bom
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        let skipped = if line == 0 { self.first_column } else { 0 };
        (self.first_line + line + 1, skipped + col + 1)
    }

    /// `file:line:column` of a byte offset, the form editors and CI annotations jump to.
    pub fn location(&self, offset: usize) -> Location {
        let (line, column) = self.line_col(offset);
        Location {
            file: self.name.clone(),
            line,
            column,
        }
    }

    /// The 0-based line a byte offset is on, within this text.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset.min(self.text.len()))
            - 1
    }

    /// The byte range of the line with this 0-based index, without its terminator.
    pub fn line_span(&self, index: usize) -> Span {
        let start = self
            .line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let end = if self.text[start..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        Span::new(start, end.max(start))
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner =
            self.text
                .as_ref()
                .read_span(span, context_lines_before, context_lines_after)?;
        // Asked for the span alone (a snippet's `file:line:col` header), the column counts
        // characters, as every other location here does; snippets themselves start at a
        // line's start.
        let column = if context_lines_before == 0 && context_lines_after == 0 {
            self.line_col(span.offset()).1 - 1
        } else {
            inner.column()
        };
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                *inner.span(),
                inner.line() + self.first_line,
                column,
                inner.line_count(),
            )
            .with_language("json"),
        ))
    }
}

/// A resolved `file:line:column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let f = SourceFile::new("p.json", "{\n  \"é\": 1,\n  \"x\": 2\n}");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 3));
        // `1` after the two-byte é: column counts characters, not bytes.
        let one = f.text().find('1').unwrap();
        assert_eq!(f.line_col(one), (2, 8));
        assert_eq!(f.location(f.text().len()).to_string(), "p.json:4:2");
    }

    #[test]
    fn bom_is_dropped_and_crlf_lines_count() {
        let f = SourceFile::new("p.json", "\u{feff}{\r\n\"a\": 1\r\n}");
        assert!(f.text().starts_with('{'));
        assert!(f.had_bom());
        let a = f.text().find("\"a\"").unwrap();
        assert_eq!(f.line_col(a), (2, 1));
        assert_eq!(f.line_span(1), Span::new(3, 9));
    }

    #[test]
    fn a_trace_line_keeps_its_line_number() {
        let f = SourceFile::line_of("t.jsonl", "{\"tool\":1}", 17);
        assert_eq!(f.location(8).to_string(), "t.jsonl:17:9");
    }

    #[test]
    fn an_excerpt_of_a_huge_line_keeps_its_locations() {
        let line = format!("{{\"tool\":\"{}\",\"x\":!}}", "a".repeat(10_000));
        let at = line.find('!').unwrap();
        let (src, offset) = SourceFile::line_excerpt("t.jsonl", &line, 3, at);
        assert!(src.text().len() < 2 * EXCERPT + 10, "{}", src.text().len());
        assert_eq!(&src.text()[offset..offset + 1], "!");
        assert_eq!(
            src.location(offset).to_string(),
            format!("t.jsonl:3:{}", at + 1)
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_are_located() {
        let d = SourceFile::from_bytes("p.json".into(), b"{\n  \"a\": \"\xff\"\n}".to_vec())
            .unwrap_err();
        assert_eq!(d.location().to_string(), "p.json:2:9");
        assert!(d.message.contains("offset 10"), "{}", d.message);
    }
}
