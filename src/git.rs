//! Policies read from git: `diff HEAD:policy.json policy.json` compares the committed policy
//! with the working copy, as a pre-commit hook or a CI job needs. A side written `REV:path`
//! is read with `git show`, exactly as git resolves it (`path` from the repository's top,
//! `./path` from the current folder).

use std::path::Path;
use std::process::Command;

/// Where one side of a diff comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Side {
    File(String),
    /// `git show REV:PATH`.
    Revision {
        rev: String,
        path: String,
    },
}

impl Side {
    /// A file when one exists by that name; otherwise `REV:path` when the text has a colon.
    pub fn parse(text: &str) -> Side {
        if !Path::new(text).exists() {
            if let Some((rev, path)) = text.split_once(':') {
                if !rev.is_empty() && !path.is_empty() {
                    return Side::Revision {
                        rev: rev.to_string(),
                        path: path.to_string(),
                    };
                }
            }
        }
        Side::File(text.to_string())
    }

    /// The committed version of a working file, for `diff FILE` alone: `HEAD:./FILE`.
    pub fn head_of(file: &str) -> Side {
        Side::at("HEAD", file)
    }

    /// A working file's version in `rev`, found from the current folder: `REV:./FILE`.
    pub fn at(rev: &str, file: &str) -> Side {
        let path = if Path::new(file).is_absolute() || file.starts_with("./") {
            file.to_string()
        } else {
            format!("./{file}")
        };
        Side::Revision {
            rev: rev.to_string(),
            path,
        }
    }

    /// How the side is named in output: the path, or `REV:path`.
    pub fn name(&self) -> String {
        match self {
            Side::File(f) => f.clone(),
            Side::Revision { rev, path } => format!("{rev}:{path}"),
        }
    }
}

/// Why a revision could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitError {
    pub message: String,
    pub help: String,
    /// The revision exists but has no file at that path (a file new in this change).
    pub missing: bool,
}

/// The bytes of `path` at `rev`, from the repository around the current folder.
pub fn show(rev: &str, path: &str) -> Result<Vec<u8>, GitError> {
    let output = Command::new("git")
        .args(["show", "--no-textconv", &format!("{rev}:{path}")])
        .output()
        .map_err(|e| GitError {
            message: format!("cannot run git to read {rev}:{path}: {e}"),
            help: "install git, or compare two files".into(),
            missing: false,
        })?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("fatal: ").unwrap_or(first);
    let missing =
        stderr.contains("does not exist in") || stderr.contains("exists on disk, but not in");
    let help = if stderr.contains("not a git repository") {
        "run policylayer inside the repository, or compare two files"
    } else if missing {
        "the file is not in that revision: check the path (relative to the repository's top, or ./ for this folder)"
    } else {
        "check the revision name (`git log --oneline` lists them)"
    };
    Err(GitError {
        message: format!("cannot read {rev}:{path}: {}", clip(first, 200)),
        help: help.into(),
        missing,
    })
}

/// At most `max` characters of a message taken from another program.
fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_are_files_first_then_revisions() {
        assert_eq!(
            Side::parse("HEAD:policy.json"),
            Side::Revision {
                rev: "HEAD".into(),
                path: "policy.json".into()
            }
        );
        assert_eq!(
            Side::parse("origin/main:p/policy.json").name(),
            "origin/main:p/policy.json"
        );
        assert_eq!(Side::parse("policy.json"), Side::File("policy.json".into()));
        assert_eq!(Side::parse(":x"), Side::File(":x".into()));
        assert_eq!(Side::head_of("policy.json").name(), "HEAD:./policy.json");
    }
}
