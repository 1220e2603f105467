//! What every rule sees and returns.

use crate::alert::{EntityKind, Severity};
use crate::event::TimeMs;
use crate::peers::PeerView;
use crate::rules::{Params, RuleId};
use crate::state::{EntityState, View};

/// One rule's look at one entity after an event.
#[derive(Debug)]
pub(crate) struct Ctx<'a, 'v> {
    pub view: &'a View<'v>,
    pub state: &'a EntityState,
    pub kind: EntityKind,
    pub params: &'a Params,
    /// Threshold for this entity (role override, privileged, or default).
    pub threshold: u64,
    /// The entity is a privileged account.
    pub privileged: bool,
    /// The user's team or role figures (cold start, and whether the whole group surges).
    pub peer: Option<PeerView<'a>>,
}

/// A rule's verdict that the entity is over its threshold.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    pub count: u64,
    pub threshold: u64,
    pub severity: Severity,
    pub window_start: TimeMs,
    /// A new kind of evidence (0 for the rule's first): a higher stage breaks through cooldown.
    pub stage: u8,
}

/// One detection rule.
pub(crate) trait Rule {
    /// Its stable name.
    fn id(&self) -> RuleId;
    /// Entity kinds it judges.
    fn applies_to(&self, kind: EntityKind) -> bool;
    /// A finding when the entity is over the threshold.
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding>;
    /// The rule's half of the summary sentence (after the entity's name), written only for
    /// findings that become alerts: an attacker over a threshold sends many events in cooldown.
    fn describe(&self, cx: &Ctx<'_, '_>, f: &Finding) -> String;
}

/// Severity from how far past the threshold the count is: 3x raises one step, 10x two.
pub(crate) fn tiered(count: u64, threshold: u64, base: Severity) -> Severity {
    let t = threshold.max(1);
    if count >= t.saturating_mul(10) {
        base.raised().raised()
    } else if count >= t.saturating_mul(3) {
        base.raised()
    } else {
        base
    }
}
