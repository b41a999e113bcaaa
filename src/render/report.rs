//! `simulate --report FILE`: the report as one self-contained HTML page. Charts are SVG
//! written here by hand (no script, no library, nothing fetched): they open from disk,
//! offline, print, and are tested like any other output. The page also carries its data
//! as JSON (`<script type="application/json" id="report-data">`), for tools and tests.
//!
//! The page stays under [`MAX_REPORT_BYTES`] whatever the trace: the series hold at most
//! 2,048 points each and about [`POINTS_BUDGET`] together, tables are capped, names are
//! clipped, and should a page still come out larger, it is drawn again with half the points.

use std::fmt::Write;

use crate::engine::{Engine, Reason};
use crate::sim::report::{
    Axis, AxisKind, CounterReport, Recorder, Report, SeriesReport, MAX_CHARTS, POINTS_BUDGET,
};
use crate::sim::Tally;
use crate::timestamp::format_ts;

/// The most a report may weigh.
pub const MAX_REPORT_BYTES: usize = 3_000_000;

/// The page for what `recorder` gathered, under [`MAX_REPORT_BYTES`].
pub fn page(recorder: &Recorder, engine: &Engine, tally: &Tally, traces: &[String]) -> String {
    let mut points = POINTS_BUDGET;
    loop {
        let report = recorder.report(engine, tally, traces, points);
        let page = html(&report);
        if page.len() <= MAX_REPORT_BYTES || points < 1000 {
            return page;
        }
        points /= 2;
    }
}

/// Chart geometry, in SVG user units (the SVG scales to the page's width).
const WIDTH: f64 = 960.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 36.0;

/// Line colours of a counter's series (Okabe-Ito, readable by colour-blind readers): its
/// own series, then the busiest grants.
const SERIES_COLOURS: [&str; 6] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#8C6D31",
];
/// Max lines and exceeded marks.
const ALERT: &str = "#D55E00";
/// Per reason, in [`Reason::ALL`] order.
const REASON_COLOURS: [&str; 7] = [
    "#999999", "#56B4E9", "#009E73", "#E69F00", "#CC79A7", "#8C6D31", "#D55E00",
];

const CSS: &str = r#"
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --alert: #D55E00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05em; margin: 0; }
code { font: 0.92em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.muted, .meta { color: var(--muted); font-weight: normal; }
nav ul { list-style: none; padding: 0; margin: 12px 0 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin: 0; }
.cards div { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.cards dt { color: var(--muted); font-size: 0.85em; }
.cards dd { margin: 0; font-size: 1.4em; font-weight: 600; font-variant-numeric: tabular-nums; }
.cards .bad dd { color: var(--alert); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 0.92em; }
table.reasons { width: auto; min-width: 420px; }
caption { text-align: left; padding: 2px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure.chart { margin: 20px 0 28px; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { display: block; width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg .grid { stroke: #eaeef2; stroke-width: 1; }
svg .axis { stroke: #8c959f; stroke-width: 1; }
svg .max { stroke: var(--alert); stroke-width: 1.5; stroke-dasharray: 6 4; }
svg text.max-label { fill: var(--alert); }
svg .level { fill: none; stroke-linejoin: round; }
.legend { list-style: none; padding: 0; margin: 4px 0 0 64px; display: flex; flex-wrap: wrap; gap: 2px 16px; font-size: 0.88em; }
.swatch { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 5px; }
.swatch.box { height: 10px; }
.swatch.dash { background: repeating-linear-gradient(90deg, var(--alert) 0 6px, transparent 6px 10px) !important; }
.mark { color: var(--alert); }
.facts { margin: 4px 0 0 64px; font-size: 0.88em; color: var(--muted); }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; }
}
@page { margin: 14mm; }
"#;

/// The page for a report.
pub fn html(r: &Report) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let title = match r.traces.as_slice() {
        [one] => format!("Simulation of {one}"),
        many => format!("Simulation of {} traces", many.len()),
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"policylayer {}\">\n<title>{} against {}</title>\n\
         <style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&title),
        esc(&r.policy)
    );
    header(&mut h, r, &title);
    summary(&mut h, r);
    counters(&mut h, r);
    denials(&mut h, r);
    tools(&mut h, r);
    rules(&mut h, r);
    expectations(&mut h, r);
    let data = serde_json::to_string(r).unwrap_or_else(|_| "{}".into());
    // `<` never appears raw, so no text of the data can close the script element.
    let data = data.replace('<', "\\u003c");
    let _ = write!(
        h,
        "<script type=\"application/json\" id=\"report-data\">{data}</script>\n</main>\n</body>\n</html>\n"
    );
    h
}

fn header(h: &mut String, r: &Report, title: &str) {
    let _ = write!(
        h,
        "<header>\n<h1>{}</h1>\n<p class=\"muted\">Policy <code>{}</code>",
        esc(title),
        esc(&r.policy)
    );
    if r.traces.len() > 1 {
        h.push_str(" · traces ");
        for (i, t) in r.traces.iter().enumerate() {
            if i > 0 {
                h.push_str(", ");
            }
            let _ = write!(h, "<code>{}</code>", esc(t));
        }
    }
    if r.summary.calls > 0 {
        let a = &r.axis;
        let _ = write!(
            h,
            " · {} to {} ({})",
            esc(&format_ts(a.start)),
            esc(&format_ts(a.end)),
            duration(a.end - a.start)
        );
    }
    let _ = write!(
        h,
        " · policylayer {}</p>\n<nav aria-label=\"Sections\"><ul>\
         <li><a href=\"#summary\">Summary</a></li><li><a href=\"#counters\">Counters</a></li>\
         <li><a href=\"#denials\">Denials over time</a></li><li><a href=\"#tools\">Tools</a></li>\
         <li><a href=\"#rules\">First denials per rule</a></li>\
         <li><a href=\"#expectations\">Expectation failures</a></li></ul></nav>\n</header>\n",
        env!("CARGO_PKG_VERSION")
    );
}

fn summary(h: &mut String, r: &Report) {
    let s = &r.summary;
    h.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"cards\">\n");
    let mut card = |label: &str, n: u64, bad: bool| {
        let class = if bad && n > 0 { " class=\"bad\"" } else { "" };
        let _ = writeln!(
            h,
            "<div{class}><dt>{label}</dt><dd>{}</dd></div>",
            num(n as f64)
        );
    };
    card("Calls", s.calls, false);
    card("Allowed", s.allow, false);
    card("Approve", s.approve, false);
    card("Denied", s.deny, true);
    card("Expectation failures", s.expect_failed, true);
    if s.skipped > 0 {
        card("Lines skipped", s.skipped, false);
    }
    if s.malformed > 0 {
        card("Malformed lines", s.malformed, true);
    }
    h.push_str("</dl>\n");
    if s.by_reason.is_empty() {
        h.push_str("<p>No call was denied.</p>\n");
    } else {
        h.push_str(
            "<table class=\"reasons\">\n<caption class=\"muted\">Denials by reason</caption>\n\
             <thead><tr><th>reason</th><th class=\"n\">denied calls</th><th class=\"n\">share of calls</th></tr></thead>\n<tbody>\n",
        );
        let mut reasons = s.by_reason.clone();
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (reason, n) in reasons {
            let _ = writeln!(
                h,
                "<tr><td><span class=\"swatch box\" style=\"background:{}\"></span><code>{reason}</code></td><td class=\"n\">{}</td><td class=\"n\">{:.1}%</td></tr>",
                REASON_COLOURS[reason as usize],
                num(n as f64),
                100.0 * n as f64 / s.calls.max(1) as f64
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    if s.untimed > 0 {
        let _ = writeln!(
            h,
            "<p class=\"muted\">{} JSON-RPC call(s) carry no time: each was evaluated at the time of the line before it{}.</p>",
            num(s.untimed as f64),
            if r.axis.kind == AxisKind::Call {
                ", so the charts run by call number, in trace order"
            } else {
                ""
            }
        );
    }
    h.push_str("</section>\n");
}

fn counters(h: &mut String, r: &Report) {
    h.push_str("<section id=\"counters\">\n<h2>Counters</h2>\n");
    if r.counters.is_empty() {
        h.push_str("<p>The policy has no limits.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<p class=\"muted\">Units used over time against each limit's <code>max</code>. Each \
         step is the highest level a call took the count to within {}; it is held until the \
         next charge{}. Red marks along the top: calls a limit of the counter denied \
         (<code>rate_limited</code>).</p>",
        bucket_text(&r.axis),
        if r.axis.kind == AxisKind::Time {
            " or until the window has surely emptied"
        } else {
            ""
        }
    );
    h.push_str(
        "<table class=\"counters\">\n<thead><tr><th>counter</th><th>scope</th><th>window</th>\
         <th class=\"n\">max</th><th class=\"n\">peak</th><th class=\"n\">exceeded</th>\
         <th>first exceeded</th></tr></thead>\n<tbody>\n",
    );
    for (i, c) in r.counters.iter().enumerate() {
        let name = if c.charted {
            format!("<a href=\"#counter-{i}\"><code>{}</code></a>", esc(&c.name))
        } else {
            format!("<code>{}</code>", esc(&c.name))
        };
        let maxes: Vec<String> = distinct_maxes(c).iter().map(|&m| num(m as f64)).collect();
        let first = c
            .first_exceeded
            .as_ref()
            .map(|p| format!("<code>{}:{}</code>", esc(&p.file), p.line))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr><td>{name}</td><td>{}</td><td>{} ({})</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{first}</td></tr>",
            c.scope,
            esc(&c.window),
            c.algorithm,
            maxes.join(", "),
            num(c.peak),
            num(c.exceeded as f64)
        );
    }
    h.push_str("</tbody>\n</table>\n");
    if r.counters_not_listed > 0 {
        let _ = writeln!(
            h,
            "<p class=\"muted\">{} more counters are not listed.</p>",
            num(r.counters_not_listed as f64)
        );
    }
    let undrawn = r.counters.iter().filter(|c| !c.charted).count();
    if undrawn > 0 {
        let _ = writeln!(
            h,
            "<p class=\"muted\">{MAX_CHARTS} counters are drawn, those most pressed (denials, \
             then peak against max); the {undrawn} others are in the table only.</p>"
        );
    }
    for (i, c) in r.counters.iter().enumerate().filter(|(_, c)| c.charted) {
        counter_chart(h, r, i, c);
    }
    h.push_str("</section>\n");
}

/// Each distinct `max` of the counter's limits.
fn distinct_maxes(c: &CounterReport) -> Vec<u64> {
    let mut maxes: Vec<u64> = c.limits.iter().map(|l| l.max).collect();
    maxes.sort_unstable();
    maxes.dedup();
    maxes
}

fn counter_chart(h: &mut String, r: &Report, i: usize, c: &CounterReport) {
    const HEIGHT: f64 = 240.0;
    let frame = Frame::new(HEIGHT, r.axis.buckets);
    let maxes = distinct_maxes(c);
    let top = c
        .series
        .iter()
        .flat_map(|s| s.steps.iter().map(|&(_, v)| v))
        .chain(maxes.iter().map(|&m| m as f64))
        .fold(0.0, f64::max);
    let scale = YScale::new(top * 1.05);
    let scope = match c.scope {
        "grant" => "per grant",
        _ => "shared by all grants",
    };
    let limits: Vec<String> = c
        .limits
        .iter()
        .map(|l| {
            format!(
                "max {} at <code>{}</code> ({})",
                num(l.max as f64),
                esc(&l.pointer),
                esc(&l.at)
            )
        })
        .collect();
    let id = format!("counter-{i}");
    let _ = write!(
        h,
        "<figure class=\"chart counter\" id=\"{id}\" data-counter=\"{}\">\n<figcaption><h3><code>{}</code> \
         <span class=\"meta\">{scope} · {} window of {}</span></h3>\n<p class=\"meta\">{}</p></figcaption>\n",
        esc(&c.name),
        esc(&c.name),
        c.algorithm,
        esc(&window_text(c.window_s)),
        limits.join("; ")
    );
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" \
         xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"{id}-title\">Counter {}: units used over time against its max</title>\n\
         <desc id=\"{id}-desc\">{}</desc>\n",
        esc(&c.name),
        esc(&counter_description(r, c))
    );
    frame.y_axis(h, &scale, "units");
    frame.x_axis(h, &r.axis);
    for &m in &maxes {
        let y = frame.y(m as f64, &scale);
        let _ = writeln!(
            h,
            "<line class=\"max\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"max-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">max {}</text>",
            WIDTH - RIGHT,
            WIDTH - RIGHT - 4.0,
            y - 4.0,
            num(m as f64)
        );
    }
    // The busiest grants under the counter's own line, which is drawn last and widest.
    for (k, s) in c.series.iter().enumerate().skip(1) {
        step_path(
            h,
            &frame,
            &scale,
            s,
            SERIES_COLOURS[k % SERIES_COLOURS.len()],
            1.25,
        );
    }
    if let Some(s) = c.series.first() {
        step_path(h, &frame, &scale, s, SERIES_COLOURS[0], 2.0);
    }
    if !c.exceeded_at.is_empty() {
        let mut d = String::with_capacity(c.exceeded_at.len() * 24);
        for &(b, _) in &c.exceeded_at {
            let x = frame.x(b as f64 + 0.5);
            let _ = write!(d, "M{x:.1},{:.1}l-4,-7h8z", TOP + 7.0);
        }
        let _ = writeln!(
            h,
            "<g class=\"exceeded\"><title>{} call(s) denied by this counter's limits</title>\
             <path d=\"{d}\" fill=\"{ALERT}\"/></g>",
            num(c.exceeded as f64)
        );
    }
    h.push_str("</svg>\n<ul class=\"legend\">\n");
    for (k, s) in c.series.iter().enumerate() {
        let mut label = esc(&s.label);
        if let Some(u) = s.units {
            let _ = write!(label, " ({} units)", num(u));
        }
        if s.from.is_some() {
            label.push_str(" (drawn from when it became one of the busiest)");
        }
        let _ = writeln!(
            h,
            "<li><span class=\"swatch\" style=\"background:{}\"></span>{label}</li>",
            SERIES_COLOURS[k % SERIES_COLOURS.len()]
        );
    }
    if !maxes.is_empty() {
        h.push_str("<li><span class=\"swatch dash\"></span>max</li>\n");
    }
    if !c.exceeded_at.is_empty() {
        h.push_str("<li><span class=\"mark\">▼</span> exceeded</li>\n");
    }
    h.push_str("</ul>\n");
    let _ = writeln!(
        h,
        "<p class=\"facts\">{}</p>\n</figure>",
        esc(&counter_facts(c))
    );
}

/// What a counter's chart shows, in words: its text alternative.
fn counter_description(r: &Report, c: &CounterReport) -> String {
    let maxes: Vec<String> = distinct_maxes(c).iter().map(|&m| num(m as f64)).collect();
    let mut s = format!(
        "{} counter {}, {} window of {}, max {}, over {}. ",
        c.scope,
        c.name,
        c.algorithm,
        window_text(c.window_s),
        maxes.join(" and "),
        axis_text(&r.axis)
    );
    s.push_str(&counter_facts(c));
    let grants: Vec<&str> = c
        .series
        .iter()
        .skip(1)
        .filter_map(|s| s.grant.as_deref())
        .collect();
    if !grants.is_empty() {
        let _ = write!(s, " Lines for the busiest grants: {}.", grants.join(", "));
    }
    s
}

fn counter_facts(c: &CounterReport) -> String {
    if c.charged == 0 && c.exceeded == 0 {
        return "Never charged.".into();
    }
    let mut s = format!(
        "Peak {} units{}{}",
        num(c.peak),
        c.peak_grant
            .as_ref()
            .map(|g| format!(" (grant {g})"))
            .unwrap_or_default(),
        c.peak_at
            .as_ref()
            .map(|t| format!(" at {t}"))
            .unwrap_or_default()
    );
    let _ = write!(s, "; {} charge(s)", num(c.charged as f64));
    if let Some(g) = c.grants {
        let _ = write!(s, " by {} grant(s)", num(g as f64));
    }
    if c.exceeded > 0 {
        let _ = write!(s, "; exceeded {} time(s)", num(c.exceeded as f64));
        if let Some(p) = &c.first_exceeded {
            let _ = write!(s, ", first at {}:{}", p.file, p.line);
        }
    } else {
        s.push_str("; never exceeded");
    }
    s.push('.');
    s
}

fn step_path(h: &mut String, f: &Frame, scale: &YScale, s: &SeriesReport, colour: &str, w: f64) {
    if s.steps.is_empty() {
        return;
    }
    let mut d = String::with_capacity(s.steps.len() * 16);
    for (k, &(b, v)) in s.steps.iter().enumerate() {
        let (x, y) = (f.x(b as f64), f.y(v, scale));
        if k == 0 {
            let _ = write!(d, "M{x:.1},{y:.1}");
        } else {
            let _ = write!(d, "H{x:.1}V{y:.1}");
        }
    }
    let _ = write!(d, "H{:.1}", f.x(f.buckets));
    let _ = writeln!(
        h,
        "<path class=\"level\" stroke=\"{colour}\" stroke-width=\"{w}\" d=\"{d}\"><title>{}</title></path>",
        esc(&s.label)
    );
}

fn denials(h: &mut String, r: &Report) {
    const HEIGHT: f64 = 220.0;
    h.push_str("<section id=\"denials\">\n<h2>Denials over time</h2>\n");
    let d = &r.denials;
    if d.buckets.is_empty() {
        h.push_str("<p>No call was denied.</p>\n</section>\n");
        return;
    }
    let frame = Frame::new(HEIGHT, r.axis.buckets);
    let top = d
        .buckets
        .iter()
        .map(|(_, n)| n.iter().map(|&x| u64::from(x)).sum::<u64>())
        .max()
        .unwrap_or(0);
    let scale = YScale::new(top as f64);
    let (busiest, _) = d
        .buckets
        .iter()
        .map(|(b, n)| (b, n.iter().map(|&x| u64::from(x)).sum::<u64>()))
        .fold((0, 0), |acc, (b, n)| if n > acc.1 { (*b, n) } else { acc });
    let totals: Vec<String> = r
        .summary
        .by_reason
        .iter()
        .map(|(reason, n)| format!("{reason} {}", num(*n as f64)))
        .collect();
    let desc = format!(
        "Denied calls per {}, stacked by reason, over {}. In all: {}. The most in one bucket: {} at {}.",
        bucket_text(&r.axis),
        axis_text(&r.axis),
        totals.join(", "),
        num(top as f64),
        position_text(&r.axis, busiest)
    );
    let _ = write!(
        h,
        "<figure class=\"chart denials\" id=\"denials-chart\">\n<figcaption><h3>Denied calls per {}, by reason</h3></figcaption>\n\
         <svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"denials-title denials-desc\" xmlns=\"http://www.w3.org/2000/svg\">\n\
         <title id=\"denials-title\">Denials over time, stacked by reason</title>\n<desc id=\"denials-desc\">{}</desc>\n",
        esc(&bucket_text(&r.axis)),
        esc(&desc)
    );
    frame.y_axis(h, &scale, "denied calls");
    frame.x_axis(h, &r.axis);
    let w = (frame.x(1.0) - frame.x(0.0)).max(0.6);
    let mut paths: Vec<String> = vec![String::new(); d.reasons.len()];
    for (b, counts) in &d.buckets {
        let x = frame.x(*b as f64);
        let mut below = 0u64;
        for (k, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let (y0, y1) = (
                frame.y(below as f64, &scale),
                frame.y((below + u64::from(n)) as f64, &scale),
            );
            below += u64::from(n);
            let _ = write!(paths[k], "M{x:.2},{y1:.1}h{w:.2}V{y0:.1}h{:.2}z", -w);
        }
    }
    for (reason, path) in d.reasons.iter().zip(&paths) {
        let colour = reason_colour(reason);
        let _ = writeln!(
            h,
            "<path class=\"bars\" fill=\"{colour}\" d=\"{path}\"><title>{reason}</title></path>"
        );
    }
    h.push_str("</svg>\n<ul class=\"legend\">\n");
    for reason in &d.reasons {
        let _ = writeln!(
            h,
            "<li><span class=\"swatch box\" style=\"background:{}\"></span><code>{reason}</code></li>",
            reason_colour(reason)
        );
    }
    h.push_str("</ul>\n</figure>\n</section>\n");
}

fn reason_colour(name: &str) -> &'static str {
    Reason::ALL
        .iter()
        .position(|r| r.as_str() == name)
        .map_or(REASON_COLOURS[0], |i| REASON_COLOURS[i])
}

fn tools(h: &mut String, r: &Report) {
    h.push_str("<section id=\"tools\">\n<h2>Tools</h2>\n");
    if r.tools.is_empty() {
        h.push_str("<p>No calls.</p>\n</section>\n");
        return;
    }
    let reasons: Vec<Reason> = Reason::ALL
        .into_iter()
        .filter(|x| r.summary.by_reason.iter().any(|(k, _)| k == x))
        .collect();
    h.push_str("<table class=\"tools\">\n<thead><tr><th>tool</th><th class=\"n\">calls</th><th class=\"n\">allowed</th><th class=\"n\">approve</th><th class=\"n\">denied</th>");
    for reason in &reasons {
        let _ = write!(h, "<th class=\"n\"><code>{reason}</code></th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in r.tools.iter().chain(&r.other_tools) {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            esc(&row.tool),
            num(row.calls as f64),
            num(row.allow as f64),
            num(row.approve as f64),
            num(row.deny as f64)
        );
        for reason in &reasons {
            let n = row
                .by_reason
                .iter()
                .find(|(k, _)| k == reason)
                .map_or(0, |(_, n)| *n);
            let cell = if n == 0 { String::new() } else { num(n as f64) };
            let _ = write!(h, "<td class=\"n\">{cell}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn rules(h: &mut String, r: &Report) {
    h.push_str("<section id=\"rules\">\n<h2>First denials per rule</h2>\n");
    if r.rules.is_empty() {
        h.push_str("<p>No rule denied a call.</p>\n</section>\n");
        return;
    }
    h.push_str(
        "<table class=\"rules\">\n<thead><tr><th>rule</th><th>in the policy</th><th>reason</th>\
         <th class=\"n\">denied</th><th>first denials (trace line: tool by grant)</th></tr></thead>\n<tbody>\n",
    );
    for row in &r.rules {
        let first: Vec<String> = row
            .first
            .iter()
            .map(|d| {
                format!(
                    "<code>{}:{}</code>: <code>{}</code> by <code>{}</code>",
                    esc(&d.file),
                    d.line,
                    esc(&d.tool),
                    esc(&d.grant)
                )
            })
            .collect();
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&row.rule),
            esc(&row.at),
            row.reason,
            num(row.count as f64),
            first.join("<br>")
        );
    }
    h.push_str("</tbody>\n</table>\n");
    if r.rules_not_listed > 0 {
        let _ = writeln!(
            h,
            "<p class=\"muted\">{} more rules denied calls.</p>",
            num(r.rules_not_listed as f64)
        );
    }
    h.push_str("</section>\n");
}

fn expectations(h: &mut String, r: &Report) {
    h.push_str("<section id=\"expectations\">\n<h2>Expectation failures</h2>\n");
    let total = r.summary.expect_failed;
    if total == 0 {
        h.push_str("<p>Every expectation held (or the traces carry none).</p>\n</section>\n");
        return;
    }
    if total as usize > r.expectation_failures.len() {
        let _ = writeln!(
            h,
            "<p class=\"muted\">The first {} of {} are listed.</p>",
            r.expectation_failures.len(),
            num(total as f64)
        );
    }
    h.push_str(
        "<table class=\"expectations\">\n<thead><tr><th>trace line</th><th>tool</th><th>grant</th>\
         <th>expected</th><th>got</th><th>decided by</th></tr></thead>\n<tbody>\n",
    );
    for e in &r.expectation_failures {
        let _ = writeln!(
            h,
            "<tr><td><code>{}:{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td><code>{}</code> ({})</td></tr>",
            esc(&e.file),
            e.line,
            esc(&e.tool),
            esc(&e.grant),
            esc(&e.expected),
            esc(&e.got),
            esc(&e.rule),
            esc(&e.at)
        );
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

/// Where a chart's plot sits, and how buckets and values map into it.
struct Frame {
    height: f64,
    buckets: f64,
}

impl Frame {
    fn new(height: f64, buckets: usize) -> Frame {
        Frame {
            height,
            buckets: buckets.max(1) as f64,
        }
    }

    fn x(&self, bucket: f64) -> f64 {
        LEFT + bucket / self.buckets * (WIDTH - LEFT - RIGHT)
    }

    fn y(&self, v: f64, scale: &YScale) -> f64 {
        let plot = self.height - TOP - BOTTOM;
        self.height - BOTTOM - (v / scale.top).clamp(0.0, 1.0) * plot
    }

    fn y_axis(&self, h: &mut String, scale: &YScale, label: &str) {
        let mut v = 0.0;
        while v <= scale.top + scale.step / 2.0 {
            let y = self.y(v, scale);
            let _ = writeln!(
                h,
                "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                WIDTH - RIGHT,
                LEFT - 6.0,
                y + 4.0,
                num(v)
            );
            v += scale.step;
        }
        let mid = (TOP + self.height - BOTTOM) / 2.0;
        let _ = writeln!(
            h,
            "<text x=\"14\" y=\"{mid:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {mid:.1})\">{label}</text>"
        );
    }

    fn x_axis(&self, h: &mut String, axis: &Axis) {
        let base = self.height - BOTTOM;
        let _ = writeln!(
            h,
            "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{base:.1}\" y2=\"{base:.1}\"/>",
            WIDTH - RIGHT
        );
        for (pos, label) in x_ticks(axis, self.buckets) {
            let x = self.x(pos);
            let _ = writeln!(
                h,
                "<line class=\"axis\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{base:.1}\" y2=\"{:.1}\"/>\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                base + 4.0,
                base + 17.0,
                esc(&label)
            );
        }
        let caption = match axis.kind {
            AxisKind::Time => "time (UTC)",
            AxisKind::Call => "calls, in trace order",
        };
        let _ = writeln!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{caption}</text>",
            WIDTH - RIGHT,
            base + 31.0
        );
    }
}

/// A y axis from 0 to a round number, in round steps.
struct YScale {
    top: f64,
    step: f64,
}

impl YScale {
    fn new(max: f64) -> YScale {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        // Counts are whole: fractional steps only below 2.
        let mut step = nice_step(max / 4.0);
        if max >= 2.0 {
            step = step.max(1.0);
        }
        YScale {
            top: (max / step).ceil() * step,
            step,
        }
    }
}

/// The round number (1, 2 or 5 times a power of ten) at or above `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = if raw.is_finite() && raw > 0.0 {
        raw
    } else {
        1.0
    };
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// Tick marks of the horizontal axis: bucket position and label.
fn x_ticks(axis: &Axis, buckets: f64) -> Vec<(f64, String)> {
    match axis.kind {
        AxisKind::Call => {
            let calls = buckets * axis.bucket as f64;
            let step = nice_step(calls / 6.0).max(1.0);
            let mut out = Vec::new();
            let mut c = 0.0;
            while c <= calls + 0.5 {
                out.push((c / axis.bucket as f64, num(c)));
                c += step;
            }
            out
        }
        AxisKind::Time => {
            const STEPS: [f64; 31] = [
                0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0,
                30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0, 21600.0,
                43200.0, 86400.0, 172800.0, 604800.0, 2592000.0, 31536000.0,
            ];
            let per_bucket = axis.bucket as f64 / 1000.0;
            let span = buckets * per_bucket;
            let step = STEPS
                .into_iter()
                .find(|&s| span / s <= 7.0)
                .unwrap_or(STEPS[STEPS.len() - 1]);
            let mut out = Vec::new();
            let mut k = (axis.start / step).ceil();
            loop {
                let t = k * step;
                if t > axis.start + span + 1e-9 || out.len() > 40 {
                    break;
                }
                out.push(((t - axis.start) / per_bucket, time_label(t, step, span)));
                k += 1.0;
            }
            out
        }
    }
}

/// A tick's time, as much of it as the step needs.
fn time_label(t: f64, step: f64, span: f64) -> String {
    let text = format_ts(t);
    let part = |a: usize, b: usize| text.get(a..b).unwrap_or("").to_string();
    if step >= 86400.0 {
        part(0, 10)
    } else if span > 86400.0 {
        format!("{} {}", part(5, 10), part(11, 16))
    } else if step >= 60.0 {
        part(11, 16)
    } else if step >= 1.0 {
        part(11, 19)
    } else {
        let ms = ((t - t.floor()) * 1000.0).round() as u32 % 1000;
        format!("{}.{ms:03}", part(11, 19))
    }
}

/// "8 s", "1 min", "2 h 10 min", "3 days".
fn window_text(seconds: u64) -> String {
    match seconds {
        60 => "1 minute".into(),
        3600 => "1 hour".into(),
        86400 => "1 day".into(),
        s => duration(s as f64),
    }
}

/// A duration in words, to the unit that matters.
fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0);
    if s < 1.0 {
        return format!("{} ms", num((s * 1000.0).round()));
    }
    if s < 60.0 {
        return format!("{} s", num((s * 100.0).round() / 100.0));
    }
    let whole = s.round() as u64;
    let (d, hr, m, sec) = (
        whole / 86400,
        whole / 3600 % 24,
        whole / 60 % 60,
        whole % 60,
    );
    match (d, hr, m) {
        (0, 0, _) if sec == 0 => format!("{m} min"),
        (0, 0, _) => format!("{m} min {sec} s"),
        (0, _, 0) => format!("{hr} h"),
        (0, _, _) => format!("{hr} h {m} min"),
        (_, 0, _) => format!("{d} d"),
        _ => format!("{d} d {hr} h"),
    }
}

/// One bucket's extent, in words.
fn bucket_text(axis: &Axis) -> String {
    match axis.kind {
        AxisKind::Time => duration(axis.bucket as f64 / 1000.0),
        AxisKind::Call if axis.bucket == 1 => "call".into(),
        AxisKind::Call => format!("{} calls", num(axis.bucket as f64)),
    }
}

/// The axis, in words.
fn axis_text(axis: &Axis) -> String {
    match axis.kind {
        AxisKind::Time => format!(
            "{} from {} to {}",
            duration(axis.end - axis.start),
            format_ts(axis.start),
            format_ts(axis.end)
        ),
        AxisKind::Call => format!(
            "{} calls in trace order, all at {}",
            num(axis.buckets as f64 * axis.bucket as f64),
            format_ts(axis.start)
        ),
    }
}

/// Where a bucket starts, in words.
fn position_text(axis: &Axis, bucket: usize) -> String {
    match axis.kind {
        AxisKind::Time => format_ts(axis.start + bucket as f64 * axis.bucket as f64 / 1000.0),
        AxisKind::Call => format!("call {}", num((bucket as u64 * axis.bucket + 1) as f64)),
    }
}

/// A number for people: thousands separated, at most two decimals.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let rounded = (v * 100.0).round() / 100.0;
    let whole = rounded.trunc();
    let mut digits = format!("{}", whole.abs() as u64);
    let mut i = digits.len();
    while i > 3 {
        i -= 3;
        digits.insert(i, ',');
    }
    let sign = if rounded < 0.0 { "-" } else { "" };
    let frac = (rounded - whole).abs();
    if frac < 0.005 {
        format!("{sign}{digits}")
    } else {
        let f = format!("{frac:.2}");
        format!(
            "{sign}{digits}{}",
            f.trim_start_matches('0').trim_end_matches('0')
        )
    }
}

/// Text for HTML, in content and in attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(20000.0), "20,000");
        assert_eq!(num(1234567.0), "1,234,567");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(3.999), "4");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(0.032), "32 ms");
        assert_eq!(duration(8.192), "8.19 s");
        assert_eq!(duration(524.288), "8 min 44 s");
        assert_eq!(duration(7200.0), "2 h");
        assert_eq!(duration(3.0 * 86400.0 + 4.0 * 3600.0), "3 d 4 h");
    }

    #[test]
    fn y_scales_are_round() {
        let s = YScale::new(63.0);
        assert_eq!((s.top, s.step), (80.0, 20.0));
        let s = YScale::new(1.0);
        assert!(s.top >= 1.0 && s.step > 0.0);
        let s = YScale::new(0.0);
        assert!(s.top > 0.0);
    }

    /// A step line lands where the axis puts it: bucket 5 of 20 a quarter across the plot,
    /// level 2 two thirds up a 0–3 scale, and the last level held to the axis' end.
    #[test]
    fn step_lines_are_placed_on_the_axis() {
        let frame = Frame::new(240.0, 20);
        let scale = YScale::new(2.0 * 1.05);
        assert_eq!((scale.top, scale.step), (3.0, 1.0));
        let series = SeriesReport {
            label: "units used".into(),
            grant: None,
            units: None,
            from: None,
            steps: vec![(0, 0.0), (5, 2.0), (10, 0.0)],
        };
        let mut h = String::new();
        step_path(&mut h, &frame, &scale, &series, "#000", 2.0);
        assert!(
            h.contains("d=\"M64.0,204.0H283.0V78.7H502.0V204.0H940.0\""),
            "{h}"
        );
        assert!(h.contains("<title>units used</title>"));
    }

    #[test]
    fn html_escapes_names() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
