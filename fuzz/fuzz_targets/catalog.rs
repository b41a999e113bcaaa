//! Any text as a catalogue, and as a `tools/list` answer to import: located errors or a
//! catalogue, never a panic; an imported catalogue reads back as itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policylayer::catalog::{import, Catalog};
use policylayer::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Catalog::from_json(text, "fuzz.catalog.json");
    let source = SourceFile::new("tools.json", text);
    if let Ok(answer) = import::read_answer(&source) {
        if let Ok(catalog) = import::import(&answer, "s", "1") {
            let back = Catalog::from_json(&catalog.to_json(), "back.json").expect("reads back");
            assert_eq!(back, catalog);
        }
    }
});
