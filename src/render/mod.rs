//! All output for people and tools: each command's report in each format.

pub mod diff;
