//! `diff`: what a policy change does to access, tool by tool, as a review gate.
//!
//! The engine is the judge of meaning. A change *loosens* access when some call (any
//! arguments, grant, time or history) gets a higher decision under the new policy
//! (deny < approve < allow), or when the tool appears again in the agent's tool list; it
//! *tightens* in the reverse case, and may do both. Each change found by comparing the two
//! models ([`rules`]) says, for each direction, whether it does so for certain, may do so
//! (the comparison cannot prove it either way: an edited regex), or does not; a concrete
//! call that shows it ([`witness`]) is searched for and checked on both policies with the
//! engine, and a verified witness turns "may" into "does". A gate must be sound, so
//! `--fail-on loosen` fails on "may loosen" too.

pub mod replay;
mod rules;
pub mod witness;

use std::collections::BTreeSet;

use crate::catalog::{Catalog, Category, Risk};
use crate::policy::{Access, Policy, Posture};
pub use witness::Witness;

/// Whether a change moves access one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Certainty {
    No,
    /// It cannot be proven either way from the two policies.
    Maybe,
    Yes,
}

crate::keywords! {
    /// Where a change is listed in the report.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Group {
        Loosened = "loosened",
        MayLoosen = "may loosen",
        Tightened = "tightened",
        /// Neither direction: a changed `message` (the text the agent gets on deny).
        Other = "changed",
    }
}

/// One semantic change. `tool` is `None` for policy-wide changes (`default`, `all_tools`).
#[derive(Debug, Clone)]
pub struct Change {
    pub tool: Option<String>,
    /// The tool's classification in the catalogue, when it has one.
    pub class: Option<(Category, Risk)>,
    /// What changed, e.g. ``require `args.url host_in ["a.com"]` → `…` ``.
    pub what: String,
    pub loosens: Certainty,
    pub tightens: Certainty,
    /// A call that NEW lets through and OLD does not, checked with the engine.
    pub loosening_witness: Option<Witness>,
    /// A call that OLD lets through and NEW does not, checked with the engine.
    pub tightening_witness: Option<Witness>,
}

impl Change {
    /// The groups this change is listed under: a change that does both is listed twice.
    pub fn groups(&self) -> Vec<Group> {
        let mut groups = Vec::new();
        match self.loosens {
            Certainty::Yes => groups.push(Group::Loosened),
            Certainty::Maybe => groups.push(Group::MayLoosen),
            Certainty::No => {}
        }
        if self.tightens == Certainty::Yes {
            groups.push(Group::Tightened);
        }
        if groups.is_empty() && self.tightens == Certainty::No {
            groups.push(Group::Other);
        }
        if groups.is_empty() {
            // Only "may tighten": listed where a reviewer looks for unproven changes.
            groups.push(Group::MayLoosen);
        }
        groups
    }

    /// Counts as loosening for `--fail-on loosen` (proven or not disproven).
    pub fn may_loosen(&self) -> bool {
        self.loosens != Certainty::No
    }

    /// Counts as tightening for `--fail-on tighten`.
    pub fn may_tighten(&self) -> bool {
        self.tightens != Certainty::No
    }
}

/// The semantic difference between two policies.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Riskiest first: policy-wide changes, then by group, risk, category and tool.
    pub changes: Vec<Change>,
}

impl Report {
    pub fn loosens(&self) -> bool {
        self.changes.iter().any(Change::may_loosen)
    }

    pub fn tightens(&self) -> bool {
        self.changes.iter().any(Change::may_tighten)
    }

    /// How many changes each group lists.
    pub fn count(&self, group: Group) -> usize {
        self.changes
            .iter()
            .filter(|c| c.groups().contains(&group))
            .count()
    }

    /// The changes listed under `group`, in report order.
    pub fn in_group(&self, group: Group) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(move |c| c.groups().contains(&group))
    }
}

/// Compares two policies over every tool either names or the catalogue lists.
pub fn compare<'p>(old: &'p Policy, new: &'p Policy, catalog: &Catalog) -> Report {
    let mut changes = Vec::new();
    let mut subjects: Vec<witness::Subject<'p>> = Vec::new();
    let mut push = |tool: Option<&str>, found: rules::Found<'p>| {
        subjects.push(found.subject);
        let class = tool
            .and_then(|t| catalog.tool(t))
            .map(|t| (t.category, t.risk));
        changes.push(Change {
            tool: tool.map(str::to_string),
            class,
            what: found.what,
            loosens: found.loosens,
            tightens: found.tightens,
            loosening_witness: None,
            tightening_witness: None,
        });
    };
    if old.default.value != new.default.value {
        let opens = new.default.value == Posture::Allow;
        push(
            None,
            rules::Found::new(
                format!(
                    "default {} → {} (every tool the policy does not list)",
                    posture(old.default.value),
                    posture(new.default.value)
                ),
                opens,
                !opens,
                witness::Subject::Default,
            ),
        );
    }
    let shared = rules::SharedCounters::new(old, new);
    for found in rules::limits(&old.all_tools, &new.all_tools, "all_tools", &shared) {
        push(None, found);
    }
    for name in tool_names(old, new, catalog) {
        for found in rules::tool(name, old, new, &shared) {
            push(Some(name), found);
        }
    }
    let mut report = Report { changes };
    witness::attach(&mut report, &subjects, old, new, catalog);
    report.changes.sort_by_key(order_key);
    report
}

/// Every tool name that either policy or the catalogue mentions (not `"*"`).
fn tool_names<'a>(old: &'a Policy, new: &'a Policy, catalog: &'a Catalog) -> BTreeSet<&'a str> {
    catalog
        .tools()
        .iter()
        .map(|t| t.name.as_str())
        .chain(old.tools.iter().map(|t| t.name.as_str()))
        .chain(new.tools.iter().map(|t| t.name.as_str()))
        .chain(
            old.hide
                .iter()
                .chain(&new.hide)
                .map(|h| h.value.as_str())
                .filter(|h| *h != "*"),
        )
        .collect()
}

fn posture(p: Posture) -> &'static str {
    match p {
        Posture::Allow => "allow",
        Posture::Deny => "deny",
    }
}

/// Policy-wide first, then the first group a change is in, then riskier tools, then the
/// more dangerous category, then by name; the original order breaks ties (stable sort).
fn order_key(
    c: &Change,
) -> (
    bool,
    Group,
    std::cmp::Reverse<Option<Risk>>,
    u8,
    Option<String>,
) {
    let group = c.groups().first().copied().unwrap_or(Group::Other);
    let category = match c.class.map(|(cat, _)| cat) {
        Some(Category::Destructive) => 0,
        Some(Category::Financial) => 1,
        Some(Category::Execute) => 2,
        Some(Category::Write) => 3,
        Some(Category::Read) => 4,
        None => 5,
    };
    (
        c.tool.is_some(),
        group,
        std::cmp::Reverse(c.class.map(|(_, r)| r)),
        category,
        c.tool.clone(),
    )
}

/// Deny < approve < allow: how far a tool's calls get before conditions and limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Deny,
    Approve,
    Allow,
}

fn level(access: &Access) -> Level {
    match access {
        Access::Hidden(_) | Access::DefaultDenied | Access::Denied(_) => Level::Deny,
        Access::Approve(_) => Level::Approve,
        Access::Allowed(_) | Access::DefaultAllowed => Level::Allow,
    }
}

#[cfg(test)]
mod tests;
