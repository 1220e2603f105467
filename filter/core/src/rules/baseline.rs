//! `baseline-deviation`: a user's daily volume against their own learned mean (or their role's,
//! until they have `warmup_days` of history).

use super::check::{Ctx, Finding, Rule};
use crate::alert::EntityKind;
use crate::rules::RuleId;

pub(crate) struct BaselineDeviation;

impl Rule for BaselineDeviation {
    fn id(&self) -> RuleId {
        RuleId::BaselineDeviation
    }
    fn applies_to(&self, kind: EntityKind) -> bool {
        kind == EntityKind::User
    }
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding> {
        let b = &cx.state.baseline;
        let p = cx.params;
        let mean = if u64::from(b.days) >= p.warmup_days { Some(b.mean) } else { cx.role_mean }?;
        let today = u64::from(b.today);
        let limit = (f64::from(mean) * p.factor).ceil() as u64;
        let threshold = limit.max(cx.threshold);
        let f = Finding {
            count: today,
            threshold,
            severity: p.severity,
            window_start: b.day_start,
            stage: 0,
        };
        (today >= threshold).then_some(f)
    }
    fn describe(&self, cx: &Ctx<'_, '_>, f: &Finding) -> String {
        let b = &cx.state.baseline;
        let p = cx.params;
        let mean =
            if u64::from(b.days) >= p.warmup_days { b.mean } else { cx.role_mean.unwrap_or(0.0) };
        format!("read {} items today against a baseline of {:.0} a day", f.count, f64::from(mean))
    }
}
