//! Helpers the CLI test files share: the binary in a folder, and fixture files in it.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// `policylayer` run in `dir`, without colour so output compares as text.
pub fn policylayer(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("policylayer").unwrap_or_else(|e| panic!("binary: {e}"));
    cmd.env("NO_COLOR", "1").current_dir(dir);
    cmd
}

/// Writes `text` to `dir/name`, creating folders on the way; returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, text).unwrap();
    path
}
