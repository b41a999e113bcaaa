//! JSON-RPC pending requests (SPEC §3) against an independent model: random sessions in
//! which both sides send requests numbered from small ids, so that a server's request often
//! carries the id of a still-pending call. The model keeps, per id, every request still
//! pending, and a response settles the most recent one.

use std::collections::HashMap;

use assert_cmd::Command;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Msg {
    /// A `tools/call` under this id.
    Call(u8),
    /// Another request (a server's `sampling/createMessage`, a client's `ping`).
    Request(u8),
    /// A response; `true` when it is an error.
    Response(u8, bool),
}

fn msg() -> impl Strategy<Value = Msg> {
    prop_oneof![
        3 => (0u8..3).prop_map(Msg::Call),
        2 => (0u8..3).prop_map(Msg::Request),
        4 => (0u8..3, any::<bool>()).prop_map(|(i, e)| Msg::Response(i, e)),
    ]
}

fn line(m: &Msg) -> String {
    match m {
        Msg::Call(id) => format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"t","arguments":{{}}}}}}"#
        ),
        Msg::Request(id) => {
            format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"sampling/createMessage","params":{{}}}}"#
            )
        }
        Msg::Response(id, true) => {
            format!(r#"{{"jsonrpc":"2.0","id":{id},"error":{{"code":-1,"message":"rejected"}}}}"#)
        }
        Msg::Response(id, false) => format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{}}}}"#),
    }
}

/// What is pending under an id: a call (and whether it was charged) or another request.
#[derive(Debug, Clone, Copy)]
enum Sent {
    Call { charged: bool },
    Other,
}

/// The decisions (`allow`/`deny`) the spec gives each call, with one global quota of `max`.
fn model(msgs: &[Msg], max: u32) -> Vec<&'static str> {
    let mut used = 0;
    let mut pending: HashMap<u8, Vec<Sent>> = HashMap::new();
    let mut out = Vec::new();
    for m in msgs {
        match *m {
            Msg::Call(id) => {
                let charged = used < max;
                if charged {
                    used += 1;
                }
                out.push(if charged { "allow" } else { "deny" });
                let stack = pending.entry(id).or_default();
                // A reused id replaces the call pending under it.
                stack.retain(|s| matches!(s, Sent::Other));
                stack.push(Sent::Call { charged });
            }
            Msg::Request(id) => pending.entry(id).or_default().push(Sent::Other),
            Msg::Response(id, failed) => {
                if let Some(Sent::Call { charged: true }) = pending.get_mut(&id).and_then(Vec::pop)
                {
                    if failed {
                        used -= 1;
                    }
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn pending_requests_follow_the_model(msgs in prop::collection::vec(msg(), 1..40), max in 1u32..4) {
        let dir = tempfile::tempdir().expect("tempdir");
        let policy = format!(
            r#"{{"version":"1","default":"allow","all_tools":{{"limits":[{{"counter":"all","window":"day","max":{max},"scope":"global"}}]}}}}"#
        );
        std::fs::write(dir.path().join("policy.json"), policy).expect("write");
        let trace: Vec<String> = msgs.iter().map(line).collect();
        std::fs::write(dir.path().join("t.jsonl"), trace.join("\n")).expect("write");
        let out = Command::cargo_bin("policylayer")
            .expect("binary")
            .current_dir(dir.path())
            .args(["simulate", "t.jsonl", "--format", "jsonl"])
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let got: Vec<String> = stdout
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("decision").and_then(|d| d.as_str()).map(str::to_string))
            .collect();
        prop_assert_eq!(got, model(&msgs, max), "trace:\n{}", trace.join("\n"));
    }
}
