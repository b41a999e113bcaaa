//! Writing the `catalog` key for `init --catalog FILE -o DIR/policy.json`, so that the
//! policies in DIR remember their catalogue. The configuration in force in DIR itself is
//! updated in place (its comments, order and layout stay); without one, a
//! `policylayer.toml` is created there. The edited text is read back and must differ from
//! the original in the `catalog` key alone, or nothing is written: a file that cannot be
//! parsed, or whose layout defeats the edit, is refused with a located error.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::{Spanned, Table, Value};

use super::{config_error, display_path, CONFIG_ERROR, CONFIG_FILE, PYPROJECT_FILE};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// What `init` is to do with the configuration of the policy's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The configuration file to write.
    pub path: PathBuf,
    /// The key's value: the catalogue relative to the file's folder.
    pub value: String,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The file already names this catalogue: nothing to write.
    Unchanged,
    /// A new `policylayer.toml`. `shadows` is a configuration of a parent folder that
    /// served the folder until now: configurations are not merged, so it no longer does.
    Create {
        text: String,
        shadows: Option<PathBuf>,
    },
    /// The file's new text; `previous` is the catalogue it named before, if any.
    Update {
        text: String,
        previous: Option<String>,
    },
}

/// Plans the `catalog` key for the policies in `dir` (the folder of the written policy):
/// `catalog` is the catalogue file, `replace` (`--force`) allows pointing a configuration
/// that names another catalogue at this one. Both paths must exist.
pub fn plan(dir: &Path, catalog: &Path, replace: bool) -> Result<Plan, Vec<Diagnostic>> {
    // `-o policy.json` writes in the current folder: `policylayer.toml`, not `./…`.
    let here = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let real_dir = canonical(here)?;
    let value = relative_path(&real_dir, &canonical(catalog)?).ok_or_else(|| {
        vec![io_error(
            catalog,
            "its path is not UTF-8, which TOML cannot hold",
        )]
    })?;
    let own = dir.join(CONFIG_FILE);
    if own.is_file() {
        return update(own, false, &value, replace);
    }
    let pyproject = dir.join(PYPROJECT_FILE);
    if pyproject.is_file() {
        let text = read(&pyproject)?;
        if policylayer_section(&parse(&pyproject, &text)?).is_some() {
            return update(pyproject, true, &value, replace);
        }
    }
    let text = format!(
        "# policylayer configuration for the policies in this folder and below.\n\
         # The catalogue of their server, relative to this file's folder:\n\
         {}\n",
        key_line(&value)
    );
    let shadows = real_dir.parent().and_then(config_above);
    Ok(Plan {
        path: own,
        value,
        change: Change::Create { text, shadows },
    })
}

/// The catalogue `key = "value"` line.
fn key_line(value: &str) -> String {
    format!("catalog = {}", basic_string(value))
}

/// A TOML basic string: `"` and `\` escaped, control characters as `\uXXXX`.
fn basic_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The existing configuration at `path` with `catalog = value` (at the top of a
/// `policylayer.toml`, under `[tool.policylayer]` of a `pyproject.toml`).
fn update(
    path: PathBuf,
    pyproject: bool,
    value: &str,
    replace: bool,
) -> Result<Plan, Vec<Diagnostic>> {
    let text = read(&path)?;
    let before = parse(&path, &text)?;
    // A configuration lint would reject is not built upon: its errors come first (of a
    // pyproject, only our section is checked, as lint checks it).
    super::ConfigFile::load(&path)?;
    let name = display_path(&path);
    let source = SourceFile::new(name.clone(), text.clone());
    let existing = existing_key(&text, pyproject);
    let nl = if crate::rewrite::uses_crlf(&text) {
        "\r\n"
    } else {
        "\n"
    };
    let (new_text, previous) = match existing {
        Some(old) => {
            let span = Span::new(old.span().start, old.span().end);
            let previous = match old.get_ref() {
                Value::String(s) => s.clone(),
                other => format!("a {} value", other.type_str()),
            };
            if previous == value {
                return Ok(Plan {
                    path,
                    value: value.to_owned(),
                    change: Change::Unchanged,
                });
            }
            if !replace {
                return Err(vec![config_error(
                    &source,
                    span,
                    format!("{name} already names the catalogue `{previous}`"),
                    &format!(
                        "its policies are checked against that catalogue; pass --force to point it at `{value}`, or write this policy in another folder"
                    ),
                )]);
            }
            let mut edited = text.clone();
            edited.replace_range(span.start..span.end, &basic_string(value));
            (edited, Some(previous))
        }
        None if pyproject => (insert_in_section(&text, value, nl), None),
        None => (insert_at_top(&text, value, nl), None),
    };
    // Read back: the edit must parse and change nothing but the key.
    let after = toml::from_str::<Table>(&new_text).ok();
    let faithful = after.is_some_and(|after| {
        let key = |t: &Table| -> Option<Value> {
            let section = if pyproject {
                policylayer_section(t)?
            } else {
                t
            };
            section.get("catalog").cloned()
        };
        key(&after) == Some(Value::String(value.to_owned()))
            && without_key(after, pyproject) == without_key(before, pyproject)
    });
    if !faithful {
        let place = if pyproject {
            "under [tool.policylayer]"
        } else {
            "at its top, before any [table]"
        };
        return Err(vec![config_error(
            &source,
            Span::default(),
            format!("cannot add the catalogue to {name} without changing what else it says"),
            &format!("add `{}` to it {place} yourself", key_line(value)),
        )]);
    }
    Ok(Plan {
        path,
        value: value.to_owned(),
        change: Change::Update {
            text: new_text,
            previous,
        },
    })
}

/// `catalog = "…"` before the first table header (after leading comments and top-level
/// keys), or at the end of a file without one.
fn insert_at_top(text: &str, value: &str, nl: &str) -> String {
    let line = key_line(value);
    match header_lines(text).next() {
        Some((start, _, _)) => format!("{}{line}{nl}{nl}{}", &text[..start], &text[start..]),
        None => format!("{}{line}{nl}", with_final_newline(text, nl)),
    }
}

/// `catalog = "…"` right under the `[tool.policylayer]` header, or a new header with it
/// at the end when the section is made only of subtables (`[tool.policylayer.lint]`).
fn insert_in_section(text: &str, value: &str, nl: &str) -> String {
    let line = key_line(value);
    let header = header_lines(text).find(|(_, _, name)| name == "tool.policylayer");
    match header {
        Some((_, end, _)) => {
            let (head, tail) = text.split_at(end);
            format!("{}{line}{nl}{tail}", with_final_newline(head, nl))
        }
        None => format!(
            "{}{nl}[tool.policylayer]{nl}{line}{nl}",
            with_final_newline(text, nl)
        ),
    }
}

fn with_final_newline(text: &str, nl: &str) -> String {
    if text.is_empty() || text.ends_with('\n') {
        text.to_owned()
    } else {
        format!("{text}{nl}")
    }
}

/// The table header lines (`[name]`, not `[[name]]`): start and end (after the line
/// break) of each, with the table's name without quotes or spaces. A line inside a
/// multi-line string could look like one; the read-back check catches that.
fn header_lines(text: &str) -> impl Iterator<Item = (usize, usize, String)> + '_ {
    let mut start = 0;
    text.split_inclusive('\n').filter_map(move |line| {
        let at = start;
        start += line.len();
        let trimmed = line.trim_start();
        if !trimmed.starts_with('[') || trimmed.starts_with("[[") {
            return None;
        }
        let inner = trimmed[1..].split(']').next()?;
        let name: String = inner
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
            .collect();
        Some((at, start, name))
    })
}

/// The `catalog` value already written, with its span.
fn existing_key(text: &str, pyproject: bool) -> Option<Spanned<Value>> {
    #[derive(Deserialize)]
    struct Section {
        catalog: Option<Spanned<Value>>,
    }
    #[derive(Deserialize)]
    struct Tools {
        policylayer: Option<Section>,
    }
    #[derive(Deserialize)]
    struct PyProject {
        tool: Option<Tools>,
    }
    if pyproject {
        toml::from_str::<PyProject>(text)
            .ok()?
            .tool?
            .policylayer?
            .catalog
    } else {
        toml::from_str::<Section>(text).ok()?.catalog
    }
}

fn policylayer_section(table: &Table) -> Option<&Table> {
    table
        .get("tool")?
        .as_table()?
        .get("policylayer")?
        .as_table()
}

/// The document without the `catalog` key, to compare before and after.
fn without_key(mut table: Table, pyproject: bool) -> Table {
    let section = if pyproject {
        table
            .get_mut("tool")
            .and_then(Value::as_table_mut)
            .and_then(|t| t.get_mut("policylayer"))
            .and_then(Value::as_table_mut)
    } else {
        Some(&mut table)
    };
    if let Some(section) = section {
        section.remove("catalog");
    }
    table
}

/// The nearest configuration file at or above `dir`, if any (without validating it).
fn config_above(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find_map(|folder| {
        let own = folder.join(CONFIG_FILE);
        if own.is_file() {
            return Some(own);
        }
        let pyproject = folder.join(PYPROJECT_FILE);
        let text = std::fs::read_to_string(&pyproject).ok()?;
        let table = toml::from_str::<Table>(&text).ok()?;
        policylayer_section(&table).map(|_| pyproject)
    })
}

fn read(path: &Path) -> Result<String, Vec<Diagnostic>> {
    std::fs::read_to_string(path).map_err(|e| {
        vec![io_error(
            path,
            &format!("{e}; init updates it with the catalogue"),
        )]
    })
}

/// The file as TOML, or a located error.
fn parse(path: &Path, text: &str) -> Result<Table, Vec<Diagnostic>> {
    toml::from_str::<Table>(text).map_err(|e| {
        let name = display_path(path);
        let source = SourceFile::new(name.clone(), text);
        let span = e
            .span()
            .map_or(Span::default(), |r| Span::new(r.start, r.end));
        vec![config_error(
            &source,
            span,
            format!(
                "cannot add the catalogue to {name}: it is not valid TOML ({})",
                e.message().trim()
            ),
            "fix the file and run init again",
        )]
    })
}

fn canonical(path: &Path) -> Result<PathBuf, Vec<Diagnostic>> {
    std::fs::canonicalize(path).map_err(|e| vec![io_error(path, &e.to_string())])
}

fn io_error(path: &Path, why: &str) -> Diagnostic {
    let name = display_path(path);
    let source: Arc<SourceFile> = SourceFile::new(name.clone(), "");
    Diagnostic::error(
        CONFIG_ERROR,
        &source,
        Span::default(),
        format!("{name}: {why}"),
    )
    .with_help("init writes the catalogue's path into the configuration of the policy's folder")
}

/// `to` relative to the folder `from`, both canonical: `../fs.catalog.json`, with `/`
/// between components on every system. `None` when a component is not UTF-8. Paths on
/// different roots (Windows drives) stay absolute.
pub fn relative_path(from: &Path, to: &Path) -> Option<String> {
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    if a.first() != b.first() {
        return to.to_str().map(str::to_owned);
    }
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<&str> = vec![".."; a.len() - common];
    for c in &b[common..] {
        parts.push(c.as_os_str().to_str()?);
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(dir: &Path, catalog: &Path, replace: bool) -> Plan {
        match plan(dir, catalog, replace) {
            Ok(p) => p,
            Err(e) => panic!("{e:#?}"),
        }
    }

    fn text_of(plan: &Plan) -> &str {
        match &plan.change {
            Change::Create { text, .. } | Change::Update { text, .. } => text,
            Change::Unchanged => "",
        }
    }

    /// A folder with `policies/` and a catalogue at its top.
    fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = root.path().join("policies");
        std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
        let catalog = root.path().join("fs.catalog.json");
        std::fs::write(&catalog, "{}").unwrap_or_else(|e| panic!("{e}"));
        (root, dir, catalog)
    }

    #[test]
    fn relative_paths_climb_and_descend() {
        let rel = |a: &str, b: &str| relative_path(Path::new(a), Path::new(b));
        assert_eq!(rel("/a/b", "/a/c/x.json").as_deref(), Some("../c/x.json"));
        assert_eq!(rel("/a/b", "/a/b/x.json").as_deref(), Some("x.json"));
        assert_eq!(rel("/a/b/c", "/x.json").as_deref(), Some("../../../x.json"));
    }

    #[test]
    fn creates_a_config_that_names_the_catalogue() {
        let (_root, dir, catalog) = setup();
        let plan = planned(&dir, &catalog, false);
        assert_eq!(plan.value, "../fs.catalog.json");
        assert_eq!(plan.path, dir.join(CONFIG_FILE));
        let Change::Create { text, shadows } = &plan.change else {
            panic!("{plan:?}");
        };
        assert!(
            text.ends_with("catalog = \"../fs.catalog.json\"\n"),
            "{text}"
        );
        assert_eq!(shadows, &None);
        // It is a valid configuration naming the catalogue.
        std::fs::write(&plan.path, text).unwrap_or_else(|e| panic!("{e}"));
        let config = super::super::ConfigFile::load(&plan.path)
            .unwrap_or_else(|e| panic!("{e:#?}"))
            .unwrap_or_else(|| panic!("no config"));
        let named = config.catalog.unwrap_or_else(|| panic!("no catalog"));
        assert_eq!(
            std::fs::canonicalize(named.path).ok(),
            std::fs::canonicalize(&catalog).ok()
        );
        // Once written, planning again changes nothing.
        assert_eq!(planned(&dir, &catalog, false).change, Change::Unchanged);
    }

    #[test]
    fn a_parent_config_is_reported_as_shadowed() {
        let (root, dir, catalog) = setup();
        std::fs::write(
            root.path().join(CONFIG_FILE),
            "[lint]\nignore = [\"PL114\"]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let plan = planned(&dir, &catalog, false);
        let Change::Create { shadows, .. } = &plan.change else {
            panic!("{plan:?}");
        };
        assert_eq!(
            shadows.as_deref().and_then(|p| p.file_name()),
            Some(std::ffi::OsStr::new(CONFIG_FILE))
        );
    }

    #[test]
    fn updates_keep_everything_else() {
        let (_root, dir, catalog) = setup();
        let original = "# team settings\r\n[lint]\r\nignore = [\"PL114\"] # noisy\r\n";
        std::fs::write(dir.join(CONFIG_FILE), original).unwrap_or_else(|e| panic!("{e}"));
        let plan = planned(&dir, &catalog, false);
        assert_eq!(
            text_of(&plan),
            "# team settings\r\ncatalog = \"../fs.catalog.json\"\r\n\r\n[lint]\r\nignore = [\"PL114\"] # noisy\r\n"
        );
        // Only top-level keys: appended.
        std::fs::write(dir.join(CONFIG_FILE), "lint.ignore = [\"PL114\"]")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text_of(&planned(&dir, &catalog, false)),
            "lint.ignore = [\"PL114\"]\ncatalog = \"../fs.catalog.json\"\n"
        );
    }

    #[test]
    fn another_catalogue_is_replaced_only_with_force() {
        let (_root, dir, catalog) = setup();
        let original =
            "catalog = 'old.catalog.json'  # the old server\n[lint]\nselect = [\"PL1\"]\n";
        std::fs::write(dir.join(CONFIG_FILE), original).unwrap_or_else(|e| panic!("{e}"));
        let errors = plan(&dir, &catalog, false).unwrap_err();
        assert!(
            errors[0]
                .message
                .contains("already names the catalogue `old.catalog.json`"),
            "{}",
            errors[0].message
        );
        assert_eq!(errors[0].location().line, 1);
        assert!(errors[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("--force")));
        let plan = planned(&dir, &catalog, true);
        assert_eq!(
            plan.change,
            Change::Update {
                text: original.replace("'old.catalog.json'", "\"../fs.catalog.json\""),
                previous: Some("old.catalog.json".into()),
            }
        );
    }

    #[test]
    fn pyproject_section_gets_the_key() {
        let (_root, dir, catalog) = setup();
        let with_header = "[project]\nname = \"x\"\n\n[tool.policylayer]\n\n[tool.policylayer.lint]\nignore = [\"PL114\"]\n";
        std::fs::write(dir.join(PYPROJECT_FILE), with_header).unwrap_or_else(|e| panic!("{e}"));
        let plan = planned(&dir, &catalog, false);
        assert_eq!(plan.path, dir.join(PYPROJECT_FILE));
        assert_eq!(
            text_of(&plan),
            with_header.replace(
                "[tool.policylayer]\n",
                "[tool.policylayer]\ncatalog = \"../fs.catalog.json\"\n"
            )
        );
        let subtables_only =
            "[project]\nname = \"x\"\n[tool.policylayer.lint]\nignore = [\"PL114\"]";
        std::fs::write(dir.join(PYPROJECT_FILE), subtables_only).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text_of(&planned(&dir, &catalog, false)),
            format!("{subtables_only}\n\n[tool.policylayer]\ncatalog = \"../fs.catalog.json\"\n")
        );
        // A pyproject without the section is not a configuration: a policylayer.toml is made.
        std::fs::write(dir.join(PYPROJECT_FILE), "[tool.ruff]\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(planned(&dir, &catalog, false).path, dir.join(CONFIG_FILE));
    }

    #[test]
    fn unparsable_or_uneditable_files_are_refused() {
        let (_root, dir, catalog) = setup();
        std::fs::write(dir.join(CONFIG_FILE), "[lint\nignore = 3\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let errors = plan(&dir, &catalog, false).unwrap_err();
        assert!(
            errors[0].message.contains("is not valid TOML"),
            "{}",
            errors[0].message
        );
        assert_eq!(errors[0].location().line, 1);
        // The section is written with dotted keys, so no header can be added for it.
        std::fs::remove_file(dir.join(CONFIG_FILE)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.join(PYPROJECT_FILE),
            "[tool]\npolicylayer.lint.ignore = [\"PL114\"]\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let errors = plan(&dir, &catalog, false).unwrap_err();
        assert!(
            errors[0].message.contains("without changing"),
            "{}",
            errors[0].message
        );
        assert!(errors[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("catalog = \"../fs.catalog.json\"")));
    }

    #[test]
    fn an_invalid_configuration_is_refused_with_its_own_errors() {
        let (_root, dir, catalog) = setup();
        std::fs::write(dir.join(CONFIG_FILE), "catalogue = \"x.json\"\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let errors = plan(&dir, &catalog, false).unwrap_err();
        assert!(
            errors[0].message.contains("unknown field `catalogue`"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn odd_characters_are_escaped() {
        assert_eq!(basic_string("a\"b\\c\u{7}"), "\"a\\\"b\\\\c\\u0007\"");
    }
}
