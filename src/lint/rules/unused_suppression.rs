//! PL190 `unused-suppression`: a suppression (inline or in the configuration) that
//! suppressed nothing; computed after the other rules run.
//! The documentation below is what `policylayer explain` prints.

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a suppression that suppressed nothing: a code in a tool's inline
    /// `"lint": { "ignore": [...] }`, or in a `[[lint.suppress]]` entry of the
    /// configuration, for which no finding was reported in that tool's entry. It is
    /// computed after the other rules run. Codes of rules that are not enabled are
    /// reported too; codes that are no rule's code are PL116's.
    ///
    /// ## Why is this bad?
    /// A suppression outlives the finding it was written for. Once the policy changed,
    /// it no longer documents an accepted risk; it waits to hide the next finding of that
    /// rule in that tool, one that nobody reviewed.
    ///
    /// ## Example
    /// ```json
    /// "snapshot": { "lint": { "ignore": ["PL101"], "reason": "read-only" } }
    /// ```
    /// `snapshot` is a read tool: PL101 never reports it, so the suppression is unused.
    ///
    /// ## Fix
    /// Remove the code from `ignore` (and the `lint` field when nothing is left), or the
    /// entry from the configuration. `--fix` removes inline codes of enabled rules;
    /// `--fix --unsafe-fixes` also removes codes of disabled rules, which would matter
    /// again if the rule were enabled.
    pub static RULE = {
        code: crate::lint::UNUSED_SUPPRESSION,
        name: "unused-suppression",
        severity: Warning,
        check: None,
    };
}
