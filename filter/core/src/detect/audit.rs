//! What audit records teach the pipeline: account creations, grants of administration (and
//! the `privilege-change` alert on them), and the other names of an account.

use super::Pipeline;
use crate::alert::{AlertSink, EntityKind};
use crate::allow::AllowMatch;
use crate::event::{AuditAction, TimeMs};
use crate::raise::{raise, Pending, Raise};
use crate::rules::{privilege, RuleId};
use std::borrow::Cow;

impl Pipeline {
    /// Identity facts from an audit record, and the `privilege-change` alert on a grant.
    pub(super) fn audit(
        &mut self,
        a: &AuditAction<'_>,
        actor: Option<&str>,
        now: TimeMs,
        allow: Option<AllowMatch>,
        sink: &mut dyn AlertSink,
    ) {
        let cap = self.config.limits.max_users;
        if let AuditAction::UserCreated { user } = a {
            let user = self.dir.login(user, Some(&self.learned)).to_string();
            self.learned.created(&user, now, cap);
        }
        let Some((grantee, what)) = privilege::grant_in(a, &self.dir) else {
            return;
        };
        let grantee = self.dir.login(grantee, Some(&self.learned)).to_string();
        let by = actor.map(|x| format!(" by {x}")).unwrap_or_default();
        let source = format!("{what}{by} at {}", crate::alert::format_time(now));
        let created = self.learned.created.get(&grantee).copied();
        // Learned even when the rule is off: a grant makes the account privileged for all rules.
        self.learned.grant(&grantee, now, source, cap);
        let p = &self.params[RuleId::PrivilegeChange.index()];
        if !p.enabled {
            return;
        }
        let (f, what) = privilege::on_grant(now, &what, actor, created, p);
        let cooldown = p.cooldown.as_ms();
        let state = self.users.entry(&grantee, now, self.protect_ms);
        let r = Raise { kind: EntityKind::User, key: &grantee, privileged: true, now, allow };
        if let Some(p) = Pending::new(RuleId::PrivilegeChange, f, &r, state, cooldown) {
            raise(&mut self.counters, &self.dir, &self.learned, state, &r, p.with(what), sink);
        }
    }

    /// Links the other names an audit record gives for `user` to its login. Configured names
    /// are never moved by what a record says.
    pub(super) fn learn_aliases(&mut self, user: &str, aliases: &[Cow<'_, str>], now: TimeMs) {
        let login = self.dir.login(user, Some(&self.learned)).to_string();
        let cap = self.config.limits.max_users;
        for a in aliases.iter().map(|a| a.trim()) {
            if !a.is_empty() && a != login && !self.dir.is_configured(a) {
                self.learned.alias(a, &login, now, cap);
            }
        }
    }
}
