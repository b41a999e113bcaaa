//! Any valid policy: `fmt`'s output parses to the same document, and formatting it again
//! changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policylayer::policy::Policy;
use policylayer::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(policy) = Policy::parse(SourceFile::new("p.json", text)) else { return };
    let formatted = policylayer::fmt::format(&policy);
    let again = Policy::parse(SourceFile::new("p.json", formatted.clone()))
        .expect("fmt's output is a valid policy");
    assert!(again.doc.value.deep_eq(&policy.doc.value), "fmt changed the document");
    assert_eq!(policylayer::fmt::format(&again), formatted, "fmt is not idempotent");
});
