//! `burst-rate`: requests per entity in a short window (leaky bucket).

use super::check::{tiered, Ctx, Finding, Rule};
use crate::alert::EntityKind;
use crate::rules::RuleId;

pub(crate) struct BurstRate;

impl Rule for BurstRate {
    fn id(&self) -> RuleId {
        RuleId::BurstRate
    }
    fn applies_to(&self, kind: EntityKind) -> bool {
        kind != EntityKind::Session
    }
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding> {
        // The bucket drains at the default rate; compare its level to this entity's threshold.
        let level = cx.state.burst.level() as u64;
        (level >= cx.threshold).then(|| Finding {
            count: level,
            threshold: cx.threshold,
            severity: tiered(level, cx.threshold.saturating_mul(2), cx.params.severity),
            window_start: cx.view.time - cx.params.window.as_ms(),
            stage: 0,
        })
    }
    fn describe(&self, cx: &Ctx<'_, '_>, f: &Finding) -> String {
        format!("made {} requests within {}", f.count, cx.params.window)
    }
}
