//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run for real: pre-commit from PyPI in
//! a virtualenv builds policylayer from this repository (`language: rust`) and runs the
//! hooks in a scratch git repository, first with `pre-commit try-repo` (as a user trying a
//! hook does), then from a `.pre-commit-config.yaml` naming this repository at its HEAD,
//! as a team installs it (try-repo builds afresh on every call; a config builds once). It
//! downloads and builds, so `cargo test` skips it; `.ci/run` runs it with `--ignored`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn ok(cmd: &mut Command) -> Output {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// pre-commit installed into a fresh virtualenv.
fn pre_commit(dir: &Path) -> PathBuf {
    let venv = dir.join("venv");
    ok(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    ok(Command::new(venv.join("bin/pip")).args(["install", "-q", "pre-commit"]));
    venv.join("bin/pre-commit")
}

fn git(repo: &Path, args: &[&str]) {
    ok(Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(repo));
}

struct Hooks {
    bin: PathBuf,
    home: PathBuf,
    repo: PathBuf,
}

impl Hooks {
    /// `pre-commit try-repo <this project> HOOK --files policy.json` in the scratch repo.
    fn try_repo(&self, hook: &str) -> (bool, String) {
        self.pre_commit(&["try-repo", &root().display().to_string(), hook])
    }

    /// `pre-commit run HOOK --files policy.json`, from the scratch repo's configuration.
    fn try_hook(&self, hook: &str) -> (bool, String) {
        self.pre_commit(&["run", hook])
    }

    fn pre_commit(&self, args: &[&str]) -> (bool, String) {
        let out = run(Command::new(&self.bin)
            .args(args)
            .args(["--files", "policy.json"])
            .env("PRE_COMMIT_HOME", &self.home)
            .env("NO_COLOR", "1")
            .current_dir(&self.repo));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    /// Writes and stages the policy (pre-commit sees what a hook changes in tracked files).
    fn write(&self, text: &str) {
        std::fs::write(self.repo.join("policy.json"), text).unwrap();
        git(&self.repo, &["add", "policy.json"]);
    }
}

#[test]
#[ignore = "installs pre-commit from PyPI and builds the tool; .ci/run runs it"]
fn hooks_lint_format_and_gate_loosening() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    let hooks = Hooks {
        bin: pre_commit(dir.path()),
        home: dir.path().join("cache"),
        repo,
    };
    let recommended =
        std::fs::read_to_string(root().join("policies/leapfrog.recommended.json")).unwrap();

    // lint: an unlimited write tool fails and is named; the shipped policy passes.
    hooks.write(r#"{"version": "1", "default": "deny", "tools": {"navigate": {"require": [{"path": "args.url", "op": "host_in", "value": ["example.com"]}]}}}"#);
    let (passed, out) = hooks.try_repo("policylayer-lint");
    assert!(!passed && out.contains("PL101"), "{out}");
    // From here on as a team installs the hooks: this repository at its HEAD.
    let head = run(Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root()));
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: policylayer-lint\n      - id: policylayer-fmt\n      - id: policylayer-diff\n",
        root().display(),
        String::from_utf8_lossy(&head.stdout).trim()
    );
    std::fs::write(hooks.repo.join(".pre-commit-config.yaml"), config).unwrap();
    git(&hooks.repo, &["add", ".pre-commit-config.yaml"]);
    let (passed, out) = hooks.try_hook("policylayer-lint");
    assert!(!passed && out.contains("PL101"), "{out}");
    hooks.write(&recommended);
    let (passed, out) = hooks.try_hook("policylayer-lint");
    assert!(passed, "{out}");

    // fmt: a minified policy is rewritten, and the hook fails as ruff-format's does.
    let minified: serde_json::Value = serde_json::from_str(&recommended).unwrap();
    hooks.write(&minified.to_string());
    let (passed, out) = hooks.try_hook("policylayer-fmt");
    assert!(!passed, "{out}");
    let rewritten = std::fs::read_to_string(hooks.repo.join("policy.json")).unwrap();
    assert!(rewritten.lines().count() > 10, "{rewritten}");
    let (passed, out) = hooks.try_hook("policylayer-fmt");
    assert!(passed, "formatting twice changes nothing: {out}");

    // diff: committed, then loosened in the working copy.
    git(&hooks.repo, &["add", "policy.json"]);
    git(&hooks.repo, &["commit", "-q", "-m", "policy"]);
    let (passed, out) = hooks.try_hook("policylayer-diff");
    assert!(passed, "{out}");
    let loosened = rewritten.replacen("\"default\": \"deny\"", "\"default\": \"allow\"", 1);
    assert_ne!(loosened, rewritten);
    hooks.write(&loosened);
    let (passed, out) = hooks.try_hook("policylayer-diff");
    assert!(!passed && out.contains("Loosened"), "{out}");
}
