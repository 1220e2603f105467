//! Accounts seen from one client address, judged by `shared-address`.

use super::Pipeline;
use crate::alert::{AlertSink, EntityKind};
use crate::allow::AllowMatch;
use crate::judge::Judge;
use crate::raise::{raise, Raise};
use crate::rules::shared_address::SharedAddress;
use crate::rules::{RuleId, RuleVisitor};
use crate::sketch::hash32;
use crate::state::View;

impl Pipeline {
    /// Counts an account seen from an address and judges `shared-address` on the address.
    pub(super) fn address(
        &mut self,
        ip: &str,
        user: &str,
        new_to_user: bool,
        v: &View<'_>,
        allow: Option<AllowMatch>,
        sink: &mut dyn AlertSink,
    ) {
        let p = &self.params[RuleId::SharedAddress.index()];
        if !p.enabled {
            return;
        }
        let state = self.ips.entry(ip, v.time, self.protect_ms);
        state.account(v.time, p.window.as_ms(), hash32(user), new_to_user);
        let r = Raise { kind: EntityKind::Ip, key: ip, privileged: false, now: v.time, allow };
        let mut judge = Judge {
            params: &self.params,
            role_thresholds: &self.role_thresholds,
            role: None,
            view: v,
            state,
            raise: &r,
            peer: None,
            pending: Vec::new(),
            enumerating: false,
        };
        judge.visit(&SharedAddress);
        for p in judge.pending {
            raise(&mut self.counters, &self.dir, &self.learned, state, &r, p, sink);
        }
    }
}
