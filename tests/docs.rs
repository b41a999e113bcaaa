//! The documentation that ships with the project stays true: `docs/rules.md` is what the
//! rule registry says, and the docs link only to files of this repository.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rules_md_is_generated_from_the_registry() {
    let path = root().join("docs/rules.md");
    let expected = policylayer::lint::rules_markdown();
    if std::env::var_os("POLICYLAYER_BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "docs/rules.md is stale: run `POLICYLAYER_BLESS=1 cargo test --test docs`"
    );
}

#[test]
fn docs_link_only_to_files_that_exist_here() {
    let mut pages = vec![root().join("README.md")];
    pages.extend(
        std::fs::read_dir(root().join("docs"))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "md")),
    );
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        assert!(
            !text.contains(concat!("..", "/shared")),
            "{} reaches outside the repository",
            page.display()
        );
        // Markdown links `](target)` to local files must resolve.
        for part in text.split("](").skip(1) {
            let target = part.split(')').next().unwrap_or("");
            let file = target.split('#').next().unwrap_or("");
            if file.is_empty() || file.contains("://") {
                continue;
            }
            let base = page.parent().unwrap();
            assert!(
                base.join(file).exists(),
                "{} links to {file}, which does not exist",
                page.display()
            );
        }
    }
}
