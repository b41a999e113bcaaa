//! `--validate-args`: checks each call's arguments against the tool's input schema in the
//! catalogue, each schema compiled once.

use crate::catalog::Catalog;
use crate::json::tape::Arg;

/// Checks call arguments against the catalogue's input schemas, compiled once per tool.
pub struct ArgsValidator<'c> {
    catalog: &'c Catalog,
    compiled: std::collections::HashMap<String, Option<jsonschema::Validator>>,
}

impl<'c> ArgsValidator<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        ArgsValidator {
            catalog,
            compiled: Default::default(),
        }
    }

    /// The first schema violation of a call's arguments, if any.
    pub fn check(&mut self, tool: &str, args: Arg) -> Option<String> {
        let catalog = self.catalog;
        let validator = self
            .compiled
            .entry(tool.to_string())
            .or_insert_with(|| {
                catalog
                    .tool(tool)
                    .and_then(|t| jsonschema::validator_for(&t.input_schema).ok())
            })
            .as_ref()?;
        let instance = args.to_serde();
        let first = validator.iter_errors(&instance).next().map(|e| {
            let at = e.instance_path().to_string();
            if at.is_empty() {
                e.to_string()
            } else {
                format!("{at}: {e}")
            }
        });
        first
    }
}
