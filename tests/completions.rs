//! The committed shell completions under `completions/` match what the binary generates.

use std::path::Path;

use assert_cmd::Command;

#[test]
fn committed_completions_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "policylayer.bash"),
        ("zsh", "_policylayer"),
        ("fish", "policylayer.fish"),
        ("elvish", "policylayer.elv"),
        ("powershell", "_policylayer.ps1"),
    ] {
        let out = Command::cargo_bin("policylayer")
            .unwrap()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        if std::env::var_os("POLICYLAYER_BLESS").is_some() {
            std::fs::write(dir.join(file), &out.stdout).unwrap();
            continue;
        }
        let committed = std::fs::read(dir.join(file)).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "completions/{file} is stale: run `POLICYLAYER_BLESS=1 cargo test --test completions`"
        );
    }
}
