//! Any trace through `suggest-limits` — none may panic, and one thread or two (the meters
//! on a thread of their own) measure the same.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use policylayer::catalog::Catalog;
use policylayer::policy::Policy;
use policylayer::source::SourceFile;
use policylayer::suggest::{self, Plan, Replay};

const POLICY: &str = r#"{"version":"1","default":"allow","tools":{
  "navigate":{"deny_if":[{"path":"args.n","op":"gt","value":3}],
    "limits":[{"counter":"nav","window":60,"max":5,"algorithm":"sliding"}]},
  "session_create_batch":{"limits":[{"counter":"b","window":10,"max":5,"increment_from":"args.sessions","scope":"global"}]}},
  "all_tools":{"limits":[{"counter":"all","window":3600,"max":50}]}}"#;

fn measure(policy: &Policy, trace: &[u8], threads: usize) -> String {
    let Ok(mut plan) = Plan::new(policy, Catalog::leapfrog(), &[]) else {
        return String::new();
    };
    let mut replay = Replay::new(policy, &mut plan, 1 << 16);
    replay.threads = threads;
    let stopped = replay.trace("t.jsonl", Cursor::new(trace)).is_err();
    replay.finish();
    let suggestions = suggest::suggestions(&plan.tracker, 1.5, &[]);
    format!("{stopped} {suggestions:?}")
}

fuzz_target!(|data: &[u8]| {
    let Ok(policy) = Policy::parse(SourceFile::new("p.json", POLICY)) else { return };
    let one = measure(&policy, data, 1);
    let two = measure(&policy, data, 2);
    assert_eq!(one, two, "one thread and two measure otherwise");
});
