//! Risk signals derived from a tool's input schema.
//!
//! Signals tell the linter which arguments deserve a constraint (a URL wants a
//! `host_in`, a batch wants a per-item limit). They come from the schema alone,
//! so an imported catalogue of any MCP server gets them for free. The
//! heuristics look at property *names*, split into words (`startUrl` →
//! `start url`, `api_key` → `api key`), and accept a trailing plural `s`
//! (`urls`, `filePaths`).
//!
//! An array of URLs or file paths (`urls: string[]`, `paths: string[]`) is a
//! batch like an array of objects: one call reads or fetches every item, so a
//! limit should count the items.
//!
//! Only properties that may hold a string carry name-based signals: a numeric
//! `maxTokens` or a boolean `useCookies` cannot smuggle a secret or a URL.
//! `anyOf`/`oneOf` branches count towards "may hold a string" but are not
//! walked for nested properties, `additionalProperties` maps are not walked
//! (the path syntax has no wildcard for object keys) and `$ref` is not
//! followed (an unresolved schema may hold anything, so it counts as a string).

use serde_json::{Map, Value};

use super::Signal;

/// A schema with more top-level properties than this gets `many_params`: each
/// one is an argument a policy may need to think about, and a wide surface is
/// hard to constrain completely.
const MANY_PARAMS: usize = 8;

/// Last word of a name that holds a URL (`url`, `startUrl`, `homepage_link`).
/// A URL word elsewhere in the name does not count: `urlPattern` is a glob
/// matched against URLs, not an address the tool will contact, and a
/// `host_in` constraint on it would never hold.
const URL_WORDS: &[&str] = &["url", "uri", "href", "link"];

/// JSON Schema `format`s that declare a URL.
const URL_FORMATS: &[&str] = &["uri", "iri", "url"];

/// Any word that marks a credential.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "cookie",
    "credential",
    "apikey",
    "auth",
    "authorization",
];

/// Words that turn a following `key` into a credential (`apiKey`,
/// `private_key`). A bare `key` is not one: it is a keyboard key in browser
/// tools (`act.key` = `"Enter"`), a map key or a sort key far more often.
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "private",
    "secret",
    "signing",
    "encryption",
    "ssh",
    "license",
    "client",
    "master",
];

/// Any word that marks code the server will run.
const CODE_WORDS: &[&str] = &[
    "script",
    "js",
    "javascript",
    "expression",
    "function",
    "eval",
];

/// Any word that marks a filesystem location.
const FILE_WORDS: &[&str] = &[
    "path",
    "pathname",
    "file",
    "filename",
    "filepath",
    "dir",
    "dirname",
    "directory",
    "folder",
    "cwd",
];

/// Names that are a filesystem location only when they are the whole name:
/// `move_file {source, destination}` of a filesystem server. As a word of a
/// longer name they mean something else far more often (`sourceCode`,
/// `dataSource`, `destinationId`), and such a name with a path word
/// (`sourcePath`, `destDir`) is found by [`FILE_WORDS`] anyway.
const SOLE_FILE_NAMES: &[&str] = &["source", "destination", "src", "dest"];

/// The signals of one input schema, in traversal order: properties in schema
/// order, each property's own signals (`url_input`, `secret_input`,
/// `code_input`, `file_path_input`, then `batch`) before those of its nested
/// properties, and `many_params` last.
pub fn derive(schema: &Value) -> Vec<Signal> {
    let mut signals = Vec::new();
    if let Some(properties) = properties(schema) {
        walk_properties(properties, "", &mut signals);
        if properties.len() > MANY_PARAMS {
            signals.push(Signal::ManyParams(properties.len()));
        }
    }
    signals
}

fn walk_properties(properties: &Map<String, Value>, prefix: &str, out: &mut Vec<Signal>) {
    for (name, schema) in properties {
        walk_property(name, schema, &join_path(prefix, name), out);
    }
}

/// `schema` is the property `name` itself or, at `name[*]`, its array items,
/// which inherit the name: the items of `urls` are URLs.
fn walk_property(name: &str, schema: &Value, path: &str, out: &mut Vec<Signal>) {
    if may_hold_string(schema) {
        let words = words(name);
        if is_url(&words, schema) {
            out.push(Signal::UrlInput(path.to_owned()));
        }
        if is_secret(&words) {
            out.push(Signal::SecretInput(path.to_owned()));
        }
        if is_code(&words) {
            out.push(Signal::CodeInput(path.to_owned()));
        }
        if is_file_path(&words) {
            out.push(Signal::FilePathInput(path.to_owned()));
        }
    }
    if let Some(items) = schema.get("items").filter(|items| items.is_object()) {
        let each = format!("{path}[*]");
        let mut inner = Vec::new();
        walk_property(name, items, &each, &mut inner);
        // An array of objects is a list of work items (sessions to open,
        // actions to perform), and an array of URLs or paths a list of pages
        // to fetch or files to read: one call does many things, so a per-call
        // limit undercounts.
        let addresses = inner.iter().any(|s| match s {
            Signal::UrlInput(p) | Signal::FilePathInput(p) => *p == each,
            _ => false,
        });
        if is_object_schema(items) || addresses {
            out.push(Signal::Batch(path.to_owned()));
        }
        out.extend(inner);
    }
    if let Some(properties) = properties(schema) {
        walk_properties(properties, path, out);
    }
}

fn properties(schema: &Value) -> Option<&Map<String, Value>> {
    schema.get("properties").and_then(Value::as_object)
}

fn is_object_schema(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
        _ => properties(schema).is_some(),
    }
}

/// Whether a value valid against `schema` may be a string. A schema that says
/// nothing about its type (`{}`, `true`, a bare `$ref`) may.
fn may_hold_string(schema: &Value) -> bool {
    if !schema.is_object() {
        return schema == &Value::Bool(true);
    }
    match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        Some(_) => false,
        None => {
            let branches: Vec<&Value> = ["anyOf", "oneOf"]
                .iter()
                .filter_map(|k| schema.get(*k).and_then(Value::as_array))
                .flatten()
                .collect();
            if !branches.is_empty() {
                branches.into_iter().any(may_hold_string)
            } else if let Some(values) = schema.get("enum").and_then(Value::as_array) {
                values.iter().any(Value::is_string)
            } else if let Some(value) = schema.get("const") {
                value.is_string()
            } else {
                schema.get("properties").is_none() && schema.get("items").is_none()
            }
        }
    }
}

/// A URL-named property, a URL `format`, or a default that is an absolute
/// URL: a server that defaults a value to `http://localhost:9222` takes an
/// address there, whatever the property is called.
fn is_url(words: &[String], schema: &Value) -> bool {
    let named = words.last().is_some_and(|w| word_in(w, URL_WORDS));
    let format = schema
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| URL_FORMATS.contains(&f.to_ascii_lowercase().as_str()));
    let default = schema
        .get("default")
        .and_then(Value::as_str)
        .is_some_and(is_absolute_url);
    named || format || default
}

fn is_absolute_url(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    ["http://", "https://", "ws://", "wss://"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

fn is_secret(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        word_in(w, SECRET_WORDS)
            || (word_in(w, &["key"])
                && i > 0
                && words.get(i - 1).is_some_and(|q| word_in(q, KEY_QUALIFIERS)))
    })
}

/// A path word anywhere in the name (`outputPath`, `downloadDirectory`), or a
/// name that is [`SOLE_FILE_NAMES`] alone.
fn is_file_path(words: &[String]) -> bool {
    words.iter().any(|w| word_in(w, FILE_WORDS))
        || matches!(words, [only] if word_in(only, SOLE_FILE_NAMES))
}

/// `code` counts only as the first word (`code`, `codeSnippet`) or after
/// `source`: as a last word it names an identifier (`statusCode`,
/// `countryCode`, `errorCode`).
fn is_code(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        word_in(w, CODE_WORDS)
            || (w == "code" && (i == 0 || words.get(i - 1).is_some_and(|q| q == "source")))
    })
}

/// `word` is in `set`, or is the plural of a word in it.
fn word_in(word: &str, set: &[&str]) -> bool {
    set.contains(&word)
        || word
            .strip_suffix('s')
            .is_some_and(|singular| set.contains(&singular))
}

/// The lowercase words of a property name: split at `_`, `-`, `.`, spaces and
/// camel-case humps, keeping acronyms whole (`APIKey` → `api key`).
pub(crate) fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let hump = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_numeric()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if hump && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Appends `key` to a policy path relative to `args` (`crate::policy::path`
/// syntax): `a.b` for plain keys, `a["key.with[dots]"]` for keys holding `.`,
/// `[` or `]`, and for the empty key.
fn join_path(prefix: &str, key: &str) -> String {
    let plain = !key.is_empty() && !key.contains(['.', '[', ']']);
    match (plain, prefix.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{prefix}.{key}"),
        (false, _) => format!(
            "{prefix}[\"{}\"]",
            key.replace('\\', "\\\\").replace('"', "\\\"")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(properties: Value) -> Value {
        json!({ "type": "object", "properties": properties })
    }

    fn derived(properties: Value) -> Vec<String> {
        derive(&object(properties))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn words_split_camel_snake_and_acronyms() {
        assert_eq!(words("startUrl"), ["start", "url"]);
        assert_eq!(words("api_key"), ["api", "key"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("extractJs"), ["extract", "js"]);
        assert_eq!(words("target2"), ["target2"]);
        assert_eq!(words("max-results"), ["max", "results"]);
        assert_eq!(words(""), Vec::<String>::new());
    }

    #[test]
    fn url_input_by_name_format_and_default() {
        assert_eq!(
            derived(json!({
                "url": { "type": "string" },
                "startUrl": { "type": "string" },
                "homepage_link": { "type": "string" },
                "target": { "type": "string", "format": "uri" },
                "cdp": { "type": "string", "default": "http://localhost:9222" },
                "urls": { "type": "array", "items": { "type": "string" } }
            })),
            [
                "url_input:url",
                "url_input:startUrl",
                "url_input:homepage_link",
                "url_input:target",
                "url_input:cdp",
                "batch:urls",
                "url_input:urls[*]"
            ]
        );
    }

    #[test]
    fn url_input_negatives() {
        assert!(derived(json!({
            "urlPattern": { "type": "string" },
            "url": { "type": "integer" },
            "curl": { "type": "string" },
            "linkCount": { "type": "number" },
            "label": { "type": "string", "default": "not a url" }
        }))
        .is_empty());
    }

    #[test]
    fn secret_input() {
        assert_eq!(
            derived(json!({
                "proxy": { "type": "object", "properties": {
                    "username": { "type": "string" },
                    "password": { "type": "string" }
                } },
                "apiKey": { "type": "string" },
                "api_key": { "type": "string" },
                "apikey": { "type": "string" },
                "authToken": { "type": "string" },
                "cookies": { "type": "array", "items": { "type": "string" } },
                "clientSecret": { "type": "string" },
                "credentials": {}
            })),
            [
                "secret_input:proxy.password",
                "secret_input:apiKey",
                "secret_input:api_key",
                "secret_input:apikey",
                "secret_input:authToken",
                "secret_input:cookies[*]",
                "secret_input:clientSecret",
                "secret_input:credentials"
            ]
        );
    }

    #[test]
    fn secret_input_negatives() {
        assert!(derived(json!({
            "key": { "type": "string" },
            "keyboard": { "type": "string" },
            "monkey": { "type": "string" },
            "author": { "type": "string" },
            "sortKey": { "type": "string" },
            "maxTokens": { "type": "integer" },
            "useCookies": { "type": "boolean" }
        }))
        .is_empty());
    }

    #[test]
    fn code_input() {
        assert_eq!(
            derived(json!({
                "script": { "type": "string" },
                "js": { "type": "string" },
                "extractJs": { "type": "string" },
                "expression": { "type": "string" },
                "pageFunction": { "type": "string" },
                "code": { "type": "string" },
                "sourceCode": { "type": "string" }
            })),
            [
                "code_input:script",
                "code_input:js",
                "code_input:extractJs",
                "code_input:expression",
                "code_input:pageFunction",
                "code_input:code",
                "code_input:sourceCode"
            ]
        );
    }

    #[test]
    fn code_input_negatives() {
        assert!(derived(json!({
            "statusCode": { "type": "string" },
            "countryCode": { "type": "string" },
            "jsonPayload": { "type": "string" },
            "description": { "type": "string" },
            "type": { "type": "string", "enum": ["text", "js"] }
        }))
        .is_empty());
    }

    #[test]
    fn file_path_input() {
        assert_eq!(
            derived(json!({
                "profilePath": { "type": "string" },
                "outputPath": { "type": "string" },
                "filename": { "type": "string" },
                "dir": { "type": "string" },
                "downloadDirectory": { "type": "string" },
                "filePaths": { "anyOf": [
                    { "type": "string" },
                    { "type": "array", "items": { "type": "string" } }
                ] }
            })),
            [
                "file_path_input:profilePath",
                "file_path_input:outputPath",
                "file_path_input:filename",
                "file_path_input:dir",
                "file_path_input:downloadDirectory",
                "file_path_input:filePaths"
            ]
        );
    }

    #[test]
    fn file_path_input_of_a_filesystem_server() {
        assert_eq!(
            derived(json!({
                "source": { "type": "string" },
                "destination": { "type": "string" },
                "src": { "type": "string" },
                "dest": { "type": "string" },
                "pathname": { "type": "string" },
                "cwd": { "type": "string" },
                "destDir": { "type": "string" },
                "paths": { "type": "array", "items": { "type": "string" } }
            })),
            [
                "file_path_input:source",
                "file_path_input:destination",
                "file_path_input:src",
                "file_path_input:dest",
                "file_path_input:pathname",
                "file_path_input:cwd",
                "file_path_input:destDir",
                "batch:paths",
                "file_path_input:paths[*]"
            ]
        );
    }

    #[test]
    fn file_path_input_negatives() {
        assert!(derived(json!({
            "profile": { "type": "string" },
            "xpath": { "type": "string" },
            "profiler": { "type": "string" },
            "fileCount": { "type": "integer" }
        }))
        .is_empty());
        assert!(derived(json!({
            "sourceId": { "type": "string" },
            "dataSource": { "type": "string" },
            "destinationCountry": { "type": "string" },
            "source": { "type": "integer" },
            "resources": { "type": "string" }
        }))
        .is_empty());
        // `sourceCode` is code, not a file.
        assert_eq!(
            derived(json!({ "sourceCode": { "type": "string" } })),
            ["code_input:sourceCode"]
        );
    }

    #[test]
    fn batch_for_arrays_of_urls_and_paths() {
        assert_eq!(
            derived(json!({
                "urls": { "type": "array", "items": { "type": "string", "format": "uri" } },
                "targets": { "type": "array", "items": { "type": "string", "format": "uri" } },
                "files": { "type": "array", "items": {} },
                "sources": { "type": "array", "items": { "type": "string" } },
                "nested": { "type": "object", "properties": {
                    "paths": { "type": "array", "items": { "type": "string" } }
                } }
            })),
            [
                "batch:urls",
                "url_input:urls[*]",
                "batch:targets",
                "url_input:targets[*]",
                "batch:files",
                "file_path_input:files[*]",
                "batch:sources",
                "file_path_input:sources[*]",
                "batch:nested.paths",
                "file_path_input:nested.paths[*]"
            ]
        );
    }

    #[test]
    fn arrays_of_other_strings_are_not_batches() {
        // Only the items themselves count: a path inside a string array's name
        // (`pathPatterns` is globs), a path in an `anyOf` branch (a single path
        // or several, as Leapfrog's `act.filePaths`) and arrays of arrays do not.
        assert_eq!(
            derived(json!({
                "domains": { "type": "array", "items": { "type": "string" } },
                "permissions": { "type": "array", "items": { "type": "string" } },
                "excludePatterns": { "type": "array", "items": { "type": "string" } },
                "filePaths": { "anyOf": [
                    { "type": "string" },
                    { "type": "array", "items": { "type": "string" } }
                ] },
                "grid": { "type": "array", "items": { "type": "array", "items": { "type": "string" } } },
                "cookies": { "type": "array", "items": { "type": "string" } }
            })),
            ["file_path_input:filePaths", "secret_input:cookies[*]"]
        );
    }

    #[test]
    fn many_params_counts_top_level_only() {
        let nine: Map<String, Value> = (0..9)
            .map(|i| (format!("p{i}"), json!({ "type": "integer" })))
            .collect();
        assert_eq!(derived(Value::Object(nine.clone())), ["many_params:9"]);

        let eight: Map<String, Value> = nine.into_iter().skip(1).collect();
        assert!(derived(Value::Object(eight.clone())).is_empty());
        assert!(derived(json!({
            "outer": { "type": "object", "properties": Value::Object(eight.clone()) },
            "more": { "type": "object", "properties": Value::Object(eight) }
        }))
        .is_empty());
    }

    #[test]
    fn batch_for_arrays_of_objects_with_nested_paths() {
        assert_eq!(
            derived(json!({
                "sessions": { "type": "array", "items": { "type": "object", "properties": {
                    "url": { "type": "string" },
                    "steps": { "type": "array", "items": { "properties": {
                        "script": { "type": "string" }
                    } } }
                } } }
            })),
            [
                "batch:sessions",
                "url_input:sessions[*].url",
                "batch:sessions[*].steps",
                "code_input:sessions[*].steps[*].script"
            ]
        );
    }

    #[test]
    fn batch_negatives() {
        assert!(derived(json!({
            "tags": { "type": "array", "items": { "type": "string" } },
            "matrix": { "type": "array", "items": { "type": "array", "items": { "type": "number" } } },
            "viewport": { "type": "object", "properties": { "width": { "type": "number" } } },
            "untyped": { "type": "array" }
        }))
        .is_empty());
    }

    #[test]
    fn odd_keys_are_quoted_in_paths() {
        let signals = derived(json!({
            "my.url": { "type": "string" },
            "a[b]": { "type": "object", "properties": { "say \"token\"": {}, "": {
                "type": "object", "properties": { "back\\slash path": {} } } } }
        }));
        assert_eq!(
            signals,
            [
                "url_input:[\"my.url\"]",
                "secret_input:[\"a[b]\"].say \"token\"",
                "file_path_input:[\"a[b]\"][\"\"].back\\slash path"
            ]
        );
    }

    #[test]
    fn paths_parse_as_policy_paths() {
        use crate::policy::{Path, Segment};
        let key = |k: &str| Segment::Key(k.to_owned());
        for (relative, segments) in [
            (
                "sessions[*].url",
                vec![key("sessions"), Segment::Each, key("url")],
            ),
            ("[\"my.url\"]", vec![key("my.url")]),
            (
                "[\"a[b]\"][\"\"].back\\slash path",
                vec![key("a[b]"), key(""), key("back\\slash path")],
            ),
        ] {
            let separator = if relative.starts_with('[') { "" } else { "." };
            let parsed = Path::parse(&format!("args{separator}{relative}"));
            assert_eq!(parsed.map(|p| p.segments), Ok(segments), "{relative}");
        }
    }

    #[test]
    fn schemas_without_properties_have_no_signals() {
        for schema in [
            json!(null),
            json!("string"),
            json!([]),
            json!({ "type": "object" }),
            json!({ "type": "object", "properties": [] }),
            json!({ "type": "object", "properties": { "url": 3 } }),
        ] {
            assert!(derive(&schema).is_empty(), "{schema}");
        }
    }
}
