//! Unit tests of `diff`: each kind of change in both directions, with its witness.

use super::*;
use crate::source::SourceFile;

fn policy(text: &str) -> Policy {
    match Policy::parse(SourceFile::new("p.json", text)) {
        Ok(p) => p,
        Err(e) => panic!("{e:?}"),
    }
}

/// (tool, loosens, tightens) of each change.
fn changes(old: &str, new: &str) -> Vec<(Option<String>, Certainty, Certainty)> {
    compare(&policy(old), &policy(new), Catalog::leapfrog())
        .changes
        .into_iter()
        .map(|c| (c.tool, c.loosens, c.tightens))
        .collect()
}

fn nav(c: Certainty, d: Certainty) -> Vec<(Option<String>, Certainty, Certainty)> {
    vec![(Some("navigate".into()), c, d)]
}

use Certainty::{Maybe, No, Yes};

const BASE: &str = r#"{"version":"1","default":"deny","tools":{"navigate":{"require":[{"path":"args.url","op":"host_in","value":["example.com"]}],"limits":[{"counter":"nav","window":"minute","max":30}]}}}"#;

#[test]
fn identical_policies_have_no_changes() {
    assert!(changes(BASE, BASE).is_empty());
}

#[test]
fn hosts_bounds_and_conditions() {
    let more_hosts = BASE.replace(r#"["example.com"]"#, r#"["example.com","*.example.org"]"#);
    assert_eq!(changes(BASE, &more_hosts), nav(Yes, No));
    assert_eq!(changes(&more_hosts, BASE), nav(No, Yes));
    let no_require = r#"{"version":"1","default":"deny","tools":{"navigate":{"limits":[{"counter":"nav","window":"minute","max":30}]}}}"#;
    assert_eq!(changes(BASE, no_require), nav(Yes, No));
    assert_eq!(changes(no_require, BASE), nav(No, Yes));
}

#[test]
fn deny_if_removed_loosens_and_added_tightens() {
    let with = BASE.replace(
        r#""limits""#,
        r#""deny_if":[{"path":"args.url","op":"regex","value":"evil"}],"limits""#,
    );
    assert_eq!(changes(&with, BASE), nav(Yes, No));
    assert_eq!(changes(BASE, &with), nav(No, Yes));
}

#[test]
fn limit_moves() {
    let per = |m: &str, w: &str| {
        BASE.replace(
            r#""window":"minute","max":30"#,
            &format!(r#""window":"{w}","max":{m}"#),
        )
    };
    assert_eq!(changes(BASE, &per("60", "minute")), nav(Yes, No));
    assert_eq!(changes(BASE, &per("10", "minute")), nav(No, Yes));
    // 30/hour → 30/minute only loosens; 30/minute → 1000/hour does both.
    assert_eq!(changes(&per("30", "hour"), BASE), nav(Yes, No));
    assert_eq!(changes(BASE, &per("1000", "hour")), nav(Yes, Yes));
}

#[test]
fn a_reformat_or_a_repeated_condition_is_no_change() {
    let pretty = BASE.replace(',', ",\n  ");
    assert!(changes(BASE, &pretty).is_empty());
    let twice = BASE.replace(
        r#"[{"path":"args.url","op":"host_in","value":["example.com"]}]"#,
        r#"[{"path":"args.url","op":"host_in","value":["example.com"]},{"value":["example.com"],"op":"host_in","path":"args.url"}]"#,
    );
    assert!(changes(BASE, &twice).is_empty());
}

#[test]
fn unhiding_loosens_even_under_default_deny() {
    let hidden = r#"{"version":"1","default":"deny","hide":["snapshot"]}"#;
    let shown = r#"{"version":"1","default":"deny"}"#;
    assert_eq!(
        changes(hidden, shown),
        vec![(Some("snapshot".into()), Yes, No)]
    );
    assert_eq!(
        changes(shown, hidden),
        vec![(Some("snapshot".into()), No, Yes)]
    );
}

#[test]
fn an_edited_regex_gets_a_witness_or_stays_may() {
    let re = |r: &str| {
        BASE.replace(
            r#""limits""#,
            &format!(r#""deny_if":[{{"path":"args.url","op":"regex","value":"{r}"}}],"limits""#),
        )
    };
    let report = compare(
        &policy(&re("evil")),
        &policy(&re("evil\\\\.com")),
        Catalog::leapfrog(),
    );
    let c = &report.changes[0];
    assert_ne!(c.loosens, No, "{c:?}");
}

#[test]
fn witnesses_are_checked_calls() {
    let more_hosts = BASE.replace(r#"["example.com"]"#, r#"["example.com","*.example.org"]"#);
    let report = compare(&policy(BASE), &policy(&more_hosts), Catalog::leapfrog());
    let w = report.changes[0]
        .loosening_witness
        .clone()
        .expect("witness");
    assert_eq!(w.tool, "navigate");
    assert_eq!(w.args["url"], "https://policylayer-witness.example.org/");
    assert_eq!(w.old.decision, crate::engine::Decision::Deny);
    assert_eq!(w.new.decision, crate::engine::Decision::Allow);
    let higher = BASE.replace("\"max\":30", "\"max\":60");
    let report = compare(&policy(BASE), &policy(&higher), Catalog::leapfrog());
    let w = report.changes[0]
        .loosening_witness
        .clone()
        .expect("witness");
    assert_eq!(w.before.iter().map(|b| b.calls).sum::<u64>(), 30);
}

#[test]
fn increment_from_removed_loosens() {
    let batch = r#"{"version":"1","default":"deny","tools":{"session_create_batch":{"limits":[{"counter":"b","window":"minute","max":30,"increment_from":"args.sessions"}]}}}"#;
    let per_call = batch.replace(r#","increment_from":"args.sessions""#, "");
    let got = changes(batch, &per_call);
    assert_eq!(got[0].1, Yes);
    let _ = Maybe;
}
