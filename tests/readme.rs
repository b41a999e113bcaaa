//! The README's tour cannot drift from the binary: every ```console block in README.md is a
//! list of `$ policylayer …` commands, each followed by its exact standard output, and this
//! test runs each one from the repository's top folder and compares.

use std::path::Path;
use std::process::Command;

/// Splits a command line as a shell would for the quoting the tour uses ('…' and plain words).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// (command line, expected output) for every command of every console block.
fn examples(readme: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut in_block = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            in_block = line.trim() == "```console";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push((cmd.to_string(), String::new()));
        } else if let Some((_, expected)) = out.last_mut() {
            expected.push_str(line);
            expected.push('\n');
        }
    }
    out
}

#[test]
fn the_readme_tour_shows_what_the_binary_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(
        examples.len() >= 4,
        "the tour has {} commands",
        examples.len()
    );
    for (cmd, expected) in examples {
        let argv = words(&cmd);
        assert_eq!(argv[0], "policylayer", "{cmd}");
        let out = Command::new(env!("CARGO_BIN_EXE_policylayer"))
            .args(&argv[1..])
            .current_dir(root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let actual: String = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| format!("{}\n", l.trim_end()))
            .collect();
        let expected: String = expected
            .lines()
            .map(|l| format!("{}\n", l.trim_end()))
            .collect();
        assert_eq!(
            actual.trim_end(),
            expected.trim_end(),
            "README.md is stale for `{cmd}`; it now prints:\n{actual}"
        );
    }
}
