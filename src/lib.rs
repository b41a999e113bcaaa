//! policylayer: lint, simulate and diff access policies for AI agents that call MCP tools.
//!
//! The stages are separate modules, as in Cedar: [`json`] parses strictly with spans,
//! [`policy`] validates into a typed model, and the commands ([`lint`], [`engine`] /
//! [`sim`]) work on that model. The binary is a thin shell over [`cli`].

pub mod catalog;
pub mod cli;
pub mod diagnostic;
pub mod diff;
pub mod engine;
pub mod fmt;
pub mod git;
pub mod init;
pub mod json;
pub mod keyword;
pub mod lint;
pub mod policy;
pub mod regex_sample;
pub mod render;
pub mod rewrite;
pub mod schema;
pub mod sim;
pub mod source;
pub mod suggest;
pub mod timestamp;
pub mod validate;
