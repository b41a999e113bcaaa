//! Two policies (the input split at its first NUL byte): `diff` with its witnesses and
//! every output format must not panic, and a policy compared with itself changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policylayer::catalog::Catalog;
use policylayer::diff::compare;
use policylayer::policy::Policy;
use policylayer::render::diff::{human, json, markdown, DiffView};
use policylayer::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (a, b) = text.split_once('\0').unwrap_or((text, text));
    let (Ok(old), Ok(new)) = (
        Policy::parse(SourceFile::new("old.json", a)),
        Policy::parse(SourceFile::new("new.json", b)),
    ) else {
        return;
    };
    let report = compare(&old, &new, Catalog::leapfrog());
    let view = DiffView { old_name: "old", new_name: "new", report: &report, text: None, replay: None };
    let _ = (human(&view), json(&view), markdown(&view));
    assert!(compare(&old, &old, Catalog::leapfrog()).changes.is_empty());
});
