//! Rewriting policy files in place, for `fmt` and `lint --fix`: read the text keeping what
//! the parser drops (a byte-order mark), show a change as a unified diff, and write it
//! atomically so that an interrupted run never leaves a half-written policy.

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// A policy file as read from disk.
#[derive(Debug)]
pub struct Original {
    /// The text without its byte-order mark, as the parser sees it.
    pub source: Arc<SourceFile>,
}

impl Original {
    /// The bytes to write for `text`: a byte-order mark the file had is kept.
    pub fn bytes_for(&self, text: &str) -> Vec<u8> {
        let mut out = String::with_capacity(text.len() + 3);
        if self.source.had_bom() {
            out.push('\u{feff}');
        }
        out.push_str(text);
        out.into_bytes()
    }
}

/// Reads a policy file; one that cannot be read or is not UTF-8 is a PL000 diagnostic.
pub fn read(path: &Path) -> Result<Original, Box<Diagnostic>> {
    SourceFile::read(path).map(|source| Original { source })
}

/// Whether the text's first line ends with CRLF: what fixes and `fmt` add follows it.
pub fn uses_crlf(text: &str) -> bool {
    text.find('\n').is_some_and(|i| text[..i].ends_with('\r'))
}

/// A unified diff of one file, in the form `git apply` and `patch` read.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .to_string()
}

/// Replaces `path` with `bytes` atomically: a temporary file in the same folder (so the
/// rename stays on one file system) gets the original's permissions and is renamed over
/// it. A symlink is followed, so the link stays a link to the rewritten file. A file that
/// does not exist yet (`init`) is created the same way, readable by all as editors do.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, bytes, |tmp, target| {
        tmp.persist(target).map(drop).map_err(|e| e.error)
    })
}

/// [`write_atomic`] with its last step, the rename, given: tests make it fail.
fn write_atomic_with(
    path: &Path,
    bytes: &[u8],
    persist: impl FnOnce(tempfile::NamedTempFile, &Path) -> io::Result<()>,
) -> io::Result<()> {
    let (target, permissions) = match std::fs::canonicalize(path) {
        Ok(target) => {
            let permissions = std::fs::metadata(&target)?.permissions();
            (target, Some(permissions))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => (path.to_path_buf(), None),
        Err(e) => return Err(e),
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    match permissions {
        Some(p) => std::fs::set_permissions(tmp.path(), p)?,
        None => new_file_permissions(tmp.path())?,
    }
    persist(tmp, &target)
}

/// Temporary files are private (0600); a new policy is an ordinary file (0644).
#[cfg(unix)]
fn new_file_permissions(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions(_path: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_kept_when_writing_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        std::fs::write(&path, "\u{feff}{}").unwrap();
        let original = read(&path).unwrap();
        assert_eq!(original.source.text(), "{}");
        write_atomic(&path, &original.bytes_for("{ }")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "\u{feff}{ }");
    }

    #[test]
    fn unreadable_and_non_utf8_files_are_pl000() {
        let dir = tempfile::tempdir().unwrap();
        let missing = read(&dir.path().join("nope.json")).unwrap_err();
        assert_eq!(missing.code, crate::policy::codes::UNREADABLE);
        let path = dir.path().join("latin1.json");
        std::fs::write(&path, b"{\"a\": \"\xe9\"}").unwrap();
        let bad = read(&path).unwrap_err();
        assert!(bad.message.contains("not valid UTF-8"), "{}", bad.message);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_stay_links() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        std::fs::write(&real, "{}").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"{ }").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "{ }");
    }

    /// A rename that fails leaves the original byte for byte and no temporary file.
    #[test]
    fn a_failed_rename_leaves_the_original() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        std::fs::write(&path, "{\r\n}").unwrap();
        let failed = write_atomic_with(&path, b"{ }", |_tmp, _target| {
            Err(io::Error::other("rename refused"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "rename refused");
        assert_eq!(std::fs::read(&path).unwrap(), b"{\r\n}");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["p.json"]);
    }

    #[test]
    fn diff_has_headers_and_hunks() {
        let d = unified_diff("p.json", "a\nb\n", "a\nc\n");
        assert!(d.starts_with("--- p.json\n+++ p.json\n@@"), "{d}");
        assert!(d.contains("-b\n+c\n"), "{d}");
    }
}
