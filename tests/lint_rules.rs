//! Every lint rule with a check, against its fixtures: `tests/fixtures/lint/<CODE>/bad.json`
//! must yield the code and `good.json` must not. The bad file's findings (location,
//! severity, message, labels, help and each fix as a diff) are snapshots, and every fix
//! must leave a valid policy.

use std::path::{Path, PathBuf};

use policylayer::catalog::Catalog;
use policylayer::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use policylayer::lint::{self, rules::ALL};
use policylayer::policy::Policy;
use policylayer::source::SourceFile;

fn fixture(code: &str, which: &str) -> PathBuf {
    Path::new("tests/fixtures/lint")
        .join(code)
        .join(format!("{which}.json"))
}

fn lint_file(path: &Path) -> (String, Vec<Diagnostic>) {
    let policy = Policy::load(path).unwrap_or_else(|errors| {
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("{} does not load:\n{}", path.display(), shown.join("\n"))
    });
    let text = policy.source.text().to_owned();
    (text, lint::check(&policy, Catalog::leapfrog()))
}

fn apply(text: &str, fix: &Fix) -> String {
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut out = text.to_owned();
    for e in edits {
        out.replace_range(e.span.start..e.span.end, &e.replacement);
    }
    out
}

fn line_col(text: &str, offset: usize) -> String {
    let (line, col) = SourceFile::new("p.json", text).line_col(offset);
    format!("{line}:{col}")
}

/// A stable text form of the findings, independent of the terminal and file paths.
fn render(text: &str, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&format!(
            "{} {} [{}] {}\n",
            line_col(text, d.span.start),
            d.severity,
            d.code,
            d.message
        ));
        let snippet = &text[d.span.start..d.span.end];
        out.push_str(&format!("  at: {snippet}\n  label: {}\n", d.label));
        for r in &d.related {
            out.push_str(&format!(
                "  related {}: {}\n",
                line_col(text, r.span.start),
                r.label
            ));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!("  help: {help}\n"));
        }
        if let Some(fix) = &d.fix {
            let kind = match fix.applicability {
                Applicability::Safe => "safe",
                Applicability::Unsafe => "unsafe",
            };
            out.push_str(&format!("  fix ({kind}): {}\n", fix.description));
            let fixed = apply(text, fix);
            let diff = similar::TextDiff::from_lines(text, &fixed);
            for change in diff.iter_all_changes() {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => continue,
                };
                out.push_str(&format!("    {sign}{}", change.value()));
            }
        }
    }
    out
}

fn check_rule(code: &str) {
    let (text, bad) = lint_file(&fixture(code, "bad"));
    assert!(
        bad.iter().any(|d| d.code == code),
        "{code}/bad.json does not yield {code}:\n{}",
        render(&text, &bad)
    );
    for d in bad.iter().filter(|d| d.fix.is_some()) {
        let Some(fix) = &d.fix else { continue };
        let fixed = apply(&text, fix);
        if let Err(errors) = Policy::parse(SourceFile::new("fixed.json", fixed.as_str())) {
            let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!(
                "{code}/bad.json: fix `{}` leaves an invalid policy:\n{fixed}\n{}",
                fix.description,
                shown.join("\n")
            );
        }
    }
    let (good_text, good) = lint_file(&fixture(code, "good"));
    let wrong: Vec<Diagnostic> = good.into_iter().filter(|d| d.code == code).collect();
    assert!(
        wrong.is_empty(),
        "{code}/good.json yields {code}:\n{}",
        render(&good_text, &wrong)
    );
    insta::assert_snapshot!(code, render(&text, &bad));
}

macro_rules! rule_tests {
    ($($name:ident => $code:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_rule($code);
            }
        )*

        /// The codes with a test above, to check none is forgotten.
        const TESTED: &[&str] = &[$($code),*];
    };
}

rule_tests! {
    pl101_unlimited_write_tool => "PL101",
    pl102_dangerous_tool_allowed => "PL102",
    pl103_unknown_tool => "PL103",
    pl104_unknown_argument => "PL104",
    pl105_op_type_mismatch => "PL105",
    pl106_url_without_host_constraint => "PL106",
    pl107_weak_url_regex => "PL107",
    pl108_batch_limited_per_call => "PL108",
    pl109_counter_shape_conflict => "PL109",
    pl110_limit_looser_than_all_tools => "PL110",
    pl111_hidden_and_configured => "PL111",
    pl112_condition_never_decides => "PL112",
    pl113_max_zero => "PL113",
    pl114_default_allow => "PL114",
    pl115_unreachable_limit => "PL115",
    pl116_unknown_suppression_code => "PL116",
}

#[test]
fn every_rule_with_a_check_has_fixtures_and_a_test() {
    let checked: Vec<&str> = ALL
        .iter()
        .filter(|r| r.check.is_some())
        .map(|r| r.code)
        .collect();
    assert_eq!(checked, TESTED);
    for code in checked {
        for which in ["bad", "good"] {
            assert!(
                fixture(code, which).is_file(),
                "missing {code}/{which}.json"
            );
        }
    }
}

#[test]
fn explain_has_the_four_sections() {
    for rule in ALL {
        let text = lint::explain(rule);
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
        ] {
            assert!(text.contains(section), "{} lacks {section}", rule.code);
        }
    }
}

/// The shipped policies must lint without errors: `lint` exits 1 on any.
#[test]
fn shipped_policies_have_no_lint_errors() {
    let mut files = vec![PathBuf::from("policies/leapfrog.recommended.json")];
    if let Ok(entries) = std::fs::read_dir("policies/examples") {
        let mut examples: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        examples.sort();
        files.extend(examples);
    }
    for file in files.iter().filter(|f| f.is_file()) {
        let (text, found) = lint_file(file);
        let errors: Vec<Diagnostic> = found
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(
            errors.is_empty(),
            "{} has lint errors:\n{}",
            file.display(),
            render(&text, &errors)
        );
    }
}

/// Lints policy text against a catalogue file, with only `codes` kept.
fn lint_with(catalog: &Catalog, policy: &str, codes: &[&str]) -> Vec<Diagnostic> {
    let policy = Policy::parse(SourceFile::new("policy.json", policy)).unwrap_or_else(|errors| {
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("the policy does not load:\n{}", shown.join("\n"))
    });
    lint::check(&policy, catalog)
        .into_iter()
        .filter(|d| codes.contains(&d.code))
        .collect()
}

fn filesystem_catalogue() -> Catalog {
    Catalog::load(Path::new("tests/fixtures/filesystem/fs.catalog.json")).unwrap_or_else(|e| {
        let shown: Vec<String> = e.iter().map(ToString::to_string).collect();
        panic!("{}", shown.join("\n"))
    })
}

/// `read_multiple_files {paths: string[]}` of a filesystem server is a batch: a limit that
/// counts its calls lets 50 files through per call, and PL108 says so (with the schema's
/// `maxItems`); counting the paths satisfies it.
#[test]
fn pl108_finds_a_file_batch_of_another_server() {
    let catalog = filesystem_catalogue();
    let per_call = r#"{"version": "1", "default": "deny", "tools": {
        "read_multiple_files": { "limits": [{ "counter": "reads", "window": "minute", "max": 10 }] },
        "move_file": { "limits": [{ "counter": "moves", "window": "minute", "max": 10 }] }
    }}"#;
    let found = lint_with(&catalog, per_call, &["PL108"]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]
            .message
            .contains("batch tool `read_multiple_files`, but one call carries many items at `args.paths` (up to 50)"),
        "{}",
        found[0].message
    );
    assert_eq!(found[0].label, "10 calls per minute = up to 500 items");
    assert!(found[0].fix.is_some());
    let per_item = per_call.replace(
        r#""max": 10 }] },"#,
        r#""max": 100, "increment_from": "args.paths" }] },"#,
    );
    assert!(per_item.contains("increment_from"));
    assert!(lint_with(&catalog, &per_item, &["PL108"]).is_empty());
}

/// An array of URLs is a batch whose items still want a host restriction: PL106 and PL108
/// both fire for `fetch_all {urls: string[]}`, and `host_in` on `args.urls[*]` with an
/// `increment_from` on `args.urls` satisfies both.
#[test]
fn an_array_of_urls_wants_hosts_and_a_per_item_limit() {
    let answer = serde_json::json!({ "tools": [{
        "name": "fetch_all",
        "inputSchema": { "type": "object", "properties": {
            "urls": { "type": "array", "items": { "type": "string" } }
        } }
    }] });
    let catalog = policylayer::catalog::import::import(&answer, "fetch", "1")
        .unwrap_or_else(|e| panic!("{e:?}"));
    let open = r#"{"version": "1", "default": "deny", "tools": {
        "fetch_all": { "limits": [{ "counter": "fetches", "window": "minute", "max": 10 }] }
    }}"#;
    let found: Vec<&str> = lint_with(&catalog, open, &["PL106", "PL108"])
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(found, ["PL106", "PL108"]);
    let closed = r#"{"version": "1", "default": "deny", "tools": {
        "fetch_all": {
            "require": [{ "path": "args.urls[*]", "op": "host_in", "value": ["example.com"] }],
            "limits": [{ "counter": "fetches", "window": "minute", "max": 10, "increment_from": "args.urls" }]
        }
    }}"#;
    assert!(lint_with(&catalog, closed, &["PL106", "PL108"]).is_empty());
}
