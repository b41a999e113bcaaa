//! Source files and positions: every diagnostic and every decision points back at
//! `file:line:column`, so the text and a line index travel together.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use miette::{NamedSource, SourceSpan};

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
    text: String,
    /// Byte offset at which each line starts.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps `text`, dropping a leading UTF-8 byte-order mark (editors on Windows add one).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        let mut text = text.into();
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Arc::new(SourceFile {
            name: name.into(),
            text,
            line_starts,
        })
    }

    /// Reads a file; bytes that are not UTF-8 are an error the caller reports with the path.
    pub fn read(path: &Path) -> Result<Arc<SourceFile>, miette::Report> {
        let bytes = std::fs::read(path).map_err(|e| {
            miette::miette!(
                code = "io::read",
                help = "check the path and that the file is readable",
                "cannot read {}: {e}",
                path.display()
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            miette::miette!(
                code = "io::utf8",
                help = "policies, catalogues and traces are UTF-8 JSON",
                "{} is not valid UTF-8 (first bad byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        Ok(SourceFile::new(path.display().to_string(), text))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
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
        (line + 1, col + 1)
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

    /// The source in the form miette renders snippets from.
    pub fn named_source(&self) -> NamedSource<String> {
        NamedSource::new(&self.name, self.text.clone()).with_language("json")
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
        let a = f.text().find("\"a\"").unwrap();
        assert_eq!(f.line_col(a), (2, 1));
    }
}
