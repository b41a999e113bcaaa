//! The tool catalogue: what each tool of an MCP server does, how risky it is
//! and which arguments it takes (`*.catalog.json`, SPEC §2).
//!
//! Lint rules read the catalogue to know which tools need limits (anything
//! [`Tool::is_write_like`]), which argument paths exist and which of them are
//! risky ([`Signal`]). The Leapfrog catalogue ships in the binary
//! ([`Catalog::leapfrog`]); any other server's comes from a file
//! ([`Catalog::load`]) or from its `tools/list` answer ([`import::import`]).
//!
//! Categories, from least to most dangerous in kind:
//! - `read`: returns information and changes nothing outside the agent's own
//!   view (a tool that writes files to disk is not a read);
//! - `write`: changes browser, session or disk state through fixed, structured
//!   operations whose effect the arguments describe;
//! - `execute`: runs a program the arguments do not spell out: agent-supplied
//!   code, injected responses, or a stored recording;
//! - `destructive`: deletes or ends something that cannot be taken back;
//! - `financial`: moves money.

pub mod drift;
pub mod import;
mod parse;
pub mod scan;
pub mod signals;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

use miette::{miette, Report};
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::source::SourceFile;

/// The shape of a catalogue, for help texts.
pub(crate) const FORMAT_HELP: &str = "a catalogue is {\"server\": {\"name\", \"version\"}, \"tools\": [{\"name\", \"category\", \"risk\", \"source\"?, \"summary\", \"signals\", \"input_schema\", \"note\"?}]}";

/// A server's tools, indexed by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalog {
    server: Server,
    tools: Vec<Tool>,
    /// Tool name → position in `tools`; lint looks every policy entry up.
    #[serde(skip)]
    index: HashMap<String, usize>,
}

/// The MCP server a catalogue describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Server {
    pub name: String,
    pub version: String,
}

/// One tool of the server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    pub name: String,
    pub category: Category,
    pub risk: Risk,
    /// Where `category` and `risk` come from; a catalogue written by hand says nothing and
    /// is curated.
    pub source: Source,
    /// One line, in our own words.
    pub summary: String,
    /// Derived from `input_schema` by [`signals::derive`].
    pub signals: Vec<Signal>,
    /// The JSON Schema exactly as the server advertises it in `tools/list`.
    pub input_schema: Value,
    /// Why the tool is classified as it is, where that is not obvious; always
    /// present where we differ from PolicyLayer's published classification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

crate::keywords! {
    /// What kind of thing a tool does.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Category {
        Read = "read",
        Write = "write",
        Execute = "execute",
        Destructive = "destructive",
        Financial = "financial",
    }
}

crate::keywords! {
    /// Where a tool's category and risk come from.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Source {
        /// Chosen or reviewed by a person (every hand-written catalogue, the shipped one).
        Curated = "curated",
        /// Read from the server's MCP annotations (`readOnlyHint`, `destructiveHint`).
        Annotation = "annotation",
        /// Guessed from the tool's name and schema; its `note` says from what.
        Inferred = "inferred",
    }
}

crate::keywords! {
    /// How much harm one misused call can do; ordered from `Low` to `Critical`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Risk {
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
}

/// A risky feature of a tool's arguments, written `kind:<arg>` where the
/// argument is a policy path relative to `args` (`sessions[*].url`; prefix
/// `args.`, or `args` when it starts with `[`) or, for `many_params`, the
/// number of top-level arguments.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Signal {
    UrlInput(String),
    SecretInput(String),
    CodeInput(String),
    FilePathInput(String),
    ManyParams(usize),
    Batch(String),
}

impl Catalog {
    /// Builds a catalogue, rejecting a tool name listed twice (a policy entry
    /// could not tell which one it means).
    pub fn new(server: Server, tools: Vec<Tool>) -> Result<Catalog, Report> {
        let mut seen = HashSet::new();
        if let Some(dup) = tools.iter().find(|t| !seen.insert(t.name.as_str())) {
            return Err(miette!(
                code = "catalog::duplicate_tool",
                help = "each tool is listed once",
                "duplicate tool `{}` in the {} catalogue",
                dup.name,
                server.name
            ));
        }
        Ok(Catalog::indexed(server, tools))
    }

    /// Callers have checked that names are unique.
    pub(crate) fn indexed(server: Server, tools: Vec<Tool>) -> Catalog {
        let index = tools
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        Catalog {
            server,
            tools,
            index,
        }
    }

    /// Parses catalogue text, collecting every error of the file as a located diagnostic.
    /// A UTF-8 byte-order mark is skipped, as for policies.
    pub fn from_json(src: &str, file_name: &str) -> Result<Catalog, Vec<Diagnostic>> {
        parse::parse(SourceFile::new(file_name, src))
    }

    /// Reads and parses a catalogue file (`--catalog FILE`).
    pub fn load(path: &Path) -> Result<Catalog, Vec<Diagnostic>> {
        Catalog::load_with_help(
            path,
            "pass a readable *.catalog.json file, or omit --catalog to use the built-in Leapfrog catalogue",
        )
    }

    /// [`Catalog::load`] with the advice given when the file cannot be read: a catalogue
    /// named by the configuration file is fixed there, not on the command line.
    pub fn load_with_help(path: &Path, help: &str) -> Result<Catalog, Vec<Diagnostic>> {
        match SourceFile::read(path) {
            Ok(source) => parse::parse(source),
            Err(d) => Err(vec![d.with_help(help)]),
        }
    }

    /// The Leapfrog 0.7.4 catalogue built into the binary, parsed on first use.
    pub fn leapfrog() -> &'static Catalog {
        static LEAPFROG: OnceLock<Catalog> = OnceLock::new();
        LEAPFROG.get_or_init(|| {
            Catalog::from_json(
                include_str!("../../policies/leapfrog.catalog.json"),
                "policies/leapfrog.catalog.json",
            )
            // Not user input: the embedded file is fixed at build time and
            // `tests::shipped_catalogue_matches_the_server` parses it.
            .expect("the shipped Leapfrog catalogue is valid")
        })
    }

    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The tools in catalogue order.
    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    pub fn tool(&self, name: &str) -> Option<&Tool> {
        self.index.get(name).and_then(|&i| self.tools.get(i))
    }

    /// For a name the catalogue lacks: the tool name closest to it, if one is
    /// close enough to be a likely misspelling.
    pub fn suggest(&self, name: &str) -> Option<&str> {
        if self.index.contains_key(name) {
            return None;
        }
        did_you_mean(name, self.tools.iter().map(|t| t.name.as_str()))
    }

    /// The catalogue as a file: 2-space indented JSON, trailing newline.
    pub fn to_json(&self) -> String {
        // Serialising cannot fail: every map key is a string and every
        // `Serialize` impl involved is infallible.
        let mut text = serde_json::to_string_pretty(self).expect("a catalogue serialises");
        text.push('\n');
        text
    }
}

impl Tool {
    /// Tools whose calls change something: these need a limit or a person's
    /// approval before a policy may allow them.
    pub fn is_write_like(&self) -> bool {
        self.category != Category::Read
    }

    /// For a finding that rests on this tool's classification: a sentence saying it was
    /// not chosen by a person, when it was not.
    pub fn unreviewed_classification(&self) -> Option<String> {
        let from = match self.source {
            Source::Curated => return None,
            Source::Annotation => "the server's annotations",
            Source::Inferred => "the tool's name and schema",
        };
        let why = self
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        Some(format!(
            "`{}` is {} / {} risk as guessed from {from}{why}: review it in the catalogue",
            self.name, self.category, self.risk
        ))
    }
}

/// A signal's argument (`sessions[*].url`, relative to `args`) as a policy path:
/// `args.sessions[*].url`, or `args[0]` for one that starts with an index.
pub fn signal_path(arg: &str) -> String {
    if arg.starts_with('[') {
        format!("args{arg}")
    } else {
        format!("args.{arg}")
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signal::UrlInput(path) => write!(f, "url_input:{path}"),
            Signal::SecretInput(path) => write!(f, "secret_input:{path}"),
            Signal::CodeInput(path) => write!(f, "code_input:{path}"),
            Signal::FilePathInput(path) => write!(f, "file_path_input:{path}"),
            Signal::ManyParams(n) => write!(f, "many_params:{n}"),
            Signal::Batch(path) => write!(f, "batch:{path}"),
        }
    }
}

impl FromStr for Signal {
    type Err = String;

    fn from_str(text: &str) -> Result<Signal, String> {
        let Some((kind, arg)) = text.split_once(':') else {
            return Err(format!("signal `{text}` is not `kind:<arg>`"));
        };
        if arg.is_empty() {
            return Err(format!("signal `{text}` has no argument after `{kind}:`"));
        }
        let path = arg.to_owned();
        match kind {
            "url_input" => Ok(Signal::UrlInput(path)),
            "secret_input" => Ok(Signal::SecretInput(path)),
            "code_input" => Ok(Signal::CodeInput(path)),
            "file_path_input" => Ok(Signal::FilePathInput(path)),
            "batch" => Ok(Signal::Batch(path)),
            "many_params" => arg.parse().map(Signal::ManyParams).map_err(|_| {
                format!("signal `{text}`: many_params takes a count of arguments")
            }),
            _ => Err(format!(
                "unknown signal kind `{kind}`, expected one of `url_input`, `secret_input`, `code_input`, `file_path_input`, `many_params`, `batch`"
            )),
        }
    }
}

impl Serialize for Signal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOOLS_LIST: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/leapfrog/tools-list.json"
    );
    const REFERENCE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/leapfrog/reference-classification.json"
    );
    const SHIPPED: &str = include_str!("../../policies/leapfrog.catalog.json");

    fn read_json(path: &str) -> Value {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn parse(src: &str) -> Result<Catalog, Vec<Diagnostic>> {
        Catalog::from_json(src, "test.catalog.json")
    }

    fn catalogue(tools: &str) -> String {
        format!(r#"{{"server":{{"name":"s","version":"1"}},"tools":[{tools}]}}"#)
    }

    const TOOL: &str = r#"{"name":"a","category":"read","risk":"low","summary":"","signals":[],"input_schema":{"type":"object"}}"#;

    /// The first error of a catalogue that must not parse.
    fn first_error(src: &str) -> Diagnostic {
        match parse(src) {
            Ok(_) => panic!("parsed {src:?}"),
            Err(mut errors) => errors.swap_remove(0),
        }
    }

    #[test]
    fn shipped_catalogue_matches_the_server() {
        let catalog = Catalog::leapfrog();
        assert_eq!(catalog.server().name, "leapfrog");
        assert_eq!(catalog.server().version, "0.7.4");
        let source = read_json(TOOLS_LIST);
        let advertised = source["tools"].as_array().cloned().unwrap_or_default();
        assert_eq!(catalog.tools().len(), 37);
        assert_eq!(advertised.len(), 37);
        for (tool, server_tool) in catalog.tools().iter().zip(&advertised) {
            assert_eq!(
                tool.name, server_tool["name"],
                "tools keep the tools/list order"
            );
            // `Value` equality ignores key order; the text does not.
            assert_eq!(
                tool.input_schema.to_string(),
                server_tool["inputSchema"].to_string(),
                "{}: input_schema differs from tools/list",
                tool.name
            );
            assert_eq!(
                tool.signals,
                signals::derive(&tool.input_schema),
                "{}",
                tool.name
            );
            assert!(!tool.summary.is_empty(), "{}", tool.name);
        }
    }

    #[test]
    fn shipped_catalogue_notes_every_difference_from_the_reference() {
        let reference = read_json(REFERENCE);
        let Some(entries) = reference["tools"].as_object() else {
            panic!("reference has no tools");
        };
        assert_eq!(entries.len(), 37);
        let catalog = Catalog::leapfrog();
        for (name, entry) in entries {
            let Some(tool) = catalog.tool(name) else {
                panic!("{name} is not in the catalogue");
            };
            let category_differs = entry["category"]
                .as_str()
                .is_some_and(|c| c != tool.category.to_string());
            let risk_differs = entry["risk"]
                .as_str()
                .is_some_and(|r| r != tool.risk.to_string());
            if category_differs || risk_differs {
                assert!(
                    tool.note.as_deref().is_some_and(|n| !n.trim().is_empty()),
                    "{name} differs from the reference without a note"
                );
            }
        }
    }

    /// The filesystem-like fixture the CLI, init and lint tests use is exactly what
    /// `catalog import` makes of its `tools/list`: a change to the signal rules shows here.
    #[test]
    fn filesystem_fixture_is_the_import_of_its_tools_list() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/filesystem");
        let answer = read_json(&format!("{dir}/tools-list.json"));
        let imported = match import::import(&answer, "filesystem", "1.0.0") {
            Ok(c) => c,
            Err(e) => panic!("{e:?}"),
        };
        let path = format!("{dir}/fs.catalog.json");
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(imported.to_json(), committed);
        let signals = |name: &str| -> Vec<String> {
            imported
                .tool(name)
                .map(|t| t.signals.iter().map(ToString::to_string).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            signals("move_file"),
            ["file_path_input:source", "file_path_input:destination"]
        );
        assert_eq!(
            signals("read_multiple_files"),
            ["batch:paths", "file_path_input:paths[*]"]
        );
    }

    #[test]
    fn shipped_catalogue_is_in_canonical_form() {
        assert_eq!(Catalog::leapfrog().to_json(), SHIPPED);
    }

    #[test]
    fn lookup_and_suggestions() {
        let catalog = Catalog::leapfrog();
        assert_eq!(catalog.tool("navigate").map(|t| t.risk), Some(Risk::High));
        assert!(catalog.tool("Navigate").is_none());
        assert_eq!(catalog.suggest("sesion_list"), Some("session_list"));
        assert_eq!(catalog.suggest("Snapshot"), Some("snapshot"));
        assert_eq!(catalog.suggest("profile_delet"), Some("profile_delete"));
        assert_eq!(catalog.suggest("snapshot"), None);
        assert_eq!(catalog.suggest("transfer_funds"), None);
        assert_eq!(catalog.suggest(""), None);
    }

    #[test]
    fn write_like_categories() {
        let catalog = Catalog::leapfrog();
        let write_like = |name: &str| catalog.tool(name).map(Tool::is_write_like);
        assert_eq!(write_like("snapshot"), Some(false));
        assert_eq!(write_like("act"), Some(true));
        assert_eq!(write_like("execute"), Some(true));
        assert_eq!(write_like("profile_delete"), Some(true));
    }

    #[test]
    fn risk_is_ordered() {
        assert!(
            Risk::Low < Risk::Medium && Risk::Medium < Risk::High && Risk::High < Risk::Critical
        );
    }

    #[test]
    fn signals_round_trip_as_text() {
        for text in [
            "url_input:sessions[*].url",
            "secret_input:proxy.password",
            "code_input:script",
            "file_path_input:[\"a:b\"]",
            "many_params:17",
            "batch:actions",
        ] {
            let signal: Signal = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(signal.to_string(), text);
        }
        assert_eq!(
            "file_path_input:[\"a:b\"]".parse(),
            Ok(Signal::FilePathInput("[\"a:b\"]".into()))
        );
        for bad in [
            "",
            "url_input",
            "url_input:",
            "many_params:x",
            "many_params:-1",
            "host:x",
        ] {
            assert!(bad.parse::<Signal>().is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_a_minimal_catalogue_with_bom_and_crlf() {
        let src = format!("\u{feff}{}", catalogue(TOOL).replace(',', ",\r\n"));
        let catalog = parse(&src).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(catalog.tools().len(), 1);
        assert_eq!(catalog.tool("a").map(|t| t.category), Some(Category::Read));
    }

    #[test]
    fn syntax_error_is_located() {
        let src = "{\n  \"server\": {\"name\": \"s\", \"version\": \"1\"},\n  \"tools\": [,]\n}";
        let d = first_error(src);
        assert_eq!(d.code, crate::policy::codes::SYNTAX);
        assert_eq!(&src[d.span.start..=d.span.start], ",");
        assert_eq!(d.location().to_string(), "test.catalog.json:3:13");
        assert!(d.help.is_some());
    }

    #[test]
    fn errors_at_end_and_on_empty_input_stay_in_bounds() {
        for src in ["", "{", "{\"server\":", "\u{feff}", "{\"é\"", "[1, 2"] {
            let d = first_error(src);
            assert!(d.span.start <= src.len());
            // Rendering the snippet must not panic either.
            let _ = crate::render::diagnostics::render_human(&d, false);
        }
    }

    #[test]
    fn unknown_field_and_variant_suggest_the_right_name() {
        let misspelt = catalogue(&TOOL.replace("\"category\"", "\"cateogry\""));
        let errors = parse(&misspelt).unwrap_err();
        let d = &errors[0];
        assert_eq!(d.code, crate::policy::codes::UNKNOWN_FIELD);
        assert_eq!(d.help.as_deref(), Some("did you mean `category`?"));
        assert!(misspelt[d.span.start..].starts_with("\"cateogry\""));
        let d = first_error(&catalogue(&TOOL.replace("\"read\"", "\"raed\"")));
        assert_eq!(d.help.as_deref(), Some("did you mean \"read\"?"));
        let d = first_error(&catalogue(&TOOL.replace("\"summary\"", "\"sumary\"")));
        assert_eq!(d.help.as_deref(), Some("did you mean `summary`?"));
    }

    #[test]
    fn every_error_of_the_file_at_once() {
        let src = catalogue(&TOOL.replace("\"read\"", "\"raed\"").replace("\"low\"", "3"));
        let errors = parse(&src).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
    }

    #[test]
    fn rejects_invalid_content() {
        let cases = [
            (catalogue(&format!("{TOOL},{TOOL}")), "duplicate tool `a`"),
            (
                catalogue(&TOOL.replace(
                    r#"{"type":"object"}"#,
                    r#"{"type":"object","type":"string"}"#,
                )),
                "duplicate key",
            ),
            (
                catalogue(&TOOL.replace(
                    r#"{"type":"object"}"#,
                    r#"{"properties":{"a":{"x":1,"x":2}}}"#,
                )),
                "duplicate key",
            ),
            (
                catalogue(&TOOL.replace(r#"{"type":"object"}"#, "true")),
                "JSON Schema object",
            ),
            (
                catalogue(&TOOL.replace("}}", "},\"note\":null}")),
                "found null",
            ),
            (
                catalogue(&TOOL.replace("[]", "[\"host:x\"]")),
                "unknown signal kind `host`",
            ),
            (
                catalogue(&TOOL.replace(",\"summary\":\"\"", "")),
                "missing required field `summary`",
            ),
            (
                catalogue(TOOL).replace("\"version\":\"1\"", "\"version\":\"1\",\"x\":1"),
                "unknown field `x`",
            ),
            (
                catalogue(TOOL).replace("}]}", "}],\"extra\":true}"),
                "unknown field `extra`",
            ),
        ];
        for (src, expected) in cases {
            let d = first_error(&src);
            assert!(d.message.contains(expected), "{src}: {}", d.message);
            assert!(d.span.start <= src.len());
        }
    }

    #[test]
    fn duplicate_tool_is_located_at_the_second_entry() {
        let src = catalogue(&format!("{TOOL},\n{TOOL}"));
        let d = first_error(&src);
        let second = src.rfind("{\"name\"").unwrap_or(0);
        assert!(d.span.start > second);
        assert_eq!(d.related.len(), 1);
    }

    #[test]
    fn new_rejects_duplicate_names() {
        let Some(tool) = Catalog::leapfrog().tool("snapshot").cloned() else {
            panic!("snapshot missing")
        };
        let server = Server {
            name: "s".into(),
            version: "1".into(),
        };
        assert!(Catalog::new(server.clone(), vec![tool.clone(), tool.clone()]).is_err());
        let catalog = Catalog::new(server, vec![tool]).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(catalog.tool("snapshot").is_some());
    }

    #[test]
    fn load_names_an_unreadable_path() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("no/such.catalog.json");
        let errors = Catalog::load(&path).unwrap_err();
        assert!(
            errors[0].message.contains("no/such.catalog.json"),
            "{errors:?}"
        );
        assert_eq!(errors[0].code, crate::policy::codes::UNREADABLE);
    }

    #[test]
    fn load_reads_the_shipped_file() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/leapfrog.catalog.json");
        let catalog = Catalog::load(&path).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(&catalog, Catalog::leapfrog());
    }
}
