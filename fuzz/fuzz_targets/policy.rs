//! Any text: parse, validate, lint, format-independent evaluation — none may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policylayer::catalog::Catalog;
use policylayer::engine::{Call, Engine};
use policylayer::json::Value;
use policylayer::policy::Policy;
use policylayer::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(policy) = Policy::parse(SourceFile::new("fuzz.json", text)) {
        let _ = policylayer::lint::check(&policy, Catalog::leapfrog());
        let mut engine = Engine::new(&policy);
        let args = Value::Object(Vec::new());
        for tool in ["navigate", "snapshot", "x"] {
            let _ = engine.evaluate(&Call { tool, grant: "g", args: &args, time: 0.0 });
        }
    }
});
