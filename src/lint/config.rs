//! The configuration file: `policylayer.toml` or the `[tool.policylayer]` section of a
//! `pyproject.toml`, found by walking up from each policy's folder (the first file found
//! wins, as in ruff). It names the policies' catalogue, for every command that reads one,
//! and configures lint, merged with the `--select` / `--ignore` flags.
//!
//! ```toml
//! catalog = "fs.catalog.json"  # relative to this file's folder; --catalog wins
//! [lint]
//! select = ["PL1"]          # code prefixes; default: every rule
//! ignore = ["PL106"]
//! [lint.severity]
//! PL106 = "error"           # or "warning"
//! [[lint.suppress]]
//! tool = "navigate"
//! codes = ["PL106"]
//! reason = "navigation is sandboxed by the proxy"
//! ```
//!
//! Unknown keys are errors with their `file:line:column`: a misspelt `ignore` that was
//! silently dropped would silently re-enable what it meant to disable, and a misspelt
//! `catalog` would silently lint against the built-in catalogue.

pub mod edit;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::{rules, Rule, UNUSED_SUPPRESSION};
use crate::catalog::Catalog;
use crate::diagnostic::{did_you_mean, Diagnostic, Severity};
use crate::source::{SourceFile, Span};

/// The file names looked for in each folder, in this order.
pub const CONFIG_FILE: &str = "policylayer.toml";
pub const PYPROJECT_FILE: &str = "pyproject.toml";

/// The code config errors carry: they are not findings of a rule.
const CONFIG_ERROR: &str = "config";

/// The whole format, for the help of a config error.
const SHAPE: &str = "the configuration has catalog = \"FILE\" at the top, and [lint] select = [...], ignore = [...] (rule codes or \
prefixes), [lint.severity] CODE = \"error\" | \"warning\", and [[lint.suppress]] entries with \
tool = \"name\", codes = [...], reason = \"why\"";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    catalog: Option<Spanned<String>>,
    #[serde(default)]
    lint: Option<RawLint>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLint {
    #[serde(default)]
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Level>,
    #[serde(default)]
    suppress: Vec<RawSuppression>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Level {
    Error,
    Warning,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppression {
    tool: Spanned<String>,
    codes: Vec<Spanned<String>>,
    reason: Spanned<String>,
}

/// Only `[tool.policylayer]` of a pyproject is ours: other sections are not checked.
#[derive(Deserialize)]
struct PyProject {
    #[serde(default)]
    tool: Option<PyTools>,
}

#[derive(Deserialize)]
struct PyTools {
    #[serde(default)]
    policylayer: Option<RawConfig>,
}

/// A loaded, validated configuration file.
#[derive(Debug)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub source: Arc<SourceFile>,
    /// `catalog = "FILE"`: the catalogue of the policies this file serves.
    pub catalog: Option<ConfigCatalog>,
    select: Option<Vec<String>>,
    ignore: Vec<String>,
    severity: Vec<(&'static str, Severity)>,
    suppress: Vec<ConfigSuppression>,
}

/// The `catalog` key: where the catalogue is, resolved against the configuration file's
/// folder, and where the key is written, for an error about it.
#[derive(Debug, Clone)]
pub struct ConfigCatalog {
    /// The path as written.
    pub written: String,
    /// `written`, relative to the configuration file's folder (an absolute path stays).
    pub path: PathBuf,
    source: Arc<SourceFile>,
    span: Span,
}

impl ConfigCatalog {
    /// Reads and parses the catalogue. A missing file is an error at the key; errors in
    /// the catalogue itself are located in it, as with `--catalog`.
    pub fn load(&self) -> Result<Catalog, Vec<Diagnostic>> {
        let config = self.source.name();
        if !self.path.is_file() {
            return Err(vec![config_error(
                &self.source,
                self.span,
                format!(
                    "the catalogue `{}` named by {config} is not a file (looked for {})",
                    self.written,
                    display_path(&self.path)
                ),
                &format!(
                    "the path is relative to the folder of {config}; correct it, or pass --catalog FILE"
                ),
            )]);
        }
        // Named as the user would write it: `../x.catalog.json` from `b/policylayer.toml`
        // is `x.catalog.json` from the top, not `/abs/b/../x.catalog.json`.
        let real = std::fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone());
        let shown = match real.to_str() {
            Some(_) => PathBuf::from(display_path(&real)),
            None => real,
        };
        Catalog::load_with_help(
            &shown,
            &format!(
                "{config} names this catalogue; make it readable, or correct its `catalog` key"
            ),
        )
    }
}

/// A `[[lint.suppress]]` entry: `codes` are not reported inside `tool`'s entry.
#[derive(Debug, Clone)]
pub struct ConfigSuppression {
    pub tool: String,
    pub codes: Vec<&'static str>,
    pub reason: String,
    pub source: Arc<SourceFile>,
    /// The `tool = "..."` value, where an unused suppression is reported.
    pub span: Span,
}

impl ConfigFile {
    /// Reads and validates a config file: `policylayer.toml`, or a `pyproject.toml` whose
    /// `[tool.policylayer]` section is used (`Ok(None)` when it has none).
    pub fn load(path: &Path) -> Result<Option<ConfigFile>, Vec<Diagnostic>> {
        let name = display_path(path);
        let text = std::fs::read_to_string(path).map_err(|e| {
            let src = SourceFile::new(name.clone(), "");
            vec![Diagnostic::error(
                CONFIG_ERROR,
                &src,
                Span::default(),
                format!("cannot read {name}: {e}"),
            )
            .with_help("check the path and that the file is readable UTF-8")]
        })?;
        let source = SourceFile::new(name, text);
        let is_pyproject = path.file_name().is_some_and(|n| n == PYPROJECT_FILE);
        let raw = if is_pyproject {
            toml::from_str::<PyProject>(source.text()).map(|p| p.tool.and_then(|t| t.policylayer))
        } else {
            toml::from_str::<RawConfig>(source.text()).map(Some)
        };
        match raw {
            Ok(Some(raw)) => ConfigFile::validate(raw, path, source).map(Some),
            Ok(None) => Ok(None),
            Err(e) => {
                let span = e
                    .span()
                    .map_or(Span::default(), |r| Span::new(r.start, r.end));
                let message = e.message().trim().to_string();
                Err(vec![config_error(&source, span, message, SHAPE)])
            }
        }
    }

    fn validate(
        raw: RawConfig,
        path: &Path,
        source: Arc<SourceFile>,
    ) -> Result<ConfigFile, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let catalog = raw.catalog.and_then(|written| {
            let span = to_span(&written);
            let written = written.into_inner();
            if written.trim().is_empty() {
                errors.push(config_error(
                    &source,
                    span,
                    "empty catalogue path",
                    "name the server's *.catalog.json, relative to this file's folder, or remove the key to use the built-in Leapfrog catalogue",
                ));
                return None;
            }
            let folder = path.parent().unwrap_or(Path::new(""));
            Some(ConfigCatalog {
                path: folder.join(&written),
                written,
                source: Arc::clone(&source),
                span,
            })
        });
        let lint = raw.lint.unwrap_or_default();
        let mut selectors = |list: Vec<Spanned<String>>| -> Vec<String> {
            list.into_iter()
                .filter_map(|s| {
                    let span = to_span(&s);
                    match check_selector(s.get_ref()) {
                        Ok(sel) => Some(sel),
                        Err(message) => {
                            errors.push(config_error(
                                &source,
                                span,
                                message,
                                "use a rule code or a prefix of one, e.g. \"PL1\"",
                            ));
                            None
                        }
                    }
                })
                .collect()
        };
        let select = lint.select.map(&mut selectors);
        let ignore = selectors(lint.ignore);
        let mut severity = Vec::new();
        for (code, level) in lint.severity {
            match code_of(code.get_ref()) {
                Ok(rule) => severity.push((
                    rule.code,
                    match level {
                        Level::Error => Severity::Error,
                        Level::Warning => Severity::Warning,
                    },
                )),
                Err(message) => errors.push(config_error(
                    &source,
                    to_span(&code),
                    message,
                    "[lint.severity] takes full rule codes",
                )),
            }
        }
        let mut suppress = Vec::new();
        for s in lint.suppress {
            let mut codes = Vec::new();
            for c in &s.codes {
                match code_of(c.get_ref()) {
                    Ok(rule) => codes.push(rule.code),
                    Err(message) => errors.push(config_error(
                        &source,
                        to_span(c),
                        message,
                        "list full rule codes, e.g. codes = [\"PL101\"]",
                    )),
                }
            }
            if s.codes.is_empty() {
                errors.push(config_error(
                    &source,
                    to_span(&s.tool),
                    "a suppression with no codes suppresses nothing",
                    "list the codes to suppress: codes = [\"PL101\"]",
                ));
            }
            if s.reason.get_ref().trim().is_empty() {
                errors.push(config_error(
                    &source,
                    to_span(&s.reason),
                    "empty suppression reason",
                    "say why the rule does not apply to this tool",
                ));
            }
            suppress.push(ConfigSuppression {
                span: to_span(&s.tool),
                tool: s.tool.into_inner(),
                codes,
                reason: s.reason.into_inner(),
                source: Arc::clone(&source),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ConfigFile {
            path: path.to_path_buf(),
            source,
            catalog,
            select,
            ignore,
            severity,
            suppress,
        })
    }

    /// The configuration in force for a policy in `dir`: the nearest `policylayer.toml`,
    /// or the nearest `pyproject.toml` with a `[tool.policylayer]` section, looking in
    /// `dir` and then in each parent folder.
    pub fn discover(dir: &Path) -> Result<Option<ConfigFile>, Vec<Diagnostic>> {
        for folder in dir.ancestors() {
            let own = folder.join(CONFIG_FILE);
            if own.is_file() {
                return ConfigFile::load(&own);
            }
            let pyproject = folder.join(PYPROJECT_FILE);
            if pyproject.is_file() {
                if let Some(config) = ConfigFile::load(&pyproject)? {
                    return Ok(Some(config));
                }
            }
        }
        Ok(None)
    }

    /// The configuration in force for the policy at `policy`: [`ConfigFile::discover`]
    /// from its folder (the policy file itself need not exist).
    pub fn for_policy(policy: &Path) -> Result<Option<ConfigFile>, Vec<Diagnostic>> {
        ConfigFile::discover(&policy_folder(policy))
    }
}

/// The absolute folder of a policy path, where configuration discovery starts.
fn policy_folder(policy: &Path) -> PathBuf {
    std::path::absolute(policy)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default()
}

/// Finds the settings of each policy, loading each configuration file once, and collects
/// which suppressions of each configuration were used across the policies it serves.
pub struct Resolver {
    overrides: Overrides,
    /// `--config FILE` was given: it serves every policy, nothing is discovered.
    explicit: bool,
    entries: Vec<Entry>,
    by_dir: HashMap<PathBuf, usize>,
}

struct Entry {
    /// The configuration file, `None` for the defaults when no file was found.
    path: Option<PathBuf>,
    catalog: Option<ConfigCatalog>,
    settings: Settings,
    used: Vec<Vec<bool>>,
}

impl Resolver {
    /// `config` is `--config FILE`, loaded now; without it each policy's folder is searched.
    pub fn new(config: Option<&Path>, overrides: Overrides) -> Result<Resolver, Vec<Diagnostic>> {
        let mut resolver = Resolver {
            overrides,
            explicit: config.is_some(),
            entries: Vec::new(),
            by_dir: HashMap::new(),
        };
        if let Some(path) = config {
            let Some(file) = ConfigFile::load(path)? else {
                let name = display_path(path);
                let src = SourceFile::new(name.clone(), "");
                return Err(vec![config_error(
                    &src,
                    Span::default(),
                    format!("{name} has no [tool.policylayer] section"),
                    "add [tool.policylayer.lint] to it, or point --config at a policylayer.toml",
                )]);
            };
            resolver.push(Some(file));
        }
        Ok(resolver)
    }

    fn push(&mut self, file: Option<ConfigFile>) -> usize {
        let settings = Settings::new(file.as_ref(), &self.overrides);
        self.entries.push(Entry {
            catalog: file.as_ref().and_then(|f| f.catalog.clone()),
            path: file.map(|f| f.path),
            used: settings
                .suppress
                .iter()
                .map(|s| vec![false; s.codes.len()])
                .collect(),
            settings,
        });
        self.entries.len() - 1
    }

    /// The settings for the policy at `policy`, as an index for [`Resolver::settings`].
    pub fn for_policy(&mut self, policy: &Path) -> Result<usize, Vec<Diagnostic>> {
        if self.explicit {
            return Ok(0);
        }
        let dir = policy_folder(policy);
        if let Some(&i) = self.by_dir.get(&dir) {
            return Ok(i);
        }
        let file = ConfigFile::discover(&dir)?;
        let path = file.as_ref().map(|f| f.path.clone());
        let i = match self.entries.iter().position(|e| e.path == path) {
            Some(i) => i,
            None => self.push(file),
        };
        self.by_dir.insert(dir, i);
        Ok(i)
    }

    pub fn settings(&self, i: usize) -> &Settings {
        &self.entries[i].settings
    }

    /// The `catalog` key of the configuration at `i`, if it has one.
    pub fn catalog(&self, i: usize) -> Option<&ConfigCatalog> {
        self.entries[i].catalog.as_ref()
    }

    /// Adds what one policy's run used ([`Linted::used_config`](super::Linted)).
    pub fn record(&mut self, i: usize, used: &[Vec<bool>]) {
        for (all, one) in self.entries[i].used.iter_mut().zip(used) {
            for (a, o) in all.iter_mut().zip(one) {
                *a |= *o;
            }
        }
    }

    /// PL190 for configuration suppressions that no policy used.
    pub fn unused_suppressions(&self) -> Vec<Diagnostic> {
        self.entries
            .iter()
            .flat_map(|e| super::unused_config_suppressions(&e.settings, &e.used))
            .collect()
    }
}

/// `--select` / `--ignore` from the command line, already checked.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// Replaces the file's `select`.
    select: Option<Vec<String>>,
    /// Added to the file's `ignore`.
    ignore: Vec<String>,
}

impl Overrides {
    /// Checks the selectors given on the command line; the error names the bad one.
    pub fn new(select: &[String], ignore: &[String]) -> Result<Overrides, String> {
        let check = |flag: &str, list: &[String]| -> Result<Vec<String>, String> {
            list.iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(|s| check_selector(s).map_err(|m| format!("{flag} {s}: {m}")))
                .collect()
        };
        let select = check("--select", select)?;
        Ok(Overrides {
            select: (!select.is_empty()).then_some(select),
            ignore: check("--ignore", ignore)?,
        })
    }
}

/// What one lint run applies: which rules report, at which severity, and what the
/// configuration suppresses.
#[derive(Debug, Clone)]
pub struct Settings {
    select: Option<Vec<String>>,
    ignore: Vec<String>,
    severity: HashMap<&'static str, Severity>,
    pub suppress: Vec<ConfigSuppression>,
}

impl Settings {
    /// Merges a config file (if any) with the command line: `--select` replaces the
    /// file's `select`, `--ignore` adds to its `ignore`.
    pub fn new(file: Option<&ConfigFile>, overrides: &Overrides) -> Settings {
        let mut ignore = file.map_or_else(Vec::new, |f| f.ignore.clone());
        ignore.extend(overrides.ignore.iter().cloned());
        Settings {
            select: overrides
                .select
                .clone()
                .or_else(|| file.and_then(|f| f.select.clone())),
            ignore,
            severity: file.map_or_else(HashMap::new, |f| f.severity.iter().copied().collect()),
            suppress: file.map_or_else(Vec::new, |f| f.suppress.clone()),
        }
    }

    /// Whether `code` reports. Like ruff, the longest matching selector wins, and
    /// `ignore` wins a tie: `select = ["PL10"]`, `ignore = ["PL101"]` keeps PL102 to PL109.
    pub fn enabled(&self, code: &str) -> bool {
        let best = |list: &[String]| {
            list.iter()
                .filter(|p| code.starts_with(p.as_str()))
                .map(String::len)
                .max()
        };
        let selected = match &self.select {
            None => Some(0),
            Some(list) => best(list),
        };
        match (selected, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }

    /// The severity `[lint.severity]` gives `code`, if it re-levels it.
    pub fn relevel(&self, code: &str) -> Option<Severity> {
        self.severity.get(code).copied()
    }
}

impl Default for Settings {
    /// Every rule at its default severity, nothing suppressed.
    fn default() -> Settings {
        Settings::new(None, &Overrides::default())
    }
}

/// Rules a configuration can select, re-level and suppress: those that run on a valid
/// policy. Parser codes (PL0xx) always report, since the policy cannot be linted then.
pub fn configurable(rule: &Rule) -> bool {
    rule.check.is_some() || rule.code == UNUSED_SUPPRESSION
}

fn configurable_codes() -> impl Iterator<Item = &'static str> {
    rules::ALL
        .iter()
        .filter(|r| configurable(r))
        .map(|r| r.code)
}

/// A selector is a code prefix (case-insensitive) that at least one rule has.
fn check_selector(selector: &str) -> Result<String, String> {
    let upper = selector.trim().to_ascii_uppercase();
    if !upper.is_empty() && configurable_codes().any(|c| c.starts_with(&upper)) {
        return Ok(upper);
    }
    Err(unknown_code_message(selector, "no rule code starts with"))
}

/// A full, configurable rule code.
fn code_of(code: &str) -> Result<&'static Rule, String> {
    let upper = code.trim().to_ascii_uppercase();
    rules::ALL
        .iter()
        .copied()
        .find(|r| configurable(r) && r.code == upper)
        .ok_or_else(|| unknown_code_message(code, "no configurable rule"))
}

fn unknown_code_message(code: &str, what: &str) -> String {
    let hint = did_you_mean(code, configurable_codes())
        .map(|c| format!(" (did you mean {c}?)"))
        .unwrap_or_default();
    format!("{what} `{code}`{hint}; `policylayer explain --all` lists the rules")
}

fn config_error(
    source: &Arc<SourceFile>,
    span: Span,
    message: impl Into<String>,
    help: &str,
) -> Diagnostic {
    Diagnostic::error(CONFIG_ERROR, source, span, message)
        .with_label("here")
        .with_help(help)
}

fn to_span<T>(s: &Spanned<T>) -> Span {
    let r = s.span();
    Span::new(r.start, r.end)
}

/// A path as the user should see it: relative to the working directory when inside it.
pub(crate) fn display_path(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(PathBuf::from));
    relative.as_deref().unwrap_or(path).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(name: &str, text: &str) -> Result<Option<ConfigFile>, Vec<Diagnostic>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        ConfigFile::load(&path)
    }

    #[test]
    fn longest_selector_wins_and_ignore_wins_ties() {
        let o = Overrides::new(&["PL".into()], &["PL10".into()]).unwrap();
        let s = Settings::new(None, &o);
        assert!(!s.enabled("PL101"));
        assert!(s.enabled("PL190"));
        let o = Overrides::new(&["PL101".into()], &["PL1".into()]).unwrap();
        assert!(Settings::new(None, &o).enabled("PL101"));
        assert!(Settings::default().enabled("PL101"));
    }

    #[test]
    fn unknown_selectors_are_rejected_with_a_suggestion() {
        let e = Overrides::new(&["PL9".into()], &[]).unwrap_err();
        assert!(e.contains("--select PL9"), "{e}");
        let e = Overrides::new(&[], &["PL1011".into()]).unwrap_err();
        assert!(e.contains("did you mean PL101?"), "{e}");
    }

    #[test]
    fn unknown_keys_are_located_errors() {
        let errors = load_text("policylayer.toml", "[lint]\nselekt = [\"PL1\"]\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("unknown field `selekt`"),
            "{}",
            errors[0].message
        );
        assert_eq!(errors[0].location().line, 2);
    }

    #[test]
    fn suppressions_need_a_reason() {
        let text = "[[lint.suppress]]\ntool = \"navigate\"\ncodes = [\"PL101\"]\nreason = \" \"\n";
        let errors = load_text("policylayer.toml", text).unwrap_err();
        assert!(errors[0].message.contains("empty suppression reason"));
        let text = "[[lint.suppress]]\ntool = \"navigate\"\ncodes = [\"PL101\"]\n";
        let errors = load_text("policylayer.toml", text).unwrap_err();
        assert!(
            errors[0].message.contains("missing field `reason`"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn pyproject_without_our_section_is_not_a_config() {
        let found = load_text(
            PYPROJECT_FILE,
            "[project]\nname = \"x\"\n[tool.ruff]\nline-length = 3\n",
        );
        assert!(found.unwrap().is_none());
        let found = load_text(
            PYPROJECT_FILE,
            "[tool.policylayer.lint]\nignore = [\"pl101\"]\n",
        );
        let config = found.unwrap().unwrap();
        assert!(!Settings::new(Some(&config), &Overrides::default()).enabled("PL101"));
    }

    #[test]
    fn catalog_is_relative_to_the_file_and_never_empty() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let path = sub.join(CONFIG_FILE);
        std::fs::write(&path, "catalog = \"../fs.catalog.json\"\n[lint]\n").unwrap();
        let config = ConfigFile::load(&path).unwrap().unwrap();
        let named = config.catalog.unwrap();
        assert_eq!(named.written, "../fs.catalog.json");
        assert_eq!(named.path, sub.join("../fs.catalog.json"));
        // Missing: an error at the key, not a fall-back to the built-in catalogue.
        let errors = named.load().unwrap_err();
        assert_eq!(errors[0].location().line, 1);
        assert_eq!(errors[0].location().column, 11);
        std::fs::write(
            dir.path().join("fs.catalog.json"),
            Catalog::leapfrog().to_json(),
        )
        .unwrap();
        assert_eq!(named.load().unwrap().tools().len(), 37);

        let errors = load_text(CONFIG_FILE, "catalog = \" \"\n").unwrap_err();
        assert!(errors[0].message.contains("empty catalogue path"));
        let found = load_text(
            PYPROJECT_FILE,
            "[tool.policylayer]\ncatalog = \"/abs/x.json\"\n",
        );
        let named = found.unwrap().unwrap().catalog.unwrap();
        assert_eq!(named.path, Path::new("/abs/x.json"));
    }

    #[test]
    fn severity_is_relevelled() {
        let config = load_text("policylayer.toml", "[lint.severity]\nPL101 = \"warning\"\n")
            .unwrap()
            .unwrap();
        let s = Settings::new(Some(&config), &Overrides::default());
        assert_eq!(s.relevel("PL101"), Some(Severity::Warning));
        assert_eq!(s.relevel("PL190"), None);
        let errors =
            load_text("policylayer.toml", "[lint.severity]\nPL101 = \"fatal\"\n").unwrap_err();
        assert!(
            errors[0].message.contains("unknown variant"),
            "{}",
            errors[0].message
        );
    }
}
