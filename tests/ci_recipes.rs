//! The CI recipes in `docs/examples/` cannot rot: both YAML files are parsed, and every
//! `policylayer` command in their scripts runs against a scratch repository holding the
//! shipped policy and example trace, with the CI's base branch standing for `HEAD`.

use std::path::Path;
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every string under a `run` (GitHub) or `script` (GitLab) key.
fn scripts(doc: &Yaml, out: &mut Vec<String>) {
    match doc {
        Yaml::Hash(map) => {
            for (k, v) in map {
                let key = k.as_str().unwrap_or("");
                match (key, v) {
                    ("run", Yaml::String(s)) => out.push(s.clone()),
                    ("script", Yaml::Array(items)) => {
                        out.extend(items.iter().filter_map(|i| i.as_str().map(str::to_string)))
                    }
                    _ => scripts(v, out),
                }
            }
        }
        Yaml::Array(items) => items.iter().for_each(|i| scripts(i, out)),
        _ => {}
    }
}

/// The `policylayer` commands of a recipe, with the CI's variables made local.
fn commands(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join("docs/examples").join(file)).unwrap();
    let docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut all = Vec::new();
    for d in &docs {
        scripts(d, &mut all);
    }
    all.iter()
        .flat_map(|s| {
            s.lines()
                .map(str::trim)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|l| l.starts_with("policylayer "))
        .map(|l| {
            l.replace("origin/${{ github.base_ref }}", "HEAD")
                .replace("origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "HEAD")
        })
        .collect()
}

fn run_all(file: &str, expected: usize) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    std::fs::copy(
        root().join("policies/leapfrog.recommended.json"),
        repo.join("policy.json"),
    )
    .unwrap();
    std::fs::create_dir(repo.join("traces")).unwrap();
    std::fs::copy(
        root().join("policies/examples/leapfrog.trace.jsonl"),
        repo.join("traces/leapfrog.jsonl"),
    )
    .unwrap();
    for args in [
        &["init", "-q"][..],
        &["add", "."],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "-m",
            "p",
        ],
    ] {
        assert!(Command::new("git")
            .args(args)
            .current_dir(repo)
            .status()
            .unwrap()
            .success());
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_policylayer"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let cmds = commands(file);
    assert_eq!(cmds.len(), expected, "{file}: {cmds:#?}");
    for cmd in cmds {
        let out = Command::new("sh")
            .args(["-c", &cmd])
            .current_dir(repo)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: `{cmd}` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // What the recipes write for the CI to pick up is there and well-formed.
    for report in ["policylayer.sarif", "gl-code-quality.json"] {
        if let Ok(text) = std::fs::read_to_string(repo.join(report)) {
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{report}: {e}"));
        }
    }
}

#[test]
fn github_actions_recipe_runs() {
    run_all("github-actions.yml", 5);
}

#[test]
fn gitlab_recipe_runs() {
    run_all("gitlab-ci.yml", 5);
}
