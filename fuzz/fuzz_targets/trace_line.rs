//! Any trace line through the parser and a permissive engine — none may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policylayer::engine::{Call, Engine};
use policylayer::policy::Policy;
use policylayer::json::tape::Tape;
use policylayer::sim::trace::{parse_line, Event};
use policylayer::source::SourceFile;

const POLICY: &str = r#"{"version":"1","default":"allow","tools":{"t":{
  "require":[{"path":"args.a[*].b","op":"host_in","value":["*.example.com"]}],
  "deny_if":[{"path":"args.n","op":"gt","value":3}],
  "limits":[{"counter":"c","window":60,"max":5,"increment_from":"args.items","algorithm":"sliding"}]}}}"#;

fuzz_target!(|data: &[u8]| {
    let Ok(policy) = Policy::parse(SourceFile::new("p.json", POLICY)) else { return };
    let mut tape = Tape::default();
    if let Ok(Event::Call(c)) = parse_line(data, &mut tape) {
        let mut engine = Engine::new(&policy);
        let call = Call { tool: c.tool, grant: c.grant, args: c.args, time: c.ts.unwrap_or(0.0) };
        let outcome = engine.evaluate(&call);
        engine.rollback(&outcome.charges);
    }
});
