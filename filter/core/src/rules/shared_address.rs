//! `shared-address`: one client address serving many accounts within the window, for most of
//! which the address is new. Per account it is a few dozen pages; per address it is one
//! operator with a list of stolen credentials. An office's shared address is not new to the
//! accounts that use it every day, so it stays quiet.

use super::check::{tiered, Ctx, Finding, Rule};
use crate::alert::EntityKind;
use crate::rules::RuleId;

pub(crate) struct SharedAddress;

impl Rule for SharedAddress {
    fn id(&self) -> RuleId {
        RuleId::SharedAddress
    }
    fn applies_to(&self, kind: EntityKind) -> bool {
        kind == EntityKind::Ip
    }
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding> {
        let a = cx.state.accounts.as_deref()?;
        let (new, all) = (a.new.estimate(), a.all.estimate());
        if new < cx.threshold || 2 * new < all {
            return None;
        }
        Some(Finding {
            count: new,
            threshold: cx.threshold,
            severity: tiered(new, cx.threshold, cx.params.severity),
            window_start: a.window.start,
            stage: 0,
        })
    }
    fn describe(&self, cx: &Ctx<'_, '_>, f: &Finding) -> String {
        let all = cx.state.accounts.as_deref().map_or(0, |a| a.all.estimate());
        format!(
            "served {all} accounts within {}, {} of them from an address they had never used",
            cx.params.window, f.count
        )
    }
}
