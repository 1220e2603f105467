//! Runs the windowed rules over one entity after an event: the findings that are due.

use crate::peers::PeerView;
use crate::raise::{Pending, Raise};
use crate::rules::check::{Ctx, Rule};
use crate::rules::{Params, RuleId, RuleVisitor};
use crate::state::{EntityState, View};
use std::collections::BTreeMap;

/// The rules' shared view of one entity, and what they found.
pub(crate) struct Judge<'a, 'v> {
    pub params: &'a [Params],
    /// Per rule: role name -> threshold.
    pub role_thresholds: &'a [BTreeMap<String, u64>],
    pub role: Option<&'a str>,
    pub view: &'a View<'v>,
    pub state: &'a EntityState,
    pub raise: &'a Raise<'a>,
    /// The user's team or role figures, for users with too little history of their own.
    pub peer: Option<PeerView<'a>>,
    /// Findings due to alert now, with their sentences.
    pub pending: Vec<Pending>,
    /// Whether `mass-enumeration` found something (privilege-change escalates on it).
    pub enumerating: bool,
}

/// A rule's threshold for one entity: its role's, else the privileged or the default one.
pub(crate) fn threshold(
    p: &Params,
    role_thresholds: &BTreeMap<String, u64>,
    role: Option<&str>,
    privileged: bool,
) -> u64 {
    role.and_then(|r| role_thresholds.get(r).copied()).unwrap_or(if privileged {
        p.privileged_threshold
    } else {
        p.threshold
    })
}

impl RuleVisitor for Judge<'_, '_> {
    #[inline]
    fn visit<R: Rule>(&mut self, rule: &R) {
        let (id, kind) = (rule.id(), self.raise.kind);
        let p = &self.params[id.index()];
        if !p.enabled || !rule.applies_to(kind) {
            return;
        }
        let threshold =
            threshold(p, &self.role_thresholds[id.index()], self.role, self.raise.privileged);
        let cx = Ctx {
            view: self.view,
            state: self.state,
            kind,
            params: p,
            threshold,
            privileged: self.raise.privileged,
            peer: self.peer,
        };
        let Some(f) = rule.check(&cx) else { return };
        self.enumerating |= id == RuleId::MassEnumeration;
        if let Some(due) = Pending::new(id, f, self.raise, self.state, p.cooldown.as_ms()) {
            let what = rule.describe(&cx, &due.finding);
            self.pending.push(due.with(what));
        }
    }
}
