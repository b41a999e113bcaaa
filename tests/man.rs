//! The man pages under `man/` are generated from the CLI definition (clap_mangen), one per
//! command; a stale page fails here. `POLICYLAYER_BLESS=1 cargo test --test man` rewrites them.

use std::path::Path;

use clap::CommandFactory;

fn render(cmd: clap::Command) -> String {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .expect("a man page renders");
    String::from_utf8(out).expect("roff is UTF-8")
}

#[test]
fn man_pages_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let root = policylayer::cli::Cli::command().name("policylayer");
    let mut pages = vec![("policylayer.1".to_string(), render(root.clone()))];
    for sub in root.get_subcommands() {
        let name = format!("policylayer-{}", sub.get_name());
        let leaked: &'static str = Box::leak(name.clone().into_boxed_str());
        pages.push((format!("{name}.1"), render(sub.clone().name(leaked))));
    }
    let bless = std::env::var_os("POLICYLAYER_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for (file, text) in pages {
        let path = dir.join(&file);
        if bless {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "man/{file} is stale: run `POLICYLAYER_BLESS=1 cargo test --test man`"
        );
    }
}
